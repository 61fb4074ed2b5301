package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"pcnet/graph/model"
	"pcnet/internal/events"
	"pcnet/internal/pcnet"
)

// CoverageBroker carries coverage changes from the mutations to the
// coverageChanged subscriptions of this process.
type CoverageBroker = events.Broker[model.CoverageEvent]

// NewCoverageBroker returns a broker giving each subscriber a buffer of
// buffer events (0 for events.DefaultBuffer) and accepting at most max
// subscribers (0 for events.DefaultMaxSubscribers).
func NewCoverageBroker(buffer, max int) *CoverageBroker {
	return events.NewBroker[model.CoverageEvent](buffer, max)
}

// coverageChanged subscribes to the coverage events matching the filters.
// Events are forwarded from the broker's bounded buffer to gqlgen's channel;
// when the client reads too slowly the buffer fills, the broker drops the
// subscriber, and the client gets an error ("unavailable") and the end of
// the subscription, never a silent gap.
func (r *Resolver) coverageChanged(ctx context.Context, serviceID, province, sector *string) (<-chan *model.CoverageEvent, error) {
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
	if r.Events == nil {
		return nil, pcnet.Errorf(pcnet.EUNAVAILABLE, "live updates are not enabled on this server")
	}
	sub, err := r.Events.Subscribe(func(e model.CoverageEvent) bool {
		return (serviceID == nil || e.Service.ID == f.service) &&
			(province == nil || e.Service.ProviderCode == f.province) &&
			(sector == nil || e.SectorCode == f.sector)
	})
	if err != nil {
		return nil, pcnet.Errorf(pcnet.EUNAVAILABLE, "too many subscriptions on this server: try again later")
	}
	out := make(chan *model.CoverageEvent)
	go func() {
		defer close(out)
		defer sub.Cancel()
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
				select {
				case out <- &e:
				case <-ctx.Done():
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
