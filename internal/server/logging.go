package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// requestInfo collects what the GraphQL layer learns about a request
// (its operation) for the request's log line.
type requestInfo struct {
	operation string
}

type requestInfoKey struct{}

// logRequests writes one log line per request: method, path, GraphQL
// operation, status, size and duration.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)))
		attrs := []any{
			"method", r.Method,
			"path", r.URL.Path,
			"status", rec.status,
			"bytes", rec.bytes,
			"duration", time.Since(start).Round(time.Microsecond),
			"remote", r.RemoteAddr,
		}
		if info.operation != "" {
			attrs = append(attrs, "operation", info.operation)
		}
		log.InfoContext(r.Context(), "request", attrs...)
	})
}

// noteOperation records the operation's name for the request log.
func noteOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		if oc := graphql.GetOperationContext(ctx); oc != nil {
			info.operation = oc.OperationName
			if info.operation == "" && oc.Operation != nil {
				info.operation = oc.Operation.Name
			}
		}
	}
	return next(ctx)
}

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
