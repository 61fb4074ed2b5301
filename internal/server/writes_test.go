package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pcnet/examples"
	"pcnet/graph"
	"pcnet/internal/auth"
	"pcnet/internal/memory"
	"pcnet/internal/neo4j/neo4jtest"
	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

// End-to-end tests of the writes: GraphQL over HTTP, bearer tokens, the
// real stores (a fresh copy of the shipped network per test: writes change
// it), both of them where the store matters.

// writeEnv is a server over a fresh writable memory store with three
// tokens: maria (planner), luca (reader) and root (admin).
type writeEnv struct {
	t      *testing.T
	ds     *pcnet.Dataset
	store  graph.Backend
	ts     *httptest.Server
	tokens map[string]string // by name
}

// writeStores are the stores the write tests run on, each opened with a
// fresh copy of the shipped network.
var writeStores = []struct {
	name string
	open func(t *testing.T, ds *pcnet.Dataset) graph.Backend
}{
	{"memory", func(t *testing.T, ds *pcnet.Dataset) graph.Backend {
		st, err := memory.New(*ds)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}},
	{"memory-durable", func(t *testing.T, ds *pcnet.Dataset) graph.Backend {
		st, err := memory.Open(t.TempDir(), *ds)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}},
	{"neo4j", func(t *testing.T, ds *pcnet.Dataset) graph.Backend {
		return neo4jtest.Load(t, *ds)
	}},
}

// eachStore runs test on a server over each of writeStores.
func eachStore(t *testing.T, opts server.Options, test func(t *testing.T, env *writeEnv)) {
	for _, ws := range writeStores {
		t.Run(ws.name, func(t *testing.T) {
			ds, _ := loadShipped(t)
			test(t, newWriteEnvOver(t, ds, ws.open(t, ds), opts))
		})
	}
}

// newWriteEnv is a server over a fresh memory store, for the tests about
// the HTTP layer rather than the stores.
func newWriteEnv(t *testing.T, opts server.Options) *writeEnv {
	t.Helper()
	ds, _ := loadShipped(t)
	return newWriteEnvOver(t, ds, writeStores[0].open(t, ds), opts)
}

func newWriteEnvOver(t *testing.T, ds *pcnet.Dataset, st graph.Backend, opts server.Options) *writeEnv {
	t.Helper()
	env := &writeEnv{t: t, ds: ds, store: st, tokens: make(map[string]string)}
	var entries []auth.Entry
	for _, h := range []struct {
		name string
		role pcnet.Role
	}{{"maria", pcnet.RolePlanner}, {"luca", pcnet.RoleReader}, {"root", pcnet.RoleAdmin}} {
		token, e, err := auth.NewEntry(h.name, h.role)
		if err != nil {
			t.Fatal(err)
		}
		env.tokens[h.name] = token
		entries = append(entries, e)
	}
	raw, _ := json.Marshal(entries)
	keys, err := auth.ParseKeyring(raw)
	if err != nil {
		t.Fatal(err)
	}
	opts.Tokens = keys
	env.ts = newServer(t, st, opts)
	return env
}

// post sends a GraphQL request with the Authorization header authorization
// ("" for none) and returns the raw body, the HTTP status and the headers.
func (e *writeEnv) post(authorization, query string, vars map[string]any) ([]byte, int, http.Header) {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), http.MethodPost, e.ts.URL+server.GraphQLPath, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return raw, resp.StatusCode, resp.Header
}

// do runs a GraphQL request with the Authorization header auth ("" for
// none) and returns the response and its HTTP status.
func (e *writeEnv) do(authorization, query string, vars map[string]any) (gqlResponse, int) {
	e.t.Helper()
	raw, status, _ := e.post(authorization, query, vars)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("status %d, body %s: %v", status, raw, err)
	}
	return out, status
}

func (e *writeEnv) bearer(name string) string { return "Bearer " + e.tokens[name] }

// as runs an operation as the token holder name ("" for anonymous) that
// must succeed, decoding its data into out.
func (e *writeEnv) as(name, query string, vars map[string]any, out any) {
	e.t.Helper()
	authz := ""
	if name != "" {
		authz = e.bearer(name)
	}
	resp, status := e.do(authz, query, vars)
	if len(resp.Errors) > 0 || status != http.StatusOK {
		e.t.Fatalf("status %d, errors %+v\nquery: %s", status, resp.Errors, query)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Data, out); err != nil {
			e.t.Fatalf("decoding %s: %v", resp.Data, err)
		}
	}
}

// fails runs an operation as name that must fail with one error of code on
// field ("" for no field).
func (e *writeEnv) fails(name, query string, vars map[string]any, code, field string) gqlError {
	e.t.Helper()
	authz := ""
	if name != "" {
		authz = e.bearer(name)
	}
	resp, _ := e.do(authz, query, vars)
	if len(resp.Errors) != 1 {
		e.t.Fatalf("errors = %+v, want one with code %s\nquery: %s", resp.Errors, code, query)
	}
	got := resp.Errors[0]
	if got.Extensions["code"] != code || (field != "" && got.Extensions["field"] != field) {
		e.t.Errorf("error = %+v, want code %s field %q", got, code, field)
	}
	return got
}

// changeCount returns the length of the audit trail, read as root.
func (e *writeEnv) changeCount() int {
	e.t.Helper()
	var got struct{ Changes []struct{ Seq int } }
	e.as("root", `{ changes(first: 1000) { seq } }`, nil, &got)
	return len(got.Changes)
}

type coverageRow struct {
	Since, Phase string
	Until        *string
	Node         struct{ Code string }
}

// coverageOf reads back a service's coverages of some Comuni.
func (e *writeEnv) coverageOf(serviceID string, codes ...string) map[string][]coverageRow {
	e.t.Helper()
	var got struct {
		Service *struct {
			Coverage struct{ Edges []coverageRow }
		}
	}
	e.as("", `query($id: ID!) { service(id: $id) { coverage(first: 1000) { edges { since until phase node { code } } } } }`,
		map[string]any{"id": serviceID}, &got)
	out := make(map[string][]coverageRow)
	if got.Service == nil {
		return out
	}
	for _, c := range got.Service.Coverage.Edges {
		if slices.Contains(codes, c.Node.Code) {
			out[c.Node.Code] = append(out[c.Node.Code], c)
		}
	}
	return out
}

// uncoveredComuni returns Comuni of province that service never covered,
// from the dataset.
func uncoveredComuni(ds *pcnet.Dataset, serviceID, province string) []string {
	covered := make(map[string]bool)
	for _, c := range ds.Coverages {
		if c.ServiceID == serviceID {
			covered[c.ComuneCode] = true
		}
	}
	var out []string
	for _, c := range ds.Comuni {
		if c.ProvinceCode == province && !covered[c.Code] {
			out = append(out, c.Code)
		}
	}
	return out
}

func serviceByID(t *testing.T, ds *pcnet.Dataset, id string) pcnet.SharedService {
	t.Helper()
	for _, s := range ds.Services {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no service %s in the shipped network", id)
	return pcnet.SharedService{}
}

const (
	createServiceQ = `mutation($id: ID!, $provider: String!, $area: String!, $status: ServiceStatus, $start: Date!) {
		createService(id: $id, name: " Servizio di prova ", description: "d", providerCode: $provider, areaCode: $area, status: $status, startDate: $start) {
			service { id name description status startDate provider { code } area { code } } } }`
	updateServiceQ = `mutation($id: ID!, $status: ServiceStatus, $name: String, $start: Date) {
		updateService(id: $id, status: $status, name: $name, startDate: $start) { service { id name status startDate } } }`
	addCoverageQ = `mutation($svc: ID!, $codes: [String!]!, $since: Date!, $phase: CoveragePhase) {
		addCoverage(serviceId: $svc, comuneCodes: $codes, since: $since, phase: $phase) {
			service { id } changed { comune { code } since until phase } unchanged { code } } }`
	endCoverageQ = `mutation($svc: ID!, $codes: [String!]!, $until: Date!) {
		endCoverage(serviceId: $svc, comuneCodes: $codes, until: $until) {
			changed { comune { code } since until } unchanged { code } } }`
	assignTutorQ = `mutation($tutor: String!, $tutored: String!, $sector: String!, $since: Date!) {
		assignTutor(tutorCode: $tutor, tutoredCode: $tutored, sectorCode: $sector, since: $since) {
			tutorship { tutor { code } tutored { code } sector { code } since until step } } }`
	advanceTutorshipQ = `mutation($tutor: String!, $tutored: String!, $sector: String!, $since: Date!, $step: Int!) {
		advanceTutorship(tutorCode: $tutor, tutoredCode: $tutored, sectorCode: $sector, since: $since, step: $step) {
			tutorship { since until step } } }`
	endTutorshipQ = `mutation($tutor: String!, $tutored: String!, $sector: String!, $since: Date!, $until: Date!) {
		endTutorship(tutorCode: $tutor, tutoredCode: $tutored, sectorCode: $sector, since: $since, until: $until) {
			tutorship { since until step } } }`
	saveProjectWorkQ = `mutation($id: ID!, $province: String!, $area: String!, $title: String!, $maturity: Maturity!, $step: Int!, $year: Int!, $svc: ID, $model: ID) {
		saveProjectWork(id: $id, provinceCode: $province, areaCode: $area, title: $title, maturity: $maturity, step: $step, year: $year, serviceId: $svc, modelFromId: $model) {
			projectWork { id title maturity step year province { code } area { code } service { id } } } }`
)

func TestMutationsReadBack(t *testing.T) {
	eachStore(t, server.Options{}, func(t *testing.T, env *writeEnv) {
		free := uncoveredComuni(env.ds, "svc-108-staff-training", "108")
		if len(free) < 3 {
			t.Fatalf("only %d Comuni of 108 free of svc-108-staff-training", len(free))
		}

		t.Run("createService", func(t *testing.T) {
			var got struct {
				CreateService struct{ Service json.RawMessage }
			}
			env.as("maria", createServiceQ, map[string]any{"id": "svc-108-test", "provider": "108", "area": "sua", "status": "PILOT", "start": "2026-01-15"}, &got)
			const want = `{"id":"svc-108-test","name":"Servizio di prova","description":"d","status":"PILOT","startDate":"2026-01-15","provider":{"code":"108"},"area":{"code":"sua"}}`
			if string(got.CreateService.Service) != want {
				t.Errorf("payload %s\nwant    %s", got.CreateService.Service, want)
			}
			var back struct{ Service json.RawMessage }
			env.as("", `{ service(id: "svc-108-test") { id name description status startDate provider { code } area { code } } }`, nil, &back)
			if string(back.Service) != want {
				t.Errorf("read back %s\nwant      %s", back.Service, want)
			}
			var byProvince struct {
				Province struct{ Services []struct{ ID string } }
			}
			env.as("", `{ province(code: "108") { services { id } } }`, nil, &byProvince)
			if !slices.ContainsFunc(byProvince.Province.Services, func(s struct{ ID string }) bool { return s.ID == "svc-108-test" }) {
				t.Errorf("Province 108's services %v lack the new one", byProvince.Province.Services)
			}
		})

		t.Run("updateService", func(t *testing.T) {
			var got struct {
				UpdateService struct{ Service json.RawMessage }
			}
			env.as("maria", updateServiceQ, map[string]any{"id": "svc-108-test", "status": "ACTIVE", "name": "Rinominato", "start": "2026-01-10"}, &got)
			const want = `{"id":"svc-108-test","name":"Rinominato","status":"ACTIVE","startDate":"2026-01-10"}`
			if string(got.UpdateService.Service) != want {
				t.Errorf("payload %s\nwant    %s", got.UpdateService.Service, want)
			}
			var back struct{ Service json.RawMessage }
			env.as("", `{ service(id: "svc-108-test") { id name status startDate } }`, nil, &back)
			if string(back.Service) != want {
				t.Errorf("read back %s\nwant      %s", back.Service, want)
			}
			// ACTIVE → SUSPENDED → ACTIVE are allowed too.
			env.as("maria", updateServiceQ, map[string]any{"id": "svc-108-test", "status": "SUSPENDED"}, nil)
			env.as("maria", updateServiceQ, map[string]any{"id": "svc-108-test", "status": "ACTIVE"}, nil)
		})

		t.Run("addCoverage", func(t *testing.T) {
			codes := free[:3]
			var got struct {
				AddCoverage struct {
					Changed []struct {
						Comune       struct{ Code string }
						Since, Phase string
						Until        *string
					}
					Unchanged []struct{ Code string }
				}
			}
			env.as("maria", addCoverageQ, map[string]any{"svc": "svc-108-test", "codes": codes, "since": "2026-02-01", "phase": "PILOT"}, &got)
			if len(got.AddCoverage.Changed) != 3 || len(got.AddCoverage.Unchanged) != 0 {
				t.Fatalf("payload %+v", got.AddCoverage)
			}
			back := env.coverageOf("svc-108-test", codes...)
			for _, code := range codes {
				rows := back[code]
				if len(rows) != 1 || rows[0].Since != "2026-02-01" || rows[0].Phase != "PILOT" || rows[0].Until != nil {
					t.Errorf("coverage of %s read back as %+v", code, rows)
				}
			}
			// Re-adding is a no-op: the Comuni come back unchanged, no duplicate.
			env.as("maria", addCoverageQ, map[string]any{"svc": "svc-108-test", "codes": codes[:2], "since": "2026-03-01"}, &got)
			if len(got.AddCoverage.Changed) != 0 || len(got.AddCoverage.Unchanged) != 2 {
				t.Errorf("re-adding: payload %+v", got.AddCoverage)
			}
			if back := env.coverageOf("svc-108-test", codes...); len(back[codes[0]]) != 1 {
				t.Errorf("re-adding duplicated a coverage: %+v", back[codes[0]])
			}
			// The Comune's side sees it too.
			var comune struct {
				Comune struct {
					Coverages []struct {
						Service struct{ ID string }
						Since   string
					}
				}
			}
			env.as("", `query($c: String!) { comune(istat: $c) { coverages { service { id } since } } }`, map[string]any{"c": codes[0]}, &comune)
			if !slices.ContainsFunc(comune.Comune.Coverages, func(c struct {
				Service struct{ ID string }
				Since   string
			}) bool {
				return c.Service.ID == "svc-108-test" && c.Since == "2026-02-01"
			}) {
				t.Errorf("comune %s's coverages %+v lack the new one", codes[0], comune.Comune.Coverages)
			}
		})

		t.Run("endCoverage", func(t *testing.T) {
			code := free[1]
			var got struct {
				EndCoverage struct {
					Changed []struct {
						Comune       struct{ Code string }
						Since, Until string
					}
				}
			}
			env.as("maria", endCoverageQ, map[string]any{"svc": "svc-108-test", "codes": []string{code}, "until": "2026-09-01"}, &got)
			if len(got.EndCoverage.Changed) != 1 || got.EndCoverage.Changed[0].Until != "2026-09-01" {
				t.Fatalf("payload %+v", got.EndCoverage)
			}
			rows := env.coverageOf("svc-108-test", code)[code]
			if len(rows) != 1 || rows[0].Until == nil || *rows[0].Until != "2026-09-01" {
				t.Errorf("coverage of %s read back as %+v", code, rows)
			}
			var active struct {
				Service struct{ Coverage struct{ TotalCount int } }
			}
			env.as("", `{ service(id: "svc-108-test") { coverage(activeOn: "2026-10-01", first: 0) { totalCount } } }`, nil, &active)
			if active.Service.Coverage.TotalCount != 2 {
				t.Errorf("coverages active on 2026-10-01: %d, want 2", active.Service.Coverage.TotalCount)
			}
		})

		t.Run("tutorships", func(t *testing.T) {
			vars := map[string]any{"tutor": "108", "tutored": "016", "sector": "procurement", "since": "2026-03-01"}
			var got struct {
				AssignTutor struct{ Tutorship json.RawMessage }
			}
			env.as("maria", assignTutorQ, vars, &got)
			const want = `{"tutor":{"code":"108"},"tutored":{"code":"016"},"sector":{"code":"procurement"},"since":"2026-03-01","until":null,"step":1}`
			if string(got.AssignTutor.Tutorship) != want {
				t.Errorf("assign payload %s\nwant %s", got.AssignTutor.Tutorship, want)
			}
			vars["step"] = 3
			env.as("maria", advanceTutorshipQ, vars, nil)
			delete(vars, "step")
			vars["until"] = "2026-12-01"
			env.as("maria", endTutorshipQ, vars, nil)
			var back struct {
				Tutorships []struct {
					Since, Until string
					Step         int
				}
			}
			env.as("", `{ tutorships(filter: { tutorCodes: ["108"], tutoredCodes: ["016"], sectorCodes: ["procurement"] }) { since until step } }`, nil, &back)
			if len(back.Tutorships) != 1 || back.Tutorships[0].Step != 3 || back.Tutorships[0].Until != "2026-12-01" || back.Tutorships[0].Since != "2026-03-01" {
				t.Errorf("tutorship read back as %+v", back.Tutorships)
			}
		})

		t.Run("saveProjectWork", func(t *testing.T) {
			vars := map[string]any{"id": "pw-108-test", "province": "108", "area": "sua", "title": "Prova", "maturity": "DEVELOPING", "step": 1, "year": 2026}
			env.as("maria", saveProjectWorkQ, vars, nil)
			// Update it and link it to the service it led to.
			vars["maturity"], vars["step"], vars["svc"] = "CONSOLIDATING", 2, "svc-108-test"
			var got struct {
				SaveProjectWork struct{ ProjectWork json.RawMessage }
			}
			env.as("maria", saveProjectWorkQ, vars, &got)
			const want = `{"id":"pw-108-test","title":"Prova","maturity":"CONSOLIDATING","step":2,"year":2026,"province":{"code":"108"},"area":{"code":"sua"},"service":{"id":"svc-108-test"}}`
			if string(got.SaveProjectWork.ProjectWork) != want {
				t.Errorf("payload %s\nwant    %s", got.SaveProjectWork.ProjectWork, want)
			}
			var back struct{ ProjectWork json.RawMessage }
			env.as("", `{ projectWork(id: "pw-108-test") { id title maturity step year province { code } area { code } service { id } } }`, nil, &back)
			if string(back.ProjectWork) != want {
				t.Errorf("read back %s\nwant      %s", back.ProjectWork, want)
			}
			var fromService struct {
				Service struct{ ProjectWorks []struct{ ID string } }
			}
			env.as("", `{ service(id: "svc-108-test") { projectWorks { id } } }`, nil, &fromService)
			if len(fromService.Service.ProjectWorks) != 1 || fromService.Service.ProjectWorks[0].ID != "pw-108-test" {
				t.Errorf("service's project works: %+v", fromService.Service.ProjectWorks)
			}
		})
	})
}

// A mutation operation with several fields runs them in order, and each
// payload sees the writes before it, not answers the request cached earlier.
func TestMutationPayloadsSeeEarlierWrites(t *testing.T) {
	eachStore(t, server.Options{}, func(t *testing.T, env *writeEnv) {
		free := uncoveredComuni(env.ds, "svc-108-staff-training", "108")
		var got struct {
			A, B struct {
				Service struct{ Coverage struct{ TotalCount int } }
			}
		}
		env.as("maria", `mutation($a: [String!]!, $b: [String!]!) {
		a: addCoverage(serviceId: "svc-108-staff-training", comuneCodes: $a, since: "2026-01-01") { service { coverage(first: 0) { totalCount } } }
		b: addCoverage(serviceId: "svc-108-staff-training", comuneCodes: $b, since: "2026-01-01") { service { coverage(first: 0) { totalCount } } }
	}`, map[string]any{"a": free[:1], "b": free[1:3]}, &got)
		if got.B.Service.Coverage.TotalCount != got.A.Service.Coverage.TotalCount+2 {
			t.Errorf("totals after the two writes: %d then %d; want the second 2 more", got.A.Service.Coverage.TotalCount, got.B.Service.Coverage.TotalCount)
		}
	})
}

func TestWriteRules(t *testing.T) {
	eachStore(t, server.Options{}, func(t *testing.T, env *writeEnv) {
		svc := serviceByID(t, env.ds, "svc-108-staff-training")
		free := uncoveredComuni(env.ds, svc.ID, svc.ProviderCode)
		var otherProvince, openCoverage string
		var openSince string
		for _, c := range env.ds.Comuni {
			if c.ProvinceCode == "013" {
				otherProvince = c.Code
				break
			}
		}
		for _, c := range env.ds.Coverages {
			if c.ServiceID == svc.ID && c.Until.IsZero() {
				openCoverage, openSince = c.ComuneCode, c.Since.String()
				break
			}
		}
		if otherProvince == "" || openCoverage == "" || len(free) < 4 {
			t.Fatal("the shipped network lacks the data this test needs")
		}
		// An open tutorship to advance and end wrongly.
		env.as("maria", assignTutorQ, map[string]any{"tutor": "108", "tutored": "016", "sector": "procurement", "since": "2026-03-01"}, nil)
		env.as("maria", advanceTutorshipQ, map[string]any{"tutor": "108", "tutored": "016", "sector": "procurement", "since": "2026-03-01", "step": 2}, nil)
		// An ENDED service.
		env.as("maria", createServiceQ, map[string]any{"id": "svc-108-old", "provider": "108", "area": "sua", "start": "2022-06-01"}, nil)
		env.as("maria", updateServiceQ, map[string]any{"id": "svc-108-old", "status": "ENDED"}, nil)

		day := func(d pcnet.Date) string { return d.String() }
		tests := []struct {
			name, query string
			vars        map[string]any
			code, field string
		}{
			{"Comune of another Province", addCoverageQ,
				map[string]any{"svc": svc.ID, "codes": []string{otherProvince}, "since": "2026-01-01"}, pcnet.EINVALID, "comuneCodes[0]"},
			{"batch with one Comune of another Province", addCoverageQ,
				map[string]any{"svc": svc.ID, "codes": []string{free[0], free[1], otherProvince, free[2]}, "since": "2026-01-01"}, pcnet.EINVALID, "comuneCodes[2]"},
			{"batch with one unknown Comune", addCoverageQ,
				map[string]any{"svc": svc.ID, "codes": []string{free[0], "108999"}, "since": "2026-01-01"}, pcnet.ENOTFOUND, "comuneCodes[1]"},
			{"batch with a malformed code", addCoverageQ,
				map[string]any{"svc": svc.ID, "codes": []string{free[0], "10800"}, "since": "2026-01-01"}, pcnet.EINVALID, "comuneCodes[1]"},
			{"batch listing a Comune twice", addCoverageQ,
				map[string]any{"svc": svc.ID, "codes": []string{free[0], free[1], free[0]}, "since": "2026-01-01"}, pcnet.EINVALID, "comuneCodes[2]"},
			{"empty batch", addCoverageQ,
				map[string]any{"svc": svc.ID, "codes": []string{}, "since": "2026-01-01"}, pcnet.EINVALID, "comuneCodes"},
			{"coverage before the service started", addCoverageQ,
				map[string]any{"svc": svc.ID, "codes": []string{free[0]}, "since": day(svc.StartDate.AddMonths(-1))}, pcnet.EINVALID, "since"},
			{"coverage by an ENDED service", addCoverageQ,
				map[string]any{"svc": "svc-108-old", "codes": []string{free[0]}, "since": "2026-01-01"}, pcnet.ECONFLICT, "serviceId"},
			{"unknown service", addCoverageQ,
				map[string]any{"svc": "svc-nope", "codes": []string{free[0]}, "since": "2026-01-01"}, pcnet.ENOTFOUND, "serviceId"},
			{"end coverage before its start", endCoverageQ,
				map[string]any{"svc": svc.ID, "codes": []string{openCoverage}, "until": openSince}, pcnet.EINVALID, "until"},
			{"end a coverage that is not open", endCoverageQ,
				map[string]any{"svc": svc.ID, "codes": []string{openCoverage, free[0]}, "until": "2026-01-01"}, pcnet.ENOTFOUND, "comuneCodes[1]"},
			{"end coverage of an unknown service", endCoverageQ,
				map[string]any{"svc": "svc-nope", "codes": []string{free[0]}, "until": "2026-01-01"}, pcnet.ENOTFOUND, "serviceId"},
			{"a Province tutoring itself", assignTutorQ,
				map[string]any{"tutor": "108", "tutored": "108", "sector": "procurement", "since": "2026-01-01"}, pcnet.EINVALID, "tutoredCode"},
			{"a second open tutorship", assignTutorQ,
				map[string]any{"tutor": "108", "tutored": "016", "sector": "procurement", "since": "2026-05-01"}, pcnet.ECONFLICT, "tutoredCode"},
			{"a tutorship in an unknown sector", assignTutorQ,
				map[string]any{"tutor": "108", "tutored": "016", "sector": "sport", "since": "2026-05-01"}, pcnet.ENOTFOUND, "sectorCode"},
			{"a step backwards", advanceTutorshipQ,
				map[string]any{"tutor": "108", "tutored": "016", "sector": "procurement", "since": "2026-03-01", "step": 1}, pcnet.ECONFLICT, "step"},
			{"a step past the last", advanceTutorshipQ,
				map[string]any{"tutor": "108", "tutored": "016", "sector": "procurement", "since": "2026-03-01", "step": 4}, pcnet.EINVALID, "step"},
			{"end a tutorship before its start", endTutorshipQ,
				map[string]any{"tutor": "108", "tutored": "016", "sector": "procurement", "since": "2026-03-01", "until": "2026-02-01"}, pcnet.EINVALID, "until"},
			{"an unknown tutorship", endTutorshipQ,
				map[string]any{"tutor": "108", "tutored": "016", "sector": "procurement", "since": "2026-03-02", "until": "2026-06-01"}, pcnet.ENOTFOUND, ""},
			{"disallowed status transition", updateServiceQ,
				map[string]any{"id": svc.ID, "status": "PLANNED"}, pcnet.ECONFLICT, "status"},
			{"any change to an ENDED service's status", updateServiceQ,
				map[string]any{"id": "svc-108-old", "status": "ACTIVE"}, pcnet.ECONFLICT, "status"},
			{"unknown service update", updateServiceQ,
				map[string]any{"id": "svc-nope", "status": "ACTIVE"}, pcnet.ENOTFOUND, "id"},
			{"start date after the first coverage", updateServiceQ,
				map[string]any{"id": svc.ID, "start": "2026-12-31"}, pcnet.EINVALID, "startDate"},
			{"a taken service ID", createServiceQ,
				map[string]any{"id": svc.ID, "provider": "108", "area": "sua", "start": "2026-01-01"}, pcnet.ECONFLICT, "id"},
			{"a new service already ACTIVE", createServiceQ,
				map[string]any{"id": "svc-x", "provider": "108", "area": "sua", "status": "ACTIVE", "start": "2026-01-01"}, pcnet.EINVALID, "status"},
			{"a service of an unknown Province", createServiceQ,
				map[string]any{"id": "svc-x", "provider": "999", "area": "sua", "start": "2026-01-01"}, pcnet.ENOTFOUND, "providerCode"},
			{"a service starting before its provider joined the programme", createServiceQ,
				map[string]any{"id": "svc-x", "provider": "108", "area": "sua", "start": "2021-01-01"}, pcnet.EINVALID, "providerCode"},
			{"a malformed date", addCoverageQ,
				map[string]any{"svc": svc.ID, "codes": []string{free[0]}, "since": "01/02/2026"}, pcnet.EINVALID, "since"},
			{"a project work linked to another Province's service", saveProjectWorkQ,
				map[string]any{"id": "pw-x", "province": "013", "area": "sua", "title": "T", "maturity": "ADVANCED", "step": 1, "year": 2026, "svc": svc.ID}, pcnet.EINVALID, "serviceId"},
			{"a project work linked to an unknown service", saveProjectWorkQ,
				map[string]any{"id": "pw-x", "province": "108", "area": "sua", "title": "T", "maturity": "ADVANCED", "step": 1, "year": 2026, "svc": "svc-nope"}, pcnet.ENOTFOUND, "serviceId"},
			// 017, not 012, tutors 108 in procurement (the shipped network).
			{"a project work adapting the model of a Province that never tutored it", saveProjectWorkQ,
				map[string]any{"id": "pw-x", "province": "108", "area": "sua", "title": "T", "maturity": "ADVANCED", "step": 1, "year": 2026, "model": "pw-012-sua"}, pcnet.EINVALID, "modelFromId"},
			{"a project work adapting its own model", saveProjectWorkQ,
				map[string]any{"id": "pw-x", "province": "108", "area": "sua", "title": "T", "maturity": "ADVANCED", "step": 1, "year": 2026, "model": "pw-x"}, pcnet.EINVALID, "modelFromId"},
		}
		before := env.changeCount()
		coverageBefore := env.coverageOf(svc.ID, append(free, openCoverage)...)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := env.fails("maria", tt.query, tt.vars, tt.code, tt.field)
				if strings.TrimSpace(e.Message) == "" || e.Message == "internal error" {
					t.Errorf("message %q says nothing", e.Message)
				}
			})
		}
		// Nothing was written: the audit trail and the coverage are as before.
		if after := env.changeCount(); after != before {
			t.Errorf("the audit trail grew from %d to %d entries on failed writes", before, after)
		}
		if after := env.coverageOf(svc.ID, append(free, openCoverage)...); !equalJSON(t, coverageBefore, after) {
			t.Errorf("coverage changed on failed writes:\nbefore %+v\nafter  %+v", coverageBefore, after)
		}
		var pw struct{ ProjectWork *struct{ ID string } }
		env.as("", `{ projectWork(id: "pw-x") { id } }`, nil, &pw)
		if pw.ProjectWork != nil {
			t.Error("a refused project work was saved")
		}
	})
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(ja, jb)
}

func TestWritesNeedPlannerToken(t *testing.T) {
	eachStore(t, server.Options{}, func(t *testing.T, env *writeEnv) {
		free := uncoveredComuni(env.ds, "svc-108-staff-training", "108")
		vars := map[string]any{"svc": "svc-108-staff-training", "codes": free[:2], "since": "2026-01-01"}
		create := map[string]any{"id": "svc-108-unauth", "provider": "108", "area": "sua", "start": "2026-01-01"}

		tests := []struct {
			name, authorization string
			status              int
			code                string
		}{
			{"no token", "", http.StatusOK, pcnet.EUNAUTHORIZED},
			{"reader token", env.bearer("luca"), http.StatusOK, pcnet.EFORBIDDEN},
			{"unknown token", "Bearer " + mustToken(t), http.StatusUnauthorized, pcnet.EUNAUTHORIZED},
			{"token's hash instead of the token", "Bearer " + auth.Hash(env.tokens["maria"]), http.StatusUnauthorized, pcnet.EUNAUTHORIZED},
			{"malformed header", "Basic bWFyaWE6c2VjcmV0", http.StatusUnauthorized, pcnet.EUNAUTHORIZED},
			{"bearer without a token", "Bearer", http.StatusUnauthorized, pcnet.EUNAUTHORIZED},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				for _, op := range []struct {
					query string
					vars  map[string]any
				}{{addCoverageQ, vars}, {createServiceQ, create}} {
					resp, status := env.do(tt.authorization, op.query, op.vars)
					if status != tt.status {
						t.Errorf("status %d, want %d", status, tt.status)
					}
					if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != tt.code {
						t.Fatalf("errors = %+v, want one with code %s", resp.Errors, tt.code)
					}
					if msg := resp.Errors[0].Message; strings.Contains(msg, env.tokens["maria"]) || strings.Contains(msg, "maria") {
						t.Errorf("the error names a token or its holder: %q", msg)
					}
				}
				// The answer to an unknown token is the answer to a malformed one.
				if tt.status == http.StatusUnauthorized {
					resp, _ := env.do(tt.authorization, `{ regions { code } }`, nil)
					if len(resp.Errors) != 1 || resp.Errors[0].Message != "invalid or unknown bearer token" {
						t.Errorf("a read with a bad token: %+v", resp.Errors)
					}
				}
			})
		}
		// Nothing was written.
		if got := env.coverageOf("svc-108-staff-training", free[:2]...); len(got) != 0 {
			t.Errorf("refused writes added coverage: %+v", got)
		}
		var back struct{ Service *struct{ ID string } }
		env.as("", `{ service(id: "svc-108-unauth") { id } }`, nil, &back)
		if back.Service != nil {
			t.Error("a refused createService created the service")
		}
		if n := env.changeCount(); n != 0 {
			t.Errorf("the audit trail has %d entries after refused writes only", n)
		}
		// The audit trail itself is for planners.
		env.fails("", `{ changes { seq } }`, nil, pcnet.EUNAUTHORIZED, "")
		env.fails("luca", `{ changes { seq } }`, nil, pcnet.EFORBIDDEN, "")
		// Admins write too.
		env.as("root", addCoverageQ, vars, nil)
		if got := env.coverageOf("svc-108-staff-training", free[:2]...); len(got) != 2 {
			t.Errorf("an admin's write: coverage read back as %+v", got)
		}
	})
}

func mustToken(t *testing.T) string {
	t.Helper()
	tok, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestPrivateReads(t *testing.T) {
	env := newWriteEnv(t, server.Options{ReadsNeedToken: true})
	const q = `{ region(code: "03") { name } }`
	resp, status := env.do("", q, nil)
	if status != http.StatusUnauthorized || len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != pcnet.EUNAUTHORIZED || resp.Data != nil {
		t.Errorf("anonymous read: status %d, response %+v", status, resp)
	}
	// GET is refused the same way.
	res, err := getURL(t, env.ts.URL+server.GraphQLPath+"?query="+strings.ReplaceAll(q, " ", "+"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("anonymous GET: status %d, WWW-Authenticate %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
	}
	for _, who := range []string{"luca", "maria", "root"} {
		var got struct{ Region struct{ Name string } }
		env.as(who, q, nil, &got)
		if got.Region.Name != "Lombardia" {
			t.Errorf("%s read %+v", who, got)
		}
	}
	if _, status := env.do("Bearer "+mustToken(t), q, nil); status != http.StatusUnauthorized {
		t.Errorf("unknown token: status %d", status)
	}
	// A reader still can't write.
	env.fails("luca", updateServiceQ, map[string]any{"id": "svc-108-staff-training", "status": "SUSPENDED"}, pcnet.EFORBIDDEN, "")
}

func TestChangesTrail(t *testing.T) {
	eachStore(t, server.Options{}, func(t *testing.T, env *writeEnv) {
		free := uncoveredComuni(env.ds, "svc-108-staff-training", "108")
		start := time.Now().UTC().Truncate(time.Millisecond)
		env.as("maria", createServiceQ, map[string]any{"id": "svc-108-trail", "provider": "108", "area": "sua", "status": "PILOT", "start": "2026-01-01"}, nil)
		env.as("root", updateServiceQ, map[string]any{"id": "svc-108-trail", "status": "ACTIVE"}, nil)
		env.as("maria", addCoverageQ, map[string]any{"svc": "svc-108-trail", "codes": free[:2], "since": "2026-02-01"}, nil)
		// A write that changes nothing records nothing.
		env.as("maria", addCoverageQ, map[string]any{"svc": "svc-108-trail", "codes": free[:2], "since": "2026-02-01"}, nil)
		end := time.Now().UTC()

		type change struct {
			Seq                                          int
			At, Actor, Entity, EntityID, Action, Summary string
		}
		var got struct{ Changes []change }
		env.as("maria", `{ changes { seq at actor entity entityId action summary } }`, nil, &got)
		want := []struct{ actor, entity, entityID, action string }{
			{"maria", "service", "svc-108-trail", "create"},
			{"root", "service", "svc-108-trail", "update"},
			{"maria", "coverage", "svc-108-trail/" + free[0], "add"},
			{"maria", "coverage", "svc-108-trail/" + free[1], "add"},
		}
		if len(got.Changes) != len(want) {
			t.Fatalf("changes = %+v, want %d entries", got.Changes, len(want))
		}
		for i, w := range want {
			c := got.Changes[i]
			if c.Seq != i+1 || c.Actor != w.actor || c.Entity != w.entity || c.EntityID != w.entityID || c.Action != w.action || c.Summary == "" {
				t.Errorf("change %d = %+v, want seq %d %+v", i, c, i+1, w)
			}
			at, err := time.Parse(time.RFC3339Nano, c.At)
			if err != nil || at.Before(start) || at.After(end) || !strings.HasSuffix(c.At, "Z") {
				t.Errorf("change %d at %q, want an RFC 3339 UTC instant between %s and %s", i, c.At, start, end)
			}
		}
		if s := got.Changes[1].Summary; !strings.Contains(s, "PILOT") || !strings.Contains(s, "ACTIVE") {
			t.Errorf("status change summary %q doesn't say PILOT → ACTIVE", s)
		}

		// Filters: entity, entity ID, afterSeq, first, since.
		filters := []struct {
			args string
			seqs []int
		}{
			{`entity: "coverage"`, []int{3, 4}},
			{`entityId: "svc-108-trail"`, []int{1, 2}},
			{`afterSeq: 2`, []int{3, 4}},
			{`afterSeq: 1, first: 2`, []int{2, 3}},
			{fmt.Sprintf(`since: %q`, end.Add(time.Second).Format(time.RFC3339)), nil},
			{fmt.Sprintf(`since: %q`, start.Add(-time.Second).Format(time.RFC3339)), []int{1, 2, 3, 4}},
		}
		for _, f := range filters {
			var got struct{ Changes []struct{ Seq int } }
			env.as("root", `{ changes(`+f.args+`) { seq } }`, nil, &got)
			var seqs []int
			for _, c := range got.Changes {
				seqs = append(seqs, c.Seq)
			}
			if !slices.Equal(seqs, f.seqs) {
				t.Errorf("changes(%s) = %v, want %v", f.args, seqs, f.seqs)
			}
		}
		env.fails("maria", `{ changes(entity: "comune") { seq } }`, nil, pcnet.EINVALID, "entity")
		env.fails("maria", `{ changes(first: 1001) { seq } }`, nil, pcnet.EINVALID, "first")
		env.fails("maria", `{ changes(since: "2026-05-19") { seq } }`, nil, pcnet.EINVALID, "since")
	})
}

// Eight clients add different Comuni to the same service at once: every
// one is there afterwards, and the audit trail has one entry each.
func TestConcurrentCoverageWrites(t *testing.T) {
	eachStore(t, server.Options{}, func(t *testing.T, env *writeEnv) {
		const clients, perClient = 8, 3
		// A new service, so every Comune of the Province is free to add.
		env.as("maria", createServiceQ, map[string]any{"id": "svc-108-busy", "provider": "108", "area": "sua", "start": "2022-06-01"}, nil)
		free := uncoveredComuni(env.ds, "svc-108-busy", "108")
		if len(free) < clients*perClient {
			t.Fatalf("only %d free Comuni", len(free))
		}
		var wg sync.WaitGroup
		errs := make(chan string, clients*perClient)
		for i := range clients {
			wg.Go(func() {
				client := &http.Client{Transport: &http.Transport{}} // its own connections
				defer client.CloseIdleConnections()
				for j := range perClient {
					code := free[i*perClient+j]
					body, _ := json.Marshal(map[string]any{"query": addCoverageQ,
						"variables": map[string]any{"svc": "svc-108-busy", "codes": []string{code}, "since": "2026-01-01"}})
					req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, env.ts.URL+server.GraphQLPath, bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", env.bearer("maria"))
					res, err := client.Do(req)
					if err != nil {
						errs <- err.Error()
						continue
					}
					var out gqlResponse
					err = json.NewDecoder(res.Body).Decode(&out)
					res.Body.Close()
					if err != nil || len(out.Errors) > 0 {
						errs <- fmt.Sprintf("%s: %v %+v", code, err, out.Errors)
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		want := free[:clients*perClient]
		got := env.coverageOf("svc-108-busy", want...)
		for _, code := range want {
			if len(got[code]) != 1 {
				t.Errorf("Comune %s: coverage %+v, want exactly one", code, got[code])
			}
		}
		if n := env.changeCount(); n != 1+len(want) {
			t.Errorf("audit trail has %d entries, want %d (the service and each Comune)", n, 1+len(want))
		}
	})
}

var subscriptionRE = regexp.MustCompile(`(?m)^subscription\s`)

// The example writes run, in order, as a planner (an admin when the
// comment says "Admin only.") on the shipped network, and do what their
// comments say.
func TestWriteExamples(t *testing.T) {
	eachStore(t, server.Options{}, func(t *testing.T, env *writeEnv) {
		ran := 0
		for _, op := range examples.Writes() {
			if subscriptionRE.MatchString(op.Query) {
				continue // over WebSocket: see TestSubscriptionExample
			}
			t.Run(op.Name, func(t *testing.T) {
				body, _ := json.Marshal(map[string]any{"query": op.Query, "operationName": op.OperationName})
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, env.ts.URL+server.GraphQLPath, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				who := "maria"
				if strings.Contains(op.Query, "# Admin only.") {
					who = "root" // an admin's write, as its comment says
				}
				req.Header.Set("Authorization", env.bearer(who))
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				var out gqlResponse
				if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
					t.Fatal(err)
				}
				if len(out.Errors) > 0 {
					t.Fatalf("errors: %+v", out.Errors)
				}
			})
			ran++
		}
		if ran < 9 {
			t.Fatalf("ran %d example writes, want at least 9", ran)
		}
		// Read back what the comments promise.
		var got struct {
			Service struct {
				Name, Status, StartDate string
				Coverage                struct {
					Edges []struct {
						Until *string
						Node  struct{ Code string }
					}
				}
				ProjectWorks []struct{ ID string }
			}
			Tutorships []struct {
				Until string
				Step  int
			}
		}
		env.as("", `{
		service(id: "svc-108-sua") { name status startDate coverage { edges { until node { code } } } projectWorks { id } }
		tutorships(filter: { tutorCodes: ["108"], tutoredCodes: ["016"], sectorCodes: ["procurement"] }) { until step }
	}`, nil, &got)
		s := got.Service
		if s.Name != "SUA della Provincia di Monza e della Brianza" || s.Status != "ACTIVE" || s.StartDate != "2026-01-12" {
			t.Errorf("service = %+v", s)
		}
		ended := map[string]string{}
		for _, e := range s.Coverage.Edges {
			ended[e.Node.Code] = ""
			if e.Until != nil {
				ended[e.Node.Code] = *e.Until
			}
		}
		if !equalJSON(t, ended, map[string]string{"108001": "", "108002": "2026-09-01", "108003": ""}) {
			t.Errorf("coverage = %v", ended)
		}
		if len(s.ProjectWorks) != 1 || s.ProjectWorks[0].ID != "pw-108-sua" {
			t.Errorf("project works = %+v", s.ProjectWorks)
		}
		if len(got.Tutorships) != 1 || got.Tutorships[0].Step != 2 || got.Tutorships[0].Until != "2026-12-01" {
			t.Errorf("tutorships = %+v", got.Tutorships)
		}
		// The programme's examples (14 to 16): the sections, the plan with
		// Aicurzio late on 1 October 2026, the two materials.
		var programme struct {
			CompareProjectWorks struct {
				Sections []struct {
					Section string
					Texts   []*string
				}
			}
			RolloutProgress struct {
				WholePlan struct{ Comuni int }
				Late      []struct{ Comune struct{ Code string } }
			}
			OfService []struct{ ID string }
			All       []struct {
				ID    string
				Pilot *struct{ ID string }
			}
		}
		env.as("", `{
		compareProjectWorks(ids: ["pw-108-sua", "pw-014-staff-training"]) { sections { section texts } }
		rolloutProgress(serviceId: "svc-108-sua", asOf: "2026-10-01") { wholePlan { comuni } late { comune { code } } }
		ofService: materials(filter: { serviceIds: ["svc-108-sua"], projectWorkIds: ["pw-108-sua"], kinds: [TEMPLATE] }) { id }
		all: materials(filter: { sectorCodes: ["personnel"] }) { id pilot { id } }
	}`, nil, &programme)
		for _, row := range programme.CompareProjectWorks.Sections {
			if row.Section == "TARGET_COMUNI" && (row.Texts[0] == nil || !strings.Contains(*row.Texts[0], "108003")) {
				t.Errorf("pw-108-sua's target Comuni: %v", row.Texts[0])
			}
		}
		if p := programme.RolloutProgress; p.WholePlan.Comuni != 5 || len(p.Late) != 1 || p.Late[0].Comune.Code != "108002" {
			t.Errorf("svc-108-sua's rollout on 2026-10-01: %+v", p)
		}
		if len(programme.OfService) != 1 || programme.OfService[0].ID != "mat-svc-108-sua-convenzione" {
			t.Errorf("svc-108-sua's templates: %+v", programme.OfService)
		}
		if !slices.ContainsFunc(programme.All, func(m struct {
			ID    string
			Pilot *struct{ ID string }
		}) bool {
			return m.ID == "mat-pilot-108-staff-training-report" && m.Pilot != nil && m.Pilot.ID == "pilot-108-staff-training"
		}) {
			t.Error("the pilot's report is not among the personnel materials, attached to its pilot")
		}
	})
}
