package storetest

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"pcnet/internal/pcnet"
)

// RunAnalyticsShipped checks the analytics of a store loaded with ds, a
// full dataset (the shipped one, or Synthetic()), against answers the suite
// computes from ds the plain way (analytics_reference.go). Reach and
// summaries go in a few batches; the graph questions take one call each,
// a few hundred in all.
func RunAnalyticsShipped(t *testing.T, a interface {
	pcnet.Store
	pcnet.Analytics
}, ds pcnet.Dataset) {
	if err := ds.Validate(); err != nil {
		t.Fatalf("the dataset itself is invalid: %v", err)
	}
	r := newReference(computeFigures(ds))
	t.Run("Reach", func(t *testing.T) { shippedReach(t, a, r) })
	t.Run("ReachTimeline", func(t *testing.T) { shippedReachTimeline(t, a, r) })
	t.Run("ComuniSummaries", func(t *testing.T) { shippedComuniSummaries(t, a, r) })
	t.Run("NearestProviders", func(t *testing.T) { shippedNearestProviders(t, a, r) })
	t.Run("TutorLinks", func(t *testing.T) { shippedTutorLinks(t, a, r) })
	t.Run("TutorPath", func(t *testing.T) { shippedTutorPath(t, a, r) })
	t.Run("Peers", func(t *testing.T) { shippedPeers(t, a, r) })
	t.Run("ProjectWorkCounts", func(t *testing.T) { shippedProjectWorkCounts(t, a, r) })
	t.Run("ParticipationShare", func(t *testing.T) { shippedParticipationShare(t, a, r) })
}

// shippedParticipationShare compares with the reference every sector for
// the whole country on the sample dates and the day the Provinces of
// Sicily and Sardinia joined, and every region on that day and the day
// before: about sixty queries, not every combination.
func shippedParticipationShare(t *testing.T, s pcnet.Analytics, r *reference) {
	sectors, _ := r.sectorCodes()
	var queries []pcnet.ParticipationShareQuery
	for _, sector := range sectors {
		for _, day := range append(r.x.sampleDates(), pcnet.SicilySardiniaJoined) {
			queries = append(queries, pcnet.ParticipationShareQuery{SectorCode: sector, AsOf: day})
		}
	}
	dayBefore := pcnet.DateOf(pcnet.SicilySardiniaJoined.Time().AddDate(0, 0, -1))
	for _, reg := range r.x.regions {
		for _, day := range []pcnet.Date{dayBefore, pcnet.SicilySardiniaJoined} {
			queries = append(queries, pcnet.ParticipationShareQuery{SectorCode: "personnel", RegionCode: reg.Code, AsOf: day})
		}
	}
	n := 0
	for _, q := range queries {
		got, err := s.ParticipationShare(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if want := r.participationShare(q); !reflect.DeepEqual(got, want) {
			t.Errorf("ParticipationShare(%+v):\n got  %+v\n want %+v", q, got, want)
			if n++; n > 5 {
				t.Fatal("too many differences")
			}
		}
	}
}

// sectorCodes returns the codes of the dataset's sectors and areas.
func (r *reference) sectorCodes() (sectors, areas []string) {
	for _, s := range r.x.sectors {
		sectors = append(sectors, s.Code)
		for _, a := range s.Areas {
			areas = append(areas, a.Code)
		}
	}
	return sectors, areas
}

func shippedReach(t *testing.T, s pcnet.Analytics, r *reference) {
	sectors, areas := r.sectorCodes()
	days := append(r.x.sampleDates(), pcnet.MustDate("2024-06-01"))
	// The day a coverage ends, and the day before: its last day.
	if i := slices.IndexFunc(r.x.coverages, func(c pcnet.Coverage) bool { return !c.Until.IsZero() }); i >= 0 {
		until := r.x.coverages[i].Until
		days = append(days, until, pcnet.DateOf(until.Time().AddDate(0, 0, -1)))
	}
	var queries []pcnet.ReachQuery
	for _, day := range days {
		for _, by := range pcnet.ReachGroupings {
			queries = append(queries, pcnet.ReachQuery{AsOf: day, GroupBy: by})
		}
	}
	middle := days[2]
	for _, sector := range sectors {
		queries = append(queries, pcnet.ReachQuery{Services: pcnet.ServiceFilter{SectorCodes: []string{sector}}, AsOf: middle, GroupBy: pcnet.ReachTotal})
		queries = append(queries, pcnet.ReachQuery{Services: pcnet.ServiceFilter{SectorCodes: []string{sector}}, AsOf: middle, GroupBy: pcnet.ReachByProvince})
	}
	for _, area := range areas {
		queries = append(queries, pcnet.ReachQuery{Services: pcnet.ServiceFilter{AreaCodes: []string{area}}, AsOf: middle, GroupBy: pcnet.ReachByRegion})
	}
	for _, status := range pcnet.ServiceStatuses {
		queries = append(queries, pcnet.ReachQuery{Services: pcnet.ServiceFilter{Statuses: []pcnet.ServiceStatus{status}}, AsOf: middle, GroupBy: pcnet.ReachBySector})
	}
	if len(r.x.regions) > 0 {
		region := r.x.regions[len(r.x.regions)/2].Code
		queries = append(queries, pcnet.ReachQuery{Services: pcnet.ServiceFilter{RegionCodes: []string{region}}, AsOf: middle, GroupBy: pcnet.ReachByArea})
	}

	got, err := s.Reach(context.Background(), queries)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(queries) {
		t.Fatalf("%d results for %d queries", len(got), len(queries))
	}
	sharedSomewhere := false
	for i, q := range queries {
		want := r.reach(q)
		checkReachRows(t, fmt.Sprintf("reach %+v", q), got[i], want)
		if q.Services.SectorCodes == nil && q.Services.Statuses == nil && q.Services.AreaCodes == nil && q.Services.RegionCodes == nil {
			total := r.reach(pcnet.ReachQuery{AsOf: q.AsOf, GroupBy: pcnet.ReachTotal})[0].Covered
			sum := sumCovered(got[i])
			switch q.GroupBy {
			case pcnet.ReachByProvince, pcnet.ReachByRegion:
				// A Comune is covered only by its own Province's
				// services, so these rows split the total.
				if sum != total {
					t.Errorf("reach on %s by %s: rows add up to %+v, the total is %+v", q.AsOf, q.GroupBy, sum, total)
				}
			case pcnet.ReachBySector, pcnet.ReachByArea:
				if sum.Comuni < total.Comuni {
					t.Errorf("reach on %s by %s: rows add up to %d Comuni, fewer than the total %d", q.AsOf, q.GroupBy, sum.Comuni, total.Comuni)
				}
				sharedSomewhere = sharedSomewhere || sum.Comuni > total.Comuni
			}
		}
	}
	if !sharedSomewhere {
		t.Logf("no Comune is covered in two sectors or areas on the sample days: TOTAL as a distinct union is checked by the fixture only")
	}
}

func sumCovered(rows []pcnet.ReachRow) pcnet.ComuneSummary {
	var sum pcnet.ComuneSummary
	for _, row := range rows {
		sum.Comuni += row.Covered.Comuni
		sum.Inhabitants += row.Covered.Inhabitants
		sum.SmallComuni += row.Covered.SmallComuni
		sum.SmallInhabitants += row.Covered.SmallInhabitants
	}
	return sum
}

// shippedReachTimeline follows a growing sector's reach through time: on
// three days two years apart, then on 60 monthly dates in one batch.
func shippedReachTimeline(t *testing.T, s pcnet.Analytics, r *reference) {
	sectors, _ := r.sectorCodes()
	days := []pcnet.Date{pcnet.MustDate("2022-06-01"), pcnet.MustDate("2024-06-01"), pcnet.MustDate("2026-06-01")}
	sectorQuery := func(sector string, day pcnet.Date) pcnet.ReachQuery {
		return pcnet.ReachQuery{Services: pcnet.ServiceFilter{SectorCodes: []string{sector}}, AsOf: day, GroupBy: pcnet.ReachTotal}
	}
	// The growing sector: covered Comuni never fewer from one day to the
	// next, and the most growth overall.
	growing, growth := "", 0
	for _, sector := range sectors {
		var counts []int
		for _, day := range days {
			counts = append(counts, r.reach(sectorQuery(sector, day))[0].Covered.Comuni)
		}
		if slices.IsSorted(counts) && counts[2]-counts[0] > growth {
			growing, growth = sector, counts[2]-counts[0]
		}
	}
	if growing == "" {
		t.Fatalf("no sector of the dataset grows from %s to %s", days[0], days[2])
	}

	var queries []pcnet.ReachQuery
	for _, day := range days {
		queries = append(queries, sectorQuery(growing, day))
	}
	got, err := s.Reach(context.Background(), queries)
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range queries {
		checkReachRows(t, fmt.Sprintf("reach of %s on %s", growing, q.AsOf), got[i], r.reach(q))
	}
	if len(got) == 3 && len(got[0]) == 1 && len(got[1]) == 1 && len(got[2]) == 1 {
		c0, c1, c2 := got[0][0].Covered.Comuni, got[1][0].Covered.Comuni, got[2][0].Covered.Comuni
		if c0 > c1 || c1 > c2 || c0 == c2 {
			t.Errorf("%s covers %d, %d, %d Comuni on %v: it should grow", growing, c0, c1, c2, days)
		}
	}

	dates, err := pcnet.TimelineDates(pcnet.MustDate("2021-07-01"), pcnet.MustDate("2026-06-01"), pcnet.IntervalMonth)
	if err != nil || len(dates) != 60 {
		t.Fatalf("timeline dates: %d, %v", len(dates), err)
	}
	queries = queries[:0]
	for _, day := range dates {
		queries = append(queries, sectorQuery(growing, day))
	}
	got, err = s.Reach(context.Background(), queries)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(queries) {
		t.Fatalf("%d results for %d timeline dates", len(got), len(queries))
	}
	for i, q := range queries {
		checkReachRows(t, fmt.Sprintf("timeline of %s on %s", growing, q.AsOf), got[i], r.reach(q))
	}
}

func shippedComuniSummaries(t *testing.T, s AnalyticsStore, r *reference) {
	sectors, _ := r.sectorCodes()
	day := r.x.sampleDates()[2]
	filters := []pcnet.ComuneFilter{
		{},
		{Small: boolp(true)},
		{Capital: boolp(true)},
		{MinPopulation: intp(10000), Capital: boolp(false)},
		{NameContains: "san"},
	}
	for _, region := range r.x.regions {
		filters = append(filters, pcnet.ComuneFilter{RegionCodes: []string{region.Code}})
	}
	for _, sector := range sectors {
		for _, covered := range []bool{true, false} {
			filters = append(filters, pcnet.ComuneFilter{Coverage: &pcnet.CoverageCondition{SectorCode: sector, AsOf: day, Covered: covered}})
		}
		filters = append(filters, pcnet.ComuneFilter{Small: boolp(true), Coverage: &pcnet.CoverageCondition{SectorCode: sector, AsOf: day, Covered: true}})
	}
	got, err := s.ComuniSummaries(context.Background(), filters)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(filters) {
		t.Fatalf("%d summaries for %d filters", len(got), len(filters))
	}
	// The store's Comuni must count the same: one batch of totals.
	queries := make([]pcnet.ComuneQuery, len(filters))
	for i, f := range filters {
		queries[i] = pcnet.ComuneQuery{Filter: f, Page: pcnet.Page{CountOnly: true}}
	}
	pages, err := s.Comuni(context.Background(), queries)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range filters {
		if want := r.comuneSummary(f); got[i] != want {
			t.Errorf("summary of %s:\n got  %+v\n want %+v", showFilter(f), got[i], want)
		}
		if got[i].Comuni != pages[i].Total {
			t.Errorf("summary of %s counts %d Comuni, Comuni counts %d", showFilter(f), got[i].Comuni, pages[i].Total)
		}
	}
}

func showFilter(f pcnet.ComuneFilter) string {
	s := fmt.Sprintf("%+v", f)
	if f.Coverage != nil {
		s += fmt.Sprintf(" coverage %+v", *f.Coverage)
	}
	return s
}

func shippedNearestProviders(t *testing.T, s pcnet.Analytics, r *reference) {
	sectors, areas := r.sectorCodes()
	// The first Comune with coordinates of each region, and one without.
	var origins []string
	seen := make(map[string]bool)
	for _, c := range r.x.comuni {
		if c.Latitude != nil && !seen[c.RegionCode] {
			seen[c.RegionCode] = true
			origins = append(origins, c.Code)
		}
	}
	if i := slices.IndexFunc(r.x.comuni, func(c pcnet.Comune) bool { return c.Latitude == nil }); i >= 0 {
		origins = append(origins, r.x.comuni[i].Code)
	}
	var queries []pcnet.NearestQuery
	for _, origin := range origins {
		for _, sector := range sectors {
			queries = append(queries, pcnet.NearestQuery{ComuneCode: origin, SectorCode: sector, Limit: pcnet.MaxNearestLimit})
		}
	}
	for i, area := range areas {
		queries = append(queries, pcnet.NearestQuery{ComuneCode: origins[i%len(origins)], AreaCode: area, Limit: 3})
	}
	got := askBatch(t, queries, s.NearestProviders)
	for i, q := range queries {
		checkNearest(t, q, got[i], r.nearest(q))
	}
}

// checkNearest compares a store's nearest providers with the suite's,
// allowing for the rounding of nearly equal distances: the i-th distances
// must agree, each row's distance must be its Province's, and the rows
// must be in (distance, code) order.
func checkNearest(t *testing.T, q pcnet.NearestQuery, got, all []pcnet.ProviderDistance) {
	t.Helper()
	want := all[:min(len(all), q.Limit)]
	if len(got) != len(want) {
		t.Errorf("nearest %+v: %d rows, want %d", q, len(got), len(want))
		return
	}
	byCode := make(map[string]pcnet.ProviderDistance)
	for _, p := range all {
		byCode[p.ProvinceCode] = p
	}
	for i, p := range got {
		exp, ok := byCode[p.ProvinceCode]
		switch {
		case !ok:
			t.Errorf("nearest %+v: %s provides nothing there", q, p.ProvinceCode)
			continue
		case math.Abs(p.DistanceKm-exp.DistanceKm) > distanceTolerance || !wholeMetres(p.DistanceKm):
			t.Errorf("nearest %+v: %s at %v km, want %.3f km rounded to the metre", q, p.ProvinceCode, p.DistanceKm, exp.DistanceKm)
		case math.Abs(p.DistanceKm-want[i].DistanceKm) > distanceTolerance:
			t.Errorf("nearest %+v: row %d is %s at %v km, want %s at %.3f km", q, i, p.ProvinceCode, p.DistanceKm, want[i].ProvinceCode, want[i].DistanceKm)
		}
		if !slices.Equal(p.ServiceIDs, exp.ServiceIDs) {
			t.Errorf("nearest %+v: %s services %q, want %q", q, p.ProvinceCode, p.ServiceIDs, exp.ServiceIDs)
		}
		if i > 0 {
			prev := got[i-1]
			if prev.DistanceKm > p.DistanceKm || (prev.DistanceKm == p.DistanceKm && prev.ProvinceCode >= p.ProvinceCode) {
				t.Errorf("nearest %+v: %s (%v km) before %s (%v km)", q, prev.ProvinceCode, prev.DistanceKm, p.ProvinceCode, p.DistanceKm)
			}
		}
	}
}

// tutorshipProvinces returns the Provinces that tutor or are tutored, in
// code order, and the first Province that does neither ("" if none).
func (r *reference) tutorshipProvinces() (linked []string, isolated string) {
	set := make(map[string]bool)
	for _, t := range r.x.tutorships {
		set[t.TutorCode], set[t.TutoredCode] = true, true
	}
	for _, p := range r.x.provinces {
		if set[p.Code] {
			linked = append(linked, p.Code)
		} else if isolated == "" {
			isolated = p.Code
		}
	}
	return linked, isolated
}

func shippedTutorLinks(t *testing.T, s pcnet.Analytics, r *reference) {
	sectors, _ := r.sectorCodes()
	roots, isolated := r.tutorshipProvinces()
	var queries []pcnet.TutorLinkQuery
	for i, root := range roots {
		for _, dir := range []pcnet.TutorDirection{pcnet.TutorDown, pcnet.TutorUp} {
			queries = append(queries, pcnet.TutorLinkQuery{Root: root, Direction: dir, MaxDepth: pcnet.MaxTutorDepth})
			if i%8 == 0 {
				queries = append(queries, pcnet.TutorLinkQuery{Root: root, Direction: dir, MaxDepth: 2})
				for _, sector := range sectors {
					queries = append(queries, pcnet.TutorLinkQuery{Root: root, Direction: dir, SectorCode: sector, MaxDepth: pcnet.MaxTutorDepth})
				}
			}
		}
	}
	if isolated != "" {
		queries = append(queries, pcnet.TutorLinkQuery{Root: isolated, Direction: pcnet.TutorDown, MaxDepth: pcnet.MaxTutorDepth})
	}
	deepest := 0
	for _, want := range checkEach(t, "tutor links", queries, askBatch(t, queries, s.TutorLinks), r.tutorLinks) {
		for _, l := range want {
			deepest = max(deepest, l.Depth)
		}
	}
	t.Logf("%d walks, deepest link at depth %d", len(queries), deepest)
}

func shippedTutorPath(t *testing.T, s pcnet.Analytics, r *reference) {
	ends, isolated := r.tutorshipProvinces()
	if len(ends) == 0 {
		t.Skip("the dataset has no tutorships")
	}
	var queries []pcnet.TutorPathQuery
	for i, from := range ends {
		to := ends[(i*17+5)%len(ends)]
		queries = append(queries, pcnet.TutorPathQuery{FromCode: from, ToCode: to})
		if i%4 == 0 {
			sector := r.tutorshipsOf(from)[0].SectorCode
			queries = append(queries, pcnet.TutorPathQuery{FromCode: from, ToCode: to, SectorCode: sector})
		}
	}
	queries = append(queries, pcnet.TutorPathQuery{FromCode: ends[0], ToCode: ends[0]})
	if isolated != "" {
		queries = append(queries, pcnet.TutorPathQuery{FromCode: ends[0], ToCode: isolated})
	}
	found := 0
	for _, q := range queries {
		want, ok := r.tutorPath(q)
		if !ok {
			t.Logf("path %+v: too many shortest paths to list; skipped", q)
			continue
		}
		got, err := s.TutorPath(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if want != nil {
			found++
		}
		if !equalPaths(got, want) {
			t.Errorf("path %+v:\n got  %s\n want %s", q, showPath(got), showPath(want))
		}
	}
	t.Logf("%d paths asked, %d exist", len(queries), found)
}

// tutorshipsOf returns the tutorships that involve province.
func (r *reference) tutorshipsOf(province string) []pcnet.Tutorship {
	var out []pcnet.Tutorship
	for _, t := range r.x.tutorships {
		if t.TutorCode == province || t.TutoredCode == province {
			out = append(out, t)
		}
	}
	return out
}

func equalPaths(a, b *pcnet.TutorPath) bool {
	if a == nil || b == nil {
		return a == b
	}
	if !slices.Equal(a.ProvinceCodes, b.ProvinceCodes) || len(a.Links) != len(b.Links) {
		return false
	}
	for i := range a.Links {
		if !slices.Equal(a.Links[i], b.Links[i]) {
			return false
		}
	}
	return true
}

func showPath(p *pcnet.TutorPath) string {
	if p == nil {
		return "none"
	}
	var b strings.Builder
	b.WriteString(strings.Join(p.ProvinceCodes, "-"))
	for _, links := range p.Links {
		b.WriteString(" [")
		b.WriteString(strings.Join(mapSlice(links, tutorshipKey), ", "))
		b.WriteString("]")
	}
	return b.String()
}

func shippedPeers(t *testing.T, s pcnet.Analytics, r *reference) {
	var queries []pcnet.PeerQuery
	seen := make(map[pcnet.PeerQuery]bool)
	add := func(q pcnet.PeerQuery) {
		if !seen[q] {
			seen[q] = true
			queries = append(queries, q)
		}
	}
	day := pcnet.MustDate("2024-06-01")
	for _, tu := range r.x.tutorships {
		add(pcnet.PeerQuery{ProvinceCode: tu.TutoredCode, SectorCode: tu.SectorCode})
		add(pcnet.PeerQuery{ProvinceCode: tu.TutoredCode, SectorCode: tu.SectorCode, ActiveOn: day})
		add(pcnet.PeerQuery{ProvinceCode: tu.TutoredCode})
	}
	withPeers := 0
	for _, want := range checkEach(t, "peers", queries, askBatch(t, queries, s.Peers), r.peers) {
		if len(want) > 0 {
			withPeers++
		}
	}
	t.Logf("%d peer queries, %d with peers", len(queries), withPeers)
}

func shippedProjectWorkCounts(t *testing.T, s AnalyticsStore, r *reference) {
	type query struct {
		f  pcnet.ProjectWorkFilter
		by pcnet.ProjectWorkGrouping
	}
	queries := []query{{by: pcnet.ProjectWorksBySector}, {by: pcnet.ProjectWorksByRegion}}
	for _, m := range pcnet.Maturities {
		queries = append(queries, query{pcnet.ProjectWorkFilter{Maturities: []pcnet.Maturity{m}}, pcnet.ProjectWorksByRegion})
	}
	sectors, _ := r.sectorCodes()
	for _, sector := range sectors {
		queries = append(queries, query{pcnet.ProjectWorkFilter{SectorCodes: []string{sector}}, pcnet.ProjectWorksByRegion})
	}
	for _, q := range queries {
		got, err := s.ProjectWorkCounts(context.Background(), q.f, q.by)
		if err != nil {
			t.Fatal(err)
		}
		want := r.projectWorkCounts(q.f, q.by)
		if !slices.Equal(got, want) {
			t.Errorf("project work counts %+v by %s:\n got  %+v\n want %+v", q.f, q.by, got, want)
		}
		total := 0
		for _, c := range got {
			total += c.Count
		}
		if works, err := s.ProjectWorks(context.Background(), q.f); err == nil && total != len(works) {
			t.Errorf("project work counts %+v by %s add up to %d, ProjectWorks lists %d", q.f, q.by, total, len(works))
		}
	}
}
