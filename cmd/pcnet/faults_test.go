package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"pcnet/internal/neo4j/neo4jtest"
)

// The fault tests run pcnet serve against a Neo4j of their own, started
// and stopped with scripts/neo4j.sh (own state directory, own port), so
// stopping it never disturbs the suite's server. They run when Neo4j
// tests are wanted (NEO4J_TEST_URI set, as `make test` does, or
// PCNET_FAULT_TESTS=1), skip with the `make test` message otherwise, and
// fail under CI=true when Java or Maven is missing.

const faultPassword = "pcnet-fault-test-pw"

// ownNeo4j is a Neo4j server of a test's own.
type ownNeo4j struct {
	t      *testing.T
	script string
	env    []string
	port   int
}

func newOwnNeo4j(t *testing.T) *ownNeo4j {
	t.Helper()
	if testing.Short() {
		t.Skip("fault tests start their own Neo4j: not in -short mode")
	}
	if os.Getenv("PCNET_FAULT_TESTS") == "" {
		neo4jtest.Config(t) // skips (or fails under CI=true) without a test server
	}
	for _, tool := range []string{"java", "mvn"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is missing: the fault tests need Java and Maven to run Neo4j", tool)
			}
			t.Skip(neo4jtest.SkipMessage + " (" + tool + " not found)")
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "scripts", "neo4j.sh")
	if _, err := os.Stat(script); err != nil {
		t.Fatal(err)
	}
	n := &ownNeo4j{t: t, script: script, port: freePort(t)}
	state := t.TempDir()
	n.env = append(os.Environ(),
		"PCNET_NEO4J_STATE="+state,
		fmt.Sprintf("PCNET_NEO4J_PORT=%d", n.port),
		"NEO4J_PASSWORD="+faultPassword,
		"PCNET_NEO4J_HEAP=384m",
		"PCNET_NEO4J_PAGECACHE=32m",
		"PCNET_NEO4J_START_TIMEOUT=180",
		"PCNET_NEO4J_DATA=", // default: inside the state directory
	)
	// Stopped before t.TempDir removes its data (cleanups run last first).
	t.Cleanup(func() { n.run("stop") })
	return n
}

func (n *ownNeo4j) uri() string { return fmt.Sprintf("bolt://127.0.0.1:%d", n.port) }

// run runs a command of scripts/neo4j.sh and returns how long it took.
func (n *ownNeo4j) run(command string) time.Duration {
	n.t.Helper()
	start := time.Now()
	cmd := exec.CommandContext(context.Background(), n.script, command) // also from Cleanup, after t.Context ends
	cmd.Env = n.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		n.t.Fatalf("scripts/neo4j.sh %s: %v\n%s", command, err, out)
	}
	return time.Since(start)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := new(net.ListenConfig).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// boundedLog keeps the start of a log (for the "ready" line) and its last
// lines (for failure reports), so that a load test's access log doesn't
// count as memory growth.
type boundedLog struct {
	mu   sync.Mutex
	head bytes.Buffer
	tail []string
}

func (b *boundedLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.head.Len() < 16<<10 {
		b.head.Write(p)
		return len(p), nil
	}
	b.tail = append(b.tail, string(p))
	if len(b.tail) > 400 {
		b.tail = append(b.tail[:0:0], b.tail[len(b.tail)-200:]...)
	}
	return len(p), nil
}

func (b *boundedLog) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.head.String() + "…\n" + strings.Join(b.tail, "")
}

// servedPcnet is pcnet serve running in the test process.
type servedPcnet struct {
	url  string
	logs *boundedLog
	stop func() error
}

func servePcnet(t *testing.T, args ...string) *servedPcnet {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &boundedLog{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), io.Discard, logs)
	}()
	addr := waitReady(t, done, cancel, logs.String)
	s := &servedPcnet{url: "http://" + addr, logs: logs}
	var once sync.Once
	var err error
	s.stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { _ = s.stop() }) // the test checks stop's error itself where it matters
	return s
}

// queryResult is what a client saw of one request.
type queryResult struct {
	status int
	codes  []string
	err    error // transport error
}

func (s *servedPcnet) query(client *http.Client, q string) queryResult {
	body, _ := json.Marshal(map[string]any{"query": q})
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, s.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return queryResult{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return queryResult{err: err}
	}
	defer resp.Body.Close()
	var out struct {
		Errors []struct{ Extensions map[string]any }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return queryResult{status: resp.StatusCode, err: err}
	}
	r := queryResult{status: resp.StatusCode}
	for _, e := range out.Errors {
		code, _ := e.Extensions["code"].(string)
		r.codes = append(r.codes, code)
	}
	return r
}

func (r queryResult) ok() bool { return r.err == nil && r.status == http.StatusOK && len(r.codes) == 0 }

func status(t *testing.T, url string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// until polls cond every 100ms for up to d and returns how long it took.
func until(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(start)
}

const faultQuery = `{ regions { code name } provinces { code } sectors { code } }`

// TestFaults: pcnet starts with Neo4j down and recovers when it comes up;
// then Neo4j restarts under load and pcnet rides it out.
func TestFaults(t *testing.T) {
	neo := newOwnNeo4j(t)
	t.Setenv("NEO4J_PASSWORD", faultPassword)
	t.Setenv("NEO4J_USERNAME", "neo4j")
	t.Setenv("NEO4J_DATABASE", "")
	testStart := time.Now()

	// 1. Neo4j down at start: pcnet starts, /readyz fails, queries fail
	// fast with "unavailable"; when Neo4j comes up, pcnet applies the
	// migrations and serves, by itself.
	pc := servePcnet(t, "--store", "neo4j", "--neo4j-uri", neo.uri())
	if !strings.Contains(pc.logs.String(), "starting without the store") {
		t.Errorf("no warning about starting without the store:\n%s", pc.logs.String())
	}
	if got := status(t, pc.url+"/healthz"); got != http.StatusOK {
		t.Errorf("/healthz with Neo4j down: %d", got)
	}
	if got := status(t, pc.url+"/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz with Neo4j down: %d, want 503", got)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	// "Fast" is not timed here (a busy machine would make it flaky): the
	// answer is "unavailable", which the availability gate gives without
	// dialling Neo4j; internal/server's outage test counts the store calls.
	for range 5 {
		r := pc.query(client, faultQuery)
		if len(r.codes) == 0 || r.codes[0] != "unavailable" {
			t.Fatalf("a query with Neo4j down: %+v, want code unavailable", r)
		}
	}
	startTime := neo.run("start")
	recovery := until(t, liveness, "/readyz after Neo4j started", func() bool { return status(t, pc.url+"/readyz") == http.StatusOK })
	t.Logf("Neo4j started in %v; pcnet ready %v later", startTime.Round(time.Millisecond), recovery.Round(time.Millisecond))
	if r := pc.query(client, faultQuery); !r.ok() {
		t.Fatalf("query after recovery: %+v\n%s", r, pc.logs.String())
	}
	checkMigrated(t, neo.uri())

	// 2. Neo4j restarted under load: requests in flight or during the
	// outage fail (unavailable or timeout), nothing else does; the service
	// recovers within seconds of Neo4j; no crash, no goroutine or memory
	// growth.
	for range 20 { // warm up: pools, caches, the query cache
		pc.query(client, faultQuery)
	}
	client.CloseIdleConnections()
	goroutinesBefore, heapBefore := settle()

	ctx, stopLoad := context.WithCancel(context.Background())
	var (
		mu        sync.Mutex
		failures  = map[string]int{}
		successes atomic.Int64
		wg        sync.WaitGroup
	)
	loadClient := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				r := pc.query(loadClient, faultQuery)
				if r.ok() {
					successes.Add(1)
					continue
				}
				key := fmt.Sprintf("status %d codes %v err %v", r.status, r.codes, r.err)
				if !expectedFailure(r) {
					key = "UNEXPECTED " + key
				}
				mu.Lock()
				failures[key]++
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	// The load runs before the restart: wait for answers, not for a time.
	until(t, liveness, "successful requests under load", func() bool { return successes.Load() >= 20 })
	beforeRestart := successes.Load()
	stopTime := neo.run("stop")
	startTime = neo.run("start")
	recovery = until(t, liveness, "a successful query after Neo4j restarted", func() bool {
		return pc.query(client, faultQuery).ok()
	})
	// The load goes on until it has had 20 more answers after the recovery.
	afterRecovery := successes.Load()
	until(t, liveness, "successful requests after the recovery", func() bool { return successes.Load() >= afterRecovery+20 })
	stopLoad()
	wg.Wait()
	// Stable again: once recovered, every request succeeds (counted, not
	// timed: the load's own failures above may straddle the recovery).
	var lateFails int
	for range 20 {
		if r := pc.query(client, faultQuery); !r.ok() {
			lateFails++
		}
	}
	t.Logf("Neo4j stopped in %v, started in %v; pcnet answered %v after Neo4j was ready; %d successful requests before the restart, %d in all; failures: %v",
		stopTime.Round(time.Millisecond), startTime.Round(time.Millisecond), recovery.Round(time.Millisecond),
		beforeRestart, successes.Load(), failures)
	if beforeRestart == 0 {
		t.Error("no successful request before the restart: the load didn't run")
	}
	if lateFails > 0 {
		t.Errorf("%d of 20 requests failed after pcnet had recovered", lateFails)
	}
	for key, n := range failures {
		if strings.HasPrefix(key, "UNEXPECTED") {
			t.Errorf("%d failures other than unavailable or timeout: %s", n, key)
		}
	}
	// How soon pcnet recovers is a speed figure (logged above), not asserted:
	// on a busy machine any bound would flake.
	if got := status(t, pc.url+"/readyz"); got != http.StatusOK {
		t.Errorf("/readyz after the restart: %d", got)
	}

	loadClient.CloseIdleConnections()
	client.CloseIdleConnections()
	goroutinesAfter, heapAfter := settle()
	// Server connections close asynchronously: poll until they have (a
	// leak never settles and fails after the liveness bound).
	for start := time.Now(); goroutinesAfter > goroutinesBefore+5 && time.Since(start) < liveness; {
		time.Sleep(100 * time.Millisecond)
		goroutinesAfter, heapAfter = settle()
	}
	t.Logf("goroutines %d → %d, heap %.1f → %.1f MiB", goroutinesBefore, goroutinesAfter, float64(heapBefore)/(1<<20), float64(heapAfter)/(1<<20))
	if goroutinesAfter > goroutinesBefore+5 {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines grew from %d to %d:\n%s", goroutinesBefore, goroutinesAfter, buf[:runtime.Stack(buf, true)])
	}
	if heapAfter > heapBefore+32<<20 {
		t.Errorf("heap grew from %d to %d bytes", heapBefore, heapAfter)
	}
	if err := pc.stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
	if t.Failed() {
		t.Logf("pcnet log:\n%s", pc.logs.String())
	}
	t.Logf("fault tests took %v", time.Since(testStart).Round(time.Second))

	// 3. A wrong password is a configuration error: serve stops at once
	// with a one-line message, rather than starting degraded.
	var stderr lockedBuffer
	t.Setenv("NEO4J_PASSWORD", faultPassword+"-wrong")
	// "At once" is that run returns (a retry loop would hang until go test's -timeout).
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--store", "neo4j", "--neo4j-uri", neo.uri()}, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "authentication failed") || strings.Contains(err.Error(), "\n") {
		t.Errorf("wrong password: err = %v, want a one-line authentication error", err)
	}
}

// expectedFailure reports whether a failed request failed the way an
// outage should make it: an answer whose errors are all "unavailable" or
// "timeout".
func expectedFailure(r queryResult) bool {
	if r.err != nil || r.status != http.StatusOK || len(r.codes) == 0 {
		return false
	}
	for _, c := range r.codes {
		if c != "unavailable" && c != "timeout" {
			return false
		}
	}
	return true
}

// settle collects garbage and returns the goroutines and live heap.
func settle() (goroutines int, heap uint64) {
	var ms runtime.MemStats
	for range 2 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}

// checkMigrated checks that the schema migrations ran on the server at uri.
func checkMigrated(t *testing.T, uri string) {
	t.Helper()
	ctx := context.Background()
	driver, err := neo4jdrv.NewDriverWithContext(uri, neo4jdrv.BasicAuth("neo4j", faultPassword, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(ctx)
	res, err := neo4jdrv.ExecuteQuery(ctx, driver, "SHOW CONSTRAINTS YIELD name RETURN count(*) AS n", nil, neo4jdrv.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.Records[0].Values[0].(int64); n == 0 {
		t.Error("no constraints: the migrations didn't run once Neo4j came up")
	}
}

// Without Java: serve starts with nothing listening at the Neo4j URI,
// /readyz fails and queries fail fast with "unavailable".
func TestServeStartsWithoutNeo4j(t *testing.T) {
	t.Setenv("NEO4J_PASSWORD", "whatever-password")
	t.Setenv("NEO4J_DATABASE", "")
	pc := servePcnet(t, "--store", "neo4j", "--neo4j-uri", fmt.Sprintf("bolt://127.0.0.1:%d", freePort(t)))
	if got := status(t, pc.url+"/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz: %d, want 503", got)
	}
	if got := status(t, pc.url+"/healthz"); got != http.StatusOK {
		t.Errorf("/healthz: %d, want 200", got)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	r := pc.query(client, faultQuery)
	if len(r.codes) == 0 || r.codes[0] != "unavailable" || r.status != http.StatusOK {
		t.Errorf("query: %+v, want code unavailable", r)
	}
	if err := pc.stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
}
