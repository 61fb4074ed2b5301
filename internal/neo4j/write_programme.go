package neo4j

import (
	"context"

	"pcnet/internal/pcnet"
)

// The programme's writes (pcnet.ProgrammeWriter): the facts under the
// audit lock, pcnet's Plan* rules, and one query writing the nodes as the
// import writes them (programme.go, programmeRows), so that an import of
// the same data finds nothing to change.

var _ pcnet.ProgrammeWriter = (*Store)(nil)

// projectWorkColumn reads the project work with ID $id: a list of one list
// of its projectWorkFields, or an empty list. (*reader).foundProjectWork
// decodes it.
var projectWorkColumn = projectWorkColumnOf("id")

// projectWorkColumnOf is projectWorkColumn for the ID in parameter param.
func projectWorkColumnOf(param string) string {
	return `
		COLLECT { MATCH (p:Province)-[:WROTE]->(w:ProjectWork {id: $` + param + `})-[:IN_AREA]->(a:Area)
		          OPTIONAL MATCH (w)-[:LED_TO]->(s:SharedService)
		          OPTIONAL MATCH (w)-[:ADAPTS]->(m:ProjectWork)
		          RETURN [` + projectWorkFields + `] }`
}

// foundProjectWork decodes projectWorkColumn: nil when there is no such
// project work.
func (r *reader) foundProjectWork(v any) *pcnet.ProjectWork {
	return one(r, v, 9, "project work", (*reader).projectWork)
}

// comuneFactsColumn reads the Comuni of $codes that exist and are not
// retired, with their Province. (*reader).comuneFacts decodes it.
const comuneFactsColumn = `
		COLLECT { UNWIND $codes AS code
		          MATCH (c:Comune {code: code})-[:IN_PROVINCE]->(p:Province)
		          WHERE c.retired IS NULL OR NOT c.retired
		          RETURN [c.code, p.code] }`

// comuneFacts decodes comuneFactsColumn.
func (r *reader) comuneFacts(v any) map[string]pcnet.ComuneFacts {
	out := make(map[string]pcnet.ComuneFacts)
	r.rows(v, 2, "Comune", func(f []any) { out[r.str(f[0])] = pcnet.ComuneFacts{ProvinceCode: r.str(f[1])} })
	return out
}

// SaveProjectWorkSections implements pcnet.ProgrammeWriter.
func (s *Store) SaveProjectWorkSections(ctx context.Context, projectWorkID string, sections []pcnet.ProjectWorkSection) ([]pcnet.ProjectWorkSection, error) {
	c := pcnet.WriteCall{Method: "SaveProjectWorkSections", Input: []any{projectWorkID, sections},
		Invalid: pcnet.ValidateProjectWorkSections(projectWorkID, sections)}
	var put []pcnet.ProjectWorkSection // the sections written; the result is all of the project work's
	return writeOne(ctx, s, "saving project work sections", c, planOn(facts[pcnet.SectionFacts]{
		columns: projectWorkColumn + `,
			COLLECT { MATCH (w:ProjectWork {id: $id})-[:HAS_SECTION]->(n:ProjectWorkSection) RETURN [` + sectionFields + `] },` + comuneFactsColumn,
		params: map[string]any{"id": projectWorkID, "codes": toAnySlice(pcnet.SectionComuneCodes(sections))},
		decode: func(rd *reader, v []any) pcnet.SectionFacts {
			f := pcnet.SectionFacts{ProjectWork: rd.foundProjectWork(v[0]), Comuni: rd.comuneFacts(v[2])}
			rd.rows(v[1], 3, "section", func(r []any) { f.Current = append(f.Current, rd.section(r)) })
			return f
		},
	}, func(f pcnet.SectionFacts) (all []pcnet.ProjectWorkSection, changes []pcnet.Change, err error) {
		put, all, changes, err = pcnet.PlanProjectWorkSections(projectWorkID, sections, f)
		return all, changes, err
	}), func([]pcnet.ProjectWorkSection) itemWrite {
		rows := make([]any, len(put))
		for i, x := range put {
			key := x.ProjectWorkID + "|" + string(x.Section)
			rows[i] = map[string]any{"key": key, "section": string(x.Section), "text": x.Text}
		}
		return itemWrite{
			what: "project work sections", want: len(rows),
			cypher: `
			MATCH (w:ProjectWork {id: $id})
			UNWIND $rows AS row
			MERGE (n:ProjectWorkSection {key: row.key})
			SET n = row
			MERGE (w)-[:HAS_SECTION]->(n)
			RETURN count(n) AS written`,
			params: map[string]any{"id": projectWorkID, "rows": rows},
		}
	})
}

// SetRolloutPlan implements pcnet.ProgrammeWriter.
func (s *Store) SetRolloutPlan(ctx context.Context, serviceID string, waves []pcnet.RolloutWave) ([]pcnet.RolloutTarget, error) {
	c := pcnet.WriteCall{Method: "SetRolloutPlan", Input: []any{serviceID, waves},
		Invalid: pcnet.ValidateRolloutPlan(serviceID, waves)} // before looking up up to MaxBatch codes
	return writeOne(ctx, s, "setting a rollout plan", c, planOn(facts[pcnet.RolloutPlanFacts]{
		columns: serviceColumn + `,` + comuneFactsColumn + `,
			COLLECT { MATCH (svc:SharedService {id: $serviceId})-[:PLANS]->(n:RolloutTarget)-[:TARGETS]->(c:Comune)
			          RETURN [` + rolloutTargetFields + `] }`,
		params: map[string]any{"serviceId": serviceID, "codes": toAnySlice(pcnet.RolloutComuneCodes(waves))},
		decode: func(rd *reader, v []any) pcnet.RolloutPlanFacts {
			f := pcnet.RolloutPlanFacts{Service: rd.foundService(v[0]), Comuni: rd.comuneFacts(v[1])}
			rd.rows(v[2], 4, "rollout target", func(r []any) { f.Current = append(f.Current, rd.rolloutTarget(r)) })
			return f
		},
	}, func(f pcnet.RolloutPlanFacts) ([]pcnet.RolloutTarget, []pcnet.Change, error) {
		return pcnet.PlanRolloutPlan(serviceID, waves, f)
	}), func(plan []pcnet.RolloutTarget) itemWrite {
		rows := make([]any, len(plan))
		keys := make([]any, len(plan))
		for i, t := range plan {
			key := t.ServiceID + "|" + t.ComuneCode
			keys[i] = key
			rows[i] = map[string]any{"comune": t.ComuneCode, "props": map[string]any{"key": key, "wave": int64(t.Wave), "due": dateParam(t.Due)}}
		}
		// The targets left out go; the others are merged on their key
		// (service|Comune), so a Comune moved to another wave keeps its node.
		return itemWrite{
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
		}
	})
}

// AddMaterial implements pcnet.ProgrammeWriter.
func (s *Store) AddMaterial(ctx context.Context, m pcnet.Material) (pcnet.Material, error) {
	c := pcnet.WriteCall{Method: "AddMaterial", Input: []any{m}, Invalid: pcnet.ValidateMaterial(m)}
	return writeOne(ctx, s, "adding a material", c, planOn(facts[pcnet.MaterialFacts]{
		columns: `
			EXISTS { MATCH (:Material {id: $id}) },
			EXISTS { MATCH (:Sector {code: $sector}) },
			COLLECT { MATCH (:Area {code: $area})-[:IN_SECTOR]->(sec:Sector) RETURN sec.code },
			EXISTS { MATCH (:SharedService {id: $service}) },
			EXISTS { MATCH (:ProjectWork {id: $projectWork}) },
			EXISTS { MATCH (:Pilot {id: $pilot}) }`,
		params: map[string]any{"id": m.ID, "sector": m.SectorCode, "area": stringParam(m.AreaCode),
			"service": stringParam(m.ServiceID), "projectWork": stringParam(m.ProjectWorkID), "pilot": stringParam(m.PilotID)},
		decode: func(rd *reader, v []any) pcnet.MaterialFacts {
			f := pcnet.MaterialFacts{IDTaken: rd.bool(v[0]), SectorFound: rd.bool(v[1]),
				ServiceFound: rd.bool(v[3]), ProjectWorkFound: rd.bool(v[4]), PilotFound: rd.bool(v[5]), Today: pcnet.Today()}
			if sectors := rd.list(v[2]); len(sectors) > 0 {
				f.AreaSector = rd.str(sectors[0])
			}
			return f
		},
	}, given(pcnet.PlanMaterial, m)), func(planned pcnet.Material) itemWrite {
		return itemWrite{
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
		}
	})
}

// materialProps is a material's property map as the import writes it.
func materialProps(x pcnet.Material) map[string]any {
	return map[string]any{"id": x.ID, "title": x.Title, "kind": string(x.Kind), "url": x.URL, "published": dateParam(x.Published)}
}
