package main

import (
	"errors"
	"flag"
	"fmt"
	"runtime/debug"
	"time"

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

func registerOps(fs *flag.FlagSet) *opsConfig {
	c := &opsConfig{}
	fs.DurationVar(&c.requestTimeout, "request-timeout", server.DefaultTimeout,
		"longest a request may run; its store query is cancelled then; 0 turns it off (env PCNET_REQUEST_TIMEOUT)")
	for _, l := range c.offSwitches() {
		fs.IntVar(l.value, l.name, l.def, l.usage)
	}
	fs.Int64Var(&c.maxBodyBytes, "max-body-bytes", server.DefaultMaxBodyBytes,
		"largest request body accepted, in bytes; larger ones get 413 (env PCNET_MAX_BODY_BYTES)")
	fs.BoolVar(&c.introspection, "introspection", true,
		"answer introspection queries (__schema, __type), which GraphiQL's documentation needs (env PCNET_INTROSPECTION)")
	fs.IntVar(&c.apqCacheSize, "apq-cache-size", server.DefaultAPQCacheSize,
		"how many automatic persisted queries clients may register; the oldest are forgotten first (env PCNET_APQ_CACHE_SIZE)")
	fs.BoolVar(&c.persistedOnly, "persisted-only", false,
		"run only known operations: the shipped examples and those of --persisted-queries (env PCNET_PERSISTED_ONLY)")
	fs.StringVar(&c.persistedQueries, "persisted-queries", "",
		"`file` of known operations: a JSON object of SHA-256 hashes to queries, or an Apollo persisted query manifest\n"+
			"(env PCNET_PERSISTED_QUERIES)")
	fs.BoolVar(&c.logVariables, "log-variables", false,
		"log the variables of each operation in the access log; off by default, as they may hold personal data (env PCNET_LOG_VARIABLES)")
	return c
}

// offSwitch is an int flag of opsConfig that 0 turns off and that can't be
// negative: one table registers and checks them all.
type offSwitch struct {
	name  string
	value *int
	def   int
	usage string
}

// offSwitches lists them in the order validate reports them.
func (c *opsConfig) offSwitches() []offSwitch {
	return []offSwitch{
		{"max-depth", &c.maxDepth, server.DefaultMaxDepth, "deepest nesting of fields in an operation; 0 turns the limit off (env PCNET_MAX_DEPTH)"},
		{"max-complexity", &c.maxComplexity, server.DefaultMaxComplexity, "highest estimated cost of an operation (lists multiply by their size, connections by first); 0 turns it off\n(env PCNET_MAX_COMPLEXITY; the pcnet_graphql_complexity metric shows the costs of real traffic)"},
		{"max-aliases", &c.maxAliases, server.DefaultMaxAliases, "most aliased fields in an operation; 0 turns the limit off (env PCNET_MAX_ALIASES)"},
		{"max-fields", &c.maxFields, server.DefaultMaxFields, "most fields in an operation, fragments expanded; 0 turns the limit off (env PCNET_MAX_FIELDS)"},
		{"max-tokens", &c.maxTokens, server.DefaultMaxTokens, "most lexical tokens in a query document, checked before parsing; 0 turns the limit off (env PCNET_MAX_TOKENS)"},
		{"max-subscriptions-per-connection", &c.maxSubsPerConn, server.DefaultMaxSubscriptionsPerConnection, "most subscriptions one WebSocket connection has at once; 0 turns the limit off (env PCNET_MAX_SUBSCRIPTIONS_PER_CONNECTION)"},
		{"max-connections-per-address", &c.maxConnsPerAddr, server.DefaultMaxConnectionsPerAddress, "most WebSocket connections open at once from one client IP (behind a proxy: the proxy's); 0 turns the limit off\n(env PCNET_MAX_CONNECTIONS_PER_ADDRESS)"},
		{"response-cache-size", &c.responseCacheSize, server.DefaultResponseCacheSize, "how many query responses to keep and serve again until the next write or import on any replica (checked per\nrequest against the audit trail); 0 turns the cache off. Direct Neo4j edits are not seen until the next write\n(env PCNET_RESPONSE_CACHE_SIZE)"},
	}
}

// validate checks the settings, with messages naming the flag.
func (c *opsConfig) validate() error {
	var errs []error
	for _, l := range c.offSwitches() {
		if v := *l.value; v < 0 {
			errs = append(errs, fmt.Errorf("--%s: %d is negative: give a positive number, or 0 to turn the limit off", l.name, v))
		}
	}
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

// options adds the production settings to base, reading the file of
// persisted queries when one is given.
func (c *opsConfig) options(base server.Options) (server.Options, error) {
	if c.persistedQueries != "" {
		known, err := server.LoadPersistedQueries(c.persistedQueries)
		if err != nil {
			return base, fmt.Errorf("--persisted-queries: %w", err)
		}
		base.PersistedQueries = known
	}
	base.Limits = c.limits()
	base.MaxBodyBytes = c.maxBodyBytes
	base.NoIntrospection = !c.introspection
	base.APQCacheSize = c.apqCacheSize
	base.ResponseCacheSize = c.responseCacheSize
	base.PersistedOnly = c.persistedOnly
	base.LogVariables = c.logVariables
	return base, nil
}

// buildVersion is the module version the binary was built from, for traces.
func buildVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
