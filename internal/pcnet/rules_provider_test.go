package pcnet

import "testing"

// TestProviderTakesPart: the provider of a service takes part in its
// area's sector on the start date (create, update) and on a coverage's
// since (add), unless an admin recorded an exception (issue 13).
func TestProviderTakesPart(t *testing.T) {
	como := Province{Code: "013", Name: "Como", Kind: KindProvince, RegionCode: "03"}
	sassari := Province{Code: "090", Name: "Sassari", Kind: KindProvince, RegionCode: RegionSardinia}
	milano := Province{Code: "215", Name: "Milano", Kind: KindMetropolitanCity, RegionCode: "03"}
	records := DefaultParticipations([]Province{como, sassari, milano}, []string{"appalti"}, MustDate("2022-01-10"))
	exception := []ParticipationException{{ProvinceCode: "215", SectorCode: "appalti", Reason: "pilot"}}
	facts := func(p Province, ex []ParticipationException) ProviderParticipation {
		return ProviderParticipation{Provider: &p, Sector: "appalti", Facts: &ParticipationFacts{Participations: records, Exceptions: ex}}
	}
	tests := []struct {
		name        string
		provider    ProviderParticipation
		day         string
		code, field string // of create, update (field "startDate") and add (field "since")
	}{
		{"participant", facts(como, nil), "2023-01-01", "", ""},
		{"before the programme started", facts(como, nil), "2021-12-31", EINVALID, "providerCode"},
		{"island Province before 2024", facts(sassari, nil), "2023-12-31", EINVALID, "providerCode"},
		{"island Province from 2024", facts(sassari, nil), "2024-01-01", "", ""},
		{"metropolitan city", facts(milano, nil), "2024-06-01", EINVALID, "providerCode"},
		{"metropolitan city with an exception", facts(milano, exception), "2024-06-01", "", ""},
		{"no records: the ProgrammeJoined default", ProviderParticipation{Provider: &sassari, Sector: "appalti"}, "2023-06-01", EINVALID, "providerCode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day := MustDate(tt.day)
			p := *tt.provider.Provider
			sv := SharedService{ID: "svc-new", Name: "Nuovo", ProviderCode: p.Code, AreaCode: "sua", StartDate: day}
			_, changes, err := PlanServiceCreate(sv, ServiceCreateFacts{ProviderParticipation: tt.provider})
			checkErr(t, err, tt.code, tt.field)
			if err != nil && len(changes) != 0 {
				t.Errorf("create: changes with an error: %+v", changes)
			}

			current := SharedService{ID: "svc-old", Name: "Vecchio", ProviderCode: p.Code, AreaCode: "sua", Status: StatusPlanned, StartDate: MustDate("2026-01-01")}
			_, _, changes, err = PlanServiceUpdate(current.ID, ServiceUpdate{StartDate: &day}, ServiceUpdateFacts{Current: &current, ProviderParticipation: tt.provider})
			checkErr(t, err, tt.code, renamed(tt.field, "startDate"))
			if err != nil && len(changes) != 0 {
				t.Errorf("update: changes with an error: %+v", changes)
			}

			early := current
			early.StartDate = MustDate("2000-01-01") // imported before the rule: the coverage's since is checked
			cf := CoverageFacts{Service: &early, Comuni: map[string]Comune{"013041": {Code: "013041", Name: "Cantù", ProvinceCode: p.Code}}, ProviderParticipation: tt.provider}
			res, changes, err := PlanCoverageAddition(CoverageAddition{ServiceID: early.ID, ComuneCodes: []string{"013041"}, Since: day, Phase: PhasePilot}, cf)
			checkErr(t, err, tt.code, renamed(tt.field, "since"))
			if err != nil && (len(changes) != 0 || len(res.Changed) != 0) {
				t.Errorf("add: changes with an error: %+v %+v", changes, res)
			}
		})
	}
}

// TestProviderFactsRequired: missing provider facts refuse the write.
func TestProviderFactsRequired(t *testing.T) {
	sv := SharedService{ID: "svc-new", Name: "Nuovo", ProviderCode: "013", AreaCode: "sua", StartDate: MustDate("2024-01-01")}
	if _, _, err := PlanServiceCreate(sv, ServiceCreateFacts{ProviderParticipation: ProviderParticipation{Provider: &Province{Code: "013"}}}); ErrorCode(err) != ENOTFOUND {
		t.Errorf("create without the area's sector: %v, want %s on areaCode", err, ENOTFOUND)
	}
	day := MustDate("2023-01-01")
	// A provider gone from the ISTAT list (retired) provides nothing new.
	if _, _, _, err := PlanServiceUpdate(sv.ID, ServiceUpdate{StartDate: &day}, ServiceUpdateFacts{Current: &sv}); ErrorCode(err) != ENOTFOUND || ErrorField(err) != "startDate" {
		t.Errorf("update without the provider: %v, want %s on startDate", err, ENOTFOUND)
	}
	cf := CoverageFacts{Service: &sv, Comuni: map[string]Comune{"013041": {Code: "013041", ProvinceCode: "013"}}}
	add := CoverageAddition{ServiceID: sv.ID, ComuneCodes: []string{"013041"}, Since: MustDate("2024-02-01"), Phase: PhasePilot}
	if _, _, err := PlanCoverageAddition(add, cf); ErrorCode(err) != ENOTFOUND || ErrorField(err) != "since" {
		t.Errorf("add without the provider: %v, want %s on since", err, ENOTFOUND)
	}
	// A store that forgot the sector gets an internal error, never a write
	// that skipped the rule.
	cf.ProviderParticipation = ProviderParticipation{Provider: &Province{Code: "013", Kind: KindProvince}}
	if _, _, err := PlanCoverageAddition(add, cf); ErrorCode(err) != EINTERNAL {
		t.Errorf("add without the sector: %v, want %s", err, EINTERNAL)
	}
}

// renamed returns to when field is set, "" otherwise.
func renamed(field, to string) string {
	if field == "" {
		return ""
	}
	return to
}
