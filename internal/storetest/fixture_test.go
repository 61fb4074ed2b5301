package storetest

import (
	"slices"
	"testing"

	"pcnet/internal/pcnet"
)

// TestFixture checks the suite's own ground: the fixture is valid and the
// hand-written lists are consistent with it.
func TestFixture(t *testing.T) {
	ds := Fixture()
	if err := ds.Validate(); err != nil {
		t.Fatal(err)
	}
	codes := mapSlice(ds.Comuni, comuneCode)
	if !slices.Equal(codes, allByCode) {
		t.Errorf("allByCode %v is not the fixture's code list %v", allByCode, codes)
	}
	for name, order := range map[string][]string{"name": allByName, "population desc": allByPopulationDesc, "population asc": allByPopulationAsc} {
		if sorted := slices.Sorted(slices.Values(order)); !slices.Equal(sorted, allByCode) {
			t.Errorf("the %s order is not a permutation of the Comuni", name)
		}
	}
	if got := slices.Sorted(slices.Values(allCoverages)); len(got) != len(ds.Coverages) {
		t.Errorf("allCoverages lists %d coverages, the fixture has %d", len(got), len(ds.Coverages))
	}
	for _, key := range allCoverages {
		if !slices.ContainsFunc(ds.Coverages, func(c pcnet.Coverage) bool { return coverageKey(c) == key }) {
			t.Errorf("allCoverages names %q, not in the fixture", key)
		}
	}
}

func TestSyntheticIsValidAndStable(t *testing.T) {
	a, b := Synthetic(), Synthetic()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(a.Comuni) != 7904 || len(a.Provinces) != 107 || len(a.Regions) != 20 {
		t.Errorf("synthetic geography: %d comuni, %d provinces, %d regions", len(a.Comuni), len(a.Provinces), len(a.Regions))
	}
	if !slices.Equal(mapSlice(a.Coverages, coverageKey), mapSlice(b.Coverages, coverageKey)) {
		t.Error("two calls give different coverages")
	}
}
