package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"pcnet/graph"
	"pcnet/internal/pcnet"
)

// Live updates: GraphQL subscriptions over WebSocket at /graphql, in the
// graphql-transport-ws protocol (the `graphql-ws` library's) or the older
// graphql-ws one (subscriptions-transport-ws), fed by an in-process broker
// (graph.CoverageBroker) that the mutations publish to.
//
// Events are per process: a subscriber connected to one replica sees only
// the writes made through that replica.

// WebSocket timings.
const (
	// wsInitTimeout closes connections that don't send connection_init.
	wsInitTimeout = 10 * time.Second
	// wsKeepAlive is how often the server pings: "ka" messages in
	// graphql-ws, ping in graphql-transport-ws. The latter's clients must
	// answer with pong within twice the interval or are disconnected, so
	// dead connections free their subscriptions.
	wsKeepAlive = 25 * time.Second
)

// wsForbidden is the close code of a refused connection_init
// (graphql-transport-ws: 4403 Forbidden).
const wsForbidden = 4403

// websocketTransport returns the GraphQL-over-WebSocket transport.
// Origins are checked before the upgrade by checkOrigin, with the CORS
// settings, so the library's own same-origin check is off.
func (a access) websocketTransport() transport.Websocket {
	return transport.Websocket{
		Implementation: transport.CoderWebsocketImplementation{
			AcceptOptions: websocket.AcceptOptions{InsecureSkipVerify: true},
		},
		InitFunc:              a.websocketInit,
		InitTimeout:           wsInitTimeout,
		KeepAlivePingInterval: wsKeepAlive,
		PingPongInterval:      wsKeepAlive,
	}
}

// websocketInit authenticates a WebSocket connection from its
// connection_init payload, {"Authorization": "Bearer <token>"}, since
// browsers can't set headers on WebSocket requests. A token in the payload
// wins over one in the upgrade request's header. A bad token, or none when
// reads need one, closes the connection with 4403.
func (a access) websocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	if header := payload.Authorization(); header != "" {
		actor, _, ok := a.actorFor(header)
		if !ok {
			return refuse(ctx, msgBadToken)
		}
		ctx = pcnet.WithActor(ctx, actor)
	}
	if _, ok := pcnet.ActorFrom(ctx); a.readsNeedToken && !ok {
		return refuse(ctx, msgNeedsToken)
	}
	return ctx, nil, nil
}

func refuse(ctx context.Context, msg string) (context.Context, *transport.InitPayload, error) {
	ctx = transport.WithWebsocketCloseCode(ctx, wsForbidden)
	ctx = transport.AppendCloseReason(ctx, "Forbidden")
	return ctx, nil, errors.New(msg)
}

// checkOrigin refuses WebSocket upgrades from browser origins that CORS
// doesn't allow, so --cors-origins governs subscriptions as it governs
// queries. With no origins configured any origin may connect, as any may
// query: the API carries no cookies, so a foreign page can do nothing a
// token doesn't allow. Requests without an Origin (not from a browser)
// pass. It also marks upgrades in the context, for onlyOverWebsocket.
func checkOrigin(origins []string, next http.Handler) http.Handler {
	allowed := func(*http.Request) bool { return true }
	if len(origins) > 0 {
		allowed = cors.New(cors.Options{AllowedOrigins: origins}).OriginAllowed
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isWebsocket(r) {
			next.ServeHTTP(w, r)
			return
		}
		if r.Header.Get("Origin") != "" && !allowed(r) {
			http.Error(w, "origin not allowed", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), viaWebsocketKey{}, true)))
	})
}

// freshLoadersPerEvent gives every event of a subscription its own
// dataloaders: the connection's would cache the network as it was when the
// client subscribed, and every event is about a change to it.
func freshLoadersPerEvent(store graph.Backend, wait time.Duration) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		if graphql.HasOperationContext(ctx) {
			if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Subscription {
				ctx = graph.WithLoaders(ctx, graph.NewLoaders(store, wait))
			}
		}
		return next(ctx)
	}
}

// viaWebsocketKey marks the context of a WebSocket connection.
type viaWebsocketKey struct{}

// onlyOverWebsocket refuses subscriptions sent over plain HTTP, which
// would hold the request open for one event at most.
func onlyOverWebsocket(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Subscription && ctx.Value(viaWebsocketKey{}) == nil {
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
			Message:    "subscriptions are served over WebSocket only (graphql-transport-ws at " + GraphQLPath + ")",
			Extensions: map[string]any{"code": pcnet.EINVALID},
		}}})
	}
	return next(ctx)
}
