package server_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"pcnet/internal/memory"
	"pcnet/internal/neo4j"
	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

// cachedRead is one read over HTTP: its body and the store calls it cost
// (Options.StoreCallStats): a cache hit costs exactly one, the audit Seq.
type cachedRead struct {
	body  string
	calls int
}

func (e *writeEnv) read(authorization, query string, vars map[string]any) cachedRead {
	e.t.Helper()
	raw, _, header := e.post(authorization, query, vars)
	calls, err := strconv.Atoi(header.Get(server.StoreCallsHeader))
	if err != nil {
		e.t.Fatalf("no %s header: %v", server.StoreCallsHeader, err)
	}
	return cachedRead{body: string(raw), calls: calls}
}

const cachedCoverageQ = `query($svc: ID!) { service(id: $svc) { coverage(first: 1000) { totalCount edges { node { code } } } } }`

// The response cache serves an identical read again without executing it,
// and never serves it after a write: one made through this server, or one
// made directly in the store, as another replica of the same database
// would (the cache sees only the store's audit Seq).
func TestResponseCacheSeesEveryWrite(t *testing.T) {
	eachStore(t, server.Options{ResponseCacheSize: 100, StoreCallStats: true}, func(t *testing.T, env *writeEnv) {
		const svc = "svc-108-staff-training"
		free := uncoveredComuni(env.ds, svc, "108")
		if len(free) < 2 {
			t.Fatalf("only %d Comuni of 108 free of %s", len(free), svc)
		}
		vars := map[string]any{"svc": svc}
		first := env.read("", cachedCoverageQ, vars)
		if first.calls < 2 {
			t.Fatalf("the first read cost %d store calls: it can't have been executed", first.calls)
		}
		again := env.read("", cachedCoverageQ, vars)
		if again.body != first.body || again.calls != 1 {
			t.Fatalf("the repeated read: %d store calls (want 1, the Seq), same body %v", again.calls, again.body == first.body)
		}

		// A write through this server: the very next read has it.
		env.as("maria", addCoverageQ, map[string]any{"svc": svc, "codes": []string{free[0]}, "since": "2024-01-01", "phase": "ROLLOUT"}, nil)
		afterServer := env.read("", cachedCoverageQ, vars)
		if afterServer.calls < 2 || afterServer.body == first.body || !bytes.Contains([]byte(afterServer.body), []byte(`"`+free[0]+`"`)) {
			t.Fatalf("the read after a write through the server (%d store calls) lacks %s: %s", afterServer.calls, free[0], afterServer.body)
		}
		if r := env.read("", cachedCoverageQ, vars); r.body != afterServer.body || r.calls != 1 {
			t.Fatalf("the read after that: %d store calls, same body %v", r.calls, r.body == afterServer.body)
		}

		// A write straight into the store, as another replica makes it.
		w, ok := env.store.(pcnet.Writer)
		if !ok {
			t.Fatalf("%T is not a pcnet.Writer", env.store)
		}
		if _, err := w.AddCoverage(t.Context(), pcnet.CoverageAddition{ServiceID: svc, ComuneCodes: []string{free[1]}, Since: pcnet.MustDate("2024-01-01"), Phase: pcnet.PhaseRollout}); err != nil {
			t.Fatal(err)
		}
		afterReplica := env.read("", cachedCoverageQ, vars)
		if afterReplica.calls < 2 || !bytes.Contains([]byte(afterReplica.body), []byte(`"`+free[1]+`"`)) {
			t.Fatalf("the read after another replica's write (%d store calls) lacks %s: %s", afterReplica.calls, free[1], afterReplica.body)
		}
	})
}

// What a response depends on besides the document is in the key: the
// variables, the caller's role and the day dates default to; and what may
// not be served again (errors) is never kept.
func TestResponseCacheKey(t *testing.T) {
	var day atomic.Pointer[pcnet.Date]
	d := pcnet.MustDate("2026-05-19")
	day.Store(&d)
	env := newWriteEnv(t, server.Options{ResponseCacheSize: 100, StoreCallStats: true, Today: func() pcnet.Date { return *day.Load() }})

	tests := []struct {
		name   string
		auth   string
		query  string
		vars   map[string]any
		before func()
		hit    bool
	}{
		{"first", "", cachedCoverageQ, map[string]any{"svc": "svc-108-staff-training"}, nil, false},
		{"same", "", cachedCoverageQ, map[string]any{"svc": "svc-108-staff-training"}, nil, true},
		{"other variables", "", cachedCoverageQ, map[string]any{"svc": "svc-004-europe-office"}, nil, false},
		{"other role", env.bearer("maria"), cachedCoverageQ, map[string]any{"svc": "svc-108-staff-training"}, nil, false},
		{"same role", env.bearer("maria"), cachedCoverageQ, map[string]any{"svc": "svc-108-staff-training"}, nil, true},
		{"next day", "", cachedCoverageQ, map[string]any{"svc": "svc-108-staff-training"}, func() {
			next := pcnet.MustDate("2026-05-20")
			day.Store(&next)
		}, false},
		{"with an error", "", `{ region(code: "03") { name } comune(istat: "12a") { name } }`, nil, nil, false},
		{"with an error again", "", `{ region(code: "03") { name } comune(istat: "12a") { name } }`, nil, nil, false},
	}
	for _, tt := range tests {
		if tt.before != nil {
			tt.before()
		}
		r := env.read(tt.auth, tt.query, tt.vars)
		if hit := r.calls == 1; hit != tt.hit {
			t.Errorf("%s: %d store calls: hit = %v, want %v (%s)", tt.name, r.calls, hit, tt.hit, r.body)
		}
	}

	// A planner's audit trail, cached for planners, is not an anonymous
	// caller's: the refusal comes again.
	const changesQ = `{ changes(first: 5) { seq } }`
	env.read(env.bearer("maria"), changesQ, nil)
	if r := env.read(env.bearer("maria"), changesQ, nil); r.calls != 1 {
		t.Errorf("a planner's repeated audit read cost %d store calls, want 1", r.calls)
	}
	var anon gqlResponse
	if err := json.Unmarshal([]byte(env.read("", changesQ, nil).body), &anon); err != nil {
		t.Fatal(err)
	}
	if len(anon.Errors) != 1 || anon.Errors[0].Extensions["code"] != "unauthorized" {
		t.Errorf("an anonymous audit read after a planner's: %+v, want unauthorized", anon.Errors)
	}
}

// Off (the default), every read is executed.
func TestResponseCacheOff(t *testing.T) {
	env := newWriteEnv(t, server.Options{StoreCallStats: true})
	vars := map[string]any{"svc": "svc-108-staff-training"}
	env.read("", cachedCoverageQ, vars)
	if r := env.read("", cachedCoverageQ, vars); r.calls < 2 {
		t.Errorf("with the cache off a repeated read cost %d store calls", r.calls)
	}
}

// An import records an audit entry, so a cached response is not served
// after it: the very next read has the imported data.
func TestResponseCacheSeesAnImport(t *testing.T) {
	eachStore(t, server.Options{ResponseCacheSize: 100, StoreCallStats: true}, func(t *testing.T, env *writeEnv) {
		const q = `query($svc: ID!) { service(id: $svc) { name } }`
		svc := env.ds.Services[0].ID
		vars := map[string]any{"svc": svc}
		first := env.read("", q, vars)
		if again := env.read("", q, vars); again.body != first.body || again.calls != 1 {
			t.Fatalf("the repeated read: %d store calls (want 1, the Seq)", again.calls)
		}
		next := *env.ds
		next.Services = slices.Clone(env.ds.Services)
		next.Services[0].Name = "Renamed by an import"
		var err error
		switch st := env.store.(type) {
		case *memory.Store:
			err = st.Import(t.Context(), next)
		case *neo4j.Store:
			_, err = st.Import(t.Context(), next, nil)
		default:
			t.Fatalf("no import for %T", env.store)
		}
		if err != nil {
			t.Fatal(err)
		}
		after := env.read("", q, vars)
		if after.calls < 2 || !strings.Contains(after.body, "Renamed by an import") {
			t.Fatalf("the read after an import (%d store calls) lacks the new name: %s", after.calls, after.body)
		}
	})
}
