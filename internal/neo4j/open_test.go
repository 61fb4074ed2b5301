package neo4j_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"pcnet/internal/neo4j"
	"pcnet/internal/neo4j/neo4jtest"
)

// closedPort returns a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := new(net.ListenConfig).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// checkConnectError checks that err is a one-line ConnectError of the
// given kind that names the server and user and hides the password.
func checkConnectError(t *testing.T, err error, kind error, uri, user, password, reason string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	var ce *neo4j.ConnectError
	switch {
	case !errors.As(err, &ce):
		t.Errorf("error %T is not a *neo4j.ConnectError: %v", err, err)
	case kind != nil && !errors.Is(err, kind):
		t.Errorf("error is not %v: %v", kind, err)
	case strings.Contains(msg, "\n"):
		t.Errorf("error spans lines: %q", msg)
	case !strings.Contains(msg, uri):
		t.Errorf("error doesn't name %s: %q", uri, msg)
	case !strings.Contains(msg, `"`+user+`"`):
		t.Errorf("error doesn't name user %q: %q", user, msg)
	case strings.Contains(msg, password):
		t.Errorf("error shows the password: %q", msg)
	case !strings.Contains(msg, reason):
		t.Errorf("error doesn't say %q: %q", reason, msg)
	}
}

func TestOpenUnreachable(t *testing.T) {
	addr := closedPort(t)
	tests := []struct {
		name, uri, shown string
	}{
		{"bolt", "bolt://" + addr, "bolt://" + addr},
		{"routing", "neo4j://" + addr, "neo4j://" + addr},
		// A password in the URI itself must not show either.
		{"user info in URI", "bolt://neo4j:s3cret-in-uri@" + addr, "bolt://" + addr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := neo4j.Open(context.Background(), neo4j.Config{
				URI: tt.uri, Username: "neo4j", Password: "pw-that-must-not-show", ConnectTimeout: 5 * time.Second,
			})
			checkConnectError(t, err, neo4j.ErrUnreachable, tt.shown, "neo4j", "pw-that-must-not-show", "server unreachable (connection refused)")
			if err != nil && strings.Contains(err.Error(), "s3cret-in-uri") {
				t.Errorf("error shows the URI's password: %v", err)
			}
		})
	}
}

func TestOpenBadURI(t *testing.T) {
	for _, uri := range []string{"", "http://127.0.0.1:7474", "bolt://us er:p%zzw@host"} {
		_, err := neo4j.Open(context.Background(), neo4j.Config{URI: uri, Username: "neo4j", Password: "p%zzw"})
		if err == nil {
			t.Errorf("Open(%q): no error", uri)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || strings.Contains(msg, "p%zzw") || !strings.HasPrefix(msg, "cannot connect to Neo4j") {
			t.Errorf("Open(%q): %q", uri, msg)
		}
	}
}

func TestOpenWrongPassword(t *testing.T) {
	cfg := neo4jtest.Config(t)
	cfg.Password += "-wrong"
	_, err := neo4j.Open(context.Background(), cfg)
	checkConnectError(t, err, neo4j.ErrAuthentication, neo4j.RedactURI(cfg.URI), cfg.Username, cfg.Password, "authentication failed")
}

func TestOpenUnknownDatabase(t *testing.T) {
	cfg := neo4jtest.Config(t)
	cfg.Database = "no-such-database"
	_, err := neo4j.Open(context.Background(), cfg)
	checkConnectError(t, err, nil, neo4j.RedactURI(cfg.URI), cfg.Username, cfg.Password, `database "no-such-database" does not exist`)
}

// TestOpenNoAnswer connects to a port that accepts connections and never
// answers: Open gives up after its timeout.
func TestOpenNoAnswer(t *testing.T) {
	l, err := new(net.ListenConfig).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	defer func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	uri := "bolt://" + l.Addr().String()
	// The message proves the 1s timeout ended the wait; its wall-clock
	// duration is not asserted, which a busy machine would make flaky.
	_, err = neo4j.Open(context.Background(), neo4j.Config{URI: uri, Username: "neo4j", Password: "secret-pw", ConnectTimeout: time.Second})
	checkConnectError(t, err, neo4j.ErrUnreachable, uri, "neo4j", "secret-pw", "no answer within 1s")
}
