package pcnet

import (
	"slices"
	"strings"
	"testing"
)

func checkCode(t *testing.T, err error, code, field string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	if ErrorCode(err) != code || ErrorField(err) != field {
		t.Fatalf("error %v (code %q, field %q), want code %q field %q", err, ErrorCode(err), ErrorField(err), code, field)
	}
}

func TestPlanProjectWorkSections(t *testing.T) {
	pw := &ProjectWork{ID: "pw-1", ProvinceCode: "013"}
	sec := func(k SectionKind, text string) ProjectWorkSection { return ProjectWorkSection{Section: k, Text: text} }
	facts := SectionFacts{ProjectWork: pw, Current: []ProjectWorkSection{{ProjectWorkID: "pw-1", Section: SectionContext, Text: "old"}},
		Comuni: map[string]ComuneFacts{"013001": {ProvinceCode: "013"}, "108001": {ProvinceCode: "108"}}}
	tests := []struct {
		name        string
		id          string
		in          []ProjectWorkSection
		facts       SectionFacts
		code, field string
	}{
		{"no id", "", []ProjectWorkSection{sec(SectionContext, "x")}, facts, EINVALID, "projectWorkId"},
		{"no sections", "pw-1", nil, facts, EINVALID, "sections"},
		{"unknown kind", "pw-1", []ProjectWorkSection{sec("BUDGET", "x")}, facts, EINVALID, "sections[0].section"},
		{"kind twice", "pw-1", []ProjectWorkSection{sec(SectionContext, "a"), sec(SectionContext, "b")}, facts, EINVALID, "sections[1].section"},
		{"blank text", "pw-1", []ProjectWorkSection{sec(SectionObjectives, "  ")}, facts, EINVALID, "sections[0].text"},
		{"too long", "pw-1", []ProjectWorkSection{sec(SectionObjectives, strings.Repeat("x", MaxSectionLength+1))}, facts, EINVALID, "sections[0].text"},
		{"unknown project work", "pw-2", []ProjectWorkSection{sec(SectionContext, "x")}, SectionFacts{}, ENOTFOUND, "projectWorkId"},
		{"unknown Comune", "pw-1", []ProjectWorkSection{sec(SectionContext, "x"), sec(SectionTargetComuni, "013001 e 013999")}, facts, ENOTFOUND, "sections[1].text"},
		{"Comune elsewhere", "pw-1", []ProjectWorkSection{sec(SectionTargetComuni, "108001")}, facts, EINVALID, "sections[0].text"},
		// Codes only count in the target Comuni section.
		{"codes in context", "pw-1", []ProjectWorkSection{sec(SectionContext, "108001")}, facts, "", ""},
		{"ok", "pw-1", []ProjectWorkSection{sec(SectionTargetComuni, "I Comuni 013001.")}, facts, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := PlanProjectWorkSections(tt.id, tt.in, tt.facts)
			checkCode(t, err, tt.code, tt.field)
		})
	}

	put, all, changes, err := PlanProjectWorkSections("pw-1", []ProjectWorkSection{sec(SectionObjectives, " new "), sec(SectionContext, "old")}, facts)
	checkCode(t, err, "", "")
	if len(put) != 1 || put[0] != (ProjectWorkSection{ProjectWorkID: "pw-1", Section: SectionObjectives, Text: "new"}) {
		t.Errorf("put %+v, want only the new, trimmed objectives", put)
	}
	if len(all) != 2 || all[0].Section != SectionContext || all[1].Section != SectionObjectives {
		t.Errorf("all %+v, want context then objectives", all)
	}
	if len(changes) != 1 || changes[0].Action != ActionCreate || changes[0].EntityID != "pw-1/OBJECTIVES" || changes[0].Entity != EntityProjectWorkSection {
		t.Errorf("changes %+v", changes)
	}
	_, _, changes, _ = PlanProjectWorkSections("pw-1", []ProjectWorkSection{sec(SectionContext, "older")}, facts)
	if len(changes) != 1 || changes[0].Action != ActionUpdate {
		t.Errorf("rewriting a section: changes %+v, want one update", changes)
	}
	if got := SectionComuneCodes([]ProjectWorkSection{sec(SectionTargetComuni, "013001, 108001 e 013001; 1234567"), sec(SectionContext, "013002")}); !slices.Equal(got, []string{"013001", "108001"}) {
		t.Errorf("SectionComuneCodes = %v", got)
	}
}

func TestPlanRolloutPlan(t *testing.T) {
	svc := &SharedService{ID: "svc-1", ProviderCode: "013", StartDate: MustDate("2024-01-01")}
	facts := RolloutPlanFacts{Service: svc, Comuni: map[string]ComuneFacts{
		"013001": {ProvinceCode: "013"}, "013002": {ProvinceCode: "013"}, "108001": {ProvinceCode: "108"},
	}}
	w := func(due string, codes ...string) RolloutWave {
		return RolloutWave{Due: MustDate(due), ComuneCodes: codes}
	}
	tests := []struct {
		name        string
		waves       []RolloutWave
		facts       RolloutPlanFacts
		code, field string
	}{
		{"no due date", []RolloutWave{{ComuneCodes: []string{"013001"}}}, facts, EINVALID, "waves[0].due"},
		{"dates not ordered", []RolloutWave{w("2025-01-01", "013001"), w("2025-01-01", "013002")}, facts, EINVALID, "waves[1].due"},
		{"empty wave", []RolloutWave{w("2025-01-01")}, facts, EINVALID, "waves[0].comuneCodes"},
		{"malformed code", []RolloutWave{w("2025-01-01", "13001")}, facts, EINVALID, "waves[0].comuneCodes[0]"},
		{"Comune in two waves", []RolloutWave{w("2025-01-01", "013001"), w("2025-06-01", "013002", "013001")}, facts, EINVALID, "waves[1].comuneCodes[1]"},
		{"unknown service", []RolloutWave{w("2025-01-01", "013001")}, RolloutPlanFacts{}, ENOTFOUND, "serviceId"},
		{"unknown Comune", []RolloutWave{w("2025-01-01", "013001", "013999")}, facts, ENOTFOUND, "waves[0].comuneCodes[1]"},
		{"Comune elsewhere", []RolloutWave{w("2025-01-01", "108001")}, facts, EINVALID, "waves[0].comuneCodes[0]"},
		{"due before the start", []RolloutWave{w("2023-12-31", "013001")}, facts, EINVALID, "waves[0].due"},
		{"ok", []RolloutWave{w("2024-01-01", "013002"), w("2025-01-01", "013001")}, facts, "", ""},
		{"clear", nil, facts, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := PlanRolloutPlan("svc-1", tt.waves, tt.facts)
			checkCode(t, err, tt.code, tt.field)
		})
	}
	plan, changes, err := PlanRolloutPlan("svc-1", []RolloutWave{w("2025-01-01", "013002"), w("2025-06-01", "013001")}, facts)
	checkCode(t, err, "", "")
	want := []RolloutTarget{{"svc-1", "013002", 1, MustDate("2025-01-01")}, {"svc-1", "013001", 2, MustDate("2025-06-01")}}
	if !slices.Equal(plan, want) || len(changes) != 1 || changes[0].Action != ActionSet || changes[0].EntityID != "svc-1" {
		t.Fatalf("plan %+v changes %+v, want %+v and one set entry", plan, changes, want)
	}
	facts.Current = []RolloutTarget{want[1], want[0]}
	if _, changes, _ := PlanRolloutPlan("svc-1", []RolloutWave{w("2025-01-01", "013002"), w("2025-06-01", "013001")}, facts); len(changes) != 0 {
		t.Errorf("setting the stored plan again: changes %+v, want none", changes)
	}
}

func TestPlanMaterial(t *testing.T) {
	ok := Material{ID: "mat-1", Title: " Kit ", Kind: MaterialTool, URL: "https://pico.example.org/kit", SectorCode: "personnel", AreaCode: "staff-training"}
	facts := MaterialFacts{SectorFound: true, AreaSector: "personnel", ServiceFound: true, ProjectWorkFound: true, PilotFound: true, Today: MustDate("2026-05-19")}
	tests := []struct {
		name        string
		edit        func(m *Material, f *MaterialFacts)
		code, field string
	}{
		{"ok", func(*Material, *MaterialFacts) {}, "", ""},
		{"malformed id", func(m *Material, _ *MaterialFacts) { m.ID = "mat 1" }, EINVALID, "id"},
		{"blank title", func(m *Material, _ *MaterialFacts) { m.Title = " " }, EINVALID, "title"},
		{"unknown kind", func(m *Material, _ *MaterialFacts) { m.Kind = "VIDEO" }, EINVALID, "kind"},
		{"no link", func(m *Material, _ *MaterialFacts) { m.URL = "" }, EINVALID, "url"},
		{"relative link", func(m *Material, _ *MaterialFacts) { m.URL = "/materiali/kit" }, EINVALID, "url"},
		{"ftp link", func(m *Material, _ *MaterialFacts) { m.URL = "ftp://pico.example.org/kit" }, EINVALID, "url"},
		{"javascript link", func(m *Material, _ *MaterialFacts) { m.URL = "javascript:alert(1)" }, EINVALID, "url"},
		{"no host", func(m *Material, _ *MaterialFacts) { m.URL = "https:///kit" }, EINVALID, "url"},
		{"credentials in link", func(m *Material, _ *MaterialFacts) { m.URL = "https://u:p@pico.example.org/kit" }, EINVALID, "url"},
		{"no sector", func(m *Material, _ *MaterialFacts) { m.SectorCode = "" }, EINVALID, "sectorCode"},
		{"id taken", func(_ *Material, f *MaterialFacts) { f.IDTaken = true }, ECONFLICT, "id"},
		{"unknown sector", func(_ *Material, f *MaterialFacts) { f.SectorFound = false }, ENOTFOUND, "sectorCode"},
		{"unknown area", func(_ *Material, f *MaterialFacts) { f.AreaSector = "" }, ENOTFOUND, "areaCode"},
		{"area of another sector", func(_ *Material, f *MaterialFacts) { f.AreaSector = "europe" }, EINVALID, "areaCode"},
		{"unknown service", func(m *Material, f *MaterialFacts) { m.ServiceID, f.ServiceFound = "svc-x", false }, ENOTFOUND, "serviceId"},
		{"unknown project work", func(m *Material, f *MaterialFacts) { m.ProjectWorkID, f.ProjectWorkFound = "pw-x", false }, ENOTFOUND, "projectWorkId"},
		{"unknown pilot", func(m *Material, f *MaterialFacts) { m.PilotID, f.PilotFound = "pilot-x", false }, ENOTFOUND, "pilotId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, f := ok, facts
			tt.edit(&m, &f)
			_, _, err := PlanMaterial(m, f)
			checkCode(t, err, tt.code, tt.field)
		})
	}
	got, changes, err := PlanMaterial(ok, facts)
	checkCode(t, err, "", "")
	if got.Title != "Kit" || got.Published != facts.Today {
		t.Errorf("planned %+v, want the title trimmed and published today", got)
	}
	if len(changes) != 1 || changes[0].Entity != EntityMaterial || changes[0].Action != ActionCreate || changes[0].EntityID != "mat-1" {
		t.Errorf("changes %+v", changes)
	}
}
