package storetest

import (
	"context"
	"slices"
	"testing"

	"pcnet/internal/pcnet"
)

// testPagingAcrossWrites pages through connections while writes add and
// remove items before the cursor: each next page must hold exactly the
// items that follow the last one seen in the list as it is when the page is
// read, so no item is skipped or repeated (issue 12 item 3: with offsets,
// covering 097003 between pages made the next page skip one Comune).
func testPagingAcrossWrites(t *testing.T, s WriteStore) {
	ctx := asPlanner()
	t.Run("ComuniByCode", func(t *testing.T) {
		// coverageGaps of Lecco in staff-training by CODE: the uncovered Comuni.
		q := pcnet.ComuneQuery{
			Filter: pcnet.ComuneFilter{ProvinceCodes: []string{leccoCode}, Coverage: covered("", "staff-training", "2025-01-01", false)},
			Order:  pcnet.ComuneByCode,
		}
		p := pager{t: t, s: s, comuni: q, limit: 5}
		p.next() // 097001..097005
		// Covering 097003 removes an item before the cursor.
		_, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: leccoService, ComuneCodes: []string{"097003"}, Since: pcnet.MustDate("2024-06-01"), Phase: pcnet.PhaseRollout})
		must(t, err)
		p.next() // 097006..097010, not 097007..
		// Ending it before asOf adds it back, before the cursor.
		_, err = s.EndCoverage(ctx, pcnet.CoverageEnding{ServiceID: leccoService, ComuneCodes: []string{"097003"}, Until: pcnet.MustDate("2024-12-01")})
		must(t, err)
		p.next() // 097011..097015, not 097010 again
		p.rest()
	})
	t.Run("ComuniByPopulationTies", func(t *testing.T) {
		// Como's Comuni not covered in recruitment, largest first: 013075,
		// 013130 and 013250 (a tie at 1,800, broken by code), 013133.
		q := pcnet.ComuneQuery{
			Filter: pcnet.ComuneFilter{ProvinceCodes: []string{"013"}, Coverage: covered("", "recruitment", "2030-01-01", false)},
			Order:  pcnet.ComuneByPopulationDesc,
		}
		p := pager{t: t, s: s, comuni: q, limit: 2}
		if got := p.next(); !slices.Equal(got, []string{"013075", "013130"}) {
			t.Fatalf("first page %q, want the fixture's 013075, 013130", got)
		}
		_, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: "svc-013-recruitment", ComuneCodes: []string{"013075"}, Since: pcnet.MustDate("2025-01-01"), Phase: pcnet.PhaseRollout})
		must(t, err)
		if got := p.next(); !slices.Equal(got, []string{"013250", "013133"}) {
			t.Errorf("second page %q, want 013250 (tied with the cursor's 013130) and 013133", got)
		}
		p.rest()
	})
	t.Run("Coverages", func(t *testing.T) {
		_, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: leccoService, ComuneCodes: []string{"097020", "097021", "097022", "097023"}, Since: pcnet.MustDate("2024-06-01"), Phase: pcnet.PhaseRollout})
		must(t, err)
		p := pager{t: t, s: s, coverages: &pcnet.CoverageQuery{Filter: pcnet.CoverageFilter{ServiceIDs: []string{leccoService}}}, limit: 2}
		p.next() // 097003 (ended), 097020
		_, err = s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: leccoService, ComuneCodes: []string{"097010"}, Since: pcnet.MustDate("2024-06-01"), Phase: pcnet.PhaseRollout})
		must(t, err)
		p.next() // 097021, 097022, not 097020 again
		p.rest()
	})
}

// pager pages through one Comuni or coverage query, checking each page
// against the whole list read at the same moment.
type pager struct {
	t         *testing.T
	s         WriteStore
	comuni    pcnet.ComuneQuery
	coverages *pcnet.CoverageQuery // nil: page comuni
	limit     int
	page      pcnet.Page // the next page to ask for
	last      string     // the key of the last item seen, "" before the first page
	done      bool
}

// read returns the item keys of one page, the total and whether more follow.
func (p *pager) read(page pcnet.Page) (keys []string, total int, more bool, items []any) {
	p.t.Helper()
	ctx := context.Background()
	if p.coverages != nil {
		q := *p.coverages
		q.Page = page
		got, err := p.s.Coverages(ctx, []pcnet.CoverageQuery{q})
		must(p.t, err)
		for _, c := range got[0].Coverages {
			keys = append(keys, c.ServiceID+"/"+c.ComuneCode+"/"+c.Since.String())
			items = append(items, c)
		}
		return keys, got[0].Total, got[0].More, items
	}
	q := p.comuni
	q.Page = page
	got, err := p.s.Comuni(ctx, []pcnet.ComuneQuery{q})
	must(p.t, err)
	for _, c := range got[0].Comuni {
		keys = append(keys, c.Code)
		items = append(items, c)
	}
	return keys, got[0].Total, got[0].More, items
}

// next reads the next page, checks it and returns its keys.
func (p *pager) next() []string {
	p.t.Helper()
	whole, wholeTotal, _, _ := p.read(pcnet.Page{})
	want := whole
	if p.last != "" {
		i := slices.Index(whole, p.last)
		if i < 0 {
			p.t.Fatalf("the last item seen, %s, left the list: the test must keep it", p.last)
		}
		want = whole[i+1:]
	}
	wantMore := len(want) > p.limit
	want = want[:min(p.limit, len(want))]
	page := p.page
	page.Limit = p.limit
	got, total, more, items := p.read(page)
	if more != wantMore {
		p.t.Errorf("page after %q: more %v, want %v", p.last, more, wantMore)
	}
	if !slices.Equal(got, want) {
		p.t.Errorf("page after %q:\n got  %q\n want %q (the list now is %q)", p.last, got, want, whole)
	}
	if total != wholeTotal {
		p.t.Errorf("page after %q: total %d, want the whole list's %d", p.last, total, wholeTotal)
	}
	if len(items) == 0 {
		p.done = true
		return got
	}
	p.last = got[len(got)-1]
	p.page = p.after(items[len(items)-1])
	return got
}

// rest pages on to the end of the list.
func (p *pager) rest() {
	p.t.Helper()
	for n := 0; !p.done; n++ {
		if n > 100 {
			p.t.Fatal("paging does not end")
		}
		p.next()
	}
}

// after returns the page that follows item, the way a connection's cursor
// does.
func (p *pager) after(item any) pcnet.Page {
	var k pcnet.Key
	switch it := item.(type) {
	case pcnet.Coverage:
		k = pcnet.CoverageKey(it)
	case pcnet.Comune:
		k = pcnet.ComuneKey(p.comuni.Order, it)
	}
	return pcnet.Page{After: &k}
}
