package server_test

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"pcnet/examples"
	"pcnet/internal/server"
)

// conflicting returns { comune(istat: "0") { code } comune(istat: "1") { code } ... },
// n fields with the same response name and different arguments: every pair
// of them is a field-merge conflict, so validation alone would report
// n(n-1)/2 errors.
func conflicting(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, ` comune(istat: "%d") { code }`, i)
	}
	return b.String() + " }"
}

// validationFactor bounds what a document that reaches validation may
// allocate, in accepted dashboards of Italy.
const validationFactor = 10

// allocated returns the bytes the process allocated while f ran. The
// server runs in this process (httptest), so its work is counted; the
// figure depends on the work, not on timing.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A rejected document costs little next to an accepted one (the largest
// shipped example, the dashboard of Italy): its answer is smaller, and it
// allocates less when a limit rejects it before validation, at most
// validationFactor times as much when validation runs (field merging still
// compares the fields of a set pairwise, but creates MaxErrors errors at
// most). Before this, the 1,000-field document below allocated 1.9 GB and
// answered 122 MB.
func TestRejectedDocumentsCostLittle(t *testing.T) {
	_, store := loadShipped(t)
	counting := newCountingStore(store)
	ts := newServer(t, counting, server.Options{})

	dashboard, ok := examples.Get("dashboard_italy")
	if !ok {
		t.Fatal("no dashboard example")
	}
	var accepted httpResult
	acceptedBytes := allocated(func() { accepted = send(t, ts, query(t, dashboard.Query, nil), nil) })
	if len(accepted.gql.Errors) > 0 {
		t.Fatalf("the dashboard failed: %s", accepted.body)
	}
	counting.reset()

	tests := []struct {
		name  string
		query string
		limit string // the limit that rejects it; "" for a validation failure
	}{
		{"a thousand conflicting fields", conflicting(1000), server.LimitFields},
		{"two hundred aliases", func() string {
			var b strings.Builder
			b.WriteString("{")
			for i := range 200 {
				fmt.Fprintf(&b, ` a%d: comune(istat: "%d") { code }`, i, i)
			}
			return b.String() + " }"
		}(), server.LimitAliases},
		// Under the fields limit, validation runs: its errors are capped.
		{"conflicting fields under the fields limit", conflicting(server.DefaultMaxFields / 2), ""},
		{"many unknown fields", "{" + strings.Repeat(" nope", server.DefaultMaxFields-1) + " }", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r httpResult
			body := query(t, tt.query, nil)
			cost := allocated(func() { r = send(t, ts, body, nil) })
			t.Logf("request %d bytes: answer %d bytes, %d errors, %.1f MB allocated (accepted dashboard: %d bytes, %.1f MB)",
				len(body), len(r.body), len(r.gql.Errors), float64(cost)/(1<<20), len(accepted.body), float64(acceptedBytes)/(1<<20))
			if r.status != http.StatusUnprocessableEntity {
				t.Errorf("status %d, want 422", r.status)
			}
			if tt.limit != "" {
				if len(r.gql.Errors) != 1 || r.gql.Errors[0].Extensions["limit"] != tt.limit {
					t.Errorf("%.300s, want one %s error", r.body, tt.limit)
				}
			} else if n := len(r.gql.Errors); n == 0 || n > server.MaxErrors+1 {
				t.Errorf("%d errors, want between 1 and %d", n, server.MaxErrors+1)
			}
			if len(r.body) > len(accepted.body) {
				t.Errorf("the answer has %d bytes, more than the accepted dashboard's %d", len(r.body), len(accepted.body))
			}
			budget := acceptedBytes
			if tt.limit == "" {
				budget *= validationFactor
			}
			if cost > budget {
				t.Errorf("the rejected document allocated %d bytes, more than %d", cost, budget)
			}
			if calls := counting.snapshot(); len(calls) > 0 {
				t.Errorf("store calls: %v", calls)
			}
		})
	}
}
