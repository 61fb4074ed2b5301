package neo4j_test

import (
	"context"
	"testing"

	"pcnet/internal/neo4j/neo4jtest"
	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

// A batch of per-item analytics answers as its queries do alone (batches
// of one), each batch in one query: the analytics fixture has cycles, dated tutorships and Comuni
// without coordinates.
func TestBatchAnalytics(t *testing.T) {
	ds := storetest.AnalyticsFixture()
	s := neo4jtest.Load(t, ds)
	storetest.RunBatchAnalytics(t, s, ds)

	ctx := context.Background()
	var peers []pcnet.PeerQuery
	var links []pcnet.TutorLinkQuery
	var nearest []pcnet.NearestQuery
	for _, p := range ds.Provinces {
		peers = append(peers, pcnet.PeerQuery{ProvinceCode: p.Code})
		links = append(links, pcnet.TutorLinkQuery{Root: p.Code, Direction: pcnet.TutorDown, MaxDepth: 3},
			pcnet.TutorLinkQuery{Root: p.Code, Direction: pcnet.TutorUp, MaxDepth: 3})
	}
	for _, c := range ds.Comuni {
		nearest = append(nearest, pcnet.NearestQuery{ComuneCode: c.Code, SectorCode: ds.Sectors[0].Code, Limit: 3})
	}
	for name, batch := range map[string]func() error{
		"peers":   func() error { _, err := s.Peers(ctx, peers); return err },
		"links":   func() error { _, err := s.TutorLinks(ctx, links); return err },
		"nearest": func() error { _, err := s.NearestProviders(ctx, nearest); return err },
	} {
		before := s.QueryCount()
		if err := batch(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := s.QueryCount() - before; n != 1 {
			t.Errorf("%s: a batch cost %d queries, want 1", name, n)
		}
	}
}
