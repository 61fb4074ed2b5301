// Package app opens what `pcnet serve` runs on: the configured store (the
// embedded one or Neo4j, and a Neo4j that is down at start), and the
// operational machinery beside the HTTP server (metrics, tracing, the
// watch over the store's availability). cmd/pcnet parses flags and the
// environment into these settings and wires the pieces together.
package app

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"

	"pcnet/graph"
	"pcnet/internal/dataset"
	"pcnet/internal/memory"
	"pcnet/internal/neo4j"
	"pcnet/internal/pcnet"
)

// Store kinds `pcnet serve` can read from.
const (
	StoreAuto   = "auto"   // Neo4j when a URI is configured, else the embedded store
	StoreMemory = "memory" // the embedded store, built from the dataset compiled into the binary
	StoreNeo4j  = "neo4j"  // the system of record
)

// StoreConfig says which store to open and how. A new backend adds its
// settings here and a case in OpenStore (and its flags in cmd/pcnet).
type StoreConfig struct {
	Kind string
	// Neo4j is the connection to use when Kind picks Neo4j; its
	// MaxRetryTime bounds the driver's retries (zero: the driver's default).
	Neo4j neo4j.Config
	// DataDir is where the embedded store keeps its writes; "" means
	// memory.DefaultDataDir(). Ephemeral keeps them in memory only.
	DataDir   string
	Ephemeral bool
}

// OpenStore opens the configured store and logs what it holds. The
// returned function releases it. The store serves both the network and its
// analytics (graph.Backend).
func OpenStore(ctx context.Context, c StoreConfig, log *slog.Logger) (graph.Backend, func() error, error) {
	switch {
	case c.Kind == StoreNeo4j || (c.Kind == StoreAuto && c.Neo4j.URI != ""):
		if c.Neo4j.URI == "" {
			return nil, nil, fmt.Errorf("--store neo4j needs a Neo4j URI: set NEO4J_URI or --neo4j-uri")
		}
		return openNeo4jStore(ctx, c.Neo4j, log)
	case c.Kind == StoreAuto || c.Kind == StoreMemory:
		return openMemoryStore(ctx, c, log)
	default:
		return nil, nil, fmt.Errorf("--store: unknown store %q: want %s, %s or %s", c.Kind, StoreAuto, StoreMemory, StoreNeo4j)
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
	log.InfoContext(ctx, "store", "kind", StoreNeo4j, "uri", neo4j.RedactURI(cfg.URI),
		"database", cmp.Or(cfg.Database, "(default)"), "migrations", len(steps), "migrations_created", created)
	return store, closeStore, nil
}

// openMemoryStore opens the embedded store: durable in the data directory
// (seeded on first start from the dataset compiled into the binary, the
// ISTAT geography and the illustrative network), or, with Ephemeral,
// built from that dataset in memory only.
func openMemoryStore(ctx context.Context, c StoreConfig, log *slog.Logger) (graph.Backend, func() error, error) {
	ds, report, err := dataset.Dataset()
	if err != nil {
		return nil, nil, err
	}
	var store *memory.Store
	where := []any{"ephemeral", true}
	if c.Ephemeral {
		store, err = memory.New(ds)
	} else {
		dir := cmp.Or(c.DataDir, memory.DefaultDataDir())
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
	log.InfoContext(ctx, "store", append([]any{"kind", StoreMemory,
		"regions", len(ds.Regions), "provinces", len(ds.Provinces), "comuni", len(ds.Comuni),
		"services", len(services), "coverages", coverages[0].Total, "tutorships", len(tutorships),
		"project_works", len(works), "network", "illustrative"}, where...)...)
	log.InfoContext(ctx, "coordinates",
		"rows", report.Rows, "placed", report.Matched, "missing", len(report.Missing),
		"invalid_rows", len(report.Invalid), "duplicated_codes", len(report.Duplicates),
		"unknown_codes", len(report.Unknown))
	return store, store.Close, nil
}
