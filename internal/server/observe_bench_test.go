package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"pcnet/internal/observe"
	"pcnet/internal/server"
)

// discardExporter drops spans: the cost measured is making them.
type discardExporter struct{}

func (discardExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardExporter) Shutdown(context.Context) error                             { return nil }

// BenchmarkObservability measures a simple query through the whole
// handler (in process, no network) with tracing off (metrics and access
// log are always on) and on, sampling every request:
//
//	go test ./internal/server -run '^$' -bench Observability -benchmem
func BenchmarkObservability(b *testing.B) {
	_, store := loadShipped(b)
	body := `{"query":"{ region(code: \"03\") { name } }"}`
	for _, bm := range []struct {
		name string
		opts server.Options
	}{
		{"tracing off", server.Options{}},
		{"tracing on", server.Options{TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardExporter{}))}},
	} {
		bm.opts.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
		h := server.New(store, bm.opts)
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequestWithContext(b.Context(), http.MethodPost, server.GraphQLPath, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if !strings.Contains(rec.Body.String(), "Lombardia") {
					b.Fatal(rec.Body.String())
				}
			}
		})
	}
}

// BenchmarkMetrics measures what the metrics add to one request with one
// store call.
func BenchmarkMetrics(b *testing.B) {
	m := observe.NewMetrics()
	for b.Loop() {
		done := m.StoreCallStarted("Regions")
		done("ok")
		m.ObserveRequest(m.OperationLabel("Dashboard"), 1000, nil)
	}
}
