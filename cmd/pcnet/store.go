package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"pcnet/graph"
	"pcnet/internal/dataset"
	"pcnet/internal/memory"
)

// Store kinds `pcnet serve` can read from.
const (
	storeAuto   = "auto"   // the best one configured: today always the embedded store
	storeMemory = "memory" // the embedded store, built from the dataset compiled into the binary
)

// storeConfig says which store to open and how. A new backend adds its
// settings here (registered in register, with env fallbacks) and a case in
// openStore.
type storeConfig struct {
	kind string
}

// register adds the store flags to fs. Add the environment variable of a
// new flag to serveEnv.
func (c *storeConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.kind, "store", storeAuto,
		"store to read from: `kind` auto or memory (env PCNET_STORE); auto picks the embedded store")
}

// openStore opens the configured store and logs what it holds. The
// returned function releases it. The store serves both the network and its
// analytics (graph.Backend).
func openStore(ctx context.Context, c storeConfig, log *slog.Logger) (graph.Backend, func() error, error) {
	switch c.kind {
	case storeAuto, storeMemory:
		return openMemoryStore(ctx, log)
	default:
		return nil, nil, fmt.Errorf("--store: unknown store %q: want %s or %s", c.kind, storeAuto, storeMemory)
	}
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
