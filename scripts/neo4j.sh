#!/usr/bin/env bash
# Local Neo4j 5.26 LTS (community) for pcnet development and CI, without Docker.
#
# The server is tools/neo4j-launcher: an embedded Neo4j DBMS built with Maven from Maven
# Central, serving Bolt on 127.0.0.1 with authentication on. See tools/neo4j-launcher/README.md.
#
# Usage: scripts/neo4j.sh {install|start|stop|restart|status|env|reset|logs}
#
# Environment:
#   PCNET_NEO4J_PORT           Bolt port (default 7687)
#   NEO4J_PASSWORD             password of user neo4j, >= 8 chars (default pcnet-dev-password)
#   PCNET_NEO4J_HEAP           JVM max heap (default 768m)
#   PCNET_NEO4J_HEAP_INITIAL   JVM initial heap (default 128m, or the max heap if smaller)
#   PCNET_NEO4J_PAGECACHE      Neo4j page cache (default 256m)
#   PCNET_NEO4J_STATE          folder for the pid, port and log files (default .neo4j), so
#                              several servers (a dev one, the tests' one) can run side by side
#   PCNET_NEO4J_DATA           DBMS directory (default $PCNET_NEO4J_STATE/data)
#   PCNET_NEO4J_START_TIMEOUT  seconds to wait for readiness (default 120)
#   PCNET_NEO4J_STOP_TIMEOUT   seconds to wait after SIGTERM before SIGKILL (default 60)
#   PCNET_NEO4J_JAVA           java executable (default: java on PATH; needs Java 17 or 21)
#   PCNET_NEO4J_JAVA_OPTS      extra JVM options
#   PCNET_NEO4J_CONF           optional neo4j.conf-style file with extra Neo4j settings
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
LAUNCHER_DIR="$ROOT/tools/neo4j-launcher"
TARGET_DIR="$LAUNCHER_DIR/target"
JAR="$TARGET_DIR/neo4j-launcher.jar"
BUILD_STAMP="$TARGET_DIR/.pcnet-build-stamp"
STATE_DIR="$(realpath -m "${PCNET_NEO4J_STATE:-$ROOT/.neo4j}")"
DATA_DIR="$(realpath -m "${PCNET_NEO4J_DATA:-$STATE_DIR/data}")"
LOG_FILE="$STATE_DIR/neo4j.log"
PID_FILE="$STATE_DIR/neo4j.pid"
PORT_FILE="$STATE_DIR/neo4j.port"
HOST="127.0.0.1"
PORT="${PCNET_NEO4J_PORT:-7687}"
PASSWORD="${NEO4J_PASSWORD:-pcnet-dev-password}"
HEAP="${PCNET_NEO4J_HEAP:-768m}"
PAGECACHE="${PCNET_NEO4J_PAGECACHE:-256m}"
START_TIMEOUT="${PCNET_NEO4J_START_TIMEOUT:-120}"
STOP_TIMEOUT="${PCNET_NEO4J_STOP_TIMEOUT:-60}"
JAVA="${PCNET_NEO4J_JAVA:-java}"
MAIN_CLASS="pcnet.neo4j.Launcher"

log() { echo "neo4j.sh: $*"; }
die() { echo "neo4j.sh: ERROR: $*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

# ---------------------------------------------------------------- helpers

# pid of the launcher started by this script, if it is alive (guards against pid reuse).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  local args
  if [[ -r "/proc/$pid/cmdline" ]]; then
    args="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  else
    args="$(ps -o args= -p "$pid" 2>/dev/null || true)"
  fi
  [[ "$args" == *"$MAIN_CLASS"* ]] || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Port of the running server (as started), else the configured one.
current_port() {
  if running_pid >/dev/null && [[ -s "$PORT_FILE" ]]; then cat "$PORT_FILE"; else echo "$PORT"; fi
}

ready_in_log() { [[ -f "$LOG_FILE" ]] && grep -q "pcnet-neo4j: ready on bolt://$HOST:$1" "$LOG_FILE"; }

show_log_tail() {
  if [[ -f "$LOG_FILE" ]]; then
    echo "---- last lines of $LOG_FILE ----" >&2
    tail -n 40 "$LOG_FILE" >&2
    echo "----" >&2
  fi
}

check_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found ($JAVA); Java 17 or 21 is needed"
  local ver major
  ver="$("$JAVA" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  major="${ver%%.*}"
  [[ "$major" =~ ^[0-9]+$ ]] || die "cannot tell the Java version of $JAVA ('$ver')"
  ((major >= 17)) || die "Neo4j 5.26 needs Java 17 or 21; $JAVA is $ver"
}

# Initial heap: PCNET_NEO4J_HEAP_INITIAL, else 128m (or the max heap if that is smaller).
initial_heap() {
  if [[ -n "${PCNET_NEO4J_HEAP_INITIAL:-}" ]]; then echo "$PCNET_NEO4J_HEAP_INITIAL"; return; fi
  local n unit mib
  if [[ "$HEAP" =~ ^([0-9]+)([kKmMgG]?)$ ]]; then
    n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2],,}
    case "$unit" in
      k) mib=$((n / 1024)) ;;
      m) mib=$n ;;
      g) mib=$((n * 1024)) ;;
      *) mib=$((n / 1048576)) ;;
    esac
    if ((mib < 128)); then echo "$HEAP"; return; fi
  fi
  echo "128m"
}

# ---------------------------------------------------------------- commands

is_built() {
  [[ -f "$JAR" && -f "$BUILD_STAMP" && -d "$TARGET_DIR/lib" ]] || return 1
  # Rebuild when the pom or the sources changed since the last build.
  [[ -z "$(find "$LAUNCHER_DIR/pom.xml" "$LAUNCHER_DIR/src" -newer "$BUILD_STAMP" -print -quit)" ]]
}

cmd_install() {
  if is_built; then
    [[ "${1:-}" == "--quiet" ]] || log "launcher already built ($JAR)"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found; Maven is needed to build $LAUNCHER_DIR"
  log "building the Neo4j launcher with Maven (first time: downloads ~125 MB from Maven Central)..."
  local t0=$SECONDS
  local mvn_args=(-q -B -Dstyle.color=never -f "$LAUNCHER_DIR/pom.xml" package -DskipTests)
  # Offline first, so a warm ~/.m2 needs no network; online if something is missing.
  if ! mvn -o "${mvn_args[@]}" >/dev/null 2>&1; then
    mvn "${mvn_args[@]}" || die "Maven build of $LAUNCHER_DIR failed"
  fi
  [[ -f "$JAR" ]] || die "build finished but $JAR is missing"
  touch "$BUILD_STAMP"
  log "launcher built in $((SECONDS - t0)) s"
}

cmd_start() {
  local pid port
  if pid="$(running_pid)"; then
    port="$(current_port)"
    if [[ "$port" != "$PORT" ]]; then
      die "a server started by this script is already running on port $port (pid $pid), not $PORT; run '$0 stop' first"
    fi
    if port_open "$port" && ready_in_log "$port"; then
      log "already running and ready on bolt://$HOST:$port (pid $pid)"
      return 0
    fi
    log "already running (pid $pid) but not ready yet; waiting"
    wait_ready "$pid" "$port" "$SECONDS"
    return 0
  fi
  rm -f "$PID_FILE" "$PORT_FILE"

  ((${#PASSWORD} >= 8)) || die "NEO4J_PASSWORD must be at least 8 characters (Neo4j's minimum)"
  [[ "$PORT" =~ ^[0-9]+$ ]] || die "PCNET_NEO4J_PORT must be a number, got '$PORT'"
  if port_open "$PORT"; then
    die "port $PORT on $HOST is already in use by another process; stop it or set PCNET_NEO4J_PORT"
  fi
  check_java
  cmd_install --quiet

  local t0=$SECONDS
  mkdir -p "$STATE_DIR" "$DATA_DIR"
  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"

  # JVM flags: bounded heap; the --add-opens and netty flags are the ones the Neo4j server
  # distribution uses (without them Neo4j logs fallback-mode warnings and runs slower).
  local -a jvm=(
    "-Xmx$HEAP" "-Xms$(initial_heap)"
    -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow -XX:+ExitOnOutOfMemoryError
    -XX:+UnlockExperimentalVMOptions -XX:+TrustFinalNonStaticFields -XX:+DisableExplicitGC
    -Djdk.nio.maxCachedBufferSize=1024 -Dio.netty.tryReflectionSetAccessible=true
    -Dlog4j2.disable.jmx=true -Dfile.encoding=UTF-8
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  )
  # shellcheck disable=SC2206 # word splitting of extra options is intended
  [[ -n "${PCNET_NEO4J_JAVA_OPTS:-}" ]] && jvm+=(${PCNET_NEO4J_JAVA_OPTS})

  log "starting Neo4j on bolt://$HOST:$PORT (data $DATA_DIR, heap $HEAP, page cache $PAGECACHE, log $LOG_FILE)"
  # The password travels in the environment, never on the command line.
  PCNET_NEO4J_DATA="$DATA_DIR" PCNET_NEO4J_HOST="$HOST" PCNET_NEO4J_PORT="$PORT" \
    PCNET_NEO4J_PAGECACHE="$PAGECACHE" NEO4J_PASSWORD="$PASSWORD" \
    nohup "$JAVA" "${jvm[@]}" -cp "$JAR:$TARGET_DIR/lib/*" "$MAIN_CLASS" \
    >>"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  echo "$PORT" >"$PORT_FILE"
  wait_ready "$pid" "$PORT" "$t0"
}

# Wait until the process serves Bolt and has logged its ready line (printed only after the
# password is set), or fail with the tail of the log.
wait_ready() {
  local pid=$1 port=$2 t0=$3 next_report=$(($3 + 5))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      show_log_tail
      rm -f "$PID_FILE" "$PORT_FILE"
      die "Neo4j (pid $pid) exited during startup; see $LOG_FILE"
    fi
    if ready_in_log "$port" && port_open "$port"; then
      log "Neo4j ready on bolt://$HOST:$port (pid $pid), started in $((SECONDS - t0)) s"
      return 0
    fi
    if ((SECONDS - t0 >= START_TIMEOUT)); then
      show_log_tail
      log "not ready after ${START_TIMEOUT} s; stopping pid $pid"
      stop_pid "$pid"
      die "Neo4j did not become ready within ${START_TIMEOUT} s; see $LOG_FILE"
    fi
    if ((SECONDS >= next_report)); then
      local state="starting"
      port_open "$port" && state="Bolt port open, setting up auth"
      log "waiting for Neo4j ($state, $((SECONDS - t0)) s elapsed)..."
      next_report=$((SECONDS + 5))
    fi
    sleep 0.5
  done
}

stop_pid() {
  local pid=$1 t0=$SECONDS
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS - t0 >= STOP_TIMEOUT)); then
      log "still running after ${STOP_TIMEOUT} s; sending SIGKILL to $pid"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE" "$PORT_FILE"
}

cmd_stop() {
  local pid t0=$SECONDS
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE" "$PORT_FILE"
    log "not running"
    return 0
  fi
  log "stopping Neo4j (pid $pid)..."
  stop_pid "$pid"
  log "stopped in $((SECONDS - t0)) s"
}

cmd_status() {
  local pid port
  if pid="$(running_pid)"; then
    port="$(current_port)"
    if port_open "$port" && ready_in_log "$port"; then
      echo "running: bolt://$HOST:$port (pid $pid), ready"
    else
      echo "running: pid $pid, starting (not ready yet on port $port)"
    fi
    return 0
  fi
  echo "not running"
  return 3
}

cmd_env() {
  printf 'export NEO4J_URI=%q\n' "bolt://$HOST:$(current_port)"
  printf 'export NEO4J_USERNAME=%q\n' "neo4j"
  printf 'export NEO4J_PASSWORD=%q\n' "$PASSWORD"
}

cmd_reset() {
  cmd_stop
  local dir="$DATA_DIR" # absolute and normalized
  case "$dir" in
    / | "$(realpath -m "$HOME")" | "$ROOT" | "$STATE_DIR" | "$LAUNCHER_DIR"*)
      die "refusing to delete '$dir' (check PCNET_NEO4J_DATA)"
      ;;
  esac
  if [[ -e "$dir" ]]; then
    rm -rf "$dir"
    log "deleted $dir"
  else
    log "nothing to delete ($dir does not exist)"
  fi
}

cmd_logs() {
  [[ -f "$LOG_FILE" ]] || die "no log yet ($LOG_FILE)"
  tail -n "${1:-100}" "$LOG_FILE"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop && cmd_start ;;
  status) cmd_status ;;
  env) cmd_env ;;
  reset) cmd_reset ;;
  logs) cmd_logs "${2:-100}" ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
