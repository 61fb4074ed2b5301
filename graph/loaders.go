package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/vikstrous/dataloadgen"

	"pcnet/internal/pcnet"
)

// DefaultLoaderWait is how long a dataloader collects keys before it calls
// the store. The keys of one nesting level arrive in a burst right after
// the level above is fetched, so a few milliseconds batch a whole level into
// one store call; each level of a query pays this wait once. Measured on a
// two-core machine under heavy load, a nested dashboard query took an extra
// store call in 5 of 30 runs at 2ms and in 1 of 30 at 5ms or 10ms, and its
// latency was 17ms at 2ms and 59ms at 10ms: 5ms is the middle ground.
const DefaultLoaderWait = 5 * time.Millisecond

// Loaders are the per-request dataloaders. Each batches the loads of one
// relation made while resolving one level of a query into a single store
// call, and caches the answers for the rest of the request. Make a fresh set
// for every request with NewLoaders and install it with WithLoaders.
type Loaders struct {
	regionByCode       *dataloadgen.Loader[string, *pcnet.Region]
	provinceByCode     *dataloadgen.Loader[string, *pcnet.Province]
	provincesByRegion  *dataloadgen.Loader[string, []pcnet.Province]
	comuneByCode       *dataloadgen.Loader[string, *pcnet.Comune]
	comunePages        *dataloadgen.Loader[queryKey, pcnet.ComunePage]
	taxonomy           *dataloadgen.Loader[struct{}, *taxonomy]
	serviceByID        *dataloadgen.Loader[string, *pcnet.SharedService]
	servicesByProvider *dataloadgen.Loader[string, []pcnet.SharedService]
	servicesByArea     *dataloadgen.Loader[string, []pcnet.SharedService]
	coveragePages      *dataloadgen.Loader[queryKey, pcnet.CoveragePage]
	coveragesByComune  *dataloadgen.Loader[comuneCoverageKey, []pcnet.Coverage]
	tutorshipsByTutor  *dataloadgen.Loader[tutorshipKey, []pcnet.Tutorship]
	tutorshipsByTutee  *dataloadgen.Loader[tutorshipKey, []pcnet.Tutorship]
	projectWorksByProv *dataloadgen.Loader[string, []pcnet.ProjectWork]
	projectWorksBySvc  *dataloadgen.Loader[string, []pcnet.ProjectWork]
	reach              *dataloadgen.Loader[queryKey, []pcnet.ReachRow]
	comuniSummaries    *dataloadgen.Loader[queryKey, pcnet.ComuneSummary]
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
// how long each collects keys before calling the store (0 for
// DefaultLoaderWait).
func NewLoaders(store Backend, wait time.Duration) *Loaders {
	if wait <= 0 {
		wait = DefaultLoaderWait
	}
	opt := dataloadgen.WithWait(wait)
	l := &Loaders{}
	// The geography above the Comuni is small (20 regions, 107 Provinces),
	// so these loaders fetch all of it on first use and cache it for the
	// request: every later region or Province lookup is free, however
	// scattered over the query.
	l.regionByCode = dataloadgen.NewLoader(func(ctx context.Context, codes []string) ([]*pcnet.Region, []error) {
		regions, err := store.Regions(ctx, nil)
		if err != nil {
			return nil, []error{err}
		}
		l.primeRegions(regions)
		return pick(codes, regions, func(r pcnet.Region) string { return r.Code }), nil
	}, opt)
	l.provinceByCode = dataloadgen.NewLoader(func(ctx context.Context, codes []string) ([]*pcnet.Province, []error) {
		provinces, err := store.Provinces(ctx, pcnet.ProvinceFilter{})
		if err != nil {
			return nil, []error{err}
		}
		l.primeProvinces(provinces)
		return pick(codes, provinces, func(p pcnet.Province) string { return p.Code }), nil
	}, opt)
	l.provincesByRegion = dataloadgen.NewLoader(func(ctx context.Context, codes []string) ([][]pcnet.Province, []error) {
		provinces, err := store.Provinces(ctx, pcnet.ProvinceFilter{RegionCodes: codes})
		if err != nil {
			return nil, []error{err}
		}
		l.primeProvinces(provinces)
		return group(codes, provinces, func(p pcnet.Province) string { return p.RegionCode }), nil
	}, opt)
	l.comuneByCode = dataloadgen.NewLoader(func(ctx context.Context, codes []string) ([]*pcnet.Comune, []error) {
		pages, err := store.Comuni(ctx, []pcnet.ComuneQuery{{Filter: pcnet.ComuneFilter{Codes: codes}, Order: pcnet.ComuneByCode}})
		if err != nil {
			return nil, []error{err}
		}
		if len(pages) != 1 {
			return nil, []error{fmt.Errorf("graph: store answered 1 Comuni query with %d pages", len(pages))}
		}
		return pick(codes, pages[0].Comuni, func(c pcnet.Comune) string { return c.Code }), nil
	}, opt)
	l.comunePages = dataloadgen.NewLoader(func(ctx context.Context, keys []queryKey) ([]pcnet.ComunePage, []error) {
		queries, err := decodeKeys[pcnet.ComuneQuery](keys)
		if err != nil {
			return nil, []error{err}
		}
		pages, err := store.Comuni(ctx, queries)
		if err != nil {
			return nil, []error{err}
		}
		if len(pages) != len(queries) {
			return nil, []error{fmt.Errorf("graph: store answered %d Comuni queries with %d pages", len(queries), len(pages))}
		}
		for _, p := range pages {
			for _, c := range p.Comuni {
				l.comuneByCode.Prime(c.Code, &c)
			}
		}
		return pages, nil
	}, opt)
	l.taxonomy = dataloadgen.NewLoader(func(ctx context.Context, keys []struct{}) ([]*taxonomy, []error) {
		sectors, err := store.Sectors(ctx)
		if err != nil {
			return nil, []error{err}
		}
		t := newTaxonomy(sectors)
		out := make([]*taxonomy, len(keys))
		for i := range out {
			out[i] = t
		}
		return out, nil
	}, opt)
	l.serviceByID = dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*pcnet.SharedService, []error) {
		services, err := store.Services(ctx, pcnet.ServiceFilter{IDs: ids})
		if err != nil {
			return nil, []error{err}
		}
		return pick(ids, services, func(s pcnet.SharedService) string { return s.ID }), nil
	}, opt)
	l.servicesByProvider = dataloadgen.NewLoader(func(ctx context.Context, codes []string) ([][]pcnet.SharedService, []error) {
		services, err := store.Services(ctx, pcnet.ServiceFilter{ProviderCodes: codes})
		if err != nil {
			return nil, []error{err}
		}
		l.primeServices(services)
		return group(codes, services, func(s pcnet.SharedService) string { return s.ProviderCode }), nil
	}, opt)
	l.servicesByArea = dataloadgen.NewLoader(func(ctx context.Context, codes []string) ([][]pcnet.SharedService, []error) {
		services, err := store.Services(ctx, pcnet.ServiceFilter{AreaCodes: codes})
		if err != nil {
			return nil, []error{err}
		}
		l.primeServices(services)
		return group(codes, services, func(s pcnet.SharedService) string { return s.AreaCode }), nil
	}, opt)
	l.coveragePages = dataloadgen.NewLoader(func(ctx context.Context, keys []queryKey) ([]pcnet.CoveragePage, []error) {
		requests, err := decodeKeys[coverageRequest](keys)
		if err != nil {
			return nil, []error{err}
		}
		queries := make([]pcnet.CoverageQuery, len(requests))
		for i, r := range requests {
			queries[i] = r.Query
		}
		pages, err := store.Coverages(ctx, queries)
		if err != nil {
			return nil, []error{err}
		}
		if len(pages) != len(queries) {
			return nil, []error{fmt.Errorf("graph: store answered %d coverage queries with %d pages", len(queries), len(pages))}
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
	}, opt)
	l.coveragesByComune = dataloadgen.NewLoader(func(ctx context.Context, keys []comuneCoverageKey) ([][]pcnet.Coverage, []error) {
		return coveragesByComune(ctx, store, keys)
	}, opt)
	l.tutorshipsByTutor = dataloadgen.NewLoader(func(ctx context.Context, keys []tutorshipKey) ([][]pcnet.Tutorship, []error) {
		return tutorshipsOf(ctx, store, keys, func(f *pcnet.TutorshipFilter, codes []string) { f.TutorCodes = codes },
			func(t pcnet.Tutorship) string { return t.TutorCode })
	}, opt)
	l.tutorshipsByTutee = dataloadgen.NewLoader(func(ctx context.Context, keys []tutorshipKey) ([][]pcnet.Tutorship, []error) {
		return tutorshipsOf(ctx, store, keys, func(f *pcnet.TutorshipFilter, codes []string) { f.TutoredCodes = codes },
			func(t pcnet.Tutorship) string { return t.TutoredCode })
	}, opt)
	l.projectWorksByProv = dataloadgen.NewLoader(func(ctx context.Context, codes []string) ([][]pcnet.ProjectWork, []error) {
		works, err := store.ProjectWorks(ctx, pcnet.ProjectWorkFilter{ProvinceCodes: codes})
		if err != nil {
			return nil, []error{err}
		}
		return group(codes, works, func(w pcnet.ProjectWork) string { return w.ProvinceCode }), nil
	}, opt)
	l.projectWorksBySvc = dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([][]pcnet.ProjectWork, []error) {
		works, err := store.ProjectWorks(ctx, pcnet.ProjectWorkFilter{ServiceIDs: ids})
		if err != nil {
			return nil, []error{err}
		}
		return group(ids, works, func(w pcnet.ProjectWork) string { return w.ServiceID }), nil
	}, opt)
	// Reach figures are asked for per sector, per service or per date of a
	// timeline: each level's queries go to the store in one Reach call.
	l.reach = dataloadgen.NewLoader(func(ctx context.Context, keys []queryKey) ([][]pcnet.ReachRow, []error) {
		queries, err := decodeKeys[pcnet.ReachQuery](keys)
		if err != nil {
			return nil, []error{err}
		}
		rows, err := store.Reach(ctx, queries)
		if err != nil {
			return nil, []error{err}
		}
		if len(rows) != len(queries) {
			return nil, []error{fmt.Errorf("graph: store answered %d reach queries with %d results", len(queries), len(rows))}
		}
		return rows, nil
	}, opt)
	l.comuniSummaries = dataloadgen.NewLoader(func(ctx context.Context, keys []queryKey) ([]pcnet.ComuneSummary, []error) {
		filters, err := decodeKeys[pcnet.ComuneFilter](keys)
		if err != nil {
			return nil, []error{err}
		}
		sums, err := store.ComuniSummaries(ctx, filters)
		if err != nil {
			return nil, []error{err}
		}
		if len(sums) != len(filters) {
			return nil, []error{fmt.Errorf("graph: store answered %d summary queries with %d summaries", len(filters), len(sums))}
		}
		return sums, nil
	}, opt)
	return l
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
	pages, err := store.Coverages(ctx, queries)
	if err != nil {
		return nil, []error{err}
	}
	if len(pages) != len(queries) {
		return nil, []error{fmt.Errorf("graph: store answered %d coverage queries with %d pages", len(queries), len(pages))}
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
