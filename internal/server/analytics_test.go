package server_test

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

// The tests of this file check the analytics fields end to end over HTTP on
// the memory store with the shipped dataset. Every expected figure is
// computed here from the raw dataset, the slow and obvious way (an
// "oracle"), never taken from the store.

type oracle struct {
	ds         *pcnet.Dataset
	comune     map[string]pcnet.Comune
	province   map[string]pcnet.Province
	region     map[string]pcnet.Region
	sector     map[string]pcnet.Sector
	area       map[string]pcnet.Area
	areaSector map[string]string
}

func newOracle(ds *pcnet.Dataset) *oracle {
	o := &oracle{
		ds:         ds,
		comune:     make(map[string]pcnet.Comune),
		province:   make(map[string]pcnet.Province),
		region:     make(map[string]pcnet.Region),
		sector:     make(map[string]pcnet.Sector),
		area:       make(map[string]pcnet.Area),
		areaSector: make(map[string]string),
	}
	for _, c := range ds.Comuni {
		o.comune[c.Code] = c
	}
	for _, p := range ds.Provinces {
		o.province[p.Code] = p
	}
	for _, r := range ds.Regions {
		o.region[r.Code] = r
	}
	for _, s := range ds.Sectors {
		o.sector[s.Code] = s
		for _, a := range s.Areas {
			o.area[a.Code] = a
			o.areaSector[a.Code] = s.Code
		}
	}
	return o
}

// summary is the JSON form of a ComuneSummary.
type summary struct {
	Comuni, Inhabitants, SmallComuni, SmallInhabitants int
}

func summarize(comuni []pcnet.Comune) summary {
	var s summary
	for _, c := range comuni {
		s.Comuni++
		s.Inhabitants += c.Population
		if c.Population < 5000 {
			s.SmallComuni++
			s.SmallInhabitants += c.Population
		}
	}
	return s
}

const summaryFields = `{ comuni inhabitants smallComuni smallInhabitants }`

func (o *oracle) comuniWhere(keep func(pcnet.Comune) bool) []pcnet.Comune {
	var out []pcnet.Comune
	for _, c := range o.ds.Comuni {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

type group struct{ Kind, Code, Name string }

type reachRow struct {
	Group                                           *group
	Covered, Base                                   summary
	ComuniShare, InhabitantsShare, SmallComuniShare float64
	Services                                        int
}

const reachFields = `{ group { kind code name } covered ` + summaryFields + ` base ` + summaryFields +
	` comuniShare inhabitantsShare smallComuniShare services }`

func share(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return math.Round(float64(part)/float64(whole)*1e4) / 1e4
}

// reach computes the reach of the services keep selects on asOf, grouped
// by groupBy, rows ordered by group code.
func (o *oracle) reach(keep func(pcnet.SharedService) bool, asOf pcnet.Date, groupBy string) []reachRow {
	keyOf := map[string]func(s pcnet.SharedService) string{
		"TOTAL":    func(pcnet.SharedService) string { return "" },
		"REGION":   func(s pcnet.SharedService) string { return o.province[s.ProviderCode].RegionCode },
		"PROVINCE": func(s pcnet.SharedService) string { return s.ProviderCode },
		"SECTOR":   func(s pcnet.SharedService) string { return o.areaSector[s.AreaCode] },
		"AREA":     func(s pcnet.SharedService) string { return s.AreaCode },
	}[groupBy]
	groups := make(map[string][]pcnet.SharedService)
	for _, s := range o.ds.Services {
		if keep(s) {
			groups[keyOf(s)] = append(groups[keyOf(s)], s)
		}
	}
	if groupBy == "TOTAL" && len(groups) == 0 {
		return []reachRow{{}}
	}
	var rows []reachRow
	for _, code := range slices.Sorted(maps.Keys(groups)) {
		services := groups[code]
		ids := make(map[string]bool)
		providers := make(map[string]bool)
		for _, s := range services {
			ids[s.ID] = true
			providers[s.ProviderCode] = true
		}
		covered := make(map[string]bool)
		for _, c := range o.ds.Coverages {
			if ids[c.ServiceID] && !asOf.Before(c.Since) && (c.Until.IsZero() || asOf.Before(c.Until)) {
				covered[c.ComuneCode] = true
			}
		}
		var base []pcnet.Comune
		switch groupBy {
		case "PROVINCE":
			base = o.comuniWhere(func(c pcnet.Comune) bool { return c.ProvinceCode == code })
		case "REGION":
			base = o.comuniWhere(func(c pcnet.Comune) bool { return c.RegionCode == code })
		default:
			base = o.comuniWhere(func(c pcnet.Comune) bool { return providers[c.ProvinceCode] })
		}
		row := reachRow{
			Covered:  summarize(o.comuniWhere(func(c pcnet.Comune) bool { return covered[c.Code] })),
			Base:     summarize(base),
			Services: len(services),
		}
		row.ComuniShare = share(row.Covered.Comuni, row.Base.Comuni)
		row.InhabitantsShare = share(row.Covered.Inhabitants, row.Base.Inhabitants)
		row.SmallComuniShare = share(row.Covered.SmallComuni, row.Base.SmallComuni)
		if groupBy != "TOTAL" {
			row.Group = &group{Kind: groupBy, Code: code, Name: o.groupName(groupBy, code)}
		}
		rows = append(rows, row)
	}
	return rows
}

func (o *oracle) groupName(kind, code string) string {
	switch kind {
	case "REGION":
		return o.region[code].Name
	case "PROVINCE":
		return o.province[code].Name
	case "SECTOR":
		return o.sector[code].Name
	default:
		return o.area[code].Name
	}
}

func checkReachRows(t *testing.T, what string, got, want []reachRow) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: the case has no expected rows: it can't tell an answer from none", what)
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d:\n got %s\nwant %s", what, len(got), len(want), fmtRows(got), fmtRows(want))
		return
	}
	for i := range want {
		g, w := got[i], want[i]
		if fmt.Sprint(g.Group) != fmt.Sprint(w.Group) || g.Covered != w.Covered || g.Base != w.Base || g.Services != w.Services ||
			g.ComuniShare != w.ComuniShare || g.InhabitantsShare != w.InhabitantsShare || g.SmallComuniShare != w.SmallComuniShare {
			t.Errorf("%s: row %d = %s, want %s", what, i, fmtRows([]reachRow{g}), fmtRows([]reachRow{w}))
		}
		for _, s := range []float64{g.ComuniShare, g.InhabitantsShare, g.SmallComuniShare} {
			if s < 0 || s > 1 {
				t.Errorf("%s: row %d has a share %v outside 0..1", what, i, s)
			}
		}
	}
}

func fmtRows(rows []reachRow) string {
	var b strings.Builder
	for _, r := range rows {
		g := "TOTAL"
		if r.Group != nil {
			g = r.Group.Kind + ":" + r.Group.Code + ":" + r.Group.Name
		}
		fmt.Fprintf(&b, "[%s covered %+v base %+v shares %v/%v/%v services %d] ", g, r.Covered, r.Base,
			r.ComuniShare, r.InhabitantsShare, r.SmallComuniShare, r.Services)
	}
	return b.String()
}

func TestReach(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	o := newOracle(ds)
	day := pcnet.MustDate("2024-12-31")
	all := func(pcnet.SharedService) bool { return true }
	tests := []struct {
		name      string
		selection string // GraphQL ServiceSelection, "" for none
		asOf      string // "" for the default, today
		groupBy   string // "" for the default, TOTAL
		keep      func(pcnet.SharedService) bool
	}{
		{"all total", "", "2024-12-31", "TOTAL", all},
		{"all by region", "", "2024-12-31", "REGION", all},
		{"all by province", "", "2024-12-31", "PROVINCE", all},
		{"all by sector", "", "2024-12-31", "SECTOR", all},
		{"all by area", "", "2024-12-31", "AREA", all},
		{"defaults: today, total", "", "", "", all},
		{"running personnel by region", `{sectors: ["personnel"], statuses: [ACTIVE, PILOT]}`, "2024-12-31", "REGION", func(s pcnet.SharedService) bool {
			return o.areaSector[s.AreaCode] == "personnel" && (s.Status == pcnet.StatusActive || s.Status == pcnet.StatusPilot)
		}},
		{"training in Lombardia", `{regions: ["03"], areas: ["staff-training"]}`, "2024-12-31", "", func(s pcnet.SharedService) bool {
			return o.province[s.ProviderCode].RegionCode == "03" && s.AreaCode == "staff-training"
		}},
		{"two provinces by province", `{provinces: ["097", "108"]}`, "2024-12-31", "PROVINCE", func(s pcnet.SharedService) bool {
			return s.ProviderCode == "097" || s.ProviderCode == "108"
		}},
		{"by ids by area", `{ids: ["svc-004-sua", "svc-108-staff-training"]}`, "2024-12-31", "AREA", func(s pcnet.SharedService) bool {
			return s.ID == "svc-004-sua" || s.ID == "svc-108-staff-training"
		}},
		{"nothing selected", `{ids: ["nope"]}`, "2024-12-31", "TOTAL", func(pcnet.SharedService) bool { return false }},
		{"an early day", `{sectors: ["europe", "procurement"]}`, "2022-06-30", "SECTOR", func(s pcnet.SharedService) bool {
			return o.areaSector[s.AreaCode] == "europe" || o.areaSector[s.AreaCode] == "procurement"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var args []string
			if tt.selection != "" {
				args = append(args, "selection: "+tt.selection)
			}
			asOf := today
			if tt.asOf != "" {
				args = append(args, fmt.Sprintf("asOf: %q", tt.asOf))
				asOf = pcnet.MustDate(tt.asOf)
			}
			if tt.groupBy != "" {
				args = append(args, "groupBy: "+tt.groupBy)
			}
			var got struct{ Reach []reachRow }
			q := "{ reach"
			if len(args) > 0 {
				q += "(" + strings.Join(args, ", ") + ")"
			}
			run(t, ts, q+" "+reachFields+" }", nil, &got)
			checkReachRows(t, tt.name, got.Reach, o.reach(tt.keep, asOf, cmp.Or(tt.groupBy, "TOTAL")))
		})
	}

	t.Run("the day matters", func(t *testing.T) {
		early, late := o.reach(all, pcnet.MustDate("2022-06-30"), "TOTAL"), o.reach(all, day, "TOTAL")
		if early[0].Covered == late[0].Covered {
			t.Fatal("the shipped network covers as much in mid-2022 as at the end of 2024: the asOf cases prove little")
		}
	})

	t.Run("sector and service shorthands", func(t *testing.T) {
		var got struct {
			Sectors []struct {
				Code              string
				Total, ByProvince []reachRow
			}
			Services []struct {
				ID    string
				Reach reachRow
			}
		}
		run(t, ts, `{ sectors { code total: reach(asOf: "2024-12-31") `+reachFields+` byProvince: reach(asOf: "2024-12-31", groupBy: PROVINCE) `+reachFields+` }
			services { id reach(asOf: "2024-12-31") `+reachFields+` } }`, nil, &got)
		if len(got.Sectors) != len(ds.Sectors) || len(got.Services) != len(ds.Services) {
			t.Fatalf("%d sectors, %d services; want %d, %d", len(got.Sectors), len(got.Services), len(ds.Sectors), len(ds.Services))
		}
		for _, s := range got.Sectors {
			inSector := func(sv pcnet.SharedService) bool { return o.areaSector[sv.AreaCode] == s.Code }
			checkReachRows(t, "sector "+s.Code, s.Total, o.reach(inSector, day, "TOTAL"))
			checkReachRows(t, "sector "+s.Code+" by province", s.ByProvince, o.reach(inSector, day, "PROVINCE"))
		}
		for _, s := range got.Services {
			checkReachRows(t, "service "+s.ID, []reachRow{s.Reach}, o.reach(func(sv pcnet.SharedService) bool { return sv.ID == s.ID }, day, "TOTAL"))
		}
	})
}

type timelinePoint struct {
	Date                                            string
	Covered, Base                                   summary
	ComuniShare, InhabitantsShare, SmallComuniShare float64
	Services                                        int
}

const timelineFields = `{ date covered ` + summaryFields + ` base ` + summaryFields + ` comuniShare inhabitantsShare smallComuniShare services }`

// timelineDates steps from from by months, keeping the day of from but
// clamping it to the month's end, while the date is not after to.
func timelineDates(from, to time.Time, months int) []string {
	var out []string
	for i := 0; ; i++ {
		first := time.Date(from.Year(), from.Month()+time.Month(i*months), 1, 0, 0, 0, 0, time.UTC)
		lastDay := first.AddDate(0, 1, -1).Day()
		d := time.Date(first.Year(), first.Month(), min(from.Day(), lastDay), 0, 0, 0, 0, time.UTC)
		if d.After(to) {
			return out
		}
		out = append(out, d.Format(time.DateOnly))
	}
}

func TestRolloutTimeline(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	o := newOracle(ds)
	date := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }

	// A growing selection: services none of whose coverages ever end, so
	// their reach can only grow.
	ended := make(map[string]bool)
	for _, c := range ds.Coverages {
		if !c.Until.IsZero() {
			ended[c.ServiceID] = true
		}
	}
	var growing []string
	for _, s := range ds.Services {
		if !ended[s.ID] {
			growing = append(growing, s.ID)
		}
	}
	if len(growing) == 0 {
		t.Fatal("every service has an ended coverage: no growing selection to test")
	}
	inGrowing := func(s pcnet.SharedService) bool { return slices.Contains(growing, s.ID) }
	quoted := make([]string, len(growing))
	for i, id := range growing {
		quoted[i] = fmt.Sprintf("%q", id)
	}
	growingSelection := "{ids: [" + strings.Join(quoted, ", ") + "]}"

	tests := []struct {
		name      string
		selection string
		keep      func(pcnet.SharedService) bool
		from, to  string
		interval  string // "" for the default, MONTH
		months    int
	}{
		{"growing, five years monthly", growingSelection, inGrowing, "2021-01-01", "2025-12-31", "", 1},
		{"personnel by quarter from a month end", `{sectors: ["personnel"]}`, func(s pcnet.SharedService) bool { return o.areaSector[s.AreaCode] == "personnel" },
			"2022-01-31", "2025-06-30", "QUARTER", 3},
		{"everything yearly", ``, func(pcnet.SharedService) bool { return true }, "2021-07-01", "2026-07-01", "YEAR", 12},
		{"one day", `{areas: ["sua"]}`, func(s pcnet.SharedService) bool { return s.AreaCode == "sua" }, "2024-05-05", "2024-05-05", "MONTH", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := fmt.Sprintf("from: %q, to: %q", tt.from, tt.to)
			if tt.selection != "" {
				args += ", selection: " + tt.selection
			}
			if tt.interval != "" {
				args += ", interval: " + tt.interval
			}
			var got struct{ RolloutTimeline []timelinePoint }
			run(t, ts, `{ rolloutTimeline(`+args+`) `+timelineFields+` }`, nil, &got)
			wantDates := timelineDates(date(tt.from), date(tt.to), tt.months)
			var gotDates []string
			for _, p := range got.RolloutTimeline {
				gotDates = append(gotDates, p.Date)
			}
			if !slices.Equal(gotDates, wantDates) {
				t.Fatalf("dates %v, want %v", gotDates, wantDates)
			}
			for i, p := range got.RolloutTimeline {
				w := o.reach(tt.keep, pcnet.MustDate(p.Date), "TOTAL")[0]
				g := reachRow{Covered: p.Covered, Base: p.Base, ComuniShare: p.ComuniShare, InhabitantsShare: p.InhabitantsShare,
					SmallComuniShare: p.SmallComuniShare, Services: p.Services}
				checkReachRows(t, "point "+p.Date, []reachRow{g}, []reachRow{w})
				if i > 0 && tt.name == tests[0].name {
					prev := got.RolloutTimeline[i-1].Covered
					if p.Covered.Comuni < prev.Comuni || p.Covered.Inhabitants < prev.Inhabitants {
						t.Errorf("%s: covered %+v, less than %+v the point before: a growing selection shrank", p.Date, p.Covered, prev)
					}
				}
			}
			if tt.name == tests[0].name {
				first, last := got.RolloutTimeline[0].Covered, got.RolloutTimeline[len(got.RolloutTimeline)-1].Covered
				if first.Comuni >= last.Comuni {
					t.Errorf("the growing selection didn't grow over five years: %+v → %+v", first, last)
				}
			}
		})
	}

	// Each point is the reach of the same selection on its date.
	t.Run("points equal Query.reach", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`{ timeline: rolloutTimeline(selection: {sectors: ["europe"]}, from: "2023-01-15", to: "2024-01-15", interval: QUARTER) ` + timelineFields)
		dates := timelineDates(date("2023-01-15"), date("2024-01-15"), 3)
		for i, d := range dates {
			fmt.Fprintf(&b, " r%d: reach(selection: {sectors: [\"europe\"]}, asOf: %q) %s", i, d, reachFields)
		}
		b.WriteString(" }")
		var got map[string]any
		run(t, ts, b.String(), nil, &got)
		points := got["timeline"].([]any)
		if len(points) != len(dates) {
			t.Fatalf("%d points, want %d", len(points), len(dates))
		}
		for i, p := range points {
			p := p.(map[string]any)
			r := got[fmt.Sprintf("r%d", i)].([]any)[0].(map[string]any)
			for _, k := range []string{"covered", "base", "comuniShare", "inhabitantsShare", "smallComuniShare", "services"} {
				if fmt.Sprint(p[k]) != fmt.Sprint(r[k]) {
					t.Errorf("%s: timeline %s = %v, reach says %v", dates[i], k, p[k], r[k])
				}
			}
		}
	})
}

type gapConnection struct {
	TotalCount           int
	Uncovered, Territory summary
	PageInfo             pageInfo
	Edges                []struct {
		Cursor string
		Node   struct {
			Code       string
			Population int
		}
	}
}

func TestCoverageGaps(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	o := newOracle(ds)
	byPopDesc := func(a, b pcnet.Comune) int {
		return cmp.Or(cmp.Compare(b.Population, a.Population), cmp.Compare(a.Code, b.Code))
	}
	byName := func(a, b pcnet.Comune) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(a.Code, b.Code))
	}
	tests := []struct {
		name      string
		args      string
		territory func(pcnet.Comune) bool
		covered   map[string]bool
		smallOnly bool
		order     func(a, b pcnet.Comune) int
	}{
		{"province, sector", `province: "108", sector: "personnel", asOf: "2024-12-31"`,
			func(c pcnet.Comune) bool { return c.ProvinceCode == "108" }, coveredComuni(ds, "personnel", "", pcnet.MustDate("2024-12-31")), false, byPopDesc},
		{"region, area, small only, by name", `region: "03", area: "staff-training", smallOnly: true, asOf: "2024-12-31", orderBy: NAME`,
			func(c pcnet.Comune) bool { return c.RegionCode == "03" }, coveredComuni(ds, "", "staff-training", pcnet.MustDate("2024-12-31")), true, byName},
		{"region, sector, today", `region: "09", sector: "procurement"`,
			func(c pcnet.Comune) bool { return c.RegionCode == "09" }, coveredComuni(ds, "procurement", "", today), false, byPopDesc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			territory := o.comuniWhere(tt.territory)
			var uncovered []pcnet.Comune
			coveredHere := 0
			for _, c := range territory {
				switch {
				case tt.covered[c.Code]:
					coveredHere++
				case !tt.smallOnly || c.Population < 5000:
					uncovered = append(uncovered, c)
				}
			}
			if coveredHere == 0 || len(uncovered) == 0 {
				t.Fatalf("the case has %d covered and %d uncovered Comuni: it can't tell covered from not", coveredHere, len(uncovered))
			}
			slices.SortFunc(uncovered, tt.order)

			// Page through with small pages to exercise the cursors.
			var codes []string
			var after *string
			var first gapConnection
			for page := 0; ; page++ {
				var got struct{ CoverageGaps gapConnection }
				run(t, ts, `query($after: String) { coverageGaps(`+tt.args+`, first: 97, after: $after) {
					totalCount uncovered `+summaryFields+` territory `+summaryFields+`
					pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { code population } } } }`,
					map[string]any{"after": after}, &got)
				c := got.CoverageGaps
				if page == 0 {
					first = c
				}
				for _, e := range c.Edges {
					codes = append(codes, e.Node.Code)
				}
				if !c.PageInfo.HasNextPage || page > 100 {
					break
				}
				after = c.PageInfo.EndCursor
			}
			var want []string
			for _, c := range uncovered {
				want = append(want, c.Code)
			}
			if !slices.Equal(codes, want) {
				t.Errorf("uncovered Comuni %v… (%d), want %v… (%d)", head(codes), len(codes), head(want), len(want))
			}
			if first.TotalCount != len(uncovered) {
				t.Errorf("totalCount = %d, want %d", first.TotalCount, len(uncovered))
			}
			if w := summarize(uncovered); first.Uncovered != w {
				t.Errorf("uncovered = %+v, want %+v", first.Uncovered, w)
			}
			if w := summarize(territory); first.Territory != w {
				t.Errorf("territory = %+v, want %+v", first.Territory, w)
			}
			if !tt.smallOnly && first.Uncovered.Comuni != len(territory)-coveredHere {
				t.Errorf("uncovered %d Comuni, want the territory's %d minus the %d covered", first.Uncovered.Comuni, len(territory), coveredHere)
			}
		})
	}

	t.Run("totals only", func(t *testing.T) {
		var got struct{ CoverageGaps gapConnection }
		run(t, ts, `{ coverageGaps(province: "108", sector: "personnel", asOf: "2024-12-31", first: 0) { totalCount edges { cursor } territory { comuni } } }`, nil, &got)
		covered := coveredComuni(ds, "personnel", "", pcnet.MustDate("2024-12-31"))
		n := len(o.comuniWhere(func(c pcnet.Comune) bool { return c.ProvinceCode == "108" && !covered[c.Code] }))
		if got.CoverageGaps.TotalCount != n || len(got.CoverageGaps.Edges) != 0 {
			t.Errorf("first: 0 gave totalCount %d and %d edges, want %d and none", got.CoverageGaps.TotalCount, len(got.CoverageGaps.Edges), n)
		}
	})
}

// haversine is the great-circle distance in km on the sphere both stores
// use (pcnet.EarthRadiusKm), written out from the textbook formula.
func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	h := math.Pow(math.Sin(rad(lat2-lat1)/2), 2) + math.Cos(rad(lat1))*math.Cos(rad(lat2))*math.Pow(math.Sin(rad(lon2-lon1)/2), 2)
	return 2 * pcnet.EarthRadiusKm * math.Asin(math.Sqrt(h))
}

func TestNearestProviders(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	o := newOracle(ds)
	capitals := make(map[string][]pcnet.Comune)
	for _, c := range ds.Comuni {
		if c.Capital && c.Latitude != nil && c.Longitude != nil {
			capitals[c.ProvinceCode] = append(capitals[c.ProvinceCode], c)
		}
	}
	type provider struct {
		code string
		km   float64
		ids  []string
	}
	// nearest lists the Provinces running a service (one not ENDED) that
	// keep selects, nearest first from Comune code.
	nearest := func(code string, keep func(pcnet.SharedService) bool, limit int) []provider {
		c := o.comune[code]
		if c.Latitude == nil || c.Longitude == nil {
			return nil
		}
		ids := make(map[string][]string)
		for _, s := range ds.Services {
			if keep(s) && s.Status != pcnet.StatusEnded {
				ids[s.ProviderCode] = append(ids[s.ProviderCode], s.ID)
			}
		}
		var out []provider
		for p, list := range ids {
			if len(capitals[p]) == 0 {
				continue
			}
			km := math.Inf(1)
			for _, cap := range capitals[p] {
				km = min(km, haversine(*c.Latitude, *c.Longitude, *cap.Latitude, *cap.Longitude))
			}
			slices.Sort(list)
			out = append(out, provider{p, km, list})
		}
		slices.SortFunc(out, func(a, b provider) int { return cmp.Or(cmp.Compare(a.km, b.km), cmp.Compare(a.code, b.code)) })
		return out[:min(limit, len(out))]
	}
	var noCoordinates string
	for _, c := range ds.Comuni {
		if c.Latitude == nil {
			noCoordinates = c.Code
			break
		}
	}
	tests := []struct {
		comune, args string
		keep         func(pcnet.SharedService) bool
		limit        int
	}{
		{"001272", `sector: "personnel", limit: 3`, func(s pcnet.SharedService) bool { return o.areaSector[s.AreaCode] == "personnel" }, 3},
		{"001272", `area: "staff-training"`, func(s pcnet.SharedService) bool { return s.AreaCode == "staff-training" }, 5},
		{"092009", `sector: "procurement", limit: 50`, func(s pcnet.SharedService) bool { return o.areaSector[s.AreaCode] == "procurement" }, 50},
		{"108033", `sector: "europe", limit: 1`, func(s pcnet.SharedService) bool { return o.areaSector[s.AreaCode] == "europe" }, 1},
	}
	if noCoordinates != "" {
		tests = append(tests, struct {
			comune, args string
			keep         func(pcnet.SharedService) bool
			limit        int
		}{noCoordinates, `sector: "personnel"`, func(pcnet.SharedService) bool { return false }, 5})
	}
	for _, tt := range tests {
		t.Run(tt.comune+" "+tt.args, func(t *testing.T) {
			if _, ok := o.comune[tt.comune]; !ok {
				t.Fatalf("Comune %s not in the dataset", tt.comune)
			}
			var got struct {
				Comune struct {
					NearestProviders []struct {
						Province   struct{ Code string }
						DistanceKm float64
						Services   []struct{ ID string }
					}
				}
			}
			run(t, ts, `query($c: String!) { comune(istat: $c) { nearestProviders(`+tt.args+`) { province { code } distanceKm services { id } } } }`,
				map[string]any{"c": tt.comune}, &got)
			want := nearest(tt.comune, tt.keep, tt.limit)
			have := got.Comune.NearestProviders
			if len(have) != len(want) {
				t.Fatalf("%d providers, want %d: %+v", len(have), len(want), have)
			}
			for i, w := range want {
				h := have[i]
				var ids []string
				for _, s := range h.Services {
					ids = append(ids, s.ID)
				}
				if h.Province.Code != w.code || math.Abs(h.DistanceKm-w.km) > 0.0015 || !slices.Equal(ids, w.ids) {
					t.Errorf("provider %d = %s at %.3f km with %v, want %s at %.3f km with %v", i, h.Province.Code, h.DistanceKm, ids, w.code, w.km, w.ids)
				}
			}
		})
	}
}

func TestProjectWorkStats(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	o := newOracle(ds)
	type count struct {
		Group    group
		Maturity string
		Step     int
		Count    int
	}
	rank := func(m string) int { return slices.Index(pcnet.Maturities, pcnet.Maturity(m)) }
	expect := func(by string, keep func(pcnet.ProjectWork) bool) []count {
		n := make(map[count]int)
		for _, w := range ds.ProjectWorks {
			if !keep(w) {
				continue
			}
			code := o.areaSector[w.AreaCode]
			if by == "REGION" {
				code = o.province[w.ProvinceCode].RegionCode
			}
			n[count{Group: group{by, code, o.groupName(by, code)}, Maturity: string(w.Maturity), Step: w.Step}]++
		}
		var out []count
		for k, v := range n {
			k.Count = v
			out = append(out, k)
		}
		slices.SortFunc(out, func(a, b count) int {
			return cmp.Or(cmp.Compare(a.Group.Code, b.Group.Code), cmp.Compare(rank(a.Maturity), rank(b.Maturity)), cmp.Compare(a.Step, b.Step))
		})
		return out
	}
	tests := []struct {
		name, args string
		by         string
		keep       func(pcnet.ProjectWork) bool
	}{
		{"by sector", `groupBy: SECTOR`, "SECTOR", func(pcnet.ProjectWork) bool { return true }},
		{"by region", `groupBy: REGION`, "REGION", func(pcnet.ProjectWork) bool { return true }},
		{"mature personnel by region", `groupBy: REGION, filter: {sectorCodes: ["personnel"], maturities: [ADVANCED, CONSOLIDATING]}`, "REGION",
			func(w pcnet.ProjectWork) bool {
				return o.areaSector[w.AreaCode] == "personnel" && (w.Maturity == pcnet.MaturityAdvanced || w.Maturity == pcnet.MaturityConsolidating)
			}},
		{"two provinces by sector", `groupBy: SECTOR, filter: {provinceCodes: ["013", "108"]}`, "SECTOR",
			func(w pcnet.ProjectWork) bool { return w.ProvinceCode == "013" || w.ProvinceCode == "108" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := expect(tt.by, tt.keep)
			if len(want) == 0 {
				t.Fatal("the case counts nothing")
			}
			var got struct{ ProjectWorkStats []count }
			run(t, ts, `{ projectWorkStats(`+tt.args+`) { group { kind code name } maturity step count } }`, nil, &got)
			if !slices.Equal(got.ProjectWorkStats, want) {
				t.Errorf("counts\n %+v\nwant\n %+v", got.ProjectWorkStats, want)
			}
		})
	}
}

// tutorshipsIn returns the tutorships in sector ("" for all), active on day
// (zero for any date), in store order.
func tutorshipsIn(ds *pcnet.Dataset, sector string, day pcnet.Date) []pcnet.Tutorship {
	var out []pcnet.Tutorship
	for _, t := range ds.Tutorships {
		if (sector == "" || t.SectorCode == sector) && (day.IsZero() || t.Period().ActiveOn(day)) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b pcnet.Tutorship) int {
		return cmp.Or(strings.Compare(a.SectorCode, b.SectorCode), strings.Compare(a.TutorCode, b.TutorCode),
			strings.Compare(a.TutoredCode, b.TutoredCode), a.Since.Compare(b.Since))
	})
	return out
}

func TestPeers(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	var b strings.Builder
	b.WriteString("{ provinces { code")
	for _, s := range ds.Sectors {
		fmt.Fprintf(&b, " %s: peers(sector: %q) { province { code } tutor { code } sector { code } }", strings.ReplaceAll(s.Code, "-", "_"), s.Code)
		fmt.Fprintf(&b, " %s_active: peers(sector: %q, activeOn: \"2024-06-30\") { province { code } tutor { code } sector { code } }", strings.ReplaceAll(s.Code, "-", "_"), s.Code)
	}
	b.WriteString(" } }")
	var got struct{ Provinces []map[string]any }
	run(t, ts, b.String(), nil, &got)
	if len(got.Provinces) != len(ds.Provinces) {
		t.Fatalf("%d provinces", len(got.Provinces))
	}
	total := 0
	for _, p := range got.Provinces {
		code := p["code"].(string)
		for _, s := range ds.Sectors {
			for _, day := range []pcnet.Date{{}, pcnet.MustDate("2024-06-30")} {
				key := strings.ReplaceAll(s.Code, "-", "_")
				if !day.IsZero() {
					key += "_active"
				}
				var want []string
				seen := make(map[string]bool)
				for _, mine := range tutorshipsIn(ds, s.Code, day) {
					if mine.TutoredCode != code {
						continue
					}
					for _, theirs := range tutorshipsIn(ds, s.Code, day) {
						k := theirs.TutoredCode + "/" + mine.TutorCode
						if theirs.TutorCode == mine.TutorCode && theirs.TutoredCode != code && !seen[k] {
							seen[k] = true
							want = append(want, k)
						}
					}
				}
				slices.Sort(want)
				var have []string
				for _, e := range p[key].([]any) {
					e := e.(map[string]any)
					have = append(have, e["province"].(map[string]any)["code"].(string)+"/"+e["tutor"].(map[string]any)["code"].(string))
					if sc := e["sector"].(map[string]any)["code"]; sc != s.Code {
						t.Errorf("province %s %s: a peer in sector %v", code, key, sc)
					}
				}
				if !slices.Equal(have, want) {
					t.Errorf("province %s %s: peers %v, want %v", code, key, have, want)
				}
				total += len(want)
			}
		}
	}
	if total == 0 {
		t.Error("no Province has peers in the shipped network: the test proves nothing")
	}
}

type tutorLink struct {
	Depth         int
	Province, Via struct{ Code string }
}

// walk computes TutorLinks by brute force: level by level over every
// tutorship, each Province reached at its smallest depth through the
// smallest-coded Province of the level before.
func walk(ds *pcnet.Dataset, root string, down bool, sector string, maxDepth int) []string {
	reached := map[string]bool{root: true}
	frontier := map[string]bool{root: true}
	var out []string
	for depth := 1; depth <= maxDepth && len(frontier) > 0; depth++ {
		via := make(map[string]string)
		for _, t := range tutorshipsIn(ds, sector, pcnet.Date{}) {
			from, to := t.TutorCode, t.TutoredCode
			if !down {
				from, to = to, from
			}
			if frontier[from] && !reached[to] && (via[to] == "" || from < via[to]) {
				via[to] = from
			}
		}
		frontier = make(map[string]bool)
		for _, code := range slices.Sorted(maps.Keys(via)) {
			frontier[code], reached[code] = true, true
			out = append(out, fmt.Sprintf("%d:%s<%s", depth, code, via[code]))
		}
	}
	return out
}

func TestTutorLinks(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	const fields = `{ depth province { code } via { code } }`
	var got struct {
		Provinces []struct {
			Code                                                 string
			Down, DefaultDown, PersonnelDown, Up, DefaultUp, One []tutorLink
		}
	}
	run(t, ts, `{ provinces { code
		down: tutoredTransitive(maxDepth: 10) `+fields+`
		defaultDown: tutoredTransitive `+fields+`
		personnelDown: tutoredTransitive(sector: "personnel", maxDepth: 2) `+fields+`
		up: tutorChain(maxDepth: 4) `+fields+`
		defaultUp: tutorChain `+fields+`
		one: tutorChain(sector: "procurement", maxDepth: 1) `+fields+` } }`, nil, &got)
	deep := 0
	for _, p := range got.Provinces {
		cases := []struct {
			name   string
			got    []tutorLink
			down   bool
			sector string
			depth  int
		}{
			{"down", p.Down, true, "", 10},
			{"default down", p.DefaultDown, true, "", 3},
			{"personnel down", p.PersonnelDown, true, "personnel", 2},
			{"up", p.Up, false, "", 4},
			{"default up", p.DefaultUp, false, "", 10},
			{"procurement up one", p.One, false, "procurement", 1},
		}
		for _, c := range cases {
			want := walk(ds, p.Code, c.down, c.sector, c.depth)
			var have []string
			for _, l := range c.got {
				have = append(have, fmt.Sprintf("%d:%s<%s", l.Depth, l.Province.Code, l.Via.Code))
				if l.Depth > 1 {
					deep++
				}
			}
			if !slices.Equal(have, want) {
				t.Errorf("province %s %s: %v, want %v", p.Code, c.name, have, want)
			}
		}
	}
	if deep == 0 {
		t.Error("no walk goes deeper than one step in the shipped network: the test proves little")
	}
}

// shortestPaths lists every shortest path from one Province to another
// through tutorships in either direction, by exhaustive search.
func shortestPaths(ds *pcnet.Dataset, from, to, sector string) [][]string {
	adj := make(map[string][]string)
	for _, t := range tutorshipsIn(ds, sector, pcnet.Date{}) {
		adj[t.TutorCode] = append(adj[t.TutorCode], t.TutoredCode)
		adj[t.TutoredCode] = append(adj[t.TutoredCode], t.TutorCode)
	}
	dist := map[string]int{from: 0}
	for queue := []string{from}; len(queue) > 0; queue = queue[1:] {
		for _, n := range adj[queue[0]] {
			if _, ok := dist[n]; !ok {
				dist[n] = dist[queue[0]] + 1
				queue = append(queue, n)
			}
		}
	}
	if _, ok := dist[to]; !ok {
		return nil
	}
	var paths [][]string
	var extend func(path []string)
	extend = func(path []string) {
		last := path[len(path)-1]
		if last == to {
			paths = append(paths, slices.Clone(path))
			return
		}
		for _, n := range adj[last] {
			if dist[n] == dist[last]+1 && dist[n] <= dist[to] {
				extend(append(path, n))
			}
		}
	}
	extend([]string{from})
	return paths
}

func TestTutorPath(t *testing.T) {
	ds, store := loadShipped(t)
	// One request asks for a hundred paths, aliased: past the default
	// limits on fields and aliases.
	ts := newServer(t, store, server.Options{Limits: server.Limits{MaxFields: -1, MaxAliases: -1}})
	inNetwork := make(map[string]bool)
	for _, tu := range ds.Tutorships {
		inNetwork[tu.TutorCode], inNetwork[tu.TutoredCode] = true, true
	}
	members := slices.Sorted(maps.Keys(inNetwork))
	var outsider string
	for _, p := range ds.Provinces {
		if !inNetwork[p.Code] {
			outsider = p.Code
			break
		}
	}
	type pair struct{ from, to, sector string }
	var pairs []pair
	for i := 0; i < len(members); i += 6 {
		for j := 3; j < len(members); j += 7 {
			pairs = append(pairs, pair{members[i], members[j], ""})
		}
	}
	pairs = append(pairs, pair{"108", "025", "personnel"}, pair{"108", "004", ""}, pair{"108", "108", ""}, pair{"108", "004", "personnel"})
	if outsider != "" {
		pairs = append(pairs, pair{"108", outsider, ""})
	}

	var b strings.Builder
	b.WriteString("{")
	for i, p := range pairs {
		sector := ""
		if p.sector != "" {
			sector = fmt.Sprintf(", sector: %q", p.sector)
		}
		fmt.Fprintf(&b, " p%d: tutorPath(from: %q, to: %q%s) { length provinces { code } links { from { code } to { code } tutorships { tutor { code } tutored { code } sector { code } since } } }",
			i, p.from, p.to, sector)
	}
	b.WriteString(" }")
	type path struct {
		Length    int
		Provinces []struct{ Code string }
		Links     []struct {
			From, To   struct{ Code string }
			Tutorships []struct {
				Tutor, Tutored, Sector struct{ Code string }
				Since                  string
			}
		}
	}
	var got map[string]*path
	run(t, ts, b.String(), nil, &got)
	found, long := 0, 0
	for i, p := range pairs {
		name := fmt.Sprintf("%s→%s in %q", p.from, p.to, p.sector)
		g := got[fmt.Sprintf("p%d", i)]
		all := shortestPaths(ds, p.from, p.to, p.sector)
		if len(all) == 0 {
			if g != nil {
				t.Errorf("%s: path %+v, want null", name, g)
			}
			continue
		}
		found++
		want := slices.MinFunc(all, slices.Compare[[]string])
		if g == nil {
			t.Errorf("%s: null, want %v", name, want)
			continue
		}
		var codes []string
		for _, pr := range g.Provinces {
			codes = append(codes, pr.Code)
		}
		if !slices.Equal(codes, want) || g.Length != len(want)-1 || len(g.Links) != len(want)-1 {
			t.Errorf("%s: path %v (length %d, %d links), want %v", name, codes, g.Length, len(g.Links), want)
			continue
		}
		if g.Length > 1 {
			long++
		}
		for k, l := range g.Links {
			a, z := want[k], want[k+1]
			if l.From.Code != a || l.To.Code != z {
				t.Errorf("%s: link %d joins %s and %s, want %s and %s", name, k, l.From.Code, l.To.Code, a, z)
			}
			var wantT, haveT []string
			for _, tu := range tutorshipsIn(ds, p.sector, pcnet.Date{}) {
				if (tu.TutorCode == a && tu.TutoredCode == z) || (tu.TutorCode == z && tu.TutoredCode == a) {
					wantT = append(wantT, tu.TutorCode+">"+tu.TutoredCode+"@"+tu.SectorCode+"@"+tu.Since.String())
				}
			}
			for _, tu := range l.Tutorships {
				haveT = append(haveT, tu.Tutor.Code+">"+tu.Tutored.Code+"@"+tu.Sector.Code+"@"+tu.Since)
			}
			if !slices.Equal(haveT, wantT) {
				t.Errorf("%s: link %d tutorships %v, want %v", name, k, haveT, wantT)
			}
		}
	}
	if found < 5 || long == 0 {
		t.Errorf("only %d of %d pairs connected, %d by more than one step: the test proves little", found, len(pairs), long)
	}
}

func TestTutorNetwork(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	type node struct {
		Province                 struct{ Code string }
		Role                     string
		TutoredCount, TutorCount int
	}
	type edge struct {
		Tutor, Tutored struct{ Code string }
		Since          string
	}
	for _, s := range ds.Sectors {
		for _, day := range []string{"", "2024-06-30"} {
			t.Run(s.Code+" "+day, func(t *testing.T) {
				args := fmt.Sprintf("sector: %q", s.Code)
				var on pcnet.Date
				if day != "" {
					args += fmt.Sprintf(", activeOn: %q", day)
					on = pcnet.MustDate(day)
				}
				var got struct {
					TutorNetwork struct {
						Sector struct{ Code string }
						Nodes  []node
						Edges  []edge
					}
				}
				run(t, ts, `{ tutorNetwork(`+args+`) { sector { code } nodes { province { code } role tutoredCount tutorCount } edges { tutor { code } tutored { code } since } } }`, nil, &got)
				tutorships := tutorshipsIn(ds, s.Code, on)
				if len(tutorships) == 0 {
					t.Fatal("no tutorships in the case")
				}
				var wantEdges, haveEdges []string
				tutors, tutored := make(map[string]map[string]bool), make(map[string]map[string]bool)
				note := func(m map[string]map[string]bool, k, v string) {
					if m[k] == nil {
						m[k] = make(map[string]bool)
					}
					m[k][v] = true
				}
				for _, tu := range tutorships {
					wantEdges = append(wantEdges, tu.TutorCode+">"+tu.TutoredCode+"@"+tu.Since.String())
					note(tutored, tu.TutorCode, tu.TutoredCode)
					note(tutors, tu.TutoredCode, tu.TutorCode)
				}
				for _, e := range got.TutorNetwork.Edges {
					haveEdges = append(haveEdges, e.Tutor.Code+">"+e.Tutored.Code+"@"+e.Since)
				}
				if !slices.Equal(haveEdges, wantEdges) {
					t.Errorf("edges %v, want %v", haveEdges, wantEdges)
				}
				members := make(map[string]bool)
				for _, tu := range tutorships {
					members[tu.TutorCode], members[tu.TutoredCode] = true, true
				}
				codes := slices.Sorted(maps.Keys(members))
				var wantNodes []node
				for _, c := range codes {
					n := node{Role: "BOTH", TutoredCount: len(tutored[c]), TutorCount: len(tutors[c])}
					n.Province.Code = c
					if n.TutorCount == 0 {
						n.Role = "TUTOR"
					} else if n.TutoredCount == 0 {
						n.Role = "TUTORED"
					}
					wantNodes = append(wantNodes, n)
				}
				if !slices.Equal(got.TutorNetwork.Nodes, wantNodes) || got.TutorNetwork.Sector.Code != s.Code {
					t.Errorf("sector %s nodes\n %+v\nwant\n %+v", got.TutorNetwork.Sector.Code, got.TutorNetwork.Nodes, wantNodes)
				}
			})
		}
	}
}

func TestAnalyticsInvalidInput(t *testing.T) {
	_, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	tests := []struct {
		query string
		field string
	}{
		{`{ province(code: "108") { tutoredTransitive(maxDepth: 11) { depth } } }`, "maxDepth"},
		{`{ province(code: "108") { tutorChain(maxDepth: 0) { depth } } }`, "maxDepth"},
		{`{ province(code: "108") { tutoredTransitive(sector: "nope") { depth } } }`, "sector"},
		{`{ province(code: "108") { peers(sector: "nope") { tutor { code } } } }`, "sector"},
		{`{ tutorPath(from: "108", to: "004", sector: "nope") { length } }`, "sector"},
		{`{ tutorPath(from: "10", to: "004") { length } }`, "from"},
		{`{ tutorPath(from: "108", to: "4") { length } }`, "to"},
		{`{ tutorNetwork(sector: "nope") { edges { step } } }`, "sector"},
		{`{ reach(selection: {sectors: ["nope"]}) { services } }`, "selection.sectors"},
		{`{ reach(selection: {areas: ["personnel"]}) { services } }`, "selection.areas"},
		{`{ reach(selection: {regions: ["3"]}) { services } }`, "selection.regions"},
		{`{ reach(selection: {provinces: ["1080"]}) { services } }`, "selection.provinces"},
		{`{ reach(asOf: "2025-02-30") { services } }`, "asOf"},
		{`{ sector(code: "personnel") { reach(asOf: "soon") { services } } }`, "asOf"},
		{`{ rolloutTimeline(from: "2025-01-01", to: "2024-01-01") { date } }`, "from"},
		{`{ rolloutTimeline(from: "1990-01-01", to: "2025-01-01") { date } }`, "interval"},
		{`{ rolloutTimeline(selection: {sectors: ["nope"]}, from: "2024-01-01", to: "2025-01-01") { date } }`, "selection.sectors"},
		{`{ coverageGaps(region: "03", province: "108", sector: "personnel") { totalCount } }`, "region"},
		{`{ coverageGaps(sector: "personnel") { totalCount } }`, "region"},
		{`{ coverageGaps(region: "3", sector: "personnel") { totalCount } }`, "region"},
		{`{ coverageGaps(province: "08", sector: "personnel") { totalCount } }`, "province"},
		{`{ coverageGaps(province: "108", sector: "personnel", area: "sua") { totalCount } }`, "sector"},
		{`{ coverageGaps(province: "108") { totalCount } }`, "sector"},
		{`{ coverageGaps(province: "108", sector: "nope") { totalCount } }`, "sector"},
		{`{ coverageGaps(province: "108", area: "nope") { totalCount } }`, "area"},
		{`{ coverageGaps(province: "108", sector: "personnel", first: 1001) { totalCount } }`, "first"},
		{`{ coverageGaps(province: "108", sector: "personnel", after: "x") { totalCount } }`, "after"},
		{`{ comune(istat: "001272") { nearestProviders(sector: "nope") { distanceKm } } }`, "sector"},
		{`{ comune(istat: "001272") { nearestProviders { distanceKm } } }`, "sector"},
		{`{ comune(istat: "001272") { nearestProviders(area: "europe") { distanceKm } } }`, "area"},
		{`{ comune(istat: "001272") { nearestProviders(sector: "personnel", limit: 0) { distanceKm } } }`, "limit"},
		{`{ comune(istat: "001272") { nearestProviders(sector: "personnel", limit: 51) { distanceKm } } }`, "limit"},
		{`{ projectWorkStats(groupBy: SECTOR, filter: {provinceCodes: ["1"]}) { count } }`, "filter.provinceCodes"},
		{`{ pilots(filter: {provinceCodes: ["1"]}) { id } }`, "filter.provinceCodes"},
		{`{ pilots(filter: {comuneCodes: ["004078", "1"]}) { id } }`, "filter.comuneCodes"},
		{`{ pilots(filter: {sectorCodes: ["nope"]}) { id } }`, "filter.sectorCodes"},
		{`{ pilots(filter: {undecided: true, decisions: [STOP]}) { id } }`, "filter.undecided"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp := post(t, ts, tt.query, nil)
			if len(resp.Errors) != 1 {
				t.Fatalf("errors = %+v, want one", resp.Errors)
			}
			e := resp.Errors[0]
			if e.Extensions["code"] != pcnet.EINVALID || e.Extensions["field"] != tt.field {
				t.Errorf("error %q, extensions = %v, want code %q field %q", e.Message, e.Extensions, pcnet.EINVALID, tt.field)
			}
			if !strings.Contains(e.Message, tt.field) {
				t.Errorf("message %q doesn't name the field %q", e.Message, tt.field)
			}
		})
	}
}
