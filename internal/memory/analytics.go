package memory

import (
	"cmp"
	"context"
	"maps"
	"math"
	"slices"

	"pcnet/internal/pcnet"
)

var _ pcnet.Analytics = (*Store)(nil)

// analyticsIndex is what the analytics answers are built from, computed
// once per snapshot: Comune summaries of every Province and region (the
// bases of reach shares), the tutorship graph as adjacency lists, and the
// capitals that distances are measured to. The geography part is built
// once and shared by the snapshots that writes make; the network part is
// rebuilt with the network.
type analyticsIndex struct {
	provinces       map[string]bool // known Province codes
	allSummary      pcnet.ComuneSummary
	provinceSummary map[string]pcnet.ComuneSummary
	regionSummary   map[string]pcnet.ComuneSummary

	// Tutorship indexes into data.tutorships, ascending, hence in
	// Tutorships order.
	tutorshipsGiven    map[string][]int32    // tutor code → its tutorships
	tutorshipsReceived map[string][]int32    // tutored code → its tutorships
	tutorshipsBetween  map[[2]string][]int32 // {smaller code, larger code} → the tutorships joining them

	// capitals lists, for each Province, the Comune indexes of its
	// capitals that have coordinates.
	capitals map[string][]int32

	// Coverage periods as day numbers (see dayNumber), parallel to the
	// data.coverages log (writes append to them alike): reach compares
	// integers in a tight loop.
	coverageSince, coverageUntil []int32
	// population of each Comune, parallel to data.comuni: denser than
	// the Comuni themselves.
	population []int32
}

// dayNumber maps a date to an integer that orders like the date: year,
// month and day in bit fields. The zero Date maps below every real one.
func dayNumber(d pcnet.Date) int32 { return int32(d.Year<<9 | int(d.Month)<<5 | d.Day) }

// indexAnalyticsGeography builds the part of the analytics index that
// depends on the geography only, which snapshots share.
func (d *data) indexAnalyticsGeography() *analyticsIndex {
	a := &analyticsIndex{
		provinces:       make(map[string]bool, len(d.provinces)),
		provinceSummary: make(map[string]pcnet.ComuneSummary, len(d.provinces)),
		regionSummary:   make(map[string]pcnet.ComuneSummary, len(d.regions)),
		capitals:        make(map[string][]int32),
	}
	for _, p := range d.provinces {
		a.provinces[p.Code] = true
	}
	a.population = make([]int32, len(d.comuni))
	for i := range d.comuni {
		c := &d.comuni[i]
		a.population[i] = int32(c.Population)
		if c.Retired {
			continue // in no base or total (pcnet.Comune.Retired)
		}
		addComune(&a.allSummary, c)
		ps, rs := a.provinceSummary[c.ProvinceCode], a.regionSummary[c.RegionCode]
		addComune(&ps, c)
		addComune(&rs, c)
		a.provinceSummary[c.ProvinceCode], a.regionSummary[c.RegionCode] = ps, rs
		if c.Capital && c.Latitude != nil && c.Longitude != nil {
			a.capitals[c.ProvinceCode] = append(a.capitals[c.ProvinceCode], int32(i))
		}
	}
	return a
}

// indexAnalyticsCoverages builds the coverage periods of a from d's
// coverages, in new slices.
func (d *data) indexAnalyticsCoverages(a *analyticsIndex) {
	a.coverageSince = make([]int32, 0, len(d.coverages))
	a.coverageUntil = make([]int32, 0, len(d.coverages))
	a.appendCoverages(d.coverages)
}

// appendCoverages appends the periods of coverages, the slots after the
// ones a has.
func (a *analyticsIndex) appendCoverages(coverages []pcnet.Coverage) {
	for _, c := range coverages {
		until := int32(math.MaxInt32)
		if !c.Until.IsZero() {
			until = dayNumber(c.Until)
		}
		a.coverageSince = append(a.coverageSince, dayNumber(c.Since))
		a.coverageUntil = append(a.coverageUntil, until)
	}
}

// indexAnalyticsTutorships builds the tutorship graph of a from d's
// tutorships, in new maps.
func (d *data) indexAnalyticsTutorships(a *analyticsIndex) {
	a.tutorshipsGiven = make(map[string][]int32)
	a.tutorshipsReceived = make(map[string][]int32)
	a.tutorshipsBetween = make(map[[2]string][]int32)
	for i, t := range d.tutorships {
		i32 := int32(i)
		a.tutorshipsGiven[t.TutorCode] = append(a.tutorshipsGiven[t.TutorCode], i32)
		a.tutorshipsReceived[t.TutoredCode] = append(a.tutorshipsReceived[t.TutoredCode], i32)
		pair := pairOf(t.TutorCode, t.TutoredCode)
		a.tutorshipsBetween[pair] = append(a.tutorshipsBetween[pair], i32)
	}
}

func pairOf(a, b string) [2]string {
	if b < a {
		a, b = b, a
	}
	return [2]string{a, b}
}

func addComune(s *pcnet.ComuneSummary, c *pcnet.Comune) { addPopulation(s, c.Population) }

// addPopulation counts one Comune of population inhabitants.
func addPopulation(s *pcnet.ComuneSummary, population int) {
	s.Comuni++
	s.Inhabitants += population
	if population < pcnet.SmallComuneThreshold {
		s.SmallComuni++
		s.SmallInhabitants += population
	}
}

// eachQuery answers a batch one query at a time over one snapshot, so
// all of a batch's answers read the same data: a call costs no round trip,
// so batching here only saves the caller's per-call overhead.
func eachQuery[Q, R any](ctx context.Context, s *Store, queries []Q, answer func(d *data, q Q) (R, error)) ([]R, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := s.snapshot()
	out := make([]R, len(queries))
	for i, q := range queries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var err error
		if out[i], err = answer(d, q); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Peers implements pcnet.Analytics. Both tutorships, the queried
// Province's and the peer's, must be in the same sector (the queried one,
// or any one when SectorCode is empty) and, with ActiveOn, active on it.
func (s *Store) Peers(ctx context.Context, queries []pcnet.PeerQuery) ([][]pcnet.Peer, error) {
	return eachQuery(ctx, s, queries, (*data).peers)
}

func (d *data) peers(q pcnet.PeerQuery) ([]pcnet.Peer, error) {
	active := func(t *pcnet.Tutorship) bool {
		return (q.SectorCode == "" || t.SectorCode == q.SectorCode) &&
			(q.ActiveOn.IsZero() || t.Period().ActiveOn(q.ActiveOn))
	}
	seen := make(map[pcnet.Peer]bool)
	for _, ti := range d.analytics.tutorshipsReceived[q.ProvinceCode] {
		mine := &d.tutorships[ti]
		if !active(mine) {
			continue
		}
		for _, tj := range d.analytics.tutorshipsGiven[mine.TutorCode] {
			theirs := &d.tutorships[tj]
			if theirs.TutoredCode != q.ProvinceCode && theirs.SectorCode == mine.SectorCode && active(theirs) {
				seen[pcnet.Peer{ProvinceCode: theirs.TutoredCode, TutorCode: mine.TutorCode}] = true
			}
		}
	}
	return slices.SortedFunc(maps.Keys(seen), func(a, b pcnet.Peer) int {
		return cmp.Or(cmp.Compare(a.ProvinceCode, b.ProvinceCode), cmp.Compare(a.TutorCode, b.TutorCode))
	}), nil
}

// TutorLinks implements pcnet.Analytics. Tutorships of any date count.
func (s *Store) TutorLinks(ctx context.Context, queries []pcnet.TutorLinkQuery) ([][]pcnet.TutorLink, error) {
	return eachQuery(ctx, s, queries, (*data).tutorLinks)
}

func (d *data) tutorLinks(q pcnet.TutorLinkQuery) ([]pcnet.TutorLink, error) {
	var edges map[string][]int32
	var next func(t *pcnet.Tutorship) string
	switch q.Direction {
	case pcnet.TutorDown:
		edges, next = d.analytics.tutorshipsGiven, func(t *pcnet.Tutorship) string { return t.TutoredCode }
	case pcnet.TutorUp:
		edges, next = d.analytics.tutorshipsReceived, func(t *pcnet.Tutorship) string { return t.TutorCode }
	default:
		return nil, pcnet.Invalidf("direction", "direction: %q is not a direction", q.Direction)
	}

	var out []pcnet.TutorLink
	reached := map[string]bool{q.Root: true}
	frontier := []string{q.Root}
	for depth := 1; depth <= q.MaxDepth && len(frontier) > 0; depth++ {
		// The frontier is in code order, so the first Province to reach
		// a new one is the smallest: that is its via.
		via := make(map[string]string)
		for _, from := range frontier {
			for _, ti := range edges[from] {
				t := &d.tutorships[ti]
				if q.SectorCode != "" && t.SectorCode != q.SectorCode {
					continue
				}
				to := next(t)
				if _, ok := via[to]; !ok && !reached[to] {
					via[to] = from
				}
			}
		}
		frontier = slices.Sorted(maps.Keys(via))
		for _, code := range frontier {
			reached[code] = true
			out = append(out, pcnet.TutorLink{ProvinceCode: code, Depth: depth, ViaCode: via[code]})
		}
	}
	return out, nil
}

// TutorPath implements pcnet.Analytics. Tutorships of any date count.
func (s *Store) TutorPath(ctx context.Context, q pcnet.TutorPathQuery) (*pcnet.TutorPath, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := s.snapshot()
	a := d.analytics
	if !a.provinces[q.FromCode] || !a.provinces[q.ToCode] {
		return nil, nil
	}
	inSector := func(t *pcnet.Tutorship) bool { return q.SectorCode == "" || t.SectorCode == q.SectorCode }
	neighbours := func(p string, visit func(string)) {
		for _, ti := range a.tutorshipsGiven[p] {
			if t := &d.tutorships[ti]; inSector(t) {
				visit(t.TutoredCode)
			}
		}
		for _, ti := range a.tutorshipsReceived[p] {
			if t := &d.tutorships[ti]; inSector(t) {
				visit(t.TutorCode)
			}
		}
	}

	// Breadth first from the end gives every Province its distance to
	// it; walking from the start, always to the smallest neighbour one
	// step closer, then spells the smallest of the shortest paths.
	dist := map[string]int{q.ToCode: 0}
	for frontier := []string{q.ToCode}; len(frontier) > 0 && !hasKey(dist, q.FromCode); {
		var nextFrontier []string
		for _, p := range frontier {
			neighbours(p, func(n string) {
				if _, ok := dist[n]; !ok {
					dist[n] = dist[p] + 1
					nextFrontier = append(nextFrontier, n)
				}
			})
		}
		frontier = nextFrontier
	}
	if !hasKey(dist, q.FromCode) {
		return nil, nil
	}
	path := &pcnet.TutorPath{ProvinceCodes: []string{q.FromCode}, Links: [][]pcnet.Tutorship{}}
	for at := q.FromCode; at != q.ToCode; {
		step := ""
		neighbours(at, func(n string) {
			if nd, ok := dist[n]; ok && nd == dist[at]-1 && (step == "" || n < step) {
				step = n
			}
		})
		var links []pcnet.Tutorship
		for _, ti := range a.tutorshipsBetween[pairOf(at, step)] {
			if t := &d.tutorships[ti]; inSector(t) {
				links = append(links, *t)
			}
		}
		path.ProvinceCodes = append(path.ProvinceCodes, step)
		path.Links = append(path.Links, links)
		at = step
	}
	return path, nil
}

func hasKey[K comparable, V any](m map[K]V, k K) bool {
	_, ok := m[k]
	return ok
}

// Reach implements pcnet.Analytics. Only coverage periods decide what is
// covered: a selected service's coverage active on AsOf counts whatever
// the service's status.
func (s *Store) Reach(ctx context.Context, queries []pcnet.ReachQuery) ([][]pcnet.ReachRow, error) {
	// counted[c] is the number of the last group that counted Comune c:
	// each group gets a new number, so no clearing between groups or
	// queries.
	var counted []uint32
	var group uint32
	return eachQuery(ctx, s, queries, func(d *data, q pcnet.ReachQuery) ([]pcnet.ReachRow, error) {
		if counted == nil {
			counted = make([]uint32, len(d.comuni))
		}
		a := d.analytics
		day := dayNumber(q.AsOf)
		keyOf, err := d.reachGroupKey(q.GroupBy)
		if err != nil {
			return nil, err
		}
		groups := make(map[string][]int32)
		for _, si := range d.matchServices(q.Services) {
			k := keyOf(&d.services[si])
			groups[k] = append(groups[k], si)
		}
		if q.GroupBy == pcnet.ReachTotal && len(groups) == 0 {
			return []pcnet.ReachRow{{}}, nil
		}
		rows := make([]pcnet.ReachRow, 0, len(groups))
		for _, k := range slices.Sorted(maps.Keys(groups)) {
			group++
			services := groups[k]
			row := pcnet.ReachRow{GroupCode: k, Services: len(services), Base: d.reachBase(q.GroupBy, k, services)}
			for _, si := range services {
				for _, ci := range d.serviceCoverages[si] {
					// Active on the day: Since <= day < Until.
					if a.coverageSince[ci] > day || day >= a.coverageUntil[ci] {
						continue
					}
					if c := d.coverageComune[ci]; counted[c] != group && !d.comuni[c].Retired {
						counted[c] = group
						addPopulation(&row.Covered, int(a.population[c]))
					}
				}
			}
			rows = append(rows, row)
		}
		return rows, nil
	})
}

// reachGroupKey returns the function that gives a service's group code.
func (d *data) reachGroupKey(by pcnet.ReachGrouping) (func(*pcnet.SharedService) string, error) {
	switch by {
	case pcnet.ReachTotal:
		return func(*pcnet.SharedService) string { return "" }, nil
	case pcnet.ReachByRegion:
		return func(sv *pcnet.SharedService) string { return d.regionOf[sv.ProviderCode] }, nil
	case pcnet.ReachByProvince:
		return func(sv *pcnet.SharedService) string { return sv.ProviderCode }, nil
	case pcnet.ReachBySector:
		return func(sv *pcnet.SharedService) string { return d.areaSector[sv.AreaCode] }, nil
	case pcnet.ReachByArea:
		return func(sv *pcnet.SharedService) string { return sv.AreaCode }, nil
	}
	return nil, pcnet.Invalidf("groupBy", "groupBy: %q is not a grouping", by)
}

// reachBase returns the base of a reach row: the Province or region of the
// group, or else the Provinces that provide the group's services.
func (d *data) reachBase(by pcnet.ReachGrouping, key string, services []int32) pcnet.ComuneSummary {
	switch by {
	case pcnet.ReachByProvince:
		return d.analytics.provinceSummary[key]
	case pcnet.ReachByRegion:
		return d.analytics.regionSummary[key]
	}
	var base pcnet.ComuneSummary
	providers := make(map[string]bool)
	for _, si := range services {
		p := d.services[si].ProviderCode
		if !providers[p] {
			providers[p] = true
			base = base.Add(d.analytics.provinceSummary[p])
		}
	}
	return base
}

// matchServices returns the indexes of the services f selects, in store
// order. Services and Reach share it, so listing and measuring can't
// disagree on what a selection means.
func (d *data) matchServices(f pcnet.ServiceFilter) []int32 {
	id, provider, region := anyOf(f.IDs), anyOf(f.ProviderCodes), anyOf(f.RegionCodes)
	sector, area, status := anyOf(f.SectorCodes), anyOf(f.AreaCodes), anyOf(f.Statuses)
	var out []int32
	for i := range d.services {
		sv := &d.services[i]
		if id(sv.ID) && provider(sv.ProviderCode) && area(sv.AreaCode) && status(sv.Status) &&
			sector(d.areaSector[sv.AreaCode]) && region(d.regionOf[sv.ProviderCode]) {
			out = append(out, int32(i))
		}
	}
	return out
}

// ComuniSummaries implements pcnet.Analytics, with the filter semantics
// of Store.Comuni (the same candidate narrowing and checks).
func (s *Store) ComuniSummaries(ctx context.Context, filters []pcnet.ComuneFilter) ([]pcnet.ComuneSummary, error) {
	// Filters of one batch often share a coverage condition: the covered
	// sets are shared.
	covered := make(map[pcnet.CoverageCondition][]bool)
	return eachQuery(ctx, s, filters, func(d *data, f pcnet.ComuneFilter) (pcnet.ComuneSummary, error) {
		var out pcnet.ComuneSummary
		candidates, all, used := d.comuneCandidates(f)
		keep := d.comuneChecks(f, used, covered)
		switch {
		case all && len(keep) == 0:
			return d.analytics.allSummary, nil
		case all:
			for c := range d.comuni {
				if keep.match(int32(c)) {
					addComune(&out, &d.comuni[c])
				}
			}
		default:
			for _, c := range candidates {
				if keep.match(c) {
					addComune(&out, &d.comuni[c])
				}
			}
		}
		return out, nil
	})
}

// NearestProviders implements pcnet.Analytics. A provider is a Province
// with a service in the sector or area whose status is not ENDED;
// ServiceIDs lists those services. Provinces none of whose capitals have
// coordinates are left out.
func (s *Store) NearestProviders(ctx context.Context, queries []pcnet.NearestQuery) ([][]pcnet.ProviderDistance, error) {
	return eachQuery(ctx, s, queries, (*data).nearestProviders)
}

func (d *data) nearestProviders(q pcnet.NearestQuery) ([]pcnet.ProviderDistance, error) {
	ci, ok := d.comuneIndex[q.ComuneCode]
	if !ok || d.comuni[ci].Latitude == nil || d.comuni[ci].Longitude == nil {
		return nil, nil
	}
	lat, lon := *d.comuni[ci].Latitude, *d.comuni[ci].Longitude

	var candidates []int32
	if q.AreaCode != "" {
		candidates = d.servicesByArea[q.AreaCode]
	} else {
		candidates = d.servicesBySector[q.SectorCode]
	}
	servicesOf := make(map[string][]string)
	for _, si := range candidates {
		sv := &d.services[si]
		if sv.Status == pcnet.StatusEnded ||
			(q.SectorCode != "" && d.areaSector[sv.AreaCode] != q.SectorCode) ||
			(q.AreaCode != "" && sv.AreaCode != q.AreaCode) {
			continue
		}
		// Candidates are in ID order, so each list comes out sorted.
		servicesOf[sv.ProviderCode] = append(servicesOf[sv.ProviderCode], sv.ID)
	}

	var out []pcnet.ProviderDistance
	for province, ids := range servicesOf {
		capitals := d.analytics.capitals[province]
		if len(capitals) == 0 {
			continue
		}
		nearest := math.Inf(1)
		for _, k := range capitals {
			c := &d.comuni[k]
			nearest = min(nearest, haversineKm(lat, lon, *c.Latitude, *c.Longitude))
		}
		out = append(out, pcnet.ProviderDistance{
			ProvinceCode: province,
			DistanceKm:   math.Round(nearest*1000) / 1000,
			ServiceIDs:   ids,
		})
	}
	slices.SortFunc(out, func(a, b pcnet.ProviderDistance) int {
		return cmp.Or(cmp.Compare(a.DistanceKm, b.DistanceKm), cmp.Compare(a.ProvinceCode, b.ProvinceCode))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// haversineKm is the great-circle distance between two WGS-84 points in
// kilometres, computed as the Neo4j store does (the haversine formula on a
// sphere of pcnet.EarthRadiusKm), so the stores agree to the last digit
// that rounding keeps.
func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	φ1, φ2 := lat1*rad, lat2*rad
	dφ, dλ := φ2-φ1, lon2*rad-lon1*rad
	a := math.Pow(math.Sin(dφ/2), 2) + math.Cos(φ1)*math.Cos(φ2)*math.Pow(math.Sin(dλ/2), 2)
	return pcnet.EarthRadiusKm * 2 * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
}

// ProjectWorkCounts implements pcnet.Analytics, with the filter semantics
// of Store.ProjectWorks.
func (s *Store) ProjectWorkCounts(ctx context.Context, f pcnet.ProjectWorkFilter, by pcnet.ProjectWorkGrouping) ([]pcnet.ProjectWorkCount, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := s.snapshot()
	var groupOf func(w *pcnet.ProjectWork) string
	switch by {
	case pcnet.ProjectWorksBySector:
		groupOf = func(w *pcnet.ProjectWork) string { return d.areaSector[w.AreaCode] }
	case pcnet.ProjectWorksByRegion:
		groupOf = func(w *pcnet.ProjectWork) string { return d.regionOf[w.ProvinceCode] }
	default:
		return nil, pcnet.Invalidf("groupBy", "groupBy: %q is not a grouping", by)
	}

	type key struct {
		group    string
		maturity pcnet.Maturity
		step     int
	}
	counts := make(map[key]int)
	for _, i := range d.matchProjectWorks(f) {
		w := &d.projectWorks[i]
		counts[key{groupOf(w), w.Maturity, w.Step}]++
	}
	out := make([]pcnet.ProjectWorkCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, pcnet.ProjectWorkCount{GroupCode: k.group, Maturity: k.maturity, Step: k.step, Count: n})
	}
	rank := func(m pcnet.Maturity) int { return slices.Index(pcnet.Maturities, m) }
	slices.SortFunc(out, func(a, b pcnet.ProjectWorkCount) int {
		return cmp.Or(cmp.Compare(a.GroupCode, b.GroupCode), cmp.Compare(rank(a.Maturity), rank(b.Maturity)), cmp.Compare(a.Step, b.Step))
	})
	return out, nil
}

// ParticipationShare implements pcnet.Analytics: one row per Province of
// the territory, from the participation records and the index's Province
// summaries (which leave retired Comuni out), summed by the shared rule.
func (s *Store) ParticipationShare(ctx context.Context, q pcnet.ParticipationShareQuery) (pcnet.ParticipationShare, error) {
	if err := ctx.Err(); err != nil {
		return pcnet.ParticipationShare{}, err
	}
	d := s.snapshot()
	participating := make(map[string]bool)
	for _, p := range d.programme.Participations {
		if p.SectorCode == q.SectorCode && p.Period().ActiveOn(q.AsOf) {
			participating[p.ProvinceCode] = true
		}
	}
	rows := make([]pcnet.ProvinceTerritory, 0, len(d.provinces))
	for _, p := range d.provinces {
		if q.RegionCode == "" || p.RegionCode == q.RegionCode {
			rows = append(rows, pcnet.ProvinceTerritory{ProvinceCode: p.Code, Participating: participating[p.Code], Comuni: d.analytics.provinceSummary[p.Code]})
		}
	}
	return pcnet.ShareOfTerritory(rows), nil
}
