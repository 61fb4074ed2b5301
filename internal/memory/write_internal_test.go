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
// with the snapshot before it, only appends to the coverage log, and leaves that
// snapshot as it was, so a reader holding it keeps a consistent view.
func TestWriteIsCopyOnWrite(t *testing.T) {
	s, err := New(storetest.WriteFixture())
	if err != nil {
		t.Fatal(err)
	}
	const service = "svc-097-training"
	before := s.snapshot()
	coverages := slices.Clone(before.coverages)
	bySlot := func(d *data, slots []int32) []pcnet.Coverage {
		var out []pcnet.Coverage
		for _, i := range slots {
			out = append(out, d.coverages[i])
		}
		return out
	}
	ofService := bySlot(before, before.coveragesOf(service))
	ofComune := bySlot(before, before.comuneCoverages("097001"))

	_, err = s.AddCoverage(context.Background(), pcnet.CoverageAddition{
		ServiceID: service, ComuneCodes: []string{"097001", "097002"}, Since: pcnet.MustDate("2024-02-01"), Phase: pcnet.PhasePilot,
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
	// The log is appended to (amortized: it moves only when it grows out
	// of its capacity), so its first slots are the ones before.
	if !slices.Equal(after.coverages[:len(coverages)], coverages) {
		t.Error("the write changed slots of the coverage log")
	}
	// Grown: the log, by the coverages put, and their lists.
	if len(after.coverages) != len(coverages)+2 || len(after.analytics.coverageSince) != len(after.coverages) || len(after.coverageComune) != len(after.coverages) {
		t.Errorf("%d coverages (%d periods, %d Comuni) after adding 2 to %d", len(after.coverages), len(after.analytics.coverageSince), len(after.coverageComune), len(coverages))
	}
	if got := bySlot(after, after.coveragesOf(service)); len(got) != len(ofService)+2 {
		t.Errorf("the new snapshot lists %d coverages of the service, want %d", len(got), len(ofService)+2)
	}
	if got := bySlot(after, after.comuneCoverages("097001")); len(got) != len(ofComune)+1 {
		t.Errorf("the new snapshot lists %d coverages of 097001, want %d", len(got), len(ofComune)+1)
	}
	// The old snapshot is untouched.
	if !slices.Equal(before.coverages, coverages) || !slices.Equal(bySlot(before, before.coveragesOf(service)), ofService) ||
		!slices.Equal(bySlot(before, before.comuneCoverages("097001")), ofComune) || before.lastSeq != 0 || len(before.changes) != 0 {
		t.Error("the write changed the snapshot before it")
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

// TestChunkedListsWithLists checks that withLists changes only the listed
// lists, in a copy that shares the chunks it doesn't change.
func TestChunkedListsWithLists(t *testing.T) {
	n := int32(3*listChunk + 5)
	c := newChunkedLists(int(n))
	for i := range n {
		c.set(i, []int32{i})
	}
	changed := map[int32][]int32{1: {100}, n - 1: {200}}
	out := c.withLists(changed, func(old, put []int32) []int32 { return append(slices.Clone(old), put...) })
	for i := range n {
		want := []int32{i}
		if put, ok := changed[i]; ok {
			want = append(want, put...)
		}
		if got := out.at(i); !slices.Equal(got, want) {
			t.Errorf("list %d: %v, want %v", i, got, want)
		}
		if got := c.at(i); !slices.Equal(got, []int32{i}) {
			t.Errorf("the source's list %d changed to %v", i, got)
		}
	}
	if &out[1][0] != &c[1][0] || &out[0][0] == &c[0][0] {
		t.Error("withLists must share the unchanged chunks and copy the changed ones")
	}
}
