package pcnet

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// checkInvalid checks that err is nil when field is "", and otherwise an
// EINVALID *Error naming field whose message contains every fragment.
func checkInvalid(t *testing.T, err error, field string, fragments ...string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want one naming %q", field)
	}
	if code := ErrorCode(err); code != EINVALID {
		t.Errorf("code %q, want %q (%v)", code, EINVALID, err)
	}
	if got := ErrorField(err); got != field {
		t.Errorf("field %q, want %q (%v)", got, field, err)
	}
	for _, f := range fragments {
		if !strings.Contains(ErrorMessage(err), f) {
			t.Errorf("message %q does not contain %q", ErrorMessage(err), f)
		}
	}
}

func TestValidatePeerQuery(t *testing.T) {
	tests := []struct {
		name  string
		q     PeerQuery
		field string
	}{
		{"valid", PeerQuery{ProvinceCode: "108", SectorCode: "personnel"}, ""},
		{"any sector", PeerQuery{ProvinceCode: "108"}, ""},
		{"bad province", PeerQuery{ProvinceCode: "MB", SectorCode: "personnel"}, "province"},
		{"empty province", PeerQuery{}, "province"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkInvalid(t, ValidatePeerQuery(tt.q), tt.field) })
	}
}

func TestValidateTutorLinkQuery(t *testing.T) {
	valid := TutorLinkQuery{Root: "108", Direction: TutorDown, MaxDepth: 3}
	with := func(change func(*TutorLinkQuery)) TutorLinkQuery {
		q := valid
		change(&q)
		return q
	}
	tests := []struct {
		name      string
		q         TutorLinkQuery
		field     string
		fragments []string
	}{
		{"valid down", valid, "", nil},
		{"valid up, sector, max depth", with(func(q *TutorLinkQuery) { q.Direction, q.SectorCode, q.MaxDepth = TutorUp, "personnel", MaxTutorDepth }), "", nil},
		{"depth 1", with(func(q *TutorLinkQuery) { q.MaxDepth = 1 }), "", nil},
		{"root not a code", with(func(q *TutorLinkQuery) { q.Root = "1080" }), "root", []string{`"1080"`}},
		{"unknown direction", with(func(q *TutorLinkQuery) { q.Direction = "SIDEWAYS" }), "direction", []string{"SIDEWAYS", "DOWN", "UP"}},
		{"no direction", with(func(q *TutorLinkQuery) { q.Direction = "" }), "direction", nil},
		{"lower-case direction", with(func(q *TutorLinkQuery) { q.Direction = "down" }), "direction", nil},
		{"depth 0", with(func(q *TutorLinkQuery) { q.MaxDepth = 0 }), "depth", []string{"depth: at least 1, got 0"}},
		{"negative depth", with(func(q *TutorLinkQuery) { q.MaxDepth = -2 }), "depth", []string{"got -2"}},
		{"depth 11", with(func(q *TutorLinkQuery) { q.MaxDepth = MaxTutorDepth + 1 }), "depth", []string{"depth: at most 10, got 11"}},
		{"depth 12", with(func(q *TutorLinkQuery) { q.MaxDepth = 12 }), "depth", []string{"depth: at most 10, got 12"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkInvalid(t, ValidateTutorLinkQuery(tt.q), tt.field, tt.fragments...) })
	}
}

func TestValidateTutorPathQuery(t *testing.T) {
	tests := []struct {
		name  string
		q     TutorPathQuery
		field string
	}{
		{"valid", TutorPathQuery{FromCode: "013", ToCode: "215"}, ""},
		{"same ends", TutorPathQuery{FromCode: "013", ToCode: "013", SectorCode: "personnel"}, ""},
		{"bad from", TutorPathQuery{FromCode: "13", ToCode: "215"}, "from"},
		{"bad to", TutorPathQuery{FromCode: "013", ToCode: "MI"}, "to"},
		{"both bad: from first", TutorPathQuery{FromCode: "x", ToCode: "y"}, "from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkInvalid(t, ValidateTutorPathQuery(tt.q), tt.field) })
	}
}

func TestValidateReachQuery(t *testing.T) {
	day := MustDate("2024-06-01")
	tests := []struct {
		name      string
		q         ReachQuery
		field     string
		fragments []string
	}{
		{"total", ReachQuery{AsOf: day, GroupBy: ReachTotal}, "", nil},
		{"every grouping is known", ReachQuery{AsOf: day, GroupBy: ReachByArea}, "", nil},
		{"filter", ReachQuery{AsOf: day, GroupBy: ReachByProvince, Services: ServiceFilter{
			ProviderCodes: []string{"108"}, RegionCodes: []string{"03"}, Statuses: []ServiceStatus{StatusActive}, SectorCodes: []string{"anything"},
		}}, "", nil},
		{"no grouping", ReachQuery{AsOf: day}, "groupBy", nil},
		{"unknown grouping", ReachQuery{AsOf: day, GroupBy: "COMUNE"}, "groupBy", []string{`"COMUNE"`, "TOTAL", "AREA"}},
		{"no date", ReachQuery{GroupBy: ReachTotal}, "asOf", nil},
		{"bad provider", ReachQuery{AsOf: day, GroupBy: ReachTotal, Services: ServiceFilter{ProviderCodes: []string{"108", "MB"}}}, "services.providerCodes", []string{`"MB"`}},
		{"bad region", ReachQuery{AsOf: day, GroupBy: ReachTotal, Services: ServiceFilter{RegionCodes: []string{"3"}}}, "services.regionCodes", nil},
		{"bad status", ReachQuery{AsOf: day, GroupBy: ReachTotal, Services: ServiceFilter{Statuses: []ServiceStatus{"RUNNING"}}}, "services.statuses", []string{"RUNNING"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkInvalid(t, ValidateReachQuery(tt.q), tt.field, tt.fragments...) })
	}
}

func TestValidateNearestQuery(t *testing.T) {
	tests := []struct {
		name      string
		q         NearestQuery
		field     string
		fragments []string
	}{
		{"sector", NearestQuery{ComuneCode: "001272", SectorCode: "personnel", Limit: 5}, "", nil},
		{"area, limit 1", NearestQuery{ComuneCode: "001272", AreaCode: "sua", Limit: 1}, "", nil},
		{"limit 50", NearestQuery{ComuneCode: "001272", AreaCode: "sua", Limit: MaxNearestLimit}, "", nil},
		{"bad comune", NearestQuery{ComuneCode: "1272", SectorCode: "personnel", Limit: 5}, "comune", nil},
		{"neither sector nor area", NearestQuery{ComuneCode: "001272", Limit: 5}, "sector", []string{"exactly one"}},
		{"both sector and area", NearestQuery{ComuneCode: "001272", SectorCode: "personnel", AreaCode: "sua", Limit: 5}, "sector", []string{"exactly one"}},
		{"limit 0", NearestQuery{ComuneCode: "001272", AreaCode: "sua"}, "limit", []string{"limit: at least 1, got 0"}},
		{"limit 51", NearestQuery{ComuneCode: "001272", AreaCode: "sua", Limit: 51}, "limit", []string{"limit: at most 50, got 51"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkInvalid(t, ValidateNearestQuery(tt.q), tt.field, tt.fragments...) })
	}
}

func TestValidateProjectWorkGrouping(t *testing.T) {
	checkInvalid(t, ValidateProjectWorkGrouping("by", ProjectWorksBySector), "")
	checkInvalid(t, ValidateProjectWorkGrouping("by", ProjectWorksByRegion), "")
	checkInvalid(t, ValidateProjectWorkGrouping("by", "PROVINCE"), "by", `"PROVINCE"`, "SECTOR", "REGION")
	checkInvalid(t, ValidateProjectWorkGrouping("groupBy", ""), "groupBy")
}

func TestValidateSectorAndAreaCodes(t *testing.T) {
	taxonomy := []Sector{
		{Code: "procurement", Areas: []Area{{Code: "sua", SectorCode: "procurement"}}},
		{Code: "personnel", Areas: []Area{
			{Code: "staff-training", SectorCode: "personnel"},
			{Code: "recruitment", SectorCode: "personnel"},
		}},
		{Code: "europe"}, // a sector without areas
	}
	tests := []struct {
		name      string
		validate  func(field, code string, sectors []Sector) error
		code      string
		sectors   []Sector
		field     string
		fragments []string
	}{
		{"known sector", ValidateSectorCode, "personnel", taxonomy, "", nil},
		{"sector without areas", ValidateSectorCode, "europe", taxonomy, "", nil},
		{"unknown sector lists the known ones in order", ValidateSectorCode, "personel", taxonomy, "sector",
			[]string{`"personel"`, "europe, personnel, procurement"}},
		{"an area is not a sector", ValidateSectorCode, "sua", taxonomy, "sector", nil},
		{"sectors are case-sensitive", ValidateSectorCode, "Personnel", taxonomy, "sector", nil},
		{"empty sector code", ValidateSectorCode, "", taxonomy, "sector", nil},
		{"no taxonomy", ValidateSectorCode, "personnel", nil, "sector", []string{"none"}},
		{"known area", ValidateAreaCode, "recruitment", taxonomy, "", nil},
		{"area of another sector", ValidateAreaCode, "sua", taxonomy, "", nil},
		{"unknown area", ValidateAreaCode, "training", taxonomy, "area", []string{`"training"`, "recruitment, staff-training, sua"}},
		{"a sector is not an area", ValidateAreaCode, "personnel", taxonomy, "area", nil},
		{"no areas", ValidateAreaCode, "sua", []Sector{{Code: "europe"}}, "area", []string{"none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			field := "sector"
			if tt.field != "" {
				field = tt.field
			}
			err := tt.validate(field, tt.code, tt.sectors)
			checkInvalid(t, err, tt.field, tt.fragments...)
		})
	}
}

func TestTimelineDates(t *testing.T) {
	dates := func(list ...string) []Date {
		var out []Date
		for _, s := range list {
			out = append(out, MustDate(s))
		}
		return out
	}
	tests := []struct {
		name      string
		from, to  string
		interval  string
		want      []Date
		field     string
		fragments []string
	}{
		{"one day", "2024-06-01", "2024-06-01", IntervalMonth, dates("2024-06-01"), "", nil},
		{"to included", "2024-01-01", "2024-04-01", IntervalMonth,
			dates("2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"), "", nil},
		{"to a day short of the next date", "2024-01-01", "2024-03-31", IntervalMonth,
			dates("2024-01-01", "2024-02-01", "2024-03-01"), "", nil},
		{"to before the first step", "2024-01-15", "2024-02-14", IntervalMonth, dates("2024-01-15"), "", nil},
		// Dates are from plus k months, not the previous date plus one:
		// after February 29 comes March 31, not March 29.
		{"month ends", "2024-01-31", "2024-05-31", IntervalMonth,
			dates("2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"), "", nil},
		{"clamped date past to is left out", "2024-01-31", "2024-02-28", IntervalMonth, dates("2024-01-31"), "", nil},
		{"quarters across years", "2023-11-15", "2024-11-15", IntervalQuarter,
			dates("2023-11-15", "2024-02-15", "2024-05-15", "2024-08-15", "2024-11-15"), "", nil},
		{"years from a leap day", "2020-02-29", "2024-03-01", IntervalYear,
			dates("2020-02-29", "2021-02-28", "2022-02-28", "2023-02-28", "2024-02-29"), "", nil},
		{"240 months is the most", "2005-01-01", "2024-12-01", IntervalMonth, nil, "", nil},
		{"241 months is too many", "2005-01-01", "2025-01-01", IntervalMonth, nil, "interval", []string{"at most 240", "241"}},
		{"centuries", "1000-01-01", "9999-12-31", IntervalMonth, nil, "interval", nil},
		{"centuries by year", "1000-01-01", "9999-12-31", IntervalYear, nil, "interval", nil},
		{"from after to", "2024-06-02", "2024-06-01", IntervalMonth, nil, "from", []string{"2024-06-02", "2024-06-01"}},
		{"unknown interval", "2024-01-01", "2024-06-01", "WEEK", nil, "interval", []string{"WEEK", "MONTH"}},
		{"lower-case interval", "2024-01-01", "2024-06-01", "month", nil, "interval", nil},
		{"no from", "", "2024-06-01", IntervalMonth, nil, "from", []string{"required"}},
		{"no to", "2024-06-01", "", IntervalMonth, nil, "to", []string{"required"}},
	}
	parse := func(s string) Date {
		if s == "" {
			return Date{}
		}
		return MustDate(s)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TimelineDates(parse(tt.from), parse(tt.to), tt.interval)
			checkInvalid(t, err, tt.field, tt.fragments...)
			if err != nil {
				if got != nil {
					t.Errorf("dates %v with the error", got)
				}
				return
			}
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			checkTimeline(t, got, parse(tt.from), parse(tt.to), tt.interval)
		})
	}
}

// checkTimeline checks the properties every timeline has: it starts at
// from, steps by the interval, ends on or before to, and one more step
// would pass to.
func checkTimeline(t *testing.T, got []Date, from, to Date, interval string) {
	t.Helper()
	months := map[string]int{IntervalMonth: 1, IntervalQuarter: 3, IntervalYear: 12}[interval]
	if len(got) == 0 || got[0] != from {
		t.Fatalf("timeline %v does not start at %s", got, from)
	}
	for i, d := range got {
		if want := from.AddMonths(i * months); d != want {
			t.Errorf("date %d is %s, want %s", i, d, want)
		}
	}
	if last := got[len(got)-1]; last.After(to) {
		t.Errorf("last date %s is after to %s", last, to)
	}
	if next := from.AddMonths(len(got) * months); !next.After(to) {
		t.Errorf("the timeline stops before %s, which is not after to %s", next, to)
	}
}

func TestValidateParticipationShareQuery(t *testing.T) {
	day := MustDate("2026-06-01")
	tests := []struct {
		name  string
		q     ParticipationShareQuery
		field string
	}{
		{"whole country", ParticipationShareQuery{SectorCode: "personnel", AsOf: day}, ""},
		{"one region", ParticipationShareQuery{SectorCode: "personnel", RegionCode: "03", AsOf: day}, ""},
		{"no sector", ParticipationShareQuery{AsOf: day}, "sector"},
		{"bad region", ParticipationShareQuery{SectorCode: "personnel", RegionCode: "3", AsOf: day}, "region"},
		{"letters for a region", ParticipationShareQuery{SectorCode: "personnel", RegionCode: "LO", AsOf: day}, "region"},
		{"no date", ParticipationShareQuery{SectorCode: "personnel"}, "asOf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkInvalid(t, ValidateParticipationShareQuery(tt.q), tt.field) })
	}
}

func TestShareOfTerritory(t *testing.T) {
	como := ComuneSummary{Comuni: 148, Inhabitants: 586735, SmallComuni: 120, SmallInhabitants: 190000}
	lecco := ComuneSummary{Comuni: 84, Inhabitants: 336310, SmallComuni: 70, SmallInhabitants: 120000}
	milano := ComuneSummary{Comuni: 133, Inhabitants: 3038420, SmallComuni: 20, SmallInhabitants: 60000}
	tests := []struct {
		name string
		rows []ProvinceTerritory
		want ParticipationShare
	}{
		{"empty territory", nil, ParticipationShare{ParticipantCodes: []string{}}},
		{"nobody takes part", []ProvinceTerritory{{"013", false, como}}, ParticipationShare{
			ParticipantCodes: []string{}, ProvincesTotal: 1, Territory: como}},
		{"two of three, out of order", []ProvinceTerritory{{"097", true, lecco}, {"215", false, milano}, {"013", true, como}}, ParticipationShare{
			ParticipantCodes: []string{"013", "097"}, Provinces: 2, ProvincesTotal: 3,
			Participating: como.Add(lecco), Territory: como.Add(lecco).Add(milano)}},
		{"a Province listed twice counts once", []ProvinceTerritory{{"013", true, como}, {"013", true, como}}, ParticipationShare{
			ParticipantCodes: []string{"013"}, Provinces: 1, ProvincesTotal: 1, Participating: como, Territory: como}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ShareOfTerritory(tt.rows); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ShareOfTerritory = %+v, want %+v", got, tt.want)
			}
		})
	}
	if sum := como.Add(lecco); sum.Comuni != 232 || sum.Inhabitants != 923045 || sum.SmallComuni != 190 || sum.SmallInhabitants != 310000 {
		t.Errorf("Add = %+v", sum)
	}
}
