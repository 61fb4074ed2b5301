package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pcnet/examples"
	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

func sha(q string) string {
	sum := sha256.Sum256([]byte(q))
	return hex.EncodeToString(sum[:])
}

// apq encodes an automatic-persisted-query request: the hash, and the
// query unless it is "".
func apq(t *testing.T, q, hash string) string {
	t.Helper()
	body := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}}
	if q != "" {
		body["query"] = q
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func errorCode(r httpResult) any {
	if len(r.gql.Errors) == 0 {
		return nil
	}
	return r.gql.Errors[0].Extensions["code"]
}

func TestAutomaticPersistedQueries(t *testing.T) {
	_, store := loadShipped(t)
	ts := newServer(t, store, server.Options{APQCacheSize: 2})
	q := `{ region(code: "03") { name } }`

	// The Apollo protocol: the hash alone first; the server doesn't know
	// it; the client sends both; then the hash alone works.
	r := send(t, ts, apq(t, "", sha(q)), nil)
	if errorCode(r) != "PERSISTED_QUERY_NOT_FOUND" || r.gql.Errors[0].Message != "PersistedQueryNotFound" {
		t.Fatalf("unknown hash: %s, want PersistedQueryNotFound", r.body)
	}
	if r := send(t, ts, apq(t, q, sha(q)), nil); !strings.Contains(string(r.gql.Data), "Lombardia") {
		t.Fatalf("query with its hash: %s", r.body)
	}
	if r := send(t, ts, apq(t, "", sha(q)), nil); !strings.Contains(string(r.gql.Data), "Lombardia") {
		t.Fatalf("registered hash: %s", r.body)
	}

	// A hash that isn't the query's is refused, and registers nothing.
	other := `{ region(code: "01") { name } }`
	if r := send(t, ts, apq(t, other, sha(q+"x")), nil); errorCode(r) != pcnet.EINVALID {
		t.Errorf("wrong hash: %s, want invalid", r.body)
	}

	// The examples are known without registering.
	ex, _ := examples.Get("01_regions")
	if r := send(t, ts, apq(t, "", sha(ex.Query)), nil); len(r.gql.Errors) > 0 {
		t.Errorf("example by hash: %s", r.body)
	}

	// The cache is bounded: two more registrations evict the first.
	for _, code := range []string{"01", "05"} {
		qq := `{ region(code: "` + code + `") { code } }`
		send(t, ts, apq(t, qq, sha(qq)), nil)
	}
	if r := send(t, ts, apq(t, "", sha(q)), nil); errorCode(r) != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("the oldest of 3 registrations with a cache of 2 is still known: %s", r.body)
	}
}

func TestPersistedOnly(t *testing.T) {
	_, store := loadShipped(t)
	known := `{ region(code: "03") { name } }`
	counting := newCountingStore(store)
	ts := newServer(t, counting, server.Options{PersistedOnly: true, PersistedQueries: server.PersistedQueries{sha(known): known}})
	ex, _ := examples.Get("01_regions")

	tests := []struct {
		name, body string
		ok         bool
	}{
		{"configured operation by hash", apq(t, "", sha(known)), true},
		{"configured operation by text", query(t, known, nil), true},
		{"example by hash", apq(t, "", sha(ex.Query)), true},
		{"example by text", query(t, ex.Query, nil), true},
		{"other query", query(t, `{ regions { name } }`, nil), false},
		{"other query registered with its hash", apq(t, `{ regions { code } }`, sha(`{ regions { code } }`)), false},
		{"known text reformatted", query(t, known+" ", nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counting.reset()
			r := send(t, ts, tt.body, nil)
			if tt.ok {
				if len(r.gql.Errors) > 0 {
					t.Errorf("refused: %s", r.body)
				}
				return
			}
			if errorCode(r) != pcnet.EFORBIDDEN || !strings.Contains(r.gql.Errors[0].Message, "persisted operations only") {
				t.Errorf("%s, want forbidden", r.body)
			}
			if calls := counting.snapshot(); len(calls) > 0 {
				t.Errorf("store calls: %v", calls)
			}
		})
	}
	// Nothing a client sent was registered.
	if r := send(t, ts, apq(t, "", sha(`{ regions { code } }`)), nil); errorCode(r) != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("registered in persisted-only mode: %s", r.body)
	}
}

func TestLoadPersistedQueries(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	q1, q2 := `{ regions { code } }`, `query P { provinces { code } }`
	byHash, _ := json.Marshal(map[string]string{sha(q1): q1, strings.ToUpper(sha(q2)): q2})
	manifest, _ := json.Marshal(map[string]any{"format": "apollo-persisted-query-manifest", "version": 1,
		"operations": []map[string]any{{"id": sha(q1), "name": "R", "type": "query", "body": q1}, {"id": sha(q2), "body": q2}}})
	for name, content := range map[string]string{"by-hash.json": string(byHash), "manifest.json": string(manifest)} {
		got, err := server.LoadPersistedQueries(write(name, content))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != 2 || got[sha(q1)] != q1 || got[sha(q2)] != q2 {
			t.Errorf("%s: %v", name, got)
		}
	}
	bad := map[string]string{
		"wrong-hash.json": `{"` + sha(q1) + `": "` + "{ regions { name } }" + `"}`,
		"not-json.json":   `{ regions }`,
		"empty.json":      `{}`,
		"other.json":      `{"format": "relay", "operations": []}`,
	}
	for name, content := range bad {
		if _, err := server.LoadPersistedQueries(write(name, content)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v, want one naming the file", name, err)
		}
	}
}
