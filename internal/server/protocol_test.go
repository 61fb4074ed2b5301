package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

// Malformed requests get a short, coded error with the status the
// GraphQL-over-HTTP spec asks, never an echo of what was sent.
func TestMalformedRequests(t *testing.T) {
	_, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	huge := strings.Repeat("a", 100_000)
	tests := []struct {
		name    string
		body    string
		headers map[string]string
		status  int
		code    string
	}{
		{"invalid UTF-8", "{\"query\": \"{ comune(istat: \\\"\xff\xfe\\\") { code } }\"}", nil, http.StatusBadRequest, pcnet.EINVALID},
		{"malformed JSON", `{"query": "` + huge, nil, http.StatusBadRequest, pcnet.EINVALID},
		{"misspelt query", `{"qurey": "{ regions { code } }"}`, nil, http.StatusBadRequest, pcnet.EINVALID},
		{"validation failure, JSON accepted", `{"query": "{ nope }"}`, map[string]string{"Accept": "application/json"}, http.StatusOK, "GRAPHQL_VALIDATION_FAILED"},
		{"syntax error, JSON accepted", `{"query": "{ regions { "}`, map[string]string{"Accept": "application/json"}, http.StatusOK, "GRAPHQL_PARSE_FAILED"},
		{"validation failure, graphql-response accepted", `{"query": "{ nope }"}`, map[string]string{"Accept": "application/graphql-response+json"}, http.StatusBadRequest, "GRAPHQL_VALIDATION_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, ts, tt.body, tt.headers)
			if r.status != tt.status {
				t.Errorf("status %d, want %d (%.300s)", r.status, tt.status, r.body)
			}
			if len(r.gql.Errors) != 1 || r.gql.Errors[0].Extensions["code"] != tt.code {
				t.Errorf("%.300s, want one error with code %s", r.body, tt.code)
			}
			if len(r.body) > 1024 {
				t.Errorf("answer of %d bytes: the request is echoed", len(r.body))
			}
		})
	}
}

// graphql-transport-ws's close codes: 4401 for a subscribe before
// connection_init, 4408 when connection_init doesn't come in time.
func TestWebsocketCloseCodes(t *testing.T) {
	env := newWriteEnv(t, server.Options{WebsocketInitTimeout: 100 * time.Millisecond})
	dial := func() *websocket.Conn {
		ctx, cancel := context.WithTimeout(context.Background(), wsTimeout)
		defer cancel()
		url := "ws" + strings.TrimPrefix(env.ts.URL, "http") + server.GraphQLPath
		conn, _, err := websocket.Dial(ctx, url, //nolint:bodyclose // websocket.Dial: "You never need to close resp.Body yourself"
			&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.CloseNow() }) // the test is over; a failed close changes nothing
		return conn
	}
	readUntilClosed := func(conn *websocket.Conn) error {
		ctx, cancel := context.WithTimeout(context.Background(), wsTimeout)
		defer cancel()
		for {
			if _, _, err := conn.Read(ctx); err != nil {
				return err
			}
		}
	}

	conn := dial()
	c := &wsClient{t: t, conn: conn}
	c.subscribe("1", `subscription { coverageChanged { action } }`, nil)
	if err := readUntilClosed(conn); websocket.CloseStatus(err) != 4401 {
		t.Errorf("subscribe before init: %v, want close 4401", err)
	}

	conn = dial() // and send nothing
	if err := readUntilClosed(conn); websocket.CloseStatus(err) != 4408 {
		t.Errorf("no init: %v, want close 4408", err)
	}
}
