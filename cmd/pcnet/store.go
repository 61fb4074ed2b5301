package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"pcnet/graph"
	"pcnet/internal/dataset"
	"pcnet/internal/memory"
	"pcnet/internal/neo4j"
	"pcnet/internal/pcnet"
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
	// neo4jMaxRetryTime bounds the driver's retries (serve sets it; see
	// storeRetryTime); zero is the driver's default.
	neo4jMaxRetryTime time.Duration
	// dataDir is where the embedded store keeps its writes; "" means
	// memory.DefaultDataDir(). ephemeral keeps them in memory only.
	dataDir   string
	ephemeral bool
}

// register adds the store flags to fs. Add the environment variable of a
// new flag to serveEnv.
func (c *storeConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.kind, "store", storeAuto,
		"store to read from: `kind` auto, memory or neo4j (env PCNET_STORE); auto picks Neo4j when a Neo4j URI is set, else the embedded store")
	c.neo4j = registerNeo4jFlags(fs, os.Getenv)
	fs.StringVar(&c.dataDir, "data-dir", "",
		"`directory` where the embedded store keeps the network and its writes, durably (env PCNET_DATA_DIR);\n"+
			"default "+cmp.Or(memory.DefaultDataDir(), "$XDG_DATA_HOME/pcnet or ~/.local/share/pcnet")+". Seeded from the shipped network on first start")
	fs.BoolVar(&c.ephemeral, "ephemeral", false,
		"run the embedded store from the shipped network in memory only: writes are lost on exit (env PCNET_EPHEMERAL)")
}

// openStore opens the configured store and logs what it holds. The
// returned function releases it. The store serves both the network and its
// analytics (graph.Backend).
func openStore(ctx context.Context, c storeConfig, log *slog.Logger) (graph.Backend, func() error, error) {
	var neo4jConfig neo4j.Config
	if c.neo4j != nil {
		neo4jConfig = c.neo4j.config()
		neo4jConfig.MaxRetryTime = c.neo4jMaxRetryTime
	}
	switch {
	case c.kind == storeNeo4j || (c.kind == storeAuto && neo4jConfig.URI != ""):
		if neo4jConfig.URI == "" {
			return nil, nil, fmt.Errorf("--store neo4j needs a Neo4j URI: set NEO4J_URI or --neo4j-uri")
		}
		return openNeo4jStore(ctx, neo4jConfig, log)
	case c.kind == storeAuto || c.kind == storeMemory:
		return openMemoryStore(ctx, c, log)
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
		_ = closeStore() // the migration error is the one worth reporting
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

// openMemoryStore opens the embedded store: durable in the data directory
// (seeded on first start from the dataset compiled into the binary, the
// ISTAT geography and the illustrative network), or, with --ephemeral,
// built from that dataset in memory only.
func openMemoryStore(ctx context.Context, c storeConfig, log *slog.Logger) (graph.Backend, func() error, error) {
	ds, report, err := dataset.Dataset()
	if err != nil {
		return nil, nil, err
	}
	var store *memory.Store
	where := []any{"ephemeral", true}
	if c.ephemeral {
		store, err = memory.New(ds)
	} else {
		dir := cmp.Or(c.dataDir, memory.DefaultDataDir())
		if dir == "" {
			return nil, nil, fmt.Errorf("no data directory for the embedded store: set --data-dir (PCNET_DATA_DIR) or --ephemeral")
		}
		store, err = memory.Open(dir, ds)
		where = []any{"data_dir", dir}
	}
	if err != nil {
		return nil, nil, err
	}
	// The network may have grown since the seed: count what is stored.
	services, err := store.Services(ctx, pcnet.ServiceFilter{})
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	coverages, err := store.Coverages(ctx, []pcnet.CoverageQuery{{Page: pcnet.Page{CountOnly: true}}})
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	tutorships, err := store.Tutorships(ctx, pcnet.TutorshipFilter{})
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	works, err := store.ProjectWorks(ctx, pcnet.ProjectWorkFilter{})
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	log.InfoContext(ctx, "store", append([]any{"kind", storeMemory,
		"regions", len(ds.Regions), "provinces", len(ds.Provinces), "comuni", len(ds.Comuni),
		"services", len(services), "coverages", coverages[0].Total, "tutorships", len(tutorships),
		"project_works", len(works), "network", "illustrative"}, where...)...)
	log.InfoContext(ctx, "coordinates",
		"rows", report.Rows, "placed", report.Matched, "missing", len(report.Missing),
		"invalid_rows", len(report.Invalid), "duplicated_codes", len(report.Duplicates),
		"unknown_codes", len(report.Unknown))
	return store, store.Close, nil
}
