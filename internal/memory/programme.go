package memory

import (
	"context"
	"slices"

	"pcnet/internal/pcnet"
)

// The programme (pcnet.ProgrammeStore). Its lists are small (hundreds to a
// few thousand items), so they are kept sorted in store order and filtered
// by a scan, without indexes.

var _ pcnet.ProgrammeStore = (*Store)(nil)

// selectAll returns the items of list that keep keeps, in a new slice.
func selectAll[T any](list []T, keep func(*T) bool) []T {
	out := []T{}
	for i := range list {
		if keep(&list[i]) {
			out = append(out, list[i])
		}
	}
	return out
}

// Participations implements pcnet.ProgrammeStore.
func (s *Store) Participations(ctx context.Context, f pcnet.ParticipationFilter) ([]pcnet.Participation, error) {
	province, region, sector := anyOf(f.ProvinceCodes), anyOf(f.RegionCodes), anyOf(f.SectorCodes)
	return read(ctx, s, func(d *data) []pcnet.Participation {
		return selectAll(d.programme.Participations, func(p *pcnet.Participation) bool {
			return province(p.ProvinceCode) && region(d.regionOf[p.ProvinceCode]) && sector(p.SectorCode) &&
				(f.ActiveOn.IsZero() || p.Period().ActiveOn(f.ActiveOn)) &&
				(f.SinceFrom.IsZero() || !p.Since.Before(f.SinceFrom)) &&
				(f.SinceBefore.IsZero() || p.Since.Before(f.SinceBefore))
		})
	})
}

// PathSteps implements pcnet.ProgrammeStore.
func (s *Store) PathSteps(ctx context.Context, f pcnet.PathStepFilter) ([]pcnet.PathStep, error) {
	tutor, tutored, sector := anyOf(f.TutorCodes), anyOf(f.TutoredCodes), anyOf(f.SectorCodes)
	return read(ctx, s, func(d *data) []pcnet.PathStep {
		return selectAll(d.programme.PathSteps, func(p *pcnet.PathStep) bool {
			return tutor(p.TutorCode) && tutored(p.TutoredCode) && sector(p.SectorCode)
		})
	})
}

// ProjectWorkSections implements pcnet.ProgrammeStore.
func (s *Store) ProjectWorkSections(ctx context.Context, ids []string) ([]pcnet.ProjectWorkSection, error) {
	id := anyOf(ids)
	return read(ctx, s, func(d *data) []pcnet.ProjectWorkSection {
		return selectAll(d.programme.Sections, func(p *pcnet.ProjectWorkSection) bool { return id(p.ProjectWorkID) })
	})
}

// RolloutTargets implements pcnet.ProgrammeStore.
func (s *Store) RolloutTargets(ctx context.Context, f pcnet.RolloutTargetFilter) ([]pcnet.RolloutTarget, error) {
	service, comune := anyOf(f.ServiceIDs), anyOf(f.ComuneCodes)
	return read(ctx, s, func(d *data) []pcnet.RolloutTarget {
		return selectAll(d.programme.RolloutTargets, func(r *pcnet.RolloutTarget) bool {
			return service(r.ServiceID) && comune(r.ComuneCode) && (f.DueBy.IsZero() || !r.Due.After(f.DueBy))
		})
	})
}

// Materials implements pcnet.ProgrammeStore.
func (s *Store) Materials(ctx context.Context, f pcnet.MaterialFilter) ([]pcnet.Material, error) {
	id, sector, area, kind := anyOf(f.IDs), anyOf(f.SectorCodes), anyOf(f.AreaCodes), anyOf(f.Kinds)
	service, pw := anyOf(f.ServiceIDs), anyOf(f.ProjectWorkIDs)
	return read(ctx, s, func(d *data) []pcnet.Material {
		return selectAll(d.programme.Materials, func(m *pcnet.Material) bool {
			return id(m.ID) && sector(m.SectorCode) && area(m.AreaCode) && kind(m.Kind) &&
				(len(f.ServiceIDs) == 0 || m.ServiceID != "" && service(m.ServiceID)) &&
				(len(f.ProjectWorkIDs) == 0 || m.ProjectWorkID != "" && pw(m.ProjectWorkID))
		})
	})
}

// Pilots implements pcnet.ProgrammeStore.
func (s *Store) Pilots(ctx context.Context, f pcnet.PilotFilter) ([]pcnet.Pilot, error) {
	id, province, service, sector, decision := anyOf(f.IDs), anyOf(f.ProvinceCodes), anyOf(f.ServiceIDs), anyOf(f.SectorCodes), anyOf(f.Decisions)
	comune := anyOf(f.ComuneCodes)
	return read(ctx, s, func(d *data) []pcnet.Pilot {
		out := selectAll(d.programme.Pilots, func(p *pcnet.Pilot) bool {
			return id(p.ID) && province(p.ProvinceCode) && sector(p.SectorCode) && decision(p.Decision) &&
				(len(f.ServiceIDs) == 0 || p.ServiceID != "" && service(p.ServiceID)) &&
				(len(f.ComuneCodes) == 0 || slices.ContainsFunc(p.ComuneCodes, comune)) &&
				(f.ActiveOn.IsZero() || p.Period().ActiveOn(f.ActiveOn))
		})
		for i := range out {
			out[i].ComuneCodes = slices.Clone(out[i].ComuneCodes) // the snapshot's stay the store's
		}
		return out
	})
}
