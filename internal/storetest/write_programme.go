package storetest

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"pcnet/internal/pcnet"
)

// The programme's writes (pcnet.ProgrammeWriter, issue 13): a project
// work's sections, a service's rollout plan in waves, and materials. Each
// write is read back through pcnet.ProgrammeStore, audited, and every
// rejected one leaves the store (programme included, readState) as it was.

// writePilot is the pilot WriteFixture adds, for materials attached to one.
const writePilot = "pilot-013-sua"

// programmeStore is a store that records and reads the programme.
type programmeStore interface {
	WriteStore
	pcnet.ProgrammeStore
}

// programmeOf returns s as a programmeStore; a store that writes but
// can't read the programme back fails the suite (never skips it).
func programmeOf(t *testing.T, s WriteStore) programmeStore {
	t.Helper()
	ps, ok := s.(programmeStore)
	if !ok {
		t.Fatalf("%T doesn't implement pcnet.ProgrammeStore: the programme's writes can't be read back", s)
	}
	return ps
}

func testSaveProjectWorkSections(t *testing.T, w WriteStore) {
	ctx := asPlanner()
	s := programmeOf(t, w)
	ps := s
	const pw = "pw-013-training" // Como's
	sec := func(k pcnet.SectionKind, text string) pcnet.ProjectWorkSection {
		return pcnet.ProjectWorkSection{Section: k, Text: text}
	}
	readBack := func(t *testing.T) []pcnet.ProjectWorkSection {
		t.Helper()
		got, err := ps.ProjectWorkSections(context.Background(), []string{pw})
		must(t, err)
		return got
	}

	t.Run("write and rewrite", func(t *testing.T) {
		seq := lastSeq(t, s)
		got, err := s.SaveProjectWorkSections(ctx, pw, []pcnet.ProjectWorkSection{
			sec(pcnet.SectionTargetComuni, " Cantù (013041) e Livo (013133), poi gli altri. "),
			sec(pcnet.SectionContext, "Como: 148 Comuni."),
		})
		must(t, err)
		want := []pcnet.ProjectWorkSection{
			{ProjectWorkID: pw, Section: pcnet.SectionContext, Text: "Como: 148 Comuni."},
			{ProjectWorkID: pw, Section: pcnet.SectionTargetComuni, Text: "Cantù (013041) e Livo (013133), poi gli altri."},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("saved %+v,\n want %+v (trimmed, in the order of the common structure)", got, want)
		}
		if back := readBack(t); !reflect.DeepEqual(back, want) {
			t.Errorf("read back %+v, want %+v", back, want)
		}
		if c := changesOf(t, s, pcnet.SectionEntityID(pw, pcnet.SectionContext)); len(c) != 1 || c[0].Seq <= seq ||
			c[0].Entity != pcnet.EntityProjectWorkSection || c[0].Action != pcnet.ActionCreate || c[0].Actor != planner.Subject {
			t.Errorf("audit of the context section: %+v", c)
		}

		// A rewrite of one section leaves the others; the same text is no change.
		seq = lastSeq(t, s)
		got, err = s.SaveProjectWorkSections(ctx, pw, []pcnet.ProjectWorkSection{sec(pcnet.SectionContext, "Como: 148 Comuni."), sec(pcnet.SectionObjectives, "Un'accademia comune.")})
		must(t, err)
		if len(got) != 3 || got[1].Section != pcnet.SectionObjectives {
			t.Errorf("after adding the objectives: %+v", got)
		}
		if c := changesOf(t, s, pcnet.SectionEntityID(pw, pcnet.SectionContext)); len(c) != 1 {
			t.Errorf("saving the context unchanged recorded %d entries, want the first only", len(c))
		}
		_, err = s.SaveProjectWorkSections(ctx, pw, []pcnet.ProjectWorkSection{sec(pcnet.SectionObjectives, "Un'accademia comune.")})
		must(t, err)
		checkNoNewChanges(t, s, seq+1, "saving sections unchanged")
		_, err = s.SaveProjectWorkSections(ctx, pw, []pcnet.ProjectWorkSection{sec(pcnet.SectionObjectives, "Un'accademia per 148 Comuni.")})
		must(t, err)
		if c := changesOf(t, s, pcnet.SectionEntityID(pw, pcnet.SectionObjectives)); len(c) != 2 || c[1].Action != pcnet.ActionUpdate {
			t.Errorf("audit of the objectives: %+v, want create then update", c)
		}
		if back := readBack(t); len(back) != 3 || back[1].Text != "Un'accademia per 148 Comuni." {
			t.Errorf("read back %+v", back)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, tt := range []struct {
			name        string
			id          string
			in          []pcnet.ProjectWorkSection
			code, field string
		}{
			{"no sections", pw, nil, pcnet.EINVALID, "sections"},
			{"unknown section", pw, []pcnet.ProjectWorkSection{sec("BUDGET", "x")}, pcnet.EINVALID, "sections[0].section"},
			{"section twice", pw, []pcnet.ProjectWorkSection{sec(pcnet.SectionTimeline, "2025"), sec(pcnet.SectionTimeline, "2026")}, pcnet.EINVALID, "sections[1].section"},
			{"blank text", pw, []pcnet.ProjectWorkSection{sec(pcnet.SectionTimeline, "2025"), sec(pcnet.SectionResources, " \n ")}, pcnet.EINVALID, "sections[1].text"},
			{"unknown project work", "pw-nowhere", []pcnet.ProjectWorkSection{sec(pcnet.SectionTimeline, "2025")}, pcnet.ENOTFOUND, "projectWorkId"},
			{"unknown target Comune", pw, []pcnet.ProjectWorkSection{sec(pcnet.SectionTimeline, "2025"), sec(pcnet.SectionTargetComuni, "013041 e 013999")}, pcnet.ENOTFOUND, "sections[1].text"},
			{"target Comune of another Province", pw, []pcnet.ProjectWorkSection{sec(pcnet.SectionTargetComuni, "Monza, 108033")}, pcnet.EINVALID, "sections[0].text"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				rejected(t, s, tt.code, tt.field, func() error { _, err := s.SaveProjectWorkSections(ctx, tt.id, tt.in); return err })
			})
		}
	})
}

func testSetRolloutPlan(t *testing.T, w WriteStore) {
	ctx := asPlanner()
	s := programmeOf(t, w)
	ps := s
	svc := leccoService // Lecco's, from 2024-01-01
	wave := func(due string, codes ...string) pcnet.RolloutWave {
		return pcnet.RolloutWave{Due: date(due), ComuneCodes: codes}
	}
	target := func(comune string, w int, due string) pcnet.RolloutTarget {
		return pcnet.RolloutTarget{ServiceID: svc, ComuneCode: comune, Wave: w, Due: date(due)}
	}
	readBack := func(t *testing.T) []pcnet.RolloutTarget {
		t.Helper()
		got, err := ps.RolloutTargets(context.Background(), pcnet.RolloutTargetFilter{ServiceIDs: []string{svc}})
		must(t, err)
		return got
	}

	t.Run("set, replace, clear", func(t *testing.T) {
		got, err := s.SetRolloutPlan(ctx, svc, []pcnet.RolloutWave{wave("2025-01-01", "097003", "097001"), wave("2025-06-01", "097002")})
		must(t, err)
		want := []pcnet.RolloutTarget{target("097001", 1, "2025-01-01"), target("097003", 1, "2025-01-01"), target("097002", 2, "2025-06-01")}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("SetRolloutPlan = %+v,\n want %+v", got, want)
		}
		if back := readBack(t); !reflect.DeepEqual(back, want) {
			t.Errorf("read back %+v, want %+v", back, want)
		}
		// The same plan again is no change.
		seq := lastSeq(t, s)
		_, err = s.SetRolloutPlan(ctx, svc, []pcnet.RolloutWave{wave("2025-01-01", "097001", "097003"), wave("2025-06-01", "097002")})
		must(t, err)
		checkNoNewChanges(t, s, seq, "setting the stored plan again")

		// Replacing drops the Comuni left out.
		got, err = s.SetRolloutPlan(ctx, svc, []pcnet.RolloutWave{wave("2025-03-01", "097002"), wave("2025-09-01", "097004")})
		must(t, err)
		want = []pcnet.RolloutTarget{target("097002", 1, "2025-03-01"), target("097004", 2, "2025-09-01")}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("replaced: %+v, want %+v", got, want)
		}
		if back := readBack(t); !reflect.DeepEqual(back, want) {
			t.Errorf("replaced, read back %+v, want %+v", back, want)
		}
		// Another service's plan is its own.
		others, err := ps.RolloutTargets(context.Background(), pcnet.RolloutTargetFilter{})
		must(t, err)
		if len(others) != len(want) {
			t.Errorf("all rollout targets: %+v, want only %s's", others, svc)
		}

		got, err = s.SetRolloutPlan(ctx, svc, nil)
		must(t, err)
		if len(got) != 0 || len(readBack(t)) != 0 {
			t.Errorf("cleared plan: %+v, read back %+v", got, readBack(t))
		}
		c := changesOf(t, s, svc)
		var sets []pcnet.Change
		for _, x := range c {
			if x.Entity == pcnet.EntityRolloutPlan {
				sets = append(sets, x)
			}
		}
		if len(sets) != 3 || sets[0].Action != pcnet.ActionSet || sets[0].Actor != planner.Subject || !strings.Contains(sets[2].Summary, "no plan") {
			t.Errorf("audit of the plan: %+v, want three sets, the last to no plan", sets)
		}
		// The plan is back for the later errors, which must leave it.
		_, err = s.SetRolloutPlan(ctx, svc, []pcnet.RolloutWave{wave("2025-01-01", "097010")})
		must(t, err)
	})

	t.Run("errors", func(t *testing.T) {
		for _, tt := range []struct {
			name        string
			service     string
			waves       []pcnet.RolloutWave
			code, field string
		}{
			{"no due date", svc, []pcnet.RolloutWave{{ComuneCodes: []string{"097001"}}}, pcnet.EINVALID, "waves[0].due"},
			{"dates out of order", svc, []pcnet.RolloutWave{wave("2025-06-01", "097001"), wave("2025-01-01", "097002")}, pcnet.EINVALID, "waves[1].due"},
			{"empty wave", svc, []pcnet.RolloutWave{wave("2025-06-01")}, pcnet.EINVALID, "waves[0].comuneCodes"},
			{"Comune in two waves", svc, []pcnet.RolloutWave{wave("2025-01-01", "097001"), wave("2025-06-01", "097001")}, pcnet.EINVALID, "waves[1].comuneCodes[0]"},
			{"malformed code", svc, []pcnet.RolloutWave{wave("2025-01-01", "97001")}, pcnet.EINVALID, "waves[0].comuneCodes[0]"},
			{"unknown service", "svc-nowhere", []pcnet.RolloutWave{wave("2025-01-01", "097001")}, pcnet.ENOTFOUND, "serviceId"},
			{"unknown Comune", svc, []pcnet.RolloutWave{wave("2025-01-01", "097001", "097999")}, pcnet.ENOTFOUND, "waves[0].comuneCodes[1]"},
			{"Comune outside the provider's Province", svc, []pcnet.RolloutWave{wave("2025-01-01", "097001"), wave("2025-06-01", "013041")}, pcnet.EINVALID, "waves[1].comuneCodes[0]"},
			{"due before the service started", svc, []pcnet.RolloutWave{wave("2023-12-31", "097001")}, pcnet.EINVALID, "waves[0].due"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				rejected(t, s, tt.code, tt.field, func() error { _, err := s.SetRolloutPlan(ctx, tt.service, tt.waves); return err })
			})
		}
	})
}

func testAddMaterial(t *testing.T, w WriteStore) {
	ctx := asPlanner()
	s := programmeOf(t, w)
	ps := s
	base := pcnet.Material{ID: "mat-013-sua-bando", Title: " Bando tipo SUA ", Kind: pcnet.MaterialTemplate,
		URL: "https://pico.example.org/materiali/bando-sua", SectorCode: "procurement", AreaCode: "sua",
		ServiceID: "svc-013-sua", PilotID: writePilot, Published: date("2025-03-01")}

	t.Run("add", func(t *testing.T) {
		got, err := s.AddMaterial(ctx, base)
		must(t, err)
		want := base
		want.Title = "Bando tipo SUA"
		if got != want {
			t.Errorf("AddMaterial = %+v, want %+v", got, want)
		}
		back, err := ps.Materials(context.Background(), pcnet.MaterialFilter{IDs: []string{base.ID}})
		must(t, err)
		if len(back) != 1 || back[0] != want {
			t.Errorf("read back %+v, want [%+v]", back, want)
		}
		if c := changesOf(t, s, base.ID); len(c) != 1 || c[0].Entity != pcnet.EntityMaterial || c[0].Action != pcnet.ActionCreate || c[0].Actor != planner.Subject {
			t.Errorf("audit of the material: %+v", c)
		}
		// Of a whole sector, attached to a project work, published today.
		whole := pcnet.Material{ID: "mat-108-training-slides", Title: "Slide", Kind: pcnet.MaterialSlides,
			URL: "http://pico.example.org/slide?id=1", SectorCode: "personnel", ProjectWorkID: "pw-108-training"}
		got, err = s.AddMaterial(ctx, whole)
		must(t, err)
		if got.Published.IsZero() || got.AreaCode != "" || got.ProjectWorkID != "pw-108-training" {
			t.Errorf("AddMaterial = %+v, want published today, no area, the project work", got)
		}
		byPW, err := ps.Materials(context.Background(), pcnet.MaterialFilter{ProjectWorkIDs: []string{"pw-108-training"}})
		must(t, err)
		if len(byPW) != 1 || byPW[0] != got {
			t.Errorf("materials of pw-108-training: %+v, want [%+v]", byPW, got)
		}
	})

	t.Run("errors", func(t *testing.T) {
		runEditCases(t, s, []editCase[pcnet.Material]{
			{"duplicate id", func(*pcnet.Material) {}, pcnet.ECONFLICT, "id"},
			{"malformed id", func(m *pcnet.Material) { m.ID = "mat/1" }, pcnet.EINVALID, "id"},
			{"blank title", func(m *pcnet.Material) { m.ID, m.Title = "mat-x", "" }, pcnet.EINVALID, "title"},
			{"unknown kind", func(m *pcnet.Material) { m.ID, m.Kind = "mat-x", "VIDEO" }, pcnet.EINVALID, "kind"},
			{"relative link", func(m *pcnet.Material) { m.ID, m.URL = "mat-x", "materiali/bando" }, pcnet.EINVALID, "url"},
			{"file link", func(m *pcnet.Material) { m.ID, m.URL = "mat-x", "file:///etc/passwd" }, pcnet.EINVALID, "url"},
			{"unknown sector", func(m *pcnet.Material) { m.ID, m.SectorCode, m.AreaCode = "mat-x", "tourism", "" }, pcnet.ENOTFOUND, "sectorCode"},
			{"unknown area", func(m *pcnet.Material) { m.ID, m.AreaCode = "mat-x", "catering" }, pcnet.ENOTFOUND, "areaCode"},
			{"area of another sector", func(m *pcnet.Material) { m.ID, m.AreaCode = "mat-x", "staff-training" }, pcnet.EINVALID, "areaCode"},
			{"unknown service", func(m *pcnet.Material) { m.ID, m.ServiceID = "mat-x", "svc-nowhere" }, pcnet.ENOTFOUND, "serviceId"},
			{"unknown project work", func(m *pcnet.Material) { m.ID, m.ProjectWorkID = "mat-x", "pw-nowhere" }, pcnet.ENOTFOUND, "projectWorkId"},
			{"unknown pilot", func(m *pcnet.Material) { m.ID, m.PilotID = "mat-x", "pilot-nowhere" }, pcnet.ENOTFOUND, "pilotId"},
		}, base, func(m pcnet.Material) error { _, err := s.AddMaterial(ctx, m); return err })
	})
}

// readProgramme adds the programme's written lists to st.
func readProgramme(t *testing.T, s WriteStore, st *storeState) {
	t.Helper()
	ps, ok := s.(pcnet.ProgrammeStore)
	if !ok {
		return
	}
	ctx := context.Background()
	var err error
	st.sections, err = ps.ProjectWorkSections(ctx, nil)
	must(t, err)
	st.rolloutTargets, err = ps.RolloutTargets(ctx, pcnet.RolloutTargetFilter{})
	must(t, err)
	st.materials, err = ps.Materials(ctx, pcnet.MaterialFilter{})
	must(t, err)
	slices.SortFunc(st.materials, pcnet.CompareMaterials)
}
