#!/usr/bin/env bash
# Runs every Go fuzz target of the module for a short, bounded time each.
#
# Usage: scripts/fuzz.sh [fuzztime]     (default: $PCNET_FUZZTIME, else 10s)
#
# The targets are found, not listed: every `func FuzzXxx(f *testing.F)` in a
# _test.go file. `go test -fuzz` runs one target at a time, so each gets its
# own run: `go test -run '^$' -fuzz '^FuzzXxx$' -fuzztime 10s ./pkg`. Seeds
# come from each package's testdata/fuzz/FuzzXxx and its f.Add calls; a
# failing input is written there by go test, ready to commit as a
# regression seed. Exits non-zero when any target fails.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime="${1:-${PCNET_FUZZTIME:-10s}}"
failed=()
count=0
start=$SECONDS

# file:line:func FuzzName(f *testing.F) → "dir name"
while read -r dir name; do
	count=$((count + 1))
	echo "== $name ($dir, $fuzztime)"
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "./$dir"; then
		failed+=("$dir $name")
	fi
done < <(grep -rE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . |
	sed -E 's|^\./(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\(.*|\1 \2|' | sort -u)

if ((count == 0)); then
	echo "fuzz.sh: no fuzz targets found" >&2
	exit 1
fi
echo "fuzz.sh: $count targets in $((SECONDS - start)) s"
if ((${#failed[@]} > 0)); then
	printf 'fuzz.sh: FAILED: %s\n' "${failed[@]}" >&2
	exit 1
fi
