#!/usr/bin/env bash
# dupcount.sh [REV]: counts the repeated same-shape blocks in hand-written
# non-test Go at REV (default HEAD), as issue 16 measures them: tests,
# generated code (a "Code generated ... DO NOT EDIT" header), web/ and
# tools/ are left out. Needs the `duplicates` command of the tool library;
# -v after REV lists the pairs. Not part of `make test`.
set -euo pipefail
rev=${1:-HEAD}
root=$(git rev-parse --show-toplevel)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
git -C "$root" archive "$rev" | tar -x -C "$d"
cd "$d"
find . -name '*_test.go' -delete
grep -rlE '^// Code generated .* DO NOT EDIT' --include='*.go' . | xargs -r rm -f
rm -rf web tools
find . -type f ! -name '*.go' -delete
if [ "${2:-}" = "-v" ]; then
	duplicates --repo "$d" --most 200 --seconds 120
else
	duplicates --repo "$d" --most 200 --seconds 120 | head -1
fi
