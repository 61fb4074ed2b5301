package server_test

import (
	"encoding/json"
	"slices"
	"testing"

	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

// TestPilotsUndecided checks the GraphQL-only filter undecided against the
// store: true keeps the pilots with no decision, false the decided ones,
// and the two split the pilots between them, each with its whole scope.
func TestPilotsUndecided(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	var decided, open []string
	scope := make(map[string]int)
	for _, p := range ds.Pilots {
		if p.Decision == "" {
			open = append(open, p.ID)
		} else {
			decided = append(decided, p.ID)
		}
		scope[p.ID] = len(p.ComuneCodes)
	}
	slices.Sort(decided)
	slices.Sort(open)
	if len(decided) == 0 || len(open) == 0 {
		t.Fatalf("the shipped pilots need both decided (%d) and open (%d) ones", len(decided), len(open))
	}
	for _, tc := range []struct {
		undecided bool
		want      []string
	}{{true, open}, {false, decided}} {
		resp := post(t, ts, `query($u: Boolean) { pilots(filter: {undecided: $u}) { id decision until comuni { code } } }`, map[string]any{"u": tc.undecided})
		if len(resp.Errors) > 0 {
			t.Fatalf("undecided %v: %+v", tc.undecided, resp.Errors)
		}
		var data struct {
			Pilots []struct {
				ID       string
				Decision *pcnet.PilotDecision
				Until    *string
				Comuni   []struct{ Code string }
			}
		}
		if err := json.Unmarshal(resp.Data, &data); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range data.Pilots {
			got = append(got, p.ID)
			if (p.Decision == nil) != tc.undecided {
				t.Errorf("undecided %v: pilot %s has decision %v", tc.undecided, p.ID, p.Decision)
			}
			if p.Decision != nil && p.Until == nil {
				t.Errorf("pilot %s decided with no end", p.ID)
			}
			if len(p.Comuni) != scope[p.ID] {
				t.Errorf("pilot %s: %d Comuni, want %d", p.ID, len(p.Comuni), scope[p.ID])
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("undecided %v: got %v\nwant %v", tc.undecided, got, tc.want)
		}
	}
}
