package server_test

import (
	"testing"

	"pcnet/examples"
	"pcnet/internal/server"
)

// BenchmarkResolverChains measures whole requests (HTTP, parsing,
// resolvers, dataloaders, the memory store, JSON) for the operations of the
// load benchmark's mix (internal/bench), one request at a time:
//
//	go test ./internal/server -run '^$' -bench ResolverChains -benchmem
//
// The dashboards are the examples GraphiQL opens with; the nested one-region
// dashboard resolves five levels (region, Provinces, services, coverage,
// Comuni), each one store call.
func BenchmarkResolverChains(b *testing.B) {
	_, store := loadShipped(b)
	ts := newServer(b, store, server.Options{})
	example := func(name string) string {
		op, ok := examples.Get(name)
		if !ok {
			b.Fatalf("no example %q", name)
		}
		return op.Query
	}
	benchmarks := []struct{ name, query string }{
		{"lookup by code", `{ comune(istat: "015146") { code name population small province { code name } region { name } } }`},
		{"dashboard one region", example("dashboard_region")},
		{"dashboard all regions", example("dashboard_italy")},
		{"reach by region", `{ reach(selection: {sectors: ["personnel"]}, asOf: "2025-06-30", groupBy: REGION) { group { code name } covered { comuni inhabitants smallComuni } base { comuni } services } }`},
		{"gaps page", `{ coverageGaps(region: "03", sector: "personnel", asOf: "2025-06-30", first: 20) { totalCount uncovered { comuni } territory { comuni } edges { node { code name population } } } }`},
		{"per-item analytics of every Province", `{ provinces { code peers(sector: "personnel") { province { code } } tutorChain(maxDepth: 3) { depth province { code } } } }`},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp := post(b, ts, bm.query, nil)
				if len(resp.Errors) > 0 {
					b.Fatalf("errors: %+v", resp.Errors)
				}
			}
		})
	}
}
