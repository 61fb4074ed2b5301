package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"pcnet/internal/pcnet"
)

// DefaultLoaderWait is the dataloaders' fallback time window. With the
// LevelBatching extension installed, the planner sends each level's
// batches as soon as it has queued them, without waiting (see batcher.go);
// the window only applies to operations it doesn't plan (subscription
// events): there a pending batch goes to the store this long after its
// first key.
const DefaultLoaderWait = 5 * time.Millisecond

// Loaders are the per-request dataloaders. Each batches the loads of one
// relation made while resolving one level of a query into a single store
// call, and caches the answers for the rest of the request. Make a fresh set
// for every request with NewLoaders and install it with WithLoaders.
type Loaders struct {
	store   Backend
	wait    time.Duration
	tracker *levelTracker

	allRegions         *loader[struct{}, []pcnet.Region]
	provincesWhere     *loader[queryKey, []pcnet.Province]
	servicesWhere      *loader[queryKey, []pcnet.SharedService]
	regionByCode       *loader[string, *pcnet.Region]
	provinceByCode     *loader[string, *pcnet.Province]
	provincesByRegion  *loader[string, []pcnet.Province]
	comuneByCode       *loader[string, *pcnet.Comune]
	comuneInContext    *loader[string, *pcnet.Comune]
	comunePages        *loader[queryKey, pcnet.ComunePage]
	taxonomy           *loader[struct{}, *taxonomy]
	serviceByID        *loader[string, *pcnet.SharedService]
	servicesByProvider *loader[string, []pcnet.SharedService]
	servicesByArea     *loader[string, []pcnet.SharedService]
	coveragePages      *loader[queryKey, pcnet.CoveragePage]
	coveragesByComune  *loader[comuneCoverageKey, []pcnet.Coverage]
	tutorshipsByTutor  *loader[tutorshipKey, []pcnet.Tutorship]
	tutorshipsByTutee  *loader[tutorshipKey, []pcnet.Tutorship]
	projectWorksByProv *loader[string, []pcnet.ProjectWork]
	projectWorksBySvc  *loader[string, []pcnet.ProjectWork]
	projectWorkByID    *loader[string, *pcnet.ProjectWork]  // a project work's adapted model
	projectWorksByArea *loader[string, []pcnet.ProjectWork] // an area's working group
	reach              *loader[queryKey, []pcnet.ReachRow]
	comuniSummaries    *loader[queryKey, pcnet.ComuneSummary]
	// Per-item analytics (analytics_batch.go): cached like the others (the
	// planner fetches them ahead of the resolvers), and cleared with them
	// after a write.
	peers      *loader[pcnet.PeerQuery, []pcnet.Peer]
	tutorLinks *loader[pcnet.TutorLinkQuery, []pcnet.TutorLink]
	nearest    *loader[pcnet.NearestQuery, []pcnet.ProviderDistance]
}

// queryKey is a store query (a pcnet.ComuneQuery, a coverageRequest
// wrapping a pcnet.CoverageQuery, a pcnet.ReachQuery or a
// pcnet.ComuneFilter) encoded as JSON: the queries hold slices, so they
// can't be map keys themselves, and equal queries encode equally.
type queryKey string

func keyOf(q any) queryKey {
	b, err := json.Marshal(q)
	if err != nil {
		panic(fmt.Sprintf("graph: encoding a store query: %v", err)) // plain structs always encode
	}
	return queryKey(b)
}

// coverageRequest is the key of a coverage page: the store query and
// whether the caller will want the covered Comuni, to be fetched with the
// next batch.
type coverageRequest struct {
	Query      pcnet.CoverageQuery
	WithComuni bool
}

// comuneCoverageKey asks for the coverages of one Comune.
type comuneCoverageKey struct {
	code     string
	activeOn pcnet.Date
	phase    pcnet.CoveragePhase
}

// tutorshipKey asks for the tutorships of one Province, in one sector or
// (sector "") in all.
type tutorshipKey struct {
	code   string
	sector string
}

// taxonomy is the sector taxonomy indexed by code.
type taxonomy struct {
	sectors []pcnet.Sector
	sector  map[string]*pcnet.Sector
	area    map[string]*pcnet.Area
}

// NewLoaders returns a fresh set of dataloaders reading from store; wait is
// their fallback time window (0 for DefaultLoaderWait; see
// DefaultLoaderWait and LevelBatching).
func NewLoaders(store Backend, wait time.Duration) *Loaders {
	if wait <= 0 {
		wait = DefaultLoaderWait
	}
	t := &levelTracker{}
	l := &Loaders{store: store, wait: wait, tracker: t}
	// Regions and Provinces are fetched by the codes a level asks for, and
	// cached for the request with those fetched through other relations (a
	// region's Provinces), so a Comune's Province is usually known already.
	l.regionByCode = newLoader(t, wait, oneByKey(store.Regions, func(r pcnet.Region) string { return r.Code }))
	l.provinceByCode = newLoader(t, wait, oneByKey(by(store.Provinces, func(codes []string) pcnet.ProvinceFilter { return pcnet.ProvinceFilter{Codes: codes} }), func(p pcnet.Province) string { return p.Code }))
	l.provincesByRegion = newLoader(t, wait, groupByKey(by(store.Provinces, func(codes []string) pcnet.ProvinceFilter { return pcnet.ProvinceFilter{RegionCodes: codes} }), l.primeProvinces, func(p pcnet.Province) string { return p.RegionCode }))
	// The root lists: through loaders too, so the planner can run their
	// resolvers ahead (batcher.go). A batch of filters is a call for each.
	l.allRegions = newLoader(t, wait, func(ctx context.Context, keys []struct{}) ([][]pcnet.Region, []error) {
		regions, err := store.Regions(ctx, nil)
		if err != nil {
			return nil, []error{err}
		}
		l.primeRegions(regions)
		return repeat(regions, len(keys)), nil
	})
	l.provincesWhere = newLoader(t, wait, func(ctx context.Context, keys []queryKey) ([][]pcnet.Province, []error) {
		return eachFilter(ctx, keys, store.Provinces, l.primeProvinces)
	})
	l.servicesWhere = newLoader(t, wait, func(ctx context.Context, keys []queryKey) ([][]pcnet.SharedService, []error) {
		return eachFilter(ctx, keys, store.Services, l.primeServices)
	})
	l.comuneByCode = newLoader(t, wait, func(ctx context.Context, codes []string) ([]*pcnet.Comune, []error) {
		pages, errs := oneEach(store.Comuni(ctx, []pcnet.ComuneQuery{{Filter: pcnet.ComuneFilter{Codes: codes}, Order: pcnet.ComuneByCode}}))(1, "Comuni query", "pages")
		if errs != nil {
			return nil, errs
		}
		return pick(codes, pages[0].Comuni, func(c pcnet.Comune) string { return c.Code }), nil
	})
	// A Comune looked up with its Province or region: one round trip for
	// all three when the store is a pcnet.ComuneLookup.
	l.comuneInContext = newLoader(t, wait, func(ctx context.Context, codes []string) ([]*pcnet.Comune, []error) {
		lookup, ok := store.(pcnet.ComuneLookup)
		if !ok {
			return l.comuneByCode.fetch(ctx, codes)
		}
		comuni, provinces, regions, err := lookup.ComuniWithParents(ctx, codes)
		if err != nil {
			return nil, []error{err}
		}
		l.primeProvinces(provinces)
		l.primeRegions(regions)
		for i := range comuni {
			l.comuneByCode.Prime(comuni[i].Code, &comuni[i])
		}
		return pick(codes, comuni, func(c pcnet.Comune) string { return c.Code }), nil
	})
	l.comunePages = newLoader(t, wait, func(ctx context.Context, keys []queryKey) ([]pcnet.ComunePage, []error) {
		queries, err := decodeKeys[pcnet.ComuneQuery](keys)
		if err != nil {
			return nil, []error{err}
		}
		pages, errs := oneEach(store.Comuni(ctx, queries))(len(queries), "Comuni queries", "pages")
		if errs != nil {
			return nil, errs
		}
		for _, p := range pages {
			for _, c := range p.Comuni {
				l.comuneByCode.Prime(c.Code, &c)
			}
		}
		return pages, nil
	})
	l.taxonomy = newLoader(t, wait, func(ctx context.Context, keys []struct{}) ([]*taxonomy, []error) {
		sectors, err := store.Sectors(ctx)
		if err != nil {
			return nil, []error{err}
		}
		return repeat(newTaxonomy(sectors), len(keys)), nil
	})
	l.serviceByID = newLoader(t, wait, oneByKey(by(store.Services, func(ids []string) pcnet.ServiceFilter { return pcnet.ServiceFilter{IDs: ids} }), func(s pcnet.SharedService) string { return s.ID }))
	l.servicesByProvider = newLoader(t, wait, groupByKey(by(store.Services, func(codes []string) pcnet.ServiceFilter { return pcnet.ServiceFilter{ProviderCodes: codes} }), l.primeServices, func(s pcnet.SharedService) string { return s.ProviderCode }))
	l.servicesByArea = newLoader(t, wait, groupByKey(by(store.Services, func(codes []string) pcnet.ServiceFilter { return pcnet.ServiceFilter{AreaCodes: codes} }), l.primeServices, func(s pcnet.SharedService) string { return s.AreaCode }))
	l.coveragePages = newLoader(t, wait, func(ctx context.Context, keys []queryKey) ([]pcnet.CoveragePage, []error) {
		requests, err := decodeKeys[coverageRequest](keys)
		if err != nil {
			return nil, []error{err}
		}
		queries := make([]pcnet.CoverageQuery, len(requests))
		for i, r := range requests {
			queries[i] = r.Query
		}
		pages, errs := oneEach(store.Coverages(ctx, queries))(len(queries), "coverage queries", "pages")
		if errs != nil {
			return nil, errs
		}
		// Queue the covered Comuni here, in one goroutine, before any
		// waiting resolver wakes up: were each connection to queue its own,
		// the thousands of edge resolvers the first ones spawn could delay
		// the others past the batch window, splitting the next level.
		for i, r := range requests {
			if r.WithComuni {
				for _, c := range pages[i].Coverages {
					l.comuneByCode.LoadThunk(ctx, c.ComuneCode)
				}
			}
		}
		return pages, nil
	})
	l.coveragesByComune = newLoader(t, wait, func(ctx context.Context, keys []comuneCoverageKey) ([][]pcnet.Coverage, []error) {
		return coveragesByComune(ctx, store, keys)
	})
	l.tutorshipsByTutor = newLoader(t, wait, func(ctx context.Context, keys []tutorshipKey) ([][]pcnet.Tutorship, []error) {
		return tutorshipsOf(ctx, store, keys, func(f *pcnet.TutorshipFilter, codes []string) { f.TutorCodes = codes },
			func(t pcnet.Tutorship) string { return t.TutorCode })
	})
	l.tutorshipsByTutee = newLoader(t, wait, func(ctx context.Context, keys []tutorshipKey) ([][]pcnet.Tutorship, []error) {
		return tutorshipsOf(ctx, store, keys, func(f *pcnet.TutorshipFilter, codes []string) { f.TutoredCodes = codes },
			func(t pcnet.Tutorship) string { return t.TutoredCode })
	})
	l.projectWorksByProv = newLoader(t, wait, groupByKey(by(store.ProjectWorks, func(codes []string) pcnet.ProjectWorkFilter { return pcnet.ProjectWorkFilter{ProvinceCodes: codes} }), nil, func(w pcnet.ProjectWork) string { return w.ProvinceCode }))
	l.projectWorksBySvc = newLoader(t, wait, groupByKey(by(store.ProjectWorks, func(ids []string) pcnet.ProjectWorkFilter { return pcnet.ProjectWorkFilter{ServiceIDs: ids} }), nil, func(w pcnet.ProjectWork) string { return w.ServiceID }))
	l.projectWorkByID = newLoader(t, wait, oneByKey(by(store.ProjectWorks, func(ids []string) pcnet.ProjectWorkFilter { return pcnet.ProjectWorkFilter{IDs: ids} }), func(w pcnet.ProjectWork) string { return w.ID }))
	l.projectWorksByArea = newLoader(t, wait, groupByKey(by(store.ProjectWorks, func(codes []string) pcnet.ProjectWorkFilter { return pcnet.ProjectWorkFilter{AreaCodes: codes} }), nil, func(w pcnet.ProjectWork) string { return w.AreaCode }))
	// Reach figures are asked for per sector, per service or per date of a
	// timeline: each level's queries go to the store in one Reach call.
	l.reach = newLoader(t, wait, byKeys(batchOf("reach", store.Reach)))
	l.comuniSummaries = newLoader(t, wait, byKeys(batchOf("summary", store.ComuniSummaries)))
	l.newAnalyticsLoaders(store, wait)
	return l
}

// The helpers below are the shapes of a loader's fetch: one store call for
// the whole batch of keys, its error the error of every key.

// by adapts a store list call to the keys of a batch: filter makes the one
// filter that asks for all of them.
func by[F, T any](list func(context.Context, F) ([]T, error), filter func(keys []string) F) func(context.Context, []string) ([]T, error) {
	return func(ctx context.Context, keys []string) ([]T, error) { return list(ctx, filter(keys)) }
}

// oneByKey fetches the item of each key (nil when there is none).
func oneByKey[T any](list func(context.Context, []string) ([]T, error), keyOf func(T) string) func(context.Context, []string) ([]*T, []error) {
	return func(ctx context.Context, keys []string) ([]*T, []error) {
		items, err := list(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		return pick(keys, items, keyOf), nil
	}
}

// groupByKey fetches the items of each key (see group), priming them with
// prime unless it is nil.
func groupByKey[T any](list func(context.Context, []string) ([]T, error), prime func([]T), keyOf func(T) string) func(context.Context, []string) ([][]T, []error) {
	return func(ctx context.Context, keys []string) ([][]T, []error) {
		items, err := list(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		if prime != nil {
			prime(items)
		}
		return group(keys, items, keyOf), nil
	}
}

// oneEach checks the answer of a batched store call (its results and error,
// as the call returns them) given queries: one result per query, else an
// internal error saying what was asked (what) and answered (unit).
func oneEach[R any](results []R, err error) func(queries int, what, unit string) ([]R, []error) {
	return func(queries int, what, unit string) ([]R, []error) {
		if err != nil {
			return nil, []error{err}
		}
		if len(results) != queries {
			return nil, []error{fmt.Errorf("graph: store answered %d %s with %d %s", queries, what, len(results), unit)}
		}
		return results, nil
	}
}

// repeat is the answer of a batch whose keys all have the same value.
func repeat[T any](v T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// eachFilter answers a batch of list queries, one store call per filter,
// and primes the items found.
func eachFilter[F, T any](ctx context.Context, keys []queryKey, list func(context.Context, F) ([]T, error), prime func([]T)) ([][]T, []error) {
	filters, err := decodeKeys[F](keys)
	if err != nil {
		return nil, []error{err}
	}
	out := make([][]T, len(filters))
	errs := make([]error, len(filters))
	for i, f := range filters {
		if out[i], errs[i] = list(ctx, f); errs[i] == nil {
			prime(out[i])
		}
	}
	return out, errs
}

// primeProvinces caches Provinces fetched through another relation, so
// that resolving their codes later (a Comune's Province, a tutor) costs no
// store call.
func (l *Loaders) primeProvinces(provinces []pcnet.Province) {
	for i := range provinces {
		l.provinceByCode.Prime(provinces[i].Code, &provinces[i])
	}
}

func (l *Loaders) primeServices(services []pcnet.SharedService) {
	for i := range services {
		l.serviceByID.Prime(services[i].ID, &services[i])
	}
}

func (l *Loaders) primeRegions(regions []pcnet.Region) {
	for i := range regions {
		l.regionByCode.Prime(regions[i].Code, &regions[i])
	}
}

func (l *Loaders) sectors(ctx context.Context) (*taxonomy, error) {
	return l.taxonomy.Load(ctx, struct{}{})
}

func newTaxonomy(sectors []pcnet.Sector) *taxonomy {
	t := &taxonomy{sectors: sectors, sector: make(map[string]*pcnet.Sector), area: make(map[string]*pcnet.Area)}
	for i := range sectors {
		s := &sectors[i]
		t.sector[s.Code] = s
		for j := range s.Areas {
			t.area[s.Areas[j].Code] = &s.Areas[j]
		}
	}
	return t
}

// coveragesByComune answers coverage lookups for many Comuni with one store
// call: one query per distinct (activeOn, phase) asked for, each naming all
// the Comuni asked for with those arguments.
func coveragesByComune(ctx context.Context, store pcnet.Store, keys []comuneCoverageKey) ([][]pcnet.Coverage, []error) {
	type args struct {
		activeOn pcnet.Date
		phase    pcnet.CoveragePhase
	}
	index := make(map[args]int)
	var queries []pcnet.CoverageQuery
	for _, k := range keys {
		a := args{k.activeOn, k.phase}
		i, ok := index[a]
		if !ok {
			i = len(queries)
			index[a] = i
			f := pcnet.CoverageFilter{ActiveOn: k.activeOn}
			if k.phase != "" {
				f.Phases = []pcnet.CoveragePhase{k.phase}
			}
			queries = append(queries, pcnet.CoverageQuery{Filter: f})
		}
		queries[i].Filter.ComuneCodes = append(queries[i].Filter.ComuneCodes, k.code)
	}
	pages, errs := oneEach(store.Coverages(ctx, queries))(len(queries), "coverage queries", "pages")
	if errs != nil {
		return nil, errs
	}
	out := make([][]pcnet.Coverage, len(keys))
	for i, k := range keys {
		page := pages[index[args{k.activeOn, k.phase}]]
		for _, c := range page.Coverages {
			if c.ComuneCode == k.code {
				out[i] = append(out[i], c)
			}
		}
		if out[i] == nil {
			out[i] = []pcnet.Coverage{}
		}
	}
	return out, nil
}

// tutorshipsOf answers tutorship lookups for many Provinces, each in one
// sector or in all, with one store call.
func tutorshipsOf(ctx context.Context, store pcnet.Store, keys []tutorshipKey,
	setCodes func(*pcnet.TutorshipFilter, []string), codeOf func(pcnet.Tutorship) string,
) ([][]pcnet.Tutorship, []error) {
	var f pcnet.TutorshipFilter
	var codes, sectors []string
	allSectors := false
	for _, k := range keys {
		codes = appendUnique(codes, k.code)
		if k.sector == "" {
			allSectors = true
		} else {
			sectors = appendUnique(sectors, k.sector)
		}
	}
	setCodes(&f, codes)
	if !allSectors {
		f.SectorCodes = sectors
	}
	tutorships, err := store.Tutorships(ctx, f)
	if err != nil {
		return nil, []error{err}
	}
	out := make([][]pcnet.Tutorship, len(keys))
	for i, k := range keys {
		out[i] = []pcnet.Tutorship{}
		for _, t := range tutorships {
			if codeOf(t) == k.code && (k.sector == "" || t.SectorCode == k.sector) {
				out[i] = append(out[i], t)
			}
		}
	}
	return out, nil
}

// pick returns, for each key, a pointer to the item with that key, or nil.
func pick[T any](keys []string, items []T, keyOf func(T) string) []*T {
	byKey := make(map[string]*T, len(items))
	for i := range items {
		byKey[keyOf(items[i])] = &items[i]
	}
	out := make([]*T, len(keys))
	for i, k := range keys {
		out[i] = byKey[k]
	}
	return out
}

// group returns, for each key, the items with that key in their order in
// items; never nil, so an empty relation is an empty GraphQL list.
func group[T any](keys []string, items []T, keyOf func(T) string) [][]T {
	byKey := make(map[string][]T, len(keys))
	for _, it := range items {
		k := keyOf(it)
		byKey[k] = append(byKey[k], it)
	}
	out := make([][]T, len(keys))
	for i, k := range keys {
		out[i] = byKey[k]
		if out[i] == nil {
			out[i] = []T{}
		}
	}
	return out
}

// byKeys adapts a fetch of queries to a loader keyed by their queryKeys.
func byKeys[Q, R any](fetch func(context.Context, []Q) ([]R, []error)) func(context.Context, []queryKey) ([]R, []error) {
	return func(ctx context.Context, keys []queryKey) ([]R, []error) {
		queries, err := decodeKeys[Q](keys)
		if err != nil {
			return nil, []error{err}
		}
		return fetch(ctx, queries)
	}
}

func decodeKeys[Q any](keys []queryKey) ([]Q, error) {
	out := make([]Q, len(keys))
	for i, k := range keys {
		if err := json.Unmarshal([]byte(k), &out[i]); err != nil {
			return nil, fmt.Errorf("graph: decoding a store query: %w", err)
		}
	}
	return out, nil
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

type loadersKey struct{}

// WithLoaders returns a copy of ctx carrying l; resolvers find their
// dataloaders there.
func WithLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

// loadersFrom returns the dataloaders installed in ctx. Their absence is a
// wiring bug, not a user error: it panics, and the server's recover function
// logs it and answers "internal error".
func loadersFrom(ctx context.Context) *Loaders {
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	if !ok {
		panic("graph: no dataloaders in the request context; install them with WithLoaders")
	}
	return l
}
