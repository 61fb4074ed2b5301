// Package neo4jtest connects tests to the Neo4j test server and gives them a
// fresh database state.
//
// The server's settings come from the environment: NEO4J_TEST_URI (or
// NEO4J_URI), NEO4J_TEST_USERNAME (or NEO4J_USERNAME, default "neo4j"),
// NEO4J_TEST_PASSWORD (or NEO4J_PASSWORD) and NEO4J_TEST_DATABASE (or
// NEO4J_DATABASE, default: the server's default database). `make test`
// (scripts/test.sh) starts a server and sets them.
//
// Without a URI the tests skip, except under CI=true, where a missing
// server is a failure: CI must never pass by skipping.
//
// Tests delete everything in that database. To protect a developer's own
// data, Reset refuses to clear a database holding nodes that aren't
// pcnet's.
package neo4jtest

import (
	"context"
	"os"
	"testing"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"pcnet/internal/neo4j"
	"pcnet/internal/pcnet"
)

// SkipMessage is the message of tests skipped for want of a server.
const SkipMessage = "Neo4j tests need a running server: run `make test`, which starts one (or set NEO4J_TEST_URI, NEO4J_TEST_PASSWORD)"

// Config returns the test server's settings, or skips t (fails it under
// CI=true) when none are set.
func Config(t testing.TB) neo4j.Config {
	t.Helper()
	cfg := neo4j.Config{
		URI:      env("NEO4J_TEST_URI", "NEO4J_URI"),
		Username: env("NEO4J_TEST_USERNAME", "NEO4J_USERNAME"),
		Password: env("NEO4J_TEST_PASSWORD", "NEO4J_PASSWORD"),
		Database: env("NEO4J_TEST_DATABASE", "NEO4J_DATABASE"),
	}
	if cfg.Username == "" {
		cfg.Username = "neo4j"
	}
	if cfg.URI == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no Neo4j server is configured: " + SkipMessage)
		}
		t.Skip(SkipMessage)
	}
	return cfg
}

func env(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// Open connects to the test server (see Config) and closes the store when
// the test ends. A configured server that can't be reached fails the test.
func Open(t testing.TB) *neo4j.Store {
	t.Helper()
	cfg := Config(t)
	ctx := context.Background()
	s, err := neo4j.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// Load opens the test store, deletes everything in it and imports ds.
// It then deletes the import's audit entry and counter, so the store starts
// with an empty audit trail, like an embedded store made from ds
// (memory.New): the suites number a store's writes from 1.
func Load(t testing.TB, ds pcnet.Dataset) *neo4j.Store {
	t.Helper()
	s := Open(t)
	Reset(t)
	if _, err := s.Import(context.Background(), ds, nil); err != nil {
		t.Fatalf("importing the test dataset: %v", err)
	}
	run(t, "MATCH (n) WHERE n:Change OR n:AuditCounter DETACH DELETE n")
	return s
}

// run runs one auto-commit query on the test server.
func run(t testing.TB, query string) {
	t.Helper()
	cfg := Config(t)
	ctx := context.Background()
	driver, err := neo4jdrv.NewDriverWithContext(cfg.URI, neo4jdrv.BasicAuth(cfg.Username, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(ctx)
	if _, err := neo4jdrv.ExecuteQuery(ctx, driver, query, nil, neo4jdrv.EagerResultTransformer,
		neo4jdrv.ExecuteQueryWithDatabase(cfg.Database)); err != nil {
		t.Fatalf("neo4jtest: %s: %v", query, err)
	}
}

// pcnetLabels are the labels of the graph model (MODEL.md), the audit
// trail's included.
var pcnetLabels = []any{"Region", "Province", "Comune", "Sector", "Area", "SharedService", "ProjectWork", "Change", "AuditCounter", "IdempotencyKey",
	"Participation", "PathStep", "ProjectWorkSection", "RolloutTarget", "Material", "Pilot", // the programme: ../programme.go
	"ParticipationException"} // ../write_participation.go

// Reset deletes every node and relationship of the test database
// (constraints and indexes stay). It refuses, failing t, when the database
// holds nodes with labels foreign to pcnet: that is someone's data, not a
// test's.
func Reset(t testing.TB) {
	t.Helper()
	cfg := Config(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	driver, err := neo4jdrv.NewDriverWithContext(cfg.URI, neo4jdrv.BasicAuth(cfg.Username, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(ctx)
	res, err := neo4jdrv.ExecuteQuery(ctx, driver, `
		MATCH (n) WHERE NOT any(l IN labels(n) WHERE l IN $labels)
		RETURN count(n) AS foreign`,
		map[string]any{"labels": pcnetLabels}, neo4jdrv.EagerResultTransformer,
		neo4jdrv.ExecuteQueryWithDatabase(cfg.Database))
	if err != nil {
		t.Fatalf("neo4jtest: %v", err)
	}
	if n, _ := res.Records[0].Values[0].(int64); n > 0 {
		t.Fatalf("neo4jtest: refusing to clear the database at %s: it holds %d nodes that aren't pcnet's; point NEO4J_TEST_URI at a test server", cfg.URI, n)
	}
	// CALL { } IN TRANSACTIONS needs an auto-commit transaction: session.Run.
	sess := driver.NewSession(ctx, neo4jdrv.SessionConfig{DatabaseName: cfg.Database})
	defer sess.Close(ctx)
	r, err := sess.Run(ctx, "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS", nil)
	if err == nil {
		_, err = r.Consume(ctx)
	}
	if err != nil {
		t.Fatalf("neo4jtest: clearing the database: %v", err)
	}
}
