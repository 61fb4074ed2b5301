#!/usr/bin/env bash
# Runs golangci-lint with the committed .golangci.yml. The linter is installed
# at a pinned version with `go install` through the Go module proxy into
# .bin/ (ignored by git), so every machine runs the same checks.
#
# Usage: scripts/lint.sh [golangci-lint run flags...]
set -euo pipefail
cd "$(dirname "$0")/.."

version=v2.15.0
bin="$PWD/.bin/golangci-lint-$version"
if [ ! -x "$bin" ]; then
	echo "lint.sh: installing golangci-lint $version (once)" >&2
	tmp="$(mktemp -d)"
	GOBIN="$tmp" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version"
	mkdir -p .bin
	mv "$tmp/golangci-lint" "$bin"
	rmdir "$tmp"
fi
# Another golangci-lint on the machine (another checkout, an editor) holds a
# file lock; wait for it rather than fail the gate.
exec "$bin" run --allow-serial-runners "$@" ./...
