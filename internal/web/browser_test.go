package web_test

// Browser tests: a real pcnet server (the memory store over the shipped
// dataset) and Debian's headless Chromium, driven by chromedp. The expected
// numbers are computed here from the dataset, not asked of the server.
//
// Chromium is looked for at $PCNET_CHROMIUM, /usr/bin/chromium or on PATH.
// Without it the tests skip, except under CI=true, where they fail:
// `make test` installs it (scripts/install-browser.sh). Screenshots go to
// $PCNET_ARTIFACTS, or to a temporary folder.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"golang.org/x/text/unicode/norm"

	"pcnet/examples"
	"pcnet/internal/auth"
	"pcnet/internal/dataset"
	"pcnet/internal/memory"
	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

// asOf is the day the dashboard is asked about; the examples pin it too.
var asOf = pcnet.MustDate("2025-06-30")

func chromiumPath(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("PCNET_CHROMIUM"), "/usr/bin/chromium"}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			candidates = append(candidates, p)
		}
	}
	for _, p := range candidates {
		if p == "" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	msg := "headless Chromium not found (/usr/bin/chromium or $PCNET_CHROMIUM): `make test` installs it with scripts/install-browser.sh"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PCNET_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// newBrowser starts headless Chromium, kept off the network: no
// background services, no QUIC, a fresh profile.
func newBrowser(t *testing.T, exe string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1100),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", exe, err)
	}
	return ctx
}

// tab is a browser tab that records what the page writes to its console
// and every URL it requests.
type tab struct {
	ctx      context.Context
	dir      string // where screenshots go
	mu       sync.Mutex
	msgs     []chromedp.ConsoleMessage
	requests []string
	// allow503 tolerates the browser's log of 503 answers, while a test
	// has made the server fail on purpose.
	allow503 bool
}

func openTab(t *testing.T, browserCtx context.Context, dir, origin string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTimeout)
	tb := &tab{ctx: ctx, dir: dir}
	t.Cleanup(func() {
		tb.noConsoleErrors(t)
		tb.onlyFrom(t, origin)
	})
	messages := chromedp.Console(ctx)
	requests := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.requests = append(tb.requests, ev.Request.URL)
			tb.mu.Unlock()
		}
	}()
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.msgs = append(tb.msgs, m)
			tb.mu.Unlock()
		}
	}()
	return tb
}

// noConsoleErrors fails the test on any error or uncaught exception the
// page reported (a failed request, a CSP violation, a script error). It
// runs when the test ends, failed or not.
func (tb *tab) noConsoleErrors(t *testing.T) {
	t.Helper()
	time.Sleep(200 * time.Millisecond) // let the last messages arrive
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, m := range tb.msgs {
		switch {
		case tb.allow503 && m.Type == chromedp.ConsoleError && strings.Contains(m.Text, "503"):
			t.Logf("console %s (expected, the server was down): %.200s", m.Type, m.Text)
		case m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException:
			t.Errorf("console %s at %s:%d: %s", m.Type, m.URL, m.Line+1, m.Text)
		default:
			t.Logf("console %s: %.200s", m.Type, m.Text)
		}
	}
}

// onlyFrom fails the test if the page requested anything from another
// origin than the server's (a CDN, say): the pages must work offline.
func (tb *tab) onlyFrom(t *testing.T, origin string) {
	t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if len(tb.requests) == 0 {
		t.Error("no request seen: the check of origins checked nothing")
	}
	for _, u := range tb.requests {
		if !strings.HasPrefix(u, origin+"/") && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:"+origin+"/") {
			t.Errorf("the page requested %.120s, outside %s", u, origin)
		}
	}
	t.Logf("%d requests, all to %s", len(tb.requests), origin)
}

func do(t *testing.T, tb *tab, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, tb *tab, js string) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// textOf is a JavaScript expression for the text of the element sel, with
// every kind of space made a plain one (Monaco shows no-break spaces).
func textOf(sel string) string {
	return fmt.Sprintf(`(document.querySelector(%q)?.innerText ?? '').replace(/\s/g, ' ')`, sel)
}

// waitAcrossNavigation is waitFor for a predicate that becomes true on the
// next page: while the old page unloads, evaluating fails and is retried.
func waitAcrossNavigation(t *testing.T, tb *tab, what, js string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`!!(`+js+`)`)); err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	waitFor(t, tb, what, js) // fails with a screenshot
}

// waitFor polls a JavaScript predicate until it is truthy.
func waitFor(t *testing.T, tb *tab, what, js string) {
	t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		name := fmt.Sprintf("failed-%s.png", strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()))
		if png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100)); err == nil && os.WriteFile(filepath.Join(tb.dir, name), png, 0o644) == nil {
			t.Logf("screenshot: %s", filepath.Join(tb.dir, name))
		}
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func screenshot(t *testing.T, tb *tab, dir, name string, sel string) {
	t.Helper()
	var shot chromedp.Action[[]byte]
	if sel == "" {
		shot = chromedp.FullScreenshot(100)
	} else {
		shot = chromedp.Screenshot(chromedp.CSS(sel))
	}
	png, err := chromedp.Run(tb.ctx, shot)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// expected holds what the shipped dataset says, computed without the server.
type expected struct {
	ds           pcnet.Dataset
	located      map[string]bool // Comuni with coordinates
	sectorOf     map[string]string
	comuneByCode map[string]pcnet.Comune
}

func loadExpected(t *testing.T) expected {
	t.Helper()
	ds, _, err := dataset.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	e := expected{ds: ds, located: map[string]bool{}, sectorOf: map[string]string{}, comuneByCode: map[string]pcnet.Comune{}}
	for _, c := range ds.Comuni {
		e.comuneByCode[c.Code] = c
		if c.Latitude != nil && c.Longitude != nil {
			e.located[c.Code] = true
		}
	}
	areaSector := map[string]string{}
	for _, s := range ds.Sectors {
		for _, a := range s.Areas {
			areaSector[a.Code] = s.Code
		}
	}
	for _, s := range ds.Services {
		e.sectorOf[s.ID] = areaSector[s.AreaCode]
	}
	return e
}

// covered returns the Comuni that some service of the sector covers on day.
func (e expected) covered(sector string, day pcnet.Date) map[string]bool {
	out := map[string]bool{}
	for _, c := range e.ds.Coverages {
		if e.sectorOf[c.ServiceID] == sector && c.Period().ActiveOn(day) {
			out[c.ComuneCode] = true
		}
	}
	return out
}

func (e expected) coveredOnMap(sector string, day pcnet.Date) int {
	n := 0
	for code := range e.covered(sector, day) {
		if e.located[code] {
			n++
		}
	}
	return n
}

// network returns the Provinces and tutorships of a sector's network on day.
func (e expected) network(sector string, day pcnet.Date) (nodes, edges int) {
	provinces := map[string]bool{}
	for _, ts := range e.ds.Tutorships {
		if ts.SectorCode == sector && ts.Period().ActiveOn(day) {
			provinces[ts.TutorCode] = true
			provinces[ts.TutoredCode] = true
			edges++
		}
	}
	return len(provinces), edges
}

// participating returns how many Provinces of a sector's network on day
// take part in the programme in that sector then.
func (e expected) participating(sector string, day pcnet.Date) int {
	inNetwork := map[string]bool{}
	for _, ts := range e.ds.Tutorships {
		if ts.SectorCode == sector && ts.Period().ActiveOn(day) {
			inNetwork[ts.TutorCode] = true
			inNetwork[ts.TutoredCode] = true
		}
	}
	part := map[string]bool{}
	for _, p := range e.ds.Participations {
		if p.SectorCode == sector && p.Period().ActiveOn(day) && inNetwork[p.ProvinceCode] {
			part[p.ProvinceCode] = true
		}
	}
	return len(part)
}

// plan returns what a service's rollout plan says on day: the Comuni and
// inhabitants due by then, and the codes of the late ones (due before day
// and not covered by the service on day), as rolloutProgress defines them.
func (e expected) plan(serviceID string, day pcnet.Date) (planned, inhabitants int, late []string) {
	covered := map[string]bool{}
	for _, c := range e.ds.Coverages {
		if c.ServiceID == serviceID && c.Period().ActiveOn(day) {
			covered[c.ComuneCode] = true
		}
	}
	for _, rt := range e.ds.RolloutTargets {
		if rt.ServiceID != serviceID {
			continue
		}
		if !rt.Due.After(day) {
			planned++
			inhabitants += e.comuneByCode[rt.ComuneCode].Population
		}
		if !covered[rt.ComuneCode] && rt.Due.Before(day) {
			late = append(late, rt.ComuneCode)
		}
	}
	slices.Sort(late)
	return planned, inhabitants, late
}

// gaps returns the codes of a region's Comuni not covered in the sector.
func (e expected) gaps(region, sector string, day pcnet.Date) []string {
	covered := e.covered(sector, day)
	var out []string
	for _, c := range e.ds.Comuni {
		if c.RegionCode == region && !covered[c.Code] {
			out = append(out, c.Code)
		}
	}
	slices.Sort(out)
	return out
}

// testServer is pcnet over the shipped dataset, with a switch that makes
// every GraphQL request fail (as when the server is down behind a proxy)
// and a planner's token for writes.
type testServer struct {
	*httptest.Server
	down    atomic.Bool
	planner string
}

func startServer(t *testing.T) *testServer {
	t.Helper()
	ds, _, err := dataset.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	store, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	token, entry, err := auth.NewEntry("planner@test", pcnet.RolePlanner)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := auth.ParseKeyring(must(json.Marshal([]auth.Entry{entry})))
	if err != nil {
		t.Fatal(err)
	}
	h := server.New(store, server.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Today:  func() pcnet.Date { return asOf },
		Limits: server.Limits{Timeout: -1}, // no deadline: a busy machine must not fail a correct query
		Tokens: keys,
	})
	ts := &testServer{planner: token}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ts.down.Load() && r.URL.Path == "/graphql" && r.Method == http.MethodPost {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"errors":[{"message":"service unavailable","extensions":{"code":"unavailable"}}]}`)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	exe := chromiumPath(t)
	ts := startServer(t)
	want := loadExpected(t)
	dir := artifactsDir(t)
	browserCtx := newBrowser(t, exe)
	t.Logf("screenshots in %s", dir)

	t.Run("Accessibility", func(t *testing.T) { testAccessibility(t, browserCtx, ts, dir) })
	t.Run("GraphiQL", func(t *testing.T) { testGraphiQL(t, openTab(t, browserCtx, dir, ts.URL), ts, want, dir) })
	t.Run("Redirect", func(t *testing.T) { testRedirect(t, openTab(t, browserCtx, dir, ts.URL), ts) })
	t.Run("Dashboard", func(t *testing.T) { testDashboard(t, openTab(t, browserCtx, dir, ts.URL), ts, want, dir) })
}

func testGraphiQL(t *testing.T, tb *tab, ts *testServer, want expected, dir string) {
	def, _ := examples.Get(server.DefaultExample)
	do(t, tb, chromedp.Navigate(ts.URL+"/"))
	waitFor(t, tb, "the editor with the default example",
		fmt.Sprintf(`%s.includes('query %s')`, textOf(".graphiql-query-editor"), def.OperationName))

	// The Examples panel opens by itself only on screens wider than 1600 px.
	if !eval[bool](t, tb, `!!document.querySelector('[data-testid=examples-list]')`) {
		do(t, tb, chromedp.Click(chromedp.CSS(`.graphiql-sidebar button[aria-label="Show Examples"]`)))
		waitFor(t, tb, "the Examples panel", `!!document.querySelector('[data-testid=examples-list]')`)
	}
	// The examples panel lists every example the server gave the page
	// (TestGraphiQLPage checks what it gives), the read examples at least.
	n := eval[int](t, tb, `document.querySelectorAll('[data-testid=examples-list] button').length`)
	given := eval[int](t, tb, `JSON.parse(document.getElementById('pcnet-config').textContent).examples.length`)
	if n != given || n < len(examples.All()) {
		t.Errorf("the examples panel lists %d examples; the page has %d, examples/ %d", n, given, len(examples.All()))
	}
	// The headers editor is there, for tokens.
	if !eval[bool](t, tb, `[...document.querySelectorAll('.graphiql-editor-tools button')].some(b => b.textContent.trim() === 'Headers')`) {
		t.Error("no Headers tab in the editor tools")
	}

	// History is there (GraphiQL drops it when given plugins of its own),
	// and the write and subscription examples are listed with the reads.
	if !eval[bool](t, tb, `!!document.querySelector('.graphiql-sidebar button[aria-label="Show History"]')`) {
		t.Error("no History plugin in the sidebar")
	}
	for _, op := range examples.Writes() {
		if !eval[bool](t, tb, fmt.Sprintf(`!!document.querySelector('button[data-example="mutations/%s"]')`, op.Name)) {
			t.Errorf("the examples panel doesn't list the write example %s", op.Name)
		}
	}
	if stats := eval[string](t, tb, `document.querySelector('[data-testid=response-stats]')?.dataset.bytes ?? 'missing'`); stats != "" {
		t.Errorf("response stats before any run: %q, want an empty record", stats)
	}

	// Run the default example: the response shows the region and its first Province.
	var region pcnet.Region
	for _, r := range want.ds.Regions {
		if r.Code == "03" {
			region = r
		}
	}
	var firstProvince pcnet.Province
	for _, p := range want.ds.Provinces {
		if p.RegionCode == region.Code {
			firstProvince = p
			break
		}
	}
	do(t, tb, chromedp.Click(chromedp.CSS(".graphiql-execute-button")))
	waitFor(t, tb, "the response of the default example",
		fmt.Sprintf(`(t => t.includes('"name": %q') && t.includes('"name": %q'))(%s)`, region.Name, firstProvince.Name, textOf(".graphiql-response")))
	if eval[bool](t, tb, textOf(".graphiql-response")+`.includes('"errors"')`) {
		t.Error("the response shows errors")
	}
	// The footer shows the time and size of that response.
	waitFor(t, tb, "the response's time and size", `document.querySelector('[data-testid=response-stats]').dataset.bytes !== ''`)
	bytes := eval[int](t, tb, `Number(document.querySelector('[data-testid=response-stats]').dataset.bytes)`)
	if bytes < 200 {
		t.Errorf("response stats say %d bytes for the dashboard of a region", bytes)
	}
	if !eval[bool](t, tb, `/HTTP 200 · \d+ ms · [\d.]+ (kB|B)/.test(document.querySelector('[data-testid=response-stats]').textContent)`) {
		t.Errorf("response stats read %q", eval[string](t, tb, `document.querySelector('[data-testid=response-stats]').textContent`))
	}
	screenshot(t, tb, dir, "graphiql.png", "")

	// The panel this test opened is closed again, as a first visit at these widths has it.
	do(t, tb, chromedp.Click(chromedp.CSS(`.graphiql-sidebar button[aria-label="Hide Examples"]`)))
	waitFor(t, tb, "the Examples panel closed", `!document.querySelector('[data-testid=examples-list]')`)

	// Wide and narrow screens: at 1440 px the query editor keeps most of
	// the width; at 390 px the response is stacked under the query, as
	// wide as the editor, not squeezed beside it.
	for _, vp := range []struct {
		w, h     int64
		minQuery float64
	}{{1440, 900, 600}, {390, 844, 250}} {
		do(t, tb, chromedp.EmulateViewport(vp.w, vp.h))
		waitFor(t, tb, "the layout at the new width", fmt.Sprintf(`document.documentElement.clientWidth === %d`, vp.w))
		box := eval[map[string]float64](t, tb, `(() => { const q = document.querySelector('.graphiql-query-editor').getBoundingClientRect(); const r = document.querySelector('.graphiql-response').getBoundingClientRect(); return {qw: q.width, rw: r.width, rh: r.height, qb: q.bottom, rt: r.top}; })()`)
		if box["qw"] < vp.minQuery {
			t.Errorf("at %d px the query editor is %.0f px wide, want at least %.0f", vp.w, box["qw"], vp.minQuery)
		}
		if box["rw"] < 250 || box["rh"] < 150 {
			t.Errorf("at %d px the response pane is %.0f×%.0f px", vp.w, box["rw"], box["rh"])
		}
		if vp.w < 700 && box["rt"] < box["qb"]-1 {
			t.Errorf("at %d px the response (top %.0f) is not under the query (bottom %.0f)", vp.w, box["rt"], box["qb"])
		}
		screenshot(t, tb, dir, fmt.Sprintf("graphiql-%d.png", vp.w), "")
	}
	do(t, tb, chromedp.EmulateViewport(1400, 1100))
	do(t, tb, chromedp.Click(chromedp.CSS(`.graphiql-sidebar button[aria-label="Show Examples"]`)))
	waitFor(t, tb, "the Examples panel", `!!document.querySelector('[data-testid=examples-list]')`)

	// An example from the panel opens in a new tab and runs.
	comune, _ := examples.Get("07_comune")
	do(t, tb, chromedp.Click(chromedp.CSS(`button[data-example="07_comune"]`)))
	waitFor(t, tb, "the Comune example in the editor",
		fmt.Sprintf(`%s.includes('query %s')`, textOf(".graphiql-query-editor"), comune.OperationName))
	if tabs := eval[int](t, tb, `document.querySelectorAll('.graphiql-tab').length`); tabs != 2 {
		t.Errorf("%d tabs after opening an example, want 2", tabs)
	}
	do(t, tb, chromedp.Click(chromedp.CSS(".graphiql-execute-button")))
	torino := want.comuneByCode["001272"]
	waitFor(t, tb, "the response of the Comune example",
		fmt.Sprintf(`%s.includes('"name": %q')`, textOf(".graphiql-response"), torino.Name))
	screenshot(t, tb, dir, "graphiql-example.png", "")
}

// testRedirect opens /graphql as a person would, in the browser's address
// bar: the page that shows is GraphiQL, not a 400 JSON.
func testRedirect(t *testing.T, tb *tab, ts *testServer) {
	do(t, tb, chromedp.Navigate(ts.URL+"/graphql"))
	waitFor(t, tb, "GraphiQL after opening /graphql", `location.pathname === '/' && !!document.querySelector('.graphiql-query-editor')`)
}

// panelsReady waits until no panel is loading and fails if one failed.
func panelsReady(t *testing.T, tb *tab) {
	t.Helper()
	waitFor(t, tb, "the dashboard's panels", `[...document.querySelectorAll('.panel')].every(p => p.dataset.state !== 'loading')`)
	states := eval[map[string]string](t, tb, `Object.fromEntries([...document.querySelectorAll('.panel')].map(p => [p.id, p.dataset.state + ': ' + p.querySelector('.status').textContent]))`)
	for id, s := range states {
		if !strings.HasPrefix(s, "ready") {
			t.Fatalf("panel %s: %s", id, s)
		}
	}
}

func testDashboard(t *testing.T, tb *tab, ts *testServer, want expected, dir string) {
	if len(want.ds.Sectors) < 2 {
		t.Fatal("the shipped network has fewer than two sectors")
	}
	// Start on one sector and switch to the one whose coverage differs most.
	first := want.ds.Sectors[0].Code
	second := ""
	for _, s := range want.ds.Sectors[1:] {
		d := want.coveredOnMap(s.Code, asOf) - want.coveredOnMap(first, asOf)
		if second == "" || abs(d) > abs(want.coveredOnMap(second, asOf)-want.coveredOnMap(first, asOf)) {
			second = s.Code
		}
	}
	if want.coveredOnMap(first, asOf) == want.coveredOnMap(second, asOf) {
		t.Fatalf("sectors %s and %s cover as many Comuni: choosing one can't be told from the other", first, second)
	}

	q := fmt.Sprintf("?asOf=%s&sector=%s&territory=region:03", asOf, first)
	do(t, tb, chromedp.Navigate(ts.URL+"/dashboard"+q))
	panelsReady(t, tb)

	// Italian by default.
	if l := eval[string](t, tb, `document.documentElement.lang`); l != "it" {
		t.Errorf("the page's language is %q, want it", l)
	}
	if h := eval[string](t, tb, `document.querySelector('h1').textContent`); !strings.Contains(h, "cruscotto") {
		t.Errorf("the heading %q is not Italian", h)
	}

	// One point per Comune with coordinates.
	points := eval[int](t, tb, `document.querySelectorAll('#map circle.pt').length`)
	if points != len(want.located) {
		t.Errorf("the map has %d points, want one per Comune with coordinates: %d", points, len(want.located))
	}
	if attr := eval[string](t, tb, `document.getElementById('map').dataset.points`); attr != strconv.Itoa(points) {
		t.Errorf("data-points %q, but %d points drawn", attr, points)
	}
	coveredPoints := func() int { return eval[int](t, tb, `document.querySelectorAll('#map circle.pt.covered').length`) }
	if got, w := coveredPoints(), want.coveredOnMap(first, asOf); got != w {
		t.Errorf("%s: %d points coloured covered, want %d", first, got, w)
	}
	// The status explains why the map and the timeline may differ by a few
	// Comuni: covered ones without coordinates are not drawn.
	if off := len(want.covered(first, asOf)) - want.coveredOnMap(first, asOf); off > 0 {
		if st := eval[string](t, tb, `document.getElementById('map-status').textContent`); !strings.Contains(st, "senza coordinate") || !strings.Contains(st, itNumber(len(want.covered(first, asOf)))) {
			t.Errorf("the map status doesn't explain the %d covered Comuni without coordinates: %q", off, st)
		}
	}
	checkAreas(t, tb, want, first)
	screenshot(t, tb, dir, "dashboard-"+first+".png", "")

	// Zoom and pan: the buttons zoom in and back to the whole map.
	do(t, tb, chromedp.Click(chromedp.ID("zoom-in")))
	waitFor(t, tb, "the map zoomed in", `Number(document.getElementById('map').dataset.zoom) > 1.5`)
	if tr := eval[string](t, tb, `document.querySelector('#map .viewport').getAttribute('transform')`); !strings.Contains(tr, "scale(1.6") {
		t.Errorf("after zooming in the map's transform is %q", tr)
	}
	do(t, tb, chromedp.Click(chromedp.ID("zoom-reset")))
	waitFor(t, tb, "the map back to the whole of Italy", `document.getElementById('map').dataset.zoom === '1.00'`)

	// Choosing a sector recolours the map and redraws everything else.
	chooseSector(t, tb, second)
	panelsReady(t, tb)
	if got, w := coveredPoints(), want.coveredOnMap(second, asOf); got != w {
		t.Errorf("after choosing %s: %d points coloured covered, want %d", second, got, w)
	}
	checkAreas(t, tb, want, second)

	// The tutor network draws a node per Province taking part, with its name.
	nodes, edges := want.network(second, asOf)
	if got := eval[int](t, tb, `document.querySelectorAll('#network g.node').length`); got != nodes {
		t.Errorf("network of %s: %d nodes drawn, want %d", second, got, nodes)
	}
	if got := eval[int](t, tb, `document.querySelectorAll('#network line.edge').length`); got != edges {
		t.Errorf("network of %s: %d edges drawn, want %d", second, got, edges)
	}
	// Participation on the network view: a solid outline for the Provinces
	// taking part in the sector on the day, a dashed one for the others.
	part := want.participating(second, asOf)
	if got := eval[int](t, tb, `document.querySelectorAll('#network g.node.participating').length`); got != part {
		t.Errorf("network of %s: %d nodes marked participating, want %d", second, got, part)
	}
	if got := eval[int](t, tb, `document.querySelectorAll('#network g.node.not-participating').length`); got != nodes-part {
		t.Errorf("network of %s: %d nodes marked not participating, want %d", second, got, nodes-part)
	}

	// The timeline ends on the day asked about, with the sector's reach then.
	rows := eval[[][]string](t, tb, `[...document.querySelectorAll('#timeline-table tbody tr')].map(tr => [tr.dataset.date, tr.dataset.comuni, tr.cells[0].textContent, tr.cells[1].textContent])`)
	if len(rows) < 2 {
		t.Fatalf("the timeline has %d dates", len(rows))
	}
	last := rows[len(rows)-1]
	if n, _ := strconv.Atoi(last[1]); last[0] != asOf.String() || n != len(want.covered(second, asOf)) {
		t.Errorf("timeline ends with %v, want %s and %d Comuni covered", last, asOf, len(want.covered(second, asOf)))
	}
	// Italian formats: 30/06/2025, and thousands with a dot.
	if want := "30/06/2025"; last[2] != want {
		t.Errorf("the timeline's last date reads %q, want %q", last[2], want)
	}
	if w := itNumber(len(want.covered(second, asOf))); last[3] != w {
		t.Errorf("the timeline's last count reads %q, want %q", last[3], w)
	}

	// The gaps table lists every uncovered Comune of Lombardia.
	gaps := want.gaps("03", second, asOf)
	shown := eval[[]string](t, tb, `[...document.querySelectorAll('#gaps tbody tr')].map(tr => tr.dataset.code)`)
	slices.Sort(shown)
	if !slices.Equal(shown, gaps) {
		t.Errorf("gaps table: %d Comuni, want %d", len(shown), len(gaps))
	}

	// The CSV export downloads the same list, for Italian spreadsheets.
	checkCSV(t, downloadCSV(t, tb), gaps, want)

	// Hovering a point shows the Comune and the services covering it.
	hoverComune(t, tb, want, second)

	// Find a Comune: one match is shown at once, several are listed.
	if cantu, ok := findByName(want, "Cantù"); ok {
		do(t, tb,
			chromedp.SendKeys(chromedp.ID("find-name"), "cantu"),
			chromedp.Click(chromedp.CSS("#find button")),
		)
		waitFor(t, tb, "the details of Cantù", `(t => t.includes('Cantù') && /Servizi che lo coprono il|Nessun servizio lo copre/.test(t))(document.getElementById('details').textContent)`)
		if got := eval[string](t, tb, `document.querySelector('#map .marker').getAttribute('visibility')`); got != "visible" {
			t.Errorf("the found Comune %s is not marked on the map", cantu.Code)
		}
	}
	for _, q := range []string{"Bolzano", "Reggio"} {
		matches := want.matching(q)
		if len(matches) < 2 {
			t.Fatalf("%q matches %d Comuni in the dataset; the test wants several", q, len(matches))
		}
		do(t, tb, chromedp.SetValue(chromedp.ID("find-name"), q), chromedp.Click(chromedp.CSS("#find button")))
		waitFor(t, tb, "the matches of "+q, `document.querySelectorAll('#find-results button').length > 0`)
		listed := eval[[]string](t, tb, `[...document.querySelectorAll('#find-results button')].map(b => b.dataset.code)`)
		if len(listed) != min(20, len(matches)) {
			t.Errorf("%q lists %d Comuni, want %d of the %d matches", q, len(listed), min(20, len(matches)), len(matches))
		}
		for _, code := range listed {
			if !slices.Contains(matches, code) {
				t.Errorf("%q lists %s, which doesn't match", q, code)
			}
		}
		if d := eval[string](t, tb, `document.getElementById('details').textContent`); d != "" {
			t.Errorf("%q picked a Comune by itself: %q", q, d)
		}
	}
	screenshot(t, tb, dir, "dashboard-find.png", "#map-panel")

	// Clicking a Province in the network filters it to its tutorships (and
	// selects the Province, for its gaps too); on the map it shows its
	// services, covered Comuni and gaps.
	checkNetwork(t, tb, want, second)
	checkProvinceClick(t, tb, want, second)

	// A service's rollout plan: planned against covered on the timeline, its
	// late planned Comuni marked and listed on the map.
	checkPlan(t, tb, want, second)

	screenshot(t, tb, dir, "dashboard-"+second+".png", "")
	screenshot(t, tb, dir, "dashboard-map.png", "#map-panel")
	screenshot(t, tb, dir, "dashboard-network.png", "#network-panel")

	// The server fails: the panels say they are out of date, offer a retry,
	// and recover by themselves once it answers again.
	tb.mu.Lock()
	tb.allow503 = true
	tb.mu.Unlock()
	ts.down.Store(true)
	chooseSector(t, tb, first)
	waitFor(t, tb, "every panel marked out of date", `['map', 'network', 'timeline', 'gaps'].every(id => document.getElementById(id + '-panel').dataset.state === 'error')`)
	for _, id := range []string{"map", "network", "timeline", "gaps"} {
		if !eval[bool](t, tb, fmt.Sprintf(`(p => p.querySelector('.stale-banner').offsetParent !== null && !!p.querySelector('.status button.retry'))(document.getElementById('%s-panel'))`, id)) {
			t.Errorf("panel %s failed without a visible out-of-date banner and a retry button", id)
		}
	}
	screenshot(t, tb, dir, "dashboard-stale.png", "")
	ts.down.Store(false)
	waitFor(t, tb, "the panels to recover by themselves", `[...document.querySelectorAll('.panel')].every(p => p.dataset.state === 'ready')`)
	panelsReady(t, tb)
	if got, w := coveredPoints(), want.coveredOnMap(first, asOf); got != w {
		t.Errorf("after recovering on %s: %d points coloured covered, want %d", first, got, w)
	}

	// Live: a planner's write elsewhere reaches the map without a click.
	checkLive(t, tb, ts, want, first)

	// The English switch.
	do(t, tb, chromedp.Evaluate[chromedp.Void](`(s => { s.value = 'en'; s.dispatchEvent(new Event('change', { bubbles: true })); })(document.getElementById('lang'))`))
	waitAcrossNavigation(t, tb, "the page in English", `document.documentElement.lang === 'en' && document.querySelector('h1').textContent.includes('coverage dashboard')`)
	panelsReady(t, tb)
	if st := eval[string](t, tb, `document.getElementById('map-status').textContent`); !strings.Contains(st, "Comuni on the map covered by") {
		t.Errorf("the English map status reads %q", st)
	}
	screenshot(t, tb, dir, "dashboard-en.png", "")
}

// checkPlan selects the sector's service with the most late planned Comuni
// on asOf and checks the timeline's planned line and the map's late markers
// and list against the dataset; clicking a Province narrows the list to it.
// It leaves the service unselected again.
func checkPlan(t *testing.T, tb *tab, want expected, sector string) {
	t.Helper()
	id, planned, inhabitants, late := "", 0, 0, []string(nil)
	for _, s := range want.ds.Services {
		if want.sectorOf[s.ID] != sector || s.StartDate.After(asOf) {
			continue
		}
		if p, i, l := want.plan(s.ID, asOf); id == "" || len(l) > len(late) {
			id, planned, inhabitants, late = s.ID, p, i, l
		}
	}
	if len(late) == 0 {
		t.Fatalf("no service of %s has late planned Comuni on %s: the late markers can't be checked", sector, asOf)
	}
	chooseService := func(id string) {
		do(t, tb, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
			`(s => { s.value = %q; s.dispatchEvent(new Event('change', { bubbles: true })); })(document.getElementById('service'))`, id)))
	}
	chooseService(id)
	waitFor(t, tb, "the timeline of service "+id, `document.getElementById('timeline').dataset.planned === 'true'`)
	panelsReady(t, tb)

	last := eval[[]string](t, tb, `(tr => [tr.dataset.date, tr.dataset.planned, tr.dataset.plannedInhabitants, tr.cells[6].textContent])([...document.querySelectorAll('#timeline-table tbody tr')].at(-1))`)
	if w := []string{asOf.String(), strconv.Itoa(planned), strconv.Itoa(inhabitants), itNumber(planned)}; !slices.Equal(last, w) {
		t.Errorf("service %s: the timeline's last row has date, planned Comuni, planned inhabitants, shown %v, want %v", id, last, w)
	}

	onMap := 0
	for _, c := range late {
		if want.located[c] {
			onMap++
		}
	}
	if got := eval[int](t, tb, `document.querySelectorAll('#map circle.pt.late').length`); got != onMap {
		t.Errorf("service %s: %d points marked late, want %d", id, got, onMap)
	}
	if got, w := eval[string](t, tb, textOf("#count-late")), itNumber(onMap); got != w {
		t.Errorf("service %s: the legend counts %q late Comuni, want %q", id, got, w)
	}
	// The Province clicked before narrows the list; "every Province" widens it.
	do(t, tb, chromedp.Evaluate[chromedp.Void](`document.getElementById('late-all').click()`))
	listed := eval[[]string](t, tb, `[...document.querySelectorAll('#late-list li')].map(li => li.dataset.code)`)
	slices.Sort(listed)
	if !slices.Equal(listed, late) {
		t.Errorf("service %s: the late list has %d Comuni, want %d", id, len(listed), len(late))
	}

	// Clicking a Province with late Comuni lists only those.
	prov := want.comuneByCode[late[0]].ProvinceCode
	var inProv []string
	for _, c := range late {
		if want.comuneByCode[c].ProvinceCode == prov {
			inProv = append(inProv, c)
		}
	}
	do(t, tb, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('#map path.area[data-code=%q]').dispatchEvent(new MouseEvent('click', { bubbles: true }))`, prov)))
	waitFor(t, tb, "the late list of Province "+prov, fmt.Sprintf(`document.getElementById('late-list').dataset.province === %q`, prov))
	listed = eval[[]string](t, tb, `[...document.querySelectorAll('#late-list li')].map(li => li.dataset.code)`)
	slices.Sort(listed)
	if !slices.Equal(listed, inProv) {
		t.Errorf("service %s, Province %s: the late list has %v, want %v", id, prov, listed, inProv)
	}
	if st := eval[string](t, tb, `document.getElementById('late-filter').textContent`); !strings.Contains(st, itNumber(len(inProv))+" dei "+itNumber(len(late))) {
		t.Errorf("service %s, Province %s: the late list says %q, want %d of the %d", id, prov, st, len(inProv), len(late))
	}
	do(t, tb, chromedp.Evaluate[chromedp.Void](`document.getElementById('late-all').click()`))
	if got := eval[int](t, tb, `document.querySelectorAll('#late-list li').length`); got != len(late) {
		t.Errorf("service %s: after \"every Province\" the late list has %d Comuni, want %d", id, got, len(late))
	}
	screenshot(t, tb, tb.dir, "dashboard-plan.png", "")

	chooseService("")
	waitFor(t, tb, "the timeline of the whole sector", `document.getElementById('timeline').dataset.planned === 'false'`)
	panelsReady(t, tb)
}

func chooseSector(t *testing.T, tb *tab, code string) {
	t.Helper()
	do(t, tb, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(s => { s.value = %q; s.dispatchEvent(new Event('change', { bubbles: true })); })(document.getElementById('sector'))`, code)))
}

func downloadCSV(t *testing.T, tb *tab) string {
	t.Helper()
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(tb.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: new(true),
	}); err != nil {
		t.Fatal(err)
	}
	progress := chromedp.BrowserEvents(tb.ctx, browser.DownloadProgress)
	do(t, tb, chromedp.Click(chromedp.CSS("#gaps-csv")))
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the CSV download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the CSV download was cancelled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			return filepath.Join(downloads, ev.GUID)
		}
	}
	t.Fatal("no download")
	return ""
}

// shares is what the choropleth must show for a sector: the share of each
// Province's Comuni covered, for the Provinces running one of its services
// (started by asOf) or with covered Comuni.
func (e expected) shares(sector string, day pcnet.Date) map[string]float64 {
	covered := e.covered(sector, day)
	total, got := map[string]int{}, map[string]int{}
	for _, c := range e.ds.Comuni {
		total[c.ProvinceCode]++
		if covered[c.Code] {
			got[c.ProvinceCode]++
		}
	}
	out := map[string]float64{}
	for _, s := range e.ds.Services {
		if e.sectorOf[s.ID] == sector && !day.Before(s.StartDate) {
			out[s.ProviderCode] = float64(got[s.ProviderCode]) / float64(total[s.ProviderCode])
		}
	}
	for p, n := range got {
		out[p] = float64(n) / float64(total[p])
	}
	return out
}

// checkAreas checks an area per Province with located Comuni, and its share.
func checkAreas(t *testing.T, tb *tab, want expected, sector string) {
	t.Helper()
	provinces := map[string]bool{}
	for code := range want.located {
		provinces[want.comuneByCode[code].ProvinceCode] = true
	}
	drawn := eval[map[string]string](t, tb, `Object.fromEntries([...document.querySelectorAll('#map path.area')].map(p => [p.dataset.code, p.dataset.share]))`)
	if len(drawn) != len(provinces) {
		t.Errorf("%d Province areas drawn, want %d", len(drawn), len(provinces))
	}
	if b := eval[int](t, tb, `document.querySelector('#map .region-border').getAttribute('d').split('M').length - 1`); b < 50 {
		t.Errorf("region borders have %d segments", b)
	}
	shares := want.shares(sector, asOf)
	for code, got := range drawn {
		w, ok := shares[code]
		if !ok {
			if got != "" {
				t.Errorf("%s: Province %s has share %q but runs no service", sector, code, got)
			}
			continue
		}
		f, err := strconv.ParseFloat(got, 64)
		if err != nil || math.Abs(f-w) > 1e-4 {
			t.Errorf("%s: Province %s shows share %q, want %.4f", sector, code, got, w)
		}
	}
}

// checkNetwork checks the names, roles and contrast of the tutor network,
// and that clicking a Province filters it to its tutorships.
func checkNetwork(t *testing.T, tb *tab, want expected, sector string) {
	t.Helper()
	names := map[string]string{}
	for _, p := range want.ds.Provinces {
		names[p.Code] = p.Name
	}
	labels := eval[map[string]string](t, tb, `Object.fromEntries([...document.querySelectorAll('#network g.node')].map(g => [g.dataset.code, g.querySelector('text.name').textContent]))`)
	for code, label := range labels {
		n := names[code]
		if !strings.HasPrefix(n, strings.TrimSuffix(label, "…")) || label == "" {
			t.Errorf("network node %s is labelled %q, want the name %q", code, label, n)
		}
	}
	// Each role's colour against the white page: at least 4.5:1 (WCAG AA
	// asks 3:1 of graphics; the legend uses the same colours next to text).
	fills := eval[map[string]string](t, tb, `Object.fromEntries(['tutor', 'both', 'tutored'].map(r => { const c = document.querySelector('#network g.node.' + r + ' circle'); return [r, c ? getComputedStyle(c).fill : '']; }))`)
	for role, fill := range fills {
		if fill == "" {
			continue
		}
		if r := contrast(t, fill, "rgb(255, 255, 255)"); r < 4.5 {
			t.Errorf("the %s colour %s on white: contrast %.2f:1, want 4.5:1", role, fill, r)
		}
	}
	// Click the first tutor: the network keeps its tutorships in view.
	var tutor string
	related := map[string]bool{}
	for _, ts := range want.ds.Tutorships {
		if ts.SectorCode == sector && ts.Period().ActiveOn(asOf) && (tutor == "" || ts.TutorCode == tutor) {
			tutor = ts.TutorCode
			related[ts.TutoredCode] = true
		}
	}
	do(t, tb, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('#network g.node[data-code=%q]').dispatchEvent(new MouseEvent('click', { bubbles: true }))`, tutor)))
	waitFor(t, tb, "the network filtered to "+names[tutor], fmt.Sprintf(`document.getElementById('network').dataset.selected === %q`, tutor))
	details := eval[string](t, tb, `document.getElementById('network-details').textContent`)
	if !strings.Contains(details, names[tutor]+": tutor") {
		t.Errorf("the network's details don't name %s and its role: %q", names[tutor], details)
	}
	for code := range related {
		if !strings.Contains(details, names[code]) {
			t.Errorf("the network's details don't list %s, tutored by %s: %q", names[code], names[tutor], details)
		}
	}
	dim := eval[[]string](t, tb, `[...document.querySelectorAll('#network g.node:not(.dim)')].map(g => g.dataset.code)`)
	if len(dim) != len(related)+1 {
		t.Errorf("%d Provinces stay in view after clicking %s, want it and the %d it tutors", len(dim), tutor, len(related))
	}
	do(t, tb, chromedp.Click(chromedp.CSS("#network-details button")))
	waitFor(t, tb, "the whole network again", `document.getElementById('network').dataset.selected === ''`)
}

// checkProvinceClick clicks the area of a Province running a service of
// the sector and checks what the dashboard then shows about it.
func checkProvinceClick(t *testing.T, tb *tab, want expected, sector string) {
	t.Helper()
	var province string
	var services []string
	for _, s := range want.ds.Services {
		if want.sectorOf[s.ID] == sector && (province == "" || s.ProviderCode == province) {
			province = s.ProviderCode
			services = append(services, s.Name)
		}
	}
	covered := want.covered(sector, asOf)
	var inProvince, uncovered []string
	for _, c := range want.ds.Comuni {
		if c.ProvinceCode != province {
			continue
		}
		if covered[c.Code] {
			inProvince = append(inProvince, c.Code)
		} else {
			uncovered = append(uncovered, c.Code)
		}
	}
	slices.Sort(inProvince)
	slices.Sort(uncovered)
	do(t, tb, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('#map path.area[data-code=%q]').dispatchEvent(new MouseEvent('click', { bubbles: true }))`, province)))
	waitFor(t, tb, "the details of Province "+province, fmt.Sprintf(`document.getElementById('map').dataset.selected === %q && document.getElementById('territory').value === 'province:%s'`, province, province))
	panelsReady(t, tb)
	gotServices := eval[[]string](t, tb, `[...document.querySelectorAll('#province-details [data-list=services] li')].map(li => li.textContent)`)
	if len(gotServices) != len(services) {
		t.Errorf("Province %s: %d services listed, want %d: %v", province, len(gotServices), len(services), gotServices)
	}
	for i, name := range services {
		if i < len(gotServices) && !strings.Contains(strings.Join(gotServices, "|"), name) {
			t.Errorf("Province %s: service %q not listed", province, name)
		}
	}
	gotCovered := eval[[]string](t, tb, `[...document.querySelectorAll('#province-details [data-list=covered] li')].map(li => li.dataset.code)`)
	slices.Sort(gotCovered)
	if !slices.Equal(gotCovered, inProvince) {
		t.Errorf("Province %s: %d covered Comuni listed, want %d", province, len(gotCovered), len(inProvince))
	}
	if g := eval[string](t, tb, `document.querySelector('#province-details [data-gaps]').dataset.gaps`); g != strconv.Itoa(len(uncovered)) {
		t.Errorf("Province %s: %s gaps announced, want %d", province, g, len(uncovered))
	}
	shown := eval[[]string](t, tb, `[...document.querySelectorAll('#gaps tbody tr')].map(tr => tr.dataset.code)`)
	slices.Sort(shown)
	if !slices.Equal(shown, uncovered) {
		t.Errorf("Province %s: the gaps table has %d Comuni, want its %d uncovered ones", province, len(shown), len(uncovered))
	}
}

// checkLive makes a planner's write over HTTP and waits for the map,
// which follows coverageChanged, to show it.
func checkLive(t *testing.T, tb *tab, ts *testServer, want expected, sector string) {
	t.Helper()
	waitFor(t, tb, "the live connection", `document.getElementById('live').dataset.state === 'connected'`)
	covered := want.covered(sector, asOf)
	var service pcnet.SharedService
	var codes []string
	for _, s := range want.ds.Services {
		if want.sectorOf[s.ID] != sector || asOf.Before(s.StartDate) || (s.Status != pcnet.StatusActive && s.Status != pcnet.StatusPilot) {
			continue
		}
		codes = codes[:0]
		for _, c := range want.ds.Comuni {
			if c.ProvinceCode == s.ProviderCode && !covered[c.Code] && want.located[c.Code] && len(codes) < 2 {
				codes = append(codes, c.Code)
			}
		}
		if len(codes) == 2 {
			service = s
			break
		}
	}
	if service.ID == "" {
		t.Fatalf("no service of %s with two uncovered Comuni to add", sector)
	}
	before := eval[int](t, tb, `document.querySelectorAll('#map circle.pt.covered').length`)
	body := must(json.Marshal(map[string]any{
		"query":     `mutation LiveAdd($id: ID!, $codes: [String!]!, $since: Date!) { addCoverage(serviceId: $id, comuneCodes: $codes, since: $since, phase: ROLLOUT) { changed { comune { code } } } }`,
		"variables": map[string]any{"id": service.ID, "codes": codes, "since": asOf.String()},
	}))
	req := must(http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+"/graphql", bytes.NewReader(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+ts.planner)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || bytes.Contains(answer, []byte(`"errors"`)) {
		t.Fatalf("addCoverage: %d %s", res.StatusCode, answer)
	}
	waitFor(t, tb, "the map to show the two new Comuni", fmt.Sprintf(`document.querySelectorAll('#map circle.pt.covered').length === %d`, before+2))
	for _, code := range codes {
		if !eval[bool](t, tb, fmt.Sprintf(`document.querySelector('#map circle[data-code=%q]').classList.contains('covered')`, code)) {
			t.Errorf("Comune %s, just added, is not coloured covered", code)
		}
	}
}

// contrast is the WCAG contrast ratio of two CSS rgb() colours.
func contrast(t testing.TB, a, b string) float64 {
	t.Helper()
	lum := func(c string) float64 {
		var r, g, bl float64
		if _, err := fmt.Sscanf(c, "rgb(%f, %f, %f)", &r, &g, &bl); err != nil {
			t.Fatalf("colour %q is not rgb(r, g, b): %v", c, err)
		}
		ch := func(v float64) float64 {
			v /= 255
			if v <= 0.03928 {
				return v / 12.92
			}
			return math.Pow((v+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(bl)
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// matching returns the codes of the Comuni whose name contains q, accents
// and case ignored, as "Find a Comune" does.
func (e expected) matching(q string) []string {
	var out []string
	for _, c := range e.ds.Comuni {
		if strings.Contains(foldName(c.Name), foldName(q)) {
			out = append(out, c.Code)
		}
	}
	return out
}

func foldName(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func findByName(want expected, name string) (pcnet.Comune, bool) {
	for _, c := range want.ds.Comuni {
		if c.Name == name {
			return c, true
		}
	}
	return pcnet.Comune{}, false
}

func checkCSV(t *testing.T, file string, gaps []string, want expected) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text, ok := strings.CutPrefix(string(b), "\uFEFF")
	if !ok {
		t.Error("the CSV has no byte-order mark")
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = ';' // Italian spreadsheets' separator
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("the CSV doesn't parse: %v", err)
	}
	if len(records) == 0 || strings.Join(records[0], ";") != "Codice ISTAT;Comune;Provincia;Sigla;Popolazione;Piccolo Comune" {
		t.Fatalf("CSV header %v", records[:min(1, len(records))])
	}
	var codes []string
	for _, r := range records[1:] {
		c, ok := want.comuneByCode[r[0]]
		if !ok {
			t.Errorf("CSV row for unknown Comune %v", r)
			continue
		}
		if r[1] != c.Name || r[4] != strconv.Itoa(c.Population) {
			t.Errorf("CSV row %v, want %s with %d inhabitants", r, c.Name, c.Population)
		}
		codes = append(codes, r[0])
	}
	slices.Sort(codes)
	if !slices.Equal(codes, gaps) {
		t.Errorf("the CSV lists %d Comuni, want the %d uncovered ones", len(codes), len(gaps))
	}
}

// hoverComune moves the mouse onto a covered Comune and checks the tooltip.
func hoverComune(t *testing.T, tb *tab, want expected, sector string) {
	t.Helper()
	var target string
	for _, code := range slices.Sorted(maps.Keys(want.covered(sector, asOf))) {
		if want.located[code] {
			target = code
			break
		}
	}
	pos := eval[struct{ X, Y float64 }](t, tb, fmt.Sprintf(
		`(() => { const c = document.querySelector('#map circle[data-code=%q]'); c.scrollIntoView({block: 'center'}); const r = c.getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()`, target))
	// Points can overlap: the Comune under the pointer is the one to expect.
	hovered := eval[string](t, tb, fmt.Sprintf(`document.elementFromPoint(%f, %f)?.dataset?.code ?? ''`, pos.X, pos.Y))
	c, ok := want.comuneByCode[hovered]
	if !ok {
		t.Fatalf("no map point under (%.0f, %.0f), where %s is drawn", pos.X, pos.Y, target)
	}
	if _, err := chromedp.Call(tb.ctx, input.DispatchMouseEvent, input.DispatchMouseEventParams{Type: input.DispatchMouseEventTypeMouseMoved, X: pos.X, Y: pos.Y}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tb, "the tooltip of "+c.Name, fmt.Sprintf(
		`(el => !el.hidden && el.textContent.includes(%q) && /Servizi che lo coprono il|Nessun servizio lo copre/.test(el.textContent))(document.getElementById('tooltip'))`, c.Name))
	text := eval[string](t, tb, `document.getElementById('tooltip').textContent`)
	services := map[string]string{}
	for _, s := range want.ds.Services {
		services[s.ID] = s.Name
	}
	n := 0
	for _, cov := range want.ds.Coverages {
		if cov.ComuneCode == c.Code && cov.Period().ActiveOn(asOf) {
			n++
			if !strings.Contains(text, services[cov.ServiceID]) {
				t.Errorf("tooltip of %s doesn't name %s, which covers it: %q", c.Name, services[cov.ServiceID], text)
			}
		}
	}
	if n == 0 && !strings.Contains(text, "Nessun servizio lo copre") {
		t.Errorf("tooltip of %s, covered by nothing: %q", c.Name, text)
	}
	if !strings.Contains(text, itNumber(c.Population)+" abitanti") {
		t.Errorf("tooltip of %s doesn't show its population %d: %q", c.Name, c.Population, text)
	}
}

// itNumber writes n as Intl does for it-IT: a dot between thousands, and
// none in four-digit numbers (CLDR's minimum grouping digits for Italian).
func itNumber(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 4 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// testAccessibility runs axe-core (internal/web/testdata, copied from npm
// by web/build.mjs) on both pages at a desktop and a phone size and fails
// on any serious or critical violation.
func testAccessibility(t *testing.T, browserCtx context.Context, ts *testServer, dir string) {
	axe, err := os.ReadFile(filepath.Join("testdata", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core: %v (run `cd web && npm ci && npm run build`)", err)
	}
	pages := []struct{ name, path, ready string }{
		{"graphiql", "/", `!!document.querySelector('.graphiql-query-editor .monaco-editor')`},
		{"dashboard", fmt.Sprintf("/dashboard?asOf=%s&territory=region:03", asOf), `[...document.querySelectorAll('.panel')].every(p => p.dataset.state === 'ready')`},
	}
	for _, vp := range []struct{ w, h int64 }{{1440, 900}, {390, 844}} {
		for _, p := range pages {
			t.Run(fmt.Sprintf("%s-%d", p.name, vp.w), func(t *testing.T) {
				tb := openTab(t, browserCtx, dir, ts.URL)
				do(t, tb, chromedp.EmulateViewport(vp.w, vp.h), chromedp.Navigate(ts.URL+p.path))
				waitFor(t, tb, "the page", p.ready)
				screenshot(t, tb, dir, fmt.Sprintf("after-%s-%d.png", p.name, vp.w), "")
				// The page's CSP allows its own scripts only; axe is evaluated through DevTools, which CSP doesn't govern.
				do(t, tb, chromedp.Evaluate[chromedp.Void](string(axe)))
				type violation struct {
					ID, Impact, Help string
					Nodes            []struct{ Target []any }
				}
				found, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]violation](`axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => ({ target: n.target })) })))`, chromedp.EvalAsValue, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatalf("axe.run: %v", err)
				}
				for _, v := range found {
					msg := fmt.Sprintf("axe %s (%s): %s, at %v", v.ID, v.Impact, v.Help, v.Nodes)
					if v.Impact == "serious" || v.Impact == "critical" {
						t.Error(msg)
					} else {
						t.Log(msg)
					}
				}
				t.Logf("axe: %d violations, none serious or critical expected", len(found))
			})
		}
	}
}
