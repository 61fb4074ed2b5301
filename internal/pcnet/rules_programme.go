package pcnet

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Rules of the programme's writes (issue 13): the sections of a project
// work's common structure, a service's rollout plan in waves, and the
// materials shared on Pi.Co. The shared conventions are in rules.go.

// ProgrammeWriter records planners' changes to the programme. Its methods
// follow Writer's contract (atomic, validated by the Plan* rules below,
// audited, idempotency keys from the context); Writer embeds it, so every
// store that writes implements it and storetest runs its cases on each.
type ProgrammeWriter interface {
	// SaveProjectWorkSections writes sections of a project work's common
	// structure: each given section replaces the stored text of its kind,
	// the others stay. It returns every section of the project work after
	// the write, in the order of SectionKinds. See PlanProjectWorkSections.
	SaveProjectWorkSections(ctx context.Context, projectWorkID string, sections []ProjectWorkSection) ([]ProjectWorkSection, error)

	// SetRolloutPlan replaces a service's rollout plan with waves (none:
	// the plan is cleared) and returns the plan as stored, in the order of
	// CompareRolloutTargets. See PlanRolloutPlan.
	SetRolloutPlan(ctx context.Context, serviceID string, waves []RolloutWave) ([]RolloutTarget, error)

	// AddMaterial adds a material shared on Pi.Co.; its ID must be new
	// (ECONFLICT). See PlanMaterial.
	AddMaterial(ctx context.Context, m Material) (Material, error)
}

// Entity names and action of the programme's writes in the audit trail.
const (
	// EntityProjectWorkSection: EntityID "projectWorkID/SECTION"
	// (SectionEntityID), actions "create" and "update".
	EntityProjectWorkSection = "projectWorkSection"
	// EntityRolloutPlan: EntityID the service ID, action "set".
	EntityRolloutPlan = "rolloutPlan"
	// EntityMaterial: EntityID the material ID, action "create".
	EntityMaterial = "material"
	// ActionSet: a whole list (a rollout plan) replaced.
	ActionSet = "set"
)

// Limits of the programme's writes.
const (
	MaxSectionLength = MaxDescriptionLength // a section's text, in characters
	MaxURLLength     = 2000                 // a material's link, in bytes
)

// SectionEntityID is the audit EntityID of a project work's section.
func SectionEntityID(projectWorkID string, k SectionKind) string {
	return projectWorkID + "/" + string(k)
}

// ---- Project work sections ----

// SectionFacts are what PlanProjectWorkSections needs to know of the store.
type SectionFacts struct {
	ProjectWork *ProjectWork           // nil when there is no such project work
	Current     []ProjectWorkSection   // its stored sections, any order
	Comuni      map[string]ComuneFacts // the Comuni SectionComuneCodes finds in the sections, by code; missing when unknown
}

// ComuneFacts is what a programme rule needs of a Comune: that it exists
// (and is not retired) and its Province.
type ComuneFacts struct {
	ProvinceCode string
}

// citedComuneRE finds six-digit ISTAT codes cited in a section's text.
var citedComuneRE = regexp.MustCompile(`\b[0-9]{6}\b`)

// SectionComuneCodes returns the six-digit ISTAT codes cited in the
// TARGET_COMUNI sections of sections, sorted and without repeats: the
// Comuni a store looks up for PlanProjectWorkSections.
func SectionComuneCodes(sections []ProjectWorkSection) []string {
	var out []string
	for _, s := range sections {
		if s.Section == SectionTargetComuni {
			out = append(out, citedComuneRE.FindAllString(s.Text, -1)...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// RolloutComuneCodes returns the codes of every wave of a rollout plan,
// sorted and without repeats: the Comuni a store looks up for
// PlanRolloutPlan.
func RolloutComuneCodes(waves []RolloutWave) []string {
	var out []string
	for _, w := range waves {
		out = append(out, w.ComuneCodes...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ValidateProjectWorkSections checks the input of SaveProjectWorkSections:
// "projectWorkId" (required), "sections" (1 to len(SectionKinds)), each
// "sections[i].section" (a section kind, listed once) and
// "sections[i].text" (not blank, at most MaxSectionLength characters).
func ValidateProjectWorkSections(projectWorkID string, sections []ProjectWorkSection) error {
	if err := validateRef("projectWorkId", projectWorkID); err != nil {
		return err
	}
	if len(sections) == 0 || len(sections) > len(SectionKinds) {
		return Invalidf("sections", "sections: %d given, 1 to %d expected (one per section of the common structure)", len(sections), len(SectionKinds))
	}
	seen := make(map[SectionKind]bool, len(sections))
	for i, s := range sections {
		field := fmt.Sprintf("sections[%d].section", i)
		if !slices.Contains(SectionKinds, s.Section) {
			return Invalidf(field, "%s: %q is not a section of the common structure: one of %s expected", field, s.Section, joinValues(SectionKinds))
		}
		if seen[s.Section] {
			return Invalidf(field, "%s: %s is listed twice", field, s.Section)
		}
		seen[s.Section] = true
		if err := validateText(fmt.Sprintf("sections[%d].text", i), s.Text, MaxSectionLength); err != nil {
			return err
		}
	}
	return nil
}

// PlanProjectWorkSections returns the sections to write (texts trimmed,
// projectWorkID set; unchanged ones left out), every section of the
// project work after the write, and one audit entry per section written:
// "create" for a section the project work didn't have, "update" for a new
// text. Saving a section with its current text is no change.
//
// Checked, after the input: the project work exists (ENOTFOUND
// "projectWorkId"); every Comune a TARGET_COMUNI section cites by ISTAT
// code exists (ENOTFOUND "sections[i].text") and lies in the project
// work's Province (EINVALID "sections[i].text"): a project work plans for
// its own territory.
func PlanProjectWorkSections(projectWorkID string, sections []ProjectWorkSection, f SectionFacts) (put, all []ProjectWorkSection, changes []Change, err error) {
	if err := ValidateProjectWorkSections(projectWorkID, sections); err != nil {
		return nil, nil, nil, err
	}
	if f.ProjectWork == nil {
		return nil, nil, nil, fieldError(ENOTFOUND, "projectWorkId", "projectWorkId: no project work %q", projectWorkID)
	}
	for i, s := range sections {
		if s.Section != SectionTargetComuni {
			continue
		}
		field := fmt.Sprintf("sections[%d].text", i)
		for _, code := range citedComuneRE.FindAllString(s.Text, -1) {
			c, ok := f.Comuni[code]
			if !ok {
				return nil, nil, nil, fieldError(ENOTFOUND, field, "%s: cites %s, which is not a Comune", field, code)
			}
			if c.ProvinceCode != f.ProjectWork.ProvinceCode {
				return nil, nil, nil, Invalidf(field, "%s: Comune %s is in Province %s, not in the project work's %s", field, code, c.ProvinceCode, f.ProjectWork.ProvinceCode)
			}
		}
	}
	current := make(map[SectionKind]string, len(f.Current))
	for _, s := range f.Current {
		current[s.Section] = s.Text
	}
	for _, s := range sections {
		s.ProjectWorkID, s.Text = projectWorkID, strings.TrimSpace(s.Text)
		old, had := current[s.Section]
		switch {
		case had && old == s.Text:
			continue
		case had:
			changes = append(changes, Change{Entity: EntityProjectWorkSection, EntityID: SectionEntityID(projectWorkID, s.Section), Action: ActionUpdate,
				Summary: fmt.Sprintf("%s rewritten: %d → %d characters", s.Section, len([]rune(old)), len([]rune(s.Text)))})
		default:
			changes = append(changes, Change{Entity: EntityProjectWorkSection, EntityID: SectionEntityID(projectWorkID, s.Section), Action: ActionCreate,
				Summary: fmt.Sprintf("%s written: %d characters", s.Section, len([]rune(s.Text)))})
		}
		current[s.Section] = s.Text
		put = append(put, s)
	}
	for _, k := range SectionKinds {
		if text, ok := current[k]; ok {
			all = append(all, ProjectWorkSection{ProjectWorkID: projectWorkID, Section: k, Text: text})
		}
	}
	slices.SortFunc(put, CompareSections)
	return put, all, changes, nil
}

// ---- Rollout plans ----

// RolloutWave is one wave of a rollout plan as a planner writes it: the
// Comuni to reach by a due date. Waves are numbered from 1 in the order
// given.
type RolloutWave struct {
	Due         Date
	ComuneCodes []string
}

// RolloutPlanFacts are what PlanRolloutPlan needs to know of the store.
type RolloutPlanFacts struct {
	Service *SharedService         // nil when there is no such service
	Comuni  map[string]ComuneFacts // the listed Comuni that exist (not retired), by code
	Current []RolloutTarget        // the service's plan as stored, any order
}

// ValidateRolloutPlan checks the input of SetRolloutPlan: "serviceId"
// (required), "waves" (at most MaxBatch Comuni in all), each
// "waves[i].due" (required, after the due date of the wave before:
// waves are in date order) and "waves[i].comuneCodes" (not empty), each
// "waves[i].comuneCodes[j]" (a Comune code, in no other place of the
// plan: a Comune is planned in one wave).
func ValidateRolloutPlan(serviceID string, waves []RolloutWave) error {
	if err := validateRef("serviceId", serviceID); err != nil {
		return err
	}
	total := 0
	for _, w := range waves {
		total += len(w.ComuneCodes)
	}
	if total > MaxBatch {
		return Invalidf("waves", "waves: %d Comuni in all, at most %d", total, MaxBatch)
	}
	seen := make(map[string]int, total)
	for i, w := range waves {
		due := fmt.Sprintf("waves[%d].due", i)
		if w.Due.IsZero() {
			return Invalidf(due, "%s: a due date is required", due)
		}
		if i > 0 && !w.Due.After(waves[i-1].Due) {
			return Invalidf(due, "%s: %s is not after wave %d's due date %s: waves are in date order", due, w.Due, i, waves[i-1].Due)
		}
		if len(w.ComuneCodes) == 0 {
			field := fmt.Sprintf("waves[%d].comuneCodes", i)
			return Invalidf(field, "%s: a wave needs at least one Comune", field)
		}
		for j, code := range w.ComuneCodes {
			field := fmt.Sprintf("waves[%d].comuneCodes[%d]", i, j)
			if err := ValidateComuneCode(field, code); err != nil {
				return err
			}
			if wave, dup := seen[code]; dup {
				return Invalidf(field, "%s: Comune %s is already planned in wave %d: a Comune is planned in one wave", field, code, wave)
			}
			seen[code] = i + 1
		}
	}
	return nil
}

// PlanRolloutPlan returns the service's new plan (waves numbered from 1,
// in store order) and its audit entry (entity "rolloutPlan", action
// "set"). A plan equal to the stored one is no change: no entry.
//
// Checked, after the input: the service exists (ENOTFOUND "serviceId");
// every Comune exists (ENOTFOUND "waves[i].comuneCodes[j]") and lies in
// the provider's Province (EINVALID, same field): a service reaches only
// its own territory, as for coverage; no wave is due before the service
// starts (EINVALID "waves[i].due"). The same rules as an imported plan's.
func PlanRolloutPlan(serviceID string, waves []RolloutWave, f RolloutPlanFacts) ([]RolloutTarget, []Change, error) {
	if err := ValidateRolloutPlan(serviceID, waves); err != nil {
		return nil, nil, err
	}
	if f.Service == nil {
		return nil, nil, fieldError(ENOTFOUND, "serviceId", "serviceId: no service %q", serviceID)
	}
	plan := []RolloutTarget{}
	for i, w := range waves {
		if w.Due.Before(f.Service.StartDate) {
			field := fmt.Sprintf("waves[%d].due", i)
			return nil, nil, Invalidf(field, "%s: %s is before the service started on %s", field, w.Due, f.Service.StartDate)
		}
		for j, code := range w.ComuneCodes {
			field := fmt.Sprintf("waves[%d].comuneCodes[%d]", i, j)
			c, ok := f.Comuni[code]
			if !ok {
				return nil, nil, fieldError(ENOTFOUND, field, "%s: no Comune %s", field, code)
			}
			if c.ProvinceCode != f.Service.ProviderCode {
				return nil, nil, Invalidf(field, "%s: Comune %s is in Province %s, not in the provider's %s", field, code, c.ProvinceCode, f.Service.ProviderCode)
			}
			plan = append(plan, RolloutTarget{ServiceID: serviceID, ComuneCode: code, Wave: i + 1, Due: w.Due})
		}
	}
	slices.SortFunc(plan, CompareRolloutTargets)
	current := slices.SortedFunc(slices.Values(f.Current), CompareRolloutTargets)
	if slices.Equal(plan, current) {
		return plan, nil, nil
	}
	summary := fmt.Sprintf("%s (was %s)", describePlan(plan), describePlan(current))
	return plan, []Change{{Entity: EntityRolloutPlan, EntityID: serviceID, Action: ActionSet, Summary: summary}}, nil
}

// describePlan says how many waves and Comuni a plan has, and when it ends.
func describePlan(plan []RolloutTarget) string {
	if len(plan) == 0 {
		return "no plan"
	}
	waves := 0
	last := plan[0].Due
	for _, t := range plan {
		waves = max(waves, t.Wave)
		if t.Due.After(last) {
			last = t.Due
		}
	}
	return fmt.Sprintf("%d waves, %d Comuni, last due %s", waves, len(plan), last)
}

// ---- Materials ----

// MaterialFacts are what PlanMaterial needs to know of the store.
type MaterialFacts struct {
	IDTaken          bool
	SectorFound      bool
	AreaSector       string // the sector of the material's area; "" when it has none or the area doesn't exist
	ServiceFound     bool   // the attached service exists (when one is given)
	ProjectWorkFound bool   // the attached project work exists (when one is given)
	PilotFound       bool   // the attached pilot exists (when one is given)
	Today            Date   // the publication day of a material given none
}

// ValidateMaterial checks the input of AddMaterial: "id" (an ID as for
// services), "title" (not blank, at most MaxNameLength), "kind" (a
// material kind), "url" (an absolute http or https URL with a host, at
// most MaxURLLength bytes: Pi.Co. keeps links, not files), "sectorCode"
// (required), and when given "areaCode", "serviceId", "projectWorkId" and
// "pilotId" (references).
func ValidateMaterial(m Material) error {
	return firstError(validateNewID("id", m.ID), validateName("title", m.Title), validateEnum("kind", "a material kind", m.Kind, MaterialKinds),
		ValidateMaterialURL("url", m.URL), validateRef("sectorCode", m.SectorCode),
		optionalRef("areaCode", m.AreaCode), optionalRef("serviceId", m.ServiceID), optionalRef("projectWorkId", m.ProjectWorkID), optionalRef("pilotId", m.PilotID))
}

// ValidateMaterialURL checks a material's link: an absolute http or https
// URL with a host, at most MaxURLLength bytes.
func ValidateMaterialURL(field, link string) error {
	if link == "" {
		return Invalidf(field, "%s: a link is required", field)
	}
	if len(link) > MaxURLLength {
		return Invalidf(field, "%s: %d bytes long, at most %d", field, len(link), MaxURLLength)
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return Invalidf(field, "%s: %q is not an absolute http(s) link such as \"https://pico.example.org/materiali/kit\"", field, link)
	}
	return nil
}

// PlanMaterial returns the material to add (title trimmed, published
// today when not given) and its audit entry (entity "material", action
// "create").
//
// Checked, after the input: the ID is new (ECONFLICT "id"); the sector
// exists (ENOTFOUND "sectorCode"); the area, when given, exists (ENOTFOUND
// "areaCode") and is the sector's (EINVALID "areaCode"); the service,
// project work and pilot it is attached to exist (ENOTFOUND "serviceId",
// "projectWorkId", "pilotId").
func PlanMaterial(m Material, f MaterialFacts) (Material, []Change, error) {
	if err := ValidateMaterial(m); err != nil {
		return Material{}, nil, err
	}
	m.Title = strings.TrimSpace(m.Title)
	if m.Published.IsZero() {
		m.Published = f.Today
	}
	switch {
	case f.IDTaken:
		return Material{}, nil, fieldError(ECONFLICT, "id", "id: a material %q exists already", m.ID)
	case !f.SectorFound:
		return Material{}, nil, fieldError(ENOTFOUND, "sectorCode", "sectorCode: no sector %q", m.SectorCode)
	case m.AreaCode != "" && f.AreaSector == "":
		return Material{}, nil, fieldError(ENOTFOUND, "areaCode", "areaCode: no area %q", m.AreaCode)
	case m.AreaCode != "" && f.AreaSector != m.SectorCode:
		return Material{}, nil, Invalidf("areaCode", "areaCode: area %s is in sector %s, not in %s", m.AreaCode, f.AreaSector, m.SectorCode)
	case m.ServiceID != "" && !f.ServiceFound:
		return Material{}, nil, fieldError(ENOTFOUND, "serviceId", "serviceId: no service %q", m.ServiceID)
	case m.ProjectWorkID != "" && !f.ProjectWorkFound:
		return Material{}, nil, fieldError(ENOTFOUND, "projectWorkId", "projectWorkId: no project work %q", m.ProjectWorkID)
	case m.PilotID != "" && !f.PilotFound:
		return Material{}, nil, fieldError(ENOTFOUND, "pilotId", "pilotId: no pilot %q", m.PilotID)
	}
	summary := fmt.Sprintf("added %s %q in %s", m.Kind, m.Title, m.SectorCode)
	for _, a := range []struct{ what, id string }{{"service", m.ServiceID}, {"project work", m.ProjectWorkID}, {"pilot", m.PilotID}} {
		if a.id != "" {
			summary += fmt.Sprintf(", attached to %s %s", a.what, a.id)
		}
	}
	return m, []Change{{Entity: EntityMaterial, EntityID: m.ID, Action: ActionCreate, Summary: summary}}, nil
}

// validateText checks a long text: not blank, at most most characters,
// valid UTF-8.
func validateText(field, text string, most int) error {
	switch n := len([]rune(strings.TrimSpace(text))); {
	case n == 0:
		return Invalidf(field, "%s: must not be blank", field)
	case n > most:
		return Invalidf(field, "%s: %d characters: at most %d", field, n, most)
	}
	if !utf8.ValidString(text) {
		return Invalidf(field, "%s: not valid UTF-8", field)
	}
	return nil
}
