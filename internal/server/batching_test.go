package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"pcnet/graph"
	"pcnet/internal/neo4j/neo4jtest"
	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

// dashboardFields is the nested dashboard below a region: its Provinces,
// the services each runs with their reach, and the Comuni each service
// covers. Its store calls, level by level: the Provinces, the services, then
// at the services' level the taxonomy (area), the reach figures and the
// coverage pages together, then the covered Comuni.
const dashboardFields = `{
	code name
	provinces {
		code name
		services {
			id name status
			area { code name }
			reach(asOf: "2025-06-30") { covered { comuni inhabitants smallComuni } base { comuni } }
			coverage(first: 20, activeOn: "2025-06-30") { totalCount edges { since node { code name population } } }
		}
	}
}`

var (
	dashboardOneRegion  = `{ region(code: "03") ` + dashboardFields + ` }`
	dashboardAllRegions = `{ regions ` + dashboardFields + ` }`
	// dashboardCalls is one call per store method the dashboard reads with:
	// a method per level, the services' level reading three.
	dashboardCalls = map[string]int{"Regions": 1, "Provinces": 1, "Services": 1, "Sectors": 1, "Reach": 1, "Coverages": 1, "Comuni": 1}
)

type dashboard struct {
	Code      string
	Provinces []struct {
		Code     string
		Services []struct {
			ID       string
			Coverage struct {
				TotalCount int
				Edges      []struct{ Node struct{ Code string } }
			}
		}
	}
}

// checkDashboard checks that the answer holds every Province of the
// regions asked for, and their services, counted from the dataset.
func checkDashboard(t *testing.T, ds *pcnet.Dataset, regions []dashboard, want []string) {
	t.Helper()
	provinces, services := make(map[string]int), make(map[string]int)
	for _, p := range ds.Provinces {
		provinces[p.RegionCode]++
	}
	regionOf := make(map[string]string)
	for _, p := range ds.Provinces {
		regionOf[p.Code] = p.RegionCode
	}
	for _, s := range ds.Services {
		services[regionOf[s.ProviderCode]]++
	}
	if len(regions) != len(want) {
		t.Fatalf("%d regions answered, want %d", len(regions), len(want))
	}
	edges := 0
	for i, r := range regions {
		gotServices := 0
		for _, p := range r.Provinces {
			gotServices += len(p.Services)
			for _, s := range p.Services {
				edges += len(s.Coverage.Edges)
			}
		}
		if r.Code != want[i] || len(r.Provinces) != provinces[r.Code] || gotServices != services[r.Code] {
			t.Errorf("region %s: %d Provinces, %d services; want region %s, %d, %d",
				r.Code, len(r.Provinces), gotServices, want[i], provinces[want[i]], services[want[i]])
		}
	}
	if edges == 0 {
		t.Error("no covered Comuni: the dashboard didn't reach its last level")
	}
}

func allRegionCodes(ds *pcnet.Dataset) []string {
	var codes []string
	for _, r := range ds.Regions {
		codes = append(codes, r.Code)
	}
	return codes
}

// postCounted runs a query and returns the response and the store calls
// the server reports for it.
func postCounted(t testing.TB, url, query string) (gqlResponse, int) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url+server.GraphQLPath, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("status %d, body %.300s: %v", resp.StatusCode, raw, err)
	}
	h := resp.Header.Get(server.StoreCallsHeader)
	calls, err := strconv.Atoi(h)
	if err != nil {
		t.Fatalf("header %s = %q: %v", server.StoreCallsHeader, h, err)
	}
	return out, calls
}

func decodeDashboard(t testing.TB, resp gqlResponse) []dashboard {
	t.Helper()
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %+v", resp.Errors)
	}
	var data struct {
		Region  *dashboard
		Regions []dashboard
	}
	if err := json.Unmarshal(resp.Data, &data); err != nil {
		t.Fatal(err)
	}
	if data.Region != nil {
		return []dashboard{*data.Region}
	}
	return data.Regions
}

func sum(calls map[string]int) int {
	n := 0
	for _, c := range calls {
		n += c
	}
	return n
}

// The dashboard costs one store call per level, for one region and for all
// twenty, with the default options: no batching window to widen, the level
// count decides when each level goes to the store.
func TestDashboardCostsOneStoreCallPerLevel(t *testing.T) {
	ds, store := loadShipped(t)
	counting := newCountingStore(store)
	ts := newServer(t, counting, server.Options{StoreCallStats: true})
	for _, tt := range []struct {
		name, query string
		regions     []string
	}{
		{"one region", dashboardOneRegion, []string{"03"}},
		{"all regions", dashboardAllRegions, allRegionCodes(ds)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for run := range 5 {
				counting.reset()
				resp, header := postCounted(t, ts.URL, tt.query)
				checkDashboard(t, ds, decodeDashboard(t, resp), tt.regions)
				calls := counting.snapshot()
				if !maps.Equal(calls, dashboardCalls) {
					t.Errorf("run %d: store calls %v, want %v", run, calls, dashboardCalls)
				}
				if header != sum(calls) {
					t.Errorf("run %d: %s says %d store calls, the store counted %d", run, server.StoreCallsHeader, header, sum(calls))
				}
			}
		})
	}
}

// The bound holds under load: 8 clients at once on a 2-core machine, each
// request still one store call per level. A time window would split levels
// here (a level's resolvers reach their loaders over several milliseconds
// when the CPU is shared).
func TestDashboardBoundUnderConcurrentLoad(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{StoreCallStats: true})
	const clients, requests = 8, 6
	want := sum(dashboardCalls)
	var wg sync.WaitGroup
	errs := make(chan error, clients*requests)
	for c := range clients {
		wg.Go(func() {
			for i := range requests {
				query, regions := dashboardOneRegion, []string{"03"}
				if (c+i)%3 == 0 {
					query, regions = dashboardAllRegions, allRegionCodes(ds)
				}
				resp, calls := postCounted(t, ts.URL, query)
				checkDashboard(t, ds, decodeDashboard(t, resp), regions)
				if calls != want {
					errs <- fmt.Errorf("client %d request %d: %d store calls, want %d", c, i, calls, want)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestStoreCallsHeaderIsOptIn(t *testing.T) {
	_, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	body := bytes.NewReader([]byte(`{"query":"{ regions { code } }"}`))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+server.GraphQLPath, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if h := resp.Header.Get(server.StoreCallsHeader); h != "" {
		t.Errorf("%s = %q without StoreCallStats", server.StoreCallsHeader, h)
	}
	ts = newServer(t, store, server.Options{StoreCallStats: true})
	if _, calls := postCounted(t, ts.URL, `{ regions { code } comune(istat: "001272") { name } }`); calls != 2 {
		t.Errorf("regions and a Comune: %d store calls, want 2", calls)
	}
}

// oneAtATime answers each per-item analytics batch as batches of one, each
// a call the countingStore under it counts: what the service would cost,
// and answer, without batching.
type oneAtATime struct {
	*countingStore
}

func (o oneAtATime) Peers(ctx context.Context, qs []pcnet.PeerQuery) ([][]pcnet.Peer, error) {
	return splitBatch(ctx, qs, o.countingStore.Peers)
}

func (o oneAtATime) TutorLinks(ctx context.Context, qs []pcnet.TutorLinkQuery) ([][]pcnet.TutorLink, error) {
	return splitBatch(ctx, qs, o.countingStore.TutorLinks)
}

func (o oneAtATime) NearestProviders(ctx context.Context, qs []pcnet.NearestQuery) ([][]pcnet.ProviderDistance, error) {
	return splitBatch(ctx, qs, o.countingStore.NearestProviders)
}

func splitBatch[Q, R any](ctx context.Context, qs []Q, batch func(context.Context, []Q) ([]R, error)) ([]R, error) {
	out := make([]R, len(qs))
	for i, q := range qs {
		got, err := batch(ctx, []Q{q})
		if err != nil {
			return nil, err
		}
		out[i] = got[0]
	}
	return out, nil
}

// The per-item analytics of a list cost one store call per level, and
// answer as one call per item does.
func TestPerItemAnalyticsAreBatched(t *testing.T) {
	ds, store := loadShipped(t)
	const query = `{
		provinces {
			code
			peers(sector: "personnel") { province { code } tutor { code } }
			tutoredTransitive(maxDepth: 3) { depth province { code } via { code } }
			tutorChain { depth province { code } }
		}
		comuni(filter: {region: "01"}, first: 40) { edges { node { code nearestProviders(sector: "europe", limit: 3) { distanceKm province { code } services { id } } } } }
	}`
	batching := newCountingStore(store)
	perItem := oneAtATime{newCountingStore(store)}
	var answers [2]map[string]any
	for i, tt := range []struct {
		name  string
		store graph.Backend
		calls func() map[string]int
		want  map[string]int
	}{
		{"batched", batching, batching.snapshot, map[string]int{
			"Provinces": 1, "Comuni": 1, "Sectors": 1, "Peers": 1, "TutorLinks": 1, "NearestProviders": 1, "Services": 1,
		}},
		{"one by one", perItem, perItem.snapshot, map[string]int{
			"Provinces": 1, "Comuni": 1, "Sectors": 1, "Peers": len(ds.Provinces), "TutorLinks": 2 * len(ds.Provinces), "NearestProviders": 40, "Services": 1,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := newServer(t, tt.store, server.Options{})
			run(t, ts, query, nil, &answers[i])
			if calls := tt.calls(); !maps.Equal(calls, tt.want) {
				t.Errorf("store calls %v, want %v", calls, tt.want)
			}
		})
	}
	a, _ := json.Marshal(answers[0])
	b, _ := json.Marshal(answers[1])
	if !bytes.Equal(a, b) {
		t.Errorf("batched and one-by-one answers differ:\n%.500s\n%.500s", a, b)
	}
}

// The dashboard on Neo4j: the queries the store sends, counted by the
// driver wrapper (neo4j.Store.QueryCount), are one per level, for one
// region and for all twenty, also with 8 clients at once.
func TestNeo4jDashboardQueryCount(t *testing.T) {
	ds, _ := loadShipped(t)
	start := time.Now()
	st := neo4jtest.Load(t, *ds)
	t.Logf("imported the shipped dataset in %s", time.Since(start).Round(time.Millisecond))
	ts := newServer(t, st, server.Options{StoreCallStats: true})
	want := sum(dashboardCalls)
	for _, tt := range []struct {
		name, query string
		regions     []string
	}{
		{"one region", dashboardOneRegion, []string{"03"}},
		{"all regions", dashboardAllRegions, allRegionCodes(ds)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for run := range 3 {
				before := st.QueryCount()
				resp, header := postCounted(t, ts.URL, tt.query)
				checkDashboard(t, ds, decodeDashboard(t, resp), tt.regions)
				if n := st.QueryCount() - before; n != int64(want) || header != want {
					t.Errorf("run %d: %d Neo4j queries (header: %d), want %d, one per store method %v", run, n, header, want, dashboardCalls)
				}
			}
		})
	}
	t.Run("8 clients", func(t *testing.T) {
		const clients = 8
		before := st.QueryCount()
		var wg sync.WaitGroup
		headers := make([]int, clients)
		for c := range clients {
			wg.Go(func() {
				resp, calls := postCounted(t, ts.URL, dashboardOneRegion)
				checkDashboard(t, ds, decodeDashboard(t, resp), []string{"03"})
				headers[c] = calls
			})
		}
		wg.Wait()
		if n := st.QueryCount() - before; n != int64(clients*want) {
			t.Errorf("%d Neo4j queries for %d dashboards, want %d (headers %v)", n, clients, clients*want, headers)
		}
	})
}

// A Comune looked up with its Province and region is one Cypher query on
// Neo4j (pcnet.ComuneLookup), with the same answer as the embedded store's.
func TestNeo4jComuneLookupIsOneQuery(t *testing.T) {
	ds, store := loadShipped(t)
	st := neo4jtest.Load(t, *ds)
	const query = `{ comune(istat: "001272") { code name population province { code name plateCode kind } region { code name } } }`
	var want, got map[string]any
	run(t, newServer(t, store, server.Options{}), query, nil, &want)
	ts := newServer(t, st, server.Options{StoreCallStats: true})
	for i := range 3 {
		before := st.QueryCount()
		resp, header := postCounted(t, ts.URL, query)
		if len(resp.Errors) > 0 {
			t.Fatalf("errors: %+v", resp.Errors)
		}
		if n := st.QueryCount() - before; n != 1 || header != 1 {
			t.Errorf("run %d: %d Neo4j queries (header: %d), want 1", i, n, header)
		}
		if err := json.Unmarshal(resp.Data, &got); err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		if !bytes.Equal(a, b) {
			t.Errorf("Neo4j answered %s, the embedded store %s", a, b)
		}
	}
}
