package storeguard

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"pcnet/internal/pcnet"
)

// Pinger is a store that can check that it answers. Stores that can't be
// unavailable (the embedded one) needn't implement it.
type Pinger interface {
	Ping(ctx context.Context) error
}

// outageClassifier is a store that can tell, from one of its errors, that
// its database is down rather than the query wrong (see
// neo4j.IsUnavailable).
type outageClassifier interface {
	IsUnavailable(err error) bool
}

// AvailabilityOptions configure an Availability. The zero value is usable.
type AvailabilityOptions struct {
	// StartDown says the store was unreachable at start-up: requests fail
	// with "unavailable" until a probe succeeds.
	StartDown bool
	// Setup runs after the first successful probe when StartDown (the
	// store's migrations, which can't run while it is down); until it
	// succeeds the store stays down. nil means nothing to set up.
	Setup func(ctx context.Context) error
	// ProbeInterval is how often a store that is down is probed; 0 means 1s.
	ProbeInterval time.Duration
	// CheckInterval is how often Watch probes a store that is up, to notice
	// an outage before a request runs into it; 0 means 2s.
	CheckInterval time.Duration
	// ProbeTimeout bounds a probe; 0 means 2s.
	ProbeTimeout time.Duration
	// Logger receives the changes of state; nil means slog.Default().
	Logger *slog.Logger
	// OnChange is told every change of state (metrics).
	OnChange func(up bool)
}

// Availability tracks whether the store answers. While it doesn't,
// guarded store calls fail at once with code "unavailable" instead of
// each waiting out the driver's retries, /readyz answers 503, and a probe
// (Ping) runs at most every ProbeInterval — from Watch, or started by the
// requests themselves — until the store is back. Safe for concurrent use.
type Availability struct {
	pinger Pinger // nil: always up
	opts   AvailabilityOptions
	log    *slog.Logger

	up        atomic.Bool
	probing   atomic.Bool
	lastProbe atomic.Int64 // unix nanoseconds
	stopped   atomic.Bool
	probes    sync.WaitGroup // background probes, for Stop

	mu    sync.Mutex
	cause error     // why it is down
	since time.Time // when it went down

	// setupMu serialises Setup, apart from mu so that requests asking
	// why the store is down don't wait for migrations.
	setupMu   sync.Mutex
	setupDone bool
	setupFunc func(context.Context) error
}

// NewAvailability tracks store, which may implement Pinger. A store that
// doesn't is always available.
func NewAvailability(store any, opts AvailabilityOptions) *Availability {
	if opts.ProbeInterval <= 0 {
		opts.ProbeInterval = time.Second
	}
	if opts.CheckInterval <= 0 {
		opts.CheckInterval = 2 * time.Second
	}
	if opts.ProbeTimeout <= 0 {
		opts.ProbeTimeout = 2 * time.Second
	}
	a := &Availability{opts: opts, log: opts.Logger, setupFunc: opts.Setup}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.pinger, _ = store.(Pinger)
	a.setupDone = !opts.StartDown || opts.Setup == nil
	if a.pinger != nil && opts.StartDown {
		a.cause = errors.New("unreachable at start-up")
		a.since = time.Now()
	} else {
		a.up.Store(true)
	}
	return a
}

// Up reports whether the store is taken to answer.
func (a *Availability) Up() bool { return a.up.Load() }

// errUnavailable is what callers get while the store is down.
func (a *Availability) errUnavailable(cause error) error {
	return &unavailableError{cause: cause}
}

// unavailableError is a store outage as callers see it: a *pcnet.Error
// with code EUNAVAILABLE for errors.As (so clients see that code and a
// message fit for them), and the cause for logs.
type unavailableError struct{ cause error }

const unavailableMessage = "the database is unavailable: retry in a few seconds"

func (e *unavailableError) Error() string {
	if e.cause == nil {
		return "store unavailable"
	}
	return "store unavailable: " + e.cause.Error()
}

func (e *unavailableError) Unwrap() error { return e.cause }

func (e *unavailableError) As(target any) bool {
	if p, ok := target.(**pcnet.Error); ok {
		*p = pcnet.Errorf(pcnet.EUNAVAILABLE, unavailableMessage)
		return true
	}
	return false
}

// isOutage reports whether err, from a store call, says the store is down.
func isOutage(store any, err error) bool {
	if err == nil {
		return false
	}
	if pcnet.ErrorCode(err) == pcnet.EUNAVAILABLE {
		return true
	}
	if c, ok := store.(outageClassifier); ok {
		return c.IsUnavailable(err)
	}
	return false
}

// markDown records an outage and starts probing.
func (a *Availability) markDown(cause error) {
	if a.pinger == nil {
		return
	}
	if a.up.CompareAndSwap(true, false) {
		a.mu.Lock()
		a.cause, a.since = cause, time.Now()
		a.mu.Unlock()
		a.log.Warn("store unavailable: requests fail fast until it answers again", "err", cause)
		if a.opts.OnChange != nil {
			a.opts.OnChange(false)
		}
	}
	a.probeSoon()
}

// probeSoon starts a probe in the background unless one is running or the
// last one was less than ProbeInterval ago. At most one probe goroutine
// exists at a time, so an outage under load adds no goroutines.
func (a *Availability) probeSoon() {
	if time.Since(time.Unix(0, a.lastProbe.Load())) < a.opts.ProbeInterval {
		return
	}
	if a.stopped.Load() || !a.probing.CompareAndSwap(false, true) {
		return
	}
	a.probes.Add(1)
	go func() {
		defer a.probes.Done()
		defer a.probing.Store(false)
		_ = a.probe(context.Background())
	}()
}

// Stop waits for the probe in flight, if any, and starts no more: call it
// before closing the store (the Neo4j driver must not be closed while a
// session is being opened on it).
func (a *Availability) Stop() {
	a.stopped.Store(true)
	a.probes.Wait()
}

// probe pings the store (running Setup once it answers, if pending) and
// records the outcome.
func (a *Availability) probe(ctx context.Context) error {
	if a.pinger == nil {
		return nil
	}
	a.lastProbe.Store(time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(ctx, a.opts.ProbeTimeout)
	defer cancel()
	err := a.pinger.Ping(ctx)
	if err == nil {
		// Setup (migrations) may take longer than a ping.
		setupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		err = a.runSetup(setupCtx)
		cancel()
	}
	if err != nil {
		a.markDown(err)
		return err
	}
	if a.up.CompareAndSwap(false, true) {
		a.mu.Lock()
		down := time.Since(a.since)
		a.mu.Unlock()
		a.log.Info("store available again", "down_for", down.Round(time.Millisecond))
		if a.opts.OnChange != nil {
			a.opts.OnChange(true)
		}
	}
	return nil
}

// runSetup runs the pending Setup, once it succeeds.
func (a *Availability) runSetup(ctx context.Context) error {
	a.setupMu.Lock()
	defer a.setupMu.Unlock()
	if a.setupDone {
		return nil
	}
	if err := a.setupFunc(ctx); err != nil {
		return err
	}
	a.setupDone = true
	return nil
}

// Watch probes the store until ctx is done: every CheckInterval while it
// is up, to notice an outage before requests run into it, and every
// ProbeInterval while it is down. Without Watch, the requests that fail
// and /readyz do the probing.
func (a *Availability) Watch(ctx context.Context) {
	if a.pinger == nil {
		return
	}
	for {
		wait := a.opts.CheckInterval
		if !a.Up() {
			wait = a.opts.ProbeInterval
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if a.probing.CompareAndSwap(false, true) {
			_ = a.probe(ctx)
			a.probing.Store(false)
		}
	}
}

// Check probes the store now (for /readyz) and reports whether it answers.
func (a *Availability) Check(ctx context.Context) error {
	if a.pinger == nil {
		return nil
	}
	if !a.Up() {
		a.mu.Lock()
		cause := a.cause
		a.mu.Unlock()
		a.probeSoon()
		return a.errUnavailable(cause)
	}
	return a.probe(ctx)
}

// gate is called before a store call: it fails at once while the store
// is down (starting a probe if one is due).
func (a *Availability) gate() error {
	if a.Up() {
		return nil
	}
	a.probeSoon()
	a.mu.Lock()
	cause := a.cause
	a.mu.Unlock()
	return a.errUnavailable(cause)
}

// OutageText is the operator's view of an outage (for /readyz): the
// cause's message, which names the server and never a password
// (neo4j.ConnectError).
func OutageText(err error) string {
	var ue *unavailableError
	if errors.As(err, &ue) && ue.cause != nil {
		return ue.cause.Error()
	}
	return err.Error()
}
