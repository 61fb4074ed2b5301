package neo4j

import (
	"context"
	"fmt"
	"strings"

	"pcnet/internal/pcnet"
)

// This file implements pcnet.BatchAnalytics: the per-item analytics
// queries of a whole GraphQL level (the peers of every Province of a list,
// the tutor walks from each, the nearest providers of every Comune of a
// page) in one round trip each. Every query is the one-query method's
// Cypher run for each element of $queries in a CALL subquery, reading its
// values from q instead of parameters, so the answers are the same.

var _ pcnet.BatchAnalytics = (*Store)(nil)

// PeersBatch implements pcnet.BatchAnalytics.
func (s *Store) PeersBatch(ctx context.Context, queries []pcnet.PeerQuery) ([][]pcnet.Peer, error) {
	if len(queries) == 0 {
		return nil, ctx.Err()
	}
	qs := make([]any, len(queries))
	for i, q := range queries {
		qs[i] = map[string]any{
			"idx":      int64(i),
			"province": q.ProvinceCode,
			"sector":   stringParam(q.SectorCode),
			"activeOn": dateParam(q.ActiveOn),
		}
	}
	recs, err := s.read(ctx, `
		UNWIND $queries AS q
		CALL (q) {
			MATCH (me:Province {code: q.province})<-[mine:TUTORS]-(tutor:Province)-[theirs:TUTORS]->(peer:Province)
			WHERE peer <> me AND theirs.sector = mine.sector
			  AND (q.sector IS NULL OR mine.sector = q.sector)
			  AND (q.activeOn IS NULL OR (`+activeOn("mine", "q.activeOn")+` AND `+activeOn("theirs", "q.activeOn")+`))
			WITH DISTINCT peer.code AS peer, tutor.code AS tutor
			ORDER BY peer, tutor
			RETURN collect([peer, tutor]) AS rows
		}
		RETURN q.idx, rows`,
		map[string]any{"queries": qs})
	if err != nil {
		return nil, err
	}
	out := make([][]pcnet.Peer, len(queries))
	var rd reader
	for _, rec := range recs {
		i := rd.int(rec.Values[0])
		if i < 0 || i >= len(out) {
			return nil, fmt.Errorf("neo4j: peers batch answered query %d of %d", i, len(out))
		}
		out[i] = []pcnet.Peer{}
		for _, row := range rd.list(rec.Values[1]) {
			v := rd.list(row)
			if len(v) != 2 {
				return nil, fmt.Errorf("neo4j: peer row of %d fields", len(v))
			}
			out[i] = append(out[i], pcnet.Peer{ProvinceCode: rd.str(v[0]), TutorCode: rd.str(v[1])})
		}
	}
	return out, rd.err
}

// tutorLinksBatchPart is the TutorLinks query of one direction for the
// queries q of that direction (see tutorLinksQuery).
func tutorLinksBatchPart(dir pcnet.TutorDirection, left, right string) string {
	return fmt.Sprintf(`
			MATCH (root:Province {code: q.root}) WHERE q.direction = '%[4]s'
			MATCH p = SHORTEST 1 (root)(()%[1]s[t:TUTORS WHERE q.sector IS NULL OR t.sector = q.sector]%[2]s()){1,%[3]d}(n:Province)
			WITH root, n, length(p) AS depth
			WHERE n <> root AND depth <= q.maxDepth
			WITH root, collect({node: n, depth: depth}) AS reached
			UNWIND reached AS x
			WITH root, reached, x.node AS n, x.depth AS depth
			MATCH (m:Province)%[1]s[t:TUTORS]%[2]s(n)
			WHERE (q.sector IS NULL OR t.sector = q.sector)
			  AND CASE WHEN m = root THEN 0 ELSE [y IN reached WHERE y.node = m | y.depth][0] END = depth - 1
			RETURN n.code AS code, depth, min(m.code) AS via`, left, right, pcnet.MaxTutorDepth, dir)
}

var tutorLinksBatchParts = map[pcnet.TutorDirection]string{
	pcnet.TutorDown: tutorLinksBatchPart(pcnet.TutorDown, "-", "->"),
	pcnet.TutorUp:   tutorLinksBatchPart(pcnet.TutorUp, "<-", "-"),
}

// TutorLinksBatch implements pcnet.BatchAnalytics. Walks in both
// directions share the round trip: the subquery is the union of the
// directions the batch uses.
func (s *Store) TutorLinksBatch(ctx context.Context, queries []pcnet.TutorLinkQuery) ([][]pcnet.TutorLink, error) {
	if len(queries) == 0 {
		return nil, ctx.Err()
	}
	qs := make([]any, len(queries))
	var parts []string
	used := make(map[pcnet.TutorDirection]bool)
	for i, q := range queries {
		part, ok := tutorLinksBatchParts[q.Direction]
		if !ok {
			return nil, pcnet.Invalidf("direction", "direction: %q is not a direction", q.Direction)
		}
		if !used[q.Direction] {
			used[q.Direction] = true
			parts = append(parts, part)
		}
		qs[i] = map[string]any{
			"idx":       int64(i),
			"root":      q.Root,
			"direction": string(q.Direction),
			"sector":    stringParam(q.SectorCode),
			"maxDepth":  int64(q.MaxDepth),
		}
	}
	recs, err := s.read(ctx, `
		UNWIND $queries AS q
		CALL (q) {`+strings.Join(parts, "\n\t\t\tUNION ALL")+`
		}
		RETURN q.idx AS idx, code, depth, via
		ORDER BY idx, depth, code`,
		map[string]any{"queries": qs})
	if err != nil {
		return nil, err
	}
	out := make([][]pcnet.TutorLink, len(queries))
	for i := range out {
		out[i] = []pcnet.TutorLink{}
	}
	var rd reader
	for _, rec := range recs {
		v := rec.Values
		i := rd.int(v[0])
		if i < 0 || i >= len(out) {
			return nil, fmt.Errorf("neo4j: tutor links batch answered query %d of %d", i, len(out))
		}
		out[i] = append(out[i], pcnet.TutorLink{ProvinceCode: rd.str(v[1]), Depth: rd.int(v[2]), ViaCode: rd.str(v[3])})
	}
	return out, rd.err
}

// NearestProvidersBatch implements pcnet.BatchAnalytics. Cypher can't
// LIMIT by a per-query value, so each answer is a slice of its ordered
// list.
func (s *Store) NearestProvidersBatch(ctx context.Context, queries []pcnet.NearestQuery) ([][]pcnet.ProviderDistance, error) {
	if len(queries) == 0 {
		return nil, ctx.Err()
	}
	qs := make([]any, len(queries))
	for i, q := range queries {
		limit := int64(noLimit)
		if q.Limit > 0 {
			limit = int64(q.Limit)
		}
		qs[i] = map[string]any{
			"idx":    int64(i),
			"comune": q.ComuneCode,
			"sector": stringParam(q.SectorCode),
			"area":   stringParam(q.AreaCode),
			"limit":  limit,
		}
	}
	recs, err := s.read(ctx, `
		UNWIND $queries AS q
		CALL (q) {
			OPTIONAL MATCH (from:Comune {code: q.comune}) WHERE from.location IS NOT NULL
			MATCH (p:Province)-[:PROVIDES]->(s:SharedService)-[:IN_AREA]->(a:Area)-[:IN_SECTOR]->(sec:Sector)
			WHERE from IS NOT NULL AND s.status <> $ended
			  AND (q.area IS NULL OR a.code = q.area)
			  AND (q.sector IS NULL OR sec.code = q.sector)
			WITH from, p, s ORDER BY s.id
			WITH from, p, collect(s.id) AS services
			MATCH (capital:Comune)-[:IN_PROVINCE]->(p)
			WHERE capital.capital AND capital.location IS NOT NULL AND (capital.retired IS NULL OR NOT capital.retired)
			WITH p, services, min(`+haversineMetres("from.location", "capital.location")+`) AS metres
			WITH p.code AS code, services, round(metres) / 1000.0 AS km
			ORDER BY km, code
			RETURN collect([code, km, services]) AS rows
		}
		RETURN q.idx, rows[0..q.limit]`,
		map[string]any{"queries": qs, "ended": string(pcnet.StatusEnded)})
	if err != nil {
		return nil, err
	}
	out := make([][]pcnet.ProviderDistance, len(queries))
	var rd reader
	for _, rec := range recs {
		i := rd.int(rec.Values[0])
		if i < 0 || i >= len(out) {
			return nil, fmt.Errorf("neo4j: nearest providers batch answered query %d of %d", i, len(out))
		}
		out[i] = []pcnet.ProviderDistance{}
		for _, row := range rd.list(rec.Values[1]) {
			v := rd.list(row)
			if len(v) != 3 {
				return nil, fmt.Errorf("neo4j: nearest provider row of %d fields", len(v))
			}
			d := pcnet.ProviderDistance{ProvinceCode: rd.str(v[0])}
			if km := rd.float(v[1]); km != nil {
				d.DistanceKm = *km
			}
			for _, id := range rd.list(v[2]) {
				d.ServiceIDs = append(d.ServiceIDs, rd.str(id))
			}
			out[i] = append(out[i], d)
		}
	}
	return out, rd.err
}
