package pcnet

import (
	"errors"
	"fmt"
	"slices"
)

// Geography is the ISTAT geography: regions, Provinces and Comuni.
type Geography struct {
	Regions   []Region   // ordered by code
	Provinces []Province // ordered by code
	Comuni    []Comune   // ordered by code
}

// Network is the tutor and shared-service network laid over the geography.
type Network struct {
	Sectors      []Sector
	Services     []SharedService
	Coverages    []Coverage
	Tutorships   []Tutorship
	ProjectWorks []ProjectWork
	Programme    // how the programme is run: programme.go
}

// Dataset is everything a store holds: what `pcnet import` loads and what
// the embedded store starts with.
type Dataset struct {
	Geography
	Network
}

// Validate checks the network against the geography and the rules that
// real data must follow too: every reference resolves, every code is unique,
// a service covers only Comuni of its provider Province, dates are
// consistent (no end before start, no coverage before the service started),
// steps lie in 1..3 and a Province doesn't tutor itself. It returns all the
// problems found, joined, each naming the offending item.
func (d *Dataset) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, Errorf(EINVALID, format, args...)) }
	badIf := onlyIf(bad)

	regions := make(map[string]bool, len(d.Regions))
	for _, r := range d.Regions {
		badIf(regions[r.Code], "region %s: duplicate code", r.Code)
		regions[r.Code] = true
	}
	provinces := make(map[string]Province, len(d.Provinces))
	for _, p := range d.Provinces {
		badIf(has(provinces, p.Code), "province %s: duplicate code", p.Code)
		badIf(!regions[p.RegionCode], "province %s: unknown region %q", p.Code, p.RegionCode)
		provinces[p.Code] = p
	}
	comuni := make(map[string]Comune, len(d.Comuni))
	for _, c := range d.Comuni {
		badIf(has(comuni, c.Code), "comune %s: duplicate code", c.Code)
		if p, ok := provinces[c.ProvinceCode]; !ok {
			bad("comune %s: unknown province %q", c.Code, c.ProvinceCode)
		} else if p.RegionCode != c.RegionCode {
			bad("comune %s: region %q differs from its province's %q", c.Code, c.RegionCode, p.RegionCode)
		}
		comuni[c.Code] = c
	}

	sectors := make(map[string]bool)
	areas := make(map[string]Area)
	for _, s := range d.Sectors {
		badIf(sectors[s.Code], "sector %s: duplicate code", s.Code)
		sectors[s.Code] = true
		for _, a := range s.Areas {
			badIf(has(areas, a.Code), "area %s: duplicate code", a.Code)
			badIf(a.SectorCode != s.Code, "area %s: listed under sector %s but names sector %q", a.Code, s.Code, a.SectorCode)
			areas[a.Code] = a
		}
	}

	services := make(map[string]SharedService, len(d.Services))
	for _, s := range d.Services {
		badIf(s.ID == "", "service with empty id (%q)", s.Name)
		badIf(has(services, s.ID), "service %s: duplicate id", s.ID)
		badIf(!has(provinces, s.ProviderCode), "service %s: unknown provider province %q", s.ID, s.ProviderCode)
		badIf(!has(areas, s.AreaCode), "service %s: unknown area %q", s.ID, s.AreaCode)
		badIf(!slices.Contains(ServiceStatuses, s.Status), "service %s: unknown status %q", s.ID, s.Status)
		badIf(s.StartDate.IsZero(), "service %s: missing start date", s.ID)
		services[s.ID] = s
	}

	type coverageKey struct{ service, comune string }
	seen := make(map[coverageKey][]Period)
	for _, c := range d.Coverages {
		s, ok := services[c.ServiceID]
		if !ok {
			bad("coverage %s→%s: unknown service", c.ServiceID, c.ComuneCode)
			continue
		}
		com, ok := comuni[c.ComuneCode]
		switch {
		case !ok:
			bad("coverage %s→%s: unknown comune", c.ServiceID, c.ComuneCode)
		case com.ProvinceCode != s.ProviderCode:
			bad("coverage %s→%s: comune %s is in province %s, not in the provider's %s", c.ServiceID, c.ComuneCode, com.Name, com.ProvinceCode, s.ProviderCode)
		}
		badIf(!slices.Contains(CoveragePhases, c.Phase), "coverage %s→%s: unknown phase %q", c.ServiceID, c.ComuneCode, c.Phase)
		if err := checkPeriod(c.Period()); err != nil {
			bad("coverage %s→%s: %v", c.ServiceID, c.ComuneCode, err)
		}
		badIf(c.Since.Before(s.StartDate), "coverage %s→%s: starts %s, before the service started on %s", c.ServiceID, c.ComuneCode, c.Since, s.StartDate)
		k := coverageKey{c.ServiceID, c.ComuneCode}
		for _, p := range seen[k] {
			badIf(overlaps(p, c.Period()), "coverage %s→%s: overlaps another coverage of the same Comune from %s", c.ServiceID, c.ComuneCode, p.Since)
		}
		seen[k] = append(seen[k], c.Period())
	}

	for _, t := range d.Tutorships {
		name := fmt.Sprintf("tutorship %s→%s in %s", t.TutorCode, t.TutoredCode, t.SectorCode)
		badIf(t.TutorCode == t.TutoredCode, "%s: a Province can't tutor itself", name)
		badIf(!has(provinces, t.TutorCode), "%s: unknown tutor province", name)
		badIf(!has(provinces, t.TutoredCode), "%s: unknown tutored province", name)
		badIf(!sectors[t.SectorCode], "%s: unknown sector", name)
		badIf(t.Step < 1 || t.Step > MaxTutorshipStep, "%s: step %d outside 1..%d", name, t.Step, MaxTutorshipStep)
		if err := checkPeriod(t.Period()); err != nil {
			bad("%s: %v", name, err)
		}
		switch {
		case t.Until.IsZero() && t.Outcome != "":
			bad("%s: outcome %s of an open tutorship (its outcome is %s until it ends)", name, t.Outcome, OutcomeInProgress)
		case t.Outcome != "":
			if err := checkOutcome(t.Outcome, t.Step); err != nil {
				bad("%s: outcome %v", name, err)
			}
		}
	}

	pws := make(map[string]bool)
	byID := make(map[string]*ProjectWork, len(d.ProjectWorks))
	for i, w := range d.ProjectWorks {
		byID[w.ID] = &d.ProjectWorks[i]
	}
	for _, w := range d.ProjectWorks {
		badIf(pws[w.ID], "project work %s: duplicate id", w.ID)
		pws[w.ID] = true
		badIf(!has(provinces, w.ProvinceCode), "project work %s: unknown province %q", w.ID, w.ProvinceCode)
		badIf(!has(areas, w.AreaCode), "project work %s: unknown area %q", w.ID, w.AreaCode)
		badIf(!slices.Contains(Maturities, w.Maturity), "project work %s: unknown maturity %q", w.ID, w.Maturity)
		badIf(w.Step < 1 || w.Step > MaxTutorshipStep, "project work %s: step %d outside 1..%d", w.ID, w.Step, MaxTutorshipStep)
		if w.ServiceID != "" {
			if s, ok := services[w.ServiceID]; !ok {
				bad("project work %s: unknown service %q", w.ID, w.ServiceID)
			} else if s.ProviderCode != w.ProvinceCode {
				bad("project work %s: led to service %s of another province (%s)", w.ID, s.ID, s.ProviderCode)
			}
		}
		if w.ModelFromID != "" {
			m := byID[w.ModelFromID]
			var was bool
			if m != nil {
				was = HasTutored(d.Tutorships, m.ProvinceCode, w.ProvinceCode, areas[w.AreaCode].SectorCode)
			}
			if problem := modelFromProblem(w, m, was); problem != "" {
				bad("project work %s: modelFromId: %s", w.ID, problem)
			}
		}
	}
	d.validateProgramme(bad)
	return errors.Join(errs...)
}

// onlyIf turns Validate's report of a problem into the report of a problem
// if cond holds: most of its rules are one condition and one message.
func onlyIf(bad func(format string, args ...any)) func(cond bool, format string, args ...any) {
	return func(cond bool, format string, args ...any) {
		if cond {
			bad(format, args...)
		}
	}
}

// has reports whether m has the key k.
func has[K comparable, V any](m map[K]V, k K) bool {
	_, ok := m[k]
	return ok
}

func checkPeriod(p Period) error {
	if p.Since.IsZero() {
		return errors.New("missing start date")
	}
	if !p.Until.IsZero() && !p.Since.Before(p.Until) {
		return fmt.Errorf("ends %s, not after it starts on %s", p.Until, p.Since)
	}
	return nil
}

// overlaps reports whether two periods share a day.
func overlaps(a, b Period) bool {
	aEndsBeforeB := !a.Until.IsZero() && !a.Until.After(b.Since)
	bEndsBeforeA := !b.Until.IsZero() && !b.Until.After(a.Since)
	return !aEndsBeforeB && !bEndsBeforeA
}
