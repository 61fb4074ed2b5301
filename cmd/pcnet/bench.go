package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"pcnet/internal/bench"
	"pcnet/internal/dataset"
)

// runBench drives a running server with the load benchmark (internal/bench)
// and prints its report; docs/performance.md explains the mix and the
// numbers.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", benchUsage, "", stderr)
	url := fs.String("url", "http://127.0.0.1:8080/graphql", "GraphQL `endpoint` of the running server; loopback only")
	clients := fs.Int("clients", 8, fmt.Sprintf("concurrent clients, each with one request in flight (1..%d)", bench.MaxClients))
	duration := fs.Duration("duration", 20*time.Second, fmt.Sprintf("measured time of each phase (at most %s)", bench.MaxDuration))
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured time before each phase")
	mix := fs.String("mix", bench.DefaultMix, "operations and their weights, name=weight,...; operations: "+strings.Join(bench.OperationNames(), ", "))
	seed := fs.Uint64("seed", 1, "seed of the clients' choices of operations and arguments")
	noBaseline := fs.Bool("no-baseline", false, "skip the baseline phase even when a Neo4j is configured")
	baselineOnly := fs.Bool("baseline-only", false, "run only the baseline phase (needs a Neo4j; --url is not used), e.g. to measure the CPU of the processes serving it")
	neo := registerNeo4jFlags(fs, os.Getenv)
	if err := parseFlags(fs, args); err != nil {
		return helpIsSuccess(err)
	}
	weights, err := bench.ParseMix(*mix)
	if err != nil {
		return fmt.Errorf("bench: --%w", err)
	}
	ds, _, err := dataset.Dataset()
	if err != nil {
		return err
	}
	data, err := bench.NewData(ds)
	if err != nil {
		return err
	}
	cfg := bench.Config{
		URL: *url, Clients: *clients, Duration: *duration, Warmup: *warmup,
		Mix: weights, Data: data, Seed: *seed, Progress: stderr,
	}
	if *noBaseline && *baselineOnly {
		return errors.New("bench: --no-baseline and --baseline-only exclude each other")
	}
	if nc := neo.config(); nc.URI != "" && !*noBaseline {
		cfg.Neo4j = bench.Neo4jTarget{URI: nc.URI, Username: nc.Username, Password: nc.Password, Database: nc.Database}
	}
	cfg.BaselineOnly = *baselineOnly
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	rep.Print(stdout)
	return nil
}

// benchUsage begins `pcnet bench --help`.
const benchUsage = `Usage: pcnet bench [flags]

Drives a running pcnet server (pcnet serve) with concurrent clients over a
fixed mix of operations for a fixed time, and prints throughput, latency
quantiles, errors and, when the server runs with --debug-stats, the store
calls of each request. With a Neo4j (--neo4j-uri or NEO4J_URI), it then runs
the same mix as hand-written Cypher through the Neo4j driver: the baseline.
Targets must be on loopback.

Flags:
`
