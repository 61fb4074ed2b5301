package server_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"pcnet/internal/server"
	"pcnet/internal/web"
)

// Responses are gzipped for clients that accept it, and only for them: the
// GraphQL answers, GraphiQL and the dashboard, with the same bytes once
// decompressed.
func TestResponsesAreCompressedWhenAccepted(t *testing.T) {
	_, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	// A client that doesn't decompress for us, so we see the wire.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	bigQuery := `{"query":"{ comuni(first: 1000) { edges { node { code name population latitude longitude } } } }"}`
	for _, tt := range []struct {
		name, method, path, body string
	}{
		{"graphql", http.MethodPost, server.GraphQLPath, bigQuery},
		{"graphiql", http.MethodGet, web.GraphiQLPath, ""},
		{"dashboard", http.MethodGet, web.DashboardPath, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			get := func(encoding string) (http.Header, []byte) {
				req, err := http.NewRequestWithContext(t.Context(), tt.method, ts.URL+tt.path, strings.NewReader(tt.body))
				if err != nil {
					t.Fatal(err)
				}
				if tt.body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				if encoding != "" {
					req.Header.Set("Accept-Encoding", encoding)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d: %.200s", resp.StatusCode, b)
				}
				return resp.Header, b
			}
			plainHeader, plain := get("")
			if enc := plainHeader.Get("Content-Encoding"); enc != "" {
				t.Errorf("Content-Encoding %q without Accept-Encoding", enc)
			}
			zHeader, zipped := get("gzip, deflate, br")
			if enc := zHeader.Get("Content-Encoding"); enc != "gzip" {
				t.Fatalf("Content-Encoding %q, want gzip", enc)
			}
			if !strings.Contains(zHeader.Get("Vary"), "Accept-Encoding") {
				t.Errorf("Vary %q lacks Accept-Encoding", zHeader.Get("Vary"))
			}
			zr, err := gzip.NewReader(bytes.NewReader(zipped))
			if err != nil {
				t.Fatal(err)
			}
			unzipped, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(unzipped, plain) {
				t.Errorf("decompressed body (%d bytes) differs from the plain one (%d bytes)", len(unzipped), len(plain))
			}
			if len(zipped) >= len(plain) {
				t.Errorf("gzipped %d bytes, plain %d", len(zipped), len(plain))
			}
			t.Logf("%s: %d bytes, %d gzipped", tt.path, len(plain), len(zipped))
		})
	}
}
