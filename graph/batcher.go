package graph

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Batching: one store call per loader per level, planned from the query.
//
// A dataloader must know when a level has asked for all its keys. A time
// window guesses (and splits a level when a busy machine stretches it);
// counting outstanding resolutions knows only as long as the count is
// exact under every interleaving. Instead, the level is planned from the
// selection set, so that no resolver ever waits for its siblings.
//
// When a field that starts a subtree resolves (a root field, or any field
// the plan did not reach), the planner walks its selection level by level
// before gqlgen resolves any of it. For a level it calls each resolver of
// the level, for every object of the level, in planning mode: there a
// loader queues the keys it is asked for and answers errPlanned instead of
// waiting. Then it sends every loader's batch (one store call each, all at
// once) and calls the resolvers again: the answers are cached now, and
// their results are the objects of the next level. A resolver that needs
// two loads in turn (a sector check, then its own query) just takes one
// more round. Fields bound to Go struct fields (a connection's edges) are
// read directly. When the walk is done, gqlgen resolves the subtree and
// every load is answered from the cache: the number of store calls is a
// property of the query and the data, not of scheduling.
//
// The resolvers are called through plan_gen.go, derived from generated.go,
// so the planner asks for exactly the keys gqlgen's resolution will.
//
// A query's root fields resolve one after another in document order (as
// a mutation's do), so each root field's plan sees what the earlier ones
// cached, whatever the scheduling. Loads the plan did not foresee are sent
// on demand (counted as misses; the tests require none for every example).
// Without the LevelBatching extension (subscription events), loaders fall
// back to a time window.

// errPlanned is a planning-mode load's answer: the key is queued, its value
// comes with the next round.
var errPlanned = errors.New("graph: load queued by the level planner")

// planningKey marks a context as a planning-mode resolution.
type planningKey struct{}

func planning(ctx context.Context) bool { return ctx.Value(planningKey{}) != nil }

// maxRounds bounds a walk's rounds: each round answers at least one load
// of every resolver still waiting, so only a resolver loading without end
// could reach it.
const maxRounds = 64

// levelTracker is a request's batching state: its loaders, the fields the
// planner reached, and the order of the query's root fields.
type levelTracker struct {
	// armed is set when LevelBatching plans this request's operation;
	// until then the loaders use their time window.
	armed atomic.Bool
	// misses counts the batches a resolver below the root had to send
	// itself: loads the plan did not foresee.
	misses atomic.Int64
	// fallbacks counts batches sent by the time window of an armed
	// request (there should be none).
	fallbacks atomic.Int64

	// rootPlan plans the planned root fields, once, in the context of the
	// first root field to start (its deadline and its trace).
	rootPlan sync.Once

	mu      sync.Mutex
	loaders []dispatcher
	covered map[*ast.Field]struct{}
	turns   map[string]turn
}

// turn is a root field's place in document order: it starts once prev is
// closed and closes done when it is finished.
type turn struct{ prev, done chan struct{} }

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

// flush sends every pending batch, all at once, and waits for them.
func (t *levelTracker) flush() {
	t.mu.Lock()
	loaders := t.loaders
	t.mu.Unlock()
	var sends []func()
	for _, l := range loaders {
		if send := l.detach(); send != nil {
			sends = append(sends, send)
		}
	}
	switch len(sends) {
	case 0:
	case 1:
		sends[0]()
	default:
		var wg sync.WaitGroup
		for _, send := range sends[1:] {
			wg.Go(send)
		}
		sends[0]()
		wg.Wait()
	}
}

func (t *levelTracker) cover(f *ast.Field) {
	t.mu.Lock()
	if t.covered == nil {
		t.covered = make(map[*ast.Field]struct{})
	}
	t.covered[f] = struct{}{}
	t.mu.Unlock()
}

func (t *levelTracker) isCovered(f *ast.Field) bool {
	t.mu.Lock()
	_, ok := t.covered[f]
	t.mu.Unlock()
	return ok
}

// task is one resolver call of a level: field fc of obj, with ctx carrying
// fc as gqlgen's would.
type task struct {
	ctx context.Context
	fc  *graphql.FieldContext
	obj any
}

// walker plans one subtree.
type walker struct {
	t       *levelTracker
	r       ResolverRoot
	oc      *graphql.OperationContext
	quiet   context.Context // for FieldContext.Child: argument errors go nowhere
	pending []task
}

func (t *levelTracker) newWalker(ctx context.Context, r ResolverRoot) *walker {
	return &walker{
		t:  t,
		r:  r,
		oc: graphql.GetOperationContext(ctx),
		// Making a field's context parses its arguments and reports their
		// errors: into a response of its own here, which nobody reads
		// (gqlgen reports them when it resolves the field).
		quiet: graphql.WithResponseContext(ctx, graphql.DefaultErrorPresenter, graphql.DefaultRecover),
	}
}

// walk plans the subtree of fc, whose resolved value is res: see above.
func (t *levelTracker) walk(ctx context.Context, r ResolverRoot, fc *graphql.FieldContext, res any) {
	w := t.newWalker(ctx, r)
	w.expand(context.WithValue(ctx, planningKey{}, true), fc, res)
	w.run()
}

// plannedRoots are the Query fields whose resolvers read only through the
// loaders, so the planner can run them ahead of gqlgen; the others call
// the store directly (running them twice would call it twice), and their
// subtrees are planned when they resolve, in their turn.
var plannedRoots = map[string]bool{
	"regions": true, "region": true, "provinces": true, "province": true, "provinceByPlate": true,
	"comune": true, "comuni": true, "services": true, "service": true,
	"sectors": true, "sector": true, "area": true,
	"reach": true, "rolloutTimeline": true, "coverageGaps": true,
}

// plannedRoot reports whether the planner runs root field f ahead.
func plannedRoot(f graphql.CollectedField) bool {
	return plannedRoots[f.Name] && !hasDirectives(f)
}

// planRoot plans the query's planned root fields, with their subtrees,
// before any root field resolves.
func (t *levelTracker) planRoot(ctx context.Context, es *executableSchema, oc *graphql.OperationContext) {
	w := t.newWalker(ctx, es.Resolvers)
	ec := newExecutionContext(oc, es, nil)
	pctx := graphql.WithFieldContext(context.WithValue(ctx, planningKey{}, true), &graphql.FieldContext{Object: "Query"})
	for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"}) {
		if !plannedRoot(f) {
			continue
		}
		fc, err := ec.queryFieldContext(w.quiet, f)
		if err != nil || fc == nil {
			continue // bad arguments: gqlgen reports them, resolving nothing
		}
		t.cover(f.Field)
		w.pending = append(w.pending, task{graphql.WithFieldContext(pctx, fc), fc, nil})
	}
	w.run()
}

// hasDirectives reports whether the schema puts a directive on the field
// (@hasRole): the planner doesn't run those resolvers ahead.
func hasDirectives(f graphql.CollectedField) bool {
	return f.Definition != nil && len(f.Definition.Directives) > 0
}

// run resolves the queued tasks round by round. A round runs every task
// it can, and the tasks of the fields below those that resolve, until each
// left waits for a queued key; then it sends the round's batches together.
// So a batch holds every key that can be known before it is sent. The
// results of one field are expanded together: one CollectFields and one
// child context per field, not per object.
func (w *walker) run() {
	for round := 0; len(w.pending) > 0 && round < maxRounds; round++ {
		var retry []task
		for len(w.pending) > 0 {
			tasks := w.pending
			w.pending = nil
			type group struct {
				ctx    context.Context
				values []any
			}
			var order []*graphql.FieldContext
			groups := make(map[*graphql.FieldContext]*group)
			for _, tk := range tasks {
				res, err := w.resolve(tk)
				switch {
				case errors.Is(err, errPlanned):
					retry = append(retry, tk)
				case err == nil && res != nil:
					g, ok := groups[tk.fc]
					if !ok {
						g = &group{ctx: tk.ctx}
						groups[tk.fc] = g
						order = append(order, tk.fc)
					}
					g.values = append(g.values, res)
				}
			}
			for _, fc := range order {
				g := groups[fc]
				w.expand(g.ctx, fc, g.values)
			}
		}
		w.t.flush()
		w.pending = retry
	}
}

// resolve calls a task's resolver; a panic (a resolver bug gqlgen will
// report when it resolves the field) just ends the task.
func (w *walker) resolve(tk task) (res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("graph: planning %s.%s: %v", tk.fc.Object, tk.fc.Field.Name, p)
		}
	}()
	res, err, ok := resolveFor(tk.ctx, w.r, tk.fc, tk.obj)
	if !ok {
		return nil, errors.New("graph: no resolver")
	}
	return res, err
}

// expand queues the resolver calls of the fields selected below fc for the
// objects of value, reading the fields bound to Go struct fields at once.
func (w *walker) expand(ctx context.Context, fc *graphql.FieldContext, value any) {
	if fc == nil || fc.Field.Field == nil || len(fc.Field.Selections) == 0 || fc.Field.Definition == nil || fc.Child == nil {
		return
	}
	objs := objects(reflect.ValueOf(value), nil)
	if len(objs) == 0 {
		return
	}
	typ := fc.Field.Definition.Type.Name()
	for _, f := range graphql.CollectFields(w.oc, fc.Field.Selections, []string{typ}) {
		if strings.HasPrefix(f.Name, "__") || hasDirectives(f) {
			continue
		}
		cfc, err := fc.Child(w.quiet, f)
		if err != nil || cfc == nil {
			continue // bad arguments: gqlgen never resolves the field
		}
		cctx := graphql.WithFieldContext(ctx, cfc)
		if cfc.IsResolver {
			w.t.cover(f.Field)
			for _, o := range objs {
				w.pending = append(w.pending, task{cctx, cfc, o})
			}
			continue
		}
		if len(f.Selections) == 0 {
			continue
		}
		values := make([]any, 0, len(objs))
		for _, o := range objs {
			v, ok := structField(o, f.Name)
			if !ok {
				values = nil // a method: its subtree is planned when it resolves
				break
			}
			values = append(values, v)
		}
		if values == nil {
			continue
		}
		w.t.cover(f.Field)
		for _, v := range values {
			w.expand(cctx, cfc, v)
		}
	}
}

// objects returns the objects gqlgen resolves a selection on for a field's
// value: pointers to the elements of a list, the value of a pointer.
func objects(v reflect.Value, out []any) []any {
	switch v.Kind() {
	case reflect.Invalid:
	case reflect.Interface:
		if !v.IsNil() {
			out = objects(v.Elem(), out)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			if v.Elem().Kind() == reflect.Struct {
				out = append(out, v.Interface())
			} else {
				out = objects(v.Elem(), out)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			e := v.Index(i)
			if e.Kind() == reflect.Struct && e.CanAddr() {
				out = append(out, e.Addr().Interface())
			} else {
				out = objects(e, out)
			}
		}
	case reflect.Struct:
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		out = append(out, p.Interface())
	}
	return out
}

// structField reads the Go struct field gqlgen binds GraphQL field name to
// (same name but for case, promoted fields included).
func structField(obj any, name string) (any, bool) {
	v := reflect.ValueOf(obj)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, false
	}
	f := v.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, name) })
	if !f.IsValid() || !f.CanInterface() {
		return nil, false
	}
	if f.Kind() == reflect.Struct {
		return f.Addr().Interface(), true
	}
	return f.Interface(), true
}

// LevelBatching is the gqlgen extension that plans each request's levels
// so that its dataloaders call the store once per level (see the top of
// this file). Install it on the handler whose requests carry Loaders
// (WithLoaders), with Schema the handler's schema (NewSchema): the planner
// runs its resolvers ahead of gqlgen.
type LevelBatching struct {
	Schema graphql.ExecutableSchema
}

func (b LevelBatching) schema() *executableSchema {
	es, _ := b.Schema.(*executableSchema)
	return es
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.RootFieldInterceptor
	graphql.FieldInterceptor
} = LevelBatching{}

func (LevelBatching) ExtensionName() string                   { return "pcnet level batching" }
func (LevelBatching) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation arms the request's tracker for queries and mutations,
// and puts a query's root fields in document order. Subscription events
// are resolved long after, each with fresh loaders: they keep the window.
func (b LevelBatching) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	oc := graphql.GetOperationContext(ctx)
	if !ok || oc == nil || oc.Operation == nil {
		return next(ctx)
	}
	if l.tracker.armed.Load() {
		// A second operation with the same loaders (queries sent over one
		// WebSocket): it gets loaders of its own.
		l = NewLoaders(l.store, l.wait)
		ctx = WithLoaders(ctx, l)
	}
	switch oc.Operation.Operation {
	case ast.Query:
		// gqlgen runs __type and __schema inline, before the others start:
		// they take no turn; nor do the planned ones, all cached by the
		// time any root field resolves.
		turns := make(map[string]turn)
		prev := make(chan struct{})
		close(prev)
		for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"}) {
			if strings.HasPrefix(f.Name, "__") || (b.schema() != nil && plannedRoot(f)) {
				continue
			}
			done := make(chan struct{})
			turns[f.Alias] = turn{prev: prev, done: done}
			prev = done
		}
		l.tracker.turns = turns
	case ast.Mutation: // gqlgen runs a mutation's root fields in turn
	default:
		return next(ctx)
	}
	l.tracker.armed.Store(true)
	return next(ctx)
}

// InterceptRootField plans the planned root fields before the first root
// field resolves, then runs the others each in its turn.
func (b LevelBatching) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	rf := graphql.GetRootFieldContext(ctx)
	oc := graphql.GetOperationContext(ctx)
	if !ok || rf == nil || oc == nil || oc.Operation == nil || !l.tracker.armed.Load() {
		return next(ctx)
	}
	if es := b.schema(); es != nil && oc.Operation.Operation == ast.Query {
		l.tracker.rootPlan.Do(func() { l.tracker.planRoot(ctx, es, oc) })
	}
	tn, ok := l.tracker.turns[rf.Field.Alias]
	if !ok {
		return next(ctx)
	}
	defer close(tn.done)
	select {
	case <-tn.prev:
	case <-ctx.Done():
	}
	return next(ctx)
}

// InterceptField plans the subtree of a field the plan has not reached
// (a root field, or one below a field it could not read), once the field's
// value is known and before gqlgen resolves anything below it.
func (b LevelBatching) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	es := b.schema()
	if err != nil || res == nil || es == nil {
		return res, err
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || len(fc.Field.Selections) == 0 {
		return res, err
	}
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	if !ok || !l.tracker.armed.Load() || l.tracker.isCovered(fc.Field.Field) {
		return res, err
	}
	l.tracker.walk(ctx, es.Resolvers, fc, res)
	return res, err
}

// loader batches the loads of keys K made while resolving a request into
// calls of fetch, and caches the answers for the rest of the request. It
// has the API of github.com/vikstrous/dataloadgen's Loader (Load,
// LoadThunk, LoadAll, Prime, ClearAll); its batches go to the store when
// the planner flushes a level, when a resolver needs one the plan did not
// send, or (for requests the planner does not see) after a time window.
type loader[K comparable, V any] struct {
	fetch   func(ctx context.Context, keys []K) ([]V, []error)
	wait    time.Duration
	tracker *levelTracker

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

	timer *time.Timer // the time window, for requests not planned
}

func newLoader[K comparable, V any](t *levelTracker, wait time.Duration, fetch func(ctx context.Context, keys []K) ([]V, []error)) *loader[K, V] {
	l := &loader[K, V]{fetch: fetch, wait: wait, tracker: t, cache: make(map[K]*slot[K, V])}
	t.register(l)
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
		if !l.tracker.armed.Load() {
			b.timer = time.AfterFunc(l.wait, func() { l.timeout(b) })
		}
	}
	s := &slot[K, V]{b: b, pos: len(b.keys)}
	b.keys = append(b.keys, key)
	l.cache[key] = s
	return s
}

// take detaches b if it is still the pending batch.
func (l *loader[K, V]) take(b *batch[K, V]) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending != b {
		return false
	}
	l.pending = nil
	if b.timer != nil {
		b.timer.Stop()
	}
	return true
}

// timeout is the time window of a request the planner does not see.
func (l *loader[K, V]) timeout(b *batch[K, V]) {
	if l.take(b) {
		if l.tracker.armed.Load() {
			l.tracker.fallbacks.Add(1)
		}
		l.send(b)
	}
}

// detach implements dispatcher.
func (l *loader[K, V]) detach() func() {
	l.mu.Lock()
	b := l.pending
	l.mu.Unlock()
	if b == nil || !l.take(b) {
		return nil
	}
	return func() { l.send(b) }
}

// send calls the store for b and publishes the answer.
func (l *loader[K, V]) send(b *batch[K, V]) {
	b.values, b.errs = safeFetch(b.ctx, l.fetch, b.keys)
	close(b.done)
}

func safeFetch[K, V any](ctx context.Context, fetch func(context.Context, []K) ([]V, []error), keys []K) (values []V, errs []error) {
	defer func() {
		if r := recover(); r != nil {
			values, errs = nil, []error{fmt.Errorf("graph: panic in a dataloader fetch: %v", r)}
		}
	}()
	return fetch(ctx, keys)
}

// await returns the answer of s. In planning mode a key whose batch is not
// sent yet answers errPlanned; otherwise a planned request sends such a
// batch at once (the plan missed it), and others wait for the window.
func (l *loader[K, V]) await(ctx context.Context, s *slot[K, V]) (V, error) {
	var zero V
	b := s.b
	if b == nil {
		return s.value, nil
	}
	select {
	case <-b.done:
	default:
		if planning(ctx) {
			l.mu.Lock()
			pending := l.pending == b
			l.mu.Unlock()
			if pending {
				return zero, errPlanned
			}
		} else if l.tracker.armed.Load() && l.take(b) {
			if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Object != "Query" && fc.Object != "Mutation" {
				l.tracker.misses.Add(1)
			}
			l.send(b)
		}
		<-b.done
	}
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
