package server_test

import (
	"testing"

	"pcnet/internal/server"
)

// BenchmarkAnalytics measures the heaviest analytics queries end to end
// over HTTP on the memory store with the shipped dataset, with the default
// loader wait (each level that batches pays it once):
//
//	go test ./internal/server -run '^$' -bench Analytics -benchtime 50x
func BenchmarkAnalytics(b *testing.B) {
	_, store := loadShipped(b)
	ts := newServer(b, store, server.Options{})
	benchmarks := []struct{ name, query string }{
		{"reach by province, all services", `{ reach(asOf: "2025-06-30", groupBy: PROVINCE) ` + reachFields + ` }`},
		{"timeline, all services, 5 years monthly", `{ rolloutTimeline(from: "2021-01-01", to: "2025-12-31") ` + timelineFields + ` }`},
		{"timeline, all services, 20 years monthly", `{ rolloutTimeline(from: "2006-01-01", to: "2025-12-31") ` + timelineFields + ` }`},
		{"coverage gaps of Lombardia, 1000 Comuni", `{ coverageGaps(region: "03", sector: "personnel", asOf: "2025-06-30", first: 1000) {
			totalCount uncovered ` + summaryFields + ` territory ` + summaryFields + ` edges { node { code name population } } } }`},
		{"sectors reach by area + tutor network", `{ sectors { reach(asOf: "2025-06-30", groupBy: AREA) ` + reachFields + ` }
			tutorNetwork(sector: "personnel") { nodes { province { name } role } edges { tutor { code } tutored { code } } } }`},
		{"tutor walks of every Province", `{ provinces { tutoredTransitive(maxDepth: 10) { depth province { code } } tutorChain { depth } } }`},
		{"nearest providers of 100 Comuni", `{ comuni(first: 100, filter: {region: "01"}) { edges { node { nearestProviders(sector: "personnel") { distanceKm province { code } } } } } }`},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				resp := post(b, ts, bm.query, nil)
				if len(resp.Errors) > 0 {
					b.Fatalf("errors: %+v", resp.Errors)
				}
			}
		})
	}
}
