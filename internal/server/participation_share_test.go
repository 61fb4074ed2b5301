package server_test

import (
	"encoding/json"
	"math"
	"slices"
	"testing"

	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

// participationFigures is what Query.participationShare answers, as JSON.
type participationFigures struct {
	Sector struct{ Code string }
	Region *struct{ Code string }
	AsOf   string
	// Participants' codes, in the order the API gives them.
	Participants []struct{ Code string }
	Provinces    partOfWhole
	Comuni       partOfWhole
	Inhabitants  partOfWhole
	SmallComuni  partOfWhole
}

type partOfWhole struct {
	Part, Whole int
	Share       float64
}

// expectedShare recomputes the participation share from the dataset
// itself, not from a store: the Provinces of the territory, those with a
// participation of the sector active on the day, and their Comuni with
// retired ones left out.
func expectedShare(ds *pcnet.Dataset, sector, region string, day pcnet.Date) participationFigures {
	want := participationFigures{Participants: []struct{ Code string }{}}
	want.Sector.Code, want.AsOf = sector, day.String()
	if region != "" {
		want.Region = &struct{ Code string }{region}
	}
	inTerritory := make(map[string]bool)
	for _, p := range ds.Provinces {
		if region == "" || p.RegionCode == region {
			inTerritory[p.Code] = true
		}
	}
	taking := make(map[string]bool)
	for _, p := range ds.Participations {
		if p.SectorCode == sector && inTerritory[p.ProvinceCode] && p.Period().ActiveOn(day) {
			taking[p.ProvinceCode] = true
		}
	}
	var codes []string
	for c := range taking {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		want.Participants = append(want.Participants, struct{ Code string }{c})
	}
	want.Provinces = partOfWhole{Part: len(taking), Whole: len(inTerritory)}
	for _, c := range ds.Comuni {
		if c.Retired || !inTerritory[c.ProvinceCode] {
			continue
		}
		add := func(f *partOfWhole, n int) {
			f.Whole += n
			if taking[c.ProvinceCode] {
				f.Part += n
			}
		}
		add(&want.Comuni, 1)
		add(&want.Inhabitants, c.Population)
		if c.Small() {
			add(&want.SmallComuni, 1)
		}
	}
	for _, f := range []*partOfWhole{&want.Provinces, &want.Comuni, &want.Inhabitants, &want.SmallComuni} {
		if f.Whole > 0 {
			f.Share = math.Round(float64(f.Part)/float64(f.Whole)*1e4) / 1e4
		}
	}
	return want
}

// TestParticipationShare checks Query.participationShare against the
// shipped data: the whole country and single regions, before and after the
// Provinces of Sicily and Sardinia joined in 2024, asOf defaulting to
// today; an unknown region is null and bad arguments are invalid, naming
// the argument.
func TestParticipationShare(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	const query = `query($s: String!, $r: String, $d: Date) {
		participationShare(sector: $s, region: $r, asOf: $d) {
			sector { code } region { code } asOf participants { code }
			provinces { part whole share } comuni { part whole share }
			inhabitants { part whole share } smallComuni { part whole share }
		}
	}`
	tests := []struct {
		name           string
		sector, region string
		asOf           string // "" leaves it out: today
		wantNull       bool
		wantField      string // the invalid argument, when an error is expected
	}{
		{name: "all of Italy today", sector: "personnel"},
		{name: "all of Italy before 2024", sector: "europe", asOf: "2023-06-01"},
		{name: "Sicilia before joining", sector: "procurement", region: "19", asOf: "2023-12-31"},
		{name: "Sicilia after joining", sector: "procurement", region: "19", asOf: "2024-06-01"},
		{name: "Sardegna today", sector: "innovation", region: "20"},
		{name: "Lombardia", sector: "personnel", region: "03", asOf: "2026-06-01"},
		{name: "before the programme", sector: "personnel", asOf: "2020-01-01"},
		{name: "unknown region", sector: "personnel", region: "99", wantNull: true},
		{name: "unknown sector", sector: "nope", wantField: "sector"},
		{name: "malformed region", sector: "personnel", region: "3", wantField: "region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]any{"s": tt.sector}
			if tt.region != "" {
				vars["r"] = tt.region
			}
			day := today
			if tt.asOf != "" {
				vars["d"], day = tt.asOf, pcnet.MustDate(tt.asOf)
			}
			resp := post(t, ts, query, vars)
			if tt.wantField != "" {
				if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != pcnet.EINVALID || resp.Errors[0].Extensions["field"] != tt.wantField {
					t.Fatalf("errors = %+v, want one invalid naming %q", resp.Errors, tt.wantField)
				}
				return
			}
			if len(resp.Errors) > 0 {
				t.Fatalf("errors: %+v", resp.Errors)
			}
			var data struct{ ParticipationShare *participationFigures }
			if err := json.Unmarshal(resp.Data, &data); err != nil {
				t.Fatal(err)
			}
			if tt.wantNull {
				if data.ParticipationShare != nil {
					t.Fatalf("got %+v, want null", data.ParticipationShare)
				}
				return
			}
			got := data.ParticipationShare
			if got == nil {
				t.Fatal("got null")
			}
			want := expectedShare(ds, tt.sector, tt.region, day)
			if want.Provinces.Whole == 0 {
				t.Fatalf("case %q selects an empty territory: it tests nothing", tt.name)
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			if string(gj) != string(wj) {
				t.Errorf("got  %s\nwant %s", gj, wj)
			}
		})
	}
}
