package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"pcnet/internal/pcnet"
)

var _ pcnet.Writer = (*Store)(nil)

// mutation is what one write changes: the items to put, each replacing the
// item with the same key or added, and the write's audit entries.
type mutation struct {
	services     []pcnet.SharedService
	coverages    []pcnet.Coverage
	tutorships   []pcnet.Tutorship
	projectWorks []pcnet.ProjectWork
	// participations replace the ones with the same Province, sector and
	// start; exceptions are added (one per Province and sector).
	participations []pcnet.Participation
	exceptions     []pcnet.ParticipationException
	// The programme's items (write_programme.go): sections and materials
	// replace the ones with the same key; a rollout plan replaces the
	// service's whole plan.
	sections    []pcnet.ProjectWorkSection
	rolloutPlan *rolloutPlan
	materials   []pcnet.Material
	changes     []pcnet.Change
	// idempotency is the record of a write made with an idempotency key,
	// committed with the write (alone when it changes nothing).
	idempotency *pcnet.IdempotencyRecord
}

// write runs a write: plan reads the facts it needs from the current
// snapshot and returns the mutation (pcnet's rules decide it), after
// setting *out, the write's result. A mutation without audit entries
// changes nothing and is not written. Otherwise the entries are stamped,
// the mutation is committed to disk (durable stores) and only then applied
// to a new snapshot that replaces the current one. Writes are serialized,
// so each plans against the state the one before left: no update is lost.
//
// With an idempotency key (idem not nil) a write whose key is kept already
// is not planned: the kept result is decoded into *out (pcnet.Idempotency
// rules). Otherwise the key's record is committed with the mutation, even
// one that changes nothing.
func (s *Store) write(ctx context.Context, idem *pcnet.Idempotency, out any, plan func(d *data) (mutation, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if idem != nil {
		stored, found, err := s.idempotencyRecord(idem.ID())
		if err != nil {
			return err
		}
		if found {
			return idem.Replay(stored, out)
		}
	}
	d := s.snapshot()
	m, err := plan(d)
	if err != nil || (len(m.changes) == 0 && idem == nil) {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // nothing written yet: the caller gave up
	}
	now := time.Now()
	if len(m.changes) > 0 {
		pcnet.StampChanges(ctx, m.changes, d.lastSeq, now)
	} else {
		m = mutation{} // the items of a plan without changes are as they are
	}
	if idem != nil {
		rec, err := idem.Record(out, m.changes, now)
		if err != nil {
			return err
		}
		m.idempotency = &rec
	}
	if s.disk != nil {
		if err := s.disk.commit(m); err != nil {
			return fmt.Errorf("memory: committing a write to %s: %w", s.disk.path, err)
		}
	} else if m.idempotency != nil {
		if s.keys == nil {
			s.keys = make(map[string]pcnet.IdempotencyRecord)
		}
		s.keys[idem.ID()] = *m.idempotency
	}
	if len(m.changes) == 0 {
		return nil
	}
	next := d.apply(m, s.disk == nil)
	s.mu.Lock()
	s.d = next
	s.mu.Unlock()
	return nil
}

// idempotencyRecord returns the kept record with the ID, if any. The
// caller holds writeMu.
func (s *Store) idempotencyRecord(id string) (pcnet.IdempotencyRecord, bool, error) {
	if s.disk != nil {
		return s.disk.idempotencyRecord(id)
	}
	r, ok := s.keys[id]
	return r, ok, nil
}

// apply returns a new snapshot: d with m's items put. It costs O(change),
// not O(data) (issue 11): the geography and whatever m doesn't touch are
// shared with d; the coverages m puts are appended to the shared log and
// only the slot lists of their services and Comuni are rebuilt, so a
// reader of d keeps its view. The audit entries are kept in memory only
// when keepChanges is set (an ephemeral store); they always advance
// lastSeq. Writes are serialized and d is the current snapshot, so
// appending to the logs it shares is safe: d reads only its own length.
func (d *data) apply(m mutation, keepChanges bool) *data {
	next := *d
	if len(m.services) > 0 {
		// A put service keeps its coverages; a new one has none.
		next.services, next.serviceCoverages = upsertWith(d.services, d.serviceCoverages, m.services, compareServices,
			func(sv pcnet.SharedService) []int32 { return d.coveragesOf(sv.ID) })
		next.indexServices() // O(services): a new service shifts the indexes after it
	}
	if len(m.projectWorks) > 0 {
		next.projectWorks = upsert(d.projectWorks, m.projectWorks, compareProjectWorks)
	}
	if len(m.participations) > 0 {
		next.programme.Participations = upsert(d.programme.Participations, m.participations, pcnet.CompareParticipations)
	}
	if len(m.exceptions) > 0 {
		next.exceptions = upsert(d.exceptions, m.exceptions, compareExceptions)
	}
	next.applyProgramme(m)
	var a *analyticsIndex
	if len(m.tutorships) > 0 {
		next.tutorships = upsert(d.tutorships, m.tutorships, compareTutorships)
		a = new(analyticsIndex)
		*a = *d.analytics
		next.indexAnalyticsTutorships(a)
	}
	if len(m.coverages) > 0 {
		if a == nil {
			a = new(analyticsIndex)
			*a = *d.analytics
		}
		next.putCoverages(m.coverages, a, len(m.services) == 0)
	}
	if a != nil {
		next.analytics = a
	}
	next.lastSeq = m.changes[len(m.changes)-1].Seq
	if keepChanges {
		next.changes = append(d.changes, m.changes...)
	}
	return &next
}

// putCoverages appends puts to d's coverage log, each replacing the
// coverage with the same key or added, and gives the services and Comuni
// they touch new slot lists. The lists of lists are shared with the
// snapshot before, so they are copied first: serviceCoverages only when
// shareServices says so (apply has not already made a new one), the
// Comune lists only in the chunks changed.
func (d *data) putCoverages(puts []pcnet.Coverage, a *analyticsIndex, shareServices bool) {
	if shareServices {
		d.serviceCoverages = slices.Clone(d.serviceCoverages)
	}
	first := int32(len(d.coverages))
	d.coverages = append(d.coverages, puts...)
	a.appendCoverages(puts)
	byService := make(map[int][]int32)
	byComune := make(map[int32][]int32)
	for k, p := range puts {
		slot := first + int32(k)
		ci := d.comuneIndex[p.ComuneCode]
		d.coverageComune = append(d.coverageComune, ci)
		si, _ := d.serviceIndex(p.ServiceID) // the rules checked that it exists
		byService[si] = append(byService[si], slot)
		byComune[ci] = append(byComune[ci], slot)
	}
	for si, slots := range byService {
		d.serviceCoverages[si] = upsert(d.serviceCoverages[si], slots, d.compareSlots)
	}
	d.comuneCoverageSlots = d.comuneCoverageSlots.withLists(byComune, func(old, put []int32) []int32 { return upsert(old, put, d.compareSlots) })
}

// upsert returns a new slice holding items, sorted by compare, with each of
// puts replacing the item that compares equal to it or added in order.
// Items are never changed in place: earlier snapshots share them. It
// costs a copy of items and a binary search per put, no comparisons of
// the items between puts.
func upsert[T any](items, puts []T, compare func(a, b T) int) []T {
	out, _ := upsertWith[T, struct{}](items, nil, puts, compare, nil)
	return out
}

// upsertWith is upsert carrying side, a slice parallel to items: the
// second result is parallel to the first, with the side values of the
// items kept and sideOf(p) for each put p. A nil sideOf carries nothing.
func upsertWith[T, U any](items []T, side []U, puts []T, compare func(a, b T) int, sideOf func(T) U) ([]T, []U) {
	puts = slices.Clone(puts)
	slices.SortFunc(puts, compare)
	out := make([]T, 0, len(items)+len(puts))
	var outSide []U
	if sideOf != nil {
		outSide = make([]U, 0, len(items)+len(puts))
	}
	i := 0
	for _, p := range puts {
		j, found := slices.BinarySearchFunc(items[i:], p, compare)
		out = append(append(out, items[i:i+j]...), p)
		if sideOf != nil {
			outSide = append(append(outSide, side[i:i+j]...), sideOf(p))
		}
		i += j
		if found {
			i++ // replaced by p
		}
	}
	out = append(out, items[i:]...)
	if sideOf != nil {
		outSide = append(outSide, side[i:]...)
	}
	return out, outSide
}

// Facts from a snapshot.

// find returns a copy of the item of list, sorted by key, whose key is
// key: nil when there is none.
func find[T any, K cmp.Ordered](list []T, key K, keyOf func(T) K) *T {
	i, ok := slices.BinarySearchFunc(list, key, func(x T, key K) int { return cmp.Compare(keyOf(x), key) })
	if !ok {
		return nil
	}
	x := list[i]
	return &x
}

func (d *data) service(id string) *pcnet.SharedService {
	return find(d.services, id, func(s pcnet.SharedService) string { return s.ID })
}

func (d *data) projectWork(id string) *pcnet.ProjectWork {
	return find(d.projectWorks, id, func(w pcnet.ProjectWork) string { return w.ID })
}

func (d *data) tutorship(k pcnet.TutorshipKey) *pcnet.Tutorship {
	probe := pcnet.Tutorship{TutorCode: k.TutorCode, TutoredCode: k.TutoredCode, SectorCode: k.SectorCode, Since: k.Since}
	i, ok := slices.BinarySearchFunc(d.tutorships, probe, compareTutorships)
	if !ok {
		return nil
	}
	t := d.tutorships[i]
	return &t
}

func (d *data) hasProvince(code string) bool { _, ok := d.regionOf[code]; return ok }

// province returns the Province with the code, nil when there is none.
func (d *data) province(code string) *pcnet.Province {
	return find(d.provinces, code, func(p pcnet.Province) string { return p.Code })
}

func (d *data) hasArea(code string) bool { _, ok := d.areaSector[code]; return ok }

func (d *data) hasSector(code string) bool {
	return slices.ContainsFunc(d.sectors, func(s pcnet.Sector) bool { return s.Code == code })
}

// coverageFacts returns the facts of a coverage write to a service for
// the listed Comuni.
func (d *data) coverageFacts(serviceID string, codes []string) pcnet.CoverageFacts {
	f := pcnet.CoverageFacts{Service: d.service(serviceID), Comuni: make(map[string]pcnet.Comune, len(codes))}
	if f.Service != nil {
		f.ProviderParticipation = d.providerParticipation(f.Service.ProviderCode, f.Service.AreaCode)
	}
	for _, code := range codes {
		if i, ok := d.comuneIndex[code]; ok {
			f.Comuni[code] = d.comuni[i]
		}
	}
	for _, i := range d.coveragesOf(serviceID) {
		if _, listed := f.Comuni[d.coverages[i].ComuneCode]; listed {
			f.Existing = append(f.Existing, d.coverages[i])
		}
	}
	return f
}

// coveragesOfService returns the coverages of a service, of any period.
func (d *data) coveragesOfService(serviceID string) []pcnet.Coverage {
	slots := d.coveragesOf(serviceID)
	out := make([]pcnet.Coverage, len(slots))
	for k, i := range slots {
		out[k] = d.coverages[i]
	}
	return out
}

// tutorshipsOf returns the tutorships of tutor to tutored in sector.
func (d *data) tutorshipsOf(tutor, tutored, sector string) []pcnet.Tutorship {
	var out []pcnet.Tutorship
	for _, i := range d.analytics.tutorshipsGiven[tutor] {
		if t := d.tutorships[i]; t.TutoredCode == tutored && t.SectorCode == sector {
			out = append(out, t)
		}
	}
	return out
}

// writeOne runs one call of a write method: plan reads the facts from the
// snapshot and calls pcnet's rule, put says which items its result puts.
// The Writer methods differ only in these two.
func writeOne[T any](ctx context.Context, s *Store, c pcnet.WriteCall, plan func(d *data) (T, []pcnet.Change, error), put func(T) mutation) (T, error) {
	var zero, out T
	idem, err := c.Start(ctx)
	if err != nil {
		return zero, err
	}
	err = s.write(ctx, idem, &out, func(d *data) (mutation, error) {
		res, changes, err := plan(d)
		if err != nil {
			return mutation{}, err
		}
		out = res
		m := put(res)
		m.changes = changes
		return m, nil
	})
	if err != nil {
		return zero, err
	}
	return out, nil
}

// call is the pcnet.WriteCall of a method whose input is checked while planning.
func call(method string, input ...any) pcnet.WriteCall {
	return pcnet.WriteCall{Method: method, Input: input}
}

// Mutations putting a write's result.

func putService(sv pcnet.SharedService) mutation {
	return mutation{services: []pcnet.SharedService{sv}}
}

func putCoverages(r pcnet.CoverageResult) mutation { return mutation{coverages: r.Changed} }

func putTutorship(t pcnet.Tutorship) mutation { return mutation{tutorships: []pcnet.Tutorship{t}} }

func putProjectWork(w pcnet.ProjectWork) mutation {
	return mutation{projectWorks: []pcnet.ProjectWork{w}}
}

func putParticipation(p pcnet.Participation) mutation {
	return mutation{participations: []pcnet.Participation{p}}
}

// CreateService implements pcnet.Writer.
func (s *Store) CreateService(ctx context.Context, sv pcnet.SharedService) (pcnet.SharedService, error) {
	return writeOne(ctx, s, call("CreateService", sv), func(d *data) (pcnet.SharedService, []pcnet.Change, error) {
		return pcnet.PlanServiceCreate(sv, pcnet.ServiceCreateFacts{
			IDTaken:               d.service(sv.ID) != nil,
			ProviderParticipation: d.providerParticipation(sv.ProviderCode, sv.AreaCode),
		})
	}, putService)
}

// UpdateService implements pcnet.Writer.
func (s *Store) UpdateService(ctx context.Context, id string, u pcnet.ServiceUpdate) (pcnet.SharedService, error) {
	var ended []pcnet.Coverage // the coverages the update ends, put with the service
	return writeOne(ctx, s, call("UpdateService", id, u), func(d *data) (planned pcnet.SharedService, changes []pcnet.Change, err error) {
		current := d.service(id)
		f := pcnet.ServiceUpdateFacts{Current: current, Coverages: d.coveragesOfService(id), Today: pcnet.Today()}
		if current != nil {
			f.ProviderParticipation = d.providerParticipation(current.ProviderCode, current.AreaCode)
		}
		planned, ended, changes, err = pcnet.PlanServiceUpdate(id, u, f)
		return planned, changes, err
	}, func(sv pcnet.SharedService) mutation {
		return mutation{services: []pcnet.SharedService{sv}, coverages: ended}
	})
}

// AddCoverage implements pcnet.Writer.
func (s *Store) AddCoverage(ctx context.Context, a pcnet.CoverageAddition) (pcnet.CoverageResult, error) {
	return writeOne(ctx, s, call("AddCoverage", a), func(d *data) (pcnet.CoverageResult, []pcnet.Change, error) {
		if err := pcnet.ValidateCoverageAddition(a); err != nil {
			return pcnet.CoverageResult{}, nil, err // before looking up up to MaxBatch codes
		}
		return pcnet.PlanCoverageAddition(a, d.coverageFacts(a.ServiceID, a.ComuneCodes))
	}, putCoverages)
}

// EndCoverage implements pcnet.Writer.
func (s *Store) EndCoverage(ctx context.Context, e pcnet.CoverageEnding) (pcnet.CoverageResult, error) {
	return writeOne(ctx, s, call("EndCoverage", e), func(d *data) (pcnet.CoverageResult, []pcnet.Change, error) {
		if err := pcnet.ValidateCoverageEnding(e); err != nil {
			return pcnet.CoverageResult{}, nil, err
		}
		return pcnet.PlanCoverageEnding(e, d.coverageFacts(e.ServiceID, e.ComuneCodes))
	}, putCoverages)
}

// AssignTutor implements pcnet.Writer.
func (s *Store) AssignTutor(ctx context.Context, t pcnet.Tutorship) (pcnet.Tutorship, error) {
	return writeOne(ctx, s, call("AssignTutor", t), func(d *data) (pcnet.Tutorship, []pcnet.Change, error) {
		return pcnet.PlanTutorAssign(t, pcnet.TutorshipFacts{
			Tutor:         d.province(t.TutorCode),
			Tutored:       d.province(t.TutoredCode),
			SectorFound:   d.hasSector(t.SectorCode),
			Existing:      d.tutorshipsOf(t.TutorCode, t.TutoredCode, t.SectorCode),
			Participation: d.participationFacts(t.SectorCode, t.TutorCode, t.TutoredCode),
		})
	}, putTutorship)
}

// AdvanceTutorship implements pcnet.Writer.
func (s *Store) AdvanceTutorship(ctx context.Context, k pcnet.TutorshipKey, step int) (pcnet.Tutorship, error) {
	return writeOne(ctx, s, call("AdvanceTutorship", k, step), func(d *data) (pcnet.Tutorship, []pcnet.Change, error) {
		return pcnet.PlanTutorAdvance(k, d.tutorship(k), step)
	}, putTutorship)
}

// EndTutorship implements pcnet.Writer.
func (s *Store) EndTutorship(ctx context.Context, k pcnet.TutorshipKey, until pcnet.Date, outcome pcnet.TutorshipOutcome) (pcnet.Tutorship, error) {
	return writeOne(ctx, s, call("EndTutorship", k, until, outcome), func(d *data) (pcnet.Tutorship, []pcnet.Change, error) {
		return pcnet.PlanTutorEnd(k, d.tutorship(k), until, outcome)
	}, putTutorship)
}

// SaveProjectWork implements pcnet.Writer.
func (s *Store) SaveProjectWork(ctx context.Context, w pcnet.ProjectWork) (pcnet.ProjectWork, error) {
	return writeOne(ctx, s, call("SaveProjectWork", w), func(d *data) (pcnet.ProjectWork, []pcnet.Change, error) {
		f := pcnet.ProjectWorkFacts{
			Current:       d.projectWork(w.ID),
			ProvinceFound: d.hasProvince(w.ProvinceCode),
			AreaFound:     d.hasArea(w.AreaCode),
		}
		if w.ServiceID != "" {
			f.Service = d.service(w.ServiceID)
		}
		if w.ModelFromID != "" {
			if f.Model = d.projectWork(w.ModelFromID); f.Model != nil {
				f.Tutored = pcnet.HasTutored(d.tutorships, f.Model.ProvinceCode, w.ProvinceCode, d.areaSector[w.AreaCode])
			}
		}
		return pcnet.PlanProjectWork(w, f)
	}, putProjectWork)
}

// LastChangeSeq implements pcnet.Writer: the snapshot's, which holds the
// data of every entry up to it.
func (s *Store) LastChangeSeq(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return s.snapshot().lastSeq, nil
}

// Changes implements pcnet.Writer.
func (s *Store) Changes(ctx context.Context, f pcnet.ChangeFilter) ([]pcnet.Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := pcnet.ValidateChangeFilter(f); err != nil {
		return nil, err
	}
	d := s.snapshot()
	if s.disk != nil {
		return s.disk.changes(f, d.lastSeq)
	}
	// Seqs are increasing: skip to the first after AfterSeq.
	start, _ := slices.BinarySearchFunc(d.changes, f.AfterSeq+1, func(c pcnet.Change, seq int64) int { return cmp.Compare(c.Seq, seq) })
	out := []pcnet.Change{}
	for _, c := range d.changes[start:] {
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
		if f.Match(c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// RecordParticipation implements pcnet.Writer.
func (s *Store) RecordParticipation(ctx context.Context, p pcnet.Participation) (pcnet.Participation, error) {
	return writeOne(ctx, s, call("RecordParticipation", p), func(d *data) (pcnet.Participation, []pcnet.Change, error) {
		return pcnet.PlanParticipationRecord(p, d.hasProvince(p.ProvinceCode), d.hasSector(p.SectorCode),
			d.participationFacts(p.SectorCode, p.ProvinceCode).Participations)
	}, putParticipation)
}

// EndParticipation implements pcnet.Writer.
func (s *Store) EndParticipation(ctx context.Context, provinceCode, sectorCode string, until pcnet.Date) (pcnet.Participation, error) {
	return writeOne(ctx, s, call("EndParticipation", provinceCode, sectorCode, until), func(d *data) (pcnet.Participation, []pcnet.Change, error) {
		return pcnet.PlanParticipationEnd(d.participationFacts(sectorCode, provinceCode).Participations, until)
	}, putParticipation)
}

// RecordParticipationException implements pcnet.Writer.
func (s *Store) RecordParticipationException(ctx context.Context, e pcnet.ParticipationException) (pcnet.ParticipationException, error) {
	return writeOne(ctx, s, call("RecordParticipationException", e), func(d *data) (pcnet.ParticipationException, []pcnet.Change, error) {
		return pcnet.PlanParticipationException(e, d.hasProvince(e.ProvinceCode), d.hasSector(e.SectorCode))
	}, func(x pcnet.ParticipationException) mutation {
		return mutation{exceptions: []pcnet.ParticipationException{x}}
	})
}

// providerParticipation returns the facts of the participation rule for a
// service of provider in area: the Province, the area's sector and the
// provider's records and exceptions there.
func (d *data) providerParticipation(provider, area string) pcnet.ProviderParticipation {
	pp := pcnet.ProviderParticipation{Provider: d.province(provider), Sector: d.areaSector[area]}
	if pp.Provider != nil && pp.Sector != "" {
		pp.Facts = d.participationFacts(pp.Sector, provider)
	}
	return pp
}

// participationFacts returns the participation records and exceptions of
// the Provinces in sector (a scan: the lists are small).
func (d *data) participationFacts(sector string, provinces ...string) *pcnet.ParticipationFacts {
	f := &pcnet.ParticipationFacts{}
	for _, r := range d.programme.Participations {
		if r.SectorCode == sector && slices.Contains(provinces, r.ProvinceCode) {
			f.Participations = append(f.Participations, r)
		}
	}
	for _, e := range d.exceptions {
		if e.SectorCode == sector && slices.Contains(provinces, e.ProvinceCode) {
			f.Exceptions = append(f.Exceptions, e)
		}
	}
	return f
}

func compareExceptions(a, b pcnet.ParticipationException) int {
	return cmp.Or(cmp.Compare(a.SectorCode, b.SectorCode), cmp.Compare(a.ProvinceCode, b.ProvinceCode))
}
