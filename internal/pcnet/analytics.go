package pcnet

import (
	"context"
	"slices"
)

// Analytics answers the questions analysts and planners come for: peers and
// tutor paths, reach of services, rollout timelines, coverage gaps and
// project-work comparisons. Stores compute these where the data lives (in
// Cypher for Neo4j), never by loading the graph into the caller. Both stores
// must give identical answers: the conformance suite checks them.
//
// Like Store, Analytics assumes validated input: ValidateTutorLinkQuery and
// friends in this package do that for the GraphQL layer.
//
// Questions asked once per item of a list (the peers of every Province of
// a region, the nearest providers of every Comune of a page) take a batch
// of queries, as Reach does: the GraphQL layer sends a whole query level in
// one call, and result i answers queries[i]. An empty batch has no answers.
type Analytics interface {
	// Peers answers a batch of peer queries in one round trip: result i
	// is the Provinces accompanied by the same tutor as queries[i]'s
	// Province in its sector (excluding that Province itself), one row per
	// (peer, shared tutor), ordered by peer code then tutor code. A zero
	// ActiveOn considers tutorships of any date.
	Peers(ctx context.Context, queries []PeerQuery) ([][]Peer, error)

	// TutorLinks answers a batch of walks in one round trip: result i
	// walks tutorships from queries[i]'s Province downwards (the Provinces
	// it tutors, transitively) or upwards (its chain of tutors), breadth
	// first, up to MaxDepth. Each reached Province appears once, at its
	// smallest depth, with the neighbour one step closer to the root that
	// reaches it (the smallest code on ties). Ordered by depth, then
	// Province code. Cycles are harmless: the root itself is never
	// returned.
	TutorLinks(ctx context.Context, queries []TutorLinkQuery) ([][]TutorLink, error)

	// TutorPath returns a shortest path between two Provinces through
	// tutorships followed in either direction, optionally within one sector;
	// nil when there is none. Among several shortest paths it returns the one
	// whose sequence of Province codes is smallest. A path from a Province to
	// itself has one Province and no links.
	TutorPath(ctx context.Context, q TutorPathQuery) (*TutorPath, error)

	// Reach answers a batch of reach queries in one round trip: result i is
	// the rows of queries[i] (one row when GroupBy is ReachTotal).
	Reach(ctx context.Context, queries []ReachQuery) ([][]ReachRow, error)

	// ComuniSummaries answers a batch of summaries of Comuni matching
	// filters (counts and inhabitants), in one round trip.
	ComuniSummaries(ctx context.Context, filters []ComuneFilter) ([]ComuneSummary, error)

	// NearestProviders answers a batch of queries in one round trip:
	// result i is the Provinces that provide a service in queries[i]'s
	// sector or area, nearest first from its Comune, by great-circle
	// distance to the closest of the Province's capitals. Empty when the
	// Comune has no coordinates or does not exist.
	NearestProviders(ctx context.Context, queries []NearestQuery) ([][]ProviderDistance, error)

	// ProjectWorkCounts counts project works matching a filter, grouped by
	// a dimension, maturity and step; ordered by group, maturity (in
	// Maturities order) and step.
	ProjectWorkCounts(ctx context.Context, f ProjectWorkFilter, by ProjectWorkGrouping) ([]ProjectWorkCount, error)

	// ParticipationShare returns the Provinces taking part in a sector on
	// a day (a participation record of the sector active on AsOf) and the
	// share of the territory they represent: the territory is every
	// Province of the region (of Italy when RegionCode is ""), with their
	// Comuni, retired Comuni left out. Stores feed ShareOfTerritory with
	// one row per Province of the territory, so the sums are computed
	// once. An unknown region or sector gives an empty territory or no
	// participants, not an error.
	ParticipationShare(ctx context.Context, q ParticipationShareQuery) (ParticipationShare, error)
}

// PeerQuery selects the peers of a Province in a sector.
type PeerQuery struct {
	ProvinceCode string
	SectorCode   string
	ActiveOn     Date // zero: tutorships of any date
}

// Peer is a Province accompanied by the same tutor as the queried one.
type Peer struct {
	ProvinceCode string
	TutorCode    string
}

// TutorDirection says which way TutorLinks walks.
type TutorDirection string

const (
	TutorDown TutorDirection = "DOWN" // the Provinces tutored, transitively
	TutorUp   TutorDirection = "UP"   // the chain of tutors
)

// MaxTutorDepth bounds TutorLinks walks.
const MaxTutorDepth = 10

// TutorLinkQuery starts a walk from Province Root.
type TutorLinkQuery struct {
	Root       string
	Direction  TutorDirection
	SectorCode string // "" for every sector
	MaxDepth   int    // 1..MaxTutorDepth
}

// TutorLink is a Province reached by a walk.
type TutorLink struct {
	ProvinceCode string
	Depth        int    // 1 for direct neighbours of the root
	ViaCode      string // the Province one step closer to the root (the root for depth 1)
}

// TutorPathQuery asks for a shortest tutorship path.
type TutorPathQuery struct {
	FromCode   string
	ToCode     string
	SectorCode string // "" for every sector
}

// TutorPath is an ordered sequence of Provinces and the tutorships joining
// each consecutive pair.
type TutorPath struct {
	ProvinceCodes []string
	// Links[i] lists the tutorships between ProvinceCodes[i] and
	// ProvinceCodes[i+1], in either direction (in the sector, if one was
	// given), in Tutorships order.
	Links [][]Tutorship
}

// ReachGrouping is the breakdown of a reach query.
type ReachGrouping string

const (
	ReachTotal      ReachGrouping = "TOTAL"
	ReachByRegion   ReachGrouping = "REGION"
	ReachByProvince ReachGrouping = "PROVINCE"
	ReachBySector   ReachGrouping = "SECTOR"
	ReachByArea     ReachGrouping = "AREA"
)

// ReachQuery measures the Comuni covered, on AsOf, by the services a filter
// selects.
type ReachQuery struct {
	Services ServiceFilter
	AsOf     Date
	GroupBy  ReachGrouping
}

// ReachRow is the reach of a selection, or of one group of it.
//
// A Comune counts once however many selected services cover it. The base
// that shares are taken of is the group's territory: for PROVINCE rows the
// Province, for REGION rows the region, otherwise (TOTAL, SECTOR, AREA) the
// Provinces providing the group's selected services.
type ReachRow struct {
	GroupCode string // "" for TOTAL
	Covered   ComuneSummary
	Base      ComuneSummary
	Services  int // selected services in the group
}

// ComuneSummary counts a set of Comuni.
type ComuneSummary struct {
	Comuni           int
	Inhabitants      int
	SmallComuni      int
	SmallInhabitants int
}

// NearestQuery asks for the providers nearest to a Comune.
type NearestQuery struct {
	ComuneCode string
	SectorCode string // one of SectorCode and AreaCode is set
	AreaCode   string
	Limit      int
}

// ProviderDistance is a providing Province and its distance from a Comune.
type ProviderDistance struct {
	ProvinceCode string
	DistanceKm   float64 // rounded to the metre
	ServiceIDs   []string
}

// EarthRadiusKm is the radius both stores use for great-circle distances
// (haversine): the IUGG mean Earth radius R1. Neo4j's point.distance uses
// the equatorial 6,378.14 km, 0.11% long, so the Neo4j store computes the
// haversine in Cypher with this radius instead.
const EarthRadiusKm = 6371.0088

// ProjectWorkGrouping is the dimension project works are counted by.
type ProjectWorkGrouping string

const (
	ProjectWorksBySector ProjectWorkGrouping = "SECTOR"
	ProjectWorksByRegion ProjectWorkGrouping = "REGION"
)

// ProjectWorkCount is the number of project works of a group at a maturity
// and step.
type ProjectWorkCount struct {
	GroupCode string
	Maturity  Maturity
	Step      int
	Count     int
}

// ParticipationShareQuery asks for the participation share of a sector.
type ParticipationShareQuery struct {
	SectorCode string
	RegionCode string // "" for the whole country
	AsOf       Date
}

// ProvinceTerritory is one Province of a territory: whether it takes part
// in the sector on the day asked and what its Comuni add up to.
type ProvinceTerritory struct {
	ProvinceCode  string
	Participating bool
	Comuni        ComuneSummary // retired Comuni left out
}

// ParticipationShare is the part of a territory that the participating
// Provinces represent. Shares are left to the reader (a/b of each pair),
// so no float is stored.
type ParticipationShare struct {
	ParticipantCodes []string // the participating Provinces, by code
	Provinces        int      // len(ParticipantCodes)
	ProvincesTotal   int      // the Provinces of the territory
	Participating    ComuneSummary
	Territory        ComuneSummary
}

// ShareOfTerritory sums the rows of every Province of a territory, in any
// order, into its ParticipationShare: the one computation of the
// participation share, which both stores feed. A Province listed twice
// counts once (its first row).
func ShareOfTerritory(rows []ProvinceTerritory) ParticipationShare {
	out := ParticipationShare{ParticipantCodes: []string{}}
	seen := make(map[string]bool, len(rows))
	for _, r := range rows {
		if seen[r.ProvinceCode] {
			continue
		}
		seen[r.ProvinceCode] = true
		out.ProvincesTotal++
		out.Territory = out.Territory.Add(r.Comuni)
		if r.Participating {
			out.ParticipantCodes = append(out.ParticipantCodes, r.ProvinceCode)
			out.Participating = out.Participating.Add(r.Comuni)
		}
	}
	out.Provinces = len(out.ParticipantCodes)
	slices.Sort(out.ParticipantCodes)
	return out
}

// Add returns the sum of two summaries of disjoint sets of Comuni.
func (s ComuneSummary) Add(o ComuneSummary) ComuneSummary {
	return ComuneSummary{
		Comuni:           s.Comuni + o.Comuni,
		Inhabitants:      s.Inhabitants + o.Inhabitants,
		SmallComuni:      s.SmallComuni + o.SmallComuni,
		SmallInhabitants: s.SmallInhabitants + o.SmallInhabitants,
	}
}
