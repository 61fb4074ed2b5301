package graph

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Batching: one store call per nesting level, without waiting.
//
// A dataloader must decide when a level has finished asking for keys. A
// time window (collect for a few milliseconds, then call the store) makes
// every level of every query wait that long, and still splits a level when
// a busy machine stretches its burst of loads past the window.
//
// Instead, each request counts its outstanding work, as graphql-java's
// field-level dispatch does: the field resolutions gqlgen is going to run
// and has not finished, and the store calls in flight. A resolution is
// counted from the moment its parent's value is known (the parent's result
// tells how many objects there are, and the query how many fields each
// has) until it returns, and not while it is blocked on a dataloader. When
// the count drops to zero, every resolution of the request is blocked on a
// loader or done, so no more keys can come: the request's loaders call the
// store right then, each with all its pending keys. That is one store call
// per loader per round, a round per nesting level, whatever the number of
// parents and however slow the machine, and no waiting.
//
// One wrinkle of gqlgen's execution: an object's fields without a resolver
// are resolved one after another in one goroutine, before the fields with
// a resolver start; so when such a field has a subtree (a connection's
// edges) and something in it blocks on a loader, the fields after it can't
// start until that subtree is done: counting them would keep the count
// above zero. So the fields after such a field are counted only once its
// subtree is finished: each such field opens a scope that counts the
// unfinished work of its subtree and, when it reaches zero, adds the
// fields behind it (objectPlan).
//
// The counting needs the gqlgen extension LevelBatching on the handler.
// Without it (or for subscriptions, whose events resolve outside the
// operation), loaders fall back to a time window: a pending batch is sent
// once the request has made no progress for the loader wait. A counted
// request keeps a much longer window (stuckFactor) as a safety net for a
// count that can't reach zero.

// levelTracker counts a request's outstanding work; see above.
type levelTracker struct {
	// armed is set when LevelBatching counts this request's operation;
	// until then the loaders only use their time window.
	armed atomic.Bool
	// outstanding is the number of field resolutions expected or running
	// (not blocked on a loader, not finished), plus store calls in flight.
	outstanding atomic.Int64
	// progress counts every resolution that finished or blocked; the time
	// window restarts while it moves (the request is busy, not stuck).
	progress atomic.Int64
	// fallbacks counts batches sent by the time window of an armed
	// request: each is a level whose end the count missed (tests check
	// there are none).
	fallbacks atomic.Int64

	mu      sync.Mutex
	loaders []dispatcher
	plans   map[selectionKey]*objectPlan
}

// dispatcher is a loader as the tracker sees it.
type dispatcher interface {
	// detach takes the pending batch, if any, and returns the function
	// that sends it to the store (nil when nothing is pending).
	detach() (send func())
}

func (t *levelTracker) register(d dispatcher) {
	t.mu.Lock()
	t.loaders = append(t.loaders, d)
	t.mu.Unlock()
}

// scope counts the unfinished resolutions (blocked ones included) in the
// subtree of a field without a resolver; when none is left, the fields
// that were waiting behind it (cont) become outstanding in the parent
// scope. The request itself is the nil scope.
type scope struct {
	parent     *scope
	unfinished atomic.Int64
	cont       int64
}

// expect counts n more resolutions in scope s.
func (t *levelTracker) expect(s *scope, n int64) {
	if n == 0 {
		return
	}
	for ; s != nil; s = s.parent {
		s.unfinished.Add(n)
	}
	t.outstanding.Add(n)
}

// finish counts a resolution of scope s as done: the scopes it closes
// release the fields behind them, then the request's count drops, and if
// it reaches zero the loaders send their pending batches.
func (t *levelTracker) finish(s *scope) {
	var released int64
	for ; s != nil; s = s.parent {
		if s.unfinished.Add(released-1) == 0 {
			released += s.cont
		}
	}
	t.progress.Add(1)
	if t.outstanding.Add(released-1) == 0 {
		t.dispatchAll()
	}
}

// block counts a resolution as waiting for a loader (it is still
// unfinished in its scopes).
func (t *levelTracker) block() {
	t.progress.Add(1)
	if t.outstanding.Add(-1) == 0 {
		t.dispatchAll()
	}
}

// settle adds n (at least -1) to the request's count: a store call that
// ended, waking n+1 resolvers.
func (t *levelTracker) settle(n int64) {
	t.progress.Add(1)
	if t.outstanding.Add(n) == 0 {
		t.dispatchAll()
	}
}

// dispatchAll sends every pending batch. All of them are counted as
// outstanding before any is sent: a fast store call that completed while
// the others were still being taken would otherwise let its resolvers
// reach zero again, and send the next level's keys before the rest of this
// level's answers could add theirs.
func (t *levelTracker) dispatchAll() {
	t.mu.Lock()
	loaders := t.loaders
	t.mu.Unlock()
	var sends []func()
	for _, l := range loaders {
		if send := l.detach(); send != nil {
			sends = append(sends, send)
		}
	}
	t.expect(nil, int64(len(sends)))
	for _, send := range sends {
		send()
	}
}

// selectionKey identifies the selection set of an object type in the
// operation by its first element and length: selection sets are slices of
// the parsed document, which the request never changes.
type selectionKey struct {
	first ast.Selection
	n     int
	typ   string
}

// objectPlan is how gqlgen resolves an object selected with a selection
// set: first the fields without a resolver, in order, then those with one,
// concurrently. eager is the number of resolutions counted when the object
// is known: the fields up to and including the first field without a
// resolver that has a subtree. cont[alias] is the number counted when the
// subtree of such a field is done: the fields after it up to and including
// the next one.
type objectPlan struct {
	eager int64
	cont  map[string]int64
}

// plan returns the plan of objects of type typ selected with sel, whose
// fields' contexts child makes (a FieldContext's Child, which knows which
// fields have resolvers).
func (t *levelTracker) plan(ctx context.Context, oc *graphql.OperationContext, sel ast.SelectionSet, typ string,
	child func(context.Context, graphql.CollectedField) (*graphql.FieldContext, error),
) *objectPlan {
	if len(sel) == 0 {
		return &objectPlan{}
	}
	key := selectionKey{sel[0], len(sel), typ}
	t.mu.Lock()
	p, ok := t.plans[key]
	t.mu.Unlock()
	if ok {
		return p
	}
	var sync, concurrent []graphql.CollectedField
	if child != nil {
		// Making a field's context parses its arguments and reports their
		// errors: into a response of its own here, which nobody reads.
		ctx = graphql.WithResponseContext(ctx, graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	}
	for _, f := range graphql.CollectFields(oc, sel, []string{typ}) {
		if f.Name == "__typename" { // written by gqlgen, not resolved
			continue
		}
		resolver := true // root fields: all resolved concurrently
		if child != nil {
			fc, err := child(ctx, f)
			if err != nil {
				// Bad arguments: gqlgen reports them and never resolves
				// the field (nor calls the field interceptors).
				continue
			}
			resolver = fc == nil || fc.IsResolver
		}
		if resolver {
			concurrent = append(concurrent, f)
		} else {
			sync = append(sync, f)
		}
	}
	p = &objectPlan{cont: make(map[string]int64)}
	counter, blocker := &p.eager, ""
	for i, f := range append(sync, concurrent...) {
		*counter++
		if blocker != "" {
			p.cont[blocker] = *counter
		}
		if i < len(sync) && len(f.Selections) > 0 {
			blocker = f.Alias
			var n int64
			counter = &n
			p.cont[blocker] = 0
		}
	}
	t.mu.Lock()
	if t.plans == nil {
		t.plans = make(map[selectionKey]*objectPlan)
	}
	t.plans[key] = p
	t.mu.Unlock()
	return p
}

// countObjects returns how many objects a field's result holds: gqlgen
// resolves the selection once for each (nil pointers are null).
func countObjects(v reflect.Value) int64 {
	switch v.Kind() {
	case reflect.Invalid:
		return 0
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return 0
		}
		return countObjects(v.Elem())
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Struct {
			return int64(v.Len())
		}
		var n int64
		for i := range v.Len() {
			n += countObjects(v.Index(i))
		}
		return n
	default:
		return 1
	}
}

// frame is what a counted request's resolution leaves in the context of
// its resolver and its children: the request's tracker, the scope its
// children belong to, and whether a loader that blocks with this context
// blocks a counted resolver.
type frame struct {
	t        *levelTracker
	s        *scope
	resolver bool
}

type frameKey struct{}

// noFrame is the context value of a loader's fetch: it may queue keys but
// never blocks as a resolver.
var noFrame = &frame{}

func frameOf(ctx context.Context) *frame {
	if f, ok := ctx.Value(frameKey{}).(*frame); ok {
		return f
	}
	if l, ok := ctx.Value(loadersKey{}).(*Loaders); ok && l.tracker.armed.Load() {
		return &frame{t: l.tracker}
	}
	return noFrame
}

// LevelBatching is the gqlgen extension that counts each request's
// outstanding field resolutions, so that its dataloaders call the store as
// soon as a nesting level has asked for all its keys (see levelTracker).
// Install it on the handler whose requests carry Loaders (WithLoaders).
type LevelBatching struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.RootFieldInterceptor
	graphql.FieldInterceptor
} = LevelBatching{}

func (LevelBatching) ExtensionName() string                   { return "pcnet level batching" }
func (LevelBatching) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation arms the request's tracker for queries and mutations.
// A query's root fields all start at once, so they are counted up front;
// a mutation's run one after another, so each is counted as it starts.
// Subscription events are resolved long after, each with fresh loaders:
// they keep the time window.
func (LevelBatching) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	oc := graphql.GetOperationContext(ctx)
	if !ok || oc == nil || oc.Operation == nil {
		return next(ctx)
	}
	if l.tracker.armed.Load() {
		// A second operation with the same loaders (queries sent over one
		// WebSocket): it gets loaders of its own, counted from zero.
		l = NewLoaders(l.store, l.wait)
		ctx = WithLoaders(ctx, l)
	}
	switch oc.Operation.Operation {
	case ast.Query:
		l.tracker.expect(nil, l.tracker.plan(ctx, oc, oc.Operation.SelectionSet, "Query", nil).eager)
	case ast.Mutation:
	default:
		return next(ctx)
	}
	l.tracker.armed.Store(true)
	return next(ctx)
}

// rootField records whether a root field's resolution reached the field
// interceptors: one whose arguments are bad never does.
type rootField struct{ started bool }

type rootFieldKey struct{}

// InterceptRootField finishes a query's root field that gqlgen didn't
// resolve (its arguments were bad): it was counted up front.
func (LevelBatching) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fr := frameOf(ctx)
	oc := graphql.GetOperationContext(ctx)
	if fr.t == nil || oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return next(ctx)
	}
	rf := &rootField{}
	m := next(context.WithValue(ctx, rootFieldKey{}, rf))
	if !rf.started {
		fr.t.finish(nil)
	}
	return m
}

// InterceptField counts one field resolution: it is outstanding until it
// returns (or blocks on a loader), and before it is done the objects of its
// result add the resolutions of their own fields.
func (LevelBatching) InterceptField(ctx context.Context, next graphql.Resolver) (res any, err error) {
	fr := frameOf(ctx)
	t := fr.t
	fc := graphql.GetFieldContext(ctx)
	if t == nil || fc == nil {
		return next(ctx)
	}
	s := fr.s
	switch fc.Object {
	case "Mutation":
		t.expect(s, 1)
	case "Query":
		if rf, ok := ctx.Value(rootFieldKey{}).(*rootField); ok {
			rf.started = true
		}
	}
	hasSubtree := len(fc.Field.Selections) > 0 && fc.Field.Definition != nil
	switch {
	case fc.IsResolver:
		ctx = context.WithValue(ctx, frameKey{}, &frame{t: t, s: s, resolver: true})
	case hasSubtree:
		// The fields behind this one wait for its subtree: open its scope.
		// This resolution moves into it (it is counted in s already).
		inner := &scope{parent: s, cont: t.continuation(ctx, fc)}
		inner.unfinished.Store(1)
		s = inner
		ctx = context.WithValue(ctx, frameKey{}, &frame{t: t, s: s})
	}
	finished := false
	defer func() {
		if !finished { // a panic: gqlgen answers null, resolving no children
			t.finish(s)
		}
	}()
	res, err = next(ctx)
	if err == nil && res != nil && hasSubtree {
		if n := countObjects(reflect.ValueOf(res)); n > 0 {
			p := t.plan(ctx, graphql.GetOperationContext(ctx), fc.Field.Selections, fc.Field.Definition.Type.Name(), fc.Child)
			t.expect(s, n*p.eager)
		}
	}
	finished = true
	t.finish(s)
	return res, err
}

// continuation returns how many fields of its object wait behind fc, a
// field without a resolver that has a subtree.
func (t *levelTracker) continuation(ctx context.Context, fc *graphql.FieldContext) int64 {
	parent := fc.Parent
	for parent != nil && parent.Field.Field == nil { // list elements
		parent = parent.Parent
	}
	if parent == nil || parent.Field.Definition == nil {
		return 0
	}
	p := t.plan(ctx, graphql.GetOperationContext(ctx), parent.Field.Selections, parent.Field.Definition.Type.Name(), parent.Child)
	return p.cont[fc.Field.Alias]
}

// loader batches the loads of keys K made while resolving a request into
// calls of fetch, and caches the answers for the rest of the request. It
// has the API of github.com/vikstrous/dataloadgen's Loader (Load,
// LoadThunk, LoadAll, Prime, ClearAll), and sends its pending batch when
// the request's tracker says the level is complete, or after a time window
// without progress.
type loader[K comparable, V any] struct {
	fetch   func(ctx context.Context, keys []K) ([]V, []error)
	wait    time.Duration
	tracker *levelTracker
	noCache bool

	mu      sync.Mutex
	cache   map[K]*slot[K, V]
	pending *batch[K, V]
}

// slot is the answer for one key: a position in a batch, or a primed value.
type slot[K comparable, V any] struct {
	b     *batch[K, V] // nil when primed
	pos   int
	value V
}

type batch[K comparable, V any] struct {
	keys []K
	ctx  context.Context // the first caller's
	done chan struct{}

	// Set by the fetch, read after done is closed.
	values []V
	errs   []error

	mu        sync.Mutex
	completed bool
	blocked   int64 // counted resolvers waiting for the batch

	timer    *time.Timer
	progress int64 // the tracker's progress when the timer was last set
}

func newLoader[K comparable, V any](t *levelTracker, wait time.Duration, fetch func(ctx context.Context, keys []K) ([]V, []error)) *loader[K, V] {
	l := &loader[K, V]{fetch: fetch, wait: wait, tracker: t, cache: make(map[K]*slot[K, V])}
	t.register(l)
	return l
}

// uncached makes every load ask the store (within a batch, equal keys are
// still asked once): for answers that writes could change and that nothing
// else in a request asks twice.
func (l *loader[K, V]) uncached() *loader[K, V] {
	l.noCache = true
	return l
}

// Load returns the value of key, from the cache or the batch it joins.
func (l *loader[K, V]) Load(ctx context.Context, key K) (V, error) {
	return l.await(ctx, l.enqueue(ctx, key))
}

// LoadThunk queues key and returns a function that waits for its value.
// Queueing keys without waiting (prefetching) makes them part of the
// current level's batch.
func (l *loader[K, V]) LoadThunk(ctx context.Context, key K) func() (V, error) {
	s := l.enqueue(ctx, key)
	return func() (V, error) { return l.await(ctx, s) }
}

// LoadAll loads keys, all in the same batch when none is cached, and
// returns their values in order, or the first error.
func (l *loader[K, V]) LoadAll(ctx context.Context, keys []K) ([]V, error) {
	slots := make([]*slot[K, V], len(keys))
	for i, k := range keys {
		slots[i] = l.enqueue(ctx, k)
	}
	out := make([]V, len(keys))
	for i, s := range slots {
		v, err := l.await(ctx, s)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// Prime caches value for key unless key is already known; it reports
// whether it did.
func (l *loader[K, V]) Prime(key K, value V) bool {
	if l.noCache {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.cache[key]; ok {
		return false
	}
	l.cache[key] = &slot[K, V]{value: value}
	return true
}

// ClearAll forgets every cached answer; loads in flight still get theirs.
func (l *loader[K, V]) ClearAll() {
	l.mu.Lock()
	l.cache = make(map[K]*slot[K, V])
	l.mu.Unlock()
}

func (l *loader[K, V]) enqueue(ctx context.Context, key K) *slot[K, V] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s, ok := l.cache[key]; ok {
		return s
	}
	b := l.pending
	if b == nil {
		b = &batch[K, V]{ctx: ctx, done: make(chan struct{})}
		l.pending = b
		b.progress = l.tracker.progress.Load()
		b.timer = time.AfterFunc(l.window(), func() { l.timeout(b) })
	}
	if l.noCache {
		for i, k := range b.keys {
			if k == key {
				return &slot[K, V]{b: b, pos: i}
			}
		}
	}
	s := &slot[K, V]{b: b, pos: len(b.keys)}
	b.keys = append(b.keys, key)
	if !l.noCache {
		l.cache[key] = s
	}
	return s
}

// stuckFactor stretches the time window of a counted request. There the
// window is only a safety net, for a count that can't reach zero: a
// resolver blocked on something else than a loader (it will return, and
// the count with it) or a shape of query the count gets wrong. Under heavy
// load a request's goroutines can wait several milliseconds for a CPU, so
// a short window would split levels whose count was about to close them.
const stuckFactor = 20

// window is how long a batch waits for its level without progress.
func (l *loader[K, V]) window() time.Duration {
	if l.tracker.armed.Load() {
		return stuckFactor * l.wait
	}
	return l.wait
}

// timeout is the time window: it sends the batch unless the request has
// made progress since the window started (it is busy resolving the level,
// not stuck), in which case the window starts again.
func (l *loader[K, V]) timeout(b *batch[K, V]) {
	l.mu.Lock()
	if l.pending != b {
		l.mu.Unlock()
		return
	}
	if l.tracker.armed.Load() {
		if p := l.tracker.progress.Load(); p != b.progress {
			b.progress = p
			b.timer.Reset(l.window())
			l.mu.Unlock()
			return
		}
	}
	l.pending = nil
	l.mu.Unlock()
	if l.tracker.armed.Load() {
		l.tracker.fallbacks.Add(1)
	}
	l.run(b)
}

// detach implements dispatcher.
func (l *loader[K, V]) detach() func() {
	l.mu.Lock()
	b := l.pending
	l.pending = nil
	l.mu.Unlock()
	if b == nil {
		return nil
	}
	b.timer.Stop()
	return func() { l.send(b, true) } // dispatchAll counted it
}

// run sends b, counting the call as outstanding work: no other batch of
// the request is sent while it runs, since its answer may queue more keys.
func (l *loader[K, V]) run(b *batch[K, V]) {
	armed := l.tracker.armed.Load()
	if armed {
		l.tracker.expect(nil, 1)
	}
	l.send(b, armed)
}

// send calls the store for b in its own goroutine, so the batches of one
// round go out together. counted says the call was counted as outstanding
// work, to be settled when it ends.
func (l *loader[K, V]) send(b *batch[K, V], counted bool) {
	go func() {
		// The fetch may queue follow-up keys (LoadThunk) but never waits
		// as a counted resolver: its context is not one.
		ctx := context.WithValue(b.ctx, frameKey{}, noFrame)
		b.values, b.errs = safeFetch(ctx, l.fetch, b.keys)
		b.mu.Lock()
		b.completed = true
		woken := b.blocked
		b.mu.Unlock()
		if counted {
			// The resolvers it wakes run again; the call itself is done.
			l.tracker.settle(woken - 1)
		}
		close(b.done)
	}()
}

func safeFetch[K, V any](ctx context.Context, fetch func(context.Context, []K) ([]V, []error), keys []K) (values []V, errs []error) {
	defer func() {
		if r := recover(); r != nil {
			values, errs = nil, []error{fmt.Errorf("graph: panic in a dataloader fetch: %v", r)}
		}
	}()
	return fetch(ctx, keys)
}

// await returns the answer of s, waiting for its batch. A counted resolver
// that has to wait stops being outstanding until the batch completes.
func (l *loader[K, V]) await(ctx context.Context, s *slot[K, V]) (V, error) {
	b := s.b
	if b == nil {
		return s.value, nil
	}
	select {
	case <-b.done:
	default:
		if f, ok := ctx.Value(frameKey{}).(*frame); ok && f.resolver && f.t == l.tracker {
			b.mu.Lock()
			if !b.completed {
				b.blocked++
				b.mu.Unlock()
				f.t.block()
			} else {
				b.mu.Unlock()
			}
		}
		<-b.done
	}
	var zero V
	if len(b.errs) == 1 && b.errs[0] != nil {
		return zero, b.errs[0]
	}
	if len(b.values) != len(b.keys) {
		return zero, fmt.Errorf("graph: dataloader fetch returned %d values for %d keys", len(b.values), len(b.keys))
	}
	if len(b.errs) > s.pos && b.errs[s.pos] != nil {
		return zero, b.errs[s.pos]
	}
	return b.values[s.pos], nil
}
