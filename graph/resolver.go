// Package graph is the GraphQL layer of pcnet: the gqlgen executable schema
// generated from ../schema.graphqls, thin resolvers that delegate to a
// Backend (a pcnet.Store that is also a pcnet.Analytics), and the
// per-request dataloaders that batch their reads.
package graph

import (
	"pcnet/internal/events"
	"time"

	"pcnet/internal/pcnet"
)

// Backend is what the GraphQL layer reads from: the network (pcnet.Store)
// and the analytics computed over it (pcnet.Analytics). Both stores
// (internal/memory, internal/neo4j) implement both.
type Backend interface {
	pcnet.Store
	pcnet.Analytics
	pcnet.ProgrammeStore // how the programme is run (programme.go)
}

// Resolver is the root resolver. It holds no per-request state: the
// dataloaders live in the request context (see WithLoaders).
type Resolver struct {
	Store Backend
	// Today returns the day that date arguments default to ("active today");
	// nil means pcnet.Today. Tests pin it.
	Today func() pcnet.Date
	// Writer records the mutations, usually the same store as Store; nil
	// means the store is read-only and every mutation fails.
	Writer pcnet.Writer
	// Events fans coverage changes out to this process's subscriptions;
	// nil means no live updates (coverageChanged fails).
	Events *CoverageBroker
	// Feed reads the Writer's audit trail and publishes what it finds to
	// Events (see NewFeed); nil means no live updates.
	Feed *events.Poller
	// Now stamps events; nil means time.Now.
	Now func() time.Time
}
