package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"pcnet/graph"
	"pcnet/internal/neo4j"
	"pcnet/internal/storeguard"
)

// StoreRetryTime bounds the Neo4j driver's retries of a query on transient
// errors: past it, the query fails as "unavailable" and the server stops
// sending queries until the store answers a probe, instead of letting
// every request wait out the driver's default of 30 s.
const StoreRetryTime = 5 * time.Second

// StoreHealth is what serve knows of its store's health at start-up.
type StoreHealth struct {
	Availability storeguard.AvailabilityOptions
	PoolSize     int // 0 when the store has no connection pool
}

// OpenServeStore opens the store for serve. Unlike the other commands,
// serve starts even when Neo4j is unreachable: it answers "unavailable"
// and /readyz fails until Neo4j is up, then applies the migrations and
// serves. A refused password, an unknown database or a malformed URI are
// configuration errors, and still stop it at once.
func OpenServeStore(ctx context.Context, c StoreConfig, log *slog.Logger) (graph.Backend, func() error, StoreHealth, error) {
	c.Neo4j.MaxRetryTime = StoreRetryTime
	health := StoreHealth{PoolSize: c.Neo4j.PoolSize()}
	store, closeStore, err := OpenStore(ctx, c, log)
	if err == nil {
		if _, isNeo4j := store.(*neo4j.Store); !isNeo4j {
			health.PoolSize = 0
		}
		return store, closeStore, health, nil
	}
	if !errors.Is(err, neo4j.ErrUnreachable) {
		return nil, nil, health, err
	}
	dialed, dialErr := neo4j.Dial(c.Neo4j)
	if dialErr != nil {
		return nil, nil, health, err
	}
	log.WarnContext(ctx, "starting without the store: requests fail with code unavailable, and /readyz with 503, until it answers",
		"err", err.Error())
	health.Availability = storeguard.AvailabilityOptions{
		StartDown: true,
		Setup: func(ctx context.Context) error {
			steps, err := dialed.Migrate(ctx)
			if err != nil {
				return fmt.Errorf("applying Neo4j migrations: %w", err)
			}
			log.InfoContext(ctx, "store reachable: migrations applied", "uri", neo4j.RedactURI(c.Neo4j.URI), "migrations", len(steps))
			return nil
		},
	}
	return dialed, func() error { return dialed.Close(context.WithoutCancel(ctx)) }, health, nil
}
