package network_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"pcnet/internal/network"
	"pcnet/internal/pcnet"
)

func TestTaxonomy(t *testing.T) {
	sectors := network.Taxonomy()
	// The sectors and areas the programme works in (see the domain note),
	// as sector → areas.
	want := map[string][]string{
		"procurement": {"sua"},
		"europe":      {"europe-office"},
		"innovation":  {"digital-transition"},
		"personnel":   {"personnel-admin", "recruitment", "staff-training"},
	}
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	if !slices.IsSortedFunc(sectors, func(a, b pcnet.Sector) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("sectors are not ordered by code")
	}
	for _, s := range sectors {
		var codes []string
		for _, a := range s.Areas {
			codes = append(codes, a.Code)
			if a.SectorCode != s.Code {
				t.Errorf("area %s names sector %q; want %q", a.Code, a.SectorCode, s.Code)
			}
			if !kebab.MatchString(a.Code) || a.Name == "" || a.Description == "" {
				t.Errorf("area %+v: want a kebab-case code, a name and a description", a)
			}
		}
		if !slices.Equal(codes, want[s.Code]) {
			t.Errorf("sector %s has areas %v; want %v (in code order)", s.Code, codes, want[s.Code])
		}
		if s.Name == "" || s.Description == "" {
			t.Errorf("sector %s: want a name and a description", s.Code)
		}
		delete(want, s.Code)
	}
	if len(want) > 0 {
		t.Errorf("missing sectors: %v", want)
	}
	d := pcnet.Dataset{Network: pcnet.Network{Sectors: sectors}}
	if err := d.Validate(); err != nil {
		t.Errorf("the taxonomy is invalid: %v", err)
	}

	// Each call returns a copy.
	sectors[0].Areas[0].Name = "changed"
	if network.Taxonomy()[0].Areas[0].Name == "changed" {
		t.Error("Taxonomy returns shared slices")
	}
}
