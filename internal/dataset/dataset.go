// Package dataset holds the data shipped with pcnet, embedded in the
// binary, and the loaders that turn it into domain values:
//
//   - istat/: the ISTAT list of Comuni (February 2020) and the Open Data
//     Sicilia coordinates of each Comune; see istat/README.md for the files
//     and their quirks, and istat/ATTRIBUTION.md for sources and licences.
//     [Geography] loads them.
//   - network.json: the illustrative tutor and shared-service network, and
//     its loader in network.go (both written separately, by the owner of
//     internal/network; not part of this file).
package dataset

import (
	_ "embed"
	"fmt"
	"strings"

	"pcnet/internal/istat"
	"pcnet/internal/pcnet"
)

// The embedded files are strings, not byte slices, so no caller can
// change them.
var (
	//go:embed istat/Elenco-comuni-italiani.csv
	comuniCSV string

	//go:embed istat/coordinate.csv
	coordinatesCSV string
)

// Geography parses the embedded ISTAT files and returns the geography, with
// coordinates where the coordinates file has usable ones, and the report of
// what happened to the coordinates.
//
// Each call parses afresh (about 20 ms, see BenchmarkParseShipped), so every
// caller owns what it gets and may change it freely; call it once and keep
// the result when that matters. An error means the shipped files are
// broken, which the tests rule out.
func Geography() (pcnet.Geography, istat.CoordinateReport, error) {
	geo, err := istat.ParseComuni(strings.NewReader(comuniCSV))
	if err != nil {
		return pcnet.Geography{}, istat.CoordinateReport{}, fmt.Errorf("dataset: shipped ISTAT list: %w", err)
	}
	report, err := istat.ApplyCoordinates(&geo, strings.NewReader(coordinatesCSV))
	if err != nil {
		return pcnet.Geography{}, istat.CoordinateReport{}, fmt.Errorf("dataset: shipped coordinates: %w", err)
	}
	return geo, report, nil
}
