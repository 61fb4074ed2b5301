// Package server is pcnet's HTTP layer: the GraphQL endpoint, the GraphiQL
// page, CORS, request logging and the per-request dataloaders.
//
// Routes:
//
//	/graphql  GraphQL over HTTP, POST (JSON body) and GET (query string)
//	/         GraphiQL, opening on the nested dashboard example
//
// The API is read-only and public, so by default any origin may call it
// cross-origin (without credentials); Options.CORSOrigins narrows that.
package server

import (
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"

	"pcnet/examples"
	"pcnet/graph"
	"pcnet/internal/pcnet"
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
	// LoaderWait is how long dataloaders collect keys before calling the
	// store; 0 means graph.DefaultLoaderWait.
	LoaderWait time.Duration
	// QueryCacheSize is how many parsed queries to keep; 0 means 1000.
	QueryCacheSize int
	// MaxBodyBytes caps the size of a request body; 0 means 1 MiB.
	MaxBodyBytes int64
	// Today pins the day that date arguments default to; nil means
	// pcnet.Today. Tests set it.
	Today func() pcnet.Date
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
	maxBody := opts.MaxBodyBytes
	if maxBody <= 0 {
		maxBody = 1 << 20
	}

	gql := handler.New(graph.NewExecutableSchema(graph.Config{
		Resolvers: &graph.Resolver{Store: store, Today: opts.Today},
	}))
	gql.AddTransport(transport.GET{})
	gql.AddTransport(transport.POST{})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](cacheSize))
	gql.Use(extension.Introspection{})
	gql.SetErrorPresenter(presentError(log))
	gql.SetRecoverFunc(recoverPanic(log))
	gql.AroundOperations(noteOperation)

	mux := http.NewServeMux()
	mux.Handle(GraphQLPath, withLoaders(store, opts.LoaderWait, gql))
	mux.Handle("GET "+GraphiQLPath+"{$}", graphiQL())

	c := cors.New(cors.Options{
		AllowedOrigins:   opts.CORSOrigins, // empty: all
		AllowedMethods:   []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:   []string{"*"},
		AllowCredentials: false,
		MaxAge:           600,
	})
	return logRequests(log, limitBody(maxBody, c.Handler(mux)))
}

// withLoaders gives every request a fresh set of dataloaders, so batching
// and caching never leak between requests.
func withLoaders(store graph.Backend, wait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := graph.WithLoaders(r.Context(), graph.NewLoaders(store, wait))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func limitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}

// graphiQL serves GraphiQL. The page keeps its state in the URL, so a bare
// visit is redirected to one carrying the default example: GraphiQL opens
// on a query worth running rather than an empty editor.
func graphiQL() http.Handler {
	page := playground.Handler("pcnet — Province–Comuni network", GraphQLPath,
		playground.WithGraphiqlPersistStateInURL(true),
		playground.WithStoragePrefix("pcnet:"),
	)
	start := GraphiQLPath
	if op, ok := examples.Get(DefaultExample); ok {
		start += "?" + url.Values{"query": {op.Query}, "operationName": {op.OperationName}}.Encode()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery == "" && start != GraphiQLPath {
			http.Redirect(w, r, start, http.StatusFound)
			return
		}
		page.ServeHTTP(w, r)
	})
}
