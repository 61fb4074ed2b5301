package graph

import (
	"context"
	"fmt"
	"time"

	"pcnet/graph/model"
	"pcnet/internal/pcnet"
)

// The per-item analytics fields (Province.peers, tutoredTransitive and
// tutorChain, Comune.nearestProviders) are asked once per item of a list:
// their loaders send a level's queries to the store in one batch call of
// pcnet.Analytics.

func (l *Loaders) newAnalyticsLoaders(store Backend, wait time.Duration) {
	l.peers = newLoader(l.tracker, wait, batchOf("peer", store.Peers))
	l.tutorLinks = newLoader(l.tracker, wait, batchOf("tutor link", store.TutorLinks))
	l.nearest = newLoader(l.tracker, wait, batchOf("nearest providers", store.NearestProviders))
}

// batchOf adapts a batch store method to a loader's fetch: one error
// fails the level, and a store that answers a different number of queries
// than it was asked is an error, not a misattributed answer.
func batchOf[Q, R any](what string, batch func(context.Context, []Q) ([]R, error)) func(context.Context, []Q) ([]R, []error) {
	return func(ctx context.Context, qs []Q) ([]R, []error) {
		rows, err := batch(ctx, qs)
		if err != nil {
			return nil, []error{err}
		}
		if len(rows) != len(qs) {
			return nil, []error{fmt.Errorf("graph: store answered %d %s queries with %d results", len(qs), what, len(rows))}
		}
		return rows, nil
	}
}

// peers returns the peers of a Province through the request's peers loader.
func (r *Resolver) peers(ctx context.Context, province, sector string, activeOn *pcnet.Date) ([]model.Peer, error) {
	if err := r.checkSector(ctx, "sector", sector); err != nil {
		return nil, err
	}
	q := pcnet.PeerQuery{ProvinceCode: province, SectorCode: sector}
	if activeOn != nil {
		q.ActiveOn = *activeOn
	}
	return loadValid(ctx, loadersFrom(ctx).peers, q, pcnet.ValidatePeerQuery, func(p pcnet.Peer) model.Peer {
		return model.Peer{ProvinceCode: p.ProvinceCode, TutorCode: p.TutorCode, SectorCode: sector}
	})
}

// nearestProviders returns the providers nearest to a Comune through the
// request's loader.
func (r *Resolver) nearestProviders(ctx context.Context, comune string, sector, area *string, limit *int) ([]model.ProviderDistance, error) {
	sectorCode, areaCode, err := r.sectorOrArea(ctx, sector, area)
	if err != nil {
		return nil, err
	}
	q := pcnet.NearestQuery{ComuneCode: comune, SectorCode: sectorCode, AreaCode: areaCode, Limit: 5}
	if limit != nil {
		q.Limit = *limit
	}
	return loadValid(ctx, loadersFrom(ctx).nearest, q, pcnet.ValidateNearestQuery, func(p pcnet.ProviderDistance) model.ProviderDistance {
		return model.ProviderDistance{ProviderDistance: p}
	})
}

// loadValid validates a per-item query, loads its answer through the
// request's loader l and converts each row to its GraphQL model: never
// nil, so an empty answer is an empty list.
func loadValid[Q comparable, R, M any](ctx context.Context, l *loader[Q, []R], q Q, validate func(Q) error, toModel func(R) M) ([]M, error) {
	if err := validate(q); err != nil {
		return nil, err
	}
	rows, err := l.Load(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]M, len(rows))
	for i, r := range rows {
		out[i] = toModel(r)
	}
	return out, nil
}
