package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"pcnet/internal/pcnet"
)

// askBatch sends qs to a batch method in one call, as a GraphQL level
// does, and returns its answers, one per query: the suites ask a whole
// table at once, so a store that misplaces answers fails the cases.
func askBatch[Q, R any](t *testing.T, qs []Q, batch func(context.Context, []Q) ([]R, error)) []R {
	t.Helper()
	got, err := batch(context.Background(), qs)
	if err != nil {
		t.Fatalf("batch of %d queries: %v", len(qs), err)
	}
	if len(got) != len(qs) {
		t.Fatalf("batch of %d queries answered %d", len(qs), len(got))
	}
	return got
}

// checkEach compares answer i of a batch with the reference's answer to
// query i (nil and empty alike), and returns the reference's answers.
func checkEach[Q any, R comparable](t *testing.T, what string, qs []Q, got [][]R, reference func(Q) []R) [][]R {
	t.Helper()
	wants := make([][]R, len(qs))
	for i, q := range qs {
		wants[i] = reference(q)
		if !slices.Equal(got[i], wants[i]) {
			t.Errorf("%s %+v:\n got  %+v\n want %+v", what, q, got[i], wants[i])
		}
	}
	return wants
}

// alone returns the one-query form of a batch method: q asked as a batch
// of one.
func alone[Q, R any](ctx context.Context, batch func(context.Context, []Q) ([][]R, error)) func(Q) ([]R, error) {
	return func(q Q) ([]R, error) {
		got, err := batch(ctx, []Q{q})
		if err != nil {
			return nil, err
		}
		if len(got) != 1 {
			return nil, fmt.Errorf("a batch of one query answered %d", len(got))
		}
		return got[0], nil
	}
}

// RunBatchAnalytics checks that s answers batches of per-item analytics
// queries exactly as it answers each query alone (a batch of one), on the
// dataset ds it holds: the peers of every Province in every sector (with
// and without a date), the tutor walks from every Province in both
// directions, and the nearest providers of a spread of Comuni, including
// unknown codes and answers that are empty. Each batch mixes queries the
// way a GraphQL level does (every parent of a list, some arguments shared,
// some not).
func RunBatchAnalytics(t *testing.T, s pcnet.Analytics, ds pcnet.Dataset) {
	ctx := context.Background()
	sectors := mapSlice(ds.Sectors, func(sec pcnet.Sector) string { return sec.Code })
	provinces := append(mapSlice(ds.Provinces, func(p pcnet.Province) string { return p.Code }), "999") // unknown: an empty answer

	t.Run("Peers", func(t *testing.T) {
		var qs []pcnet.PeerQuery
		for _, p := range provinces {
			qs = append(qs, pcnet.PeerQuery{ProvinceCode: p})
			for _, sec := range sectors {
				qs = append(qs, pcnet.PeerQuery{ProvinceCode: p, SectorCode: sec}, pcnet.PeerQuery{ProvinceCode: p, SectorCode: sec, ActiveOn: pcnet.MustDate("2023-06-30")})
			}
		}
		compareBatch(t, qs, askBatch(t, qs, s.Peers), alone(ctx, s.Peers))
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
		compareBatch(t, qs, askBatch(t, qs, s.TutorLinks), alone(ctx, s.TutorLinks))
		// One direction only: the batch leaves the other out of its query.
		down := slices.DeleteFunc(slices.Clone(qs), func(q pcnet.TutorLinkQuery) bool { return q.Direction != pcnet.TutorDown })
		compareBatch(t, down, askBatch(t, down, s.TutorLinks), alone(ctx, s.TutorLinks))
	})
	t.Run("NearestProviders", func(t *testing.T) {
		var qs []pcnet.NearestQuery
		step := max(1, len(ds.Comuni)/20)
		for i := 0; i < len(ds.Comuni) && len(sectors) > 0; i += step {
			c := ds.Comuni[i]
			j := i % len(sectors)
			qs = append(qs, pcnet.NearestQuery{ComuneCode: c.Code, SectorCode: sectors[j], Limit: 1 + i%5})
			if areas := ds.Sectors[j].Areas; len(areas) > 0 {
				qs = append(qs, pcnet.NearestQuery{ComuneCode: c.Code, AreaCode: areas[i%len(areas)].Code, Limit: pcnet.MaxNearestLimit})
			}
		}
		if len(sectors) > 0 {
			qs = append(qs, pcnet.NearestQuery{ComuneCode: "999999", SectorCode: sectors[0], Limit: 5})
		}
		compareBatch(t, qs, askBatch(t, qs, s.NearestProviders), alone(ctx, s.NearestProviders))
	})
	t.Run("Empty", func(t *testing.T) {
		for name, n := range map[string]func() (int, error){
			"Peers":            func() (int, error) { got, err := s.Peers(ctx, nil); return len(got), err },
			"TutorLinks":       func() (int, error) { got, err := s.TutorLinks(ctx, nil); return len(got), err },
			"NearestProviders": func() (int, error) { got, err := s.NearestProviders(ctx, nil); return len(got), err },
		} {
			if got, err := n(); err != nil || got != 0 {
				t.Errorf("%s(nil) = %d answers, %v; want none", name, got, err)
			}
		}
	})
}

// compareBatch checks that got, the batch's answers to qs, are one answer
// per query equal to the one-query answer (nil and empty alike).
func compareBatch[Q, R any](t *testing.T, qs []Q, got [][]R, one func(Q) ([]R, error)) {
	t.Helper()
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
