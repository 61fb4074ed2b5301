package pcnet

import (
	"context"
	"time"
)

// Writer records planners' changes to the network. Every method is atomic
// (a batch applies whole or not at all), validates with the rules in
// rules.go before writing anything, records what it changed in the audit
// trail in the same transaction, and returns *Error with a code for every
// problem a user can fix (EINVALID, ENOTFOUND, ECONFLICT). Both stores
// implement it and pass the write conformance suite (storetest.RunWrites).
//
// The rules are the Plan* functions of rules.go: inside its transaction a
// store reads the facts a plan needs, calls the plan and writes what it
// returns, so both stores apply the same rules with the same errors. A
// write whose plan changes nothing (re-adding a covered Comune, an update
// to the current values, a retried ending) writes nothing and records no
// audit entry, and returns the item as it is. Writes to the same items
// are serialized: concurrent writes lose no update, and each is planned
// against the state the writes before it left.
//
// The Actor comes from the context (WithActor): stores record it, they
// don't authorize. Authorization happens before a Writer is called.
type Writer interface {
	// CreateService creates a shared service. Its ID must be new (ECONFLICT
	// otherwise); a new service's status is PLANNED (the default) or
	// PILOT. See PlanServiceCreate.
	CreateService(ctx context.Context, s SharedService) (SharedService, error)

	// UpdateService changes a service's name, description, status or start
	// date. Status changes follow AllowedTransition; a start date may not
	// move after the first coverage of the service. A field given with its
	// current value is no change. Ending a service ends, in the same
	// write, every coverage active on its end date or later. See
	// PlanServiceUpdate.
	UpdateService(ctx context.Context, id string, u ServiceUpdate) (SharedService, error)

	// AddCoverage adds Comuni to a service's coverage from a date, in a
	// phase. Every Comune must exist and lie in the provider's Province;
	// since may not be before the service's start date nor may the service
	// be ENDED. A Comune with a coverage by the service active on since is
	// left as it is (no duplicate) and reported as unchanged; one whose
	// coverage starts after since is ECONFLICT. See PlanCoverageAddition.
	AddCoverage(ctx context.Context, a CoverageAddition) (CoverageResult, error)

	// EndCoverage ends the open coverages of Comuni by a service at a date
	// (exclusive). until must be after each coverage's since; a Comune with
	// no open coverage by the service is ENOTFOUND, but one whose coverage
	// ended on until already is reported unchanged, so a retry is harmless.
	// See PlanCoverageEnding.
	EndCoverage(ctx context.Context, e CoverageEnding) (CoverageResult, error)

	// AssignTutor records that a Province tutors another in a sector from a
	// date, at step 1 unless given. A Province can't tutor itself, and a
	// tutor has at most one open tutorship with a Province in a sector:
	// the periods of the tutorships between two Provinces in a sector
	// never overlap. See PlanTutorAssign.
	AssignTutor(ctx context.Context, t Tutorship) (Tutorship, error)

	// AdvanceTutorship sets the step of an open tutorship; steps only go
	// forward, up to MaxTutorshipStep. See PlanTutorAdvance.
	AdvanceTutorship(ctx context.Context, k TutorshipKey, step int) (Tutorship, error)

	// EndTutorship closes an open tutorship at a date after its start, with
	// its outcome ("" for the default of the step reached). See PlanTutorEnd.
	EndTutorship(ctx context.Context, k TutorshipKey, until Date, outcome TutorshipOutcome) (Tutorship, error)

	// SaveProjectWork creates a project work, or replaces the one with the
	// same ID. A linked service must exist and be the Province's own. See
	// PlanProjectWork.
	SaveProjectWork(ctx context.Context, w ProjectWork) (ProjectWork, error)

	// RecordParticipation records that a Province takes part in a sector
	// of the programme from a date (until a date or open); its periods in
	// a sector never overlap. See PlanParticipationRecord.
	RecordParticipation(ctx context.Context, p Participation) (Participation, error)

	// EndParticipation ends the open participation of a Province in a
	// sector on until (exclusive). See PlanParticipationEnd.
	EndParticipation(ctx context.Context, provinceCode, sectorCode string, until Date) (Participation, error)

	// RecordParticipationException records an admin's exception: the
	// Province may tutor, be tutored or provide in the sector although it
	// doesn't take part then. Authorization (admin only) happens before.
	// See PlanParticipationException.
	RecordParticipationException(ctx context.Context, e ParticipationException) (ParticipationException, error)

	// Changes returns the audit entries f selects, oldest first (by Seq),
	// at most f.Limit of them when it is set. An invalid filter is
	// EINVALID (ValidateChangeFilter); ChangeFilter.Match is the selection.
	Changes(ctx context.Context, f ChangeFilter) ([]Change, error)

	// LastChangeSeq returns the Seq of the last audit entry committed (0
	// before the first write), in one cheap read: it changes with every
	// write that changes something, whichever replica made it, so a
	// response cache keyed by it never serves data older than a write
	// (server.responseCache). An import records one entry (ImportChange), so
	// it moves it too.
	LastChangeSeq(ctx context.Context) (int64, error)

	// ProgrammeWriter: the programme's writes (sections of project works,
	// rollout plans, materials), under the same contract.
	ProgrammeWriter
}

// ServiceUpdate lists the fields of a service to change; nil fields stay.
type ServiceUpdate struct {
	Name        *string
	Description *string
	Status      *ServiceStatus
	StartDate   *Date
	// EndDate is the day an ENDED service's coverages end (exclusive),
	// given only with Status ENDED; nil: the day of the write.
	EndDate *Date
}

// AllowedTransition reports whether a service may go from status from to
// status to: planned → pilot → active, active ⇄ suspended, and any status
// → ended. Staying in the same status is not a transition.
func AllowedTransition(from, to ServiceStatus) bool {
	switch {
	case from == to || from == StatusEnded:
		return false
	case to == StatusEnded:
		return true
	}
	switch from {
	case StatusPlanned:
		return to == StatusPilot
	case StatusPilot:
		return to == StatusActive
	case StatusActive:
		return to == StatusSuspended
	case StatusSuspended:
		return to == StatusActive
	}
	return false
}

// CoverageAddition adds Comuni to a service's coverage.
type CoverageAddition struct {
	ServiceID   string
	ComuneCodes []string
	Since       Date
	Phase       CoveragePhase
}

// CoverageEnding ends the open coverage of Comuni by a service.
type CoverageEnding struct {
	ServiceID   string
	ComuneCodes []string
	Until       Date
}

// CoverageResult says what a coverage write did: Changed are the coverages
// created or ended, Unchanged the Comuni left as they were (already
// covered). Both are ordered by Comune code.
type CoverageResult struct {
	Changed   []Coverage
	Unchanged []string
}

// TutorshipKey identifies a tutorship.
type TutorshipKey struct {
	TutorCode   string
	TutoredCode string
	SectorCode  string
	Since       Date
}

// Key returns the tutorship's key.
func (t Tutorship) Key() TutorshipKey {
	return TutorshipKey{t.TutorCode, t.TutoredCode, t.SectorCode, t.Since}
}

// MaxBatch bounds the Comuni of one coverage write.
const MaxBatch = 1000

// Entity names used in the audit trail.
const (
	EntityService     = "service"
	EntityCoverage    = "coverage"
	EntityTutorship   = "tutorship"
	EntityProjectWork = "projectWork"
	// EntityParticipation: participation records and admin exceptions; added
	// to Entities (and the schema's changes description) with the mutations.
	EntityParticipation = "participation"
	// EntityImport: an import of a whole dataset (ImportChange).
	EntityImport = "import"
)

// Change is one entry of the audit trail: who changed what, when. A write
// records one entry per item it changes (a coverage batch, one per
// Comune), all with the same At. Stores fill Seq, At and Actor with
// StampChanges.
type Change struct {
	Seq      int64     // increasing from 1, gap-free per store
	At       time.Time // UTC, to the millisecond
	Actor    string    // the authenticated subject, e.g. "maria@provincia.mb.it"; "" when the context has no Actor
	Entity   string    // one of the Entity* names
	EntityID string    // service ID, "serviceID/comuneCode" (CoverageEntityID), "tutor/tutored/sector/since" (TutorshipKey.EntityID), project work ID
	Action   string    // one of the Action* names: "create", "update", "add", "end", "assign", "advance"
	Summary  string    // human-readable, e.g. "status PILOT → ACTIVE"
}

// ChangeFilter selects audit entries. Zero fields don't filter.
type ChangeFilter struct {
	Since    time.Time // entries at or after
	Entity   string
	EntityID string
	AfterSeq int64 // entries with Seq > AfterSeq
	Limit    int   // 0: no limit
}

// Actor is who makes a change, as authenticated by the server.
type Actor struct {
	Subject string
	Role    Role
}

// Role is what an authenticated caller may do.
type Role string

const (
	RoleReader  Role = "reader"  // reads (when reads need a token)
	RolePlanner Role = "planner" // reads and mutations
	RoleAdmin   Role = "admin"   // everything, import and maintenance included
)

// Can reports whether r includes the rights of need: admin > planner > reader.
func (r Role) Can(need Role) bool {
	rank := map[Role]int{RoleReader: 1, RolePlanner: 2, RoleAdmin: 3}
	return rank[r] > 0 && rank[r] >= rank[need]
}

type actorKey struct{}

// WithActor returns a context carrying the actor of a request.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor carried by ctx, if any.
func ActorFrom(ctx context.Context) (Actor, bool) {
	return valueFrom[Actor](ctx, actorKey{})
}

// valueFrom returns the value of type T that ctx carries under key, if
// any: each request-scoped value has a key type of its own.
func valueFrom[T any](ctx context.Context, key any) (T, bool) {
	v, ok := ctx.Value(key).(T)
	return v, ok
}
