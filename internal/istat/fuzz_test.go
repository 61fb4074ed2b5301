package istat

import (
	"bytes"
	"strings"
	"testing"

	"pcnet/internal/pcnet"
)

func FuzzParseComuni(f *testing.F) {
	// Seeds: the real header and first rows, the real header and some
	// bilingual and Friuli rows, the short test header, and broken inputs.
	lines := strings.SplitAfter(string(readShipped(f, shippedComuni)), "\n")
	f.Add(strings.Join(lines[:8], ""))
	f.Add(strings.Join(lines[:3], "") + strings.Join(lines[3760:3770], ""))
	f.Add(miniHeader + rowAglie + rowTorino + rowBolzano)
	f.Add(miniHeader + rowAglie + strings.Replace(rowTorino, "872.367", "2.6x4", 1))
	f.Add(miniHeader + rowAglie + `"` + rowTorino)
	f.Add("")

	f.Fuzz(func(t *testing.T, input string) {
		geo, err := ParseComuni(strings.NewReader(input))
		if err != nil {
			if len(geo.Comuni)+len(geo.Provinces)+len(geo.Regions) > 0 {
				t.Fatalf("partial geography with error %v", err)
			}
			return
		}
		if len(geo.Comuni) == 0 {
			t.Fatal("success with no Comuni")
		}
		if err := (&pcnet.Dataset{Geography: geo}).Validate(); err != nil {
			t.Fatalf("inconsistent geography: %v", err)
		}
		provinces := map[string]bool{}
		for _, p := range geo.Provinces {
			if !isDigits(p.Code, 3) || !isDigits(p.HistoricCode, 3) || !isDigits(p.RegionCode, 2) || !isPlateCode(p.PlateCode) {
				t.Fatalf("malformed Province %+v", p)
			}
			provinces[p.Code] = true
		}
		for i, c := range geo.Comuni {
			if !isDigits(c.Code, 6) || !provinces[c.ProvinceCode] || c.Population < 0 || c.Name == "" {
				t.Fatalf("malformed Comune %+v", c)
			}
			if i > 0 && geo.Comuni[i-1].Code >= c.Code {
				t.Fatalf("Comuni out of order: %s before %s", geo.Comuni[i-1].Code, c.Code)
			}
			if strings.TrimSpace(c.Name) != c.Name {
				t.Fatalf("untrimmed name %q", c.Name)
			}
		}
		// Parsing is deterministic and the encoding detection stable:
		// the same input parses the same again.
		again, err := ParseComuni(bytes.NewReader([]byte(input)))
		if err != nil || len(again.Comuni) != len(geo.Comuni) {
			t.Fatalf("second parse differs: %v", err)
		}
	})
}
