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
	recs, err := s.read(ctx, `
		MATCH (r:Region)
		WHERE $codes IS NULL OR r.code IN $codes
		RETURN r.code, r.name
		ORDER BY r.code`,
		map[string]any{"codes": listParam(codes)})
	if err != nil {
		return nil, err
	}
	var out []pcnet.Region
	var rd reader
	for _, rec := range recs {
		out = append(out, pcnet.Region{Code: rd.str(rec.Values[0]), Name: rd.str(rec.Values[1])})
	}
	return out, rd.err
}

// Provinces implements pcnet.Store.
func (s *Store) Provinces(ctx context.Context, f pcnet.ProvinceFilter) ([]pcnet.Province, error) {
	recs, err := s.read(ctx, `
		MATCH (p:Province)-[:IN_REGION]->(r:Region)
		WHERE ($codes IS NULL OR p.code IN $codes)
		  AND ($plates IS NULL OR p.plateCode IN $plates)
		  AND ($regions IS NULL OR r.code IN $regions)
		  AND ($kinds IS NULL OR p.kind IN $kinds)
		RETURN p.code, p.historicCode, p.plateCode, p.name, p.kind, r.code
		ORDER BY p.code`,
		map[string]any{
			"codes":   listParam(f.Codes),
			"plates":  listParam(f.PlateCodes),
			"regions": listParam(f.RegionCodes),
			"kinds":   listParam(f.Kinds),
		})
	if err != nil {
		return nil, err
	}
	var out []pcnet.Province
	var rd reader
	for _, rec := range recs {
		v := rec.Values
		out = append(out, pcnet.Province{
			Code:         rd.str(v[0]),
			HistoricCode: rd.str(v[1]),
			PlateCode:    rd.str(v[2]),
			Name:         rd.str(v[3]),
			Kind:         pcnet.ProvinceKind(rd.str(v[4])),
			RegionCode:   rd.str(v[5]),
		})
	}
	return out, rd.err
}

// Sectors implements pcnet.Store.
func (s *Store) Sectors(ctx context.Context) ([]pcnet.Sector, error) {
	recs, err := s.read(ctx, `
		MATCH (s:Sector)
		OPTIONAL MATCH (a:Area)-[:IN_SECTOR]->(s)
		WITH s, a ORDER BY a.code
		WITH s, collect(a {.code, .name, .description}) AS areas
		RETURN s.code, s.name, s.description, areas
		ORDER BY s.code`, nil)
	if err != nil {
		return nil, err
	}
	var out []pcnet.Sector
	var rd reader
	for _, rec := range recs {
		v := rec.Values
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
		out = append(out, sec)
	}
	return out, rd.err
}

// Services implements pcnet.Store.
func (s *Store) Services(ctx context.Context, f pcnet.ServiceFilter) ([]pcnet.SharedService, error) {
	// The selection is servicePlan's, as in Reach, so the services listed
	// and the services measured are always the same ones.
	q := serviceFilterParams(f)
	recs, err := s.read(ctx, `
		WITH $q AS q`+servicePlan.build([]map[string]any{q})+`
		RETURN s.id, s.name, s.description, p.code, a.code, s.status, s.startDate
		ORDER BY s.id`,
		map[string]any{"q": q})
	if err != nil {
		return nil, err
	}
	var out []pcnet.SharedService
	var rd reader
	for _, rec := range recs {
		v := rec.Values
		out = append(out, pcnet.SharedService{
			ID:           rd.str(v[0]),
			Name:         rd.str(v[1]),
			Description:  rd.str(v[2]),
			ProviderCode: rd.str(v[3]),
			AreaCode:     rd.str(v[4]),
			Status:       pcnet.ServiceStatus(rd.str(v[5])),
			StartDate:    rd.date(v[6]),
		})
	}
	return out, rd.err
}

// Tutorships implements pcnet.Store.
func (s *Store) Tutorships(ctx context.Context, f pcnet.TutorshipFilter) ([]pcnet.Tutorship, error) {
	recs, err := s.read(ctx, `
		MATCH (tutor:Province)-[t:TUTORS]->(tutored:Province)
		WHERE ($tutors IS NULL OR tutor.code IN $tutors)
		  AND ($tutored IS NULL OR tutored.code IN $tutored)
		  AND ($sectors IS NULL OR t.sector IN $sectors)
		  AND ($activeOn IS NULL OR (t.since <= $activeOn AND (t.until IS NULL OR $activeOn < t.until)))
		RETURN tutor.code, tutored.code, t.sector, t.since, t.until, t.step, t.outcome
		ORDER BY t.sector, tutor.code, tutored.code, t.since`,
		map[string]any{
			"tutors":   listParam(f.TutorCodes),
			"tutored":  listParam(f.TutoredCodes),
			"sectors":  listParam(f.SectorCodes),
			"activeOn": dateParam(f.ActiveOn),
		})
	if err != nil {
		return nil, err
	}
	var out []pcnet.Tutorship
	var rd reader
	for _, rec := range recs {
		v := rec.Values
		out = append(out, pcnet.Tutorship{
			TutorCode:   rd.str(v[0]),
			TutoredCode: rd.str(v[1]),
			SectorCode:  rd.str(v[2]),
			Since:       rd.date(v[3]),
			Until:       rd.date(v[4]),
			Step:        rd.int(v[5]),
			Outcome:     pcnet.TutorshipOutcome(rd.str(v[6])),
		})
	}
	return out, rd.err
}

// ProjectWorks implements pcnet.Store.
func (s *Store) ProjectWorks(ctx context.Context, f pcnet.ProjectWorkFilter) ([]pcnet.ProjectWork, error) {
	recs, err := s.read(ctx, `
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
		RETURN w.id, p.code, a.code, w.title, w.maturity, w.step, w.year, s.id, m.id
		ORDER BY w.id`,
		map[string]any{
			"ids":        listParam(f.IDs),
			"provinces":  listParam(f.ProvinceCodes),
			"areas":      listParam(f.AreaCodes),
			"sectors":    listParam(f.SectorCodes),
			"maturities": listParam(f.Maturities),
			"services":   listParam(f.ServiceIDs),
		})
	if err != nil {
		return nil, err
	}
	var out []pcnet.ProjectWork
	var rd reader
	for _, rec := range recs {
		v := rec.Values
		out = append(out, pcnet.ProjectWork{
			ID:           rd.str(v[0]),
			ProvinceCode: rd.str(v[1]),
			AreaCode:     rd.str(v[2]),
			Title:        rd.str(v[3]),
			Maturity:     pcnet.Maturity(rd.str(v[4])),
			Step:         rd.int(v[5]),
			Year:         rd.int(v[6]),
			ServiceID:    rd.str(v[7]),
			ModelFromID:  rd.str(v[8]),
		})
	}
	return out, rd.err
}
