package pcnet

import "context"

// Store reads the network. It is implemented by the embedded store
// (internal/memory) and by Neo4j (internal/neo4j); both must pass the
// conformance suite in internal/storetest, so they give identical answers.
//
// Methods take filters whose list fields select "any of": a filter with
// ProvinceCodes {"108", "015"} returns the items of both. That is how the
// GraphQL layer batches the children of many parents into one round trip.
// Every list comes back in a stable, documented order.
//
// Validation of user input (code formats, page sizes) is the caller's job;
// stores may assume well-formed filters. Unknown codes simply match nothing.
type Store interface {
	// Regions returns the regions whose codes are listed, or all when codes
	// is empty, ordered by code.
	Regions(ctx context.Context, codes []string) ([]Region, error)

	// Provinces returns the Provinces matching f, ordered by code.
	Provinces(ctx context.Context, f ProvinceFilter) ([]Province, error)

	// Comuni answers a batch of queries in one round trip: result i is the
	// page of Comuni matching queries[i].
	Comuni(ctx context.Context, queries []ComuneQuery) ([]ComunePage, error)

	// Sectors returns the sector taxonomy, ordered by code, each with its
	// areas ordered by code.
	Sectors(ctx context.Context) ([]Sector, error)

	// Services returns the shared services matching f, ordered by ID.
	Services(ctx context.Context, f ServiceFilter) ([]SharedService, error)

	// Coverages answers a batch of queries in one round trip: result i is
	// the page of coverages matching queries[i].
	Coverages(ctx context.Context, queries []CoverageQuery) ([]CoveragePage, error)

	// Tutorships returns the tutorships matching f, ordered by sector,
	// tutor code, tutored code and start date.
	Tutorships(ctx context.Context, f TutorshipFilter) ([]Tutorship, error)

	// ProjectWorks returns the project works matching f, ordered by ID.
	ProjectWorks(ctx context.Context, f ProjectWorkFilter) ([]ProjectWork, error)
}

// Page selects part of an ordered list: at most Limit items strictly after
// the key After (from the start when nil). The zero Page selects
// everything. Pages are key-set, not offsets: a write between two pages
// neither skips nor repeats items.
type Page struct {
	After     *Key
	Limit     int  // 0 means no limit
	CountOnly bool // return no items, only the total (a connection asked for first: 0)
}

// ProvinceFilter selects Provinces. Empty fields don't filter.
type ProvinceFilter struct {
	Codes       []string
	PlateCodes  []string // upper case
	RegionCodes []string
	Kinds       []ProvinceKind
}

// ComuneFilter selects Comuni. Empty or nil fields don't filter.
type ComuneFilter struct {
	Codes         []string
	ProvinceCodes []string
	RegionCodes   []string
	// NameContains keeps Comuni whose name (Italian, other language or
	// bilingual) contains it, ignoring case and accents: "cantu" finds "Cantù".
	NameContains  string
	MinPopulation *int // inclusive
	MaxPopulation *int // inclusive
	Small         *bool
	Capital       *bool
	// Coverage keeps Comuni covered (or not covered) in a sector or area on
	// a date; nil doesn't filter.
	Coverage *CoverageCondition
	// Retired keeps the retired Comuni (true) or the current ones (false);
	// nil means false: retired Comuni are left out unless asked for.
	Retired *bool
}

// CoverageCondition is the "covered or not covered in a sector" filter: a
// Comune is covered when some coverage of a service in the sector (or area)
// is active on AsOf.
type CoverageCondition struct {
	SectorCode string // one of SectorCode and AreaCode is set
	AreaCode   string
	AsOf       Date
	Covered    bool // true: keep covered Comuni; false: keep the uncovered ones
}

// ComuneOrder is the order of a list of Comuni. Ties are always broken by
// code, so the order is total.
type ComuneOrder string

const (
	ComuneByCode           ComuneOrder = "CODE"
	ComuneByName           ComuneOrder = "NAME"            // by Name, byte-wise, then code
	ComuneByPopulationDesc ComuneOrder = "POPULATION_DESC" // largest first, then code
	ComuneByPopulationAsc  ComuneOrder = "POPULATION_ASC"  // smallest first, then code
)

// ComuneQuery is one page of Comuni matching a filter in an order.
type ComuneQuery struct {
	Filter ComuneFilter
	Order  ComuneOrder
	Page   Page
}

// ComunePage is a page of Comuni and the total number matching the filter.
type ComunePage struct {
	Comuni []Comune
	Total  int  // the whole filtered list, wherever the page starts
	More   bool // items follow the page
}

// ServiceFilter selects shared services. Empty fields don't filter.
type ServiceFilter struct {
	IDs           []string
	ProviderCodes []string
	RegionCodes   []string // region of the provider
	SectorCodes   []string
	AreaCodes     []string
	Statuses      []ServiceStatus
}

// CoverageFilter selects coverages. Empty or zero fields don't filter.
type CoverageFilter struct {
	ServiceIDs  []string
	ComuneCodes []string
	Phases      []CoveragePhase
	ActiveOn    Date // keep coverages whose period includes this date
}

// CoverageQuery is one page of coverages. Coverages are ordered by service
// ID, then Comune code, then start date.
type CoverageQuery struct {
	Filter CoverageFilter
	Page   Page
}

// CoveragePage is a page of coverages and the total number matching.
type CoveragePage struct {
	Coverages []Coverage
	Total     int  // the whole filtered list, wherever the page starts
	More      bool // items follow the page
}

// TutorshipFilter selects tutorships. Empty or zero fields don't filter.
type TutorshipFilter struct {
	TutorCodes   []string
	TutoredCodes []string
	SectorCodes  []string
	ActiveOn     Date
}

// ProjectWorkFilter selects project works. Empty fields don't filter.
type ProjectWorkFilter struct {
	IDs           []string
	ProvinceCodes []string
	AreaCodes     []string
	SectorCodes   []string
	Maturities    []Maturity
	ServiceIDs    []string
}
