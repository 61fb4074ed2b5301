// Package bench is pcnet's load benchmark (`pcnet bench`): it drives a
// running pcnet server with concurrent clients over a fixed mix of
// operations for a fixed time, and reports throughput, latency quantiles,
// errors and the store calls each request cost. Given a Neo4j, it then
// runs the same mix as hand-written Cypher through the driver, the
// baseline a GraphQL layer over Neo4j is measured against.
//
// It only drives targets on loopback, and every loop it runs is bounded by
// the run's duration.
package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Limits of a run.
const (
	MaxClients  = 256
	MaxDuration = 10 * time.Minute
)

// StoreCallsHeader is the response header where a server started with
// --debug-stats reports each request's store calls (server.StoreCallsHeader).
const StoreCallsHeader = "X-Pcnet-Store-Calls"

// Config is a benchmark run.
type Config struct {
	URL      string        // the GraphQL endpoint, e.g. http://127.0.0.1:8080/graphql
	Clients  int           // concurrent clients, each with one request in flight
	Duration time.Duration // measured time of each phase
	Warmup   time.Duration // unmeasured time before each phase
	Mix      []Weighted
	Data     *Data
	Seed     uint64
	// Neo4j, when URI is set, is the database the baseline phase reads
	// with hand-written Cypher.
	Neo4j Neo4jTarget
	// BaselineOnly skips the GraphQL phase (URL is then not used), so a
	// script can measure the processes serving the baseline alone
	// (scripts/bench-table.sh reads their CPU time per phase).
	BaselineOnly bool
	// Progress, if set, receives a line as each phase starts.
	Progress io.Writer
}

// Neo4jTarget says how to reach the baseline's Neo4j.
type Neo4jTarget struct {
	URI, Username, Password, Database string
}

// Report is the outcome of a run: the GraphQL phase, and the baseline
// phase when a Neo4j was given.
type Report struct {
	Config   Config
	GraphQL  *Phase
	Baseline *Phase
	// MaxRSSBytes is the largest resident memory the server reported in
	// its /metrics during the GraphQL phase (0 when it has none).
	MaxRSSBytes int64
}

// Phase is the measurements of one phase.
type Phase struct {
	Name    string
	Elapsed time.Duration
	Ops     map[string]*OpStats
	Total   *OpStats
}

// OpStats is the measurements of one operation (or of all).
type OpStats struct {
	Name       string
	Requests   int64
	Errors     int64
	FirstError string
	latency    histogram
	storeCalls int64 // sum of the header values
	counted    int64 // requests that reported store calls
}

func newOpStats(name string) *OpStats { return &OpStats{Name: name} }

func (s *OpStats) merge(o *OpStats) {
	s.Requests += o.Requests
	s.Errors += o.Errors
	if s.FirstError == "" {
		s.FirstError = o.FirstError
	}
	s.latency.merge(&o.latency)
	s.storeCalls += o.storeCalls
	s.counted += o.counted
}

// Quantile returns a latency quantile (0.5 for the median).
func (s *OpStats) Quantile(q float64) time.Duration { return s.latency.quantile(q) }

// Mean returns the mean latency.
func (s *OpStats) Mean() time.Duration { return s.latency.mean() }

// Max returns the largest latency.
func (s *OpStats) Max() time.Duration { return s.latency.max }

// StoreCallsPerRequest returns the mean store calls per request, or -1
// when the server didn't report them.
func (s *OpStats) StoreCallsPerRequest() float64 {
	if s.counted == 0 {
		return -1
	}
	return float64(s.storeCalls) / float64(s.counted)
}

// Throughput returns requests per second over elapsed.
func (s *OpStats) Throughput(elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return float64(s.Requests) / elapsed.Seconds()
}

func (c *Config) check() error {
	if c.BaselineOnly && c.Neo4j.URI == "" {
		return errors.New("--baseline-only: no Neo4j given (--neo4j-uri or NEO4J_URI)")
	}
	if err := checkLoopback("--url", c.URL); err != nil && !c.BaselineOnly {
		return err
	}
	if c.Neo4j.URI != "" {
		if err := checkLoopback("--neo4j-uri", c.Neo4j.URI); err != nil {
			return err
		}
	}
	switch {
	case c.Clients < 1 || c.Clients > MaxClients:
		return fmt.Errorf("--clients: %d is not in 1..%d", c.Clients, MaxClients)
	case c.Duration <= 0 || c.Duration > MaxDuration:
		return fmt.Errorf("--duration: %s is not in (0, %s]", c.Duration, MaxDuration)
	case c.Warmup < 0 || c.Warmup > MaxDuration:
		return fmt.Errorf("--warmup: %s is not in [0, %s]", c.Warmup, MaxDuration)
	case len(c.Mix) == 0:
		return errors.New("the mix is empty")
	case c.Data == nil:
		return errors.New("no data to draw arguments from")
	}
	return nil
}

// Run runs the benchmark: the GraphQL phase (unless cfg.BaselineOnly),
// then the baseline phase when cfg.Neo4j.URI is set.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	rep := &Report{Config: cfg}
	if !cfg.BaselineOnly {
		if err := rep.runGraphQL(ctx); err != nil {
			return nil, err
		}
	}
	if cfg.Neo4j.URI == "" {
		return rep, nil
	}
	b, err := openBaseline(ctx, cfg.Neo4j)
	if err != nil {
		return nil, err
	}
	defer b.close()
	if err := preflight(ctx, b, cfg); err != nil {
		return nil, fmt.Errorf("Neo4j baseline: %w", err)
	}
	if rep.Baseline, err = runPhase(ctx, "baseline", b, cfg); err != nil {
		return nil, err
	}
	return rep, nil
}

// runGraphQL runs the GraphQL phase into r.
func (r *Report) runGraphQL(ctx context.Context) error {
	cfg := r.Config
	client := &http.Client{
		Transport: &http.Transport{
			MaxIdleConns:        cfg.Clients,
			MaxIdleConnsPerHost: cfg.Clients,
			IdleConnTimeout:     time.Minute,
		},
		Timeout: time.Minute,
	}
	defer client.CloseIdleConnections()
	g := &graphqlTarget{client: client, url: cfg.URL}
	if err := preflight(ctx, g, cfg); err != nil {
		return fmt.Errorf("GraphQL server at %s: %w", cfg.URL, err)
	}
	rss := startRSSWatch(ctx, client, metricsURL(cfg.URL))
	phase, err := runPhase(ctx, "graphql", g, cfg)
	r.MaxRSSBytes = rss()
	if err != nil {
		return err
	}
	r.GraphQL = phase
	return nil
}

// target answers one operation: GraphQL over HTTP, or Cypher.
type target interface {
	do(ctx context.Context, op Operation, args map[string]any) (storeCalls int, err error)
}

// preflight runs every operation of the mix once, so a broken target
// fails fast instead of filling a report with errors.
func preflight(ctx context.Context, t target, cfg Config) error {
	r := rand.New(rand.NewPCG(cfg.Seed, 0))
	for _, w := range cfg.Mix {
		if _, err := t.do(ctx, w.Op, w.Op.Args(r, cfg.Data)); err != nil {
			return fmt.Errorf("%s: %w", w.Op.Name, err)
		}
	}
	return nil
}

// runPhase runs cfg.Clients clients against t: the warmup, then the
// measured duration. Each client draws its operations from its own seeded
// generator, so runs are repeatable.
func runPhase(ctx context.Context, name string, t target, cfg Config) (*Phase, error) {
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, "%s: %d clients, %s warmup, %s measured\n", name, cfg.Clients, cfg.Warmup, cfg.Duration)
	}
	total := 0
	for _, w := range cfg.Mix {
		total += w.Weight
	}
	start := time.Now()
	measureFrom := start.Add(cfg.Warmup)
	end := measureFrom.Add(cfg.Duration)
	ctx, cancel := context.WithDeadline(ctx, end.Add(time.Minute)) // a stuck request can't hang the run
	defer cancel()

	perClient := make([]map[string]*OpStats, cfg.Clients)
	var wg sync.WaitGroup
	for c := range cfg.Clients {
		stats := make(map[string]*OpStats)
		perClient[c] = stats
		r := rand.New(rand.NewPCG(cfg.Seed, uint64(c)+1))
		wg.Go(func() {
			for {
				now := time.Now()
				if !now.Before(end) || ctx.Err() != nil {
					return
				}
				op := pick(r, cfg.Mix, total)
				args := op.Args(r, cfg.Data)
				calls, err := t.do(ctx, op, args)
				done := time.Now()
				if now.Before(measureFrom) || done.After(end) {
					continue // warmup, or past the end: not measured
				}
				s := stats[op.Name]
				if s == nil {
					s = newOpStats(op.Name)
					stats[op.Name] = s
				}
				s.Requests++
				s.latency.add(done.Sub(now))
				if err != nil {
					s.Errors++
					if s.FirstError == "" {
						s.FirstError = err.Error()
					}
				}
				if calls >= 0 {
					s.storeCalls += int64(calls)
					s.counted++
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil && time.Now().Before(end) {
		return nil, fmt.Errorf("%s phase interrupted: %w", name, err)
	}
	p := &Phase{Name: name, Elapsed: cfg.Duration, Ops: make(map[string]*OpStats), Total: newOpStats("all")}
	for _, stats := range perClient {
		for op, s := range stats {
			if p.Ops[op] == nil {
				p.Ops[op] = newOpStats(op)
			}
			p.Ops[op].merge(s)
			p.Total.merge(s)
		}
	}
	return p, nil
}

// graphqlTarget posts operations to the server.
type graphqlTarget struct {
	client *http.Client
	url    string
}

var errorsPrefix = []byte(`{"errors"`)

// do posts op. gqlgen writes a response's errors before its data, so a
// response with errors starts with {"errors": checking that prefix spares
// the client decoding every answer (it shares the CPU with the server).
func (g *graphqlTarget) do(ctx context.Context, op Operation, args map[string]any) (int, error) {
	body, err := json.Marshal(map[string]any{"query": op.Query, "variables": args})
	if err != nil {
		return -1, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, bytes.NewReader(body))
	if err != nil {
		return -1, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.client.Do(req)
	if err != nil {
		return -1, err
	}
	defer resp.Body.Close()
	br := bufio.NewReaderSize(resp.Body, 512)
	head, _ := br.Peek(len(errorsPrefix))
	if resp.StatusCode != http.StatusOK || bytes.Equal(head, errorsPrefix) {
		msg, _ := io.ReadAll(io.LimitReader(br, 300))
		return -1, fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(msg))
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return -1, err
	}
	calls := -1
	if h := resp.Header.Get(StoreCallsHeader); h != "" {
		if n, err := strconv.Atoi(h); err == nil {
			calls = n
		}
	}
	return calls, nil
}

// baselineTarget runs the operations' Cypher through the driver, each in
// a managed read transaction, as the Neo4j store does.
type baselineTarget struct {
	driver   neo4jdrv.DriverWithContext
	database string
}

func openBaseline(ctx context.Context, t Neo4jTarget) (*baselineTarget, error) {
	user := t.Username
	if user == "" {
		user = "neo4j"
	}
	driver, err := neo4jdrv.NewDriverWithContext(t.URI, neo4jdrv.BasicAuth(user, t.Password, ""))
	if err != nil {
		return nil, fmt.Errorf("Neo4j baseline: %w", err)
	}
	if err := driver.VerifyConnectivity(ctx); err != nil {
		driver.Close(ctx)
		return nil, fmt.Errorf("Neo4j baseline at %s: %w", t.URI, err)
	}
	return &baselineTarget{driver: driver, database: t.Database}, nil
}

func (b *baselineTarget) close() { b.driver.Close(context.Background()) }

func (b *baselineTarget) do(ctx context.Context, op Operation, args map[string]any) (int, error) {
	_, err := neo4jdrv.ExecuteQuery(ctx, b.driver, op.Cypher, args, neo4jdrv.EagerResultTransformer,
		neo4jdrv.ExecuteQueryWithDatabase(b.database), neo4jdrv.ExecuteQueryWithReadersRouting())
	if err != nil {
		return -1, err
	}
	return 1, nil
}

// metricsURL is the server's /metrics next to its GraphQL endpoint.
func metricsURL(graphqlURL string) string {
	base, _, _ := strings.Cut(graphqlURL, "/graphql")
	return strings.TrimSuffix(base, "/") + "/metrics"
}

// startRSSWatch samples the server's resident memory from its Prometheus
// metrics (process_resident_memory_bytes) every half second until the
// returned function is called, which returns the largest sample (0 when
// the server has no such metric).
func startRSSWatch(ctx context.Context, client *http.Client, url string) func() int64 {
	ctx, cancel := context.WithCancel(ctx)
	var mu sync.Mutex
	var peak int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			if v, ok := scrapeRSS(ctx, client, url); ok {
				mu.Lock()
				peak = max(peak, v)
				mu.Unlock()
			} else if ctx.Err() == nil {
				return // no metrics: stop asking
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

func scrapeRSS(ctx context.Context, client *http.Client, url string) (int64, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, false
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, false
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "process_resident_memory_bytes "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int64(f), err == nil
		}
	}
	return 0, false
}
