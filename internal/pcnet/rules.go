package pcnet

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// This file holds the rules of planners' writes as pure functions, so that
// every store applies the same rules with the same errors. A store's write
// method does, inside one transaction:
//
//  1. fetch the facts the rule needs (the *Facts types below, or the
//     current item), locking what it will change;
//  2. call the Plan function, which validates the input, checks it against
//     the facts and returns what to write and the audit entries;
//  3. if the plan has changes, stamp them (StampChanges) and write the
//     items and the entries; a plan without changes writes nothing.
//
// Errors are *Error values. The first problem found is reported, checked in
// this order: the shape of the input (EINVALID, in field order, list items
// in list order), then references to missing items (ENOTFOUND), then the
// rules that compare the input with the stored state (EINVALID for
// inconsistent dates or a Comune outside the provider's Province, ECONFLICT
// for a taken ID, a disallowed status transition, a second open tutorship).
// A batch is checked whole before anything is planned, so a plan is all of
// the batch or an error.
//
// Fields are named as in the network file format (internal/network,
// FORMAT.md): "id", "name", "description", "providerCode", "areaCode",
// "status", "startDate", "serviceId", "comuneCodes" (the list) and
// "comuneCodes[3]" (its fourth item), "since", "until", "phase",
// "tutorCode", "tutoredCode", "sectorCode", "step", "provinceCode",
// "title", "maturity", "year"; and for ChangeFilter "entity", "afterSeq",
// "limit". ENOTFOUND and ECONFLICT errors name the field too, but for a
// tutorship addressed by its key, which has none. The GraphQL layer may
// prefix them with its argument name.

// Limits of written values.
const (
	MaxIDLength          = 100  // service and project-work IDs, and codes of areas and sectors
	MaxNameLength        = 200  // service names and project-work titles, in characters
	MaxDescriptionLength = 4000 // service descriptions, in characters
	MinProjectWorkYear   = 2000
	MaxProjectWorkYear   = 2100
)

// Actions recorded in the audit trail.
const (
	ActionCreate  = "create"  // a service or project work created
	ActionUpdate  = "update"  // a service or project work changed
	ActionAdd     = "add"     // a coverage added
	ActionEnd     = "end"     // a coverage or tutorship ended
	ActionAssign  = "assign"  // a tutorship started
	ActionAdvance = "advance" // a tutorship's step advanced
)

// Entities lists every Entity* name.
var Entities = []string{EntityService, EntityCoverage, EntityTutorship, EntityProjectWork}

// idRE is the form of a new service or project-work ID: ASCII letters,
// digits, '.', '_' and '-', starting with a letter or digit. No '/', which
// separates the parts of a coverage's audit EntityID.
var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// CoverageEntityID is the audit EntityID of the coverages of a Comune by a
// service: "serviceID/comuneCode".
func CoverageEntityID(serviceID, comuneCode string) string { return serviceID + "/" + comuneCode }

// EntityID is the audit EntityID of the tutorship: "tutor/tutored/sector/since".
func (k TutorshipKey) EntityID() string {
	return k.TutorCode + "/" + k.TutoredCode + "/" + k.SectorCode + "/" + k.Since.String()
}

// String names the tutorship in messages: "108→013 in procurement since 2023-06-01".
func (k TutorshipKey) String() string {
	return fmt.Sprintf("%s→%s in %s since %s", k.TutorCode, k.TutoredCode, k.SectorCode, k.Since)
}

// fieldError returns an *Error with a code that names the field at fault.
func fieldError(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ---- Services ----

// ServiceCreateFacts are what PlanServiceCreate needs to know of the store.
type ServiceCreateFacts struct {
	IDTaken       bool // a service with the new ID exists
	ProviderFound bool // the provider Province exists
	AreaFound     bool // the area exists
}

// ValidateNewService checks the input of CreateService: "id" (required, an
// ID as idRE describes, at most MaxIDLength), "name" (not blank, at most
// MaxNameLength characters), "description" (at most
// MaxDescriptionLength), "providerCode" (a Province code), "areaCode"
// (required), "status" (empty, PLANNED or PILOT) and "startDate"
// (required).
func ValidateNewService(s SharedService) error {
	if err := validateNewID("id", s.ID); err != nil {
		return err
	}
	if err := validateName("name", s.Name); err != nil {
		return err
	}
	if err := validateDescription("description", s.Description); err != nil {
		return err
	}
	if err := ValidateProvinceCode("providerCode", s.ProviderCode); err != nil {
		return err
	}
	if err := validateRef("areaCode", s.AreaCode); err != nil {
		return err
	}
	switch s.Status {
	case "", StatusPlanned, StatusPilot:
	default:
		if err := validateStatus("status", s.Status); err != nil {
			return err
		}
		return Invalidf("status", "status: a new service is %s or %s, not %s", StatusPlanned, StatusPilot, s.Status)
	}
	if s.StartDate.IsZero() {
		return Invalidf("startDate", "startDate: a date is required")
	}
	return nil
}

// PlanServiceCreate returns the service to create and its audit entry. The
// name and description are trimmed of surrounding white space and an empty
// status becomes PLANNED.
func PlanServiceCreate(s SharedService, f ServiceCreateFacts) (SharedService, []Change, error) {
	if err := ValidateNewService(s); err != nil {
		return SharedService{}, nil, err
	}
	s.Name, s.Description = strings.TrimSpace(s.Name), strings.TrimSpace(s.Description)
	if s.Status == "" {
		s.Status = StatusPlanned
	}
	switch {
	case !f.ProviderFound:
		return SharedService{}, nil, fieldError(ENOTFOUND, "providerCode", "providerCode: no Province %s", s.ProviderCode)
	case !f.AreaFound:
		return SharedService{}, nil, fieldError(ENOTFOUND, "areaCode", "areaCode: no area %q", s.AreaCode)
	case f.IDTaken:
		return SharedService{}, nil, fieldError(ECONFLICT, "id", "id: a service %q exists already", s.ID)
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
	if err := validateRef("id", id); err != nil {
		return err
	}
	if u.Name != nil {
		if err := validateName("name", *u.Name); err != nil {
			return err
		}
	}
	if u.Description != nil {
		if err := validateDescription("description", *u.Description); err != nil {
			return err
		}
	}
	if u.Status != nil {
		if err := validateStatus("status", *u.Status); err != nil {
			return err
		}
	}
	if u.StartDate != nil && u.StartDate.IsZero() {
		return Invalidf("startDate", "startDate: a date is required")
	}
	if u.EndDate != nil && u.EndDate.IsZero() {
		return Invalidf("endDate", "endDate: a date is required")
	}
	return nil
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
}

// PlanServiceUpdate returns the updated service, the coverages the update
// ends and the audit entries. f.Current nil is ENOTFOUND "id".
//
// A field given with its current value is not a change; when nothing
// changes the plan has no changes (nothing to write, no audit entry) and
// returns the current service as it is. A status change must be an
// AllowedTransition (ECONFLICT on "status" otherwise); the start date may
// not move after the first coverage (EINVALID on "startDate"). The summary
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

// ---- Coverage ----

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
}

// ValidateCoverageAddition checks the input of AddCoverage: "serviceId"
// (required), the Comune codes (see validateBatch), "since" (required)
// and "phase" (a phase).
func ValidateCoverageAddition(a CoverageAddition) error {
	if err := validateRef("serviceId", a.ServiceID); err != nil {
		return err
	}
	if err := validateBatch("comuneCodes", a.ComuneCodes); err != nil {
		return err
	}
	if a.Since.IsZero() {
		return Invalidf("since", "since: a date is required")
	}
	if !slices.Contains(CoveragePhases, a.Phase) {
		return Invalidf("phase", "phase: %q is not a phase: one of %s expected", a.Phase, joinValues(CoveragePhases))
	}
	return nil
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
// (EINVALID "comuneCodes[i]").
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
	for i, code := range a.ComuneCodes {
		field := fmt.Sprintf("comuneCodes[%d]", i)
		c, ok := f.Comuni[code]
		if !ok {
			return CoverageResult{}, nil, fieldError(ENOTFOUND, field, "%s: no Comune %s", field, code)
		}
		if c.ProvinceCode != svc.ProviderCode {
			return CoverageResult{}, nil, Invalidf(field, "%s: %s (%s) is in Province %s: service %s covers only Comuni of Province %s",
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
			return CoverageResult{}, nil, fieldError(ECONFLICT, field, "%s: %s (%s) is covered by %s from %s: a coverage's start can't move earlier, to %s",
				field, code, c.Name, svc.ID, later.Since, a.Since)
		case later != nil:
			return CoverageResult{}, nil, fieldError(ECONFLICT, field, "%s: %s (%s) is covered by %s from %s to %s: an open coverage from %s would overlap it",
				field, code, c.Name, svc.ID, later.Since, later.Until, a.Since)
		default:
			res.Changed = append(res.Changed, Coverage{ServiceID: svc.ID, ComuneCode: code, Since: a.Since, Phase: a.Phase})
		}
	}
	sortCoverageResult(&res)
	changes := make([]Change, len(res.Changed))
	for i, c := range res.Changed {
		changes[i] = Change{
			Entity: EntityCoverage, EntityID: CoverageEntityID(c.ServiceID, c.ComuneCode), Action: ActionAdd,
			Summary: fmt.Sprintf("added from %s, phase %s", c.Since, c.Phase),
		}
	}
	return res, changes, nil
}

// ValidateCoverageEnding checks the input of EndCoverage: "serviceId"
// (required), the Comune codes (see validateBatch) and "until" (required).
func ValidateCoverageEnding(e CoverageEnding) error {
	if err := validateRef("serviceId", e.ServiceID); err != nil {
		return err
	}
	if err := validateBatch("comuneCodes", e.ComuneCodes); err != nil {
		return err
	}
	if e.Until.IsZero() {
		return Invalidf("until", "until: a date is required")
	}
	return nil
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
	for i, code := range e.ComuneCodes {
		field := fmt.Sprintf("comuneCodes[%d]", i)
		c, ok := f.Comuni[code]
		if !ok {
			return CoverageResult{}, nil, fieldError(ENOTFOUND, field, "%s: no Comune %s", field, code)
		}
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
			return CoverageResult{}, nil, Invalidf("until", "until: %s is not after the coverage of %s (%s) began, on %s", e.Until, code, c.Name, open.Since)
		case open != nil:
			ended := *open
			ended.Until = e.Until
			res.Changed = append(res.Changed, ended)
		case endedOnUntil:
			res.Unchanged = append(res.Unchanged, code)
		default:
			return CoverageResult{}, nil, fieldError(ENOTFOUND, field, "%s: %s (%s) has no open coverage by service %s", field, code, c.Name, svc.ID)
		}
	}
	sortCoverageResult(&res)
	changes := make([]Change, len(res.Changed))
	for i, c := range res.Changed {
		changes[i] = Change{
			Entity: EntityCoverage, EntityID: CoverageEntityID(c.ServiceID, c.ComuneCode), Action: ActionEnd,
			Summary: fmt.Sprintf("ended on %s (covered since %s)", c.Until, c.Since),
		}
	}
	return res, changes, nil
}

func coveragesByComune(cs []Coverage) map[string][]Coverage {
	m := make(map[string][]Coverage)
	for _, c := range cs {
		m[c.ComuneCode] = append(m[c.ComuneCode], c)
	}
	return m
}

func sortCoverageResult(r *CoverageResult) {
	slices.SortFunc(r.Changed, func(a, b Coverage) int { return cmp.Compare(a.ComuneCode, b.ComuneCode) })
	slices.Sort(r.Unchanged)
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

// ---- Tutorships ----

// TutorshipFacts are what PlanTutorAssign needs to know of the store.
type TutorshipFacts struct {
	Tutor       *Province // the tutor Province; nil when it doesn't exist
	Tutored     *Province // the tutored Province; nil when it doesn't exist
	SectorFound bool      // the sector exists
	// Existing are all the tutorships between the same tutor and tutored
	// Provinces in the same sector, of any period, in any order.
	Existing []Tutorship
}

// ValidateTutorship checks the input of AssignTutor: "tutorCode" and
// "tutoredCode" (Province codes, not the same: a Province can't tutor
// itself), "sectorCode" (required), "since" (required), "until" (must be
// empty: a new tutorship is open) and "step" (0, meaning 1, or 1 to
// MaxTutorshipStep).
func ValidateTutorship(t Tutorship) error {
	if err := ValidateProvinceCode("tutorCode", t.TutorCode); err != nil {
		return err
	}
	if err := ValidateProvinceCode("tutoredCode", t.TutoredCode); err != nil {
		return err
	}
	if t.TutorCode == t.TutoredCode {
		return Invalidf("tutoredCode", "tutoredCode: a Province can't tutor itself (%s)", t.TutorCode)
	}
	if err := validateRef("sectorCode", t.SectorCode); err != nil {
		return err
	}
	if t.Since.IsZero() {
		return Invalidf("since", "since: a date is required")
	}
	if !t.Until.IsZero() {
		return Invalidf("until", "until: a new tutorship is open; end it with EndTutorship")
	}
	if t.Step != 0 {
		return validateStep("step", t.Step)
	}
	return nil
}

// PlanTutorAssign returns the tutorship to create (step 1 unless given)
// and its audit entry (action "assign", EntityID TutorshipKey.EntityID).
//
// Checked, after the input: the tutor, tutored Province and sector exist
// (ENOTFOUND "tutorCode", "tutoredCode", "sectorCode"); both Provinces
// take part in the programme on since (ProgrammeJoined; EINVALID
// "tutorCode", "tutoredCode"); the tutor doesn't
// already tutor the Province in the sector: no open tutorship between them
// (ECONFLICT "tutoredCode") and no closed one that ends after since
// (ECONFLICT "since"), so the periods never overlap.
func PlanTutorAssign(t Tutorship, f TutorshipFacts) (Tutorship, []Change, error) {
	if err := ValidateTutorship(t); err != nil {
		return Tutorship{}, nil, err
	}
	if t.Step == 0 {
		t.Step = 1
	}
	switch {
	case f.Tutor == nil:
		return Tutorship{}, nil, fieldError(ENOTFOUND, "tutorCode", "tutorCode: no Province %s", t.TutorCode)
	case f.Tutored == nil:
		return Tutorship{}, nil, fieldError(ENOTFOUND, "tutoredCode", "tutoredCode: no Province %s", t.TutoredCode)
	case !f.SectorFound:
		return Tutorship{}, nil, fieldError(ENOTFOUND, "sectorCode", "sectorCode: no sector %q", t.SectorCode)
	}
	for _, p := range []struct {
		field string
		p     *Province
	}{{"tutorCode", f.Tutor}, {"tutoredCode", f.Tutored}} {
		from, ok := ProgrammeJoined(*p.p)
		switch {
		case !ok:
			return Tutorship{}, nil, Invalidf(p.field, "%s: %s (%s) is a %s: not one of the programme's Provinces", p.field, p.p.Code, p.p.Name, p.p.Kind)
		case t.Since.Before(from):
			return Tutorship{}, nil, Invalidf(p.field, "%s: %s (%s) takes part in the programme from %s, not on %s", p.field, p.p.Code, p.p.Name, from, t.Since)
		}
	}
	for _, e := range f.Existing {
		if e.Until.IsZero() {
			return Tutorship{}, nil, fieldError(ECONFLICT, "tutoredCode", "tutoredCode: %s already tutors %s in %s, since %s: end that tutorship first",
				t.TutorCode, t.TutoredCode, t.SectorCode, e.Since)
		}
	}
	for _, e := range f.Existing {
		if e.Until.After(t.Since) {
			return Tutorship{}, nil, fieldError(ECONFLICT, "since", "since: %s tutored %s in %s from %s to %s, which overlaps a tutorship from %s",
				t.TutorCode, t.TutoredCode, t.SectorCode, e.Since, e.Until, t.Since)
		}
	}
	return t, []Change{{
		Entity: EntityTutorship, EntityID: t.Key().EntityID(), Action: ActionAssign,
		Summary: fmt.Sprintf("assigned from %s at step %d", t.Since, t.Step),
	}}, nil
}

// ValidateTutorshipKey checks a tutorship key: "tutorCode" and
// "tutoredCode" (Province codes), "sectorCode" and "since" (required).
func ValidateTutorshipKey(k TutorshipKey) error {
	if err := ValidateProvinceCode("tutorCode", k.TutorCode); err != nil {
		return err
	}
	if err := ValidateProvinceCode("tutoredCode", k.TutoredCode); err != nil {
		return err
	}
	if err := validateRef("sectorCode", k.SectorCode); err != nil {
		return err
	}
	if k.Since.IsZero() {
		return Invalidf("since", "since: a date is required")
	}
	return nil
}

// PlanTutorAdvance returns the tutorship at its new step and the audit
// entry (action "advance", summary "step 1 → 2"). current is the stored
// tutorship with key k, nil when there is none (ENOTFOUND, no field).
// step must lie in 1..MaxTutorshipStep (EINVALID "step"); the tutorship
// must be open (ECONFLICT, no field) and step after the current one
// (ECONFLICT "step"): the current step is a conflict too, as the schema
// promises "a later step".
func PlanTutorAdvance(k TutorshipKey, current *Tutorship, step int) (Tutorship, []Change, error) {
	if err := ValidateTutorshipKey(k); err != nil {
		return Tutorship{}, nil, err
	}
	if err := validateStep("step", step); err != nil {
		return Tutorship{}, nil, err
	}
	if current == nil {
		return Tutorship{}, nil, Errorf(ENOTFOUND, "no tutorship %s", k)
	}
	switch {
	case !current.Until.IsZero():
		return Tutorship{}, nil, Errorf(ECONFLICT, "tutorship %s ended on %s: only open tutorships advance", k, current.Until)
	case step <= current.Step:
		return Tutorship{}, nil, fieldError(ECONFLICT, "step", "step: steps only go forward, to a step after the current one: %d → %d is not allowed", current.Step, step)
	}
	next := *current
	next.Step = step
	return next, []Change{{
		Entity: EntityTutorship, EntityID: k.EntityID(), Action: ActionAdvance,
		Summary: fmt.Sprintf("step %d → %d", current.Step, step),
	}}, nil
}

// PlanTutorEnd returns the tutorship ended on until and the audit entry
// (action "end"). current is the stored tutorship with key k, nil when
// there is none (ENOTFOUND, no field). until is required and after the
// tutorship's start (EINVALID "until"). A tutorship already ended on until
// is no change (a retry); one ended on another day is ECONFLICT "until".
func PlanTutorEnd(k TutorshipKey, current *Tutorship, until Date) (Tutorship, []Change, error) {
	if err := ValidateTutorshipKey(k); err != nil {
		return Tutorship{}, nil, err
	}
	if until.IsZero() {
		return Tutorship{}, nil, Invalidf("until", "until: a date is required")
	}
	if current == nil {
		return Tutorship{}, nil, Errorf(ENOTFOUND, "no tutorship %s", k)
	}
	switch {
	case current.Until == until:
		return *current, nil, nil
	case !current.Until.IsZero():
		return Tutorship{}, nil, fieldError(ECONFLICT, "until", "until: tutorship %s ended already, on %s", k, current.Until)
	case !until.After(current.Since):
		return Tutorship{}, nil, Invalidf("until", "until: %s is not after the tutorship began, on %s", until, current.Since)
	}
	next := *current
	next.Until = until
	return next, []Change{{
		Entity: EntityTutorship, EntityID: k.EntityID(), Action: ActionEnd,
		Summary: fmt.Sprintf("ended on %s at step %d", until, current.Step),
	}}, nil
}

// SicilySardiniaJoined is the day the Provinces of Sicily and Sardinia
// joined "Province & Comuni" (shared/domain.md: "since 2024").
var SicilySardiniaJoined = NewDate(2024, time.January, 1)

// ProgrammeJoined says whether a Province takes part in the "Province &
// Comuni" programme and from when (zero: from its start). The programme
// is for the 76 Provinces of the ordinary-statute regions (Kind PROVINCE
// outside Sardinia) and, since 2024, the 10 Provinces of Sicily (its free
// consortia) and Sardinia; metropolitan cities, the autonomous Provinces,
// Friuli-Venezia Giulia's units and Valle d'Aosta don't take part, so they
// neither tutor nor are tutored.
func ProgrammeJoined(p Province) (Date, bool) {
	switch {
	case p.Kind == KindFreeConsortium, p.Kind == KindProvince && p.RegionCode == RegionSardinia:
		return SicilySardiniaJoined, true
	case p.Kind == KindProvince:
		return Date{}, true
	}
	return Date{}, false
}

// RegionSardinia is Sardegna's ISTAT region code.
const RegionSardinia = "20"

// ---- Project works ----

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
	if err := validateNewID("id", w.ID); err != nil {
		return err
	}
	if err := ValidateProvinceCode("provinceCode", w.ProvinceCode); err != nil {
		return err
	}
	if err := validateRef("areaCode", w.AreaCode); err != nil {
		return err
	}
	if err := validateName("title", w.Title); err != nil {
		return err
	}
	if !slices.Contains(Maturities, w.Maturity) {
		return Invalidf("maturity", "maturity: %q is not a maturity: one of %s expected", w.Maturity, joinValues(Maturities))
	}
	if err := validateStep("step", w.Step); err != nil {
		return err
	}
	if err := validateRange("year", w.Year, MinProjectWorkYear, MaxProjectWorkYear); err != nil {
		return err
	}
	if w.ServiceID != "" {
		return validateRef("serviceId", w.ServiceID)
	}
	return nil
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

// ---- Audit trail ----

// StampChanges fills in the Seq (lastSeq+1, lastSeq+2, ...), At (at in UTC,
// to the millisecond) and Actor (the Subject of ctx's actor, "" when ctx
// carries none) of a write's audit entries, in place, and returns the last
// Seq. All entries of one write share At.
func StampChanges(ctx context.Context, changes []Change, lastSeq int64, at time.Time) int64 {
	actor, _ := ActorFrom(ctx)
	at = at.UTC().Truncate(time.Millisecond)
	for i := range changes {
		lastSeq++
		changes[i].Seq, changes[i].At, changes[i].Actor = lastSeq, at, actor.Subject
	}
	return lastSeq
}

// ValidateChangeFilter checks an audit query: "entity" (empty or one of
// Entities), "afterSeq" and "limit" (not negative).
func ValidateChangeFilter(f ChangeFilter) error {
	if f.Entity != "" && !slices.Contains(Entities, f.Entity) {
		return Invalidf("entity", "entity: %q is not an entity: one of %s expected", f.Entity, strings.Join(Entities, ", "))
	}
	if f.AfterSeq < 0 {
		return Invalidf("afterSeq", "afterSeq: %d is negative", f.AfterSeq)
	}
	if f.Limit < 0 {
		return Invalidf("limit", "limit: %d is negative", f.Limit)
	}
	return nil
}

// Match reports whether f selects c (Limit aside): At at or after Since,
// the Entity and EntityID when given, and Seq after AfterSeq.
func (f ChangeFilter) Match(c Change) bool {
	return (f.Since.IsZero() || !c.At.Before(f.Since)) &&
		(f.Entity == "" || c.Entity == f.Entity) &&
		(f.EntityID == "" || c.EntityID == f.EntityID) &&
		c.Seq > f.AfterSeq
}

// ---- Field checks ----

func validateNewID(field, id string) error {
	switch {
	case id == "":
		return Invalidf(field, "%s: an ID is required", field)
	case len(id) > MaxIDLength:
		return Invalidf(field, "%s: %d characters: at most %d", field, len(id), MaxIDLength)
	case !idRE.MatchString(id):
		return Invalidf(field, "%s: %q is not an ID: letters, digits, '.', '_' and '-' expected, such as \"svc-108-staff-training\"", field, id)
	}
	return nil
}

// validateRef checks a reference to an item by ID or code: required and at
// most MaxIDLength. Whether it exists is for the plans to say.
func validateRef(field, ref string) error {
	switch {
	case ref == "":
		return Invalidf(field, "%s: required", field)
	case len(ref) > MaxIDLength:
		return Invalidf(field, "%s: %d characters: at most %d", field, len(ref), MaxIDLength)
	}
	return nil
}

func validateName(field, name string) error {
	name = strings.TrimSpace(name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return Invalidf(field, "%s: must not be blank", field)
	case n > MaxNameLength:
		return Invalidf(field, "%s: %d characters: at most %d", field, n, MaxNameLength)
	case !utf8.ValidString(name):
		return Invalidf(field, "%s: not valid UTF-8", field)
	}
	return nil
}

func validateDescription(field, d string) error {
	switch n := utf8.RuneCountInString(strings.TrimSpace(d)); {
	case n > MaxDescriptionLength:
		return Invalidf(field, "%s: %d characters: at most %d", field, n, MaxDescriptionLength)
	case !utf8.ValidString(d):
		return Invalidf(field, "%s: not valid UTF-8", field)
	}
	return nil
}

func validateStatus(field string, s ServiceStatus) error {
	if !slices.Contains(ServiceStatuses, s) {
		return Invalidf(field, "%s: %q is not a service status: one of %s expected", field, s, joinValues(ServiceStatuses))
	}
	return nil
}

func validateStep(field string, step int) error {
	return validateRange(field, step, 1, MaxTutorshipStep)
}
