package server

import (
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
)

// compress gzips the responses of next (GraphQL answers, GraphiQL, the
// dashboard) for clients that accept it, through klauspost/compress's
// gzhttp: it negotiates Accept-Encoding, sets Vary, and skips bodies under
// 1 KB and already-compressed content types. WebSocket upgrades bypass it:
// the connection is hijacked, and the writers around it (the access log's)
// don't expose http.Hijacker through gzhttp's wrapper.
func compress(next http.Handler) http.Handler {
	gz := gzhttp.GzipHandler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			next.ServeHTTP(w, r)
			return
		}
		gz.ServeHTTP(w, r)
	})
}
