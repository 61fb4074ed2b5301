#!/usr/bin/env bash
# Runs the whole test suite, from what a fresh machine has (Go, Java 17,
# Maven, Node.js/npm, apt):
#   1. installs Debian's Chromium for the browser tests if it is missing;
#   2. starts a real local Neo4j 5.26 (built from Maven Central by
#      scripts/neo4j.sh) on a port and state folder of its own;
#   3. golangci-lint (scripts/lint.sh, zero findings), go vet, then every Go
#      test against it and against the embedded store (browser tests in
#      headless Chromium included);
#   4. the Node tests of web/ (graphql-js, urql) against a real pcnet server;
# and stops Neo4j whatever the outcome.
#
# Fuzz targets run here only on their seed corpora (f.Add and testdata/fuzz),
# as ordinary tests inside `go test`: deterministic. Open-ended fuzzing is
# `make fuzz` (scripts/fuzz.sh): the fuzzing coordinator stalls when other work
# shares the cores ("context deadline exceeded" with 0 execs/s), and a gate
# must not fail because the machine is busy.
set -euo pipefail
cd "$(dirname "$0")/.."

started=0
cleanup() {
	if [ "$started" = 1 ]; then scripts/neo4j.sh stop || true; fi
}
trap cleanup EXIT

# A test server of our own on a port of its own, so a developer's Neo4j on
# 7687 is never touched by the tests.
export PCNET_NEO4J_PORT="${PCNET_NEO4J_PORT:-7697}"
export PCNET_NEO4J_STATE="${PCNET_NEO4J_STATE:-$PWD/.neo4j/test}"
export NEO4J_PASSWORD="${NEO4J_PASSWORD:-pcnet-test-password}"
# CI machines can be slow to start the JVM; a generous timeout costs nothing when start-up succeeds.
export PCNET_NEO4J_START_TIMEOUT="${PCNET_NEO4J_START_TIMEOUT:-240}"
# Screenshots of the browser tests land here.
export PCNET_ARTIFACTS="${PCNET_ARTIFACTS:-$PWD/.ci-artifacts/screenshots}"
mkdir -p "$PCNET_ARTIFACTS"

echo "== browser"
scripts/install-browser.sh

echo "== neo4j"
scripts/neo4j.sh start
started=1
eval "$(scripts/neo4j.sh env)"
# Tests find the server through NEO4J_TEST_*; the plain NEO4J_* variables
# are unset so that code under test which reads them (pcnet serve picks
# Neo4j when NEO4J_URI is set) behaves as on a developer's machine.
export NEO4J_TEST_URI="$NEO4J_URI" NEO4J_TEST_USERNAME="$NEO4J_USERNAME" NEO4J_TEST_PASSWORD="$NEO4J_PASSWORD"
unset NEO4J_URI NEO4J_USERNAME NEO4J_PASSWORD NEO4J_DATABASE

echo "== lint"
# golangci-lint at zero findings; a fresh machine builds the pinned version
# once through the module proxy (a few minutes on 2 cores), then it is cached in .bin/.
scripts/lint.sh

echo "== go vet"
go vet ./...

echo "== go test (Neo4j at $NEO4J_TEST_URI)"
# -p 1: the packages that use Neo4j share its one database. Tests inside
# a package still run in parallel where they say so.
go test -count=1 -p 1 -timeout 40m ./...

echo "== web (Node clients)"
scripts/test-web.sh
