package neo4j

import (
	"context"
	"fmt"
	"strings"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"pcnet/internal/pcnet"
)

// The batch methods (Comuni, Coverages) answer many queries in one round
// trip:
//
//	UNWIND $queries AS q
//	CALL (q) { MATCH ... WHERE <filters on q> WITH ... ORDER BY ... RETURN collect(...) AS rows }
//	RETURN q.idx, size(rows), rows[q.start..q.end]
//
// Aggregating without a grouping key gives one row even when nothing
// matches, so every query gets its answer (an empty page, total 0). Cypher
// can't LIMIT by a per-row value, so the page is a slice of the ordered
// list.
//
// Every filter value travels in q, never in the query text. The text itself
// is assembled from a fixed set of fragments, chosen by which filters the
// batch uses: a filter that no query sets is left out, a filter that every
// query sets is a plain predicate (and may anchor the match on an index),
// and a filter that only some queries set reads "q.x IS NULL OR ...".
// So the planner sees few, index-friendly predicates in the common case
// (all children of many parents), and the text stays independent of the
// values.

// batchFilter is one filter of a batch query: the key of its value in q and
// the Cypher predicate that applies it.
type batchFilter struct {
	key  string
	pred string
}

// batchAnchor starts the match from an index seek on a filter that every
// query of the batch sets.
type batchAnchor struct {
	key   string // the filter it replaces
	match string // MATCH clauses binding all the pattern's variables
}

// batchPlan is the text of a batch query for one batch.
type batchPlan struct {
	anchors  []batchAnchor // in order of preference
	fallback string        // the MATCH used when no anchor applies
	filters  []batchFilter
}

// build returns the MATCH ... WHERE part of the subquery for queries, given
// as the q maps that will be sent.
func (p batchPlan) build(queries []map[string]any) string {
	set := func(key string) (n int) {
		for _, q := range queries {
			if q[key] != nil {
				n++
			}
		}
		return n
	}
	var b strings.Builder
	anchored := ""
	for _, a := range p.anchors {
		if set(a.key) == len(queries) {
			anchored = a.key
			b.WriteString(a.match)
			break
		}
	}
	if anchored == "" {
		b.WriteString(p.fallback)
	}
	var preds []string
	for _, f := range p.filters {
		switch n := set(f.key); {
		case f.key == anchored || n == 0:
		case n == len(queries):
			preds = append(preds, "("+f.pred+")")
		default:
			preds = append(preds, fmt.Sprintf("(q.%s IS NULL OR (%s))", f.key, f.pred))
		}
	}
	if len(preds) > 0 {
		b.WriteString("\n\t\tWHERE ")
		b.WriteString(strings.Join(preds, "\n\t\t  AND "))
	}
	return b.String()
}

var comunePlan = batchPlan{
	anchors: []batchAnchor{
		{"codes", `
		MATCH (c:Comune) WHERE c.code IN q.codes
		MATCH (c)-[:IN_PROVINCE]->(p:Province)-[:IN_REGION]->(r:Region)`},
		{"provinces", `
		MATCH (p:Province) WHERE p.code IN q.provinces
		MATCH (r:Region)<-[:IN_REGION]-(p)<-[:IN_PROVINCE]-(c:Comune)`},
		{"regions", `
		MATCH (r:Region) WHERE r.code IN q.regions
		MATCH (r)<-[:IN_REGION]-(p:Province)<-[:IN_PROVINCE]-(c:Comune)`},
	},
	fallback: `
		MATCH (c:Comune)-[:IN_PROVINCE]->(p:Province)-[:IN_REGION]->(r:Region)`,
	filters: []batchFilter{
		{"codes", "c.code IN q.codes"},
		{"provinces", "p.code IN q.provinces"},
		{"regions", "r.code IN q.regions"},
		{"needle", `c.searchName CONTAINS q.needle AND any(name IN split(c.searchName, '\n') WHERE name CONTAINS q.needle)`},
		{"minPopulation", "c.population >= q.minPopulation"},
		{"maxPopulation", "c.population <= q.maxPopulation"},
		{"small", "(c.population < $smallThreshold) = q.small"},
		{"capital", "c.capital = q.capital"},
		{"retired", "coalesce(c.retired, false) = q.retired"},
		// A Comune is covered in a sector (or area) on a date when a
		// coverage by a service of that sector (area) is active then.
		{"covered", `EXISTS {
			MATCH (c)<-[cov:COVERS]-(:SharedService)-[:IN_AREA]->(a:Area)-[:IN_SECTOR]->(sec:Sector)
			WHERE (q.coverageArea IS NULL OR a.code = q.coverageArea)
			  AND (q.coverageSector IS NULL OR sec.code = q.coverageSector)
			  AND cov.since <= q.coverageAsOf AND (cov.until IS NULL OR q.coverageAsOf < cov.until)
		} = q.covered`},
	},
}

// comuneFilterParams returns the values of f's filters, keyed as
// comunePlan's filters read them from q. Comuni and ComuniSummaries share
// it, so both select the same Comuni.
func comuneFilterParams(f pcnet.ComuneFilter) map[string]any {
	q := map[string]any{
		"codes":         listParam(f.Codes),
		"provinces":     listParam(f.ProvinceCodes),
		"regions":       listParam(f.RegionCodes),
		"needle":        stringParam(pcnet.FoldName(f.NameContains)),
		"minPopulation": intParam(f.MinPopulation),
		"maxPopulation": intParam(f.MaxPopulation),
		"small":         boolParam(f.Small),
		"capital":       boolParam(f.Capital),
		// Always set: nil means current Comuni only (pcnet.ComuneFilter.Retired).
		"retired": f.Retired != nil && *f.Retired,
	}
	if c := f.Coverage; c != nil {
		q["covered"] = c.Covered
		q["coverageSector"] = stringParam(c.SectorCode)
		q["coverageArea"] = stringParam(c.AreaCode)
		q["coverageAsOf"] = dateParam(c.AsOf)
	}
	return q
}

// comuneOrders are the ORDER BY fragments of the Comune orders. When a batch
// mixes orders, comuneMixedOrder picks one per query from q.order: each
// CASE is null (a tie) for the queries that don't use it.
var comuneOrders = map[pcnet.ComuneOrder]string{
	pcnet.ComuneByCode:           "c.code",
	pcnet.ComuneByName:           "c.name, c.code",
	pcnet.ComuneByPopulationDesc: "c.population DESC, c.code",
	pcnet.ComuneByPopulationAsc:  "c.population, c.code",
}

const comuneMixedOrder = `CASE q.order WHEN 'NAME' THEN c.name END,
		         CASE q.order WHEN 'POPULATION_DESC' THEN c.population END DESC,
		         CASE q.order WHEN 'POPULATION_ASC' THEN c.population END,
		         c.code`

// comuneAfter is pcnet.ComuneAfter in Cypher: the row's Comune (row[0])
// comes strictly after the key q.after in the order q.order.
const comuneAfter = `CASE q.order
		  WHEN 'NAME' THEN row[0].name > q.after.n OR (row[0].name = q.after.n AND row[0].code > q.after.c)
		  WHEN 'POPULATION_DESC' THEN row[0].population < q.after.p OR (row[0].population = q.after.p AND row[0].code > q.after.c)
		  WHEN 'POPULATION_ASC' THEN row[0].population > q.after.p OR (row[0].population = q.after.p AND row[0].code > q.after.c)
		  ELSE row[0].code > q.after.c END`

// coverageAfter is pcnet.CoverageAfter in Cypher over a coverage row
// [service ID, Comune code, since, ...].
const coverageAfter = `row[0] > q.after.s OR (row[0] = q.after.s AND
		  (row[1] > q.after.c OR (row[1] = q.after.c AND row[2] > q.after.d)))`

// Positions of a Comune's fields in the lists the Comuni query returns.
const (
	comCode = iota
	comCadastralCode
	comName
	comNameItalian
	comNameOther
	comProvince
	comRegion
	comCapital
	comPopulation
	comLatitude
	comLongitude
	comRetired // ComuniWithParents' rows go on with the Province and region
)

// Comuni implements pcnet.Store: all queries in one round trip.
func (s *Store) Comuni(ctx context.Context, queries []pcnet.ComuneQuery) ([]pcnet.ComunePage, error) {
	if len(queries) == 0 {
		return nil, nil
	}
	orders := make(map[pcnet.ComuneOrder]bool)
	qs := batchQueries(queries, func(query pcnet.ComuneQuery) map[string]any {
		after, limit := pageParams(query.Page)
		order := query.Order
		if _, ok := comuneOrders[order]; !ok {
			order = pcnet.ComuneByCode
		}
		orders[order] = true
		q := comuneFilterParams(query.Filter)
		q["order"] = string(order)
		q["after"] = after
		q["limit"] = limit
		return q
	})
	order := comuneMixedOrder
	if len(orders) == 1 {
		for o := range orders {
			order = comuneOrders[o]
		}
	}
	cypher := `
		UNWIND $queries AS q
		CALL (q) {` + comunePlan.build(qs) + `
		WITH q, c, p, r ORDER BY ` + order + `
		RETURN collect([c, p.code, r.code]) AS rows
		}
		WITH q, rows, [row IN rows WHERE q.after IS NULL OR ` + comuneAfter + `] AS rest
		RETURN q.idx, size(rows), size(rest) > q.limit, [row IN rest[..q.limit] | [
			row[0].code, row[0].cadastralCode, row[0].name, row[0].nameItalian, row[0].nameOther,
			row[1], row[2], row[0].capital, row[0].population,
			row[0].location.latitude, row[0].location.longitude, coalesce(row[0].retired, false)]]`
	recs, err := s.read(ctx, cypher, map[string]any{
		"queries":        toAnySlice(qs),
		"smallThreshold": int64(pcnet.SmallComuneThreshold),
	})
	if err != nil {
		return nil, err
	}
	return batchPages(recs, len(queries), func(i int) bool { return queries[i].Page.CountOnly }, "comuni", "comune", comRetired+1,
		(*reader).comune, func(total int, more bool, comuni []pcnet.Comune) pcnet.ComunePage {
			return pcnet.ComunePage{Total: total, More: more, Comuni: comuni}
		})
}

var coveragePlan = batchPlan{
	anchors: []batchAnchor{
		{"services", `
		MATCH (s:SharedService) WHERE s.id IN q.services
		MATCH (s)-[cov:COVERS]->(c:Comune)`},
		{"comuni", `
		MATCH (c:Comune) WHERE c.code IN q.comuni
		MATCH (s:SharedService)-[cov:COVERS]->(c)`},
	},
	fallback: `
		MATCH (s:SharedService)-[cov:COVERS]->(c:Comune)`,
	filters: []batchFilter{
		{"services", "s.id IN q.services"},
		{"comuni", "c.code IN q.comuni"},
		{"phases", "cov.phase IN q.phases"},
		{"activeOn", "cov.since <= q.activeOn AND (cov.until IS NULL OR q.activeOn < cov.until)"},
	},
}

// Coverages implements pcnet.Store: all queries in one round trip.
func (s *Store) Coverages(ctx context.Context, queries []pcnet.CoverageQuery) ([]pcnet.CoveragePage, error) {
	if len(queries) == 0 {
		return nil, nil
	}
	qs := batchQueries(queries, func(query pcnet.CoverageQuery) map[string]any {
		f := query.Filter
		after, limit := pageParams(query.Page)
		return map[string]any{
			"after":    after,
			"limit":    limit,
			"services": listParam(f.ServiceIDs),
			"comuni":   listParam(f.ComuneCodes),
			"phases":   listParam(f.Phases),
			"activeOn": dateParam(f.ActiveOn),
		}
	})
	cypher := `
		UNWIND $queries AS q
		CALL (q) {` + coveragePlan.build(qs) + `
		WITH s, c, cov ORDER BY s.id, c.code, cov.since
		RETURN collect([` + coverageFields + `]) AS rows
		}
		WITH q, rows, [row IN rows WHERE q.after IS NULL OR ` + coverageAfter + `] AS rest
		RETURN q.idx, size(rows), size(rest) > q.limit, rest[..q.limit]`
	recs, err := s.read(ctx, cypher, map[string]any{"queries": toAnySlice(qs)})
	if err != nil {
		return nil, err
	}
	return batchPages(recs, len(queries), func(i int) bool { return queries[i].Page.CountOnly }, "coverages", "coverage", 5,
		(*reader).coverage, func(total int, more bool, coverages []pcnet.Coverage) pcnet.CoveragePage {
			return pcnet.CoveragePage{Total: total, More: more, Coverages: coverages}
		})
}

// batchPages decodes the answer of a batch of n paged queries, a record per
// query: its index, its total, whether more items follow (never for a
// query that countOnly says counts only) and its items, rows of fields
// fields each decoded with item; page makes a query's page of them. batch
// and row name the query and its rows in errors.
func batchPages[T, P any](recs []*neo4jdrv.Record, n int, countOnly func(i int) bool, batch, row string, fields int,
	item func(rd *reader, v []any) T, page func(total int, more bool, items []T) P) ([]P, error) {
	out := make([]P, n)
	var rd reader
	for _, rec := range recs {
		idx, err := batchIndex(&rd, rec.Values[0], n, batch)
		if err != nil {
			return nil, err
		}
		var items []T
		rd.rows(rec.Values[3], fields, row, func(v []any) { items = append(items, item(&rd, v)) })
		out[idx] = page(rd.int(rec.Values[1]), rd.bool(rec.Values[2]) && !countOnly(idx), items)
	}
	return out, rd.err
}

// coverageFields are the fields of a coverage row, cov the coverage (COVERS)
// of service s to Comune c; (*reader).coverage decodes them.
const coverageFields = `s.id, c.code, cov.since, cov.until, cov.phase`

// coverage decodes the coverageFields of a row.
func (r *reader) coverage(v []any) pcnet.Coverage {
	return pcnet.Coverage{ServiceID: r.str(v[0]), ComuneCode: r.str(v[1]), Since: r.date(v[2]), Until: r.date(v[3]),
		Phase: pcnet.CoveragePhase(r.str(v[4]))}
}

// comune decodes the comCode..comRetired columns of a Comune row, the one
// layout that Comuni and ComuniWithParents share.
func (rd *reader) comune(v []any) pcnet.Comune {
	return pcnet.Comune{Code: rd.str(v[comCode]), CadastralCode: rd.str(v[comCadastralCode]), Name: rd.str(v[comName]),
		NameItalian: rd.str(v[comNameItalian]), NameOther: rd.str(v[comNameOther]),
		ProvinceCode: rd.str(v[comProvince]), RegionCode: rd.str(v[comRegion]), Capital: rd.bool(v[comCapital]),
		Population: rd.int(v[comPopulation]), Latitude: rd.float(v[comLatitude]), Longitude: rd.float(v[comLongitude]),
		Retired: rd.bool(v[comRetired])}
}

func toAnySlice[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

var _ pcnet.ComuneLookup = (*Store)(nil)

// ComuniWithParents implements pcnet.ComuneLookup: the Comuni, their
// Provinces and their regions in one query (the walk to the region is the
// one Comuni makes anyway).
func (s *Store) ComuniWithParents(ctx context.Context, codes []string) ([]pcnet.Comune, []pcnet.Province, []pcnet.Region, error) {
	if len(codes) == 0 {
		return nil, nil, nil, nil
	}
	recs, err := s.read(ctx, `
		MATCH (c:Comune) WHERE c.code IN $codes
		MATCH (c)-[:IN_PROVINCE]->(p:Province)-[:IN_REGION]->(r:Region)
		RETURN c.code, c.cadastralCode, c.name, c.nameItalian, c.nameOther,
			p.code, r.code, c.capital, c.population, c.location.latitude, c.location.longitude,
			coalesce(c.retired, false), p.historicCode, p.plateCode, p.name, p.kind, r.name
		ORDER BY c.code`,
		map[string]any{"codes": toAnySlice(codes)})
	if err != nil {
		return nil, nil, nil, err
	}
	var comuni []pcnet.Comune
	var provinces []pcnet.Province
	var regions []pcnet.Region
	seenP, seenR := make(map[string]bool), make(map[string]bool)
	var rd reader
	for _, rec := range recs {
		v := rec.Values
		c := rd.comune(v)
		comuni = append(comuni, c)
		if !seenP[c.ProvinceCode] {
			seenP[c.ProvinceCode] = true
			provinces = append(provinces, pcnet.Province{
				Code: c.ProvinceCode, HistoricCode: rd.str(v[comRetired+1]), PlateCode: rd.str(v[comRetired+2]),
				Name: rd.str(v[comRetired+3]), Kind: pcnet.ProvinceKind(rd.str(v[comRetired+4])), RegionCode: c.RegionCode,
			})
		}
		if !seenR[c.RegionCode] {
			seenR[c.RegionCode] = true
			regions = append(regions, pcnet.Region{Code: c.RegionCode, Name: rd.str(v[comRetired+5])})
		}
	}
	return comuni, provinces, regions, rd.err
}
