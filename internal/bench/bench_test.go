package bench

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pcnet/internal/dataset"
	"pcnet/internal/memory"
	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

var shipped = sync.OnceValues(func() (pcnet.Dataset, error) {
	ds, _, err := dataset.Dataset()
	return ds, err
})

func shippedData(t *testing.T) (pcnet.Dataset, *Data) {
	t.Helper()
	ds, err := shipped()
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewData(ds)
	if err != nil {
		t.Fatal(err)
	}
	return ds, d
}

func TestHistogramQuantiles(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h histogram
	var samples []time.Duration
	for range 20000 {
		// Log-uniform from 50 µs to 500 ms: the range of real latencies.
		d := time.Duration(50e3 * math.Pow(10, 4*r.Float64()))
		samples = append(samples, d)
		h.add(d)
	}
	slices.Sort(samples)
	for _, q := range []float64{0.5, 0.9, 0.95, 0.99, 0.999, 1} {
		want := samples[int(q*float64(len(samples)))-1]
		got := h.quantile(q)
		if got < want || float64(got) > 1.002*float64(want) {
			t.Errorf("quantile %v = %s, want %s within 0.2%% above", q, got, want)
		}
	}
	if h.max != samples[len(samples)-1] {
		t.Errorf("max = %s, want %s", h.max, samples[len(samples)-1])
	}
	var merged histogram
	merged.merge(&h)
	merged.merge(&h)
	if merged.n != 2*h.n || merged.quantile(0.5) != h.quantile(0.5) {
		t.Errorf("merging a histogram with itself: n %d (want %d), median %s (want %s)", merged.n, 2*h.n, merged.quantile(0.5), h.quantile(0.5))
	}
	var empty histogram
	if empty.quantile(0.99) != 0 || empty.mean() != 0 {
		t.Error("an empty histogram has quantiles")
	}
}

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080/graphql", true},
		{"http://localhost:8080/graphql", true},
		{"http://[::1]:8080/graphql", true},
		{"bolt://127.0.0.1:7687", true},
		{"http://127.0.0.2:8080/graphql", true}, // all of 127/8 is loopback
		{"http://10.0.0.1:8080/graphql", false},
		{"http://example.org/graphql", false},
		{"neo4j+s://db.example.org", false},
		{"http://0.0.0.0:8080/graphql", false},
		{"127.0.0.1:8080", false}, // no scheme: not a URL with a host
	}
	for _, tt := range tests {
		if err := checkLoopback("--url", tt.url); (err == nil) != tt.ok {
			t.Errorf("checkLoopback(%q) = %v, want ok %v", tt.url, err, tt.ok)
		}
	}
}

func TestParseMix(t *testing.T) {
	mix, err := ParseMix(DefaultMix)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	total := 0
	for _, w := range mix {
		names = append(names, w.Op.Name)
		total += w.Weight
	}
	if !slices.Equal(names, []string{"lookup", "dashboard", "reach", "gaps", "path", "page"}) || total != 100 {
		t.Errorf("default mix: %v, total weight %d; want the six documented operations weighing 100", names, total)
	}
	for _, bad := range []string{"", "lookup", "lookup=x", "lookup=-1", "nope=1", "lookup=1,lookup=2", "lookup=0"} {
		if _, err := ParseMix(bad); err == nil {
			t.Errorf("ParseMix(%q) accepted", bad)
		}
	}
	if mix, err := ParseMix(" dashboard_italy = 3 , lookup=0"); err != nil || len(mix) != 1 || mix[0].Weight != 3 {
		t.Errorf("ParseMix with spaces and a zero weight: %+v, %v", mix, err)
	}
	// Picking follows the weights.
	r := rand.New(rand.NewPCG(3, 4))
	counts := make(map[string]int)
	def := mix0(t)
	for range 100000 {
		counts[pick(r, def, 100).Name]++
	}
	for _, w := range def {
		if share := float64(counts[w.Op.Name]) / 1000; share < float64(w.Weight)-1 || share > float64(w.Weight)+1 {
			t.Errorf("%s picked %.1f%% of the time, want %d%%", w.Op.Name, share, w.Weight)
		}
	}
}

func mix0(t *testing.T) []Weighted {
	mix, err := ParseMix(DefaultMix)
	if err != nil {
		t.Fatal(err)
	}
	return mix
}

func TestNewDataPathsFollowTutorships(t *testing.T) {
	ds, d := shippedData(t)
	tutor := make(map[string]string) // tutored → a tutor
	linked := make(map[[2]string]bool)
	for _, tu := range ds.Tutorships {
		linked[[2]string{tu.TutorCode, tu.TutoredCode}] = true
		linked[[2]string{tu.TutoredCode, tu.TutorCode}] = true
		tutor[tu.TutoredCode] = tu.TutorCode
	}
	for _, p := range d.Paths {
		if linked[p] {
			continue
		}
		// Two Provinces with a common tutor.
		common := false
		for _, tu := range ds.Tutorships {
			if tu.TutoredCode == p[0] && linked[[2]string{tu.TutorCode, p[1]}] {
				common = true
			}
		}
		if !common {
			t.Errorf("path %v: neither a tutorship nor two Provinces with a common tutor", p)
		}
	}
	if len(d.Comuni) != len(ds.Comuni) || len(d.Regions) != 20 {
		t.Errorf("%d Comuni, %d regions", len(d.Comuni), len(d.Regions))
	}
}

// A short run against an in-process server over the memory store: every
// operation of the mix answers without errors, and the store calls the
// server reports per request are its query levels.
func TestRunAgainstServer(t *testing.T) {
	ds, d := shippedData(t)
	st, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(server.New(st, server.Options{
		StoreCallStats: true,
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		Limits:         server.Limits{Timeout: -1}, // no deadline: a busy machine must not fail a correct query
	}))
	defer ts.Close()
	mix, err := ParseMix(DefaultMix + ",dashboard_italy=5")
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	rep, err := Run(context.Background(), Config{
		URL: ts.URL + server.GraphQLPath, Clients: 3, Duration: 1500 * time.Millisecond, Warmup: 100 * time.Millisecond,
		Mix: mix, Data: d, Seed: 7, Progress: &progress,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Baseline != nil {
		t.Error("a baseline phase without a Neo4j")
	}
	// Store calls per request, level by level: lookup reads the Comune,
	// then its Province and region together; the dashboard its region,
	// Provinces, services, then areas and coverages together, then Comuni.
	// The filtered page is one Comuni query.
	wantCalls := map[string]float64{"lookup": 3, "dashboard": 6, "dashboard_italy": 5, "page": 1}
	var total int64
	for _, w := range mix {
		s := rep.GraphQL.Ops[w.Op.Name]
		if s == nil || s.Requests == 0 {
			t.Errorf("%s: no requests", w.Op.Name)
			continue
		}
		total += s.Requests
		if s.Errors > 0 {
			t.Errorf("%s: %d errors, first: %s", w.Op.Name, s.Errors, s.FirstError)
		}
		if want, ok := wantCalls[w.Op.Name]; ok && s.StoreCallsPerRequest() != want {
			t.Errorf("%s: %.2f store calls per request, want %v", w.Op.Name, s.StoreCallsPerRequest(), want)
		}
		if s.StoreCallsPerRequest() < 1 {
			t.Errorf("%s: %.2f store calls per request", w.Op.Name, s.StoreCallsPerRequest())
		}
		if p50, p99 := s.Quantile(0.5), s.Quantile(0.99); p50 <= 0 || p99 < p50 || s.Max() < p99 {
			t.Errorf("%s: p50 %s, p99 %s, max %s", w.Op.Name, p50, p99, s.Max())
		}
	}
	if rep.GraphQL.Total.Requests != total {
		t.Errorf("total %d requests, the operations add up to %d", rep.GraphQL.Total.Requests, total)
	}
	if rep.MaxRSSBytes <= 0 {
		t.Error("no RSS read from /metrics")
	}
	var out bytes.Buffer
	rep.Print(&out)
	for _, want := range []string{"lookup", "dashboard_italy", "store calls/req", "peak RSS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(progress.String(), "graphql: 3 clients") {
		t.Errorf("progress: %q", progress.String())
	}
}

func TestRunRefusesRemoteTargetsAndUnboundedRuns(t *testing.T) {
	_, d := shippedData(t)
	mix := mix0(t)
	good := Config{URL: "http://127.0.0.1:1/graphql", Clients: 1, Duration: time.Second, Mix: mix, Data: d}
	tests := []struct {
		name   string
		change func(*Config)
	}{
		{"remote server", func(c *Config) { c.URL = "http://192.0.2.1/graphql" }},
		{"remote Neo4j", func(c *Config) { c.Neo4j.URI = "bolt://192.0.2.1:7687" }},
		{"no clients", func(c *Config) { c.Clients = 0 }},
		{"too many clients", func(c *Config) { c.Clients = MaxClients + 1 }},
		{"no duration", func(c *Config) { c.Duration = 0 }},
		{"too long", func(c *Config) { c.Duration = MaxDuration + time.Second }},
		{"empty mix", func(c *Config) { c.Mix = nil }},
		{"baseline only without a Neo4j", func(c *Config) { c.BaselineOnly = true }},
	}
	for _, tt := range tests {
		cfg := good
		tt.change(&cfg)
		if _, err := Run(context.Background(), cfg); err == nil || strings.Contains(err.Error(), "connection refused") {
			t.Errorf("%s: err = %v, want a refusal before any request", tt.name, err)
		}
	}
}
