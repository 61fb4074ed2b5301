package server_test

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"pcnet/examples"
	"pcnet/graph"
	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

type region struct {
	Code, Name string
}

type province struct {
	Code, HistoricCode, PlateCode, Name, Kind string
	Region                                    *region
}

type comune struct {
	Code, CadastralCode, Name, NameItalian string
	NameOther                              *string
	Population                             int
	Small, Capital                         bool
	Latitude, Longitude                    *float64
	Province                               *province
	Region                                 *region
}

type pageInfo struct {
	HasNextPage, HasPreviousPage bool
	StartCursor, EndCursor       *string
}

type comuneConnection struct {
	TotalCount int
	PageInfo   pageInfo
	Edges      []struct {
		Cursor string
		Node   comune
	}
}

func (c comuneConnection) codes() []string {
	out := make([]string, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node.Code
	}
	return out
}

const comuneFields = `code cadastralCode name nameItalian nameOther population small capital latitude longitude
	province { code name } region { code name }`

func TestRegionsAndProvinces(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})

	var got struct {
		Regions   []region
		Lombardia *region
		Unknown   *region
	}
	run(t, ts, `{ regions { code name } lombardia: region(code: "03") { code name } unknown: region(code: "99") { code } }`, nil, &got)
	var want []region
	for _, r := range ds.Regions {
		want = append(want, region{r.Code, r.Name})
	}
	if !slices.Equal(got.Regions, want) {
		t.Errorf("regions = %v, want %v", got.Regions, want)
	}
	if got.Lombardia == nil || got.Lombardia.Name != "Lombardia" {
		t.Errorf("region 03 = %+v, want Lombardia", got.Lombardia)
	}
	if got.Unknown != nil {
		t.Errorf("unknown region = %+v, want null", got.Unknown)
	}

	byCode := make(map[string]pcnet.Province)
	for _, p := range ds.Provinces {
		byCode[p.Code] = p
	}
	tests := []struct {
		name   string
		filter string
		keep   func(pcnet.Province) bool
	}{
		{"all", `{}`, func(pcnet.Province) bool { return true }},
		{"by region", `{regionCodes: ["03", "19"]}`, func(p pcnet.Province) bool { return p.RegionCode == "03" || p.RegionCode == "19" }},
		{"by kind", `{kinds: [METROPOLITAN_CITY]}`, func(p pcnet.Province) bool { return p.Kind == pcnet.KindMetropolitanCity }},
		{"by code", `{codes: ["108", "201", "999"]}`, func(p pcnet.Province) bool { return p.Code == "108" || p.Code == "201" }},
		{"region and kind", `{regionCodes: ["19"], kinds: [FREE_CONSORTIUM]}`, func(p pcnet.Province) bool {
			return p.RegionCode == "19" && p.Kind == pcnet.KindFreeConsortium
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct{ Provinces []province }
			run(t, ts, `{ provinces(filter: `+tt.filter+`) { code historicCode plateCode name kind region { code name } } }`, nil, &got)
			var want []string
			for _, p := range ds.Provinces {
				if tt.keep(p) {
					want = append(want, p.Code)
				}
			}
			var codes []string
			for _, p := range got.Provinces {
				codes = append(codes, p.Code)
				d := byCode[p.Code]
				if p.Name != d.Name || p.PlateCode != d.PlateCode || p.HistoricCode != d.HistoricCode || p.Kind != string(d.Kind) || p.Region == nil || p.Region.Code != d.RegionCode {
					t.Errorf("province %s = %+v, want %+v", p.Code, p, d)
				}
			}
			if len(want) == 0 || !slices.Equal(codes, want) {
				t.Errorf("codes = %v, want %v (non-empty)", codes, want)
			}
		})
	}

	var lookups struct {
		ByCode, ByPlate, Unknown, UnknownPlate *province
	}
	run(t, ts, `{ byCode: province(code: "108") { code name } byPlate: provinceByPlate(plate: "mb") { code name }
		unknown: province(code: "999") { code } unknownPlate: provinceByPlate(plate: "QQ") { code } }`, nil, &lookups)
	if lookups.ByCode == nil || lookups.ByCode.Name != byCode["108"].Name {
		t.Errorf("province 108 = %+v", lookups.ByCode)
	}
	if lookups.ByPlate == nil || lookups.ByPlate.Code != "108" {
		t.Errorf("provinceByPlate mb = %+v, want 108", lookups.ByPlate)
	}
	if lookups.Unknown != nil || lookups.UnknownPlate != nil {
		t.Errorf("unknown Province = %+v, %+v, want null", lookups.Unknown, lookups.UnknownPlate)
	}
}

func TestComuneLookup(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	byCode := make(map[string]pcnet.Comune)
	for _, c := range ds.Comuni {
		byCode[c.Code] = c
	}
	for _, code := range []string{"001272", "021008", "108033", "040012", "090064"} {
		t.Run(code, func(t *testing.T) {
			want, ok := byCode[code]
			if !ok {
				t.Skipf("comune %s not in the dataset", code)
			}
			var got struct{ Comune *comune }
			run(t, ts, `query($c: String!) { comune(istat: $c) { `+comuneFields+` } }`, map[string]any{"c": code}, &got)
			c := got.Comune
			if c == nil {
				t.Fatal("comune is null")
			}
			if c.Code != want.Code || c.Name != want.Name || c.NameItalian != want.NameItalian || c.CadastralCode != want.CadastralCode ||
				c.Population != want.Population || c.Capital != want.Capital || c.Small != (want.Population < 5000) {
				t.Errorf("comune = %+v, want %+v", c, want)
			}
			if (c.NameOther == nil) != (want.NameOther == "") || (c.NameOther != nil && *c.NameOther != want.NameOther) {
				t.Errorf("nameOther = %v, want %q (null when empty)", c.NameOther, want.NameOther)
			}
			if (c.Latitude == nil) != (want.Latitude == nil) || (c.Latitude != nil && *c.Latitude != *want.Latitude) {
				t.Errorf("latitude = %v, want %v", c.Latitude, want.Latitude)
			}
			if c.Province == nil || c.Province.Code != want.ProvinceCode || c.Region == nil || c.Region.Code != want.RegionCode {
				t.Errorf("province/region = %+v / %+v, want %s / %s", c.Province, c.Region, want.ProvinceCode, want.RegionCode)
			}
		})
	}
	var unknown struct{ Comune *comune }
	run(t, ts, `{ comune(istat: "999999") { code } }`, nil, &unknown)
	if unknown.Comune != nil {
		t.Errorf("unknown comune = %+v, want null", unknown.Comune)
	}
}

// Paging through every Comune with the largest page visits each exactly
// once, in code order.
func TestPageThroughAllComuni(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	seen := make(map[string]bool)
	var order []string
	var after *string
	pages := 0
	for {
		var got struct{ Comuni comuneConnection }
		run(t, ts, `query($after: String) { comuni(first: 1000, after: $after) {
			totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { code } } } }`,
			map[string]any{"after": after}, &got)
		c := got.Comuni
		pages++
		if c.TotalCount != len(ds.Comuni) {
			t.Fatalf("page %d: totalCount = %d, want %d", pages, c.TotalCount, len(ds.Comuni))
		}
		if c.PageInfo.HasPreviousPage != (pages > 1) {
			t.Errorf("page %d: hasPreviousPage = %v", pages, c.PageInfo.HasPreviousPage)
		}
		if len(c.Edges) > 0 && (c.PageInfo.EndCursor == nil || *c.PageInfo.EndCursor != c.Edges[len(c.Edges)-1].Cursor) {
			t.Errorf("page %d: endCursor %v isn't the last edge's cursor", pages, c.PageInfo.EndCursor)
		}
		for _, e := range c.Edges {
			if seen[e.Node.Code] {
				t.Fatalf("comune %s seen twice", e.Node.Code)
			}
			seen[e.Node.Code] = true
			order = append(order, e.Node.Code)
		}
		if !c.PageInfo.HasNextPage {
			break
		}
		if pages > 20 {
			t.Fatal("too many pages")
		}
		after = c.PageInfo.EndCursor
	}
	if len(seen) != len(ds.Comuni) || len(seen) != 7904 {
		t.Errorf("saw %d distinct Comuni, want %d (7,904 in the ISTAT list)", len(seen), len(ds.Comuni))
	}
	if !slices.IsSorted(order) {
		t.Error("Comuni not in code order across pages")
	}
	if want := (len(ds.Comuni) + 999) / 1000; pages != want {
		t.Errorf("%d pages, want %d", pages, want)
	}
}

// foldForTest removes accents the standard way (decompose, drop combining
// marks), independently of pcnet.FoldName.
func foldForTest(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestSearchIgnoresCaseAndAccents(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	tests := []struct {
		needle   string
		mustFind string
	}{
		{"cantu", "Cantù"},
		{"forli", "Forlì"},
		{"FORLÌ", "Forlì"},
		{"bozen", "Bolzano/Bozen"},
		{"san giovanni", "San Giovanni Rotondo"},
	}
	for _, tt := range tests {
		t.Run(tt.needle, func(t *testing.T) {
			var want []string
			for _, c := range ds.Comuni {
				if strings.Contains(foldForTest(c.Name), foldForTest(tt.needle)) {
					want = append(want, c.Code)
				}
			}
			var got struct{ Comuni comuneConnection }
			run(t, ts, `query($n: String) { comuni(filter: {nameContains: $n}, first: 1000) { totalCount edges { node { code name } } } }`,
				map[string]any{"n": tt.needle}, &got)
			if got.Comuni.TotalCount != len(want) || !slices.Equal(got.Comuni.codes(), want) {
				t.Errorf("found %v (total %d), want %v", got.Comuni.codes(), got.Comuni.TotalCount, want)
			}
			found := false
			for _, e := range got.Comuni.Edges {
				found = found || e.Node.Name == tt.mustFind
			}
			if !found {
				t.Errorf("%q didn't find %s", tt.needle, tt.mustFind)
			}
		})
	}
}

// coveredComuni computes, from the dataset, the Comuni covered on day by a
// service in the sector or area.
func coveredComuni(ds *pcnet.Dataset, sector, area string, day pcnet.Date) map[string]bool {
	areaSector := make(map[string]string)
	for _, s := range ds.Sectors {
		for _, a := range s.Areas {
			areaSector[a.Code] = s.Code
		}
	}
	services := make(map[string]bool)
	for _, s := range ds.Services {
		if (sector != "" && areaSector[s.AreaCode] == sector) || (area != "" && s.AreaCode == area) {
			services[s.ID] = true
		}
	}
	covered := make(map[string]bool)
	for _, c := range ds.Coverages {
		if services[c.ServiceID] && !day.Before(c.Since) && (c.Until.IsZero() || day.Before(c.Until)) {
			covered[c.ComuneCode] = true
		}
	}
	return covered
}

func TestComuniFilters(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	day := pcnet.MustDate("2025-06-30")
	personnel := coveredComuni(ds, "personnel", "", day)
	training := coveredComuni(ds, "", "staff-training", day)
	personnelToday := coveredComuni(ds, "personnel", "", today)
	if len(personnel) == 0 || len(training) == 0 {
		t.Fatal("the shipped network covers nothing in personnel; the coverage filters can't be tested")
	}
	tests := []struct {
		name    string
		filter  string
		orderBy string
		keep    func(pcnet.Comune) bool
		less    func(a, b pcnet.Comune) int // nil: by code
	}{
		{name: "region", filter: `{region: "03"}`, keep: func(c pcnet.Comune) bool { return c.RegionCode == "03" }},
		{name: "regions", filter: `{regionCodes: ["02", "14"]}`, keep: func(c pcnet.Comune) bool { return c.RegionCode == "02" || c.RegionCode == "14" }},
		{name: "province", filter: `{province: "108"}`, keep: func(c pcnet.Comune) bool { return c.ProvinceCode == "108" }},
		{name: "provinces", filter: `{provinceCodes: ["013", "097"]}`, keep: func(c pcnet.Comune) bool { return c.ProvinceCode == "013" || c.ProvinceCode == "097" }},
		{name: "codes", filter: `{codes: ["001272", "108033", "999999"]}`, keep: func(c pcnet.Comune) bool { return c.Code == "001272" || c.Code == "108033" }},
		{name: "population range", filter: `{minPopulation: 10000, maxPopulation: 10500}`, keep: func(c pcnet.Comune) bool { return c.Population >= 10000 && c.Population <= 10500 }},
		{name: "min population", filter: `{minPopulation: 250000}`, keep: func(c pcnet.Comune) bool { return c.Population >= 250000 }},
		{name: "small", filter: `{small: true, region: "02"}`, keep: func(c pcnet.Comune) bool { return c.Population < 5000 && c.RegionCode == "02" }},
		{name: "not small", filter: `{small: false, province: "013"}`, keep: func(c pcnet.Comune) bool { return c.Population >= 5000 && c.ProvinceCode == "013" }},
		{name: "capital", filter: `{capital: true}`, keep: func(c pcnet.Comune) bool { return c.Capital }},
		{name: "not capital", filter: `{capital: false, province: "108"}`, keep: func(c pcnet.Comune) bool { return !c.Capital && c.ProvinceCode == "108" }},
		{name: "covered in sector", filter: `{coverage: {sector: "personnel", covered: true, asOf: "2025-06-30"}}`, keep: func(c pcnet.Comune) bool { return personnel[c.Code] }},
		{name: "not covered in sector", filter: `{coverage: {sector: "personnel", covered: false, asOf: "2025-06-30"}, region: "03"}`, keep: func(c pcnet.Comune) bool { return !personnel[c.Code] && c.RegionCode == "03" }},
		{name: "covered in area", filter: `{coverage: {area: "staff-training", asOf: "2025-06-30"}}`, keep: func(c pcnet.Comune) bool { return training[c.Code] }},
		{name: "covered today by default", filter: `{coverage: {sector: "personnel"}}`, keep: func(c pcnet.Comune) bool { return personnelToday[c.Code] }},
		{name: "small and not covered", filter: `{small: true, coverage: {sector: "personnel", covered: false, asOf: "2025-06-30"}}`, keep: func(c pcnet.Comune) bool {
			return c.Population < 5000 && !personnel[c.Code]
		}},
		{name: "by population desc", filter: `{region: "09"}`, orderBy: "POPULATION_DESC", keep: func(c pcnet.Comune) bool { return c.RegionCode == "09" },
			less: func(a, b pcnet.Comune) int {
				return cmp.Or(cmp.Compare(b.Population, a.Population), cmp.Compare(a.Code, b.Code))
			}},
		{name: "by population asc", filter: `{region: "09"}`, orderBy: "POPULATION_ASC", keep: func(c pcnet.Comune) bool { return c.RegionCode == "09" },
			less: func(a, b pcnet.Comune) int {
				return cmp.Or(cmp.Compare(a.Population, b.Population), cmp.Compare(a.Code, b.Code))
			}},
		{name: "by name", filter: `{region: "02"}`, orderBy: "NAME", keep: func(c pcnet.Comune) bool { return c.RegionCode == "02" },
			less: func(a, b pcnet.Comune) int {
				return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(a.Code, b.Code))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []pcnet.Comune
			for _, c := range ds.Comuni {
				if tt.keep(c) {
					want = append(want, c)
				}
			}
			if len(want) == 0 {
				t.Fatal("the case selects no Comune: it can't tell a filter from no answer")
			}
			if tt.less != nil {
				slices.SortStableFunc(want, tt.less)
			}
			orderBy := cmp.Or(tt.orderBy, "CODE")
			var got struct{ Comuni comuneConnection }
			run(t, ts, `{ comuni(filter: `+tt.filter+`, orderBy: `+orderBy+`, first: 1000) { totalCount edges { node { code } } } }`, nil, &got)
			if got.Comuni.TotalCount != len(want) {
				t.Errorf("totalCount = %d, want %d", got.Comuni.TotalCount, len(want))
			}
			wantCodes := make([]string, 0, min(len(want), 1000))
			for _, c := range want[:min(len(want), 1000)] {
				wantCodes = append(wantCodes, c.Code)
			}
			if !slices.Equal(got.Comuni.codes(), wantCodes) {
				t.Errorf("first page = %v…, want %v…", head(got.Comuni.codes()), head(wantCodes))
			}
		})
	}
}

func head(s []string) []string { return s[:min(len(s), 8)] }

// Region.comuni and Province.comuni are scoped to their parent, and a
// filter naming another parent yields nothing.
func TestNestedComuni(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	count := func(keep func(pcnet.Comune) bool) int {
		n := 0
		for _, c := range ds.Comuni {
			if keep(c) {
				n++
			}
		}
		return n
	}
	var got struct {
		Region struct {
			All, Small, Other, Listed comuneConnection
		}
		Province struct {
			All, Capitals, OtherRegion, OtherProvince comuneConnection
		}
	}
	run(t, ts, `{
		region(code: "03") {
			all: comuni(first: 0) { totalCount }
			small: comuni(filter: {small: true}, first: 0) { totalCount }
			other: comuni(filter: {region: "01"}) { totalCount edges { node { code } } }
			listed: comuni(filter: {regionCodes: ["01", "03"], province: "108"}, first: 0) { totalCount }
		}
		province(code: "108") {
			all: comuni(first: 1000) { totalCount edges { node { code } } }
			capitals: comuni(filter: {capital: true}) { totalCount edges { node { name } } }
			otherRegion: comuni(filter: {region: "01"}) { totalCount }
			otherProvince: comuni(filter: {provinceCodes: ["013"]}) { totalCount }
		}
	}`, nil, &got)
	checks := []struct {
		name string
		got  int
		want int
	}{
		{"region all", got.Region.All.TotalCount, count(func(c pcnet.Comune) bool { return c.RegionCode == "03" })},
		{"region small", got.Region.Small.TotalCount, count(func(c pcnet.Comune) bool { return c.RegionCode == "03" && c.Population < 5000 })},
		{"region other", got.Region.Other.TotalCount, 0},
		{"region listed", got.Region.Listed.TotalCount, count(func(c pcnet.Comune) bool { return c.ProvinceCode == "108" })},
		{"province all", got.Province.All.TotalCount, count(func(c pcnet.Comune) bool { return c.ProvinceCode == "108" })},
		{"province all edges", len(got.Province.All.Edges), count(func(c pcnet.Comune) bool { return c.ProvinceCode == "108" })},
		{"province capitals", got.Province.Capitals.TotalCount, count(func(c pcnet.Comune) bool { return c.ProvinceCode == "108" && c.Capital })},
		{"province other region", got.Province.OtherRegion.TotalCount, 0},
		{"province other province", got.Province.OtherProvince.TotalCount, 0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
		}
	}
	if got.Region.All.TotalCount == 0 || len(got.Region.Other.Edges) != 0 {
		t.Errorf("region scoping: %+v", got.Region)
	}
}

type coverageEdge struct {
	Cursor string
	Since  string
	Until  *string
	Phase  string
	Active bool
	Node   struct{ Code string }
}

func TestServiceCoverage(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	// The service with the most coverages, some closed, exercises paging
	// and the period filters.
	perService := make(map[string][]pcnet.Coverage)
	for _, c := range ds.Coverages {
		perService[c.ServiceID] = append(perService[c.ServiceID], c)
	}
	var id string
	for sid, cs := range perService {
		if len(cs) > len(perService[id]) || (len(cs) == len(perService[id]) && sid < id) {
			id = sid
		}
	}
	all := perService[id]
	slices.SortFunc(all, func(a, b pcnet.Coverage) int {
		return cmp.Or(strings.Compare(a.ComuneCode, b.ComuneCode), a.Since.Compare(b.Since))
	})
	day := pcnet.MustDate("2025-06-30")

	tests := []struct {
		name string
		args string
		keep func(pcnet.Coverage) bool
	}{
		{"all", ``, func(pcnet.Coverage) bool { return true }},
		{"active on", `activeOn: "2025-06-30"`, func(c pcnet.Coverage) bool { return c.Period().ActiveOn(day) }},
		{"pilot", `phase: PILOT`, func(c pcnet.Coverage) bool { return c.Phase == pcnet.PhasePilot }},
		{"rollout active", `phase: ROLLOUT, activeOn: "2025-06-30"`, func(c pcnet.Coverage) bool {
			return c.Phase == pcnet.PhaseRollout && c.Period().ActiveOn(day)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []pcnet.Coverage
			for _, c := range all {
				if tt.keep(c) {
					want = append(want, c)
				}
			}
			// Page through with small pages to exercise the cursors.
			var got []coverageEdge
			var after *string
			for range 100 {
				var resp struct {
					Service struct {
						Coverage struct {
							TotalCount int
							PageInfo   pageInfo
							Edges      []coverageEdge
						}
					}
				}
				args := strings.Trim(tt.args+`, first: 37, after: $after`, ", ")
				run(t, ts, `query($id: ID!, $after: String) { service(id: $id) { coverage(`+args+`) {
					totalCount pageInfo { hasNextPage endCursor } edges { cursor since until phase active(on: "2025-06-30") node { code } } } } }`,
					map[string]any{"id": id, "after": after}, &resp)
				c := resp.Service.Coverage
				if c.TotalCount != len(want) {
					t.Fatalf("totalCount = %d, want %d", c.TotalCount, len(want))
				}
				got = append(got, c.Edges...)
				if !c.PageInfo.HasNextPage {
					break
				}
				after = c.PageInfo.EndCursor
			}
			if len(got) != len(want) {
				t.Fatalf("%d edges, want %d", len(got), len(want))
			}
			for i, e := range got {
				w := want[i]
				until := ""
				if e.Until != nil {
					until = *e.Until
				}
				wantUntil := ""
				if !w.Until.IsZero() {
					wantUntil = w.Until.String()
				}
				if e.Node.Code != w.ComuneCode || e.Since != w.Since.String() || until != wantUntil || e.Phase != string(w.Phase) || e.Active != w.Period().ActiveOn(day) {
					t.Errorf("edge %d = %+v, want %+v", i, e, w)
				}
			}
		})
	}
}

func TestComuneCoverages(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	perComune := make(map[string][]pcnet.Coverage)
	for _, c := range ds.Coverages {
		perComune[c.ComuneCode] = append(perComune[c.ComuneCode], c)
	}
	// A few Comuni with the most coverages, and one with none.
	codes := slices.Collect(func(yield func(string) bool) {
		for code := range perComune {
			if !yield(code) {
				return
			}
		}
	})
	slices.SortFunc(codes, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(perComune[b]), len(perComune[a])), strings.Compare(a, b))
	})
	codes = codes[:min(len(codes), 5)]
	for _, c := range ds.Comuni {
		if len(perComune[c.Code]) == 0 {
			codes = append(codes, c.Code)
			break
		}
	}
	day := pcnet.MustDate("2025-06-30")
	for _, code := range codes {
		var got struct {
			Comune struct {
				All, Active []struct {
					Service struct{ ID string }
					Comune  struct{ Code string }
					Since   string
					Phase   string
				}
			}
		}
		run(t, ts, `query($c: String!) { comune(istat: $c) {
			all: coverages { service { id } comune { code } since phase }
			active: coverages(activeOn: "2025-06-30") { service { id } comune { code } since phase } } }`, map[string]any{"c": code}, &got)
		want := slices.Clone(perComune[code])
		slices.SortFunc(want, func(a, b pcnet.Coverage) int {
			return cmp.Or(strings.Compare(a.ServiceID, b.ServiceID), a.Since.Compare(b.Since))
		})
		var wantAll, wantActive, gotAll, gotActive []string
		for _, c := range want {
			k := c.ServiceID + "@" + c.Since.String()
			wantAll = append(wantAll, k)
			if c.Period().ActiveOn(day) {
				wantActive = append(wantActive, k)
			}
		}
		for _, c := range got.Comune.All {
			gotAll = append(gotAll, c.Service.ID+"@"+c.Since)
			if c.Comune.Code != code {
				t.Errorf("coverage of %s names comune %s", code, c.Comune.Code)
			}
		}
		for _, c := range got.Comune.Active {
			gotActive = append(gotActive, c.Service.ID+"@"+c.Since)
		}
		if !slices.Equal(gotAll, wantAll) || !slices.Equal(gotActive, wantActive) {
			t.Errorf("comune %s: coverages %v active %v, want %v active %v", code, gotAll, gotActive, wantAll, wantActive)
		}
	}
}

func TestNetworkQueries(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	day := pcnet.MustDate("2025-06-30")

	t.Run("tutorships", func(t *testing.T) {
		var got struct {
			All, Personnel []struct {
				Tutor, Tutored struct{ Code string }
				Sector         struct{ Code string }
				Since          string
				Step           int
				Active         bool
			}
		}
		run(t, ts, `{ all: tutorships { tutor { code } tutored { code } sector { code } since step active(on: "2025-06-30") }
			personnel: tutorships(filter: {sectorCodes: ["personnel"], activeOn: "2025-06-30"}) { tutor { code } tutored { code } sector { code } since step active } }`, nil, &got)
		want := slices.Clone(ds.Tutorships)
		slices.SortFunc(want, func(a, b pcnet.Tutorship) int {
			return cmp.Or(strings.Compare(a.SectorCode, b.SectorCode), strings.Compare(a.TutorCode, b.TutorCode),
				strings.Compare(a.TutoredCode, b.TutoredCode), a.Since.Compare(b.Since))
		})
		if len(got.All) != len(want) || len(want) == 0 {
			t.Fatalf("%d tutorships, want %d (non-zero)", len(got.All), len(want))
		}
		nPersonnel := 0
		for i, w := range want {
			g := got.All[i]
			if g.Tutor.Code != w.TutorCode || g.Tutored.Code != w.TutoredCode || g.Sector.Code != w.SectorCode || g.Since != w.Since.String() ||
				g.Step != w.Step || g.Active != w.Period().ActiveOn(day) {
				t.Errorf("tutorship %d = %+v, want %+v", i, g, w)
			}
			if w.SectorCode == "personnel" && w.Period().ActiveOn(day) {
				nPersonnel++
			}
		}
		if len(got.Personnel) != nPersonnel {
			t.Errorf("%d personnel tutorships active on %s, want %d", len(got.Personnel), day, nPersonnel)
		}
		for _, p := range got.Personnel {
			if !p.Active { // active with no argument: on the pinned today, the same day
				t.Errorf("tutorship %+v filtered as active but not active today", p)
			}
		}
	})

	t.Run("province relations", func(t *testing.T) {
		// A Province that both tutors and is tutored, if there is one.
		tutors, tutored := make(map[string]int), make(map[string]int)
		for _, tu := range ds.Tutorships {
			tutors[tu.TutorCode]++
			tutored[tu.TutoredCode]++
		}
		code := ""
		for _, p := range ds.Provinces {
			if tutored[p.Code] > 0 && (code == "" || tutors[p.Code] > 0) {
				code = p.Code
				if tutors[p.Code] > 0 {
					break
				}
			}
		}
		var got struct {
			Province struct {
				Tutors, Tutored []struct{ Tutor, Tutored struct{ Code string } }
				Services        []struct{ ID string }
				ProjectWorks    []struct{ ID string }
			}
		}
		run(t, ts, `query($c: String!) { province(code: $c) { tutors { tutor { code } tutored { code } } tutored { tutor { code } tutored { code } }
			services { id } projectWorks { id } } }`, map[string]any{"c": code}, &got)
		if len(got.Province.Tutors) != tutored[code] || len(got.Province.Tutored) != tutors[code] {
			t.Errorf("province %s: %d tutors, %d tutored; want %d, %d", code, len(got.Province.Tutors), len(got.Province.Tutored), tutored[code], tutors[code])
		}
		for _, tu := range got.Province.Tutors {
			if tu.Tutored.Code != code {
				t.Errorf("tutors of %s lists %+v", code, tu)
			}
		}
		for _, tu := range got.Province.Tutored {
			if tu.Tutor.Code != code {
				t.Errorf("tutored of %s lists %+v", code, tu)
			}
		}
		var wantSvc, wantPW, gotSvc, gotPW []string
		for _, s := range ds.Services {
			if s.ProviderCode == code {
				wantSvc = append(wantSvc, s.ID)
			}
		}
		for _, w := range ds.ProjectWorks {
			if w.ProvinceCode == code {
				wantPW = append(wantPW, w.ID)
			}
		}
		slices.Sort(wantSvc)
		slices.Sort(wantPW)
		for _, s := range got.Province.Services {
			gotSvc = append(gotSvc, s.ID)
		}
		for _, w := range got.Province.ProjectWorks {
			gotPW = append(gotPW, w.ID)
		}
		if !slices.Equal(gotSvc, wantSvc) || !slices.Equal(gotPW, wantPW) {
			t.Errorf("province %s: services %v, project works %v; want %v, %v", code, gotSvc, gotPW, wantSvc, wantPW)
		}
	})

	t.Run("services and project works", func(t *testing.T) {
		areaSector := make(map[string]string)
		for _, s := range ds.Sectors {
			for _, a := range s.Areas {
				areaSector[a.Code] = s.Code
			}
		}
		regionOf := make(map[string]string)
		for _, p := range ds.Provinces {
			regionOf[p.Code] = p.RegionCode
		}
		var wantSvc, wantPW []string
		for _, s := range ds.Services {
			if regionOf[s.ProviderCode] == "03" && areaSector[s.AreaCode] == "personnel" && (s.Status == pcnet.StatusActive || s.Status == pcnet.StatusPilot) {
				wantSvc = append(wantSvc, s.ID)
			}
		}
		for _, w := range ds.ProjectWorks {
			if areaSector[w.AreaCode] == "personnel" && w.Maturity == pcnet.MaturityAdvanced {
				wantPW = append(wantPW, w.ID)
			}
		}
		slices.Sort(wantSvc)
		slices.Sort(wantPW)
		var got struct {
			Services []struct {
				ID       string
				Sector   struct{ Code string }
				Provider struct{ Region struct{ Code string } }
			}
			ProjectWorks []struct {
				ID     string
				Sector struct{ Code string }
			}
		}
		run(t, ts, `{ services(filter: {regionCodes: ["03"], sectorCodes: ["personnel"], statuses: [ACTIVE, PILOT]}) { id sector { code } provider { region { code } } }
			projectWorks(filter: {sectorCodes: ["personnel"], maturities: [ADVANCED]}) { id sector { code } } }`, nil, &got)
		var gotSvc, gotPW []string
		for _, s := range got.Services {
			gotSvc = append(gotSvc, s.ID)
			if s.Sector.Code != "personnel" || s.Provider.Region.Code != "03" {
				t.Errorf("service %+v outside the filter", s)
			}
		}
		for _, w := range got.ProjectWorks {
			gotPW = append(gotPW, w.ID)
		}
		if !slices.Equal(gotSvc, wantSvc) || !slices.Equal(gotPW, wantPW) {
			t.Errorf("services %v, project works %v; want %v, %v", gotSvc, gotPW, wantSvc, wantPW)
		}
	})

	t.Run("sectors and areas", func(t *testing.T) {
		var got struct {
			Sectors []struct {
				Code     string
				Areas    []struct{ Code string }
				Services []struct{ ID string }
			}
			Area *struct {
				Sector   struct{ Code string }
				Services []struct{ ID string }
			}
			Unknown *struct{ Code string }
		}
		run(t, ts, `{ sectors { code areas { code } services { id } } area(code: "staff-training") { sector { code } services { id } } unknown: sector(code: "nope") { code } }`, nil, &got)
		if len(got.Sectors) != len(ds.Sectors) {
			t.Fatalf("%d sectors, want %d", len(got.Sectors), len(ds.Sectors))
		}
		areaSector := make(map[string]string)
		for _, s := range ds.Sectors {
			for _, a := range s.Areas {
				areaSector[a.Code] = s.Code
			}
		}
		for _, s := range got.Sectors {
			var want, have []string
			for _, svc := range ds.Services {
				if areaSector[svc.AreaCode] == s.Code {
					want = append(want, svc.ID)
				}
			}
			slices.Sort(want)
			for _, svc := range s.Services {
				have = append(have, svc.ID)
			}
			if !slices.Equal(have, want) {
				t.Errorf("sector %s services = %v, want %v", s.Code, have, want)
			}
		}
		if got.Area == nil || got.Area.Sector.Code != areaSector["staff-training"] {
			t.Errorf("area staff-training = %+v", got.Area)
		}
		if got.Unknown != nil {
			t.Errorf("unknown sector = %+v, want null", got.Unknown)
		}
	})
}

func TestInvalidInput(t *testing.T) {
	_, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	tests := []struct {
		query string
		field string
	}{
		{`{ comune(istat: "12a") { code } }`, "istat"},
		{`{ comune(istat: "1272") { code } }`, "istat"},
		{`{ region(code: "3") { code } }`, "code"},
		{`{ province(code: "1080") { code } }`, "code"},
		{`{ provinceByPlate(plate: "M1") { code } }`, "plate"},
		{`{ comuni(first: 5000) { totalCount } }`, "first"},
		{`{ comuni(first: 1001) { totalCount } }`, "first"},
		{`{ comuni(first: -1) { totalCount } }`, "first"},
		{`{ comuni(after: "not-a-cursor") { totalCount } }`, "after"},
		{`{ region(code: "03") { comuni(first: 5000) { totalCount } } }`, "first"},
		{`{ province(code: "108") { comuni(after: "!!") { totalCount } } }`, "after"},
		{`{ service(id: "svc-108-staff-training") { coverage(first: 2000) { totalCount } } }`, "first"},
		{`{ comuni(filter: {regionCodes: ["3"]}) { totalCount } }`, "filter.regionCodes"},
		{`{ comuni(filter: {province: "13"}) { totalCount } }`, "filter.province"},
		{`{ comuni(filter: {codes: ["1"]}) { totalCount } }`, "filter.codes"},
		{`{ comuni(filter: {region: "03", regionCodes: ["03"]}) { totalCount } }`, "filter.region"},
		{`{ comuni(filter: {coverage: {sector: "personnel", area: "recruitment"}}) { totalCount } }`, "filter.coverage"},
		{`{ comuni(filter: {coverage: {covered: true}}) { totalCount } }`, "filter.coverage"},
		{`{ comuni(filter: {coverage: {sector: "personnel", asOf: "2025-13-01"}}) { totalCount } }`, "filter.coverage.asOf"},
		{`{ comune(istat: "001272") { coverages(activeOn: "30/06/2025") { since } } }`, "activeOn"},
		{`{ tutorships(filter: {activeOn: "yesterday"}) { step } }`, "filter.activeOn"}, // a date names its whole input path, as the other filter fields do
		{`{ provinces(filter: {regionCodes: ["x"]}) { code } }`, "filter.regionCodes"},
		{`{ services(filter: {providerCodes: ["1"]}) { id } }`, "filter.providerCodes"},
		{`{ tutorships(filter: {tutorCodes: ["1"]}) { step } }`, "filter.tutorCodes"},
		{`{ projectWorks(filter: {provinceCodes: ["1"]}) { id } }`, "filter.provinceCodes"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp := post(t, ts, tt.query, nil)
			if len(resp.Errors) != 1 {
				t.Fatalf("errors = %+v, want one", resp.Errors)
			}
			e := resp.Errors[0]
			if e.Extensions["code"] != pcnet.EINVALID || e.Extensions["field"] != tt.field {
				t.Errorf("extensions = %v, want code %q field %q", e.Extensions, pcnet.EINVALID, tt.field)
			}
			if !strings.Contains(e.Message, tt.field) {
				t.Errorf("message %q doesn't name the field %q", e.Message, tt.field)
			}
		})
	}

	// A variable of the wrong shape is reported by GraphQL validation, as is.
	resp := post(t, ts, `query($n: Int) { comuni(first: $n) { totalCount } }`, map[string]any{"n": "ten"})
	if len(resp.Errors) == 0 || resp.Errors[0].Message == "internal error" {
		t.Errorf("bad variable: errors = %+v, want a validation error", resp.Errors)
	}
}

// Every example operation runs without errors and answers something.
func TestExamplesRun(t *testing.T) {
	_, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	ops := examples.All()
	if len(ops) < 25 {
		t.Errorf("%d examples, want at least 25", len(ops))
	}
	for _, op := range ops {
		t.Run(op.Name, func(t *testing.T) {
			resp := post(t, ts, op.Query, nil)
			if len(resp.Errors) > 0 {
				t.Fatalf("errors: %+v", resp.Errors)
			}
			var data map[string]any
			if err := json.Unmarshal(resp.Data, &data); err != nil {
				t.Fatal(err)
			}
			for field, v := range data {
				if v == nil {
					t.Errorf("%s is null: the example names something missing from the shipped data", field)
				}
			}
		})
	}
}

func TestGETAndGraphiQL(t *testing.T) {
	_, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})

	q := url.Values{"query": {`{ region(code: "03") { name } }`}}
	resp, err := getURL(t, ts.URL+server.GraphQLPath+"?"+q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"name":"Lombardia"`) {
		t.Errorf("GET /graphql: %d %s", resp.StatusCode, body)
	}

	// A bare visit is redirected to the page carrying the dashboard example.
	resp, err = getURL(t, ts.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	dashboard, ok := examples.Get(server.DefaultExample)
	if !ok {
		t.Fatalf("no example %s", server.DefaultExample)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(strings.ToLower(string(body)), "graphiql") {
		t.Errorf("GET /: %d, body without GraphiQL", resp.StatusCode)
	}
	if got := resp.Request.URL.Query().Get("query"); got != dashboard.Query {
		t.Errorf("GraphiQL opened on %q, want the dashboard example", got)
	}
	resp, err = getURL(t, ts.URL+"/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nope: %d, want 404", resp.StatusCode)
	}
}

func TestCORS(t *testing.T) {
	_, store := loadShipped(t)
	preflight := func(t *testing.T, ts string, origin string) http.Header {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodOptions, ts+server.GraphQLPath, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", http.MethodPost)
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header
	}
	t.Run("default allows any origin", func(t *testing.T) {
		ts := newServer(t, store, server.Options{})
		h := preflight(t, ts.URL, "https://dashboard.example")
		if got := h.Get("Access-Control-Allow-Origin"); got != "*" && got != "https://dashboard.example" {
			t.Errorf("Access-Control-Allow-Origin = %q", got)
		}
		if h.Get("Access-Control-Allow-Credentials") != "" {
			t.Error("credentials allowed")
		}
	})
	t.Run("configured origins", func(t *testing.T) {
		ts := newServer(t, store, server.Options{CORSOrigins: []string{"https://dashboard.example"}})
		if got := preflight(t, ts.URL, "https://dashboard.example").Get("Access-Control-Allow-Origin"); got != "https://dashboard.example" {
			t.Errorf("allowed origin: Access-Control-Allow-Origin = %q", got)
		}
		if got := preflight(t, ts.URL, "https://evil.example").Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("other origin: Access-Control-Allow-Origin = %q, want none", got)
		}
	})
}

// failingStore fails or panics on Services, to check what clients see of
// internal errors.
type failingStore struct {
	graph.Backend
	panics bool
}

func (f failingStore) Services(ctx context.Context, _ pcnet.ServiceFilter) ([]pcnet.SharedService, error) {
	if f.panics {
		panic("secret panic detail")
	}
	return nil, fmt.Errorf("dial tcp 10.0.0.7:7687: secret connection detail")
}

func TestInternalErrorsDontLeak(t *testing.T) {
	_, store := loadShipped(t)
	for _, panics := range []bool{false, true} {
		t.Run(fmt.Sprintf("panics=%v", panics), func(t *testing.T) {
			var logs strings.Builder
			ts := newServer(t, failingStore{store, panics}, server.Options{Logger: slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil))})
			resp := post(t, ts, `{ region(code: "03") { name } service(id: "svc-108-staff-training") { id } }`, nil)
			if len(resp.Errors) != 1 {
				t.Fatalf("errors = %+v, want one", resp.Errors)
			}
			e := resp.Errors[0]
			if e.Message != "internal error" || e.Extensions["code"] != pcnet.EINTERNAL {
				t.Errorf("error = %+v, want internal error", e)
			}
			raw, _ := json.Marshal(resp)
			if strings.Contains(string(raw), "secret") {
				t.Errorf("response leaks internals: %s", raw)
			}
			if !strings.Contains(string(resp.Data), "Lombardia") {
				t.Errorf("the rest of the answer is lost: %s", resp.Data)
			}
			if !strings.Contains(logs.String(), "secret") || !strings.Contains(logs.String(), "service") {
				t.Errorf("the log lacks the error or its path: %s", logs.String())
			}
		})
	}
}

// A cursor is bound to the connection, order and filter it was made under:
// reused anywhere else, or forged, it is invalid naming after; reused where
// it was made, the next page starts right after its item.
func TestCursorBoundToOrderAndFilter(t *testing.T) {
	_, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	type conn struct {
		PageInfo struct{ EndCursor string }
		Edges    []struct{ Node struct{ Code string } }
	}
	var first struct{ Comuni, Gaps conn }
	run(t, ts, `{
		comuni(filter: {provinceCodes: ["108"]}, orderBy: CODE, first: 2) { pageInfo { endCursor } edges { node { code } } }
		gaps: coverageGaps(province: "108", sector: "personnel", orderBy: CODE, first: 2) { pageInfo { endCursor } edges { node { code } } } }`, nil, &first)
	if len(first.Comuni.Edges) != 2 || len(first.Gaps.Edges) != 2 {
		t.Fatalf("first pages = %+v", first)
	}
	forged := base64.RawURLEncoding.EncodeToString([]byte("o:2147483646"))

	t.Run("same order and filter", func(t *testing.T) {
		var next struct{ Comuni conn }
		run(t, ts, `query($after: String) { comuni(filter: {provinceCodes: ["108"]}, orderBy: CODE, first: 1, after: $after) { edges { node { code } } } }`,
			map[string]any{"after": first.Comuni.PageInfo.EndCursor}, &next)
		if len(next.Comuni.Edges) != 1 || next.Comuni.Edges[0].Node.Code <= first.Comuni.Edges[1].Node.Code {
			t.Errorf("next page = %+v, want the Comune after %s", next.Comuni.Edges, first.Comuni.Edges[1].Node.Code)
		}
	})
	tests := []struct {
		name, query, after string
	}{
		{"comuni under another order", `comuni(filter: {provinceCodes: ["108"]}, orderBy: NAME, first: 2, after: $after)`, first.Comuni.PageInfo.EndCursor},
		{"comuni under another filter", `comuni(filter: {provinceCodes: ["001"]}, orderBy: CODE, first: 2, after: $after)`, first.Comuni.PageInfo.EndCursor},
		{"comuni of another parent", `province(code: "013") { comuni(orderBy: CODE, first: 2, after: $after)`, first.Comuni.PageInfo.EndCursor},
		{"gaps under another order", `coverageGaps(province: "108", sector: "personnel", orderBy: POPULATION_DESC, first: 2, after: $after)`, first.Gaps.PageInfo.EndCursor},
		{"gaps under another filter", `coverageGaps(province: "108", sector: "procurement", orderBy: CODE, first: 2, after: $after)`, first.Gaps.PageInfo.EndCursor},
		{"comuni cursor in gaps", `coverageGaps(province: "108", sector: "personnel", orderBy: CODE, first: 2, after: $after)`, first.Comuni.PageInfo.EndCursor},
		{"gaps cursor in coverage", `service(id: "svc-108-staff-training") { coverage(first: 2, after: $after)`, first.Gaps.PageInfo.EndCursor},
		{"forged offset", `comuni(filter: {provinceCodes: ["108"]}, orderBy: CODE, first: 2, after: $after)`, forged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := `query($after: String) { ` + tt.query + ` { totalCount } }`
			if strings.Count(q, "{") != strings.Count(q, "}") {
				q += " }"
			}
			resp := post(t, ts, q, map[string]any{"after": tt.after})
			if len(resp.Errors) != 1 {
				t.Fatalf("errors = %+v, want one; data %s", resp.Errors, resp.Data)
			}
			if e := resp.Errors[0]; e.Extensions["code"] != pcnet.EINVALID || e.Extensions["field"] != "after" || !strings.Contains(e.Message, "after") {
				t.Errorf("error = %+v, want invalid naming after", e)
			}
		})
	}
}
