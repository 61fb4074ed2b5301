// Package web serves pcnet's browser pages from the binary: GraphiQL (built
// from the npm graphiql package with the explorer plugin) and the coverage
// dashboard. Both are built from web/ by `cd web && npm ci && npm run
// build` into dist/, which is committed, so the binary needs neither Node
// nor the internet: nothing is loaded from a CDN.
//
// Routes, registered by Register:
//
//	/            GraphiQL, opening on the default example
//	/dashboard   the coverage dashboard
//	/assets/...  the pages' scripts, styles and fonts (content-hashed names)
//
// The pages load their assets by relative URL, so they must stay at the
// top level of the site. Each page gets a JSON config at serve time: the
// GraphQL endpoint and, for GraphiQL, the example operations.
package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"

	"pcnet/examples"
)

//go:embed dist
var dist embed.FS

// Paths served.
const (
	GraphiQLPath  = "/"
	DashboardPath = "/dashboard"
	AssetsPath    = "/assets/"
)

// Options configure the pages.
type Options struct {
	// GraphQLPath is where the pages send their queries, e.g. "/graphql".
	GraphQLPath string
	// Examples are the operations GraphiQL offers in its Examples panel.
	Examples []examples.Operation
	// DefaultExample names the example GraphiQL opens with; empty for none.
	DefaultExample string
}

// Register mounts GraphiQL, the dashboard and their assets on mux. It
// panics if the embedded build is missing, which a test rules out.
func Register(mux *http.ServeMux, opts Options) {
	mux.Handle("GET "+GraphiQLPath+"{$}", GraphiQL(opts))
	mux.Handle("GET "+DashboardPath, Dashboard(opts))
	mux.Handle("GET "+DashboardPath+"/{$}", http.RedirectHandler(DashboardPath, http.StatusMovedPermanently))
	mux.Handle("GET "+AssetsPath, http.StripPrefix(strings.TrimSuffix(AssetsPath, "/"), Assets()))
}

// DashboardOperations returns the GraphQL operations the dashboard sends,
// by operation name, exactly as it sends them: a server that runs known
// (persisted) operations only must know these for the dashboard to work.
func DashboardOperations() map[string]string {
	b, err := fs.ReadFile(dist, "dist/operations.json")
	if err != nil {
		panic("web: the embedded build has no operations.json: run `cd web && npm ci && npm run build`")
	}
	var ops map[string]string
	if err := json.Unmarshal(b, &ops); err != nil {
		panic(fmt.Sprintf("web: operations.json: %v", err))
	}
	return ops
}

// exampleJSON is how an example reaches the page.
type exampleJSON struct {
	Name          string `json:"name"`
	OperationName string `json:"operationName"`
	Query         string `json:"query"`
}

type graphiQLConfig struct {
	GraphQLPath    string        `json:"graphqlPath"`
	Examples       []exampleJSON `json:"examples"`
	DefaultExample string        `json:"defaultExample,omitempty"`
}

type dashboardConfig struct {
	GraphQLPath string `json:"graphqlPath"`
}

// GraphiQL serves the GraphiQL page. The page keeps the operation being
// edited in its URL, so a bare visit is redirected to one carrying the
// default example: GraphiQL opens on a query worth running rather than an
// empty editor.
func GraphiQL(opts Options) http.Handler {
	cfg := graphiQLConfig{GraphQLPath: opts.GraphQLPath, Examples: []exampleJSON{}}
	start := ""
	for _, op := range opts.Examples {
		cfg.Examples = append(cfg.Examples, exampleJSON(op))
		if op.Name == opts.DefaultExample {
			cfg.DefaultExample = op.Name
			start = "?" + url.Values{"query": {op.Query}, "operationName": {op.OperationName}}.Encode()
		}
	}
	page := mustPage("graphiql.html", cfg)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery == "" && start != "" {
			http.Redirect(w, r, r.URL.Path+start, http.StatusFound)
			return
		}
		page.ServeHTTP(w, r)
	})
}

// Dashboard serves the coverage dashboard.
func Dashboard(opts Options) http.Handler {
	return mustPage("dashboard.html", dashboardConfig{GraphQLPath: opts.GraphQLPath})
}

// configMarker is where a page template takes its JSON config.
const configMarker = "__PCNET_CONFIG__"

// contentSecurityPolicy keeps the pages to their own origin: scripts,
// styles, fonts, workers and API calls all come from this server. Inline
// styles are allowed because the editor (Monaco) and the chart set them;
// data: fonts because GraphiQL's stylesheet embeds its fonts.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self'; connect-src 'self'; " +
	"object-src 'none'; base-uri 'self'; frame-ancestors 'self'"

// page serves one HTML page rendered once at start-up.
type page []byte

func mustPage(name string, cfg any) page {
	tmpl, err := fs.ReadFile(dist, "dist/"+name)
	if err != nil {
		panic(fmt.Sprintf("web: the embedded build has no %s: run `cd web && npm ci && npm run build`", name))
	}
	// json.Marshal escapes <, > and &, so the config can't end the <script>
	// element it sits in.
	b, err := json.Marshal(cfg)
	if err != nil {
		panic(err) // plain structs of strings always marshal
	}
	if !bytes.Contains(tmpl, []byte(configMarker)) {
		panic("web: " + name + " has no config marker")
	}
	return bytes.Replace(tmpl, []byte(configMarker), b, 1)
}

func (p page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	_, _ = w.Write(p) // a failed write means the client has gone; there is no one left to tell
}

// Assets serves the built assets, with the path relative to the assets
// folder (e.g. "/graphiql-ABC123.js"). Their names carry a hash of their
// content, so browsers may keep them for good; they are sent gzipped to
// clients that accept it, compressed once on first request.
func Assets() http.Handler {
	sub, err := fs.Sub(dist, "dist/assets")
	if err != nil {
		panic(err) // "dist/assets" is a valid path
	}
	a := &assets{files: sub}
	return a
}

type assets struct {
	files fs.FS
	gz    sync.Map // name -> *gzipped
}

type gzipped struct {
	once sync.Once
	data []byte
}

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	data, err := fs.ReadFile(a.files, name)
	if err != nil || name == "" || name == "." {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	if acceptsGzip(r) && compressible(ctype) {
		v, _ := a.gz.LoadOrStore(name, &gzipped{})
		g := v.(*gzipped)
		g.once.Do(func() { g.data = gzipBytes(data) })
		data = g.data
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", fmt.Sprint(len(data)))
	_, _ = w.Write(data) // a failed write means the client has gone; there is no one left to tell
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.HasPrefix(ctype, "font/ttf")
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b) // writes to a bytes.Buffer don't fail
	_ = zw.Close()
	return buf.Bytes()
}
