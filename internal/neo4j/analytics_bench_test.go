package neo4j_test

import (
	"context"
	"testing"

	"pcnet/internal/memory"
	"pcnet/internal/neo4j/neo4jtest"
	"pcnet/internal/pcnet"
)

// BenchmarkAnalytics measures the analytics queries on the shipped dataset
// (7,904 Comuni and the illustrative network), imported once for all the
// sub-benchmarks. Each operation is one round trip to the server.
//
//	NEO4J_TEST_URI=... NEO4J_TEST_PASSWORD=... go test -run '^$' -bench Analytics ./internal/neo4j/
func BenchmarkAnalytics(b *testing.B) {
	ds := shippedDataset(b)
	s := neo4jtest.Load(b, ds)
	ctx := context.Background()
	asOf := pcnet.MustDate("2025-06-01")

	// A far pair of the tutorship network and a Comune far from most
	// providers, found with the embedded store so the benchmark measures
	// a demanding case of the data it runs on.
	mem, err := memory.New(ds)
	if err != nil {
		b.Fatal(err)
	}
	from, to := farthestTutorPair(b, mem, ds)
	var timeline []pcnet.ReachQuery
	for i := range 60 {
		timeline = append(timeline, pcnet.ReachQuery{AsOf: pcnet.MustDate("2021-01-01").AddMonths(i), GroupBy: pcnet.ReachTotal})
	}
	var everyProvince []pcnet.ComuneFilter
	for _, p := range ds.Provinces {
		everyProvince = append(everyProvince, pcnet.ComuneFilter{
			ProvinceCodes: []string{p.Code},
			Coverage:      &pcnet.CoverageCondition{SectorCode: ds.Sectors[0].Code, AsOf: asOf, Covered: false},
		})
	}

	benchmarks := []struct {
		name string
		run  func() (int, error) // returns the size of the answer
	}{
		{"ReachByProvince", func() (int, error) {
			rows, err := s.Reach(ctx, []pcnet.ReachQuery{{AsOf: asOf, GroupBy: pcnet.ReachByProvince}})
			return len(rows[0]), err
		}},
		{"ReachTimeline60Months", func() (int, error) {
			rows, err := s.Reach(ctx, timeline)
			return len(rows), err
		}},
		{"TutorPath", func() (int, error) {
			p, err := s.TutorPath(ctx, pcnet.TutorPathQuery{FromCode: from, ToCode: to})
			if p == nil {
				return 0, err
			}
			return len(p.ProvinceCodes), err
		}},
		{"TutorLinksDown", func() (int, error) {
			links, err := s.TutorLinks(ctx, []pcnet.TutorLinkQuery{{Root: from, Direction: pcnet.TutorDown, MaxDepth: pcnet.MaxTutorDepth}})
			return firstLen(links), err
		}},
		{"NearestProviders", func() (int, error) {
			d, err := s.NearestProviders(ctx, []pcnet.NearestQuery{{ComuneCode: "001272", SectorCode: ds.Sectors[0].Code, Limit: pcnet.MaxNearestLimit}})
			return firstLen(d), err
		}},
		{"ComuniSummariesUncoveredPerProvince", func() (int, error) {
			sums, err := s.ComuniSummaries(ctx, everyProvince)
			return len(sums), err
		}},
		{"Peers", func() (int, error) {
			peers, err := s.Peers(ctx, []pcnet.PeerQuery{{ProvinceCode: to}})
			return firstLen(peers), err
		}},
		{"ProjectWorkCountsByRegion", func() (int, error) {
			counts, err := s.ProjectWorkCounts(ctx, pcnet.ProjectWorkFilter{}, pcnet.ProjectWorksByRegion)
			return len(counts), err
		}},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			n, err := bm.run() // warms the query cache, and checks the answer
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				b.Fatalf("empty answer: the benchmark would measure nothing")
			}
			queries := s.QueryCount()
			for b.Loop() {
				if _, err := bm.run(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(s.QueryCount()-queries)/float64(b.N), "queries/op")
		})
	}
}

// farthestTutorPair returns two Provinces joined by a longest shortest path
// of the tutorship network (the smallest codes among such pairs).
func farthestTutorPair(b *testing.B, mem pcnet.Analytics, ds pcnet.Dataset) (from, to string) {
	ctx := context.Background()
	best := 0
	for _, t := range ds.Tutorships {
		walks, err := mem.TutorLinks(ctx, []pcnet.TutorLinkQuery{{Root: t.TutorCode, Direction: pcnet.TutorDown, MaxDepth: pcnet.MaxTutorDepth}})
		if err != nil {
			b.Fatal(err)
		}
		for _, l := range walks[0] {
			p, err := mem.TutorPath(ctx, pcnet.TutorPathQuery{FromCode: t.TutorCode, ToCode: l.ProvinceCode})
			if err != nil {
				b.Fatal(err)
			}
			if n := len(p.ProvinceCodes); n > best || (n == best && t.TutorCode+l.ProvinceCode < from+to) {
				best, from, to = n, t.TutorCode, l.ProvinceCode
			}
		}
	}
	if best == 0 {
		b.Fatal("the dataset has no tutorships")
	}
	b.Logf("tutor path %s → %s: %d Provinces", from, to, best)
	return from, to
}

// firstLen is the length of the answer to the first query of a batch (0
// for none), which a benchmark of one query checks is not empty.
func firstLen[R any](answers [][]R) int {
	if len(answers) == 0 {
		return 0
	}
	return len(answers[0])
}
