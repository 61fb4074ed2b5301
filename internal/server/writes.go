package server

import (
	"pcnet/graph"
	"pcnet/internal/pcnet"
)

// newResolver returns the root resolver over store. A store that also
// implements pcnet.Writer takes mutations; any other answers them "this
// store is read-only".
func newResolver(store graph.Backend, opts Options) *graph.Resolver {
	r := &graph.Resolver{Store: store, Today: opts.Today, Events: opts.Events}
	if w, ok := store.(pcnet.Writer); ok {
		r.Writer = w
	}
	if r.Events == nil {
		r.Events = graph.NewCoverageBroker(0, 0)
	}
	return r
}
