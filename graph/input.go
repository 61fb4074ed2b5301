package graph

import (
	"context"

	"slices"

	"pcnet/graph/model"
	"pcnet/internal/pcnet"
)

// This file turns GraphQL arguments into store filters, validating them:
// malformed input is a *pcnet.Error with code "invalid" naming the input
// field ("filter.regionCodes", "first"), never a silent empty answer.

// validateEach runs validate on every value of a list argument.
func validateEach(field string, values []string, validate func(field, s string) error) error {
	for _, v := range values {
		if err := validate(field, v); err != nil {
			return err
		}
	}
	return nil
}

// oneOrMany merges a single-code shorthand (region) with its list form
// (regionCodes); giving both is ambiguous, so it is an error.
func oneOrMany(one *string, many []string, oneField, manyField string) ([]string, error) {
	if one == nil {
		return many, nil
	}
	if len(many) > 0 {
		return nil, pcnet.Invalidf(oneField, "%s: give %s or %s, not both", oneField, oneField, manyField)
	}
	return []string{*one}, nil
}

func (r *Resolver) today() pcnet.Date {
	if r.Today != nil {
		return r.Today()
	}
	return pcnet.Today()
}

// dayOr returns *d, or today when d is nil.
func (r *Resolver) dayOr(d *pcnet.Date) pcnet.Date {
	if d != nil {
		return *d
	}
	return r.today()
}

func (r *Resolver) provinceFilter(f *model.ProvinceFilter) (pcnet.ProvinceFilter, error) {
	if f == nil {
		return pcnet.ProvinceFilter{}, nil
	}
	if err := validateEach("filter.codes", f.Codes, pcnet.ValidateProvinceCode); err != nil {
		return pcnet.ProvinceFilter{}, err
	}
	if err := validateEach("filter.regionCodes", f.RegionCodes, pcnet.ValidateRegionCode); err != nil {
		return pcnet.ProvinceFilter{}, err
	}
	return pcnet.ProvinceFilter{Codes: f.Codes, RegionCodes: f.RegionCodes, Kinds: f.Kinds}, nil
}

func (r *Resolver) comuneFilter(f *model.ComuneFilter) (pcnet.ComuneFilter, error) {
	var out pcnet.ComuneFilter
	if f == nil {
		return out, nil
	}
	var err error
	if err = validateEach("filter.codes", f.Codes, pcnet.ValidateComuneCode); err != nil {
		return out, err
	}
	out.Codes = f.Codes
	if out.RegionCodes, err = oneOrMany(f.Region, f.RegionCodes, "filter.region", "filter.regionCodes"); err != nil {
		return out, err
	}
	if err = validateEach("filter.regionCodes", f.RegionCodes, pcnet.ValidateRegionCode); err != nil {
		return out, err
	}
	if f.Region != nil {
		if err = pcnet.ValidateRegionCode("filter.region", *f.Region); err != nil {
			return out, err
		}
	}
	if out.ProvinceCodes, err = oneOrMany(f.Province, f.ProvinceCodes, "filter.province", "filter.provinceCodes"); err != nil {
		return out, err
	}
	if err = validateEach("filter.provinceCodes", f.ProvinceCodes, pcnet.ValidateProvinceCode); err != nil {
		return out, err
	}
	if f.Province != nil {
		if err = pcnet.ValidateProvinceCode("filter.province", *f.Province); err != nil {
			return out, err
		}
	}
	if f.NameContains != nil {
		out.NameContains = *f.NameContains
	}
	out.MinPopulation, out.MaxPopulation = f.MinPopulation, f.MaxPopulation
	out.Small, out.Capital, out.Retired = f.Small, f.Capital, f.Retired
	if c := f.Coverage; c != nil {
		sector, area := deref(c.Sector), deref(c.Area)
		if (sector == "") == (area == "") {
			return out, pcnet.Invalidf("filter.coverage", "filter.coverage: give exactly one of sector and area")
		}
		out.Coverage = &pcnet.CoverageCondition{SectorCode: sector, AreaCode: area, AsOf: r.dayOr(c.AsOf), Covered: c.Covered}
	}
	return out, nil
}

// scopeToRegion narrows f to the Comuni of one region. It reports false when
// f already names other regions only, so nothing can match.
func scopeToRegion(f *pcnet.ComuneFilter, region string) bool {
	if len(f.RegionCodes) > 0 && !slices.Contains(f.RegionCodes, region) {
		return false
	}
	f.RegionCodes = []string{region}
	return true
}

// scopeToProvince narrows f to the Comuni of one Province (of region). It
// reports false when f names other Provinces or regions only.
func scopeToProvince(f *pcnet.ComuneFilter, province, region string) bool {
	if len(f.ProvinceCodes) > 0 && !slices.Contains(f.ProvinceCodes, province) {
		return false
	}
	if len(f.RegionCodes) > 0 && !slices.Contains(f.RegionCodes, region) {
		return false
	}
	f.ProvinceCodes, f.RegionCodes = []string{province}, nil
	return true
}

func (r *Resolver) serviceFilter(f *model.ServiceFilter) (pcnet.ServiceFilter, error) {
	if f == nil {
		return pcnet.ServiceFilter{}, nil
	}
	if err := validateEach("filter.providerCodes", f.ProviderCodes, pcnet.ValidateProvinceCode); err != nil {
		return pcnet.ServiceFilter{}, err
	}
	if err := validateEach("filter.regionCodes", f.RegionCodes, pcnet.ValidateRegionCode); err != nil {
		return pcnet.ServiceFilter{}, err
	}
	return pcnet.ServiceFilter{
		IDs:           f.Ids,
		ProviderCodes: f.ProviderCodes,
		RegionCodes:   f.RegionCodes,
		SectorCodes:   f.SectorCodes,
		AreaCodes:     f.AreaCodes,
		Statuses:      f.Statuses,
	}, nil
}

func (r *Resolver) tutorshipFilter(f *model.TutorshipFilter) (pcnet.TutorshipFilter, error) {
	if f == nil {
		return pcnet.TutorshipFilter{}, nil
	}
	if err := validateEach("filter.tutorCodes", f.TutorCodes, pcnet.ValidateProvinceCode); err != nil {
		return pcnet.TutorshipFilter{}, err
	}
	if err := validateEach("filter.tutoredCodes", f.TutoredCodes, pcnet.ValidateProvinceCode); err != nil {
		return pcnet.TutorshipFilter{}, err
	}
	out := pcnet.TutorshipFilter{TutorCodes: f.TutorCodes, TutoredCodes: f.TutoredCodes, SectorCodes: f.SectorCodes}
	if f.ActiveOn != nil {
		out.ActiveOn = *f.ActiveOn
	}
	return out, nil
}

func (r *Resolver) projectWorkFilter(f *model.ProjectWorkFilter) (pcnet.ProjectWorkFilter, error) {
	if f == nil {
		return pcnet.ProjectWorkFilter{}, nil
	}
	if err := validateEach("filter.provinceCodes", f.ProvinceCodes, pcnet.ValidateProvinceCode); err != nil {
		return pcnet.ProjectWorkFilter{}, err
	}
	return pcnet.ProjectWorkFilter{
		IDs:           f.Ids,
		ProvinceCodes: f.ProvinceCodes,
		AreaCodes:     f.AreaCodes,
		SectorCodes:   f.SectorCodes,
		Maturities:    f.Maturities,
		ServiceIDs:    f.ServiceIds,
	}, nil
}

// comuni resolves a Comune connection: f (already scoped to the parent, if
// any) in order, paged by first and after. ok false means the parent's scope
// excludes everything, so the answer is an empty page with no store call.
func (r *Resolver) comuni(ctx context.Context, f pcnet.ComuneFilter, ok bool, orderBy *pcnet.ComuneOrder, first *int, after *string) (*model.ComuneConnection, error) {
	order := pcnet.ComuneByCode
	if orderBy != nil {
		order = *orderBy
	}
	cur := pcnet.CursorsOf("comuni", order, f, ok)
	page, err := cur.Page(first, after)
	if err != nil {
		return nil, err
	}
	if !ok {
		return model.NewComuneConnection(pcnet.ComunePage{}, cur, order, page), nil
	}
	q := pcnet.ComuneQuery{Filter: f, Order: order, Page: page}
	p, err := loadersFrom(ctx).comunePages.Load(ctx, keyOf(q))
	if err != nil {
		return nil, err
	}
	return model.NewComuneConnection(p, cur, order, page), nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
