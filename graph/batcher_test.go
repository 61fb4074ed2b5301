package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"pcnet/examples"
	"pcnet/internal/dataset"
	"pcnet/internal/memory"
	"pcnet/internal/pcnet"
)

// The planner must foresee every load of every example: a load it misses
// is sent on its own (a miss), which is where a level could split. No
// batch of a planned request may wait for the time window either.
// batchingWait is long, so a batch sent by the window shows as a fallback.
const batchingWait = 200 * time.Millisecond

var shippedMemory = sync.OnceValues(func() (pcnet.Dataset, error) {
	ds, _, err := dataset.Dataset()
	return ds, err
})

func newBatchingServer(t *testing.T) (*handler.Server, *memory.Store) {
	t.Helper()
	ds, err := shippedMemory()
	if err != nil {
		t.Fatal(err)
	}
	st, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	r := &Resolver{Store: st, Writer: st, Today: func() pcnet.Date { return pcnet.MustDate("2025-06-30") }}
	schema := NewSchema(r)
	srv := handler.New(schema)
	srv.AddTransport(transport.POST{})
	srv.Use(extension.Introspection{})
	srv.Use(LevelBatching{Schema: schema})
	return srv, st
}

// runCounted runs one operation with fresh loaders and returns them, with
// the response body.
func runCounted(t *testing.T, srv *handler.Server, st Backend, query string, vars map[string]any, actor *pcnet.Actor) (*Loaders, string) {
	t.Helper()
	return runCountedWith(t, srv, st, query, vars, actor, batchingWait)
}

func runCountedWith(t *testing.T, srv *handler.Server, st Backend, query string, vars map[string]any, actor *pcnet.Actor, wait time.Duration) (*Loaders, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	l := NewLoaders(st, wait)
	ctx := WithLoaders(req.Context(), l)
	if actor != nil {
		ctx = pcnet.WithActor(ctx, *actor)
	}
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.ServeHTTP(rec, req.WithContext(ctx))
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("request stuck")
	}
	return l, rec.Body.String()
}

func checkBalanced(t *testing.T, name string, l *Loaders, body string) {
	t.Helper()
	if !l.tracker.armed.Load() {
		t.Errorf("%s: the operation was not planned", name)
	}
	if n := l.tracker.misses.Load(); n != 0 {
		t.Errorf("%s: %d loads below the root the plan did not foresee\n%.300s", name, n, body)
	}
	if n := l.tracker.fallbacks.Load(); n != 0 {
		t.Errorf("%s: %d batches sent by the time window instead of the count\n%.300s", name, n, body)
	}
}

func TestPlanForeseesEveryExample(t *testing.T) {
	srv, st := newBatchingServer(t)
	for _, op := range examples.All() {
		l, body := runCounted(t, srv, st, op.Query, nil, nil)
		if strings.Contains(body, `"errors"`) {
			t.Errorf("%s: %.300s", op.Name, body)
		}
		checkBalanced(t, op.Name, l, body)
	}
}

// The shapes gqlgen resolves in unusual orders or not at all: fields
// without a resolver whose subtrees block (their later siblings wait),
// arguments that fail (the field is never resolved), fragments, aliases,
// directives, introspection, errors, and mutations, run one root field
// after another.
func TestPlanForeseesAwkwardShapes(t *testing.T) {
	srv, st := newBatchingServer(t)
	planner := &pcnet.Actor{Subject: "test", Role: pcnet.RolePlanner}
	ds, _ := shippedMemory()
	svc := ds.Services[0]
	var comuni []string
	for _, c := range ds.Comuni {
		if c.ProvinceCode == svc.ProviderCode && len(comuni) < 2 {
			comuni = append(comuni, c.Code)
		}
	}
	writeVars := map[string]any{"svc": svc.ID, "comuni": comuni, "one": comuni[:1]}
	tests := []struct {
		name   string
		query  string
		vars   map[string]any
		actor  *pcnet.Actor
		errors bool
	}{
		{"blocking subtree before siblings", `{ reach(asOf: "2025-06-30", groupBy: REGION) { group { name kind } covered { comuni } services } }`, nil, nil, false},
		{"blocking subtree before resolvers", `{ coverageGaps(region: "03", sector: "personnel", asOf: "2025-06-30", first: 5) {
			edges { node { name province { name region { name } } } } pageInfo { hasNextPage } uncovered { comuni } territory { comuni } } }`, nil, nil, false},
		{"nested blocking subtrees", `{ tutorPath(from: "108", to: "004") { links { from { code region { name } } to { code } tutorships { tutor { name } sector { name } } } provinces { name } length } }`, nil, nil, false},
		{"fragments and aliases", `query { a: region(code: "03") { ...R } b: region(code: "01") { ...R } } fragment R on Region { code p: provinces { ... on Province { code services { id } } } q: provinces { name } }`, nil, nil, false},
		{"skip and include", `query($s: Boolean!) { regions { code provinces @skip(if: $s) { code } name @include(if: $s) } }`, map[string]any{"s": true}, nil, false},
		{"typename everywhere", `{ __typename regions { __typename provinces { __typename code } } }`, nil, nil, false},
		{"introspection", `{ __schema { types { name fields { name type { name kind ofType { name } } } } } __type(name: "Province") { name } }`, nil, nil, false},
		{"bad argument below", `{ comune(istat: "001272") { name coverages(activeOn: "30/06/2025") { since } province { name } } }`, nil, nil, true},
		{"bad argument at the root", `{ coverageGaps(region: "03", sector: "personnel", asOf: "30/06/2025") { totalCount } regions { code provinces { code } } }`, nil, nil, true},
		{"resolver error", `{ regions { code } coverageGaps(region: "03", sector: "nope") { totalCount } }`, nil, nil, true},
		{"empty results", `{ province(code: "999") { code services { id } } comuni(filter: {nameContains: "zzzzzz"}, first: 5) { edges { node { province { name } } } } }`, nil, nil, false},
		{"mutation, two root fields", `mutation($svc: ID!, $comuni: [String!]!, $one: [String!]!) {
			a: addCoverage(serviceId: $svc, comuneCodes: $comuni, since: "2030-02-01", phase: PILOT) { service { id provider { name } coverage(activeOn: "2030-02-01") { totalCount edges { node { name } } } } changed { comune { name province { name } } } }
			b: endCoverage(serviceId: $svc, comuneCodes: $one, until: "2030-06-01") { service { id } changed { comune { name } } }
		}`, writeVars, planner, false},
		{"mutation refused", `mutation($svc: ID!, $one: [String!]!) { a: addCoverage(serviceId: $svc, comuneCodes: $one, since: "2030-02-01") { service { id } } }`, writeVars, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, body := runCounted(t, srv, st, tt.query, tt.vars, tt.actor)
			if got := strings.Contains(body, `"errors"`); got != tt.errors {
				t.Errorf("errors in the response: %v, want %v: %.400s", got, tt.errors, body)
			}
			// checkBalanced counts the batches the time window sent (fallbacks): a
			// count, not the clock, so a busy machine cannot fail this.
			checkBalanced(t, tt.name, l, body)
		})
	}
}

// Loads that the planner can't see (no LevelBatching, as for subscription
// events) still complete, batched by the time window.
func TestLoadersWithoutCountUseTheWindow(t *testing.T) {
	ds, err := shippedMemory()
	if err != nil {
		t.Fatal(err)
	}
	st, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	l := NewLoaders(st, time.Millisecond)
	ctx := WithLoaders(context.Background(), l)
	var wg sync.WaitGroup
	got := make([]*pcnet.Province, 20)
	for i := range got {
		wg.Go(func() {
			p, err := l.provinceByCode.Load(ctx, ds.Provinces[i].Code)
			if err != nil {
				t.Error(err)
			}
			got[i] = p
		})
	}
	wg.Wait()
	for i, p := range got {
		if p == nil || p.Code != ds.Provinces[i].Code {
			t.Errorf("load %d: got %+v, want Province %s", i, p, ds.Provinces[i].Code)
		}
	}
	if l.tracker.armed.Load() || l.tracker.fallbacks.Load() != 0 {
		t.Errorf("uncounted loads: armed %v, fallbacks %d", l.tracker.armed.Load(), l.tracker.fallbacks.Load())
	}
}

// callCounter counts the store calls of each method it sees.
type callCounter struct {
	Backend
	mu    sync.Mutex
	calls map[string]int
}

func (c *callCounter) count(method string) {
	c.mu.Lock()
	c.calls[method]++
	c.mu.Unlock()
}

func (c *callCounter) Provinces(ctx context.Context, f pcnet.ProvinceFilter) ([]pcnet.Province, error) {
	c.count("Provinces")
	return c.Backend.Provinces(ctx, f)
}

func (c *callCounter) Services(ctx context.Context, f pcnet.ServiceFilter) ([]pcnet.SharedService, error) {
	c.count("Services")
	return c.Backend.Services(ctx, f)
}

func (c *callCounter) Sectors(ctx context.Context) ([]pcnet.Sector, error) {
	c.count("Sectors")
	return c.Backend.Sectors(ctx)
}

func (c *callCounter) Reach(ctx context.Context, qs []pcnet.ReachQuery) ([][]pcnet.ReachRow, error) {
	c.count("Reach")
	return c.Backend.Reach(ctx, qs)
}

func (c *callCounter) Coverages(ctx context.Context, qs []pcnet.CoverageQuery) ([]pcnet.CoveragePage, error) {
	c.count("Coverages")
	return c.Backend.Coverages(ctx, qs)
}

func (c *callCounter) Comuni(ctx context.Context, qs []pcnet.ComuneQuery) ([]pcnet.ComunePage, error) {
	c.count("Comuni")
	return c.Backend.Comuni(ctx, qs)
}

// Every level of the national dashboard goes to the store once, run after
// run, however the scheduler interleaves the resolvers and the store calls
// (the memory store answers in microseconds, so a level's calls often
// complete while the others are still being sent: each round's calls must
// all be counted before any is sent). Run it with -race too, whose slower,
// shuffled scheduling found that case.
func TestLevelBatchingNeverSplitsALevel(t *testing.T) {
	ds, err := shippedMemory()
	if err != nil {
		t.Fatal(err)
	}
	st, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	c := &callCounter{Backend: st, calls: make(map[string]int)}
	schema := NewSchema(&Resolver{Store: c})
	srv := handler.New(schema)
	srv.AddTransport(transport.POST{})
	srv.Use(LevelBatching{Schema: schema})
	const query = `{ regions { code provinces { code services { id area { code } reach(asOf: "2025-06-30") { covered { comuni } base { comuni } }
		coverage(first: 20, activeOn: "2025-06-30") { totalCount edges { since node { code name } } } } } } }`
	want := map[string]int{"Provinces": 1, "Services": 1, "Sectors": 1, "Reach": 1, "Coverages": 1, "Comuni": 1}
	for run := range 30 {
		c.mu.Lock()
		clear(c.calls)
		c.mu.Unlock()
		l, body := runCountedWith(t, srv, c, query, nil, nil, DefaultLoaderWait)
		checkBalanced(t, "dashboard", l, body)
		c.mu.Lock()
		if !maps.Equal(c.calls, want) {
			t.Errorf("run %d: store calls %v, want %v", run, c.calls, want)
		}
		c.mu.Unlock()
	}
}
