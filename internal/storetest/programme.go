package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"pcnet/internal/pcnet"
)

// ProgrammeFixture is Fixture with a hand-made programme over it; every
// answer of RunProgramme was worked out by hand from it. Its lists are out
// of store order on purpose.
func ProgrammeFixture() pcnet.Dataset {
	ds := Fixture()
	d := pcnet.MustDate
	ds.Programme = pcnet.Programme{
		Participations: []pcnet.Participation{
			{ProvinceCode: "108", SectorCode: "procurement", Since: d("2022-01-10"), Until: d("2025-01-01")},
			{ProvinceCode: "013", SectorCode: "personnel", Since: d("2022-01-10")},
			{ProvinceCode: "064", SectorCode: "procurement", Since: d("2024-01-15")},
			{ProvinceCode: "013", SectorCode: "procurement", Since: d("2022-01-10")},
			{ProvinceCode: "108", SectorCode: "personnel", Since: d("2022-01-10")},
			{ProvinceCode: "040", SectorCode: "procurement", Since: d("2024-01-15")},
			{ProvinceCode: "022", SectorCode: "personnel", Since: d("2024-03-01")},
			{ProvinceCode: "021", SectorCode: "personnel", Since: d("2022-01-10")},
		},
		PathSteps: []pcnet.PathStep{
			{TutorCode: "013", TutoredCode: "215", SectorCode: "personnel", TutorshipSince: d("2023-01-01"), Step: 3, Reached: d("2023-10-01")},
			{TutorCode: "108", TutoredCode: "013", SectorCode: "procurement", TutorshipSince: d("2023-06-01"), Step: 2, Reached: d("2024-02-10")},
			{TutorCode: "013", TutoredCode: "215", SectorCode: "personnel", TutorshipSince: d("2023-01-01"), Step: 1, Reached: d("2023-01-01")},
			{TutorCode: "013", TutoredCode: "108", SectorCode: "personnel", TutorshipSince: d("2023-01-01"), Step: 2, Reached: d("2024-01-01")},
			{TutorCode: "108", TutoredCode: "013", SectorCode: "procurement", TutorshipSince: d("2023-06-01"), Step: 1, Reached: d("2023-06-01")},
			{TutorCode: "013", TutoredCode: "215", SectorCode: "personnel", TutorshipSince: d("2023-01-01"), Step: 2, Reached: d("2023-05-01")},
			{TutorCode: "013", TutoredCode: "108", SectorCode: "personnel", TutorshipSince: d("2023-01-01"), Step: 1, Reached: d("2023-01-01")},
		},
		Sections: []pcnet.ProjectWorkSection{
			{ProjectWorkID: "pw-108-training", Section: pcnet.SectionTimeline, Text: "Due ondate"},
			{ProjectWorkID: "pw-013-training", Section: pcnet.SectionObjectives, Text: "Formare i Comuni"},
			{ProjectWorkID: "pw-108-training", Section: pcnet.SectionContext, Text: "55 Comuni"},
			{ProjectWorkID: "pw-013-training", Section: pcnet.SectionContext, Text: "148 Comuni"},
			{ProjectWorkID: "pw-108-training", Section: pcnet.SectionObjectives, Text: "Un'accademia"},
		},
		RolloutTargets: []pcnet.RolloutTarget{
			{ServiceID: "svc-013-training", ComuneCode: "013133", Wave: 2, Due: d("2025-01-01")},
			{ServiceID: "svc-040-recruitment", ComuneCode: "040015", Wave: 1, Due: d("2024-01-01")},
			{ServiceID: "svc-013-training", ComuneCode: "013250", Wave: 2, Due: d("2024-06-01")},
			{ServiceID: "svc-013-training", ComuneCode: "013130", Wave: 1, Due: d("2023-06-01")},
		},
		Materials: []pcnet.Material{
			{ID: "mat-c", Title: "Convenzione SUA", Kind: pcnet.MaterialTemplate, URL: "https://pico.example.org/c", SectorCode: "procurement", AreaCode: "sua", ServiceID: "svc-013-sua", Published: d("2022-02-01")},
			{ID: "mat-a", Title: "Webinar personale", Kind: pcnet.MaterialSlides, URL: "https://pico.example.org/a", SectorCode: "personnel", PilotID: "pilot-d", Published: d("2026-05-19")},
			{ID: "mat-b", Title: "Project Work Como", Kind: pcnet.MaterialDocument, URL: "https://pico.example.org/b", SectorCode: "personnel", AreaCode: "staff-training", ProjectWorkID: "pw-013-training", Published: d("2024-03-01")},
		},
		// Scopes out of code order on purpose; pilot-d has no service and
		// ended undecided.
		Pilots: []pcnet.Pilot{
			{ID: "pilot-c", Title: "Formazione a Lenno e Valsolda", ProvinceCode: "013", ServiceID: "svc-013-training", SectorCode: "personnel",
				ComuneCodes: []string{"013250", "013130"}, Since: d("2022-01-01"), Until: d("2022-07-01"), Evaluation: "Obiettivi raggiunti", Decision: pcnet.PilotExtend},
			{ID: "pilot-a", Title: "Concorsi unici a Cesena", ProvinceCode: "040", ServiceID: "svc-040-recruitment", SectorCode: "personnel",
				ComuneCodes: []string{"040015", "040007"}, Since: d("2023-03-01")},
			{ID: "pilot-b", Title: "SUA all'Esca", ProvinceCode: "064", ServiceID: "svc-064-sua", SectorCode: "procurement",
				ComuneCodes: []string{"064090"}, Since: d("2020-01-01"), Until: d("2020-12-31"), Evaluation: "Costi troppo alti", Decision: pcnet.PilotStop},
			{ID: "pilot-d", Title: "Formazione a Besana", ProvinceCode: "108", SectorCode: "personnel",
				ComuneCodes: []string{"108009"}, Since: d("2024-09-01"), Until: d("2025-03-01")},
		},
	}
	return ds
}

// RunProgramme runs the conformance suite of pcnet.ProgrammeStore. open
// must return a store holding exactly ds; it is called on
// ProgrammeFixture and on an empty dataset.
func RunProgramme(t *testing.T, open func(t *testing.T, ds pcnet.Dataset) pcnet.ProgrammeStore) {
	fx := ProgrammeFixture()
	if err := fx.Validate(); err != nil {
		t.Fatalf("the programme fixture itself is invalid: %v", err)
	}
	s := open(t, fx)
	ctx := context.Background()
	d := pcnet.MustDate

	t.Run("Participations", func(t *testing.T) {
		key := func(p pcnet.Participation) string { return p.SectorCode + "/" + p.ProvinceCode }
		runKeyCases(t, []filterCase[pcnet.ParticipationFilter]{
			{"all", pcnet.ParticipationFilter{}, []string{"personnel/013", "personnel/021", "personnel/022", "personnel/108", "procurement/013", "procurement/040", "procurement/064", "procurement/108"}},
			{"joined in 2024", pcnet.ParticipationFilter{SinceFrom: d("2024-01-01"), SinceBefore: d("2025-01-01")}, []string{"personnel/022", "procurement/040", "procurement/064"}},
			{"active in 2025 (108 left procurement)", pcnet.ParticipationFilter{SectorCodes: []string{"procurement"}, ActiveOn: d("2025-01-01")}, []string{"procurement/013", "procurement/040", "procurement/064"}},
			{"last day of a period", pcnet.ParticipationFilter{ProvinceCodes: []string{"108"}, ActiveOn: d("2024-12-31")}, []string{"personnel/108", "procurement/108"}},
			{"region of the Province", pcnet.ParticipationFilter{RegionCodes: []string{"04"}}, []string{"personnel/021", "personnel/022"}},
			{"unknown sector", pcnet.ParticipationFilter{SectorCodes: []string{"nope"}}, nil},
		}, s.Participations, key)
		got, _ := s.Participations(ctx, pcnet.ParticipationFilter{ProvinceCodes: []string{"108"}, SectorCodes: []string{"procurement"}})
		if len(got) != 1 || got[0] != fx.Participations[0] {
			t.Errorf("108 in procurement = %+v, want %+v", got, fx.Participations[0])
		}
	})

	t.Run("PathSteps", func(t *testing.T) {
		key := func(p pcnet.PathStep) string {
			return p.SectorCode + "/" + p.TutorCode + ">" + p.TutoredCode + "/" + string(rune('0'+p.Step)) + "@" + p.Reached.String()
		}
		runKeyCases(t, []filterCase[pcnet.PathStepFilter]{
			{"all", pcnet.PathStepFilter{}, []string{
				"personnel/013>108/1@2023-01-01", "personnel/013>108/2@2024-01-01",
				"personnel/013>215/1@2023-01-01", "personnel/013>215/2@2023-05-01", "personnel/013>215/3@2023-10-01",
				"procurement/108>013/1@2023-06-01", "procurement/108>013/2@2024-02-10"}},
			{"tutored", pcnet.PathStepFilter{TutoredCodes: []string{"013", "108"}}, []string{
				"personnel/013>108/1@2023-01-01", "personnel/013>108/2@2024-01-01",
				"procurement/108>013/1@2023-06-01", "procurement/108>013/2@2024-02-10"}},
			{"tutor and sector", pcnet.PathStepFilter{TutorCodes: []string{"108"}, SectorCodes: []string{"personnel"}}, nil},
		}, s.PathSteps, key)
		got, _ := s.PathSteps(ctx, pcnet.PathStepFilter{TutoredCodes: []string{"215"}})
		if len(got) != 3 || got[2] != fx.PathSteps[0] {
			t.Errorf("steps of 215 = %+v, want step 3 %+v last", got, fx.PathSteps[0])
		}
	})

	t.Run("ProjectWorkSections", func(t *testing.T) {
		key := func(p pcnet.ProjectWorkSection) string {
			return p.ProjectWorkID + "/" + string(p.Section) + "=" + p.Text
		}
		runKeyCases(t, []filterCase[[]string]{
			{"all, in the common structure's order", nil, []string{
				"pw-013-training/CONTEXT=148 Comuni", "pw-013-training/OBJECTIVES=Formare i Comuni",
				"pw-108-training/CONTEXT=55 Comuni", "pw-108-training/OBJECTIVES=Un'accademia", "pw-108-training/TIMELINE=Due ondate"}},
			{"one", []string{"pw-013-training", "pw-none"}, []string{"pw-013-training/CONTEXT=148 Comuni", "pw-013-training/OBJECTIVES=Formare i Comuni"}},
			{"none written", []string{"pw-215-sua"}, nil},
		}, s.ProjectWorkSections, key)
	})

	t.Run("RolloutTargets", func(t *testing.T) {
		key := func(r pcnet.RolloutTarget) string {
			return r.ServiceID + "/" + string(rune('0'+r.Wave)) + "/" + r.Due.String() + "/" + r.ComuneCode
		}
		runKeyCases(t, []filterCase[pcnet.RolloutTargetFilter]{
			{"all, by service, wave and due date", pcnet.RolloutTargetFilter{}, []string{
				"svc-013-training/1/2023-06-01/013130", "svc-013-training/2/2024-06-01/013250", "svc-013-training/2/2025-01-01/013133",
				"svc-040-recruitment/1/2024-01-01/040015"}},
			{"due by, inclusive", pcnet.RolloutTargetFilter{ServiceIDs: []string{"svc-013-training"}, DueBy: d("2024-06-01")}, []string{
				"svc-013-training/1/2023-06-01/013130", "svc-013-training/2/2024-06-01/013250"}},
			{"comune", pcnet.RolloutTargetFilter{ComuneCodes: []string{"040015", "013041"}}, []string{"svc-040-recruitment/1/2024-01-01/040015"}},
			{"unknown service", pcnet.RolloutTargetFilter{ServiceIDs: []string{"svc-x"}}, nil},
		}, s.RolloutTargets, key)
	})

	t.Run("Materials", func(t *testing.T) {
		key := func(m pcnet.Material) string { return m.ID }
		runKeyCases(t, []filterCase[pcnet.MaterialFilter]{
			{"all", pcnet.MaterialFilter{}, []string{"mat-a", "mat-b", "mat-c"}},
			{"sector", pcnet.MaterialFilter{SectorCodes: []string{"personnel"}}, []string{"mat-a", "mat-b"}},
			{"area excludes sector-wide ones", pcnet.MaterialFilter{AreaCodes: []string{"staff-training"}}, []string{"mat-b"}},
			{"kind", pcnet.MaterialFilter{Kinds: []pcnet.MaterialKind{pcnet.MaterialTemplate, pcnet.MaterialSlides}}, []string{"mat-a", "mat-c"}},
			{"attached to a service", pcnet.MaterialFilter{ServiceIDs: []string{"svc-013-sua"}}, []string{"mat-c"}},
			{"attached to a project work", pcnet.MaterialFilter{ProjectWorkIDs: []string{"pw-013-training"}}, []string{"mat-b"}},
			{"ids and sector ANDed", pcnet.MaterialFilter{IDs: []string{"mat-a", "mat-c"}, SectorCodes: []string{"procurement"}}, []string{"mat-c"}},
		}, s.Materials, key)
		all, _ := s.Materials(ctx, pcnet.MaterialFilter{})
		want := slices.Clone(fx.Materials)
		slices.SortFunc(want, pcnet.CompareMaterials)
		if !reflect.DeepEqual(all, want) {
			t.Errorf("materials =\n%+v\nwant\n%+v", all, want)
		}
	})

	t.Run("Pilots", func(t *testing.T) {
		key := func(p pcnet.Pilot) string { return p.ID }
		runKeyCases(t, []filterCase[pcnet.PilotFilter]{
			{"all, by id", pcnet.PilotFilter{}, []string{"pilot-a", "pilot-b", "pilot-c", "pilot-d"}},
			{"province", pcnet.PilotFilter{ProvinceCodes: []string{"013", "215"}}, []string{"pilot-c"}},
			{"service leaves out pilots of no service", pcnet.PilotFilter{ServiceIDs: []string{"svc-040-recruitment", "svc-013-sua"}}, []string{"pilot-a"}},
			{"sector", pcnet.PilotFilter{SectorCodes: []string{"procurement"}}, []string{"pilot-b"}},
			{"any Comune of the scope", pcnet.PilotFilter{ComuneCodes: []string{"013130", "040007", "013075"}}, []string{"pilot-a", "pilot-c"}},
			{"decided", pcnet.PilotFilter{Decisions: []pcnet.PilotDecision{pcnet.PilotExtend, pcnet.PilotStop}}, []string{"pilot-b", "pilot-c"}},
			{"not decided yet", pcnet.PilotFilter{Decisions: []pcnet.PilotDecision{""}}, []string{"pilot-a", "pilot-d"}},
			{"revised: none", pcnet.PilotFilter{Decisions: []pcnet.PilotDecision{pcnet.PilotRevise}}, nil},
			{"active on the last day", pcnet.PilotFilter{ActiveOn: d("2025-02-28")}, []string{"pilot-a", "pilot-d"}},
			{"active on the end day (exclusive)", pcnet.PilotFilter{ActiveOn: d("2025-03-01")}, []string{"pilot-a"}},
			{"ids and sector ANDed", pcnet.PilotFilter{IDs: []string{"pilot-a", "pilot-b"}, SectorCodes: []string{"personnel"}}, []string{"pilot-a"}},
		}, s.Pilots, key)
		all, _ := s.Pilots(ctx, pcnet.PilotFilter{})
		if want := fx.Sorted().Pilots; !reflect.DeepEqual(all, want) { // scopes in code order
			t.Errorf("pilots =\n%+v\nwant\n%+v", all, want)
		}
	})

	t.Run("EmptyDataset", func(t *testing.T) {
		e := open(t, pcnet.Dataset{})
		p, err1 := e.Participations(ctx, pcnet.ParticipationFilter{})
		r, err2 := e.RolloutTargets(ctx, pcnet.RolloutTargetFilter{})
		m, err3 := e.Materials(ctx, pcnet.MaterialFilter{})
		pl, err4 := e.Pilots(ctx, pcnet.PilotFilter{})
		if len(p)+len(r)+len(m)+len(pl) != 0 || err1 != nil || err2 != nil || err3 != nil || err4 != nil {
			t.Errorf("empty store: %v %v %v %v, errors %v %v %v %v", p, r, m, pl, err1, err2, err3, err4)
		}
	})

	t.Run("CancelledContext", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Participations(cctx, pcnet.ParticipationFilter{}); err == nil {
			t.Error("Participations with a cancelled context: no error")
		}
		if _, err := s.Materials(cctx, pcnet.MaterialFilter{}); err == nil {
			t.Error("Materials with a cancelled context: no error")
		}
		if _, err := s.Pilots(cctx, pcnet.PilotFilter{}); err == nil {
			t.Error("Pilots with a cancelled context: no error")
		}
	})
}

// runKeyCases lists the items of each case's filter and compares their
// keys, in order, with the case's.
func runKeyCases[F, T any](t *testing.T, cases []filterCase[F], list func(context.Context, F) ([]T, error), key func(T) string) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := list(context.Background(), tc.filter)
			checkKeys(t, got, err, key, tc.want)
		})
	}
}

// checkKeys compares the keys of got, in order, with want.
func checkKeys[T any](t *testing.T, got []T, err error, key func(T) string, want []string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(got))
	for _, x := range got {
		keys = append(keys, key(x))
	}
	if len(keys) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(keys, want) {
		t.Errorf("got  %q\nwant %q", keys, want)
	}
}
