package pcnet

import "context"

// BatchAnalytics answers many per-item analytics queries in one round trip.
// The GraphQL layer asks these once per item of a list (the peers of every
// Province of a region, the nearest providers of every Comune of a page), so
// a store that implements it answers a whole level of a query with one call
// instead of one call per item. Result i answers queries[i], exactly as the
// one-query method of Analytics would.
//
// It is optional: a store without it is asked one query at a time.
type BatchAnalytics interface {
	PeersBatch(ctx context.Context, queries []PeerQuery) ([][]Peer, error)
	TutorLinksBatch(ctx context.Context, queries []TutorLinkQuery) ([][]TutorLink, error)
	NearestProvidersBatch(ctx context.Context, queries []NearestQuery) ([][]ProviderDistance, error)
}
