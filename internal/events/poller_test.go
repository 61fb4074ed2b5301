package events_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"pcnet/internal/dataset"
	"pcnet/internal/events"
	"pcnet/internal/memory"
	"pcnet/internal/pcnet"
)

// The poller over the memory store delivers the entries committed after it
// started, in order, each once, offers a batch again when delivery failed,
// and starts from the end of the trail again after a pause. Only Poke
// drives it (the interval is an hour), so nothing depends on timing; the
// waits are failure guards.
func TestPollerOverMemoryStore(t *testing.T) {
	ds, _, err := dataset.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	store, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	ctx := pcnet.WithActor(context.Background(), pcnet.Actor{Subject: "maria", Role: pcnet.RolePlanner})
	n := 0
	create := func() string {
		t.Helper()
		n++
		id := fmt.Sprintf("svc-108-poll-%d", n)
		if _, err := store.CreateService(ctx, pcnet.SharedService{ID: id, Name: "Prova", ProviderCode: "108", AreaCode: "sua",
			Status: pcnet.StatusPlanned, StartDate: pcnet.MustDate("2026-01-01")}); err != nil {
			t.Fatal(err)
		}
		return id
	}

	batches := make(chan []pcnet.Change, 16)
	failed := make(chan struct{}, 16)
	failNext := true
	p := events.NewPoller(store, time.Hour, func(_ context.Context, b []pcnet.Change) error {
		if failNext { // only the poller's goroutine calls deliver
			failNext = false
			failed <- struct{}{}
			return errors.New("store unavailable")
		}
		batches <- b
		return nil
	}, nil)
	guard := time.After(time.Minute)
	var delivered []pcnet.Change
	// await collects batches until ids have been delivered (in any number
	// of batches), poking the poller once per wait.
	await := func(ids ...string) {
		t.Helper()
		p.Poke()
		want := len(delivered) + len(ids)
		for len(delivered) < want {
			select {
			case b := <-batches:
				delivered = append(delivered, b...)
			case <-failed:
				p.Poke() // the batch must come again
			case <-guard:
				t.Fatalf("delivered %+v, still waiting for %v", delivered, ids)
			}
		}
		got := delivered[want-len(ids):]
		for i, id := range ids {
			if got[i].EntityID != id {
				t.Errorf("delivered %s at %d, want %s", got[i].EntityID, i, id)
			}
		}
	}

	create() // before the first user: not delivered
	create()
	if err := p.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if p.Last() != 2 {
		t.Errorf("Last after Acquire = %d, want 2 (the end of the trail)", p.Last())
	}
	a, b := create(), create()
	await(a, b)                            // the first delivery fails: the same entries come again
	if err := p.Acquire(ctx); err != nil { // a second user shares the loop
		t.Fatal(err)
	}
	p.Release()
	c := create()
	await(c)
	p.Release()

	// Paused: what is written meanwhile is skipped on the next Acquire.
	create()
	if err := p.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	d := create()
	await(d)
	p.Release()

	for i := 1; i < len(delivered); i++ {
		if delivered[i].Seq <= delivered[i-1].Seq {
			t.Errorf("seq %d after %d: out of order or repeated", delivered[i].Seq, delivered[i-1].Seq)
		}
	}
	select {
	case b := <-batches:
		t.Errorf("delivered more than asked: %+v", b)
	default:
	}

	// Resuming: ReadAfter returns what follows a seq, in order, with no gap.
	rest, err := events.ReadAfter(ctx, store, delivered[0].Seq)
	if err != nil {
		t.Fatal(err)
	}
	for i, ch := range rest {
		if ch.Seq != delivered[0].Seq+int64(i)+1 {
			t.Errorf("ReadAfter: entry %d has seq %d, want %d", i, ch.Seq, delivered[0].Seq+int64(i)+1)
		}
	}
	if len(rest) != 4 || rest[len(rest)-1].EntityID != d {
		t.Errorf("ReadAfter(%d) = %+v, want the 4 entries after it ending with %s", delivered[0].Seq, rest, d)
	}
}
