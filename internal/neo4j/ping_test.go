package neo4j_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"pcnet/internal/neo4j"
	"pcnet/internal/neo4j/neo4jtest"
)

func TestPing(t *testing.T) {
	s := neo4jtest.Open(t)
	if err := s.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

// A store made while the server is down pings as unreachable, at once,
// with a one-line error that never shows the password.
func TestDialAndPingUnreachable(t *testing.T) {
	addr := closedPort(t)
	s, err := neo4j.Dial(neo4j.Config{URI: "bolt://" + addr, Password: "dial-pw-must-not-show"})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer s.Close(context.Background())
	// How long it takes is not asserted (a busy machine would make it flaky):
	// a closed port refuses at once, and a hang fails at go test's -timeout.
	err = s.Ping(context.Background())
	checkConnectError(t, err, neo4j.ErrUnreachable, "bolt://"+addr, "neo4j", "dial-pw-must-not-show", "server unreachable")
	if !neo4j.IsUnavailable(err) || !s.IsUnavailable(err) {
		t.Errorf("IsUnavailable(%v) = false", err)
	}
	// Queries fail as unavailable too, within the retry time given.
	s2, _ := neo4j.Dial(neo4j.Config{URI: "bolt://" + addr, MaxRetryTime: time.Second})
	defer s2.Close(context.Background())
	_, err = s2.Regions(context.Background(), nil)
	if !neo4j.IsUnavailable(err) {
		t.Errorf("query on a server that is down: %v, want an outage", err)
	}
}

func TestPingWrongPassword(t *testing.T) {
	cfg := neo4jtest.Config(t)
	cfg.Password += "-wrong"
	s, err := neo4j.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	err = s.Ping(context.Background())
	checkConnectError(t, err, neo4j.ErrAuthentication, neo4j.RedactURI(cfg.URI), cfg.Username, cfg.Password, "authentication failed")
}

// A query whose context ends is cancelled: the caller gets its error, and
// the server stops running it (it leaves SHOW
// TRANSACTIONS) rather than finishing work no one will read.
func TestSlowQueryIsCancelled(t *testing.T) {
	s := neo4jtest.Open(t)
	cfg := neo4jtest.Config(t)
	driver, err := neo4jdrv.NewDriverWithContext(cfg.URI, neo4jdrv.BasicAuth(cfg.Username, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(context.Background())
	marker := fmt.Sprintf("pcnet-cancel-test-%d", time.Now().UnixNano())
	running := func() bool {
		res, err := neo4jdrv.ExecuteQuery(context.Background(), driver,
			"SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery CONTAINS $marker AND NOT currentQuery CONTAINS 'SHOW' RETURN count(*) AS n",
			map[string]any{"marker": marker}, neo4jdrv.EagerResultTransformer, neo4jdrv.ExecuteQueryWithDatabase(cfg.Database))
		if err != nil {
			t.Fatalf("SHOW TRANSACTIONS: %v", err)
		}
		n, _ := res.Records[0].Values[0].(int64)
		return n > 0
	}

	// Cancelled by hand once the server runs it, rather than by a short
	// deadline: on a busy machine a deadline could pass before the server
	// even starts the query. A deadline ends a context the same way. Waits
	// are bounded by liveness only; nothing here is timed.
	const liveness = 2 * time.Minute
	slow := "/* " + marker + " */ UNWIND range(1, 20000000000) AS x WITH x WHERE x < 0 RETURN count(x)"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.ReadForTest(ctx, slow) }()

	// The query runs on the server (which also shows running() sees it)...
	for start := time.Now(); !running(); time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("a query of 20 billion rows ended before it was cancelled: %v", err)
		default:
		}
		if time.Since(start) > liveness {
			t.Fatal("never saw the query running on the server")
		}
	}
	// ...until its context ends, when the caller gets an error...
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a cancelled query of 20 billion rows succeeded")
		}
	case <-time.After(liveness):
		t.Fatalf("the query didn't return within %v of its cancellation", liveness)
	}
	// ...and the server stops running it.
	for start := time.Now(); running(); time.Sleep(100 * time.Millisecond) {
		if time.Since(start) > liveness {
			t.Fatalf("the server still runs the query %v after its caller gave up", liveness)
		}
	}
}

func TestIsUnavailable(t *testing.T) {
	conn := &neo4jdrv.ConnectivityError{Inner: errors.New("dial tcp 127.0.0.1:7687: connect: connection refused")}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"connectivity", conn, true},
		{"wrapped connectivity", fmt.Errorf("reading: %w", conn), true},
		{"retries exhausted on connectivity", &neo4jdrv.TransactionExecutionLimit{Cause: "timeout", Errors: []error{conn}}, true},
		{"database unavailable", &neo4jdrv.Neo4jError{Code: "Neo.TransientError.General.DatabaseUnavailable"}, true},
		{"retries exhausted on a transient error", &neo4jdrv.TransactionExecutionLimit{Errors: []error{&neo4jdrv.Neo4jError{Code: "Neo.TransientError.General.DatabaseUnavailable"}}}, true},
		{"syntax error", &neo4jdrv.Neo4jError{Code: "Neo.ClientError.Statement.SyntaxError"}, false},
		{"retries exhausted on a client error", &neo4jdrv.TransactionExecutionLimit{Errors: []error{&neo4jdrv.Neo4jError{Code: "Neo.ClientError.Statement.SyntaxError"}}}, false},
		{"unreachable at open", &neo4j.ConnectError{Kind: neo4j.ErrUnreachable}, true},
		{"wrong password", &neo4j.ConnectError{Kind: neo4j.ErrAuthentication}, false},
		{"pool closed", errors.New("Pool closed"), true},
		{"decoding", errors.New("neo4j: column 2 is not a string"), false},
	}
	for _, tt := range tests {
		if got := neo4j.IsUnavailable(tt.err); got != tt.want {
			t.Errorf("%s: IsUnavailable(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
