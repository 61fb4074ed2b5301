package server

import (
	"net/http"
	"strconv"
	"sync/atomic"

	"pcnet/internal/storeguard"
)

// StoreCallsHeader is the response header that tells how many store calls
// (round trips to Neo4j; function calls into the embedded store) a GraphQL
// request cost, when Options.StoreCallStats is on. The load benchmark
// (pcnet bench) reads it to report store calls per request.
const StoreCallsHeader = "X-Pcnet-Store-Calls"

// countStoreCalls counts each request's store calls and sends the count in
// StoreCallsHeader. GraphQL answers are written after every resolver has
// returned, so the header, set as the response starts, has them all.
func countStoreCalls(on bool, next http.Handler) http.Handler {
	if !on {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, n := storeguard.CountCalls(r.Context())
		next.ServeHTTP(&storeCallsWriter{ResponseWriter: w, n: n}, r.WithContext(ctx))
	})
}

// storeCallsWriter sets StoreCallsHeader when the response starts.
type storeCallsWriter struct {
	http.ResponseWriter
	n       *atomic.Int64
	started bool
}

func (w *storeCallsWriter) start() {
	if !w.started {
		w.started = true
		w.Header().Set(StoreCallsHeader, strconv.FormatInt(w.n.Load(), 10))
	}
}

func (w *storeCallsWriter) WriteHeader(code int) {
	w.start()
	w.ResponseWriter.WriteHeader(code)
}

func (w *storeCallsWriter) Write(b []byte) (int, error) {
	w.start()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (WebSocket
// upgrades, flushes).
func (w *storeCallsWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
