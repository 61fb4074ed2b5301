# pcnet: the two commands a newcomer needs are `go run ./cmd/pcnet serve`
# and `make test`. Everything else here is a convenience.

.PHONY: test test-go fuzz lint serve build generate neo4j-start neo4j-stop vet

# test starts a real local Neo4j (scripts/neo4j.sh), runs every test against
# it and the embedded store, and stops it again, even when tests fail.
test:
	scripts/test.sh

# test-go runs the Go tests against an already running Neo4j (see scripts/neo4j.sh env).
test-go:
	go test -count=1 ./...

# fuzz runs every Go fuzz target open-ended for FUZZTIME each (default 10s).
# Not part of `make test`: the seed corpora already run there as plain tests,
# and the fuzzing coordinator's own timeouts depend on a machine that is not busy.
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

# lint runs golangci-lint (pinned, installed by scripts/lint.sh) with .golangci.yml.
# Not yet part of `make test`: the count is not zero.
lint:
	scripts/lint.sh

vet:
	go vet ./...

serve:
	go run ./cmd/pcnet serve

build:
	go build -o bin/pcnet ./cmd/pcnet

# generate regenerates the gqlgen code from schema.graphqls and the shipped
# illustrative network from its generator.
generate:
	go generate ./...

neo4j-start:
	scripts/neo4j.sh start

neo4j-stop:
	scripts/neo4j.sh stop
