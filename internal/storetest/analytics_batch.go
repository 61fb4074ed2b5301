package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"pcnet/internal/pcnet"
)

// BatchAnalyticsStore is a store with the optional batch analytics.
type BatchAnalyticsStore = interface {
	pcnet.Analytics
	pcnet.BatchAnalytics
}

// RunBatchAnalytics checks that s answers batches of per-item analytics
// queries exactly as it answers each query alone, on the dataset ds it
// holds: the peers of every Province in every sector (with and without a
// date), the tutor walks from every Province in both directions, and the
// nearest providers of a spread of Comuni, including unknown codes and
// answers that are empty. Each batch mixes queries the way a GraphQL level
// does (every parent of a list, some arguments shared, some not).
func RunBatchAnalytics(t *testing.T, s BatchAnalyticsStore, ds pcnet.Dataset) {
	ctx := context.Background()
	var sectors []string
	for _, sec := range ds.Sectors {
		sectors = append(sectors, sec.Code)
	}
	var provinces []string
	for _, p := range ds.Provinces {
		provinces = append(provinces, p.Code)
	}
	provinces = append(provinces, "999") // unknown: an empty answer

	t.Run("Peers", func(t *testing.T) {
		var qs []pcnet.PeerQuery
		for _, p := range provinces {
			qs = append(qs, pcnet.PeerQuery{ProvinceCode: p})
			for _, sec := range sectors {
				qs = append(qs, pcnet.PeerQuery{ProvinceCode: p, SectorCode: sec}, pcnet.PeerQuery{ProvinceCode: p, SectorCode: sec, ActiveOn: pcnet.MustDate("2023-06-30")})
			}
		}
		got, err := s.PeersBatch(ctx, qs)
		compareBatch(t, qs, got, err, func(q pcnet.PeerQuery) ([]pcnet.Peer, error) { return s.Peers(ctx, q) })
	})
	t.Run("TutorLinks", func(t *testing.T) {
		var qs []pcnet.TutorLinkQuery
		for i, p := range provinces {
			for _, dir := range []pcnet.TutorDirection{pcnet.TutorDown, pcnet.TutorUp} {
				qs = append(qs, pcnet.TutorLinkQuery{Root: p, Direction: dir, MaxDepth: 1 + i%pcnet.MaxTutorDepth})
				if len(sectors) > 0 {
					qs = append(qs, pcnet.TutorLinkQuery{Root: p, Direction: dir, SectorCode: sectors[i%len(sectors)], MaxDepth: pcnet.MaxTutorDepth})
				}
			}
		}
		got, err := s.TutorLinksBatch(ctx, qs)
		compareBatch(t, qs, got, err, func(q pcnet.TutorLinkQuery) ([]pcnet.TutorLink, error) { return s.TutorLinks(ctx, q) })
		// One direction only: the batch leaves the other out of its query.
		down := slices.DeleteFunc(slices.Clone(qs), func(q pcnet.TutorLinkQuery) bool { return q.Direction != pcnet.TutorDown })
		got, err = s.TutorLinksBatch(ctx, down)
		compareBatch(t, down, got, err, func(q pcnet.TutorLinkQuery) ([]pcnet.TutorLink, error) { return s.TutorLinks(ctx, q) })
	})
	t.Run("NearestProviders", func(t *testing.T) {
		var qs []pcnet.NearestQuery
		step := max(1, len(ds.Comuni)/20)
		for i := 0; i < len(ds.Comuni); i += step {
			c := ds.Comuni[i]
			if len(sectors) == 0 {
				break
			}
			j := i % len(sectors)
			qs = append(qs, pcnet.NearestQuery{ComuneCode: c.Code, SectorCode: sectors[j], Limit: 1 + i%5})
			if areas := ds.Sectors[j].Areas; len(areas) > 0 {
				qs = append(qs, pcnet.NearestQuery{ComuneCode: c.Code, AreaCode: areas[i%len(areas)].Code, Limit: pcnet.MaxNearestLimit})
			}
		}
		if len(sectors) > 0 {
			qs = append(qs, pcnet.NearestQuery{ComuneCode: "999999", SectorCode: sectors[0], Limit: 5})
		}
		got, err := s.NearestProvidersBatch(ctx, qs)
		compareBatch(t, qs, got, err, func(q pcnet.NearestQuery) ([]pcnet.ProviderDistance, error) { return s.NearestProviders(ctx, q) })
	})
	t.Run("Empty", func(t *testing.T) {
		if got, err := s.PeersBatch(ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("PeersBatch(nil) = %v, %v; want no answers", got, err)
		}
	})
}

// compareBatch checks that got, the batch's answers to qs, are one answer
// per query equal to the one-query method's (nil and empty alike).
func compareBatch[Q, R any](t *testing.T, qs []Q, got [][]R, err error, one func(Q) ([]R, error)) {
	t.Helper()
	if err != nil {
		t.Fatalf("batch of %d queries: %v", len(qs), err)
	}
	if len(got) != len(qs) {
		t.Fatalf("batch of %d queries answered %d", len(qs), len(got))
	}
	nonEmpty, failures := 0, 0
	for i, q := range qs {
		want, err := one(q)
		if err != nil {
			t.Fatalf("query %+v alone: %v", q, err)
		}
		if len(want) > 0 {
			nonEmpty++
		}
		if len(want) == 0 && len(got[i]) == 0 {
			continue
		}
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("query %d %+v: batch answered %+v, alone %+v", i, q, got[i], want)
			if failures++; failures > 5 {
				t.FailNow()
			}
		}
	}
	if nonEmpty == 0 {
		t.Errorf("all %d queries have empty answers: the check proves nothing on this dataset", len(qs))
	}
}
