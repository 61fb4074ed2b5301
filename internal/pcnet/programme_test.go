package pcnet_test

import (
	"strings"
	"testing"

	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

// TestValidateProgramme checks that the programme is validated with the
// rest of the dataset, each problem naming its item, all of them listed.
func TestValidateProgramme(t *testing.T) {
	d := pcnet.MustDate
	tests := []struct {
		name   string
		change func(p *pcnet.Programme)
		want   []string
	}{
		{"unknown province and sector", func(p *pcnet.Programme) {
			p.Participations = append(p.Participations, pcnet.Participation{ProvinceCode: "999", SectorCode: "space", Since: d("2024-01-01")})
		}, []string{"participation 999 in space: unknown province", "participation 999 in space: unknown sector"}},
		{"overlapping participations", func(p *pcnet.Programme) {
			p.Participations = append(p.Participations, pcnet.Participation{ProvinceCode: "013", SectorCode: "personnel", Since: d("2023-01-01")})
		}, []string{"participation 013 in personnel: overlaps"}},
		{"step of an unknown tutorship", func(p *pcnet.Programme) {
			p.PathSteps = append(p.PathSteps, pcnet.PathStep{TutorCode: "013", TutoredCode: "022", SectorCode: "personnel", TutorshipSince: d("2023-01-01"), Step: 1, Reached: d("2023-01-01")})
		}, []string{"unknown tutorship"}},
		{"step past the one reached, step out of order", func(p *pcnet.Programme) {
			p.PathSteps = append(p.PathSteps, pcnet.PathStep{TutorCode: "013", TutoredCode: "108", SectorCode: "personnel", TutorshipSince: d("2023-01-01"), Step: 3, Reached: d("2023-06-01")})
		}, []string{"step outside 1..2", "before step 2"}},
		{"section twice, empty text", func(p *pcnet.Programme) {
			p.Sections = append(p.Sections, pcnet.ProjectWorkSection{ProjectWorkID: "pw-013-training", Section: pcnet.SectionContext})
		}, []string{"section CONTEXT of project work pw-013-training: empty text", "listed twice"}},
		{"target outside the provider's Province, before the service", func(p *pcnet.Programme) {
			p.RolloutTargets = append(p.RolloutTargets, pcnet.RolloutTarget{ServiceID: "svc-013-training", ComuneCode: "108033", Wave: 0, Due: d("2021-01-01")})
		}, []string{"not in the provider's 013", "wave 0", "before the service started"}},
		{"material with a foreign area and no link", func(p *pcnet.Programme) {
			p.Materials = append(p.Materials, pcnet.Material{ID: "mat-x", Title: "X", Kind: pcnet.MaterialTool, SectorCode: "procurement", AreaCode: "staff-training", Published: d("2024-01-01")})
		}, []string{"material mat-x: missing link", "area staff-training is in sector personnel"}},
		{"pilot over another Province's Comune, of another's service, decided while running", func(p *pcnet.Programme) {
			p.Pilots = append(p.Pilots, pcnet.Pilot{ID: "pilot-x", Title: "X", ProvinceCode: "013", ServiceID: "svc-040-recruitment", SectorCode: "personnel",
				ComuneCodes: []string{"013130", "108033", "013130"}, Since: d("2024-01-01"), Decision: pcnet.PilotExtend})
		}, []string{"pilot pilot-x: service svc-040-recruitment is provided by 040, not by 013", "comune 108033 is in province 108, not in 013",
			"comune 013130 listed twice", "decided while still running"}},
		{"pilot with no scope, a bad period and decision, a duplicate id", func(p *pcnet.Programme) {
			p.Pilots = append(p.Pilots, pcnet.Pilot{ID: "pilot-a", Title: "X", ProvinceCode: "999", SectorCode: "space",
				Since: d("2024-01-01"), Until: d("2023-01-01"), Decision: "MAYBE"})
		}, []string{"pilot pilot-a: duplicate id", "empty scope", "unknown province", "unknown sector", "not after it starts", `unknown decision "MAYBE"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := storetest.ProgrammeFixture()
			tt.change(&ds.Programme)
			err := ds.Validate()
			if err == nil {
				t.Fatal("Validate accepted the change")
			}
			if code := pcnet.ErrorCode(err); code != pcnet.EINVALID {
				t.Errorf("error code %q, want invalid", code)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q doesn't contain %q", err, w)
				}
			}
		})
	}
}
