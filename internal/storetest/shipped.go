package storetest

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"pcnet/internal/pcnet"
)

// RunShipped checks a store loaded with ds, a full dataset (the shipped one,
// or Synthetic()), against figures the suite computes from ds directly. It
// keeps the number of round trips small: per-region and per-Province counts
// go in one batch each, and lists are paged 1,000 at a time.
func RunShipped(t *testing.T, s pcnet.Store, ds pcnet.Dataset) {
	if err := ds.Validate(); err != nil {
		t.Fatalf("the dataset itself is invalid: %v", err)
	}
	x := computeFigures(ds)
	t.Run("Regions", func(t *testing.T) { shippedRegions(t, s, x) })
	t.Run("Provinces", func(t *testing.T) { shippedProvinces(t, s, x) })
	t.Run("ComuniCounts", func(t *testing.T) { shippedComuniCounts(t, s, x) })
	t.Run("ComuniPaging", func(t *testing.T) { shippedComuniPaging(t, s, x) })
	t.Run("ComuniNameSearch", func(t *testing.T) { shippedNameSearch(t, s, x) })
	t.Run("ComuniCoverage", func(t *testing.T) { shippedCoverageCondition(t, s, x) })
	t.Run("Sectors", func(t *testing.T) { shippedSectors(t, s, x) })
	t.Run("Services", func(t *testing.T) { shippedServices(t, s, x) })
	t.Run("Coverages", func(t *testing.T) { shippedCoverages(t, s, x) })
	t.Run("Tutorships", func(t *testing.T) { shippedTutorships(t, s, x) })
	t.Run("ProjectWorks", func(t *testing.T) { shippedProjectWorks(t, s, x) })
}

// figures is ds sorted in the store orders, and its lookups, computed here
// independently of any store.
type figures struct {
	ds           pcnet.Dataset
	regions      []pcnet.Region
	provinces    []pcnet.Province
	comuni       []pcnet.Comune // by code
	sectors      []pcnet.Sector
	services     []pcnet.SharedService
	coverages    []pcnet.Coverage
	tutorships   []pcnet.Tutorship
	projectWorks []pcnet.ProjectWork
	areaSector   map[string]string
	service      map[string]pcnet.SharedService
}

func computeFigures(ds pcnet.Dataset) *figures {
	x := &figures{
		ds:           ds,
		regions:      slices.Clone(ds.Regions),
		provinces:    slices.Clone(ds.Provinces),
		comuni:       slices.Clone(ds.Comuni),
		services:     slices.Clone(ds.Services),
		coverages:    slices.Clone(ds.Coverages),
		tutorships:   slices.Clone(ds.Tutorships),
		projectWorks: slices.Clone(ds.ProjectWorks),
		areaSector:   make(map[string]string),
		service:      make(map[string]pcnet.SharedService),
	}
	slices.SortFunc(x.regions, func(a, b pcnet.Region) int { return strings.Compare(a.Code, b.Code) })
	slices.SortFunc(x.provinces, func(a, b pcnet.Province) int { return strings.Compare(a.Code, b.Code) })
	slices.SortFunc(x.comuni, func(a, b pcnet.Comune) int { return strings.Compare(a.Code, b.Code) })
	for _, s := range ds.Sectors {
		s.Areas = slices.Clone(s.Areas)
		slices.SortFunc(s.Areas, func(a, b pcnet.Area) int { return strings.Compare(a.Code, b.Code) })
		for _, a := range s.Areas {
			x.areaSector[a.Code] = s.Code
		}
		x.sectors = append(x.sectors, s)
	}
	slices.SortFunc(x.sectors, func(a, b pcnet.Sector) int { return strings.Compare(a.Code, b.Code) })
	slices.SortFunc(x.services, func(a, b pcnet.SharedService) int { return strings.Compare(a.ID, b.ID) })
	for _, s := range ds.Services {
		x.service[s.ID] = s
	}
	slices.SortFunc(x.coverages, func(a, b pcnet.Coverage) int {
		return cmp.Or(strings.Compare(a.ServiceID, b.ServiceID), strings.Compare(a.ComuneCode, b.ComuneCode), a.Since.Compare(b.Since))
	})
	slices.SortFunc(x.tutorships, func(a, b pcnet.Tutorship) int {
		return cmp.Or(strings.Compare(a.SectorCode, b.SectorCode), strings.Compare(a.TutorCode, b.TutorCode),
			strings.Compare(a.TutoredCode, b.TutoredCode), a.Since.Compare(b.Since))
	})
	slices.SortFunc(x.projectWorks, func(a, b pcnet.ProjectWork) int { return strings.Compare(a.ID, b.ID) })
	return x
}

// comuniWhere returns the codes of the Comuni that keep keeps, in code order.
func (x *figures) comuniWhere(keep func(pcnet.Comune) bool) []string {
	var out []string
	for _, c := range x.comuni {
		if keep(c) {
			out = append(out, c.Code)
		}
	}
	return out
}

// coveredOn returns the set of Comuni covered on day by a service that
// inSector accepts.
func (x *figures) coveredOn(day pcnet.Date, inScope func(pcnet.SharedService) bool) map[string]bool {
	covered := make(map[string]bool)
	for _, c := range x.coverages {
		if inScope(x.service[c.ServiceID]) && c.Period().ActiveOn(day) {
			covered[c.ComuneCode] = true
		}
	}
	return covered
}

// sampleDates returns dates that exercise the coverage periods of ds: the
// first and last start date, a day before the first, and the middle.
func (x *figures) sampleDates() []pcnet.Date {
	if len(x.coverages) == 0 {
		return []pcnet.Date{pcnet.MustDate("2024-01-01")}
	}
	first, last := x.coverages[0].Since, x.coverages[0].Since
	for _, c := range x.coverages {
		if c.Since.Before(first) {
			first = c.Since
		}
		if c.Since.After(last) {
			last = c.Since
		}
	}
	days := int(last.Time().Sub(first.Time()).Hours() / 24)
	middle := pcnet.DateOf(first.Time().AddDate(0, 0, days/2))
	before := pcnet.DateOf(first.Time().AddDate(0, 0, -1))
	return []pcnet.Date{before, first, middle, last}
}

// checkAll lists every item (list of the filter that selects all) and
// compares the list, whole and in order, with want: nil and empty alike.
func checkAll[F, T any](t *testing.T, what string, list func(context.Context, F) ([]T, error), all F, want []T) {
	t.Helper()
	got, err := list(context.Background(), all)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(got, want) || (len(got) == 0 && len(want) == 0) {
		return
	}
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s: position %d of %d:\n got  %+v\n want %+v", what, i, len(want), got[i], want[i])
			return
		}
	}
	t.Errorf("%s: %d items, want %d", what, len(got), len(want))
}

// checkSubset lists the items of filter f and compares their keys, in
// order, with those of the items of all that keep selects.
func checkSubset[F, T any](t *testing.T, what string, list func(context.Context, F) ([]T, error), f F, key func(T) string, all []T, keep func(T) bool) {
	t.Helper()
	got, err := list(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, it := range all {
		if keep(it) {
			want = append(want, key(it))
		}
	}
	if keys := mapSlice(got, key); !slices.Equal(keys, want) {
		t.Errorf("%s: %s", what, firstDifference(keys, want))
	}
}

func shippedRegions(t *testing.T, s pcnet.Store, x *figures) {
	checkAll(t, "regions", s.Regions, nil, x.regions)
}

func shippedProvinces(t *testing.T, s pcnet.Store, x *figures) {
	checkAll(t, "provinces", s.Provinces, pcnet.ProvinceFilter{}, x.provinces)
	for _, r := range x.regions {
		checkSubset(t, "provinces of region "+r.Code, s.Provinces, pcnet.ProvinceFilter{RegionCodes: []string{r.Code}}, provinceCode,
			x.provinces, func(p pcnet.Province) bool { return p.RegionCode == r.Code })
	}
}

// countCase is a CountOnly Comuni query and the count expected.
type countCase struct {
	name   string
	filter pcnet.ComuneFilter
	want   int
}

func runCounts(t *testing.T, s pcnet.Store, cases []countCase) {
	t.Helper()
	queries := make([]pcnet.ComuneQuery, len(cases))
	for i, c := range cases {
		queries[i] = pcnet.ComuneQuery{Filter: c.filter, Page: pcnet.Page{CountOnly: true}}
	}
	pages, err := s.Comuni(context.Background(), queries)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != len(cases) {
		t.Fatalf("got %d pages for %d queries", len(pages), len(cases))
	}
	for i, c := range cases {
		if pages[i].Total != c.want || len(pages[i].Comuni) != 0 {
			t.Errorf("%s: total %d with %d items, want total %d and no items", c.name, pages[i].Total, len(pages[i].Comuni), c.want)
		}
	}
}

func shippedComuniCounts(t *testing.T, s pcnet.Store, x *figures) {
	count := func(keep func(pcnet.Comune) bool) int { return len(x.comuniWhere(keep)) }
	cases := []countCase{
		{"all", pcnet.ComuneFilter{}, len(x.comuni)},
		{"small", pcnet.ComuneFilter{Small: boolp(true)}, count(func(c pcnet.Comune) bool { return c.Population < pcnet.SmallComuneThreshold })},
		{"not small", pcnet.ComuneFilter{Small: boolp(false)}, count(func(c pcnet.Comune) bool { return c.Population >= pcnet.SmallComuneThreshold })},
		{"capital", pcnet.ComuneFilter{Capital: boolp(true)}, count(func(c pcnet.Comune) bool { return c.Capital })},
		{"10,000 to 20,000", pcnet.ComuneFilter{MinPopulation: intp(10000), MaxPopulation: intp(20000)}, count(func(c pcnet.Comune) bool { return c.Population >= 10000 && c.Population <= 20000 })},
	}
	for _, r := range x.regions {
		cases = append(cases, countCase{"region " + r.Code, pcnet.ComuneFilter{RegionCodes: []string{r.Code}},
			count(func(c pcnet.Comune) bool { return c.RegionCode == r.Code })})
		cases = append(cases, countCase{"small in region " + r.Code, pcnet.ComuneFilter{RegionCodes: []string{r.Code}, Small: boolp(true)},
			count(func(c pcnet.Comune) bool { return c.RegionCode == r.Code && c.Small() })})
	}
	for _, r := range x.regions {
		// The region's Provinces listed backwards and twice: "any of".
		var provinces []string
		for _, p := range slices.Backward(x.provinces) {
			if p.RegionCode == r.Code {
				provinces = append(provinces, p.Code, p.Code)
			}
		}
		cases = append(cases, countCase{"provinces of region " + r.Code, pcnet.ComuneFilter{ProvinceCodes: provinces},
			count(func(c pcnet.Comune) bool { return c.RegionCode == r.Code })})
	}
	for _, p := range x.provinces {
		cases = append(cases, countCase{"province " + p.Code, pcnet.ComuneFilter{ProvinceCodes: []string{p.Code}},
			count(func(c pcnet.Comune) bool { return c.ProvinceCode == p.Code })})
	}
	runCounts(t, s, cases)
}

// pageAll fetches every Comune matching f in order o, 1,000 at a time.
func pageAll(t *testing.T, s pcnet.Store, f pcnet.ComuneFilter, o pcnet.ComuneOrder) []pcnet.Comune {
	t.Helper()
	var all []pcnet.Comune
	page := pcnet.Page{Limit: pcnet.MaxPageSize}
	for n := 0; ; n++ {
		pages, err := s.Comuni(context.Background(), []pcnet.ComuneQuery{{Filter: f, Order: o, Page: page}})
		if err != nil {
			t.Fatal(err)
		}
		p := pages[0]
		all = append(all, p.Comuni...)
		if len(p.Comuni) > pcnet.MaxPageSize {
			t.Fatalf("page %d has %d items, more than its limit", n, len(p.Comuni))
		}
		if !p.More || len(p.Comuni) == 0 || n > p.Total {
			if len(all) != p.Total || p.More {
				t.Errorf("paged through %d comuni (more: %v), total says %d", len(all), p.More, p.Total)
			}
			return all
		}
		k := pcnet.ComuneKey(o, p.Comuni[len(p.Comuni)-1])
		page.After = &k
	}
}

func shippedComuniPaging(t *testing.T, s pcnet.Store, x *figures) {
	t.Run("by code, every field", func(t *testing.T) {
		got := pageAll(t, s, pcnet.ComuneFilter{}, pcnet.ComuneByCode)
		seen := make(map[string]int)
		for _, c := range got {
			seen[c.Code]++
		}
		for _, c := range x.comuni {
			if seen[c.Code] != 1 {
				t.Errorf("comune %s listed %d times", c.Code, seen[c.Code])
			}
		}
		if len(got) != len(x.comuni) {
			t.Fatalf("got %d comuni, want %d", len(got), len(x.comuni))
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], x.comuni[i]) {
				t.Errorf("comune %d:\n got  %s\n want %s", i, show(got[i]), show(x.comuni[i]))
			}
		}
	})
	orders := []struct {
		order   pcnet.ComuneOrder
		compare func(a, b pcnet.Comune) int
	}{
		{pcnet.ComuneByName, func(a, b pcnet.Comune) int { return strings.Compare(a.Name, b.Name) }},
		{pcnet.ComuneByPopulationDesc, func(a, b pcnet.Comune) int { return cmp.Compare(b.Population, a.Population) }},
		{pcnet.ComuneByPopulationAsc, func(a, b pcnet.Comune) int { return cmp.Compare(a.Population, b.Population) }},
	}
	for _, o := range orders {
		t.Run(string(o.order), func(t *testing.T) {
			want := slices.Clone(x.comuni)
			slices.SortStableFunc(want, o.compare) // stable on code order: ties by code
			got := pageAll(t, s, pcnet.ComuneFilter{}, o.order)
			if g, w := mapSlice(got, comuneCode), mapSlice(want, comuneCode); !slices.Equal(g, w) {
				t.Errorf("%s order differs from the first difference on: %s", o.order, firstDifference(g, w))
			}
		})
	}
	t.Run("name order in each region", func(t *testing.T) {
		queries := make([]pcnet.ComuneQuery, len(x.regions))
		byName := make([][]pcnet.Comune, len(x.regions)) // each region's Comuni by name, then code
		for i, r := range x.regions {
			// After the region's tenth Comune by name (then code).
			var in []pcnet.Comune
			for _, c := range x.comuni {
				if c.RegionCode == r.Code {
					in = append(in, c)
				}
			}
			slices.SortStableFunc(in, func(a, b pcnet.Comune) int { return strings.Compare(a.Name, b.Name) })
			byName[i] = in
			k := pcnet.ComuneKey(pcnet.ComuneByName, in[min(9, len(in)-1)])
			queries[i] = pcnet.ComuneQuery{Filter: pcnet.ComuneFilter{RegionCodes: []string{r.Code}}, Order: pcnet.ComuneByName, Page: pcnet.Page{After: &k, Limit: 20}}
		}
		pages, err := s.Comuni(context.Background(), queries)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range x.regions {
			want := mapSlice(byName[i], comuneCode)
			total := len(want)
			want = want[min(10, len(want)):min(30, len(want))]
			if got := mapSlice(pages[i].Comuni, comuneCode); !slices.Equal(got, want) || pages[i].Total != total {
				t.Errorf("region %s: got %v (total %d), want %v (total %d)", r.Code, got, pages[i].Total, want, total)
			}
		}
	})
}

func firstDifference(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("position %d: got %v, want %v", i, got[i:min(i+5, len(got))], want[i:min(i+5, len(want))])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(got), len(want))
}

func shippedNameSearch(t *testing.T, s pcnet.Store, x *figures) {
	// Needles: upper-cased names of a sample of Comuni (accented capitals
	// included), the other-language names of bilingual ones, and a few
	// fragments.
	needles := []string{"san", "sant'", "ù", "monte", "zz", "a", "/", "nope-nope"}
	step := max(len(x.comuni)/40, 1)
	for i := 0; i < len(x.comuni); i += step {
		needles = append(needles, strings.ToUpper(x.comuni[i].Name))
	}
	bilingual := 0
	for _, c := range x.comuni {
		if c.NameOther != "" && bilingual < 10 {
			needles = append(needles, c.NameOther, strings.ToUpper(c.NameItalian))
			bilingual++
		}
	}
	queries := make([]pcnet.ComuneQuery, len(needles))
	for i, n := range needles {
		queries[i] = pcnet.ComuneQuery{Filter: pcnet.ComuneFilter{NameContains: n}, Page: pcnet.Page{Limit: pcnet.MaxPageSize}}
	}
	pages, err := s.Comuni(context.Background(), queries)
	if err != nil {
		t.Fatal(err)
	}
	folded := make(map[string][3]string, len(x.comuni))
	for _, c := range x.comuni {
		folded[c.Code] = [3]string{pcnet.FoldName(c.Name), pcnet.FoldName(c.NameItalian), pcnet.FoldName(c.NameOther)}
	}
	for i, n := range needles {
		needle := pcnet.FoldName(n)
		want := x.comuniWhere(func(c pcnet.Comune) bool {
			names := folded[c.Code]
			return strings.Contains(names[0], needle) || strings.Contains(names[1], needle) || strings.Contains(names[2], needle)
		})
		total := len(want)
		want = want[:min(len(want), pcnet.MaxPageSize)]
		if got := mapSlice(pages[i].Comuni, comuneCode); !slices.Equal(got, want) || pages[i].Total != total {
			t.Errorf("name contains %q: got %d (total %d), want %d (total %d); %s", n, len(got), pages[i].Total, len(want), total, firstDifference(got, want))
		}
	}
}

func shippedCoverageCondition(t *testing.T, s pcnet.Store, x *figures) {
	type scope struct {
		sector, area string
		in           func(pcnet.SharedService) bool
	}
	var scopes []scope
	for _, sec := range x.sectors {
		scopes = append(scopes, scope{sec.Code, "", func(sv pcnet.SharedService) bool { return x.areaSector[sv.AreaCode] == sec.Code }})
		for _, a := range sec.Areas {
			scopes = append(scopes, scope{"", a.Code, func(sv pcnet.SharedService) bool { return sv.AreaCode == a.Code }})
		}
	}
	var cases []countCase
	var lists []struct {
		cond pcnet.CoverageCondition
		want []string
	}
	for _, sc := range scopes {
		for _, day := range x.sampleDates() {
			covered := x.coveredOn(day, sc.in)
			name := fmt.Sprintf("sector %q area %q on %s", sc.sector, sc.area, day)
			cond := pcnet.CoverageCondition{SectorCode: sc.sector, AreaCode: sc.area, AsOf: day, Covered: true}
			cases = append(cases, countCase{"covered in " + name, pcnet.ComuneFilter{Coverage: &cond}, len(covered)})
			notCond := cond
			notCond.Covered = false
			cases = append(cases, countCase{"not covered in " + name, pcnet.ComuneFilter{Coverage: &notCond}, len(x.comuni) - len(covered)})
			smallCovered := x.comuniWhere(func(c pcnet.Comune) bool { return c.Small() && covered[c.Code] })
			cases = append(cases, countCase{"small covered in " + name, pcnet.ComuneFilter{Small: boolp(true), Coverage: &cond}, len(smallCovered)})
			lists = append(lists, struct {
				cond pcnet.CoverageCondition
				want []string
			}{cond, x.comuniWhere(func(c pcnet.Comune) bool { return covered[c.Code] })})
		}
	}
	runCounts(t, s, cases)

	// The covered Comuni themselves, for the sectors only (one page each).
	queries := make([]pcnet.ComuneQuery, len(lists))
	for i, l := range lists {
		queries[i] = pcnet.ComuneQuery{Filter: pcnet.ComuneFilter{Coverage: &l.cond}, Page: pcnet.Page{Limit: pcnet.MaxPageSize}}
	}
	pages, err := s.Comuni(context.Background(), queries)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range lists {
		want := l.want[:min(len(l.want), pcnet.MaxPageSize)]
		if got := mapSlice(pages[i].Comuni, comuneCode); !slices.Equal(got, want) {
			t.Errorf("covered in %+v: %s", l.cond, firstDifference(got, want))
		}
	}
}

func shippedSectors(t *testing.T, s pcnet.Store, x *figures) {
	got, err := s.Sectors(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !equalSectors(got, x.sectors) {
		t.Errorf("sectors:\n got  %+v\n want %+v", got, x.sectors)
	}
}

func shippedServices(t *testing.T, s pcnet.Store, x *figures) {
	checkAll(t, "services", s.Services, pcnet.ServiceFilter{}, x.services)
	region := make(map[string]string)
	for _, p := range x.provinces {
		region[p.Code] = p.RegionCode
	}
	for _, sec := range x.sectors {
		checkSubset(t, "services in sector "+sec.Code, s.Services, pcnet.ServiceFilter{SectorCodes: []string{sec.Code}}, serviceID,
			x.services, func(sv pcnet.SharedService) bool { return x.areaSector[sv.AreaCode] == sec.Code })
	}
	for _, r := range x.regions {
		checkSubset(t, "services in region "+r.Code, s.Services, pcnet.ServiceFilter{RegionCodes: []string{r.Code}}, serviceID,
			x.services, func(sv pcnet.SharedService) bool { return region[sv.ProviderCode] == r.Code })
	}
}

func shippedCoverages(t *testing.T, s pcnet.Store, x *figures) {
	ctx := context.Background()
	t.Run("all, paged", func(t *testing.T) {
		var got []pcnet.Coverage
		page := pcnet.Page{Limit: pcnet.MaxPageSize}
		for n := 0; ; n++ {
			pages, err := s.Coverages(ctx, []pcnet.CoverageQuery{{Page: page}})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, pages[0].Coverages...)
			if pages[0].Total != len(x.coverages) {
				t.Fatalf("total %d, want %d", pages[0].Total, len(x.coverages))
			}
			if !pages[0].More || len(pages[0].Coverages) == 0 || n > pages[0].Total {
				break
			}
			k := pcnet.CoverageKey(pages[0].Coverages[len(pages[0].Coverages)-1])
			page.After = &k
		}
		if !reflect.DeepEqual(got, x.coverages) && (len(got) != 0 || len(x.coverages) != 0) {
			t.Errorf("coverages: %s", firstDifference(mapSlice(got, coverageKey), mapSlice(x.coverages, coverageKey)))
		}
	})
	t.Run("every service listed, backwards and twice", func(t *testing.T) {
		var ids []string
		for _, sv := range slices.Backward(x.services) {
			ids = append(ids, sv.ID, sv.ID)
		}
		pages, err := s.Coverages(ctx, []pcnet.CoverageQuery{{Filter: pcnet.CoverageFilter{ServiceIDs: ids}, Page: pcnet.Page{Limit: pcnet.MaxPageSize}}})
		if err != nil {
			t.Fatal(err)
		}
		want := mapSlice(x.coverages[:min(len(x.coverages), pcnet.MaxPageSize)], coverageKey)
		if got := mapSlice(pages[0].Coverages, coverageKey); !slices.Equal(got, want) || pages[0].Total != len(x.coverages) {
			t.Errorf("total %d, want %d; %s", pages[0].Total, len(x.coverages), firstDifference(got, want))
		}
	})
	t.Run("per service", func(t *testing.T) {
		queries := make([]pcnet.CoverageQuery, len(x.services))
		for i, sv := range x.services {
			queries[i] = pcnet.CoverageQuery{Filter: pcnet.CoverageFilter{ServiceIDs: []string{sv.ID}}, Page: pcnet.Page{Limit: 5}}
		}
		pages, err := s.Coverages(ctx, queries)
		if err != nil {
			t.Fatal(err)
		}
		if len(pages) != len(queries) {
			t.Fatalf("got %d pages for %d queries", len(pages), len(queries))
		}
		for i, sv := range x.services {
			var want []string
			for _, c := range x.coverages {
				if c.ServiceID == sv.ID {
					want = append(want, coverageKey(c))
				}
			}
			total := len(want)
			want = want[:min(5, len(want))]
			if got := mapSlice(pages[i].Coverages, coverageKey); !slices.Equal(got, want) || pages[i].Total != total {
				t.Errorf("service %s: got %v (total %d), want %v (total %d)", sv.ID, got, pages[i].Total, want, total)
			}
		}
	})
	t.Run("active on", func(t *testing.T) {
		days := x.sampleDates()
		queries := make([]pcnet.CoverageQuery, len(days))
		for i, d := range days {
			queries[i] = pcnet.CoverageQuery{Filter: pcnet.CoverageFilter{ActiveOn: d}, Page: pcnet.Page{CountOnly: true}}
		}
		pages, err := s.Coverages(ctx, queries)
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range days {
			want := 0
			for _, c := range x.coverages {
				if c.Period().ActiveOn(d) {
					want++
				}
			}
			if pages[i].Total != want {
				t.Errorf("active on %s: total %d, want %d", d, pages[i].Total, want)
			}
		}
	})
}

func shippedTutorships(t *testing.T, s pcnet.Store, x *figures) {
	checkAll(t, "tutorships", s.Tutorships, pcnet.TutorshipFilter{}, x.tutorships)
	for _, day := range x.sampleDates() {
		checkSubset(t, "tutorships active on "+day.String(), s.Tutorships, pcnet.TutorshipFilter{ActiveOn: day}, tutorshipKey,
			x.tutorships, func(tu pcnet.Tutorship) bool { return tu.Period().ActiveOn(day) })
	}
}

func shippedProjectWorks(t *testing.T, s pcnet.Store, x *figures) {
	checkAll(t, "project works", s.ProjectWorks, pcnet.ProjectWorkFilter{}, x.projectWorks)
}

func mapSlice[T any](items []T, f func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = f(it)
	}
	return out
}

// equalSectors compares sector lists, taking nil and empty area lists alike.
func equalSectors(a, b []pcnet.Sector) bool {
	return slices.EqualFunc(a, b, func(x, y pcnet.Sector) bool {
		return x.Code == y.Code && x.Name == y.Name && x.Description == y.Description && slices.Equal(x.Areas, y.Areas)
	})
}
