package pcnet

import (
	"cmp"
	"fmt"
	"slices"
)

// Rules of coverage writes; the shared conventions are in rules.go.

// CoverageFacts are what the coverage plans need to know of the store.
type CoverageFacts struct {
	// Service is the service written to; nil when it doesn't exist.
	Service *SharedService
	// Comuni are the listed Comuni that exist, by code. Only Code, Name and
	// ProvinceCode are read.
	Comuni map[string]Comune
	// Existing are all the coverages by Service of the listed Comuni, of
	// any period, in any order.
	Existing []Coverage
	// ProviderParticipation holds the service's provider, the sector of its
	// area and the provider's participation there; read by additions.
	ProviderParticipation
}

// ValidateCoverageAddition checks the input of AddCoverage: "serviceId"
// (required), the Comune codes (see validateBatch), "since" (required)
// and "phase" (a phase).
func ValidateCoverageAddition(a CoverageAddition) error {
	return firstError(validateRef("serviceId", a.ServiceID), validateBatch("comuneCodes", a.ComuneCodes),
		requiredDate("since", a.Since), validateEnum("phase", "a phase", a.Phase, CoveragePhases))
}

// PlanCoverageAddition returns what AddCoverage does: the coverages to
// create (open, from a.Since, in a.Phase) and the Comuni left unchanged,
// both in Comune code order, and one audit entry per created coverage
// (action "add", EntityID CoverageEntityID).
//
// Checked, after the input: the service exists (ENOTFOUND "serviceId") and
// is not ENDED (ECONFLICT "serviceId"); since is not before the service's
// start date (EINVALID "since"); then for each Comune, in list order: it
// exists (ENOTFOUND "comuneCodes[i]") and lies in the provider's Province
// (EINVALID "comuneCodes[i]"); last, the provider takes part in the
// service's sector on since (CheckParticipation, EINVALID "since": a
// Province covers no Comune before it joined or after it left, unless an
// admin recorded an exception; ENOTFOUND "since" when the provider is
// retired from the ISTAT list).
//
// A Comune with a coverage by the service active on since is unchanged:
// re-adding is a no-op, never a duplicate. A Comune whose only coverages
// ended before since gets a new one. A Comune with a coverage starting
// after since is ECONFLICT "comuneCodes[i]", naming that coverage's start:
// an open one would have to start earlier (a start never moves silently,
// and a coverage is not rewritten), a closed one would be overlapped by an
// open coverage from since.
func PlanCoverageAddition(a CoverageAddition, f CoverageFacts) (CoverageResult, []Change, error) {
	if err := ValidateCoverageAddition(a); err != nil {
		return CoverageResult{}, nil, err
	}
	svc := f.Service
	switch {
	case svc == nil:
		return CoverageResult{}, nil, fieldError(ENOTFOUND, "serviceId", "serviceId: no service %q", a.ServiceID)
	case svc.Status == StatusEnded:
		return CoverageResult{}, nil, fieldError(ECONFLICT, "serviceId", "serviceId: service %s has ENDED: it covers no more Comuni", svc.ID)
	case a.Since.Before(svc.StartDate):
		return CoverageResult{}, nil, Invalidf("since", "since: %s is before service %s started, on %s", a.Since, svc.ID, svc.StartDate)
	}
	existing := coveragesByComune(f.Existing)
	var res CoverageResult
	err := f.eachComune(a.ComuneCodes, func(field, code string, c Comune) error {
		if c.ProvinceCode != svc.ProviderCode {
			return Invalidf(field, "%s: %s (%s) is in Province %s: service %s covers only Comuni of Province %s",
				field, code, c.Name, c.ProvinceCode, svc.ID, svc.ProviderCode)
		}
		covered, later := false, (*Coverage)(nil)
		for _, e := range existing[code] {
			switch {
			case e.Period().ActiveOn(a.Since):
				covered = true
			case a.Since.Before(e.Since) && (later == nil || e.Since.Before(later.Since)):
				later = &e
			}
		}
		switch {
		case covered:
			res.Unchanged = append(res.Unchanged, code)
		case later != nil && later.Until.IsZero():
			return fieldError(ECONFLICT, field, "%s: %s (%s) is covered by %s from %s: a coverage's start can't move earlier, to %s",
				field, code, c.Name, svc.ID, later.Since, a.Since)
		case later != nil:
			return fieldError(ECONFLICT, field, "%s: %s (%s) is covered by %s from %s to %s: an open coverage from %s would overlap it",
				field, code, c.Name, svc.ID, later.Since, later.Until, a.Since)
		default:
			res.Changed = append(res.Changed, Coverage{ServiceID: svc.ID, ComuneCode: code, Since: a.Since, Phase: a.Phase})
		}
		return nil
	})
	if err != nil {
		return CoverageResult{}, nil, err
	}
	if err := f.check("since", a.Since); err != nil {
		return CoverageResult{}, nil, err
	}
	return coveragePlan(res, ActionAdd, func(c Coverage) string { return fmt.Sprintf("added from %s, phase %s", c.Since, c.Phase) })
}

// ValidateCoverageEnding checks the input of EndCoverage: "serviceId"
// (required), the Comune codes (see validateBatch) and "until" (required).
func ValidateCoverageEnding(e CoverageEnding) error {
	return firstError(validateRef("serviceId", e.ServiceID), validateBatch("comuneCodes", e.ComuneCodes), requiredDate("until", e.Until))
}

// PlanCoverageEnding returns what EndCoverage does: the open coverages
// ended at e.Until (with Until set) and the Comuni left unchanged, both in
// Comune code order, and one audit entry per ended coverage (action "end").
//
// Checked, after the input: the service exists (ENOTFOUND "serviceId");
// then for each Comune, in list order: it exists (ENOTFOUND
// "comuneCodes[i]"), it has an open coverage by the service (ENOTFOUND
// "comuneCodes[i]") and until is after that coverage's since (EINVALID
// "until"). A Comune whose coverage already ended exactly on until is
// unchanged, so a retried ending is harmless. Ending the coverage of an
// ENDED service is allowed: that is how its Comuni are let go.
func PlanCoverageEnding(e CoverageEnding, f CoverageFacts) (CoverageResult, []Change, error) {
	if err := ValidateCoverageEnding(e); err != nil {
		return CoverageResult{}, nil, err
	}
	svc := f.Service
	if svc == nil {
		return CoverageResult{}, nil, fieldError(ENOTFOUND, "serviceId", "serviceId: no service %q", e.ServiceID)
	}
	existing := coveragesByComune(f.Existing)
	var res CoverageResult
	err := f.eachComune(e.ComuneCodes, func(field, code string, c Comune) error {
		var open *Coverage
		endedOnUntil := false
		for _, cv := range existing[code] {
			if cv.Until.IsZero() {
				open = &cv
			} else if cv.Until == e.Until {
				endedOnUntil = true
			}
		}
		switch {
		case open != nil && !e.Until.After(open.Since):
			return Invalidf("until", "until: %s is not after the coverage of %s (%s) began, on %s", e.Until, code, c.Name, open.Since)
		case open != nil:
			ended := *open
			ended.Until = e.Until
			res.Changed = append(res.Changed, ended)
		case endedOnUntil:
			res.Unchanged = append(res.Unchanged, code)
		default:
			return fieldError(ENOTFOUND, field, "%s: %s (%s) has no open coverage by service %s", field, code, c.Name, svc.ID)
		}
		return nil
	})
	if err != nil {
		return CoverageResult{}, nil, err
	}
	return coveragePlan(res, ActionEnd, func(c Coverage) string { return fmt.Sprintf("ended on %s (covered since %s)", c.Until, c.Since) })
}

func coveragesByComune(cs []Coverage) map[string][]Coverage {
	m := make(map[string][]Coverage)
	for _, c := range cs {
		m[c.ComuneCode] = append(m[c.ComuneCode], c)
	}
	return m
}

// eachComune calls visit for each listed Comune code in list order, with
// its field ("comuneCodes[i]") and the Comune, and stops at the first
// error: a code that doesn't exist is ENOTFOUND on its field.
func (f CoverageFacts) eachComune(codes []string, visit func(field, code string, c Comune) error) error {
	for i, code := range codes {
		field := fmt.Sprintf("comuneCodes[%d]", i)
		c, ok := f.Comuni[code]
		if !ok {
			return fieldError(ENOTFOUND, field, "%s: no Comune %s", field, code)
		}
		if err := visit(field, code, c); err != nil {
			return err
		}
	}
	return nil
}

// coveragePlan ends both coverage plans: res in Comune code order and one
// audit entry per changed coverage, with action and its summary.
func coveragePlan(res CoverageResult, action string, summary func(Coverage) string) (CoverageResult, []Change, error) {
	slices.SortFunc(res.Changed, func(a, b Coverage) int { return cmp.Compare(a.ComuneCode, b.ComuneCode) })
	slices.Sort(res.Unchanged)
	changes := make([]Change, len(res.Changed))
	for i, c := range res.Changed {
		changes[i] = Change{
			Entity: EntityCoverage, EntityID: CoverageEntityID(c.ServiceID, c.ComuneCode), Action: action,
			Summary: summary(c),
		}
	}
	return res, changes, nil
}

// validateBatch checks the Comune codes of a coverage write: at least one
// (EINVALID on field), at most MaxBatch (on field), each a Comune code
// (on "field[i]") and none listed twice (on the second "field[j]").
func validateBatch(field string, codes []string) error {
	switch {
	case len(codes) == 0:
		return Invalidf(field, "%s: at least one Comune is required", field)
	case len(codes) > MaxBatch:
		return Invalidf(field, "%s: %d Comuni: at most %d per write", field, len(codes), MaxBatch)
	}
	seen := make(map[string]int, len(codes))
	for i, code := range codes {
		item := fmt.Sprintf("%s[%d]", field, i)
		if err := ValidateComuneCode(item, code); err != nil {
			return err
		}
		if first, dup := seen[code]; dup {
			return Invalidf(item, "%s: %s is listed twice (also at %s[%d])", item, code, field, first)
		}
		seen[code] = i
	}
	return nil
}
