package pcnet

import (
	"slices"
	"strings"
)

// This file validates the input of Analytics queries for the GraphQL layer.
// Stores assume validated input, so every rule that protects a store (depth
// and size limits, a date to measure on) lives here. Each error is an
// EINVALID *Error naming the input field at fault; the field names are the
// GraphQL argument names ("root", "depth", "from", "asOf", ...).

// Limits of analytics queries.
const (
	// MaxTimelinePoints bounds the dates of one timeline, so a timeline is
	// one batch of at most this many reach queries.
	MaxTimelinePoints = 240
	// MaxNearestLimit bounds NearestQuery.Limit.
	MaxNearestLimit = 50
)

// Timeline intervals accepted by TimelineDates.
const (
	IntervalMonth   = "MONTH"
	IntervalQuarter = "QUARTER"
	IntervalYear    = "YEAR"
)

// ReachGroupings lists every ReachGrouping.
var ReachGroupings = []ReachGrouping{ReachTotal, ReachByRegion, ReachByProvince, ReachBySector, ReachByArea}

// ProjectWorkGroupings lists every ProjectWorkGrouping.
var ProjectWorkGroupings = []ProjectWorkGrouping{ProjectWorksBySector, ProjectWorksByRegion}

// ValidatePeerQuery checks a peer query: the Province code ("province").
// An empty SectorCode is valid: peers then share a tutor in any one sector.
func ValidatePeerQuery(q PeerQuery) error {
	return ValidateProvinceCode("province", q.ProvinceCode)
}

// ValidateTutorLinkQuery checks a tutor walk: the root Province code
// ("root"), the direction ("direction") and the depth, 1..MaxTutorDepth
// ("depth").
func ValidateTutorLinkQuery(q TutorLinkQuery) error {
	if err := ValidateProvinceCode("root", q.Root); err != nil {
		return err
	}
	if q.Direction != TutorDown && q.Direction != TutorUp {
		return Invalidf("direction", "direction: %q is not a direction: %s or %s expected", q.Direction, TutorDown, TutorUp)
	}
	return validateRange("depth", q.MaxDepth, 1, MaxTutorDepth)
}

// ValidateTutorPathQuery checks the two ends of a tutor path ("from", "to").
func ValidateTutorPathQuery(q TutorPathQuery) error {
	if err := ValidateProvinceCode("from", q.FromCode); err != nil {
		return err
	}
	return ValidateProvinceCode("to", q.ToCode)
}

// ValidateReachQuery checks a reach query: the grouping ("groupBy"), the
// date ("asOf", required) and the codes of the service filter
// ("services.providerCodes", "services.regionCodes", "services.statuses").
// Unknown sector and area codes are left to ValidateSectorCode and
// ValidateAreaCode, which need the taxonomy.
func ValidateReachQuery(q ReachQuery) error {
	if !slices.Contains(ReachGroupings, q.GroupBy) {
		return Invalidf("groupBy", "groupBy: %q is not a grouping: one of %s expected", q.GroupBy, joinValues(ReachGroupings))
	}
	if q.AsOf.IsZero() {
		return Invalidf("asOf", "asOf: a date is required")
	}
	for _, code := range q.Services.ProviderCodes {
		if err := ValidateProvinceCode("services.providerCodes", code); err != nil {
			return err
		}
	}
	for _, code := range q.Services.RegionCodes {
		if err := ValidateRegionCode("services.regionCodes", code); err != nil {
			return err
		}
	}
	for _, s := range q.Services.Statuses {
		if !slices.Contains(ServiceStatuses, s) {
			return Invalidf("services.statuses", "services.statuses: %q is not a service status: one of %s expected", s, joinValues(ServiceStatuses))
		}
	}
	return nil
}

// ValidateNearestQuery checks a nearest-providers query: the Comune code
// ("comune"), exactly one of sector and area ("sector") and the limit,
// 1..MaxNearestLimit ("limit").
func ValidateNearestQuery(q NearestQuery) error {
	if err := ValidateComuneCode("comune", q.ComuneCode); err != nil {
		return err
	}
	if (q.SectorCode == "") == (q.AreaCode == "") {
		return Invalidf("sector", "sector: give exactly one of sector and area")
	}
	return validateRange("limit", q.Limit, 1, MaxNearestLimit)
}

// ValidateParticipationShareQuery checks a participation-share query:
// the sector ("sector", required; whether it exists is left to
// ValidateSectorCode, which needs the taxonomy), the region code
// ("region", two digits when given) and the date ("asOf", required: the
// GraphQL layer defaults it to today).
func ValidateParticipationShareQuery(q ParticipationShareQuery) error {
	if q.SectorCode == "" {
		return Invalidf("sector", "sector: a sector code is required")
	}
	if q.RegionCode != "" {
		if err := ValidateRegionCode("region", q.RegionCode); err != nil {
			return err
		}
	}
	if q.AsOf.IsZero() {
		return Invalidf("asOf", "asOf: a date is required")
	}
	return nil
}

// ValidateProjectWorkGrouping checks a project-work grouping; field names
// the input.
func ValidateProjectWorkGrouping(field string, by ProjectWorkGrouping) error {
	if !slices.Contains(ProjectWorkGroupings, by) {
		return Invalidf(field, "%s: %q is not a grouping: one of %s expected", field, by, joinValues(ProjectWorkGroupings))
	}
	return nil
}

// ValidateSectorCode checks that code is one of the sectors of the
// taxonomy; field names the input. Stores answer unknown codes with
// nothing, which for an analytics question is more likely a typo than an
// answer, so the GraphQL layer rejects them with this.
func ValidateSectorCode(field, code string, sectors []Sector) error {
	known := make([]string, 0, len(sectors))
	for _, s := range sectors {
		if s.Code == code {
			return nil
		}
		known = append(known, s.Code)
	}
	return unknownCode(field, "sector", code, known)
}

// ValidateAreaCode checks that code is an area of some sector of the
// taxonomy; field names the input.
func ValidateAreaCode(field, code string, sectors []Sector) error {
	var known []string
	for _, s := range sectors {
		for _, a := range s.Areas {
			if a.Code == code {
				return nil
			}
			known = append(known, a.Code)
		}
	}
	return unknownCode(field, "area", code, known)
}

func unknownCode(field, what, code string, known []string) error {
	slices.Sort(known)
	if len(known) == 0 {
		return Invalidf(field, "%s: unknown %s %q: there are none", field, what, code)
	}
	return Invalidf(field, "%s: unknown %s %q: one of %s expected", field, what, code, joinValues(known))
}

// TimelineDates returns the dates of a timeline: from, then from plus one
// interval (MONTH, QUARTER or YEAR), plus two, ... while the date is not
// after to. Each date is from moved by a whole number of intervals (day
// clamped to the month's end, see Date.AddMonths), so a timeline from
// January 31 keeps to month ends. Errors name "from" (missing, or after
// to), "to" (missing) or "interval" (unknown, or more than
// MaxTimelinePoints dates).
func TimelineDates(from, to Date, interval string) ([]Date, error) {
	var months int
	switch interval {
	case IntervalMonth:
		months = 1
	case IntervalQuarter:
		months = 3
	case IntervalYear:
		months = 12
	default:
		return nil, Invalidf("interval", "interval: %q is not an interval: %q, %q or %q expected", interval, IntervalMonth, IntervalQuarter, IntervalYear)
	}
	switch {
	case from.IsZero():
		return nil, Invalidf("from", "from: a date is required")
	case to.IsZero():
		return nil, Invalidf("to", "to: a date is required")
	case from.After(to):
		return nil, Invalidf("from", "from: %s is after to (%s)", from, to)
	}
	// Count the steps before building anything, so that a range of
	// centuries costs no more than a short one.
	span := (to.Year-from.Year)*12 + int(to.Month) - int(from.Month)
	steps := span / months
	if from.AddMonths(steps * months).After(to) {
		steps--
	}
	if n := steps + 1; n > MaxTimelinePoints {
		return nil, Invalidf("interval", "interval: a timeline has at most %d dates, %s to %s by %s has %d: shorten the range or use a longer interval", MaxTimelinePoints, from, to, interval, n)
	}
	dates := make([]Date, steps+1)
	for i := range dates {
		dates[i] = from.AddMonths(i * months)
	}
	return dates, nil
}

// validateRange checks that n lies in least..most.
func validateRange(field string, n, least, most int) error {
	switch {
	case n < least:
		return Invalidf(field, "%s: at least %d, got %d", field, least, n)
	case n > most:
		return Invalidf(field, "%s: at most %d, got %d", field, most, n)
	}
	return nil
}

func joinValues[T ~string](values []T) string {
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(v))
	}
	return b.String()
}
