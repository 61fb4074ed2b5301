package server

import (
	"context"
	"encoding/json"
	"maps"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"pcnet/internal/pcnet"
)

// MaxCachedResponseBytes is the largest response (its data, as JSON) the
// response cache keeps; larger ones are executed every time, so the cache
// holds at most ResponseCacheSize × this much.
const MaxCachedResponseBytes = 256 << 10

// DefaultResponseCacheSize is `pcnet serve`'s --response-cache-size: the
// bench's dashboards and analytics are a few distinct queries each, so a
// thousand entries keep them all (at most 256 MiB, in practice a few MiB).
const DefaultResponseCacheSize = 1024

// changeSeq is the store's audit sequence (pcnet.Writer's LastChangeSeq).
type changeSeq interface {
	LastChangeSeq(ctx context.Context) (int64, error)
}

// responseCache answers a query that was answered before with the same
// response, as long as nothing was written since, on any replica.
//
// Exactness: every request reads the store's last audit Seq first (one
// cheap store call), and an entry is served only if it was computed after
// reading the same Seq. Every write that changes something commits a new
// Seq with its data, in the same transaction, whichever replica makes it,
// so an entry computed before a write is never served after it. An import
// records an entry too (pcnet.ImportChange); only changes made directly in
// Neo4j, bypassing pcnet, are not seen (docs/operations.md).
//
// The key is everything a query's answer depends on: the document, the
// operation name, the variables (as JSON, whose map keys encoding/json
// sorts), the caller's role (the audit trail is for planners) and the day
// that date arguments default to. Mutations and subscriptions are never
// cached, nor responses with errors, deferred parts or over
// MaxCachedResponseBytes.
//
// golang-lru bounds the entries (it locks around each operation; a hit
// costs one map lookup under that lock).
type responseCache struct {
	seq     changeSeq
	today   func() pcnet.Date
	entries *lru.Cache[string, cachedResponse]
}

// cachedResponse is a response and the Seq read before computing it.
type cachedResponse struct {
	seq  int64
	resp *graphql.Response
}

// newResponseCache returns a cache of size entries over the store's
// sequence, or nil when size <= 0 or the store has no sequence.
func newResponseCache(store any, size int, today func() pcnet.Date) *responseCache {
	seq, ok := store.(changeSeq)
	if size <= 0 || !ok {
		return nil
	}
	entries, err := lru.New[string, cachedResponse](size)
	if err != nil { // only for size <= 0, excluded above
		return nil
	}
	if today == nil {
		today = pcnet.Today
	}
	return &responseCache{seq: seq, today: today, entries: entries}
}

// middleware is the operation interceptor; it runs after authentication,
// parsing, validation and the limits, so only an operation that would run
// reaches it.
func (c *responseCache) middleware(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query || oc.RawQuery == "" {
		return next(ctx)
	}
	key, ok := c.key(ctx, oc)
	if !ok {
		return next(ctx)
	}
	seq, err := c.seq.LastChangeSeq(ctx)
	if err != nil { // the store is failing: let the query meet the same failure and report it
		return next(ctx)
	}
	if e, hit := c.entries.Get(key); hit && e.seq == seq {
		return graphql.OneShot(copyResponse(e.resp))
	}
	h := next(ctx)
	first := true
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		if first && resp != nil && cacheable(resp) {
			c.entries.Add(key, cachedResponse{seq: seq, resp: copyResponse(resp)})
		}
		first = false
		return resp
	}
}

// key is the cache key of an operation; ok is false when its variables
// don't encode (they always should: they came from JSON).
func (c *responseCache) key(ctx context.Context, oc *graphql.OperationContext) (string, bool) {
	vars, err := json.Marshal(oc.Variables)
	if err != nil {
		return "", false
	}
	var role pcnet.Role
	if a, ok := pcnet.ActorFrom(ctx); ok {
		role = a.Role
	}
	var b strings.Builder
	for _, part := range []string{string(role), c.today().String(), oc.OperationName, string(vars), oc.RawQuery} {
		b.WriteString(part)
		b.WriteByte(0) // none of the parts holds a NUL byte outside the last one
	}
	return b.String(), true
}

// cacheable reports whether a response may be served again: complete and
// without errors.
func cacheable(r *graphql.Response) bool {
	return len(r.Errors) == 0 && r.HasNext == nil && r.Path == nil && len(r.Data) > 0 && len(r.Data) <= MaxCachedResponseBytes
}

// copyResponse returns a response sharing the data (never written after it is
// made) with extensions of its own, which later middleware may add to.
func copyResponse(r *graphql.Response) *graphql.Response {
	c := *r
	c.Extensions = maps.Clone(r.Extensions)
	return &c
}
