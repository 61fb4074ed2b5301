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
	if r.Writer != nil {
		// Live updates come from the audit trail, which only a writable
		// store keeps; the poller runs only while someone subscribes.
		r.Feed = r.NewFeed(opts.EventPollInterval, opts.Logger)
	}
	return r
}
