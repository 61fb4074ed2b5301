package memory

import (
	"cmp"
	"context"
	"slices"
	"sort"

	"pcnet/internal/pcnet"
)

// Comuni implements pcnet.Store.
func (s *Store) Comuni(ctx context.Context, queries []pcnet.ComuneQuery) ([]pcnet.ComunePage, error) {
	// Queries of one batch often share a coverage condition (the children
	// of many parents, filtered alike), so the covered sets are shared.
	covered := make(map[pcnet.CoverageCondition][]bool)
	return batch(ctx, s, queries, func(d *data, q pcnet.ComuneQuery) pcnet.ComunePage { return d.comunePage(q, covered) })
}

func (d *data) comunePage(q pcnet.ComuneQuery, coveredSets map[pcnet.CoverageCondition][]bool) pcnet.ComunePage {
	candidates, all, used := d.comuneCandidates(q.Filter)
	keep := d.comuneChecks(q.Filter, used, coveredSets)
	perm, rank := d.perm[q.Order], d.rank[q.Order] // nil for code order

	at := func(pos int) int32 {
		if perm != nil {
			return perm[pos]
		}
		return int32(pos)
	}
	var after func(int32) bool
	if k := q.Page.After; k != nil {
		after = func(i int32) bool { return pcnet.ComuneAfter(q.Order, *k, d.comuni[i]) }
	}
	var page pager
	page.init(q.Page, after)
	switch {
	case all && len(keep) == 0:
		// Everything matches: the page is a slice of the order, from the
		// first item after the key (found by binary search).
		n := len(d.comuni)
		start := 0
		if after != nil {
			start = sort.Search(n, func(pos int) bool { return after(at(pos)) })
		}
		page.total = n
		for pos := start; pos < n && !page.CountOnly; pos++ {
			if page.full() {
				page.more = true
				break
			}
			page.items = append(page.items, at(pos))
		}
	case all:
		// Walk the whole order and keep what matches: no sorting needed.
		for pos := range d.comuni {
			i := at(pos)
			if keep.match(i) {
				page.add(i)
			}
		}
	default:
		matched := candidates[:0]
		for _, i := range candidates {
			if keep.match(i) {
				matched = append(matched, i)
			}
		}
		if rank != nil {
			slices.SortFunc(matched, func(a, b int32) int { return cmp.Compare(rank[a], rank[b]) })
		}
		for _, i := range matched {
			page.add(i)
		}
	}
	return pcnet.ComunePage{Comuni: d.comuniAt(page.items), Total: page.total, More: page.more}
}

// Comune filter fields that can pick the candidates of a query.
type comuneField int

const (
	noField comuneField = iota
	codesField
	provincesField
	regionsField
	nameField
)

// comuneCandidates narrows a Comune filter to the most selective index at
// hand: the listed codes, Provinces or regions, or the name search. It
// returns all=true when the filter uses none of them, and the field it
// used otherwise. Candidates are unique and in code order, in a slice the
// caller may reuse.
func (d *data) comuneCandidates(f pcnet.ComuneFilter) (candidates []int32, all bool, used comuneField) {
	switch {
	case len(f.Codes) > 0:
		for _, code := range f.Codes {
			if i, ok := d.comuneIndex[code]; ok {
				candidates = append(candidates, i)
			}
		}
		slices.Sort(candidates)
		return slices.Compact(candidates), false, codesField
	case len(f.ProvinceCodes) > 0:
		return union(d.comuniByProvince, f.ProvinceCodes), false, provincesField
	case len(f.RegionCodes) > 0:
		return union(d.comuniByRegion, f.RegionCodes), false, regionsField
	case f.NameContains != "":
		return d.names.search(pcnet.FoldName(f.NameContains)), false, nameField
	}
	return nil, true, noField
}

// union returns the ascending, duplicate-free union of the index lists of
// keys, in a new slice.
func union(lists map[string][]int32, keys []string) []int32 {
	var out []int32
	for _, k := range keys {
		out = append(out, lists[k]...)
	}
	if len(keys) > 1 {
		slices.Sort(out)
		out = slices.Compact(out)
	}
	return out
}

// checks are the conditions a Comune index must meet; only the fields a
// filter sets have one, so an empty filter costs nothing per Comune.
type checks []func(int32) bool

func (cs checks) match(i int32) bool {
	for _, c := range cs {
		if !c(i) {
			return false
		}
	}
	return true
}

// comuneChecks returns the checks of the fields of f, but for the field
// that picked the candidates.
func (d *data) comuneChecks(f pcnet.ComuneFilter, used comuneField, coveredSets map[pcnet.CoverageCondition][]bool) checks {
	var cs checks
	if len(f.Codes) > 0 && used != codesField {
		code := anyOf(f.Codes)
		cs = append(cs, func(i int32) bool { return code(d.comuni[i].Code) })
	}
	if len(f.ProvinceCodes) > 0 && used != provincesField {
		province := anyOf(f.ProvinceCodes)
		cs = append(cs, func(i int32) bool { return province(d.comuni[i].ProvinceCode) })
	}
	if len(f.RegionCodes) > 0 && used != regionsField {
		region := anyOf(f.RegionCodes)
		cs = append(cs, func(i int32) bool { return region(d.comuni[i].RegionCode) })
	}
	if f.NameContains != "" && used != nameField {
		needle := pcnet.FoldName(f.NameContains)
		cs = append(cs, func(i int32) bool { return d.names.contain(i, needle) })
	}
	if f.MinPopulation != nil {
		least := *f.MinPopulation
		cs = append(cs, func(i int32) bool { return d.comuni[i].Population >= least })
	}
	if f.MaxPopulation != nil {
		most := *f.MaxPopulation
		cs = append(cs, func(i int32) bool { return d.comuni[i].Population <= most })
	}
	if f.Small != nil {
		small := *f.Small
		cs = append(cs, func(i int32) bool { return d.comuni[i].Small() == small })
	}
	if f.Capital != nil {
		capital := *f.Capital
		cs = append(cs, func(i int32) bool { return d.comuni[i].Capital == capital })
	}
	retired := f.Retired != nil && *f.Retired
	if retired || d.anyRetired {
		cs = append(cs, func(i int32) bool { return d.comuni[i].Retired == retired })
	}
	if f.Coverage != nil {
		covered, ok := coveredSets[*f.Coverage]
		if !ok {
			covered = d.covered(*f.Coverage)
			coveredSets[*f.Coverage] = covered
		}
		want := f.Coverage.Covered
		cs = append(cs, func(i int32) bool { return covered[i] == want })
	}
	return cs
}

// covered returns, for every Comune index, whether some coverage of a
// service in the condition's sector or area is active on its date. With
// both a sector and an area, the service must be in both.
func (d *data) covered(cond pcnet.CoverageCondition) []bool {
	var services []int32
	switch {
	case cond.AreaCode != "":
		services = d.servicesByArea[cond.AreaCode]
	case cond.SectorCode != "":
		services = d.servicesBySector[cond.SectorCode]
	}
	covered := make([]bool, len(d.comuni))
	for _, si := range services {
		sv := &d.services[si]
		if cond.SectorCode != "" && d.areaSector[sv.AreaCode] != cond.SectorCode {
			continue
		}
		for _, ci := range d.serviceCoverages[si] {
			if d.coverages[ci].Period().ActiveOn(cond.AsOf) {
				covered[d.coverageComune[ci]] = true
			}
		}
	}
	return covered
}

// comuniAt returns copies of the Comuni at the given indexes.
func (d *data) comuniAt(indexes []int32) []pcnet.Comune {
	picked := make([]pcnet.Comune, len(indexes))
	for k, i := range indexes {
		picked[k] = d.comuni[i]
	}
	ownCoordinates(picked)
	return picked
}

// Coverages implements pcnet.Store.
func (s *Store) Coverages(ctx context.Context, queries []pcnet.CoverageQuery) ([]pcnet.CoveragePage, error) {
	return batch(ctx, s, queries, (*data).coveragePage)
}

func (d *data) coveragePage(q pcnet.CoverageQuery) pcnet.CoveragePage {
	f := q.Filter
	service, comune, phase := anyOf(f.ServiceIDs), anyOf(f.ComuneCodes), anyOf(f.Phases)
	keep := func(i int32) bool {
		c := &d.coverages[i]
		return service(c.ServiceID) && comune(c.ComuneCode) && phase(c.Phase) &&
			(f.ActiveOn.IsZero() || c.Period().ActiveOn(f.ActiveOn))
	}
	var after func(int32) bool
	if k := q.Page.After; k != nil {
		after = func(i int32) bool { return pcnet.CoverageAfter(*k, d.coverages[i]) }
	}
	var page pager
	page.init(q.Page, after)
	if candidates, all := d.coverageCandidates(f); all {
		for _, slots := range d.serviceCoverages { // services are in ID order
			for _, i := range slots {
				if keep(i) {
					page.add(i)
				}
			}
		}
	} else {
		for _, i := range candidates {
			if keep(i) {
				page.add(i)
			}
		}
	}
	items := make([]pcnet.Coverage, len(page.items))
	for k, i := range page.items {
		items[k] = d.coverages[i]
	}
	return pcnet.CoveragePage{Coverages: items, Total: page.total, More: page.more}
}

// coverageCandidates narrows a coverage filter to the coverages of the
// listed services or Comuni, whichever are fewer; all=true when it lists
// neither. Candidates are unique and in store order.
func (d *data) coverageCandidates(f pcnet.CoverageFilter) (candidates []int32, all bool) {
	if len(f.ServiceIDs) == 0 && len(f.ComuneCodes) == 0 {
		return nil, true
	}
	var services []int
	byService := 0
	for _, id := range f.ServiceIDs {
		if si, ok := d.serviceIndex(id); ok {
			services = append(services, si)
			byService += len(d.serviceCoverages[si])
		}
	}
	byComune := 0
	for _, code := range f.ComuneCodes {
		byComune += len(d.comuneCoverages(code))
	}
	if len(f.ServiceIDs) == 0 || (len(f.ComuneCodes) > 0 && byComune < byService) {
		var out []int32
		for _, code := range f.ComuneCodes {
			out = append(out, d.comuneCoverages(code)...)
		}
		if len(f.ComuneCodes) > 1 {
			// Slots are not in store order across Comuni.
			slices.SortFunc(out, d.compareSlots)
			out = slices.Compact(out)
		}
		return out, false
	}
	// Services in index order put their coverages in store order.
	slices.Sort(services)
	services = slices.Compact(services)
	candidates = make([]int32, 0, byService)
	for _, si := range services {
		candidates = append(candidates, d.serviceCoverages[si]...)
	}
	return candidates, false
}

// pager keeps the items of an ordered stream that fall in a page, and
// counts them all.
type pager struct {
	pcnet.Page
	after func(int32) bool // nil: from the start
	total int
	items []int32
	more  bool // items after the page match
}

func (p *pager) init(page pcnet.Page, after func(int32) bool) {
	p.Page, p.after = page, after
}

// full reports whether the page holds its limit.
func (p *pager) full() bool { return p.Limit > 0 && len(p.items) >= p.Limit }

// add offers the next matching item, in the list's order: every one
// counts in the total, the page keeps those after the key up to the limit.
func (p *pager) add(i int32) {
	p.total++
	if p.CountOnly || (p.after != nil && !p.after(i)) {
		return
	}
	if p.full() {
		p.more = true
		return
	}
	p.items = append(p.items, i)
}
