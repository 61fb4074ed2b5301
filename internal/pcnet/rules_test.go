package pcnet

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// checkErr checks that err is an *Error with the code and field, or nil
// when code is "".
func checkErr(t *testing.T, err error, code, field string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want code %s field %q", code, field)
	}
	if _, ok := err.(*Error); !ok {
		t.Fatalf("error %v is a %T, not an *Error", err, err)
	}
	if got := ErrorCode(err); got != code {
		t.Errorf("code %q, want %q (%v)", got, code, err)
	}
	if got := ErrorField(err); got != field {
		t.Errorf("field %q, want %q (%v)", got, field, err)
	}
	if ErrorMessage(err) == "" {
		t.Errorf("empty message")
	}
}

func ptr[T any](v T) *T { return &v }

// codes returns n distinct Comune codes of Province 013.
func codes(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("013%03d", i)
	}
	return out
}

// comoProvides: Como, an ordinary-statute Province, provides in appalti;
// with no records it takes part by ProgrammeJoined's default.
var comoProvides = ProviderParticipation{Provider: &Province{Code: "013", Name: "Como", Kind: KindProvince, RegionCode: "03"}, Sector: "appalti"}

func TestPlanServiceCreate(t *testing.T) {
	valid := SharedService{ID: "svc-013-new", Name: "  Nuovo servizio ", Description: " Per i Comuni ", ProviderCode: "013", AreaCode: "sua", StartDate: MustDate("2024-01-01")}
	found := ServiceCreateFacts{ProviderParticipation: comoProvides}
	tests := []struct {
		name        string
		edit        func(s *SharedService)
		facts       ServiceCreateFacts
		code, field string
	}{
		{"valid", func(*SharedService) {}, found, "", ""},
		{"pilot", func(s *SharedService) { s.Status = StatusPilot }, found, "", ""},
		{"planned", func(s *SharedService) { s.Status = StatusPlanned }, found, "", ""},
		{"no id", func(s *SharedService) { s.ID = "" }, found, EINVALID, "id"},
		{"id with a slash", func(s *SharedService) { s.ID = "svc/1" }, found, EINVALID, "id"},
		{"id with a space", func(s *SharedService) { s.ID = "svc 1" }, found, EINVALID, "id"},
		{"id starting with a dash", func(s *SharedService) { s.ID = "-svc" }, found, EINVALID, "id"},
		{"id too long", func(s *SharedService) { s.ID = strings.Repeat("a", MaxIDLength+1) }, found, EINVALID, "id"},
		{"id at the limit", func(s *SharedService) { s.ID = strings.Repeat("a", MaxIDLength) }, found, "", ""},
		{"blank name", func(s *SharedService) { s.Name = " \t" }, found, EINVALID, "name"},
		{"name too long", func(s *SharedService) { s.Name = strings.Repeat("à", MaxNameLength+1) }, found, EINVALID, "name"},
		{"name at the limit, in characters", func(s *SharedService) { s.Name = strings.Repeat("à", MaxNameLength) }, found, "", ""},
		{"invalid UTF-8", func(s *SharedService) { s.Name = "a\xffb" }, found, EINVALID, "name"},
		{"description too long", func(s *SharedService) { s.Description = strings.Repeat("x", MaxDescriptionLength+1) }, found, EINVALID, "description"},
		{"bad provider code", func(s *SharedService) { s.ProviderCode = "13" }, found, EINVALID, "providerCode"},
		{"no area", func(s *SharedService) { s.AreaCode = "" }, found, EINVALID, "areaCode"},
		{"starts active", func(s *SharedService) { s.Status = StatusActive }, found, EINVALID, "status"},
		{"starts ended", func(s *SharedService) { s.Status = StatusEnded }, found, EINVALID, "status"},
		{"unknown status", func(s *SharedService) { s.Status = "RUNNING" }, found, EINVALID, "status"},
		{"no start date", func(s *SharedService) { s.StartDate = Date{} }, found, EINVALID, "startDate"},
		{"unknown provider", func(*SharedService) {}, ServiceCreateFacts{ProviderParticipation: ProviderParticipation{Sector: "appalti"}}, ENOTFOUND, "providerCode"},
		{"unknown area", func(*SharedService) {}, ServiceCreateFacts{ProviderParticipation: ProviderParticipation{Provider: comoProvides.Provider}}, ENOTFOUND, "areaCode"},
		{"id taken", func(*SharedService) {}, ServiceCreateFacts{ProviderParticipation: comoProvides, IDTaken: true}, ECONFLICT, "id"},
		{"input checked before facts", func(s *SharedService) { s.Name = "" }, ServiceCreateFacts{IDTaken: true}, EINVALID, "name"},
		{"not found before conflict", func(*SharedService) {}, ServiceCreateFacts{ProviderParticipation: ProviderParticipation{Sector: "appalti"}, IDTaken: true}, ENOTFOUND, "providerCode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid
			tt.edit(&in)
			got, changes, err := PlanServiceCreate(in, tt.facts)
			checkErr(t, err, tt.code, tt.field)
			if err != nil {
				if len(changes) != 0 {
					t.Errorf("changes with an error: %+v", changes)
				}
				return
			}
			want := in
			want.Name, want.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
			if in.Status == "" {
				want.Status = StatusPlanned
			}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if len(changes) != 1 || changes[0].Entity != EntityService || changes[0].EntityID != in.ID || changes[0].Action != ActionCreate || changes[0].Summary == "" {
				t.Errorf("changes %+v", changes)
			}
		})
	}
}

// allowed is the life cycle of the issue, written out: planned → pilot →
// active, active ⇄ suspended, any → ended.
var allowed = map[[2]ServiceStatus]bool{
	{StatusPlanned, StatusPilot}:       true,
	{StatusPilot, StatusActive}:        true,
	{StatusActive, StatusSuspended}:    true,
	{StatusSuspended, StatusActive}:    true,
	{StatusPlanned, StatusEnded}:       true,
	{StatusPilot, StatusEnded}:         true,
	{StatusActive, StatusEnded}:        true,
	{StatusSuspended, StatusEnded}:     true,
	{StatusEnded, StatusEnded}:         false, // no transition: staying
	{StatusPlanned, StatusPlanned}:     false,
	{StatusActive, StatusActive}:       false,
	{StatusPilot, StatusPilot}:         false,
	{StatusSuspended, StatusSuspended}: false,
}

func TestStatusTransitions(t *testing.T) {
	statuses := []ServiceStatus{StatusPlanned, StatusPilot, StatusActive, StatusSuspended, StatusEnded}
	for _, from := range statuses {
		for _, to := range statuses {
			t.Run(fmt.Sprintf("%s→%s", from, to), func(t *testing.T) {
				want := allowed[[2]ServiceStatus{from, to}]
				if got := AllowedTransition(from, to); got != want {
					t.Errorf("AllowedTransition = %v, want %v", got, want)
				}
				current := SharedService{ID: "svc", Name: "S", ProviderCode: "013", AreaCode: "sua", Status: from, StartDate: MustDate("2022-01-01")}
				got, _, changes, err := PlanServiceUpdate("svc", ServiceUpdate{Status: &to}, ServiceUpdateFacts{ProviderParticipation: comoProvides, Current: &current, Today: MustDate("2026-01-01")})
				switch {
				case from == to:
					checkErr(t, err, "", "")
					if len(changes) != 0 || got != current {
						t.Errorf("same status: got %+v, changes %+v; want no change", got, changes)
					}
				case want:
					checkErr(t, err, "", "")
					if got.Status != to {
						t.Errorf("status %s, want %s", got.Status, to)
					}
					wantSummary := fmt.Sprintf("status %s → %s", from, to)
					if len(changes) != 1 || changes[0].Summary != wantSummary || changes[0].Action != ActionUpdate || changes[0].EntityID != "svc" {
						t.Errorf("changes %+v, want one update %q", changes, wantSummary)
					}
				default:
					checkErr(t, err, ECONFLICT, "status")
					if !strings.Contains(ErrorMessage(err), fmt.Sprintf("%s → %s is not allowed", from, to)) {
						t.Errorf("message %q does not name the transition", ErrorMessage(err))
					}
				}
			})
		}
	}
}

func TestPlanServiceUpdate(t *testing.T) {
	current := SharedService{ID: "svc", Name: "Formazione", Description: "Corsi", ProviderCode: "013", AreaCode: "staff-training", Status: StatusActive, StartDate: MustDate("2022-01-01")}
	firstCoverage := MustDate("2022-06-01")
	tests := []struct {
		name        string
		id          string
		current     *SharedService
		u           ServiceUpdate
		code, field string
		want        func(s *SharedService) // the expected result, from current
		summary     string                 // "" : no change
	}{
		{"nothing given", "svc", &current, ServiceUpdate{}, "", "", func(*SharedService) {}, ""},
		{"same values", "svc", &current, ServiceUpdate{Name: ptr(" Formazione "), Description: ptr("Corsi"), Status: ptr(StatusActive), StartDate: ptr(current.StartDate)}, "", "", func(*SharedService) {}, ""},
		{"rename", "svc", &current, ServiceUpdate{Name: ptr(" Formazione 2 ")}, "", "",
			func(s *SharedService) { s.Name = "Formazione 2" }, `name "Formazione" → "Formazione 2"`},
		{"several fields", "svc", &current, ServiceUpdate{Description: ptr("Nuovi corsi"), Status: ptr(StatusSuspended), StartDate: ptr(MustDate("2021-01-01"))}, "", "",
			func(s *SharedService) {
				s.Description, s.Status, s.StartDate = "Nuovi corsi", StatusSuspended, MustDate("2021-01-01")
			}, "description changed; status ACTIVE → SUSPENDED; startDate 2022-01-01 → 2021-01-01"},
		{"start on the first coverage", "svc", &current, ServiceUpdate{StartDate: ptr(firstCoverage)}, "", "",
			func(s *SharedService) { s.StartDate = firstCoverage }, "startDate 2022-01-01 → 2022-06-01"},
		{"start after the first coverage", "svc", &current, ServiceUpdate{StartDate: ptr(MustDate("2022-06-02"))}, EINVALID, "startDate", nil, ""},
		{"zero start", "svc", &current, ServiceUpdate{StartDate: &Date{}}, EINVALID, "startDate", nil, ""},
		{"blank name", "svc", &current, ServiceUpdate{Name: ptr("  ")}, EINVALID, "name", nil, ""},
		{"description too long", "svc", &current, ServiceUpdate{Description: ptr(strings.Repeat("x", MaxDescriptionLength+1))}, EINVALID, "description", nil, ""},
		{"empty description", "svc", &current, ServiceUpdate{Description: ptr("")}, "", "",
			func(s *SharedService) { s.Description = "" }, "description changed"},
		{"unknown status", "svc", &current, ServiceUpdate{Status: ptr(ServiceStatus("active"))}, EINVALID, "status", nil, ""},
		{"disallowed status", "svc", &current, ServiceUpdate{Status: ptr(StatusPlanned)}, ECONFLICT, "status", nil, ""},
		{"no id", "", &current, ServiceUpdate{}, EINVALID, "id", nil, ""},
		{"unknown service", "svc-x", nil, ServiceUpdate{Name: ptr("X")}, ENOTFOUND, "id", nil, ""},
		{"input before not found", "svc-x", nil, ServiceUpdate{Name: ptr("")}, EINVALID, "name", nil, ""},
		{"a bad field spoils the update", "svc", &current, ServiceUpdate{Name: ptr("Nuovo"), Status: ptr(StatusPilot)}, ECONFLICT, "status", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			facts := ServiceUpdateFacts{ProviderParticipation: comoProvides, Current: tt.current, Coverages: []Coverage{{ServiceID: "svc", ComuneCode: "013041", Since: firstCoverage, Until: MustDate("2023-01-01")}}}
			got, _, changes, err := PlanServiceUpdate(tt.id, tt.u, facts)
			checkErr(t, err, tt.code, tt.field)
			if err != nil {
				return
			}
			want := current
			tt.want(&want)
			if got != want {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
			switch {
			case tt.summary == "" && len(changes) != 0:
				t.Errorf("changes %+v, want none", changes)
			case tt.summary != "" && (len(changes) != 1 || changes[0].Summary != tt.summary || changes[0].Entity != EntityService):
				t.Errorf("changes %+v, want one with summary %q", changes, tt.summary)
			}
		})
	}
	if current.Name != "Formazione" || current.Status != StatusActive {
		t.Errorf("the plan changed the current service: %+v", current)
	}
}

// TestPlanServiceEnding: ending a service ends every coverage still active
// on its end date or later, audited, so that no reader counts it after.
func TestPlanServiceEnding(t *testing.T) {
	current := SharedService{ID: "svc", Name: "S", ProviderCode: "013", AreaCode: "sua", Status: StatusActive, StartDate: MustDate("2022-01-01")}
	c := func(code, since, until string) Coverage {
		cv := Coverage{ServiceID: "svc", ComuneCode: code, Since: MustDate(since), Phase: PhaseRollout}
		if until != "" {
			cv.Until = MustDate(until)
		}
		return cv
	}
	covs := []Coverage{
		c("013133", "2022-03-01", ""),           // open: ends
		c("013041", "2022-01-01", "2023-01-01"), // over before: stays
		c("013075", "2022-02-01", "2027-01-01"), // closed after the end: shortened
		c("013041", "2023-06-01", ""),           // open again: ends
		c("013130", "2024-01-01", "2024-06-01"), // ends on the end date: stays
	}
	ended, suspended := StatusEnded, StatusSuspended
	tests := []struct {
		name        string
		u           ServiceUpdate
		covs        []Coverage
		code, field string
		ended       []Coverage
	}{
		{"on a date", ServiceUpdate{Status: &ended, EndDate: ptr(MustDate("2024-06-01"))}, covs, "", "",
			[]Coverage{c("013041", "2023-06-01", "2024-06-01"), c("013075", "2022-02-01", "2024-06-01"), c("013133", "2022-03-01", "2024-06-01")}},
		{"today by default", ServiceUpdate{Status: &ended}, covs[:2], "", "",
			[]Coverage{c("013133", "2022-03-01", "2025-03-15")}},
		{"nothing to end", ServiceUpdate{Status: &ended}, covs[1:2], "", "", nil},
		{"a coverage would be left empty", ServiceUpdate{Status: &ended, EndDate: ptr(MustDate("2022-03-01"))}, covs, ECONFLICT, "endDate", nil},
		{"before the start", ServiceUpdate{Status: &ended, EndDate: ptr(MustDate("2021-12-31"))}, nil, EINVALID, "endDate", nil},
		{"without ending", ServiceUpdate{EndDate: ptr(MustDate("2024-06-01"))}, covs, EINVALID, "endDate", nil},
		{"suspending keeps the coverage", ServiceUpdate{Status: &suspended}, covs, "", "", nil},
		{"zero end date", ServiceUpdate{Status: &ended, EndDate: &Date{}}, covs, EINVALID, "endDate", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, gotEnded, changes, err := PlanServiceUpdate("svc", tt.u, ServiceUpdateFacts{ProviderParticipation: comoProvides, Current: &current, Coverages: tt.covs, Today: MustDate("2025-03-15")})
			checkErr(t, err, tt.code, tt.field)
			if err != nil {
				return
			}
			if !reflect.DeepEqual(gotEnded, tt.ended) {
				t.Errorf("ended\n %+v\nwant %+v", gotEnded, tt.ended)
			}
			if len(changes) != 1+len(tt.ended) || changes[0].Entity != EntityService {
				t.Fatalf("changes %+v: want the service's entry and one per ended coverage", changes)
			}
			for i, e := range tt.ended {
				if ch := changes[1+i]; ch.Entity != EntityCoverage || ch.Action != ActionEnd || ch.EntityID != CoverageEntityID("svc", e.ComuneCode) {
					t.Errorf("entry %d: %+v", 1+i, ch)
				}
			}
			if got.Status != *tt.u.Status {
				t.Errorf("status %s", got.Status)
			}
		})
	}
	// Re-ending an ENDED service is no change.
	done := current
	done.Status = StatusEnded
	if _, e, changes, err := PlanServiceUpdate("svc", ServiceUpdate{Status: &ended}, ServiceUpdateFacts{ProviderParticipation: comoProvides, Current: &done, Coverages: covs, Today: MustDate("2025-03-15")}); err != nil || len(e)+len(changes) != 0 {
		t.Errorf("re-ending: %v, %v, %v", e, changes, err)
	}
}

// coverageFacts: service svc-013 of Province 013 from 2022-01-01; Comuni of
// 013 and one of 215; 013041 covered (open), 013075 covered until
// 2023-03-01, 013130 covered from 2024-01-01 to 2024-06-01 only.
func coverageFacts(status ServiceStatus) CoverageFacts {
	svc := SharedService{ID: "svc-013", ProviderCode: "013", AreaCode: "sua", Status: status, StartDate: MustDate("2022-01-01")}
	comuni := map[string]Comune{}
	for _, c := range []Comune{
		{Code: "013041", Name: "Cantù", ProvinceCode: "013"},
		{Code: "013075", Name: "Como", ProvinceCode: "013"},
		{Code: "013130", Name: "Lenno", ProvinceCode: "013"},
		{Code: "013133", Name: "Livo", ProvinceCode: "013"},
		{Code: "013250", Name: "Valsolda", ProvinceCode: "013"},
		{Code: "015146", Name: "Milano", ProvinceCode: "215"},
	} {
		comuni[c.Code] = c
	}
	return CoverageFacts{
		ProviderParticipation: comoProvides,
		Service:               &svc,
		Comuni:                comuni,
		Existing: []Coverage{
			{ServiceID: "svc-013", ComuneCode: "013130", Since: MustDate("2024-01-01"), Until: MustDate("2024-06-01"), Phase: PhasePilot},
			{ServiceID: "svc-013", ComuneCode: "013041", Since: MustDate("2022-01-01"), Phase: PhasePilot},
			{ServiceID: "svc-013", ComuneCode: "013075", Since: MustDate("2022-03-01"), Until: MustDate("2023-03-01"), Phase: PhaseRollout},
		},
	}
}

// withOpen adds to f an open coverage of code since a day.
func withOpen(f CoverageFacts, code, since string) CoverageFacts {
	f.Existing = append(f.Existing, Coverage{ServiceID: f.Service.ID, ComuneCode: code, Since: MustDate(since), Phase: PhaseRollout})
	return f
}

func TestPlanCoverageAddition(t *testing.T) {
	add := func(since string, codes ...string) CoverageAddition {
		var d Date
		if since != "" {
			d = MustDate(since)
		}
		return CoverageAddition{ServiceID: "svc-013", ComuneCodes: codes, Since: d, Phase: PhaseRollout}
	}
	tests := []struct {
		name        string
		a           CoverageAddition
		facts       CoverageFacts
		code, field string
		created     []string // Comune codes, in the expected order
		unchanged   []string
	}{
		{"new Comuni, ordered by code", add("2024-01-01", "013250", "013133"), coverageFacts(StatusActive), "", "", []string{"013133", "013250"}, nil},
		{"on the start date", add("2022-01-01", "013133"), coverageFacts(StatusActive), "", "", []string{"013133"}, nil},
		{"to a planned service", add("2024-01-01", "013133"), coverageFacts(StatusPlanned), "", "", []string{"013133"}, nil},
		{"to a suspended service", add("2024-01-01", "013133"), coverageFacts(StatusSuspended), "", "", []string{"013133"}, nil},
		{"re-add an open coverage", add("2025-01-01", "013041"), coverageFacts(StatusActive), "", "", nil, []string{"013041"}},
		{"re-add an open coverage on its start", add("2022-01-01", "013041"), coverageFacts(StatusActive), "", "", nil, []string{"013041"}},
		{"before an open coverage: its start can't move", add("2023-01-01", "013133", "013250"), withOpen(coverageFacts(StatusActive), "013250", "2023-06-27"), ECONFLICT, "comuneCodes[1]", nil, nil},
		{"on a later open coverage's start", add("2023-06-27", "013250"), withOpen(coverageFacts(StatusActive), "013250", "2023-06-27"), "", "", nil, []string{"013250"}},
		{"covered on since by a closed coverage", add("2022-06-01", "013075"), coverageFacts(StatusActive), "", "", nil, []string{"013075"}},
		{"after a closed coverage ended (until is exclusive)", add("2023-03-01", "013075"), coverageFacts(StatusActive), "", "", []string{"013075"}, nil},
		{"inside a later closed coverage", add("2024-02-01", "013130"), coverageFacts(StatusActive), "", "", nil, []string{"013130"}},
		{"after a later closed coverage", add("2024-06-01", "013130"), coverageFacts(StatusActive), "", "", []string{"013130"}, nil},
		{"before a closed coverage: would overlap", add("2023-06-01", "013133", "013130"), coverageFacts(StatusActive), ECONFLICT, "comuneCodes[1]", nil, nil},
		{"mixed batch", add("2024-01-01", "013250", "013041", "013133", "013075"), coverageFacts(StatusActive), "",
			"", []string{"013075", "013133", "013250"}, []string{"013041"}},
		{"all unchanged", add("2024-01-01", "013041"), coverageFacts(StatusActive), "", "", nil, []string{"013041"}},

		{"no service id", CoverageAddition{ComuneCodes: []string{"013133"}, Since: MustDate("2024-01-01"), Phase: PhasePilot}, coverageFacts(StatusActive), EINVALID, "serviceId", nil, nil},
		{"empty batch", add("2024-01-01"), coverageFacts(StatusActive), EINVALID, "comuneCodes", nil, nil},
		{"batch too large", add("2024-01-01", codes(MaxBatch+1)...), coverageFacts(StatusActive), EINVALID, "comuneCodes", nil, nil},
		{"malformed code", add("2024-01-01", "013133", "13250"), coverageFacts(StatusActive), EINVALID, "comuneCodes[1]", nil, nil},
		{"duplicate code", add("2024-01-01", "013133", "013250", "013133"), coverageFacts(StatusActive), EINVALID, "comuneCodes[2]", nil, nil},
		{"no since", add("", "013133"), coverageFacts(StatusActive), EINVALID, "since", nil, nil},
		{"no phase", CoverageAddition{ServiceID: "svc-013", ComuneCodes: []string{"013133"}, Since: MustDate("2024-01-01")}, coverageFacts(StatusActive), EINVALID, "phase", nil, nil},
		{"unknown phase", CoverageAddition{ServiceID: "svc-013", ComuneCodes: []string{"013133"}, Since: MustDate("2024-01-01"), Phase: "BETA"}, coverageFacts(StatusActive), EINVALID, "phase", nil, nil},
		{"unknown service", add("2024-01-01", "013133"), CoverageFacts{Comuni: coverageFacts(StatusActive).Comuni}, ENOTFOUND, "serviceId", nil, nil},
		{"ended service", add("2024-01-01", "013133"), coverageFacts(StatusEnded), ECONFLICT, "serviceId", nil, nil},
		{"before the service started", add("2021-12-31", "013133"), coverageFacts(StatusActive), EINVALID, "since", nil, nil},
		{"unknown Comune", add("2024-01-01", "013133", "013999"), coverageFacts(StatusActive), ENOTFOUND, "comuneCodes[1]", nil, nil},
		{"Comune of another Province", add("2024-01-01", "013133", "015146"), coverageFacts(StatusActive), EINVALID, "comuneCodes[1]", nil, nil},
		{"first bad Comune in list order", add("2024-01-01", "015146", "013999"), coverageFacts(StatusActive), EINVALID, "comuneCodes[0]", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, changes, err := PlanCoverageAddition(tt.a, tt.facts)
			checkErr(t, err, tt.code, tt.field)
			if err != nil {
				if len(res.Changed)+len(res.Unchanged)+len(changes) != 0 {
					t.Errorf("a failed plan returned %+v, %+v", res, changes)
				}
				return
			}
			var got []string
			for _, c := range res.Changed {
				got = append(got, c.ComuneCode)
				want := Coverage{ServiceID: "svc-013", ComuneCode: c.ComuneCode, Since: tt.a.Since, Phase: tt.a.Phase}
				if c != want {
					t.Errorf("created %+v, want %+v", c, want)
				}
			}
			if !reflect.DeepEqual(got, tt.created) {
				t.Errorf("created %v, want %v", got, tt.created)
			}
			if !reflect.DeepEqual(res.Unchanged, tt.unchanged) {
				t.Errorf("unchanged %v, want %v", res.Unchanged, tt.unchanged)
			}
			if len(changes) != len(tt.created) {
				t.Fatalf("%d changes, want %d", len(changes), len(tt.created))
			}
			for i, ch := range changes {
				want := Change{Entity: EntityCoverage, EntityID: "svc-013/" + tt.created[i], Action: ActionAdd,
					Summary: fmt.Sprintf("added from %s, phase %s", tt.a.Since, tt.a.Phase)}
				if ch != want {
					t.Errorf("change %d: %+v, want %+v", i, ch, want)
				}
			}
		})
	}
}

func TestPlanCoverageEnding(t *testing.T) {
	end := func(until string, codes ...string) CoverageEnding {
		var d Date
		if until != "" {
			d = MustDate(until)
		}
		return CoverageEnding{ServiceID: "svc-013", ComuneCodes: codes, Until: d}
	}
	tests := []struct {
		name        string
		e           CoverageEnding
		facts       CoverageFacts
		code, field string
		ended       []string
		unchanged   []string
	}{
		{"end an open coverage", end("2024-06-01", "013041"), coverageFacts(StatusActive), "", "", []string{"013041"}, nil},
		{"the day after it began", end("2022-01-02", "013041"), coverageFacts(StatusActive), "", "", []string{"013041"}, nil},
		{"of an ended service", end("2024-06-01", "013041"), coverageFacts(StatusEnded), "", "", []string{"013041"}, nil},
		{"retry: already ended on until", end("2023-03-01", "013075"), coverageFacts(StatusActive), "", "", nil, []string{"013075"}},
		{"mixed", end("2024-06-01", "013130", "013041"), coverageFacts(StatusActive), "", "", []string{"013041"}, []string{"013130"}},

		{"no open coverage", end("2024-06-01", "013041", "013133"), coverageFacts(StatusActive), ENOTFOUND, "comuneCodes[1]", nil, nil},
		{"closed on another day", end("2024-06-01", "013075"), coverageFacts(StatusActive), ENOTFOUND, "comuneCodes[0]", nil, nil},
		{"until on since", end("2022-01-01", "013041"), coverageFacts(StatusActive), EINVALID, "until", nil, nil},
		{"until before since", end("2021-06-01", "013041"), coverageFacts(StatusActive), EINVALID, "until", nil, nil},
		{"no until", end("", "013041"), coverageFacts(StatusActive), EINVALID, "until", nil, nil},
		{"empty batch", end("2024-06-01"), coverageFacts(StatusActive), EINVALID, "comuneCodes", nil, nil},
		{"batch too large", end("2024-06-01", codes(MaxBatch+1)...), coverageFacts(StatusActive), EINVALID, "comuneCodes", nil, nil},
		{"duplicate", end("2024-06-01", "013041", "013041"), coverageFacts(StatusActive), EINVALID, "comuneCodes[1]", nil, nil},
		{"malformed", end("2024-06-01", "Como"), coverageFacts(StatusActive), EINVALID, "comuneCodes[0]", nil, nil},
		{"unknown service", end("2024-06-01", "013041"), CoverageFacts{Comuni: coverageFacts(StatusActive).Comuni}, ENOTFOUND, "serviceId", nil, nil},
		{"unknown Comune", end("2024-06-01", "013041", "013999"), coverageFacts(StatusActive), ENOTFOUND, "comuneCodes[1]", nil, nil},
		{"Comune of another Province", end("2024-06-01", "015146"), coverageFacts(StatusActive), ENOTFOUND, "comuneCodes[0]", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, changes, err := PlanCoverageEnding(tt.e, tt.facts)
			checkErr(t, err, tt.code, tt.field)
			if err != nil {
				if len(res.Changed)+len(res.Unchanged)+len(changes) != 0 {
					t.Errorf("a failed plan returned %+v, %+v", res, changes)
				}
				return
			}
			var got []string
			for i, c := range res.Changed {
				got = append(got, c.ComuneCode)
				var open Coverage
				for _, e := range tt.facts.Existing {
					if e.ComuneCode == c.ComuneCode && e.Until.IsZero() {
						open = e
					}
				}
				open.Until = tt.e.Until
				if c != open {
					t.Errorf("ended %+v, want %+v", c, open)
				}
				want := Change{Entity: EntityCoverage, EntityID: "svc-013/" + c.ComuneCode, Action: ActionEnd,
					Summary: fmt.Sprintf("ended on %s (covered since %s)", tt.e.Until, open.Since)}
				if i >= len(changes) || changes[i] != want {
					t.Errorf("changes %+v, want %+v at %d", changes, want, i)
				}
			}
			if !reflect.DeepEqual(got, tt.ended) || !reflect.DeepEqual(res.Unchanged, tt.unchanged) {
				t.Errorf("ended %v unchanged %v, want %v and %v", got, res.Unchanged, tt.ended, tt.unchanged)
			}
			if len(changes) != len(tt.ended) {
				t.Errorf("%d changes, want %d", len(changes), len(tt.ended))
			}
		})
	}
}

func TestPlanTutorAssign(t *testing.T) {
	valid := Tutorship{TutorCode: "013", TutoredCode: "108", SectorCode: "personnel", Since: MustDate("2025-01-01")}
	como := &Province{Code: "013", Name: "Como", Kind: KindProvince, RegionCode: "03"}
	monza := &Province{Code: "108", Name: "Monza e della Brianza", Kind: KindProvince, RegionCode: "03"}
	found := TutorshipFacts{Tutor: como, Tutored: monza, SectorFound: true}
	with := func(tutor, tutored *Province) TutorshipFacts {
		f := found
		f.Tutor, f.Tutored = tutor, tutored
		return f
	}
	milano := &Province{Code: "215", Name: "Milano", Kind: KindMetropolitanCity, RegionCode: "03"}
	trento := &Province{Code: "022", Name: "Trento", Kind: KindAutonomousProvince, RegionCode: "04"}
	trapani := &Province{Code: "081", Name: "Trapani", Kind: KindFreeConsortium, RegionCode: "19"}
	sassari := &Province{Code: "090", Name: "Sassari", Kind: KindProvince, RegionCode: "20"}
	closed := func(since, until string) Tutorship {
		return Tutorship{TutorCode: "013", TutoredCode: "108", SectorCode: "personnel", Since: MustDate(since), Until: MustDate(until), Step: 3}
	}
	withExisting := func(ts ...Tutorship) TutorshipFacts { f := found; f.Existing = ts; return f }
	withParticipation := func(f TutorshipFacts, p ParticipationFacts) TutorshipFacts { f.Participation = &p; return f }
	tests := []struct {
		name        string
		edit        func(t *Tutorship)
		facts       TutorshipFacts
		code, field string
		step        int
	}{
		{"valid, step 1 by default", func(*Tutorship) {}, found, "", "", 1},
		{"at step 2", func(t *Tutorship) { t.Step = 2 }, found, "", "", 2},
		{"after a closed one", func(*Tutorship) {}, withExisting(closed("2022-01-01", "2024-01-01")), "", "", 1},
		{"on the day a closed one ended", func(*Tutorship) {}, withExisting(closed("2022-01-01", "2025-01-01")), "", "", 1},
		{"self", func(t *Tutorship) { t.TutoredCode = "013" }, found, EINVALID, "tutoredCode", 0},
		{"bad tutor code", func(t *Tutorship) { t.TutorCode = "Como" }, found, EINVALID, "tutorCode", 0},
		{"bad tutored code", func(t *Tutorship) { t.TutoredCode = "1080" }, found, EINVALID, "tutoredCode", 0},
		{"no sector", func(t *Tutorship) { t.SectorCode = "" }, found, EINVALID, "sectorCode", 0},
		{"no since", func(t *Tutorship) { t.Since = Date{} }, found, EINVALID, "since", 0},
		{"until given", func(t *Tutorship) { t.Until = MustDate("2026-01-01") }, found, EINVALID, "until", 0},
		{"step 4", func(t *Tutorship) { t.Step = 4 }, found, EINVALID, "step", 0},
		{"negative step", func(t *Tutorship) { t.Step = -1 }, found, EINVALID, "step", 0},
		{"unknown tutor", func(*Tutorship) {}, TutorshipFacts{Tutored: monza, SectorFound: true}, ENOTFOUND, "tutorCode", 0},
		{"unknown tutored", func(*Tutorship) {}, TutorshipFacts{Tutor: como, SectorFound: true}, ENOTFOUND, "tutoredCode", 0},
		{"unknown sector", func(*Tutorship) {}, TutorshipFacts{Tutor: como, Tutored: monza}, ENOTFOUND, "sectorCode", 0},
		// Only the programme's Provinces take part (shared/domain.md).
		{"a metropolitan city tutors", func(*Tutorship) {}, with(milano, monza), EINVALID, "tutorCode", 0},
		{"an autonomous Province is tutored", func(*Tutorship) {}, with(como, trento), EINVALID, "tutoredCode", 0},
		{"a free consortium before 2024", func(t *Tutorship) { t.Since = MustDate("2023-12-31") }, with(como, trapani), EINVALID, "tutoredCode", 0},
		{"a free consortium from 2024", func(t *Tutorship) { t.Since = MustDate("2024-01-01") }, with(como, trapani), "", "", 1},
		{"a Sardinian Province before 2024", func(t *Tutorship) { t.Since = MustDate("2019-05-01") }, with(sassari, monza), EINVALID, "tutorCode", 0},
		// Stored participation records replace the ProgrammeJoined default; an
		// admin's exception lets a non-participating Province tutor.
		{"a metropolitan city with an exception", func(*Tutorship) {}, withParticipation(with(milano, monza), ParticipationFacts{
			Participations: []Participation{{ProvinceCode: "108", SectorCode: "personnel", Since: MustDate("2018-01-01")}},
			Exceptions:     []ParticipationException{{ProvinceCode: milano.Code, SectorCode: "personnel", Reason: "pilot"}}}), "", "", 1},
		{"a participation ended before since", func(*Tutorship) {}, withParticipation(found, ParticipationFacts{
			Participations: []Participation{{ProvinceCode: "013", SectorCode: "personnel", Since: MustDate("2018-01-01"), Until: MustDate("2024-01-01")},
				{ProvinceCode: "108", SectorCode: "personnel", Since: MustDate("2018-01-01")}}}), EINVALID, "tutorCode", 0},
		{"second open tutorship", func(*Tutorship) {},
			withExisting(Tutorship{TutorCode: "013", TutoredCode: "108", SectorCode: "personnel", Since: MustDate("2023-01-01"), Step: 2}), ECONFLICT, "tutoredCode", 0},
		{"the same tutorship again", func(*Tutorship) {},
			withExisting(Tutorship{TutorCode: "013", TutoredCode: "108", SectorCode: "personnel", Since: MustDate("2025-01-01"), Step: 1}), ECONFLICT, "tutoredCode", 0},
		{"overlaps a closed one", func(*Tutorship) {}, withExisting(closed("2022-01-01", "2025-01-02")), ECONFLICT, "since", 0},
		{"before a closed one", func(*Tutorship) {}, withExisting(closed("2026-01-01", "2027-01-01")), ECONFLICT, "since", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid
			tt.edit(&in)
			got, changes, err := PlanTutorAssign(in, tt.facts)
			checkErr(t, err, tt.code, tt.field)
			if err != nil {
				return
			}
			want := in
			want.Step = tt.step
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			wantChange := Change{Entity: EntityTutorship, EntityID: in.Key().EntityID(), Action: ActionAssign,
				Summary: fmt.Sprintf("assigned from %s at step %d", in.Since, tt.step)}
			if len(changes) != 1 || changes[0] != wantChange {
				t.Errorf("changes %+v, want %+v", changes, wantChange)
			}
		})
	}
}

func TestPlanTutorAdvanceAndEnd(t *testing.T) {
	k := TutorshipKey{TutorCode: "013", TutoredCode: "108", SectorCode: "personnel", Since: MustDate("2023-01-01")}
	open := Tutorship{TutorCode: "013", TutoredCode: "108", SectorCode: "personnel", Since: k.Since, Step: 2}
	closed := open
	closed.Until = MustDate("2024-01-01")
	badKey := k
	badKey.Since = Date{}

	advance := []struct {
		name        string
		k           TutorshipKey
		current     *Tutorship
		step        int
		code, field string
		changed     bool
	}{
		{"forward", k, &open, 3, "", "", true},
		{"same step: the schema promises a later one", k, &open, 2, ECONFLICT, "step", false},
		{"backwards", k, &open, 1, ECONFLICT, "step", false},
		{"beyond the last step", k, &open, 4, EINVALID, "step", false},
		{"step 0", k, &open, 0, EINVALID, "step", false},
		{"closed", k, &closed, 3, ECONFLICT, "", false},
		{"unknown", k, nil, 3, ENOTFOUND, "", false},
		{"key without since", badKey, &open, 3, EINVALID, "since", false},
	}
	for _, tt := range advance {
		t.Run("advance/"+tt.name, func(t *testing.T) {
			got, changes, err := PlanTutorAdvance(tt.k, tt.current, tt.step)
			checkErr(t, err, tt.code, tt.field)
			if err != nil {
				return
			}
			want := open
			want.Step = tt.step
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if !tt.changed {
				if len(changes) != 0 {
					t.Errorf("changes %+v, want none", changes)
				}
				return
			}
			wantChange := Change{Entity: EntityTutorship, EntityID: "013/108/personnel/2023-01-01", Action: ActionAdvance, Summary: fmt.Sprintf("step 2 → %d", tt.step)}
			if len(changes) != 1 || changes[0] != wantChange {
				t.Errorf("changes %+v, want %+v", changes, wantChange)
			}
		})
	}

	atStep3 := open
	atStep3.Step = 3
	end := []struct {
		name        string
		current     *Tutorship
		until       Date
		outcome     TutorshipOutcome
		code, field string
		want        TutorshipOutcome // the outcome stored when changed
	}{
		{"end", &open, MustDate("2025-01-01"), "", "", "", OutcomeWithdrawn},
		{"the day after it began", &open, MustDate("2023-01-02"), "", "", "", OutcomeWithdrawn},
		{"withdrawn", &open, MustDate("2025-01-01"), OutcomeWithdrawn, "", "", OutcomeWithdrawn},
		{"completed at step 3", &atStep3, MustDate("2025-01-01"), OutcomeCompleted, "", "", OutcomeCompleted},
		{"step 3 by default completed", &atStep3, MustDate("2025-01-01"), "", "", "", OutcomeCompleted},
		{"withdrawn at step 3", &atStep3, MustDate("2025-01-01"), OutcomeWithdrawn, "", "", OutcomeWithdrawn},
		{"completed before step 3", &open, MustDate("2025-01-01"), OutcomeCompleted, EINVALID, "outcome", ""},
		{"in progress is no ending", &open, MustDate("2025-01-01"), OutcomeInProgress, EINVALID, "outcome", ""},
		{"unknown outcome", &open, MustDate("2025-01-01"), "ABANDONED", EINVALID, "outcome", ""},
		{"on the day it began", &open, MustDate("2023-01-01"), "", EINVALID, "until", ""},
		{"before it began", &open, MustDate("2022-01-01"), "", EINVALID, "until", ""},
		{"no until", &open, Date{}, "", EINVALID, "until", ""},
		{"retry", &closed, closed.Until, "", "", "", ""},
		{"retry with the same outcome", &closed, closed.Until, OutcomeWithdrawn, "", "", ""},
		{"retry with another outcome", &closed, closed.Until, OutcomeCompleted, EINVALID, "outcome", ""},
		{"ended on another day", &closed, MustDate("2025-01-01"), "", ECONFLICT, "until", ""},
		{"unknown", nil, MustDate("2025-01-01"), "", ENOTFOUND, "", ""},
	}
	for _, tt := range end {
		t.Run("end/"+tt.name, func(t *testing.T) {
			got, changes, err := PlanTutorEnd(k, tt.current, tt.until, tt.outcome)
			checkErr(t, err, tt.code, tt.field)
			if err != nil {
				if len(changes) != 0 {
					t.Errorf("changes with an error: %+v", changes)
				}
				return
			}
			want := *tt.current
			want.Until, want.Outcome = tt.until, tt.want
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			changed := tt.want != ""
			if changed != (len(changes) == 1) || len(changes) > 1 {
				t.Fatalf("changes %+v, want changed=%v", changes, changed)
			}
			if changed && (changes[0].Action != ActionEnd || changes[0].EntityID != "013/108/personnel/2023-01-01") {
				t.Errorf("change %+v", changes[0])
			}
		})
	}
}

func TestTutorshipResult(t *testing.T) {
	for _, tt := range []struct {
		t    Tutorship
		want TutorshipOutcome
	}{
		{Tutorship{Step: 3}, OutcomeInProgress},
		{Tutorship{Step: 3, Until: MustDate("2025-01-01")}, OutcomeCompleted},
		{Tutorship{Step: 2, Until: MustDate("2025-01-01")}, OutcomeWithdrawn},
		{Tutorship{Step: 3, Until: MustDate("2025-01-01"), Outcome: OutcomeWithdrawn}, OutcomeWithdrawn},
	} {
		if got := tt.t.Result(); got != tt.want {
			t.Errorf("%+v.Result() = %s, want %s", tt.t, got, tt.want)
		}
	}
}

func TestPlanProjectWork(t *testing.T) {
	valid := ProjectWork{ID: "pw-013-sua", ProvinceCode: "013", AreaCode: "sua", Title: " SUA Como ", Maturity: MaturityDeveloping, Step: 1, Year: 2025, ServiceID: "svc-013-sua"}
	own := &SharedService{ID: "svc-013-sua", ProviderCode: "013", AreaCode: "sua"}
	other := &SharedService{ID: "svc-013-sua", ProviderCode: "108", AreaCode: "sua"}
	otherArea := &SharedService{ID: "svc-013-sua", ProviderCode: "013", AreaCode: "staff-training"}
	stored := valid
	stored.Title = "SUA Como"
	tutorModel := ProjectWork{ID: "pw-108-sua", ProvinceCode: "108", AreaCode: "sua", Title: "SUA Monza", Maturity: MaturityAdvanced, Step: 3, Year: 2024}
	found := ProjectWorkFacts{ProvinceFound: true, AreaFound: true, Service: own}
	with := func(edit func(f *ProjectWorkFacts)) ProjectWorkFacts { f := found; edit(&f); return f }
	tests := []struct {
		name        string
		edit        func(w *ProjectWork)
		facts       ProjectWorkFacts
		code, field string
		action      string // "" : no change
		summary     string
	}{
		{"create", func(*ProjectWork) {}, found, "", "", ActionCreate,
			`created "SUA Como": province 013, area sua, maturity DEVELOPING, step 1, year 2025, service svc-013-sua`},
		{"create without a service", func(w *ProjectWork) { w.ServiceID = "" }, with(func(f *ProjectWorkFacts) { f.Service = nil }), "", "", ActionCreate,
			`created "SUA Como": province 013, area sua, maturity DEVELOPING, step 1, year 2025`},
		{"save unchanged", func(*ProjectWork) {}, with(func(f *ProjectWorkFacts) { f.Current = &stored }), "", "", "", ""},
		{"update", func(w *ProjectWork) { w.Maturity, w.Step, w.ServiceID = MaturityConsolidating, 2, "" },
			with(func(f *ProjectWorkFacts) { f.Current, f.Service = &stored, nil }), "", "", ActionUpdate,
			`maturity DEVELOPING → CONSOLIDATING; step 1 → 2; serviceId "svc-013-sua" → ""`},
		{"bad id", func(w *ProjectWork) { w.ID = "pw 1" }, found, EINVALID, "id", "", ""},
		{"bad province", func(w *ProjectWork) { w.ProvinceCode = "" }, found, EINVALID, "provinceCode", "", ""},
		{"no area", func(w *ProjectWork) { w.AreaCode = "" }, found, EINVALID, "areaCode", "", ""},
		{"blank title", func(w *ProjectWork) { w.Title = "" }, found, EINVALID, "title", "", ""},
		{"unknown maturity", func(w *ProjectWork) { w.Maturity = "MATURE" }, found, EINVALID, "maturity", "", ""},
		{"step 0", func(w *ProjectWork) { w.Step = 0 }, found, EINVALID, "step", "", ""},
		{"step 4", func(w *ProjectWork) { w.Step = 4 }, found, EINVALID, "step", "", ""},
		{"year too early", func(w *ProjectWork) { w.Year = MinProjectWorkYear - 1 }, found, EINVALID, "year", "", ""},
		{"year too late", func(w *ProjectWork) { w.Year = MaxProjectWorkYear + 1 }, found, EINVALID, "year", "", ""},
		{"unknown province", func(*ProjectWork) {}, with(func(f *ProjectWorkFacts) { f.ProvinceFound = false }), ENOTFOUND, "provinceCode", "", ""},
		{"unknown area", func(*ProjectWork) {}, with(func(f *ProjectWorkFacts) { f.AreaFound = false }), ENOTFOUND, "areaCode", "", ""},
		{"unknown service", func(*ProjectWork) {}, with(func(f *ProjectWorkFacts) { f.Service = nil }), ENOTFOUND, "serviceId", "", ""},
		{"another Province's service", func(*ProjectWork) {}, with(func(f *ProjectWorkFacts) { f.Service = other }), EINVALID, "serviceId", "", ""},
		{"a service of another area", func(*ProjectWork) {}, with(func(f *ProjectWorkFacts) { f.Service = otherArea }), EINVALID, "serviceId", "", ""},
		// The adapted model (CheckModelFrom): each refusal names modelFromId.
		{"create adapting the tutor's model", func(w *ProjectWork) { w.ModelFromID = tutorModel.ID },
			with(func(f *ProjectWorkFacts) { f.Model, f.Tutored = &tutorModel, true }), "", "", ActionCreate,
			`created "SUA Como": province 013, area sua, maturity DEVELOPING, step 1, year 2025, service svc-013-sua, adapting pw-108-sua`},
		{"update the adapted model", func(w *ProjectWork) { w.ModelFromID = tutorModel.ID },
			with(func(f *ProjectWorkFacts) { f.Current, f.Model, f.Tutored = &stored, &tutorModel, true }), "", "", ActionUpdate,
			`modelFromId "" → "pw-108-sua"`},
		{"malformed model id", func(w *ProjectWork) { w.ModelFromID = "pw 1" }, found, EINVALID, "modelFromId", "", ""},
		{"its own model", func(w *ProjectWork) { w.ModelFromID = w.ID },
			with(func(f *ProjectWorkFacts) { f.Model, f.Tutored = &stored, true }), EINVALID, "modelFromId", "", ""},
		{"unknown model", func(w *ProjectWork) { w.ModelFromID = "pw-nowhere" }, found, EINVALID, "modelFromId", "", ""},
		{"a model of another area", func(w *ProjectWork) { w.ModelFromID = tutorModel.ID },
			with(func(f *ProjectWorkFacts) {
				m := tutorModel
				m.AreaCode = "staff-training"
				f.Model, f.Tutored = &m, true
			}), EINVALID, "modelFromId", "", ""},
		{"a model of a Province that never tutored it", func(w *ProjectWork) { w.ModelFromID = tutorModel.ID },
			with(func(f *ProjectWorkFacts) { f.Model = &tutorModel }), EINVALID, "modelFromId", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid
			tt.edit(&in)
			got, changes, err := PlanProjectWork(in, tt.facts)
			checkErr(t, err, tt.code, tt.field)
			if err != nil {
				return
			}
			want := in
			want.Title = strings.TrimSpace(in.Title)
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if tt.action == "" {
				if len(changes) != 0 {
					t.Errorf("changes %+v, want none", changes)
				}
				return
			}
			wantChange := Change{Entity: EntityProjectWork, EntityID: in.ID, Action: tt.action, Summary: tt.summary}
			if len(changes) != 1 || changes[0] != wantChange {
				t.Errorf("changes %+v\nwant %+v", changes, wantChange)
			}
		})
	}
}

func TestStampChanges(t *testing.T) {
	at := time.Date(2026, 5, 19, 10, 30, 0, 123456789, time.FixedZone("CEST", 2*3600))
	changes := []Change{{Entity: EntityCoverage}, {Entity: EntityCoverage}}
	ctx := WithActor(context.Background(), Actor{Subject: "maria@provincia.mb.it", Role: RolePlanner})
	last := StampChanges(ctx, changes, 41, at)
	wantAt := time.Date(2026, 5, 19, 8, 30, 0, 123000000, time.UTC)
	if last != 43 {
		t.Errorf("last seq %d, want 43", last)
	}
	for i, c := range changes {
		if c.Seq != int64(42+i) || !c.At.Equal(wantAt) || c.At.Location() != time.UTC || c.Actor != "maria@provincia.mb.it" {
			t.Errorf("change %d: %+v", i, c)
		}
	}
	anonymous := []Change{{}}
	StampChanges(context.Background(), anonymous, 0, at)
	if anonymous[0].Actor != "" || anonymous[0].Seq != 1 {
		t.Errorf("without an actor: %+v", anonymous[0])
	}
}

func TestChangeFilter(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := Change{Seq: 5, At: at, Entity: EntityCoverage, EntityID: "svc/013041", Action: ActionAdd}
	tests := []struct {
		name        string
		f           ChangeFilter
		match       bool
		code, field string
	}{
		{"zero", ChangeFilter{}, true, "", ""},
		{"since equal", ChangeFilter{Since: at}, true, "", ""},
		{"since after", ChangeFilter{Since: at.Add(time.Millisecond)}, false, "", ""},
		{"entity", ChangeFilter{Entity: EntityCoverage}, true, "", ""},
		{"other entity", ChangeFilter{Entity: EntityService}, false, "", ""},
		{"entity id", ChangeFilter{EntityID: "svc/013041"}, true, "", ""},
		{"other entity id", ChangeFilter{EntityID: "svc"}, false, "", ""},
		{"after an earlier seq", ChangeFilter{AfterSeq: 4}, true, "", ""},
		{"after its seq", ChangeFilter{AfterSeq: 5}, false, "", ""},
		{"unknown entity", ChangeFilter{Entity: "comune"}, false, EINVALID, "entity"},
		{"negative after", ChangeFilter{AfterSeq: -1}, false, EINVALID, "afterSeq"},
		{"negative limit", ChangeFilter{Limit: -1}, true, EINVALID, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, ValidateChangeFilter(tt.f), tt.code, tt.field)
			if tt.code == "" && tt.f.Match(c) != tt.match {
				t.Errorf("Match = %v, want %v", !tt.match, tt.match)
			}
		})
	}
}

func TestRoleCan(t *testing.T) {
	tests := []struct {
		r, need Role
		want    bool
	}{
		{RoleAdmin, RolePlanner, true}, {RoleAdmin, RoleReader, true}, {RolePlanner, RolePlanner, true},
		{RolePlanner, RoleAdmin, false}, {RoleReader, RolePlanner, false}, {"", RoleReader, false}, {"root", RoleReader, false},
	}
	for _, tt := range tests {
		if got := tt.r.Can(tt.need); got != tt.want {
			t.Errorf("%q.Can(%q) = %v, want %v", tt.r, tt.need, got, tt.want)
		}
	}
}
