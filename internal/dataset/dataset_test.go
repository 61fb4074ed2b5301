package dataset

import (
	"os"
	"slices"
	"strings"
	"testing"

	"pcnet/internal/pcnet"
)

func TestGeographyShippedFigures(t *testing.T) {
	geo, report, err := Geography()
	if err != nil {
		t.Fatal(err)
	}
	var population, small, lombardia, capitals int
	for _, c := range geo.Comuni {
		population += c.Population
		if c.Small() {
			small++
		}
		if c.RegionCode == "03" {
			lombardia++
		}
		if c.Capital {
			capitals++
		}
	}
	// The reference figures published with the file (istat/README.md).
	tests := []struct {
		name      string
		got, want int
	}{
		{"Comuni", len(geo.Comuni), 7904},
		{"Provinces", len(geo.Provinces), 107},
		{"regions", len(geo.Regions), 20},
		{"population", population, 59_433_744},
		{"small Comuni", small, 5490},
		{"Comuni in Lombardia", lombardia, 1506},
		{"capitals", capitals, 109},
		{"Comuni placed or missing", report.Matched + len(report.Missing), 7904},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, tt.got, tt.want)
		}
	}
	if err := (&pcnet.Dataset{Geography: geo}).Validate(); err != nil {
		t.Errorf("shipped geography does not validate: %v", err)
	}

	placed := 0
	for _, c := range geo.Comuni {
		if c.Latitude != nil {
			placed++
		}
	}
	if placed != report.Matched {
		t.Errorf("%d Comuni have coordinates, the report says %d", placed, report.Matched)
	}
	// Torino is in the coordinates file (as 1272) with a sane position.
	i := slices.IndexFunc(geo.Comuni, func(c pcnet.Comune) bool { return c.Code == "001272" })
	if i < 0 || geo.Comuni[i].Name != "Torino" || geo.Comuni[i].Latitude == nil ||
		*geo.Comuni[i].Latitude < 45 || *geo.Comuni[i].Latitude > 45.2 {
		t.Errorf("Torino: %+v", geo.Comuni[max(i, 0)])
	}
	t.Logf("%v", report)
}

// Each call returns a geography of its own: changing one, even through the
// coordinate pointers, leaves the next call's untouched.
func TestGeographyCallsAreIndependent(t *testing.T) {
	first, _, err := Geography()
	if err != nil {
		t.Fatal(err)
	}
	first.Comuni[0].Name = "changed"
	first.Provinces[0].Name = "changed"
	first.Regions[0].Name = "changed"
	for i := range first.Comuni {
		if first.Comuni[i].Latitude != nil {
			*first.Comuni[i].Latitude = 0
		}
	}
	second, _, err := Geography()
	if err != nil {
		t.Fatal(err)
	}
	if second.Comuni[0].Name == "changed" || second.Provinces[0].Name == "changed" || second.Regions[0].Name == "changed" {
		t.Error("a change to one result shows in the next")
	}
	for _, c := range second.Comuni {
		if c.Latitude != nil && *c.Latitude == 0 {
			t.Fatalf("Comune %s: a changed coordinate shows in the next result", c.Code)
		}
	}
}

// The attribution the licences require ships with the data.
func TestAttribution(t *testing.T) {
	b, err := os.ReadFile("istat/ATTRIBUTION.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Fonte: ISTAT", "CC BY 3.0 IT", "https://www.istat.it/it/archivio/6789", "https://github.com/opendatasicilia/comuni-italiani"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("ATTRIBUTION.md lacks %q", want)
		}
	}
}

func BenchmarkParseShipped(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Geography(); err != nil {
			b.Fatal(err)
		}
	}
}
