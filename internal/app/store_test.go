package app

import (
	"log/slog"
	"strings"
	"testing"

	"pcnet/internal/neo4j"
)

// OpenStore picks the store by kind: auto means Neo4j exactly when a URI is
// set, and bad settings fail with a message naming what to fix, never the
// password. (Opening each store for real is covered by cmd/pcnet's serve
// tests and the stores' own suites.)
func TestOpenStoreErrors(t *testing.T) {
	unreachable := neo4j.Config{URI: "bolt://127.0.0.1:1", Username: "reader", Password: "secret-password"}
	tests := []struct {
		name    string
		cfg     StoreConfig
		wantErr string
	}{
		// Nothing listens on port 1: opening fails with the one-line
		// connection error, not with the embedded store.
		{"auto with a URI is Neo4j", StoreConfig{Kind: StoreAuto, Neo4j: unreachable}, "cannot connect to Neo4j at bolt://127.0.0.1:1"},
		{"neo4j with a URI", StoreConfig{Kind: StoreNeo4j, Neo4j: unreachable}, "cannot connect to Neo4j at bolt://127.0.0.1:1"},
		{"neo4j without a URI", StoreConfig{Kind: StoreNeo4j}, "NEO4J_URI"},
		{"unknown kind", StoreConfig{Kind: "postgres"}, `unknown store "postgres"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, _, err := OpenStore(t.Context(), tt.cfg, slog.New(slog.DiscardHandler))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "secret-password") {
				t.Errorf("err = %v (store %v), want one containing %q and not the password", err, store, tt.wantErr)
			}
		})
	}
}

// With Neo4j unreachable at start, serve's store starts down, with a
// setup step that migrates once Neo4j answers; other failures stop it.
func TestOpenServeStoreStartsDownWhenUnreachable(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	store, closeStore, health, err := OpenServeStore(t.Context(), StoreConfig{Kind: StoreNeo4j, Neo4j: neo4j.Config{URI: "bolt://127.0.0.1:1", Username: "neo4j"}}, log)
	if err != nil {
		t.Fatalf("unreachable Neo4j: err = %v, want a store that starts down", err)
	}
	defer func() { _ = closeStore() }() // the store never opened a connection: nothing to report
	if _, ok := store.(*neo4j.Store); !ok {
		t.Errorf("store = %T, want *neo4j.Store", store)
	}
	if !health.Availability.StartDown || health.Availability.Setup == nil {
		t.Errorf("availability = %+v, want StartDown with a Setup step", health.Availability)
	}
	if health.PoolSize <= 0 {
		t.Errorf("pool size = %d, want the driver's pool size", health.PoolSize)
	}

	if _, _, _, err := OpenServeStore(t.Context(), StoreConfig{Kind: StoreNeo4j}, log); err == nil || !strings.Contains(err.Error(), "NEO4J_URI") {
		t.Errorf("no URI: err = %v, want the configuration error", err)
	}
}
