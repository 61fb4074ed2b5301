package pcnet

import "testing"

func TestCheckParticipation(t *testing.T) {
	como := Province{Code: "013", Name: "Como", Kind: KindProvince, RegionCode: "03"}
	sassari := Province{Code: "090", Name: "Sassari", Kind: KindProvince, RegionCode: RegionSardinia}
	milano := Province{Code: "215", Name: "Milano", Kind: KindMetropolitanCity, RegionCode: "03"}
	start := MustDate("2018-01-01")
	seeded := DefaultParticipations([]Province{como, sassari, milano}, []string{"personnel"}, start)
	if len(seeded) != 2 {
		t.Fatalf("seeded %d participations, want 2 (the metropolitan city takes no part): %v", len(seeded), seeded)
	}
	ended := []Participation{{ProvinceCode: "013", SectorCode: "personnel", Since: start, Until: MustDate("2022-01-01")}}
	tests := []struct {
		name   string
		p      Province
		sector string
		day    string
		facts  ParticipationFacts
		code   string
	}{
		{"participant", como, "personnel", "2020-05-01", ParticipationFacts{Participations: seeded}, ""},
		{"other sector", como, "europe", "2020-05-01", ParticipationFacts{Participations: seeded}, EINVALID},
		{"before joining", sassari, "personnel", "2023-12-31", ParticipationFacts{Participations: seeded}, EINVALID},
		{"on the join day", sassari, "personnel", "2024-01-01", ParticipationFacts{Participations: seeded}, ""},
		{"not in the programme", milano, "personnel", "2025-01-01", ParticipationFacts{Participations: seeded}, EINVALID},
		{"after it ended", como, "personnel", "2022-01-01", ParticipationFacts{Participations: ended}, EINVALID},
		{"exception", milano, "personnel", "2025-01-01", ParticipationFacts{Participations: seeded,
			Exceptions: []ParticipationException{{ProvinceCode: "215", SectorCode: "personnel", Reason: "pilot"}}}, ""},
		{"exception of another sector", milano, "personnel", "2025-01-01", ParticipationFacts{
			Exceptions: []ParticipationException{{ProvinceCode: "215", SectorCode: "europe", Reason: "pilot"}}}, EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckParticipation("tutorCode", tt.p, tt.sector, MustDate(tt.day), tt.facts)
			field := ""
			if tt.code != "" {
				field = "tutorCode"
			}
			checkErr(t, err, tt.code, field)
		})
	}
}

func TestPlanParticipationRecord(t *testing.T) {
	valid := Participation{ProvinceCode: "013", SectorCode: "personnel", Since: MustDate("2024-01-01")}
	tests := []struct {
		name             string
		edit             func(p *Participation)
		province, sector bool
		existing         []Participation
		code, field      string
	}{
		{"valid", func(*Participation) {}, true, true, nil, "", ""},
		{"bad province", func(p *Participation) { p.ProvinceCode = "1x" }, true, true, nil, EINVALID, "provinceCode"},
		{"no sector", func(p *Participation) { p.SectorCode = "" }, true, true, nil, EINVALID, "sectorCode"},
		{"no since", func(p *Participation) { p.Since = Date{} }, true, true, nil, EINVALID, "since"},
		{"until before since", func(p *Participation) { p.Until = MustDate("2023-01-01") }, true, true, nil, EINVALID, "until"},
		{"unknown province", func(*Participation) {}, false, true, nil, ENOTFOUND, "provinceCode"},
		{"unknown sector", func(*Participation) {}, true, false, nil, ENOTFOUND, "sectorCode"},
		{"overlap", func(*Participation) {}, true, true, []Participation{{ProvinceCode: "013", SectorCode: "personnel", Since: MustDate("2018-01-01")}}, ECONFLICT, "since"},
		{"after an ended one", func(*Participation) {}, true, true, []Participation{{ProvinceCode: "013", SectorCode: "personnel", Since: MustDate("2018-01-01"), Until: MustDate("2024-01-01")}}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := valid
			tt.edit(&p)
			got, changes, err := PlanParticipationRecord(p, tt.province, tt.sector, tt.existing)
			checkErr(t, err, tt.code, tt.field)
			if err == nil && (got != p || len(changes) != 1 || changes[0].Entity != EntityParticipation || changes[0].Action != ActionCreate) {
				t.Errorf("got %v %v", got, changes)
			}
		})
	}
}

func TestPlanParticipationEndAndException(t *testing.T) {
	closed := Participation{ProvinceCode: "013", SectorCode: "personnel", Since: MustDate("2016-01-01"), Until: MustDate("2017-01-01")}
	open := []Participation{closed, {ProvinceCode: "013", SectorCode: "personnel", Since: MustDate("2018-01-01")}}
	_, _, err := PlanParticipationEnd(nil, MustDate("2025-01-01"))
	checkErr(t, err, ENOTFOUND, "")
	_, _, err = PlanParticipationEnd([]Participation{closed}, MustDate("2025-01-01"))
	checkErr(t, err, ENOTFOUND, "")
	_, _, err = PlanParticipationEnd(open, MustDate("2018-01-01"))
	checkErr(t, err, EINVALID, "until")
	got, changes, err := PlanParticipationEnd(open, MustDate("2025-01-01"))
	checkErr(t, err, "", "")
	if got.Since != MustDate("2018-01-01") || got.Until != MustDate("2025-01-01") || len(changes) != 1 || changes[0].Action != ActionEnd {
		t.Errorf("got %v %v", got, changes)
	}
	_, _, err = PlanParticipationException(ParticipationException{ProvinceCode: "215", SectorCode: "personnel", Reason: "  "}, true, true)
	checkErr(t, err, EINVALID, "reason")
	_, _, err = PlanParticipationException(ParticipationException{ProvinceCode: "215", SectorCode: "personnel", Reason: "pilot"}, false, true)
	checkErr(t, err, ENOTFOUND, "provinceCode")
	e, changes, err := PlanParticipationException(ParticipationException{ProvinceCode: "215", SectorCode: "personnel", Reason: " pilot "}, true, true)
	checkErr(t, err, "", "")
	if e.Reason != "pilot" || len(changes) != 1 || changes[0].Action != ActionException {
		t.Errorf("got %v %v", e, changes)
	}
}
