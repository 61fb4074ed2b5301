#!/usr/bin/env bash
# Runs web/'s Node tests, real GraphQL clients (graphql-js, urql), against a
# real pcnet server:
#   1. installs web/'s npm packages from the lockfile (npm ci);
#   2. checks that the committed build (internal/web/dist) matches web/'s
#      sources, so nobody ships pages older than their code;
#   3. builds pcnet and starts `pcnet serve` on a free loopback port, with
#      the embedded store;
#   4. runs `npm test` with PCNET_URL pointing at it, and stops the server
#      whatever the outcome.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in node npm go; do
	command -v "$tool" >/dev/null 2>&1 || { echo "test-web: $tool is needed" >&2; exit 1; }
done

echo "== npm ci (web/)"
(cd web && npm ci --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)

echo "== committed build is up to date"
(cd web && npm run --silent check-build)

work="$(mktemp -d)"
pid=""
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

echo "== pcnet serve"
go build -o "$work/pcnet" ./cmd/pcnet
# Port 0: the kernel picks a free port, and the server logs which.
# NEO4J_URI is dropped so the server uses the embedded store even inside
# `make test`, which exports it for the Go tests; PCNET_EPHEMERAL keeps
# that store in memory, so the tests leave no data directory behind.
env -u NEO4J_URI PCNET_EPHEMERAL=true PCNET_PUBLIC_READS=true \
	"$work/pcnet" serve --addr 127.0.0.1:0 >"$work/serve.log" 2>&1 &
pid=$!
addr=""
for _ in $(seq 1 300); do
	addr="$(sed -n 's/.*msg=ready addr=\([^ ]*\).*/\1/p' "$work/serve.log" | head -n1)"
	[ -n "$addr" ] && break
	if ! kill -0 "$pid" 2>/dev/null; then
		cat "$work/serve.log" >&2
		echo "test-web: pcnet serve exited" >&2
		exit 1
	fi
	sleep 0.1
done
if [ -z "$addr" ]; then
	cat "$work/serve.log" >&2
	echo "test-web: pcnet serve did not get ready in 30 s" >&2
	exit 1
fi
echo "pcnet at http://$addr"

echo "== npm test (web/)"
(cd web && PCNET_URL="http://$addr" npm test)
