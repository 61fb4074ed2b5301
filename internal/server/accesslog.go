package server

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"pcnet/internal/observe"
)

// requestLog collects what the layers learn about a request for its
// access-log line and its metrics: the GraphQL operation, its complexity,
// the codes of the errors answered, and (only when asked for) its
// variables.
type requestLog struct {
	mu         sync.Mutex
	operation  string // name; "" for anonymous
	opType     string // query, mutation, subscription; "" when not parsed
	queryHash  string
	complexity int
	codes      []string
	variables  map[string]any
}

type requestLogKey struct{}

func requestLogFrom(ctx context.Context) *requestLog {
	l, _ := ctx.Value(requestLogKey{}).(*requestLog)
	return l
}

// noteErrorCode records the code of an error answered.
func noteErrorCode(ctx context.Context, err *gqlerror.Error) {
	l := requestLogFrom(ctx)
	if l == nil {
		return
	}
	code, _ := err.Extensions["code"].(string)
	if code == "" {
		code = "unknown"
	}
	l.mu.Lock()
	l.codes = append(l.codes, code)
	l.mu.Unlock()
}

// accessLog writes one log line per request, after it is answered, and
// records the request metrics:
//
//	request_id   X-Request-Id from the client when usable, else a new one;
//	             sent back in the response's X-Request-Id
//	method, path, status, bytes, duration_ms, remote
//	operation, operation_type, query_hash, complexity, error_codes
//	             for GraphQL requests
//	variables    only with logVariables: they may hold personal data
//
// Headers are never logged, so neither are tokens (Authorization). With
// the JSON log format (--log-format json) each line is one JSON object.
func accessLog(log *slog.Logger, metrics *observe.Metrics, logVariables bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := observe.RequestIDFrom(r.Header.Get(observe.RequestIDHeader))
		w.Header().Set(observe.RequestIDHeader, id)
		info := &requestLog{}
		ctx := observe.WithRequestID(r.Context(), id)
		ctx = context.WithValue(ctx, requestLogKey{}, info)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		if metrics != nil {
			metrics.HTTPInFlight().Inc()
			defer metrics.HTTPInFlight().Dec()
		}
		next.ServeHTTP(rec, r.WithContext(ctx))
		elapsed := time.Since(start)

		info.mu.Lock()
		defer info.mu.Unlock()
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Int("bytes", rec.bytes),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
			slog.String("remote", r.RemoteAddr),
		}
		graphQL := r.URL.Path == GraphQLPath
		if graphQL {
			if info.opType != "" {
				attrs = append(attrs, slog.String("operation", info.operation), slog.String("operation_type", info.opType))
			}
			if info.queryHash != "" {
				attrs = append(attrs, slog.String("query_hash", info.queryHash))
			}
			if info.complexity > 0 {
				attrs = append(attrs, slog.Int("complexity", info.complexity))
			}
			if len(info.codes) > 0 {
				attrs = append(attrs, slog.Any("error_codes", slices.Compact(slices.Sorted(slices.Values(info.codes)))))
			}
			if logVariables && len(info.variables) > 0 {
				attrs = append(attrs, slog.Any("variables", info.variables))
			}
		}
		level := slog.LevelInfo
		if rec.status >= 500 {
			level = slog.LevelWarn
		}
		log.LogAttrs(ctx, level, "request", attrs...)

		if graphQL && metrics != nil {
			op := observe.OperationNone
			if info.opType != "" {
				op = metrics.OperationLabel(info.operation)
			}
			metrics.ObserveRequest(op, elapsed, info.codes)
		}
	})
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

// Unwrap lets http.ResponseController reach the underlying writer
// (flushing, hijacking for WebSockets).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
