package events

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

func drain[E any](c <-chan E) []E {
	var out []E
	for {
		select {
		case e, ok := <-c:
			if !ok {
				return out
			}
			out = append(out, e)
		default:
			return out
		}
	}
}

func TestBrokerFiltersAndOrders(t *testing.T) {
	b := NewBroker[int](10, 0)
	even, err := b.Subscribe(func(n int) bool { return n%2 == 0 })
	if err != nil {
		t.Fatal(err)
	}
	all, err := b.Subscribe(nil)
	if err != nil {
		t.Fatal(err)
	}
	for n := range 6 {
		b.Publish(n)
	}
	if got := drain(even.C); !slices.Equal(got, []int{0, 2, 4}) {
		t.Errorf("even subscriber got %v", got)
	}
	if got := drain(all.C); !slices.Equal(got, []int{0, 1, 2, 3, 4, 5}) {
		t.Errorf("all subscriber got %v", got)
	}
}

func TestBrokerDropsSlowSubscriberWithoutBlocking(t *testing.T) {
	b := NewBroker[int](2, 0)
	slow, _ := b.Subscribe(nil)
	fast, _ := b.Subscribe(nil)
	// The fast reader hands each event back before the next is published: in
	// step with the publisher whatever the scheduler does, so only the slow
	// one (never read) can overflow. A Publish that blocked on the slow one
	// would hang here and fail at go test's -timeout with the stack.
	received := make(chan int)
	go func() {
		defer close(received)
		for n := range fast.C {
			received <- n
		}
	}()
	var got []int
	var dropped int
	for n := range 3 {
		_, x := b.Publish(n)
		dropped += x
		got = append(got, <-received)
	}
	if dropped != 1 {
		t.Errorf("dropped %d subscribers, want 1 (the slow one)", dropped)
	}
	// The slow one got what fitted its buffer, then its channel closed.
	if got := drain(slow.C); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("slow subscriber got %v, want [0 1]", got)
	}
	if _, open := <-slow.C; open {
		t.Error("slow subscriber's channel still open")
	}
	if !slow.Dropped() {
		t.Error("slow subscriber not marked dropped")
	}
	fast.Cancel()
	for range received {
	}
	if !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("fast subscriber got %v, want [0 1 2]", got)
	}
	if fast.Dropped() {
		t.Error("a cancelled subscriber is marked dropped")
	}
	if n := b.Subscribers(); n != 0 {
		t.Errorf("%d subscribers left, want 0", n)
	}
}

func TestBrokerLimitsAndClose(t *testing.T) {
	b := NewBroker[int](1, 2)
	s1, _ := b.Subscribe(nil)
	if _, err := b.Subscribe(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Subscribe(nil); !errors.Is(err, ErrTooManySubscribers) {
		t.Errorf("third subscriber: err = %v, want ErrTooManySubscribers", err)
	}
	s1.Cancel()
	s1.Cancel() // idempotent
	if _, err := b.Subscribe(nil); err != nil {
		t.Errorf("after a cancel: %v", err)
	}
	b.Close()
	if b.Subscribers() != 0 {
		t.Error("subscribers left after Close")
	}
	if _, err := b.Subscribe(nil); err == nil {
		t.Error("Subscribe after Close succeeded")
	}
}

func TestBrokerConcurrentPublishAndCancel(t *testing.T) {
	b := NewBroker[int](4, 0)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			s, err := b.Subscribe(nil)
			if err != nil {
				t.Error(err)
				return
			}
			for range 3 {
				select {
				case <-s.C:
				case <-time.After(10 * time.Millisecond):
				}
			}
			s.Cancel()
		})
		wg.Go(func() {
			for n := range 50 {
				b.Publish(n)
			}
		})
	}
	wg.Wait()
	if n := b.Subscribers(); n != 0 {
		t.Errorf("%d subscribers left", n)
	}
}
