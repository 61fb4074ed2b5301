package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"pcnet/graph"
	"pcnet/internal/app"
)

// lockedBuffer is a bytes.Buffer safe for the server's goroutines to write
// while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var readyRE = regexp.MustCompile(`msg=ready addr=(\S+)`)

// pcnet serve starts, logs what it loaded and "ready" with its address,
// answers queries, and stops cleanly when its context is cancelled (as
// main does on SIGINT/SIGTERM).
func TestServeStartReadyShutdown(t *testing.T) {
	// This test is about the embedded store: a Neo4j configured in the
	// environment (as make test does for other tests) must not be picked.
	t.Setenv("NEO4J_URI", "")
	t.Setenv("PCNET_DATA_DIR", t.TempDir()) // not the user's data directory
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr lockedBuffer
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, io.Discard, &stderr) }()

	addr := waitReady(t, done, cancel, stderr.String)
	t.Logf("ready after %v", time.Since(start))
	logs := stderr.String()
	for _, want := range []string{"msg=store kind=memory", "comuni=7904", "msg=coordinates", "startup="} {
		if !strings.Contains(logs, want) {
			t.Errorf("start-up log lacks %q:\n%s", want, logs)
		}
	}

	body := strings.NewReader(`{"query":"{ comune(istat: \"001272\") { name } }"}`)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://"+addr+"/graphql", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Data struct{ Comune struct{ Name string } }
	}
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if err != nil || got.Data.Comune.Name != "Torino" {
		t.Errorf("query: %+v, %v; want Torino", got, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown, want nil", err)
		}
	case <-time.After(liveness):
		t.Fatalf("serve didn't stop within %v of cancellation", liveness)
	}
	if !strings.Contains(stderr.String(), "msg=stopped") {
		t.Errorf("no 'stopped' log:\n%s", stderr.String())
	}
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+addr+"/graphql", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Error("server still answering after shutdown")
	}
}

// Each setting comes from the flag if given, else from the environment,
// else from the default.
func TestServeConfigPrecedence(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want serveConfig
	}{
		{"defaults", nil, nil, serveConfig{addr: ":8080", logLevel: "info", logFormat: "text", shutdownTimeout: 10 * time.Second, loaderWait: graph.DefaultLoaderWait, eventsPoll: time.Second, store: storeConfig{kind: "auto"}}},
		{"env", map[string]string{"PCNET_ADDR": ":9000", "PCNET_CORS_ORIGINS": "https://a.example", "PCNET_LOG_LEVEL": "debug", "PCNET_SHUTDOWN_TIMEOUT": "3s", "PCNET_LOADER_WAIT": "2ms", "PCNET_STORE": "memory"}, nil,
			serveConfig{addr: ":9000", corsOrigins: "https://a.example", logLevel: "debug", logFormat: "text", shutdownTimeout: 3 * time.Second, loaderWait: 2 * time.Millisecond, eventsPoll: time.Second, store: storeConfig{kind: "memory"}}},
		{"flag over env", map[string]string{"PCNET_ADDR": ":9000", "PCNET_LOG_FORMAT": "json"}, []string{"--addr", ":9100", "--log-format", "text", "--shutdown-timeout", "1s"},
			serveConfig{addr: ":9100", logLevel: "info", logFormat: "text", shutdownTimeout: time.Second, loaderWait: graph.DefaultLoaderWait, eventsPoll: time.Second, store: storeConfig{kind: "auto"}}},
		{"empty env ignored", map[string]string{"PCNET_ADDR": ""}, nil, serveConfig{addr: ":8080", logLevel: "info", logFormat: "text", shutdownTimeout: 10 * time.Second, loaderWait: graph.DefaultLoaderWait, eventsPoll: time.Second, store: storeConfig{kind: "auto"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, key := range serveEnv {
				t.Setenv(key, "")
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			var cfg serveConfig
			cfg.register(fs)
			if err := applyEnv(fs, serveEnv); err != nil {
				t.Fatal(err)
			}
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if cfg.store.neo4j == nil {
				t.Fatal("the Neo4j flags are not registered")
			}
			cfg.store.neo4j = nil // compared in TestServeNeo4jSettings
			if cfg.ops == nil {
				t.Fatal("the production flags are not registered")
			}
			cfg.ops = nil // compared in TestServeOpsConfig
			if cfg.access == nil {
				t.Fatal("the access flags are not registered")
			}
			cfg.access = nil // compared in TestAccessConfig
			if cfg != tt.want {
				t.Errorf("config = %+v, want %+v", cfg, tt.want)
			}
		})
	}
}

// The Neo4j settings of serve come from NEO4J_* or the --neo4j-* flags.
func TestServeNeo4jSettings(t *testing.T) {
	t.Setenv("NEO4J_URI", "bolt://127.0.0.1:1")
	t.Setenv("NEO4J_PASSWORD", "from-env")
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cfg serveConfig
	cfg.register(fs)
	if err := fs.Parse([]string{"--neo4j-username", "reader"}); err != nil {
		t.Fatal(err)
	}
	got := cfg.store.neo4j.config()
	if got.URI != "bolt://127.0.0.1:1" || got.Username != "reader" || got.Password != "from-env" {
		t.Errorf("neo4j config = %+v", got)
	}

	// The flags reach the settings the store is opened with (opening them
	// is tested in internal/app).
	if store := cfg.store.config(); store.Kind != app.StoreAuto || !reflect.DeepEqual(store.Neo4j, got) {
		t.Errorf("store config = %+v, want kind auto with the Neo4j settings %+v", store, got)
	}
}

func TestServeRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{"bad env duration", map[string]string{"PCNET_SHUTDOWN_TIMEOUT": "soon"}, nil, "PCNET_SHUTDOWN_TIMEOUT"},
		{"bad log level", nil, []string{"--log-level", "loud"}, "--log-level"},
		{"bad log format", map[string]string{"PCNET_LOG_FORMAT": "xml"}, nil, "--log-format"},
		{"bad store", nil, []string{"--store", "postgres"}, "--store"},
		{"extra argument", nil, []string{"now"}, "unexpected arguments"},
		{"bad address", nil, []string{"--addr", "nowhere:-1"}, "serve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, key := range serveEnv {
				t.Setenv(key, "")
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stderr lockedBuffer
			err := runServe(context.Background(), tt.args, io.Discard, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestServeHelpDocumentsEveryFlag(t *testing.T) {
	var stderr lockedBuffer
	if err := runServe(context.Background(), []string{"--help"}, io.Discard, &stderr); err != nil {
		t.Fatalf("--help: %v", err)
	}
	help := stderr.String()
	for name, key := range serveEnv {
		if !strings.Contains(help, "-"+name) || !strings.Contains(help, key) {
			t.Errorf("help doesn't document -%s and %s:\n%s", name, key, help)
		}
	}
}
