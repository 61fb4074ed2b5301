package storetest

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strings"

	"pcnet/internal/pcnet"
)

// This file answers the analytics questions the plain way, straight from a
// dataset, for RunAnalyticsShipped to compare stores against. It favours
// obviousness over speed: sets are maps, every question scans the lists,
// and the shortest tutor paths are enumerated, not constructed.

// reference holds a dataset's lookups for the plain answers.
type reference struct {
	x      *figures
	comune map[string]pcnet.Comune
	region map[string]string // Province code → region code
}

func newReference(x *figures) *reference {
	r := &reference{x: x, comune: make(map[string]pcnet.Comune), region: make(map[string]string)}
	for _, c := range x.comuni {
		r.comune[c.Code] = c
	}
	for _, p := range x.provinces {
		r.region[p.Code] = p.RegionCode
	}
	return r
}

// anyOfList reports whether list is empty or contains v.
func anyOfList[T comparable](list []T, v T) bool { return len(list) == 0 || slices.Contains(list, v) }

// services returns the services f selects, by ID.
func (r *reference) services(f pcnet.ServiceFilter) []pcnet.SharedService {
	var out []pcnet.SharedService
	for _, s := range r.x.services {
		if anyOfList(f.IDs, s.ID) && anyOfList(f.ProviderCodes, s.ProviderCode) &&
			anyOfList(f.RegionCodes, r.region[s.ProviderCode]) && anyOfList(f.SectorCodes, r.x.areaSector[s.AreaCode]) &&
			anyOfList(f.AreaCodes, s.AreaCode) && anyOfList(f.Statuses, s.Status) {
			out = append(out, s)
		}
	}
	return out
}

// summarize counts the Comuni whose codes are the keys of set.
func (r *reference) summarize(set map[string]bool) pcnet.ComuneSummary {
	var s pcnet.ComuneSummary
	for code := range set {
		countComune(&s, r.comune[code].Population)
	}
	return s
}

// reach answers a reach query.
func (r *reference) reach(q pcnet.ReachQuery) []pcnet.ReachRow {
	groupOf := map[pcnet.ReachGrouping]func(pcnet.SharedService) string{
		pcnet.ReachTotal:      func(pcnet.SharedService) string { return "" },
		pcnet.ReachByProvince: func(s pcnet.SharedService) string { return s.ProviderCode },
		pcnet.ReachByRegion:   func(s pcnet.SharedService) string { return r.region[s.ProviderCode] },
		pcnet.ReachBySector:   func(s pcnet.SharedService) string { return r.x.areaSector[s.AreaCode] },
		pcnet.ReachByArea:     func(s pcnet.SharedService) string { return s.AreaCode },
	}[q.GroupBy]
	members := make(map[string]map[string]bool) // group → service IDs
	for _, s := range r.services(q.Services) {
		g := groupOf(s)
		if members[g] == nil {
			members[g] = make(map[string]bool)
		}
		members[g][s.ID] = true
	}
	if q.GroupBy == pcnet.ReachTotal && len(members) == 0 {
		return []pcnet.ReachRow{{}}
	}
	var rows []pcnet.ReachRow
	for _, g := range slices.Sorted(maps.Keys(members)) {
		services := members[g]
		covered := make(map[string]bool)
		for _, c := range r.x.coverages {
			if services[c.ServiceID] && c.Period().ActiveOn(q.AsOf) && !r.comune[c.ComuneCode].Retired {
				covered[c.ComuneCode] = true
			}
		}
		providers := make(map[string]bool)
		for id := range services {
			providers[r.x.service[id].ProviderCode] = true
		}
		inBase := func(c pcnet.Comune) bool {
			switch q.GroupBy {
			case pcnet.ReachByProvince:
				return c.ProvinceCode == g
			case pcnet.ReachByRegion:
				return c.RegionCode == g
			}
			return providers[c.ProvinceCode]
		}
		base := make(map[string]bool)
		for _, c := range r.x.comuni {
			if inBase(c) && !c.Retired {
				base[c.Code] = true
			}
		}
		rows = append(rows, pcnet.ReachRow{GroupCode: g, Covered: r.summarize(covered), Base: r.summarize(base), Services: len(services)})
	}
	return rows
}

// comuneSummary answers a Comune filter.
func (r *reference) comuneSummary(f pcnet.ComuneFilter) pcnet.ComuneSummary {
	var covered map[string]bool
	if f.Coverage != nil {
		cond := *f.Coverage
		covered = r.x.coveredOn(cond.AsOf, func(s pcnet.SharedService) bool {
			return (cond.SectorCode == "" || r.x.areaSector[s.AreaCode] == cond.SectorCode) &&
				(cond.AreaCode == "" || s.AreaCode == cond.AreaCode)
		})
	}
	needle := pcnet.FoldName(f.NameContains)
	set := make(map[string]bool)
	for _, c := range r.x.comuni {
		nameOK := f.NameContains == "" || strings.Contains(pcnet.FoldName(c.Name), needle) ||
			strings.Contains(pcnet.FoldName(c.NameItalian), needle) || strings.Contains(pcnet.FoldName(c.NameOther), needle)
		if anyOfList(f.Codes, c.Code) && anyOfList(f.ProvinceCodes, c.ProvinceCode) && anyOfList(f.RegionCodes, c.RegionCode) && nameOK &&
			(f.MinPopulation == nil || c.Population >= *f.MinPopulation) &&
			(f.MaxPopulation == nil || c.Population <= *f.MaxPopulation) &&
			(f.Small == nil || (c.Population < pcnet.SmallComuneThreshold) == *f.Small) &&
			(f.Capital == nil || c.Capital == *f.Capital) &&
			(f.Coverage == nil || covered[c.Code] == f.Coverage.Covered) &&
			c.Retired == (f.Retired != nil && *f.Retired) {
			set[c.Code] = true
		}
	}
	return r.summarize(set)
}

// nearest answers a nearest-providers query, without the limit; distances
// are the suite's own (greatCircleKm), unrounded.
func (r *reference) nearest(q pcnet.NearestQuery) []pcnet.ProviderDistance {
	from, ok := r.comune[q.ComuneCode]
	if !ok || from.Latitude == nil || from.Longitude == nil {
		return nil
	}
	servicesOf := make(map[string][]string)
	for _, s := range r.x.services {
		if s.Status != pcnet.StatusEnded && (q.SectorCode == "" || r.x.areaSector[s.AreaCode] == q.SectorCode) &&
			(q.AreaCode == "" || s.AreaCode == q.AreaCode) {
			servicesOf[s.ProviderCode] = append(servicesOf[s.ProviderCode], s.ID)
		}
	}
	var out []pcnet.ProviderDistance
	for province, ids := range servicesOf {
		best := math.Inf(1)
		for _, c := range r.x.comuni {
			if c.ProvinceCode == province && c.Capital && !c.Retired && c.Latitude != nil && c.Longitude != nil {
				best = min(best, greatCircleKm(*from.Latitude, *from.Longitude, *c.Latitude, *c.Longitude))
			}
		}
		if !math.IsInf(best, 1) {
			slices.Sort(ids)
			out = append(out, pcnet.ProviderDistance{ProvinceCode: province, DistanceKm: best, ServiceIDs: ids})
		}
	}
	slices.SortFunc(out, func(a, b pcnet.ProviderDistance) int {
		return cmp.Or(cmp.Compare(a.DistanceKm, b.DistanceKm), strings.Compare(a.ProvinceCode, b.ProvinceCode))
	})
	return out
}

// tutorshipsIn returns the tutorships in sector ("" for all), in
// Tutorships order.
func (r *reference) tutorshipsIn(sector string) []pcnet.Tutorship {
	var out []pcnet.Tutorship
	for _, t := range r.x.tutorships {
		if sector == "" || t.SectorCode == sector {
			out = append(out, t)
		}
	}
	return out
}

// tutorLinks answers a tutor walk: distances by breadth-first search, then
// each Province's via as the smallest Province one step closer with a
// tutorship to it.
func (r *reference) tutorLinks(q pcnet.TutorLinkQuery) []pcnet.TutorLink {
	ts := r.tutorshipsIn(q.SectorCode)
	ends := func(t pcnet.Tutorship) (from, to string) {
		if q.Direction == pcnet.TutorUp {
			return t.TutoredCode, t.TutorCode
		}
		return t.TutorCode, t.TutoredCode
	}
	depth := map[string]int{q.Root: 0}
	for d := 1; d <= q.MaxDepth; d++ {
		for _, t := range ts {
			from, to := ends(t)
			if _, seen := depth[to]; !seen && depth[from] == d-1 && hasDepth(depth, from) {
				depth[to] = d
			}
		}
	}
	var out []pcnet.TutorLink
	for p, d := range depth {
		if p == q.Root {
			continue
		}
		via := ""
		for _, t := range ts {
			from, to := ends(t)
			if to == p && hasDepth(depth, from) && depth[from] == d-1 && (via == "" || from < via) {
				via = from
			}
		}
		out = append(out, pcnet.TutorLink{ProvinceCode: p, Depth: d, ViaCode: via})
	}
	slices.SortFunc(out, func(a, b pcnet.TutorLink) int {
		return cmp.Or(cmp.Compare(a.Depth, b.Depth), strings.Compare(a.ProvinceCode, b.ProvinceCode))
	})
	return out
}

func hasDepth(depth map[string]int, p string) bool {
	_, ok := depth[p]
	return ok
}

// maxEnumeratedPaths bounds the enumeration of shortest paths; the shipped
// network has a handful per pair.
const maxEnumeratedPaths = 100000

// tutorPath answers a tutor path query by listing every shortest path and
// keeping the smallest. ok is false when there were too many to list.
func (r *reference) tutorPath(q pcnet.TutorPathQuery) (path *pcnet.TutorPath, ok bool) {
	known := func(code string) bool {
		return slices.ContainsFunc(r.x.provinces, func(p pcnet.Province) bool { return p.Code == code })
	}
	if !known(q.FromCode) || !known(q.ToCode) {
		return nil, true
	}
	ts := r.tutorshipsIn(q.SectorCode)
	adjacent := make(map[string]map[string]bool)
	link := func(a, b string) {
		if adjacent[a] == nil {
			adjacent[a] = make(map[string]bool)
		}
		adjacent[a][b] = true
	}
	for _, t := range ts {
		link(t.TutorCode, t.TutoredCode)
		link(t.TutoredCode, t.TutorCode)
	}
	distances := func(root string) map[string]int {
		dist := map[string]int{root: 0}
		for queue := []string{root}; len(queue) > 0; queue = queue[1:] {
			for n := range adjacent[queue[0]] {
				if _, seen := dist[n]; !seen {
					dist[n] = dist[queue[0]] + 1
					queue = append(queue, n)
				}
			}
		}
		return dist
	}
	fromStart, toEnd := distances(q.FromCode), distances(q.ToCode)
	length, reachable := fromStart[q.ToCode]
	if !reachable {
		return nil, true
	}
	var best []string
	count := 0
	var walk func(sequence []string)
	walk = func(sequence []string) {
		if count > maxEnumeratedPaths {
			return
		}
		at := sequence[len(sequence)-1]
		if at == q.ToCode {
			count++
			if best == nil || slices.Compare(sequence, best) < 0 {
				best = slices.Clone(sequence)
			}
			return
		}
		i := len(sequence) - 1
		for n := range adjacent[at] {
			if d, ok := toEnd[n]; ok && fromStart[n] == i+1 && d == length-i-1 {
				walk(append(sequence, n))
			}
		}
	}
	walk([]string{q.FromCode})
	if count > maxEnumeratedPaths {
		return nil, false
	}
	path = &pcnet.TutorPath{ProvinceCodes: best}
	for i := 0; i+1 < len(best); i++ {
		var links []pcnet.Tutorship
		for _, t := range ts {
			if (t.TutorCode == best[i] && t.TutoredCode == best[i+1]) || (t.TutorCode == best[i+1] && t.TutoredCode == best[i]) {
				links = append(links, t)
			}
		}
		path.Links = append(path.Links, links)
	}
	return path, true
}

// peers answers a peer query.
func (r *reference) peers(q pcnet.PeerQuery) []pcnet.Peer {
	ok := func(t pcnet.Tutorship) bool {
		return (q.SectorCode == "" || t.SectorCode == q.SectorCode) && (q.ActiveOn.IsZero() || t.Period().ActiveOn(q.ActiveOn))
	}
	set := make(map[pcnet.Peer]bool)
	for _, mine := range r.x.tutorships {
		if mine.TutoredCode != q.ProvinceCode || !ok(mine) {
			continue
		}
		for _, theirs := range r.x.tutorships {
			if theirs.TutorCode == mine.TutorCode && theirs.SectorCode == mine.SectorCode && theirs.TutoredCode != q.ProvinceCode && ok(theirs) {
				set[pcnet.Peer{ProvinceCode: theirs.TutoredCode, TutorCode: mine.TutorCode}] = true
			}
		}
	}
	out := slices.Collect(maps.Keys(set))
	slices.SortFunc(out, func(a, b pcnet.Peer) int {
		return cmp.Or(strings.Compare(a.ProvinceCode, b.ProvinceCode), strings.Compare(a.TutorCode, b.TutorCode))
	})
	return out
}

// projectWorkCounts answers a project-work count.
func (r *reference) projectWorkCounts(f pcnet.ProjectWorkFilter, by pcnet.ProjectWorkGrouping) []pcnet.ProjectWorkCount {
	var out []pcnet.ProjectWorkCount
	for _, w := range r.x.projectWorks {
		if !anyOfList(f.IDs, w.ID) || !anyOfList(f.ProvinceCodes, w.ProvinceCode) || !anyOfList(f.AreaCodes, w.AreaCode) ||
			!anyOfList(f.SectorCodes, r.x.areaSector[w.AreaCode]) || !anyOfList(f.Maturities, w.Maturity) ||
			(len(f.ServiceIDs) > 0 && (w.ServiceID == "" || !slices.Contains(f.ServiceIDs, w.ServiceID))) {
			continue
		}
		group := r.x.areaSector[w.AreaCode]
		if by == pcnet.ProjectWorksByRegion {
			group = r.region[w.ProvinceCode]
		}
		i := slices.IndexFunc(out, func(c pcnet.ProjectWorkCount) bool {
			return c.GroupCode == group && c.Maturity == w.Maturity && c.Step == w.Step
		})
		if i < 0 {
			out = append(out, pcnet.ProjectWorkCount{GroupCode: group, Maturity: w.Maturity, Step: w.Step})
			i = len(out) - 1
		}
		out[i].Count++
	}
	slices.SortFunc(out, func(a, b pcnet.ProjectWorkCount) int {
		return cmp.Or(strings.Compare(a.GroupCode, b.GroupCode),
			cmp.Compare(slices.Index(pcnet.Maturities, a.Maturity), slices.Index(pcnet.Maturities, b.Maturity)),
			cmp.Compare(a.Step, b.Step))
	})
	return out
}

// participationShare answers a participation-share query without
// pcnet.ShareOfTerritory: it filters the dataset's lists and counts.
func (r *reference) participationShare(q pcnet.ParticipationShareQuery) pcnet.ParticipationShare {
	out := pcnet.ParticipationShare{ParticipantCodes: []string{}}
	inTerritory := make(map[string]bool)
	for _, p := range r.x.provinces {
		if q.RegionCode == "" || p.RegionCode == q.RegionCode {
			inTerritory[p.Code] = true
			out.ProvincesTotal++
		}
	}
	taking := make(map[string]bool)
	for _, p := range r.x.ds.Participations {
		if inTerritory[p.ProvinceCode] && p.SectorCode == q.SectorCode && !q.AsOf.Before(p.Since) && (p.Until.IsZero() || q.AsOf.Before(p.Until)) {
			taking[p.ProvinceCode] = true
		}
	}
	out.ParticipantCodes = slices.AppendSeq(out.ParticipantCodes, maps.Keys(taking))
	slices.Sort(out.ParticipantCodes)
	out.Provinces = len(out.ParticipantCodes)
	all, part := make(map[string]bool), make(map[string]bool)
	for _, c := range r.x.comuni {
		if c.Retired || !inTerritory[c.ProvinceCode] {
			continue
		}
		all[c.Code] = true
		if taking[c.ProvinceCode] {
			part[c.Code] = true
		}
	}
	out.Territory, out.Participating = r.summarize(all), r.summarize(part)
	return out
}
