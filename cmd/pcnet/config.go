package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"pcnet/graph"
	"pcnet/internal/neo4j"
	"pcnet/internal/observe"
	"pcnet/internal/server"
)

// opsConfig is the production configuration of `pcnet serve`: limits,
// persisted queries, introspection and logging of variables. Tracing is
// configured by the standard OTEL_* variables (observe.TracingFromEnv).
// docs/operations.md documents it all.
type opsConfig struct {
	requestTimeout    time.Duration
	maxDepth          int
	maxComplexity     int
	maxAliases        int
	maxFields         int
	maxTokens         int
	maxSubsPerConn    int
	maxConnsPerAddr   int
	maxBodyBytes      int64
	introspection     bool
	apqCacheSize      int
	responseCacheSize int
	persistedOnly     bool
	persistedQueries  string
	logVariables      bool
}

// opsEnv maps the flags of opsConfig to their environment variables.
var opsEnv = map[string]string{
	"request-timeout":                  "PCNET_REQUEST_TIMEOUT",
	"max-depth":                        "PCNET_MAX_DEPTH",
	"max-complexity":                   "PCNET_MAX_COMPLEXITY",
	"max-aliases":                      "PCNET_MAX_ALIASES",
	"max-fields":                       "PCNET_MAX_FIELDS",
	"max-tokens":                       "PCNET_MAX_TOKENS",
	"max-body-bytes":                   "PCNET_MAX_BODY_BYTES",
	"max-subscriptions-per-connection": "PCNET_MAX_SUBSCRIPTIONS_PER_CONNECTION",
	"max-connections-per-address":      "PCNET_MAX_CONNECTIONS_PER_ADDRESS",
	"introspection":                    "PCNET_INTROSPECTION",
	"apq-cache-size":                   "PCNET_APQ_CACHE_SIZE",
	"response-cache-size":              "PCNET_RESPONSE_CACHE_SIZE",
	"persisted-only":                   "PCNET_PERSISTED_ONLY",
	"persisted-queries":                "PCNET_PERSISTED_QUERIES",
	"log-variables":                    "PCNET_LOG_VARIABLES",
}

// opsUsage ends `pcnet serve --help`: what isn't a flag.
const opsUsage = `
Operations (docs/operations.md):
  /healthz   200 while the process serves
  /readyz    200 when the store answers, 503 otherwise
  /metrics   Prometheus metrics
  Tracing is off unless the standard OpenTelemetry variables ask for it:
  OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or
  OTEL_TRACES_EXPORTER=otlp export spans over OTLP/HTTP; OTEL_SERVICE_NAME,
  OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER(_ARG), OTEL_EXPORTER_OTLP_HEADERS
  and the other OTEL_EXPORTER_OTLP_* variables apply; OTEL_SDK_DISABLED=true or
  OTEL_TRACES_EXPORTER=none turn it off.
  Neo4j unreachable at start: serve starts, answers "unavailable" and recovers
  when Neo4j comes up; a wrong password or unknown database stops it at once.
`

// storeRetryTime bounds the Neo4j driver's retries of a query on transient
// errors: past it, the query fails as "unavailable" and the server stops
// sending queries until the store answers a probe, instead of letting
// every request wait out the driver's default of 30 s.
const storeRetryTime = 5 * time.Second

func registerOps(fs *flag.FlagSet) *opsConfig {
	c := &opsConfig{}
	fs.DurationVar(&c.requestTimeout, "request-timeout", server.DefaultTimeout,
		"longest a request may run; its store query is cancelled then; 0 turns it off (env PCNET_REQUEST_TIMEOUT)")
	fs.IntVar(&c.maxDepth, "max-depth", server.DefaultMaxDepth,
		"deepest nesting of fields in an operation; 0 turns the limit off (env PCNET_MAX_DEPTH)")
	fs.IntVar(&c.maxComplexity, "max-complexity", server.DefaultMaxComplexity,
		"highest estimated cost of an operation (lists multiply by their size, connections by first); 0 turns it off\n"+
			"(env PCNET_MAX_COMPLEXITY; the pcnet_graphql_complexity metric shows the costs of real traffic)")
	fs.IntVar(&c.maxAliases, "max-aliases", server.DefaultMaxAliases,
		"most aliased fields in an operation; 0 turns the limit off (env PCNET_MAX_ALIASES)")
	fs.IntVar(&c.maxFields, "max-fields", server.DefaultMaxFields,
		"most fields in an operation, fragments expanded; 0 turns the limit off (env PCNET_MAX_FIELDS)")
	fs.IntVar(&c.maxTokens, "max-tokens", server.DefaultMaxTokens,
		"most lexical tokens in a query document, checked before parsing; 0 turns the limit off (env PCNET_MAX_TOKENS)")
	fs.IntVar(&c.maxSubsPerConn, "max-subscriptions-per-connection", server.DefaultMaxSubscriptionsPerConnection,
		"most subscriptions one WebSocket connection has at once; 0 turns the limit off (env PCNET_MAX_SUBSCRIPTIONS_PER_CONNECTION)")
	fs.IntVar(&c.maxConnsPerAddr, "max-connections-per-address", server.DefaultMaxConnectionsPerAddress,
		"most WebSocket connections open at once from one client IP (behind a proxy: the proxy's); 0 turns the limit off\n"+
			"(env PCNET_MAX_CONNECTIONS_PER_ADDRESS)")
	fs.Int64Var(&c.maxBodyBytes, "max-body-bytes", server.DefaultMaxBodyBytes,
		"largest request body accepted, in bytes; larger ones get 413 (env PCNET_MAX_BODY_BYTES)")
	fs.BoolVar(&c.introspection, "introspection", true,
		"answer introspection queries (__schema, __type), which GraphiQL's documentation needs (env PCNET_INTROSPECTION)")
	fs.IntVar(&c.apqCacheSize, "apq-cache-size", server.DefaultAPQCacheSize,
		"how many automatic persisted queries clients may register; the oldest are forgotten first (env PCNET_APQ_CACHE_SIZE)")
	fs.IntVar(&c.responseCacheSize, "response-cache-size", server.DefaultResponseCacheSize,
		"how many query responses to keep and serve again until the next write or import on any replica (checked per\n"+
			"request against the audit trail); 0 turns the cache off. Direct Neo4j edits are not seen until the next write\n"+
			"(env PCNET_RESPONSE_CACHE_SIZE)")
	fs.BoolVar(&c.persistedOnly, "persisted-only", false,
		"run only known operations: the shipped examples and those of --persisted-queries (env PCNET_PERSISTED_ONLY)")
	fs.StringVar(&c.persistedQueries, "persisted-queries", "",
		"`file` of known operations: a JSON object of SHA-256 hashes to queries, or an Apollo persisted query manifest\n"+
			"(env PCNET_PERSISTED_QUERIES)")
	fs.BoolVar(&c.logVariables, "log-variables", false,
		"log the variables of each operation in the access log; off by default, as they may hold personal data (env PCNET_LOG_VARIABLES)")
	return c
}

// validate checks the settings, with messages naming the flag.
func (c *opsConfig) validate() error {
	var errs []error
	nonNegative := func(flag string, v int) {
		if v < 0 {
			errs = append(errs, fmt.Errorf("--%s: %d is negative: give a positive number, or 0 to turn the limit off", flag, v))
		}
	}
	nonNegative("max-depth", c.maxDepth)
	nonNegative("max-complexity", c.maxComplexity)
	nonNegative("max-aliases", c.maxAliases)
	nonNegative("max-fields", c.maxFields)
	nonNegative("max-tokens", c.maxTokens)
	nonNegative("max-subscriptions-per-connection", c.maxSubsPerConn)
	nonNegative("max-connections-per-address", c.maxConnsPerAddr)
	nonNegative("response-cache-size", c.responseCacheSize)
	if c.requestTimeout < 0 {
		errs = append(errs, fmt.Errorf("--request-timeout: %s is negative: give a duration such as 15s, or 0 to turn it off", c.requestTimeout))
	}
	if c.maxBodyBytes < 1024 {
		errs = append(errs, fmt.Errorf("--max-body-bytes: %d is too small: at least 1024 bytes, so that ordinary queries fit", c.maxBodyBytes))
	}
	if c.apqCacheSize < 1 {
		errs = append(errs, fmt.Errorf("--apq-cache-size: %d: at least 1", c.apqCacheSize))
	}
	return errors.Join(errs...)
}

// limits returns the server's limits: the flags' 0 (off) is the
// server's negative.
func (c *opsConfig) limits() server.Limits {
	off := func(v int) int {
		if v == 0 {
			return -1
		}
		return v
	}
	l := server.Limits{
		MaxDepth:      off(c.maxDepth),
		MaxComplexity: off(c.maxComplexity),
		MaxAliases:    off(c.maxAliases),
		MaxFields:     off(c.maxFields),
		MaxTokens:     off(c.maxTokens),
		Timeout:       c.requestTimeout,

		MaxSubscriptionsPerConnection: off(c.maxSubsPerConn),
		MaxConnectionsPerAddress:      off(c.maxConnsPerAddr),
	}
	if c.requestTimeout == 0 {
		l.Timeout = -1
	}
	return l
}

// operations is what `pcnet serve` runs beside the HTTP server: tracing,
// metrics and the watch over the store's availability.
type operations struct {
	tracing   *observe.Tracing
	metrics   *observe.Metrics
	avail     *server.Availability
	persisted server.PersistedQueries
	cfg       *opsConfig
	stopWatch context.CancelFunc
	watching  chan struct{}
}

// start sets up tracing (from OTEL_*), metrics, the persisted queries and
// the availability watch over store.
func (c *opsConfig) start(ctx context.Context, log *slog.Logger, store graph.Backend, health storeHealth) (*operations, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	ops := &operations{cfg: c, metrics: observe.NewMetrics()}
	if c.persistedQueries != "" {
		known, err := server.LoadPersistedQueries(c.persistedQueries)
		if err != nil {
			return nil, fmt.Errorf("--persisted-queries: %w", err)
		}
		ops.persisted = known
	}
	tracing, err := observe.TracingFromEnv(ctx, os.Getenv, buildVersion())
	if err != nil {
		return nil, err
	}
	ops.tracing = tracing
	if tracing.Enabled {
		log.InfoContext(ctx, "tracing", "exporter", "otlp/http", "endpoint", tracing.Endpoint)
	}
	if q, ok := store.(interface{ QueryCount() int64 }); ok {
		ops.metrics.RegisterQueryCounter(q.QueryCount)
	}
	if health.poolSize > 0 {
		ops.metrics.RegisterPoolSize(health.poolSize)
	}
	opts := health.availability
	opts.Logger = log
	opts.OnChange = ops.metrics.SetStoreUp
	ops.avail = server.NewAvailability(store, opts)
	ops.metrics.SetStoreUp(ops.avail.Up())
	watchCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ops.stopWatch, ops.watching = cancel, make(chan struct{})
	go func() {
		defer close(ops.watching)
		ops.avail.Watch(watchCtx)
	}()
	return ops, nil
}

// options adds the production settings to base.
func (o *operations) options(base server.Options) server.Options {
	base.Limits = o.cfg.limits()
	base.MaxBodyBytes = o.cfg.maxBodyBytes
	base.NoIntrospection = !o.cfg.introspection
	base.APQCacheSize = o.cfg.apqCacheSize
	base.ResponseCacheSize = o.cfg.responseCacheSize
	base.PersistedQueries = o.persisted
	base.PersistedOnly = o.cfg.persistedOnly
	base.LogVariables = o.cfg.logVariables
	base.Metrics = o.metrics
	base.Availability = o.avail
	if o.tracing.Enabled {
		base.TracerProvider = o.tracing.Provider
	}
	return base
}

// stop ends the availability watch and flushes the spans not yet exported.
func (o *operations) stop(ctx context.Context) error {
	o.stopWatch()
	<-o.watching
	o.avail.Stop()
	return o.tracing.Shutdown(ctx)
}

// storeHealth is what serve knows of its store's health at start-up.
type storeHealth struct {
	availability server.AvailabilityOptions
	poolSize     int // 0 when the store has no connection pool
}

// openServeStore opens the store for serve. Unlike the other commands,
// serve starts even when Neo4j is unreachable: it answers "unavailable"
// and /readyz fails until Neo4j is up, then applies the migrations and
// serves. A refused password, an unknown database or a malformed URI are
// configuration errors, and still stop it at once.
func openServeStore(ctx context.Context, c storeConfig, log *slog.Logger) (graph.Backend, func() error, storeHealth, error) {
	c.neo4jMaxRetryTime = storeRetryTime
	var health storeHealth
	var neo4jConfig neo4j.Config
	if c.neo4j != nil {
		neo4jConfig = c.neo4j.config()
		neo4jConfig.MaxRetryTime = storeRetryTime
		health.poolSize = neo4jConfig.PoolSize()
	}
	store, closeStore, err := openStore(ctx, c, log)
	if err == nil {
		if _, isNeo4j := store.(*neo4j.Store); !isNeo4j {
			health.poolSize = 0
		}
		return store, closeStore, health, nil
	}
	if !errors.Is(err, neo4j.ErrUnreachable) {
		return nil, nil, health, err
	}
	dialed, dialErr := neo4j.Dial(neo4jConfig)
	if dialErr != nil {
		return nil, nil, health, err
	}
	log.WarnContext(ctx, "starting without the store: requests fail with code unavailable, and /readyz with 503, until it answers",
		"err", err.Error())
	health.availability = server.AvailabilityOptions{
		StartDown: true,
		Setup: func(ctx context.Context) error {
			steps, err := dialed.Migrate(ctx)
			if err != nil {
				return fmt.Errorf("applying Neo4j migrations: %w", err)
			}
			log.InfoContext(ctx, "store reachable: migrations applied", "uri", neo4j.RedactURI(neo4jConfig.URI), "migrations", len(steps))
			return nil
		},
	}
	return dialed, func() error { return dialed.Close(context.WithoutCancel(ctx)) }, health, nil
}

// buildVersion is the module version the binary was built from, for traces.
func buildVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
