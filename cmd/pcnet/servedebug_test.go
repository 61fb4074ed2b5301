package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"pcnet/internal/server"
)

func TestDebugFlags(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		pprof      string
		debugStats bool
	}{
		{"off by default", nil, nil, "", false},
		{"flags", nil, []string{"--pprof-addr", "127.0.0.1:6060", "--debug-stats"}, "127.0.0.1:6060", true},
		{"env", map[string]string{"PCNET_PPROF_ADDR": "127.0.0.1:7070", "PCNET_DEBUG_STATS": "true"}, nil, "127.0.0.1:7070", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, key := range debugEnv {
				t.Setenv(key, "")
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			c := registerDebug(fs)
			if err := applyEnv(fs, debugEnv); err != nil {
				t.Fatal(err)
			}
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if c.pprofAddr != tt.pprof || c.debugStats != tt.debugStats {
				t.Errorf("got pprof %q, stats %v; want %q, %v", c.pprofAddr, c.debugStats, tt.pprof, tt.debugStats)
			}
			if got := c.options(server.Options{}).StoreCallStats; got != tt.debugStats {
				t.Errorf("Options.StoreCallStats = %v, want %v", got, tt.debugStats)
			}
		})
	}
}

func TestPprofListener(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	stop, err := (&debugConfig{}).start(t.Context(), log)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if logs.Len() != 0 {
		t.Errorf("pprof off, yet logged: %s", logs.String())
	}

	stop, err = (&debugConfig{pprofAddr: "127.0.0.1:0"}).start(t.Context(), log)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	var line struct{ URL string }
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil || !strings.HasPrefix(line.URL, "http://127.0.0.1:") {
		t.Fatalf("no pprof URL logged (%v): %s", err, logs.String())
	}
	resp, err := getURL(t, line.URL+"cmdline")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(body) == 0 {
		t.Errorf("GET %scmdline: %d %q", line.URL, resp.StatusCode, body)
	}
	resp, err = getURL(t, strings.TrimSuffix(line.URL, "/debug/pprof/")+"/graphql")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the pprof listener serves /graphql: %d", resp.StatusCode)
	}
}

// getURL is http.Get bound to the test's context, so a hung server can't
// outlive the test.
func getURL(t testing.TB, url string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return http.DefaultClient.Do(req)
}
