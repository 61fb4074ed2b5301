package neo4j

import (
	"context"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"pcnet/internal/pcnet"
)

var _ pcnet.Store = (*Store)(nil)

// read runs one read query in a managed read transaction (retried by the
// driver on transient errors) and returns all its records.
//
// It goes through ExecuteQuery rather than a session's ExecuteRead: both
// retry alike, but ExecuteRead waits for the server to acknowledge BEGIN
// before it sends the query, an extra round trip that made a small query
// cost about twice as much (docs/performance.md). It uses the store's
// bookmark manager, as the write sessions do, so that on a cluster a read
// waits for the writes this store committed (read your own writes).
func (s *Store) read(ctx context.Context, cypher string, params map[string]any) ([]*neo4jdrv.Record, error) {
	res, err := neo4jdrv.ExecuteQuery(ctx, s.driver, cypher, params,
		func() neo4jdrv.ResultTransformer[*neo4jdrv.EagerResult] {
			s.queries.Add(1) // once per attempt: retries count
			return neo4jdrv.EagerResultTransformer()
		},
		neo4jdrv.ExecuteQueryWithReadersRouting(),
		neo4jdrv.ExecuteQueryWithDatabase(s.database),
		neo4jdrv.ExecuteQueryWithBookmarkManager(s.bookmarks))
	if err != nil {
		return nil, err
	}
	return res.Records, nil
}

// Regions implements pcnet.Store.
func (s *Store) Regions(ctx context.Context, codes []string) ([]pcnet.Region, error) {
	return readAll(ctx, s, `
		MATCH (r:Region)
		WHERE $codes IS NULL OR r.code IN $codes
		RETURN r.code, r.name
		ORDER BY r.code`,
		map[string]any{"codes": listParam(codes)},
		func(rd *reader, v []any) pcnet.Region { return pcnet.Region{Code: rd.str(v[0]), Name: rd.str(v[1])} })
}

// provinceFields are the fields of a Province row, p the Province and r its
// region; (*reader).province decodes them.
const provinceFields = `p.code, p.historicCode, p.plateCode, p.name, p.kind, r.code`

// province decodes the provinceFields of a row.
func (r *reader) province(v []any) pcnet.Province {
	return pcnet.Province{Code: r.str(v[0]), HistoricCode: r.str(v[1]), PlateCode: r.str(v[2]), Name: r.str(v[3]),
		Kind: pcnet.ProvinceKind(r.str(v[4])), RegionCode: r.str(v[5])}
}

// Provinces implements pcnet.Store.
func (s *Store) Provinces(ctx context.Context, f pcnet.ProvinceFilter) ([]pcnet.Province, error) {
	return readAll(ctx, s, `
		MATCH (p:Province)-[:IN_REGION]->(r:Region)
		WHERE ($codes IS NULL OR p.code IN $codes)
		  AND ($plates IS NULL OR p.plateCode IN $plates)
		  AND ($regions IS NULL OR r.code IN $regions)
		  AND ($kinds IS NULL OR p.kind IN $kinds)
		RETURN `+provinceFields+`
		ORDER BY p.code`,
		map[string]any{
			"codes":   listParam(f.Codes),
			"plates":  listParam(f.PlateCodes),
			"regions": listParam(f.RegionCodes),
			"kinds":   listParam(f.Kinds),
		}, (*reader).province)
}

// Sectors implements pcnet.Store.
func (s *Store) Sectors(ctx context.Context) ([]pcnet.Sector, error) {
	return readAll(ctx, s, `
		MATCH (s:Sector)
		OPTIONAL MATCH (a:Area)-[:IN_SECTOR]->(s)
		WITH s, a ORDER BY a.code
		WITH s, collect(a {.code, .name, .description}) AS areas
		RETURN s.code, s.name, s.description, areas
		ORDER BY s.code`, nil,
		func(rd *reader, v []any) pcnet.Sector {
			sec := pcnet.Sector{Code: rd.str(v[0]), Name: rd.str(v[1]), Description: rd.str(v[2])}
			for _, a := range rd.list(v[3]) {
				m := rd.dict(a)
				sec.Areas = append(sec.Areas, pcnet.Area{
					Code:        rd.str(m["code"]),
					SectorCode:  sec.Code,
					Name:        rd.str(m["name"]),
					Description: rd.str(m["description"]),
				})
			}
			return sec
		})
}

// serviceFields are the fields of a service row, s the service, p its
// provider and a its area; (*reader).service decodes them.
const serviceFields = `s.id, s.name, s.description, p.code, a.code, s.status, s.startDate`

// service decodes the serviceFields of a row.
func (r *reader) service(v []any) pcnet.SharedService {
	return pcnet.SharedService{ID: r.str(v[0]), Name: r.str(v[1]), Description: r.str(v[2]), ProviderCode: r.str(v[3]),
		AreaCode: r.str(v[4]), Status: pcnet.ServiceStatus(r.str(v[5])), StartDate: r.date(v[6])}
}

// Services implements pcnet.Store.
func (s *Store) Services(ctx context.Context, f pcnet.ServiceFilter) ([]pcnet.SharedService, error) {
	// The selection is servicePlan's, as in Reach, so the services listed
	// and the services measured are always the same ones.
	q := serviceFilterParams(f)
	return readAll(ctx, s, `
		WITH $q AS q`+servicePlan.build([]map[string]any{q})+`
		RETURN `+serviceFields+`
		ORDER BY s.id`,
		map[string]any{"q": q}, (*reader).service)
}

// tutorshipRow are the fields of a tutorship row, t the tutorship
// (TUTORS) from tutor to tutored; (*reader).tutorship decodes them.
const tutorshipRow = `tutor.code, tutored.code, t.sector, t.since, t.until, t.step, t.outcome`

// tutorship decodes the tutorshipRow of a row.
func (r *reader) tutorship(v []any) pcnet.Tutorship {
	return pcnet.Tutorship{TutorCode: r.str(v[0]), TutoredCode: r.str(v[1]), SectorCode: r.str(v[2]),
		Since: r.date(v[3]), Until: r.date(v[4]), Step: r.int(v[5]), Outcome: pcnet.TutorshipOutcome(r.str(v[6]))}
}

// Tutorships implements pcnet.Store.
func (s *Store) Tutorships(ctx context.Context, f pcnet.TutorshipFilter) ([]pcnet.Tutorship, error) {
	return readAll(ctx, s, `
		MATCH (tutor:Province)-[t:TUTORS]->(tutored:Province)
		WHERE ($tutors IS NULL OR tutor.code IN $tutors)
		  AND ($tutored IS NULL OR tutored.code IN $tutored)
		  AND ($sectors IS NULL OR t.sector IN $sectors)
		  AND ($activeOn IS NULL OR (t.since <= $activeOn AND (t.until IS NULL OR $activeOn < t.until)))
		RETURN `+tutorshipRow+`
		ORDER BY t.sector, tutor.code, tutored.code, t.since`,
		map[string]any{
			"tutors":   listParam(f.TutorCodes),
			"tutored":  listParam(f.TutoredCodes),
			"sectors":  listParam(f.SectorCodes),
			"activeOn": dateParam(f.ActiveOn),
		}, (*reader).tutorship)
}

// projectWorkFields are the fields of a project work row, w the project
// work, p its Province, a its area, s the service it led to and m the
// project work whose model it adapts (null for none); (*reader).projectWork
// decodes them.
const projectWorkFields = `w.id, p.code, a.code, w.title, w.maturity, w.step, w.year, s.id, m.id`

// projectWork decodes the projectWorkFields of a row.
func (r *reader) projectWork(v []any) pcnet.ProjectWork {
	return pcnet.ProjectWork{ID: r.str(v[0]), ProvinceCode: r.str(v[1]), AreaCode: r.str(v[2]), Title: r.str(v[3]),
		Maturity: pcnet.Maturity(r.str(v[4])), Step: r.int(v[5]), Year: r.int(v[6]), ServiceID: r.str(v[7]), ModelFromID: r.str(v[8])}
}

// ProjectWorks implements pcnet.Store.
func (s *Store) ProjectWorks(ctx context.Context, f pcnet.ProjectWorkFilter) ([]pcnet.ProjectWork, error) {
	return readAll(ctx, s, `
		MATCH (p:Province)-[:WROTE]->(w:ProjectWork)-[:IN_AREA]->(a:Area)-[:IN_SECTOR]->(sec:Sector)
		WHERE ($ids IS NULL OR w.id IN $ids)
		  AND ($provinces IS NULL OR p.code IN $provinces)
		  AND ($areas IS NULL OR a.code IN $areas)
		  AND ($sectors IS NULL OR sec.code IN $sectors)
		  AND ($maturities IS NULL OR w.maturity IN $maturities)
		OPTIONAL MATCH (w)-[:LED_TO]->(s:SharedService)
		WITH p, w, a, s
		WHERE $services IS NULL OR s.id IN $services
		OPTIONAL MATCH (w)-[:ADAPTS]->(m:ProjectWork)
		RETURN `+projectWorkFields+`
		ORDER BY w.id`,
		map[string]any{
			"ids":        listParam(f.IDs),
			"provinces":  listParam(f.ProvinceCodes),
			"areas":      listParam(f.AreaCodes),
			"sectors":    listParam(f.SectorCodes),
			"maturities": listParam(f.Maturities),
			"services":   listParam(f.ServiceIDs),
		}, (*reader).projectWork)
}
