package storetest

import (
	"context"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"pcnet/internal/pcnet"
)

// AnalyticsStore is a store that also answers analytics questions.
type AnalyticsStore = interface {
	pcnet.Store
	pcnet.Analytics
}

// RunAnalytics runs the conformance suite of pcnet.Analytics. open must
// return a store holding exactly ds (for Neo4j: ds imported into a clean
// database) and clean it up when t ends. RunAnalytics opens one store, on
// AnalyticsFixture().
//
// Beyond what analytics.go documents, the suite pins down these contract
// details, which every store must follow:
//
// Peers
//   - The queried Province's tutorship and the peer's are with the same
//     tutor in the same sector: the queried sector, or any one sector when
//     SectorCode is empty (a tutor accompanying X in personnel and Y in
//     procurement makes no peers).
//   - With ActiveOn, both tutorships are active on it (half-open periods);
//     with a zero ActiveOn, their dates don't matter and need not overlap.
//   - One row per (peer, tutor), however many tutorships produce it.
//
// TutorLinks and TutorPath
//   - Tutorships of any date count; a sector filter applies to every step.
//   - TutorLinks: the root is never returned, even when a cycle leads back
//     to it. ViaCode is the smallest code among the Provinces at depth-1
//     that have a tutorship (in the walk's direction and sector) to the
//     Province. An unknown root, or one without links, gives no rows.
//   - TutorPath: "smallest" compares the sequences of Province codes
//     element by element (all shortest paths have the same length).
//     Links[i] lists every tutorship joining the pair, either direction,
//     within the sector, ordered like Tutorships (sector, tutor, tutored,
//     since). An unknown code at either end gives nil, even when both ends
//     are the same code; a known Province to itself gives one Province and
//     no links (nil or empty).
//
// Reach
//   - The selected services are those Services(q.Services) returns.
//   - A Comune is covered when a coverage of a selected service of the
//     group is active on AsOf (Since <= AsOf < Until), whatever the
//     service's status or start date. Each Comune counts once per row.
//   - A service's group is its provider Province (PROVINCE), the
//     provider's region (REGION), its area's sector (SECTOR) or its area
//     (AREA). There is one row for each group with at least one selected
//     service, even when it covers nothing, ordered by GroupCode; none for
//     groups without selected services. TOTAL gives exactly one row with
//     GroupCode "", all zero when nothing is selected.
//   - Base: PROVINCE rows, every Comune of the Province; REGION rows,
//     every Comune of the region (Provinces that provide nothing
//     included); TOTAL, SECTOR and AREA rows, every Comune of the distinct
//     Provinces that provide the group's selected services (services that
//     cover nothing included).
//   - Services is the number of distinct selected services in the group.
//   - TOTAL is the distinct union: a Comune covered in two sectors counts
//     once in TOTAL and once in each SECTOR row.
//
// ComuniSummaries
//   - A filter matches what Comuni(filter) matches: summary i counts the
//     Comuni, inhabitants, small Comuni (population < 5,000) and their
//     inhabitants of Comuni(filters[i]).
//
// NearestProviders
//   - A provider is a Province with at least one service in the sector
//     (or area) whose status is not ENDED (PLANNED, PILOT, ACTIVE and
//     SUSPENDED all count). ServiceIDs lists those services, ascending.
//   - The distance is the haversine great-circle distance on a sphere of
//     the mean Earth radius, 6,371.0088 km, from
//     the Comune to the nearest capital (Capital) of the Province that
//     has coordinates; Provinces none of whose capitals has coordinates
//     are left out. The Comune's own Province counts like any other (0 km
//     from one of its capitals).
//   - DistanceKm is rounded to the metre: math.Round(km*1000)/1000, or in
//     Cypher round(m)/1000.0 (the suite allows 1.5 m of difference from
//     its own formula, but the value must be whole metres).
//   - Rows are ordered by the rounded DistanceKm, then Province code, and
//     cut to Limit. An unknown Comune or one without coordinates gives no
//     rows.
//
// ParticipationShare
//   - The territory is every Province of the region (all Provinces when
//     RegionCode is ""), whether or not it has participation records, and
//     their Comuni, retired ones left out; an unknown region is an empty
//     territory.
//   - A Province participates when one of its records in the sector is
//     active on AsOf (Since <= AsOf < Until); several records count once.
//   - ParticipantCodes is ascending and never nil; Provinces is its length.
//
// ProjectWorkCounts
//   - The works counted are those ProjectWorks(f) returns. A work's group
//     is the sector of its area (SECTOR) or the region of its Province
//     (REGION). One row per (group, maturity, step) with a count above
//     zero, ordered by group code, maturity in pcnet.Maturities order and
//     step.
//
// Everywhere: unknown codes match nothing; empty results may be nil or
// empty; a cancelled context makes every method fail; results belong to
// the caller.
func RunAnalytics(t *testing.T, open func(t *testing.T, ds pcnet.Dataset) interface {
	pcnet.Store
	pcnet.Analytics
}) {
	ds := AnalyticsFixture()
	if err := ds.Validate(); err != nil {
		t.Fatalf("the analytics fixture itself is invalid: %v", err)
	}
	s := open(t, AnalyticsFixture())
	fx := newAnalyticsFixture(AnalyticsFixture())

	t.Run("Peers", func(t *testing.T) { testPeers(t, s) })
	t.Run("TutorLinks", func(t *testing.T) { testTutorLinks(t, s) })
	t.Run("TutorPath", func(t *testing.T) { testTutorPath(t, s, fx) })
	t.Run("Reach", func(t *testing.T) { testReach(t, s, fx) })
	t.Run("ReachTotalFigures", func(t *testing.T) { testReachTotalFigures(t, s) })
	t.Run("ComuniSummaries", func(t *testing.T) { testComuniSummaries(t, s, fx) })
	t.Run("NearestProviders", func(t *testing.T) { testNearestProviders(t, s, fx) })
	t.Run("ProjectWorkCounts", func(t *testing.T) { testProjectWorkCounts(t, s) })
	t.Run("ParticipationShare", func(t *testing.T) { testParticipationShare(t, s, fx) })
	t.Run("ResultsAreCopies", func(t *testing.T) { testAnalyticsResultsAreCopies(t, s) })
	t.Run("CancelledContext", func(t *testing.T) { testAnalyticsCancelledContext(t, s) })
}

// analyticsFixture looks up the fixture's items, to turn the hand-made
// expectations (lists of codes) into the values a store returns.
type analyticsFixture struct {
	ds         pcnet.Dataset
	comuni     map[string]pcnet.Comune
	tutorships map[string]pcnet.Tutorship
}

func newAnalyticsFixture(ds pcnet.Dataset) *analyticsFixture {
	return &analyticsFixture{
		ds:         ds,
		comuni:     keyed(ds.Comuni, func(c pcnet.Comune) string { return c.Code }),
		tutorships: keyed(ds.Tutorships, tutorshipKey),
	}
}

// summaryOf adds up the listed Comuni, which must be distinct.
func (fx *analyticsFixture) summaryOf(t *testing.T, codes []string) pcnet.ComuneSummary {
	t.Helper()
	var s pcnet.ComuneSummary
	seen := make(map[string]bool)
	for _, code := range codes {
		c, ok := fx.comuni[code]
		if !ok || seen[code] {
			t.Fatalf("expectation names Comune %q twice or not in the fixture", code)
		}
		seen[code] = true
		countComune(&s, c.Population)
	}
	return s
}

// countComune adds one Comune of population inhabitants to s: the suite's
// own sum, written out rather than taken from a store.
func countComune(s *pcnet.ComuneSummary, population int) {
	one := pcnet.ComuneSummary{Comuni: 1, Inhabitants: population}
	if population < pcnet.SmallComuneThreshold {
		one.SmallComuni, one.SmallInhabitants = 1, population
	}
	*s = s.Add(one)
}

// comuniOf returns the codes of the Comuni of the listed Provinces.
func (fx *analyticsFixture) comuniOf(provinces []string) []string {
	var out []string
	for _, c := range fx.ds.Comuni {
		if slices.Contains(provinces, c.ProvinceCode) {
			out = append(out, c.Code)
		}
	}
	return out
}

// --- Peers ---------------------------------------------------------------

func testPeers(t *testing.T, s pcnet.Analytics) {
	// B (002) is accompanied by A (personnel: 2022 and from 2024), by E
	// (personnel, from 2023-03-01) and by K (innovation, from 2024-02-01).
	// A also tutors C (personnel) and F (procurement); E tutors F and C
	// (personnel, C only during 2023); K tutors L (from 2024-03-01).
	type peerCase struct {
		name string
		q    pcnet.PeerQuery
		want []string // "peer by tutor"
	}
	tests := []peerCase{
		// F is tutored by A in procurement, B in personnel: not peers
		// through A. C is a peer through both A and E: two rows.
		{"personnel, any date", pcnet.PeerQuery{ProvinceCode: "002", SectorCode: "personnel"},
			[]string{"003 by 001", "003 by 013", "016 by 013"}},
		// Any one sector: K's innovation pupils join; still no (016 by 001).
		{"any sector", pcnet.PeerQuery{ProvinceCode: "002"},
			[]string{"003 by 001", "003 by 013", "016 by 013", "047 by 046"}},
		// On 2025-01-01 E no longer tutors C; A→B (from 2024) and A→C hold.
		{"personnel on 2025-01-01", pcnet.PeerQuery{ProvinceCode: "002", SectorCode: "personnel", ActiveOn: pcnet.MustDate("2025-01-01")},
			[]string{"003 by 001", "016 by 013"}},
		// On 2023-06-01 neither of A's tutorships of B is active (2022
		// ended 2023-01-01, the next starts 2024-01-01), though A→C is:
		// both sides must be active.
		{"personnel on 2023-06-01", pcnet.PeerQuery{ProvinceCode: "002", SectorCode: "personnel", ActiveOn: pcnet.MustDate("2023-06-01")},
			[]string{"003 by 013", "016 by 013"}},
		// K→B starts 2024-02-01, K→L 2024-03-01.
		{"innovation before the peer's tutorship starts", pcnet.PeerQuery{ProvinceCode: "002", SectorCode: "innovation", ActiveOn: pcnet.MustDate("2024-02-29")}, nil},
		{"innovation on the day it starts", pcnet.PeerQuery{ProvinceCode: "002", SectorCode: "innovation", ActiveOn: pcnet.MustDate("2024-03-01")},
			[]string{"047 by 046"}},
		// C is accompanied by A and E (personnel); both tutor B, A twice:
		// one row for (B, A).
		{"one row per peer and tutor", pcnet.PeerQuery{ProvinceCode: "003", SectorCode: "personnel"},
			[]string{"002 by 001", "002 by 013", "016 by 013"}},
		// A is tutored only by B (europe), whose only europe pupil is A.
		{"the tutor's only pupil", pcnet.PeerQuery{ProvinceCode: "001"}, nil},
		// D is tutored by C and F, who tutor nobody else in a shared sector.
		{"no peers", pcnet.PeerQuery{ProvinceCode: "012"}, nil},
		// H, in the europe cycle, is G's only pupil.
		{"cycle", pcnet.PeerQuery{ProvinceCode: "024", SectorCode: "europe"}, nil},
		{"unknown sector", pcnet.PeerQuery{ProvinceCode: "002", SectorCode: "nowhere"}, nil},
		{"unknown province", pcnet.PeerQuery{ProvinceCode: "999"}, nil},
		{"a province without tutorships", pcnet.PeerQuery{ProvinceCode: "048"}, nil},
	}
	got := askBatch(t, mapEach(tests, func(tt peerCase) pcnet.PeerQuery { return tt.q }), s.Peers)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := mapSlice(got[i], func(p pcnet.Peer) string { return p.ProvinceCode + " by " + p.TutorCode })
			if !slices.Equal(rows, tt.want) {
				t.Errorf("peers of %+v:\n got  %q\n want %q", tt.q, rows, tt.want)
			}
		})
	}
}

// --- TutorLinks ----------------------------------------------------------

func testTutorLinks(t *testing.T, s pcnet.Analytics) {
	down := func(root, sector string, depth int) pcnet.TutorLinkQuery {
		return pcnet.TutorLinkQuery{Root: root, Direction: pcnet.TutorDown, SectorCode: sector, MaxDepth: depth}
	}
	up := func(root, sector string, depth int) pcnet.TutorLinkQuery {
		return pcnet.TutorLinkQuery{Root: root, Direction: pcnet.TutorUp, SectorCode: sector, MaxDepth: depth}
	}
	// DOWN from A: depth 1 B, C, F. Depth 2: from B only A (the root,
	// skipped); from C, D and J; from F, D again (via the smaller C).
	// Depth 3: J→K (D→J would put J at depth 3: it stays at 2). Depth 4:
	// K→L (K→B: B is already reached).
	allDownFromA := []string{"002@1<001", "003@1<001", "016@1<001", "012@2<003", "045@2<003", "046@3<045", "047@4<046"}
	// UP from D: its tutors C and F; their tutors A and E (both tutor C
	// and F: via C); A's tutor B (europe); B's tutors A, E (reached) and
	// K; K's tutor J. J tutors... nobody new: D is the root. J, which D
	// tutors, is reached only going round, at depth 5.
	allUpFromD := []string{"003@1<012", "016@1<012", "001@2<003", "013@2<003", "002@3<001", "046@4<002", "045@5<046"}
	type linkCase struct {
		name string
		q    pcnet.TutorLinkQuery
		want []string // "province@depth<via"
	}
	tests := []linkCase{
		{"down, all sectors", down("001", "", 10), allDownFromA},
		{"down, depth 4 is enough", down("001", "", 4), allDownFromA},
		{"down, depth 3", down("001", "", 3), allDownFromA[:6]},
		{"down, depth 2", down("001", "", 2), allDownFromA[:5]},
		{"down, depth 1", down("001", "", 1), allDownFromA[:3]},
		// In procurement A tutors F, F tutors D: D is reached via F now.
		{"down, procurement: via changes", down("001", "procurement", 10), []string{"016@1<001", "012@2<016"}},
		{"down, personnel", down("001", "personnel", 10), []string{"002@1<001", "003@1<001", "012@2<003"}},
		{"down, no links in the sector", down("001", "europe", 10), nil},
		// From B: B→A (europe), then as from A; K→B leads back to the
		// root, which is never returned.
		{"down from B, the root comes round", down("002", "", 10),
			[]string{"001@1<002", "003@2<001", "016@2<001", "012@3<003", "045@3<003", "046@4<045", "047@5<046"}},
		{"up, all sectors", up("012", "", 10), allUpFromD},
		{"up, depth 4", up("012", "", 4), allUpFromD[:6]},
		// In personnel: A→F is procurement, E→F personnel; A's tutor B
		// is in europe.
		{"up, personnel", up("012", "personnel", 10), []string{"003@1<012", "016@1<012", "001@2<003", "013@2<003"}},
		// In procurement D's only tutor is F, F's is A: A via F.
		{"up, procurement", up("012", "procurement", 10), []string{"016@1<012", "001@2<016"}},
		// The europe cycle G→H→I→G.
		{"cycle down", down("023", "", 10), []string{"024@1<023", "025@2<024"}},
		{"cycle up", up("023", "europe", 10), []string{"025@1<023", "024@2<025"}},
		{"cycle up, depth 1", up("024", "", 1), []string{"023@1<024"}},
		{"no tutorships", down("048", "", 10), nil},
		{"no tutors", up("013", "", 10), nil},
		{"unknown root", down("999", "", 10), nil},
	}
	// One batch, both directions mixed: answer i must be query i's.
	got := askBatch(t, mapEach(tests, func(tt linkCase) pcnet.TutorLinkQuery { return tt.q }), s.TutorLinks)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := mapSlice(got[i], func(l pcnet.TutorLink) string {
				return fmt.Sprintf("%s@%d<%s", l.ProvinceCode, l.Depth, l.ViaCode)
			})
			if !slices.Equal(rows, tt.want) {
				t.Errorf("tutor links %+v:\n got  %q\n want %q", tt.q, rows, tt.want)
			}
		})
	}
}

// --- TutorPath -----------------------------------------------------------

func testTutorPath(t *testing.T, s pcnet.Analytics, fx *analyticsFixture) {
	const (
		ab22 = "personnel 001>002 2022-01-01"
		ab24 = "personnel 001>002 2024-01-01"
		ba   = "europe 002>001 2021-05-01"
		eb   = "personnel 013>002 2023-03-01"
	)
	tests := []struct {
		name  string
		q     pcnet.TutorPathQuery
		codes []string   // nil: no path
		links [][]string // tutorship keys, see tutorshipKey
	}{
		// A and F are joined directly in procurement.
		{"adjacent", pcnet.TutorPathQuery{FromCode: "001", ToCode: "016"},
			[]string{"001", "016"}, [][]string{{"procurement 001>016 2021-01-01"}}},
		// In personnel there are three shortest paths A…F: A-B-E-F,
		// A-C-E-F, A-C-D-F. The smallest is A-B-E-F, though walking back
		// from F to the smallest neighbour (D, then C) gives A-C-D-F.
		// A-B has two personnel tutorships (the europe B→A is left out).
		{"tie broken on the whole sequence", pcnet.TutorPathQuery{FromCode: "001", ToCode: "016", SectorCode: "personnel"},
			[]string{"001", "002", "013", "016"},
			[][]string{{ab22, ab24}, {eb}, {"personnel 013>016 2022-09-01"}}},
		// A to E: via B, C or F (length 2): B. Every tutorship between A
		// and B, both directions, in Tutorships order (europe first).
		{"links in both directions, in order", pcnet.TutorPathQuery{FromCode: "001", ToCode: "013"},
			[]string{"001", "002", "013"}, [][]string{{ba, ab22, ab24}, {eb}}},
		// D to A: via C or F: C. Both tutorships point against the walk.
		{"against the direction", pcnet.TutorPathQuery{FromCode: "012", ToCode: "001"},
			[]string{"012", "003", "001"}, [][]string{{"personnel 003>012 2022-01-01"}, {"personnel 001>003 2022-06-01"}}},
		// F to J: via D (F-D in two sectors, personnel first).
		{"two sectors between a pair", pcnet.TutorPathQuery{FromCode: "016", ToCode: "045"},
			[]string{"016", "012", "045"},
			[][]string{{"personnel 016>012 2023-01-01", "procurement 016>012 2023-06-01"}, {"innovation 012>045 2023-02-01"}}},
		// L to A: L-K-B-A (length 3) beats L-K-J-C-A.
		{"longer", pcnet.TutorPathQuery{FromCode: "047", ToCode: "001"},
			[]string{"047", "046", "002", "001"},
			[][]string{{"innovation 046>047 2024-03-01"}, {"innovation 046>002 2024-02-01"}, {ba, ab22, ab24}}},
		// In innovation A has no links at all.
		{"no path in the sector", pcnet.TutorPathQuery{FromCode: "047", ToCode: "001", SectorCode: "innovation"}, nil, nil},
		{"innovation path", pcnet.TutorPathQuery{FromCode: "047", ToCode: "003", SectorCode: "innovation"},
			[]string{"047", "046", "045", "003"},
			[][]string{{"innovation 046>047 2024-03-01"}, {"innovation 045>046 2024-01-01"}, {"innovation 003>045 2023-01-01"}}},
		{"europe: A and F apart", pcnet.TutorPathQuery{FromCode: "001", ToCode: "016", SectorCode: "europe"}, nil, nil},
		{"cycle", pcnet.TutorPathQuery{FromCode: "023", ToCode: "025"},
			[]string{"023", "025"}, [][]string{{"europe 025>023 2022-01-01"}}},
		{"another component", pcnet.TutorPathQuery{FromCode: "001", ToCode: "023"}, nil, nil},
		{"isolated", pcnet.TutorPathQuery{FromCode: "048", ToCode: "001"}, nil, nil},
		{"to itself", pcnet.TutorPathQuery{FromCode: "001", ToCode: "001"}, []string{"001"}, nil},
		{"isolated to itself", pcnet.TutorPathQuery{FromCode: "048", ToCode: "048"}, []string{"048"}, nil},
		{"to itself in a sector without links", pcnet.TutorPathQuery{FromCode: "048", ToCode: "048", SectorCode: "europe"}, []string{"048"}, nil},
		{"unknown from", pcnet.TutorPathQuery{FromCode: "999", ToCode: "001"}, nil, nil},
		{"unknown to", pcnet.TutorPathQuery{FromCode: "001", ToCode: "999"}, nil, nil},
		{"unknown to itself", pcnet.TutorPathQuery{FromCode: "999", ToCode: "999"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.TutorPath(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if tt.codes == nil {
				if got != nil {
					t.Errorf("path %+v: got %+v, want none", tt.q, *got)
				}
				return
			}
			if got == nil {
				t.Fatalf("path %+v: got none, want %q", tt.q, tt.codes)
			}
			if !slices.Equal(got.ProvinceCodes, tt.codes) {
				t.Errorf("path %+v:\n got  %q\n want %q", tt.q, got.ProvinceCodes, tt.codes)
			}
			if len(got.Links) != len(tt.links) {
				t.Fatalf("path %+v: %d link lists, want %d", tt.q, len(got.Links), len(tt.links))
			}
			for i, links := range got.Links {
				checkItems(t, fmt.Sprintf("links %d", i), links, tutorshipKey, fx.tutorships, tt.links[i])
			}
		})
	}
}

// --- Reach ---------------------------------------------------------------

// reachWant is an expected reach row: the covered Comuni and the Provinces
// whose Comuni make the base, worked out by hand.
type reachWant struct {
	group    string
	covered  []string // Comune codes
	base     []string // Province codes
	services int
}

var (
	day0 = pcnet.MustDate("2024-06-01") // the reference day of the fixture
	// On day0, the covered Comuni of each provider, worked out from the
	// coverage list in AnalyticsFixture.
	covered001 = []string{"001001", "001272"}           // Agliè (three services), Torino (starts on day0); not Airasca (ends on day0), Villastellone (starts after)
	covered012 = []string{"012001", "012026", "012133"} // Agra, Busto, Varese (second period)
	covered013 = []string{"013041"}                     // Cantù
	covered023 = []string{"023091"}                     // Verona
	covered024 = []string{"024063"}                     // Lonigo; not Vicenza (starts 2024-07-01)
	covered047 = []string{"047014"}                     // Pistoia
	// 002 (Alagna), 016 (Bergamo) and 046 (Lucca) covered nothing on day0; 045 never.
)

func concat(lists ...[]string) []string { return slices.Concat(lists...) }

// mapEach returns f of each item.
func mapEach[T, U any](items []T, f func(T) U) []U {
	out := make([]U, len(items))
	for i, it := range items {
		out[i] = f(it)
	}
	return out
}

// reachCase is a reach query and its rows.
type reachCase struct {
	name string
	q    pcnet.ReachQuery
	want []reachWant
}

func reachCases() []reachCase {
	all := pcnet.ServiceFilter{}
	providers := []string{"001", "002", "012", "013", "016", "023", "024", "045", "046", "047"} // every Province with a service
	return []reachCase{
		{"total", pcnet.ReachQuery{Services: all, AsOf: day0, GroupBy: pcnet.ReachTotal}, []reachWant{
			{"", concat(covered001, covered012, covered013, covered023, covered024, covered047), providers, 12},
		}},
		{"by province", pcnet.ReachQuery{Services: all, AsOf: day0, GroupBy: pcnet.ReachByProvince}, []reachWant{
			{"001", covered001, []string{"001"}, 3},
			{"002", nil, []string{"002"}, 1},
			{"012", covered012, []string{"012"}, 1},
			{"013", covered013, []string{"013"}, 1},
			{"016", nil, []string{"016"}, 1},
			{"023", covered023, []string{"023"}, 1},
			{"024", covered024, []string{"024"}, 1},
			{"045", nil, []string{"045"}, 1},
			{"046", nil, []string{"046"}, 1},
			{"047", covered047, []string{"047"}, 1},
		}},
		// A region's base is all its Comuni: Novara (003), Belluno (025)
		// and Firenze (048) provide nothing but count.
		{"by region", pcnet.ReachQuery{Services: all, AsOf: day0, GroupBy: pcnet.ReachByRegion}, []reachWant{
			{"01", covered001, []string{"001", "002", "003"}, 4},
			{"03", concat(covered012, covered013), []string{"012", "013", "016"}, 3},
			{"05", concat(covered023, covered024), []string{"023", "024", "025"}, 2},
			{"09", covered047, []string{"045", "046", "047", "048"}, 3},
		}},
		// Agliè counts in personnel and in procurement: the rows add up
		// to 10 Comuni, the total is 9.
		{"by sector", pcnet.ReachQuery{Services: all, AsOf: day0, GroupBy: pcnet.ReachBySector}, []reachWant{
			{"europe", nil, []string{"002"}, 1},
			{"innovation", concat(covered023, covered024), []string{"023", "024", "045"}, 3},
			{"personnel", []string{"001001", "013041"}, []string{"001", "013", "016"}, 4},
			{"procurement", concat(covered001, covered012, covered047), []string{"001", "012", "046", "047"}, 4},
		}},
		{"by area", pcnet.ReachQuery{Services: all, AsOf: day0, GroupBy: pcnet.ReachByArea}, []reachWant{
			{"digital-transition", concat(covered023, covered024), []string{"023", "024", "045"}, 3},
			{"europe-office", nil, []string{"002"}, 1},
			{"recruitment", []string{"001001"}, []string{"001", "016"}, 2},
			{"staff-training", []string{"001001", "013041"}, []string{"001", "013"}, 2},
			{"sua", concat(covered001, covered012, covered047), []string{"001", "012", "046", "047"}, 4},
		}},
		{"one sector", pcnet.ReachQuery{Services: pcnet.ServiceFilter{SectorCodes: []string{"personnel"}}, AsOf: day0, GroupBy: pcnet.ReachTotal}, []reachWant{
			{"", []string{"001001", "013041"}, []string{"001", "013", "016"}, 4},
		}},
		{"active services", pcnet.ReachQuery{Services: pcnet.ServiceFilter{Statuses: []pcnet.ServiceStatus{pcnet.StatusActive}}, AsOf: day0, GroupBy: pcnet.ReachTotal}, []reachWant{
			{"", concat(covered001, covered012, covered023, covered047), []string{"001", "012", "023", "047"}, 5},
		}},
		{"one region's services by province", pcnet.ReachQuery{Services: pcnet.ServiceFilter{RegionCodes: []string{"03"}}, AsOf: day0, GroupBy: pcnet.ReachByProvince}, []reachWant{
			{"012", covered012, []string{"012"}, 1},
			{"013", covered013, []string{"013"}, 1},
			{"016", nil, []string{"016"}, 1},
		}},
		{"nothing selected: one zero row", pcnet.ReachQuery{Services: pcnet.ServiceFilter{IDs: []string{"svc-none"}}, AsOf: day0, GroupBy: pcnet.ReachTotal}, []reachWant{
			{"", nil, nil, 0},
		}},
		{"nothing selected: no groups", pcnet.ReachQuery{Services: pcnet.ServiceFilter{IDs: []string{"svc-none"}}, AsOf: day0, GroupBy: pcnet.ReachByProvince}, nil},
		{"an ID listed twice selects once", pcnet.ReachQuery{Services: pcnet.ServiceFilter{IDs: []string{"svc-012-sua", "svc-012-sua"}}, AsOf: day0, GroupBy: pcnet.ReachBySector}, []reachWant{
			{"procurement", covered012, []string{"012"}, 1},
		}},
		// Torino's services through time (the batch order is the
		// answer order): before anything, the day Airasca's SUA
		// coverage is last active, the day it ends and Torino's starts,
		// the day Villastellone's starts.
		{"001 before its services", pcnet.ReachQuery{Services: pcnet.ServiceFilter{ProviderCodes: []string{"001"}}, AsOf: pcnet.MustDate("2020-12-31"), GroupBy: pcnet.ReachTotal}, []reachWant{
			{"", nil, []string{"001"}, 3},
		}},
		{"001 on 2021-03-01", pcnet.ReachQuery{Services: pcnet.ServiceFilter{ProviderCodes: []string{"001"}}, AsOf: pcnet.MustDate("2021-03-01"), GroupBy: pcnet.ReachTotal}, []reachWant{
			{"", []string{"001001"}, []string{"001"}, 3},
		}},
		{"001 on 2024-05-31", pcnet.ReachQuery{Services: pcnet.ServiceFilter{ProviderCodes: []string{"001"}}, AsOf: pcnet.MustDate("2024-05-31"), GroupBy: pcnet.ReachTotal}, []reachWant{
			{"", []string{"001001", "001002"}, []string{"001"}, 3},
		}},
		{"001 on 2024-06-01", pcnet.ReachQuery{Services: pcnet.ServiceFilter{ProviderCodes: []string{"001"}}, AsOf: day0, GroupBy: pcnet.ReachTotal}, []reachWant{
			{"", covered001, []string{"001"}, 3},
		}},
		{"001 on 2024-06-02", pcnet.ReachQuery{Services: pcnet.ServiceFilter{ProviderCodes: []string{"001"}}, AsOf: pcnet.MustDate("2024-06-02"), GroupBy: pcnet.ReachTotal}, []reachWant{
			{"", []string{"001001", "001272", "001300"}, []string{"001"}, 3},
		}},
		// Varese's two periods: [2020-06-01, 2022-01-01) and from
		// 2023-01-01.
		{"Varese's last day of the first period", pcnet.ReachQuery{Services: pcnet.ServiceFilter{IDs: []string{"svc-012-sua"}}, AsOf: pcnet.MustDate("2021-12-31"), GroupBy: pcnet.ReachTotal}, []reachWant{
			{"", covered012, []string{"012"}, 1},
		}},
		{"Varese's gap", pcnet.ReachQuery{Services: pcnet.ServiceFilter{IDs: []string{"svc-012-sua"}}, AsOf: pcnet.MustDate("2022-01-01"), GroupBy: pcnet.ReachTotal}, []reachWant{
			{"", []string{"012001", "012026"}, []string{"012"}, 1},
		}},
		// An ENDED service's coverages count while they are active.
		{"ended service, while its coverage lasted", pcnet.ReachQuery{Services: pcnet.ServiceFilter{Statuses: []pcnet.ServiceStatus{pcnet.StatusEnded}}, AsOf: pcnet.MustDate("2020-06-01"), GroupBy: pcnet.ReachByProvince}, []reachWant{
			{"002", []string{"002001"}, []string{"002"}, 1},
			{"016", nil, []string{"016"}, 1},
			{"046", []string{"046017"}, []string{"046"}, 1},
		}},
	}
}

func testReach(t *testing.T, s pcnet.Analytics, fx *analyticsFixture) {
	cases := reachCases()
	// One batch: result i must answer query i.
	got := askBatch(t, mapEach(cases, func(c reachCase) pcnet.ReachQuery { return c.q }), s.Reach)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := make([]pcnet.ReachRow, len(c.want))
			for k, w := range c.want {
				want[k] = pcnet.ReachRow{
					GroupCode: w.group,
					Covered:   fx.summaryOf(t, w.covered),
					Base:      fx.summaryOf(t, fx.comuniOf(w.base)),
					Services:  w.services,
				}
			}
			checkReachRows(t, fmt.Sprintf("reach %+v", c.q), got[i], want)
		})
	}
}

func checkReachRows(t *testing.T, what string, got, want []pcnet.ReachRow) {
	t.Helper()
	if slices.Equal(got, want) || (len(got) == 0 && len(want) == 0) {
		return
	}
	t.Errorf("%s:\n got  %s\n want %s", what, showRows(got), showRows(want))
}

func showRows(rows []pcnet.ReachRow) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "\n   %q covered %+v base %+v services %d", r.GroupCode, r.Covered, r.Base, r.Services)
	}
	if len(rows) == 0 {
		return "no rows"
	}
	return b.String()
}

// testReachTotalFigures checks one answer in plain numbers, so that the
// suite does not rest on its own summing alone.
func testReachTotalFigures(t *testing.T, s pcnet.Analytics) {
	got, err := s.Reach(context.Background(), []pcnet.ReachQuery{{AsOf: day0, GroupBy: pcnet.ReachTotal}})
	if err != nil {
		t.Fatal(err)
	}
	// Covered: Agliè 2,600 + Torino 872,367 + Agra 370 + Busto 79,692 +
	// Varese 79,793 + Cantù 39,540 + Verona 252,520 + Lonigo 16,400 +
	// Pistoia 89,101 = 1,432,383; small: Agliè and Agra, 2,970.
	// Base: the 20 Comuni of the ten providers (all 23 but Novara,
	// Belluno and Firenze): 001 883,767 + 002 46,738 + 012 159,855 + 013
	// 121,585 + 016 115,349 + 023 252,520 + 024 127,900 + 045 144,819 +
	// 046 87,200 + 047 89,101 = 2,028,834; small: Agliè, Airasca, Alagna,
	// Agra = 7,200.
	want := pcnet.ReachRow{
		Covered:  pcnet.ComuneSummary{Comuni: 9, Inhabitants: 1432383, SmallComuni: 2, SmallInhabitants: 2970},
		Base:     pcnet.ComuneSummary{Comuni: 20, Inhabitants: 2028834, SmallComuni: 4, SmallInhabitants: 7200},
		Services: 12,
	}
	checkReachRows(t, "total reach on 2024-06-01", got[0], []pcnet.ReachRow{want})
}

// --- ComuniSummaries -----------------------------------------------------

func testComuniSummaries(t *testing.T, s pcnet.Analytics, fx *analyticsFixture) {
	allCodes := mapSlice(fx.ds.Comuni, comuneCode)
	type summaryCase struct {
		name   string
		filter pcnet.ComuneFilter
		want   []string
	}
	tests := []summaryCase{
		{"everything", pcnet.ComuneFilter{}, allCodes},
		{"a province", pcnet.ComuneFilter{ProvinceCodes: []string{"001"}}, []string{"001001", "001002", "001272", "001300"}},
		// Villastellone (5,000) is not small.
		{"small", pcnet.ComuneFilter{Small: boolp(true)}, []string{"001001", "001002", "002001", "012001"}},
		{"region and population", pcnet.ComuneFilter{RegionCodes: []string{"03"}, MinPopulation: intp(80000)}, []string{"013075", "016024"}},
		{"capitals of a region", pcnet.ComuneFilter{Capital: boolp(true), RegionCodes: []string{"09"}}, []string{"045003", "045010", "046017", "047014", "048017"}},
		{"covered in personnel", pcnet.ComuneFilter{Coverage: &pcnet.CoverageCondition{SectorCode: "personnel", AsOf: day0, Covered: true}}, []string{"001001", "013041"}},
		{"not covered in personnel, two provinces", pcnet.ComuneFilter{ProvinceCodes: []string{"001", "013"}, Coverage: &pcnet.CoverageCondition{SectorCode: "personnel", AsOf: day0}},
			[]string{"001002", "001272", "001300", "013075"}},
		{"name", pcnet.ComuneFilter{NameContains: "AGLI"}, []string{"001001"}},
		{"unknown code", pcnet.ComuneFilter{Codes: []string{"999999"}}, nil},
	}
	got := askBatch(t, mapEach(tests, func(tt summaryCase) pcnet.ComuneFilter { return tt.filter }), s.ComuniSummaries)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if want := fx.summaryOf(t, tt.want); got[i] != want {
				t.Errorf("summary of %+v:\n got  %+v\n want %+v", tt.filter, got[i], want)
			}
		})
	}
}

// --- NearestProviders ----------------------------------------------------

// greatCircleKm is the suite's own great-circle distance: the chord between
// the two points on the unit sphere, turned into an arc. It is a different
// formula from the haversine that stores use, and agrees with it to well
// under a millimetre.
func greatCircleKm(lat1, lon1, lat2, lon2 float64) float64 {
	unit := func(lat, lon float64) [3]float64 {
		φ, λ := lat*math.Pi/180, lon*math.Pi/180
		return [3]float64{math.Cos(φ) * math.Cos(λ), math.Cos(φ) * math.Sin(λ), math.Sin(φ)}
	}
	a, b := unit(lat1, lon1), unit(lat2, lon2)
	dx, dy, dz := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	chord := math.Sqrt(dx*dx + dy*dy + dz*dz)
	return 2 * meanEarthRadiusKm * math.Asin(chord/2)
}

// meanEarthRadiusKm is the IUGG mean Earth radius R1, written out here
// rather than taken from pcnet so that the suite checks the stores' radius.
const meanEarthRadiusKm = 6371.0088

// distanceTolerance is how far a store's DistanceKm may be from the
// suite's: half a metre of rounding plus floating-point noise.
const distanceTolerance = 0.0015

// wholeMetres reports whether km is rounded to the metre.
func wholeMetres(km float64) bool {
	m := km * 1000
	return math.Abs(m-math.Round(m)) < 1e-6
}

func (fx *analyticsFixture) distanceKm(t *testing.T, from, to string) float64 {
	t.Helper()
	a, b := fx.comuni[from], fx.comuni[to]
	if a.Latitude == nil || b.Latitude == nil {
		t.Fatalf("fixture: %s or %s has no coordinates", from, to)
	}
	return greatCircleKm(*a.Latitude, *a.Longitude, *b.Latitude, *b.Longitude)
}

func testNearestProviders(t *testing.T, s pcnet.Analytics, fx *analyticsFixture) {
	type provider struct {
		province string
		capital  string // the capital nearest to the Comune, whose distance is expected
		services []string
	}
	innovation := []provider{
		{"023", "023091", []string{"svc-023-digital"}},
		{"024", "024116", []string{"svc-024-digital"}},
		{"045", "045003", []string{"svc-045-digital"}}, // Carrara (177 km) is nearer than Massa (180 km)
	}
	type nearestCase struct {
		name string
		q    pcnet.NearestQuery
		want []provider
	}
	tests := []nearestCase{
		// Lonigo is 21.870 km from both Verona and Vicenza: code order.
		// Massa-Carrara's service is PLANNED, which counts.
		{"tie, then code", pcnet.NearestQuery{ComuneCode: "024063", SectorCode: "innovation", Limit: 10}, innovation},
		{"limit", pcnet.NearestQuery{ComuneCode: "024063", SectorCode: "innovation", Limit: 2}, innovation[:2]},
		{"area", pcnet.NearestQuery{ComuneCode: "024063", AreaCode: "digital-transition", Limit: 50}, innovation},
		// Aulla is in Massa-Carrara but no capital: the distance is to
		// Carrara (17.8 km), not Massa (23.3 km) nor Aulla itself.
		{"nearest of two capitals", pcnet.NearestQuery{ComuneCode: "045001", AreaCode: "digital-transition", Limit: 50}, []provider{
			{"045", "045003", []string{"svc-045-digital"}},
			{"023", "023091", []string{"svc-023-digital"}}, // 158.8 km
			{"024", "024116", []string{"svc-024-digital"}}, // 185.2 km
		}},
		// From Agra: Como 35.6 km, Torino 136.9 km. Bergamo (79.4 km)
		// provides recruitment, but its service has ENDED.
		{"ended services don't count", pcnet.NearestQuery{ComuneCode: "012001", SectorCode: "personnel", Limit: 50}, []provider{
			{"013", "013075", []string{"svc-013-training"}},
			{"001", "001272", []string{"svc-001-recruitment", "svc-001-training"}},
		}},
		// From Torino itself: 0 km to its own Province.
		{"a provider's capital", pcnet.NearestQuery{ComuneCode: "001272", AreaCode: "staff-training", Limit: 50}, []provider{
			{"001", "001272", []string{"svc-001-training"}},
			{"013", "013075", []string{"svc-013-training"}},
		}},
		// SUA: Lucca's service has ENDED (it would be 0 km away);
		// Pistoia's capital has no coordinates. From Lucca, Varese
		// (256.8 km) is nearer than Torino (261.9 km).
		{"capital without coordinates is left out", pcnet.NearestQuery{ComuneCode: "046017", SectorCode: "procurement", Limit: 50}, []provider{
			{"012", "012133", []string{"svc-012-sua"}},
			{"001", "001272", []string{"svc-001-sua"}},
		}},
		{"limit 1", pcnet.NearestQuery{ComuneCode: "012026", AreaCode: "sua", Limit: 1}, []provider{
			{"012", "012133", []string{"svc-012-sua"}},
		}},
		{"only ended services", pcnet.NearestQuery{ComuneCode: "001272", SectorCode: "europe", Limit: 50}, nil},
		{"comune without coordinates", pcnet.NearestQuery{ComuneCode: "001300", SectorCode: "procurement", Limit: 50}, nil},
		{"unknown comune", pcnet.NearestQuery{ComuneCode: "999999", SectorCode: "procurement", Limit: 50}, nil},
		{"unknown sector", pcnet.NearestQuery{ComuneCode: "001272", SectorCode: "nowhere", Limit: 50}, nil},
	}
	answers := askBatch(t, mapEach(tests, func(tt nearestCase) pcnet.NearestQuery { return tt.q }), s.NearestProviders)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := answers[i]
			codes := mapSlice(got, func(p pcnet.ProviderDistance) string { return p.ProvinceCode })
			wantCodes := mapSlice(tt.want, func(p provider) string { return p.province })
			if !slices.Equal(codes, wantCodes) {
				t.Fatalf("nearest %+v:\n got  %v\n want %q", tt.q, got, wantCodes)
			}
			for i, p := range got {
				w := tt.want[i]
				want := fx.distanceKm(t, tt.q.ComuneCode, w.capital)
				if math.Abs(p.DistanceKm-want) > distanceTolerance || !wholeMetres(p.DistanceKm) {
					t.Errorf("%s: distance %v km, want %.3f km, rounded to the metre", p.ProvinceCode, p.DistanceKm, want)
				}
				if !slices.Equal(p.ServiceIDs, w.services) {
					t.Errorf("%s: services %q, want %q", p.ProvinceCode, p.ServiceIDs, w.services)
				}
			}
		})
	}
}

// --- ProjectWorkCounts ---------------------------------------------------

func testProjectWorkCounts(t *testing.T, s pcnet.Analytics) {
	// The works: 001 sua ADVANCED 3 and staff-training ADVANCED 3, 002
	// europe-office DEVELOPING 1, 003 sua CONSOLIDATING 2, 012 sua
	// ADVANCED 3, 013 staff-training and recruitment CONSOLIDATING 2, 016
	// staff-training DEVELOPING 2, 045 digital-transition DEVELOPING 1,
	// 046 sua ADVANCED 1.
	tests := []struct {
		name   string
		filter pcnet.ProjectWorkFilter
		by     pcnet.ProjectWorkGrouping
		want   []string // "group MATURITY step count"
	}{
		{"by sector", pcnet.ProjectWorkFilter{}, pcnet.ProjectWorksBySector, []string{
			"europe DEVELOPING 1 1",
			"innovation DEVELOPING 1 1",
			"personnel ADVANCED 3 1", "personnel CONSOLIDATING 2 2", "personnel DEVELOPING 2 1",
			"procurement ADVANCED 1 1", "procurement ADVANCED 3 2", "procurement CONSOLIDATING 2 1",
		}},
		{"by region", pcnet.ProjectWorkFilter{}, pcnet.ProjectWorksByRegion, []string{
			"01 ADVANCED 3 2", "01 CONSOLIDATING 2 1", "01 DEVELOPING 1 1",
			"03 ADVANCED 3 1", "03 CONSOLIDATING 2 2", "03 DEVELOPING 2 1",
			"09 ADVANCED 1 1", "09 DEVELOPING 1 1",
		}},
		{"one sector by region", pcnet.ProjectWorkFilter{SectorCodes: []string{"procurement"}}, pcnet.ProjectWorksByRegion, []string{
			"01 ADVANCED 3 1", "01 CONSOLIDATING 2 1", "03 ADVANCED 3 1", "09 ADVANCED 1 1",
		}},
		{"one maturity by sector", pcnet.ProjectWorkFilter{Maturities: []pcnet.Maturity{pcnet.MaturityAdvanced}}, pcnet.ProjectWorksBySector, []string{
			"personnel ADVANCED 3 1", "procurement ADVANCED 1 1", "procurement ADVANCED 3 2",
		}},
		{"by service", pcnet.ProjectWorkFilter{ServiceIDs: []string{"svc-001-sua", "svc-013-training"}}, pcnet.ProjectWorksBySector, []string{
			"personnel CONSOLIDATING 2 1", "procurement ADVANCED 3 1",
		}},
		{"province and areas", pcnet.ProjectWorkFilter{ProvinceCodes: []string{"013"}, AreaCodes: []string{"staff-training", "recruitment"}}, pcnet.ProjectWorksByRegion, []string{
			"03 CONSOLIDATING 2 2",
		}},
		{"no work led to the service", pcnet.ProjectWorkFilter{ServiceIDs: []string{"svc-002-europe"}}, pcnet.ProjectWorksBySector, nil},
		{"unknown area", pcnet.ProjectWorkFilter{AreaCodes: []string{"nowhere"}}, pcnet.ProjectWorksByRegion, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ProjectWorkCounts(context.Background(), tt.filter, tt.by)
			if err != nil {
				t.Fatal(err)
			}
			rows := mapSlice(got, func(c pcnet.ProjectWorkCount) string {
				return fmt.Sprintf("%s %s %d %d", c.GroupCode, c.Maturity, c.Step, c.Count)
			})
			if !slices.Equal(rows, tt.want) {
				t.Errorf("project work counts %+v by %s:\n got  %q\n want %q", tt.filter, tt.by, rows, tt.want)
			}
		})
	}
}

// --- ParticipationShare ----------------------------------------------------

func testParticipationShare(t *testing.T, s pcnet.Analytics, fx *analyticsFixture) {
	d := pcnet.MustDate
	regionOf := make(map[string]string)
	for _, p := range fx.ds.Provinces {
		regionOf[p.Code] = p.RegionCode
	}
	tests := []struct {
		name string
		q    pcnet.ParticipationShareQuery
		want []string // the participants, worked out by hand from the fixture
	}{
		{"whole country on the day", pcnet.ParticipationShareQuery{SectorCode: "personnel", AsOf: day0}, []string{"001", "013", "045"}},
		{"the day before", pcnet.ParticipationShareQuery{SectorCode: "personnel", AsOf: d("2024-05-31")}, []string{"001", "002", "045"}},
		{"the day after", pcnet.ParticipationShareQuery{SectorCode: "personnel", AsOf: d("2024-06-02")}, []string{"001", "013", "016", "045"}},
		{"one region", pcnet.ParticipationShareQuery{SectorCode: "personnel", RegionCode: "03", AsOf: day0}, []string{"013"}},
		{"a gap between two records", pcnet.ParticipationShareQuery{SectorCode: "procurement", AsOf: d("2023-06-01")}, []string{"001"}},
		{"back after the gap", pcnet.ParticipationShareQuery{SectorCode: "procurement", RegionCode: "03", AsOf: day0}, []string{"012"}},
		{"a region nobody in", pcnet.ParticipationShareQuery{SectorCode: "personnel", RegionCode: "05", AsOf: day0}, nil},
		{"a sector without records", pcnet.ParticipationShareQuery{SectorCode: "europe", AsOf: day0}, nil},
		{"unknown sector", pcnet.ParticipationShareQuery{SectorCode: "nope", AsOf: day0}, nil},
		{"unknown region", pcnet.ParticipationShareQuery{SectorCode: "personnel", RegionCode: "99", AsOf: day0}, nil},
		{"before the programme", pcnet.ParticipationShareQuery{SectorCode: "personnel", AsOf: d("2019-01-01")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ParticipationShare(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			// The totals are recomputed here from the fixture's lists.
			var territory []string
			for _, p := range fx.ds.Provinces {
				if tt.q.RegionCode == "" || p.RegionCode == tt.q.RegionCode {
					territory = append(territory, p.Code)
				}
			}
			want := pcnet.ParticipationShare{
				ParticipantCodes: append([]string{}, tt.want...),
				Provinces:        len(tt.want),
				ProvincesTotal:   len(territory),
				Participating:    fx.summaryOf(t, fx.comuniOf(tt.want)),
				Territory:        fx.summaryOf(t, fx.comuniOf(territory)),
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ParticipationShare(%+v):\n got  %+v\n want %+v", tt.q, got, want)
			}
			if got.ParticipantCodes == nil {
				t.Error("ParticipantCodes is nil, want an empty list")
			}
		})
	}
}

// --- Copies and cancellation ---------------------------------------------

func testAnalyticsResultsAreCopies(t *testing.T, s pcnet.Analytics) {
	ctx := context.Background()
	pathQuery := pcnet.TutorPathQuery{FromCode: "001", ToCode: "013"}
	first, err := s.TutorPath(ctx, pathQuery)
	if err != nil || first == nil || len(first.Links) == 0 || len(first.Links[0]) == 0 {
		t.Fatalf("tutor path: %+v, %v", first, err)
	}
	first.ProvinceCodes[1] = "999"
	first.Links[0][0].TutorCode = "999"
	again, err := s.TutorPath(ctx, pathQuery)
	if err != nil || again == nil || again.ProvinceCodes[1] != "002" || again.Links[0][0].TutorCode != "002" {
		t.Errorf("changing a returned path changed the store: %+v, %v", again, err)
	}

	nearest := alone(ctx, s.NearestProviders)
	nearQuery := pcnet.NearestQuery{ComuneCode: "012001", SectorCode: "personnel", Limit: 5}
	near, err := nearest(nearQuery)
	if err != nil || len(near) < 2 || len(near[1].ServiceIDs) != 2 {
		t.Fatalf("nearest providers: %+v, %v", near, err)
	}
	near[1].ServiceIDs[0] = "changed"
	near, err = nearest(nearQuery)
	if err != nil || len(near) < 2 || near[1].ServiceIDs[0] != "svc-001-recruitment" {
		t.Errorf("changing returned service IDs changed the store: %+v, %v", near, err)
	}
}

func testAnalyticsCancelledContext(t *testing.T, s pcnet.Analytics) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := map[string]func() error{
		"Peers": func() error { _, err := s.Peers(ctx, []pcnet.PeerQuery{{ProvinceCode: "002"}}); return err },
		"TutorLinks": func() error {
			_, err := s.TutorLinks(ctx, []pcnet.TutorLinkQuery{{Root: "001", Direction: pcnet.TutorDown, MaxDepth: 3}})
			return err
		},
		"TutorPath": func() error {
			_, err := s.TutorPath(ctx, pcnet.TutorPathQuery{FromCode: "001", ToCode: "016"})
			return err
		},
		"Reach": func() error {
			_, err := s.Reach(ctx, []pcnet.ReachQuery{{AsOf: day0, GroupBy: pcnet.ReachTotal}})
			return err
		},
		"ComuniSummaries": func() error { _, err := s.ComuniSummaries(ctx, []pcnet.ComuneFilter{{}}); return err },
		"NearestProviders": func() error {
			_, err := s.NearestProviders(ctx, []pcnet.NearestQuery{{ComuneCode: "001272", SectorCode: "procurement", Limit: 5}})
			return err
		},
		"ProjectWorkCounts": func() error {
			_, err := s.ProjectWorkCounts(ctx, pcnet.ProjectWorkFilter{}, pcnet.ProjectWorksBySector)
			return err
		},
		"ParticipationShare": func() error {
			_, err := s.ParticipationShare(ctx, pcnet.ParticipationShareQuery{SectorCode: "personnel", AsOf: day0})
			return err
		},
	}
	for _, name := range slices.Sorted(maps.Keys(calls)) {
		if err := calls[name](); err == nil {
			t.Errorf("%s with a cancelled context: no error", name)
		}
	}
}
