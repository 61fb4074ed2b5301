package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"pcnet/graph"
	"pcnet/internal/server"
)

// One connection can't take every subscription slot: past
// MaxSubscriptionsPerConnection its subscribe gets a limit_exceeded error,
// while another connection still subscribes.
func TestSubscriptionsPerConnectionAreCapped(t *testing.T) {
	const max = 3
	broker := graph.NewCoverageBroker(0, 0)
	env := newWriteEnv(t, server.Options{Events: broker, Limits: server.Limits{MaxSubscriptionsPerConnection: max}})
	greedy, err := dialWS(t, env, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range max {
		greedy.subscribe(fmt.Sprint(i), coverageChangedQ, nil)
		waitSubscribers(t, broker, i+1)
	}
	greedy.subscribe("over", coverageChangedQ, nil)
	m, err := greedy.read()
	if err != nil {
		t.Fatal(err)
	}
	var errs []gqlError
	switch m.Type {
	case "next":
		var p struct{ Errors []gqlError }
		_ = json.Unmarshal(m.Payload, &p)
		errs = p.Errors
	case "error":
		_ = json.Unmarshal(m.Payload, &errs)
	}
	if m.ID != "over" || len(errs) != 1 || errs[0].Extensions["code"] != server.ELimitExceeded ||
		errs[0].Extensions["limit"] != server.LimitSubscriptions {
		t.Errorf("got %s %s %s, want a %s error for subscription over", m.Type, m.ID, m.Payload, server.LimitSubscriptions)
	}
	if n := broker.Subscribers(); n != max {
		t.Errorf("%d subscribers, want %d", n, max)
	}

	other, err := dialWS(t, env, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	other.subscribe("mine", coverageChangedQ, nil)
	waitSubscribers(t, broker, max+1)
}

// One client address can't open every connection: past
// MaxConnectionsPerAddress its WebSocket upgrade gets 429.
func TestConnectionsPerAddressAreCapped(t *testing.T) {
	const max = 2
	env := newWriteEnv(t, server.Options{Limits: server.Limits{MaxConnectionsPerAddress: max}})
	for range max {
		if _, err := dialWS(t, env, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, err := dialWS(t, env, nil, nil)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprint(http.StatusTooManyRequests)) {
		t.Errorf("connection %d: %v, want status 429", max+1, err)
	}
	// Plain HTTP requests from the same address still work.
	if resp, status := env.do("", `{ regions { code } }`, nil); status != http.StatusOK || len(resp.Errors) > 0 {
		t.Errorf("HTTP read: %d %+v", status, resp)
	}
}
