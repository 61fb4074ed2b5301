package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"pcnet/graph"
	"pcnet/internal/observe"
	"pcnet/internal/pcnet"
)

// Live updates: GraphQL subscriptions over WebSocket at /graphql, in the
// graphql-transport-ws protocol (the `graphql-ws` library's) or the older
// graphql-ws one (subscriptions-transport-ws), fed by a poller of the
// store's audit trail (graph.Resolver.NewFeed) through an in-process broker
// (graph.CoverageBroker): every replica hears every replica's writes.

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
func (a access) websocketTransport(initTimeout time.Duration) transport.Websocket {
	if initTimeout <= 0 {
		initTimeout = wsInitTimeout
	}
	return transport.Websocket{
		Implementation: closeCodes{transport.CoderWebsocketImplementation{
			AcceptOptions: websocket.AcceptOptions{InsecureSkipVerify: true},
		}},
		InitFunc:              a.websocketInit,
		InitTimeout:           initTimeout,
		KeepAlivePingInterval: wsKeepAlive,
		PingPongInterval:      wsKeepAlive,
	}
}

// Close codes of graphql-transport-ws that gqlgen sends as 1002 (protocol
// error) with a reason.
const (
	wsUnauthorized = 4401 // a message other than connection_init before the ack
	wsInitTimedOut = 4408 // no connection_init within the init timeout
)

// closeCodes gives gqlgen's WebSocket connections the close codes that
// graphql-transport-ws asks for (gqlgen has no option for them; it names
// the cases only in its close reasons, which this matches).
type closeCodes struct {
	transport.WebsocketImplementation
}

func (c closeCodes) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	conn, err := c.WebsocketImplementation.Accept(w, r, opts)
	if err != nil || conn.Subprotocol() != "graphql-transport-ws" {
		return conn, err
	}
	return &closeCodeConn{WebsocketConn: conn}, nil
}

// closeCodeConn rewrites the close codes of one connection; it passes
// gqlgen's optional read limit and deadline through.
type closeCodeConn struct {
	transport.WebsocketConn
	acked atomic.Bool // connection_ack sent
}

func (c *closeCodeConn) WriteJSON(v any) error {
	if !c.acked.Load() {
		if b, err := json.Marshal(v); err == nil && bytes.Contains(b, []byte(`"connection_ack"`)) {
			c.acked.Store(true)
		}
	}
	return c.WebsocketConn.WriteJSON(v)
}

func (c *closeCodeConn) WriteClose(code int, reason string) error {
	if code == transport.WebsocketCloseProtocolError {
		switch {
		case reason == "connection initialisation timeout":
			code, reason = wsInitTimedOut, "Connection initialisation timeout"
		case reason == "unexpected message" && !c.acked.Load():
			code, reason = wsUnauthorized, "Unauthorized"
		}
	}
	return c.WebsocketConn.WriteClose(code, reason)
}

func (c *closeCodeConn) SetReadLimit(limit int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(limit)
	}
}

func (c *closeCodeConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
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
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), viaWebsocketKey{}, &wsConnection{})))
	})
}

// wsConnection is what the server keeps of a WebSocket connection, in its
// context (under viaWebsocketKey).
type wsConnection struct {
	subscriptions atomic.Int64
}

// capSubscriptions refuses a subscription past max on its connection. The
// slot is freed when the subscription ends: gqlgen cancels its context
// then, whether the client completed it, the stream ended or the
// connection closed.
func capSubscriptions(max int, metrics *observe.Metrics) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		conn, _ := ctx.Value(viaWebsocketKey{}).(*wsConnection)
		op := graphql.GetOperationContext(ctx).Operation
		if max <= 0 || conn == nil || op == nil || op.Operation != ast.Subscription {
			return next(ctx)
		}
		if n := conn.subscriptions.Add(1); n > int64(max) {
			conn.subscriptions.Add(-1)
			if metrics != nil {
				metrics.ObserveRejection(LimitSubscriptions)
			}
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{limitError(LimitSubscriptions, int64(max), n,
				"this connection already has %d subscriptions, the most allowed: end one, or open another connection", max)}})
		}
		context.AfterFunc(ctx, func() { conn.subscriptions.Add(-1) })
		return next(ctx)
	}
}

// capConnections refuses a WebSocket upgrade with 429 while its client
// address has max connections open. Plain HTTP requests, which the request
// timeout bounds, are not counted.
func capConnections(max int, metrics *observe.Metrics, next http.Handler) http.Handler {
	if max <= 0 {
		return next
	}
	var mu sync.Mutex
	open := make(map[string]int)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isWebsocket(r) {
			next.ServeHTTP(w, r)
			return
		}
		addr, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			addr = r.RemoteAddr
		}
		mu.Lock()
		n := open[addr] + 1
		if n <= max {
			open[addr] = n
		}
		mu.Unlock()
		if n > max {
			if metrics != nil {
				metrics.ObserveRejection(LimitConnections)
			}
			writeJSONError(w, r, http.StatusTooManyRequests, limitError(LimitConnections, int64(max), int64(n),
				"this address already has %d WebSocket connections open, the most allowed", max))
			return
		}
		defer func() {
			mu.Lock()
			if open[addr]--; open[addr] == 0 {
				delete(open, addr)
			}
			mu.Unlock()
		}()
		next.ServeHTTP(w, r) // a WebSocket connection lives as long as this call
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
