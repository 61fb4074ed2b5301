package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"pcnet/graph"
	"pcnet/internal/dataset"
	"pcnet/internal/memory"
	"pcnet/internal/neo4j"
)

// Store kinds `pcnet serve` can read from.
const (
	storeAuto   = "auto"   // Neo4j when a URI is configured, else the embedded store
	storeMemory = "memory" // the embedded store, built from the dataset compiled into the binary
	storeNeo4j  = "neo4j"  // the system of record
)

// storeConfig says which store to open and how. A new backend adds its
// settings here (registered in register, with env fallbacks) and a case in
// openStore.
type storeConfig struct {
	kind  string
	neo4j *neo4jFlags
}

// register adds the store flags to fs. Add the environment variable of a
// new flag to serveEnv.
func (c *storeConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.kind, "store", storeAuto,
		"store to read from: `kind` auto, memory or neo4j (env PCNET_STORE); auto picks Neo4j when a Neo4j URI is set, else the embedded store")
	c.neo4j = registerNeo4jFlags(fs, os.Getenv)
}

// openStore opens the configured store and logs what it holds. The
// returned function releases it. The store serves both the network and its
// analytics (graph.Backend).
func openStore(ctx context.Context, c storeConfig, log *slog.Logger) (graph.Backend, func() error, error) {
	var neo4jConfig neo4j.Config
	if c.neo4j != nil {
		neo4jConfig = c.neo4j.config()
	}
	switch {
	case c.kind == storeNeo4j || (c.kind == storeAuto && neo4jConfig.URI != ""):
		if neo4jConfig.URI == "" {
			return nil, nil, fmt.Errorf("--store neo4j needs a Neo4j URI: set NEO4J_URI or --neo4j-uri")
		}
		return openNeo4jStore(ctx, neo4jConfig, log)
	case c.kind == storeAuto || c.kind == storeMemory:
		return openMemoryStore(ctx, log)
	default:
		return nil, nil, fmt.Errorf("--store: unknown store %q: want %s, %s or %s", c.kind, storeAuto, storeMemory, storeNeo4j)
	}
}

// openNeo4jStore connects to Neo4j, failing with a one-line message naming
// the URI when it can't, and applies the schema migrations, which are
// idempotent, so a fresh database is ready for queries and imports.
func openNeo4jStore(ctx context.Context, cfg neo4j.Config, log *slog.Logger) (graph.Backend, func() error, error) {
	store, err := neo4j.Open(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	closeStore := func() error { return store.Close(context.WithoutCancel(ctx)) }
	steps, err := store.Migrate(ctx)
	if err != nil {
		closeStore()
		return nil, nil, fmt.Errorf("applying Neo4j migrations: %w", err)
	}
	created := 0
	for _, s := range steps {
		if s.Created {
			created++
		}
	}
	log.InfoContext(ctx, "store", "kind", storeNeo4j, "uri", neo4j.RedactURI(cfg.URI),
		"database", cmp.Or(cfg.Database, "(default)"), "migrations", len(steps), "migrations_created", created)
	return store, closeStore, nil
}

// openMemoryStore builds the embedded store from the dataset compiled into
// the binary: the ISTAT geography and the illustrative network.
func openMemoryStore(ctx context.Context, log *slog.Logger) (graph.Backend, func() error, error) {
	ds, report, err := dataset.Dataset()
	if err != nil {
		return nil, nil, err
	}
	store, err := memory.New(ds)
	if err != nil {
		return nil, nil, err
	}
	log.InfoContext(ctx, "store", "kind", storeMemory,
		"regions", len(ds.Regions), "provinces", len(ds.Provinces), "comuni", len(ds.Comuni),
		"services", len(ds.Services), "coverages", len(ds.Coverages), "tutorships", len(ds.Tutorships),
		"project_works", len(ds.ProjectWorks), "network", "illustrative")
	log.InfoContext(ctx, "coordinates",
		"rows", report.Rows, "placed", report.Matched, "missing", len(report.Missing),
		"invalid_rows", len(report.Invalid), "duplicated_codes", len(report.Duplicates),
		"unknown_codes", len(report.Unknown))
	return store, func() error { return nil }, nil
}
