package server_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"pcnet/internal/server"
)

// A nested dashboard query costs one store call per nesting level, however
// many parents each level has: the dataloaders batch each level's loads.
func TestNestedQueryCostsOneStoreCallPerLevel(t *testing.T) {
	ds, store := loadShipped(t)
	counting := newCountingStore(store)
	// A level goes to the store as soon as the request's count of
	// outstanding resolutions says it is complete (graph.LevelBatching);
	// the wide fallback window only matters should the count break
	// (batching_test.go checks the defaults, under load). Every coverage of
	// every service of the country, in pages of 1000, is past the default
	// complexity limit: lift it, as an operator would.
	ts := newServer(t, counting, server.Options{LoaderWait: 40 * time.Millisecond, Limits: server.Limits{MaxComplexity: -1}})

	const query = `{
		regions {                                      # level 1: Regions
			code
			provinces {                                # level 2: Provinces
				code
				services {                             # level 3: Services
					id
					coverage(first: 1000, activeOn: "2025-06-30") {  # level 4: Coverages
						totalCount
						edges { since node { code population } }     # level 5: Comuni
					}
				}
			}
		}
	}`
	want := map[string]int{"Regions": 1, "Provinces": 1, "Services": 1, "Coverages": 1, "Comuni": 1}
	// Several runs: batching depends on timing, so a lucky run proves little.
	for i := range 3 {
		counting.reset()
		var got struct {
			Regions []struct {
				Provinces []struct {
					Services []struct {
						Coverage struct {
							TotalCount int
							Edges      []struct{ Node struct{ Code string } }
						}
					}
				}
			}
		}
		run(t, ts, query, nil, &got)
		provinces, services, comuni := 0, 0, 0
		for _, r := range got.Regions {
			provinces += len(r.Provinces)
			for _, p := range r.Provinces {
				services += len(p.Services)
				for _, s := range p.Services {
					comuni += len(s.Coverage.Edges)
				}
			}
		}
		if len(got.Regions) != len(ds.Regions) || provinces != len(ds.Provinces) || services != len(ds.Services) || comuni == 0 {
			t.Fatalf("run %d: %d regions, %d provinces, %d services, %d covered Comuni; want %d, %d, %d, >0",
				i, len(got.Regions), provinces, services, comuni, len(ds.Regions), len(ds.Provinces), len(ds.Services))
		}
		if calls := counting.snapshot(); !maps.Equal(calls, want) {
			t.Errorf("run %d: store calls %v, want %v (one per level; methods %v)", i, calls, want, slices.Sorted(maps.Keys(calls)))
		}
	}
}

// Relations that point back up (a Comune's Province, a service's provider)
// cost nothing when the level above already fetched them, and the small
// geography (regions, Provinces) costs one call however many Comuni ask.
func TestLoadersShareFetchedObjects(t *testing.T) {
	_, store := loadShipped(t)
	counting := newCountingStore(store)
	ts := newServer(t, counting, server.Options{})
	tests := []struct {
		name  string
		query string
		want  map[string]int
	}{
		{
			"parents primed",
			`{ region(code: "03") { provinces { code services { id provider { code name } projectWorks { id province { code } } } } } }`,
			map[string]int{"Regions": 1, "Provinces": 1, "Services": 1, "ProjectWorks": 1},
		},
		{
			"geography fetched once",
			`{ comuni(filter: {region: "03"}, first: 1000) { edges { node { province { name } region { name } } } } }`,
			map[string]int{"Comuni": 1, "Provinces": 1, "Regions": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counting.reset()
			var got any
			run(t, ts, tt.query, nil, &got)
			if calls := counting.snapshot(); !maps.Equal(calls, tt.want) {
				t.Errorf("store calls %v, want %v", calls, tt.want)
			}
		})
	}
}

// Analytics figures asked for at one level of a query cost at most one
// Analytics call for the whole level: the reach of every sector (grouped
// two ways) is one Reach call, and a timeline of 60 dates next to a reach
// is one more, at the level above. Two levels whose loads are pending at
// the same time share a call, so the bound is "at most one per level".
func TestAnalyticsCostOneCallPerLevel(t *testing.T) {
	ds, store := loadShipped(t)
	counting := newCountingStore(store)
	ts := newServer(t, counting, server.Options{LoaderWait: 40 * time.Millisecond})
	tests := []struct {
		name    string
		query   string
		atMost  map[string]int
		queries int // reach queries answered in all
		check   func(t *testing.T, got map[string]any)
	}{
		{
			"sector reach and a timeline",
			`{
				sectors {                                                   # level 1: Sectors (the taxonomy)
					code
					reach(asOf: "2025-06-30") { services }                  # level 2: Reach
					byArea: reach(asOf: "2025-06-30", groupBy: AREA) { group { name } services }
				}
				rolloutTimeline(selection: {sectors: ["personnel"]}, from: "2021-01-01", to: "2025-12-31") { date covered { comuni } }  # level 1: Reach
				reach(asOf: "2025-06-30", groupBy: REGION) { group { name } services }
			}`,
			map[string]int{"Sectors": 1, "Reach": 2, "Regions": 1},
			2*len(ds.Sectors) + 60 + 1,
			func(t *testing.T, got map[string]any) {
				if n := len(got["sectors"].([]any)); n != len(ds.Sectors) {
					t.Errorf("%d sectors, want %d", n, len(ds.Sectors))
				}
				if n := len(got["rolloutTimeline"].([]any)); n != 60 {
					t.Errorf("%d timeline points, want 60 (five years, monthly)", n)
				}
			},
		},
		{
			"every service's reach",
			`{ services { id reach(asOf: "2025-06-30") { covered { comuni } } } }`,
			map[string]int{"Services": 1, "Reach": 1},
			len(ds.Services),
			func(t *testing.T, got map[string]any) {
				if n := len(got["services"].([]any)); n != len(ds.Services) {
					t.Errorf("%d services, want %d", n, len(ds.Services))
				}
			},
		},
		{
			"coverage gaps side by side",
			`{
				piemonte: coverageGaps(region: "01", sector: "personnel", asOf: "2025-06-30", first: 3) { totalCount uncovered { comuni } territory { comuni } edges { node { name } } }
				lombardia: coverageGaps(region: "03", area: "sua", asOf: "2025-06-30", first: 3) { totalCount uncovered { comuni } territory { comuni } edges { node { name } } }
				monza: coverageGaps(province: "108", sector: "europe", smallOnly: true, asOf: "2025-06-30") { uncovered { comuni } territory { comuni } }
			}`,
			map[string]int{"Sectors": 1, "Comuni": 1, "ComuniSummaries": 1},
			0,
			nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 3 {
				counting.reset()
				var got map[string]any
				run(t, ts, tt.query, nil, &got)
				if tt.check != nil {
					tt.check(t, got)
				}
				calls := counting.snapshot()
				for method, n := range calls {
					if n > tt.atMost[method] {
						t.Errorf("run %d: %d calls to %s, want at most %d (all calls: %v)", i, n, method, tt.atMost[method], calls)
					}
				}
				for method := range tt.atMost {
					if calls[method] == 0 {
						t.Errorf("run %d: no call to %s: the query didn't ask what the test thinks (all calls: %v)", i, method, calls)
					}
				}
				if q := counting.reachQueries(); q != tt.queries {
					t.Errorf("run %d: %d reach queries answered, want %d", i, q, tt.queries)
				}
			}
		})
	}
}
