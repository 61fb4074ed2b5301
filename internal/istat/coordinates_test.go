package istat

import (
	"bytes"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pcnet/internal/pcnet"
)

func TestApplyCoordinatesShipped(t *testing.T) {
	geo, comuniData := parseShipped(t)
	coordData := readShipped(t, shippedCoordinates)
	report, err := ApplyCoordinates(&geo, bytes.NewReader(coordData))
	if err != nil {
		t.Fatal(err)
	}

	// The expected outcome, computed from the raw files.
	known := map[string]bool{}
	for _, r := range scanRawComuni(t, comuniData) {
		known[r.code] = true
	}
	raw := scanRawCoordinates(t, coordData)
	type point struct{ lat, lon float64 }
	rowsOf := map[string][]rawCoordinate{}
	var invalidLines []int
	for _, r := range raw {
		rowsOf[r.code] = append(rowsOf[r.code], r)
		if !r.inItaly {
			invalidLines = append(invalidLines, r.line)
		}
	}
	want := map[string]point{} // the coordinates each Comune should get
	var dupCodes, conflicting, unknown []string
	for code, rows := range rowsOf {
		if !known[code] {
			unknown = append(unknown, code)
		}
		if len(rows) > 1 {
			dupCodes = append(dupCodes, code)
		}
		points := map[point]bool{}
		for _, r := range rows {
			if r.inItaly {
				points[point{r.lat, r.lon}] = true
			}
		}
		if len(points) > 1 {
			conflicting = append(conflicting, code)
		}
		if len(points) == 1 && known[code] {
			for p := range points {
				want[code] = p
			}
		}
	}
	var missing []string
	for code := range known {
		if _, ok := want[code]; !ok {
			missing = append(missing, code)
		}
	}
	for _, s := range [][]string{dupCodes, conflicting, unknown, missing} {
		slices.Sort(s)
	}

	var gotInvalid []int
	for _, c := range report.Invalid {
		gotInvalid = append(gotInvalid, c.Line)
	}
	var gotDup, gotConflicting []string
	for _, d := range report.Duplicates {
		gotDup = append(gotDup, d.Code)
		if d.Conflicting {
			gotConflicting = append(gotConflicting, d.Code)
		}
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"rows", report.Rows, len(raw)},
		{"matched", report.Matched, len(want)},
		{"missing", report.Missing, missing},
		{"invalid lines", gotInvalid, invalidLines},
		{"duplicate codes", gotDup, dupCodes},
		{"conflicting codes", gotConflicting, conflicting},
		{"unknown codes", report.Unknown, unknown},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	t.Logf("%v", report)

	for _, c := range geo.Comuni {
		p, ok := want[c.Code]
		switch {
		case ok && (c.Latitude == nil || c.Longitude == nil):
			t.Errorf("Comune %s: no coordinates, want %v", c.Code, p)
		case ok && (*c.Latitude != p.lat || *c.Longitude != p.lon):
			t.Errorf("Comune %s: coordinates %v,%v, want %v", c.Code, *c.Latitude, *c.Longitude, p)
		case !ok && (c.Latitude != nil || c.Longitude != nil):
			t.Errorf("Comune %s: coordinates %v,%v, want none", c.Code, *c.Latitude, *c.Longitude)
		}
	}

	// The cases the README promises are there, so the checks above are
	// not vacuous.
	if !slices.Contains(invalidLines, 1362) { // 12108,45631,8.889841
		t.Error("the row with latitude 45631 (line 1362) is not among the invalid ones")
	}
	if len(conflicting) == 0 || len(unknown) == 0 || len(missing) == 0 {
		t.Errorf("expected conflicting duplicates, unknown codes and Comuni without coordinates in the shipped file; got %v, %v, %v", conflicting, unknown, missing)
	}
}

// small geography for the hand-written coordinate files.
func smallGeography() pcnet.Geography {
	return pcnet.Geography{Comuni: []pcnet.Comune{{Code: "001001"}, {Code: "001272"}, {Code: "012108"}, {Code: "021008"}}}
}

func TestApplyCoordinates(t *testing.T) {
	type coords map[string][2]float64
	tests := []struct {
		name    string
		input   string
		want    coords // Comuni with coordinates; the others must have none
		invalid []InvalidCoordinate
		dups    []DuplicateCode
		unknown []string
	}{
		{
			name:  "codes without leading zeros, CRLF",
			input: "pro_com_t,lat,long\r\n1001,45.367055,7.766918\r\n1272,45.073274,7.680687\r\n",
			want:  coords{"001001": {45.367055, 7.766918}, "001272": {45.073274, 7.680687}},
		},
		{
			name:  "codes with leading zeros, LF, byte-order mark, other column order",
			input: "\uFEFFlong,lat,pro_com_t\n7.766918,45.367055,001001\n",
			want:  coords{"001001": {45.367055, 7.766918}},
		},
		{
			name:    "latitude lost its decimal point",
			input:   "pro_com_t,lat,long\r\n1001,45.367055,7.766918\r\n12108,45631,8.889841\r\n",
			want:    coords{"001001": {45.367055, 7.766918}},
			invalid: []InvalidCoordinate{{Line: 3, Code: "012108", Reason: "Comune 012108: latitude 45631 is outside Italy (35..48): the decimal point is missing"}},
		},
		{
			name:    "longitude lost its decimal point",
			input:   "pro_com_t,lat,long\n1272,45.073274,7680687\n",
			want:    coords{},
			invalid: []InvalidCoordinate{{Line: 2, Code: "001272", Reason: "Comune 001272: longitude 7680687 is outside Italy (6..19): the decimal point is missing"}},
		},
		{
			name:    "outside Italy with a decimal point",
			input:   "pro_com_t,lat,long\n1272,-45.07,7.68\n",
			want:    coords{},
			invalid: []InvalidCoordinate{{Line: 2, Code: "001272", Reason: "Comune 001272: latitude -45.07 is outside Italy (35..48)"}},
		},
		{
			name:  "duplicate with different coordinates is left out",
			input: "pro_com_t,lat,long\n1001,45.367055,7.766918\n1272,45.07,7.68\n1001,45.4,7.8\n",
			want:  coords{"001272": {45.07, 7.68}},
			dups:  []DuplicateCode{{Code: "001001", Lines: []int{2, 4}, Conflicting: true}},
		},
		{
			name:  "duplicate with the same coordinates is kept",
			input: "pro_com_t,lat,long\n1001,45.367055,7.766918\n001001,45.367055,7.766918\n",
			want:  coords{"001001": {45.367055, 7.766918}},
			dups:  []DuplicateCode{{Code: "001001", Lines: []int{2, 3}}},
		},
		{
			name:    "duplicate of an invalid row keeps the valid one",
			input:   "pro_com_t,lat,long\n1001,45367055,7.766918\n1001,45.367055,7.766918\n",
			want:    coords{"001001": {45.367055, 7.766918}},
			invalid: []InvalidCoordinate{{Line: 2, Code: "001001", Reason: "Comune 001001: latitude 45367055 is outside Italy (35..48): the decimal point is missing"}},
			dups:    []DuplicateCode{{Code: "001001", Lines: []int{2, 3}}},
		},
		{
			name:    "unknown code",
			input:   "pro_com_t,lat,long\n99030,43.84,12.37\n1001,45.367055,7.766918\n",
			want:    coords{"001001": {45.367055, 7.766918}},
			unknown: []string{"099030"},
		},
		{
			name:  "unreadable rows",
			input: "pro_com_t,lat,long\n12a,45.1,7.1\n1234567,45.1,7.1\n1001,north,7.1\n1001,45.1,\n1272,45.1\n\n21008, 46.5 , 11.35 \n",
			want:  coords{"021008": {46.5, 11.35}},
			invalid: []InvalidCoordinate{
				{Line: 2, Code: "12a", Reason: `code "12a" is not an ISTAT Comune code`},
				{Line: 3, Code: "1234567", Reason: `code "1234567" is not an ISTAT Comune code`},
				{Line: 4, Code: "001001", Reason: `Comune 001001: latitude "north" is not a number`},
				{Line: 5, Code: "001001", Reason: `Comune 001001: longitude "" is not a number`},
				{Line: 6, Reason: "2 fields, but the header has 3"},
			},
			dups: []DuplicateCode{{Code: "001001", Lines: []int{4, 5}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			geo := smallGeography()
			report, err := ApplyCoordinates(&geo, strings.NewReader(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			got := coords{}
			var missing []string
			for _, c := range geo.Comuni {
				if (c.Latitude == nil) != (c.Longitude == nil) {
					t.Errorf("Comune %s has only one coordinate", c.Code)
				}
				if c.Latitude != nil {
					got[c.Code] = [2]float64{*c.Latitude, *c.Longitude}
				} else {
					missing = append(missing, c.Code)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("coordinates: got %v, want %v", got, tt.want)
			}
			if report.Matched != len(tt.want) || !reflect.DeepEqual(report.Missing, missing) {
				t.Errorf("report: matched %d, missing %v; want %d, %v", report.Matched, report.Missing, len(tt.want), missing)
			}
			if !reflect.DeepEqual(report.Invalid, tt.invalid) {
				t.Errorf("invalid:\n got %q\nwant %q", report.Invalid, tt.invalid)
			}
			if !reflect.DeepEqual(report.Duplicates, tt.dups) {
				t.Errorf("duplicates: got %+v, want %+v", report.Duplicates, tt.dups)
			}
			if !reflect.DeepEqual(report.Unknown, tt.unknown) {
				t.Errorf("unknown: got %v, want %v", report.Unknown, tt.unknown)
			}
		})
	}
}

func TestApplyCoordinatesOverwrites(t *testing.T) {
	geo := smallGeography()
	old := 1.0
	geo.Comuni[1].Latitude, geo.Comuni[1].Longitude = &old, &old
	if _, err := ApplyCoordinates(&geo, strings.NewReader("pro_com_t,lat,long\n1001,45.3,7.7\n")); err != nil {
		t.Fatal(err)
	}
	if geo.Comuni[1].Latitude != nil {
		t.Error("a Comune not in the file kept its old coordinates")
	}
}

func TestApplyCoordinatesUnusableFile(t *testing.T) {
	tests := []struct{ name, input, want string }{
		{"empty", "", "empty"},
		{"no code column", "code,lat,long\n1001,45.3,7.7\n", "lacks a column"},
		{"no longitude column", "pro_com_t,lat\n1001,45.3\n", "lacks a column"},
		{"semicolons", "pro_com_t;lat;long\n1001;45.3;7.7\n", "lacks a column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			geo := smallGeography()
			old := 1.0
			geo.Comuni[0].Latitude, geo.Comuni[0].Longitude = &old, &old
			_, err := ApplyCoordinates(&geo, strings.NewReader(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if geo.Comuni[0].Latitude != &old {
				t.Error("geography changed by a failed ApplyCoordinates")
			}
		})
	}
}

func TestCoordinateReportString(t *testing.T) {
	geo, _ := parseShipped(t)
	report, err := ApplyCoordinates(&geo, bytes.NewReader(readShipped(t, shippedCoordinates)))
	if err != nil {
		t.Fatal(err)
	}
	s := report.String()
	if n := strings.Count(s, "\n") + 1; n > 6 || len(s) > 600 {
		t.Errorf("summary is %d lines, %d bytes; want a short one:\n%s", n, len(s), s)
	}
	for _, want := range []string{
		"7904 rows",
		"of 7904 Comuni placed",
		strconv.Itoa(len(report.Missing)) + " without coordinates",
		strconv.Itoa(len(report.Invalid)) + " invalid rows",
		strconv.Itoa(len(report.Unknown)) + " codes not in the list",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}

	// Long lists are counted, not listed.
	many := CoordinateReport{Missing: make([]string, 5000)}
	for i := range many.Missing {
		many.Missing[i] = "001001"
	}
	if s := many.String(); strings.Contains(s, "001001") || !strings.Contains(s, "5000 without coordinates") {
		t.Errorf("summary of 5000 missing Comuni:\n%s", s)
	}
}
