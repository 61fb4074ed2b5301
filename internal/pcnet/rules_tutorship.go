package pcnet

import (
	"fmt"
	"slices"
)

// Rules of tutorship writes; the shared conventions are in rules.go.

// TutorshipFacts are what PlanTutorAssign needs to know of the store.
type TutorshipFacts struct {
	Tutor       *Province // the tutor Province; nil when it doesn't exist
	Tutored     *Province // the tutored Province; nil when it doesn't exist
	SectorFound bool      // the sector exists
	// Existing are all the tutorships between the same tutor and tutored
	// Provinces in the same sector, of any period, in any order.
	Existing []Tutorship
	// Participation holds the participation records and exceptions of
	// both Provinces in the sector; nil until a store keeps records, when
	// the records seeded by ProgrammeJoined apply.
	Participation *ParticipationFacts
}

// ValidateTutorship checks the input of AssignTutor: "tutorCode" and
// "tutoredCode" (Province codes, not the same: a Province can't tutor
// itself), "sectorCode" (required), "since" (required), "until" (must be
// empty: a new tutorship is open) and "step" (0, meaning 1, or 1 to
// MaxTutorshipStep).
func ValidateTutorship(t Tutorship) error {
	return firstError(ValidateProvinceCode("tutorCode", t.TutorCode), ValidateProvinceCode("tutoredCode", t.TutoredCode),
		when(t.TutorCode == t.TutoredCode, Invalidf("tutoredCode", "tutoredCode: a Province can't tutor itself (%s)", t.TutorCode)),
		validateRef("sectorCode", t.SectorCode), requiredDate("since", t.Since),
		when(!t.Until.IsZero(), Invalidf("until", "until: a new tutorship is open; end it with EndTutorship")),
		when(t.Step != 0, validateStep("step", t.Step)))
}

// PlanTutorAssign returns the tutorship to create (step 1 unless given)
// and its audit entry (action "assign", EntityID TutorshipKey.EntityID).
//
// Checked, after the input: the tutor, tutored Province and sector exist
// (ENOTFOUND "tutorCode", "tutoredCode", "sectorCode"); both Provinces
// take part in the sector on since (CheckParticipation; EINVALID
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
		if err := CheckParticipation(p.field, *p.p, t.SectorCode, t.Since, f.Participation.of(*p.p, t.SectorCode)); err != nil {
			return Tutorship{}, nil, err
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
	return firstError(ValidateProvinceCode("tutorCode", k.TutorCode), ValidateProvinceCode("tutoredCode", k.TutoredCode),
		validateRef("sectorCode", k.SectorCode), requiredDate("since", k.Since))
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

// PlanTutorEnd returns the tutorship ended on until with its outcome and
// the audit entry (action "end"). current is the stored tutorship with key
// k, nil when there is none (ENOTFOUND, no field). until is required and
// after the tutorship's start (EINVALID "until"). outcome is COMPLETED or
// WITHDRAWN, COMPLETED only at step 3 (EINVALID "outcome"); "" is
// DefaultOutcome of the step reached. A tutorship already ended on until
// with the same outcome (or none given) is no change (a retry); one ended
// on another day is ECONFLICT "until", with another outcome ECONFLICT
// "outcome".
func PlanTutorEnd(k TutorshipKey, current *Tutorship, until Date, outcome TutorshipOutcome) (Tutorship, []Change, error) {
	if err := ValidateTutorshipKey(k); err != nil {
		return Tutorship{}, nil, err
	}
	if until.IsZero() {
		return Tutorship{}, nil, Invalidf("until", "until: a date is required")
	}
	if outcome != "" && !slices.Contains(TutorshipOutcomes, outcome) {
		return Tutorship{}, nil, Invalidf("outcome", "outcome: %q is not an outcome: one of %s expected", outcome, joinValues(TutorshipOutcomes))
	}
	if current == nil {
		return Tutorship{}, nil, Errorf(ENOTFOUND, "no tutorship %s", k)
	}
	if outcome == "" {
		outcome = DefaultOutcome(current.Step)
	}
	if err := checkOutcome(outcome, current.Step); err != nil {
		return Tutorship{}, nil, Invalidf("outcome", "outcome: %v", err)
	}
	switch {
	case current.Until == until && current.Result() == outcome:
		return *current, nil, nil
	case current.Until == until:
		return Tutorship{}, nil, fieldError(ECONFLICT, "outcome", "outcome: tutorship %s ended already, %s", k, current.Result())
	case !current.Until.IsZero():
		return Tutorship{}, nil, fieldError(ECONFLICT, "until", "until: tutorship %s ended already, on %s", k, current.Until)
	case !until.After(current.Since):
		return Tutorship{}, nil, Invalidf("until", "until: %s is not after the tutorship began, on %s", until, current.Since)
	}
	next := *current
	next.Until, next.Outcome = until, outcome
	return next, []Change{{
		Entity: EntityTutorship, EntityID: k.EntityID(), Action: ActionEnd,
		Summary: fmt.Sprintf("ended on %s at step %d, %s", until, current.Step, outcome),
	}}, nil
}
