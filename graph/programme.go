package graph

import (
	"context"
	"slices"

	"pcnet/graph/model"
	"pcnet/internal/pcnet"
)

// The programme's queries (schema.graphqls, "The programme as it is run").
// Each answers in a fixed number of store calls: it reads the programme's
// items, then the Provinces, Comuni, services or coverages they name in one
// call each, and computes the rest (cohorts, planned vs actual, lateness)
// here, from the store's plain reads, so both stores agree by construction.

// maxCompared caps compareProjectWorks: more columns help no reader.
const maxCompared = 10

func (r *Resolver) taxonomy(ctx context.Context) (*taxonomy, error) {
	return loadersFrom(ctx).sectors(ctx)
}

func (r *Resolver) checkSectors(ctx context.Context, field string, codes []string) error {
	for _, c := range codes {
		if err := r.checkSector(ctx, field, c); err != nil {
			return err
		}
	}
	return nil
}

func (r *Resolver) participations(ctx context.Context, in *model.ParticipationFilter) ([]model.Participation, error) {
	var f pcnet.ParticipationFilter
	if in != nil {
		if err := validateEach("filter.provinceCodes", in.ProvinceCodes, pcnet.ValidateProvinceCode); err != nil {
			return nil, err
		}
		if err := validateEach("filter.regionCodes", in.RegionCodes, pcnet.ValidateRegionCode); err != nil {
			return nil, err
		}
		if err := r.checkSectors(ctx, "filter.sectorCodes", in.SectorCodes); err != nil {
			return nil, err
		}
		f = pcnet.ParticipationFilter{ProvinceCodes: in.ProvinceCodes, RegionCodes: in.RegionCodes, SectorCodes: in.SectorCodes}
		f.ActiveOn, f.SinceFrom, f.SinceBefore = deref0(in.ActiveOn), deref0(in.JoinedFrom), deref0(in.JoinedBefore)
	}
	parts, err := r.Store.Participations(ctx, f)
	if err != nil || len(parts) == 0 {
		return []model.Participation{}, err
	}
	codes := make([]string, 0, len(parts))
	for _, p := range parts {
		codes = append(codes, p.ProvinceCode)
	}
	provinces, err := r.Store.Provinces(ctx, pcnet.ProvinceFilter{Codes: uniq(codes)})
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]pcnet.Province, len(provinces))
	for _, p := range provinces {
		byCode[p.Code] = p
	}
	t, err := r.taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]model.Participation, 0, len(parts))
	for _, p := range parts {
		out = append(out, model.Participation{Province: byCode[p.ProvinceCode], Sector: *t.sector[p.SectorCode], Since: p.Since, Until: optionalDay(p.Until)})
	}
	return out, nil
}

func (r *Resolver) pathCohorts(ctx context.Context, sector string, asOf *pcnet.Date) ([]model.PathCohort, error) {
	if err := r.checkSector(ctx, "sector", sector); err != nil {
		return nil, err
	}
	day := r.dayOr(asOf)
	tutorships, err := r.Store.Tutorships(ctx, pcnet.TutorshipFilter{SectorCodes: []string{sector}})
	if err != nil {
		return nil, err
	}
	steps, err := r.Store.PathSteps(ctx, pcnet.PathStepFilter{SectorCodes: []string{sector}})
	if err != nil {
		return nil, err
	}
	t, err := r.taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	type key struct {
		tutor, tutored string
		since          pcnet.Date
	}
	history := make(map[key][]pcnet.PathStep)
	for _, s := range steps {
		k := key{s.TutorCode, s.TutoredCode, s.TutorshipSince}
		history[k] = append(history[k], s)
	}
	var cohorts []model.PathCohort
	index := make(map[int]int) // year → position in cohorts
	for _, ts := range tutorships {
		if ts.Since.After(day) {
			continue
		}
		m := model.PathMember{Tutorship: ts, Ended: !ts.Until.IsZero() && !day.Before(ts.Until), History: []model.PathStepReached{}}
		for _, s := range history[key{ts.TutorCode, ts.TutoredCode, ts.Since}] {
			if s.Reached.After(day) {
				continue
			}
			m.History = append(m.History, model.PathStepReached{Step: s.Step, Reached: s.Reached, DaysFromStart: daysBetween(ts.Since, s.Reached)})
			m.Step = max(m.Step, s.Step)
		}
		if m.Step == 0 {
			m.Step = 1 // a started tutorship is on step 1, dated or not
		}
		i, ok := index[ts.Since.Year]
		if !ok {
			i = len(cohorts)
			index[ts.Since.Year] = i
			c := model.PathCohort{Year: ts.Since.Year, Sector: *t.sector[sector]}
			for s := 1; s <= pcnet.MaxTutorshipStep; s++ {
				c.AtStep = append(c.AtStep, model.StepCount{Step: s})
			}
			cohorts = append(cohorts, c)
		}
		c := &cohorts[i]
		c.Members = append(c.Members, m)
		c.AtStep[m.Step-1].Count++
		if m.Ended {
			c.Ended++
		}
	}
	for i := range cohorts {
		c := &cohorts[i]
		for s := range c.AtStep {
			total, n := 0, 0
			for _, m := range c.Members {
				for _, h := range m.History {
					if h.Step == s+1 {
						total += h.DaysFromStart
						n++
					}
				}
			}
			if n > 0 {
				avg := float64(total) / float64(n)
				c.AtStep[s].AverageDaysToReach = &avg
			}
		}
		slices.SortStableFunc(c.Members, func(a, b model.PathMember) int {
			return cmpOr(a.Tutorship.TutorCode, b.Tutorship.TutorCode, a.Tutorship.TutoredCode, b.Tutorship.TutoredCode)
		})
	}
	slices.SortFunc(cohorts, func(a, b model.PathCohort) int { return a.Year - b.Year })
	if cohorts == nil {
		cohorts = []model.PathCohort{}
	}
	return cohorts, nil
}

func (r *Resolver) compareProjectWorks(ctx context.Context, ids []string) (*model.ProjectWorkComparison, error) {
	if len(ids) < 2 || len(ids) > maxCompared {
		return nil, pcnet.Invalidf("ids", "ids: give 2 to %d project works, not %d", maxCompared, len(ids))
	}
	works, err := r.Store.ProjectWorks(ctx, pcnet.ProjectWorkFilter{IDs: ids})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]pcnet.ProjectWork, len(works))
	for _, w := range works {
		byID[w.ID] = w
	}
	out := &model.ProjectWorkComparison{}
	for _, id := range ids {
		w, ok := byID[id]
		if !ok {
			return nil, pcnet.Invalidf("ids", "ids: unknown project work %q", id)
		}
		out.ProjectWorks = append(out.ProjectWorks, w)
	}
	sections, err := r.Store.ProjectWorkSections(ctx, ids)
	if err != nil {
		return nil, err
	}
	text := make(map[[2]string]string, len(sections))
	for _, s := range sections {
		text[[2]string{s.ProjectWorkID, string(s.Section)}] = s.Text
	}
	for _, k := range pcnet.SectionKinds {
		row := model.SectionRow{Section: k, Texts: make([]*string, len(ids))}
		for i, id := range ids {
			if t, ok := text[[2]string{id, string(k)}]; ok {
				row.Texts[i] = &t
			}
		}
		out.Sections = append(out.Sections, row)
	}
	return out, nil
}

func (r *Resolver) rolloutProgress(ctx context.Context, serviceID string, asOf *pcnet.Date) (*model.RolloutProgress, error) {
	day := r.dayOr(asOf)
	services, err := r.Store.Services(ctx, pcnet.ServiceFilter{IDs: []string{serviceID}})
	if err != nil || len(services) == 0 {
		return nil, err
	}
	targets, err := r.Store.RolloutTargets(ctx, pcnet.RolloutTargetFilter{ServiceIDs: []string{serviceID}})
	if err != nil {
		return nil, err
	}
	out := &model.RolloutProgress{Service: services[0], AsOf: day, Late: []model.RolloutTarget{}, Targets: []model.RolloutTarget{}}
	codes := make([]string, 0, len(targets))
	for _, t := range targets {
		codes = append(codes, t.ComuneCode)
	}
	comuni := make(map[string]pcnet.Comune, len(codes))
	covered := make(map[string]bool)
	if len(codes) > 0 {
		pages, err := r.Store.Comuni(ctx, []pcnet.ComuneQuery{{Filter: pcnet.ComuneFilter{Codes: codes}}})
		if err != nil {
			return nil, err
		}
		for _, c := range pages[0].Comuni {
			comuni[c.Code] = c
		}
		covs, err := r.Store.Coverages(ctx, []pcnet.CoverageQuery{{Filter: pcnet.CoverageFilter{ServiceIDs: []string{serviceID}, ActiveOn: day}}})
		if err != nil {
			return nil, err
		}
		for _, c := range covs[0].Coverages {
			covered[c.ComuneCode] = true
		}
	}
	add := func(f *model.RolloutFigures, c pcnet.Comune) {
		f.Comuni++
		f.Inhabitants += c.Population
		if c.Small() {
			f.SmallComuni++
		}
	}
	for _, t := range targets {
		c := comuni[t.ComuneCode]
		m := model.RolloutTarget{Comune: c, Wave: t.Wave, Due: t.Due, Covered: covered[t.ComuneCode]}
		add(&out.WholePlan, c)
		if !t.Due.After(day) {
			add(&out.Planned, c)
			if m.Covered {
				add(&out.Reached, c)
			}
		}
		if !m.Covered && t.Due.Before(day) {
			m.DaysLate = daysBetween(t.Due, day)
			out.Late = append(out.Late, m)
		}
		out.Targets = append(out.Targets, m)
	}
	slices.SortStableFunc(out.Late, func(a, b model.RolloutTarget) int {
		return cmpOr(a.Due.String(), b.Due.String(), a.Comune.Code, b.Comune.Code)
	})
	out.Share = 1 // nothing due yet: the plan is on time
	if out.Planned.Comuni > 0 {
		out.Share = model.Share(out.Reached.Comuni, out.Planned.Comuni)
	}
	return out, nil
}

func (r *Resolver) materials(ctx context.Context, in *model.MaterialFilter) ([]model.Material, error) {
	var f pcnet.MaterialFilter
	if in != nil {
		if err := r.checkSectors(ctx, "filter.sectorCodes", in.SectorCodes); err != nil {
			return nil, err
		}
		for _, a := range in.AreaCodes {
			if err := r.checkArea(ctx, "filter.areaCodes", a); err != nil {
				return nil, err
			}
		}
		f = pcnet.MaterialFilter{SectorCodes: in.SectorCodes, AreaCodes: in.AreaCodes, Kinds: in.Kinds, ServiceIDs: in.ServiceIds, ProjectWorkIDs: in.ProjectWorkIds}
	}
	mats, err := r.Store.Materials(ctx, f)
	if err != nil || len(mats) == 0 {
		return []model.Material{}, err
	}
	return r.materialModels(ctx, mats, selects(ctx, "pilot"))
}

// materialModels fills materials with what they are attached to, in one
// store call per relation for the whole list; the pilots (a few more
// calls: their Provinces, services and Comuni) only when withPilots, the
// query selecting them.
func (r *Resolver) materialModels(ctx context.Context, mats []pcnet.Material, withPilots bool) ([]model.Material, error) {
	t, err := r.taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	var serviceIDs, pwIDs, pilotIDs []string
	for _, m := range mats {
		if m.ServiceID != "" {
			serviceIDs = append(serviceIDs, m.ServiceID)
		}
		if m.ProjectWorkID != "" {
			pwIDs = append(pwIDs, m.ProjectWorkID)
		}
		if m.PilotID != "" && withPilots {
			pilotIDs = append(pilotIDs, m.PilotID)
		}
	}
	services := make(map[string]pcnet.SharedService)
	if len(serviceIDs) > 0 {
		list, err := r.Store.Services(ctx, pcnet.ServiceFilter{IDs: uniq(serviceIDs)})
		if err != nil {
			return nil, err
		}
		for _, s := range list {
			services[s.ID] = s
		}
	}
	works := make(map[string]pcnet.ProjectWork)
	if len(pwIDs) > 0 {
		list, err := r.Store.ProjectWorks(ctx, pcnet.ProjectWorkFilter{IDs: uniq(pwIDs)})
		if err != nil {
			return nil, err
		}
		for _, w := range list {
			works[w.ID] = w
		}
	}
	pilots := make(map[string]model.Pilot)
	if len(pilotIDs) > 0 {
		list, err := r.Store.Pilots(ctx, pcnet.PilotFilter{IDs: uniq(pilotIDs)})
		if err != nil {
			return nil, err
		}
		full, err := r.pilotModels(ctx, list)
		if err != nil {
			return nil, err
		}
		for _, p := range full {
			pilots[p.ID] = p
		}
	}
	out := make([]model.Material, 0, len(mats))
	for _, m := range mats {
		x := model.Material{ID: m.ID, Title: m.Title, Kind: m.Kind, URL: m.URL, Sector: *t.sector[m.SectorCode], Published: m.Published}
		if a, ok := t.area[m.AreaCode]; ok {
			area := *a
			x.Area = &area
		}
		if s, ok := services[m.ServiceID]; ok {
			x.Service = &s
		}
		if w, ok := works[m.ProjectWorkID]; ok {
			x.ProjectWork = &w
		}
		if p, ok := pilots[m.PilotID]; ok {
			x.Pilot = &p
		}
		out = append(out, x)
	}
	return out, nil
}

func (r *Resolver) pilots(ctx context.Context, in *model.PilotFilter) ([]model.Pilot, error) {
	var f pcnet.PilotFilter
	if in != nil {
		if err := validateEach("filter.provinceCodes", in.ProvinceCodes, pcnet.ValidateProvinceCode); err != nil {
			return nil, err
		}
		if err := validateEach("filter.comuneCodes", in.ComuneCodes, pcnet.ValidateComuneCode); err != nil {
			return nil, err
		}
		if err := r.checkSectors(ctx, "filter.sectorCodes", in.SectorCodes); err != nil {
			return nil, err
		}
		f = pcnet.PilotFilter{ProvinceCodes: in.ProvinceCodes, ServiceIDs: in.ServiceIds, SectorCodes: in.SectorCodes,
			ComuneCodes: in.ComuneCodes, Decisions: in.Decisions, ActiveOn: deref0(in.ActiveOn)}
		switch {
		case in.Undecided != nil && len(in.Decisions) > 0:
			return nil, pcnet.Invalidf("filter.undecided", "filter.undecided: give it or filter.decisions, not both")
		case in.Undecided != nil && *in.Undecided:
			f.Decisions = []pcnet.PilotDecision{""} // the store's "not decided yet"
		case in.Undecided != nil:
			f.Decisions = pcnet.PilotDecisions
		}
	}
	pilots, err := r.Store.Pilots(ctx, f)
	if err != nil || len(pilots) == 0 {
		return []model.Pilot{}, err
	}
	return r.pilotModels(ctx, pilots)
}

// pilotModels fills pilots with their Province, service, sector and
// Comuni, in one store call per relation for the whole list.
func (r *Resolver) pilotModels(ctx context.Context, pilots []pcnet.Pilot) ([]model.Pilot, error) {
	var provinceCodes, serviceIDs, comuneCodes []string
	for _, p := range pilots {
		provinceCodes = append(provinceCodes, p.ProvinceCode)
		if p.ServiceID != "" {
			serviceIDs = append(serviceIDs, p.ServiceID)
		}
		comuneCodes = append(comuneCodes, p.ComuneCodes...)
	}
	provinces, err := r.Store.Provinces(ctx, pcnet.ProvinceFilter{Codes: uniq(provinceCodes)})
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]pcnet.Province, len(provinces))
	for _, p := range provinces {
		byCode[p.Code] = p
	}
	services := make(map[string]pcnet.SharedService)
	if len(serviceIDs) > 0 {
		list, err := r.Store.Services(ctx, pcnet.ServiceFilter{IDs: uniq(serviceIDs)})
		if err != nil {
			return nil, err
		}
		for _, s := range list {
			services[s.ID] = s
		}
	}
	pages, err := r.Store.Comuni(ctx, []pcnet.ComuneQuery{{Filter: pcnet.ComuneFilter{Codes: uniq(comuneCodes)}}})
	if err != nil {
		return nil, err
	}
	comuni := make(map[string]pcnet.Comune, len(comuneCodes))
	for _, c := range pages[0].Comuni {
		comuni[c.Code] = c
	}
	t, err := r.taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]model.Pilot, 0, len(pilots))
	for _, p := range pilots {
		x := model.Pilot{ID: p.ID, Title: p.Title, Province: byCode[p.ProvinceCode], Sector: *t.sector[p.SectorCode],
			Comuni: make([]pcnet.Comune, 0, len(p.ComuneCodes)), Since: p.Since, Until: optionalDay(p.Until)}
		if s, ok := services[p.ServiceID]; ok {
			x.Service = &s
		}
		for _, c := range p.ComuneCodes {
			if cm, ok := comuni[c]; ok {
				x.Comuni = append(x.Comuni, cm)
			}
		}
		if p.Evaluation != "" {
			x.Evaluation = &p.Evaluation
		}
		if p.Decision != "" {
			x.Decision = &p.Decision
		}
		out = append(out, x)
	}
	return out, nil
}

// participationShare answers Query.participationShare: the arguments are
// checked before any store is asked, and an unknown region is null rather
// than an empty territory that would read as "nobody takes part".
func (r *Resolver) participationShare(ctx context.Context, sector, region string, day pcnet.Date) (*model.ParticipationShare, error) {
	q := pcnet.ParticipationShareQuery{SectorCode: sector, RegionCode: region, AsOf: day}
	if err := pcnet.ValidateParticipationShareQuery(q); err != nil {
		return nil, err
	}
	if err := r.checkSector(ctx, "sector", sector); err != nil {
		return nil, err
	}
	out := &model.ParticipationShare{AsOf: day}
	if region != "" {
		reg, err := loadersFrom(ctx).regionByCode.Load(ctx, region)
		if err != nil || reg == nil {
			return nil, err
		}
		out.Region = reg
	}
	share, err := r.Store.ParticipationShare(ctx, q)
	if err != nil {
		return nil, err
	}
	t, err := r.taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	out.Sector = *t.sector[sector]
	out.ParticipantCodes = share.ParticipantCodes
	out.Provinces = model.NewPartOfWhole(share.Provinces, share.ProvincesTotal)
	out.Comuni = model.NewPartOfWhole(share.Participating.Comuni, share.Territory.Comuni)
	out.Inhabitants = model.NewPartOfWhole(share.Participating.Inhabitants, share.Territory.Inhabitants)
	out.SmallComuni = model.NewPartOfWhole(share.Participating.SmallComuni, share.Territory.SmallComuni)
	return out, nil
}

func deref0[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func optionalDay(d pcnet.Date) *pcnet.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

func uniq(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

func daysBetween(a, b pcnet.Date) int { return int(b.Time().Sub(a.Time()).Hours() / 24) }

// cmpOr compares pairs of strings in turn: a1 with b1, then a2 with b2.
func cmpOr(a1, b1, a2, b2 string) int {
	switch {
	case a1 < b1:
		return -1
	case a1 > b1:
		return 1
	case a2 < b2:
		return -1
	case a2 > b2:
		return 1
	}
	return 0
}

// workingGroupOf is the working group of w's area (issue 13): a value
// built from the area, whose lists the loaders resolve when selected.
func (r *Resolver) workingGroupOf(ctx context.Context, w *pcnet.ProjectWork) (*model.WorkingGroup, error) {
	a, err := r.areaOf(ctx, w.AreaCode, "project work "+w.ID)
	if err != nil {
		return nil, err
	}
	return &model.WorkingGroup{Area: *a}, nil
}

// workingGroupProvinces lists the Provinces with a project work in the
// group's area, by code, from the area's project works (one loader call
// per level, as the group's projectWorks).
func (r *Resolver) workingGroupProvinces(ctx context.Context, g *model.WorkingGroup) ([]pcnet.Province, error) {
	works, err := loadersFrom(ctx).projectWorksByArea.Load(ctx, g.Area.Code)
	if err != nil {
		return nil, err
	}
	codes := make([]string, 0, len(works))
	for _, w := range works {
		codes = append(codes, w.ProvinceCode)
	}
	slices.Sort(codes)
	return r.provincesOf(ctx, slices.Compact(codes), "working group "+g.Area.Code)
}

// modelFromOf is the project work whose model w adapts, nil for none.
func (r *Resolver) modelFromOf(ctx context.Context, w *pcnet.ProjectWork) (*pcnet.ProjectWork, error) {
	if w.ModelFromID == "" {
		return nil, nil
	}
	return required(loadersFrom(ctx).projectWorkByID.Load(ctx, w.ModelFromID))("project work "+w.ID, "project work", w.ModelFromID)
}
