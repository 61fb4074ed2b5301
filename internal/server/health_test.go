package server_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pcnet/graph"
	"pcnet/internal/observe"
	"pcnet/internal/pcnet"
	"pcnet/internal/server"
	"pcnet/internal/storeguard"
)

var errDown = errors.New("dial tcp 127.0.0.1:7687: connect: connection refused")

// flakyStore is a store whose database can be switched off: then Ping
// fails, and so do its queries, with an error it classifies as an outage
// (like neo4j.Store).
type flakyStore struct {
	graph.Backend
	down    atomic.Bool
	queries atomic.Int64
	pings   atomic.Int64
}

func (s *flakyStore) Ping(context.Context) error {
	s.pings.Add(1)
	if s.down.Load() {
		return errDown
	}
	return nil
}

func (s *flakyStore) IsUnavailable(err error) bool { return errors.Is(err, errDown) }

func (s *flakyStore) Regions(ctx context.Context, codes []string) ([]pcnet.Region, error) {
	s.queries.Add(1)
	if s.down.Load() {
		return nil, errDown
	}
	return s.Backend.Regions(ctx, codes)
}

func get(t testing.TB, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// liveness bounds a wait for what must happen (the probe seeing the store
// again): only a broken build reaches it, however busy the machine.
const liveness = 2 * time.Minute

// waitFor polls cond every 10ms for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func TestHealthz(t *testing.T) {
	_, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	status, body := get(t, ts.URL+server.HealthzPath)
	if status != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Errorf("/healthz: %d %s", status, body)
	}
	// The embedded store is always ready.
	if status, body := get(t, ts.URL+server.ReadyzPath); status != http.StatusOK || !strings.Contains(body, `"ready"`) {
		t.Errorf("/readyz: %d %s", status, body)
	}
}

// An outage met by a query marks the store down: /readyz fails, and the
// following queries fail at once with "unavailable" without reaching the
// store; once the store answers a probe again, everything recovers.
func TestOutageAndRecovery(t *testing.T) {
	_, store := loadShipped(t)
	flaky := &flakyStore{Backend: store}
	metrics := observe.NewMetrics()
	avail := storeguard.NewAvailability(flaky, storeguard.AvailabilityOptions{ProbeInterval: 50 * time.Millisecond, OnChange: metrics.SetStoreUp})
	ts := newServer(t, flaky, server.Options{Availability: avail, Metrics: metrics})
	regions := query(t, `{ regions { code } }`, nil)

	if r := send(t, ts, regions, nil); len(r.gql.Errors) > 0 {
		t.Fatalf("before the outage: %s", r.body)
	}
	if status, _ := get(t, ts.URL+server.ReadyzPath); status != http.StatusOK {
		t.Fatalf("/readyz before the outage: %d", status)
	}

	flaky.down.Store(true)
	r := send(t, ts, regions, nil)
	if errorCode(r) != pcnet.EUNAVAILABLE || strings.Contains(string(r.body), "7687") {
		t.Fatalf("query meeting the outage: %s, want unavailable, without the driver's message", r.body)
	}
	if avail.Up() {
		t.Error("the store is still taken to be up")
	}
	before := flaky.queries.Load()
	// Failing fast is shown by counting, not timing: no query reaches the store.
	for range 20 {
		r := send(t, ts, regions, nil)
		if errorCode(r) != pcnet.EUNAVAILABLE {
			t.Fatalf("during the outage: %s", r.body)
		}
	}
	if n := flaky.queries.Load() - before; n != 0 {
		t.Errorf("%d queries reached the store during the outage", n)
	}
	status, body := get(t, ts.URL+server.ReadyzPath)
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "connection refused") {
		t.Errorf("/readyz during the outage: %d %s", status, body)
	}
	if v := scrape(t, ts, "pcnet_store_up", ""); v != 0 {
		t.Errorf("pcnet_store_up = %v during the outage", v)
	}

	flaky.down.Store(false)
	// Requests and /readyz probe the store at most every ProbeInterval.
	if !waitFor(liveness, func() bool { status, _ := get(t, ts.URL+server.ReadyzPath); return status == http.StatusOK }) {
		t.Fatal("/readyz didn't recover within 3s of the store")
	}
	if r := send(t, ts, regions, nil); len(r.gql.Errors) > 0 {
		t.Errorf("after the outage: %s", r.body)
	}
	if v := scrape(t, ts, "pcnet_store_up", ""); v != 1 {
		t.Errorf("pcnet_store_up = %v after the outage", v)
	}
	if n := flaky.pings.Load(); n > 200 {
		t.Errorf("%d pings: the store is probed much more often than every 50ms", n)
	}
}

// Watch notices an outage with no request in flight, and the end of it.
func TestWatch(t *testing.T) {
	_, store := loadShipped(t)
	flaky := &flakyStore{Backend: store}
	avail := storeguard.NewAvailability(flaky, storeguard.AvailabilityOptions{ProbeInterval: 20 * time.Millisecond, CheckInterval: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { avail.Watch(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	flaky.down.Store(true)
	if !waitFor(liveness, func() bool { return !avail.Up() }) {
		t.Fatal("Watch didn't notice the outage")
	}
	flaky.down.Store(false)
	if !waitFor(liveness, avail.Up) {
		t.Fatal("Watch didn't notice the recovery")
	}
	if flaky.queries.Load() != 0 {
		t.Error("Watch ran queries: it should only ping")
	}
}

// A store unreachable at start-up is down until it answers and its setup
// (the migrations) succeeds; setup runs until it succeeds, then never again.
func TestStartDownAndSetup(t *testing.T) {
	_, store := loadShipped(t)
	flaky := &flakyStore{Backend: store}
	flaky.down.Store(true)
	var setups, failSetups atomic.Int64
	failSetups.Store(1)
	avail := storeguard.NewAvailability(flaky, storeguard.AvailabilityOptions{
		StartDown:     true,
		ProbeInterval: 20 * time.Millisecond,
		Setup: func(context.Context) error {
			setups.Add(1)
			if failSetups.Add(-1) >= 0 {
				return errors.New("migration failed")
			}
			return nil
		},
	})
	ts := newServer(t, flaky, server.Options{Availability: avail})
	if r := send(t, ts, query(t, `{ regions { code } }`, nil), nil); errorCode(r) != pcnet.EUNAVAILABLE {
		t.Fatalf("before the store answers: %s", r.body)
	}
	if status, _ := get(t, ts.URL+server.ReadyzPath); status != http.StatusServiceUnavailable {
		t.Errorf("/readyz before the store answers: %d", status)
	}
	if setups.Load() != 0 {
		t.Error("setup ran while the store was down")
	}
	flaky.down.Store(false)
	if !waitFor(liveness, func() bool { status, _ := get(t, ts.URL+server.ReadyzPath); return status == http.StatusOK }) {
		t.Fatal("/readyz didn't recover")
	}
	for range 5 {
		get(t, ts.URL+server.ReadyzPath)
	}
	if n := setups.Load(); n != 2 {
		t.Errorf("setup ran %d times, want 2 (one failure, one success)", n)
	}
	if r := send(t, ts, query(t, `{ regions { code } }`, nil), nil); len(r.gql.Errors) > 0 {
		t.Errorf("after recovery: %s", r.body)
	}
}

// scrape reads one sample from /metrics: the metric name with exactly
// the labels given (as in the text format, e.g. `method="Regions"`), or
// -1 when there is none.
func scrape(t testing.TB, ts *httptest.Server, name, labels string) float64 {
	t.Helper()
	status, body := get(t, ts.URL+server.MetricsPath)
	if status != http.StatusOK {
		t.Fatalf("/metrics: %d", status)
	}
	return sample(body, name, labels)
}

func sample(body, name, labels string) float64 {
	prefix := name + " "
	if labels != "" {
		prefix = name + "{" + labels + "} "
	}
	for _, line := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}
