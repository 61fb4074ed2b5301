package neo4j

import (
	"context"
	"fmt"
	"strings"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"pcnet/internal/pcnet"
)

// This file holds the analytics asked once per item of a list (the peers
// of every Province of a list, the tutor walks from each, the nearest
// providers of every Comune of a page): a whole GraphQL level in one round
// trip each. Every query runs its Cypher for each element of $queries in a
// CALL subquery, reading its values from q, and returns q.idx, the
// position of the query it answers, first.

// batchQueries returns the $queries parameter of a batch: the values of
// each query, by params, with its position in the batch as idx.
func batchQueries[Q any](queries []Q, params func(Q) map[string]any) []map[string]any {
	qs := make([]map[string]any, len(queries))
	for i, q := range queries {
		qs[i] = params(q)
		qs[i]["idx"] = int64(i)
	}
	return qs
}

// batchIndex reads the position of the query a record of a batch answers
// (its q.idx column, set by batchQueries), refusing one outside the batch.
func batchIndex(rd *reader, v any, n int, what string) (int, error) {
	i := rd.int(v)
	if i < 0 || i >= n {
		return 0, fmt.Errorf("neo4j: %s batch answered query %d of %d", what, i, n)
	}
	return i, nil
}

// batchAnswers reads the records of a batch query whose first column is
// the position of the query they answer: read turns a record's other
// columns into answers, appended to that query's in record order. Every
// query gets a non-nil answer, empty when no record names it.
func batchAnswers[R any](recs []*neo4jdrv.Record, n int, what string, read func(rd *reader, v []any) []R) ([][]R, error) {
	out := make([][]R, n)
	for i := range out {
		out[i] = []R{}
	}
	var rd reader
	for _, rec := range recs {
		i, err := batchIndex(&rd, rec.Values[0], n, what)
		if err != nil {
			return nil, err
		}
		out[i] = append(out[i], read(&rd, rec.Values[1:])...)
	}
	return out, rd.err
}

// readBatch runs a batch query and reads its answers with batchAnswers;
// an empty batch costs no round trip.
func readBatch[Q, R any](ctx context.Context, s *Store, queries []Q, what, cypher string, params map[string]any, read func(rd *reader, v []any) []R) ([][]R, error) {
	if len(queries) == 0 {
		return [][]R{}, ctx.Err()
	}
	recs, err := s.read(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return batchAnswers(recs, len(queries), what, read)
}

// Peers implements pcnet.Analytics. Both tutorships, the queried
// Province's and the peer's, are in the same sector (the queried one, or
// any one when SectorCode is empty) and, with ActiveOn, active on it.
func (s *Store) Peers(ctx context.Context, queries []pcnet.PeerQuery) ([][]pcnet.Peer, error) {
	qs := batchQueries(queries, func(q pcnet.PeerQuery) map[string]any {
		return map[string]any{
			"province": q.ProvinceCode,
			"sector":   stringParam(q.SectorCode),
			"activeOn": dateParam(q.ActiveOn),
		}
	})
	return readBatch(ctx, s, queries, "peers", `
		UNWIND $queries AS q
		CALL (q) {
			MATCH (me:Province {code: q.province})<-[mine:TUTORS]-(tutor:Province)-[theirs:TUTORS]->(peer:Province)
			WHERE peer <> me AND theirs.sector = mine.sector
			  AND (q.sector IS NULL OR mine.sector = q.sector)
			  AND (q.activeOn IS NULL OR (`+activeOn("mine", "q.activeOn")+` AND `+activeOn("theirs", "q.activeOn")+`))
			RETURN DISTINCT peer.code AS peer, tutor.code AS tutor
		}
		RETURN q.idx AS idx, peer, tutor
		ORDER BY idx, peer, tutor`,
		map[string]any{"queries": toAnySlice(qs)},
		func(rd *reader, v []any) []pcnet.Peer {
			return []pcnet.Peer{{ProvinceCode: rd.str(v[0]), TutorCode: rd.str(v[1])}}
		})
}

// tutorLinksPart is the TutorLinks query of one direction, whose
// tutorships are written left[t:TUTORS]right ("-", "->" walks down, "<-",
// "-" up), for the queries q of that direction. A single-source
// shortest-path search (SHORTEST 1 per reached Province, the sector test
// inlined so it prunes the search) gives each Province its smallest depth,
// which is where a breadth-first walk first meets it; then, for each, the
// neighbours one step closer to the root (the root itself at depth 0) that
// have a tutorship to it in the walk's direction and sector are its
// candidate vias, and the smallest code wins. The search bound is the
// constant MaxTutorDepth (Cypher takes no parameter there); q.maxDepth then
// cuts the walk.
func tutorLinksPart(dir pcnet.TutorDirection, left, right string) string {
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

var tutorLinksParts = map[pcnet.TutorDirection]string{
	pcnet.TutorDown: tutorLinksPart(pcnet.TutorDown, "-", "->"),
	pcnet.TutorUp:   tutorLinksPart(pcnet.TutorUp, "<-", "-"),
}

// TutorLinks implements pcnet.Analytics. Tutorships of any date count.
// Walks in both directions share the round trip: the subquery is the
// union of the directions the batch uses.
func (s *Store) TutorLinks(ctx context.Context, queries []pcnet.TutorLinkQuery) ([][]pcnet.TutorLink, error) {
	var parts []string
	used := make(map[pcnet.TutorDirection]bool)
	for _, q := range queries {
		part, ok := tutorLinksParts[q.Direction]
		if !ok {
			return nil, pcnet.Invalidf("direction", "direction: %q is not a direction", q.Direction)
		}
		if !used[q.Direction] {
			used[q.Direction] = true
			parts = append(parts, part)
		}
	}
	qs := batchQueries(queries, func(q pcnet.TutorLinkQuery) map[string]any {
		return map[string]any{
			"root":      q.Root,
			"direction": string(q.Direction),
			"sector":    stringParam(q.SectorCode),
			"maxDepth":  int64(q.MaxDepth),
		}
	})
	return readBatch(ctx, s, queries, "tutor links", `
		UNWIND $queries AS q
		CALL (q) {`+strings.Join(parts, "\n\t\t\tUNION ALL")+`
		}
		RETURN q.idx AS idx, code, depth, via
		ORDER BY idx, depth, code`,
		map[string]any{"queries": toAnySlice(qs)},
		func(rd *reader, v []any) []pcnet.TutorLink {
			return []pcnet.TutorLink{{ProvinceCode: rd.str(v[0]), Depth: rd.int(v[1]), ViaCode: rd.str(v[2])}}
		})
}

// NearestProviders implements pcnet.Analytics. A provider is a Province
// with a service in the sector or area whose status is not ENDED;
// ServiceIDs lists those services, by ID. The distance is the haversine on
// a sphere of pcnet.EarthRadiusKm (haversineMetres) to the nearest of the
// Province's capitals that have coordinates, in metres rounded half up to
// the metre, then in km: the memory store's math.Round(km*1000)/1000 for
// positive distances. Provinces none of whose capitals have coordinates
// are left out. Cypher can't LIMIT by a per-query value, so each answer is
// a slice of its ordered list, unwound.
func (s *Store) NearestProviders(ctx context.Context, queries []pcnet.NearestQuery) ([][]pcnet.ProviderDistance, error) {
	qs := batchQueries(queries, func(q pcnet.NearestQuery) map[string]any {
		limit := int64(noLimit)
		if q.Limit > 0 {
			limit = int64(q.Limit)
		}
		return map[string]any{
			"comune": q.ComuneCode,
			"sector": stringParam(q.SectorCode),
			"area":   stringParam(q.AreaCode),
			"limit":  limit,
		}
	})
	return readBatch(ctx, s, queries, "nearest providers", `
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
			WITH collect([code, km, services]) AS rows
			UNWIND rows[0..q.limit] AS row
			RETURN row[0] AS code, row[1] AS km, row[2] AS services
		}
		RETURN q.idx AS idx, code, km, services
		ORDER BY idx, km, code`,
		map[string]any{"queries": toAnySlice(qs), "ended": string(pcnet.StatusEnded)},
		func(rd *reader, v []any) []pcnet.ProviderDistance {
			d := pcnet.ProviderDistance{ProvinceCode: rd.str(v[0])}
			if km := rd.float(v[1]); km != nil {
				d.DistanceKm = *km
			}
			for _, id := range rd.list(v[2]) {
				d.ServiceIDs = append(d.ServiceIDs, rd.str(id))
			}
			return []pcnet.ProviderDistance{d}
		})
}
