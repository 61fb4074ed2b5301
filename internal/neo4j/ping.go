package neo4j

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"
)

// This file holds what a long-running server needs of the store beyond
// queries: a cheap health check (Ping), telling a database outage from
// other errors (IsUnavailable), and a store that can be made while the
// server is down (Dial), so pcnet starts degraded and recovers by itself.

// DefaultPingTimeout bounds Ping when its context has no earlier deadline.
const DefaultPingTimeout = 2 * time.Second

// driverConfig applies the tunable settings of cfg to the driver's.
func (cfg Config) driverConfig(c *config.Config) {
	if cfg.MaxRetryTime > 0 {
		c.MaxTransactionRetryTime = cfg.MaxRetryTime
	}
	if cfg.MaxConnections > 0 {
		c.MaxConnectionPoolSize = cfg.MaxConnections
	}
}

// PoolSize returns the size of the driver's connection pool.
func (cfg Config) PoolSize() int {
	c := config.Config{MaxConnectionPoolSize: 100} // the driver's default
	cfg.driverConfig(&c)
	return c.MaxConnectionPoolSize
}

// Dial makes a store for the server described by cfg without contacting
// it: unlike Open it succeeds while the server is down, and its queries
// fail (IsUnavailable) until the server answers. Check it with Ping, and
// apply Migrate once Ping succeeds. Only a malformed URI is an error.
func Dial(cfg Config) (*Store, error) {
	if cfg.Username == "" {
		cfg.Username = "neo4j"
	}
	fail := func(reason string, err error) error {
		return &ConnectError{URI: RedactURI(cfg.URI), Username: cfg.Username, Reason: oneLine(reason), Err: err}
	}
	if cfg.URI == "" {
		return nil, fail("no URI given (set NEO4J_URI, e.g. bolt://127.0.0.1:7687)", nil)
	}
	if _, err := url.Parse(cfg.URI); err != nil {
		return nil, fail("invalid URI", nil)
	}
	driver, err := neo4jdrv.NewDriverWithContext(cfg.URI, neo4jdrv.BasicAuth(cfg.Username, cfg.Password, ""), cfg.driverConfig)
	if err != nil {
		return nil, fail("invalid URI: "+redactSecret(err.Error(), cfg.Password), err)
	}
	return newStore(driver, cfg), nil
}

// Ping checks that the server answers a trivial query on the store's
// database, within ctx's deadline or DefaultPingTimeout. It runs one
// auto-commit query, without the driver's retries, so a server that is
// down fails it at once. Its error is a *ConnectError: errors.Is it
// ErrUnreachable for an outage, ErrAuthentication for refused credentials.
func (s *Store) Ping(ctx context.Context) error {
	timeout := DefaultPingTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// No bookmarks: a health check must not wait for a lagging follower.
	sess := s.driver.NewSession(ctx, neo4jdrv.SessionConfig{AccessMode: neo4jdrv.AccessModeRead, DatabaseName: s.database})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "RETURN 1", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err == nil {
		return nil
	}
	kind, reason := classify(ctx, err, timeout, s.database)
	if kind == nil && IsUnavailable(err) {
		kind = ErrUnreachable
	}
	target := s.driver.Target()
	return &ConnectError{URI: RedactURI(target.String()), Username: s.username, Reason: oneLine(reason), Kind: kind, Err: err}
}

// IsUnavailable reports whether err, returned by a query of the store,
// means the database can't serve queries right now (it is down,
// restarting, unreachable, or out of connections) rather than that the
// query was wrong: such an error is worth retrying later, and is reported
// to clients as pcnet.EUNAVAILABLE.
//
// An error caused by the caller's context (cancelled, or past its
// deadline) is not an outage; the driver wraps those as connectivity
// errors too, so callers should check their context first.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var connErr *neo4jdrv.ConnectivityError
	var limitErr *neo4jdrv.TransactionExecutionLimit
	var dbErr *neo4jdrv.Neo4jError
	switch {
	case errors.Is(err, ErrUnreachable):
		return true
	case errors.As(err, &connErr):
		return true
	case errors.As(err, &limitErr):
		// The driver gave up retrying: the last attempt's error says why.
		if n := len(limitErr.Errors); n > 0 {
			return IsUnavailable(limitErr.Errors[n-1])
		}
		return true
	case errors.As(err, &dbErr):
		// Transient errors (DatabaseUnavailable while a server stops or
		// starts, leader switches) are the server's, not the query's.
		return strings.HasPrefix(dbErr.Code, "Neo.TransientError.")
	}
	// The pool's own errors (closed, timed out, no servers) are not exported.
	msg := err.Error()
	return strings.Contains(msg, "Pool closed") || strings.Contains(msg, "Timeout while waiting for connection") ||
		strings.Contains(msg, "could not find any servers")
}

// IsUnavailable is the package's IsUnavailable, as a method, so that
// callers holding a store of any kind can ask it through an interface.
func (s *Store) IsUnavailable(err error) bool { return IsUnavailable(err) }
