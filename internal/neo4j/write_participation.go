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
	COLLECT { MATCH (p:Province)-[:PARTICIPATES]->(n:Participation)-[:PARTICIPATION_IN]->(sec:Sector {code: $sector})
	          WHERE p.code IN $participants RETURN [` + participationFields + `] },
	COLLECT { MATCH (e:ParticipationException {sector: $sector}) WHERE e.province IN $participants
	          RETURN [e.province, e.reason] }`

// participationFields are the fields of a participation row, n the
// participation of Province p in sector sec.
const participationFields = `p.code, sec.code, n.since, n.until`

// participationFacts decodes participationColumns' two columns.
func (r *reader) participationFacts(sector string, records, exceptions any) *pcnet.ParticipationFacts {
	f := &pcnet.ParticipationFacts{}
	r.rows(records, 4, "participation", func(v []any) { f.Participations = append(f.Participations, r.participation(v)) })
	r.rows(exceptions, 2, "participation exception", func(v []any) {
		f.Exceptions = append(f.Exceptions, pcnet.ParticipationException{ProvinceCode: r.str(v[0]), SectorCode: sector, Reason: r.str(v[1])})
	})
	return f
}

// providerColumns reads the facts of the participation rule for a
// service's provider (pcnet.ProviderParticipation) in four columns:
// provMatch binds p, the provider Province, and areaMatch binds a, the
// service's area. (*reader).providerParticipation decodes them.
func providerColumns(provMatch, areaMatch string) string {
	return `
	COLLECT { ` + provMatch + ` MATCH (p)-[:IN_REGION]->(r:Region) WHERE p.retired IS NULL OR NOT p.retired
	          RETURN [` + provinceFields + `] },
	COLLECT { ` + areaMatch + ` MATCH (a)-[:IN_SECTOR]->(sec:Sector) RETURN sec.code },
	COLLECT { ` + provMatch + ` ` + areaMatch + ` MATCH (a)-[:IN_SECTOR]->(sec:Sector), (p)-[:PARTICIPATES]->(n:Participation)-[:PARTICIPATION_IN]->(sec)
	          RETURN [` + participationFields + `] },
	COLLECT { ` + provMatch + ` ` + areaMatch + ` MATCH (a)-[:IN_SECTOR]->(sec:Sector) MATCH (e:ParticipationException)
	          WHERE e.sector = sec.code AND e.province = p.code RETURN [e.province, e.reason] }`
}

// serviceProviderColumns are providerColumns for the service $serviceId.
var serviceProviderColumns = providerColumns(`MATCH (p:Province)-[:PROVIDES]->(:SharedService {id: $serviceId})`,
	`MATCH (:SharedService {id: $serviceId})-[:IN_AREA]->(a:Area)`)

// providerParticipation decodes providerColumns' four columns.
func (r *reader) providerParticipation(v []any) pcnet.ProviderParticipation {
	if len(v) != 4 {
		if r.err == nil {
			r.err = fmt.Errorf("neo4j: %d provider columns", len(v))
		}
		return pcnet.ProviderParticipation{}
	}
	pp := pcnet.ProviderParticipation{Provider: r.foundProvince(v[0])}
	if sectors := r.list(v[1]); len(sectors) > 0 {
		pp.Sector = r.str(sectors[0])
	}
	pp.Facts = r.participationFacts(pp.Sector, v[2], v[3])
	return pp
}

// participationState is what a participation write reads: whether the
// Province and sector exist, and the Province's records and exceptions in
// the sector.
type participationState struct {
	found, sectorFound bool
	facts              *pcnet.ParticipationFacts
}

// participationPlan is the plan of a participation write on the Province
// and sector: it locks and reads their participationState and calls rule.
func participationPlan[T any](province, sector string, rule func(participationState) (T, []pcnet.Change, error)) func(w *writeTx) (T, []pcnet.Change, error) {
	return planOn(facts[participationState]{
		columns: `EXISTS { MATCH (:Province {code: $province}) }, EXISTS { MATCH (:Sector {code: $sector}) },` + participationColumns,
		params:  map[string]any{"province": province, "sector": sector, "participants": []any{province}},
		decode: func(rd *reader, v []any) participationState {
			return participationState{found: rd.bool(v[0]), sectorFound: rd.bool(v[1]), facts: rd.participationFacts(sector, v[2], v[3])}
		},
	}, rule)
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
	c := pcnet.WriteCall{Method: "RecordParticipation", Input: []any{p}, Invalid: pcnet.ValidateParticipation(p)}
	return writeOne(ctx, s, "recording a participation", c, participationPlan(p.ProvinceCode, p.SectorCode, func(x participationState) (pcnet.Participation, []pcnet.Change, error) {
		return pcnet.PlanParticipationRecord(p, x.found, x.sectorFound, x.facts.Participations)
	}), participationWrite)
}

// EndParticipation implements pcnet.Writer.
func (s *Store) EndParticipation(ctx context.Context, provinceCode, sectorCode string, until pcnet.Date) (pcnet.Participation, error) {
	c := pcnet.WriteCall{Method: "EndParticipation", Input: []any{provinceCode, sectorCode, until}}
	return writeOne(ctx, s, "ending a participation", c, participationPlan(provinceCode, sectorCode, func(x participationState) (pcnet.Participation, []pcnet.Change, error) {
		return pcnet.PlanParticipationEnd(x.facts.Participations, until)
	}), participationWrite)
}

// RecordParticipationException implements pcnet.Writer.
func (s *Store) RecordParticipationException(ctx context.Context, e pcnet.ParticipationException) (pcnet.ParticipationException, error) {
	c := pcnet.WriteCall{Method: "RecordParticipationException", Input: []any{e}}
	return writeOne(ctx, s, "recording a participation exception", c, participationPlan(e.ProvinceCode, e.SectorCode, func(x participationState) (pcnet.ParticipationException, []pcnet.Change, error) {
		return pcnet.PlanParticipationException(e, x.found, x.sectorFound)
	}), func(planned pcnet.ParticipationException) itemWrite {
		return itemWrite{
			what: "participation exceptions", want: 1,
			cypher: `
			MERGE (n:ParticipationException {key: $key})
			SET n.province = $province, n.sector = $sector, n.reason = $reason
			RETURN count(n) AS written`,
			params: map[string]any{"key": planned.ProvinceCode + "|" + planned.SectorCode,
				"province": planned.ProvinceCode, "sector": planned.SectorCode, "reason": planned.Reason},
		}
	})
}
