package pcnet

import (
	"regexp"
	"strings"
)

// SmallComuneThreshold is the population under which a Comune counts as
// small ("piccolo Comune", fewer than 5,000 inhabitants).
const SmallComuneThreshold = 5000

// Region is one of Italy's 20 regions.
type Region struct {
	Code string // two-digit ISTAT code, e.g. "03" for Lombardia
	Name string // e.g. "Lombardia"
}

// ProvinceKind says what kind of province-level unit a Province is.
type ProvinceKind string

const (
	KindProvince           ProvinceKind = "PROVINCE"            // Provincia
	KindMetropolitanCity   ProvinceKind = "METROPOLITAN_CITY"   // Città metropolitana (ISTAT codes 2xx)
	KindFreeConsortium     ProvinceKind = "FREE_CONSORTIUM"     // Libero consorzio comunale (Sicily)
	KindAutonomousProvince ProvinceKind = "AUTONOMOUS_PROVINCE" // Trento, Bolzano/Bozen
	KindRegionalUnit       ProvinceKind = "REGIONAL_UNIT"       // Friuli-Venezia Giulia's decentralisation units
	KindRegionAsProvince   ProvinceKind = "REGION_AS_PROVINCE"  // Valle d'Aosta
)

// ProvinceKinds lists every ProvinceKind in a stable order.
var ProvinceKinds = []ProvinceKind{KindProvince, KindMetropolitanCity, KindFreeConsortium, KindAutonomousProvince, KindRegionalUnit, KindRegionAsProvince}

// Province is an ISTAT province-level unit ("unità territoriale sovracomunale"):
// a Province, metropolitan city, free municipal consortium and so on. The
// service calls them all Provinces and tells them apart by Kind.
type Province struct {
	Code         string       // three-digit ISTAT code of the unit, e.g. "108" (Monza e della Brianza), "201" (Torino)
	HistoricCode string       // historic province code, e.g. "001" for Torino
	PlateCode    string       // car-plate code, e.g. "MB"
	Name         string       // e.g. "Monza e della Brianza"
	Kind         ProvinceKind // derived from the ISTAT data
	RegionCode   string
}

// Comune is an Italian municipality.
type Comune struct {
	Code          string   // six-digit ISTAT code with leading zeros, e.g. "001272" (Torino)
	CadastralCode string   // e.g. "L219"
	Name          string   // official name, bilingual where there is one ("Bolzano/Bozen")
	NameItalian   string   // the Italian name ("Bolzano")
	NameOther     string   // the name in the other language, if any ("Bozen")
	ProvinceCode  string   // ISTAT code of the province-level unit
	RegionCode    string   // ISTAT code of the region
	Capital       bool     // capital (capoluogo) of its Province
	Population    int      // legal population, 2011 census
	Latitude      *float64 // WGS84, nil where unknown
	Longitude     *float64
	// Retired: gone from the ISTAT list but kept because something still
	// refers to it (a coverage). Retired Comuni count in no base, total or
	// gap, and lists leave them out unless asked (ComuneFilter.Retired).
	Retired bool
}

// Small reports whether c has fewer than SmallComuneThreshold inhabitants.
func (c Comune) Small() bool { return c.Population < SmallComuneThreshold }

var (
	comuneCodeRE   = regexp.MustCompile(`^[0-9]{6}$`)
	provinceCodeRE = regexp.MustCompile(`^[0-9]{3}$`)
	regionCodeRE   = regexp.MustCompile(`^[0-9]{2}$`)
	plateCodeRE    = regexp.MustCompile(`^[A-Za-z]{2}$`)
)

// ValidateComuneCode checks that s is a six-digit ISTAT Comune code. field
// names the input in the error (e.g. "istat").
func ValidateComuneCode(field, s string) error {
	if !comuneCodeRE.MatchString(s) {
		return Invalidf(field, "%s: %q is not an ISTAT Comune code: six digits expected, such as \"001272\"", field, s)
	}
	return nil
}

// ValidateProvinceCode checks that s is a three-digit ISTAT province-level code.
func ValidateProvinceCode(field, s string) error {
	if !provinceCodeRE.MatchString(s) {
		return Invalidf(field, "%s: %q is not an ISTAT Province code: three digits expected, such as \"108\"", field, s)
	}
	return nil
}

// ValidateRegionCode checks that s is a two-digit ISTAT region code.
func ValidateRegionCode(field, s string) error {
	if !regionCodeRE.MatchString(s) {
		return Invalidf(field, "%s: %q is not an ISTAT region code: two digits expected, such as \"03\"", field, s)
	}
	return nil
}

// NormalizePlateCode checks that s is a two-letter car-plate code and
// returns it in upper case.
func NormalizePlateCode(field, s string) (string, error) {
	if !plateCodeRE.MatchString(s) {
		return "", Invalidf(field, "%s: %q is not a car-plate code: two letters expected, such as \"MB\"", field, s)
	}
	return strings.ToUpper(s), nil
}
