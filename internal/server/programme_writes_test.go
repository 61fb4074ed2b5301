package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

// End-to-end tests of the programme's writes (saveProjectWorkSections,
// setRolloutPlan, addMaterial) on every store, with the response cache on
// as `pcnet serve` has it: each write must show in the very next read of
// the query that answers it, even when that read was cached just before.

const (
	saveSectionsQ = `mutation($pw: ID!, $sections: [ProjectWorkSectionInput!]!, $key: String) {
		saveProjectWorkSections(projectWorkId: $pw, sections: $sections, idempotencyKey: $key) { projectWork { id } sections { section text } } }`
	setRolloutPlanQ = `mutation($svc: ID!, $waves: [RolloutWaveInput!]!, $key: String) {
		setRolloutPlan(serviceId: $svc, waves: $waves, idempotencyKey: $key) { progress(asOf: "2030-01-01") { wholePlan { comuni } targets { comune { code } wave due covered } } } }`
	addMaterialQ = `mutation($id: ID!, $title: String!, $kind: MaterialKind!, $url: String!, $sector: String!, $area: String, $svc: ID, $pw: ID, $pilot: ID, $published: Date, $key: String) {
		addMaterial(id: $id, title: $title, kind: $kind, url: $url, sectorCode: $sector, areaCode: $area, serviceId: $svc, projectWorkId: $pw, pilotId: $pilot, published: $published, idempotencyKey: $key) {
			material { id title kind url published sector { code } area { code } service { id } projectWork { id } pilot { id province { code } } } } }`

	// The reads that answer them.
	compareSectionsQ = `{ compareProjectWorks(ids: ["pw-108-sua", "pw-014-staff-training"]) { sections { section texts } } }`
	rolloutProgressQ = `query($svc: ID!) { rolloutProgress(serviceId: $svc, asOf: "2030-01-01") { wholePlan { comuni } targets { comune { code } wave due covered } } }`
	materialsQ       = `{ materials(filter: { sectorCodes: ["personnel"] }) { id title kind url published sector { code } area { code } service { id } projectWork { id } pilot { id province { code } } } }`
)

// changesOf counts the audit entries of one entity kind (and ID, when not
// ""), read as root.
func (e *writeEnv) changesOf(entity, entityID string) int {
	e.t.Helper()
	var got struct{ Changes []struct{ Seq int } }
	vars := map[string]any{"entity": entity}
	q := `query($entity: String) { changes(entity: $entity, first: 1000) { seq } }`
	if entityID != "" {
		vars["id"] = entityID
		q = `query($entity: String, $id: String) { changes(entity: $entity, entityId: $id, first: 1000) { seq } }`
	}
	e.as("root", q, vars, &got)
	return len(got.Changes)
}

// cachedThenWritten reads query twice (the second read must come from the
// response cache: one store call, the audit Seq), runs write as maria, and
// returns the very next read's body, which must have been executed again.
func (e *writeEnv) cachedThenWritten(query string, vars map[string]any, write func()) (before, after string) {
	e.t.Helper()
	first := e.read("", query, vars)
	if again := e.read("", query, vars); again.calls != 1 || again.body != first.body {
		e.t.Fatalf("the repeated read cost %d store calls (want 1: served from the cache)", again.calls)
	}
	write()
	next := e.read("", query, vars)
	if next.calls < 2 {
		e.t.Fatalf("the read after the write cost %d store calls: the cache served an answer from before it", next.calls)
	}
	return first.body, next.body
}

// retried runs a write twice with the same idempotency key: the second
// answer must be the first's, byte for byte, and add no audit entry.
func (e *writeEnv) retried(query string, vars map[string]any, entity string) string {
	e.t.Helper()
	before := e.changesOf(entity, "")
	raw, status, _ := e.post(e.bearer("maria"), query, vars)
	if status != http.StatusOK || strings.Contains(string(raw), `"errors"`) {
		e.t.Fatalf("status %d: %s", status, raw)
	}
	written := e.changesOf(entity, "")
	again, _, _ := e.post(e.bearer("maria"), query, vars)
	if string(again) != string(raw) {
		e.t.Errorf("the retry answered %s\nthe write answered %s", again, raw)
	}
	if n := e.changesOf(entity, ""); n != written || written <= before {
		e.t.Errorf("audit entries of %s: %d before, %d after the write, %d after its retry", entity, before, written, n)
	}
	return string(raw)
}

func TestProgrammeWritesReadBack(t *testing.T) {
	eachStore(t, server.Options{ResponseCacheSize: server.DefaultResponseCacheSize, StoreCallStats: true}, func(t *testing.T, env *writeEnv) {
		t.Run("saveProjectWorkSections", func(t *testing.T) {
			vars := map[string]any{"pw": "pw-108-sua", "key": "sections-1", "sections": []map[string]any{
				{"section": "OBJECTIVES", "text": " Una centrale unica entro il 2027. "},
				{"section": "TARGET_COMUNI", "text": "108001 e 108002"},
			}}
			var answer string
			_, after := env.cachedThenWritten(compareSectionsQ, nil, func() { answer = env.retried(saveSectionsQ, vars, pcnet.EntityProjectWorkSection) })
			var payload struct {
				Data struct {
					SaveProjectWorkSections struct {
						ProjectWork struct{ ID string }
						Sections    []struct{ Section, Text string }
					}
				}
			}
			if err := json.Unmarshal([]byte(answer), &payload); err != nil {
				t.Fatal(err)
			}
			got := payload.Data.SaveProjectWorkSections
			written := map[string]string{}
			for _, s := range got.Sections {
				written[s.Section] = s.Text
			}
			if got.ProjectWork.ID != "pw-108-sua" || written["OBJECTIVES"] != "Una centrale unica entro il 2027." || written["TARGET_COMUNI"] != "108001 e 108002" ||
				len(got.Sections) != sectionCount(env.ds, "pw-108-sua")+1 {
				t.Errorf("payload %s: want every section of pw-108-sua, the two written trimmed", answer)
			}
			var read struct {
				Data struct {
					CompareProjectWorks struct {
						Sections []struct {
							Section string
							Texts   []*string
						}
					}
				}
			}
			if err := json.Unmarshal([]byte(after), &read); err != nil {
				t.Fatal(err)
			}
			for _, row := range read.Data.CompareProjectWorks.Sections {
				want, ok := written[row.Section]
				if (row.Texts[0] == nil) == ok || (ok && *row.Texts[0] != want) {
					t.Errorf("compareProjectWorks after the write: %s of pw-108-sua = %v, want %q", row.Section, row.Texts[0], want)
				}
			}
			if n := env.changesOf(pcnet.EntityProjectWorkSection, "pw-108-sua/OBJECTIVES"); n != 1 {
				t.Errorf("%d audit entries for the OBJECTIVES section, want 1", n)
			}
			// The key with other arguments is a conflict, and writes nothing.
			vars["sections"] = []map[string]any{{"section": "OBJECTIVES", "text": "Altro."}}
			env.fails("maria", saveSectionsQ, vars, pcnet.ECONFLICT, "idempotencyKey")
		})

		t.Run("setRolloutPlan", func(t *testing.T) {
			const svc = "svc-108-staff-training"
			free := uncoveredComuni(env.ds, svc, "108")
			vars := map[string]any{"svc": svc, "key": "plan-1", "waves": []map[string]any{
				{"due": "2026-03-01", "comuneCodes": []string{free[1], free[0]}},
				{"due": "2026-09-01", "comuneCodes": []string{free[2]}},
			}}
			var answer string
			_, after := env.cachedThenWritten(rolloutProgressQ, map[string]any{"svc": svc}, func() { answer = env.retried(setRolloutPlanQ, vars, pcnet.EntityRolloutPlan) })
			wantTargets := fmt.Sprintf(`{"wholePlan":{"comuni":3},"targets":[`+
				`{"comune":{"code":%q},"wave":1,"due":"2026-03-01","covered":false},`+
				`{"comune":{"code":%q},"wave":1,"due":"2026-03-01","covered":false},`+
				`{"comune":{"code":%q},"wave":2,"due":"2026-09-01","covered":false}]}`, free[0], free[1], free[2])
			if want := `{"data":{"setRolloutPlan":{"progress":` + wantTargets + `}}}`; answer != want {
				t.Errorf("payload %s\nwant    %s", answer, want)
			}
			if want := `{"data":{"rolloutProgress":` + wantTargets + `}}`; after != want {
				t.Errorf("rolloutProgress after the write %s\nwant %s", after, want)
			}
			if n := env.changesOf(pcnet.EntityRolloutPlan, svc); n != 1 {
				t.Errorf("%d audit entries for the plan, want 1", n)
			}
			// No waves: the plan is cleared, and the next read says so.
			_, cleared := env.cachedThenWritten(rolloutProgressQ, map[string]any{"svc": svc}, func() {
				env.as("maria", setRolloutPlanQ, map[string]any{"svc": svc, "waves": []any{}}, nil)
			})
			if want := `{"data":{"rolloutProgress":{"wholePlan":{"comuni":0},"targets":[]}}}`; cleared != want {
				t.Errorf("rolloutProgress after clearing %s\nwant %s", cleared, want)
			}
		})

		t.Run("addMaterial", func(t *testing.T) {
			vars := map[string]any{"id": "mat-test-report", "title": " Relazione ", "kind": "DOCUMENT", "url": "https://pico.example.org/materiali/relazione",
				"sector": "personnel", "area": "staff-training", "svc": "svc-108-staff-training", "pilot": "pilot-108-staff-training", "published": "2026-04-01", "key": "material-1"}
			var answer string
			before, after := env.cachedThenWritten(materialsQ, nil, func() { answer = env.retried(addMaterialQ, vars, pcnet.EntityMaterial) })
			const want = `{"id":"mat-test-report","title":"Relazione","kind":"DOCUMENT","url":"https://pico.example.org/materiali/relazione","published":"2026-04-01",` +
				`"sector":{"code":"personnel"},"area":{"code":"staff-training"},"service":{"id":"svc-108-staff-training"},"projectWork":null,"pilot":{"id":"pilot-108-staff-training","province":{"code":"108"}}}`
			if answer != `{"data":{"addMaterial":{"material":`+want+`}}}` {
				t.Errorf("payload %s\nwant the material %s", answer, want)
			}
			if strings.Contains(before, want) || !strings.Contains(after, want) {
				t.Errorf("materials after the write lack %s", want)
			}
			// The same ID again, without the key: a conflict.
			delete(vars, "key")
			env.fails("maria", addMaterialQ, vars, pcnet.ECONFLICT, "id")
		})
	})
}

func sectionCount(ds *pcnet.Dataset, projectWorkID string) int {
	n := 0
	for _, s := range ds.Sections {
		if s.ProjectWorkID == projectWorkID {
			n++
		}
	}
	return n
}

// Every rule of the programme's writes refuses with its code and field, on
// every store, and a refused write writes nothing: no audit entry.
func TestProgrammeWritesRefused(t *testing.T) {
	eachStore(t, server.Options{}, func(t *testing.T, env *writeEnv) {
		sections := func(pw, kind, text string) map[string]any {
			return map[string]any{"pw": pw, "sections": []map[string]any{{"section": kind, "text": text}}}
		}
		plan := func(svc, due string, codes ...string) map[string]any {
			return map[string]any{"svc": svc, "waves": []map[string]any{{"due": due, "comuneCodes": codes}}}
		}
		material := func(change func(map[string]any)) map[string]any {
			m := map[string]any{"id": "mat-refused", "title": "T", "kind": "TOOL", "url": "https://pico.example.org/t", "sector": "personnel"}
			change(m)
			return m
		}
		tests := []struct {
			name, query string
			vars        map[string]any
			code, field string
		}{
			{"sections of an unknown project work", saveSectionsQ, sections("pw-nope", "CONTEXT", "C"), pcnet.ENOTFOUND, "projectWorkId"},
			{"a target that is not a Comune", saveSectionsQ, sections("pw-108-sua", "TARGET_COMUNI", "108999"), pcnet.ENOTFOUND, "sections[0].text"},
			{"a target of another Province", saveSectionsQ, sections("pw-108-sua", "TARGET_COMUNI", "001272"), pcnet.EINVALID, "sections[0].text"},
			{"a blank section", saveSectionsQ, sections("pw-108-sua", "CONTEXT", " "), pcnet.EINVALID, "sections[0].text"},
			{"a bad idempotency key", saveSectionsQ, map[string]any{"pw": "pw-108-sua", "key": "has space", "sections": []map[string]any{{"section": "CONTEXT", "text": "C"}}}, pcnet.EINVALID, "idempotencyKey"},
			{"a plan of an unknown service", setRolloutPlanQ, plan("svc-nope", "2026-01-01", "108001"), pcnet.ENOTFOUND, "serviceId"},
			{"a planned Comune that doesn't exist", setRolloutPlanQ, plan("svc-108-staff-training", "2026-01-01", "108999"), pcnet.ENOTFOUND, "waves[0].comuneCodes[0]"},
			{"a planned Comune of another Province", setRolloutPlanQ, plan("svc-108-staff-training", "2026-01-01", "001272"), pcnet.EINVALID, "waves[0].comuneCodes[0]"},
			{"a wave due before the service starts", setRolloutPlanQ, plan("svc-108-staff-training", "2022-01-01", "108001"), pcnet.EINVALID, "waves[0].due"},
			{"a malformed due date", setRolloutPlanQ, plan("svc-108-staff-training", "01/01/2026", "108001"), pcnet.EINVALID, "waves[0].due"},
			{"a material ID taken", addMaterialQ, material(func(m map[string]any) { m["id"] = "mat-pw-108-sua" }), pcnet.ECONFLICT, "id"},
			{"an unknown sector", addMaterialQ, material(func(m map[string]any) { m["sector"] = "nope" }), pcnet.ENOTFOUND, "sectorCode"},
			{"an unknown area", addMaterialQ, material(func(m map[string]any) { m["area"] = "nope" }), pcnet.ENOTFOUND, "areaCode"},
			{"an area of another sector", addMaterialQ, material(func(m map[string]any) { m["area"] = "sua" }), pcnet.EINVALID, "areaCode"},
			{"an unknown service", addMaterialQ, material(func(m map[string]any) { m["svc"] = "svc-nope" }), pcnet.ENOTFOUND, "serviceId"},
			{"an unknown project work", addMaterialQ, material(func(m map[string]any) { m["pw"] = "pw-nope" }), pcnet.ENOTFOUND, "projectWorkId"},
			{"an unknown pilot", addMaterialQ, material(func(m map[string]any) { m["pilot"] = "pilot-nope" }), pcnet.ENOTFOUND, "pilotId"},
			{"a link that is not http(s)", addMaterialQ, material(func(m map[string]any) { m["url"] = "javascript:alert(1)" }), pcnet.EINVALID, "url"},
		}
		before := env.changeCount()
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if e := env.fails("maria", tt.query, tt.vars, tt.code, tt.field); strings.TrimSpace(e.Message) == "" || e.Message == "internal error" {
					t.Errorf("message %q says nothing", e.Message)
				}
			})
		}
		// Readers and anonymous callers can't write them either.
		valid := []struct {
			query string
			vars  map[string]any
		}{
			{saveSectionsQ, sections("pw-108-sua", "CONTEXT", "C")},
			{setRolloutPlanQ, plan("svc-108-staff-training", "2026-01-01", "108001")},
			{addMaterialQ, material(func(map[string]any) {})},
		}
		for _, op := range valid {
			env.fails("luca", op.query, op.vars, pcnet.EFORBIDDEN, "")
			env.fails("", op.query, op.vars, pcnet.EUNAUTHORIZED, "")
		}
		if after := env.changeCount(); after != before {
			t.Errorf("the audit trail grew from %d to %d entries on refused writes", before, after)
		}
		var mats struct{ Materials []struct{ ID string } }
		env.as("", `{ materials { id } }`, nil, &mats)
		if slices.ContainsFunc(mats.Materials, func(m struct{ ID string }) bool { return m.ID == "mat-refused" }) {
			t.Error("a refused material was added")
		}
	})
}
