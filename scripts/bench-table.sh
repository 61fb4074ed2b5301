#!/usr/bin/env bash
# The table of docs/performance.md ("The current table"), measured in one run: every operation
# of `pcnet bench`, each alone, against four pcnet servers started side by side (Neo4j and the
# embedded store, each with the response cache off and on) and the direct-driver floor
# (`pcnet bench --baseline-only`), one operation at a time, so the five phases of a row run
# back to back under the same machine load.
#
# Not part of `make test`: it takes about 7 phases x 5 targets x (WARMUP + DURATION + ~1 s).
#
# Usage: NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_PASSWORD=... scripts/bench-table.sh [outdir]
#
# Environment:
#   NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD  the Neo4j (loopback) the Neo4j servers and the floor read
#   NEO4J_PID        pid of that Neo4j, to report its CPU per request (default: the pid file of
#                    scripts/neo4j.sh in PCNET_NEO4J_STATE, or .neo4j; none: "-")
#   PCNET_BIN        the pcnet binary (default: built into the output folder)
#   BENCH_IMPORT     1 (default): `pcnet import --prune` the shipped data into Neo4j first
#   BENCH_OPS        operations, space separated (default: every operation `pcnet bench -h` lists)
#   BENCH_CLIENTS    concurrent clients (default 8)
#   BENCH_DURATION   measured time per phase (default 8s)
#   BENCH_WARMUP     unmeasured time before each phase (default 2s)
#   BENCH_PORT       first of four HTTP ports for the servers (default 17761)
#
# Output: a table on stdout, one line per operation and target; the raw `pcnet bench` output of
# every phase, the servers' logs and the table in the output folder (default: a new /tmp folder).
#
# CPU per request: user+system time of a process (/proc/<pid>/stat) from WARMUP after the phase
# starts (its progress line) to the end of the bench process, divided by the requests the bench
# measured: a slight upper bound (it includes the last in-flight request of each client).
# "server" is the pcnet process (for the floor: the bench process itself, which runs the driver
# and decodes the results, so the floor's client-side work is counted as its "server"), "neo4j"
# the Neo4j JVM (all of it: also its background threads).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
OUT="${1:-$(mktemp -d /tmp/pcnet-bench-table.XXXXXX)}"
mkdir -p "$OUT"
CLIENTS="${BENCH_CLIENTS:-8}"
DURATION="${BENCH_DURATION:-8s}"
WARMUP="${BENCH_WARMUP:-2s}"
PORT="${BENCH_PORT:-17761}"
: "${NEO4J_URI:?set NEO4J_URI (and NEO4J_PASSWORD) to a loopback Neo4j}"
TICK="$(getconf CLK_TCK)"

die() { echo "bench-table.sh: $*" >&2; exit 1; }

BIN="${PCNET_BIN:-}"
if [[ -z "$BIN" ]]; then
  BIN="$OUT/pcnet"
  (cd "$ROOT" && go build -o "$BIN" ./cmd/pcnet)
fi

NEO_PID="${NEO4J_PID:-}"
if [[ -z "$NEO_PID" ]]; then
  pidfile="$(realpath -m "${PCNET_NEO4J_STATE:-$ROOT/.neo4j}")/neo4j.pid"
  [[ -s "$pidfile" ]] && NEO_PID="$(cat "$pidfile")"
fi
[[ -n "$NEO_PID" && -r "/proc/$NEO_PID/stat" ]] || NEO_PID=""

OPS="${BENCH_OPS:-$("$BIN" bench -h 2>&1 | sed -n 's/.*; operations: \([^(]*\).*/\1/p' | tr -d ,)}"
[[ -n "$OPS" ]] || die "no operations found in pcnet bench -h"

# cpu_ticks PID: user+system clock ticks of a process (fields 14 and 15 of /proc/PID/stat; the
# command name, field 2, is in parentheses and may hold spaces, so cut after the last ')').
cpu_ticks() {
  local s
  s="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo ""; return; }
  s="${s##*) }"
  awk '{print $12 + $13}' <<<"$s"
}

load1() { cut -d' ' -f1 /proc/loadavg; }

if [[ "${BENCH_IMPORT:-1}" == 1 ]]; then
  echo "importing the shipped data into $NEO4J_URI" >&2
  "$BIN" import --prune --quiet >"$OUT/import.log" 2>&1 || { cat "$OUT/import.log" >&2; die "import failed"; }
fi

# The four servers: name, then serve flags.
TARGETS=(neo4j-off neo4j-on memory-off memory-on)
declare -A FLAGS=(
  [neo4j-off]="--store neo4j --response-cache-size 0"
  [neo4j-on]="--store neo4j"
  [memory-off]="--store memory --ephemeral --response-cache-size 0"
  [memory-on]="--store memory --ephemeral"
)
declare -A PID URL
SERVER_PIDS=()
stop_servers() {
  local p
  for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${SERVER_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap stop_servers EXIT

i=0
for t in "${TARGETS[@]}"; do
  addr="127.0.0.1:$((PORT + i))"
  i=$((i + 1))
  # shellcheck disable=SC2086 # FLAGS holds several flags
  "$BIN" serve --addr "$addr" --debug-stats ${FLAGS[$t]} >"$OUT/server-$t.log" 2>&1 &
  PID[$t]=$!
  SERVER_PIDS+=("$!")
  URL[$t]="http://$addr/graphql"
done
for t in "${TARGETS[@]}"; do
  for _ in $(seq 1 240); do
    curl -fsS -o /dev/null "http://${URL[$t]#http://}" -X POST -H 'content-type: application/json' \
      -d '{"query":"{ __typename }"}' 2>/dev/null && break
    kill -0 "${PID[$t]}" 2>/dev/null || { cat "$OUT/server-$t.log" >&2; die "server $t exited"; }
    sleep 0.5
  done
done

# phase OP TARGET: one `pcnet bench` run; prints one table line.
phase() {
  local op="$1" t="$2" log="$OUT/bench-$1-$2.txt" args=() spid
  if [[ "$t" == floor ]]; then
    args=(--baseline-only)
    spid=""
  else
    args=(--no-baseline --url "${URL[$t]}")
    spid="${PID[$t]}"
  fi
  local l0 l1
  l0="$(load1)"
  "$BIN" bench --clients "$CLIENTS" --duration "$DURATION" --warmup "$WARMUP" --mix "$op=1" "${args[@]}" \
    >"$log" 2>"$log.progress" &
  local bpid=$!
  # The measured window starts WARMUP after the phase's progress line (the preflight is done).
  until grep -q ' clients, ' "$log.progress" 2>/dev/null; do
    kill -0 "$bpid" 2>/dev/null || break
    sleep 0.05
  done
  sleep "${WARMUP%s}"
  [[ "$t" == floor ]] && spid="$bpid"
  local s0 n0 s1 n1 last
  s0="$(cpu_ticks "$spid")"
  n0="$([[ -n "$NEO_PID" ]] && cpu_ticks "$NEO_PID" || true)"
  # The bench's own CPU is read until it exits (its /proc entry goes with it).
  last="$s0"
  while kill -0 "$bpid" 2>/dev/null; do
    if [[ "$t" == floor ]]; then
      v="$(cpu_ticks "$bpid")"
      [[ -n "$v" ]] && last="$v"
    fi
    sleep 0.1
  done
  wait "$bpid" || { cat "$log" "$log.progress" >&2; die "bench $op on $t failed"; }
  if [[ "$t" == floor ]]; then s1="$last"; else s1="$(cpu_ticks "$spid")"; fi
  n1="$([[ -n "$NEO_PID" ]] && cpu_ticks "$NEO_PID" || true)"
  l1="$(load1)"
  # The operation's row: name weight requests req/s p50 p95 p99 max errors calls.
  local row
  row="$(awk -v op="$op" '$1 == op && NF == 10 {print; exit}' "$log")"
  [[ -n "$row" ]] || die "no row for $op in $log"
  awk -v t="$t" -v row="$row" -v s0="$s0" -v s1="$s1" -v n0="$n0" -v n1="$n1" -v tick="$TICK" \
    -v l0="$l0" -v l1="$l1" 'BEGIN {
      split(row, f, " ")
      req = f[3]
      srv = (req > 0 && s1 != "") ? sprintf("%.2f", 1000 * (s1 - s0) / tick / req) : "-"
      neo = (req > 0 && n0 != "" && n1 != "") ? sprintf("%.2f", 1000 * (n1 - n0) / tick / req) : "-"
      printf "%-16s %-10s %8s %8s %9s %9s %6s %6s %9s %8s %5s-%-5s\n", f[1], t, req, f[4], f[5], f[7], f[9], f[10], srv, neo, l0, l1
    }'
}

{
  echo "pcnet bench-table: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $CLIENTS clients, $WARMUP warmup, $DURATION measured per phase"
  echo "binary $BIN ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')), Neo4j $NEO4J_URI (pid ${NEO_PID:--})"
  echo "uptime before: $(uptime)"
  echo "cpu ms/req: user+system per measured request; load: 1-min load average before-after the phase"
  printf "%-16s %-10s %8s %8s %9s %9s %6s %6s %9s %8s %s\n" operation target requests req/s p50 p99 errors calls/req server_cpu neo4j_cpu load
  for op in $OPS; do
    for t in "${TARGETS[@]}" floor; do
      phase "$op" "$t"
    done
  done
  echo "uptime after: $(uptime)"
} | tee "$OUT/table.txt"
echo "raw output in $OUT" >&2
