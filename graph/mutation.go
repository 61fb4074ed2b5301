package graph

import (
	"context"
	"fmt"
	"time"

	"pcnet/graph/model"
	"pcnet/internal/pcnet"
)

// The mutation resolvers (schema.resolvers.go) are one-liners calling the
// methods below, each through mutate. Each one: checks the caller's role
// (again: @hasRole already did, but a resolver that writes must not depend
// on the schema being annotated right), checks the input's shape with the rules the
// stores apply (internal/pcnet/rules.go), so the errors are the same and a
// malformed call never reaches the store, calls the store's pcnet.Writer,
// which validates against the stored state, writes atomically and records
// the audit entries, then forgets the request's cached reads and announces
// coverage changes. The argument names are the rules' field names
// ("serviceId", "comuneCodes[3]"), so a store error's field names the
// argument at fault as it is.

// errReadOnly answers writes on a store that doesn't implement pcnet.Writer.
var errReadOnly = pcnet.Errorf(pcnet.EUNAVAILABLE, "this store is read-only: it records no changes")

// withIdempotencyKey carries a mutation's idempotencyKey argument to the
// store, which validates and keeps it (pcnet.Idempotency).
func withIdempotencyKey(ctx context.Context, key *string) context.Context {
	if key == nil {
		return ctx
	}
	return pcnet.WithIdempotencyKey(ctx, *key)
}

// MaxChangesPage bounds Query.changes(first).
const MaxChangesPage = 1000

// writer returns the store's Writer for a caller allowed to write.
func (r *Resolver) writer(ctx context.Context) (pcnet.Writer, pcnet.Actor, error) {
	actor, err := Authorize(ctx, pcnet.RolePlanner)
	if err != nil {
		return nil, pcnet.Actor{}, err
	}
	if r.Writer == nil {
		return nil, pcnet.Actor{}, errReadOnly
	}
	return r.Writer, actor, nil
}

// mutate is the path of every write to the store: the caller's role
// (writer), the input's shape (validate, nil when the store's rules are
// the only check), the write itself (call, given the store's Writer), and
// after a success the request's cached reads forgotten (written). Errors
// pass through as the rules and the stores code them.
func mutate[T any](ctx context.Context, r *Resolver, validate func() error, call func(pcnet.Writer) (T, error)) (T, error) {
	var zero T
	w, _, err := r.writer(ctx)
	if err != nil {
		return zero, err
	}
	if validate != nil {
		if err := validate(); err != nil {
			return zero, err
		}
	}
	out, err := call(w)
	if err != nil {
		return zero, err
	}
	r.written(ctx)
	return out, nil
}

// written is called after every successful write: the request's
// dataloaders may hold answers read before it (an earlier field of the same
// operation), so they are emptied, and the payload's nested fields read the
// network as it is now. Mutation fields run one after another, each
// payload resolved before the next field starts, so nothing is loading.
func (r *Resolver) written(ctx context.Context) {
	loadersFrom(ctx).clearAll()
	if r.Feed != nil {
		r.Feed.Poke() // this replica's subscribers hear of the write without waiting a poll
	}
}

func (r *Resolver) createService(ctx context.Context, s pcnet.SharedService) (*model.ServicePayload, error) {
	created, err := mutate(ctx, r, func() error { return pcnet.ValidateNewService(s) },
		func(w pcnet.Writer) (pcnet.SharedService, error) { return w.CreateService(ctx, s) })
	if err != nil {
		return nil, err
	}
	return &model.ServicePayload{Service: created}, nil
}

func (r *Resolver) updateService(ctx context.Context, id string, u pcnet.ServiceUpdate) (*model.ServicePayload, error) {
	updated, err := mutate(ctx, r, func() error { return pcnet.ValidateServiceUpdate(id, u) },
		func(w pcnet.Writer) (pcnet.SharedService, error) { return w.UpdateService(ctx, id, u) })
	if err != nil {
		return nil, err
	}
	return &model.ServicePayload{Service: updated}, nil
}

func (r *Resolver) addCoverage(ctx context.Context, a pcnet.CoverageAddition) (*model.CoveragePayload, error) {
	res, err := mutate(ctx, r, func() error { return pcnet.ValidateCoverageAddition(a) },
		func(w pcnet.Writer) (pcnet.CoverageResult, error) { return w.AddCoverage(ctx, a) })
	if err != nil {
		return nil, err
	}
	return r.coverageWritten(ctx, a.ServiceID, res)
}

func (r *Resolver) endCoverage(ctx context.Context, e pcnet.CoverageEnding) (*model.CoveragePayload, error) {
	res, err := mutate(ctx, r, func() error { return pcnet.ValidateCoverageEnding(e) },
		func(w pcnet.Writer) (pcnet.CoverageResult, error) { return w.EndCoverage(ctx, e) })
	if err != nil {
		return nil, err
	}
	return r.coverageWritten(ctx, e.ServiceID, res)
}

// coverageWritten builds a coverage payload. Subscribers hear of the write
// from the audit trail (NewFeed), on every replica alike.
func (r *Resolver) coverageWritten(ctx context.Context, serviceID string, res pcnet.CoverageResult) (*model.CoveragePayload, error) {
	svc, err := r.serviceOf(ctx, serviceID, "coverage write")
	if err != nil {
		return nil, err
	}
	out := &model.CoveragePayload{Service: *svc, Changed: res.Changed, UnchangedCodes: res.Unchanged}
	if out.Changed == nil {
		out.Changed = []pcnet.Coverage{}
	}
	return out, nil
}

func (r *Resolver) assignTutor(ctx context.Context, t pcnet.Tutorship) (*model.TutorshipPayload, error) {
	return tutorshipWritten(mutate(ctx, r, func() error { return pcnet.ValidateTutorship(t) },
		func(w pcnet.Writer) (pcnet.Tutorship, error) { return w.AssignTutor(ctx, t) }))
}

func (r *Resolver) advanceTutorship(ctx context.Context, k pcnet.TutorshipKey, step int) (*model.TutorshipPayload, error) {
	valid := func() error {
		if err := pcnet.ValidateTutorshipKey(k); err != nil {
			return err
		}
		if step < 1 || step > pcnet.MaxTutorshipStep {
			return pcnet.Invalidf("step", "step: %d is out of range: 1 to %d expected", step, pcnet.MaxTutorshipStep)
		}
		return nil
	}
	return tutorshipWritten(mutate(ctx, r, valid,
		func(w pcnet.Writer) (pcnet.Tutorship, error) { return w.AdvanceTutorship(ctx, k, step) }))
}

func (r *Resolver) endTutorship(ctx context.Context, k pcnet.TutorshipKey, until pcnet.Date, outcome pcnet.TutorshipOutcome) (*model.TutorshipPayload, error) {
	return tutorshipWritten(mutate(ctx, r, func() error { return pcnet.ValidateTutorshipKey(k) },
		func(w pcnet.Writer) (pcnet.Tutorship, error) { return w.EndTutorship(ctx, k, until, outcome) }))
}

// tutorshipWritten is the payload of the tutorship mutations.
func tutorshipWritten(t pcnet.Tutorship, err error) (*model.TutorshipPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.TutorshipPayload{Tutorship: t}, nil
}

func (r *Resolver) saveProjectWork(ctx context.Context, pw pcnet.ProjectWork) (*model.ProjectWorkPayload, error) {
	saved, err := mutate(ctx, r, func() error { return pcnet.ValidateProjectWork(pw) },
		func(w pcnet.Writer) (pcnet.ProjectWork, error) { return w.SaveProjectWork(ctx, pw) })
	if err != nil {
		return nil, err
	}
	return &model.ProjectWorkPayload{ProjectWork: saved}, nil
}

func (r *Resolver) saveProjectWorkSections(ctx context.Context, id string, sections []pcnet.ProjectWorkSection) (*model.ProjectWorkSectionsPayload, error) {
	all, err := mutate(ctx, r, func() error { return pcnet.ValidateProjectWorkSections(id, sections) },
		func(w pcnet.Writer) ([]pcnet.ProjectWorkSection, error) {
			return w.SaveProjectWorkSections(ctx, id, sections)
		})
	if err != nil {
		return nil, err
	}
	works, err := r.Store.ProjectWorks(ctx, pcnet.ProjectWorkFilter{IDs: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(works) != 1 {
		return nil, fmt.Errorf("graph: project work %q gone after saving its sections", id)
	}
	if all == nil {
		all = []pcnet.ProjectWorkSection{}
	}
	return &model.ProjectWorkSectionsPayload{ProjectWork: works[0], Sections: all}, nil
}

// setRolloutPlan answers with the service's ID only: the payload's
// progress reads the plan as stored, on the day the caller asks for.
func (r *Resolver) setRolloutPlan(ctx context.Context, serviceID string, waves []pcnet.RolloutWave) (*model.RolloutPlanPayload, error) {
	if _, err := mutate(ctx, r, func() error { return pcnet.ValidateRolloutPlan(serviceID, waves) },
		func(w pcnet.Writer) ([]pcnet.RolloutTarget, error) { return w.SetRolloutPlan(ctx, serviceID, waves) }); err != nil {
		return nil, err
	}
	return &model.RolloutPlanPayload{ServiceID: serviceID}, nil
}

// planProgress resolves RolloutPlanPayload.progress: the service exists,
// the write that made the payload just checked it.
func (r *Resolver) planProgress(ctx context.Context, p *model.RolloutPlanPayload, asOf *pcnet.Date) (*model.RolloutProgress, error) {
	progress, err := r.rolloutProgress(ctx, p.ServiceID, asOf)
	if err == nil && progress == nil {
		err = fmt.Errorf("graph: service %q gone after setting its rollout plan", p.ServiceID)
	}
	return progress, err
}

func (r *Resolver) addMaterial(ctx context.Context, m pcnet.Material) (*model.MaterialPayload, error) {
	added, err := mutate(ctx, r, func() error { return pcnet.ValidateMaterial(m) },
		func(w pcnet.Writer) (pcnet.Material, error) { return w.AddMaterial(ctx, m) })
	if err != nil {
		return nil, err
	}
	out, err := r.materialModels(ctx, []pcnet.Material{added}, selects(ctx, "material", "pilot"))
	if err != nil {
		return nil, err
	}
	return &model.MaterialPayload{Material: out[0]}, nil
}

// changes answers Query.changes. The audit trail names people, so it takes
// a planner (or admin), like writing does.
func (r *Resolver) changes(ctx context.Context, since *time.Time, entity, entityID *string, afterSeq, first *int) ([]pcnet.Change, error) {
	w, _, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	f := pcnet.ChangeFilter{Entity: deref(entity), EntityID: deref(entityID), Limit: 100}
	if since != nil {
		f.Since = *since
	}
	if afterSeq != nil {
		f.AfterSeq = int64(*afterSeq)
	}
	if first != nil {
		f.Limit = *first
	}
	if f.Limit < 1 || f.Limit > MaxChangesPage {
		return nil, pcnet.Invalidf("first", "first: %d is out of range: 1 to %d expected", f.Limit, MaxChangesPage)
	}
	if err := pcnet.ValidateChangeFilter(f); err != nil {
		return nil, err
	}
	out, err := w.Changes(ctx, f)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []pcnet.Change{}
	}
	return out, nil
}

// unchanged resolves CoveragePayload.unchanged: the codes come from the
// store's answer, so each names a Comune that exists.
func (r *Resolver) unchanged(ctx context.Context, p *model.CoveragePayload) ([]pcnet.Comune, error) {
	found, err := loadersFrom(ctx).comuneByCode.LoadAll(ctx, p.UnchangedCodes)
	if err != nil {
		return nil, err
	}
	out := make([]pcnet.Comune, len(found))
	for i, c := range found {
		if c == nil {
			return nil, fmt.Errorf("graph: coverage payload of %s refers to unknown comune %q", p.Service.ID, p.UnchangedCodes[i])
		}
		out[i] = *c
	}
	return out, nil
}

// clearAll empties every loader's cache, so later loads read the store
// again.
func (l *Loaders) clearAll() {
	l.allRegions.ClearAll()
	l.provincesWhere.ClearAll()
	l.servicesWhere.ClearAll()
	l.regionByCode.ClearAll()
	l.provinceByCode.ClearAll()
	l.provincesByRegion.ClearAll()
	l.comuneByCode.ClearAll()
	l.comuneInContext.ClearAll()
	l.comunePages.ClearAll()
	l.taxonomy.ClearAll()
	l.serviceByID.ClearAll()
	l.servicesByProvider.ClearAll()
	l.servicesByArea.ClearAll()
	l.coveragePages.ClearAll()
	l.coveragesByComune.ClearAll()
	l.tutorshipsByTutor.ClearAll()
	l.tutorshipsByTutee.ClearAll()
	l.projectWorksByProv.ClearAll()
	l.projectWorksBySvc.ClearAll()
	l.reach.ClearAll()
	l.comuniSummaries.ClearAll()
	l.peers.ClearAll()
	l.tutorLinks.ClearAll()
	l.nearest.ClearAll()
}

// derefOr returns *p, or def when p is nil.
func derefOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func (r *Resolver) recordParticipation(ctx context.Context, p pcnet.Participation) (*model.ParticipationPayload, error) {
	saved, err := mutate(ctx, r, func() error { return pcnet.ValidateParticipation(p) },
		func(w pcnet.Writer) (pcnet.Participation, error) { return w.RecordParticipation(ctx, p) })
	if err != nil {
		return nil, err
	}
	return r.participationPayload(ctx, saved)
}

func (r *Resolver) endParticipation(ctx context.Context, province, sector string, until pcnet.Date) (*model.ParticipationPayload, error) {
	saved, err := mutate(ctx, r, func() error { return pcnet.ValidateProvinceCode("provinceCode", province) },
		func(w pcnet.Writer) (pcnet.Participation, error) {
			return w.EndParticipation(ctx, province, sector, until)
		})
	if err != nil {
		return nil, err
	}
	return r.participationPayload(ctx, saved)
}

// recordParticipationException is for admins only: an exception lifts the
// participation rule that planners' writes follow.
func (r *Resolver) recordParticipationException(ctx context.Context, e pcnet.ParticipationException) (*model.ParticipationExceptionPayload, error) {
	if _, err := Authorize(ctx, pcnet.RoleAdmin); err != nil {
		return nil, err
	}
	saved, err := mutate(ctx, r, nil,
		func(w pcnet.Writer) (pcnet.ParticipationException, error) {
			return w.RecordParticipationException(ctx, e)
		})
	if err != nil {
		return nil, err
	}
	province, sector, err := r.provinceAndSector(ctx, saved.ProvinceCode, saved.SectorCode)
	if err != nil {
		return nil, err
	}
	return &model.ParticipationExceptionPayload{Province: province, Sector: sector, Reason: saved.Reason}, nil
}

func (r *Resolver) participationPayload(ctx context.Context, p pcnet.Participation) (*model.ParticipationPayload, error) {
	province, sector, err := r.provinceAndSector(ctx, p.ProvinceCode, p.SectorCode)
	if err != nil {
		return nil, err
	}
	return &model.ParticipationPayload{Participation: model.Participation{Province: province, Sector: sector, Since: p.Since, Until: optionalDay(p.Until)}}, nil
}

// provinceAndSector reads the Province and sector a write just checked exist.
func (r *Resolver) provinceAndSector(ctx context.Context, province, sector string) (pcnet.Province, pcnet.Sector, error) {
	ps, err := r.Store.Provinces(ctx, pcnet.ProvinceFilter{Codes: []string{province}})
	if err != nil {
		return pcnet.Province{}, pcnet.Sector{}, err
	}
	t, err := r.taxonomy(ctx)
	if err != nil {
		return pcnet.Province{}, pcnet.Sector{}, err
	}
	s, ok := t.sector[sector]
	if len(ps) != 1 || !ok {
		return pcnet.Province{}, pcnet.Sector{}, fmt.Errorf("graph: Province %s or sector %q gone after the write", province, sector)
	}
	return ps[0], *s, nil
}
