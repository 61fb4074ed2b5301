package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"pcnet/graph"
	"pcnet/internal/dataset"
	"pcnet/internal/memory"
	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

// today pins the day that date arguments default to, so answers don't
// depend on when the tests run.
var today = pcnet.MustDate("2025-06-30")

// shipped loads the shipped dataset and its memory store once for the
// whole test binary: building them takes a few hundred milliseconds.
var shipped = sync.OnceValues(func() (*pcnet.Dataset, error) {
	ds, _, err := dataset.Dataset()
	return &ds, err
})

var shippedStore = sync.OnceValues(func() (*memory.Store, error) {
	ds, err := shipped()
	if err != nil {
		return nil, err
	}
	return memory.New(*ds)
})

func loadShipped(t testing.TB) (*pcnet.Dataset, *memory.Store) {
	t.Helper()
	ds, err := shipped()
	if err != nil {
		t.Fatal(err)
	}
	st, err := shippedStore()
	if err != nil {
		t.Fatal(err)
	}
	return ds, st
}

// newServer starts the handler over store on an httptest server.
func newServer(t testing.TB, store graph.Backend, opts server.Options) *httptest.Server {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Today == nil {
		opts.Today = func() pcnet.Date { return today }
	}
	if opts.Limits.Timeout == 0 {
		// No request deadline unless the test is about one: on a busy machine
		// the 15 s default would fail a correct query with "timeout".
		opts.Limits.Timeout = -1
	}
	ts := httptest.NewServer(server.New(store, opts))
	t.Cleanup(ts.Close)
	return ts
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// post runs a GraphQL request and returns the raw response.
func post(t testing.TB, ts *httptest.Server, query string, vars map[string]any) gqlResponse {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+server.GraphQLPath, bytes.NewReader(body))
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
		t.Fatalf("status %d, body %s: %v", resp.StatusCode, raw, err)
	}
	return out
}

// run runs a query that must succeed and decodes its data into out.
func run(t testing.TB, ts *httptest.Server, query string, vars map[string]any, out any) {
	t.Helper()
	resp := post(t, ts, query, vars)
	if len(resp.Errors) > 0 {
		t.Fatalf("query failed: %+v\nquery: %s", resp.Errors, query)
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		t.Fatalf("decoding %s: %v", resp.Data, err)
	}
}

// countingStore counts the calls made to each Store and Analytics method.
type countingStore struct {
	graph.Backend
	mu      sync.Mutex
	calls   map[string]int
	queries int // reach queries received, over all Reach calls
}

func newCountingStore(s graph.Backend) *countingStore {
	return &countingStore{Backend: s, calls: make(map[string]int)}
}

func (c *countingStore) count(method string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[method]++
}

func (c *countingStore) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.calls))
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

func (c *countingStore) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.calls)
	c.queries = 0
}

func (c *countingStore) reachQueries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queries
}

func (c *countingStore) Regions(ctx context.Context, codes []string) ([]pcnet.Region, error) {
	c.count("Regions")
	return c.Backend.Regions(ctx, codes)
}

func (c *countingStore) Provinces(ctx context.Context, f pcnet.ProvinceFilter) ([]pcnet.Province, error) {
	c.count("Provinces")
	return c.Backend.Provinces(ctx, f)
}

func (c *countingStore) Comuni(ctx context.Context, q []pcnet.ComuneQuery) ([]pcnet.ComunePage, error) {
	c.count("Comuni")
	return c.Backend.Comuni(ctx, q)
}

func (c *countingStore) Sectors(ctx context.Context) ([]pcnet.Sector, error) {
	c.count("Sectors")
	return c.Backend.Sectors(ctx)
}

func (c *countingStore) Services(ctx context.Context, f pcnet.ServiceFilter) ([]pcnet.SharedService, error) {
	c.count("Services")
	return c.Backend.Services(ctx, f)
}

func (c *countingStore) Coverages(ctx context.Context, q []pcnet.CoverageQuery) ([]pcnet.CoveragePage, error) {
	c.count("Coverages")
	return c.Backend.Coverages(ctx, q)
}

func (c *countingStore) Tutorships(ctx context.Context, f pcnet.TutorshipFilter) ([]pcnet.Tutorship, error) {
	c.count("Tutorships")
	return c.Backend.Tutorships(ctx, f)
}

func (c *countingStore) ProjectWorks(ctx context.Context, f pcnet.ProjectWorkFilter) ([]pcnet.ProjectWork, error) {
	c.count("ProjectWorks")
	return c.Backend.ProjectWorks(ctx, f)
}

func (c *countingStore) Peers(ctx context.Context, q []pcnet.PeerQuery) ([][]pcnet.Peer, error) {
	c.count("Peers")
	return c.Backend.Peers(ctx, q)
}

func (c *countingStore) TutorLinks(ctx context.Context, q []pcnet.TutorLinkQuery) ([][]pcnet.TutorLink, error) {
	c.count("TutorLinks")
	return c.Backend.TutorLinks(ctx, q)
}

func (c *countingStore) TutorPath(ctx context.Context, q pcnet.TutorPathQuery) (*pcnet.TutorPath, error) {
	c.count("TutorPath")
	return c.Backend.TutorPath(ctx, q)
}

func (c *countingStore) Reach(ctx context.Context, q []pcnet.ReachQuery) ([][]pcnet.ReachRow, error) {
	c.count("Reach")
	c.mu.Lock()
	c.queries += len(q)
	c.mu.Unlock()
	return c.Backend.Reach(ctx, q)
}

func (c *countingStore) ComuniSummaries(ctx context.Context, f []pcnet.ComuneFilter) ([]pcnet.ComuneSummary, error) {
	c.count("ComuniSummaries")
	return c.Backend.ComuniSummaries(ctx, f)
}

func (c *countingStore) NearestProviders(ctx context.Context, q []pcnet.NearestQuery) ([][]pcnet.ProviderDistance, error) {
	c.count("NearestProviders")
	return c.Backend.NearestProviders(ctx, q)
}

func (c *countingStore) ProjectWorkCounts(ctx context.Context, f pcnet.ProjectWorkFilter, by pcnet.ProjectWorkGrouping) ([]pcnet.ProjectWorkCount, error) {
	c.count("ProjectWorkCounts")
	return c.Backend.ProjectWorkCounts(ctx, f, by)
}

// syncWriter serialises writes from concurrent goroutines (log handlers
// write from every request).
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// getURL is http.Get bound to the test's context, so a hung server can't
// outlive the test.
func getURL(t testing.TB, url string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return http.DefaultClient.Do(req)
}
