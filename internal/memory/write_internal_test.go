package memory

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

// TestWriteIsCopyOnWrite checks that a write shares the geography indexes
// with the snapshot before it and leaves that snapshot as it was, so a
// reader holding it keeps a consistent view.
func TestWriteIsCopyOnWrite(t *testing.T) {
	s, err := New(storetest.WriteFixture())
	if err != nil {
		t.Fatal(err)
	}
	before := s.snapshot()
	coverages := slices.Clone(before.coverages)
	byService := before.coveragesByService["svc-097-training"]

	_, err = s.AddCoverage(context.Background(), pcnet.CoverageAddition{
		ServiceID: "svc-097-training", ComuneCodes: []string{"097001", "097002"}, Since: pcnet.MustDate("2024-02-01"), Phase: pcnet.PhasePilot,
	})
	if err != nil {
		t.Fatal(err)
	}
	after := s.snapshot()
	if after == before {
		t.Fatal("the write didn't make a new snapshot")
	}

	// Shared: the same backing arrays and maps.
	if &after.comuni[0] != &before.comuni[0] || &after.perm[pcnet.ComuneByName][0] != &before.perm[pcnet.ComuneByName][0] ||
		after.names.text != before.names.text || &after.analytics.population[0] != &before.analytics.population[0] {
		t.Error("the write copied the geography indexes instead of sharing them")
	}
	// Rebuilt: the network.
	if len(after.coverages) != len(coverages)+2 {
		t.Errorf("%d coverages after adding 2 to %d", len(after.coverages), len(coverages))
	}
	if &after.coverages[0] == &before.coverages[0] || &after.analytics.coverageSince[0] == &before.analytics.coverageSince[0] {
		t.Error("the write changed the coverages of the snapshot before it in place")
	}
	// The old snapshot is untouched.
	if !slices.Equal(before.coverages, coverages) || before.coveragesByService["svc-097-training"] != byService || before.lastSeq != 0 || len(before.changes) != 0 {
		t.Error("the write changed the snapshot before it")
	}
	if r := after.coveragesByService["svc-097-training"]; r[1]-r[0] != 2 {
		t.Errorf("the new snapshot indexes %d coverages of the service, want 2", r[1]-r[0])
	}
}

func TestUpsert(t *testing.T) {
	type kv struct{ k, v int }
	byKey := func(a, b kv) int { return a.k - b.k }
	items := []kv{{1, 0}, {3, 0}, {5, 0}}
	got := upsert(items, []kv{{4, 1}, {0, 1}, {3, 1}, {9, 1}}, byKey)
	want := []kv{{0, 1}, {1, 0}, {3, 1}, {4, 1}, {5, 0}, {9, 1}}
	if !slices.Equal(got, want) {
		t.Errorf("upsert: %v, want %v", got, want)
	}
	if !slices.Equal(items, []kv{{1, 0}, {3, 0}, {5, 0}}) {
		t.Errorf("upsert changed its input: %v", items)
	}
	if got := upsert(items, nil, byKey); !slices.Equal(got, items) || &got[0] == &items[0] {
		t.Errorf("upsert of nothing: %v (must be a copy)", got)
	}

	side := []string{"a", "c", "e"} // parallel to items
	gotItems, gotSide := upsertWith(items, side, []kv{{5, 1}, {2, 1}}, byKey, func(p kv) string { return fmt.Sprint("new", p.k) })
	if want := []kv{{1, 0}, {2, 1}, {3, 0}, {5, 1}}; !slices.Equal(gotItems, want) {
		t.Errorf("upsertWith items: %v, want %v", gotItems, want)
	}
	if want := []string{"a", "new2", "c", "new5"}; !slices.Equal(gotSide, want) {
		t.Errorf("upsertWith side: %v, want %v", gotSide, want)
	}
}
