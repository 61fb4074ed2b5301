package graph

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"pcnet/graph/model"
	"pcnet/internal/pcnet"
)

// This file holds the analytics resolvers' helpers: turning arguments into
// validated pcnet.Analytics queries, and the answers into GraphQL models.
// Sector and area codes are checked against the taxonomy (one cached store
// call per request), so a typo is an "invalid" error naming the argument,
// not an empty answer that looks like "no coverage".

// checkSector checks that code names a sector of the taxonomy.
func (r *Resolver) checkSector(ctx context.Context, field, code string) error {
	t, err := loadersFrom(ctx).sectors(ctx)
	if err != nil {
		return err
	}
	return pcnet.ValidateSectorCode(field, code, t.sectors)
}

// checkArea checks that code names an area of the taxonomy.
func (r *Resolver) checkArea(ctx context.Context, field, code string) error {
	t, err := loadersFrom(ctx).sectors(ctx)
	if err != nil {
		return err
	}
	return pcnet.ValidateAreaCode(field, code, t.sectors)
}

// optionalSector returns *sector, checked, or "" (every sector) when nil.
func (r *Resolver) optionalSector(ctx context.Context, field string, sector *string) (string, error) {
	if sector == nil {
		return "", nil
	}
	return *sector, r.checkSector(ctx, field, *sector)
}

// sectorOrArea checks the "exactly one of sector and area" arguments.
func (r *Resolver) sectorOrArea(ctx context.Context, sector, area *string) (sectorCode, areaCode string, err error) {
	if (sector == nil) == (area == nil) {
		return "", "", pcnet.Invalidf("sector", "sector, area: give exactly one of sector and area")
	}
	if sector != nil {
		return *sector, "", r.checkSector(ctx, "sector", *sector)
	}
	return "", *area, r.checkArea(ctx, "area", *area)
}

// serviceSelection turns a ServiceSelection into a store filter, checking
// every code: ISTAT codes by shape, sectors and areas against the taxonomy.
func (r *Resolver) serviceSelection(ctx context.Context, s *model.ServiceSelection) (pcnet.ServiceFilter, error) {
	if s == nil {
		return pcnet.ServiceFilter{}, nil
	}
	if err := validateEach("selection.regions", s.Regions, pcnet.ValidateRegionCode); err != nil {
		return pcnet.ServiceFilter{}, err
	}
	if err := validateEach("selection.provinces", s.Provinces, pcnet.ValidateProvinceCode); err != nil {
		return pcnet.ServiceFilter{}, err
	}
	for _, code := range s.Sectors {
		if err := r.checkSector(ctx, "selection.sectors", code); err != nil {
			return pcnet.ServiceFilter{}, err
		}
	}
	for _, code := range s.Areas {
		if err := r.checkArea(ctx, "selection.areas", code); err != nil {
			return pcnet.ServiceFilter{}, err
		}
	}
	return pcnet.ServiceFilter{
		IDs:           s.Ids,
		ProviderCodes: s.Provinces,
		RegionCodes:   s.Regions,
		SectorCodes:   s.Sectors,
		AreaCodes:     s.Areas,
		Statuses:      s.Statuses,
	}, nil
}

// reach answers one reach query through the request's reach loader, so that
// all the reach figures of a query level cost one store call; rows come
// back in the GraphQL form, ordered by group code.
func (r *Resolver) reach(ctx context.Context, q pcnet.ReachQuery) ([]model.ReachRow, error) {
	if err := pcnet.ValidateReachQuery(q); err != nil {
		return nil, err
	}
	rows, err := loadersFrom(ctx).reach.Load(ctx, keyOf(q))
	if err != nil {
		return nil, err
	}
	return reachRows(rows, q.GroupBy), nil
}

func reachRows(rows []pcnet.ReachRow, by pcnet.ReachGrouping) []model.ReachRow {
	out := make([]model.ReachRow, len(rows))
	for i, row := range rows {
		out[i] = model.NewReachRow(row, by)
	}
	slices.SortStableFunc(out, func(a, b model.ReachRow) int {
		return strings.Compare(groupCode(a.Group), groupCode(b.Group))
	})
	return out
}

func groupCode(g *model.Group) string {
	if g == nil {
		return ""
	}
	return g.Code
}

// reachGrouping returns *g or the default, TOTAL.
func reachGrouping(g *pcnet.ReachGrouping) pcnet.ReachGrouping {
	if g == nil {
		return pcnet.ReachTotal
	}
	return *g
}

// tutorLinks walks tutorships from root in direction, checking the
// arguments: the sector against the taxonomy, maxDepth within 1..10.
func (r *Resolver) tutorLinks(ctx context.Context, root string, dir pcnet.TutorDirection, sector *string, maxDepth *int, defaultDepth int) ([]pcnet.TutorLink, error) {
	q := pcnet.TutorLinkQuery{Root: root, Direction: dir, MaxDepth: defaultDepth}
	if maxDepth != nil {
		q.MaxDepth = *maxDepth
	}
	// The argument is maxDepth; pcnet's validator would name it "depth".
	if q.MaxDepth < 1 || q.MaxDepth > pcnet.MaxTutorDepth {
		return nil, pcnet.Invalidf("maxDepth", "maxDepth: must lie in 1..%d, got %d", pcnet.MaxTutorDepth, q.MaxDepth)
	}
	var err error
	if q.SectorCode, err = r.optionalSector(ctx, "sector", sector); err != nil {
		return nil, err
	}
	return loadValid(ctx, loadersFrom(ctx).tutorLinks, q, pcnet.ValidateTutorLinkQuery, func(l pcnet.TutorLink) pcnet.TutorLink { return l })
}

// groupName returns the name of a group of a breakdown.
func (r *Resolver) groupName(ctx context.Context, g *model.Group) (string, error) {
	holder := "group " + string(g.Kind)
	switch g.Kind {
	case model.GroupKindRegion:
		reg, err := r.regionOf(ctx, g.Code, holder)
		if err != nil {
			return "", err
		}
		return reg.Name, nil
	case model.GroupKindProvince:
		p, err := r.provinceOf(ctx, g.Code, holder)
		if err != nil {
			return "", err
		}
		return p.Name, nil
	case model.GroupKindSector:
		s, err := r.sectorOf(ctx, g.Code, holder)
		if err != nil {
			return "", err
		}
		return s.Name, nil
	default:
		a, err := r.areaOf(ctx, g.Code, holder)
		if err != nil {
			return "", err
		}
		return a.Name, nil
	}
}

// provincesOf resolves a list of Province codes, in order, with one lookup.
func (r *Resolver) provincesOf(ctx context.Context, codes []string, holder string) ([]pcnet.Province, error) {
	return requireAll(ctx, loadersFrom(ctx).provinceByCode, codes, holder, "province")
}

// servicesOf resolves a list of service IDs, ordered by ID, with one lookup.
func (r *Resolver) servicesOf(ctx context.Context, ids []string, holder string) ([]pcnet.SharedService, error) {
	out, err := requireAll(ctx, loadersFrom(ctx).serviceByID, ids, holder, "service")
	slices.SortFunc(out, func(a, b pcnet.SharedService) int { return cmp.Compare(a.ID, b.ID) })
	return out, err
}

// requireAll loads the items of keys, in order, with one lookup: an
// unknown key is an error naming the holder that refers to it.
func requireAll[T any](ctx context.Context, l *loader[string, *T], keys []string, holder, kind string) ([]T, error) {
	items, err := l.LoadAll(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(items))
	for i, it := range items {
		if _, err := required(it, nil)(holder, kind, keys[i]); err != nil {
			return nil, err
		}
		out[i] = *it
	}
	return out, nil
}

// coverageGapFilters checks coverageGaps' arguments and returns the filter
// of the uncovered Comuni and that of the whole territory.
func (r *Resolver) coverageGapFilters(ctx context.Context, region, province, sector, area *string, smallOnly *bool, asOf *pcnet.Date) (uncovered, territory pcnet.ComuneFilter, err error) {
	switch {
	case (region == nil) == (province == nil):
		return uncovered, territory, pcnet.Invalidf("region", "region, province: give exactly one of region and province")
	case region != nil:
		if err := pcnet.ValidateRegionCode("region", *region); err != nil {
			return uncovered, territory, err
		}
		territory.RegionCodes = []string{*region}
	default:
		if err := pcnet.ValidateProvinceCode("province", *province); err != nil {
			return uncovered, territory, err
		}
		territory.ProvinceCodes = []string{*province}
	}
	sectorCode, areaCode, err := r.sectorOrArea(ctx, sector, area)
	if err != nil {
		return uncovered, territory, err
	}
	uncovered = territory
	uncovered.Coverage = &pcnet.CoverageCondition{SectorCode: sectorCode, AreaCode: areaCode, AsOf: r.dayOr(asOf), Covered: false}
	if smallOnly != nil && *smallOnly {
		small := true
		uncovered.Small = &small
	}
	return uncovered, territory, nil
}

// comuneSummary counts the Comuni matching f through the request's summary
// loader: the totals asked for at one level cost one store call.
func (r *Resolver) comuneSummary(ctx context.Context, f pcnet.ComuneFilter) (*pcnet.ComuneSummary, error) {
	sum, err := loadersFrom(ctx).comuniSummaries.Load(ctx, keyOf(f))
	if err != nil {
		return nil, err
	}
	return &sum, nil
}
