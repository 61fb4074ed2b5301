package graph

import (
	"context"
	"time"

	"pcnet/graph/model"
	"pcnet/internal/pcnet"
)

// The per-item analytics fields (Province.peers, tutoredTransitive and
// tutorChain, Comune.nearestProviders) are asked once per item of a list:
// their loaders send a level's queries to the store together, one round
// trip when the store implements pcnet.BatchAnalytics (both stores do),
// else one call per query inside the batch.

func (l *Loaders) newAnalyticsLoaders(store Backend, wait time.Duration) {
	batch, _ := store.(pcnet.BatchAnalytics)
	l.peers = newLoader(l.tracker, wait, func(ctx context.Context, qs []pcnet.PeerQuery) ([][]pcnet.Peer, []error) {
		if batch != nil {
			return answers(batch.PeersBatch(ctx, qs))
		}
		return eachQuery(ctx, qs, store.Peers)
	})
	l.tutorLinks = newLoader(l.tracker, wait, func(ctx context.Context, qs []pcnet.TutorLinkQuery) ([][]pcnet.TutorLink, []error) {
		if batch != nil {
			return answers(batch.TutorLinksBatch(ctx, qs))
		}
		return eachQuery(ctx, qs, store.TutorLinks)
	})
	l.nearest = newLoader(l.tracker, wait, func(ctx context.Context, qs []pcnet.NearestQuery) ([][]pcnet.ProviderDistance, []error) {
		if batch != nil {
			return answers(batch.NearestProvidersBatch(ctx, qs))
		}
		return eachQuery(ctx, qs, store.NearestProviders)
	})
}

// answers adapts a batch method's results to a loader fetch's.
func answers[R any](rows [][]R, err error) ([][]R, []error) {
	if err != nil {
		return nil, []error{err}
	}
	return rows, nil
}

// eachQuery answers a batch one query at a time, for stores without
// pcnet.BatchAnalytics: a store call per item, but still a single wait for
// the level. Each query's error stays its own.
func eachQuery[Q, R any](ctx context.Context, qs []Q, one func(context.Context, Q) ([]R, error)) ([][]R, []error) {
	out := make([][]R, len(qs))
	errs := make([]error, len(qs))
	for i, q := range qs {
		out[i], errs[i] = one(ctx, q)
	}
	return out, errs
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
