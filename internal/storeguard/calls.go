package storeguard

import (
	"context"
	"sync/atomic"
)

type callsKey struct{}

// CountCalls returns a context under which every store call through the
// decorator is counted, and the count (read it after the request's
// resolvers have returned). The HTTP layer sends it in a response header
// for `pcnet bench`.
func CountCalls(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, callsKey{}, n), n
}

// noteStoreCall counts a store call against the request of ctx, when its
// calls are counted (every call goes through the decorator's call).
func noteStoreCall(ctx context.Context) {
	if n, ok := ctx.Value(callsKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}
