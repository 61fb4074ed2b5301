package observe

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestTracingFromEnvOff(t *testing.T) {
	for _, env := range []map[string]string{
		{},
		{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"},
		{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"},
		{"OTEL_SERVICE_NAME": "pcnet-test"}, // resource settings alone don't turn it on
	} {
		tr, err := TracingFromEnv(context.Background(), func(k string) string { return env[k] }, "test")
		if err != nil {
			t.Fatalf("%v: %v", env, err)
		}
		if tr.Enabled {
			t.Errorf("%v: tracing on", env)
		}
		_, span := tr.Provider.Tracer("t").Start(context.Background(), "x")
		if span.SpanContext().IsValid() {
			t.Errorf("%v: the tracer makes real spans", env)
		}
		span.End()
	}
}

func TestTracingFromEnvRefusesUnsupported(t *testing.T) {
	for _, env := range []map[string]string{
		{"OTEL_TRACES_EXPORTER": "zipkin"},
		{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
	} {
		if _, err := TracingFromEnv(context.Background(), func(k string) string { return env[k] }, "test"); err == nil {
			t.Errorf("%v: no error", env)
		}
	}
}

// With OTEL_EXPORTER_OTLP_ENDPOINT set, spans reach an OTLP/HTTP collector
// (here a fake one) as protobuf at /v1/traces, with the configured headers.
func TestTracingExportsOverOTLPHTTP(t *testing.T) {
	var got atomic.Int64
	var header, contentType atomic.Value
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/v1/traces" && len(body) > 0 {
			got.Add(1)
			header.Store(r.Header.Get("X-Team"))
			contentType.Store(r.Header.Get("Content-Type"))
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "X-Team=pcnet")
	t.Setenv("OTEL_SERVICE_NAME", "pcnet-test")
	tr, err := TracingFromEnv(context.Background(), os.Getenv, "test")
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Enabled || !strings.Contains(tr.Endpoint, collector.URL) {
		t.Fatalf("tracing %+v, want on with endpoint %s", tr, collector.URL)
	}
	_, span := tr.Provider.Tracer("t").Start(context.Background(), "work")
	span.End()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown (flush): %v", err)
	}
	if got.Load() == 0 {
		t.Fatal("the collector received no spans")
	}
	if h, _ := header.Load().(string); h != "pcnet" {
		t.Errorf("OTEL_EXPORTER_OTLP_HEADERS not sent: X-Team = %q", h)
	}
	if ct, _ := contentType.Load().(string); ct != "application/x-protobuf" {
		t.Errorf("content type %q", ct)
	}
}

func TestRequestIDFrom(t *testing.T) {
	for _, tt := range []struct {
		sent string
		kept bool
	}{
		{"abc-123", true}, {"4bf92f35.77b3:4da6/x_y", true}, {strings.Repeat("a", 128), true},
		{"", false}, {strings.Repeat("a", 129), false}, {"a b", false}, {"a\"b", false}, {"a\nb", false}, {"è", false},
	} {
		got := RequestIDFrom(tt.sent)
		if (got == tt.sent) != tt.kept {
			t.Errorf("RequestIDFrom(%q) = %q, want kept=%v", tt.sent, got, tt.kept)
		}
		if !tt.kept && len(got) != 32 {
			t.Errorf("new ID %q is not 32 hex digits", got)
		}
	}
	if a, b := NewRequestID(), NewRequestID(); a == b {
		t.Error("two new IDs are equal")
	}
}
