package istat

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"pcnet/internal/pcnet"
)

// Italy's bounding box, with a little margin: from Lampedusa (35.5°N) to
// the Vetta d'Italia (47.1°N), from the Alps west of Bardonecchia (6.6°E)
// to Otranto (18.5°E). A coordinate outside it is a broken row, most often
// one that lost its decimal point ("45631" for 45.631).
const (
	MinLatitude, MaxLatitude   = 35.0, 48.0
	MinLongitude, MaxLongitude = 6.0, 19.0
)

// CoordinateReport says what ApplyCoordinates did with a coordinates file.
type CoordinateReport struct {
	Rows       int                 // data rows read
	Matched    int                 // Comuni given coordinates
	Missing    []string            // codes of the Comuni left without coordinates, sorted
	Invalid    []InvalidCoordinate // rows left out, in file order
	Duplicates []DuplicateCode     // codes on more than one row, sorted
	Unknown    []string            // codes not in the geography, six digits, sorted
}

// InvalidCoordinate is a row of the coordinates file that was left out.
type InvalidCoordinate struct {
	Line   int
	Code   string // six digits when the code was readable, else as written
	Reason string
}

func (c InvalidCoordinate) String() string { return fmt.Sprintf("line %d: %s", c.Line, c.Reason) }

// DuplicateCode is a Comune code found on more than one row.
type DuplicateCode struct {
	Code  string
	Lines []int
	// Conflicting is true when the valid rows give different coordinates:
	// there is no telling which is right, so the Comune gets none.
	Conflicting bool
}

// String summarises the report in a few lines: counts, and the codes only
// where there are few of them.
func (r CoordinateReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "coordinates: %d rows; %d of %d Comuni placed, %d without coordinates%s",
		r.Rows, r.Matched, r.Matched+len(r.Missing), len(r.Missing), few(r.Missing))
	lines := make([]string, len(r.Invalid))
	for i, c := range r.Invalid {
		lines[i] = strconv.Itoa(c.Line)
	}
	fmt.Fprintf(&b, "\n  %d invalid rows left out%s", len(r.Invalid), few(lines))
	var conflicting []string
	for _, d := range r.Duplicates {
		if d.Conflicting {
			conflicting = append(conflicting, d.Code)
		}
	}
	fmt.Fprintf(&b, "\n  %d duplicated codes, %d with conflicting coordinates left out%s", len(r.Duplicates), len(conflicting), few(conflicting))
	fmt.Fprintf(&b, "\n  %d codes not in the list of Comuni%s", len(r.Unknown), few(r.Unknown))
	return b.String()
}

// few lists items in parentheses when there are at most a handful.
func few(items []string) string {
	const handful = 12
	if len(items) == 0 || len(items) > handful {
		return ""
	}
	return " (" + strings.Join(items, ", ") + ")"
}

// ApplyCoordinates reads a coordinates file (CSV with columns pro_com_t,
// lat and long, as published by Open Data Sicilia's comuni-italiani) and
// sets the latitude and longitude of the Comuni of geo: every Comune ends
// up with the file's coordinates or, when there are none usable, with nil.
//
// Codes may lack their leading zeros ("1001" is "001001"). Rows that can't
// be read or lie outside Italy are left out; a code given different
// coordinates on two rows is left without any; codes that match no Comune
// are ignored. The report lists each case. The error is only for a file
// that can't be used at all (unreadable, or without the needed columns);
// geo is unchanged then.
func ApplyCoordinates(geo *pcnet.Geography, r io.Reader) (CoordinateReport, error) {
	var report CoordinateReport
	text, err := readText(r)
	if err != nil {
		return report, fmt.Errorf("istat: reading the coordinates: %w", err)
	}
	cr := newCSV(text, ',')

	header, err := cr.Read()
	if err == io.EOF {
		return report, errors.New("istat: the coordinates file is empty: no header line")
	} else if err != nil {
		return report, fmt.Errorf("istat: reading the coordinates header: %w", err)
	}
	codeCol, latCol, lonCol, err := coordinateColumns(header)
	if err != nil {
		return report, err
	}

	type point struct{ lat, lon float64 }
	valid := make(map[string][]point, len(geo.Comuni))
	lines := make(map[string][]int, len(geo.Comuni))
	malformed := func(line int, err error) {
		report.Rows++
		report.Invalid = append(report.Invalid, InvalidCoordinate{Line: line, Reason: fmt.Sprintf("malformed CSV: %v", err)})
	}
	row := func(line int, rec []string) {
		report.Rows++
		invalid := func(code, format string, args ...any) {
			report.Invalid = append(report.Invalid, InvalidCoordinate{Line: line, Code: code, Reason: fmt.Sprintf(format, args...)})
		}
		if len(rec) != len(header) {
			invalid("", "%d fields, but the header has %d", len(rec), len(header))
			return
		}
		raw := strings.TrimSpace(rec[codeCol])
		code, ok := padComuneCode(raw)
		if !ok {
			invalid(raw, "code %q is not an ISTAT Comune code", raw)
			return
		}
		lines[code] = append(lines[code], line)
		latText, lonText := strings.TrimSpace(rec[latCol]), strings.TrimSpace(rec[lonCol])
		lat, latErr := strconv.ParseFloat(latText, 64)
		lon, lonErr := strconv.ParseFloat(lonText, 64)
		switch {
		case latErr != nil:
			invalid(code, "Comune %s: latitude %q is not a number", code, latText)
		case lonErr != nil:
			invalid(code, "Comune %s: longitude %q is not a number", code, lonText)
		case !(lat >= MinLatitude && lat <= MaxLatitude): // written so NaN fails too
			invalid(code, "Comune %s: latitude %s is outside Italy (%g..%g)%s", code, latText, MinLatitude, MaxLatitude, lostPoint(latText))
		case !(lon >= MinLongitude && lon <= MaxLongitude):
			invalid(code, "Comune %s: longitude %s is outside Italy (%g..%g)%s", code, lonText, MinLongitude, MaxLongitude, lostPoint(lonText))
		default:
			valid[code] = append(valid[code], point{lat, lon})
		}
	}
	if err := eachRow(cr, row, malformed); err != nil {
		return CoordinateReport{}, fmt.Errorf("istat: reading the coordinates: %w", err)
	}

	known := make(map[string]bool, len(geo.Comuni))
	for _, c := range geo.Comuni {
		known[c.Code] = true
	}
	usable := make(map[string]point, len(valid))
	for code, ls := range lines {
		if !known[code] {
			report.Unknown = append(report.Unknown, code)
		}
		points := valid[code]
		conflicting := false
		for _, p := range points[min(1, len(points)):] {
			conflicting = conflicting || p != points[0]
		}
		if len(ls) > 1 {
			report.Duplicates = append(report.Duplicates, DuplicateCode{Code: code, Lines: ls, Conflicting: conflicting})
		}
		if len(points) > 0 && !conflicting {
			usable[code] = points[0]
		}
	}
	slices.Sort(report.Unknown)
	slices.SortFunc(report.Duplicates, func(a, b DuplicateCode) int { return strings.Compare(a.Code, b.Code) })

	// One backing array for all the coordinates: two allocations instead
	// of two per Comune.
	values := make([]float64, 0, 2*len(usable))
	for i := range geo.Comuni {
		c := &geo.Comuni[i]
		p, ok := usable[c.Code]
		if !ok {
			c.Latitude, c.Longitude = nil, nil
			report.Missing = append(report.Missing, c.Code)
			continue
		}
		values = append(values, p.lat, p.lon)
		c.Latitude, c.Longitude = &values[len(values)-2], &values[len(values)-1]
		report.Matched++
	}
	slices.Sort(report.Missing)
	return report, nil
}

// coordinateColumns finds the code, latitude and longitude columns.
func coordinateColumns(header []string) (code, lat, lon int, err error) {
	find := func(names ...string) int {
		return slices.IndexFunc(header, func(h string) bool {
			return slices.Contains(names, strings.ToLower(strings.TrimSpace(h)))
		})
	}
	code, lat, lon = find("pro_com_t", "pro_com"), find("lat", "latitude"), find("long", "lon", "lng", "longitude")
	if code < 0 || lat < 0 || lon < 0 {
		return 0, 0, 0, fmt.Errorf("istat: the coordinates header %q lacks a column: pro_com_t, lat and long are needed", strings.Join(header, ","))
	}
	return code, lat, lon, nil
}

// padComuneCode returns an ISTAT Comune code written with or without its
// leading zeros as six digits.
func padComuneCode(s string) (string, bool) {
	if s == "" || len(s) > 6 || !isDigits(s, len(s)) {
		return "", false
	}
	return strings.Repeat("0", 6-len(s)) + s, true
}

// lostPoint hints at the usual cause of an out-of-range coordinate: a
// number without a decimal point.
func lostPoint(s string) string {
	if !strings.ContainsAny(s, ".eE") {
		return ": the decimal point is missing"
	}
	return ""
}
