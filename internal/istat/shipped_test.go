package istat

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The shipped files live with the package that embeds them.
const (
	shippedComuni      = "../dataset/istat/Elenco-comuni-italiani.csv"
	shippedCoordinates = "../dataset/istat/coordinate.csv"
)

func readShipped(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawComune is a data row of the shipped list read without the parser:
// plain line and ';' splitting, fixed column positions. That works only
// because the shipped file has no quotes or line breaks in data rows; the
// point is to get the expected figures by a different route.
type rawComune struct {
	line                                   int
	region, unit, historic, code, name     string
	nameItalian, nameOther, plate, capital string
	population                             int
}

func scanRawComuni(t testing.TB, data []byte) []rawComune {
	t.Helper()
	var rows []rawComune
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		f := strings.Split(line, ";")
		// Data rows start with a two-digit region code; header lines don't.
		if len(f) != 23 || len(f[0]) != 2 || f[0][0] < '0' || f[0][0] > '9' {
			continue
		}
		pop, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(f[19]), ".", ""))
		if err != nil {
			t.Fatalf("raw scan, line %d: %v", i+1, err)
		}
		rows = append(rows, rawComune{
			line: i + 1, region: f[0], unit: f[1], historic: f[2], code: f[4], name: f[5],
			nameItalian: f[6], nameOther: f[7], plate: f[13], capital: f[12], population: pop,
		})
	}
	return rows
}

// rawCoordinate is a row of the shipped coordinates file read without the parser.
type rawCoordinate struct {
	line     int
	code     string // padded to six digits
	lat, lon float64
	inItaly  bool
}

func scanRawCoordinates(t testing.TB, data []byte) []rawCoordinate {
	t.Helper()
	var rows []rawCoordinate
	for i, line := range bytes.Split(data, []byte("\r\n")) {
		if i == 0 || len(line) == 0 {
			continue
		}
		f := strings.Split(string(line), ",")
		if len(f) != 3 {
			t.Fatalf("raw scan, line %d: %q", i+1, line)
		}
		n, err1 := strconv.Atoi(f[0])
		lat, err2 := strconv.ParseFloat(f[1], 64)
		lon, err3 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("raw scan, line %d: %q", i+1, line)
		}
		rows = append(rows, rawCoordinate{
			line: i + 1, code: strconv.Itoa(1000000 + n)[1:], lat: lat, lon: lon,
			inItaly: lat > 35 && lat < 48 && lon > 6 && lon < 19,
		})
	}
	return rows
}
