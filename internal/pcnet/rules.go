package pcnet

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
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
	// ActionException: an admin let a non-participating Province act.
	ActionException = "exception"
	// ActionImport: a dataset imported (ImportChange).
	ActionImport = "import"
)

// Entities lists every Entity* name.
var Entities = []string{EntityService, EntityCoverage, EntityTutorship, EntityProjectWork, EntityParticipation, EntityImport,
	EntityProjectWorkSection, EntityRolloutPlan, EntityMaterial}

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

func validateNewID(field, id string) error {
	return firstError(when(id == "", Invalidf(field, "%s: an ID is required", field)), validateRef(field, id),
		when(!idRE.MatchString(id), Invalidf(field, "%s: %q is not an ID: letters, digits, '.', '_' and '-' expected, such as \"svc-108-staff-training\"", field, id)))
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
	return validateEnum(field, "a service status", s, ServiceStatuses)
}

// The input rules check every field in order and report the first problem
// (see above). They are written as one firstError of the fields' checks;
// the checks are pure and cheap, so computing them all costs nothing that
// matters and none can fail because an earlier one did.

// firstError returns the first of errs that is not nil.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// when returns err if cond holds: a check that applies only sometimes.
func when(cond bool, err error) error {
	if cond {
		return err
	}
	return nil
}

// ifSet checks an optional field of an update with validate when it is given.
func ifSet[T any](field string, v *T, validate func(field string, v T) error) error {
	if v == nil {
		return nil
	}
	return validate(field, *v)
}

// optionalRef checks an optional reference when it is given.
func optionalRef(field, ref string) error {
	return when(ref != "", validateRef(field, ref))
}

// requiredDate is the rule of a required date.
func requiredDate(field string, d Date) error {
	return when(d.IsZero(), Invalidf(field, "%s: a date is required", field))
}

// validateEnum checks that v is one of values; what names the kind of
// value with its article ("a phase").
func validateEnum[T ~string](field, what string, v T, values []T) error {
	return when(!slices.Contains(values, v), Invalidf(field, "%s: %q is not %s: one of %s expected", field, v, what, joinValues(values)))
}

func validateStep(field string, step int) error {
	return validateRange(field, step, 1, MaxTutorshipStep)
}
