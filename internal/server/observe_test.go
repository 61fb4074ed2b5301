package server_test

import (
	"bufio"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"pcnet/internal/auth"
	"pcnet/internal/observe"
	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

// The metrics count requests by operation, errors by code, rejections by
// limit, and store calls by method and outcome.
func TestMetrics(t *testing.T) {
	_, store := loadShipped(t)
	counting := newCountingStore(store)
	ts := newServer(t, counting, server.Options{Limits: server.Limits{MaxDepth: 3}})
	named := query(t, `query Dashboard { regions { code provinces { code } } }`, nil)
	for range 3 {
		if r := send(t, ts, named, nil); len(r.gql.Errors) > 0 {
			t.Fatal(r.body)
		}
	}
	send(t, ts, query(t, `{ comune(istat: "12") { name } }`, nil), nil)                           // invalid, anonymous
	send(t, ts, query(t, `query Deep { provinces { region { provinces { code } } } }`, nil), nil) // depth 4 > 3
	send(t, ts, query(t, `{ nope }`, nil), nil)                                                   // validation error
	send(t, ts, `[`+query(t, `{ regions { code } }`, nil)+`]`, nil)                               // batch

	status, body := get(t, ts.URL+server.MetricsPath)
	if status != http.StatusOK {
		t.Fatalf("/metrics: %d", status)
	}
	want := []struct {
		name, labels string
		value        float64
	}{
		{"pcnet_graphql_requests_total", `operation="Dashboard"`, 3},
		{"pcnet_graphql_request_duration_seconds_count", `operation="Dashboard"`, 3},
		{"pcnet_graphql_requests_total", `operation="_anonymous"`, 1}, // the invalid code
		// The deep one, the unknown field and the batch: no valid operation
		// (limits that need no schema run before validation).
		{"pcnet_graphql_requests_total", `operation="_none"`, 3},
		{"pcnet_graphql_errors_total", `code="invalid"`, 1},
		{"pcnet_graphql_errors_total", `code="limit_exceeded"`, 2},
		{"pcnet_graphql_errors_total", `code="GRAPHQL_VALIDATION_FAILED"`, 1},
		{"pcnet_graphql_limit_rejections_total", `limit="depth"`, 1},
		{"pcnet_graphql_limit_rejections_total", `limit="batch"`, 1},
		// The store calls, as the store itself counted them.
		{"pcnet_store_calls_total", `method="Regions",outcome="ok"`, float64(counting.snapshot()["Regions"])},
		{"pcnet_store_calls_total", `method="Provinces",outcome="ok"`, float64(counting.snapshot()["Provinces"])},
		{"pcnet_store_call_duration_seconds_count", `method="Regions"`, float64(counting.snapshot()["Regions"])},
		{"pcnet_store_calls_in_flight", ``, 0},
		{"pcnet_store_up", ``, 1},
	}
	if counting.snapshot()["Regions"] < 3 {
		t.Fatalf("store calls %v: three dashboards made fewer than three Regions calls", counting.snapshot())
	}
	for _, w := range want {
		if got := sample(body, w.name, w.labels); got != w.value {
			t.Errorf("%s{%s} = %v, want %v", w.name, w.labels, got, w.value)
		}
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "pcnet_graphql_complexity_count", "pcnet_http_requests_in_flight"} {
		if !strings.Contains(body, "\n"+name) {
			t.Errorf("no %s", name)
		}
	}
}

func TestOperationLabelsAreBounded(t *testing.T) {
	m := observe.NewMetrics()
	for i := range observe.DefaultMaxOperationNames {
		if got := m.OperationLabel("Op" + string(rune('A'+i%26)) + strings.Repeat("x", i/26)); got == observe.OperationOther {
			t.Fatalf("name %d became %s", i, got)
		}
	}
	if got := m.OperationLabel("OneTooMany"); got != observe.OperationOther {
		t.Errorf("name beyond the bound = %q, want %q", got, observe.OperationOther)
	}
	if got := m.OperationLabel("OpA"); got != "OpA" {
		t.Errorf("a known name = %q", got)
	}
	if got := m.OperationLabel(""); got != observe.OperationAnonymous {
		t.Errorf("no name = %q", got)
	}
}

// Spans: HTTP server, GraphQL operation, root field, store call, each the
// child of the one before, in the trace the client started.
func TestTracing(t *testing.T) {
	_, store := loadShipped(t)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ts := newServer(t, store, server.Options{TracerProvider: tp})
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	r := send(t, ts, query(t, `query Dash { regions { code } }`, nil), map[string]string{
		"traceparent": "00-" + traceID + "-00f067aa0ba902b7-01",
	})
	if len(r.gql.Errors) > 0 {
		t.Fatal(r.body)
	}
	spans := rec.Ended()
	byName := make(map[string]sdktrace.ReadOnlySpan)
	for _, s := range spans {
		byName[s.Name()] = s
	}
	chain := []string{"POST /graphql", "query Dash", "Query.regions", "store.Regions"}
	for i, name := range chain {
		s, ok := byName[name]
		if !ok {
			var names []string
			for _, s := range spans {
				names = append(names, s.Name())
			}
			t.Fatalf("no span %q among %v", name, names)
		}
		if got := s.SpanContext().TraceID().String(); got != traceID {
			t.Errorf("%s is in trace %s, not the client's %s", name, got, traceID)
		}
		if i > 0 {
			if parent := byName[chain[i-1]]; s.Parent().SpanID() != parent.SpanContext().SpanID() {
				t.Errorf("the parent of %s is not %s", name, chain[i-1])
			}
		}
	}
	if k := byName["store.Regions"].SpanKind(); k != trace.SpanKindClient {
		t.Errorf("store span kind %v", k)
	}
	if k := byName["POST /graphql"].SpanKind(); k != trace.SpanKindServer {
		t.Errorf("HTTP span kind %v", k)
	}
	// The trace ID links the access log to the trace.
	if r.header.Get(observe.RequestIDHeader) == "" {
		t.Error("no request ID in the response")
	}
}

// logLines decodes the JSON log lines written to w.
func logLines(t *testing.T, text string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func accessLines(t *testing.T, text string) []map[string]any {
	var out []map[string]any
	for _, l := range logLines(t, text) {
		if l["msg"] == "request" {
			out = append(out, l)
		}
	}
	return out
}

func TestAccessLog(t *testing.T) {
	_, store := loadShipped(t)
	token, entry, err := auth.NewEntry("tester", pcnet.RoleReader)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := json.Marshal([]auth.Entry{entry})
	if err != nil {
		t.Fatal(err)
	}
	keyring, err := auth.ParseKeyring(keys)
	if err != nil {
		t.Fatal(err)
	}
	const secretVar = "private-variable-value"
	q := query(t, `query Find($name: String) { comuni(filter: {nameContains: $name}, first: 1) { totalCount } comune(istat: "x") { name } }`,
		map[string]any{"name": secretVar})
	headers := map[string]string{"Authorization": "Bearer " + token, observe.RequestIDHeader: "req-42.a_b"}

	var logs strings.Builder
	w := &syncWriter{w: &logs}
	ts := newServer(t, store, server.Options{Logger: slog.New(slog.NewJSONHandler(w, nil)), Tokens: keyring})
	r := send(t, ts, q, headers)
	if got := r.header.Get(observe.RequestIDHeader); got != "req-42.a_b" {
		t.Errorf("response X-Request-Id = %q, want the client's", got)
	}
	text := logs.String()
	for _, secret := range []string{token, secretVar} {
		if strings.Contains(text, secret) {
			t.Errorf("the log holds %q:\n%s", secret, text)
		}
	}
	lines := accessLines(t, text)
	if len(lines) != 1 {
		t.Fatalf("%d access lines, want 1:\n%s", len(lines), text)
	}
	l := lines[0]
	checks := map[string]any{
		"request_id": "req-42.a_b", "method": "POST", "path": "/graphql", "status": float64(200),
		"operation": "Find", "operation_type": "query",
	}
	for k, v := range checks {
		if l[k] != v {
			t.Errorf("%s = %v, want %v", k, l[k], v)
		}
	}
	if l["query_hash"] != server.QueryHash(`query Find($name: String) { comuni(filter: {nameContains: $name}, first: 1) { totalCount } comune(istat: "x") { name } }`) {
		t.Errorf("query_hash = %v, want the SHA-256 of the query", l["query_hash"])
	}
	if c, _ := l["complexity"].(float64); c <= 0 {
		t.Errorf("complexity = %v", l["complexity"])
	}
	if codes, _ := l["error_codes"].([]any); len(codes) != 1 || codes[0] != "invalid" {
		t.Errorf("error_codes = %v, want [invalid]", l["error_codes"])
	}
	if d, ok := l["duration_ms"].(float64); !ok || d <= 0 {
		t.Errorf("duration_ms = %v", l["duration_ms"])
	}
	if _, ok := l["variables"]; ok {
		t.Error("variables logged by default")
	}

	// A request ID unfit for logs is replaced; one is made when none is sent.
	for _, sent := range []string{"", "has space", strings.Repeat("x", 200), `"quoted"`, "a=b"} {
		logs.Reset()
		h := map[string]string{}
		if sent != "" {
			h[observe.RequestIDHeader] = sent
		}
		r := send(t, ts, query(t, `{ regions { code } }`, nil), h)
		got := r.header.Get(observe.RequestIDHeader)
		if got == "" || got == sent || len(got) != 32 {
			t.Errorf("sent %q, got back %q: want a new 32-hex-digit ID", sent, got)
		}
		if lines := accessLines(t, logs.String()); len(lines) != 1 || lines[0]["request_id"] != got {
			t.Errorf("logged request_id %v, want %q", lines, got)
		}
	}

	// --log-variables: variables are logged, the token still isn't.
	logs.Reset()
	ts = newServer(t, store, server.Options{Logger: slog.New(slog.NewJSONHandler(w, nil)), LogVariables: true, Tokens: keyring})
	send(t, ts, q, headers)
	text = logs.String()
	if !strings.Contains(text, secretVar) {
		t.Errorf("variables not logged with LogVariables:\n%s", text)
	}
	if strings.Contains(text, token) {
		t.Errorf("token logged:\n%s", text)
	}
}

// An internal error's log line carries the request ID, so it can be tied
// to the access line.
func TestInternalErrorLogHasRequestID(t *testing.T) {
	_, store := loadShipped(t)
	var logs strings.Builder
	ts := newServer(t, failingStore{Backend: store}, server.Options{Logger: slog.New(slog.NewJSONHandler(&syncWriter{w: &logs}, nil))})
	send(t, ts, query(t, `{ services { id } }`, nil), map[string]string{observe.RequestIDHeader: "trace-me"})
	found := false
	for _, l := range logLines(t, logs.String()) {
		if l["msg"] == "internal error" {
			found = true
			if l["request_id"] != "trace-me" {
				t.Errorf("internal error logged with request_id %v", l["request_id"])
			}
		}
	}
	if !found {
		t.Errorf("no internal error logged:\n%s", logs.String())
	}
}
