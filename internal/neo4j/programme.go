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
	recs, err := s.read(ctx, `
		MATCH (r:Region)<-[:IN_REGION]-(p:Province)-[:PARTICIPATES]->(n:Participation)-[:PARTICIPATION_IN]->(sec:Sector)
		WHERE ($provinces IS NULL OR p.code IN $provinces)
		  AND ($regions IS NULL OR r.code IN $regions)
		  AND ($sectors IS NULL OR sec.code IN $sectors)
		  AND ($activeOn IS NULL OR (n.since <= $activeOn AND (n.until IS NULL OR $activeOn < n.until)))
		  AND ($sinceFrom IS NULL OR n.since >= $sinceFrom)
		  AND ($sinceBefore IS NULL OR n.since < $sinceBefore)
		RETURN p.code, sec.code, n.since, n.until
		ORDER BY sec.code, p.code, n.since`,
		map[string]any{
			"provinces": listParam(f.ProvinceCodes), "regions": listParam(f.RegionCodes), "sectors": listParam(f.SectorCodes),
			"activeOn": dateParam(f.ActiveOn), "sinceFrom": dateParam(f.SinceFrom), "sinceBefore": dateParam(f.SinceBefore),
		})
	if err != nil {
		return nil, err
	}
	out := []pcnet.Participation{}
	var rd reader
	for _, rec := range recs {
		v := rec.Values
		out = append(out, pcnet.Participation{ProvinceCode: rd.str(v[0]), SectorCode: rd.str(v[1]), Since: rd.date(v[2]), Until: rd.date(v[3])})
	}
	return out, rd.err
}

// PathSteps implements pcnet.ProgrammeStore.
func (s *Store) PathSteps(ctx context.Context, f pcnet.PathStepFilter) ([]pcnet.PathStep, error) {
	recs, err := s.read(ctx, `
		MATCH (tutored:Province)-[:REACHED_STEP]->(n:PathStep)-[:STEP_TUTOR]->(tutor:Province)
		WHERE ($tutors IS NULL OR tutor.code IN $tutors)
		  AND ($tutored IS NULL OR tutored.code IN $tutored)
		  AND ($sectors IS NULL OR n.sector IN $sectors)
		RETURN tutor.code, tutored.code, n.sector, n.tutorshipSince, n.step, n.reached
		ORDER BY n.sector, tutor.code, tutored.code, n.tutorshipSince, n.step`,
		map[string]any{"tutors": listParam(f.TutorCodes), "tutored": listParam(f.TutoredCodes), "sectors": listParam(f.SectorCodes)})
	if err != nil {
		return nil, err
	}
	out := []pcnet.PathStep{}
	var rd reader
	for _, rec := range recs {
		v := rec.Values
		out = append(out, pcnet.PathStep{TutorCode: rd.str(v[0]), TutoredCode: rd.str(v[1]), SectorCode: rd.str(v[2]),
			TutorshipSince: rd.date(v[3]), Step: rd.int(v[4]), Reached: rd.date(v[5])})
	}
	return out, rd.err
}

// ProjectWorkSections implements pcnet.ProgrammeStore.
func (s *Store) ProjectWorkSections(ctx context.Context, ids []string) ([]pcnet.ProjectWorkSection, error) {
	recs, err := s.read(ctx, `
		MATCH (w:ProjectWork)-[:HAS_SECTION]->(n:ProjectWorkSection)
		WHERE $ids IS NULL OR w.id IN $ids
		RETURN w.id, n.section, n.text`,
		map[string]any{"ids": listParam(ids)})
	if err != nil {
		return nil, err
	}
	out := []pcnet.ProjectWorkSection{}
	var rd reader
	for _, rec := range recs {
		v := rec.Values
		out = append(out, pcnet.ProjectWorkSection{ProjectWorkID: rd.str(v[0]), Section: pcnet.SectionKind(rd.str(v[1])), Text: rd.str(v[2])})
	}
	// The order of the common structure is Go's (pcnet.SectionKinds), not
	// a property: sorting here keeps the two stores on one definition.
	slices.SortFunc(out, pcnet.CompareSections)
	return out, rd.err
}

// RolloutTargets implements pcnet.ProgrammeStore.
func (s *Store) RolloutTargets(ctx context.Context, f pcnet.RolloutTargetFilter) ([]pcnet.RolloutTarget, error) {
	recs, err := s.read(ctx, `
		MATCH (svc:SharedService)-[:PLANS]->(n:RolloutTarget)-[:TARGETS]->(c:Comune)
		WHERE ($services IS NULL OR svc.id IN $services)
		  AND ($comuni IS NULL OR c.code IN $comuni)
		  AND ($dueBy IS NULL OR n.due <= $dueBy)
		RETURN svc.id, c.code, n.wave, n.due
		ORDER BY svc.id, n.wave, n.due, c.code`,
		map[string]any{"services": listParam(f.ServiceIDs), "comuni": listParam(f.ComuneCodes), "dueBy": dateParam(f.DueBy)})
	if err != nil {
		return nil, err
	}
	out := []pcnet.RolloutTarget{}
	var rd reader
	for _, rec := range recs {
		v := rec.Values
		out = append(out, pcnet.RolloutTarget{ServiceID: rd.str(v[0]), ComuneCode: rd.str(v[1]), Wave: rd.int(v[2]), Due: rd.date(v[3])})
	}
	return out, rd.err
}

// Materials implements pcnet.ProgrammeStore.
func (s *Store) Materials(ctx context.Context, f pcnet.MaterialFilter) ([]pcnet.Material, error) {
	recs, err := s.read(ctx, `
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
		})
	if err != nil {
		return nil, err
	}
	out := []pcnet.Material{}
	var rd reader
	for _, rec := range recs {
		v := rec.Values
		out = append(out, pcnet.Material{ID: rd.str(v[0]), Title: rd.str(v[1]), Kind: pcnet.MaterialKind(rd.str(v[2])), URL: rd.str(v[3]),
			SectorCode: rd.str(v[4]), AreaCode: rd.str(v[5]), ServiceID: rd.str(v[6]), ProjectWorkID: rd.str(v[7]), Published: rd.date(v[8]), PilotID: rd.str(v[9])})
	}
	return out, rd.err
}

// Pilots implements pcnet.ProgrammeStore.
func (s *Store) Pilots(ctx context.Context, f pcnet.PilotFilter) ([]pcnet.Pilot, error) {
	recs, err := s.read(ctx, `
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
		})
	if err != nil {
		return nil, err
	}
	out := []pcnet.Pilot{}
	var rd reader
	for _, rec := range recs {
		v := rec.Values
		x := pcnet.Pilot{ID: rd.str(v[0]), Title: rd.str(v[1]), ProvinceCode: rd.str(v[2]), ServiceID: rd.str(v[3]), SectorCode: rd.str(v[4]),
			ComuneCodes: []string{}, Since: rd.date(v[6]), Until: rd.date(v[7]), Evaluation: rd.str(v[8]), Decision: pcnet.PilotDecision(rd.str(v[9]))}
		for _, c := range rd.list(v[5]) {
			x.ComuneCodes = append(x.ComuneCodes, rd.str(c))
		}
		out = append(out, x)
	}
	return out, rd.err
}
