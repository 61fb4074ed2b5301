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
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"pcnet/examples"
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
		switch m.Type {
		case chromedp.ConsoleError, chromedp.ConsoleException:
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

func startServer(t *testing.T) *httptest.Server {
	t.Helper()
	ds, _, err := dataset.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	store, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(server.New(store, server.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Today:  func() pcnet.Date { return asOf },
		Limits: server.Limits{Timeout: -1}, // no deadline: a busy machine must not fail a correct query
	}))
	t.Cleanup(ts.Close)
	return ts
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

	t.Run("GraphiQL", func(t *testing.T) { testGraphiQL(t, openTab(t, browserCtx, dir, ts.URL), ts, want, dir) })
	t.Run("Dashboard", func(t *testing.T) { testDashboard(t, openTab(t, browserCtx, dir, ts.URL), ts, want, dir) })
}

func testGraphiQL(t *testing.T, tb *tab, ts *httptest.Server, want expected, dir string) {
	def, _ := examples.Get(server.DefaultExample)
	do(t, tb, chromedp.Navigate(ts.URL+"/"))
	waitFor(t, tb, "the editor with the default example",
		fmt.Sprintf(`%s.includes('query %s')`, textOf(".graphiql-query-editor"), def.OperationName))

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
	screenshot(t, tb, dir, "graphiql.png", "")

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

func testDashboard(t *testing.T, tb *tab, ts *httptest.Server, want expected, dir string) {
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
	screenshot(t, tb, dir, "dashboard-"+first+".png", "")

	// Choosing a sector recolours the map and redraws everything else.
	do(t, tb, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(s => { s.value = %q; s.dispatchEvent(new Event('change', { bubbles: true })); })(document.getElementById('sector'))`, second)))
	panelsReady(t, tb)
	if got, w := coveredPoints(), want.coveredOnMap(second, asOf); got != w {
		t.Errorf("after choosing %s: %d points coloured covered, want %d", second, got, w)
	}

	// The tutor network draws a node per Province taking part.
	nodes, edges := want.network(second, asOf)
	if got := eval[int](t, tb, `document.querySelectorAll('#network g.node').length`); got != nodes {
		t.Errorf("network of %s: %d nodes drawn, want %d", second, got, nodes)
	}
	if got := eval[int](t, tb, `document.querySelectorAll('#network line.edge').length`); got != edges {
		t.Errorf("network of %s: %d edges drawn, want %d", second, got, edges)
	}

	// The timeline ends on the day asked about, with the sector's reach then.
	rows := eval[[][]string](t, tb, `[...document.querySelectorAll('#timeline-table tbody tr')].map(tr => [...tr.cells].map(td => td.textContent))`)
	if len(rows) < 2 {
		t.Fatalf("the timeline has %d dates", len(rows))
	}
	last := rows[len(rows)-1]
	if n, _ := strconv.Atoi(strings.ReplaceAll(last[1], ",", "")); last[0] != asOf.String() || n != len(want.covered(second, asOf)) {
		t.Errorf("timeline ends with %v, want %s and %d Comuni covered", last, asOf, len(want.covered(second, asOf)))
	}

	// The gaps table lists every uncovered Comune of Lombardia.
	gaps := want.gaps("03", second, asOf)
	shown := eval[[]string](t, tb, `[...document.querySelectorAll('#gaps tbody tr')].map(tr => tr.dataset.code)`)
	slices.Sort(shown)
	if !slices.Equal(shown, gaps) {
		t.Errorf("gaps table: %d Comuni, want %d", len(shown), len(gaps))
	}

	// The CSV export downloads the same list.
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(tb.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: new(true),
	}); err != nil {
		t.Fatal(err)
	}
	progress := chromedp.BrowserEvents(tb.ctx, browser.DownloadProgress)
	do(t, tb, chromedp.Click(chromedp.CSS("#gaps-csv")))
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the CSV download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the CSV download was cancelled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(downloads, ev.GUID)
			break
		}
	}
	checkCSV(t, file, gaps, want)

	// Hovering a point shows the Comune and the services covering it.
	hoverComune(t, tb, want, second)

	// The keyboard way: find a Comune by name, accents optional.
	if cantu, ok := findByName(want, "Cantù"); ok {
		do(t, tb,
			chromedp.SendKeys(chromedp.ID("find-name"), "cantu"),
			chromedp.Click(chromedp.CSS("#find button")),
		)
		waitFor(t, tb, "the details of Cantù", `(t => t.includes('Cantù') && /Services covering it on|No service covers it/.test(t))(document.getElementById('details').textContent)`)
		if got := eval[string](t, tb, `document.querySelector('#map .marker').getAttribute('visibility')`); got != "visible" {
			t.Errorf("the found Comune %s is not marked on the map", cantu.Code)
		}
	}

	screenshot(t, tb, dir, "dashboard-"+second+".png", "")
	screenshot(t, tb, dir, "dashboard-map.png", "#map-panel")
	screenshot(t, tb, dir, "dashboard-network.png", "#network-panel")
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
	records, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV doesn't parse: %v", err)
	}
	if len(records) == 0 || strings.Join(records[0], ",") != "code,name,province,plate,population,small" {
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
		`(el => !el.hidden && el.textContent.includes(%q) && /Services covering it on|No service covers it/.test(el.textContent))(document.getElementById('tooltip'))`, c.Name))
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
	if n == 0 && !strings.Contains(text, "No service covers it") {
		t.Errorf("tooltip of %s, covered by nothing: %q", c.Name, text)
	}
	if !strings.Contains(text, strconv.Itoa(c.Population)) && !strings.Contains(text, formatThousands(c.Population)) {
		t.Errorf("tooltip of %s doesn't show its population %d: %q", c.Name, c.Population, text)
	}
}

// formatThousands writes n with comma separators, as the page does (en-GB).
func formatThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
