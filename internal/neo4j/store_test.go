package neo4j_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"pcnet/internal/neo4j/neo4jtest"
	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

// TestConformance runs the store conformance suite: each dataset it opens
// is imported into a cleared database.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, ds pcnet.Dataset) pcnet.Store {
		return neo4jtest.Load(t, ds)
	})
}

// TestNameOrderAndSearchEdgeCases loads Comuni with names chosen to tell
// orderings apart (case, accents, typographic apostrophes, characters
// beyond U+FFFF, where UTF-16 order differs from code-point order) and
// checks name order against Go's string order and name search against
// pcnet.FoldName, including needles that span two of a Comune's names.
func TestNameOrderAndSearchEdgeCases(t *testing.T) {
	names := []string{
		"Zeta", "zeta", "Éboli", "Eboli", "Ærø", "\uFB00 ligature", "\U0001F600 smile", "a\u0301cute",
		"Ab", "ab", "Sant'Angelo", "Sant’Angelo", "Santa", "Forlì", "Forlimpopoli", "Zeta", "", "-", "Bozen Bolzano",
	}
	ds := storetest.Fixture()
	if len(ds.Comuni) < len(names) {
		t.Fatalf("the fixture has %d Comuni, the test needs %d", len(ds.Comuni), len(names))
	}
	for i, n := range names {
		ds.Comuni[i].Name, ds.Comuni[i].NameItalian, ds.Comuni[i].NameOther = n, n, ""
	}
	// A bilingual one: "Bolzano/Bozen" with its two parts.
	ds.Comuni[len(names)-1].Name, ds.Comuni[len(names)-1].NameItalian, ds.Comuni[len(names)-1].NameOther = "Bolzano/Bozen", "Bolzano", "Bozen"
	s := neo4jtest.Load(t, ds)

	want := slices.Clone(ds.Comuni)
	slices.SortFunc(want, func(a, b pcnet.Comune) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Code, b.Code))
	})
	needles := []string{"zeta", "EBOLI", "ø", "\U0001F600", "\u0301", "sant'", "sant’", "bozen", "bolzano", "bozen\nbolzano", "bolzano bozen", "o/b", "-"}
	queries := []pcnet.ComuneQuery{{Order: pcnet.ComuneByName}}
	for _, n := range needles {
		queries = append(queries, pcnet.ComuneQuery{Filter: pcnet.ComuneFilter{NameContains: n}, Order: pcnet.ComuneByName})
	}
	pages, err := s.Comuni(context.Background(), queries)
	if err != nil {
		t.Fatal(err)
	}
	codes := func(cs []pcnet.Comune) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Code)
		}
		return out
	}
	if got, w := codes(pages[0].Comuni), codes(want); !slices.Equal(got, w) {
		t.Errorf("by name:\n got  %q\n want %q", got, w)
	}
	for i, n := range needles {
		folded := pcnet.FoldName(n)
		var match []pcnet.Comune
		for _, c := range want {
			if strings.Contains(pcnet.FoldName(c.Name), folded) || strings.Contains(pcnet.FoldName(c.NameItalian), folded) || strings.Contains(pcnet.FoldName(c.NameOther), folded) {
				match = append(match, c)
			}
		}
		if got, w := codes(pages[i+1].Comuni), codes(match); !slices.Equal(got, w) {
			t.Errorf("name contains %q:\n got  %q\n want %q", n, got, w)
		}
	}
}

// TestConcurrentReads reads from many goroutines at once (run with -race).
func TestConcurrentReads(t *testing.T) {
	fx := storetest.Fixture()
	s := neo4jtest.Load(t, fx)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Go(func() {
			p := fx.Provinces[i%len(fx.Provinces)]
			pages, err := s.Comuni(context.Background(), []pcnet.ComuneQuery{{Filter: pcnet.ComuneFilter{ProvinceCodes: []string{p.Code}}}})
			if err != nil {
				errs <- err
				return
			}
			for _, c := range pages[0].Comuni {
				if c.ProvinceCode != p.Code {
					errs <- fmt.Errorf("Comune %s of %s listed for %s", c.Code, c.ProvinceCode, p.Code)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
