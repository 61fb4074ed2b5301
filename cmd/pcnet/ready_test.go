package main

import (
	"context"
	"testing"
	"time"
)

// liveness bounds the waits for something that must happen (a server ready,
// a recovery, a shutdown): only a broken build reaches it, a slow machine
// does not. Nothing in these tests asserts how fast it happens.
const liveness = 3 * time.Minute

// waitReady waits until serve's log says "ready" and returns the address it
// listens on; it fails the test if serve returns first or never gets ready.
func waitReady(t *testing.T, done <-chan error, cancel context.CancelFunc, logs func() string) string {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	never := time.After(liveness)
	for {
		if m := readyRE.FindStringSubmatch(logs()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve returned before ready: %v\n%s", err, logs())
		case <-never:
			cancel()
			t.Fatalf("not ready after %v:\n%s", liveness, logs())
		case <-tick.C:
		}
	}
}
