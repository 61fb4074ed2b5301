package neo4j

import (
	"context"
	"fmt"

	"pcnet/internal/pcnet"
)

// The programme's writes (pcnet.ProgrammeWriter): the facts under the
// audit lock, pcnet's Plan* rules, and one query writing the nodes as the
// import writes them (programme.go, programmeRows), so that an import of
// the same data finds nothing to change.

var _ pcnet.ProgrammeWriter = (*Store)(nil)

// projectWorkColumn reads the project work with ID $id: a list of one list
// of its fields, or an empty list. readProjectWork decodes it.
var projectWorkColumn = projectWorkColumnOf("id")

// projectWorkColumnOf is projectWorkColumn for the ID in parameter param.
func projectWorkColumnOf(param string) string {
	return `
		COLLECT { MATCH (p:Province)-[:WROTE]->(w:ProjectWork {id: $` + param + `})-[:IN_AREA]->(a:Area)
		          OPTIONAL MATCH (w)-[:LED_TO]->(s:SharedService)
		          OPTIONAL MATCH (w)-[:ADAPTS]->(m:ProjectWork)
		          RETURN [p.code, a.code, w.title, w.maturity, w.step, w.year, s.id, m.id] }`
}

// readProjectWork decodes projectWorkColumn: nil when there is no such
// project work.
func readProjectWork(id string, v any) (*pcnet.ProjectWork, error) {
	var rd reader
	cur := rd.list(v)
	if len(cur) == 0 {
		return nil, rd.err
	}
	c := rd.list(cur[0])
	if len(c) != 8 {
		return nil, fmt.Errorf("neo4j: project work row of %d fields", len(c))
	}
	pw := pcnet.ProjectWork{
		ID: id, ProvinceCode: rd.str(c[0]), AreaCode: rd.str(c[1]), Title: rd.str(c[2]),
		Maturity: pcnet.Maturity(rd.str(c[3])), Step: rd.int(c[4]), Year: rd.int(c[5]), ServiceID: rd.str(c[6]),
		ModelFromID: rd.str(c[7]),
	}
	return &pw, rd.err
}

// comuneFactsColumn reads the Comuni of $codes that exist and are not
// retired, with their Province. readComuneFacts decodes it.
const comuneFactsColumn = `
		COLLECT { UNWIND $codes AS code
		          MATCH (c:Comune {code: code})-[:IN_PROVINCE]->(p:Province)
		          WHERE c.retired IS NULL OR NOT c.retired
		          RETURN [c.code, p.code] }`

// readComuneFacts decodes comuneFactsColumn.
func readComuneFacts(v any) (map[string]pcnet.ComuneFacts, error) {
	var rd reader
	rows := rd.list(v)
	out := make(map[string]pcnet.ComuneFacts, len(rows))
	for _, row := range rows {
		r := rd.list(row)
		if len(r) != 2 {
			return nil, fmt.Errorf("neo4j: Comune row of %d fields", len(r))
		}
		out[rd.str(r[0])] = pcnet.ComuneFacts{ProvinceCode: rd.str(r[1])}
	}
	return out, rd.err
}

// SaveProjectWorkSections implements pcnet.ProgrammeWriter.
func (s *Store) SaveProjectWorkSections(ctx context.Context, projectWorkID string, sections []pcnet.ProjectWorkSection) ([]pcnet.ProjectWorkSection, error) {
	idem, err := pcnet.IdempotencyFrom(ctx, "SaveProjectWorkSections", projectWorkID, sections)
	if err != nil {
		return nil, err
	}
	if err := pcnet.ValidateProjectWorkSections(projectWorkID, sections); err != nil {
		return nil, err
	}
	var out []pcnet.ProjectWorkSection
	err = s.write(ctx, "saving project work sections", idem, &out, func(w *writeTx) (writePlan, error) {
		v, err := w.lockAndRead(projectWorkColumn+`,
			COLLECT { MATCH (:ProjectWork {id: $id})-[:HAS_SECTION]->(n:ProjectWorkSection) RETURN [n.section, n.text] },`+comuneFactsColumn,
			map[string]any{"id": projectWorkID, "codes": toAnySlice(pcnet.SectionComuneCodes(sections))})
		if err != nil {
			return writePlan{}, err
		}
		f := pcnet.SectionFacts{}
		if f.ProjectWork, err = readProjectWork(projectWorkID, v[0]); err != nil {
			return writePlan{}, err
		}
		var rd reader
		for _, row := range rd.list(v[1]) {
			r := rd.list(row)
			if len(r) != 2 {
				return writePlan{}, fmt.Errorf("neo4j: section row of %d fields", len(r))
			}
			f.Current = append(f.Current, pcnet.ProjectWorkSection{ProjectWorkID: projectWorkID, Section: pcnet.SectionKind(rd.str(r[0])), Text: rd.str(r[1])})
		}
		if rd.err != nil {
			return writePlan{}, rd.err
		}
		if f.Comuni, err = readComuneFacts(v[2]); err != nil {
			return writePlan{}, err
		}
		put, all, changes, err := pcnet.PlanProjectWorkSections(projectWorkID, sections, f)
		if err != nil {
			return writePlan{}, err
		}
		out = all
		rows := make([]any, len(put))
		for i, x := range put {
			key := x.ProjectWorkID + "|" + string(x.Section)
			rows[i] = map[string]any{"key": key, "section": string(x.Section), "text": x.Text}
		}
		return writePlan{changes: changes, items: itemWrite{
			what: "project work sections", want: len(rows),
			cypher: `
			MATCH (w:ProjectWork {id: $id})
			UNWIND $rows AS row
			MERGE (n:ProjectWorkSection {key: row.key})
			SET n = row
			MERGE (w)-[:HAS_SECTION]->(n)
			RETURN count(n) AS written`,
			params: map[string]any{"id": projectWorkID, "rows": rows},
		}}, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetRolloutPlan implements pcnet.ProgrammeWriter.
func (s *Store) SetRolloutPlan(ctx context.Context, serviceID string, waves []pcnet.RolloutWave) ([]pcnet.RolloutTarget, error) {
	idem, err := pcnet.IdempotencyFrom(ctx, "SetRolloutPlan", serviceID, waves)
	if err != nil {
		return nil, err
	}
	if err := pcnet.ValidateRolloutPlan(serviceID, waves); err != nil {
		return nil, err // before looking up up to MaxBatch codes
	}
	codes := pcnet.RolloutComuneCodes(waves)
	var out []pcnet.RolloutTarget
	err = s.write(ctx, "setting a rollout plan", idem, &out, func(w *writeTx) (writePlan, error) {
		v, err := w.lockAndRead(serviceColumn+`,`+comuneFactsColumn+`,
			COLLECT { MATCH (:SharedService {id: $serviceId})-[:PLANS]->(n:RolloutTarget)-[:TARGETS]->(c:Comune)
			          RETURN [c.code, n.wave, n.due] }`,
			map[string]any{"serviceId": serviceID, "codes": toAnySlice(codes)})
		if err != nil {
			return writePlan{}, err
		}
		f := pcnet.RolloutPlanFacts{}
		if f.Service, err = readService(v[0]); err != nil {
			return writePlan{}, err
		}
		if f.Comuni, err = readComuneFacts(v[1]); err != nil {
			return writePlan{}, err
		}
		var rd reader
		for _, row := range rd.list(v[2]) {
			r := rd.list(row)
			if len(r) != 3 {
				return writePlan{}, fmt.Errorf("neo4j: rollout target row of %d fields", len(r))
			}
			f.Current = append(f.Current, pcnet.RolloutTarget{ServiceID: serviceID, ComuneCode: rd.str(r[0]), Wave: rd.int(r[1]), Due: rd.date(r[2])})
		}
		if rd.err != nil {
			return writePlan{}, rd.err
		}
		plan, changes, err := pcnet.PlanRolloutPlan(serviceID, waves, f)
		if err != nil {
			return writePlan{}, err
		}
		out = plan
		rows := make([]any, len(plan))
		keys := make([]any, len(plan))
		for i, t := range plan {
			key := t.ServiceID + "|" + t.ComuneCode
			keys[i] = key
			rows[i] = map[string]any{"comune": t.ComuneCode, "props": map[string]any{"key": key, "wave": int64(t.Wave), "due": dateParam(t.Due)}}
		}
		// The targets left out go; the others are merged on their key
		// (service|Comune), so a Comune moved to another wave keeps its node.
		return writePlan{changes: changes, items: itemWrite{
			what: "rollout targets", want: len(rows),
			cypher: `
			MATCH (s:SharedService {id: $id})
			CALL (s) { MATCH (s)-[:PLANS]->(old:RolloutTarget) WHERE NOT old.key IN $keys DETACH DELETE old }
			WITH s
			CALL (s) {
				UNWIND $rows AS row
				MATCH (c:Comune {code: row.comune})
				MERGE (n:RolloutTarget {key: row.props.key})
				SET n = row.props
				MERGE (s)-[:PLANS]->(n)
				MERGE (n)-[:TARGETS]->(c)
				RETURN count(n) AS written
			}
			RETURN written`,
			params: map[string]any{"id": serviceID, "rows": rows, "keys": keys},
		}}, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddMaterial implements pcnet.ProgrammeWriter.
func (s *Store) AddMaterial(ctx context.Context, m pcnet.Material) (pcnet.Material, error) {
	idem, err := pcnet.IdempotencyFrom(ctx, "AddMaterial", m)
	if err != nil {
		return pcnet.Material{}, err
	}
	if err := pcnet.ValidateMaterial(m); err != nil {
		return pcnet.Material{}, err
	}
	var out pcnet.Material
	err = s.write(ctx, "adding a material", idem, &out, func(w *writeTx) (writePlan, error) {
		v, err := w.lockAndRead(`
			EXISTS { MATCH (:Material {id: $id}) },
			EXISTS { MATCH (:Sector {code: $sector}) },
			COLLECT { MATCH (:Area {code: $area})-[:IN_SECTOR]->(sec:Sector) RETURN sec.code },
			EXISTS { MATCH (:SharedService {id: $service}) },
			EXISTS { MATCH (:ProjectWork {id: $projectWork}) },
			EXISTS { MATCH (:Pilot {id: $pilot}) }`,
			map[string]any{"id": m.ID, "sector": m.SectorCode, "area": stringParam(m.AreaCode),
				"service": stringParam(m.ServiceID), "projectWork": stringParam(m.ProjectWorkID), "pilot": stringParam(m.PilotID)})
		if err != nil {
			return writePlan{}, err
		}
		var rd reader
		f := pcnet.MaterialFacts{IDTaken: rd.bool(v[0]), SectorFound: rd.bool(v[1]),
			ServiceFound: rd.bool(v[3]), ProjectWorkFound: rd.bool(v[4]), PilotFound: rd.bool(v[5]), Today: pcnet.Today()}
		if sectors := rd.list(v[2]); len(sectors) > 0 {
			f.AreaSector = rd.str(sectors[0])
		}
		if rd.err != nil {
			return writePlan{}, rd.err
		}
		planned, changes, err := pcnet.PlanMaterial(m, f)
		if err != nil {
			return writePlan{}, err
		}
		out = planned
		return writePlan{changes: changes, items: itemWrite{
			what: "materials", want: 1,
			cypher: `
			MATCH (sec:Sector {code: $sector})
			OPTIONAL MATCH (a:Area {code: $area})
			OPTIONAL MATCH (svc:SharedService {id: $service})
			OPTIONAL MATCH (w:ProjectWork {id: $projectWork})
			OPTIONAL MATCH (pl:Pilot {id: $pilot})
			CREATE (n:Material)-[:SHARED_IN]->(sec)
			SET n = $props
			FOREACH (t IN CASE WHEN a IS NULL THEN [] ELSE [a] END | CREATE (n)-[:SHARED_FOR]->(t))
			FOREACH (t IN CASE WHEN svc IS NULL THEN [] ELSE [svc] END | CREATE (n)-[:ATTACHED_TO]->(t))
			FOREACH (t IN CASE WHEN w IS NULL THEN [] ELSE [w] END | CREATE (n)-[:ATTACHED_TO]->(t))
			FOREACH (t IN CASE WHEN pl IS NULL THEN [] ELSE [pl] END | CREATE (n)-[:ATTACHED_TO]->(t))
			RETURN count(n) AS written`,
			params: map[string]any{"sector": planned.SectorCode, "area": stringParam(planned.AreaCode),
				"service": stringParam(planned.ServiceID), "projectWork": stringParam(planned.ProjectWorkID), "pilot": stringParam(planned.PilotID),
				"props": materialProps(planned)},
		}}, nil
	})
	if err != nil {
		return pcnet.Material{}, err
	}
	return out, nil
}

// materialProps is a material's property map as the import writes it.
func materialProps(x pcnet.Material) map[string]any {
	return map[string]any{"id": x.ID, "title": x.Title, "kind": string(x.Kind), "url": x.URL, "published": dateParam(x.Published)}
}
