package neo4j

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// DefaultConnectTimeout bounds the connectivity check of Open when
// Config.ConnectTimeout is zero.
const DefaultConnectTimeout = 10 * time.Second

// Config says how to reach a Neo4j server.
type Config struct {
	// URI is the server's address: bolt://, bolt+s://, bolt+ssc:// for a
	// single server, neo4j://, neo4j+s://, neo4j+ssc:// for a cluster.
	URI      string
	Username string // empty means "neo4j"
	Password string
	// Database is the database to use; empty means the server's default
	// database ("neo4j" unless configured otherwise).
	Database string
	// ConnectTimeout bounds Open's connectivity check; zero means
	// DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// MaxRetryTime bounds how long a query is retried on transient errors
	// (a restarting server) before it fails; zero means the driver's
	// default, 30 s. A server bounds it below its request timeout.
	MaxRetryTime time.Duration
	// MaxConnections is the size of the connection pool; zero means the
	// driver's default, 100.
	MaxConnections int
	// AfterCommit is for tests only: when set, every write that committed
	// calls it with the write's operation (e.g. "creating a service") right
	// after the commit, and an error it returns is the write's answer
	// instead of the result, as a connection lost after the commit would
	// look to the client (storetest.RunLostAnswers).
	AfterCommit func(op string) error
}

// Store is the Neo4j store: it implements pcnet.Store over the graph
// described in MODEL.md, and imports datasets into it. It is safe for
// concurrent use.
type Store struct {
	driver   neo4jdrv.DriverWithContext
	database string
	username string // for Ping's errors
	queries  atomic.Int64
	// bookmarks chains every read and write of this store after the writes
	// it committed: on a cluster (or Aura) a read routed to a follower
	// waits until that follower has applied them, so a client reads its
	// own writes. On a single server bookmarks are already satisfied.
	bookmarks neo4jdrv.BookmarkManager
	// afterCommit is Config.AfterCommit (tests only), nil otherwise.
	afterCommit func(op string) error
}

// Sentinel kinds of ConnectError, for errors.Is.
var (
	ErrAuthentication = errors.New("authentication failed")
	ErrUnreachable    = errors.New("server unreachable")
)

// ConnectError is the error of Open. Its message is one line that names the
// server (never the password) and says what went wrong.
type ConnectError struct {
	URI      string // redacted: without user information
	Username string
	Reason   string // e.g. "server unreachable (connection refused)"
	Kind     error  // ErrAuthentication, ErrUnreachable or nil
	Err      error  // the driver's error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("cannot connect to Neo4j at %s as %q: %s", e.URI, e.Username, e.Reason)
}

// Unwrap returns the driver's error.
func (e *ConnectError) Unwrap() error { return e.Err }

// Is reports whether target is the error's kind (ErrAuthentication or ErrUnreachable).
func (e *ConnectError) Is(target error) bool { return e.Kind != nil && target == e.Kind }

// Open connects to the Neo4j server described by cfg and checks that it
// answers, that the credentials are accepted and that the database exists.
// It does not apply migrations: call Migrate (or Import, which does).
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Username == "" {
		cfg.Username = "neo4j"
	}
	uri := RedactURI(cfg.URI)
	fail := func(kind error, reason string, err error) error {
		return &ConnectError{URI: uri, Username: cfg.Username, Reason: oneLine(reason), Kind: kind, Err: err}
	}
	if cfg.URI == "" {
		return nil, fail(nil, "no URI given (set NEO4J_URI, e.g. bolt://127.0.0.1:7687)", nil)
	}
	if _, err := url.Parse(cfg.URI); err != nil {
		// url.Parse's error quotes the whole URI, password included.
		return nil, fail(nil, "invalid URI", nil)
	}
	driver, err := neo4jdrv.NewDriverWithContext(cfg.URI, neo4jdrv.BasicAuth(cfg.Username, cfg.Password, ""), cfg.driverConfig)
	if err != nil {
		return nil, fail(nil, "invalid URI: "+redactSecret(err.Error(), cfg.Password), err)
	}
	timeout := cfg.ConnectTimeout
	if timeout <= 0 {
		timeout = DefaultConnectTimeout
	}
	checkCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	s := newStore(driver, cfg)
	err = driver.VerifyConnectivity(checkCtx)
	if err == nil {
		// VerifyConnectivity neither authenticates on every server version
		// nor looks at the database: a trivial query does both.
		_, err = neo4jdrv.ExecuteQuery(checkCtx, driver, "RETURN 1", nil, neo4jdrv.EagerResultTransformer,
			neo4jdrv.ExecuteQueryWithDatabase(cfg.Database), neo4jdrv.ExecuteQueryWithReadersRouting())
	}
	if err != nil {
		_ = driver.Close(context.WithoutCancel(ctx))
		kind, reason := classify(checkCtx, err, timeout, cfg.Database)
		return nil, fail(kind, redactSecret(reason, cfg.Password), err)
	}
	return s, nil
}

// newStore is the one constructor of Open and Dial.
func newStore(driver neo4jdrv.DriverWithContext, cfg Config) *Store {
	return &Store{driver: driver, database: cfg.Database, username: cfg.Username,
		bookmarks:   neo4jdrv.NewBookmarkManager(neo4jdrv.BookmarkManagerConfig{}),
		afterCommit: cfg.AfterCommit}
}

// session opens a session chained on the store's bookmarks (see Store.bookmarks).
func (s *Store) session(ctx context.Context, mode neo4jdrv.AccessMode) neo4jdrv.SessionWithContext {
	return s.driver.NewSession(ctx, neo4jdrv.SessionConfig{AccessMode: mode, DatabaseName: s.database, BookmarkManager: s.bookmarks})
}

// Close closes the connections to the server.
func (s *Store) Close(ctx context.Context) error { return s.driver.Close(ctx) }

// QueryCount returns the number of queries the store has sent to the server
// since it was opened, retries included. Tests use it to check that a
// GraphQL request costs a bounded number of round trips.
func (s *Store) QueryCount() int64 { return s.queries.Load() }

// classify turns a connection error into a kind and a short reason.
//
//nolint:staticcheck // ST1008: kind is the classification of err (a sentinel to wrap), not a failure of classify
func classify(ctx context.Context, err error, timeout time.Duration, database string) (kind error, reason string) {
	var authErr *neo4jdrv.InvalidAuthenticationError
	var dbErr *neo4jdrv.Neo4jError
	var tokenErr *neo4jdrv.TokenExpiredError
	var dnsErr *net.DNSError
	var connErr *neo4jdrv.ConnectivityError
	switch {
	case errors.As(err, &authErr), errors.As(err, &tokenErr):
		return ErrAuthentication, "authentication failed (wrong username or password)"
	case errors.As(err, &dbErr):
		switch dbErr.Code {
		case "Neo.ClientError.Security.Unauthorized":
			return ErrAuthentication, "authentication failed (wrong username or password)"
		case "Neo.ClientError.Security.AuthenticationRateLimit":
			return ErrAuthentication, "authentication failed (too many failed attempts: wait a few seconds and retry)"
		case "Neo.ClientError.Security.CredentialsExpired":
			return ErrAuthentication, "authentication failed (the password has expired: change it with cypher-shell or Neo4j Browser)"
		case "Neo.ClientError.Database.DatabaseNotFound":
			return nil, fmt.Sprintf("database %q does not exist", database)
		}
		return nil, fmt.Sprintf("server error %s: %s", dbErr.Code, dbErr.Msg)
	}
	// The driver's ConnectivityError doesn't unwrap: look inside it, and
	// at the text for what routing errors only keep as text.
	inner := err
	if errors.As(err, &connErr) && connErr.Inner != nil {
		inner = connErr.Inner
	}
	switch {
	case errors.Is(inner, syscall.ECONNREFUSED), strings.Contains(inner.Error(), "connection refused"):
		return ErrUnreachable, "server unreachable (connection refused)"
	case errors.As(inner, &dnsErr):
		return ErrUnreachable, fmt.Sprintf("server unreachable (unknown host %q)", dnsErr.Name)
	case strings.Contains(inner.Error(), "no such host"):
		return ErrUnreachable, "server unreachable (unknown host)"
	case errors.Is(ctx.Err(), context.Canceled):
		return nil, "interrupted"
	case ctx.Err() != nil || errors.Is(inner, context.DeadlineExceeded):
		return ErrUnreachable, fmt.Sprintf("server unreachable (no answer within %s)", timeout)
	case connErr != nil:
		return ErrUnreachable, "server unreachable (" + inner.Error() + ")"
	}
	return nil, err.Error()
}

// RedactURI returns uri without its user information, which may hold a
// password, for messages and logs.
func RedactURI(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return "(invalid URI)"
	}
	u.User = nil
	return u.String()
}

// redactSecret hides secret in s, in case an error message echoes it.
func redactSecret(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "***")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
