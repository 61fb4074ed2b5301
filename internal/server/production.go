package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"pcnet/graph"
	"pcnet/internal/observe"
	"pcnet/internal/storeguard"
)

// readyzTimeout bounds the store probe of /readyz.
const readyzTimeout = 2 * time.Second

// DefaultAPQCacheSize is the default of Options.APQCacheSize.
const DefaultAPQCacheSize = 1000

// production is what New adds to serve in production: limits, persisted
// queries, health, metrics, tracing and access logs. See
// docs/operations.md.
type production struct {
	opts     Options
	log      *slog.Logger
	limits   Limits
	maxBody  int64
	metrics  *observe.Metrics
	avail    *storeguard.Availability
	tracing  trace.TracerProvider // nil: no HTTP spans
	tracer   trace.Tracer
	known    PersistedQueries
	apqCache int
}

// newProduction prepares the production layers for a handler over store.
func newProduction(store graph.Backend, log *slog.Logger, opts Options) *production {
	p := &production{
		opts:    opts,
		log:     slog.New(observe.LogHandler(log.Handler())),
		limits:  opts.Limits.withDefaults(),
		maxBody: opts.MaxBodyBytes,
		metrics: opts.Metrics,
		avail:   opts.Availability,
		tracing: opts.TracerProvider,
	}
	if p.maxBody <= 0 {
		p.maxBody = DefaultMaxBodyBytes
	}
	if p.metrics == nil {
		p.metrics = observe.NewMetrics()
	}
	if p.avail == nil {
		p.avail = storeguard.NewAvailability(store, storeguard.AvailabilityOptions{Logger: p.log, OnChange: p.metrics.SetStoreUp})
	}
	tp := p.tracing
	if tp == nil {
		tp = noop.NewTracerProvider()
	}
	p.tracer = tp.Tracer("pcnet/internal/server")
	p.known = ExampleQueries()
	for hash, q := range opts.PersistedQueries {
		p.known[hash] = q
	}
	p.apqCache = opts.APQCacheSize
	if p.apqCache <= 0 {
		p.apqCache = DefaultAPQCacheSize
	}
	return p
}

// store returns store as the GraphQL layer should use it: gated by the
// availability, traced and measured.
func (p *production) store(store graph.Backend) graph.Backend {
	return storeguard.Decorate(store, p.avail, p.metrics, p.tracer)
}

// configure adds the GraphQL extensions, in the order they must run:
// persisted queries and the limits that need no schema before parsing
// (parsed is gqlgen's query cache, which holds the documents that passed),
// the error cap on validation, complexity after it, then telemetry around
// execution.
func (p *production) configure(gql *handler.Server, parsed graphql.Cache[*ast.QueryDocument]) {
	gql.Use(newQueryGate(p.known, p.opts.PersistedOnly, p.apqCache, p.limits, parsed, p.metrics))
	gql.SetValidationRulesFn(cappedRules)
	gql.AroundResponses(capErrors)
	gql.AroundResponses(operationDeadline(p.limits.Timeout))
	if !p.opts.NoIntrospection {
		gql.Use(extension.Introspection{})
	}
	gql.Use(&operationLimits{limits: p.limits, introspection: !p.opts.NoIntrospection, metrics: p.metrics})
	gql.Use(telemetry{tracer: p.tracer, logVariables: p.opts.LogVariables})
}

// routes adds /healthz, /readyz and /metrics.
func (p *production) routes(mux *http.ServeMux) {
	mux.Handle("GET "+HealthzPath, healthz())
	mux.Handle("GET "+ReadyzPath, readyz(p.avail, readyzTimeout))
	mux.Handle("GET "+MetricsPath, metricsHandler(p.metrics))
}

// wrap adds the HTTP layers around the handler: tracing (outermost, so the
// access log knows the trace ID), the access log and request ID, and the
// body limits. The request timeout is per operation (operationDeadline),
// so that it holds on every transport.
func (p *production) wrap(next http.Handler) http.Handler {
	h := guardBody(p.maxBody, p.metrics, next)
	h = accessLog(p.log, p.metrics, p.opts.LogVariables, h)
	if p.tracing != nil {
		h = otelhttp.NewHandler(h, "pcnet",
			otelhttp.WithTracerProvider(p.tracing),
			otelhttp.WithPropagators(observe.Propagator()),
			otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " " + spanRoute(r.URL.Path) }),
		)
	}
	return h
}

// spanRoute names the route of a path for span names, which must come from
// a small set: paths are the client's to choose.
func spanRoute(path string) string {
	switch path {
	case GraphQLPath, GraphiQLPath, HealthzPath, ReadyzPath, MetricsPath:
		return path
	}
	return "other"
}
