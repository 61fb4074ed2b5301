package pcnet

import (
	"fmt"
	"strings"
)

// Rules of Project Work writes; the shared conventions are in rules.go.

// ProjectWorkFacts are what PlanProjectWork needs to know of the store.
type ProjectWorkFacts struct {
	Current       *ProjectWork   // the stored project work with the ID, nil when new
	ProvinceFound bool           // the Province exists
	AreaFound     bool           // the area exists
	Service       *SharedService // the linked service; nil when none is linked or it doesn't exist
}

// ValidateProjectWork checks the input of SaveProjectWork: "id" (an ID as
// for services), "provinceCode" (a Province code), "areaCode" (required),
// "title" (not blank, at most MaxNameLength), "maturity" (a maturity),
// "step" (1 to MaxTutorshipStep), "year" (MinProjectWorkYear to
// MaxProjectWorkYear) and "serviceId" (optional).
func ValidateProjectWork(w ProjectWork) error {
	return firstError(validateNewID("id", w.ID), ValidateProvinceCode("provinceCode", w.ProvinceCode), validateRef("areaCode", w.AreaCode),
		validateName("title", w.Title), validateEnum("maturity", "a maturity", w.Maturity, Maturities), validateStep("step", w.Step),
		validateRange("year", w.Year, MinProjectWorkYear, MaxProjectWorkYear), optionalRef("serviceId", w.ServiceID))
}

// PlanProjectWork returns the project work to save (title trimmed) and its
// audit entry: action "create" for a new ID, "update" listing the changed
// fields otherwise. Saving it unchanged is no change: no entry.
//
// Checked, after the input: the Province and area exist (ENOTFOUND
// "provinceCode", "areaCode"); a linked service exists (ENOTFOUND
// "serviceId"), is the Province's own and works in the project work's
// area (EINVALID "serviceId"): a Project Work is the plan of a shared
// service in one area.
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
	if f.Current == nil {
		summary := fmt.Sprintf("created %q: province %s, area %s, maturity %s, step %d, year %d", w.Title, w.ProvinceCode, w.AreaCode, w.Maturity, w.Step, w.Year)
		if w.ServiceID != "" {
			summary += ", service " + w.ServiceID
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
	if len(what) == 0 {
		return cur, nil, nil
	}
	return w, []Change{{Entity: EntityProjectWork, EntityID: w.ID, Action: ActionUpdate, Summary: strings.Join(what, "; ")}}, nil
}
