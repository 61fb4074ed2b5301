package istat

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"pcnet/internal/pcnet"
)

func parseShipped(t testing.TB) (pcnet.Geography, []byte) {
	t.Helper()
	data := readShipped(t, shippedComuni)
	geo, err := ParseComuni(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ParseComuni(shipped file): %v", err)
	}
	return geo, data
}

func TestParseComuniShippedFigures(t *testing.T) {
	geo, data := parseShipped(t)
	raw := scanRawComuni(t, data)

	// Figures by an independent scan of the raw bytes.
	regions, units := map[string]bool{}, map[string]bool{}
	var population, small, lombardia, capitals int
	for _, r := range raw {
		regions[r.region], units[r.unit] = true, true
		population += r.population
		if r.population < 5000 {
			small++
		}
		if r.region == "03" {
			lombardia++
		}
		if r.capital == "1" {
			capitals++
		}
	}

	// Figures from the parsed geography.
	var gotPopulation, gotSmall, gotLombardia, gotCapitals int
	for _, c := range geo.Comuni {
		gotPopulation += c.Population
		if c.Small() {
			gotSmall++
		}
		if c.RegionCode == "03" {
			gotLombardia++
		}
		if c.Capital {
			gotCapitals++
		}
	}

	tests := []struct {
		name                string
		got, raw, published int
	}{
		{"Comuni", len(geo.Comuni), len(raw), 7904},
		{"Provinces", len(geo.Provinces), len(units), 107},
		{"regions", len(geo.Regions), len(regions), 20},
		{"population", gotPopulation, population, 59_433_744},
		{"small Comuni", gotSmall, small, 5490},
		{"Comuni in Lombardia", gotLombardia, lombardia, 1506},
		{"capitals", gotCapitals, capitals, 109},
	}
	for _, tt := range tests {
		if tt.got != tt.raw || tt.got != tt.published {
			t.Errorf("%s: parsed %d, raw scan %d, published %d", tt.name, tt.got, tt.raw, tt.published)
		}
	}
}

func TestParseComuniShippedRows(t *testing.T) {
	geo, data := parseShipped(t)
	byCode := make(map[string]pcnet.Comune, len(geo.Comuni))
	for _, c := range geo.Comuni {
		byCode[c.Code] = c
	}
	// Every row as the raw scan reads it, with fields trimmed.
	for _, r := range scanRawComuni(t, data) {
		c, ok := byCode[r.code]
		want := pcnet.Comune{
			Code: r.code, Name: r.name, NameItalian: r.nameItalian, NameOther: r.nameOther,
			ProvinceCode: r.unit, RegionCode: r.region, Capital: r.capital == "1", Population: r.population,
			CadastralCode: c.CadastralCode, // not in the raw scan
		}
		if !ok || !reflect.DeepEqual(c, want) {
			t.Errorf("line %d: got %+v, want %+v", r.line, c, want)
		}
	}
	if (&pcnet.Dataset{Geography: geo}).Validate() != nil {
		t.Errorf("geography does not validate: %v", (&pcnet.Dataset{Geography: geo}).Validate())
	}
	byCodeSorted := func(a, b string) int { return strings.Compare(a, b) }
	if !slices.IsSortedFunc(geo.Comuni, func(a, b pcnet.Comune) int { return byCodeSorted(a.Code, b.Code) }) ||
		!slices.IsSortedFunc(geo.Provinces, func(a, b pcnet.Province) int { return byCodeSorted(a.Code, b.Code) }) ||
		!slices.IsSortedFunc(geo.Regions, func(a, b pcnet.Region) int { return byCodeSorted(a.Code, b.Code) }) {
		t.Error("lists not sorted by code")
	}
}

func TestParseComuniShippedExamples(t *testing.T) {
	geo, _ := parseShipped(t)
	comune := func(code string) pcnet.Comune {
		i := slices.IndexFunc(geo.Comuni, func(c pcnet.Comune) bool { return c.Code == code })
		if i < 0 {
			t.Fatalf("no Comune %s", code)
		}
		return geo.Comuni[i]
	}
	comuni := []pcnet.Comune{
		{Code: "001272", CadastralCode: "L219", Name: "Torino", NameItalian: "Torino", ProvinceCode: "201", RegionCode: "01", Capital: true, Population: 872367},
		{Code: "001001", CadastralCode: "A074", Name: "Agliè", NameItalian: "Agliè", ProvinceCode: "201", RegionCode: "01", Population: 2644},
		{Code: "021008", CadastralCode: "A952", Name: "Bolzano/Bozen", NameItalian: "Bolzano", NameOther: "Bozen", ProvinceCode: "021", RegionCode: "04", Capital: true, Population: 102575},
		{Code: "108033", CadastralCode: "F704", Name: "Monza", NameItalian: "Monza", ProvinceCode: "108", RegionCode: "03", Capital: true, Population: 119856},
		{Code: "022235", CadastralCode: "M349", Name: "Altavalle", NameItalian: "Altavalle", ProvinceCode: "022", RegionCode: "04", Population: 1640}, // "1.640 " in the file
	}
	for _, want := range comuni {
		if got := comune(want.Code); !reflect.DeepEqual(got, want) {
			t.Errorf("Comune %s:\n got %+v\nwant %+v", want.Code, got, want)
		}
	}

	provinces := []pcnet.Province{
		{Code: "201", HistoricCode: "001", PlateCode: "TO", Name: "Torino", Kind: pcnet.KindMetropolitanCity, RegionCode: "01"},
		{Code: "108", HistoricCode: "108", PlateCode: "MB", Name: "Monza e della Brianza", Kind: pcnet.KindProvince, RegionCode: "03"},
		{Code: "021", HistoricCode: "021", PlateCode: "BZ", Name: "Bolzano/Bozen", Kind: pcnet.KindAutonomousProvince, RegionCode: "04"},
		{Code: "022", HistoricCode: "022", PlateCode: "TN", Name: "Trento", Kind: pcnet.KindAutonomousProvince, RegionCode: "04"},
		{Code: "030", HistoricCode: "030", PlateCode: "UD", Name: "Udine", Kind: pcnet.KindRegionalUnit, RegionCode: "06"},
		{Code: "032", HistoricCode: "032", PlateCode: "TS", Name: "Trieste", Kind: pcnet.KindRegionalUnit, RegionCode: "06"},
		{Code: "007", HistoricCode: "007", PlateCode: "AO", Name: "Valle d'Aosta/Vallée d'Aoste", Kind: pcnet.KindRegionAsProvince, RegionCode: "02"},
		{Code: "081", HistoricCode: "081", PlateCode: "TP", Name: "Trapani", Kind: pcnet.KindFreeConsortium, RegionCode: "19"},
		{Code: "282", HistoricCode: "082", PlateCode: "PA", Name: "Palermo", Kind: pcnet.KindMetropolitanCity, RegionCode: "19"},
		{Code: "111", HistoricCode: "111", PlateCode: "SU", Name: "Sud Sardegna", Kind: pcnet.KindProvince, RegionCode: "20"},
	}
	for _, want := range provinces {
		i := slices.IndexFunc(geo.Provinces, func(p pcnet.Province) bool { return p.Code == want.Code })
		if i < 0 || geo.Provinces[i] != want {
			t.Errorf("Province %s: got %+v, want %+v", want.Code, geo.Provinces[min(max(i, 0), len(geo.Provinces)-1)], want)
		}
	}

	if i := slices.IndexFunc(geo.Regions, func(r pcnet.Region) bool { return r.Code == "04" }); i < 0 || geo.Regions[i].Name != "Trentino-Alto Adige/Südtirol" {
		t.Errorf("region 04 missing or misnamed: %+v", geo.Regions)
	}
}

// TestProvinceKindCounts checks the kinds against public facts about the
// February 2020 units: Italy has 14 metropolitan cities, Sicily 6 free
// consortia besides its 3 metropolitan cities, there are 2 autonomous
// Provinces, Friuli-Venezia Giulia has 4 units and Valle d'Aosta 1; the
// other 80 are ordinary Provinces.
func TestProvinceKindCounts(t *testing.T) {
	geo, _ := parseShipped(t)
	got := map[pcnet.ProvinceKind]int{}
	for _, p := range geo.Provinces {
		got[p.Kind]++
	}
	want := map[pcnet.ProvinceKind]int{
		pcnet.KindMetropolitanCity:   14,
		pcnet.KindFreeConsortium:     6,
		pcnet.KindAutonomousProvince: 2,
		pcnet.KindRegionalUnit:       4,
		pcnet.KindRegionAsProvince:   1,
		pcnet.KindProvince:           80,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kinds: got %v, want %v", got, want)
	}
}

func TestParseComuniWindows1252(t *testing.T) {
	want, data := parseShipped(t)

	// Windows-1252 has no "č" (in Sovodnje ob Soči): ISTAT's own
	// Windows-1252 editions write a plain "c", and so does this copy.
	text := strings.ReplaceAll(string(bytes.TrimPrefix(data, []byte("\uFEFF"))), "č", "c")
	encoded, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatalf("encoding as Windows-1252: %v", err)
	}
	if bytes.Equal([]byte(encoded), []byte(text)) || utf8.ValidString(encoded) {
		t.Fatal("the Windows-1252 copy should differ from the UTF-8 one and not be valid UTF-8")
	}
	got, err := ParseComuni(strings.NewReader(encoded))
	if err != nil {
		t.Fatalf("ParseComuni(Windows-1252): %v", err)
	}

	changed := 0
	for i := range want.Comuni {
		c := &want.Comuni[i]
		before := *c
		c.Name = strings.ReplaceAll(c.Name, "č", "c")
		c.NameOther = strings.ReplaceAll(c.NameOther, "č", "c")
		if *c != before {
			changed++
		}
	}
	if changed != 1 {
		t.Errorf("expected exactly one Comune with a \"č\" (031022), found %d", changed)
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("the Windows-1252 copy gives a different geography")
		for i := range min(len(got.Comuni), len(want.Comuni)) {
			if got.Comuni[i] != want.Comuni[i] {
				t.Fatalf("first difference: got %+v, want %+v", got.Comuni[i], want.Comuni[i])
			}
		}
	}
}

// miniHeader is a short header in a different column order from ISTAT's,
// with the two quoted cells spanning lines as in the real file: it takes
// lines 1 to 3, so the first data row is line 4.
const miniHeader = "Codice Regione;\"Codice dell'Unità territoriale sovracomunale \n(valida a fini statistici)\";" +
	"Codice Provincia (Storico)(1);Codice Comune formato alfanumerico;Denominazione (Italiana e straniera);" +
	"Denominazione in italiano;Denominazione altra lingua;Denominazione regione;" +
	"\"Denominazione dell'Unità territoriale sovracomunale \n(valida a fini statistici)\";" +
	"Flag Comune capoluogo di provincia/città metropolitana/libero consorzio;Sigla automobilistica;" +
	"Codice Catastale del comune;Popolazione legale 2011 (09/10/2011)\r\n"

const (
	rowAglie   = "01;201;001; 001001 ;Agliè;Agliè;;Piemonte;Torino;0;TO;A074;2.644\r\n"
	rowTorino  = "01;201;001;001272;Torino;Torino;;Piemonte;Torino;1;TO;L219;872.367 \r\n"
	rowBolzano = "04;021;021;021008;Bolzano/Bozen;Bolzano;Bozen;Trentino-Alto Adige/Südtirol;Bolzano/Bozen;1;BZ;A952;102.575\r\n"
)

func TestParseComuniMini(t *testing.T) {
	got, err := ParseComuni(strings.NewReader("\uFEFF" + miniHeader + rowBolzano + rowTorino + rowAglie))
	if err != nil {
		t.Fatal(err)
	}
	want := pcnet.Geography{
		Regions: []pcnet.Region{{Code: "01", Name: "Piemonte"}, {Code: "04", Name: "Trentino-Alto Adige/Südtirol"}},
		Provinces: []pcnet.Province{
			{Code: "021", HistoricCode: "021", PlateCode: "BZ", Name: "Bolzano/Bozen", Kind: pcnet.KindAutonomousProvince, RegionCode: "04"},
			{Code: "201", HistoricCode: "001", PlateCode: "TO", Name: "Torino", Kind: pcnet.KindMetropolitanCity, RegionCode: "01"},
		},
		Comuni: []pcnet.Comune{
			{Code: "001001", CadastralCode: "A074", Name: "Agliè", NameItalian: "Agliè", ProvinceCode: "201", RegionCode: "01", Population: 2644},
			{Code: "001272", CadastralCode: "L219", Name: "Torino", NameItalian: "Torino", ProvinceCode: "201", RegionCode: "01", Capital: true, Population: 872367},
			{Code: "021008", CadastralCode: "A952", Name: "Bolzano/Bozen", NameItalian: "Bolzano", NameOther: "Bozen", ProvinceCode: "021", RegionCode: "04", Capital: true, Population: 102575},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestParseComuniMalformed(t *testing.T) {
	tests := []struct {
		name  string
		input string
		line  int    // line of the first problem; 0 for errors not about a line
		want  string // in the error message
	}{
		{"empty file", "", 0, "empty"},
		{"only a byte-order mark", "\uFEFF", 0, "empty"},
		{"header only", miniHeader, 0, "no Comuni"},
		{"missing column", strings.Replace(miniHeader, "Sigla automobilistica", "Targa", 1) + rowAglie, 1,
			`line 1: the header has no column starting with "Sigla automobilistica"`},
		{"two missing columns", strings.Replace(strings.Replace(miniHeader, "Sigla automobilistica", "Targa", 1), "Popolazione", "Abitanti", 1), 1,
			`"Sigla automobilistica", "Popolazione legale 2011"`},
		{"bad population", miniHeader + rowAglie + strings.Replace(rowTorino, "872.367", "2.6x4", 1), 5,
			`line 5: population "2.6x4" is not a number`},
		{"population with a decimal comma", miniHeader + strings.Replace(rowAglie, "2.644", "2,644", 1), 4,
			`line 4: population "2,644" is not a number`},
		{"population with a short group", miniHeader + strings.Replace(rowAglie, "2.644", "26.44", 1), 4,
			`population "26.44" is not a number`},
		{"empty population", miniHeader + strings.Replace(rowAglie, "2.644", " ", 1), 4,
			`line 4: population "" is not a number`},
		{"bad Comune code", miniHeader + strings.Replace(rowAglie, " 001001 ", "12a", 1), 4,
			`line 4: Comune code "12a" is not six digits`},
		{"Comune code without leading zeros", miniHeader + strings.Replace(rowAglie, " 001001 ", "1001", 1), 4,
			`line 4: Comune code "1001" is not six digits`},
		{"Comune code of another province", miniHeader + strings.Replace(rowAglie, " 001001 ", "002001", 1), 4,
			`line 4: Comune code "002001" does not start with its historic province code "001"`},
		{"bad region code", miniHeader + rowAglie + rowTorino + strings.Replace(rowBolzano, "04;", "4;", 1), 6,
			`line 6: region code "4" is not two digits`},
		{"bad province code", miniHeader + strings.Replace(rowAglie, ";201;", ";2o1;", 1), 4,
			`line 4: province code "2o1" is not three digits`},
		{"bad capital flag", miniHeader + strings.Replace(rowTorino, ";1;TO;", ";si;TO;", 1), 4,
			`line 4: capital flag "si" is neither 0 nor 1`},
		{"bad plate", miniHeader + strings.Replace(rowTorino, ";TO;", ";T0;", 1), 4,
			`line 4: car-plate code "T0" is not two letters`},
		{"bad cadastral code", miniHeader + strings.Replace(rowTorino, "L219", "219", 1), 4,
			`line 4: cadastral code "219" is not a letter and three digits`},
		{"empty name", miniHeader + strings.Replace(rowTorino, ";Torino;Torino;;", ";;Torino;;", 1), 4,
			`line 4: empty Comune name`},
		{"too few fields", miniHeader + rowAglie + "01;201;001;001272;Torino\r\n", 5,
			`line 5: 5 fields, but the header has 13`},
		{"too many fields", miniHeader + strings.TrimSuffix(rowAglie, "\r\n") + ";extra\r\n", 4,
			`line 4: 14 fields, but the header has 13`},
		{"comma-separated by mistake", miniHeader + strings.ReplaceAll(rowAglie, ";", ","), 4,
			`line 4: 1 fields`},
		{"duplicate Comune", miniHeader + rowAglie + rowTorino + strings.Replace(rowAglie, "A074", "Z999", 1), 6,
			`line 6: Comune 001001 is already listed on line 4`},
		{"duplicate cadastral code", miniHeader + rowAglie + strings.Replace(rowTorino, "L219", "A074", 1), 5,
			`line 5: cadastral code A074 of Comune 001272 is already used by Comune 001001 on line 4`},
		{"province in another region", miniHeader + rowAglie + strings.Replace(rowTorino, "01;", "02;", 1), 5,
			`line 5: province 201 has region "02" here but "01" on line 4`},
		{"province renamed", miniHeader + rowAglie + strings.Replace(rowTorino, ";Piemonte;Torino;", ";Piemonte;Turin;", 1), 5,
			`line 5: province 201 has name "Turin" here but "Torino" on line 4`},
		{"region renamed", miniHeader + rowAglie + strings.Replace(rowTorino, "Piemonte", "Piedmont", 1), 5,
			`line 5: region 01 is named "Piedmont" here but "Piemonte" on line 4`},
		{"bare quote", miniHeader + rowAglie + strings.Replace(rowTorino, "Torino;Torino", `Tor"ino;Torino`, 1), 5,
			`line 5: malformed CSV`},
		{"unclosed quote swallows the rest", miniHeader + rowAglie + strings.Replace(rowTorino, "Torino;Torino", `"Torino;Torino`, 1) + rowBolzano, 6,
			`malformed CSV`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			geo, err := ParseComuni(strings.NewReader(tt.input))
			if err == nil {
				t.Fatalf("no error; geography %+v", geo)
			}
			if !reflect.DeepEqual(geo, pcnet.Geography{}) {
				t.Errorf("partial result with the error: %+v", geo)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			var le *LineError
			switch {
			case tt.line == 0 && errors.As(err, &le):
				t.Errorf("error names line %d, want none", le.Line)
			case tt.line != 0 && !errors.As(err, &le):
				t.Errorf("error %q carries no *LineError", err)
			case tt.line != 0 && le.Line != tt.line:
				t.Errorf("first problem on line %d, want %d (%v)", le.Line, tt.line, err)
			}
		})
	}
}

func TestParseComuniCollectsErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString(miniHeader)
	const bad = 15
	for range bad {
		b.WriteString(strings.Replace(rowAglie, "2.644", "n/a", 1)) // also duplicates from the second on
	}
	_, err := ParseComuni(strings.NewReader(b.String()))
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is not a *ParseError", err)
	}
	if len(pe.Problems) != MaxErrors {
		t.Errorf("listed %d problems, want %d", len(pe.Problems), MaxErrors)
	}
	if total := len(pe.Problems) + pe.More; total != bad {
		t.Errorf("counted %d problems, want %d", total, bad)
	}
	for i, p := range pe.Problems {
		if p.Line != 4+i {
			t.Errorf("problem %d on line %d, want %d", i, p.Line, 4+i)
		}
	}
	if !strings.Contains(err.Error(), "15 problems") || !strings.Contains(err.Error(), "and 5 more") {
		t.Errorf("message %q does not give the totals", err)
	}
}

func TestParsePopulation(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"2.644", 2644, true},
		{"2644", 2644, true},
		{"0", 0, true},
		{"2.617.175", 2617175, true},
		{"462", 462, true},
		{"", 0, false},
		{".644", 0, false},
		{"2.", 0, false},
		{"2..644", 0, false},
		{"2644.123", 0, false}, // first group too long for a grouped number
		{"2.64", 0, false},
		{"-5", 0, false},
		{"+5", 0, false},
		{"1.000.000.000", 0, false}, // beyond any Comune, and near overflow
		{"99999999999999999999999", 0, false},
	}
	for _, tt := range tests {
		got, ok := parsePopulation(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parsePopulation(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
