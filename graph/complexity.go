package graph

import (
	"math"
	"time"

	"pcnet/graph/model"
	"pcnet/internal/pcnet"
)

// The cost model of the server's complexity limit, as gqlgen's per-field
// complexity functions (gqlgen's complexity package adds them up). A
// field costs 1 (AnalyticsCost for the fields that compute over thousands
// of Comuni) plus the cost of what it selects times its expected length
// when it is a list:
//
//   - `first` for a connection, capped by the most items its list holds;
//   - the known number of regions or Provinces, the `limit` argument, the
//     dates of a timeline, the groups of a reach, set below per field.
//
// The figures are upper estimates for the shipped network and a network
// grown by a few times; they are not exact, and needn't be: the limit
// exists to refuse queries thousands of times costlier than any real one.
// A list field left out here costs as gqlgen's default (1 plus what it
// selects, once); TestEveryListHasASize (graph) checks there is
// none.

// AnalyticsCost is the base cost of an analytics field.
const AnalyticsCost = 10

// DefaultPage is the schema's default `first` of a connection.
const DefaultPage = 50

// reachGroups is the number of rows of a reach, by grouping.
var reachGroups = map[pcnet.ReachGrouping]int{
	pcnet.ReachTotal:      1,
	pcnet.ReachByRegion:   20,
	pcnet.ReachByProvince: 107,
	pcnet.ReachBySector:   10,
	pcnet.ReachByArea:     30,
}

// Domain bounds of connections: a page never holds more than the list it
// pages through, however large `first` is.
const (
	maxComuniPerProvince = 320  // Torino has 312
	maxComuniPerRegion   = 1510 // Lombardia has 1,506
	maxComuni            = 7904
)

// complexityRoot sets the cost of the list and analytics fields. Lists
// nested in lists take the average per parent (Provinces per region), not
// the largest, so that the product over a query stays near the real
// total: regions × provinces per region is about the 107 Provinces.
func complexityRoot() ComplexityRoot {
	var c ComplexityRoot
	c.Query.Regions = list(20)
	c.Query.Provinces = func(ch int, _ *model.ProvinceFilter) int { return cost(1, 107, ch) }
	c.Region.Provinces = list(6) // 107 / 20, rounded up
	c.Query.Sectors = list(10)
	c.Sector.Areas = list(10)
	c.Query.Services = func(ch int, _ *model.ServiceFilter) int { return cost(1, 500, ch) }
	c.Sector.Services = list(200)
	c.Area.Services = list(107)
	// A working group: at most one Province each, each writing about one
	// project work per area.
	c.WorkingGroup.Provinces = list(107)
	c.WorkingGroup.ProjectWorks = list(107)
	c.Province.Services = func(ch int, _ []pcnet.ServiceStatus) int { return cost(1, 6, ch) } // one per area
	c.Comune.Coverages = func(ch int, _ *pcnet.Date, _ *pcnet.CoveragePhase) int { return cost(1, 6, ch) }
	c.Query.ProjectWorks = func(ch int, _ *model.ProjectWorkFilter) int { return cost(1, 500, ch) }
	c.Province.ProjectWorks = list(6)
	c.SharedService.ProjectWorks = list(2)
	c.Query.Tutorships = func(ch int, _ *model.TutorshipFilter) int { return cost(1, 200, ch) }
	c.Province.Tutors = func(ch int, _ *string) int { return cost(1, 4, ch) }
	c.Province.Tutored = func(ch int, _ *string) int { return cost(1, 10, ch) }
	c.TutorNetwork.Nodes = list(107)
	c.TutorNetwork.Edges = list(200)
	c.TutorPath.Provinces = list(pcnet.MaxTutorDepth + 1)
	c.TutorPath.Links = list(pcnet.MaxTutorDepth)

	// Lists sized by the old default (defaultListSize, 10): no better
	// figure is known yet.
	for _, f := range []*func(int) int{
		&c.CoverageEvent.Coverages, &c.CoveragePayload.Changed, &c.CoveragePayload.Unchanged,
		&c.PathCohort.AtStep, &c.PathCohort.Members, &c.PathMember.History,
		&c.ProjectWorkComparison.ProjectWorks, &c.ProjectWorkComparison.Sections, &c.ProviderDistance.Services,
		&c.RolloutProgress.Late, &c.RolloutProgress.Targets, &c.TutorPathLink.Tutorships,
	} {
		*f = list(10)
	}
	c.ProjectWorkSectionsPayload.Sections = list(len(pcnet.SectionKinds)) // one per section at most
	c.Query.Materials = func(ch int, _ *model.MaterialFilter) int { return cost(1, 10, ch) }
	c.Query.Participations = func(ch int, _ *model.ParticipationFilter) int { return cost(1, 10, ch) }
	c.Query.Pilots = func(ch int, _ *model.PilotFilter) int { return cost(1, 100, ch) }
	c.Pilot.Comuni = list(10)
	c.Query.PathCohorts = func(ch int, _ string, _ *pcnet.Date) int { return cost(1, 10, ch) }
	c.Query.Changes = func(ch int, _ *time.Time, _, _ *string, _, first *int) int {
		return cost(1, min(orDefault(first, 100), MaxChangesPage), ch) // the resolver's default page is 100
	}

	// Analytics.
	c.Query.TutorPath = func(ch int, _, _ string, _ *string) int { return cost(AnalyticsCost, 1, ch) }
	c.Query.TutorNetwork = func(ch int, _ string, _ *pcnet.Date) int { return cost(AnalyticsCost, 1, ch) }
	c.SharedService.Reach = func(ch int, _ *pcnet.Date) int { return cost(AnalyticsCost, 1, ch) }
	c.Province.TutoredTransitive = func(ch int, _ *string, _ *int) int { return cost(AnalyticsCost, 30, ch) }
	c.Province.TutorChain = func(ch int, _ *string, _ *int) int { return cost(AnalyticsCost, 30, ch) }
	c.Province.Peers = func(ch int, _ string, _ *pcnet.Date) int { return cost(AnalyticsCost, 20, ch) }
	c.Query.ProjectWorkStats = func(ch int, _ pcnet.ProjectWorkGrouping, _ *model.ProjectWorkFilter) int {
		return cost(AnalyticsCost, 100, ch)
	}
	c.Comune.NearestProviders = func(ch int, _, _ *string, limit *int) int {
		return cost(AnalyticsCost, orDefault(limit, 5), ch)
	}
	c.Query.Reach = func(ch int, _ *model.ServiceSelection, _ *pcnet.Date, g *pcnet.ReachGrouping) int {
		return cost(AnalyticsCost, reachGroupCount(g), ch)
	}
	c.Sector.Reach = func(ch int, _ *pcnet.Date, g *pcnet.ReachGrouping) int {
		return cost(AnalyticsCost, reachGroupCount(g), ch)
	}
	c.Query.ParticipationShare = func(ch int, _ string, _ *string, _ *pcnet.Date) int { return cost(AnalyticsCost, 1, ch) }
	c.ParticipationShare.Participants = list(107) // every Province, for all of Italy
	c.Query.RolloutTimeline = func(ch int, _ *model.ServiceSelection, from, to pcnet.Date, interval *model.TimelineInterval) int {
		return cost(AnalyticsCost, TimelinePoints(from, to, interval), ch)
	}

	// Connections: what a page selects, `first` times.
	c.Query.Comuni = func(ch int, _ *model.ComuneFilter, _ *pcnet.ComuneOrder, first *int, _ *string) int {
		return cost(1, page(first, maxComuni), ch)
	}
	c.Region.Comuni = func(ch int, _ *model.ComuneFilter, _ *pcnet.ComuneOrder, first *int, _ *string) int {
		return cost(1, page(first, maxComuniPerRegion), ch)
	}
	c.Province.Comuni = func(ch int, _ *model.ComuneFilter, _ *pcnet.ComuneOrder, first *int, _ *string) int {
		return cost(1, page(first, maxComuniPerProvince), ch)
	}
	// A service covers Comuni of its Province only.
	c.SharedService.Coverage = func(ch int, first *int, _ *string, _ *pcnet.Date, _ *pcnet.CoveragePhase) int {
		return cost(1, page(first, maxComuniPerProvince), ch)
	}
	c.Query.CoverageGaps = func(ch int, _, _, _, _ *string, _ *bool, _ *pcnet.Date, _ *pcnet.ComuneOrder, first *int, _ *string) int {
		return cost(AnalyticsCost, page(first, maxComuniPerRegion), ch)
	}
	return c
}

// list is the cost of a list field without arguments, n items long.
func list(n int) func(int) int { return func(ch int) int { return cost(1, n, ch) } }

// cost is base plus n times the cost of what each item selects, saturated
// so that absurd queries (a thousand-item page in a thousand-item page,
// ...) can't overflow past the limit.
func cost(base, n, child int) int {
	n = max(n, 1)
	if child > (math.MaxInt-base)/n {
		return math.MaxInt
	}
	return base + n*child
}

// page is the length of a connection's page: `first` (the schema's
// default when absent), capped by bound.
func page(first *int, bound int) int {
	if first == nil {
		return DefaultPage
	}
	return min(max(*first, 0), bound)
}

func orDefault(n *int, def int) int {
	if n == nil || *n <= 0 {
		return def
	}
	return *n
}

func reachGroupCount(g *pcnet.ReachGrouping) int {
	if g != nil {
		if n, ok := reachGroups[*g]; ok {
			return n
		}
	}
	return reachGroups[pcnet.ReachByProvince]
}

// TimelinePoints counts the dates of a timeline as the resolver will make
// them; arguments it would reject count as the most a timeline can have.
func TimelinePoints(from, to pcnet.Date, interval *model.TimelineInterval) int {
	step := model.TimelineIntervalMonth
	if interval != nil {
		step = *interval
	}
	if dates, err := pcnet.TimelineDates(from, to, string(step)); err == nil {
		return len(dates)
	}
	return pcnet.MaxTimelinePoints
}
