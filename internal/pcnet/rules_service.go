package pcnet

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Rules of service writes; the shared conventions are in rules.go.

// ServiceCreateFacts are what PlanServiceCreate needs to know of the store.
type ServiceCreateFacts struct {
	IDTaken bool // a service with the new ID exists
	// ProviderParticipation holds the provider (nil when it doesn't exist),
	// the sector of the area ("" when the area doesn't exist) and the
	// provider's participation in that sector.
	ProviderParticipation
}

// ValidateNewService checks the input of CreateService: "id" (required, an
// ID as idRE describes, at most MaxIDLength), "name" (not blank, at most
// MaxNameLength characters), "description" (at most
// MaxDescriptionLength), "providerCode" (a Province code), "areaCode"
// (required), "status" (empty, PLANNED or PILOT) and "startDate"
// (required).
func ValidateNewService(s SharedService) error {
	return firstError(validateNewID("id", s.ID), validateName("name", s.Name), validateDescription("description", s.Description),
		ValidateProvinceCode("providerCode", s.ProviderCode), validateRef("areaCode", s.AreaCode), validateNewStatus("status", s.Status),
		requiredDate("startDate", s.StartDate))
}

// validateNewStatus: a new service is planned or a pilot (or left empty,
// which is planned).
func validateNewStatus(field string, s ServiceStatus) error {
	switch s {
	case "", StatusPlanned, StatusPilot:
		return nil
	}
	return firstError(validateStatus(field, s), Invalidf(field, "%s: a new service is %s or %s, not %s", field, StatusPlanned, StatusPilot, s))
}

// PlanServiceCreate returns the service to create and its audit entry. The
// name and description are trimmed of surrounding white space and an empty
// status becomes PLANNED. After the input: the provider and area exist
// (ENOTFOUND "providerCode", "areaCode"), the ID is free (ECONFLICT "id")
// and the provider takes part in the area's sector on the start date
// (CheckParticipation, EINVALID "providerCode"), unless an admin recorded
// an exception for it.
func PlanServiceCreate(s SharedService, f ServiceCreateFacts) (SharedService, []Change, error) {
	if err := ValidateNewService(s); err != nil {
		return SharedService{}, nil, err
	}
	s.Name, s.Description = strings.TrimSpace(s.Name), strings.TrimSpace(s.Description)
	if s.Status == "" {
		s.Status = StatusPlanned
	}
	switch {
	case f.Provider == nil:
		return SharedService{}, nil, fieldError(ENOTFOUND, "providerCode", "providerCode: no Province %s", s.ProviderCode)
	case f.Sector == "":
		return SharedService{}, nil, fieldError(ENOTFOUND, "areaCode", "areaCode: no area %q", s.AreaCode)
	case f.IDTaken:
		return SharedService{}, nil, fieldError(ECONFLICT, "id", "id: a service %q exists already", s.ID)
	}
	if err := f.check("providerCode", s.StartDate); err != nil {
		return SharedService{}, nil, err
	}
	return s, []Change{{
		Entity: EntityService, EntityID: s.ID, Action: ActionCreate,
		Summary: fmt.Sprintf("created %q: provider %s, area %s, status %s, start %s", s.Name, s.ProviderCode, s.AreaCode, s.Status, s.StartDate),
	}}, nil
}

// ValidateServiceUpdate checks the input of UpdateService: "id" (required)
// and each field given: "name" (not blank, at most MaxNameLength),
// "description" (at most MaxDescriptionLength), "status" (a status),
// "startDate" and "endDate" (dates). An update that gives no field is valid and changes
// nothing.
func ValidateServiceUpdate(id string, u ServiceUpdate) error {
	return firstError(validateRef("id", id), ifSet("name", u.Name, validateName), ifSet("description", u.Description, validateDescription),
		ifSet("status", u.Status, validateStatus), ifSet("startDate", u.StartDate, requiredDate), ifSet("endDate", u.EndDate, requiredDate))
}

// ServiceUpdateFacts are what PlanServiceUpdate needs to know of the store.
type ServiceUpdateFacts struct {
	// Current is the stored service; nil when there is none.
	Current *SharedService
	// Coverages are all the coverages of the service, of any period, in
	// any order.
	Coverages []Coverage
	// Today is the day of the write, the end date of a service ENDED
	// without one (Today()).
	Today Date
	// ProviderParticipation holds the service's provider, the sector of its
	// area and the provider's participation there; read when the start
	// date changes.
	ProviderParticipation
}

// PlanServiceUpdate returns the updated service, the coverages the update
// ends and the audit entries. f.Current nil is ENOTFOUND "id".
//
// A field given with its current value is not a change; when nothing
// changes the plan has no changes (nothing to write, no audit entry) and
// returns the current service as it is. A status change must be an
// AllowedTransition (ECONFLICT on "status" otherwise); the start date may
// not move after the first coverage (EINVALID on "startDate"), and the
// provider must take part in the area's sector on the new start date
// (CheckParticipation, EINVALID on "startDate") unless an admin recorded
// an exception. The summary
// lists the changed fields, joined by "; ", in the order name,
// description, status, start date; a status change reads "status PILOT →
// ACTIVE".
//
// Ending a service ends its coverage: an ENDED service covers nothing from
// its end date on, so every reader (reach, timelines, gaps, coverage
// lists, nearest providers) agrees by construction. The end date is
// u.EndDate, or f.Today when it is not given; it may be given only with
// the status ENDED (EINVALID "endDate") and not before the service's start
// date (EINVALID "endDate"). Every coverage still active on the end date
// or later (open, or closed after it) is ended on it, with one "end" audit
// entry each after the service's, in Comune code order; a coverage that
// starts on the end date or later would be left empty: ECONFLICT
// "endDate" naming it. Re-ending an
// ENDED service is no change. A SUSPENDED service keeps its coverages: a
// suspension is a pause, and its Comuni still count as covered.
func PlanServiceUpdate(id string, u ServiceUpdate, f ServiceUpdateFacts) (SharedService, []Coverage, []Change, error) {
	if err := ValidateServiceUpdate(id, u); err != nil {
		return SharedService{}, nil, nil, err
	}
	current := f.Current
	if current == nil {
		return SharedService{}, nil, nil, fieldError(ENOTFOUND, "id", "id: no service %q", id)
	}
	next := *current
	var what []string
	if u.Name != nil {
		if name := strings.TrimSpace(*u.Name); name != current.Name {
			next.Name = name
			what = append(what, fmt.Sprintf("name %q → %q", current.Name, name))
		}
	}
	if u.Description != nil {
		if d := strings.TrimSpace(*u.Description); d != current.Description {
			next.Description = d
			what = append(what, "description changed")
		}
	}
	if u.Status != nil && *u.Status != current.Status {
		if !AllowedTransition(current.Status, *u.Status) {
			return SharedService{}, nil, nil, fieldError(ECONFLICT, "status", "status: %s → %s is not allowed (allowed: %s → %s → %s, %s ⇄ %s, any → %s)",
				current.Status, *u.Status, StatusPlanned, StatusPilot, StatusActive, StatusActive, StatusSuspended, StatusEnded)
		}
		next.Status = *u.Status
		what = append(what, fmt.Sprintf("status %s → %s", current.Status, next.Status))
	}
	if u.StartDate != nil && *u.StartDate != current.StartDate {
		if first := firstSince(f.Coverages); !first.IsZero() && u.StartDate.After(first) {
			return SharedService{}, nil, nil, Invalidf("startDate", "startDate: %s is after the service's first coverage, which starts on %s", *u.StartDate, first)
		}
		if err := f.check("startDate", *u.StartDate); err != nil {
			return SharedService{}, nil, nil, err
		}
		next.StartDate = *u.StartDate
		what = append(what, fmt.Sprintf("startDate %s → %s", current.StartDate, next.StartDate))
	}
	var ended []Coverage
	if next.Status == StatusEnded && current.Status != StatusEnded {
		end := f.Today
		if u.EndDate != nil {
			end = *u.EndDate
		}
		if end.Before(next.StartDate) {
			return SharedService{}, nil, nil, Invalidf("endDate", "endDate: %s is before service %s started, on %s", end, id, next.StartDate)
		}
		covs := slices.Clone(f.Coverages)
		slices.SortFunc(covs, func(a, b Coverage) int {
			return cmp.Or(cmp.Compare(a.ComuneCode, b.ComuneCode), a.Since.Compare(b.Since))
		})
		for _, c := range covs {
			switch {
			case !c.Until.IsZero() && !c.Until.After(end):
				// Over by the end date: nothing to end.
			case !end.After(c.Since):
				return SharedService{}, nil, nil, fieldError(ECONFLICT, "endDate", "endDate: the coverage of %s by %s starts on %s, not before the end date %s: it would be left empty",
					c.ComuneCode, id, c.Since, end)
			default:
				c.Until = end
				ended = append(ended, c)
			}
		}
		if len(ended) > 0 {
			what = append(what, fmt.Sprintf("%d coverages ended on %s", len(ended), end))
		}
	} else if u.EndDate != nil && next.Status != StatusEnded {
		return SharedService{}, nil, nil, Invalidf("endDate", "endDate: given only when the status becomes %s", StatusEnded)
	}
	if len(what) == 0 {
		return *current, nil, nil, nil
	}
	changes := []Change{{Entity: EntityService, EntityID: id, Action: ActionUpdate, Summary: strings.Join(what, "; ")}}
	for _, c := range ended {
		changes = append(changes, Change{
			Entity: EntityCoverage, EntityID: CoverageEntityID(c.ServiceID, c.ComuneCode), Action: ActionEnd,
			Summary: fmt.Sprintf("ended on %s (covered since %s): the service ENDED", c.Until, c.Since),
		})
	}
	return next, ended, changes, nil
}

// firstSince returns the earliest Since of cs, zero when cs is empty.
func firstSince(cs []Coverage) Date {
	var first Date
	for _, c := range cs {
		if first.IsZero() || c.Since.Before(first) {
			first = c.Since
		}
	}
	return first
}
