package memory_test

import (
	"context"
	"testing"

	"pcnet/internal/memory"
	"pcnet/internal/pcnet"
)

func analyticsBenchStore(b *testing.B) *memory.Store {
	b.Helper()
	s, err := benchStore()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	return s
}

// BenchmarkReachAllByProvince is the dashboard's table: every service,
// by provider Province.
func BenchmarkReachAllByProvince(b *testing.B) {
	s := analyticsBenchStore(b)
	queries := []pcnet.ReachQuery{{AsOf: pcnet.MustDate("2025-06-01"), GroupBy: pcnet.ReachByProvince}}
	for b.Loop() {
		if _, err := s.Reach(context.Background(), queries); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReachTimeline60 is a five-year monthly timeline of every
// service: one batch of 60 queries.
func BenchmarkReachTimeline60(b *testing.B) {
	s := analyticsBenchStore(b)
	dates, err := pcnet.TimelineDates(pcnet.MustDate("2021-07-01"), pcnet.MustDate("2026-06-01"), pcnet.IntervalMonth)
	if err != nil {
		b.Fatal(err)
	}
	queries := make([]pcnet.ReachQuery, len(dates))
	for i, d := range dates {
		queries[i] = pcnet.ReachQuery{AsOf: d, GroupBy: pcnet.ReachTotal}
	}
	for b.Loop() {
		if _, err := s.Reach(context.Background(), queries); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTutorPath asks for the longest shortest path of the shipped
// network.
func BenchmarkTutorPath(b *testing.B) {
	s := analyticsBenchStore(b)
	ctx := context.Background()
	ts, err := s.Tutorships(ctx, pcnet.TutorshipFilter{})
	if err != nil {
		b.Fatal(err)
	}
	var longest pcnet.TutorPathQuery
	most := 0
	for _, t1 := range ts {
		for _, t2 := range ts {
			q := pcnet.TutorPathQuery{FromCode: t1.TutorCode, ToCode: t2.TutoredCode}
			if p, err := s.TutorPath(ctx, q); err == nil && p != nil && len(p.ProvinceCodes) > most {
				longest, most = q, len(p.ProvinceCodes)
			}
		}
	}
	b.Logf("%s to %s: %d Provinces", longest.FromCode, longest.ToCode, most)
	for b.Loop() {
		if _, err := s.TutorPath(ctx, longest); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNearestProviders(b *testing.B) {
	s := analyticsBenchStore(b)
	q := []pcnet.NearestQuery{{ComuneCode: "001272", SectorCode: "personnel", Limit: 10}}
	for b.Loop() {
		if _, err := s.NearestProviders(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}
