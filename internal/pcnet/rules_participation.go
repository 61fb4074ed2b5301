package pcnet

import (
	"fmt"
	"strings"
	"time"
)

// Who takes part in the programme, and since when: the rule tutorship and
// service writes check.

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

// DefaultParticipations seeds the participation records from
// ProgrammeJoined: one open participation per programme Province and
// sector, from its join day (zero join days become programmeStart). The
// records, not ProgrammeJoined, are the one source the write rules read.
func DefaultParticipations(provinces []Province, sectorCodes []string, programmeStart Date) []Participation {
	var out []Participation
	for _, p := range provinces {
		from, ok := ProgrammeJoined(p)
		if !ok {
			continue
		}
		if from.IsZero() {
			from = programmeStart
		}
		for _, s := range sectorCodes {
			out = append(out, Participation{ProvinceCode: p.Code, SectorCode: s, Since: from})
		}
	}
	return out
}

// ParticipationException is an admin's recorded exception: the Province
// may tutor, provide or act in the sector although it doesn't take part
// (or not yet) on the day of the write. Reason is required and audited.
type ParticipationException struct {
	ProvinceCode string
	SectorCode   string
	Reason       string
}

// ParticipationFacts are what CheckParticipation needs to know of the
// store: the participation records and exceptions of one Province in one
// sector, in any order.
type ParticipationFacts struct {
	Participations []Participation
	Exceptions     []ParticipationException
}

// CheckParticipation is the one participation rule of writes: Province p
// must take part in sector on day (a participation record active on day),
// unless an admin recorded an exception for p and sector. Otherwise
// EINVALID naming field: "takes part from X, not on day" when it joins
// later, "doesn't take part in sector" when no record covers the day.
func CheckParticipation(field string, p Province, sector string, day Date, f ParticipationFacts) error {
	for _, e := range f.Exceptions {
		if e.ProvinceCode == p.Code && e.SectorCode == sector {
			return nil
		}
	}
	var later *Participation
	for i, r := range f.Participations {
		if r.ProvinceCode != p.Code || r.SectorCode != sector {
			continue
		}
		if r.Period().ActiveOn(day) {
			return nil
		}
		if r.Since.After(day) && (later == nil || r.Since.Before(later.Since)) {
			later = &f.Participations[i]
		}
	}
	if later != nil {
		return Invalidf(field, "%s: %s (%s) takes part in %s from %s, not on %s", field, p.Code, p.Name, sector, later.Since, day)
	}
	return Invalidf(field, "%s: %s (%s) doesn't take part in %s on %s", field, p.Code, p.Name, sector, day)
}

// of returns the facts of p in sector: f's records of p in sector, or the
// ProgrammeJoined default when f holds none (nil f, or never recorded),
// with f's exceptions.
func (f *ParticipationFacts) of(p Province, sector string) ParticipationFacts {
	var facts ParticipationFacts
	if f != nil {
		facts.Exceptions = f.Exceptions
		for _, r := range f.Participations {
			if r.ProvinceCode == p.Code && r.SectorCode == sector {
				facts.Participations = append(facts.Participations, r)
			}
		}
	}
	if len(facts.Participations) == 0 {
		facts.Participations = DefaultParticipations([]Province{p}, []string{sector}, Date{})
	}
	return facts
}

// ProviderParticipation is what the participation rule needs to know of a
// service's provider: a Province provides a service only while it takes
// part in the sector of the service's area (issue 13).
type ProviderParticipation struct {
	Provider *Province // the provider Province; nil when it doesn't exist
	Sector   string    // the sector of the service's area; "" when the area doesn't exist
	// Facts are the provider's participation records and exceptions in
	// Sector; nil when the store keeps no records (ProgrammeJoined applies).
	Facts *ParticipationFacts
}

// check is CheckParticipation for the provider on day, naming field. A
// provider that is gone (retired from the ISTAT list) provides nothing
// new: ENOTFOUND on field. A store that didn't read the sector is an
// internal error, so a write can never skip the rule.
func (pp ProviderParticipation) check(field string, day Date) error {
	switch {
	case pp.Provider == nil:
		return fieldError(ENOTFOUND, field, "%s: the service's provider Province no longer exists", field)
	case pp.Sector == "":
		return Errorf(EINTERNAL, "the store gave no sector for the participation rule")
	}
	return CheckParticipation(field, *pp.Provider, pp.Sector, day, pp.Facts.of(*pp.Provider, pp.Sector))
}

// ValidateParticipation checks the input of RecordParticipation:
// "provinceCode" (a Province code), "sectorCode" (required), "since"
// (required) and "until" (empty or after since).
func ValidateParticipation(p Participation) error {
	return firstError(ValidateProvinceCode("provinceCode", p.ProvinceCode), validateRef("sectorCode", p.SectorCode), requiredDate("since", p.Since),
		when(!p.Until.IsZero() && !p.Until.After(p.Since), Invalidf("until", "until: %s is not after since %s", p.Until, p.Since)))
}

// PlanParticipationRecord returns the participation to record and its
// audit entry (entity "participation", action "create"). existing are the
// Province's participations in the same sector; a period overlapping one
// of them is ECONFLICT "since", so the records never overlap.
func PlanParticipationRecord(p Participation, provinceFound, sectorFound bool, existing []Participation) (Participation, []Change, error) {
	if err := ValidateParticipation(p); err != nil {
		return Participation{}, nil, err
	}
	switch {
	case !provinceFound:
		return Participation{}, nil, fieldError(ENOTFOUND, "provinceCode", "provinceCode: no Province %s", p.ProvinceCode)
	case !sectorFound:
		return Participation{}, nil, fieldError(ENOTFOUND, "sectorCode", "sectorCode: no sector %q", p.SectorCode)
	}
	for _, e := range existing {
		if periodsOverlap(p.Period(), e.Period()) {
			return Participation{}, nil, fieldError(ECONFLICT, "since", "since: %s already takes part in %s from %s", p.ProvinceCode, p.SectorCode, e.Since)
		}
	}
	return p, []Change{{
		Entity: EntityParticipation, EntityID: participationEntityID(p), Action: ActionCreate,
		Summary: fmt.Sprintf("takes part from %s", p.Since),
	}}, nil
}

// PlanParticipationEnd returns the participation ended on until and its
// audit entry (action "end"). records are the Province's stored records in
// the sector; the open one (no until) is ended, ENOTFOUND when there is
// none; until must be after its start (EINVALID "until").
func PlanParticipationEnd(records []Participation, until Date) (Participation, []Change, error) {
	var current *Participation
	for i := range records {
		if records[i].Until.IsZero() {
			current = &records[i]
		}
	}
	if current == nil {
		return Participation{}, nil, Errorf(ENOTFOUND, "no open participation")
	}
	if until.IsZero() || !until.After(current.Since) {
		return Participation{}, nil, Invalidf("until", "until: %s is not after since %s", until, current.Since)
	}
	p := *current
	p.Until = until
	return p, []Change{{
		Entity: EntityParticipation, EntityID: participationEntityID(p), Action: ActionEnd,
		Summary: fmt.Sprintf("ended on %s", until),
	}}, nil
}

// PlanParticipationException returns the exception to record and its
// audit entry (action "exception"): the Province and sector must exist
// (ENOTFOUND) and the reason must not be blank (EINVALID "reason"), so an
// exception always says why.
func PlanParticipationException(e ParticipationException, provinceFound, sectorFound bool) (ParticipationException, []Change, error) {
	if err := ValidateProvinceCode("provinceCode", e.ProvinceCode); err != nil {
		return ParticipationException{}, nil, err
	}
	if err := validateRef("sectorCode", e.SectorCode); err != nil {
		return ParticipationException{}, nil, err
	}
	e.Reason = strings.TrimSpace(e.Reason)
	if e.Reason == "" {
		return ParticipationException{}, nil, Invalidf("reason", "reason: an exception must say why")
	}
	switch {
	case !provinceFound:
		return ParticipationException{}, nil, fieldError(ENOTFOUND, "provinceCode", "provinceCode: no Province %s", e.ProvinceCode)
	case !sectorFound:
		return ParticipationException{}, nil, fieldError(ENOTFOUND, "sectorCode", "sectorCode: no sector %q", e.SectorCode)
	}
	return e, []Change{{
		Entity: EntityParticipation, EntityID: e.ProvinceCode + ":" + e.SectorCode, Action: ActionException,
		Summary: "exception: " + e.Reason,
	}}, nil
}

// periodsOverlap reports whether two half-open periods share a day.
func periodsOverlap(a, b Period) bool {
	aEndsAfterB := a.Until.IsZero() || a.Until.After(b.Since)
	bEndsAfterA := b.Until.IsZero() || b.Until.After(a.Since)
	return aEndsAfterB && bEndsAfterA
}

func participationEntityID(p Participation) string {
	return p.ProvinceCode + ":" + p.SectorCode + ":" + p.Since.String()
}
