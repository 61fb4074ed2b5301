package pcnet

import "strings"

// Globally unique identifiers of the entities, for the API's `id` fields:
// clients that normalise their cache by id (Apollo, Relay, urql's
// graphcache) need one that no two objects of any type share. Each is the
// type's name and its natural key, so it is stable and needs no lookup
// table; SharedService and ProjectWork have ids of their own already.

func globalID(typeName string, key ...string) string {
	return typeName + ":" + strings.Join(key, ":")
}

// ID is "Region:" and the code, e.g. "Region:03".
func (r Region) ID() string { return globalID("Region", r.Code) }

// ID is "Province:" and the code, e.g. "Province:108".
func (p Province) ID() string { return globalID("Province", p.Code) }

// ID is "Comune:" and the ISTAT code, e.g. "Comune:001272".
func (c Comune) ID() string { return globalID("Comune", c.Code) }

// ID is "Sector:" and the code, e.g. "Sector:personnel".
func (s Sector) ID() string { return globalID("Sector", s.Code) }

// ID is "Area:" and the code, e.g. "Area:staff-training".
func (a Area) ID() string { return globalID("Area", a.Code) }

// ID is "Coverage:", the service, the Comune and the start date: a service
// covers a Comune at most once from a given day.
func (c Coverage) ID() string {
	return globalID("Coverage", c.ServiceID, c.ComuneCode, c.Since.String())
}

// ID is "Tutorship:", the tutor, the tutored Province, the sector and the
// start date.
func (t Tutorship) ID() string {
	return globalID("Tutorship", t.TutorCode, t.TutoredCode, t.SectorCode, t.Since.String())
}
