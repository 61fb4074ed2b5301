package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"pcnet/examples"
	"pcnet/internal/observe"
	"pcnet/internal/pcnet"
)

// PersistedQueries are operations known by the SHA-256 of their text (in
// lower-case hex), as automatic persisted queries (APQ) name them: a
// client may send the hash alone, and with Options.PersistedOnly the
// server runs nothing else.
type PersistedQueries map[string]string

// QueryHash returns the hash by which a query is persisted.
func QueryHash(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:])
}

// ExampleQueries returns the example operations shipped with pcnet
// (examples/), which GraphiQL and the README use.
func ExampleQueries() PersistedQueries {
	out := make(PersistedQueries)
	for _, op := range examples.All() {
		out[QueryHash(op.Query)] = op.Query
	}
	return out
}

// LoadPersistedQueries reads operations from a JSON file in one of two
// forms: an object mapping each SHA-256 hash to its query (the form of
// gqlgen, Relay and most persisted-query tools), or an Apollo persisted
// query manifest ({"format": "apollo-persisted-query-manifest",
// "operations": [{"id": hash, "body": query}, ...]}). Every hash must be
// the SHA-256 of its query, so a typo can't silently lock an operation
// out.
func LoadPersistedQueries(path string) (PersistedQueries, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var manifest struct {
		Format     string `json:"format"`
		Operations []struct {
			ID   string `json:"id"`
			Body string `json:"body"`
		} `json:"operations"`
	}
	out := make(PersistedQueries)
	if err := json.Unmarshal(raw, &manifest); err == nil && manifest.Format != "" {
		if manifest.Format != "apollo-persisted-query-manifest" {
			return nil, fmt.Errorf("%s: unknown manifest format %q", path, manifest.Format)
		}
		for _, op := range manifest.Operations {
			out[op.ID] = op.Body
		}
	} else {
		var byHash map[string]string
		if err := json.Unmarshal(raw, &byHash); err != nil {
			return nil, fmt.Errorf("%s: not a JSON object of SHA-256 hashes to queries, nor an Apollo manifest: %v", path, err)
		}
		out = byHash
	}
	for hash, query := range out {
		if want := QueryHash(query); !strings.EqualFold(hash, want) {
			return nil, fmt.Errorf("%s: the hash %q is not the SHA-256 of its query (%s)", path, hash, want)
		}
		if strings.ToLower(hash) != hash {
			delete(out, hash)
			out[strings.ToLower(hash)] = query
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no operations", path)
	}
	return out, nil
}

// persistedCache is where APQ looks hashes up: the known operations first,
// then (unless the server runs known operations only, when lru is nil)
// the operations clients registered, a bounded LRU.
type persistedCache struct {
	known PersistedQueries
	lru   *lru.LRU[string]
}

func (c persistedCache) Get(ctx context.Context, hash string) (string, bool) {
	if q, ok := c.known[hash]; ok {
		return q, true
	}
	if c.lru == nil {
		return "", false
	}
	return c.lru.Get(ctx, hash)
}

func (c persistedCache) Add(ctx context.Context, hash, query string) {
	if c.lru != nil {
		if _, ok := c.known[hash]; !ok {
			c.lru.Add(ctx, hash, query)
		}
	}
}

// queryGate is the gqlgen extension that runs before parsing: automatic
// persisted queries (resolving a hash to its query, registering new
// ones), the persisted-only rule, and the limits that need no schema
// (tokens, fields, depth, aliases; see preValidate).
type queryGate struct {
	apq     extension.AutomaticPersistedQuery
	known   PersistedQueries
	only    bool
	limits  Limits
	parsed  graphql.Cache[*ast.QueryDocument] // gqlgen's query cache: documents that passed
	metrics *observe.Metrics
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = queryGate{}

func newQueryGate(known PersistedQueries, only bool, cacheSize int, limits Limits, parsed graphql.Cache[*ast.QueryDocument], metrics *observe.Metrics) queryGate {
	cache := persistedCache{known: known}
	if !only {
		cache.lru = lru.New[string](cacheSize)
	}
	return queryGate{
		apq:     extension.AutomaticPersistedQuery{Cache: cache},
		known:   known,
		only:    only,
		limits:  limits,
		parsed:  parsed,
		metrics: metrics,
	}
}

func (queryGate) ExtensionName() string                   { return "pcnet query gate" }
func (queryGate) Validate(graphql.ExecutableSchema) error { return nil }

func (g queryGate) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if err := g.apq.MutateOperationParameters(ctx, params); err != nil {
		if _, ok := err.Extensions["code"]; !ok {
			// gqlgen's malformed-extension and hash-mismatch errors carry no code.
			if err.Extensions == nil {
				err.Extensions = map[string]any{}
			}
			err.Extensions["code"] = pcnet.EINVALID
		}
		return err
	}
	hash := QueryHash(params.Query)
	if l := requestLogFrom(ctx); l != nil {
		l.mu.Lock()
		l.queryHash = hash
		l.mu.Unlock()
	}
	if g.only {
		if _, ok := g.known[hash]; !ok {
			err := gqlerror.Errorf("this server runs persisted operations only, and this one is not among them: send the SHA-256 hash of a known operation (extensions.persistedQuery), or the exact text of one")
			err.Extensions = map[string]any{"code": pcnet.EFORBIDDEN}
			return err
		}
	}
	if g.parsed != nil {
		if _, ok := g.parsed.Get(ctx, params.Query); ok {
			return nil // validated before, so within the limits: nothing to do twice
		}
	}
	if limit, err := preValidate(params.Query, params.OperationName, g.limits); err != nil {
		if limit != "" && g.metrics != nil {
			g.metrics.ObserveRejection(limit)
		}
		return err
	}
	return nil
}
