// Package events carries live updates to GraphQL subscriptions: a Poller
// reads the store's audit trail (the database's own record of every
// committed write, whichever replica made it) and a Broker fans what it
// finds out to this process's subscribers. One poller per process, so the
// database is read once per interval however many clients listen.
package events

import (
	"errors"
	"sync"
)

// Defaults of a Broker.
const (
	DefaultBuffer         = 64
	DefaultMaxSubscribers = 10000
)

// ErrTooManySubscribers is returned by Subscribe when the broker is full.
var ErrTooManySubscribers = errors.New("events: too many subscribers")

// Broker fans events out to subscribers. Publish never blocks: each
// subscriber has a bounded buffer, and one whose buffer is full when an
// event arrives is dropped (its channel closed, Dropped true) rather than
// slowing the writer down or silently missing events.
type Broker[E any] struct {
	buffer, max int

	mu     sync.Mutex
	subs   map[*Subscription[E]]struct{}
	closed bool
}

// NewBroker returns a broker giving each subscriber a buffer of buffer
// events and accepting at most max subscribers; values <= 0 pick the
// defaults.
func NewBroker[E any](buffer, max int) *Broker[E] {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	if max <= 0 {
		max = DefaultMaxSubscribers
	}
	return &Broker[E]{buffer: buffer, max: max, subs: make(map[*Subscription[E]]struct{})}
}

// Subscription receives the events its filter accepts, in publication
// order, on C. C is closed when the subscriber cancels, is dropped or the
// broker closes.
type Subscription[E any] struct {
	C <-chan E

	c       chan E
	accept  func(E) bool
	broker  *Broker[E]
	dropped bool // guarded by broker.mu
}

// Subscribe registers a subscriber for the events accept returns true for
// (nil accepts all). Call Cancel when done.
func (b *Broker[E]) Subscribe(accept func(E) bool) (*Subscription[E], error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errors.New("events: broker closed")
	}
	if len(b.subs) >= b.max {
		return nil, ErrTooManySubscribers
	}
	c := make(chan E, b.buffer)
	s := &Subscription[E]{C: c, c: c, accept: accept, broker: b}
	b.subs[s] = struct{}{}
	return s, nil
}

// Publish delivers e to every subscriber that accepts it, without
// blocking. It reports how many received it and how many were dropped
// because their buffer was full.
func (b *Broker[E]) Publish(e E) (delivered, dropped int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		if s.accept != nil && !s.accept(e) {
			continue
		}
		select {
		case s.c <- e:
			delivered++
		default:
			s.dropped = true
			b.removeLocked(s)
			dropped++
		}
	}
	return delivered, dropped
}

// Subscribers returns how many subscribers are registered.
func (b *Broker[E]) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Close ends every subscription; later Subscribe calls fail.
func (b *Broker[E]) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		b.removeLocked(s)
	}
}

func (b *Broker[E]) removeLocked(s *Subscription[E]) {
	if _, ok := b.subs[s]; ok {
		delete(b.subs, s)
		close(s.c)
	}
}

// Cancel unsubscribes; C is closed. It is safe to call more than once.
func (s *Subscription[E]) Cancel() {
	s.broker.mu.Lock()
	defer s.broker.mu.Unlock()
	s.broker.removeLocked(s)
}

// Dropped reports whether the broker dropped the subscriber because it fell
// behind. Read it once C is closed.
func (s *Subscription[E]) Dropped() bool {
	s.broker.mu.Lock()
	defer s.broker.mu.Unlock()
	return s.dropped
}
