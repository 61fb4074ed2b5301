package app

import (
	"context"
	"log/slog"

	"pcnet/graph"
	"pcnet/internal/observe"
	"pcnet/internal/server"
	"pcnet/internal/storeguard"
)

// OperationsConfig is what the operational machinery needs from outside.
type OperationsConfig struct {
	// Getenv reads the standard OTEL_* variables that configure tracing
	// (observe.TracingFromEnv); os.Getenv outside tests.
	Getenv func(string) string
	// Version is the binary's version, recorded on the traces.
	Version string
}

// Operations is what `pcnet serve` runs beside the HTTP server: tracing,
// metrics and the watch over the store's availability.
type Operations struct {
	tracing   *observe.Tracing
	metrics   *observe.Metrics
	avail     *storeguard.Availability
	stopWatch context.CancelFunc
	watching  chan struct{}
}

// StartOperations sets up tracing (from OTEL_*), metrics and the
// availability watch over store, as health (from OpenServeStore) says.
// Stop ends them.
func StartOperations(ctx context.Context, log *slog.Logger, store graph.Backend, health StoreHealth, c OperationsConfig) (*Operations, error) {
	tracing, err := observe.TracingFromEnv(ctx, c.Getenv, c.Version)
	if err != nil {
		return nil, err
	}
	ops := &Operations{tracing: tracing, metrics: observe.NewMetrics()}
	if tracing.Enabled {
		log.InfoContext(ctx, "tracing", "exporter", "otlp/http", "endpoint", tracing.Endpoint)
	}
	if q, ok := store.(interface{ QueryCount() int64 }); ok {
		ops.metrics.RegisterQueryCounter(q.QueryCount)
	}
	if health.PoolSize > 0 {
		ops.metrics.RegisterPoolSize(health.PoolSize)
	}
	opts := health.Availability
	opts.Logger = log
	opts.OnChange = ops.metrics.SetStoreUp
	ops.avail = storeguard.NewAvailability(store, opts)
	ops.metrics.SetStoreUp(ops.avail.Up())
	watchCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ops.stopWatch, ops.watching = cancel, make(chan struct{})
	go func() {
		defer close(ops.watching)
		ops.avail.Watch(watchCtx)
	}()
	return ops, nil
}

// Options adds the metrics, the availability watch and the tracer to base.
func (o *Operations) Options(base server.Options) server.Options {
	base.Metrics = o.metrics
	base.Availability = o.avail
	if o.tracing.Enabled {
		base.TracerProvider = o.tracing.Provider
	}
	return base
}

// Stop ends the availability watch and flushes the spans not yet exported.
func (o *Operations) Stop(ctx context.Context) error {
	o.stopWatch()
	<-o.watching
	o.avail.Stop()
	return o.tracing.Shutdown(ctx)
}
