package main

import (
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pcnet/internal/server"
)

func TestServeOpsConfig(t *testing.T) {
	defaults := opsConfig{
		requestTimeout: server.DefaultTimeout, maxDepth: server.DefaultMaxDepth, maxComplexity: server.DefaultMaxComplexity,
		maxAliases: server.DefaultMaxAliases, maxFields: server.DefaultMaxFields, maxTokens: server.DefaultMaxTokens,
		maxBodyBytes: server.DefaultMaxBodyBytes, introspection: true, apqCacheSize: server.DefaultAPQCacheSize, responseCacheSize: server.DefaultResponseCacheSize,
		maxSubsPerConn: server.DefaultMaxSubscriptionsPerConnection, maxConnsPerAddr: server.DefaultMaxConnectionsPerAddress,
	}
	with := func(change func(*opsConfig)) opsConfig {
		c := defaults
		change(&c)
		return c
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want opsConfig
	}{
		{"defaults", nil, nil, defaults},
		{"env", map[string]string{"PCNET_REQUEST_TIMEOUT": "3s", "PCNET_MAX_DEPTH": "9", "PCNET_INTROSPECTION": "false",
			"PCNET_PERSISTED_ONLY": "true", "PCNET_LOG_VARIABLES": "1", "PCNET_MAX_COMPLEXITY": "0"}, nil,
			with(func(c *opsConfig) {
				c.requestTimeout, c.maxDepth, c.introspection, c.persistedOnly, c.logVariables, c.maxComplexity = 3*time.Second, 9, false, true, true, 0
			})},
		{"flag over env", map[string]string{"PCNET_MAX_ALIASES": "5"}, []string{"--max-aliases", "7", "--persisted-queries", "ops.json"},
			with(func(c *opsConfig) { c.maxAliases, c.persistedQueries = 7, "ops.json" })},
		{"websocket caps", map[string]string{"PCNET_MAX_SUBSCRIPTIONS_PER_CONNECTION": "4", "PCNET_MAX_CONNECTIONS_PER_ADDRESS": "9"},
			[]string{"--max-connections-per-address", "0"},
			with(func(c *opsConfig) { c.maxSubsPerConn, c.maxConnsPerAddr = 4, 0 })},
		{"response cache", map[string]string{"PCNET_RESPONSE_CACHE_SIZE": "500"}, nil,
			with(func(c *opsConfig) { c.responseCacheSize = 500 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, key := range opsEnv {
				t.Setenv(key, "")
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			var cfg serveConfig
			cfg.register(fs)
			if err := applyEnv(fs, opsEnv); err != nil {
				t.Fatal(err)
			}
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if *cfg.ops != tt.want {
				t.Errorf("config = %+v, want %+v", *cfg.ops, tt.want)
			}
		})
	}
}

func TestOpsLimits(t *testing.T) {
	c := opsConfig{maxDepth: 0, maxComplexity: 100, maxAliases: 0, maxFields: 7, maxTokens: 0, requestTimeout: 0, maxSubsPerConn: 3, maxConnsPerAddr: 0}
	got := c.limits()
	want := server.Limits{MaxDepth: -1, MaxComplexity: 100, MaxAliases: -1, MaxFields: 7, MaxTokens: -1, Timeout: -1,
		MaxSubscriptionsPerConnection: 3, MaxConnectionsPerAddress: -1}
	if got != want {
		t.Errorf("limits = %+v, want %+v (the flags' 0 is off)", got, want)
	}
}

func TestServeRejectsBadOpsConfig(t *testing.T) {
	// Not the user's data directory: whatever another pcnet left there
	// (another geography) must not decide this test.
	t.Setenv("PCNET_DATA_DIR", t.TempDir())
	t.Setenv("NEO4J_URI", "")
	dir := t.TempDir()
	badFile := filepath.Join(dir, "ops.json")
	if err := os.WriteFile(badFile, []byte(`{"0000": "{ regions { code } }"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{"negative depth", nil, []string{"--max-depth", "-1"}, "--max-depth"},
		{"negative timeout", nil, []string{"--request-timeout", "-1s"}, "--request-timeout"},
		{"tiny body", nil, []string{"--max-body-bytes", "10"}, "--max-body-bytes"},
		{"no APQ cache", nil, []string{"--apq-cache-size", "0"}, "--apq-cache-size"},
		{"negative response cache", nil, []string{"--response-cache-size", "-1"}, "--response-cache-size"},
		{"bad env number", map[string]string{"PCNET_MAX_FIELDS": "many"}, nil, "PCNET_MAX_FIELDS"},
		{"bad env bool", map[string]string{"PCNET_PERSISTED_ONLY": "yes please"}, nil, "PCNET_PERSISTED_ONLY"},
		{"missing persisted file", nil, []string{"--persisted-queries", filepath.Join(dir, "none.json")}, "--persisted-queries"},
		{"wrong hash in persisted file", nil, []string{"--persisted-queries", badFile}, "not the SHA-256"},
		{"unsupported exporter", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, nil, "OTEL_TRACES_EXPORTER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, key := range opsEnv {
				t.Setenv(key, "")
			}
			t.Setenv("NEO4J_URI", "")
			t.Setenv("OTEL_TRACES_EXPORTER", "")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stderr lockedBuffer
			err := runServe(context.Background(), append([]string{"--addr", "127.0.0.1:0", "--store", "memory"}, tt.args...), io.Discard, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestServeHelpDocumentsOpsFlags(t *testing.T) {
	var stderr lockedBuffer
	if err := runServe(context.Background(), []string{"--help"}, io.Discard, &stderr); err != nil {
		t.Fatalf("--help: %v", err)
	}
	help := stderr.String()
	for name, key := range opsEnv {
		if !strings.Contains(help, "-"+name) || !strings.Contains(help, key) {
			t.Errorf("help doesn't document -%s and %s", name, key)
		}
	}
	for _, want := range []string{"/healthz", "/readyz", "/metrics", "OTEL_EXPORTER_OTLP_ENDPOINT", "docs/operations.md"} {
		if !strings.Contains(help, want) {
			t.Errorf("help doesn't mention %s", want)
		}
	}
}
