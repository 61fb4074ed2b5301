package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"pcnet/graph"
	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

// Every operation on every transport runs within the request timeout, and
// its store call is cancelled at the deadline: a POST asking for
// server-sent events (no such transport: the POST one runs it) and a query
// over WebSocket used to run with no deadline at all.
func TestEveryTransportHasTheDeadline(t *testing.T) {
	_, store := loadShipped(t)
	const timeout = 200 * time.Millisecond
	// guard only fails a hung test; the deadline itself is 200ms.
	const guard = 20 * time.Second
	tests := []struct {
		name string
		run  func(t *testing.T, env *writeEnv) ([]gqlError, error)
	}{
		{"POST accepting text/event-stream", func(t *testing.T, env *writeEnv) ([]gqlError, error) {
			body := query(t, `{ regions { code } }`, nil)
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, env.ts.URL+server.GraphQLPath, strings.NewReader(body))
			if err != nil {
				return nil, err
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "text/event-stream")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			var out gqlResponse
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				return nil, err
			}
			return out.Errors, nil
		}},
		{"query over websocket", func(t *testing.T, env *writeEnv) ([]gqlError, error) {
			c, err := dialWS(t, env, nil, nil)
			if err != nil {
				return nil, err
			}
			payload, _ := json.Marshal(map[string]any{"query": `{ regions { code } }`})
			b, _ := json.Marshal(wsMessage{ID: "1", Type: "subscribe", Payload: payload})
			if err := c.conn.Write(context.Background(), websocket.MessageText, b); err != nil {
				return nil, err
			}
			m, err := c.read()
			if err != nil {
				return nil, err
			}
			var p struct{ Errors []gqlError }
			switch m.Type {
			case "next":
				_ = json.Unmarshal(m.Payload, &p)
			case "error":
				_ = json.Unmarshal(m.Payload, &p.Errors)
			}
			if len(p.Errors) == 0 {
				return nil, fmt.Errorf("got %s %s, want an error", m.Type, m.Payload)
			}
			return p.Errors, nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slow := &stuckStore{Backend: store, seen: make(chan error, 1), release: make(chan struct{})}
			env := newWriteEnvOver(t, nil, slow, server.Options{Limits: server.Limits{Timeout: timeout}})
			t.Cleanup(func() { close(slow.release) }) // before the server closes: it waits for its handlers
			type result struct {
				errs []gqlError
				err  error
			}
			done := make(chan result, 1)
			go func() {
				errs, err := tt.run(t, env)
				done <- result{errs, err}
			}()
			var errs []gqlError
			select {
			case r := <-done:
				if r.err != nil {
					t.Fatal(r.err)
				}
				errs = r.errs
			case <-time.After(guard):
				t.Fatal("no answer: the operation ran without a deadline")
			}
			if len(errs) != 1 || errs[0].Extensions["code"] != server.ETimeout {
				t.Errorf("errors %+v, want one timeout error", errs)
			}
			select {
			case err := <-slow.seen:
				if err == nil {
					t.Error("the store's context was never cancelled")
				}
			case <-time.After(guard):
				t.Error("the store call was never cancelled")
			}
		})
	}
}

// stuckStore's Regions waits for its context to end, and reports why; a
// test that fails releases it at its end, so that the server can close.
type stuckStore struct {
	graph.Backend
	seen    chan error
	release chan struct{}
}

func (s *stuckStore) Regions(ctx context.Context, codes []string) ([]pcnet.Region, error) {
	select {
	case <-ctx.Done():
		s.seen <- ctx.Err()
	case <-s.release:
		s.seen <- nil
	}
	return nil, errors.New("ConnectivityError: context deadline exceeded")
}
