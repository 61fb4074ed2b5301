package istat

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"pcnet/internal/pcnet"
)

// column names a column of the Comuni list that the parser needs.
type column int

const (
	colRegionCode column = iota
	colUnitCode
	colHistoricCode
	colComuneCode
	colName
	colNameItalian
	colNameOther
	colRegionName
	colUnitName
	colCapital
	colPlateCode
	colCadastralCode
	colPopulation
	numColumns
)

// comuniHeaders are the beginnings of the header cells that hold each
// column, as ISTAT writes them. Columns are found by name, not position,
// because ISTAT has added and reordered columns between editions; the
// prefix match (after normalizeHeader) ignores footnote marks such as
// "(1)", the census date after "Popolazione legale 2011", the
// "(valida a fini statistici)" on a second line, case and accents.
var comuniHeaders = [numColumns]string{
	colRegionCode:    "Codice Regione",
	colUnitCode:      "Codice dell'Unità territoriale sovracomunale",
	colHistoricCode:  "Codice Provincia (Storico)",
	colComuneCode:    "Codice Comune formato alfanumerico",
	colName:          "Denominazione (Italiana e straniera)",
	colNameItalian:   "Denominazione in italiano",
	colNameOther:     "Denominazione altra lingua",
	colRegionName:    "Denominazione regione",
	colUnitName:      "Denominazione dell'Unità territoriale sovracomunale",
	colCapital:       "Flag Comune capoluogo",
	colPlateCode:     "Sigla automobilistica",
	colCadastralCode: "Codice Catastale",
	colPopulation:    "Popolazione legale 2011",
}

// ParseComuni reads the ISTAT list of Comuni ("Elenco dei codici e delle
// denominazioni delle unità territoriali", semicolon-separated, UTF-8 or
// Windows-1252) and returns its geography: regions, province-level units
// and Comuni, each sorted by code. Comuni come without coordinates; see
// ApplyCoordinates.
//
// Any malformed row fails the parse: the error is a *ParseError listing
// the first MaxErrors problems, each a *LineError naming the physical line
// of the input. There is no partial result.
func ParseComuni(r io.Reader) (pcnet.Geography, error) {
	text, err := readText(r)
	if err != nil {
		return pcnet.Geography{}, fmt.Errorf("istat: reading the Comuni list: %w", err)
	}
	cr := newCSV(text, ';')

	// One Comune a line, give or take the header: sizing for that spares
	// the parser the copying of growing slices and maps. The cap, well
	// above the number of Italian Comuni (7,904 in the shipped list),
	// keeps a file of empty lines from reserving far more than it takes.
	lines := min(bytes.Count(text, []byte{'\n'})+1, 10_000)
	p := comuniParser{
		problems:  problems{file: "Comuni list"},
		regions:   make(map[string]seenRegion),
		provinces: make(map[string]seenProvince),
		comuni:    make(map[string]int, lines),
		cadastral: make(map[string]seenCode, lines),
	}
	p.geo.Comuni = make([]pcnet.Comune, 0, lines)
	header, err := cr.Read()
	if err == io.EOF {
		return pcnet.Geography{}, errors.New("istat: the Comuni list is empty: no header line")
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		p.add(pe.Line, "malformed header: %v", pe.Err)
		return pcnet.Geography{}, p.err()
	} else if err != nil {
		return pcnet.Geography{}, fmt.Errorf("istat: reading the Comuni list: %w", err)
	}
	headerLine, _ := cr.FieldPos(0)
	if !p.locateColumns(headerLine, header) {
		return pcnet.Geography{}, p.err()
	}

	malformed := func(line int, err error) { p.add(line, "malformed CSV: %v", err) }
	if err := eachRow(cr, p.row, malformed); err != nil {
		return pcnet.Geography{}, fmt.Errorf("istat: reading the Comuni list: %w", err)
	}
	if err := p.err(); err != nil {
		return pcnet.Geography{}, err
	}
	if len(p.geo.Comuni) == 0 {
		return pcnet.Geography{}, errors.New("istat: the Comuni list has a header but no Comuni")
	}
	slices.SortFunc(p.geo.Regions, func(a, b pcnet.Region) int { return cmp.Compare(a.Code, b.Code) })
	slices.SortFunc(p.geo.Provinces, func(a, b pcnet.Province) int { return cmp.Compare(a.Code, b.Code) })
	slices.SortFunc(p.geo.Comuni, func(a, b pcnet.Comune) int { return cmp.Compare(a.Code, b.Code) })
	return p.geo, nil
}

// seenRegion, seenProvince and seenCode remember where an item was first
// read, so that later rows that disagree can name the line they disagree with.
type (
	seenRegion struct {
		pcnet.Region
		line int
	}
	seenProvince struct {
		index int // in geo.Provinces
		line  int
	}
	seenCode struct {
		code string
		line int
	}
)

// comuniParser holds the state of one ParseComuni.
type comuniParser struct {
	problems
	cols      [numColumns]int // index of each column in a record
	nfields   int             // fields in the header, and so in every row
	geo       pcnet.Geography
	regions   map[string]seenRegion
	provinces map[string]seenProvince
	comuni    map[string]int      // code → line
	cadastral map[string]seenCode // cadastral code → Comune code and line
}

// locateColumns finds every needed column in the header and reports the
// missing ones as one problem.
func (p *comuniParser) locateColumns(line int, header []string) bool {
	p.nfields = len(header)
	normalized := make([]string, len(header))
	for i, h := range header {
		normalized[i] = normalizeHeader(h)
	}
	var missing []string
	for c, want := range comuniHeaders {
		prefix := normalizeHeader(want)
		i := slices.IndexFunc(normalized, func(h string) bool { return strings.HasPrefix(h, prefix) })
		if i < 0 {
			missing = append(missing, strconv.Quote(want))
			continue
		}
		p.cols[c] = i
	}
	if len(missing) > 0 {
		p.add(line, "the header has no column starting with %s: is this the ISTAT list of Comuni?", strings.Join(missing, ", "))
		return false
	}
	return true
}

// row checks one record and adds its Comune, and its region and Province
// when they are new, to the geography.
func (p *comuniParser) row(line int, rec []string) {
	if len(rec) != p.nfields {
		p.add(line, "%d fields, but the header has %d (fields are separated by ';')", len(rec), p.nfields)
		return
	}
	field := func(c column) string { return strings.TrimSpace(rec[p.cols[c]]) }
	ok := true
	// bad is called only on failure, so a good row boxes no arguments:
	// the parser allocates little more than the Comuni themselves.
	bad := func(format string, args ...any) {
		p.add(line, format, args...)
		ok = false
	}

	regionCode, unitCode, historicCode := field(colRegionCode), field(colUnitCode), field(colHistoricCode)
	code, cadastral := field(colComuneCode), strings.ToUpper(field(colCadastralCode))
	if !isDigits(regionCode, 2) {
		bad("region code %q is not two digits", regionCode)
	}
	if !isDigits(unitCode, 3) {
		bad("province code %q is not three digits", unitCode)
	}
	if !isDigits(historicCode, 3) {
		bad("historic province code %q is not three digits", historicCode)
	}
	switch {
	case !isDigits(code, 6):
		bad("Comune code %q is not six digits", code)
	case isDigits(historicCode, 3) && code[:3] != historicCode:
		// ISTAT builds a Comune's code from its historic province code
		// and its progressive number: a mismatch means shifted columns.
		bad("Comune code %q does not start with its historic province code %q", code, historicCode)
	}
	if !isCadastralCode(cadastral) {
		bad("cadastral code %q is not a letter and three digits", cadastral)
	}

	name, nameItalian, nameOther := field(colName), field(colNameItalian), field(colNameOther)
	regionName, unitName := field(colRegionName), field(colUnitName)
	for _, f := range []struct{ value, what string }{
		{name, "Comune name"}, {nameItalian, "Italian Comune name"}, {regionName, "region name"}, {unitName, "province name"},
	} {
		if f.value == "" {
			bad("empty %s", f.what)
		}
	}

	capital := field(colCapital)
	if capital != "0" && capital != "1" {
		bad("capital flag %q is neither 0 nor 1", capital)
	}
	plate := strings.ToUpper(field(colPlateCode))
	if !isPlateCode(plate) {
		bad("car-plate code %q is not two letters", plate)
	}
	popText := field(colPopulation)
	population, popOK := parsePopulation(popText)
	if !popOK {
		bad("population %q is not a number", popText)
	}
	if !ok {
		return
	}

	if r, seen := p.regions[regionCode]; !seen {
		p.regions[regionCode] = seenRegion{pcnet.Region{Code: regionCode, Name: regionName}, line}
		p.geo.Regions = append(p.geo.Regions, pcnet.Region{Code: regionCode, Name: regionName})
	} else if r.Name != regionName {
		bad("region %s is named %q here but %q on line %d", regionCode, regionName, r.Name, r.line)
	}

	province := pcnet.Province{
		Code:         unitCode,
		HistoricCode: historicCode,
		PlateCode:    plate,
		Name:         unitName,
		Kind:         provinceKind(unitCode, regionCode),
		RegionCode:   regionCode,
	}
	if s, seen := p.provinces[unitCode]; !seen {
		p.provinces[unitCode] = seenProvince{len(p.geo.Provinces), line}
		p.geo.Provinces = append(p.geo.Provinces, province)
	} else if first := p.geo.Provinces[s.index]; first != province {
		for _, d := range []struct{ what, here, there string }{
			{"region", province.RegionCode, first.RegionCode},
			{"historic code", province.HistoricCode, first.HistoricCode},
			{"car-plate code", province.PlateCode, first.PlateCode},
			{"name", province.Name, first.Name},
		} {
			if d.here != d.there {
				bad("province %s has %s %q here but %q on line %d", unitCode, d.what, d.here, d.there, s.line)
			}
		}
	}

	if first, dup := p.comuni[code]; dup {
		bad("Comune %s is already listed on line %d", code, first)
	}
	if s, dup := p.cadastral[cadastral]; dup {
		bad("cadastral code %s of Comune %s is already used by Comune %s on line %d", cadastral, code, s.code, s.line)
	}
	if !ok {
		return
	}
	p.comuni[code] = line
	p.cadastral[cadastral] = seenCode{code, line}
	p.geo.Comuni = append(p.geo.Comuni, pcnet.Comune{
		Code:          code,
		CadastralCode: cadastral,
		Name:          name,
		NameItalian:   nameItalian,
		NameOther:     nameOther,
		ProvinceCode:  unitCode,
		RegionCode:    regionCode,
		Capital:       capital == "1",
		Population:    population,
	})
}

// provinceKind tells the kind of a province-level unit from its ISTAT code
// and region. The list has no column for it, but the codes carry it:
//
//   - metropolitan cities have unit codes 2xx (201 Torino … 292 Cagliari),
//     their historic province code plus 200: 14 in the February 2020 list;
//   - the other units of Sicily (region 19) are free municipal consortia
//     (Liberi consorzi comunali): Trapani, Agrigento, Caltanissetta, Enna,
//     Ragusa, Siracusa;
//   - Trentino-Alto Adige/Südtirol (04) has the two autonomous Provinces;
//   - Friuli-Venezia Giulia (06) abolished its Provinces in 2017-18; its
//     four units are regional decentralisation units. In the February 2020
//     list they keep the old province codes (030 Udine, 031 Gorizia, 032
//     Trieste, 093 Pordenone), not a 3xx series, so they are told apart by
//     region rather than by code;
//   - Valle d'Aosta/Vallée d'Aoste (02) is a single unit, the region itself;
//   - every other unit is an ordinary Province.
//
// The metropolitan test comes first: it also covers Palermo, Messina and
// Catania (Sicily) and would cover a future metropolitan Trieste.
func provinceKind(unitCode, regionCode string) pcnet.ProvinceKind {
	switch {
	case strings.HasPrefix(unitCode, "2"):
		return pcnet.KindMetropolitanCity
	case regionCode == "19":
		return pcnet.KindFreeConsortium
	case regionCode == "04":
		return pcnet.KindAutonomousProvince
	case regionCode == "06":
		return pcnet.KindRegionalUnit
	case regionCode == "02":
		return pcnet.KindRegionAsProvince
	default:
		return pcnet.KindProvince
	}
}

// parsePopulation parses a head count written with or without "."
// thousands separators ("2.644", "2644"). A grouped number must have groups
// of exactly three digits after the first, so "2.6" or "26.44" (decimal
// marks, or a mangled cell) are refused rather than misread.
func parsePopulation(s string) (int, bool) {
	n, digits, group := 0, 0, 0 // group: digits since the last "."
	grouped := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			n = n*10 + int(c-'0')
			digits++
			group++
		case c == '.' && group > 0 && (!grouped && group <= 3 || grouped && group == 3):
			grouped, group = true, 0
		default:
			return 0, false
		}
	}
	// Nine digits keeps n far from overflow and above any real Comune.
	return n, group > 0 && (!grouped || group == 3) && digits <= 9
}

// isCadastralCode reports whether s looks like a cadastral code: a letter
// and three digits, such as "L219".
func isCadastralCode(s string) bool {
	return len(s) == 4 && s[0] >= 'A' && s[0] <= 'Z' && isDigits(s[1:], 3)
}

// isPlateCode reports whether s is two upper-case ASCII letters.
func isPlateCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
