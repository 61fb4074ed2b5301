package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"pcnet/graph"
	"pcnet/internal/app"
	"pcnet/internal/events"
	"pcnet/internal/server"
)

// serveConfig is the configuration of `pcnet serve`.
type serveConfig struct {
	addr            string
	corsOrigins     string
	logLevel        string
	logFormat       string
	shutdownTimeout time.Duration
	loaderWait      time.Duration
	eventsPoll      time.Duration
	store           storeConfig
	ops             *opsConfig    // limits, persisted queries, logs (config.go)
	access          *accessConfig // tokens and public reads (access.go)
}

func (c *serveConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "addr", ":8080",
		"`address` to listen on, host:port (env PCNET_ADDR)")
	fs.StringVar(&c.corsOrigins, "cors-origins", "",
		"comma-separated `origins` allowed to call the API from a browser, e.g. https://a.example,https://*.b.example;\n"+
			"empty allows any origin, without credentials: the API is public and read-only (env PCNET_CORS_ORIGINS)")
	fs.StringVar(&c.logLevel, "log-level", "info",
		"log `level`: debug, info, warn or error (env PCNET_LOG_LEVEL)")
	fs.StringVar(&c.logFormat, "log-format", "text",
		"log `format`: text or json (env PCNET_LOG_FORMAT)")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 10*time.Second,
		"how long to let requests in flight finish on SIGINT/SIGTERM (env PCNET_SHUTDOWN_TIMEOUT)")
	fs.DurationVar(&c.loaderWait, "loader-wait", graph.DefaultLoaderWait,
		"dataloaders' fallback time window: a query level goes to the store as soon as all its loads are known;\n"+
			"this window only batches what can't be counted, such as subscription events (env PCNET_LOADER_WAIT)")
	fs.DurationVar(&c.eventsPoll, "events-poll-interval", events.DefaultPollInterval,
		"how often subscriptions read the audit trail for writes made through other replicas, while anyone subscribes;\n"+
			"writes made through this replica are announced at once (env PCNET_EVENTS_POLL_INTERVAL)")
	c.store.register(fs)
	c.ops = registerOps(fs)
	c.access = registerAccess(fs, os.Getenv)
}

// serveEnv maps flags to the environment variables that set them.
var serveEnv = map[string]string{
	"addr":                 "PCNET_ADDR",
	"cors-origins":         "PCNET_CORS_ORIGINS",
	"log-level":            "PCNET_LOG_LEVEL",
	"log-format":           "PCNET_LOG_FORMAT",
	"shutdown-timeout":     "PCNET_SHUTDOWN_TIMEOUT",
	"loader-wait":          "PCNET_LOADER_WAIT",
	"events-poll-interval": "PCNET_EVENTS_POLL_INTERVAL",
	"store":                "PCNET_STORE",
	"data-dir":             "PCNET_DATA_DIR",
	"ephemeral":            "PCNET_EPHEMERAL",
}

// serveUsage begins `pcnet serve --help`; opsUsage (config.go) ends it.
const serveUsage = `Usage: pcnet serve [flags]

Serves the Province–Comuni network over GraphQL at /graphql (POST and GET)
and GraphiQL at /. Each flag can also be set with the environment variable
named in its description; a flag given on the command line wins over the
environment, which wins over the default.

Flags:
`

// runServe runs the GraphQL server until ctx is cancelled (SIGINT or
// SIGTERM in main), then shuts it down gracefully. SIGHUP reloads the
// tokens file.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	// SIGHUP reloads the tokens (below); caught from the start, so that it
	// never ends the server, whose default action it would be.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	fs := newFlagSet("serve", serveUsage, opsUsage, stderr)
	var cfg serveConfig
	cfg.register(fs)
	debug := registerDebug(fs) // --pprof-addr, --debug-stats (servedebug.go)
	for _, env := range []map[string]string{serveEnv, opsEnv, accessEnv, debugEnv} {
		if err := applyEnv(fs, env); err != nil {
			return err
		}
	}
	if err := parseFlags(fs, args); err != nil {
		return helpIsSuccess(err)
	}
	log, err := newLogger(stderr, cfg.logLevel, cfg.logFormat)
	if err != nil {
		return err
	}

	if err := cfg.ops.validate(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if err := cfg.access.load(log); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	opts, err := cfg.ops.options(server.Options{
		Logger:            log,
		CORSOrigins:       splitList(cfg.corsOrigins),
		LoaderWait:        cfg.loaderWait,
		EventPollInterval: cfg.eventsPoll,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	store, closeStore, health, err := app.OpenServeStore(ctx, cfg.store.config(), log)
	if err != nil {
		return fmt.Errorf("serve: opening the store: %w", err)
	}
	defer func() {
		if err := closeStore(); err != nil {
			log.Error("closing the store", "err", err)
		}
	}()

	ops, err := app.StartOperations(ctx, log, store, health, app.OperationsConfig{Getenv: os.Getenv, Version: buildVersion()})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer func() {
		if err := ops.Stop(context.WithoutCancel(ctx)); err != nil {
			log.Error("stopping tracing", "err", err)
		}
	}()

	stopPprof, err := debug.start(ctx, log)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer stopPprof()

	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv := &http.Server{
		Handler:           server.New(store, debug.options(cfg.access.options(ops.Options(opts)))),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      max(60*time.Second, cfg.ops.requestTimeout+10*time.Second),
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	go cfg.access.reloadOn(ctx, hup, log)
	log.Info("ready", "addr", ln.Addr().String(), "startup", time.Since(start).Round(time.Millisecond),
		"graphql", "http://"+ln.Addr().String()+server.GraphQLPath)

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("serve: shutting down: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("--log-format: %q is not text or json", format)
	}
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// applyEnv sets each flag of fs from its environment variable, when that is
// set and not empty. It runs before fs.Parse, so flags given on the command
// line still win.
func applyEnv(fs *flag.FlagSet, env map[string]string) error {
	for _, name := range slices.Sorted(maps.Keys(env)) {
		key := env[name]
		v, ok := os.LookupEnv(key)
		if !ok || v == "" {
			continue
		}
		if err := fs.Set(name, v); err != nil {
			return fmt.Errorf("%s: %q: %w", key, v, err)
		}
	}
	return nil
}
