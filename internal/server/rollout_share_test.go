package server_test

import (
	"encoding/json"
	"math"
	"testing"

	"pcnet/internal/server"
)

// The rollout share is rounded to 4 decimals like every other share of the
// API (model.Share), so 8 of 37 reads 0.2162, not 0.21621621621621623.
func TestRolloutShareIsRoundedLikeEveryShare(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	checked := 0
	for _, svc := range ds.Services {
		r := post(t, ts, `query($id: ID!) { rolloutProgress(serviceId: $id, asOf: "2026-06-30") { planned { comuni } reached { comuni } share } }`, map[string]any{"id": svc.ID})
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %+v", svc.ID, r.Errors)
		}
		var got struct {
			RolloutProgress *struct {
				Planned, Reached struct{ Comuni int }
				Share            float64
			}
		}
		if err := json.Unmarshal(r.Data, &got); err != nil {
			t.Fatal(err)
		}
		p := got.RolloutProgress
		if p == nil || p.Planned.Comuni == 0 {
			continue
		}
		want := math.Round(float64(p.Reached.Comuni)/float64(p.Planned.Comuni)*1e4) / 1e4
		if p.Share != want {
			t.Errorf("%s: share %v for %d of %d, want %v", svc.ID, p.Share, p.Reached.Comuni, p.Planned.Comuni, want)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no service of the shipped data has a rollout plan due by 2026-06-30")
	}
}
