package dataset

import (
	_ "embed"
	"fmt"
	"strings"

	"pcnet/internal/istat"
	"pcnet/internal/network"
	"pcnet/internal/pcnet"
)

// network.json is generated from the embedded geography and must not be
// edited by hand: a test in internal/network fails when it differs from
// what the generator makes.
//
//go:generate go run ../network/gen -o network.json

//go:embed network.json
var networkJSON string

// NetworkFile decodes the embedded illustrative network file, with the flag
// and note that say it is illustrative. Each call decodes afresh, so the
// caller owns the result.
func NetworkFile() (network.File, error) {
	f, err := network.DecodeFile(strings.NewReader(networkJSON))
	if err != nil {
		return network.File{}, fmt.Errorf("dataset: shipped network: %w", err)
	}
	return f, nil
}

// Network decodes the embedded illustrative network (see NetworkFile).
func Network() (pcnet.Network, error) {
	f, err := NetworkFile()
	return f.Network, err
}

// Dataset returns the shipped geography and illustrative network together,
// with the report of the coordinates as Geography gives it. The tests make
// sure the shipped dataset passes pcnet.Dataset.Validate.
func Dataset() (pcnet.Dataset, istat.CoordinateReport, error) {
	geo, report, err := Geography()
	if err != nil {
		return pcnet.Dataset{}, istat.CoordinateReport{}, err
	}
	n, err := Network()
	if err != nil {
		return pcnet.Dataset{}, istat.CoordinateReport{}, err
	}
	return pcnet.Dataset{Geography: geo, Network: n}, report, nil
}
