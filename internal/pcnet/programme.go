package pcnet

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// Programme is how the "Province & Comuni" programme is run, on top of the
// network: which Provinces take part and since when, the dates each
// tutorship reached its steps, the common sections of the project works,
// the rollout plans of the services and the materials shared on Pi.Co.
type Programme struct {
	Participations []Participation
	PathSteps      []PathStep
	Sections       []ProjectWorkSection
	RolloutTargets []RolloutTarget
	Materials      []Material
	Pilots         []Pilot
}

// Participation records that a Province takes part in the programme in a
// sector from Since (the 76 ordinary-statute Provinces from the start, the
// 10 of Sicily and Sardinia since 2024), until Until (exclusive) or open.
type Participation struct {
	ProvinceCode string
	SectorCode   string
	Since        Date
	Until        Date // zero while the Province takes part
}

// Period returns the participation's period.
func (p Participation) Period() Period { return Period{p.Since, p.Until} }

// PathStep records the day a tutorship reached a step of the Step 1-2-3
// path: the history of the path, where Tutorship.Step is only where it is.
// A tutorship is named by its tutor, tutored Province, sector and start.
type PathStep struct {
	TutorCode      string
	TutoredCode    string
	SectorCode     string
	TutorshipSince Date
	Step           int // 1 to MaxTutorshipStep
	Reached        Date
}

// SectionKind is one section of the common structure every project work
// follows, so that project works can be compared side by side.
type SectionKind string

const (
	SectionContext      SectionKind = "CONTEXT"
	SectionObjectives   SectionKind = "OBJECTIVES"
	SectionOrganisation SectionKind = "ORGANISATIONAL_MODEL"
	SectionResources    SectionKind = "RESOURCES"
	SectionTimeline     SectionKind = "TIMELINE"
	SectionIndicators   SectionKind = "INDICATORS"
	SectionTargetComuni SectionKind = "TARGET_COMUNI"
)

// SectionKinds lists every SectionKind in the order of the common structure.
var SectionKinds = []SectionKind{SectionContext, SectionObjectives, SectionOrganisation, SectionResources, SectionTimeline, SectionIndicators, SectionTargetComuni}

// ProjectWorkSection is the text of one section of a project work.
type ProjectWorkSection struct {
	ProjectWorkID string
	Section       SectionKind
	Text          string
}

// RolloutTarget is one Comune a service's rollout plan is to reach, in a
// wave, by a due date ("estensione progressiva").
type RolloutTarget struct {
	ServiceID  string
	ComuneCode string
	Wave       int  // 1, 2, ...
	Due        Date // the Comune should be covered from this day on
}

// MaterialKind is what a shared material is.
type MaterialKind string

const (
	MaterialDocument MaterialKind = "DOCUMENT"
	MaterialTemplate MaterialKind = "TEMPLATE"
	MaterialTool     MaterialKind = "TOOL"
	MaterialSlides   MaterialKind = "SLIDES"
)

// MaterialKinds lists every MaterialKind.
var MaterialKinds = []MaterialKind{MaterialDocument, MaterialTemplate, MaterialTool, MaterialSlides}

// Material is a document or tool shared on the Pi.Co. platform: metadata
// and a link only, no file. It belongs to a sector (and optionally one of
// its areas) and may be attached to a service, a project work or a pilot.
type Material struct {
	ID            string
	Title         string
	Kind          MaterialKind
	URL           string
	SectorCode    string
	AreaCode      string // "" when it concerns the whole sector
	ServiceID     string // "" when attached to no service
	ProjectWorkID string // "" when attached to no project work
	PilotID       string // "" when attached to no pilot
	Published     Date
}

// PilotDecision is what was decided at the end of a pilot.
type PilotDecision string

const (
	PilotExtend PilotDecision = "EXTEND" // roll the service out further
	PilotRevise PilotDecision = "REVISE" // change it before going on
	PilotStop   PilotDecision = "STOP"   // give it up
)

// PilotDecisions lists every PilotDecision.
var PilotDecisions = []PilotDecision{PilotExtend, PilotRevise, PilotStop}

// Pilot is a trial ("sperimentazione") a Province runs with some of its
// Comuni over a period, optionally of one of its services, before
// deciding whether to extend, revise or stop it.
type Pilot struct {
	ID           string
	Title        string
	ProvinceCode string   // the Province running it
	ServiceID    string   // "" when it trials no service yet
	SectorCode   string   // the sector it belongs to
	ComuneCodes  []string // its scope, Comuni of the Province, sorted
	Since        Date
	Until        Date          // zero while it runs
	Evaluation   string        // "" until evaluated
	Decision     PilotDecision // "" until decided
}

// Period returns the pilot's period.
func (p Pilot) Period() Period { return Period{p.Since, p.Until} }

// ProgrammeStore reads the programme. Both stores implement it and pass
// storetest.RunProgramme.
type ProgrammeStore interface {
	// Participations returns the participations matching f, ordered by
	// sector, Province code and start date.
	Participations(ctx context.Context, f ParticipationFilter) ([]Participation, error)
	// PathSteps returns the path steps matching f, ordered by sector, tutor,
	// tutored Province, tutorship start and step.
	PathSteps(ctx context.Context, f PathStepFilter) ([]PathStep, error)
	// ProjectWorkSections returns the sections of the project works listed
	// (all when ids is empty), ordered by project work ID and then in the
	// order of SectionKinds.
	ProjectWorkSections(ctx context.Context, ids []string) ([]ProjectWorkSection, error)
	// RolloutTargets returns the rollout targets matching f, ordered by
	// service ID, wave, due date and Comune code.
	RolloutTargets(ctx context.Context, f RolloutTargetFilter) ([]RolloutTarget, error)
	// Materials returns the materials matching f, ordered by ID.
	Materials(ctx context.Context, f MaterialFilter) ([]Material, error)
	// Pilots returns the pilots matching f, ordered by ID.
	Pilots(ctx context.Context, f PilotFilter) ([]Pilot, error)
}

// PilotFilter selects pilots. Empty or zero fields don't filter;
// ComuneCodes keeps the pilots whose scope includes any of them;
// Decisions may hold "" for the pilots not decided yet.
type PilotFilter struct {
	IDs           []string
	ProvinceCodes []string
	ServiceIDs    []string
	SectorCodes   []string
	ComuneCodes   []string
	Decisions     []PilotDecision
	ActiveOn      Date // the period includes this day
}

// ParticipationFilter selects participations. Empty or zero fields don't
// filter.
type ParticipationFilter struct {
	ProvinceCodes []string
	RegionCodes   []string // region of the Province
	SectorCodes   []string
	ActiveOn      Date // the period includes this day
	SinceFrom     Date // started on or after this day
	SinceBefore   Date // started before this day
}

// PathStepFilter selects path steps. Empty fields don't filter.
type PathStepFilter struct {
	TutorCodes   []string
	TutoredCodes []string
	SectorCodes  []string
}

// RolloutTargetFilter selects rollout targets. Empty or zero fields don't
// filter.
type RolloutTargetFilter struct {
	ServiceIDs  []string
	ComuneCodes []string
	DueBy       Date // due on or before this day
}

// MaterialFilter selects materials. Empty fields don't filter; AreaCodes
// keeps materials of those areas.
type MaterialFilter struct {
	IDs            []string
	SectorCodes    []string
	AreaCodes      []string
	Kinds          []MaterialKind
	ServiceIDs     []string
	ProjectWorkIDs []string
}

// The orders of the programme's lists, shared by the stores.

// CompareParticipations orders participations as ProgrammeStore documents.
func CompareParticipations(a, b Participation) int {
	return cmp.Or(cmp.Compare(a.SectorCode, b.SectorCode), cmp.Compare(a.ProvinceCode, b.ProvinceCode), a.Since.Compare(b.Since))
}

// ComparePathSteps orders path steps as ProgrammeStore documents.
func ComparePathSteps(a, b PathStep) int {
	return cmp.Or(cmp.Compare(a.SectorCode, b.SectorCode), cmp.Compare(a.TutorCode, b.TutorCode),
		cmp.Compare(a.TutoredCode, b.TutoredCode), a.TutorshipSince.Compare(b.TutorshipSince), cmp.Compare(a.Step, b.Step))
}

// CompareSections orders sections as ProgrammeStore documents.
func CompareSections(a, b ProjectWorkSection) int {
	return cmp.Or(cmp.Compare(a.ProjectWorkID, b.ProjectWorkID),
		cmp.Compare(slices.Index(SectionKinds, a.Section), slices.Index(SectionKinds, b.Section)))
}

// CompareRolloutTargets orders rollout targets as ProgrammeStore documents.
func CompareRolloutTargets(a, b RolloutTarget) int {
	return cmp.Or(cmp.Compare(a.ServiceID, b.ServiceID), cmp.Compare(a.Wave, b.Wave), a.Due.Compare(b.Due), cmp.Compare(a.ComuneCode, b.ComuneCode))
}

// CompareMaterials orders materials as ProgrammeStore documents.
func CompareMaterials(a, b Material) int { return cmp.Compare(a.ID, b.ID) }

// ComparePilots orders pilots as ProgrammeStore documents.
func ComparePilots(a, b Pilot) int { return cmp.Compare(a.ID, b.ID) }

// Sorted returns a copy of p with every list in store order, the one order
// the file format writes and the stores answer in.
func (p Programme) Sorted() Programme {
	out := Programme{
		Participations: slices.Clone(p.Participations),
		PathSteps:      slices.Clone(p.PathSteps),
		Sections:       slices.Clone(p.Sections),
		RolloutTargets: slices.Clone(p.RolloutTargets),
		Materials:      slices.Clone(p.Materials),
		Pilots:         slices.Clone(p.Pilots),
	}
	for i := range out.Pilots {
		out.Pilots[i].ComuneCodes = slices.Sorted(slices.Values(out.Pilots[i].ComuneCodes))
	}
	slices.SortStableFunc(out.Participations, CompareParticipations)
	slices.SortStableFunc(out.PathSteps, ComparePathSteps)
	slices.SortStableFunc(out.Sections, CompareSections)
	slices.SortStableFunc(out.RolloutTargets, CompareRolloutTargets)
	slices.SortStableFunc(out.Materials, CompareMaterials)
	slices.SortStableFunc(out.Pilots, ComparePilots)
	return out
}

// validateProgramme checks the programme against the rest of the dataset,
// with the same rules as every other part of it; bad reports each problem.
func (d *Dataset) validateProgramme(bad func(format string, args ...any)) {
	badIf := onlyIf(bad)
	provinces := make(map[string]bool, len(d.Provinces))
	for _, p := range d.Provinces {
		provinces[p.Code] = true
	}
	comuneProvince := make(map[string]string, len(d.Comuni))
	for _, c := range d.Comuni {
		comuneProvince[c.Code] = c.ProvinceCode
	}
	sectors := make(map[string]bool)
	areaSector := make(map[string]string)
	for _, s := range d.Sectors {
		sectors[s.Code] = true
		for _, a := range s.Areas {
			areaSector[a.Code] = s.Code
		}
	}
	services := make(map[string]SharedService, len(d.Services))
	for _, s := range d.Services {
		services[s.ID] = s
	}
	pws := make(map[string]bool, len(d.ProjectWorks))
	for _, w := range d.ProjectWorks {
		pws[w.ID] = true
	}

	type partKey struct{ province, sector string }
	parts := make(map[partKey][]Period)
	for _, p := range d.Participations {
		name := fmt.Sprintf("participation %s in %s", p.ProvinceCode, p.SectorCode)
		badIf(!provinces[p.ProvinceCode], "%s: unknown province", name)
		badIf(!sectors[p.SectorCode], "%s: unknown sector", name)
		if err := checkPeriod(p.Period()); err != nil {
			bad("%s: %v", name, err)
		}
		k := partKey{p.ProvinceCode, p.SectorCode}
		for _, q := range parts[k] {
			badIf(overlaps(q, p.Period()), "%s: overlaps another participation from %s", name, q.Since)
		}
		parts[k] = append(parts[k], p.Period())
	}

	type tsKey struct {
		tutor, tutored, sector string
		since                  Date
	}
	tutorships := make(map[tsKey]Tutorship, len(d.Tutorships))
	for _, t := range d.Tutorships {
		tutorships[tsKey{t.TutorCode, t.TutoredCode, t.SectorCode, t.Since}] = t
	}
	type stepKey struct {
		ts   tsKey
		step int
	}
	steps := make(map[stepKey]Date)
	for _, s := range d.PathSteps {
		k := tsKey{s.TutorCode, s.TutoredCode, s.SectorCode, s.TutorshipSince}
		name := fmt.Sprintf("path step %d of tutorship %s→%s in %s from %s", s.Step, s.TutorCode, s.TutoredCode, s.SectorCode, s.TutorshipSince)
		t, ok := tutorships[k]
		if !ok {
			bad("%s: unknown tutorship", name)
			continue
		}
		badIf(s.Step < 1 || s.Step > t.Step, "%s: step outside 1..%d, the step the tutorship reached", name, t.Step)
		if s.Reached.IsZero() {
			bad("%s: missing date reached", name)
		} else if s.Reached.Before(t.Since) || (!t.Until.IsZero() && !s.Reached.Before(t.Until)) {
			bad("%s: reached %s, outside the tutorship's period", name, s.Reached)
		}
		badIf(has(steps, stepKey{k, s.Step}), "%s: listed twice", name)
		steps[stepKey{k, s.Step}] = s.Reached
	}
	for k, reached := range steps {
		if prev, ok := steps[stepKey{k.ts, k.step - 1}]; ok && reached.Before(prev) {
			bad("path step %d of tutorship %s→%s in %s from %s: reached %s, before step %d (%s)",
				k.step, k.ts.tutor, k.ts.tutored, k.ts.sector, k.ts.since, reached, k.step-1, prev)
		}
	}

	type secKey struct {
		pw      string
		section SectionKind
	}
	secs := make(map[secKey]bool)
	for _, s := range d.Sections {
		name := fmt.Sprintf("section %s of project work %s", s.Section, s.ProjectWorkID)
		badIf(!pws[s.ProjectWorkID], "%s: unknown project work", name)
		badIf(!slices.Contains(SectionKinds, s.Section), "%s: unknown section", name)
		badIf(s.Text == "", "%s: empty text", name)
		if secs[secKey{s.ProjectWorkID, s.Section}] {
			bad("%s: listed twice", name)
		}
		secs[secKey{s.ProjectWorkID, s.Section}] = true
	}

	type targetKey struct{ service, comune string }
	targets := make(map[targetKey]bool)
	for _, r := range d.RolloutTargets {
		name := fmt.Sprintf("rollout target %s→%s", r.ServiceID, r.ComuneCode)
		s, ok := services[r.ServiceID]
		badIf(!ok, "%s: unknown service", name)
		if p, known := comuneProvince[r.ComuneCode]; !known {
			bad("%s: unknown comune", name)
		} else if ok && p != s.ProviderCode {
			bad("%s: comune is in province %s, not in the provider's %s", name, p, s.ProviderCode)
		}
		badIf(r.Wave < 1, "%s: wave %d, 1 or more expected", name, r.Wave)
		if r.Due.IsZero() {
			bad("%s: missing due date", name)
		} else if ok && r.Due.Before(s.StartDate) {
			bad("%s: due %s, before the service started on %s", name, r.Due, s.StartDate)
		}
		if targets[targetKey{r.ServiceID, r.ComuneCode}] {
			bad("%s: listed twice", name)
		}
		targets[targetKey{r.ServiceID, r.ComuneCode}] = true
	}

	// titled checks the id and title of a material or pilot (ids holds the
	// ids seen so far) and returns its name in messages.
	titled := func(kind, id, title string, ids map[string]bool) string {
		name := kind + " " + id
		badIf(id == "", "%s with empty id (%q)", kind, title)
		badIf(ids[id], "%s: duplicate id", name)
		ids[id] = true
		badIf(title == "", "%s: empty title", name)
		return name
	}
	ids := make(map[string]bool)
	for _, m := range d.Materials {
		name := titled("material", m.ID, m.Title, ids)
		badIf(m.URL == "", "%s: missing link", name)
		badIf(!slices.Contains(MaterialKinds, m.Kind), "%s: unknown kind %q", name, m.Kind)
		badIf(!sectors[m.SectorCode], "%s: unknown sector %q", name, m.SectorCode)
		if m.AreaCode != "" {
			if s, ok := areaSector[m.AreaCode]; !ok {
				bad("%s: unknown area %q", name, m.AreaCode)
			} else if s != m.SectorCode {
				bad("%s: area %s is in sector %s, not %s", name, m.AreaCode, s, m.SectorCode)
			}
		}
		if m.ServiceID != "" {
			badIf(!has(services, m.ServiceID), "%s: unknown service %q", name, m.ServiceID)
		}
		badIf(m.ProjectWorkID != "" && !pws[m.ProjectWorkID], "%s: unknown project work %q", name, m.ProjectWorkID)
		if m.PilotID != "" && !slices.ContainsFunc(d.Pilots, func(p Pilot) bool { return p.ID == m.PilotID }) {
			bad("%s: unknown pilot %q", name, m.PilotID)
		}
		badIf(m.Published.IsZero(), "%s: missing publication date", name)
	}

	pilots := make(map[string]bool)
	for _, p := range d.Pilots {
		name := titled("pilot", p.ID, p.Title, pilots)
		badIf(!provinces[p.ProvinceCode], "%s: unknown province %q", name, p.ProvinceCode)
		badIf(!sectors[p.SectorCode], "%s: unknown sector %q", name, p.SectorCode)
		if p.ServiceID != "" {
			if s, ok := services[p.ServiceID]; !ok {
				bad("%s: unknown service %q", name, p.ServiceID)
			} else if s.ProviderCode != p.ProvinceCode {
				bad("%s: service %s is provided by %s, not by %s", name, p.ServiceID, s.ProviderCode, p.ProvinceCode)
			}
		}
		badIf(len(p.ComuneCodes) == 0, "%s: empty scope, at least one comune expected", name)
		seen := make(map[string]bool, len(p.ComuneCodes))
		for _, c := range p.ComuneCodes {
			if prov, ok := comuneProvince[c]; !ok {
				bad("%s: unknown comune %q", name, c)
			} else if prov != p.ProvinceCode {
				bad("%s: comune %s is in province %s, not in %s", name, c, prov, p.ProvinceCode)
			}
			badIf(seen[c], "%s: comune %s listed twice", name, c)
			seen[c] = true
		}
		if err := checkPeriod(p.Period()); err != nil {
			bad("%s: %v", name, err)
		}
		badIf(p.Decision != "" && !slices.Contains(PilotDecisions, p.Decision), "%s: unknown decision %q", name, p.Decision)
		badIf(p.Decision != "" && p.Until.IsZero(), "%s: decided while still running (no end date)", name)
	}
}
