package pcnet

import "fmt"

// Sector is one of the programme's fields of work (procurement, Europe,
// innovation and digitalisation, personnel). Sectors and their areas are
// data, not schema: adding one needs no code change.
type Sector struct {
	Code        string // stable identifier, e.g. "personnel"
	Name        string // Italian name, e.g. "Politiche del personale"
	Description string
	Areas       []Area // ordered by Code
}

// Area is a field inside a sector ("ambito"), e.g. staff training inside
// personnel. A shared service and a project work belong to one area.
type Area struct {
	Code        string // stable identifier, unique across sectors, e.g. "staff-training"
	SectorCode  string
	Name        string // Italian name, e.g. "Formazione del personale"
	Description string
}

// ServiceStatus is the life-cycle state of a shared service.
type ServiceStatus string

const (
	StatusPlanned   ServiceStatus = "PLANNED"
	StatusPilot     ServiceStatus = "PILOT"
	StatusActive    ServiceStatus = "ACTIVE"
	StatusSuspended ServiceStatus = "SUSPENDED"
	StatusEnded     ServiceStatus = "ENDED"
)

// ServiceStatuses lists every ServiceStatus in life-cycle order.
var ServiceStatuses = []ServiceStatus{StatusPlanned, StatusPilot, StatusActive, StatusSuspended, StatusEnded}

// SharedService is a service ("servizio associato") that a Province runs
// for the Comuni of its territory, in one area.
type SharedService struct {
	ID           string // stable identifier, e.g. "svc-108-staff-training"
	Name         string
	Description  string
	ProviderCode string // ISTAT code of the provider Province
	AreaCode     string
	Status       ServiceStatus
	StartDate    Date
}

// CoveragePhase says whether a Comune joined a service as part of a pilot or
// of the progressive rollout.
type CoveragePhase string

const (
	PhasePilot   CoveragePhase = "PILOT"
	PhaseRollout CoveragePhase = "ROLLOUT"
)

// CoveragePhases lists every CoveragePhase.
var CoveragePhases = []CoveragePhase{PhasePilot, PhaseRollout}

// Coverage records that a shared service covers a Comune ("adesione") over
// a period: from Since, until Until (exclusive) or still open.
type Coverage struct {
	ServiceID  string
	ComuneCode string
	Since      Date
	Until      Date // zero while the coverage is open
	Phase      CoveragePhase
}

// Period returns the coverage's period.
func (c Coverage) Period() Period { return Period{c.Since, c.Until} }

// Tutorship records that a tutor Province accompanies another Province in a
// sector, through a guided path of up to three steps.
type Tutorship struct {
	TutorCode   string // ISTAT code of the tutor Province
	TutoredCode string // ISTAT code of the accompanied Province
	SectorCode  string
	Since       Date
	Until       Date // zero while the tutorship is open
	Step        int  // step reached, 1 to 3
	// Outcome is how an ended tutorship ended: COMPLETED or WITHDRAWN; ""
	// while open, or for one ended before outcomes were recorded (Result
	// reads both).
	Outcome TutorshipOutcome
}

// TutorshipOutcome is where a tutorship's accompaniment led: still under
// way, the path completed, or ended before it was.
type TutorshipOutcome string

const (
	OutcomeInProgress TutorshipOutcome = "IN_PROGRESS" // open: the path goes on
	OutcomeCompleted  TutorshipOutcome = "COMPLETED"   // ended after step 3: the model was adopted
	OutcomeWithdrawn  TutorshipOutcome = "WITHDRAWN"   // ended before the path was completed
)

// TutorshipOutcomes lists every TutorshipOutcome.
var TutorshipOutcomes = []TutorshipOutcome{OutcomeInProgress, OutcomeCompleted, OutcomeWithdrawn}

// DefaultOutcome is the outcome of a tutorship ended at step without one
// given: COMPLETED at the last step, WITHDRAWN before it.
func DefaultOutcome(step int) TutorshipOutcome {
	if step >= MaxTutorshipStep {
		return OutcomeCompleted
	}
	return OutcomeWithdrawn
}

// Result returns the tutorship's outcome as readers see it: IN_PROGRESS
// while open, else Outcome, or DefaultOutcome when none was recorded.
func (t Tutorship) Result() TutorshipOutcome {
	switch {
	case t.Until.IsZero():
		return OutcomeInProgress
	case t.Outcome != "":
		return t.Outcome
	}
	return DefaultOutcome(t.Step)
}

// checkOutcome is the rule of an ended tutorship's outcome: COMPLETED or
// WITHDRAWN, and COMPLETED only at the last step (a path is completed
// through step 3).
func checkOutcome(o TutorshipOutcome, step int) error {
	switch o {
	case OutcomeCompleted:
		if step < MaxTutorshipStep {
			return fmt.Errorf("COMPLETED at step %d: a path is completed at step %d", step, MaxTutorshipStep)
		}
	case OutcomeWithdrawn:
	default:
		return fmt.Errorf("%q is not the outcome of an ended tutorship: %s or %s expected", o, OutcomeCompleted, OutcomeWithdrawn)
	}
	return nil
}

// MaxTutorshipStep is the last step of the accompanying path.
const MaxTutorshipStep = 3

// Period returns the tutorship's period.
func (t Tutorship) Period() Period { return Period{t.Since, t.Until} }

// Maturity is how far a project work's model has come.
type Maturity string

const (
	MaturityAdvanced      Maturity = "ADVANCED"      // advanced, already operational models
	MaturityConsolidating Maturity = "CONSOLIDATING" // models being consolidated
	MaturityDeveloping    Maturity = "DEVELOPING"    // still in development, with a coherent design
)

// Maturities lists every Maturity, most mature first.
var Maturities = []Maturity{MaturityAdvanced, MaturityConsolidating, MaturityDeveloping}

// ProjectWork is an accompanied Province's plan for a shared service in one
// area, written along the tutorship path.
type ProjectWork struct {
	ID           string // stable identifier, e.g. "pw-108-staff-training"
	ProvinceCode string
	AreaCode     string
	Title        string
	Maturity     Maturity
	Step         int    // step of the path it was written at, 1 to 3
	Year         int    // year it was presented
	ServiceID    string // the shared service it led to, "" if none
	// ModelFromID is the project work of a tutor whose model this one
	// adapts, "" if none: one of the same area, written by a Province that
	// tutors (or tutored) this one's in the area's sector (CheckModelFrom).
	ModelFromID string
}
