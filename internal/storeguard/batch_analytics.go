package storeguard

import (
	"context"

	"pcnet/internal/pcnet"
)

// The store decorator passes the optional pcnet.BatchAnalytics through, so
// the GraphQL layer's per-item analytics loaders (graph/analytics_batch.go)
// get one store call per query level. Over a store without it, a batch is
// answered one query at a time, each a decorated call of its own.

var _ pcnet.BatchAnalytics = (*storeDecorator)(nil)

// PeersBatch implements pcnet.BatchAnalytics.
func (d *storeDecorator) PeersBatch(ctx context.Context, qs []pcnet.PeerQuery) ([][]pcnet.Peer, error) {
	if b, ok := d.inner.(pcnet.BatchAnalytics); ok {
		return call(ctx, d, "PeersBatch", len(qs), func(ctx context.Context) ([][]pcnet.Peer, error) { return b.PeersBatch(ctx, qs) })
	}
	return oneByOne(ctx, qs, d.Peers)
}

// TutorLinksBatch implements pcnet.BatchAnalytics.
func (d *storeDecorator) TutorLinksBatch(ctx context.Context, qs []pcnet.TutorLinkQuery) ([][]pcnet.TutorLink, error) {
	if b, ok := d.inner.(pcnet.BatchAnalytics); ok {
		return call(ctx, d, "TutorLinksBatch", len(qs), func(ctx context.Context) ([][]pcnet.TutorLink, error) { return b.TutorLinksBatch(ctx, qs) })
	}
	return oneByOne(ctx, qs, d.TutorLinks)
}

// NearestProvidersBatch implements pcnet.BatchAnalytics.
func (d *storeDecorator) NearestProvidersBatch(ctx context.Context, qs []pcnet.NearestQuery) ([][]pcnet.ProviderDistance, error) {
	if b, ok := d.inner.(pcnet.BatchAnalytics); ok {
		return call(ctx, d, "NearestProvidersBatch", len(qs), func(ctx context.Context) ([][]pcnet.ProviderDistance, error) {
			return b.NearestProvidersBatch(ctx, qs)
		})
	}
	return oneByOne(ctx, qs, d.NearestProviders)
}

func oneByOne[Q, R any](ctx context.Context, qs []Q, one func(context.Context, Q) ([]R, error)) ([][]R, error) {
	out := make([][]R, len(qs))
	for i, q := range qs {
		rows, err := one(ctx, q)
		if err != nil {
			return nil, err
		}
		out[i] = rows
	}
	return out, nil
}
