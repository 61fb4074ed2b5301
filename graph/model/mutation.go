package model

import (
	"time"

	"pcnet/internal/pcnet"
)

// ServicePayload answers createService and updateService.
type ServicePayload struct {
	Service pcnet.SharedService
}

// CoveragePayload answers addCoverage and endCoverage: what the store's
// pcnet.CoverageResult says, with the service as it is after the write.
type CoveragePayload struct {
	Service        pcnet.SharedService
	Changed        []pcnet.Coverage
	UnchangedCodes []string // resolved to Comuni as the field "unchanged"
}

// TutorshipPayload answers the tutorship mutations.
type TutorshipPayload struct {
	Tutorship pcnet.Tutorship
}

// ParticipationPayload answers the participation mutations.
type ParticipationPayload struct {
	Participation Participation
}

// ParticipationExceptionPayload answers recordParticipationException.
type ParticipationExceptionPayload struct {
	Province pcnet.Province
	Sector   pcnet.Sector
	Reason   string
}

// ProjectWorkPayload answers saveProjectWork.
type ProjectWorkPayload struct {
	ProjectWork pcnet.ProjectWork
}

// ProjectWorkSectionsPayload answers saveProjectWorkSections.
type ProjectWorkSectionsPayload struct {
	ProjectWork pcnet.ProjectWork
	Sections    []pcnet.ProjectWorkSection
}

// RolloutPlanPayload answers setRolloutPlan: its field progress reads the
// plan as stored, on the day it is asked for.
type RolloutPlanPayload struct {
	ServiceID string
}

// MaterialPayload answers addMaterial.
type MaterialPayload struct {
	Material Material
}

// CoverageAction says what a coverage write did.
type CoverageAction string

const (
	CoverageAdded CoverageAction = "ADDED"
	CoverageEnded CoverageAction = "ENDED"
)

// CoverageEvent is a coverage write announced to subscribers. It carries
// the service and coverages as they were right after the write, so every
// subscriber sees the same snapshot whenever it reads the event.
type CoverageEvent struct {
	Seq        int64 // the audit Seq of the write's last entry
	Action     CoverageAction
	Service    pcnet.SharedService
	SectorCode string // the service's sector, for filtering and Sector
	Coverages  []pcnet.Coverage
	Actor      string
	At         time.Time
}
