package bench

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"pcnet/examples"
	"pcnet/internal/pcnet"
)

// Operation is one kind of request of the benchmark: a GraphQL operation,
// and the hand-written Cypher that fetches the same data straight from
// Neo4j, for the baseline. Args picks the arguments of one request; the
// GraphQL variables and the Cypher parameters are the same map.
type Operation struct {
	Name        string
	Description string
	Query       string
	Cypher      string
	Args        func(r *rand.Rand, d *Data) map[string]any
}

// Weighted is an operation's share of the mix.
type Weighted struct {
	Op     Operation
	Weight int
}

// asOf is the day every dated question is asked on, so answers don't
// depend on the day the benchmark runs.
const asOf = "2025-06-30"

// DefaultMix is the documented mix (docs/performance.md): mostly cheap
// lookups, as an API serving a front end sees, then the dashboards and the
// planners' questions.
const DefaultMix = "lookup=40,dashboard=20,reach=10,gaps=10,path=10,page=10"

// OperationNames lists the operations the benchmark knows, sorted.
func OperationNames() []string { return slices.Sorted(maps.Keys(Operations())) }

// Operations returns every operation the benchmark knows, by name.
func Operations() map[string]Operation {
	dashboard, _ := examples.Get("dashboard_region")
	italy, _ := examples.Get("dashboard_italy")
	ops := []Operation{
		{
			Name:        "lookup",
			Description: "a Comune by ISTAT code, with its Province and region (7,904 codes, uniformly)",
			Query: `query Lookup($code: String!) {
				comune(istat: $code) { code name population small province { code name } region { code name } }
			}`,
			Cypher: `
				MATCH (c:Comune {code: $code})-[:IN_PROVINCE]->(p:Province)-[:IN_REGION]->(r:Region)
				RETURN c.code, c.name, c.population, c.population < 5000 AS small, p.code, p.name, r.code, r.name`,
			Args: func(r *rand.Rand, d *Data) map[string]any {
				return map[string]any{"code": d.Comuni[r.IntN(len(d.Comuni))]}
			},
		},
		{
			Name: "dashboard",
			Description: "the nested one-region dashboard (examples/dashboard_region.graphql): Lombardia's Provinces, " +
				"their services, and the first 20 Comuni each covers on " + asOf,
			Query: dashboard.Query,
			Cypher: `
				MATCH (r:Region {code: '03'})<-[:IN_REGION]-(p:Province)
				OPTIONAL MATCH (p)-[:PROVIDES]->(s:SharedService)-[:IN_AREA]->(a:Area)
				CALL (s) {
					OPTIONAL MATCH (s)-[cov:COVERS]->(c:Comune)
					WHERE cov.since <= date('` + asOf + `') AND (cov.until IS NULL OR date('` + asOf + `') < cov.until)
					WITH cov, c ORDER BY c.code, cov.since
					RETURN count(cov) AS total,
					       collect(CASE WHEN cov IS NOT NULL THEN {since: cov.since, phase: cov.phase, code: c.code, name: c.name,
					                population: c.population, small: c.population < 5000} END)[0..20] AS edges
				}
				WITH r, p, s, a, total, edges ORDER BY p.code, s.id
				WITH r, p, collect(CASE WHEN s IS NOT NULL THEN {id: s.id, name: s.name, status: s.status,
					area: {code: a.code, name: a.name}, totalCount: total, edges: edges} END) AS services
				ORDER BY p.code
				RETURN r.code, r.name, collect({code: p.code, name: p.name, services: services}) AS provinces`,
			Args: func(*rand.Rand, *Data) map[string]any { return nil },
		},
		{
			Name: "dashboard_italy",
			Description: "the all-regions dashboard (examples/dashboard_italy.graphql): every region, Province and " +
				"service, with how many Comuni each covers on " + asOf,
			Query: italy.Query,
			Cypher: `
				MATCH (r:Region)<-[:IN_REGION]-(p:Province)
				OPTIONAL MATCH (p)-[:PROVIDES]->(s:SharedService)-[:IN_AREA]->(:Area)-[:IN_SECTOR]->(sec:Sector)
				CALL (s) {
					OPTIONAL MATCH (s)-[cov:COVERS]->(:Comune)
					WHERE cov.since <= date('` + asOf + `') AND (cov.until IS NULL OR date('` + asOf + `') < cov.until)
					RETURN count(cov) AS total
				}
				WITH r, p, s, sec, total ORDER BY p.code, s.id
				WITH r, p, collect(CASE WHEN s IS NOT NULL THEN {id: s.id, status: s.status, sector: sec.code, totalCount: total} END) AS services
				ORDER BY r.code, p.code
				RETURN r.code, r.name, collect({code: p.code, name: p.name, services: services}) AS provinces
				ORDER BY r.code`,
			Args: func(*rand.Rand, *Data) map[string]any { return nil },
		},
		{
			Name:        "reach",
			Description: "the reach of a sector's services on " + asOf + " by region: covered Comuni, inhabitants, small Comuni, the base",
			Query: `query Reach($sector: String!) {
				reach(selection: {sectors: [$sector]}, asOf: "` + asOf + `", groupBy: REGION) {
					group { code name } covered { comuni inhabitants smallComuni } base { comuni } services
				}
			}`,
			Cypher: `
				MATCH (:Sector {code: $sector})<-[:IN_SECTOR]-(:Area)<-[:IN_AREA]-(s:SharedService)<-[:PROVIDES]-(:Province)-[:IN_REGION]->(r:Region)
				WITH r, collect(DISTINCT s) AS services
				CALL (services) {
					UNWIND services AS s
					MATCH (s)-[cov:COVERS]->(c:Comune)
					WHERE cov.since <= date('` + asOf + `') AND (cov.until IS NULL OR date('` + asOf + `') < cov.until)
					WITH DISTINCT c
					RETURN count(c) AS comuni, sum(c.population) AS inhabitants, count(CASE WHEN c.population < 5000 THEN 1 END) AS small
				}
				CALL (r) {
					MATCH (r)<-[:IN_REGION]-(:Province)<-[:IN_PROVINCE]-(c:Comune)
					RETURN count(c) AS base
				}
				RETURN r.code, r.name, comuni, inhabitants, small, base, size(services) AS services
				ORDER BY r.code`,
			Args: func(r *rand.Rand, d *Data) map[string]any {
				return map[string]any{"sector": d.Sectors[r.IntN(len(d.Sectors))]}
			},
		},
		{
			Name:        "gaps",
			Description: "a page of 20 Comuni of a region a sector doesn't cover on " + asOf + ", largest first, with the totals",
			Query: `query Gaps($region: String!, $sector: String!) {
				coverageGaps(region: $region, sector: $sector, asOf: "` + asOf + `", first: 20) {
					totalCount uncovered { comuni inhabitants } territory { comuni }
					edges { node { code name population } }
				}
			}`,
			Cypher: `
				MATCH (:Region {code: $region})<-[:IN_REGION]-(:Province)<-[:IN_PROVINCE]-(c:Comune)
				WITH c, EXISTS {
					MATCH (c)<-[cov:COVERS]-(:SharedService)-[:IN_AREA]->(:Area)-[:IN_SECTOR]->(:Sector {code: $sector})
					WHERE cov.since <= date('` + asOf + `') AND (cov.until IS NULL OR date('` + asOf + `') < cov.until)
				} AS covered
				WITH count(c) AS territory, collect(CASE WHEN NOT covered THEN c END) AS uncovered
				CALL (uncovered) {
					UNWIND uncovered AS u
					WITH u ORDER BY u.population DESC, u.code LIMIT 20
					RETURN collect({code: u.code, name: u.name, population: u.population}) AS page
				}
				RETURN territory, size(uncovered) AS totalCount, reduce(n = 0, u IN uncovered | n + u.population) AS inhabitants, page`,
			Args: func(r *rand.Rand, d *Data) map[string]any {
				return map[string]any{"region": d.Regions[r.IntN(len(d.Regions))], "sector": d.Sectors[r.IntN(len(d.Sectors))]}
			},
		},
		{
			Name: "page",
			Description: "a filtered sorted page: the first 50 small Comuni of a region by population, largest first, " +
				"with the total",
			Query: `query SmallComuniPage($region: String!) {
				comuni(filter: {region: $region, small: true}, orderBy: POPULATION_DESC, first: 50) {
					totalCount edges { node { code name population } }
				}
			}`,
			// The store's order (pcnet.ComuneByPopulationDesc: ties by code)
			// and its default of current Comuni only (retired left out).
			Cypher: `
				MATCH (:Region {code: $region})<-[:IN_REGION]-(:Province)<-[:IN_PROVINCE]-(c:Comune)
				WHERE c.population < 5000 AND coalesce(c.retired, false) = false
				WITH c ORDER BY c.population DESC, c.code
				WITH count(c) AS totalCount, collect({code: c.code, name: c.name, population: c.population}) AS comuni
				RETURN totalCount, comuni[..50] AS page`,
			Args: func(r *rand.Rand, d *Data) map[string]any {
				return map[string]any{"region": d.Regions[r.IntN(len(d.Regions))]}
			},
		},
		{
			Name:        "path",
			Description: "a shortest tutorship path between two Provinces one or two tutorships apart, with their names",
			Query: `query Path($from: String!, $to: String!) {
				tutorPath(from: $from, to: $to) { length provinces { code name } }
			}`,
			Cypher: `
				MATCH (a:Province {code: $from}), (b:Province {code: $to})
				MATCH p = SHORTEST 1 (a)-[:TUTORS]-{1,10}(b)
				RETURN length(p) AS length, [n IN nodes(p) | {code: n.code, name: n.name}] AS provinces`,
			Args: func(r *rand.Rand, d *Data) map[string]any {
				pair := d.Paths[r.IntN(len(d.Paths))]
				return map[string]any{"from": pair[0], "to": pair[1]}
			},
		},
	}
	out := make(map[string]Operation, len(ops))
	for _, op := range ops {
		out[op.Name] = op
	}
	return out
}

// ParseMix reads a mix such as DefaultMix: name=weight pairs, comma
// separated.
func ParseMix(s string) ([]Weighted, error) {
	ops := Operations()
	var mix []Weighted
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, ok := strings.Cut(part, "=")
		op, known := ops[strings.TrimSpace(name)]
		weight, err := strconv.Atoi(strings.TrimSpace(w))
		switch {
		case !ok || err != nil || weight < 0:
			return nil, fmt.Errorf("mix: %q is not name=weight with a weight of 0 or more", part)
		case !known:
			return nil, fmt.Errorf("mix: unknown operation %q; known: %s", name, strings.Join(OperationNames(), ", "))
		case slices.ContainsFunc(mix, func(x Weighted) bool { return x.Op.Name == op.Name }):
			return nil, fmt.Errorf("mix: %q given twice", name)
		}
		if weight > 0 {
			mix = append(mix, Weighted{Op: op, Weight: weight})
		}
	}
	if len(mix) == 0 {
		return nil, fmt.Errorf("mix: %q selects no operation", s)
	}
	return mix, nil
}

// pick returns an operation of mix at random, in proportion to weights.
func pick(r *rand.Rand, mix []Weighted, total int) Operation {
	n := r.IntN(total)
	for _, w := range mix {
		if n < w.Weight {
			return w.Op
		}
		n -= w.Weight
	}
	return mix[len(mix)-1].Op
}

// Data holds the codes the operations draw their arguments from.
type Data struct {
	Comuni  []string
	Regions []string
	Sectors []string
	// Paths are pairs of Provinces joined by tutorships: a tutor and the
	// Province it tutors, and two Provinces with the same tutor.
	Paths [][2]string
}

// NewData takes the arguments from ds (the shipped dataset, which both the
// server and Neo4j were loaded with).
func NewData(ds pcnet.Dataset) (*Data, error) {
	d := &Data{}
	for _, c := range ds.Comuni {
		d.Comuni = append(d.Comuni, c.Code)
	}
	for _, r := range ds.Regions {
		d.Regions = append(d.Regions, r.Code)
	}
	for _, s := range ds.Sectors {
		d.Sectors = append(d.Sectors, s.Code)
	}
	tutored := make(map[string][]string)
	for _, t := range ds.Tutorships {
		d.Paths = append(d.Paths, [2]string{t.TutoredCode, t.TutorCode})
		tutored[t.TutorCode] = append(tutored[t.TutorCode], t.TutoredCode)
	}
	for _, tutor := range slices.Sorted(maps.Keys(tutored)) {
		list := tutored[tutor]
		for i := 1; i < len(list); i++ {
			if list[i] != list[0] {
				d.Paths = append(d.Paths, [2]string{list[0], list[i]})
			}
		}
	}
	if len(d.Comuni) == 0 || len(d.Regions) == 0 || len(d.Sectors) == 0 || len(d.Paths) == 0 {
		return nil, fmt.Errorf("bench: the dataset lacks Comuni, regions, sectors or tutorships to draw arguments from")
	}
	return d, nil
}
