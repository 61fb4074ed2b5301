package graph

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"pcnet/graph/model"
	"pcnet/internal/events"
	"pcnet/internal/pcnet"
)

// CoverageBroker fans coverage changes out to the coverageChanged
// subscriptions of this process.
type CoverageBroker = events.Broker[model.CoverageEvent]

// NewCoverageBroker returns a broker giving each subscriber a buffer of
// buffer events (0 for events.DefaultBuffer) and accepting at most max
// subscribers (0 for events.DefaultMaxSubscribers).
func NewCoverageBroker(buffer, max int) *CoverageBroker {
	return events.NewBroker[model.CoverageEvent](buffer, max)
}

// NewFeed returns the poller that feeds r.Events from r.Writer's audit
// trail every interval (0: events.DefaultPollInterval). Every replica runs
// its own over the same database, so each hears every replica's writes.
func (r *Resolver) NewFeed(interval time.Duration, log *slog.Logger) *events.Poller {
	return events.NewPoller(r.Writer, interval, func(ctx context.Context, batch []pcnet.Change) error {
		evs, err := r.coverageEvents(ctx, batch)
		if err != nil {
			return err
		}
		for _, e := range evs {
			r.Events.Publish(e)
		}
		return nil
	}, log)
}

// coverageEvents turns audit entries into coverage events: the coverage
// entries of one write (consecutive, same service, action, actor and
// instant) make one event. The service and coverages are read from the
// store, as they are when the event is made.
func (r *Resolver) coverageEvents(ctx context.Context, batch []pcnet.Change) ([]model.CoverageEvent, error) {
	type group struct {
		e     model.CoverageEvent
		codes []string
	}
	var groups []*group
	for _, c := range batch {
		var action model.CoverageAction
		switch {
		case c.Entity != pcnet.EntityCoverage:
			continue
		case c.Action == pcnet.ActionAdd:
			action = model.CoverageAdded
		case c.Action == pcnet.ActionEnd:
			action = model.CoverageEnded
		default:
			continue
		}
		i := strings.LastIndexByte(c.EntityID, '/')
		if i < 0 {
			continue
		}
		svc, code := c.EntityID[:i], c.EntityID[i+1:]
		if n := len(groups); n > 0 {
			g := groups[n-1]
			if g.e.Service.ID == svc && g.e.Action == action && g.e.Actor == c.Actor && g.e.At.Equal(c.At) && g.e.Seq == c.Seq-1 {
				g.e.Seq, g.codes = c.Seq, append(g.codes, code)
				continue
			}
		}
		groups = append(groups, &group{e: model.CoverageEvent{Seq: c.Seq, Action: action, Service: pcnet.SharedService{ID: svc}, Actor: c.Actor, At: c.At}, codes: []string{code}})
	}
	if len(groups) == 0 {
		return nil, nil
	}
	ctx = WithLoaders(ctx, NewLoaders(r.Store, 0))
	out := make([]model.CoverageEvent, len(groups))
	for i, g := range groups {
		svc, err := r.serviceOf(ctx, g.e.Service.ID, "coverage event")
		if err != nil {
			return nil, err
		}
		area, err := r.areaOf(ctx, svc.AreaCode, "service "+svc.ID)
		if err != nil {
			return nil, err
		}
		pages, err := r.Store.Coverages(ctx, []pcnet.CoverageQuery{{Filter: pcnet.CoverageFilter{ServiceIDs: []string{svc.ID}, ComuneCodes: g.codes}}})
		if err != nil {
			return nil, err
		}
		// A Comune may have had several coverages of the service; the one
		// written is its latest (an addition opens it, an ending closes the
		// open one). Coverages come ordered by Comune, then start date.
		latest := map[string]pcnet.Coverage{}
		for _, c := range pages[0].Coverages {
			latest[c.ComuneCode] = c
		}
		g.e.Service, g.e.SectorCode = *svc, area.SectorCode
		for _, code := range g.codes {
			if c, ok := latest[code]; ok {
				g.e.Coverages = append(g.e.Coverages, c)
			}
		}
		out[i] = g.e
	}
	return out, nil
}

// coverageChanged subscribes to the coverage events matching the filters,
// first replaying those after afterSeq (when given) from the audit trail.
// Events are forwarded from the broker's bounded buffer to gqlgen's channel;
// when the client reads too slowly the buffer fills, the broker drops the
// subscriber, and the client gets an error ("unavailable") and the end of
// the subscription, never a silent gap.
func (r *Resolver) coverageChanged(ctx context.Context, serviceID, province, sector *string, afterSeq *int) (<-chan *model.CoverageEvent, error) {
	var f struct{ service, province, sector string }
	f.service, f.province, f.sector = deref(serviceID), deref(province), deref(sector)
	if province != nil {
		if err := pcnet.ValidateProvinceCode("province", f.province); err != nil {
			return nil, err
		}
	}
	if sector != nil {
		if err := r.checkSector(ctx, "sector", f.sector); err != nil {
			return nil, err
		}
	}
	if afterSeq != nil && *afterSeq < 0 {
		return nil, pcnet.Invalidf("afterSeq", "afterSeq: %d is negative", *afterSeq)
	}
	if r.Events == nil || r.Feed == nil {
		return nil, pcnet.Errorf(pcnet.EUNAVAILABLE, "live updates are not enabled on this server")
	}
	accept := func(e model.CoverageEvent) bool {
		return (serviceID == nil || e.Service.ID == f.service) &&
			(province == nil || e.Service.ProviderCode == f.province) &&
			(sector == nil || e.SectorCode == f.sector)
	}
	// The poller first, so that once subscribed the broker gets every
	// write committed from now on; the replay, read after subscribing,
	// covers everything before, and seq numbers drop what both carry.
	if err := r.Feed.Acquire(ctx); err != nil {
		return nil, err
	}
	sub, err := r.Events.Subscribe(accept)
	if err != nil {
		r.Feed.Release()
		return nil, pcnet.Errorf(pcnet.EUNAVAILABLE, "too many subscriptions on this server: try again later")
	}
	var replay []model.CoverageEvent
	var last int64
	if afterSeq != nil {
		last = int64(*afterSeq)
		batch, err := events.ReadAfter(ctx, r.Writer, last)
		if err == nil {
			replay, err = r.coverageEvents(ctx, batch)
		}
		if err != nil {
			sub.Cancel()
			r.Feed.Release()
			return nil, err
		}
		if n := len(batch); n > 0 {
			last = batch[n-1].Seq
		}
	}
	out := make(chan *model.CoverageEvent)
	go func() {
		defer close(out)
		defer r.Feed.Release()
		defer sub.Cancel()
		send := func(e model.CoverageEvent) bool {
			select {
			case out <- &e:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for _, e := range replay {
			if accept(e) && !send(e) {
				return
			}
		}
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-sub.C:
				if !ok {
					if sub.Dropped() {
						reportDropped(ctx)
					}
					return
				}
				if e.Seq <= last {
					continue // replayed already
				}
				if !send(e) {
					return
				}
			}
		}
	}()
	return out, nil
}

// reportDropped tells the client its subscription was dropped: the
// WebSocket transport sends the error once the channel closes. Only that
// transport can carry it (the server serves subscriptions over no other);
// anywhere else the channel just closes.
func reportDropped(ctx context.Context) {
	defer func() { _ = recover() }() // gqlgen panics without its WebSocket context
	transport.AddSubscriptionError(ctx, &gqlerror.Error{
		Message:    "subscription dropped: events arrived faster than the client read them; subscribe again",
		Extensions: map[string]any{"code": pcnet.EUNAVAILABLE},
	})
}
