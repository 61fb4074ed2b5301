package neo4j_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"pcnet/internal/memory"
	"pcnet/internal/neo4j"
	"pcnet/internal/neo4j/neo4jtest"
	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

// TestRetiredConformance: retired Comuni, imported as such, on the server.
func TestRetiredConformance(t *testing.T) {
	storetest.RunRetired(t, func(t *testing.T, ds pcnet.Dataset) storetest.AnalyticsStore {
		return neo4jtest.Load(t, ds)
	})
}

// TestAnalyticsConformance runs the analytics conformance suite on the
// analytics fixture, imported into a cleared database, then asks the same
// store and the embedded store many more questions about the fixture and
// checks they agree.
func TestAnalyticsConformance(t *testing.T) {
	var s *neo4j.Store
	storetest.RunAnalytics(t, func(t *testing.T, ds pcnet.Dataset) storetest.AnalyticsStore {
		s = neo4jtest.Load(t, ds)
		return s
	})
	if s == nil {
		return // skipped: no server
	}
	ds := storetest.AnalyticsFixture()
	t.Run("MatchMemory", func(t *testing.T) { compareAnalytics(t, s, memoryStore(t, ds), ds) })
}

// TestAnalyticsShipped imports the full-size datasets, the shipped one and
// storetest.Synthetic(), once each, and runs on each the shipped-data
// analytics suite, the comparison with the embedded store and the
// round-trip count.
func TestAnalyticsShipped(t *testing.T) {
	for _, tt := range []struct {
		name string
		ds   func(testing.TB) pcnet.Dataset
	}{
		{"shipped", shippedDataset},
		{"synthetic", func(testing.TB) pcnet.Dataset { return storetest.Synthetic() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ds := tt.ds(t)
			s := neo4jtest.Load(t, ds)
			t.Run("Suite", func(t *testing.T) { storetest.RunAnalyticsShipped(t, s, ds) })
			t.Run("MatchMemory", func(t *testing.T) { compareAnalytics(t, s, memoryStore(t, ds), ds) })
			t.Run("OneRoundTrip", func(t *testing.T) { testOneRoundTrip(t, s, ds) })
		})
	}
}

// TestCypherHaversine checks on the server the premise of
// NearestProviders agreeing with the embedded store: the store's Cypher
// haversine (haversineMetres) on WGS-84 points is the great-circle distance
// on a sphere of pcnet.EarthRadiusKm, to 1e-9 relative, and round(metres)/1000.0 gives
// the same km as Go's math.Round(km*1000)/1000. The pairs are Comuni of
// the shipped dataset, plus a few edge cases.
func TestCypherHaversine(t *testing.T) {
	cfg := neo4jtest.Config(t)
	ds := shippedDataset(t)
	var located []pcnet.Comune
	for _, c := range ds.Comuni {
		if c.Latitude != nil && c.Longitude != nil {
			located = append(located, c)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	type pair struct{ lat1, lon1, lat2, lon2 float64 }
	pairs := []pair{
		{45.07, 7.69, 45.07, 7.69},   // the same point
		{45.44, 10.99, 45.44, 11.27}, // along a parallel
		{0, 0, 0, 180},               // antipodes on the equator
		{89.9, 0, -89.9, 180},        // nearly pole to pole
	}
	for range 5000 {
		a, b := located[rng.IntN(len(located))], located[rng.IntN(len(located))]
		pairs = append(pairs, pair{*a.Latitude, *a.Longitude, *b.Latitude, *b.Longitude})
	}
	param := make([]any, len(pairs))
	for i, p := range pairs {
		param[i] = []any{p.lat1, p.lon1, p.lat2, p.lon2}
	}

	ctx := context.Background()
	driver, err := neo4jdrv.NewDriverWithContext(cfg.URI, neo4jdrv.BasicAuth(cfg.Username, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(ctx)
	res, err := neo4jdrv.ExecuteQuery(ctx, driver, `
		UNWIND $pairs AS p
		WITH point({latitude: p[0], longitude: p[1]}) AS a, point({latitude: p[2], longitude: p[3]}) AS b
		WITH `+neo4j.HaversineMetres("a", "b")+` AS metres
		RETURN metres, round(metres) / 1000.0 AS km`,
		map[string]any{"pairs": param}, neo4jdrv.EagerResultTransformer,
		neo4jdrv.ExecuteQueryWithDatabase(cfg.Database), neo4jdrv.ExecuteQueryWithReadersRouting())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != len(pairs) {
		t.Fatalf("%d distances for %d pairs", len(res.Records), len(pairs))
	}
	worst := 0.0
	for i, rec := range res.Records {
		p := pairs[i]
		metres, _ := rec.Values[0].(float64)
		km, _ := rec.Values[1].(float64)
		want := haversineKm(p.lat1, p.lon1, p.lat2, p.lon2)
		diff := math.Abs(metres/1000 - want)
		if want > 0 {
			diff /= want
		}
		worst = max(worst, diff)
		if diff > 1e-9 {
			t.Errorf("%+v: Cypher %v m, Go haversine %v km", p, metres, want)
		}
		if rounded := math.Round(want*1000) / 1000; km != rounded {
			t.Errorf("%+v: rounded in Cypher to %v km, in Go to %v km", p, km, rounded)
		}
	}
	t.Logf("%d pairs, largest relative difference %.3g", len(pairs), worst)
}

// haversineKm is the great-circle distance between two WGS-84 points on a
// sphere of pcnet.EarthRadiusKm.
func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	rad := func(deg float64) float64 { return deg * math.Pi / 180 }
	sinLat, sinLon := math.Sin(rad(lat2-lat1)/2), math.Sin(rad(lon2-lon1)/2)
	h := sinLat*sinLat + math.Cos(rad(lat1))*math.Cos(rad(lat2))*sinLon*sinLon
	return 2 * pcnet.EarthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

func memoryStore(t *testing.T, ds pcnet.Dataset) *memory.Store {
	t.Helper()
	m, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// testOneRoundTrip checks that every analytics call, batches of any size
// included, sends exactly one query to the server, and none for an empty
// batch.
func testOneRoundTrip(t *testing.T, s *neo4j.Store, ds pcnet.Dataset) {
	ctx := context.Background()
	var timeline []pcnet.ReachQuery
	for i := range 60 {
		timeline = append(timeline, pcnet.ReachQuery{AsOf: pcnet.MustDate("2021-01-01").AddMonths(i), GroupBy: pcnet.ReachGroupings[i%len(pcnet.ReachGroupings)]})
	}
	var perProvince []pcnet.ComuneFilter
	for _, p := range ds.Provinces {
		perProvince = append(perProvince, pcnet.ComuneFilter{ProvinceCodes: []string{p.Code}})
	}
	tutor := ds.Tutorships[0]
	calls := []struct {
		name    string
		queries int64
		call    func() error
	}{
		{"Peers", 1, func() error { _, err := s.Peers(ctx, []pcnet.PeerQuery{{ProvinceCode: tutor.TutoredCode}}); return err }},
		{"Peers of none", 0, func() error { _, err := s.Peers(ctx, nil); return err }},
		{"TutorLinks", 1, func() error {
			_, err := s.TutorLinks(ctx, []pcnet.TutorLinkQuery{{Root: tutor.TutorCode, Direction: pcnet.TutorDown, MaxDepth: pcnet.MaxTutorDepth}})
			return err
		}},
		{"TutorPath", 1, func() error {
			_, err := s.TutorPath(ctx, pcnet.TutorPathQuery{FromCode: tutor.TutoredCode, ToCode: ds.Tutorships[len(ds.Tutorships)-1].TutorCode})
			return err
		}},
		{"TutorPath to itself", 1, func() error {
			_, err := s.TutorPath(ctx, pcnet.TutorPathQuery{FromCode: tutor.TutorCode, ToCode: tutor.TutorCode})
			return err
		}},
		{"Reach of 60 dates", 1, func() error { _, err := s.Reach(ctx, timeline); return err }},
		{"Reach of none", 0, func() error { _, err := s.Reach(ctx, nil); return err }},
		{"ComuniSummaries per Province", 1, func() error { _, err := s.ComuniSummaries(ctx, perProvince); return err }},
		{"ComuniSummaries of none", 0, func() error { _, err := s.ComuniSummaries(ctx, nil); return err }},
		{"NearestProviders", 1, func() error {
			_, err := s.NearestProviders(ctx, []pcnet.NearestQuery{{ComuneCode: ds.Comuni[0].Code, SectorCode: tutor.SectorCode, Limit: pcnet.MaxNearestLimit}})
			return err
		}},
		{"ProjectWorkCounts", 1, func() error {
			_, err := s.ProjectWorkCounts(ctx, pcnet.ProjectWorkFilter{}, pcnet.ProjectWorksByRegion)
			return err
		}},
	}
	for _, c := range calls {
		before := s.QueryCount()
		if err := c.call(); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if n := s.QueryCount() - before; n != c.queries {
			t.Errorf("%s: %d queries, want %d", c.name, n, c.queries)
		}
	}
}

// compareAnalytics checks that got answers the questions generated from ds
// as want does.
func compareAnalytics(t *testing.T, got, want pcnet.Analytics, ds pcnet.Dataset) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(9, uint64(len(ds.Comuni))))
	provinces := make([]string, len(ds.Provinces))
	for i, p := range ds.Provinces {
		provinces[i] = p.Code
	}
	provinces = append(provinces, "999") // unknown
	sectors := []string{""}
	var areas []string
	for _, s := range ds.Sectors {
		sectors = append(sectors, s.Code)
		for _, a := range s.Areas {
			areas = append(areas, a.Code)
		}
	}
	dates := []pcnet.Date{{}, pcnet.MustDate("2022-01-01"), pcnet.MustDate("2023-03-01"), pcnet.MustDate("2024-06-01"), pcnet.MustDate("2026-01-01")}
	// Provinces with tutorships, where walks and paths are interesting.
	var tutoring []string
	for _, tu := range ds.Tutorships {
		tutoring = append(tutoring, tu.TutorCode, tu.TutoredCode)
	}
	slices.Sort(tutoring)
	tutoring = slices.Compact(tutoring)

	t.Run("Peers", func(t *testing.T) {
		c := newComparison(t, got, want)
		defer c.done()
		var qs []pcnet.PeerQuery
		for _, p := range tutoring {
			for _, sector := range sectors {
				for _, d := range dates[:3] {
					qs = append(qs, pcnet.PeerQuery{ProvinceCode: p, SectorCode: sector, ActiveOn: d})
				}
			}
		}
		sameEach(ctx, c, "Peers", qs, pcnet.Analytics.Peers)
	})
	t.Run("TutorLinks", func(t *testing.T) {
		c := newComparison(t, got, want)
		defer c.done()
		depths := []int{1, 2, 3, pcnet.MaxTutorDepth}
		if len(tutoring) > 20 {
			depths = []int{2, pcnet.MaxTutorDepth} // fewer round trips on large networks
		}
		var qs []pcnet.TutorLinkQuery
		for _, p := range append(tutoring, "999") {
			for _, dir := range []pcnet.TutorDirection{pcnet.TutorDown, pcnet.TutorUp} {
				for _, sector := range sectors {
					for _, depth := range depths {
						qs = append(qs, pcnet.TutorLinkQuery{Root: p, Direction: dir, SectorCode: sector, MaxDepth: depth})
					}
				}
			}
		}
		sameEach(ctx, c, "TutorLinks", qs, pcnet.Analytics.TutorLinks)
	})
	t.Run("TutorPath", func(t *testing.T) {
		c := newComparison(t, got, want)
		defer c.done()
		// Every pair of a small network, a sample of a large one, and
		// Provinces without tutorships or unknown.
		ends := append(slices.Clone(tutoring), provinces[rng.IntN(len(provinces))], "999")
		var pairs [][2]string
		for _, from := range ends {
			for _, to := range ends {
				if len(ends) <= 20 || rng.IntN(len(ends)*len(ends)) < 150 {
					pairs = append(pairs, [2]string{from, to})
				}
			}
		}
		for _, pair := range pairs {
			for _, sector := range sectors {
				q := pcnet.TutorPathQuery{FromCode: pair[0], ToCode: pair[1], SectorCode: sector}
				c.same(fmt.Sprintf("TutorPath(%+v)", q), func(a pcnet.Analytics) (any, error) { return a.TutorPath(ctx, q) })
			}
		}
	})
	t.Run("Reach", func(t *testing.T) {
		c := newComparison(t, got, want)
		defer c.done()
		filters := []pcnet.ServiceFilter{
			{},
			{Statuses: []pcnet.ServiceStatus{pcnet.StatusActive, pcnet.StatusPilot}},
			{ProviderCodes: provinces[:3]},
			{RegionCodes: []string{ds.Provinces[0].RegionCode, "99"}},
			{SectorCodes: sectors[1:2], AreaCodes: areas},
			{IDs: []string{ds.Services[0].ID, ds.Services[len(ds.Services)-1].ID, "svc-none"}},
			{IDs: []string{"svc-none"}},
		}
		for _, sector := range sectors[1:] {
			filters = append(filters, pcnet.ServiceFilter{SectorCodes: []string{sector}})
		}
		for _, area := range areas {
			filters = append(filters, pcnet.ServiceFilter{AreaCodes: []string{area}, Statuses: []pcnet.ServiceStatus{pcnet.StatusActive}})
		}
		var queries []pcnet.ReachQuery
		for _, f := range filters {
			for _, by := range pcnet.ReachGroupings {
				for _, d := range dates[1:] {
					queries = append(queries, pcnet.ReachQuery{Services: f, AsOf: d, GroupBy: by})
				}
			}
		}
		c.same(fmt.Sprintf("Reach(%d queries)", len(queries)), func(a pcnet.Analytics) (any, error) { return a.Reach(ctx, queries) })
		for _, q := range queries[:10] {
			one := []pcnet.ReachQuery{q}
			c.same(fmt.Sprintf("Reach(%+v)", q), func(a pcnet.Analytics) (any, error) { return a.Reach(ctx, one) })
		}
	})
	t.Run("ComuniSummaries", func(t *testing.T) {
		c := newComparison(t, got, want)
		defer c.done()
		intp := func(n int) *int { return &n }
		boolp := func(b bool) *bool { return &b }
		filters := []pcnet.ComuneFilter{
			{},
			{Small: boolp(true)},
			{Small: boolp(false), Capital: boolp(true)},
			{ProvinceCodes: provinces[:2]},
			{RegionCodes: []string{ds.Provinces[0].RegionCode}, MinPopulation: intp(1000), MaxPopulation: intp(50000)},
			{NameContains: "san"},
			{Codes: []string{ds.Comuni[0].Code, ds.Comuni[len(ds.Comuni)-1].Code, "000000"}},
		}
		for _, sector := range sectors[1:] {
			for _, covered := range []bool{true, false} {
				filters = append(filters, pcnet.ComuneFilter{Coverage: &pcnet.CoverageCondition{SectorCode: sector, AsOf: dates[3], Covered: covered}})
			}
		}
		for _, area := range areas {
			filters = append(filters, pcnet.ComuneFilter{Small: boolp(true), Coverage: &pcnet.CoverageCondition{AreaCode: area, AsOf: dates[2], Covered: true}})
		}
		c.same(fmt.Sprintf("ComuniSummaries(%d filters)", len(filters)), func(a pcnet.Analytics) (any, error) { return a.ComuniSummaries(ctx, filters) })
	})
	t.Run("NearestProviders", func(t *testing.T) {
		c := newComparison(t, got, want)
		defer c.done()
		comuni := []string{"000000"}
		for range min(40, len(ds.Comuni)) {
			comuni = append(comuni, ds.Comuni[rng.IntN(len(ds.Comuni))].Code)
		}
		for _, com := range ds.Comuni {
			if com.Latitude == nil && len(comuni) < 50 {
				comuni = append(comuni, com.Code)
			}
		}
		var qs []pcnet.NearestQuery
		for _, code := range comuni {
			for _, sector := range sectors[1:] {
				qs = append(qs, pcnet.NearestQuery{ComuneCode: code, SectorCode: sector, Limit: 1 + rng.IntN(pcnet.MaxNearestLimit)})
			}
			area := areas[rng.IntN(len(areas))]
			qs = append(qs, pcnet.NearestQuery{ComuneCode: code, AreaCode: area, Limit: pcnet.MaxNearestLimit})
		}
		sameEach(ctx, c, "NearestProviders", qs, pcnet.Analytics.NearestProviders)
	})
	t.Run("ProjectWorkCounts", func(t *testing.T) {
		c := newComparison(t, got, want)
		defer c.done()
		filters := []pcnet.ProjectWorkFilter{
			{},
			{Maturities: []pcnet.Maturity{pcnet.MaturityAdvanced, pcnet.MaturityDeveloping}},
			{SectorCodes: sectors[1:2]},
			{AreaCodes: areas[:1]},
			{ProvinceCodes: provinces[:5]},
			{ServiceIDs: []string{ds.Services[0].ID, ds.Services[1].ID}},
		}
		for _, f := range filters {
			for _, by := range pcnet.ProjectWorkGroupings {
				c.same(fmt.Sprintf("ProjectWorkCounts(%+v, %s)", f, by), func(a pcnet.Analytics) (any, error) { return a.ProjectWorkCounts(ctx, f, by) })
			}
		}
	})
}

// comparison asks both stores the questions of one subtest.
type comparison struct {
	t               *testing.T
	got, want       pcnet.Analytics
	asked, answered int // questions, and those with a non-empty answer
}

func newComparison(t *testing.T, got, want pcnet.Analytics) *comparison {
	return &comparison{t: t, got: got, want: want}
}

// same calls ask on both stores and reports a difference in the answers.
func (c *comparison) same(what string, ask func(pcnet.Analytics) (any, error)) {
	c.t.Helper()
	g, err := ask(c.got)
	if err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
	w, err := ask(c.want)
	if err != nil {
		c.t.Fatalf("%s: memory store: %v", what, err)
	}
	c.compare(what, g, w)
}

// sameEach asks both stores one batch of queries and compares the
// answers query by query.
func sameEach[Q, R any](ctx context.Context, c *comparison, method string, qs []Q, batch func(pcnet.Analytics, context.Context, []Q) ([]R, error)) {
	c.t.Helper()
	g, err := batch(c.got, ctx, qs)
	if err != nil {
		c.t.Fatalf("%s of %d queries: %v", method, len(qs), err)
	}
	w, err := batch(c.want, ctx, qs)
	if err != nil {
		c.t.Fatalf("%s of %d queries: memory store: %v", method, len(qs), err)
	}
	if len(g) != len(qs) || len(w) != len(qs) {
		c.t.Fatalf("%s of %d queries: %d answers from neo4j, %d from memory", method, len(qs), len(g), len(w))
	}
	for i, q := range qs {
		c.compare(fmt.Sprintf("%s(%+v)", method, q), g[i], w[i])
	}
}

// compare reports a difference between two answers to what.
func (c *comparison) compare(what string, g, w any) {
	c.t.Helper()
	gn, wn := normalize(reflect.ValueOf(g)), normalize(reflect.ValueOf(w))
	if !reflect.DeepEqual(gn, wn) {
		c.t.Errorf("%s:\n neo4j  %+v\n memory %+v", what, show(g), show(w))
	}
	c.asked++
	if wn != nil {
		c.answered++
	}
}

// done fails a comparison whose answers were all empty: it proved nothing.
func (c *comparison) done() {
	if c.answered == 0 {
		c.t.Errorf("all %d answers were empty", c.asked)
	}
	c.t.Logf("%d questions, %d with a non-empty answer", c.asked, c.answered)
}

// normalize returns v as a comparable value in which empty slices are nil,
// so that "no items" compares equal however a store spells it.
func normalize(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return normalize(v.Elem())
	case reflect.Slice:
		if v.Len() == 0 {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = normalize(v.Index(i))
		}
		return out
	case reflect.Struct:
		out := make([]any, v.NumField())
		for i := range out {
			out[i] = normalize(v.Field(i))
		}
		return out
	}
	return v.Interface()
}

func show(v any) string {
	if p, ok := v.(*pcnet.TutorPath); ok && p != nil {
		return fmt.Sprintf("&%+v", *p)
	}
	return fmt.Sprintf("%+v", v)
}

var _ pcnet.Analytics = (*neo4j.Store)(nil)
