package storetest

import (
	"context"
	"testing"

	"pcnet/internal/pcnet"
)

// DashboardCall is one store call of the one-region dashboard
// (examples/dashboard_region.graphql), as the GraphQL layer's dataloaders
// make it: one call per level, each for all the parents of the level.
type DashboardCall struct {
	Level string
	Call  func(ctx context.Context) error
}

// DashboardCalls returns the store calls the dashboard of region makes on
// s, with the arguments its levels would have (found by running the levels
// once), for benchmarks of each level's cost on each store.
func DashboardCalls(tb testing.TB, s pcnet.Store, region string, asOf pcnet.Date) []DashboardCall {
	tb.Helper()
	ctx := context.Background()
	provinces, err := s.Provinces(ctx, pcnet.ProvinceFilter{RegionCodes: []string{region}})
	if err != nil {
		tb.Fatal(err)
	}
	var codes []string
	for _, p := range provinces {
		codes = append(codes, p.Code)
	}
	services, err := s.Services(ctx, pcnet.ServiceFilter{ProviderCodes: codes})
	if err != nil {
		tb.Fatal(err)
	}
	var coverage []pcnet.CoverageQuery
	for _, sv := range services {
		coverage = append(coverage, pcnet.CoverageQuery{Filter: pcnet.CoverageFilter{ServiceIDs: []string{sv.ID}, ActiveOn: asOf}, Page: pcnet.Page{Limit: 20}})
	}
	pages, err := s.Coverages(ctx, coverage)
	if err != nil {
		tb.Fatal(err)
	}
	var comuni []string
	for _, p := range pages {
		for _, c := range p.Coverages {
			comuni = append(comuni, c.ComuneCode)
		}
	}
	if len(services) == 0 || len(comuni) == 0 {
		tb.Fatalf("region %s: %d services covering %d Comuni: nothing to measure", region, len(services), len(comuni))
	}
	ignore := func(_ any, err error) error { return err }
	return []DashboardCall{
		{"1 region", func(ctx context.Context) error { return ignore(s.Regions(ctx, []string{region})) }},
		{"2 provinces", func(ctx context.Context) error {
			return ignore(s.Provinces(ctx, pcnet.ProvinceFilter{RegionCodes: []string{region}}))
		}},
		{"3 services", func(ctx context.Context) error {
			return ignore(s.Services(ctx, pcnet.ServiceFilter{ProviderCodes: codes}))
		}},
		{"4a areas", func(ctx context.Context) error { return ignore(s.Sectors(ctx)) }},
		{"4b coverage pages", func(ctx context.Context) error { return ignore(s.Coverages(ctx, coverage)) }},
		{"5 covered comuni", func(ctx context.Context) error {
			return ignore(s.Comuni(ctx, []pcnet.ComuneQuery{{Filter: pcnet.ComuneFilter{Codes: comuni}, Order: pcnet.ComuneByCode}}))
		}},
	}
}

// BenchDashboardCalls runs each dashboard call as a sub-benchmark.
func BenchDashboardCalls(b *testing.B, s pcnet.Store) {
	ctx := context.Background()
	for _, c := range DashboardCalls(b, s, "03", pcnet.MustDate("2025-06-30")) {
		b.Run(c.Level, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Call(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
