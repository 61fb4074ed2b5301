package server

import (
	"github.com/vektah/gqlparser/v2/ast"

	"pcnet/internal/pcnet"
)

// The cost model of Limits.MaxComplexity. The cost of a field is its base
// cost (1, or analyticsCost for the fields that compute over thousands of
// Comuni) plus the cost of what it selects times its expected length when
// it is a list. The length of a list is, in this order:
//
//   - `first` of the connection it is the edges of;
//   - what listSizes says for the field: the known number of regions or
//     Provinces, the `limit` argument, the dates of a timeline, the groups
//     of a reach;
//   - defaultListSize.
//
// The figures are upper estimates for the shipped network and a network
// grown by a few times; they are not exact, and needn't be: the limit
// exists to refuse queries thousands of times costlier than any real one.
// TestComplexityTableMatchesSchema checks that every field named here
// exists, so a renamed field can't silently fall back to the defaults.

// analyticsCost is the base cost of an analytics field.
const analyticsCost = 10

// defaultListSize is the length assumed of a list the tables don't know.
const defaultListSize = 10

// analyticsFields are the fields that cost analyticsCost.
var analyticsFields = map[string]bool{
	"Query.reach":                true,
	"Query.rolloutTimeline":      true,
	"Query.coverageGaps":         true,
	"Query.tutorPath":            true,
	"Query.tutorNetwork":         true,
	"Query.projectWorkStats":     true,
	"Sector.reach":               true,
	"SharedService.reach":        true,
	"Province.peers":             true,
	"Province.tutoredTransitive": true,
	"Province.tutorChain":        true,
	"Comune.nearestProviders":    true,
}

func baseCost(parent, field string) int {
	if analyticsFields[parent+"."+field] {
		return analyticsCost
	}
	return 1
}

// reachGroups is the number of rows of a reach, by grouping.
var reachGroups = map[string]int{
	string(pcnet.ReachTotal):      1,
	string(pcnet.ReachByRegion):   20,
	string(pcnet.ReachByProvince): 107,
	string(pcnet.ReachBySector):   10,
	string(pcnet.ReachByArea):     30,
}

// Domain bounds of connections: a page never holds more than the list it
// pages through, however large `first` is.
const (
	maxComuniPerProvince = 320  // Torino has 312
	maxComuniPerRegion   = 1510 // Lombardia has 1,506
	maxComuni            = 7904
)

// listSizes gives the length of list fields, by "Type.field". Lists nested
// in lists take the average per parent (Provinces per region), not the
// largest, so that the product over a query stays near the real total:
// regions × provinces per region is about the 107 Provinces.
var listSizes = map[string]func(args map[string]any) int{
	"Query.regions":              fixed(20),
	"Query.provinces":            fixed(107),
	"Region.provinces":           fixed(6), // 107 / 20, rounded up
	"Query.sectors":              fixed(10),
	"Sector.areas":               fixed(10),
	"Query.services":             fixed(500),
	"Sector.services":            fixed(200),
	"Area.services":              fixed(107),
	"Province.services":          fixed(6), // one per area
	"Comune.coverages":           fixed(6),
	"Query.projectWorks":         fixed(500),
	"Province.projectWorks":      fixed(6),
	"SharedService.projectWorks": fixed(2),
	"Query.tutorships":           fixed(200),
	"Province.tutors":            fixed(4),
	"Province.tutored":           fixed(10),
	"TutorNetwork.nodes":         fixed(107),
	"TutorNetwork.edges":         fixed(200),
	"TutorPath.provinces":        fixed(pcnet.MaxTutorDepth + 1),
	"TutorPath.links":            fixed(pcnet.MaxTutorDepth),
	"Province.tutoredTransitive": fixed(30),
	"Province.tutorChain":        fixed(30),
	"Province.peers":             fixed(20),
	"Query.projectWorkStats":     fixed(100),
	"Comune.nearestProviders":    argOr("limit", 5),
	"Query.reach":                reachRows,
	"Sector.reach":               reachRows,
	"Query.rolloutTimeline":      timelinePoints,
	"Query.pilots":               fixed(100),
	"Pilot.comuni":               fixed(10),
}

// pageBounds caps the page of a connection (its `first`) by the most
// items the list can hold.
var pageBounds = map[string]int{
	"Query.comuni":           maxComuni,
	"Region.comuni":          maxComuniPerRegion,
	"Province.comuni":        maxComuniPerProvince,
	"SharedService.coverage": maxComuniPerProvince, // a service covers Comuni of its Province only
	"Query.coverageGaps":     maxComuniPerRegion,
}

func fixed(n int) func(map[string]any) int { return func(map[string]any) int { return n } }

// argOr sizes a list by an integer argument.
func argOr(name string, def int) func(map[string]any) int {
	return func(args map[string]any) int {
		if n, ok := intArg(args, name); ok && n > 0 {
			return n
		}
		return def
	}
}

func reachRows(args map[string]any) int {
	if g, ok := args["groupBy"].(string); ok {
		if n, ok := reachGroups[g]; ok {
			return n
		}
	}
	return reachGroups[string(pcnet.ReachByProvince)]
}

// timelinePoints counts the dates of a timeline as the resolver will make
// them; arguments it would reject count as the most a timeline can have.
func timelinePoints(args map[string]any) int {
	date := func(name string) (pcnet.Date, bool) {
		s, ok := args[name].(string)
		if !ok {
			return pcnet.Date{}, false
		}
		d, err := pcnet.ParseDate(s)
		return d, err == nil
	}
	from, okFrom := date("from")
	to, okTo := date("to")
	interval, _ := args["interval"].(string)
	if okFrom && okTo {
		if dates, err := pcnet.TimelineDates(from, to, interval); err == nil {
			return len(dates)
		}
	}
	return pcnet.MaxTimelinePoints
}

// listSize returns the expected length of a list field that is not the
// edges of a connection.
func listSize(parent string, def *ast.FieldDefinition, args map[string]any) int {
	if size, ok := listSizes[parent+"."+def.Name]; ok {
		return max(size(args), 1)
	}
	return defaultListSize
}
