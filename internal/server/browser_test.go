package server_test

import (
	"net/http"
	"testing"

	"pcnet/internal/server"
)

// A person opening /graphql in a browser lands on GraphiQL; GraphQL
// clients, whatever they send, still reach the API.
func TestBrowsersAreSentToGraphiQL(t *testing.T) {
	_, st := loadShipped(t)
	srv := newServer(t, st, server.Options{})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	const chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
	cases := []struct {
		name, method, query, accept string
		redirect                    bool
	}{
		{"browser navigation", "GET", "", chrome, true},
		{"xhtml first", "GET", "", "application/xhtml+xml", true},
		{"browser with a query", "GET", "?query=%7Bregions%7Bcode%7D%7D", chrome, false},
		{"client asking for JSON", "GET", "", "application/json", false},
		{"client asking for graphql-response", "GET", "", "application/graphql-response+json, application/json", false},
		{"JSON before HTML", "GET", "", "application/json, text/html", false},
		{"no Accept", "GET", "", "", false},
		{"anything", "GET", "", "*/*", false},
		{"POST from a form", "POST", "", chrome, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), c.method, srv.URL+"/graphql"+c.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.accept != "" {
				req.Header.Set("Accept", c.accept)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			loc := res.Header.Get("Location")
			if c.redirect {
				if res.StatusCode != http.StatusFound || loc != "/" {
					t.Errorf("status %d, Location %q; want 302 to /", res.StatusCode, loc)
				}
				return
			}
			if res.StatusCode == http.StatusFound || loc != "" {
				t.Errorf("redirected (%d to %q); a GraphQL client must reach the API", res.StatusCode, loc)
			}
		})
	}
}
