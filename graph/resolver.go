// Package graph is the GraphQL layer of pcnet: the gqlgen executable schema
// generated from ../schema.graphqls, thin resolvers that delegate to a
// pcnet.Store, and the per-request dataloaders that batch their reads.
package graph

import "pcnet/internal/pcnet"

// Resolver is the root resolver. It holds no per-request state: the
// dataloaders live in the request context (see WithLoaders).
type Resolver struct {
	Store pcnet.Store
	// Today returns the day that date arguments default to ("active today");
	// nil means pcnet.Today. Tests pin it.
	Today func() pcnet.Date
}
