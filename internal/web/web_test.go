package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"pcnet/examples"
	"pcnet/internal/web"
)

func newPages(t *testing.T) (*httptest.Server, web.Options) {
	t.Helper()
	opts := web.Options{GraphQLPath: "/graphql", Examples: examples.All(), DefaultExample: "dashboard_region"}
	mux := http.NewServeMux()
	web.Register(mux, opts)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts, opts
}

// noRedirects is a client that reports redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// reply is what get keeps of a response whose body it has read and closed.
type reply struct {
	StatusCode int
	Header     http.Header
}

func get(t *testing.T, client *http.Client, u string, header http.Header) (reply, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	// A Transport that leaves Accept-Encoding to the test.
	if client == nil {
		client = &http.Client{Transport: &http.Transport{DisableCompression: true}}
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{StatusCode: resp.StatusCode, Header: resp.Header}, body
}

var configRE = regexp.MustCompile(`<script id="pcnet-config" type="application/json">(.*?)</script>`)

// pageConfig returns the JSON config injected into a page.
func pageConfig(t *testing.T, html []byte, v any) {
	t.Helper()
	m := configRE.FindSubmatch(html)
	if m == nil {
		t.Fatalf("page without its config:\n%s", html)
	}
	if err := json.Unmarshal(m[1], v); err != nil {
		t.Fatalf("config %s: %v", m[1], err)
	}
}

var assetRE = regexp.MustCompile(`(?:src|href)="(assets/[^"]+)"`)

func TestGraphiQLPage(t *testing.T) {
	ts, opts := newPages(t)
	def, ok := examples.Get(opts.DefaultExample)
	if !ok {
		t.Fatalf("no example %s", opts.DefaultExample)
	}

	// A bare visit goes to the page carrying the default example.
	resp, _ := get(t, noRedirects, ts.URL+"/", nil)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("GET /: %d, want a redirect", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if loc.Path != "/" || loc.Query().Get("query") != def.Query || loc.Query().Get("operationName") != def.OperationName {
		t.Errorf("redirected to %s, want / with the %s example", loc, def.Name)
	}

	resp, body := get(t, nil, ts.URL+"/?query=%7Bregions%7Bname%7D%7D", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /?query=…: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
		t.Errorf("Content-Security-Policy %q doesn't keep scripts and requests to the server", csp)
	}
	var cfg struct {
		GraphQLPath    string
		DefaultExample string
		Examples       []examples.Operation
	}
	pageConfig(t, body, &cfg)
	if cfg.GraphQLPath != "/graphql" || cfg.DefaultExample != def.Name {
		t.Errorf("config: endpoint %q, default %q", cfg.GraphQLPath, cfg.DefaultExample)
	}
	all := examples.All()
	if len(cfg.Examples) != len(all) {
		t.Fatalf("%d examples in the page, %d in examples/", len(cfg.Examples), len(all))
	}
	for i, op := range all {
		if cfg.Examples[i] != op {
			t.Errorf("example %d in the page is %+v, want %s as in examples/", i, cfg.Examples[i].Name, op.Name)
		}
	}
}

// A query holding "</script>" can't break out of the config's element.
func TestConfigEscaping(t *testing.T) {
	mux := http.NewServeMux()
	evil := examples.Operation{Name: "evil", OperationName: "Evil", Query: "# </script><script>alert(1)</script>\nquery Evil { regions { code } }"}
	web.Register(mux, web.Options{GraphQLPath: "/graphql", Examples: []examples.Operation{evil}})
	ts := httptest.NewServer(mux)
	defer ts.Close()
	_, body := get(t, nil, ts.URL+"/?x", nil)
	if bytes.Contains(body, []byte("<script>alert(1)")) {
		t.Fatal("the example's text ended the config element")
	}
	var cfg struct{ Examples []examples.Operation }
	pageConfig(t, body, &cfg)
	if len(cfg.Examples) != 1 || cfg.Examples[0] != evil {
		t.Errorf("config examples %+v, want the example unchanged", cfg.Examples)
	}
}

func TestDashboardPageAndAssets(t *testing.T) {
	ts, _ := newPages(t)
	pages := map[string][]byte{}
	for _, path := range []string{"/dashboard", "/?q"} {
		resp, body := get(t, nil, ts.URL+path, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		if resp.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache (the page names the current assets)", path, resp.Header.Get("Cache-Control"))
		}
		pages[path] = body
	}
	var cfg struct{ GraphQLPath string }
	pageConfig(t, pages["/dashboard"], &cfg)
	if cfg.GraphQLPath != "/graphql" {
		t.Errorf("dashboard config endpoint %q", cfg.GraphQLPath)
	}

	resp, _ := get(t, noRedirects, ts.URL+"/dashboard/", nil)
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/dashboard" {
		t.Errorf("GET /dashboard/: %d to %q, want a redirect to /dashboard", resp.StatusCode, resp.Header.Get("Location"))
	}

	wantTypes := map[string]string{".js": "text/javascript", ".css": "text/css"}
	for path, html := range pages {
		refs := assetRE.FindAllSubmatch(html, -1)
		if len(refs) < 2 {
			t.Errorf("%s links %d assets, want its script and stylesheet", path, len(refs))
		}
		for _, m := range refs {
			asset := "/" + string(m[1])
			ext := asset[strings.LastIndex(asset, "."):]
			t.Run(asset, func(t *testing.T) {
				resp, plain := get(t, nil, ts.URL+asset, nil)
				if resp.StatusCode != http.StatusOK || len(plain) == 0 {
					t.Fatalf("GET %s: %d, %d bytes", asset, resp.StatusCode, len(plain))
				}
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, wantTypes[ext]) {
					t.Errorf("Content-Type %q, want %s", ct, wantTypes[ext])
				}
				if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
					t.Errorf("Cache-Control %q, want a long-lived cache for a hashed name", cc)
				}
				if resp.Header.Get("Content-Encoding") != "" {
					t.Errorf("compressed for a client that didn't ask")
				}
				resp, zipped := get(t, nil, ts.URL+asset, http.Header{"Accept-Encoding": {"br;q=1.0, gzip;q=0.8"}})
				if resp.Header.Get("Content-Encoding") != "gzip" {
					t.Fatalf("Content-Encoding %q, want gzip", resp.Header.Get("Content-Encoding"))
				}
				zr, err := gzip.NewReader(bytes.NewReader(zipped))
				if err != nil {
					t.Fatal(err)
				}
				unzipped, err := io.ReadAll(zr)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(unzipped, plain) {
					t.Errorf("gzipped body differs from the plain one")
				}
				if len(zipped) >= len(plain) {
					t.Errorf("gzip made %d bytes of %d", len(zipped), len(plain))
				}
			})
		}
	}

	for _, path := range []string{"/assets/", "/assets/nope.js", "/assets/../dist/build-info.json", "/build-info.json", "/nope"} {
		resp, _ := get(t, nil, ts.URL+path, nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// The dashboard's operations are valid against the schema the server
// serves, so a schema change that breaks the dashboard fails here, without
// a browser or Node.
func TestDashboardOperationsMatchSchema(t *testing.T) {
	src, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gqlErr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
	if gqlErr != nil {
		t.Fatal(gqlErr)
	}
	ops := web.DashboardOperations()
	for _, name := range []string{"DashboardSetup", "MapComuni", "CoveredInSector", "CoveredByService", "ComuneDetails", "DashboardTutorNetwork", "DashboardRollout", "DashboardCoverageGaps"} {
		if _, ok := ops[name]; !ok {
			t.Errorf("no dashboard operation %s", name)
		}
	}
	for name, query := range ops {
		doc, errs := gqlparser.LoadQueryWithRules(schema, query, nil)
		if len(errs) > 0 {
			t.Errorf("%s: %v", name, errs)
			continue
		}
		if len(doc.Operations) != 1 || doc.Operations[0].Name != name {
			t.Errorf("%s: the document holds %d operations, want one named %s", name, len(doc.Operations), name)
		}
	}
	// The check can fail.
	if _, errs := gqlparser.LoadQueryWithRules(schema, `query Broken { regions { nope } }`, nil); len(errs) == 0 {
		t.Error("an unknown field passed validation")
	}
}
