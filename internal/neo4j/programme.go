package neo4j

import (
	"context"
	"slices"
	"strconv"

	"pcnet/internal/pcnet"
)

// The programme (pcnet.ProgrammeStore) in the graph; MODEL.md, "Programme".
// Each item is a node keyed by a "key" property made of its natural key,
// hanging from the nodes it refers to, so the import's generic entity
// machinery (entity.go) writes, compares and prunes it like the network.

var _ pcnet.ProgrammeStore = (*Store)(nil)

var (
	participationKind = nodeKind("participations", "Participation", "key", false,
		link{"province", "PARTICIPATES", false, "Province", "code", false},
		link{"sector", "PARTICIPATION_IN", true, "Sector", "code", false})
	pathStepKind = nodeKind("path steps", "PathStep", "key", false,
		link{"tutor", "STEP_TUTOR", true, "Province", "code", false},
		link{"tutored", "REACHED_STEP", false, "Province", "code", false})
	sectionKind = nodeKind("project work sections", "ProjectWorkSection", "key", false,
		link{"projectWork", "HAS_SECTION", false, "ProjectWork", "id", false})
	rolloutTargetKind = nodeKind("rollout targets", "RolloutTarget", "key", false,
		link{"service", "PLANS", false, "SharedService", "id", false},
		link{"comune", "TARGETS", true, "Comune", "code", false})
	materialKind = nodeKind("materials", "Material", "id", false,
		link{"sector", "SHARED_IN", true, "Sector", "code", false},
		link{"area", "SHARED_FOR", true, "Area", "code", true},
		link{"service", "ATTACHED_TO", true, "SharedService", "id", true},
		link{"projectWork", "ATTACHED_TO", true, "ProjectWork", "id", true},
		link{"pilot", "ATTACHED_TO", true, "Pilot", "id", true})
	// A pilot's scope is a list property, not links: the entity machinery
	// links a node to one node per link, and the scope is only ever read
	// with its pilot.
	pilotKind = nodeKind("pilots", "Pilot", "id", false,
		link{"province", "RUNS_PILOT", false, "Province", "code", false},
		link{"sector", "PILOT_IN", true, "Sector", "code", false},
		link{"service", "PILOTS", true, "SharedService", "id", true})
)

// init adds the programme's kinds after the network's (they link to it)
// and their key constraints to the migrations; kept here so the programme
// stays one file.
func init() {
	importKinds = append(importKinds, &participationKind, &pathStepKind, &sectionKind, &rolloutTargetKind, &pilotKind, &materialKind) // materials link to pilots
	migrations = append(migrations,
		migration{"participation_key", "CREATE CONSTRAINT participation_key IF NOT EXISTS FOR (n:Participation) REQUIRE n.key IS UNIQUE"},
		migration{"path_step_key", "CREATE CONSTRAINT path_step_key IF NOT EXISTS FOR (n:PathStep) REQUIRE n.key IS UNIQUE"},
		migration{"project_work_section_key", "CREATE CONSTRAINT project_work_section_key IF NOT EXISTS FOR (n:ProjectWorkSection) REQUIRE n.key IS UNIQUE"},
		migration{"rollout_target_key", "CREATE CONSTRAINT rollout_target_key IF NOT EXISTS FOR (n:RolloutTarget) REQUIRE n.key IS UNIQUE"},
		migration{"material_id", "CREATE CONSTRAINT material_id IF NOT EXISTS FOR (n:Material) REQUIRE n.id IS UNIQUE"},
		migration{"pilot_id", "CREATE CONSTRAINT pilot_id IF NOT EXISTS FOR (n:Pilot) REQUIRE n.id IS UNIQUE"},
	)
}

// programmeRows adds the rows of the programme's kinds.
func programmeRows(p pcnet.Programme, add func(*entityKind, row)) {
	for _, x := range p.Participations {
		key := x.ProvinceCode + "|" + x.SectorCode + "|" + x.Since.String()
		props := map[string]any{"key": key, "since": dateParam(x.Since)}
		if !x.Until.IsZero() {
			props["until"] = dateParam(x.Until)
		}
		add(&participationKind, row{key: key, props: props, links: map[string]any{"province": x.ProvinceCode, "sector": x.SectorCode}})
	}
	for _, x := range p.PathSteps {
		key := x.TutorCode + "|" + x.TutoredCode + "|" + x.SectorCode + "|" + x.TutorshipSince.String() + "|" + strconv.Itoa(x.Step)
		add(&pathStepKind, row{key: key, props: map[string]any{
			"key": key, "sector": x.SectorCode, "tutorshipSince": dateParam(x.TutorshipSince),
			"step": int64(x.Step), "reached": dateParam(x.Reached),
		}, links: map[string]any{"tutor": x.TutorCode, "tutored": x.TutoredCode}})
	}
	for _, x := range p.Sections {
		key := x.ProjectWorkID + "|" + string(x.Section)
		add(&sectionKind, row{key: key, props: map[string]any{"key": key, "section": string(x.Section), "text": x.Text},
			links: map[string]any{"projectWork": x.ProjectWorkID}})
	}
	for _, x := range p.RolloutTargets {
		key := x.ServiceID + "|" + x.ComuneCode
		add(&rolloutTargetKind, row{key: key, props: map[string]any{"key": key, "wave": int64(x.Wave), "due": dateParam(x.Due)},
			links: map[string]any{"service": x.ServiceID, "comune": x.ComuneCode}})
	}
	for _, x := range p.Materials {
		add(&materialKind, row{key: x.ID, props: materialProps(x), links: map[string]any{
			"sector": x.SectorCode, "area": stringParam(x.AreaCode),
			"service": stringParam(x.ServiceID), "projectWork": stringParam(x.ProjectWorkID), "pilot": stringParam(x.PilotID),
		}})
	}
	for _, x := range p.Pilots {
		comuni := make([]any, 0, len(x.ComuneCodes))
		for _, c := range slices.Sorted(slices.Values(x.ComuneCodes)) {
			comuni = append(comuni, c)
		}
		props := map[string]any{"id": x.ID, "title": x.Title, "comuni": comuni, "since": dateParam(x.Since)}
		if !x.Until.IsZero() {
			props["until"] = dateParam(x.Until)
		}
		if x.Evaluation != "" {
			props["evaluation"] = x.Evaluation
		}
		if x.Decision != "" {
			props["decision"] = string(x.Decision)
		}
		add(&pilotKind, row{key: x.ID, props: props, links: map[string]any{
			"province": x.ProvinceCode, "sector": x.SectorCode, "service": stringParam(x.ServiceID),
		}})
	}
}

// Participations implements pcnet.ProgrammeStore.
func (s *Store) Participations(ctx context.Context, f pcnet.ParticipationFilter) ([]pcnet.Participation, error) {
	return nonNil(readAll(ctx, s, `
		MATCH (r:Region)<-[:IN_REGION]-(p:Province)-[:PARTICIPATES]->(n:Participation)-[:PARTICIPATION_IN]->(sec:Sector)
		WHERE ($provinces IS NULL OR p.code IN $provinces)
		  AND ($regions IS NULL OR r.code IN $regions)
		  AND ($sectors IS NULL OR sec.code IN $sectors)
		  AND ($activeOn IS NULL OR (n.since <= $activeOn AND (n.until IS NULL OR $activeOn < n.until)))
		  AND ($sinceFrom IS NULL OR n.since >= $sinceFrom)
		  AND ($sinceBefore IS NULL OR n.since < $sinceBefore)
		RETURN `+participationFields+`
		ORDER BY sec.code, p.code, n.since`,
		map[string]any{
			"provinces": listParam(f.ProvinceCodes), "regions": listParam(f.RegionCodes), "sectors": listParam(f.SectorCodes),
			"activeOn": dateParam(f.ActiveOn), "sinceFrom": dateParam(f.SinceFrom), "sinceBefore": dateParam(f.SinceBefore),
		}, (*reader).participation))
}

// PathSteps implements pcnet.ProgrammeStore.
func (s *Store) PathSteps(ctx context.Context, f pcnet.PathStepFilter) ([]pcnet.PathStep, error) {
	return nonNil(readAll(ctx, s, `
		MATCH (tutored:Province)-[:REACHED_STEP]->(n:PathStep)-[:STEP_TUTOR]->(tutor:Province)
		WHERE ($tutors IS NULL OR tutor.code IN $tutors)
		  AND ($tutored IS NULL OR tutored.code IN $tutored)
		  AND ($sectors IS NULL OR n.sector IN $sectors)
		RETURN tutor.code, tutored.code, n.sector, n.tutorshipSince, n.step, n.reached
		ORDER BY n.sector, tutor.code, tutored.code, n.tutorshipSince, n.step`,
		map[string]any{"tutors": listParam(f.TutorCodes), "tutored": listParam(f.TutoredCodes), "sectors": listParam(f.SectorCodes)}, (*reader).pathStep))
}

// ProjectWorkSections implements pcnet.ProgrammeStore.
func (s *Store) ProjectWorkSections(ctx context.Context, ids []string) ([]pcnet.ProjectWorkSection, error) {
	out, err := nonNil(readAll(ctx, s, `
		MATCH (w:ProjectWork)-[:HAS_SECTION]->(n:ProjectWorkSection)
		WHERE $ids IS NULL OR w.id IN $ids
		RETURN `+sectionFields,
		map[string]any{"ids": listParam(ids)}, (*reader).section))
	// The order of the common structure is Go's (pcnet.SectionKinds), not
	// a property: sorting here keeps the two stores on one definition.
	slices.SortFunc(out, pcnet.CompareSections)
	return out, err
}

// RolloutTargets implements pcnet.ProgrammeStore.
func (s *Store) RolloutTargets(ctx context.Context, f pcnet.RolloutTargetFilter) ([]pcnet.RolloutTarget, error) {
	return nonNil(readAll(ctx, s, `
		MATCH (svc:SharedService)-[:PLANS]->(n:RolloutTarget)-[:TARGETS]->(c:Comune)
		WHERE ($services IS NULL OR svc.id IN $services)
		  AND ($comuni IS NULL OR c.code IN $comuni)
		  AND ($dueBy IS NULL OR n.due <= $dueBy)
		RETURN `+rolloutTargetFields+`
		ORDER BY svc.id, n.wave, n.due, c.code`,
		map[string]any{"services": listParam(f.ServiceIDs), "comuni": listParam(f.ComuneCodes), "dueBy": dateParam(f.DueBy)}, (*reader).rolloutTarget))
}

// Materials implements pcnet.ProgrammeStore.
func (s *Store) Materials(ctx context.Context, f pcnet.MaterialFilter) ([]pcnet.Material, error) {
	return nonNil(readAll(ctx, s, `
		MATCH (m:Material)-[:SHARED_IN]->(sec:Sector)
		WHERE ($ids IS NULL OR m.id IN $ids)
		  AND ($sectors IS NULL OR sec.code IN $sectors)
		  AND ($kinds IS NULL OR m.kind IN $kinds)
		OPTIONAL MATCH (m)-[:SHARED_FOR]->(a:Area)
		OPTIONAL MATCH (m)-[:ATTACHED_TO]->(svc:SharedService)
		OPTIONAL MATCH (m)-[:ATTACHED_TO]->(w:ProjectWork)
		OPTIONAL MATCH (m)-[:ATTACHED_TO]->(pl:Pilot)
		WITH m, sec, a, svc, w, pl
		WHERE ($areas IS NULL OR a.code IN $areas)
		  AND ($services IS NULL OR svc.id IN $services)
		  AND ($pws IS NULL OR w.id IN $pws)
		RETURN m.id, m.title, m.kind, m.url, sec.code, a.code, svc.id, w.id, m.published, pl.id
		ORDER BY m.id`,
		map[string]any{
			"ids": listParam(f.IDs), "sectors": listParam(f.SectorCodes), "areas": listParam(f.AreaCodes),
			"kinds": listParam(f.Kinds), "services": listParam(f.ServiceIDs), "pws": listParam(f.ProjectWorkIDs),
		}, (*reader).material))
}

// Pilots implements pcnet.ProgrammeStore.
func (s *Store) Pilots(ctx context.Context, f pcnet.PilotFilter) ([]pcnet.Pilot, error) {
	return nonNil(readAll(ctx, s, `
		MATCH (p:Province)-[:RUNS_PILOT]->(n:Pilot)-[:PILOT_IN]->(sec:Sector)
		WHERE ($ids IS NULL OR n.id IN $ids)
		  AND ($provinces IS NULL OR p.code IN $provinces)
		  AND ($sectors IS NULL OR sec.code IN $sectors)
		  AND ($comuni IS NULL OR any(c IN n.comuni WHERE c IN $comuni))
		  AND ($decisions IS NULL OR coalesce(n.decision, '') IN $decisions)
		  AND ($activeOn IS NULL OR (n.since <= $activeOn AND (n.until IS NULL OR $activeOn < n.until)))
		OPTIONAL MATCH (n)-[:PILOTS]->(svc:SharedService)
		WITH p, n, sec, svc
		WHERE $services IS NULL OR svc.id IN $services
		RETURN n.id, n.title, p.code, svc.id, sec.code, n.comuni, n.since, n.until, n.evaluation, n.decision
		ORDER BY n.id`,
		map[string]any{
			"ids": listParam(f.IDs), "provinces": listParam(f.ProvinceCodes), "sectors": listParam(f.SectorCodes),
			"comuni": listParam(f.ComuneCodes), "decisions": listParam(f.Decisions), "services": listParam(f.ServiceIDs),
			"activeOn": dateParam(f.ActiveOn),
		}, (*reader).pilot))
}

// Decoders of the programme's rows, shared by the reads above and the
// facts of the programme's writes (write_programme.go).

func (r *reader) participation(v []any) pcnet.Participation {
	return pcnet.Participation{ProvinceCode: r.str(v[0]), SectorCode: r.str(v[1]), Since: r.date(v[2]), Until: r.date(v[3])}
}

func (r *reader) pathStep(v []any) pcnet.PathStep {
	return pcnet.PathStep{TutorCode: r.str(v[0]), TutoredCode: r.str(v[1]), SectorCode: r.str(v[2]),
		TutorshipSince: r.date(v[3]), Step: r.int(v[4]), Reached: r.date(v[5])}
}

// sectionFields are the fields of a section row, n the section of project
// work w.
const sectionFields = `w.id, n.section, n.text`

func (r *reader) section(v []any) pcnet.ProjectWorkSection {
	return pcnet.ProjectWorkSection{ProjectWorkID: r.str(v[0]), Section: pcnet.SectionKind(r.str(v[1])), Text: r.str(v[2])}
}

// rolloutTargetFields are the fields of a rollout target row, n the target
// of service svc for Comune c.
const rolloutTargetFields = `svc.id, c.code, n.wave, n.due`

func (r *reader) rolloutTarget(v []any) pcnet.RolloutTarget {
	return pcnet.RolloutTarget{ServiceID: r.str(v[0]), ComuneCode: r.str(v[1]), Wave: r.int(v[2]), Due: r.date(v[3])}
}

func (r *reader) material(v []any) pcnet.Material {
	return pcnet.Material{ID: r.str(v[0]), Title: r.str(v[1]), Kind: pcnet.MaterialKind(r.str(v[2])), URL: r.str(v[3]),
		SectorCode: r.str(v[4]), AreaCode: r.str(v[5]), ServiceID: r.str(v[6]), ProjectWorkID: r.str(v[7]), Published: r.date(v[8]), PilotID: r.str(v[9])}
}

func (r *reader) pilot(v []any) pcnet.Pilot {
	x := pcnet.Pilot{ID: r.str(v[0]), Title: r.str(v[1]), ProvinceCode: r.str(v[2]), ServiceID: r.str(v[3]), SectorCode: r.str(v[4]),
		ComuneCodes: []string{}, Since: r.date(v[6]), Until: r.date(v[7]), Evaluation: r.str(v[8]), Decision: pcnet.PilotDecision(r.str(v[9]))}
	for _, c := range r.list(v[5]) {
		x.ComuneCodes = append(x.ComuneCodes, r.str(c))
	}
	return x
}
