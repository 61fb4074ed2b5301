// Package server is pcnet's HTTP layer: the GraphQL endpoint, the GraphiQL
// page, CORS, request logging and the per-request dataloaders.
//
// Routes:
//
//	/graphql    GraphQL over HTTP, POST (JSON body) and GET (query string)
//	/           GraphiQL, opening on the nested dashboard example
//	/dashboard  the coverage dashboard (package web; assets under /assets/)
//	/healthz    liveness; /readyz: the store answers; /metrics: Prometheus
//
// Production layers (production.go, docs/operations.md): limits checked
// before any store work, persisted queries, metrics, tracing, access logs
// with request IDs, and fail-fast answers while the store is down.
//
// /graphql also accepts WebSocket upgrades for subscriptions
// (subscriptions.go). Reads are public unless Options.ReadsNeedToken;
// mutations need a bearer token (auth.go). By default any origin may call
// the API cross-origin (without cookies: tokens travel in a header);
// Options.CORSOrigins narrows that, for WebSockets too.
package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/trace"

	"pcnet/graph"
	"pcnet/internal/auth"
	"pcnet/internal/observe"
	"pcnet/internal/pcnet"
	"pcnet/internal/storeguard"
	"pcnet/internal/web"
)

// Paths served.
const (
	GraphQLPath  = "/graphql"
	GraphiQLPath = "/"
)

// DefaultExample is the example operation GraphiQL opens with.
const DefaultExample = "dashboard_region"

// Options configure the handler. The zero Options are usable.
type Options struct {
	// Logger receives request logs and internal errors; nil means slog.Default().
	Logger *slog.Logger
	// CORSOrigins lists the origins allowed to call the API from a browser
	// ("https://example.org"; "*" and wildcards such as
	// "https://*.example.org" work too). Empty means any origin: the API is
	// read-only and public, and credentials are never allowed.
	CORSOrigins []string
	// LoaderWait is the dataloaders' fallback time window, for what the
	// level planner doesn't see (subscription events; see graph.LevelBatching);
	// 0 means graph.DefaultLoaderWait.
	LoaderWait time.Duration
	// StoreCallStats sends each GraphQL response's store-call count in the
	// StoreCallsHeader header, for load tests (pcnet serve --debug-stats).
	StoreCallStats bool
	// ResponseCacheSize is how many query responses to keep and serve
	// again while the store's audit Seq stays the same (responsecache.go);
	// 0 turns the cache off.
	ResponseCacheSize int
	// QueryCacheSize is how many parsed queries to keep; 0 means 1000.
	QueryCacheSize int
	// MaxBodyBytes caps the size of a request body; 0 means 1 MiB.
	MaxBodyBytes int64
	// Today pins the day that date arguments default to; nil means
	// pcnet.Today. Tests set it.
	Today func() pcnet.Date
	// Tokens are the bearer tokens accepted (internal/auth); nil accepts
	// none, so nobody can write.
	Tokens *auth.Keyring
	// ReadsNeedToken makes queries and subscriptions need a token of any
	// role; by default reads are public.
	ReadsNeedToken bool
	// WebsocketInitTimeout is how long a WebSocket client has to send
	// connection_init; 0 means 10s.
	WebsocketInitTimeout time.Duration
	// Events fans coverage changes out to subscriptions; nil means a
	// broker of this handler's own. They are read from the store's audit
	// trail, so a subscriber hears of the writes made through any replica.
	Events *graph.CoverageBroker
	// EventPollInterval is how often the audit trail is read while anyone
	// subscribes; 0 means events.DefaultPollInterval (1s). Writes made
	// through this handler are announced at once.
	EventPollInterval time.Duration

	// Production settings (production.go; docs/operations.md).

	// Limits bound each request; zero fields take the defaults.
	Limits Limits
	// NoIntrospection turns introspection (__schema, __type) off.
	NoIntrospection bool
	// APQCacheSize is how many automatic persisted queries clients may
	// register; 0 means DefaultAPQCacheSize.
	APQCacheSize int
	// PersistedQueries are operations known by hash besides the examples.
	PersistedQueries PersistedQueries
	// PersistedOnly runs the known operations only (the examples and
	// PersistedQueries), and lets clients register none.
	PersistedOnly bool
	// Metrics are served at /metrics; nil means metrics of this handler's own.
	Metrics *observe.Metrics
	// TracerProvider traces requests; nil means no tracing.
	TracerProvider trace.TracerProvider
	// LogVariables logs each operation's variables; off by default, as
	// they may hold personal data.
	LogVariables bool
	// Availability tracks whether the store answers; nil means one of this
	// handler's own (probed by failing requests and /readyz only).
	Availability *storeguard.Availability
}

// New returns the HTTP handler of the service, reading the network and its
// analytics from store.
func New(store graph.Backend, opts Options) http.Handler {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	cacheSize := opts.QueryCacheSize
	if cacheSize <= 0 {
		cacheSize = 1000
	}
	prod := newProduction(store, log, opts)
	log, store = prod.log, prod.store(store)

	authn := access{keys: opts.Tokens, readsNeedToken: opts.ReadsNeedToken}
	schema := graph.NewSchema(newResolver(store, opts))
	gql := handler.New(schema)
	gql.AddTransport(authn.websocketTransport(opts.WebsocketInitTimeout))
	gql.AddTransport(transport.GET{})
	gql.AddTransport(transport.POST{})
	parsed := lru.New[*ast.QueryDocument](cacheSize)
	gql.SetQueryCache(parsed)
	prod.configure(gql, parsed)
	gql.SetErrorPresenter(presentError(log))
	gql.SetRecoverFunc(recoverPanic(log))
	gql.AroundOperations(requireReadToken(opts.ReadsNeedToken))
	gql.AroundOperations(onlyOverWebsocket)
	gql.AroundOperations(capSubscriptions(prod.limits.MaxSubscriptionsPerConnection, prod.metrics))
	if rc := newResponseCache(store, opts.ResponseCacheSize, opts.Today); rc != nil {
		gql.AroundOperations(rc.middleware) // after authentication, parsing and limits; before execution
	}
	gql.AroundResponses(freshLoadersPerEvent(store, opts.LoaderWait))
	gql.AroundResponses(orderErrors)
	gql.Use(graph.LevelBatching{Schema: schema}) // a store call per query level, planned (graph/batcher.go)

	mux := http.NewServeMux()
	prod.routes(mux)
	mux.Handle(GraphQLPath, browsersToGraphiQL(capConnections(prod.limits.MaxConnectionsPerAddress, prod.metrics, checkOrigin(opts.CORSOrigins, authn.authenticate(countStoreCalls(opts.StoreCallStats, withLoaders(store, opts.LoaderWait, gql)))))))
	web.Register(mux, web.Options{GraphQLPath: GraphQLPath, Examples: graphiQLExamples(), DefaultExample: DefaultExample})

	c := cors.New(cors.Options{
		AllowedOrigins:   opts.CORSOrigins, // empty: all
		AllowedMethods:   []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:   []string{"*"},
		AllowCredentials: false,
		MaxAge:           600,
	})
	return prod.wrap(compress(jsonStatus(c.Handler(mux))))
}

// withLoaders gives every request a fresh set of dataloaders, so batching
// and caching never leak between requests.
func withLoaders(store graph.Backend, wait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := graph.WithLoaders(r.Context(), graph.NewLoaders(store, wait))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
