package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"pcnet/internal/auth"
	"pcnet/internal/pcnet"
)

// startServe runs `pcnet serve` with args until the test ends and returns
// its base URL.
func startServe(t *testing.T, args ...string) (url string, stop func()) {
	t.Helper()
	url, stop, _ = startServeLogs(t, args...)
	return url, stop
}

// startServeLogs is startServe that also returns serve's log.
func startServeLogs(t *testing.T, args ...string) (url string, stop func(), logs *lockedBuffer) {
	t.Helper()
	t.Setenv("NEO4J_URI", "")
	ctx, cancel := context.WithCancel(context.Background())
	var stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), io.Discard, &stderr)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve returned before ready: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if m := readyRE.FindStringSubmatch(stderr.String()); m != nil {
			url = "http://" + m[1]
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("not ready after 30s:\n%s", stderr.String())
		}
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v\n%s", err, stderr.String())
		}
	}
	t.Cleanup(stop)
	return url, stop, &stderr
}

func gql(t *testing.T, url, token, query string) (data map[string]json.RawMessage, codes []string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Data   map[string]json.RawMessage
		Errors []struct{ Extensions map[string]any }
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	for _, e := range out.Errors {
		code, _ := e.Extensions["code"].(string)
		codes = append(codes, code)
	}
	return out.Data, codes
}

// pcnet serve takes writes with a planner's token from the tokens file,
// keeps them in the data directory across a restart, and refuses them
// without a token.
func TestServeWritesWithTokensAndDataDir(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens.json")
	token, entry, err := auth.NewEntry("maria", pcnet.RolePlanner)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal([]auth.Entry{entry})
	if err := os.WriteFile(tokens, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	const create = `mutation { createService(id: "svc-108-cli", name: "Prova", providerCode: "108", areaCode: "sua", startDate: "2026-01-01") { service { id } } }`
	const read = `{ service(id: "svc-108-cli") { id status } }`

	url, stop := startServe(t, "--tokens-file", tokens, "--data-dir", data)
	if _, codes := gql(t, url, "", create); len(codes) != 1 || codes[0] != pcnet.EUNAUTHORIZED {
		t.Errorf("anonymous createService: codes %v, want unauthorized", codes)
	}
	if _, codes := gql(t, url, token, create); len(codes) != 0 {
		t.Fatalf("maria's createService: codes %v", codes)
	}
	stop()

	// Restarted on the same data directory, the service is still there.
	url, _ = startServe(t, "--tokens-file", tokens, "--data-dir", data)
	got, codes := gql(t, url, "", read)
	if len(codes) != 0 || string(got["service"]) != `{"id":"svc-108-cli","status":"PLANNED"}` {
		t.Errorf("after a restart: %s %v", got["service"], codes)
	}

	// An ephemeral store starts from the shipped network: no such service.
	url, _ = startServe(t, "--ephemeral", "--public-reads=false", "--tokens-file", tokens)
	if _, codes := gql(t, url, "", read); len(codes) != 1 || codes[0] != pcnet.EUNAUTHORIZED {
		t.Errorf("anonymous read with private reads: codes %v", codes)
	}
	got, codes = gql(t, url, token, read)
	if len(codes) != 0 || string(got["service"]) != "null" {
		t.Errorf("ephemeral store: %s %v", got["service"], codes)
	}
}
