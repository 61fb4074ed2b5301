package server

import (
	"context"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"pcnet/internal/auth"
	"pcnet/internal/pcnet"
)

// Authentication and authorization.
//
//   - authenticate (HTTP middleware on /graphql) reads the header
//     "Authorization: Bearer <token>". Without one the request goes on
//     anonymous. With a valid token, its holder (pcnet.Actor: the token's
//     name and role) goes into the request context, where the resolvers
//     check roles and the stores read the audit trail's "who". A header
//     that is malformed or names no known token is rejected at once, at the
//     request level, with 401 and a GraphQL error {code: "unauthorized"},
//     whatever the request asked: a client sending a wrong token learns so
//     rather than being served as anonymous, and the answer is the same for
//     a malformed and an unknown token, revealing nothing about which
//     tokens exist.
//   - Reads: with Options.ReadsNeedToken an anonymous request is refused
//     the same way (401); requireReadToken checks it again for every
//     operation, whatever the transport. WebSocket clients, which browsers
//     can't give headers, authenticate in connection_init (websocketInit).
//   - Writes and the audit trail: @hasRole(role: PLANNER) in the schema
//     (graph.HasRole) refuses them before any resolver runs: no token is
//     "unauthorized", a reader's token "forbidden"; the resolvers check
//     again before calling the store. A refused call writes nothing.
//
// Tokens never reach a log: the request log has no headers, and errors
// name no token.

const (
	msgBadToken   = "invalid or unknown bearer token"
	msgNeedsToken = "this server serves reads to token holders only: send the header \"Authorization: Bearer <token>\""
)

// access holds what authentication needs.
type access struct {
	keys           *auth.Keyring
	readsNeedToken bool
}

// actorFor authenticates an Authorization value. present is false for an
// empty one; ok is false for a malformed or unknown token.
func (a access) actorFor(header string) (actor pcnet.Actor, present, ok bool) {
	token, present, wellFormed := auth.BearerToken(header)
	if !present {
		return pcnet.Actor{}, false, false
	}
	if !wellFormed {
		return pcnet.Actor{}, true, false
	}
	actor, ok = a.keys.Authenticate(token)
	return actor, true, ok
}

// authenticate puts the caller's actor in the request context, or rejects
// the request (see above).
func (a access) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, present, ok := a.actorFor(r.Header.Get("Authorization"))
		switch {
		case present && !ok:
			writeUnauthorized(w, r, msgBadToken, `error="invalid_token"`)
		case present:
			next.ServeHTTP(w, r.WithContext(pcnet.WithActor(r.Context(), actor)))
		case a.readsNeedToken && !isWebsocket(r):
			// A WebSocket client may still authenticate in connection_init.
			writeUnauthorized(w, r, msgNeedsToken, "")
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// writeUnauthorized answers 401 with a GraphQL-shaped error (a request
// error: "errors" and no "data"), so GraphQL clients show the message.
func writeUnauthorized(w http.ResponseWriter, r *http.Request, msg, challenge string) {
	value := `Bearer realm="pcnet"`
	if challenge != "" {
		value += ", " + challenge
	}
	w.Header().Set("WWW-Authenticate", value)
	writeJSONError(w, r, http.StatusUnauthorized, unauthorized(msg))
}

func unauthorized(msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": pcnet.EUNAUTHORIZED}}
}

// requireReadToken refuses every operation of an anonymous caller when
// reads need a token. authenticate and websocketInit already do so; this
// keeps the rule true for any transport added later.
func requireReadToken(need bool) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if _, ok := pcnet.ActorFrom(ctx); need && !ok {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{unauthorized(msgNeedsToken)}})
		}
		return next(ctx)
	}
}

func isWebsocket(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" // as gqlgen's transports decide
}
