package storeguard

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"pcnet/graph"
	"pcnet/internal/observe"
	"pcnet/internal/pcnet"
)

// The decorator's methods, one per method of pcnet.Store, Analytics and
// Writer, are generated into instrumented_gen.go.
//go:generate go run ./gendecorator -o instrumented_gen.go

// ETimeout is the code of a store call cut short because its request ran
// out of time (extensions.code "timeout").
const ETimeout = "timeout"

// RequestTimeout is the cause the HTTP layer gives a request's context
// when it cancels it at its time limit (context.WithTimeoutCause), so a
// store call cut short says which limit it hit.
type RequestTimeout struct{ Limit time.Duration }

func (e RequestTimeout) Error() string { return fmt.Sprintf("request timeout (%s)", e.Limit) }

// storeDecorator is the store as the GraphQL layer sees it: every call
// goes through the availability gate (failing at once while the store is
// down), gets a span and its metrics, and has its error classified —
// "timeout" when the request's time ran out, "unavailable" when the store
// is down (which also marks it down). Writes go through it too when the
// store has them.
type storeDecorator struct {
	inner   graph.Backend
	avail   *Availability
	metrics *observe.Metrics // may be nil
	tracer  trace.Tracer
}

// writingStoreDecorator is a storeDecorator over a store that also writes.
type writingStoreDecorator struct {
	*storeDecorator
	writer pcnet.Writer
}

// Decorate wraps store: every call goes through avail's gate, gets a span
// from tracer and its metrics (metrics may be nil). The result implements
// pcnet.Writer exactly when store does.
func Decorate(store graph.Backend, avail *Availability, metrics *observe.Metrics, tracer trace.Tracer) graph.Backend {
	d := &storeDecorator{inner: store, avail: avail, metrics: metrics, tracer: tracer}
	if w, ok := store.(pcnet.Writer); ok {
		return &writingStoreDecorator{storeDecorator: d, writer: w}
	}
	return d
}

// call runs one store method through the decorator. size is the number of
// queries of a batch method (1 otherwise), recorded on the span.
func call[T any](ctx context.Context, d *storeDecorator, method string, size int, f func(context.Context) (T, error)) (T, error) {
	noteStoreCall(ctx) // per-request count, for Options.StoreCallStats (storecalls.go)
	ctx, span := d.tracer.Start(ctx, "store."+method, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("pcnet.store.method", method), attribute.Int("pcnet.store.batch_size", size)))
	defer span.End()
	var done func(string)
	if d.metrics != nil {
		done = d.metrics.StoreCallStarted(method)
	}
	var out T
	err := d.avail.gate()
	if err == nil {
		out, err = f(ctx)
		if err != nil {
			err = d.classify(ctx, err)
		}
	}
	outcome := "ok"
	if err != nil {
		outcome = pcnet.ErrorCode(err)
		span.RecordError(err)
		if outcome != pcnet.EINVALID && outcome != pcnet.ENOTFOUND && outcome != pcnet.ECONFLICT {
			span.SetStatus(codes.Error, outcome)
		}
		span.SetAttributes(attribute.String("pcnet.error.code", outcome))
	}
	if done != nil {
		done(outcome)
	}
	return out, err
}

// classify turns a store error into what the client should see: a timeout
// when the request's context ended (the driver reports that as a
// connectivity error, which must not pass for an outage), an outage
// (marking the store down), or the error as it is.
func (d *storeDecorator) classify(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return &contextError{err: err, cause: context.Cause(ctx)}
	}
	if isOutage(d.inner, err) {
		d.avail.markDown(err)
		return d.avail.errUnavailable(err)
	}
	return err
}

// contextError is a store call cut short by its request's context: a
// *pcnet.Error with code ETimeout (or "canceled" when the client went
// away) for errors.As, the store's error for logs.
type contextError struct {
	err   error
	cause error
}

func (e *contextError) Error() string { return fmt.Sprintf("%v (%v)", e.err, e.cause) }
func (e *contextError) Unwrap() error { return e.err }

func (e *contextError) As(target any) bool {
	p, ok := target.(**pcnet.Error)
	if !ok {
		return false
	}
	var rt RequestTimeout
	switch {
	case errors.As(e.cause, &rt):
		*p = pcnet.Errorf(ETimeout, "the request took longer than the limit of %s: ask for less, or retry when the server is less busy", rt.Limit)
	case errors.Is(e.cause, context.DeadlineExceeded):
		*p = pcnet.Errorf(ETimeout, "the request ran out of time")
	default:
		*p = pcnet.Errorf("canceled", "the request was cancelled")
	}
	return true
}
