package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"pcnet/internal/server"
)

// debugConfig is the performance tooling of `pcnet serve`, off by default:
// Go's pprof profiles on a listener of their own, and the store-call count
// of each response (which `pcnet bench` reports). See docs/performance.md.
type debugConfig struct {
	pprofAddr  string
	debugStats bool
}

// debugEnv maps the debug flags to their environment variables.
var debugEnv = map[string]string{
	"pprof-addr":  "PCNET_PPROF_ADDR",
	"debug-stats": "PCNET_DEBUG_STATS",
}

func registerDebug(fs *flag.FlagSet) *debugConfig {
	c := &debugConfig{}
	fs.StringVar(&c.pprofAddr, "pprof-addr", "",
		"serve Go's pprof profiles (/debug/pprof/) on this `address`, e.g. 127.0.0.1:6060; empty (the default) turns them off.\n"+
			"Profiles show the server's internals: keep the address on loopback or a private network (env PCNET_PPROF_ADDR)")
	fs.BoolVar(&c.debugStats, "debug-stats", false,
		"send each GraphQL response's store-call count in the "+server.StoreCallsHeader+" header, for pcnet bench (env PCNET_DEBUG_STATS)")
	return c
}

// options adds the debug settings to opts.
func (c *debugConfig) options(opts server.Options) server.Options {
	opts.StoreCallStats = c.debugStats
	return opts
}

// start starts the pprof listener when configured; the returned function
// stops it.
func (c *debugConfig) start(ctx context.Context, log *slog.Logger) (stop func(), err error) {
	if c.pprofAddr == "" {
		return func() {}, nil
	}
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", c.pprofAddr)
	if err != nil {
		return nil, fmt.Errorf("--pprof-addr: %w", err)
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !net.ParseIP(host).IsLoopback() {
		log.Warn("pprof profiles are served beyond loopback: anyone who reaches them sees the server's internals", "addr", ln.Addr().String())
	}
	srv := &http.Server{Handler: pprofMux(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("pprof listener", "err", err)
		}
	}()
	log.Info("pprof", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// pprofMux serves net/http/pprof's handlers on a mux of their own, so
// nothing else reaches them (the package also registers them on
// http.DefaultServeMux, which pcnet never serves).
func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
