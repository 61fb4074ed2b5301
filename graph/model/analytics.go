package model

import (
	"math"
	"slices"

	"pcnet/internal/pcnet"
)

// The types below carry the answers of pcnet.Analytics to GraphQL. They hold
// codes, not objects: the Provinces, sectors and services they name are
// resolved through the request's dataloaders, so a list of a hundred rows
// costs one lookup per relation, not one per row.

// Peer is a Province sharing a tutor with another in a sector.
type Peer struct {
	ProvinceCode string
	TutorCode    string
	SectorCode   string
}

// TutorPath is a shortest tutorship path between two Provinces.
type TutorPath struct {
	ProvinceCodes []string
	Links         []TutorPathLink
	Length        int
}

// TutorPathLink is one step of a TutorPath.
type TutorPathLink struct {
	FromCode   string
	ToCode     string
	Tutorships []pcnet.Tutorship
}

// NewTutorPath turns the store's path into its GraphQL form.
func NewTutorPath(p pcnet.TutorPath) *TutorPath {
	out := &TutorPath{ProvinceCodes: p.ProvinceCodes, Links: []TutorPathLink{}, Length: max(len(p.ProvinceCodes)-1, 0)}
	for i, ts := range p.Links {
		if i+1 >= len(p.ProvinceCodes) {
			break // a malformed path; the length above stays consistent with the Provinces
		}
		if ts == nil {
			ts = []pcnet.Tutorship{}
		}
		out.Links = append(out.Links, TutorPathLink{FromCode: p.ProvinceCodes[i], ToCode: p.ProvinceCodes[i+1], Tutorships: ts})
	}
	return out
}

// TutorNetwork is a sector's tutorships shaped as a graph.
type TutorNetwork struct {
	SectorCode string
	Nodes      []TutorNode
	Edges      []pcnet.Tutorship
}

// TutorNode is a Province of a TutorNetwork.
type TutorNode struct {
	ProvinceCode string
	Role         TutorRole
	TutoredCount int
	TutorCount   int
}

// NewTutorNetwork builds the network of a sector from its tutorships (in
// store order): one node per Province taking part, ordered by code.
func NewTutorNetwork(sector string, tutorships []pcnet.Tutorship) *TutorNetwork {
	tutored := make(map[string]map[string]bool) // tutor → the Provinces it tutors
	tutors := make(map[string]map[string]bool)  // tutored → its tutors
	add := func(m map[string]map[string]bool, k, v string) {
		if m[k] == nil {
			m[k] = make(map[string]bool)
		}
		m[k][v] = true
	}
	var codes []string
	seen := make(map[string]bool)
	for _, t := range tutorships {
		add(tutored, t.TutorCode, t.TutoredCode)
		add(tutors, t.TutoredCode, t.TutorCode)
		for _, c := range []string{t.TutorCode, t.TutoredCode} {
			if !seen[c] {
				seen[c] = true
				codes = append(codes, c)
			}
		}
	}
	slices.Sort(codes)
	nodes := make([]TutorNode, len(codes))
	for i, c := range codes {
		n := TutorNode{ProvinceCode: c, TutoredCount: len(tutored[c]), TutorCount: len(tutors[c])}
		switch {
		case n.TutoredCount > 0 && n.TutorCount > 0:
			n.Role = TutorRoleBoth
		case n.TutoredCount > 0:
			n.Role = TutorRoleTutor
		default:
			n.Role = TutorRoleTutored
		}
		nodes[i] = n
	}
	if tutorships == nil {
		tutorships = []pcnet.Tutorship{}
	}
	return &TutorNetwork{SectorCode: sector, Nodes: nodes, Edges: tutorships}
}

// Group is a group of a breakdown: a region, Province, sector or area.
// Its name is resolved from the code.
type Group struct {
	Kind GroupKind
	Code string
}

// Reach is what a reach row and a timeline point both say: the Comuni
// covered and the base they are a share of.
type Reach struct {
	Covered          pcnet.ComuneSummary
	Base             pcnet.ComuneSummary
	ComuniShare      float64
	InhabitantsShare float64
	SmallComuniShare float64
	Services         int
}

// ReachRow is a pcnet.ReachRow with its shares computed.
type ReachRow struct {
	Group *Group // nil for a TOTAL row
	Reach
}

// NewReachRow turns the store's row of a query grouped by g into its
// GraphQL form.
func NewReachRow(r pcnet.ReachRow, g pcnet.ReachGrouping) ReachRow {
	out := ReachRow{Reach: Reach{
		Covered:          r.Covered,
		Base:             r.Base,
		ComuniShare:      Share(r.Covered.Comuni, r.Base.Comuni),
		InhabitantsShare: Share(r.Covered.Inhabitants, r.Base.Inhabitants),
		SmallComuniShare: Share(r.Covered.SmallComuni, r.Base.SmallComuni),
		Services:         r.Services,
	}}
	if g != pcnet.ReachTotal {
		out.Group = &Group{Kind: GroupKind(g), Code: r.GroupCode}
	}
	return out
}

// TimelinePoint is the total reach of a selection on one date.
type TimelinePoint struct {
	Date pcnet.Date
	Reach
}

// NewTimelinePoint turns the TOTAL row of a reach on date into a point.
func NewTimelinePoint(date pcnet.Date, r pcnet.ReachRow) TimelinePoint {
	return TimelinePoint{Date: date, Reach: NewReachRow(r, pcnet.ReachTotal).Reach}
}

// Share returns part/whole rounded to 4 decimals, or 0 when whole is 0.
// Rounding here, once, makes both stores print the same JSON: the raw
// quotient's last digits would otherwise show float noise.
func Share(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return math.Round(float64(part)/float64(whole)*1e4) / 1e4
}

// CoverageGapConnection is a page of uncovered Comuni with the filters its
// totals are computed from: the totals are resolved only when asked for,
// batched into one store call.
type CoverageGapConnection struct {
	ComuneConnection
	UncoveredFilter pcnet.ComuneFilter
	TerritoryFilter pcnet.ComuneFilter
}

// ProviderDistance is a providing Province at a distance from a Comune.
type ProviderDistance struct {
	pcnet.ProviderDistance
}

// ProjectWorkCount counts the project works of a group at a maturity and
// step.
type ProjectWorkCount struct {
	Group    Group
	Maturity pcnet.Maturity
	Step     int
	Count    int
}
