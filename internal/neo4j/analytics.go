package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"pcnet/internal/pcnet"
)

// This file implements pcnet.Analytics in Cypher: every answer is computed
// by the server (aggregations, shortest-path searches, point.distance) in one
// parameterized query run in a managed read transaction, and the batch
// methods (Reach, ComuniSummaries) answer a whole batch in that one query.
// The memory store computes the same answers in Go; the analytics
// conformance suite (internal/storetest) holds both to the same contract.

var _ pcnet.Analytics = (*Store)(nil)

// summaryOf is the Cypher aggregation of the Comuni bound to item, whose
// population is the expression population, into a pcnet.ComuneSummary,
// read back by readSummary. Over no rows it gives zeros, so an empty
// selection still has its summary.
func summaryOf(item, population string) string {
	return fmt.Sprintf(`[count(%[1]s), sum(%[2]s),
		count(CASE WHEN %[2]s < $smallThreshold THEN 1 END),
		sum(CASE WHEN %[2]s < $smallThreshold THEN %[2]s ELSE 0 END)]`, item, population)
}

// fieldsOf reads v, a list of n fields; any other value fails rd and
// reads as n unset fields, so the caller's struct comes out zero.
func fieldsOf(rd *reader, what string, v any, n int) []any {
	if l := rd.list(v); len(l) == n {
		return l
	}
	rd.fail(what, v)
	return make([]any, n)
}

func readSummary(rd *reader, v any) pcnet.ComuneSummary {
	l := fieldsOf(rd, "summary", v, 4)
	return pcnet.ComuneSummary{Comuni: rd.int(l[0]), Inhabitants: rd.int(l[1]), SmallComuni: rd.int(l[2]), SmallInhabitants: rd.int(l[3])}
}

// activeOn is the Cypher test that the period of relationship rel (a
// coverage or a tutorship) includes the day in date expression day.
func activeOn(rel, day string) string {
	return fmt.Sprintf("(%[1]s.since <= %[2]s AND (%[1]s.until IS NULL OR %[2]s < %[1]s.until))", rel, day)
}

// tutorshipFields lists a tutorship t's fields as TutorPath reads them.
const tutorshipFields = `[startNode(t).code, endNode(t).code, t.sector, t.since, t.until, t.step, t.outcome]`

func readTutorship(rd *reader, v any) pcnet.Tutorship {
	l := fieldsOf(rd, "tutorship", v, 7)
	return pcnet.Tutorship{
		TutorCode:   rd.str(l[0]),
		TutoredCode: rd.str(l[1]),
		SectorCode:  rd.str(l[2]),
		Since:       rd.date(l[3]),
		Until:       rd.date(l[4]),
		Step:        rd.int(l[5]),
		Outcome:     pcnet.TutorshipOutcome(rd.str(l[6])),
	}
}

// TutorPath implements pcnet.Analytics. Tutorships of any date count.
//
// All shortest paths are enumerated (ALL SHORTEST, a bidirectional search
// with the sector test inlined, so a missing path costs no exhaustive
// search, unlike allShortestPaths with a WHERE on its relationships) and
// the one whose list of codes sorts first wins: Cypher orders lists element
// by element, and all the paths have the same length. Links are read per
// consecutive pair, in the order of Tutorships.
func (s *Store) TutorPath(ctx context.Context, q pcnet.TutorPathQuery) (*pcnet.TutorPath, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	params := map[string]any{"from": q.FromCode, "to": q.ToCode, "sector": stringParam(q.SectorCode)}
	if q.FromCode == q.ToCode {
		// A shortest-path search needs two distinct ends: the path from a
		// Province to itself is the Province, if it exists.
		recs, err := s.read(ctx, `MATCH (p:Province {code: $from}) RETURN p.code`, params)
		if err != nil || len(recs) == 0 {
			return nil, err
		}
		return &pcnet.TutorPath{ProvinceCodes: []string{q.FromCode}, Links: [][]pcnet.Tutorship{}}, nil
	}
	recs, err := s.read(ctx, `
		MATCH (from:Province {code: $from}), (to:Province {code: $to})
		MATCH p = ALL SHORTEST (from)(()-[t:TUTORS WHERE $sector IS NULL OR t.sector = $sector]-())+(to)
		WITH nodes(p) AS ns
		ORDER BY [n IN ns | n.code]
		LIMIT 1
		UNWIND range(0, size(ns) - 2) AS i
		CALL (ns, i) {
			WITH ns[i] AS a, ns[i + 1] AS b
			MATCH (a)-[t:TUTORS]-(b)
			WHERE $sector IS NULL OR t.sector = $sector
			WITH t ORDER BY t.sector, startNode(t).code, endNode(t).code, t.since
			RETURN collect(`+tutorshipFields+`) AS links
		}
		WITH ns, i, links ORDER BY i
		RETURN [n IN ns | n.code] AS codes, collect(links) AS links`, params)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	var rd reader
	path := &pcnet.TutorPath{Links: [][]pcnet.Tutorship{}}
	for _, code := range rd.list(recs[0].Values[0]) {
		path.ProvinceCodes = append(path.ProvinceCodes, rd.str(code))
	}
	for _, hop := range rd.list(recs[0].Values[1]) {
		var links []pcnet.Tutorship
		for _, t := range rd.list(hop) {
			links = append(links, readTutorship(&rd, t))
		}
		path.Links = append(path.Links, links)
	}
	if rd.err == nil && len(path.Links) != len(path.ProvinceCodes)-1 {
		return nil, fmt.Errorf("neo4j: tutor path of %d Provinces with %d hops", len(path.ProvinceCodes), len(path.Links))
	}
	return path, rd.err
}

// servicePlan selects the services of a ServiceFilter in a batch query, with
// the semantics of Store.Services, binding s, its provider p, the
// provider's region r, its area a and sector sec.
var servicePlan = batchPlan{
	anchors: []batchAnchor{
		{"ids", `
		MATCH (s:SharedService) WHERE s.id IN q.ids
		MATCH (r:Region)<-[:IN_REGION]-(p:Province)-[:PROVIDES]->(s)-[:IN_AREA]->(a:Area)-[:IN_SECTOR]->(sec:Sector)`},
		{"providers", `
		MATCH (p:Province) WHERE p.code IN q.providers
		MATCH (r:Region)<-[:IN_REGION]-(p)-[:PROVIDES]->(s:SharedService)-[:IN_AREA]->(a:Area)-[:IN_SECTOR]->(sec:Sector)`},
	},
	fallback: `
		MATCH (r:Region)<-[:IN_REGION]-(p:Province)-[:PROVIDES]->(s:SharedService)-[:IN_AREA]->(a:Area)-[:IN_SECTOR]->(sec:Sector)`,
	filters: []batchFilter{
		{"ids", "s.id IN q.ids"},
		{"providers", "p.code IN q.providers"},
		{"regions", "r.code IN q.regions"},
		{"sectors", "sec.code IN q.sectors"},
		{"areas", "a.code IN q.areas"},
		{"statuses", "s.status IN q.statuses"},
	},
}

// serviceFilterParams returns the values of f's filters, keyed as
// servicePlan's filters read them from q. Services and Reach share it.
func serviceFilterParams(f pcnet.ServiceFilter) map[string]any {
	return map[string]any{
		"ids":       listParam(f.IDs),
		"providers": listParam(f.ProviderCodes),
		"regions":   listParam(f.RegionCodes),
		"sectors":   listParam(f.SectorCodes),
		"areas":     listParam(f.AreaCodes),
		"statuses":  listParam(f.Statuses),
	}
}

// Reach implements pcnet.Analytics: the whole batch in one round trip.
// Only coverage periods decide what is covered: a selected service's
// coverage active on AsOf counts whatever the service's status.
//
// Queries that differ only in AsOf (a timeline) share a selection: its
// services are matched and grouped once, each group's base is summed once
// and its coverages are read once, as the list of covered Comuni with their
// periods; each date then only filters that list. Per group, a Comune
// counts once however many coverages it has; the base is the Comuni of the
// group's region (REGION) or else of the Provinces providing its services
// (for PROVINCE, the Province itself).
func (s *Store) Reach(ctx context.Context, queries []pcnet.ReachQuery) ([][]pcnet.ReachRow, error) {
	cypher, params, err := reachQuery(queries)
	if err != nil {
		return nil, err
	}
	out, err := readBatch(ctx, s, queries, "reach", cypher, params, func(rd *reader, v []any) []pcnet.ReachRow {
		return []pcnet.ReachRow{{
			GroupCode: rd.str(v[0]),
			Services:  rd.int(v[1]),
			Covered:   readSummary(rd, v[2]),
			Base:      readSummary(rd, v[3]),
		}}
	})
	for i, q := range out {
		if len(q) == 0 && queries[i].GroupBy == pcnet.ReachTotal {
			out[i] = []pcnet.ReachRow{{}} // a total is one row, even of nothing
		}
	}
	return out, err
}

// reachQuery returns the Cypher and parameters of a batch of reach
// queries: one selection per distinct service filter and grouping, each
// with the dates of its queries and their positions in the batch.
func reachQuery(queries []pcnet.ReachQuery) (string, map[string]any, error) {
	var selections []map[string]any
	byKey := make(map[string]map[string]any)
	for i, query := range queries {
		if !slices.Contains(pcnet.ReachGroupings, query.GroupBy) {
			return "", nil, pcnet.Invalidf("groupBy", "groupBy: %q is not a grouping", query.GroupBy)
		}
		f := query.Services
		key := fmt.Sprintf("%s %q %q %q %q %q %q", query.GroupBy, f.IDs, f.ProviderCodes, f.RegionCodes, f.SectorCodes, f.AreaCodes, f.Statuses)
		sel, ok := byKey[key]
		if !ok {
			sel = serviceFilterParams(f)
			sel["groupBy"] = string(query.GroupBy)
			sel["dates"] = []any{}
			sel["idxs"] = []any{}
			byKey[key] = sel
			selections = append(selections, sel)
		}
		sel["dates"] = append(sel["dates"].([]any), dateParam(query.AsOf))
		sel["idxs"] = append(sel["idxs"].([]any), int64(i))
	}
	cypher := `
		UNWIND $selections AS q
		CALL (q) {` + servicePlan.build(selections) + `
		WITH q, s, p, r, CASE q.groupBy
		         WHEN 'REGION' THEN r.code
		         WHEN 'PROVINCE' THEN p.code
		         WHEN 'SECTOR' THEN sec.code
		         WHEN 'AREA' THEN a.code
		         ELSE '' END AS grp
		WITH q, grp, collect(DISTINCT s) AS services, collect(DISTINCT p) AS providers
		CALL (q, grp, providers) {
			UNWIND CASE q.groupBy
			           WHEN 'REGION' THEN COLLECT { MATCH (bp:Province)-[:IN_REGION]->(:Region {code: grp}) RETURN bp }
			           ELSE providers END AS bp
			MATCH (c:Comune)-[:IN_PROVINCE]->(bp) WHERE c.retired IS NULL OR NOT c.retired
			RETURN ` + summaryOf("c", "c.population") + ` AS base
		}
		CALL (services) {
			UNWIND services AS s
			MATCH (s)-[cov:COVERS]->(c:Comune) WHERE c.retired IS NULL OR NOT c.retired
			WITH c, collect([cov.since, cov.until]) AS periods
			RETURN collect([c.population, periods]) AS covers
		}
		UNWIND range(0, size(q.dates) - 1) AS k
		WITH q, k, grp, services, base, q.dates[k] AS day, covers
		WITH q, k, grp, services, base,
		     [x IN covers WHERE any(period IN x[1] WHERE period[0] <= day AND (period[1] IS NULL OR day < period[1])) | x[0]] AS populations
		RETURN q.idxs[k] AS idx, grp, size(services) AS services,
		       [size(populations), reduce(n = 0, p IN populations | n + p),
		        size([p IN populations WHERE p < $smallThreshold]),
		        reduce(n = 0, p IN populations | n + CASE WHEN p < $smallThreshold THEN p ELSE 0 END)] AS covered,
		       base
		}
		RETURN idx, grp, services, covered, base
		ORDER BY idx, grp`
	return cypher, map[string]any{
		"selections":     toAnySlice(selections),
		"smallThreshold": int64(pcnet.SmallComuneThreshold),
	}, nil
}

// ComuniSummaries implements pcnet.Analytics: the whole batch in one round
// trip, selecting Comuni exactly as Comuni does (the same plan and
// parameters).
func (s *Store) ComuniSummaries(ctx context.Context, filters []pcnet.ComuneFilter) ([]pcnet.ComuneSummary, error) {
	qs := batchQueries(filters, comuneFilterParams)
	sums, err := readBatch(ctx, s, filters, "summaries", `
		UNWIND $queries AS q
		CALL (q) {`+comunePlan.build(qs)+`
		RETURN `+summaryOf("c", "c.population")+` AS summary
		}
		RETURN q.idx, summary`,
		map[string]any{
			"queries":        toAnySlice(qs),
			"smallThreshold": int64(pcnet.SmallComuneThreshold),
		},
		func(rd *reader, v []any) []pcnet.ComuneSummary { return []pcnet.ComuneSummary{readSummary(rd, v[0])} })
	if err != nil {
		return nil, err
	}
	out := make([]pcnet.ComuneSummary, len(filters))
	for i, sum := range sums {
		if len(sum) == 1 {
			out[i] = sum[0]
		}
	}
	return out, nil
}

// haversineMetres is a Cypher expression: the great-circle distance in
// metres between two WGS-84 points a and b, by the haversine formula on a
// sphere of pcnet.EarthRadiusKm. Written out because point.distance uses
// a sphere of 6,378.14 km, 0.11% more than the mean radius.
func haversineMetres(a, b string) string {
	r := strconv.FormatFloat(pcnet.EarthRadiusKm*1000, 'f', -1, 64)
	h := fmt.Sprintf(`(haversin(radians(%[1]s.latitude - %[2]s.latitude))
		+ cos(radians(%[2]s.latitude)) * cos(radians(%[1]s.latitude)) * haversin(radians(%[1]s.longitude - %[2]s.longitude)))`, b, a)
	// h may round to just over 1 for antipodes: asin would give NaN.
	return fmt.Sprintf(`2 * %s * asin(sqrt(CASE WHEN %s > 1.0 THEN 1.0 ELSE %s END))`, r, h, h)
}

// ProjectWorkCounts implements pcnet.Analytics, with the filter semantics
// of Store.ProjectWorks. Maturities are ranked by their position in
// pcnet.Maturities, passed as a parameter.
func (s *Store) ProjectWorkCounts(ctx context.Context, f pcnet.ProjectWorkFilter, by pcnet.ProjectWorkGrouping) ([]pcnet.ProjectWorkCount, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !slices.Contains(pcnet.ProjectWorkGroupings, by) {
		return nil, pcnet.Invalidf("groupBy", "groupBy: %q is not a grouping", by)
	}
	recs, err := s.read(ctx, `
		MATCH (r:Region)<-[:IN_REGION]-(p:Province)-[:WROTE]->(w:ProjectWork)-[:IN_AREA]->(a:Area)-[:IN_SECTOR]->(sec:Sector)
		WHERE ($ids IS NULL OR w.id IN $ids)
		  AND ($provinces IS NULL OR p.code IN $provinces)
		  AND ($areas IS NULL OR a.code IN $areas)
		  AND ($sectors IS NULL OR sec.code IN $sectors)
		  AND ($maturities IS NULL OR w.maturity IN $maturities)
		OPTIONAL MATCH (w)-[:LED_TO]->(s:SharedService)
		WITH r, w, sec, s
		WHERE $services IS NULL OR s.id IN $services
		WITH CASE $groupBy WHEN 'REGION' THEN r.code ELSE sec.code END AS grp, w.maturity AS maturity, w.step AS step, count(DISTINCT w) AS n
		RETURN grp, maturity, step, n
		ORDER BY grp, [i IN range(0, size($maturityOrder) - 1) WHERE $maturityOrder[i] = maturity][0], step`,
		map[string]any{
			"ids":           listParam(f.IDs),
			"provinces":     listParam(f.ProvinceCodes),
			"areas":         listParam(f.AreaCodes),
			"sectors":       listParam(f.SectorCodes),
			"maturities":    listParam(f.Maturities),
			"services":      listParam(f.ServiceIDs),
			"groupBy":       string(by),
			"maturityOrder": listParam(pcnet.Maturities),
		})
	if err != nil {
		return nil, err
	}
	out := make([]pcnet.ProjectWorkCount, 0, len(recs))
	var rd reader
	for _, rec := range recs {
		v := rec.Values
		out = append(out, pcnet.ProjectWorkCount{
			GroupCode: rd.str(v[0]),
			Maturity:  pcnet.Maturity(rd.str(v[1])),
			Step:      rd.int(v[2]),
			Count:     rd.int(v[3]),
		})
	}
	return out, rd.err
}

// ParticipationShare implements pcnet.Analytics in one round trip: one row
// per Province of the territory, whether a participation record of the
// sector is active on the day and the summary of its current Comuni,
// summed by the rule both stores share (pcnet.ShareOfTerritory).
func (s *Store) ParticipationShare(ctx context.Context, q pcnet.ParticipationShareQuery) (pcnet.ParticipationShare, error) {
	if err := ctx.Err(); err != nil {
		return pcnet.ParticipationShare{}, err
	}
	recs, err := s.read(ctx, `
		MATCH (p:Province)-[:IN_REGION]->(r:Region)
		WHERE $region IS NULL OR r.code = $region
		CALL (p) {
			OPTIONAL MATCH (c:Comune)-[:IN_PROVINCE]->(p) WHERE c.retired IS NULL OR NOT c.retired
			RETURN `+summaryOf("c", "c.population")+` AS summary
		}
		RETURN p.code,
		       EXISTS {
		         MATCH (p)-[:PARTICIPATES]->(n:Participation)-[:PARTICIPATION_IN]->(:Sector {code: $sector})
		         WHERE n.since <= $day AND (n.until IS NULL OR $day < n.until)
		       },
		       summary`,
		map[string]any{
			"region":         stringParam(q.RegionCode),
			"sector":         q.SectorCode,
			"day":            dateParam(q.AsOf),
			"smallThreshold": int64(pcnet.SmallComuneThreshold),
		})
	if err != nil {
		return pcnet.ParticipationShare{}, err
	}
	rows := make([]pcnet.ProvinceTerritory, 0, len(recs))
	var rd reader
	for _, rec := range recs {
		v := rec.Values
		rows = append(rows, pcnet.ProvinceTerritory{ProvinceCode: rd.str(v[0]), Participating: rd.bool(v[1]), Comuni: readSummary(&rd, v[2])})
	}
	return pcnet.ShareOfTerritory(rows), rd.err
}
