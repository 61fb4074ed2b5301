package events

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"pcnet/internal/pcnet"
)

// DefaultPollInterval is how often a Poller reads the audit trail while
// anyone listens.
const DefaultPollInterval = time.Second

// pageSize is how many audit entries one read asks for.
const pageSize = 1000

// ChangeSource is the audit trail a Poller reads (pcnet.Writer's Changes).
type ChangeSource interface {
	Changes(ctx context.Context, f pcnet.ChangeFilter) ([]pcnet.Change, error)
}

// Poller turns a store's audit trail into live updates: it reads the
// entries after the last sequence number it saw, in order, and hands each
// new batch to Deliver. The trail is the database's own record of every
// committed write, so every replica polling it delivers every change, in
// order, whichever replica made it (the in-process broker alone only knew
// this process's writes).
//
// It polls only while it has users (Acquire/Release), so an idle server
// reads nothing and a handler without subscribers leaks no goroutine.
type Poller struct {
	src      ChangeSource
	interval time.Duration
	deliver  func(ctx context.Context, batch []pcnet.Change) error
	log      *slog.Logger
	poke     chan struct{}

	last atomic.Int64 // the last Seq delivered (or skipped at start)

	mu    sync.Mutex
	users int
	stop  context.CancelFunc // ends the loop; nil while stopped
	done  chan struct{}      // closed when the loop has ended
}

// NewPoller returns a poller of src every interval (<= 0:
// DefaultPollInterval). deliver gets each batch of new entries, oldest
// first; when it fails the batch is read and offered again on the next
// poll, so it must publish nothing unless it succeeds.
func NewPoller(src ChangeSource, interval time.Duration, deliver func(ctx context.Context, batch []pcnet.Change) error, log *slog.Logger) *Poller {
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	if log == nil {
		log = slog.Default()
	}
	return &Poller{src: src, interval: interval, deliver: deliver, log: log, poke: make(chan struct{}, 1)}
}

// Acquire registers a user. The first one positions the poller at the end
// of the trail (what was committed before is not delivered) and starts
// polling; when Acquire returns, every entry committed afterwards will be
// delivered. Call Release when done.
func (p *Poller) Acquire(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.users > 0 {
		p.users++
		return nil
	}
	if p.done != nil {
		<-p.done // the previous loop is ending; it no longer touches last
	}
	skipped, err := ReadAfter(ctx, p.src, p.last.Load())
	if err != nil {
		return err
	}
	if n := len(skipped); n > 0 {
		p.last.Store(skipped[n-1].Seq)
	}
	loopCtx, stop := context.WithCancel(context.Background()) // outlives the request that started it
	p.users, p.stop, p.done = 1, stop, make(chan struct{})
	go p.loop(loopCtx, p.done)
	return nil
}

// Release unregisters a user; the last one stops the polling.
func (p *Poller) Release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.users == 0 {
		return
	}
	if p.users--; p.users == 0 {
		p.stop()
		p.stop = nil
	}
}

// Poke asks for a poll now rather than at the next tick: a write made
// through this process reaches its subscribers without waiting.
func (p *Poller) Poke() {
	select {
	case p.poke <- struct{}{}:
	default:
	}
}

// Last returns the sequence number of the last entry delivered or skipped.
func (p *Poller) Last() int64 { return p.last.Load() }

func (p *Poller) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.poke:
		}
		p.pollOnce(ctx)
	}
}

// pollOnce delivers what is new since last. Only the loop writes last
// (Acquire, which sets it too, waits for the loop to end first), and it
// takes no lock: Acquire holds mu while it waits for the loop.
func (p *Poller) pollOnce(ctx context.Context) {
	after := p.last.Load()
	batch, err := ReadAfter(ctx, p.src, after)
	if err == nil && len(batch) > 0 {
		err = p.deliver(ctx, batch)
	}
	if err != nil {
		if ctx.Err() == nil {
			p.log.Warn("live updates: reading the audit trail failed; retrying", "afterSeq", after, "err", err)
		}
		return
	}
	if n := len(batch); n > 0 {
		p.last.Store(batch[n-1].Seq)
	}
}

// ReadAfter returns every audit entry after seq after, oldest first, read
// page by page to the end of the trail.
func ReadAfter(ctx context.Context, src ChangeSource, after int64) ([]pcnet.Change, error) {
	var out []pcnet.Change
	for {
		page, err := src.Changes(ctx, pcnet.ChangeFilter{AfterSeq: after, Limit: pageSize})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < pageSize {
			return out, nil
		}
		after = page[len(page)-1].Seq
	}
}
