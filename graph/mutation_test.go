package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"pcnet/internal/pcnet"
)

// These unit tests run the mutation resolvers over a fake Writer, to check
// what the GraphQL layer itself does: authorization before any write, the
// arguments it hands the store, errors passed through with their code and
// field, events published. The stores' own behaviour is tested end to end
// over HTTP in internal/server.

type fakeBackend struct {
	Backend   // nil: calling any other method panics, flagging an unexpected read
	services  []pcnet.SharedService
	sectors   []pcnet.Sector
	comuni    []pcnet.Comune
	works     []pcnet.ProjectWork
	materials []pcnet.Material
	pilots    []pcnet.Pilot
	mu        sync.Mutex
	reads     map[string]int // programme reads by method, to bound them
}

func (f *fakeBackend) count(method string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.reads == nil {
		f.reads = make(map[string]int)
	}
	f.reads[method]++
}

func (f *fakeBackend) readCount(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads[method]
}

// withIDs keeps the items whose id is listed (all when ids is empty), as
// the stores' filters by ID do.
func withIDs[T any](items []T, ids []string, id func(T) string) []T {
	var out []T
	for _, x := range items {
		if len(ids) == 0 || slices.Contains(ids, id(x)) {
			out = append(out, x)
		}
	}
	return out
}

func (f *fakeBackend) ProjectWorks(_ context.Context, flt pcnet.ProjectWorkFilter) ([]pcnet.ProjectWork, error) {
	f.count("ProjectWorks")
	return withIDs(f.works, flt.IDs, func(w pcnet.ProjectWork) string { return w.ID }), nil
}

// RolloutTargets answers an empty plan: the payload's progress reads it.
func (f *fakeBackend) RolloutTargets(context.Context, pcnet.RolloutTargetFilter) ([]pcnet.RolloutTarget, error) {
	f.count("RolloutTargets")
	return nil, nil
}

func (f *fakeBackend) Materials(context.Context, pcnet.MaterialFilter) ([]pcnet.Material, error) {
	f.count("Materials")
	return f.materials, nil
}

func (f *fakeBackend) Pilots(_ context.Context, flt pcnet.PilotFilter) ([]pcnet.Pilot, error) {
	f.count("Pilots")
	return withIDs(f.pilots, flt.IDs, func(p pcnet.Pilot) string { return p.ID }), nil
}

func (f *fakeBackend) Services(_ context.Context, flt pcnet.ServiceFilter) ([]pcnet.SharedService, error) {
	return withIDs(f.services, flt.IDs, func(s pcnet.SharedService) string { return s.ID }), nil
}

func (f *fakeBackend) Sectors(context.Context) ([]pcnet.Sector, error) { return f.sectors, nil }

// Provinces answers the one Province the participation payloads read.
func (f *fakeBackend) Provinces(_ context.Context, flt pcnet.ProvinceFilter) ([]pcnet.Province, error) {
	if !slices.Equal(flt.Codes, []string{"108"}) {
		return nil, nil
	}
	return []pcnet.Province{{Code: "108", Name: "Monza e della Brianza", Kind: pcnet.KindProvince, RegionCode: "03"}}, nil
}

func (f *fakeBackend) Comuni(_ context.Context, qs []pcnet.ComuneQuery) ([]pcnet.ComunePage, error) {
	out := make([]pcnet.ComunePage, len(qs))
	for i, q := range qs {
		for _, c := range f.comuni {
			if slices.Contains(q.Filter.Codes, c.Code) {
				out[i].Comuni = append(out[i].Comuni, c)
			}
		}
		out[i].Total = len(out[i].Comuni)
	}
	return out, nil
}

// fakeWriter records the calls it gets and answers with canned values.
type fakeWriter struct {
	mu    sync.Mutex
	calls []string
	args  []any
	keys  []string // the idempotency key of each call, "" without one
	err   error    // returned by every call when set
	cov   pcnet.CoverageResult
}

func (w *fakeWriter) record(ctx context.Context, name string, arg any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	key, _ := pcnet.IdempotencyKeyFrom(ctx)
	w.keys = append(w.keys, key)
	w.calls = append(w.calls, name)
	w.args = append(w.args, arg)
	return w.err
}

func (w *fakeWriter) CreateService(ctx context.Context, s pcnet.SharedService) (pcnet.SharedService, error) {
	return s, w.record(ctx, "CreateService", s)
}

func (w *fakeWriter) UpdateService(ctx context.Context, id string, u pcnet.ServiceUpdate) (pcnet.SharedService, error) {
	return pcnet.SharedService{ID: id, Name: "updated", ProviderCode: "108", AreaCode: "staff-training", Status: pcnet.StatusActive}, w.record(ctx, "UpdateService", u)
}

func (w *fakeWriter) AddCoverage(ctx context.Context, a pcnet.CoverageAddition) (pcnet.CoverageResult, error) {
	return w.cov, w.record(ctx, "AddCoverage", a)
}

func (w *fakeWriter) EndCoverage(ctx context.Context, e pcnet.CoverageEnding) (pcnet.CoverageResult, error) {
	return w.cov, w.record(ctx, "EndCoverage", e)
}

func (w *fakeWriter) AssignTutor(ctx context.Context, t pcnet.Tutorship) (pcnet.Tutorship, error) {
	return t, w.record(ctx, "AssignTutor", t)
}

func (w *fakeWriter) AdvanceTutorship(ctx context.Context, k pcnet.TutorshipKey, step int) (pcnet.Tutorship, error) {
	return pcnet.Tutorship{TutorCode: k.TutorCode, TutoredCode: k.TutoredCode, SectorCode: k.SectorCode, Since: k.Since, Step: step}, w.record(ctx, "AdvanceTutorship", k)
}

func (w *fakeWriter) EndTutorship(ctx context.Context, k pcnet.TutorshipKey, until pcnet.Date, _ pcnet.TutorshipOutcome) (pcnet.Tutorship, error) {
	return pcnet.Tutorship{TutorCode: k.TutorCode, TutoredCode: k.TutoredCode, SectorCode: k.SectorCode, Since: k.Since, Until: until, Step: 1}, w.record(ctx, "EndTutorship", k)
}

func (w *fakeWriter) SaveProjectWork(ctx context.Context, p pcnet.ProjectWork) (pcnet.ProjectWork, error) {
	return p, w.record(ctx, "SaveProjectWork", p)
}

func (w *fakeWriter) RecordParticipation(ctx context.Context, p pcnet.Participation) (pcnet.Participation, error) {
	return p, w.record(ctx, "RecordParticipation", p)
}

func (w *fakeWriter) EndParticipation(ctx context.Context, province, sector string, until pcnet.Date) (pcnet.Participation, error) {
	return pcnet.Participation{ProvinceCode: province, SectorCode: sector, Since: pcnet.MustDate("2024-01-01"), Until: until}, w.record(ctx, "EndParticipation", until)
}

func (w *fakeWriter) RecordParticipationException(ctx context.Context, e pcnet.ParticipationException) (pcnet.ParticipationException, error) {
	return e, w.record(ctx, "RecordParticipationException", e)
}

func (w *fakeWriter) SaveProjectWorkSections(ctx context.Context, id string, sections []pcnet.ProjectWorkSection) ([]pcnet.ProjectWorkSection, error) {
	return sections, w.record(ctx, "SaveProjectWorkSections", sections)
}

func (w *fakeWriter) SetRolloutPlan(ctx context.Context, id string, waves []pcnet.RolloutWave) ([]pcnet.RolloutTarget, error) {
	return nil, w.record(ctx, "SetRolloutPlan", waves)
}

func (w *fakeWriter) AddMaterial(ctx context.Context, m pcnet.Material) (pcnet.Material, error) {
	return m, w.record(ctx, "AddMaterial", m)
}

func (w *fakeWriter) Changes(ctx context.Context, f pcnet.ChangeFilter) ([]pcnet.Change, error) {
	return []pcnet.Change{{Seq: 7, At: time.Date(2026, 5, 19, 10, 30, 0, 0, time.UTC), Actor: "maria", Entity: "service", EntityID: "svc-x", Action: "create", Summary: "created"}},
		w.record(ctx, "Changes", f)
}

func (w *fakeWriter) LastChangeSeq(ctx context.Context) (int64, error) {
	return 7, w.record(ctx, "LastChangeSeq", nil)
}

func (w *fakeWriter) callNames() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.calls)
}

var testService = pcnet.SharedService{ID: "svc-108-staff-training", Name: "Formazione", ProviderCode: "108", AreaCode: "staff-training", Status: pcnet.StatusActive, StartDate: pcnet.MustDate("2024-01-01")}

func newTestResolver(w pcnet.Writer) (*Resolver, *fakeBackend) {
	b := &fakeBackend{
		works:    []pcnet.ProjectWork{{ID: "pw-108-sua", ProvinceCode: "108", AreaCode: "staff-training", Title: "PW", Maturity: pcnet.MaturityAdvanced, Step: 1, Year: 2025}},
		services: []pcnet.SharedService{testService},
		sectors: []pcnet.Sector{{Code: "personnel", Name: "Politiche del personale", Areas: []pcnet.Area{
			{Code: "staff-training", SectorCode: "personnel", Name: "Formazione del personale"},
		}}},
		comuni: []pcnet.Comune{{Code: "108001", Name: "Agrate Brianza", ProvinceCode: "108", RegionCode: "03"}},
	}
	r := &Resolver{Store: b, Writer: w, Events: NewCoverageBroker(8, 0),
		Now: func() time.Time { return time.Date(2026, 5, 19, 10, 30, 0, 123456789, time.UTC) }}
	return r, b
}

type testResponse struct {
	Data   map[string]json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

// exec runs a GraphQL operation as actor (nil: anonymous).
func exec(t *testing.T, r *Resolver, actor *pcnet.Actor, query string) testResponse {
	t.Helper()
	srv := handler.New(NewSchema(r))
	srv.AddTransport(transport.POST{})
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		out := graphql.DefaultErrorPresenter(ctx, err)
		if pe, ok := errors.AsType[*pcnet.Error](err); ok {
			out.Message = pe.Message
			out.Extensions = map[string]any{"code": pe.Code, "field": pe.Field}
		}
		return out
	})
	body, _ := json.Marshal(map[string]any{"query": query})
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	ctx := WithLoaders(req.Context(), NewLoaders(r.Store, time.Millisecond))
	if actor != nil {
		ctx = pcnet.WithActor(ctx, *actor)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req.WithContext(ctx))
	var out testResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("decoding %s: %v", rec.Body.Bytes(), err)
	}
	return out
}

var (
	reader  = &pcnet.Actor{Subject: "luca", Role: pcnet.RoleReader}
	planner = &pcnet.Actor{Subject: "maria", Role: pcnet.RolePlanner}
	admin   = &pcnet.Actor{Subject: "root", Role: pcnet.RoleAdmin}
)

// mutations lists one valid call of every mutation and the Writer method it
// must reach.
var mutations = []struct{ query, method string }{
	{`mutation { createService(id: "svc-new", name: "N", providerCode: "108", areaCode: "staff-training", startDate: "2025-01-01") { service { id } } }`, "CreateService"},
	{`mutation { updateService(id: "svc-108-staff-training", status: ACTIVE) { service { id } } }`, "UpdateService"},
	{`mutation { addCoverage(serviceId: "svc-108-staff-training", comuneCodes: ["108001"], since: "2025-01-01") { changed { since } } }`, "AddCoverage"},
	{`mutation { endCoverage(serviceId: "svc-108-staff-training", comuneCodes: ["108001"], until: "2025-06-01") { changed { since } } }`, "EndCoverage"},
	{`mutation { assignTutor(tutorCode: "015", tutoredCode: "108", sectorCode: "personnel", since: "2025-01-01") { tutorship { step } } }`, "AssignTutor"},
	{`mutation { advanceTutorship(tutorCode: "015", tutoredCode: "108", sectorCode: "personnel", since: "2025-01-01", step: 2) { tutorship { step } } }`, "AdvanceTutorship"},
	{`mutation { endTutorship(tutorCode: "015", tutoredCode: "108", sectorCode: "personnel", since: "2025-01-01", until: "2025-06-01") { tutorship { step } } }`, "EndTutorship"},
	{`mutation { saveProjectWork(id: "pw-x", provinceCode: "108", areaCode: "staff-training", title: "T", maturity: ADVANCED, step: 1, year: 2025) { projectWork { id } } }`, "SaveProjectWork"},
	{`mutation { recordParticipation(provinceCode: "108", sectorCode: "personnel", since: "2025-01-01") { participation { since province { code } } } }`, "RecordParticipation"},
	{`mutation { endParticipation(provinceCode: "108", sectorCode: "personnel", until: "2025-06-01") { participation { until sector { code } } } }`, "EndParticipation"},
	{`mutation { saveProjectWorkSections(projectWorkId: "pw-108-sua", sections: [{section: CONTEXT, text: "C"}]) { projectWork { id } sections { section text } } }`, "SaveProjectWorkSections"},
	{`mutation { setRolloutPlan(serviceId: "svc-108-staff-training", waves: [{due: "2025-01-01", comuneCodes: ["108001"]}]) { progress(asOf: "2025-06-01") { share } } }`, "SetRolloutPlan"},
	{`mutation { addMaterial(id: "mat-x", title: "T", kind: TOOL, url: "https://pico.example.org/x", sectorCode: "personnel") { material { id sector { code } } } }`, "AddMaterial"},
	{`{ changes { seq } }`, "Changes"},
}

// TestParticipationExceptionNeedsAdmin: an exception lifts the rule that
// planners' writes follow, so only admins record one.
func TestParticipationExceptionNeedsAdmin(t *testing.T) {
	const query = `mutation { recordParticipationException(provinceCode: "108", sectorCode: "personnel", reason: "pilot") { reason province { code } sector { code } } }`
	for _, tt := range []struct {
		name     string
		actor    *pcnet.Actor
		wantCode string
	}{
		{"anonymous", nil, pcnet.EUNAUTHORIZED},
		{"reader", reader, pcnet.EFORBIDDEN},
		{"planner", planner, pcnet.EFORBIDDEN},
		{"admin", admin, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := &fakeWriter{}
			r, _ := newTestResolver(w)
			resp := exec(t, r, tt.actor, query)
			if tt.wantCode == "" {
				if len(resp.Errors) > 0 || !slices.Equal(w.callNames(), []string{"RecordParticipationException"}) {
					t.Fatalf("errors %+v, writer calls %v", resp.Errors, w.callNames())
				}
				want := pcnet.ParticipationException{ProvinceCode: "108", SectorCode: "personnel", Reason: "pilot"}
				if got := w.args[0]; got != want {
					t.Errorf("writer got %+v, want %+v", got, want)
				}
				return
			}
			if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != tt.wantCode || len(w.callNames()) > 0 {
				t.Fatalf("errors = %+v (writer calls %v), want one with code %s", resp.Errors, w.callNames(), tt.wantCode)
			}
		})
	}
}

func TestMutationsNeedPlannerRole(t *testing.T) {
	tests := []struct {
		name     string
		actor    *pcnet.Actor
		wantCode string // "" for success
	}{
		{"anonymous", nil, pcnet.EUNAUTHORIZED},
		{"reader", reader, pcnet.EFORBIDDEN},
		{"planner", planner, ""},
		{"admin", admin, ""},
	}
	for _, m := range mutations {
		for _, tt := range tests {
			t.Run(m.method+"/"+tt.name, func(t *testing.T) {
				w := &fakeWriter{}
				r, _ := newTestResolver(w)
				resp := exec(t, r, tt.actor, m.query)
				if tt.wantCode == "" {
					if len(resp.Errors) > 0 {
						t.Fatalf("errors: %+v", resp.Errors)
					}
					if got := w.callNames(); !slices.Equal(got, []string{m.method}) {
						t.Errorf("writer calls = %v, want [%s]", got, m.method)
					}
					return
				}
				if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != tt.wantCode {
					t.Fatalf("errors = %+v, want one with code %s", resp.Errors, tt.wantCode)
				}
				if got := w.callNames(); len(got) > 0 {
					t.Errorf("a refused call reached the writer: %v", got)
				}
			})
		}
	}
}

func TestMutationsOnReadOnlyStore(t *testing.T) {
	r, _ := newTestResolver(nil)
	for _, m := range mutations {
		resp := exec(t, r, planner, m.query)
		if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != pcnet.EUNAVAILABLE ||
			resp.Errors[0].Message != "this store is read-only: it records no changes" {
			t.Errorf("%s on a read-only store: errors = %+v", m.method, resp.Errors)
		}
	}
}

func TestMutationArgumentsReachTheWriter(t *testing.T) {
	tests := []struct {
		query string
		want  any
	}{
		{`mutation { createService(id: "svc-new", name: "N", providerCode: "108", areaCode: "staff-training", startDate: "2025-01-01") { service { id } } }`,
			pcnet.SharedService{ID: "svc-new", Name: "N", ProviderCode: "108", AreaCode: "staff-training", Status: pcnet.StatusPlanned, StartDate: pcnet.MustDate("2025-01-01")}},
		{`mutation { addCoverage(serviceId: "svc-108-staff-training", comuneCodes: ["108001", "108002"], since: "2025-01-01") { changed { since } } }`,
			pcnet.CoverageAddition{ServiceID: "svc-108-staff-training", ComuneCodes: []string{"108001", "108002"}, Since: pcnet.MustDate("2025-01-01"), Phase: pcnet.PhaseRollout}},
		{`mutation { addCoverage(serviceId: "svc-108-staff-training", comuneCodes: ["108001"], since: "2025-01-01", phase: PILOT) { changed { since } } }`,
			pcnet.CoverageAddition{ServiceID: "svc-108-staff-training", ComuneCodes: []string{"108001"}, Since: pcnet.MustDate("2025-01-01"), Phase: pcnet.PhasePilot}},
		{`mutation { assignTutor(tutorCode: "015", tutoredCode: "108", sectorCode: "personnel", since: "2025-01-01") { tutorship { step } } }`,
			pcnet.Tutorship{TutorCode: "015", TutoredCode: "108", SectorCode: "personnel", Since: pcnet.MustDate("2025-01-01"), Step: 1}},
		{`mutation { saveProjectWork(id: "pw-x", provinceCode: "108", areaCode: "staff-training", title: "T", maturity: ADVANCED, step: 2, year: 2025, serviceId: "svc-108-staff-training") { projectWork { id } } }`,
			pcnet.ProjectWork{ID: "pw-x", ProvinceCode: "108", AreaCode: "staff-training", Title: "T", Maturity: pcnet.MaturityAdvanced, Step: 2, Year: 2025, ServiceID: "svc-108-staff-training"}},
		{`mutation { saveProjectWorkSections(projectWorkId: "pw-108-sua", sections: [{section: TARGET_COMUNI, text: "108001"}, {section: CONTEXT, text: " C "}]) { sections { text } } }`,
			[]pcnet.ProjectWorkSection{{ProjectWorkID: "pw-108-sua", Section: pcnet.SectionTargetComuni, Text: "108001"}, {ProjectWorkID: "pw-108-sua", Section: pcnet.SectionContext, Text: " C "}}},
		{`mutation { setRolloutPlan(serviceId: "svc-108-staff-training", waves: [{due: "2025-01-01", comuneCodes: ["108001", "108002"]}, {due: "2025-06-01", comuneCodes: ["108003"]}]) { progress { share } } }`,
			[]pcnet.RolloutWave{{Due: pcnet.MustDate("2025-01-01"), ComuneCodes: []string{"108001", "108002"}}, {Due: pcnet.MustDate("2025-06-01"), ComuneCodes: []string{"108003"}}}},
		{`mutation { setRolloutPlan(serviceId: "svc-108-staff-training", waves: []) { progress { share } } }`, []pcnet.RolloutWave{}},
		{`mutation { addMaterial(id: "mat-x", title: "T", kind: TEMPLATE, url: "https://pico.example.org/x", sectorCode: "personnel", areaCode: "staff-training",
			serviceId: "svc-108-staff-training", projectWorkId: "pw-108-sua", pilotId: "pilot-x", published: "2025-03-01") { material { id } } }`,
			pcnet.Material{ID: "mat-x", Title: "T", Kind: pcnet.MaterialTemplate, URL: "https://pico.example.org/x", SectorCode: "personnel", AreaCode: "staff-training",
				ServiceID: "svc-108-staff-training", ProjectWorkID: "pw-108-sua", PilotID: "pilot-x", Published: pcnet.MustDate("2025-03-01")}},
		{`mutation { addMaterial(id: "mat-x", title: "T", kind: TOOL, url: "https://pico.example.org/x", sectorCode: "personnel") { material { id } } }`,
			pcnet.Material{ID: "mat-x", Title: "T", Kind: pcnet.MaterialTool, URL: "https://pico.example.org/x", SectorCode: "personnel"}},
		{`{ changes(since: "2026-05-19T12:00:00+02:00", entity: "coverage", entityId: "s/108001", afterSeq: 3, first: 10) { seq } }`,
			pcnet.ChangeFilter{Since: time.Date(2026, 5, 19, 10, 0, 0, 0, time.UTC), Entity: "coverage", EntityID: "s/108001", AfterSeq: 3, Limit: 10}},
	}
	for _, tt := range tests {
		w := &fakeWriter{}
		r, _ := newTestResolver(w)
		resp := exec(t, r, planner, tt.query)
		if len(resp.Errors) > 0 {
			t.Errorf("%s: %+v", tt.query, resp.Errors)
			continue
		}
		if len(w.args) != 1 {
			t.Errorf("%s: %d writer calls", tt.query, len(w.args))
			continue
		}
		gotJSON, _ := json.Marshal(w.args[0])
		wantJSON, _ := json.Marshal(tt.want)
		if !bytes.Equal(gotJSON, wantJSON) {
			t.Errorf("%s:\nwriter got  %s\nwant        %s", tt.query, gotJSON, wantJSON)
		}
	}
}

func TestMutationInputErrorsNeverReachTheWriter(t *testing.T) {
	tests := []struct{ query, field string }{
		{`mutation { addCoverage(serviceId: "s", comuneCodes: [], since: "2025-01-01") { changed { since } } }`, "comuneCodes"},
		{`mutation { addCoverage(serviceId: "s", comuneCodes: ["108001", "12"], since: "2025-01-01") { changed { since } } }`, "comuneCodes[1]"},
		{`mutation { addCoverage(serviceId: "s", comuneCodes: ["108001"], since: "2025-13-01") { changed { since } } }`, "since"},
		{`mutation { assignTutor(tutorCode: "108", tutoredCode: "108", sectorCode: "personnel", since: "2025-01-01") { tutorship { step } } }`, "tutoredCode"},
		{`mutation { advanceTutorship(tutorCode: "015", tutoredCode: "108", sectorCode: "personnel", since: "2025-01-01", step: 4) { tutorship { step } } }`, "step"},
		{`mutation { createService(id: "bad/id", name: "N", providerCode: "108", areaCode: "a", startDate: "2025-01-01") { service { id } } }`, "id"},
		{`mutation { createService(id: "svc", name: "N", providerCode: "108", areaCode: "a", status: ACTIVE, startDate: "2025-01-01") { service { id } } }`, "status"},
		// The programme's writes: their input rules, with the field at fault.
		{`mutation { saveProjectWorkSections(projectWorkId: "pw-108-sua", sections: []) { sections { text } } }`, "sections"},
		{`mutation { saveProjectWorkSections(projectWorkId: "", sections: [{section: CONTEXT, text: "C"}]) { sections { text } } }`, "projectWorkId"},
		{`mutation { saveProjectWorkSections(projectWorkId: "pw-108-sua", sections: [{section: CONTEXT, text: "C"}, {section: CONTEXT, text: "D"}]) { sections { text } } }`, "sections[1].section"},
		{`mutation { saveProjectWorkSections(projectWorkId: "pw-108-sua", sections: [{section: CONTEXT, text: "  "}]) { sections { text } } }`, "sections[0].text"},
		{`mutation { setRolloutPlan(serviceId: "svc-108-staff-training", waves: [{due: "2025-06-01", comuneCodes: ["108001"]}, {due: "2025-01-01", comuneCodes: ["108002"]}]) { progress { share } } }`, "waves[1].due"},
		{`mutation { setRolloutPlan(serviceId: "svc-108-staff-training", waves: [{due: "2025-01-01", comuneCodes: []}]) { progress { share } } }`, "waves[0].comuneCodes"},
		{`mutation { setRolloutPlan(serviceId: "svc-108-staff-training", waves: [{due: "2025-01-01", comuneCodes: ["108001", "12"]}]) { progress { share } } }`, "waves[0].comuneCodes[1]"},
		{`mutation { setRolloutPlan(serviceId: "svc-108-staff-training", waves: [{due: "2025-01-01", comuneCodes: ["108001"]}, {due: "2025-06-01", comuneCodes: ["108001"]}]) { progress { share } } }`, "waves[1].comuneCodes[0]"},
		{`mutation { setRolloutPlan(serviceId: "svc-108-staff-training", waves: [{due: "2025-02-30", comuneCodes: ["108001"]}]) { progress { share } } }`, "waves[0].due"},
		{`mutation { addMaterial(id: "bad id", title: "T", kind: TOOL, url: "https://pico.example.org/x", sectorCode: "personnel") { material { id } } }`, "id"},
		{`mutation { addMaterial(id: "mat-x", title: " ", kind: TOOL, url: "https://pico.example.org/x", sectorCode: "personnel") { material { id } } }`, "title"},
		{`mutation { addMaterial(id: "mat-x", title: "T", kind: TOOL, url: "ftp://pico.example.org/x", sectorCode: "personnel") { material { id } } }`, "url"},
		{`mutation { addMaterial(id: "mat-x", title: "T", kind: TOOL, url: "https://pico.example.org/x", sectorCode: "") { material { id } } }`, "sectorCode"},
		{`{ changes(first: 0) { seq } }`, "first"},
		{`{ changes(entity: "comune") { seq } }`, "entity"},
		{`{ changes(since: "yesterday") { seq } }`, "since"},
	}
	for _, tt := range tests {
		w := &fakeWriter{}
		r, _ := newTestResolver(w)
		resp := exec(t, r, planner, tt.query)
		if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != pcnet.EINVALID || resp.Errors[0].Extensions["field"] != tt.field {
			t.Errorf("%s: errors = %+v, want invalid on %s", tt.query, resp.Errors, tt.field)
		}
		if len(w.calls) > 0 {
			t.Errorf("%s: reached the writer", tt.query)
		}
	}
}

func TestStoreErrorsPassThrough(t *testing.T) {
	w := &fakeWriter{err: &pcnet.Error{Code: pcnet.ECONFLICT, Field: "status", Message: "status: ENDED → ACTIVE is not allowed"}}
	r, _ := newTestResolver(w)
	resp := exec(t, r, planner, `mutation { updateService(id: "svc-108-staff-training", status: ACTIVE) { service { id } } }`)
	if len(resp.Errors) != 1 {
		t.Fatalf("errors = %+v", resp.Errors)
	}
	e := resp.Errors[0]
	if e.Extensions["code"] != pcnet.ECONFLICT || e.Extensions["field"] != "status" || e.Message != "status: ENDED → ACTIVE is not allowed" {
		t.Errorf("error = %+v", e)
	}
}

// Events are no longer the mutation's business (they come from the audit
// trail: internal/server, internal/events); the payload is.
func TestCoverageWritePayload(t *testing.T) {
	added := pcnet.Coverage{ServiceID: testService.ID, ComuneCode: "108001", Since: pcnet.MustDate("2025-01-01"), Phase: pcnet.PhaseRollout}
	w := &fakeWriter{cov: pcnet.CoverageResult{Changed: []pcnet.Coverage{added}}}
	r, _ := newTestResolver(w)
	resp := exec(t, r, planner, `mutation { addCoverage(serviceId: "svc-108-staff-training", comuneCodes: ["108001"], since: "2025-01-01") {
		service { id } changed { comune { code name } since } unchanged { code } } }`)
	if len(resp.Errors) > 0 {
		t.Fatal(resp.Errors)
	}
	var got struct {
		Service struct{ ID string }
		Changed []struct {
			Comune struct{ Code, Name string }
			Since  string
		}
		Unchanged []struct{ Code string }
	}
	if err := json.Unmarshal(resp.Data["addCoverage"], &got); err != nil {
		t.Fatal(err)
	}
	if got.Service.ID != testService.ID || len(got.Changed) != 1 || got.Changed[0].Comune.Name != "Agrate Brianza" || len(got.Unchanged) != 0 {
		t.Errorf("payload = %+v", got)
	}
	// A write that changes nothing lists the codes unchanged.
	w.cov = pcnet.CoverageResult{Unchanged: []string{"108001"}}
	resp = exec(t, r, planner, `mutation { addCoverage(serviceId: "svc-108-staff-training", comuneCodes: ["108001"], since: "2025-01-01") { unchanged { code } } }`)
	if len(resp.Errors) > 0 {
		t.Fatal(resp.Errors)
	}
	if string(resp.Data["addCoverage"]) != `{"unchanged":[{"code":"108001"}]}` {
		t.Errorf("payload = %s", resp.Data["addCoverage"])
	}
}

func TestChangesAnswer(t *testing.T) {
	r, _ := newTestResolver(&fakeWriter{})
	resp := exec(t, r, admin, `{ changes { seq at actor entity entityId action summary } }`)
	if len(resp.Errors) > 0 {
		t.Fatal(resp.Errors)
	}
	const want = `[{"seq":7,"at":"2026-05-19T10:30:00.000Z","actor":"maria","entity":"service","entityId":"svc-x","action":"create","summary":"created"}]`
	if string(resp.Data["changes"]) != want {
		t.Errorf("changes = %s\nwant      %s", resp.Data["changes"], want)
	}
}

// A document with two mutation fields: the first commits, the second
// fails. The response must still report the first one's result (payloads
// are nullable), with the error on the second's path only.
func TestMutationFieldsReportEachResult(t *testing.T) {
	w := &fakeWriter{}
	r, _ := newTestResolver(w)
	resp := exec(t, r, planner, `mutation {
		a: createService(id: "svc-x1", name: "Uno", providerCode: "108", areaCode: "staff-training", startDate: "2026-01-01") { service { id } }
		b: createService(id: "bad id", name: "Due", providerCode: "108", areaCode: "staff-training", startDate: "2026-01-01") { service { id } }
		c: createService(id: "svc-x3", name: "Tre", providerCode: "108", areaCode: "staff-training", startDate: "2026-01-01") { service { id } }
	}`)
	if len(w.calls) != 2 {
		t.Fatalf("writer calls %v, want a and c", w.calls)
	}
	if got := string(resp.Data["c"]); got != `{"service":{"id":"svc-x3"}}` {
		t.Errorf("data.c = %s: the fields after a failed one still run", got)
	}
	if got := string(resp.Data["a"]); got != `{"service":{"id":"svc-x1"}}` {
		t.Errorf("data.a = %s: the committed field must report its result", got)
	}
	if got := string(resp.Data["b"]); got != "null" {
		t.Errorf("data.b = %s, want null", got)
	}
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != pcnet.EINVALID {
		t.Errorf("errors %+v, want one invalid", resp.Errors)
	}
}

// TestMutationsPassTheIdempotencyKey: every mutation's idempotencyKey
// reaches the Writer in the context (the stores keep it: storetest's
// Idempotency cases); without the argument, none does.
func TestMutationsPassTheIdempotencyKey(t *testing.T) {
	for _, m := range mutations {
		if m.method == "Changes" {
			continue
		}
		t.Run(m.method, func(t *testing.T) {
			for _, key := range []string{"", "0b9f3c2e-retry-1"} {
				w := &fakeWriter{}
				r, _ := newTestResolver(w)
				q := m.query
				if key != "" {
					// Add the argument before the field's closing parenthesis.
					at := strings.Index(q, ") {")
					q = q[:at] + `, idempotencyKey: "` + key + `"` + q[at:]
				}
				if resp := exec(t, r, planner, q); len(resp.Errors) > 0 {
					t.Fatalf("%s: %+v", q, resp.Errors)
				}
				if len(w.keys) != 1 || w.keys[0] != key {
					t.Errorf("%s: the writer got keys %q, want [%q]", q, w.keys, key)
				}
			}
		})
	}
}

// Material.pilot costs one Pilots call for the whole list (and the calls
// its Province, service and Comuni take, once each), and none when the
// query doesn't select it: a list of materials never reads per material.
func TestMaterialPilotIsOneCallPerList(t *testing.T) {
	pilot := pcnet.Pilot{ID: "pilot-108", Title: "P", ProvinceCode: "108", ServiceID: testService.ID, SectorCode: "personnel",
		ComuneCodes: []string{"108001"}, Since: pcnet.MustDate("2024-01-01"), Decision: pcnet.PilotExtend}
	mats := []pcnet.Material{
		{ID: "mat-1", Title: "A", Kind: pcnet.MaterialTool, URL: "https://x.example/a", SectorCode: "personnel", PilotID: pilot.ID},
		{ID: "mat-2", Title: "B", Kind: pcnet.MaterialTool, URL: "https://x.example/b", SectorCode: "personnel", PilotID: pilot.ID},
		{ID: "mat-3", Title: "C", Kind: pcnet.MaterialTool, URL: "https://x.example/c", SectorCode: "personnel"},
	}
	for _, tt := range []struct {
		name, query string
		pilotCalls  int
		want        string
	}{
		{"selected", `{ materials { id pilot { id decision province { code } comuni { code } service { id } } } }`, 1,
			`[{"id":"mat-1","pilot":{"id":"pilot-108","decision":"EXTEND","province":{"code":"108"},"comuni":[{"code":"108001"}],"service":{"id":"svc-108-staff-training"}}},` +
				`{"id":"mat-2","pilot":{"id":"pilot-108","decision":"EXTEND","province":{"code":"108"},"comuni":[{"code":"108001"}],"service":{"id":"svc-108-staff-training"}}},` +
				`{"id":"mat-3","pilot":null}]`},
		{"not selected", `{ materials { id } }`, 0, `[{"id":"mat-1"},{"id":"mat-2"},{"id":"mat-3"}]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, b := newTestResolver(nil)
			b.materials, b.pilots = mats, []pcnet.Pilot{pilot}
			resp := exec(t, r, nil, tt.query)
			if len(resp.Errors) > 0 {
				t.Fatal(resp.Errors)
			}
			if got := string(resp.Data["materials"]); got != tt.want {
				t.Errorf("materials = %s\nwant        %s", got, tt.want)
			}
			if n := b.readCount("Pilots"); n != tt.pilotCalls {
				t.Errorf("%d Pilots calls for %d materials, want %d", n, len(mats), tt.pilotCalls)
			}
		})
	}
}
