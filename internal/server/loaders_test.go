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
	// Batching collects each level's loads during a time window. The
	// default window is short to keep latency low; here it is wide so that
	// a busy test machine (other packages' tests run alongside) can't
	// stretch a level's burst of loads past it: the test is about the
	// batching, not about the scheduler.
	ts := newServer(t, counting, server.Options{LoaderWait: 40 * time.Millisecond})

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
