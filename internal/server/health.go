package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"pcnet/internal/observe"
	"pcnet/internal/storeguard"
)

// Health paths.
const (
	HealthzPath = "/healthz" // the process is alive: always 200
	ReadyzPath  = "/readyz"  // the store answers: 200, else 503
	MetricsPath = "/metrics"
)

// healthz answers 200 while the process serves HTTP.
func healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, http.StatusOK, map[string]any{"status": "ok"})
	})
}

// readyz answers 200 when the store answers a probe within timeout, 503
// (with the reason, fit for operators: no secrets) otherwise.
func readyz(a *storeguard.Availability, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		if err := a.Check(ctx); err != nil {
			writeStatus(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "store": storeguard.OutageText(err)})
			return
		}
		writeStatus(w, http.StatusOK, map[string]any{"status": "ready"})
	})
}

func writeStatus(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// metricsHandler serves m, or 404 when metrics are off.
func metricsHandler(m *observe.Metrics) http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return m.Handler()
}
