// Package storetest is the conformance suite of pcnet.Store: every store
// implementation runs it, so they all give the same answers.
//
// [Run] checks a store opened on the hand-made [Fixture], against answers
// worked out by hand. [RunShipped] checks a store loaded with a full
// dataset against figures the suite computes from the dataset itself.
//
// Beyond what store.go documents, the suite pins down these contract
// details:
//   - Names order byte-wise (Go string comparison of the UTF-8 Name, which
//     is Unicode code-point order): "Forlimpopoli" < "Forlì", and
//     "Sant'Angelo" < "Santa Sofia" < "Sant’Angelo". No collation, no case
//     folding. Ties are broken by code.
//   - The zero ComuneOrder ("") is code order.
//   - A value listed twice in a filter list selects its items once.
//   - Combined filter fields are ANDed; unknown codes match nothing.
//   - A CoverageCondition with an unknown sector or area covers nothing, so
//     Covered: false keeps every Comune the rest of the filter keeps.
//   - NameContains is folded with pcnet.FoldName like the names, and a match
//     lies within one name: it never spans two Comuni, nor a Comune's
//     Italian and other names.
//   - A Comune covered by several coverages is listed once.
//   - ProjectWorkFilter.ServiceIDs never matches a project work without a
//     service.
//   - A Comune's coordinates come back exactly as loaded; nil stays nil.
//   - Empty results may be nil or empty slices; totals are 0.
//   - Every method fails when its context is already cancelled.
//   - Results belong to the caller: changing them changes nothing in the store.
//   - A retired Comune (pcnet.Comune.Retired) is listed only by a filter
//     with Retired true, and counts in no summary, reach base or covered
//     figure, nor as a nearest capital ([RunRetired]).
package storetest

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"pcnet/internal/pcnet"
)

// Run runs the conformance suite. open must return a store holding exactly
// ds (for Neo4j: ds imported into a clean database) and clean it up when t
// ends. Run opens two stores: one on Fixture() and one on an empty dataset.
func Run(t *testing.T, open func(t *testing.T, ds pcnet.Dataset) pcnet.Store) {
	fx := Fixture()
	if err := fx.Validate(); err != nil {
		t.Fatalf("the fixture itself is invalid: %v", err)
	}
	s := open(t, Fixture())
	want := newExpect(Fixture())

	t.Run("Regions", func(t *testing.T) { testRegions(t, s, want) })
	t.Run("Provinces", func(t *testing.T) { testProvinces(t, s, want) })
	t.Run("Comuni", func(t *testing.T) { testComuni(t, s, want) })
	t.Run("Sectors", func(t *testing.T) { testSectors(t, s) })
	t.Run("Services", func(t *testing.T) { testServices(t, s, want) })
	t.Run("Coverages", func(t *testing.T) { testCoverages(t, s, want) })
	t.Run("Tutorships", func(t *testing.T) { testTutorships(t, s, want) })
	t.Run("ProjectWorks", func(t *testing.T) { testProjectWorks(t, s, want) })
	t.Run("ResultsAreCopies", func(t *testing.T) { testResultsAreCopies(t, s, want) })
	t.Run("CancelledContext", func(t *testing.T) { testCancelledContext(t, s) })
	t.Run("EmptyDataset", func(t *testing.T) { testEmptyDataset(t, open(t, pcnet.Dataset{})) })
}

// expect looks up the fixture's items by key, to check every field of what
// a store returns.
type expect struct {
	regions      map[string]pcnet.Region
	provinces    map[string]pcnet.Province
	comuni       map[string]pcnet.Comune
	services     map[string]pcnet.SharedService
	coverages    map[string]pcnet.Coverage
	tutorships   map[string]pcnet.Tutorship
	projectWorks map[string]pcnet.ProjectWork
}

func newExpect(ds pcnet.Dataset) *expect {
	e := &expect{
		regions:      keyed(ds.Regions, func(r pcnet.Region) string { return r.Code }),
		provinces:    keyed(ds.Provinces, func(p pcnet.Province) string { return p.Code }),
		comuni:       keyed(ds.Comuni, func(c pcnet.Comune) string { return c.Code }),
		services:     keyed(ds.Services, func(s pcnet.SharedService) string { return s.ID }),
		coverages:    keyed(ds.Coverages, coverageKey),
		tutorships:   keyed(ds.Tutorships, tutorshipKey),
		projectWorks: keyed(ds.ProjectWorks, func(w pcnet.ProjectWork) string { return w.ID }),
	}
	return e
}

func keyed[T any](items []T, key func(T) string) map[string]T {
	m := make(map[string]T, len(items))
	for _, it := range items {
		m[key(it)] = it
	}
	return m
}

// coverageKey names a coverage in expectations: "service comune since".
func coverageKey(c pcnet.Coverage) string {
	return c.ServiceID + " " + c.ComuneCode + " " + c.Since.String()
}

// tutorshipKey names a tutorship in expectations: "sector tutor>tutored since".
func tutorshipKey(t pcnet.Tutorship) string {
	return t.SectorCode + " " + t.TutorCode + ">" + t.TutoredCode + " " + t.Since.String()
}

// checkItems checks that got lists the items named by want, in that order,
// and that each equals the fixture's item field by field.
func checkItems[T any](t *testing.T, what string, got []T, key func(T) string, fixture map[string]T, want []string) {
	t.Helper()
	keys := make([]string, len(got))
	for i, it := range got {
		keys[i] = key(it)
	}
	if !slices.Equal(keys, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, keys, want)
		return
	}
	for _, it := range got {
		if exp, ok := fixture[key(it)]; !ok || !reflect.DeepEqual(it, exp) {
			t.Errorf("%s: item %s:\n got  %s\n want %s", what, key(it), show(it), show(exp))
		}
	}
}

// show formats an item, following the coordinate pointers of a Comune.
func show(v any) string {
	if c, ok := v.(pcnet.Comune); ok {
		lat, lon := "nil", "nil"
		if c.Latitude != nil {
			lat = fmt.Sprint(*c.Latitude)
		}
		if c.Longitude != nil {
			lon = fmt.Sprint(*c.Longitude)
		}
		c.Latitude, c.Longitude = nil, nil
		return fmt.Sprintf("%+v lat=%s lon=%s", c, lat, lon)
	}
	return fmt.Sprintf("%+v", v)
}

func comuneCode(c pcnet.Comune) string     { return c.Code }
func regionCode(r pcnet.Region) string     { return r.Code }
func provinceCode(p pcnet.Province) string { return p.Code }
func serviceID(s pcnet.SharedService) string {
	return s.ID
}
func projectWorkID(w pcnet.ProjectWork) string { return w.ID }

func intp(n int) *int    { return &n }
func boolp(b bool) *bool { return &b }

// except returns the codes of all that are not in drop, in order.
func except(all []string, drop ...string) []string {
	var out []string
	for _, c := range all {
		if !slices.Contains(drop, c) {
			out = append(out, c)
		}
	}
	return out
}

func testRegions(t *testing.T, s pcnet.Store, want *expect) {
	all := []string{"03", "04", "08", "15", "20"}
	tests := []filterCase[[]string]{
		{"nil lists all", nil, all},
		{"empty lists all", []string{}, all},
		{"listed, in code order", []string{"15", "03"}, []string{"03", "15"}},
		{"region without provinces", []string{"20"}, []string{"20"}},
		{"duplicates once", []string{"03", "03"}, []string{"03"}},
		{"unknown", []string{"99"}, nil},
		{"unknown and known", []string{"99", "08"}, []string{"08"}},
	}
	runFilterCases(t, "regions", tests, s.Regions, regionCode, want.regions)
}

func testProvinces(t *testing.T, s pcnet.Store, want *expect) {
	all := []string{"013", "021", "022", "040", "064", "108", "215"}
	tests := []filterCase[pcnet.ProvinceFilter]{
		{"no filter", pcnet.ProvinceFilter{}, all},
		{"codes", pcnet.ProvinceFilter{Codes: []string{"215", "013", "999"}}, []string{"013", "215"}},
		{"codes duplicated", pcnet.ProvinceFilter{Codes: []string{"013", "013"}}, []string{"013"}},
		{"plate codes", pcnet.ProvinceFilter{PlateCodes: []string{"TN", "BZ"}}, []string{"021", "022"}},
		{"plate code unknown", pcnet.ProvinceFilter{PlateCodes: []string{"XX"}}, nil},
		{"region", pcnet.ProvinceFilter{RegionCodes: []string{"03"}}, []string{"013", "108", "215"}},
		{"regions", pcnet.ProvinceFilter{RegionCodes: []string{"15", "08"}}, []string{"040", "064"}},
		{"region without provinces", pcnet.ProvinceFilter{RegionCodes: []string{"20"}}, nil},
		{"kind metropolitan city", pcnet.ProvinceFilter{Kinds: []pcnet.ProvinceKind{pcnet.KindMetropolitanCity}}, []string{"215"}},
		{"kinds", pcnet.ProvinceFilter{Kinds: []pcnet.ProvinceKind{pcnet.KindAutonomousProvince, pcnet.KindMetropolitanCity}}, []string{"021", "022", "215"}},
		{"kind absent", pcnet.ProvinceFilter{Kinds: []pcnet.ProvinceKind{pcnet.KindFreeConsortium}}, nil},
		{"region and kind", pcnet.ProvinceFilter{RegionCodes: []string{"03"}, Kinds: []pcnet.ProvinceKind{pcnet.KindProvince}}, []string{"013", "108"}},
		{"code and region disagree", pcnet.ProvinceFilter{Codes: []string{"013"}, RegionCodes: []string{"04"}}, nil},
		{"all fields", pcnet.ProvinceFilter{Codes: []string{"021", "022", "013"}, PlateCodes: []string{"BZ", "CO"}, RegionCodes: []string{"04"}, Kinds: []pcnet.ProvinceKind{pcnet.KindAutonomousProvince}}, []string{"021"}},
	}
	runFilterCases(t, "provinces", tests, s.Provinces, provinceCode, want.provinces)
}

// Comuni of the fixture in the four orders, worked out by hand.
var (
	allByCode = []string{
		"013041", "013075", "013130", "013133", "013250", "015146", "021008", "021011", "022106", "022205",
		"040007", "040012", "040015", "040043", "064008", "064090", "064091", "108009", "108033",
	}
	// Avellino, Besana in Brianza, Bolzano/Bozen, Bressanone/Brixen, Cantù,
	// Cesena, Como, Forlimpopoli, Forlì, Lenno, Livo (CO), Livo (TN), Milano,
	// Monza, Sant'Angelo dei Lombardi, Santa Sofia, Sant’Angelo all’Esca,
	// Trento, Valsolda.
	allByName = []string{
		"064008", "108009", "021008", "021011", "013041", "040007", "013075", "040015", "040012", "013130",
		"013133", "022106", "015146", "108033", "064091", "040043", "064090", "022205", "013250",
	}
	allByPopulationDesc = []string{
		"015146", "108033", "040012", "022205", "021008", "040007", "013075", "064008", "013041", "021011",
		"040015", "108009", "040043", "064090", "064091", "013130", "013250", "022106", "013133",
	}
	allByPopulationAsc = []string{
		"013133", "022106", "013130", "013250", "064091", "064090", "040043", "040015", "108009", "021011",
		"013041", "064008", "013075", "040007", "021008", "022205", "040012", "108033", "015146",
	}
	smallComuni = []string{"013130", "013133", "013250", "022106", "064090", "064091"}
	capitals    = []string{"013075", "015146", "021008", "022205", "040012", "064008", "108033"}
)

// comuneCase is one Comuni query and its answer. total < 0 means len(want).
// filterCase is a filter and the keys of the items it must list, in
// order.
type filterCase[F any] struct {
	name   string
	filter F
	want   []string
}

// runFilterCases lists the items of each case's filter and checks them.
func runFilterCases[F, T any](t *testing.T, what string, cases []filterCase[F], list func(context.Context, F) ([]T, error), key func(T) string, all map[string]T) {
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := list(context.Background(), tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			checkItems(t, what, got, key, all, tt.want)
		})
	}
}

// pageCase is a paged query and the page it must give: the keys of its
// items, in order, and the total.
type pageCase[Q any] struct {
	name  string
	query Q
	want  []string
	total int // < 0: len(want)
}

type (
	comuneCase   = pageCase[pcnet.ComuneQuery]
	coverageCase = pageCase[pcnet.CoverageQuery]
)

// checkPage checks a page's total and items against c.
func checkPage[Q, T any](t *testing.T, c pageCase[Q], total int, what string, items []T, key func(T) string, all map[string]T) {
	t.Helper()
	want := c.total
	if want < 0 {
		want = len(c.want)
	}
	if total != want {
		t.Errorf("total = %d, want %d", total, want)
	}
	checkItems(t, what, items, key, all, c.want)
}

// runPageCases runs a table of paged queries each alone, then as one
// batch (results must align with queries), then an empty batch.
func runPageCases[Q, P any](t *testing.T, cases []pageCase[Q], batch func(context.Context, []Q) ([]P, error), check func(*testing.T, pageCase[Q], P)) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { check(t, c, askBatch(t, []Q{c.query}, batch)[0]) })
	}
	t.Run("batch", func(t *testing.T) {
		got := askBatch(t, mapEach(cases, func(c pageCase[Q]) Q { return c.query }), batch)
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) { check(t, c, got[i]) })
		}
	})
	t.Run("empty batch", func(t *testing.T) {
		if got := askBatch(t, []Q{}, batch); len(got) != 0 {
			t.Errorf("got %d pages for no query", len(got))
		}
	})
}

func byCode(f pcnet.ComuneFilter) pcnet.ComuneQuery {
	return pcnet.ComuneQuery{Filter: f, Order: pcnet.ComuneByCode}
}

func covered(sector, area, asOf string, isCovered bool) *pcnet.CoverageCondition {
	return &pcnet.CoverageCondition{SectorCode: sector, AreaCode: area, AsOf: pcnet.MustDate(asOf), Covered: isCovered}
}

func comuneCases() []comuneCase {
	cases := []comuneCase{
		// Each filter field alone.
		{"no filter", byCode(pcnet.ComuneFilter{}), allByCode, -1},
		{"codes", byCode(pcnet.ComuneFilter{Codes: []string{"021008", "999999", "013041"}}), []string{"013041", "021008"}, -1},
		{"codes duplicated", byCode(pcnet.ComuneFilter{Codes: []string{"013041", "013041"}}), []string{"013041"}, -1},
		{"code unknown", byCode(pcnet.ComuneFilter{Codes: []string{"999999"}}), nil, -1},
		{"province", byCode(pcnet.ComuneFilter{ProvinceCodes: []string{"013"}}), []string{"013041", "013075", "013130", "013133", "013250"}, -1},
		{"province of another code prefix", byCode(pcnet.ComuneFilter{ProvinceCodes: []string{"215"}}), []string{"015146"}, -1},
		{"historic province code is not a province", byCode(pcnet.ComuneFilter{ProvinceCodes: []string{"015"}}), nil, -1},
		{"provinces", byCode(pcnet.ComuneFilter{ProvinceCodes: []string{"040", "021"}}), []string{"021008", "021011", "040007", "040012", "040015", "040043"}, -1},
		{"provinces duplicated", byCode(pcnet.ComuneFilter{ProvinceCodes: []string{"021", "021"}}), []string{"021008", "021011"}, -1},
		{"region", byCode(pcnet.ComuneFilter{RegionCodes: []string{"04"}}), []string{"021008", "021011", "022106", "022205"}, -1},
		{"regions", byCode(pcnet.ComuneFilter{RegionCodes: []string{"15", "08"}}), []string{"040007", "040012", "040015", "040043", "064008", "064090", "064091"}, -1},
		{"region without comuni", byCode(pcnet.ComuneFilter{RegionCodes: []string{"20"}}), nil, -1},
		{"min population", byCode(pcnet.ComuneFilter{MinPopulation: intp(100000)}), []string{"015146", "021008", "022205", "040012", "108033"}, -1},
		{"max population inclusive", byCode(pcnet.ComuneFilter{MaxPopulation: intp(1800)}), []string{"013130", "013133", "013250", "022106"}, -1},
		{"population range inclusive", byCode(pcnet.ComuneFilter{MinPopulation: intp(1800), MaxPopulation: intp(4999)}), []string{"013130", "013250", "064090", "064091"}, -1},
		{"population exactly", byCode(pcnet.ComuneFilter{MinPopulation: intp(13000), MaxPopulation: intp(13000)}), []string{"040015", "108009"}, -1},
		{"population range empty", byCode(pcnet.ComuneFilter{MinPopulation: intp(5001), MaxPopulation: intp(5000)}), nil, -1},
		{"small", byCode(pcnet.ComuneFilter{Small: boolp(true)}), smallComuni, -1},
		{"not small", byCode(pcnet.ComuneFilter{Small: boolp(false)}), except(allByCode, smallComuni...), -1},
		{"capital", byCode(pcnet.ComuneFilter{Capital: boolp(true)}), capitals, -1},
		{"not capital", byCode(pcnet.ComuneFilter{Capital: boolp(false)}), except(allByCode, capitals...), -1},

		// Combined fields are ANDed.
		{"region and small", byCode(pcnet.ComuneFilter{RegionCodes: []string{"03"}, Small: boolp(true)}), []string{"013130", "013133", "013250"}, -1},
		{"codes and province", byCode(pcnet.ComuneFilter{Codes: []string{"013041", "040012"}, ProvinceCodes: []string{"040"}}), []string{"040012"}, -1},
		{"province and region disagree", byCode(pcnet.ComuneFilter{ProvinceCodes: []string{"021"}, RegionCodes: []string{"03"}}), nil, -1},
		{"province, region and codes", byCode(pcnet.ComuneFilter{Codes: []string{"021008", "022205", "013041"}, ProvinceCodes: []string{"021", "013"}, RegionCodes: []string{"04"}}), []string{"021008"}, -1},
		{"province and min population", byCode(pcnet.ComuneFilter{ProvinceCodes: []string{"013"}, MinPopulation: intp(39541)}), []string{"013075"}, -1},
		{"name and max population", byCode(pcnet.ComuneFilter{NameContains: "sant", MaxPopulation: intp(4999)}), []string{"064090", "064091"}, -1},
		{"province, not capital, max population", byCode(pcnet.ComuneFilter{ProvinceCodes: []string{"013"}, Capital: boolp(false), MaxPopulation: intp(1800)}), []string{"013130", "013133", "013250"}, -1},
		{"name, region, not capital", byCode(pcnet.ComuneFilter{NameContains: "o", RegionCodes: []string{"08"}, Capital: boolp(false)}), []string{"040015", "040043"}, -1},
		{"name and region", byCode(pcnet.ComuneFilter{NameContains: "livo", RegionCodes: []string{"04"}}), []string{"022106"}, -1},
		{"accented name and region", byCode(pcnet.ComuneFilter{NameContains: "FORLÌ", RegionCodes: []string{"08"}}), []string{"040012", "040015"}, -1},
		{"accented name and codes", byCode(pcnet.ComuneFilter{NameContains: "Bozen", Codes: []string{"021008", "021011"}}), []string{"021008"}, -1},
		{"capital and small", byCode(pcnet.ComuneFilter{Capital: boolp(true), Small: boolp(true)}), nil, -1},
	}

	// Name search ignores case and accents, on the full, Italian and other
	// names, with the needle folded too.
	for _, c := range []struct {
		needle string
		want   []string
	}{
		{"", allByCode},
		{"cantu", []string{"013041"}},
		{"CANTÙ", []string{"013041"}},
		{"cantú", []string{"013041"}},
		{"CoMo", []string{"013075"}},
		{"FORLI", []string{"040012", "040015"}},
		{"forlì", []string{"040012", "040015"}},
		{"bozen", []string{"021008"}},
		{"BOLZANO", []string{"021008"}},
		{"bolzano/bozen", []string{"021008"}},
		{"brixen", []string{"021011"}},
		{"sant'angelo", []string{"064090", "064091"}},
		{"SANT’ANGELO", []string{"064090", "064091"}},
		{"all'esca", []string{"064090"}},
		{"santa", []string{"040043"}},
		{"livo", []string{"013133", "022106"}},
		{" in ", []string{"108009"}},
		{"zzz", nil},
		{"ucomo", nil},        // not across two Comuni (Cantù, Como)
		{"brixenliv", nil},    // nor across Comuni of other codes
		{"bolzanobozen", nil}, // nor across a Comune's names
	} {
		cases = append(cases, comuneCase{"name contains " + c.needle, byCode(pcnet.ComuneFilter{NameContains: c.needle}), c.want, -1})
	}

	// Coverage conditions (see the coverages in Fixture). Until is
	// exclusive: a coverage ending on a day no longer covers that day.
	for _, c := range []struct {
		name string
		cond *pcnet.CoverageCondition
		want []string // the covered Comuni
	}{
		{"personnel before any coverage", covered("personnel", "", "2021-12-31", true), nil},
		{"personnel on a coverage's first day", covered("personnel", "", "2022-01-01", true), []string{"013041"}},
		{"personnel on the last day of Como's first period", covered("personnel", "", "2023-02-28", true), []string{"013041", "013075"}},
		{"personnel the day Como's first period ends", covered("personnel", "", "2023-03-01", true), []string{"013041", "040012"}},
		{"personnel, Cantù by two services", covered("personnel", "", "2024-06-01", true), []string{"013041", "013075", "013130", "040012", "040043"}},
		{"personnel after Santa Sofia ended", covered("personnel", "", "2024-09-01", true), []string{"013041", "013075", "013130", "040012"}},
		{"personnel long after", covered("personnel", "", "2030-01-01", true), []string{"013041", "013075", "013130", "040012"}},
		{"area staff-training before Lenno", covered("", "staff-training", "2023-06-14", true), []string{"013041"}},
		{"area staff-training from Lenno", covered("", "staff-training", "2023-06-15", true), []string{"013041", "013130"}},
		{"area recruitment before", covered("", "recruitment", "2022-12-31", true), nil},
		{"area recruitment first day", covered("", "recruitment", "2023-01-01", true), []string{"013041"}},
		{"area recruitment last day of Santa Sofia", covered("", "recruitment", "2024-08-31", true), []string{"013041", "040012", "040043"}},
		{"area recruitment after Santa Sofia", covered("", "recruitment", "2024-09-01", true), []string{"013041", "040012"}},
		{"procurement before any coverage", covered("procurement", "", "2019-12-31", true), nil},
		{"procurement before Lombardi ended", covered("procurement", "", "2021-12-31", true), []string{"013041", "064090", "064091"}},
		{"procurement when Lombardi ended", covered("procurement", "", "2022-01-01", true), []string{"013041", "013250", "064090"}},
		{"procurement last day of Cantù", covered("procurement", "", "2024-05-31", true), []string{"013041", "013250", "015146", "064090"}},
		{"procurement after Cantù", covered("procurement", "", "2024-06-01", true), []string{"013250", "015146", "064090"}},
		{"area sua", covered("", "sua", "2022-09-01", true), []string{"013041", "013250", "015146", "064090"}},
		{"sector without services", covered("europe", "", "2024-06-01", true), nil},
		{"area without services", covered("", "europe-office", "2024-06-01", true), nil},
		{"unknown sector", covered("nope", "", "2024-06-01", true), nil},
		{"unknown area", covered("", "nope", "2024-06-01", true), nil},
	} {
		cases = append(cases, comuneCase{"covered: " + c.name, byCode(pcnet.ComuneFilter{Coverage: c.cond}), c.want, -1})
		uncovered := *c.cond
		uncovered.Covered = false
		cases = append(cases, comuneCase{"not covered: " + c.name, byCode(pcnet.ComuneFilter{Coverage: &uncovered}), except(allByCode, c.want...), -1})
	}
	cases = append(cases,
		comuneCase{"not covered with province", byCode(pcnet.ComuneFilter{ProvinceCodes: []string{"013"}, Coverage: covered("personnel", "", "2024-06-01", false)}), []string{"013133", "013250"}, -1},
		comuneCase{"covered with name", byCode(pcnet.ComuneFilter{NameContains: "sant'angelo", Coverage: covered("procurement", "", "2021-12-31", true)}), []string{"064090", "064091"}, -1},
		comuneCase{"not covered, small, by population", pcnet.ComuneQuery{
			Filter: pcnet.ComuneFilter{Small: boolp(true), Coverage: covered("personnel", "", "2024-06-01", false)},
			Order:  pcnet.ComuneByPopulationDesc,
		}, []string{"064090", "064091", "013250", "022106", "013133"}, -1},
	)

	// Every order, with ties broken by code.
	order := func(name string, o pcnet.ComuneOrder, f pcnet.ComuneFilter, want []string) comuneCase {
		return comuneCase{"order " + name, pcnet.ComuneQuery{Filter: f, Order: o}, want, -1}
	}
	cases = append(cases,
		order("zero is code", "", pcnet.ComuneFilter{}, allByCode),
		order("code", pcnet.ComuneByCode, pcnet.ComuneFilter{}, allByCode),
		order("name", pcnet.ComuneByName, pcnet.ComuneFilter{}, allByName),
		order("population desc", pcnet.ComuneByPopulationDesc, pcnet.ComuneFilter{}, allByPopulationDesc),
		order("population asc", pcnet.ComuneByPopulationAsc, pcnet.ComuneFilter{}, allByPopulationAsc),
		order("name in region", pcnet.ComuneByName, pcnet.ComuneFilter{RegionCodes: []string{"03"}},
			[]string{"108009", "013041", "013075", "013130", "013133", "015146", "108033", "013250"}),
		order("name in two provinces, tie", pcnet.ComuneByName, pcnet.ComuneFilter{ProvinceCodes: []string{"022", "013"}},
			[]string{"013041", "013075", "013130", "013133", "022106", "022205", "013250"}),
		order("name tie", pcnet.ComuneByName, pcnet.ComuneFilter{NameContains: "livo"}, []string{"013133", "022106"}),
		order("name byte-wise, accent after ascii", pcnet.ComuneByName, pcnet.ComuneFilter{ProvinceCodes: []string{"040"}},
			[]string{"040007", "040015", "040012", "040043"}),
		order("name byte-wise, apostrophes", pcnet.ComuneByName, pcnet.ComuneFilter{Codes: []string{"064090", "040043", "064091"}},
			[]string{"064091", "040043", "064090"}),
		order("population desc, ties", pcnet.ComuneByPopulationDesc, pcnet.ComuneFilter{MaxPopulation: intp(1800)},
			[]string{"013130", "013250", "022106", "013133"}),
		order("population asc, ties", pcnet.ComuneByPopulationAsc, pcnet.ComuneFilter{MaxPopulation: intp(1800)},
			[]string{"013133", "022106", "013130", "013250"}),
		order("population desc, tie across provinces", pcnet.ComuneByPopulationDesc, pcnet.ComuneFilter{MinPopulation: intp(13000), MaxPopulation: intp(13000)},
			[]string{"040015", "108009"}),
		order("population asc, tie across provinces", pcnet.ComuneByPopulationAsc, pcnet.ComuneFilter{MinPopulation: intp(13000), MaxPopulation: intp(13000)},
			[]string{"040015", "108009"}),
	)

	// Paging: the total counts the whole match, whatever the page.
	page := func(name string, o pcnet.ComuneOrder, f pcnet.ComuneFilter, p pcnet.Page, want []string, total int) comuneCase {
		return comuneCase{"page " + name, pcnet.ComuneQuery{Filter: f, Order: o, Page: p}, want, total}
	}
	all := pcnet.ComuneFilter{}
	cases = append(cases,
		page("zero is everything", pcnet.ComuneByName, all, pcnet.Page{}, allByName, 19),
		page("first 3", pcnet.ComuneByName, all, pcnet.Page{Limit: 3}, allByName[:3], 19),
		page("offset without limit", pcnet.ComuneByName, all, pcnet.Page{After: comuneAt(pcnet.ComuneByName, allByName[16])}, []string{"022205", "013250"}, 19),
		page("middle", pcnet.ComuneByName, all, pcnet.Page{After: comuneAt(pcnet.ComuneByName, allByName[2]), Limit: 3}, []string{"021011", "013041", "040007"}, 19),
		page("limit past the end", pcnet.ComuneByName, all, pcnet.Page{After: comuneAt(pcnet.ComuneByName, allByName[16]), Limit: 5}, []string{"022205", "013250"}, 19),
		page("last item", pcnet.ComuneByName, all, pcnet.Page{After: comuneAt(pcnet.ComuneByName, allByName[17]), Limit: 1}, []string{"013250"}, 19),
		page("after the last", pcnet.ComuneByName, all, pcnet.Page{After: comuneAt(pcnet.ComuneByName, allByName[18])}, nil, 19),
		page("after the last with limit", pcnet.ComuneByName, all, pcnet.Page{After: comuneAt(pcnet.ComuneByName, allByName[18]), Limit: 1}, nil, 19),
		page("key after every item", pcnet.ComuneByName, all, pcnet.Page{After: &pcnet.Key{Code: "999999", Name: "\U0010ffff"}, Limit: 10}, nil, 19),
		// A key that no item has (a forged cursor, or its item was deleted) starts after where it would be.
		page("key of no item", pcnet.ComuneByName, all, pcnet.Page{After: &pcnet.Key{Code: "000000", Name: "Lenno"}, Limit: 2}, []string{"013130", "013133"}, 19),
		page("limit larger than total", pcnet.ComuneByName, all, pcnet.Page{Limit: 100}, allByName, 19),
		page("limit equal to total", pcnet.ComuneByCode, all, pcnet.Page{Limit: 19}, allByCode, 19),
		page("count only", pcnet.ComuneByName, all, pcnet.Page{CountOnly: true}, nil, 19),
		page("count only ignores after and limit", pcnet.ComuneByName, all, pcnet.Page{CountOnly: true, After: comuneAt(pcnet.ComuneByName, allByName[1]), Limit: 5}, nil, 19),
		page("count only with filter", pcnet.ComuneByCode, pcnet.ComuneFilter{Small: boolp(true)}, pcnet.Page{CountOnly: true}, nil, 6),
		page("population desc in province", pcnet.ComuneByPopulationDesc, pcnet.ComuneFilter{ProvinceCodes: []string{"013"}}, pcnet.Page{After: comuneAt(pcnet.ComuneByPopulationDesc, "013075"), Limit: 2}, []string{"013041", "013130"}, 5),
		page("population asc in region", pcnet.ComuneByPopulationAsc, pcnet.ComuneFilter{RegionCodes: []string{"04"}}, pcnet.Page{Limit: 2}, []string{"022106", "021011"}, 4),
		page("population desc last of ties", pcnet.ComuneByPopulationDesc, all, pcnet.Page{After: comuneAt(pcnet.ComuneByPopulationDesc, allByPopulationDesc[15]), Limit: 1}, []string{"013250"}, 19),
		page("nothing matches", pcnet.ComuneByCode, pcnet.ComuneFilter{Codes: []string{"999999"}}, pcnet.Page{After: comuneAt(pcnet.ComuneByCode, "013041"), Limit: 5}, nil, 0),
		page("covered, by name", pcnet.ComuneByName, pcnet.ComuneFilter{Coverage: covered("personnel", "", "2024-06-01", true)}, pcnet.Page{After: comuneAt(pcnet.ComuneByName, "013041"), Limit: 2}, []string{"013075", "040012"}, 5),
	)
	return cases
}

func testComuni(t *testing.T, s pcnet.Store, want *expect) {
	ctx := context.Background()
	check := func(t *testing.T, c comuneCase, got pcnet.ComunePage) {
		t.Helper()
		checkPage(t, c, got.Total, "comuni", got.Comuni, comuneCode, want.comuni)
	}
	runPageCases(t, comuneCases(), s.Comuni, check)
	t.Run("small batch in reverse", func(t *testing.T) {
		got, err := s.Comuni(ctx, []pcnet.ComuneQuery{
			byCode(pcnet.ComuneFilter{Codes: []string{"999999"}}),
			{Filter: pcnet.ComuneFilter{RegionCodes: []string{"04"}}, Order: pcnet.ComuneByPopulationAsc, Page: pcnet.Page{Limit: 2}},
			{Filter: pcnet.ComuneFilter{ProvinceCodes: []string{"013"}}, Order: pcnet.ComuneByName},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("got %d pages for 3 queries", len(got))
		}
		check(t, comuneCase{want: nil, total: 0}, got[0])
		check(t, comuneCase{want: []string{"022106", "021011"}, total: 4}, got[1])
		check(t, comuneCase{want: []string{"013041", "013075", "013130", "013133", "013250"}, total: 5}, got[2])
	})

	// checkItems already compares every field; these name the cases.
	t.Run("nil coordinates preserved", func(t *testing.T) {
		got, err := s.Comuni(ctx, []pcnet.ComuneQuery{byCode(pcnet.ComuneFilter{Codes: []string{"013130", "021011", "040043", "064091", "021008"}})})
		if err != nil {
			t.Fatal(err)
		}
		if len(got[0].Comuni) != 5 {
			t.Fatalf("got %d comuni, want 5", len(got[0].Comuni))
		}
		for _, c := range got[0].Comuni {
			hasCoords := c.Code == "021008"
			if (c.Latitude != nil) != hasCoords || (c.Longitude != nil) != hasCoords {
				t.Errorf("%s: latitude %v, longitude %v; want coordinates: %v", c.Code, c.Latitude, c.Longitude, hasCoords)
			}
		}
		bz := got[0].Comuni[1] // 013130, 021008, ...
		if bz.Latitude == nil || *bz.Latitude != 46.4983 || *bz.Longitude != 11.3548 {
			t.Errorf("Bolzano/Bozen coordinates: %s", show(bz))
		}
		if bz.NameItalian != "Bolzano" || bz.NameOther != "Bozen" || bz.Name != "Bolzano/Bozen" {
			t.Errorf("Bolzano/Bozen names: %q %q %q", bz.Name, bz.NameItalian, bz.NameOther)
		}
	})
}

func testSectors(t *testing.T, s pcnet.Store) {
	got, err := s.Sectors(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []pcnet.Sector{
		{Code: "europe", Name: "Europa", Areas: []pcnet.Area{
			{Code: "europe-office", SectorCode: "europe", Name: "Servizio Europa di Area Vasta"},
		}},
		{Code: "personnel", Name: "Politiche del personale", Areas: []pcnet.Area{
			{Code: "recruitment", SectorCode: "personnel", Name: "Reclutamento e selezione"},
			{Code: "staff-training", SectorCode: "personnel", Name: "Formazione del personale", Description: "Corsi comuni"},
		}},
		{Code: "procurement", Name: "Appalti", Description: "Stazione Unica Appaltante", Areas: []pcnet.Area{
			{Code: "sua", SectorCode: "procurement", Name: "Stazione Unica Appaltante"},
		}},
	}
	if !equalSectors(got, want) {
		t.Errorf("sectors:\n got  %+v\n want %+v", got, want)
	}
}

func testServices(t *testing.T, s pcnet.Store, want *expect) {
	all := []string{"svc-013-recruitment", "svc-013-sua", "svc-013-training", "svc-021-training", "svc-040-recruitment", "svc-064-sua", "svc-215-sua"}
	tests := []filterCase[pcnet.ServiceFilter]{
		{"no filter", pcnet.ServiceFilter{}, all},
		{"ids", pcnet.ServiceFilter{IDs: []string{"svc-064-sua", "nope", "svc-013-sua"}}, []string{"svc-013-sua", "svc-064-sua"}},
		{"ids duplicated", pcnet.ServiceFilter{IDs: []string{"svc-064-sua", "svc-064-sua"}}, []string{"svc-064-sua"}},
		{"provider", pcnet.ServiceFilter{ProviderCodes: []string{"013"}}, []string{"svc-013-recruitment", "svc-013-sua", "svc-013-training"}},
		{"providers", pcnet.ServiceFilter{ProviderCodes: []string{"215", "021"}}, []string{"svc-021-training", "svc-215-sua"}},
		{"provider without services", pcnet.ServiceFilter{ProviderCodes: []string{"108"}}, nil},
		{"region of provider", pcnet.ServiceFilter{RegionCodes: []string{"03"}}, []string{"svc-013-recruitment", "svc-013-sua", "svc-013-training", "svc-215-sua"}},
		{"regions of provider", pcnet.ServiceFilter{RegionCodes: []string{"04", "15"}}, []string{"svc-021-training", "svc-064-sua"}},
		{"region without provinces", pcnet.ServiceFilter{RegionCodes: []string{"20"}}, nil},
		{"sector via area", pcnet.ServiceFilter{SectorCodes: []string{"personnel"}}, []string{"svc-013-recruitment", "svc-013-training", "svc-021-training", "svc-040-recruitment"}},
		{"sector without services", pcnet.ServiceFilter{SectorCodes: []string{"europe"}}, nil},
		{"unknown sector", pcnet.ServiceFilter{SectorCodes: []string{"nope"}}, nil},
		{"area", pcnet.ServiceFilter{AreaCodes: []string{"sua"}}, []string{"svc-013-sua", "svc-064-sua", "svc-215-sua"}},
		{"areas", pcnet.ServiceFilter{AreaCodes: []string{"staff-training", "recruitment"}}, []string{"svc-013-recruitment", "svc-013-training", "svc-021-training", "svc-040-recruitment"}},
		{"status", pcnet.ServiceFilter{Statuses: []pcnet.ServiceStatus{pcnet.StatusActive}}, []string{"svc-013-recruitment", "svc-013-sua", "svc-013-training"}},
		{"statuses", pcnet.ServiceFilter{Statuses: []pcnet.ServiceStatus{pcnet.StatusPlanned, pcnet.StatusPilot}}, []string{"svc-021-training", "svc-040-recruitment"}},
		{"status ended", pcnet.ServiceFilter{Statuses: []pcnet.ServiceStatus{pcnet.StatusEnded}}, []string{"svc-064-sua"}},
		{"region and sector", pcnet.ServiceFilter{RegionCodes: []string{"03"}, SectorCodes: []string{"procurement"}}, []string{"svc-013-sua", "svc-215-sua"}},
		{"region, sector and status", pcnet.ServiceFilter{RegionCodes: []string{"03"}, SectorCodes: []string{"procurement"}, Statuses: []pcnet.ServiceStatus{pcnet.StatusSuspended}}, []string{"svc-215-sua"}},
		{"sector and area disagree", pcnet.ServiceFilter{SectorCodes: []string{"personnel"}, AreaCodes: []string{"sua"}}, nil},
		{"provider and region disagree", pcnet.ServiceFilter{ProviderCodes: []string{"013"}, RegionCodes: []string{"08"}}, nil},
		{"ids and provider", pcnet.ServiceFilter{IDs: []string{"svc-013-sua", "svc-064-sua"}, ProviderCodes: []string{"064"}}, []string{"svc-064-sua"}},
	}
	runFilterCases(t, "services", tests, s.Services, serviceID, want.services)
}

// Coverages of the fixture in store order, worked out by hand.
var allCoverages = []string{
	"svc-013-recruitment 013041 2023-01-01", // 0 rollout, open
	"svc-013-sua 013041 2021-06-01",         // 1 pilot, until 2024-06-01
	"svc-013-sua 013250 2022-01-01",         // 2 rollout, open
	"svc-013-training 013041 2022-01-01",    // 3 pilot, open
	"svc-013-training 013075 2022-03-01",    // 4 pilot, until 2023-03-01
	"svc-013-training 013075 2024-01-01",    // 5 rollout, open
	"svc-013-training 013130 2023-06-15",    // 6 rollout, open
	"svc-040-recruitment 040012 2023-03-01", // 7 pilot, open
	"svc-040-recruitment 040043 2023-09-01", // 8 rollout, until 2024-09-01
	"svc-064-sua 064090 2020-06-01",         // 9 rollout, open
	"svc-064-sua 064091 2020-01-01",         // 10 pilot, until 2022-01-01
	"svc-215-sua 015146 2022-09-01",         // 11 pilot, open
}

// comuneAt returns the key in order o of the fixture's Comune code, the
// position a cursor on it names.
func comuneAt(o pcnet.ComuneOrder, code string) *pcnet.Key {
	for _, c := range Fixture().Comuni {
		if c.Code == code {
			k := pcnet.ComuneKey(o, c)
			return &k
		}
	}
	panic("storetest: no fixture Comune " + code)
}

// coverageAt returns the key of allCoverages[pos].
func coverageAt(pos int) *pcnet.Key {
	for _, c := range Fixture().Coverages {
		if coverageKey(c) == allCoverages[pos] {
			k := pcnet.CoverageKey(c)
			return &k
		}
	}
	panic("storetest: no fixture coverage " + allCoverages[pos])
}

func coveragesAt(positions ...int) []string {
	out := make([]string, len(positions))
	for i, p := range positions {
		out[i] = allCoverages[p]
	}
	return out
}

func coverageCases() []coverageCase {
	f := func(name string, filter pcnet.CoverageFilter, want []string) coverageCase {
		return coverageCase{name, pcnet.CoverageQuery{Filter: filter}, want, -1}
	}
	on := pcnet.MustDate
	page := func(name string, filter pcnet.CoverageFilter, p pcnet.Page, want []string, total int) coverageCase {
		return coverageCase{"page " + name, pcnet.CoverageQuery{Filter: filter, Page: p}, want, total}
	}
	return []coverageCase{
		f("no filter", pcnet.CoverageFilter{}, allCoverages),
		f("service", pcnet.CoverageFilter{ServiceIDs: []string{"svc-013-training"}}, coveragesAt(3, 4, 5, 6)),
		f("services", pcnet.CoverageFilter{ServiceIDs: []string{"svc-215-sua", "svc-013-sua"}}, coveragesAt(1, 2, 11)),
		f("services duplicated", pcnet.CoverageFilter{ServiceIDs: []string{"svc-215-sua", "svc-215-sua"}}, coveragesAt(11)),
		f("service without coverages", pcnet.CoverageFilter{ServiceIDs: []string{"svc-021-training"}}, nil),
		f("unknown service", pcnet.CoverageFilter{ServiceIDs: []string{"nope"}}, nil),
		f("comune covered by three services", pcnet.CoverageFilter{ComuneCodes: []string{"013041"}}, coveragesAt(0, 1, 3)),
		f("comune covered twice by one service", pcnet.CoverageFilter{ComuneCodes: []string{"013075"}}, coveragesAt(4, 5)),
		f("comuni", pcnet.CoverageFilter{ComuneCodes: []string{"064091", "013250", "015146"}}, coveragesAt(2, 10, 11)),
		f("comuni duplicated", pcnet.CoverageFilter{ComuneCodes: []string{"013075", "013075"}}, coveragesAt(4, 5)),
		f("comune never covered", pcnet.CoverageFilter{ComuneCodes: []string{"013133"}}, nil),
		f("phase pilot", pcnet.CoverageFilter{Phases: []pcnet.CoveragePhase{pcnet.PhasePilot}}, coveragesAt(1, 3, 4, 7, 10, 11)),
		f("phase rollout", pcnet.CoverageFilter{Phases: []pcnet.CoveragePhase{pcnet.PhaseRollout}}, coveragesAt(0, 2, 5, 6, 8, 9)),
		f("both phases", pcnet.CoverageFilter{Phases: []pcnet.CoveragePhase{pcnet.PhaseRollout, pcnet.PhasePilot}}, allCoverages),
		f("active before any", pcnet.CoverageFilter{ActiveOn: on("2019-12-31")}, nil),
		f("active on the first start", pcnet.CoverageFilter{ActiveOn: on("2020-01-01")}, coveragesAt(10)),
		f("active on an end day", pcnet.CoverageFilter{ActiveOn: on("2022-01-01")}, coveragesAt(1, 2, 3, 9)),
		f("active on the day before an end", pcnet.CoverageFilter{ActiveOn: on("2024-05-31")}, coveragesAt(0, 1, 2, 3, 5, 6, 7, 8, 9, 11)),
		f("active on an end day later", pcnet.CoverageFilter{ActiveOn: on("2024-06-01")}, coveragesAt(0, 2, 3, 5, 6, 7, 8, 9, 11)),
		f("service active on an end day", pcnet.CoverageFilter{ServiceIDs: []string{"svc-013-training"}, ActiveOn: on("2023-03-01")}, coveragesAt(3)),
		f("service active on a start day", pcnet.CoverageFilter{ServiceIDs: []string{"svc-013-training"}, ActiveOn: on("2023-06-15")}, coveragesAt(3, 6)),
		f("service, comune and phase", pcnet.CoverageFilter{ServiceIDs: []string{"svc-013-training"}, ComuneCodes: []string{"013075"}, Phases: []pcnet.CoveragePhase{pcnet.PhaseRollout}}, coveragesAt(5)),
		f("service and comune disagree", pcnet.CoverageFilter{ServiceIDs: []string{"svc-013-sua"}, ComuneCodes: []string{"013075"}}, nil),
		f("comune and active", pcnet.CoverageFilter{ComuneCodes: []string{"013041"}, ActiveOn: on("2024-06-01")}, coveragesAt(0, 3)),
		f("many services, many comuni", pcnet.CoverageFilter{
			ServiceIDs:  []string{"svc-013-training", "svc-013-sua", "svc-064-sua", "svc-040-recruitment", "svc-215-sua", "svc-021-training", "svc-013-recruitment", "a", "b", "c"},
			ComuneCodes: []string{"013041", "013075", "040043", "064090", "015146", "022205", "108033", "013133", "013130", "x", "y"},
			ActiveOn:    on("2024-01-01"),
		}, coveragesAt(0, 1, 3, 5, 6, 8, 9, 11)),
		page("zero is everything", pcnet.CoverageFilter{}, pcnet.Page{}, allCoverages, 12),
		page("first", pcnet.CoverageFilter{}, pcnet.Page{Limit: 1}, coveragesAt(0), 12),
		page("tail", pcnet.CoverageFilter{}, pcnet.Page{After: coverageAt(9), Limit: 5}, coveragesAt(10, 11), 12),
		page("after the last", pcnet.CoverageFilter{}, pcnet.Page{After: coverageAt(11)}, nil, 12),
		page("same service and comune, later start", pcnet.CoverageFilter{}, pcnet.Page{After: coverageAt(4), Limit: 1}, coveragesAt(5), 12),
		page("limit larger than total", pcnet.CoverageFilter{}, pcnet.Page{Limit: 1000}, allCoverages, 12),
		page("count only", pcnet.CoverageFilter{}, pcnet.Page{CountOnly: true, Limit: 3}, nil, 12),
		page("service, second", pcnet.CoverageFilter{ServiceIDs: []string{"svc-013-training"}}, pcnet.Page{After: coverageAt(3), Limit: 2}, coveragesAt(4, 5), 4),
		page("service count only", pcnet.CoverageFilter{ServiceIDs: []string{"svc-013-training"}}, pcnet.Page{CountOnly: true}, nil, 4),
	}
}

func testCoverages(t *testing.T, s pcnet.Store, want *expect) {
	ctx := context.Background()
	check := func(t *testing.T, c coverageCase, got pcnet.CoveragePage) {
		t.Helper()
		checkPage(t, c, got.Total, "coverages", got.Coverages, coverageKey, want.coverages)
	}
	runPageCases(t, coverageCases(), s.Coverages, check)
	t.Run("batch of one query per service", func(t *testing.T) {
		ids := []string{"svc-064-sua", "nope", "svc-013-training", "svc-021-training"}
		queries := make([]pcnet.CoverageQuery, len(ids))
		for i, id := range ids {
			queries[i] = pcnet.CoverageQuery{Filter: pcnet.CoverageFilter{ServiceIDs: []string{id}}, Page: pcnet.Page{Limit: 3}}
		}
		got, err := s.Coverages(ctx, queries)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(ids) {
			t.Fatalf("got %d pages for %d queries", len(got), len(ids))
		}
		check(t, coverageCase{want: coveragesAt(9, 10), total: 2}, got[0])
		check(t, coverageCase{want: nil, total: 0}, got[1])
		check(t, coverageCase{want: coveragesAt(3, 4, 5), total: 4}, got[2])
		check(t, coverageCase{want: nil, total: 0}, got[3])
	})
}

func testTutorships(t *testing.T, s pcnet.Store, want *expect) {
	var (
		t1 = "personnel 013>108 2023-01-01"   // open
		t2 = "personnel 013>215 2023-01-01"   // until 2024-01-01
		t4 = "personnel 021>022 2022-05-01"   // until 2023-05-01
		t5 = "personnel 021>022 2024-05-01"   // open
		t3 = "procurement 040>064 2024-02-01" // open
		t6 = "procurement 108>013 2023-06-01" // open
	)
	on := pcnet.MustDate
	tests := []filterCase[pcnet.TutorshipFilter]{
		{"no filter", pcnet.TutorshipFilter{}, []string{t1, t2, t4, t5, t3, t6}},
		{"tutor", pcnet.TutorshipFilter{TutorCodes: []string{"013"}}, []string{t1, t2}},
		{"tutors", pcnet.TutorshipFilter{TutorCodes: []string{"108", "013"}}, []string{t1, t2, t6}},
		{"tutors duplicated", pcnet.TutorshipFilter{TutorCodes: []string{"108", "108"}}, []string{t6}},
		{"tutored", pcnet.TutorshipFilter{TutoredCodes: []string{"013"}}, []string{t6}},
		{"tutored twice by the same tutor", pcnet.TutorshipFilter{TutoredCodes: []string{"022"}}, []string{t4, t5}},
		{"not a tutor", pcnet.TutorshipFilter{TutorCodes: []string{"215"}}, nil},
		{"sector", pcnet.TutorshipFilter{SectorCodes: []string{"procurement"}}, []string{t3, t6}},
		{"sector without tutorships", pcnet.TutorshipFilter{SectorCodes: []string{"europe"}}, nil},
		{"tutor and tutored", pcnet.TutorshipFilter{TutorCodes: []string{"021"}, TutoredCodes: []string{"022"}}, []string{t4, t5}},
		{"tutor and sector disagree", pcnet.TutorshipFilter{TutorCodes: []string{"013"}, SectorCodes: []string{"procurement"}}, nil},
		{"active before any", pcnet.TutorshipFilter{ActiveOn: on("2022-04-30")}, nil},
		{"active on a first day", pcnet.TutorshipFilter{ActiveOn: on("2022-05-01")}, []string{t4}},
		{"active the day before an end", pcnet.TutorshipFilter{ActiveOn: on("2023-04-30")}, []string{t1, t2, t4}},
		{"active on an end day", pcnet.TutorshipFilter{ActiveOn: on("2023-05-01")}, []string{t1, t2}},
		{"active on another end day", pcnet.TutorshipFilter{ActiveOn: on("2024-01-01")}, []string{t1, t6}},
		{"active on a later start day", pcnet.TutorshipFilter{ActiveOn: on("2024-05-01")}, []string{t1, t5, t3, t6}},
		{"tutor and active", pcnet.TutorshipFilter{TutorCodes: []string{"013"}, ActiveOn: on("2024-01-01")}, []string{t1}},
		{"all fields", pcnet.TutorshipFilter{TutorCodes: []string{"021", "013"}, TutoredCodes: []string{"022", "215"}, SectorCodes: []string{"personnel"}, ActiveOn: on("2023-02-01")}, []string{t2, t4}},
	}
	runFilterCases(t, "tutorships", tests, s.Tutorships, tutorshipKey, want.tutorships)
}

func testProjectWorks(t *testing.T, s pcnet.Store, want *expect) {
	all := []string{"pw-013-training", "pw-022-recruitment", "pw-064-sua", "pw-108-training", "pw-215-sua"}
	tests := []filterCase[pcnet.ProjectWorkFilter]{
		{"no filter", pcnet.ProjectWorkFilter{}, all},
		{"ids", pcnet.ProjectWorkFilter{IDs: []string{"pw-064-sua", "nope"}}, []string{"pw-064-sua"}},
		{"ids duplicated", pcnet.ProjectWorkFilter{IDs: []string{"pw-064-sua", "pw-064-sua"}}, []string{"pw-064-sua"}},
		{"provinces", pcnet.ProjectWorkFilter{ProvinceCodes: []string{"108", "013"}}, []string{"pw-013-training", "pw-108-training"}},
		{"province without", pcnet.ProjectWorkFilter{ProvinceCodes: []string{"040"}}, nil},
		{"area", pcnet.ProjectWorkFilter{AreaCodes: []string{"staff-training"}}, []string{"pw-013-training", "pw-108-training"}},
		{"sector via area", pcnet.ProjectWorkFilter{SectorCodes: []string{"personnel"}}, []string{"pw-013-training", "pw-022-recruitment", "pw-108-training"}},
		{"other sector", pcnet.ProjectWorkFilter{SectorCodes: []string{"procurement"}}, []string{"pw-064-sua", "pw-215-sua"}},
		{"sector without", pcnet.ProjectWorkFilter{SectorCodes: []string{"europe"}}, nil},
		{"maturity", pcnet.ProjectWorkFilter{Maturities: []pcnet.Maturity{pcnet.MaturityDeveloping}}, []string{"pw-022-recruitment", "pw-215-sua"}},
		{"maturities", pcnet.ProjectWorkFilter{Maturities: []pcnet.Maturity{pcnet.MaturityConsolidating, pcnet.MaturityAdvanced}}, []string{"pw-013-training", "pw-064-sua", "pw-108-training"}},
		{"services", pcnet.ProjectWorkFilter{ServiceIDs: []string{"svc-215-sua", "svc-064-sua"}}, []string{"pw-064-sua", "pw-215-sua"}},
		{"service without project work", pcnet.ProjectWorkFilter{ServiceIDs: []string{"svc-021-training"}}, nil},
		{"sector and maturity", pcnet.ProjectWorkFilter{SectorCodes: []string{"personnel"}, Maturities: []pcnet.Maturity{pcnet.MaturityAdvanced}}, []string{"pw-013-training", "pw-108-training"}},
		{"sector and area disagree", pcnet.ProjectWorkFilter{SectorCodes: []string{"personnel"}, AreaCodes: []string{"sua"}}, nil},
		{"area and service", pcnet.ProjectWorkFilter{AreaCodes: []string{"staff-training"}, ServiceIDs: []string{"svc-013-training", "svc-064-sua"}}, []string{"pw-013-training"}},
	}
	runFilterCases(t, "project works", tests, s.ProjectWorks, projectWorkID, want.projectWorks)
}

// testResultsAreCopies changes what the store returned, then asks again.
func testResultsAreCopies(t *testing.T, s pcnet.Store, want *expect) {
	ctx := context.Background()
	query := []pcnet.ComuneQuery{byCode(pcnet.ComuneFilter{Codes: []string{"021008"}})}
	pages, err := s.Comuni(ctx, query)
	if err != nil || len(pages) != 1 || len(pages[0].Comuni) != 1 {
		t.Fatalf("Comuni: %v, %v", pages, err)
	}
	c := &pages[0].Comuni[0]
	c.Name, c.Population = "changed", -1
	*c.Latitude, *c.Longitude = 0, 0

	sectors, err := s.Sectors(ctx)
	if err != nil || len(sectors) == 0 || len(sectors[0].Areas) == 0 {
		t.Fatalf("Sectors: %v, %v", sectors, err)
	}
	sectors[0].Name = "changed"
	sectors[0].Areas[0].Name = "changed"

	regions, err := s.Regions(ctx, nil)
	if err != nil || len(regions) == 0 {
		t.Fatalf("Regions: %v, %v", regions, err)
	}
	regions[0].Name = "changed"

	coverages, err := s.Coverages(ctx, []pcnet.CoverageQuery{{}})
	if err != nil || len(coverages) != 1 || len(coverages[0].Coverages) == 0 {
		t.Fatalf("Coverages: %v, %v", coverages, err)
	}
	coverages[0].Coverages[0].ComuneCode = "changed"

	pages, err = s.Comuni(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	checkItems(t, "comuni after change", pages[0].Comuni, comuneCode, want.comuni, []string{"021008"})
	sectors, err = s.Sectors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sectors[0].Name != "Europa" || sectors[0].Areas[0].Name != "Servizio Europa di Area Vasta" {
		t.Errorf("sectors after change: %+v", sectors[0])
	}
	regions, err = s.Regions(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkItems(t, "regions after change", regions, regionCode, want.regions, []string{"03", "04", "08", "15", "20"})
	coverages, err = s.Coverages(ctx, []pcnet.CoverageQuery{{}})
	if err != nil {
		t.Fatal(err)
	}
	checkItems(t, "coverages after change", coverages[0].Coverages, coverageKey, want.coverages, allCoverages)
}

func testCancelledContext(t *testing.T, s pcnet.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := map[string]func() error{
		"Regions":      func() error { _, err := s.Regions(ctx, nil); return err },
		"Provinces":    func() error { _, err := s.Provinces(ctx, pcnet.ProvinceFilter{}); return err },
		"Comuni":       func() error { _, err := s.Comuni(ctx, []pcnet.ComuneQuery{{}}); return err },
		"Sectors":      func() error { _, err := s.Sectors(ctx); return err },
		"Services":     func() error { _, err := s.Services(ctx, pcnet.ServiceFilter{}); return err },
		"Coverages":    func() error { _, err := s.Coverages(ctx, []pcnet.CoverageQuery{{}}); return err },
		"Tutorships":   func() error { _, err := s.Tutorships(ctx, pcnet.TutorshipFilter{}); return err },
		"ProjectWorks": func() error { _, err := s.ProjectWorks(ctx, pcnet.ProjectWorkFilter{}); return err },
	}
	for _, name := range slices.Sorted(maps.Keys(calls)) {
		if err := calls[name](); err == nil {
			t.Errorf("%s with a cancelled context: no error", name)
		}
	}
}

// testEmptyDataset checks a store with nothing in it.
func testEmptyDataset(t *testing.T, s pcnet.Store) {
	ctx := context.Background()
	count := func(what string, n int, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", what, err)
		} else if n != 0 {
			t.Errorf("%s: got %d items in an empty store", what, n)
		}
	}
	regions, err := s.Regions(ctx, nil)
	count("regions", len(regions), err)
	provinces, err := s.Provinces(ctx, pcnet.ProvinceFilter{})
	count("provinces", len(provinces), err)
	sectors, err := s.Sectors(ctx)
	count("sectors", len(sectors), err)
	services, err := s.Services(ctx, pcnet.ServiceFilter{})
	count("services", len(services), err)
	tutorships, err := s.Tutorships(ctx, pcnet.TutorshipFilter{})
	count("tutorships", len(tutorships), err)
	works, err := s.ProjectWorks(ctx, pcnet.ProjectWorkFilter{})
	count("project works", len(works), err)

	pages, err := s.Comuni(ctx, []pcnet.ComuneQuery{
		{},
		{Order: pcnet.ComuneByName, Page: pcnet.Page{After: comuneAt(pcnet.ComuneByName, "013041"), Limit: 2}},
		{Filter: pcnet.ComuneFilter{Coverage: covered("personnel", "", "2024-01-01", false)}},
		{Page: pcnet.Page{CountOnly: true}},
	})
	if err != nil || len(pages) != 4 {
		t.Fatalf("comuni: %d pages, %v", len(pages), err)
	}
	for i, p := range pages {
		count(fmt.Sprintf("comuni query %d", i), len(p.Comuni)+p.Total, nil)
	}
	cpages, err := s.Coverages(ctx, []pcnet.CoverageQuery{{}, {Filter: pcnet.CoverageFilter{ServiceIDs: []string{"svc"}}}})
	if err != nil || len(cpages) != 2 {
		t.Fatalf("coverages: %d pages, %v", len(cpages), err)
	}
	for i, p := range cpages {
		count(fmt.Sprintf("coverages query %d", i), len(p.Coverages)+p.Total, nil)
	}
}
