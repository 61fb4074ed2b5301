// Package observe is pcnet's observability: Prometheus metrics, OpenTelemetry
// tracing set up from the standard OTEL_* environment variables, and the
// request identity (request ID, trace ID) that log lines carry.
//
// Nothing here is global: a Metrics registers on the registry it is given,
// and a tracer provider is passed to whoever makes spans.
package observe

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Label values used when the real value is missing or would blow up the
// number of series.
const (
	OperationAnonymous = "_anonymous" // an operation without a name
	OperationNone      = "_none"      // a request rejected before its operation was known
	OperationOther     = "_other"     // a name beyond MaxOperationNames
)

// DefaultMaxOperationNames bounds the distinct operation names used as
// label values: operation names come from clients, and every new name
// would otherwise add series until the server runs out of memory.
const DefaultMaxOperationNames = 200

// Metrics are the Prometheus metrics of the service. Make one per registry
// with NewMetrics; the methods are safe for concurrent use.
type Metrics struct {
	registry *prometheus.Registry

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	errors          *prometheus.CounterVec
	rejections      *prometheus.CounterVec
	complexity      prometheus.Histogram

	httpInFlight prometheus.Gauge

	storeCalls    *prometheus.CounterVec
	storeDuration *prometheus.HistogramVec
	storeInFlight prometheus.Gauge
	storeUp       prometheus.Gauge

	mu         sync.Mutex
	operations map[string]bool
	maxOps     int
}

// latencyBuckets span a cached lookup (a millisecond) to a heavy analytics
// query on Neo4j (tens of seconds).
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// NewMetrics registers pcnet's metrics, and the Go runtime and process
// collectors, on a new registry.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		registry: reg,
		maxOps:   DefaultMaxOperationNames,
		requests: counterVec(reg, "pcnet_graphql_requests_total",
			"GraphQL requests, by operation name ("+OperationAnonymous+", "+OperationNone+" or "+OperationOther+" when there is no usable name).", "operation"),
		requestDuration: histogramVec(reg, "pcnet_graphql_request_duration_seconds", "Time to answer a GraphQL request, by operation name.", "operation"),
		errors: counterVec(reg, "pcnet_graphql_errors_total",
			"Errors in GraphQL responses, by extensions.code (invalid, not_found, unavailable, timeout, limit_exceeded, internal, GRAPHQL_VALIDATION_FAILED, ...).", "code"),
		rejections: counterVec(reg, "pcnet_graphql_limit_rejections_total",
			"Requests rejected by a limit before any store work, by limit (depth, complexity, aliases, fields, body, batch, tokens).", "limit"),
		complexity: register(reg, prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "pcnet_graphql_complexity",
			Help:    "Computed complexity of the operations checked, accepted or not: the figure to tune --max-complexity by.",
			Buckets: prometheus.ExponentialBuckets(10, 4, 8), // 10 .. 163,840
		})),
		httpInFlight: gauge(reg, "pcnet_http_requests_in_flight", "HTTP requests being served."),
		storeCalls: counterVec(reg, "pcnet_store_calls_total",
			"Calls to the store (one batched round trip each), by method and outcome (ok, or the error code).", "method", "outcome"),
		storeDuration: histogramVec(reg, "pcnet_store_call_duration_seconds", "Time of a store call, by method.", "method"),
		storeInFlight: gauge(reg, "pcnet_store_calls_in_flight",
			"Store calls running; for Neo4j each holds a pooled connection, so this is the pool's busy connections as pcnet sees them."),
		storeUp: gauge(reg, "pcnet_store_up", "1 when the store answers, 0 during an outage (requests then fail fast with code unavailable)."),
	}
	m.storeUp.Set(1)
	return m
}

// The constructors below make a metric and register it on reg, so that
// every metric is named, described and registered in one place.

func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	reg.MustRegister(c)
	return c
}

func counterVec(reg prometheus.Registerer, name, help string, labels ...string) *prometheus.CounterVec {
	return register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels))
}

// histogramVec is a latency histogram, in seconds (latencyBuckets).
func histogramVec(reg prometheus.Registerer, name, help string, labels ...string) *prometheus.HistogramVec {
	return register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: latencyBuckets}, labels))
}

func gauge(reg prometheus.Registerer, name, help string) prometheus.Gauge {
	return register(reg, prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help}))
}

// Registry returns the registry the metrics are on, for collectors of
// others (a store's own figures).
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// OperationLabel returns the label value for an operation name: the name
// itself for the first DefaultMaxOperationNames distinct names, then
// OperationOther.
func (m *Metrics) OperationLabel(name string) string {
	if name == "" {
		return OperationAnonymous
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.operations == nil {
		m.operations = make(map[string]bool)
	}
	if m.operations[name] {
		return name
	}
	if len(m.operations) >= m.maxOps {
		return OperationOther
	}
	m.operations[name] = true
	return name
}

// ObserveRequest records a GraphQL request: its operation label (see
// OperationLabel), how long it took, and the codes of its errors.
func (m *Metrics) ObserveRequest(operation string, d time.Duration, codes []string) {
	m.requests.WithLabelValues(operation).Inc()
	m.requestDuration.WithLabelValues(operation).Observe(d.Seconds())
	for _, c := range codes {
		m.errors.WithLabelValues(c).Inc()
	}
}

// ObserveRejection counts a request rejected by a limit.
func (m *Metrics) ObserveRejection(limit string) { m.rejections.WithLabelValues(limit).Inc() }

// ObserveComplexity records the complexity of a checked operation.
func (m *Metrics) ObserveComplexity(c int) { m.complexity.Observe(float64(c)) }

// HTTPInFlight returns the gauge of HTTP requests in flight.
func (m *Metrics) HTTPInFlight() prometheus.Gauge { return m.httpInFlight }

// StoreCallStarted records the start of a store call; call the returned
// function with the outcome ("ok" or an error code) when it ends.
func (m *Metrics) StoreCallStarted(method string) func(outcome string) {
	start := time.Now()
	m.storeInFlight.Inc()
	return func(outcome string) {
		m.storeInFlight.Dec()
		m.storeCalls.WithLabelValues(method, outcome).Inc()
		m.storeDuration.WithLabelValues(method).Observe(time.Since(start).Seconds())
	}
}

// SetStoreUp records whether the store answers.
func (m *Metrics) SetStoreUp(up bool) {
	if up {
		m.storeUp.Set(1)
	} else {
		m.storeUp.Set(0)
	}
}

// RegisterQueryCounter exposes a store's own count of queries sent to the
// database, retries included, as pcnet_store_database_queries_total: set
// against pcnet_store_calls_total it shows the retries.
func (m *Metrics) RegisterQueryCounter(count func() int64) {
	m.registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "pcnet_store_database_queries_total",
		Help: "Queries the store sent to its database, driver retries included.",
	}, func() float64 { return float64(count()) }))
}

// RegisterPoolSize exposes the configured maximum size of the store's
// connection pool as pcnet_store_pool_max_connections.
func (m *Metrics) RegisterPoolSize(max int) {
	gauge(m.registry, "pcnet_store_pool_max_connections",
		"The maximum number of connections in the store's pool (the Neo4j Go driver exposes no live pool figures).").Set(float64(max))
}
