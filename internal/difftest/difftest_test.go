package difftest

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pcnet/examples"
	"pcnet/graph"
	"pcnet/internal/dataset"
	"pcnet/internal/memory"
	"pcnet/internal/neo4j/neo4jtest"
	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

// today pins the day that omitted date arguments default to, so answers
// don't depend on when the test runs.
var today = pcnet.MustDate("2026-06-30")

// minOperations is the floor the issue sets for the differential suite.
const minOperations = 25

type operation struct {
	name, query string
	wantErrors  bool // the operation exists to compare error answers
}

func operations(t *testing.T) []operation {
	t.Helper()
	var ops []operation
	for _, op := range examples.All() {
		ops = append(ops, operation{name: "examples/" + op.Name, query: op.Query})
	}
	files, err := filepath.Glob("testdata/*.graphql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".graphql")
		ops = append(ops, operation{name: "testdata/" + name, query: string(b), wantErrors: strings.HasPrefix(name, "errors_")})
	}
	if len(ops) < minOperations {
		t.Fatalf("only %d operations; the differential suite needs at least %d", len(ops), minOperations)
	}
	return ops
}

func TestStoresAnswerIdentically(t *testing.T) {
	ds, _, err := dataset.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	mem, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	neo := neo4jtest.Load(t, ds)

	servers := map[string]*httptest.Server{
		"memory": serve(t, mem),
		"neo4j":  serve(t, neo),
	}
	for _, op := range operations(t) {
		t.Run(op.name, func(t *testing.T) {
			answers := map[string][]byte{}
			for _, name := range slices.Sorted(maps.Keys(servers)) {
				answers[name] = post(t, servers[name].URL, op.query)
			}
			m, n := answers["memory"], answers["neo4j"]
			if !bytes.Equal(m, n) {
				i := firstDiff(m, n)
				t.Fatalf("answers differ at byte %d:\nmemory: …%s…\nneo4j:  …%s…", i, around(m, i), around(n, i))
			}
			var resp struct {
				Data   json.RawMessage   `json:"data"`
				Errors []json.RawMessage `json:"errors"`
			}
			if err := json.Unmarshal(m, &resp); err != nil {
				t.Fatalf("answer is not JSON: %v: %s", err, clip(m))
			}
			if op.wantErrors != (len(resp.Errors) > 0) {
				t.Fatalf("errors = %d, want errors: %v: %s", len(resp.Errors), op.wantErrors, clip(m))
			}
			if !op.wantErrors && (len(resp.Data) == 0 || string(resp.Data) == "null") {
				t.Fatalf("no data: %s", clip(m))
			}
		})
	}
}

func serve(t *testing.T, store graph.Backend) *httptest.Server {
	t.Helper()
	h := server.New(store, server.Options{
		Logger: nil,
		Today:  func() pcnet.Date { return today },
		Limits: server.Limits{Timeout: -1}, // no deadline: a busy machine must not fail a correct query
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, url, query string) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url+server.GraphQLPath, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// around returns the bytes of b near index i.
func around(b []byte, i int) string {
	return string(b[max(0, i-200):min(len(b), i+200)])
}

// clip shortens long answers in failure messages.
func clip(b []byte) string {
	const max = 2000
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
