package neo4j

import (
	"context"
	"fmt"

	"pcnet/internal/pcnet"
)

// Participation writes (pcnet.Writer): records are the Participation nodes
// the import writes (programme.go); an admin's exception is a
// ParticipationException node keyed "province|sector" (MODEL.md).

func init() {
	migrations = append(migrations, migration{"participation_exception_key",
		"CREATE CONSTRAINT participation_exception_key IF NOT EXISTS FOR (n:ParticipationException) REQUIRE n.key IS UNIQUE"})
}

// participationColumns reads the participation records and exceptions of
// the Provinces $participants in sector $sector.
const participationColumns = `
	COLLECT { MATCH (p:Province)-[:PARTICIPATES]->(n:Participation)-[:PARTICIPATION_IN]->(:Sector {code: $sector})
	          WHERE p.code IN $participants RETURN [p.code, n.since, n.until] },
	COLLECT { MATCH (e:ParticipationException {sector: $sector}) WHERE e.province IN $participants
	          RETURN [e.province, e.reason] }`

// readParticipation decodes participationColumns' two columns.
func readParticipation(sector string, records, exceptions any) (*pcnet.ParticipationFacts, error) {
	var rd reader
	f := &pcnet.ParticipationFacts{}
	for _, r := range rd.list(records) {
		v := rd.list(r)
		if len(v) != 3 {
			return nil, fmt.Errorf("neo4j: participation row of %d fields", len(v))
		}
		f.Participations = append(f.Participations, pcnet.Participation{ProvinceCode: rd.str(v[0]), SectorCode: sector, Since: rd.date(v[1]), Until: rd.date(v[2])})
	}
	for _, r := range rd.list(exceptions) {
		v := rd.list(r)
		if len(v) != 2 {
			return nil, fmt.Errorf("neo4j: participation exception row of %d fields", len(v))
		}
		f.Exceptions = append(f.Exceptions, pcnet.ParticipationException{ProvinceCode: rd.str(v[0]), SectorCode: sector, Reason: rd.str(v[1])})
	}
	return f, rd.err
}

// providerColumns reads the facts of the participation rule for a
// service's provider (pcnet.ProviderParticipation) in four columns:
// provMatch binds p, the provider Province, and areaMatch binds a, the
// service's area. readProviderParticipation decodes them.
func providerColumns(provMatch, areaMatch string) string {
	return `
	COLLECT { ` + provMatch + ` MATCH (p)-[:IN_REGION]->(r:Region) WHERE p.retired IS NULL OR NOT p.retired
	          RETURN [p.code, p.name, p.kind, r.code] },
	COLLECT { ` + areaMatch + ` MATCH (a)-[:IN_SECTOR]->(sec:Sector) RETURN sec.code },
	COLLECT { ` + provMatch + ` ` + areaMatch + ` MATCH (a)-[:IN_SECTOR]->(sec:Sector), (p)-[:PARTICIPATES]->(n:Participation)-[:PARTICIPATION_IN]->(sec)
	          RETURN [p.code, n.since, n.until] },
	COLLECT { ` + provMatch + ` ` + areaMatch + ` MATCH (a)-[:IN_SECTOR]->(sec:Sector) MATCH (e:ParticipationException)
	          WHERE e.sector = sec.code AND e.province = p.code RETURN [e.province, e.reason] }`
}

// serviceProviderColumns are providerColumns for the service $serviceId.
var serviceProviderColumns = providerColumns(`MATCH (p:Province)-[:PROVIDES]->(:SharedService {id: $serviceId})`,
	`MATCH (:SharedService {id: $serviceId})-[:IN_AREA]->(a:Area)`)

// readProviderParticipation decodes providerColumns' four columns.
func readProviderParticipation(v []any) (pcnet.ProviderParticipation, error) {
	if len(v) != 4 {
		return pcnet.ProviderParticipation{}, fmt.Errorf("neo4j: %d provider columns", len(v))
	}
	var pp pcnet.ProviderParticipation
	var err error
	if pp.Provider, err = readProvince(v[0]); err != nil {
		return pcnet.ProviderParticipation{}, err
	}
	var rd reader
	if sectors := rd.list(v[1]); len(sectors) > 0 {
		pp.Sector = rd.str(sectors[0])
	}
	if rd.err != nil {
		return pcnet.ProviderParticipation{}, rd.err
	}
	if pp.Facts, err = readParticipation(pp.Sector, v[2], v[3]); err != nil {
		return pcnet.ProviderParticipation{}, err
	}
	return pp, nil
}

// participationFacts locks and reads whether the Province and sector exist
// and the Province's records and exceptions in the sector.
func (w *writeTx) participationFacts(province, sector string) (found, sectorFound bool, f *pcnet.ParticipationFacts, err error) {
	v, err := w.lockAndRead(`EXISTS { MATCH (:Province {code: $province}) }, EXISTS { MATCH (:Sector {code: $sector}) },`+participationColumns,
		map[string]any{"province": province, "sector": sector, "participants": []any{province}})
	if err != nil {
		return false, false, nil, err
	}
	var rd reader
	found, sectorFound = rd.bool(v[0]), rd.bool(v[1])
	f, err = readParticipation(sector, v[2], v[3])
	if rd.err != nil {
		return false, false, nil, rd.err
	}
	return found, sectorFound, f, err
}

// participationWrite merges the participation planned, keyed as the
// import keys it.
func participationWrite(p pcnet.Participation) itemWrite {
	props := map[string]any{"since": dateParam(p.Since), "until": nil}
	if !p.Until.IsZero() {
		props["until"] = dateParam(p.Until)
	}
	return itemWrite{
		what: "participations", want: 1,
		cypher: `
			MATCH (p:Province {code: $province}), (sec:Sector {code: $sector})
			MERGE (n:Participation {key: $key})
			SET n += $props
			MERGE (p)-[:PARTICIPATES]->(n)
			MERGE (n)-[:PARTICIPATION_IN]->(sec)
			RETURN count(n) AS written`,
		params: map[string]any{"province": p.ProvinceCode, "sector": p.SectorCode, "props": props,
			"key": p.ProvinceCode + "|" + p.SectorCode + "|" + p.Since.String()},
	}
}

// RecordParticipation implements pcnet.Writer.
func (s *Store) RecordParticipation(ctx context.Context, p pcnet.Participation) (pcnet.Participation, error) {
	idem, err := pcnet.IdempotencyFrom(ctx, "RecordParticipation", p)
	if err != nil {
		return pcnet.Participation{}, err
	}
	if err := pcnet.ValidateParticipation(p); err != nil {
		return pcnet.Participation{}, err
	}
	var out pcnet.Participation
	err = s.write(ctx, "recording a participation", idem, &out, func(w *writeTx) (writePlan, error) {
		found, sectorFound, f, err := w.participationFacts(p.ProvinceCode, p.SectorCode)
		if err != nil {
			return writePlan{}, err
		}
		planned, changes, err := pcnet.PlanParticipationRecord(p, found, sectorFound, f.Participations)
		if err != nil {
			return writePlan{}, err
		}
		out = planned
		return writePlan{changes: changes, items: participationWrite(planned)}, nil
	})
	if err != nil {
		return pcnet.Participation{}, err
	}
	return out, nil
}

// EndParticipation implements pcnet.Writer.
func (s *Store) EndParticipation(ctx context.Context, provinceCode, sectorCode string, until pcnet.Date) (pcnet.Participation, error) {
	idem, err := pcnet.IdempotencyFrom(ctx, "EndParticipation", provinceCode, sectorCode, until)
	if err != nil {
		return pcnet.Participation{}, err
	}
	var out pcnet.Participation
	err = s.write(ctx, "ending a participation", idem, &out, func(w *writeTx) (writePlan, error) {
		_, _, f, err := w.participationFacts(provinceCode, sectorCode)
		if err != nil {
			return writePlan{}, err
		}
		planned, changes, err := pcnet.PlanParticipationEnd(f.Participations, until)
		if err != nil {
			return writePlan{}, err
		}
		out = planned
		return writePlan{changes: changes, items: participationWrite(planned)}, nil
	})
	if err != nil {
		return pcnet.Participation{}, err
	}
	return out, nil
}

// RecordParticipationException implements pcnet.Writer.
func (s *Store) RecordParticipationException(ctx context.Context, e pcnet.ParticipationException) (pcnet.ParticipationException, error) {
	idem, err := pcnet.IdempotencyFrom(ctx, "RecordParticipationException", e)
	if err != nil {
		return pcnet.ParticipationException{}, err
	}
	var out pcnet.ParticipationException
	err = s.write(ctx, "recording a participation exception", idem, &out, func(w *writeTx) (writePlan, error) {
		found, sectorFound, _, err := w.participationFacts(e.ProvinceCode, e.SectorCode)
		if err != nil {
			return writePlan{}, err
		}
		planned, changes, err := pcnet.PlanParticipationException(e, found, sectorFound)
		if err != nil {
			return writePlan{}, err
		}
		out = planned
		return writePlan{changes: changes, items: itemWrite{
			what: "participation exceptions", want: 1,
			cypher: `
			MERGE (n:ParticipationException {key: $key})
			SET n.province = $province, n.sector = $sector, n.reason = $reason
			RETURN count(n) AS written`,
			params: map[string]any{"key": planned.ProvinceCode + "|" + planned.SectorCode,
				"province": planned.ProvinceCode, "sector": planned.SectorCode, "reason": planned.Reason},
		}}, nil
	})
	if err != nil {
		return pcnet.ParticipationException{}, err
	}
	return out, nil
}
