package memory

import (
	"context"

	"pcnet/internal/pcnet"
)

// The memory store answers a batch of per-item analytics queries by
// answering each in turn: a call costs no round trip, so batching only
// saves the caller's per-call overhead.

var _ pcnet.BatchAnalytics = (*Store)(nil)

// PeersBatch implements pcnet.BatchAnalytics.
func (s *Store) PeersBatch(ctx context.Context, queries []pcnet.PeerQuery) ([][]pcnet.Peer, error) {
	return each(ctx, queries, s.Peers)
}

// TutorLinksBatch implements pcnet.BatchAnalytics.
func (s *Store) TutorLinksBatch(ctx context.Context, queries []pcnet.TutorLinkQuery) ([][]pcnet.TutorLink, error) {
	return each(ctx, queries, s.TutorLinks)
}

// NearestProvidersBatch implements pcnet.BatchAnalytics.
func (s *Store) NearestProvidersBatch(ctx context.Context, queries []pcnet.NearestQuery) ([][]pcnet.ProviderDistance, error) {
	return each(ctx, queries, s.NearestProviders)
}

func each[Q, R any](ctx context.Context, queries []Q, answer func(context.Context, Q) ([]R, error)) ([][]R, error) {
	out := make([][]R, len(queries))
	for i, q := range queries {
		rows, err := answer(ctx, q)
		if err != nil {
			return nil, err
		}
		out[i] = rows
	}
	return out, nil
}
