package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"pcnet/examples"
	"pcnet/graph"
	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

// httpResult is a raw HTTP answer of the GraphQL endpoint.
type httpResult struct {
	status int
	header http.Header
	body   []byte
	gql    gqlResponse
}

// send posts body (a JSON document, sent as is) to /graphql with headers.
func send(t testing.TB, ts *httptest.Server, body string, headers map[string]string) httpResult {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+server.GraphQLPath, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := httpResult{status: resp.StatusCode, header: resp.Header, body: raw}
	if err := json.Unmarshal(raw, &out.gql); err != nil {
		t.Fatalf("status %d, body %q is not a GraphQL response: %v", resp.StatusCode, raw, err)
	}
	return out
}

// query encodes a GraphQL request body.
func query(t testing.TB, q string, vars map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// nested returns a query nesting Province.region.provinces n times:
// { provinces { region { provinces { ... code } } } }, of depth 2n+2.
func nested(n int) string {
	return "{ provinces { " + strings.Repeat("region { provinces { ", n) + "code" + strings.Repeat(" } }", n) + " } }"
}

// checkLimitError checks that r rejects a request over limit, naming it,
// its maximum and (when known, >= 0) the request's figure.
func checkLimitError(t *testing.T, r httpResult, status int, limit string, max, actual int64) {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d, want %d (body %s)", r.status, status, r.body)
	}
	if len(r.gql.Errors) != 1 {
		t.Fatalf("errors %+v, want one", r.gql.Errors)
	}
	ext := r.gql.Errors[0].Extensions
	if ext["code"] != server.ELimitExceeded || ext["limit"] != limit {
		t.Errorf("extensions %v, want code %s and limit %s", ext, server.ELimitExceeded, limit)
	}
	if got, _ := ext["max"].(float64); int64(got) != max {
		t.Errorf("extensions.max = %v, want %d", ext["max"], max)
	}
	if actual >= 0 {
		if got, _ := ext["actual"].(float64); int64(got) != actual {
			t.Errorf("extensions.actual = %v, want %d", ext["actual"], actual)
		}
	}
	if string(r.gql.Data) != "" && string(r.gql.Data) != "null" {
		t.Errorf("data %s with a rejected request", r.gql.Data)
	}
}

// Each limit rejects an abusive request with its own error, before any
// store call, and lets the same request through just under the limit.
func TestLimitsRejectBeforeStoreWork(t *testing.T) {
	_, store := loadShipped(t)
	// aliased returns { a0: region(code: "01") { name } a1: ... }, n aliases.
	aliased := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, ` a%d: region(code: "01") { name }`, i)
		}
		return b.String() + " }"
	}
	tests := []struct {
		name        string
		limits      server.Limits
		under, over string // a query just within the limit, and one just past it
		limit       string
		max, actual int64
	}{
		// nested(1) = { provinces { region { provinces { code } } } }: depth 4.
		{"depth", server.Limits{MaxDepth: 4}, nested(1), nested(2), server.LimitDepth, 4, 6},
		// { comuni(first: N) { edges { node { code } } } } costs
		// 1 (comuni) + N × (1 (edges) + 1 (node) + 1 (code)) = 1 + 3N:
		// gqlgen's calculator multiplies the whole page's selection.
		{"complexity grows with first", server.Limits{MaxComplexity: 301},
			`{ comuni(first: 100) { edges { node { code } } } }`, `{ comuni(first: 101) { edges { node { code } } } }`,
			server.LimitComplexity, 301, 304},
		// { regions { provinces { code } } }: 1 + 20 regions × (1 + 6 Provinces per region × 1) = 141.
		{"complexity of known list sizes", server.Limits{MaxComplexity: 141},
			`{ regions { provinces { code } } }`, `{ regions { provinces { code name } } }`,
			server.LimitComplexity, 141, 1 + 20*(1+6*2)},
		{"aliases", server.Limits{MaxAliases: 5}, aliased(5), aliased(6), server.LimitAliases, 5, 6},
		// aliased(n) has 2n fields: region and name.
		{"fields", server.Limits{MaxFields: 10}, aliased(5), aliased(6), server.LimitFields, 10, 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counting := newCountingStore(store)
			ts := newServer(t, counting, server.Options{Limits: tt.limits})
			r := send(t, ts, query(t, tt.over, nil), nil)
			checkLimitError(t, r, http.StatusUnprocessableEntity, tt.limit, tt.max, tt.actual)
			if calls := counting.snapshot(); len(calls) > 0 {
				t.Errorf("the rejected request made store calls: %v", calls)
			}
			r = send(t, ts, query(t, tt.under, nil), nil)
			if r.status != http.StatusOK || len(r.gql.Errors) > 0 {
				t.Errorf("the request at the limit failed: %d %s", r.status, r.body)
			}
		})
	}

	t.Run("tokens", func(t *testing.T) {
		counting := newCountingStore(store)
		ts := newServer(t, counting, server.Options{Limits: server.Limits{MaxTokens: 20}})
		// { regions { code name } } is 6 tokens; 8 more fields make 14, 15 make 21.
		under := "{ regions { code name" + strings.Repeat(" code", 8) + " } }"
		over := "{ regions { code name" + strings.Repeat(" code", 15) + " } }"
		r := send(t, ts, query(t, over, nil), nil)
		checkLimitError(t, r, http.StatusUnprocessableEntity, server.LimitTokens, 20, -1)
		if r := send(t, ts, query(t, under, nil), nil); len(r.gql.Errors) > 0 {
			t.Errorf("14 tokens: %s", r.body)
		}
		counting.reset()
		send(t, ts, query(t, over, nil), nil)
		if calls := counting.snapshot(); len(calls) > 0 {
			t.Errorf("the rejected request made store calls: %v", calls)
		}
	})

	t.Run("body", func(t *testing.T) {
		counting := newCountingStore(store)
		ts := newServer(t, counting, server.Options{MaxBodyBytes: 2048})
		big := query(t, `{ regions { code } }`+strings.Repeat(" ", 4096), nil)
		r := send(t, ts, big, nil)
		checkLimitError(t, r, http.StatusRequestEntityTooLarge, server.LimitBody, 2048, -1)
		if calls := counting.snapshot(); len(calls) > 0 {
			t.Errorf("the rejected request made store calls: %v", calls)
		}
		if r := send(t, ts, query(t, `{ regions { code } }`+strings.Repeat(" ", 1500), nil), nil); len(r.gql.Errors) > 0 {
			t.Errorf("a body under the limit: %s", r.body)
		}
	})

	t.Run("batch", func(t *testing.T) {
		counting := newCountingStore(store)
		ts := newServer(t, counting, server.Options{})
		one := query(t, `{ regions { code } }`, nil)
		r := send(t, ts, " ["+one+","+one+"]", nil)
		checkLimitError(t, r, http.StatusBadRequest, server.LimitBatch, 1, -1)
		if !strings.Contains(r.gql.Errors[0].Message, "one operation per request") {
			t.Errorf("message %q doesn't say what to do", r.gql.Errors[0].Message)
		}
		if calls := counting.snapshot(); len(calls) > 0 {
			t.Errorf("the rejected request made store calls: %v", calls)
		}
	})

	t.Run("introspection off", func(t *testing.T) {
		ts := newServer(t, store, server.Options{NoIntrospection: true})
		for _, q := range []string{`{ __schema { types { name } } }`, `{ __type(name: "Comune") { name } }`,
			`query { ...F } fragment F on Query { __schema { queryType { name } } }`} {
			r := send(t, ts, query(t, q, nil), nil)
			if len(r.gql.Errors) != 1 || r.gql.Errors[0].Extensions["code"] != pcnet.EFORBIDDEN {
				t.Errorf("%s: %s, want one forbidden error", q, r.body)
			}
		}
		// __typename is not introspection: clients (Apollo) ask for it everywhere.
		if r := send(t, ts, query(t, `{ regions { __typename code } }`, nil), nil); len(r.gql.Errors) > 0 {
			t.Errorf("__typename with introspection off: %s", r.body)
		}
		ts = newServer(t, store, server.Options{})
		if r := send(t, ts, query(t, `{ __schema { queryType { name } } }`, nil), nil); len(r.gql.Errors) > 0 {
			t.Errorf("introspection on by default: %s", r.body)
		}
	})
}

// A document whose fragments expand exponentially (2^30 fields) is
// rejected by the fields limit at once, without being expanded.
func TestFragmentBombIsRejectedQuickly(t *testing.T) {
	_, store := loadShipped(t)
	counting := newCountingStore(store)
	ts := newServer(t, counting, server.Options{})
	var b strings.Builder
	b.WriteString("{ regions { ...F0 } }\n")
	for i := range 30 {
		fmt.Fprintf(&b, "fragment F%d on Region { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	b.WriteString("fragment F30 on Region { code }\n")
	start := time.Now()
	r := send(t, ts, query(t, b.String(), nil), nil)
	// Only a liveness bound: the store calls and the error below are what is checked.
	if elapsed := time.Since(start); elapsed > liveness {
		t.Errorf("took %v", elapsed)
	}
	checkLimitError(t, r, http.StatusUnprocessableEntity, server.LimitFields, server.DefaultMaxFields, server.DefaultMaxFields+1)
	if calls := counting.snapshot(); len(calls) > 0 {
		t.Errorf("store calls: %v", calls)
	}

	// With the fields limit off, the walk still stops (at a million).
	ts = newServer(t, counting, server.Options{Limits: server.Limits{MaxFields: -1}})
	start = time.Now()
	r = send(t, ts, query(t, b.String(), nil), nil)
	if elapsed := time.Since(start); elapsed > liveness {
		t.Errorf("with the limit off: took %v", elapsed)
	}
	if len(r.gql.Errors) != 1 || r.gql.Errors[0].Extensions["limit"] != server.LimitFields {
		t.Errorf("with the limit off: %.300s, want a fields error", r.body)
	}
}

// The defaults let every shipped example and GraphiQL's introspection
// query through; abusive queries of the kind they exist for are refused.
func TestDefaultLimits(t *testing.T) {
	_, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	ops := examples.All()
	ops = append(ops, examples.Operation{Name: "graphiql introspection", Query: introspectionQuery})
	for _, op := range ops {
		r := send(t, ts, query(t, op.Query, nil), nil)
		for _, e := range r.gql.Errors {
			t.Errorf("%s: %s", op.Name, e.Message)
		}
	}
	abusive := []struct{ name, query, limit string }{
		{"a thousand Comuni, each with a thousand of its Province's", `{ comuni(first: 1000) { edges { node { name province { comuni(first: 1000) { edges { node { name } } } } } } } }`, server.LimitComplexity},
		{"every coverage of every Comune's services", `{ comuni(first: 1000) { edges { node { coverages { service { coverage(first: 1000) { edges { node { name } } } } } } } } }`, server.LimitComplexity},
		{"deep cycle", nested(8), server.LimitDepth},
		{"a hundred aliases", func() string {
			var b strings.Builder
			b.WriteString("{")
			for i := range 100 {
				fmt.Fprintf(&b, " r%d: reach(groupBy: PROVINCE) { services }", i)
			}
			return b.String() + " }"
		}(), server.LimitAliases},
	}
	for _, a := range abusive {
		r := send(t, ts, query(t, a.query, nil), nil)
		if len(r.gql.Errors) != 1 || r.gql.Errors[0].Extensions["limit"] != a.limit {
			t.Errorf("%s: %.300s, want a %s error", a.name, r.body, a.limit)
		}
	}
}

// Variables count like literals: a page size given as a variable is
// priced the same.
func TestComplexityReadsVariables(t *testing.T) {
	_, store := loadShipped(t)
	ts := newServer(t, store, server.Options{Limits: server.Limits{MaxComplexity: 301}}) // 1 + 3 × first
	q := `query($n: Int) { comuni(first: $n) { edges { node { code } } } }`
	if r := send(t, ts, query(t, q, map[string]any{"n": 100}), nil); len(r.gql.Errors) > 0 {
		t.Errorf("first: $n = 100: %s", r.body)
	}
	r := send(t, ts, query(t, q, map[string]any{"n": 101}), nil)
	checkLimitError(t, r, http.StatusUnprocessableEntity, server.LimitComplexity, 301, 304)
	// The schema's default (50) applies when the variable is left out.
	r = send(t, ts, query(t, `query($n: Int = 51) { comuni(first: $n) { edges { node { code } } } } `, nil), nil)
	if len(r.gql.Errors) > 0 {
		t.Errorf("first = 51 by default: %s", r.body)
	}
	ts = newServer(t, store, server.Options{Limits: server.Limits{MaxComplexity: 150}})
	r = send(t, ts, query(t, `{ comuni { edges { node { code } } } }`, nil), nil)
	checkLimitError(t, r, http.StatusUnprocessableEntity, server.LimitComplexity, 150, 151)
}

// A request that runs out of time gets a "timeout" error, and the store
// call in flight sees its context cancelled at the deadline.
func TestTimeoutCancelsTheStoreCall(t *testing.T) {
	_, store := loadShipped(t)
	slow := &slowStore{Backend: store, seen: make(chan error, 1)}
	ts := newServer(t, slow, server.Options{Limits: server.Limits{Timeout: 200 * time.Millisecond}})
	start := time.Now()
	r := send(t, ts, query(t, `{ regions { code } }`, nil), nil)
	elapsed := time.Since(start)
	if len(r.gql.Errors) != 1 || r.gql.Errors[0].Extensions["code"] != server.ETimeout {
		t.Fatalf("%s, want one timeout error", r.body)
	}
	if !strings.Contains(r.gql.Errors[0].Message, "200ms") {
		t.Errorf("message %q doesn't give the limit", r.gql.Errors[0].Message)
	}
	// A liveness bound: an answer that waited for something other than the
	// deadline would hang far longer; the cancelled store call is checked below.
	if elapsed > liveness {
		t.Errorf("answered after %v, want about 200ms", elapsed)
	}
	select {
	case err := <-slow.seen:
		if err == nil {
			t.Error("the store's context was never cancelled")
		}
	case <-time.After(2 * time.Second):
		t.Error("the store call never returned")
	}
}

// slowStore's Regions waits for its context to end, reports why, and
// fails the way the Neo4j driver does (a connectivity error that doesn't
// wrap the context's).
type slowStore struct {
	graph.Backend
	seen chan error
}

func (s *slowStore) Regions(ctx context.Context, codes []string) ([]pcnet.Region, error) {
	<-ctx.Done()
	s.seen <- ctx.Err()
	return nil, errors.New("ConnectivityError: context deadline exceeded")
}

// introspectionQuery is GraphiQL's (graphql-js getIntrospectionQuery, with
// descriptions).
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`
