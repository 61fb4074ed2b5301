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
	if err := pcnet.ValidatePeerQuery(q); err != nil {
		return nil, err
	}
	peers, err := loadersFrom(ctx).peers.Load(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]model.Peer, len(peers))
	for i, p := range peers {
		out[i] = model.Peer{ProvinceCode: p.ProvinceCode, TutorCode: p.TutorCode, SectorCode: sector}
	}
	return out, nil
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
	if err := pcnet.ValidateNearestQuery(q); err != nil {
		return nil, err
	}
	found, err := loadersFrom(ctx).nearest.Load(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]model.ProviderDistance, len(found))
	for i, p := range found {
		out[i] = model.ProviderDistance{ProviderDistance: p}
	}
	return out, nil
}
