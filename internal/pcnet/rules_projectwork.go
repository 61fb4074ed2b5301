package pcnet

import (
	"fmt"
	"slices"
	"strings"
)

// Rules of Project Work writes; the shared conventions are in rules.go.

// ProjectWorkFacts are what PlanProjectWork needs to know of the store.
type ProjectWorkFacts struct {
	Current       *ProjectWork   // the stored project work with the ID, nil when new
	ProvinceFound bool           // the Province exists
	AreaFound     bool           // the area exists
	Service       *SharedService // the linked service; nil when none is linked or it doesn't exist
	// Model is the project work named by ModelFromID, nil when none is
	// named or it doesn't exist; Tutored reports whether Model's Province
	// tutors or tutored the project work's Province in the area's sector.
	Model   *ProjectWork
	Tutored bool
}

// CheckModelFrom is the rule of a project work's adapted model, shared by
// the writes of both stores and the network file's validation: none, or
// the ID of another project work (model, nil when there is none with the
// ID) of the same area whose Province tutors or tutored w's Province in
// the area's sector (tutored). Every refusal is EINVALID "modelFromId".
func CheckModelFrom(w ProjectWork, model *ProjectWork, tutored bool) error {
	if problem := modelFromProblem(w, model, tutored); problem != "" {
		return Invalidf("modelFromId", "modelFromId: %s", problem)
	}
	return nil
}

// HasTutored reports whether tutor tutors or tutored tutored in sector in
// any of ts: the tutorship CheckModelFrom asks for.
func HasTutored(ts []Tutorship, tutor, tutored, sector string) bool {
	return slices.ContainsFunc(ts, func(t Tutorship) bool {
		return t.TutorCode == tutor && t.TutoredCode == tutored && t.SectorCode == sector
	})
}

// modelFromProblem is CheckModelFrom's refusal, "" when there is none.
func modelFromProblem(w ProjectWork, model *ProjectWork, tutored bool) string {
	switch {
	case w.ModelFromID == "":
		return ""
	case w.ModelFromID == w.ID:
		return fmt.Sprintf("project work %s cannot adapt its own model", w.ID)
	case model == nil:
		return fmt.Sprintf("no project work %q", w.ModelFromID)
	case model.AreaCode != w.AreaCode:
		return fmt.Sprintf("project work %s is of area %q, not %q: a project work adapts a model of its own area", model.ID, model.AreaCode, w.AreaCode)
	case !tutored:
		return fmt.Sprintf("Province %s of project work %s never tutored Province %s in the area's sector: a project work adapts its tutor's model", model.ProvinceCode, model.ID, w.ProvinceCode)
	}
	return ""
}

// ValidateProjectWork checks the input of SaveProjectWork: "id" (an ID as
// for services), "provinceCode" (a Province code), "areaCode" (required),
// "title" (not blank, at most MaxNameLength), "maturity" (a maturity),
// "step" (1 to MaxTutorshipStep), "year" (MinProjectWorkYear to
// MaxProjectWorkYear), "serviceId" and "modelFromId" (optional).
func ValidateProjectWork(w ProjectWork) error {
	return firstError(validateNewID("id", w.ID), ValidateProvinceCode("provinceCode", w.ProvinceCode), validateRef("areaCode", w.AreaCode),
		validateName("title", w.Title), validateEnum("maturity", "a maturity", w.Maturity, Maturities), validateStep("step", w.Step),
		validateRange("year", w.Year, MinProjectWorkYear, MaxProjectWorkYear), optionalRef("serviceId", w.ServiceID), optionalRef("modelFromId", w.ModelFromID))
}

// PlanProjectWork returns the project work to save (title trimmed) and its
// audit entry: action "create" for a new ID, "update" listing the changed
// fields otherwise. Saving it unchanged is no change: no entry.
//
// Checked, after the input: the Province and area exist (ENOTFOUND
// "provinceCode", "areaCode"); a linked service exists (ENOTFOUND
// "serviceId"), is the Province's own and works in the project work's
// area (EINVALID "serviceId"): a Project Work is the plan of a shared
// service in one area; the adapted model follows CheckModelFrom.
func PlanProjectWork(w ProjectWork, f ProjectWorkFacts) (ProjectWork, []Change, error) {
	if err := ValidateProjectWork(w); err != nil {
		return ProjectWork{}, nil, err
	}
	w.Title = strings.TrimSpace(w.Title)
	switch {
	case !f.ProvinceFound:
		return ProjectWork{}, nil, fieldError(ENOTFOUND, "provinceCode", "provinceCode: no Province %s", w.ProvinceCode)
	case !f.AreaFound:
		return ProjectWork{}, nil, fieldError(ENOTFOUND, "areaCode", "areaCode: no area %q", w.AreaCode)
	case w.ServiceID != "" && f.Service == nil:
		return ProjectWork{}, nil, fieldError(ENOTFOUND, "serviceId", "serviceId: no service %q", w.ServiceID)
	case w.ServiceID != "" && f.Service.ProviderCode != w.ProvinceCode:
		return ProjectWork{}, nil, Invalidf("serviceId", "serviceId: service %s is run by Province %s, not by %s: a project work leads to its own Province's service",
			w.ServiceID, f.Service.ProviderCode, w.ProvinceCode)
	case w.ServiceID != "" && f.Service.AreaCode != w.AreaCode:
		return ProjectWork{}, nil, Invalidf("serviceId", "serviceId: service %s works in area %q, not in %q: a project work leads to a service of its own area",
			w.ServiceID, f.Service.AreaCode, w.AreaCode)
	}
	if err := CheckModelFrom(w, f.Model, f.Tutored); err != nil {
		return ProjectWork{}, nil, err
	}
	if f.Current == nil {
		summary := fmt.Sprintf("created %q: province %s, area %s, maturity %s, step %d, year %d", w.Title, w.ProvinceCode, w.AreaCode, w.Maturity, w.Step, w.Year)
		if w.ServiceID != "" {
			summary += ", service " + w.ServiceID
		}
		if w.ModelFromID != "" {
			summary += ", adapting " + w.ModelFromID
		}
		return w, []Change{{Entity: EntityProjectWork, EntityID: w.ID, Action: ActionCreate, Summary: summary}}, nil
	}
	cur := *f.Current
	var what []string
	diff := func(field string, from, to any) {
		if from != to {
			what = append(what, fmt.Sprintf("%s %v → %v", field, from, to))
		}
	}
	diff("provinceCode", cur.ProvinceCode, w.ProvinceCode)
	diff("areaCode", cur.AreaCode, w.AreaCode)
	if cur.Title != w.Title {
		what = append(what, fmt.Sprintf("title %q → %q", cur.Title, w.Title))
	}
	diff("maturity", cur.Maturity, w.Maturity)
	diff("step", cur.Step, w.Step)
	diff("year", cur.Year, w.Year)
	if cur.ServiceID != w.ServiceID {
		what = append(what, fmt.Sprintf("serviceId %q → %q", cur.ServiceID, w.ServiceID))
	}
	if cur.ModelFromID != w.ModelFromID {
		what = append(what, fmt.Sprintf("modelFromId %q → %q", cur.ModelFromID, w.ModelFromID))
	}
	if len(what) == 0 {
		return cur, nil, nil
	}
	return w, []Change{{Entity: EntityProjectWork, EntityID: w.ID, Action: ActionUpdate, Summary: strings.Join(what, "; ")}}, nil
}
