// Package memory is the embedded store: the whole dataset held in memory,
// with the indexes that make every [pcnet.Store] method fast on the full
// ISTAT geography and the illustrative network.
//
// Readers take an immutable snapshot of the data under a sync.RWMutex and
// work on it without a lock. Writes (write.go) are serialized, build a new
// snapshot copy-on-write and swap it in under the write lock, so a reader
// sees a write whole or not at all. A snapshot shares the geography, the
// coverage log and every index the write doesn't change with the one
// before it, so a write costs O(change), not O(data).
//
// [New] makes an ephemeral store; [Open] (durable.go) one that keeps its
// network and audit trail in a bbolt file in a data directory, committed
// before a write is applied in memory and acknowledged.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"pcnet/internal/pcnet"
)

// Store is the in-memory implementation of pcnet.Store. It is safe for
// concurrent use. Every slice it returns is a fresh copy owned by the caller.
type Store struct {
	mu sync.RWMutex
	d  *data

	// writeMu serializes writes: a write plans against the current
	// snapshot, commits to disk and swaps in its snapshot before the next
	// one starts. Readers never wait for it.
	writeMu sync.Mutex
	disk    *disk // nil for an ephemeral store
	// keys are the idempotency records of an ephemeral store, by
	// Idempotency.ID, guarded by writeMu (only writes read them); a
	// durable store keeps them on disk.
	keys map[string]pcnet.IdempotencyRecord
}

var _ pcnet.Store = (*Store)(nil)

// New validates ds and returns a store holding a private copy of it.
func New(ds pcnet.Dataset) (*Store, error) {
	if err := ds.Validate(); err != nil {
		return nil, fmt.Errorf("memory: invalid dataset: %w", err)
	}
	return &Store{d: index(ds)}, nil
}

// data is an immutable snapshot of the dataset and its indexes. Comuni,
// services and coverages are kept in their store order, so an item's
// position in its slice is also its rank in that order.
//
// The geography part (regions to names, perm and rank, and the geography
// part of analytics) never changes after New or Open: snapshots made by
// writes share it. The network part is built by indexNetwork and
// maintained incrementally by writes (write.go).
type data struct {
	regions      []pcnet.Region
	provinces    []pcnet.Province
	regionOf     map[string]string // Province code → region code
	sectors      []pcnet.Sector
	areaSector   map[string]string // area code → sector code
	services     []pcnet.SharedService
	tutorships   []pcnet.Tutorship
	projectWorks []pcnet.ProjectWork
	programme    pcnet.Programme // programme.go
	// exceptions are the admins' participation exceptions, by sector and
	// Province.
	exceptions []pcnet.ParticipationException

	// Comuni, ordered by code.
	comuni []pcnet.Comune
	// anyRetired: some Comune is retired, so every Comune filter checks it.
	anyRetired       bool
	comuneIndex      map[string]int32
	comuniByProvince map[string][]int32 // ascending
	comuniByRegion   map[string][]int32 // ascending
	names            nameIndex
	// perm[o] lists the Comuni in order o and rank[o][i] is the position of
	// Comune i in it. Code order is the identity and has neither.
	perm map[pcnet.ComuneOrder][]int32
	rank map[pcnet.ComuneOrder][]int32

	servicesBySector map[string][]int32
	servicesByArea   map[string][]int32

	// Coverages. coverages is a log of the coverage values this snapshot
	// and the ones before it held: a write appends the coverages it puts
	// and never changes a slot, so slots are stable, the log is shared
	// with later snapshots (each reads only its own length) and a write
	// costs O(change), not a copy of every coverage (issue 11).
	// coverageComune is the Comune index of each slot.
	coverages      []pcnet.Coverage
	coverageComune []int32
	// serviceCoverages[s] lists the slots of d.services[s]'s current
	// coverages and comuneCoverageSlots[i] those of d.comuni[i], each in
	// store order (by service ID, Comune code and start date). A write
	// makes new lists only for the services and Comuni it changes.
	serviceCoverages    [][]int32
	comuneCoverageSlots chunkedLists

	analytics *analyticsIndex // see analytics.go

	// The audit trail: lastSeq is the Seq of the last change written.
	// An ephemeral store keeps the entries in changes (shared with later
	// snapshots, which only append); a durable one reads them from disk,
	// up to lastSeq, so a reader never sees an entry before its data.
	lastSeq int64
	changes []pcnet.Change
}

// index copies ds and builds the indexes. ds must be valid.
func index(ds pcnet.Dataset) *data {
	d := &data{
		regions:      slices.Clone(ds.Regions),
		provinces:    slices.Clone(ds.Provinces),
		services:     slices.Clone(ds.Services),
		tutorships:   slices.Clone(ds.Tutorships),
		projectWorks: slices.Clone(ds.ProjectWorks),
		coverages:    slices.Clone(ds.Coverages),
		areaSector:   make(map[string]string),
	}
	slices.SortFunc(d.regions, func(a, b pcnet.Region) int { return cmp.Compare(a.Code, b.Code) })
	slices.SortFunc(d.provinces, func(a, b pcnet.Province) int { return cmp.Compare(a.Code, b.Code) })
	d.regionOf = make(map[string]string, len(d.provinces))
	for _, p := range d.provinces {
		d.regionOf[p.Code] = p.RegionCode
	}

	d.sectors = copySectors(ds.Sectors)
	slices.SortFunc(d.sectors, func(a, b pcnet.Sector) int { return cmp.Compare(a.Code, b.Code) })
	for _, s := range d.sectors {
		slices.SortFunc(s.Areas, func(a, b pcnet.Area) int { return cmp.Compare(a.Code, b.Code) })
		for _, a := range s.Areas {
			d.areaSector[a.Code] = s.Code
		}
	}

	d.indexComuni(ds.Comuni)
	d.analytics = d.indexAnalyticsGeography()
	slices.SortFunc(d.services, compareServices)
	slices.SortFunc(d.coverages, compareCoverages)
	slices.SortFunc(d.tutorships, compareTutorships)
	slices.SortFunc(d.projectWorks, compareProjectWorks)
	d.indexNetwork()
	d.programme = ds.Programme.Sorted() //nolint:staticcheck // QF1008: the selector says what is sorted; ds.Sorted() would read as the whole dataset
	return d
}

// indexNetwork builds the indexes of the services, coverages, tutorships
// and project works, which must be in store order. Writes don't call it:
// they update only what they change (see data.apply).
func (d *data) indexNetwork() {
	d.indexServices()
	d.indexCoverages()
	a := *d.analytics // the geography part is shared
	d.indexAnalyticsCoverages(&a)
	d.indexAnalyticsTutorships(&a)
	d.analytics = &a
}

func (d *data) indexComuni(comuni []pcnet.Comune) {
	d.comuni = copyComuni(comuni)
	d.anyRetired = slices.ContainsFunc(d.comuni, func(c pcnet.Comune) bool { return c.Retired })
	slices.SortFunc(d.comuni, func(a, b pcnet.Comune) int { return cmp.Compare(a.Code, b.Code) })

	n := len(d.comuni)
	d.comuneIndex = make(map[string]int32, n)
	d.comuniByProvince = make(map[string][]int32)
	d.comuniByRegion = make(map[string][]int32)
	for i, c := range d.comuni {
		i32 := int32(i)
		d.comuneIndex[c.Code] = i32
		d.comuniByProvince[c.ProvinceCode] = append(d.comuniByProvince[c.ProvinceCode], i32)
		d.comuniByRegion[c.RegionCode] = append(d.comuniByRegion[c.RegionCode], i32)
	}
	d.names = newNameIndex(d.comuni)

	orders := map[pcnet.ComuneOrder]func(a, b *pcnet.Comune) int{
		pcnet.ComuneByName:           func(a, b *pcnet.Comune) int { return strings.Compare(a.Name, b.Name) },
		pcnet.ComuneByPopulationDesc: func(a, b *pcnet.Comune) int { return cmp.Compare(b.Population, a.Population) },
		pcnet.ComuneByPopulationAsc:  func(a, b *pcnet.Comune) int { return cmp.Compare(a.Population, b.Population) },
	}
	d.perm = make(map[pcnet.ComuneOrder][]int32, len(orders))
	d.rank = make(map[pcnet.ComuneOrder][]int32, len(orders))
	for order, compare := range orders {
		perm := make([]int32, n)
		for i := range perm {
			perm[i] = int32(i)
		}
		// Indexes follow code order, so the index breaks ties by code.
		slices.SortFunc(perm, func(a, b int32) int {
			return cmp.Or(compare(&d.comuni[a], &d.comuni[b]), cmp.Compare(a, b))
		})
		rank := make([]int32, n)
		for pos, i := range perm {
			rank[i] = int32(pos)
		}
		d.perm[order], d.rank[order] = perm, rank
	}
}

func (d *data) indexServices() {
	d.servicesBySector = make(map[string][]int32)
	d.servicesByArea = make(map[string][]int32)
	for i, s := range d.services {
		i32 := int32(i)
		d.servicesByArea[s.AreaCode] = append(d.servicesByArea[s.AreaCode], i32)
		sector := d.areaSector[s.AreaCode]
		d.servicesBySector[sector] = append(d.servicesBySector[sector], i32)
	}
}

// indexCoverages indexes the coverages, which must be in store order, so
// that slot order is store order.
func (d *data) indexCoverages() {
	n := len(d.coverages)
	d.coverageComune = make([]int32, n)
	d.serviceCoverages = make([][]int32, len(d.services))
	d.comuneCoverageSlots = newChunkedLists(len(d.comuni))
	si := 0
	for i := range d.coverages {
		c := &d.coverages[i]
		ci := d.comuneIndex[c.ComuneCode]
		d.coverageComune[i] = ci
		d.comuneCoverageSlots.set(ci, append(d.comuneCoverageSlots.at(ci), int32(i)))
		for si < len(d.services) && d.services[si].ID < c.ServiceID {
			si++
		}
		d.serviceCoverages[si] = append(d.serviceCoverages[si], int32(i))
	}
}

// serviceIndex returns the index of the service with the id in d.services.
func (d *data) serviceIndex(id string) (int, bool) {
	return slices.BinarySearchFunc(d.services, id, func(s pcnet.SharedService, id string) int { return cmp.Compare(s.ID, id) })
}

// coveragesOf returns the slots of a service's coverages, in store order.
func (d *data) coveragesOf(serviceID string) []int32 {
	if si, ok := d.serviceIndex(serviceID); ok {
		return d.serviceCoverages[si]
	}
	return nil
}

// comuneCoverages returns the slots of a Comune's coverages, in store order.
func (d *data) comuneCoverages(code string) []int32 {
	ci, ok := d.comuneIndex[code]
	if !ok {
		return nil
	}
	return d.comuneCoverageSlots.at(ci)
}

// chunkedLists is a list of lists held in chunks of listChunk, so that a
// write changing a few of ~8k Comuni copies the outer list and the chunks
// it changes (a few KB), not a header per Comune.
type chunkedLists [][][]int32

const listChunk = 64

func newChunkedLists(n int) chunkedLists {
	c := make(chunkedLists, (n+listChunk-1)/listChunk)
	for k := range c {
		c[k] = make([][]int32, min(listChunk, n-k*listChunk))
	}
	return c
}

func (c chunkedLists) at(i int32) []int32 { return c[i/listChunk][i%listChunk] }

// set changes list i in place: only for lists owned by the caller.
func (c chunkedLists) set(i int32, list []int32) { c[i/listChunk][i%listChunk] = list }

// withLists returns a copy of c with each list i of puts replaced by
// update(i, c.at(i)), sharing the chunks it doesn't change with c.
func (c chunkedLists) withLists(puts map[int32][]int32, update func(old, put []int32) []int32) chunkedLists {
	out := slices.Clone(c)
	copied := make(map[int32]bool)
	for i, put := range puts {
		k := i / listChunk
		if !copied[k] {
			out[k], copied[k] = slices.Clone(c[k]), true
		}
		out[k][i%listChunk] = update(c.at(i), put)
	}
	return out
}

// compareSlots orders coverage slots in store order.
func (d *data) compareSlots(a, b int32) int { return compareCoverages(d.coverages[a], d.coverages[b]) }

func compareServices(a, b pcnet.SharedService) int { return cmp.Compare(a.ID, b.ID) }

func compareProjectWorks(a, b pcnet.ProjectWork) int { return cmp.Compare(a.ID, b.ID) }

func compareCoverages(a, b pcnet.Coverage) int {
	return cmp.Or(
		cmp.Compare(a.ServiceID, b.ServiceID),
		cmp.Compare(a.ComuneCode, b.ComuneCode),
		a.Since.Compare(b.Since),
	)
}

func compareTutorships(a, b pcnet.Tutorship) int {
	return cmp.Or(
		cmp.Compare(a.SectorCode, b.SectorCode),
		cmp.Compare(a.TutorCode, b.TutorCode),
		cmp.Compare(a.TutoredCode, b.TutoredCode),
		a.Since.Compare(b.Since),
	)
}

// snapshot returns the current data. Readers hold no lock while they work
// on it: a snapshot is never modified once built, and writes swap in a new
// one under the write lock.
func (s *Store) snapshot() *data {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.d
}

// read answers a read from the current snapshot, unless the caller gave
// up: the reads differ only in answer.
func read[T any](ctx context.Context, s *Store, answer func(d *data) T) (T, error) {
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, err
	}
	return answer(s.snapshot()), nil
}

// batch is eachQuery for answers that cannot fail: one snapshot for the
// whole batch, stopping between queries when the caller gives up.
func batch[Q, P any](ctx context.Context, s *Store, queries []Q, answer func(d *data, q Q) P) ([]P, error) {
	return eachQuery(ctx, s, queries, func(d *data, q Q) (P, error) { return answer(d, q), nil })
}

// Regions implements pcnet.Store.
func (s *Store) Regions(ctx context.Context, codes []string) ([]pcnet.Region, error) {
	keep := anyOf(codes)
	return read(ctx, s, func(d *data) []pcnet.Region {
		return selectAll(d.regions, func(r *pcnet.Region) bool { return keep(r.Code) })
	})
}

// Provinces implements pcnet.Store.
func (s *Store) Provinces(ctx context.Context, f pcnet.ProvinceFilter) ([]pcnet.Province, error) {
	code, plate, region, kind := anyOf(f.Codes), anyOf(f.PlateCodes), anyOf(f.RegionCodes), anyOf(f.Kinds)
	return read(ctx, s, func(d *data) []pcnet.Province {
		return selectAll(d.provinces, func(p *pcnet.Province) bool {
			return code(p.Code) && plate(p.PlateCode) && region(p.RegionCode) && kind(p.Kind)
		})
	})
}

// Sectors implements pcnet.Store.
func (s *Store) Sectors(ctx context.Context) ([]pcnet.Sector, error) {
	return read(ctx, s, func(d *data) []pcnet.Sector { return copySectors(d.sectors) })
}

// Services implements pcnet.Store.
func (s *Store) Services(ctx context.Context, f pcnet.ServiceFilter) ([]pcnet.SharedService, error) {
	return read(ctx, s, func(d *data) []pcnet.SharedService { return pick(d.services, d.matchServices(f)) })
}

// Tutorships implements pcnet.Store.
func (s *Store) Tutorships(ctx context.Context, f pcnet.TutorshipFilter) ([]pcnet.Tutorship, error) {
	tutor, tutored, sector := anyOf(f.TutorCodes), anyOf(f.TutoredCodes), anyOf(f.SectorCodes)
	return read(ctx, s, func(d *data) []pcnet.Tutorship {
		return selectAll(d.tutorships, func(t *pcnet.Tutorship) bool {
			return tutor(t.TutorCode) && tutored(t.TutoredCode) && sector(t.SectorCode) &&
				(f.ActiveOn.IsZero() || t.Period().ActiveOn(f.ActiveOn))
		})
	})
}

// ProjectWorks implements pcnet.Store.
func (s *Store) ProjectWorks(ctx context.Context, f pcnet.ProjectWorkFilter) ([]pcnet.ProjectWork, error) {
	return read(ctx, s, func(d *data) []pcnet.ProjectWork { return pick(d.projectWorks, d.matchProjectWorks(f)) })
}

// pick returns the items of list at the indexes, in their order (an empty
// list for none).
func pick[T any, I int | int32](list []T, indexes []I) []T {
	out := []T{}
	for _, i := range indexes {
		out = append(out, list[i])
	}
	return out
}

// matchProjectWorks returns the indexes of the project works f selects, in
// store order. ProjectWorks and ProjectWorkCounts share it, so listing and
// counting can't disagree on what a filter means.
func (d *data) matchProjectWorks(f pcnet.ProjectWorkFilter) []int32 {
	id, province, area, sector := anyOf(f.IDs), anyOf(f.ProvinceCodes), anyOf(f.AreaCodes), anyOf(f.SectorCodes)
	maturity, service := anyOf(f.Maturities), anyOf(f.ServiceIDs)
	var out []int32
	for i := range d.projectWorks {
		w := &d.projectWorks[i]
		if id(w.ID) && province(w.ProvinceCode) && area(w.AreaCode) && sector(d.areaSector[w.AreaCode]) &&
			maturity(w.Maturity) && (len(f.ServiceIDs) == 0 || (w.ServiceID != "" && service(w.ServiceID))) {
			out = append(out, int32(i))
		}
	}
	return out
}

// anyOf returns the "any of" test of a filter list: it accepts every value
// when the list is empty, and the listed values otherwise. Long lists (the
// GraphQL layer batches many parents into one) are looked up in a set.
func anyOf[T comparable](list []T) func(T) bool {
	switch {
	case len(list) == 0:
		return func(T) bool { return true }
	case len(list) <= 8:
		return func(v T) bool { return slices.Contains(list, v) }
	}
	set := make(map[T]struct{}, len(list))
	for _, v := range list {
		set[v] = struct{}{}
	}
	return func(v T) bool { _, ok := set[v]; return ok }
}

func copySectors(sectors []pcnet.Sector) []pcnet.Sector {
	out := slices.Clone(sectors)
	for i := range out {
		out[i].Areas = slices.Clone(out[i].Areas)
		if out[i].Areas == nil {
			out[i].Areas = []pcnet.Area{}
		}
	}
	if out == nil {
		out = []pcnet.Sector{}
	}
	return out
}

// copyComuni copies comuni, coordinates included, so the copy shares no
// memory with the original.
func copyComuni(comuni []pcnet.Comune) []pcnet.Comune {
	out := slices.Clone(comuni)
	if out == nil {
		return []pcnet.Comune{}
	}
	ownCoordinates(out)
	return out
}

// ownCoordinates points the coordinates of comuni to fresh copies, all in
// one allocation.
func ownCoordinates(comuni []pcnet.Comune) {
	n := 0
	for _, c := range comuni {
		if c.Latitude != nil {
			n++
		}
		if c.Longitude != nil {
			n++
		}
	}
	floats := make([]float64, n)
	own := func(p *float64) *float64 {
		if p == nil {
			return nil
		}
		floats[0] = *p
		p, floats = &floats[0], floats[1:]
		return p
	}
	for i := range comuni {
		c := &comuni[i]
		c.Latitude, c.Longitude = own(c.Latitude), own(c.Longitude)
	}
}
