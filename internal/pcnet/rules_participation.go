package pcnet

import "time"

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
