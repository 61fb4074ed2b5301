package memory

import (
	"context"
	"slices"

	"pcnet/internal/pcnet"
)

// The programme's writes (pcnet.ProgrammeWriter): facts from the snapshot,
// pcnet's Plan* rules, and a mutation of the programme's lists.

// rolloutPlan replaces the whole rollout plan of a service.
type rolloutPlan struct {
	serviceID string
	targets   []pcnet.RolloutTarget
}

// comuneFacts returns the listed Comuni that exist and are not retired.
func (d *data) comuneFacts(codes []string) map[string]pcnet.ComuneFacts {
	out := make(map[string]pcnet.ComuneFacts, len(codes))
	for _, code := range codes {
		if i, ok := d.comuneIndex[code]; ok && !d.comuni[i].Retired {
			out[code] = pcnet.ComuneFacts{ProvinceCode: d.comuni[i].ProvinceCode}
		}
	}
	return out
}

// SaveProjectWorkSections implements pcnet.ProgrammeWriter.
func (s *Store) SaveProjectWorkSections(ctx context.Context, projectWorkID string, sections []pcnet.ProjectWorkSection) ([]pcnet.ProjectWorkSection, error) {
	var put []pcnet.ProjectWorkSection // the sections written; the result is all of the project work's
	return writeOne(ctx, s, call("SaveProjectWorkSections", projectWorkID, sections), func(d *data) (all []pcnet.ProjectWorkSection, changes []pcnet.Change, err error) {
		put, all, changes, err = pcnet.PlanProjectWorkSections(projectWorkID, sections, pcnet.SectionFacts{
			ProjectWork: d.projectWork(projectWorkID),
			Current:     selectAll(d.programme.Sections, func(x *pcnet.ProjectWorkSection) bool { return x.ProjectWorkID == projectWorkID }),
			Comuni:      d.comuneFacts(pcnet.SectionComuneCodes(sections)),
		})
		return all, changes, err
	}, func([]pcnet.ProjectWorkSection) mutation { return mutation{sections: put} })
}

// SetRolloutPlan implements pcnet.ProgrammeWriter.
func (s *Store) SetRolloutPlan(ctx context.Context, serviceID string, waves []pcnet.RolloutWave) ([]pcnet.RolloutTarget, error) {
	c := pcnet.WriteCall{Method: "SetRolloutPlan", Input: []any{serviceID, waves},
		Invalid: pcnet.ValidateRolloutPlan(serviceID, waves)} // before looking up up to MaxBatch codes
	return writeOne(ctx, s, c, func(d *data) ([]pcnet.RolloutTarget, []pcnet.Change, error) {
		return pcnet.PlanRolloutPlan(serviceID, waves, pcnet.RolloutPlanFacts{
			Service: d.service(serviceID),
			Comuni:  d.comuneFacts(pcnet.RolloutComuneCodes(waves)),
			Current: selectAll(d.programme.RolloutTargets, func(r *pcnet.RolloutTarget) bool { return r.ServiceID == serviceID }),
		})
	}, func(plan []pcnet.RolloutTarget) mutation {
		return mutation{rolloutPlan: &rolloutPlan{serviceID: serviceID, targets: plan}}
	})
}

// AddMaterial implements pcnet.ProgrammeWriter.
func (s *Store) AddMaterial(ctx context.Context, m pcnet.Material) (pcnet.Material, error) {
	return writeOne(ctx, s, call("AddMaterial", m), func(d *data) (pcnet.Material, []pcnet.Change, error) {
		return pcnet.PlanMaterial(m, pcnet.MaterialFacts{
			IDTaken:          slices.ContainsFunc(d.programme.Materials, func(x pcnet.Material) bool { return x.ID == m.ID }),
			SectorFound:      d.hasSector(m.SectorCode),
			AreaSector:       d.areaSector[m.AreaCode],
			ServiceFound:     m.ServiceID != "" && d.service(m.ServiceID) != nil,
			ProjectWorkFound: m.ProjectWorkID != "" && d.projectWork(m.ProjectWorkID) != nil,
			PilotFound:       slices.ContainsFunc(d.programme.Pilots, func(p pcnet.Pilot) bool { return p.ID == m.PilotID }),
			Today:            pcnet.Today(),
		})
	}, func(x pcnet.Material) mutation { return mutation{materials: []pcnet.Material{x}} })
}

// applyProgramme puts m's programme items into next's lists (new slices:
// earlier snapshots share the old ones).
func (next *data) applyProgramme(m mutation) {
	if len(m.sections) > 0 {
		next.programme.Sections = upsert(next.programme.Sections, m.sections, pcnet.CompareSections)
	}
	if p := m.rolloutPlan; p != nil {
		kept := selectAll(next.programme.RolloutTargets, func(r *pcnet.RolloutTarget) bool { return r.ServiceID != p.serviceID })
		next.programme.RolloutTargets = slices.SortedFunc(slices.Values(append(kept, p.targets...)), pcnet.CompareRolloutTargets)
	}
	if len(m.materials) > 0 {
		next.programme.Materials = upsert(next.programme.Materials, m.materials, pcnet.CompareMaterials)
	}
}
