package server

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"pcnet/graph"
	"pcnet/internal/observe"
	"pcnet/internal/pcnet"
)

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

// decorateStore wraps store; the result implements pcnet.Writer exactly
// when store does.
func decorateStore(store graph.Backend, avail *Availability, metrics *observe.Metrics, tracer trace.Tracer) graph.Backend {
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
	var rt errRequestTimeout
	switch {
	case errors.As(e.cause, &rt):
		*p = pcnet.Errorf(ETimeout, "the request took longer than the limit of %s: ask for less, or retry when the server is less busy", rt.d)
	case errors.Is(e.cause, context.DeadlineExceeded):
		*p = pcnet.Errorf(ETimeout, "the request ran out of time")
	default:
		*p = pcnet.Errorf("canceled", "the request was cancelled")
	}
	return true
}

// Store methods.

func (d *storeDecorator) Regions(ctx context.Context, codes []string) ([]pcnet.Region, error) {
	return call(ctx, d, "Regions", 1, func(ctx context.Context) ([]pcnet.Region, error) { return d.inner.Regions(ctx, codes) })
}

func (d *storeDecorator) Provinces(ctx context.Context, f pcnet.ProvinceFilter) ([]pcnet.Province, error) {
	return call(ctx, d, "Provinces", 1, func(ctx context.Context) ([]pcnet.Province, error) { return d.inner.Provinces(ctx, f) })
}

func (d *storeDecorator) Comuni(ctx context.Context, q []pcnet.ComuneQuery) ([]pcnet.ComunePage, error) {
	return call(ctx, d, "Comuni", len(q), func(ctx context.Context) ([]pcnet.ComunePage, error) { return d.inner.Comuni(ctx, q) })
}

func (d *storeDecorator) Sectors(ctx context.Context) ([]pcnet.Sector, error) {
	return call(ctx, d, "Sectors", 1, d.inner.Sectors)
}

func (d *storeDecorator) Services(ctx context.Context, f pcnet.ServiceFilter) ([]pcnet.SharedService, error) {
	return call(ctx, d, "Services", 1, func(ctx context.Context) ([]pcnet.SharedService, error) { return d.inner.Services(ctx, f) })
}

func (d *storeDecorator) Coverages(ctx context.Context, q []pcnet.CoverageQuery) ([]pcnet.CoveragePage, error) {
	return call(ctx, d, "Coverages", len(q), func(ctx context.Context) ([]pcnet.CoveragePage, error) { return d.inner.Coverages(ctx, q) })
}

func (d *storeDecorator) Tutorships(ctx context.Context, f pcnet.TutorshipFilter) ([]pcnet.Tutorship, error) {
	return call(ctx, d, "Tutorships", 1, func(ctx context.Context) ([]pcnet.Tutorship, error) { return d.inner.Tutorships(ctx, f) })
}

func (d *storeDecorator) ProjectWorks(ctx context.Context, f pcnet.ProjectWorkFilter) ([]pcnet.ProjectWork, error) {
	return call(ctx, d, "ProjectWorks", 1, func(ctx context.Context) ([]pcnet.ProjectWork, error) { return d.inner.ProjectWorks(ctx, f) })
}

// Analytics methods.

func (d *storeDecorator) Peers(ctx context.Context, q pcnet.PeerQuery) ([]pcnet.Peer, error) {
	return call(ctx, d, "Peers", 1, func(ctx context.Context) ([]pcnet.Peer, error) { return d.inner.Peers(ctx, q) })
}

func (d *storeDecorator) TutorLinks(ctx context.Context, q pcnet.TutorLinkQuery) ([]pcnet.TutorLink, error) {
	return call(ctx, d, "TutorLinks", 1, func(ctx context.Context) ([]pcnet.TutorLink, error) { return d.inner.TutorLinks(ctx, q) })
}

func (d *storeDecorator) TutorPath(ctx context.Context, q pcnet.TutorPathQuery) (*pcnet.TutorPath, error) {
	return call(ctx, d, "TutorPath", 1, func(ctx context.Context) (*pcnet.TutorPath, error) { return d.inner.TutorPath(ctx, q) })
}

func (d *storeDecorator) Reach(ctx context.Context, q []pcnet.ReachQuery) ([][]pcnet.ReachRow, error) {
	return call(ctx, d, "Reach", len(q), func(ctx context.Context) ([][]pcnet.ReachRow, error) { return d.inner.Reach(ctx, q) })
}

func (d *storeDecorator) ComuniSummaries(ctx context.Context, f []pcnet.ComuneFilter) ([]pcnet.ComuneSummary, error) {
	return call(ctx, d, "ComuniSummaries", len(f), func(ctx context.Context) ([]pcnet.ComuneSummary, error) { return d.inner.ComuniSummaries(ctx, f) })
}

func (d *storeDecorator) NearestProviders(ctx context.Context, q pcnet.NearestQuery) ([]pcnet.ProviderDistance, error) {
	return call(ctx, d, "NearestProviders", 1, func(ctx context.Context) ([]pcnet.ProviderDistance, error) { return d.inner.NearestProviders(ctx, q) })
}

func (d *storeDecorator) ProjectWorkCounts(ctx context.Context, f pcnet.ProjectWorkFilter, by pcnet.ProjectWorkGrouping) ([]pcnet.ProjectWorkCount, error) {
	return call(ctx, d, "ProjectWorkCounts", 1, func(ctx context.Context) ([]pcnet.ProjectWorkCount, error) {
		return d.inner.ProjectWorkCounts(ctx, f, by)
	})
}

// Writer methods.

func (d *writingStoreDecorator) CreateService(ctx context.Context, s pcnet.SharedService) (pcnet.SharedService, error) {
	return call(ctx, d.storeDecorator, "CreateService", 1, func(ctx context.Context) (pcnet.SharedService, error) { return d.writer.CreateService(ctx, s) })
}

func (d *writingStoreDecorator) UpdateService(ctx context.Context, id string, u pcnet.ServiceUpdate) (pcnet.SharedService, error) {
	return call(ctx, d.storeDecorator, "UpdateService", 1, func(ctx context.Context) (pcnet.SharedService, error) { return d.writer.UpdateService(ctx, id, u) })
}

func (d *writingStoreDecorator) AddCoverage(ctx context.Context, a pcnet.CoverageAddition) (pcnet.CoverageResult, error) {
	return call(ctx, d.storeDecorator, "AddCoverage", 1, func(ctx context.Context) (pcnet.CoverageResult, error) { return d.writer.AddCoverage(ctx, a) })
}

func (d *writingStoreDecorator) EndCoverage(ctx context.Context, e pcnet.CoverageEnding) (pcnet.CoverageResult, error) {
	return call(ctx, d.storeDecorator, "EndCoverage", 1, func(ctx context.Context) (pcnet.CoverageResult, error) { return d.writer.EndCoverage(ctx, e) })
}

func (d *writingStoreDecorator) AssignTutor(ctx context.Context, t pcnet.Tutorship) (pcnet.Tutorship, error) {
	return call(ctx, d.storeDecorator, "AssignTutor", 1, func(ctx context.Context) (pcnet.Tutorship, error) { return d.writer.AssignTutor(ctx, t) })
}

func (d *writingStoreDecorator) AdvanceTutorship(ctx context.Context, k pcnet.TutorshipKey, step int) (pcnet.Tutorship, error) {
	return call(ctx, d.storeDecorator, "AdvanceTutorship", 1, func(ctx context.Context) (pcnet.Tutorship, error) { return d.writer.AdvanceTutorship(ctx, k, step) })
}

func (d *writingStoreDecorator) EndTutorship(ctx context.Context, k pcnet.TutorshipKey, until pcnet.Date) (pcnet.Tutorship, error) {
	return call(ctx, d.storeDecorator, "EndTutorship", 1, func(ctx context.Context) (pcnet.Tutorship, error) { return d.writer.EndTutorship(ctx, k, until) })
}

func (d *writingStoreDecorator) SaveProjectWork(ctx context.Context, w pcnet.ProjectWork) (pcnet.ProjectWork, error) {
	return call(ctx, d.storeDecorator, "SaveProjectWork", 1, func(ctx context.Context) (pcnet.ProjectWork, error) { return d.writer.SaveProjectWork(ctx, w) })
}

func (d *writingStoreDecorator) Changes(ctx context.Context, f pcnet.ChangeFilter) ([]pcnet.Change, error) {
	return call(ctx, d.storeDecorator, "Changes", 1, func(ctx context.Context) ([]pcnet.Change, error) { return d.writer.Changes(ctx, f) })
}
