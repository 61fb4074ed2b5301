package model

import "pcnet/internal/pcnet"

// The programme's answers (schema.graphqls, "The programme as it is run").
// graph/programme.go fills them whole, nested domain values included, so
// they need no field resolvers.

type Participation struct {
	Province pcnet.Province
	Sector   pcnet.Sector
	Since    pcnet.Date
	Until    *pcnet.Date
}

type PathCohort struct {
	Year    int
	Sector  pcnet.Sector
	AtStep  []StepCount
	Ended   int
	Members []PathMember
}

type StepCount struct {
	Step               int
	Count              int
	AverageDaysToReach *float64
}

type PathMember struct {
	Tutorship pcnet.Tutorship
	Step      int
	Ended     bool
	History   []PathStepReached
}

type PathStepReached struct {
	Step          int
	Reached       pcnet.Date
	DaysFromStart int
}

type ProjectWorkComparison struct {
	ProjectWorks []pcnet.ProjectWork
	Sections     []SectionRow
}

type SectionRow struct {
	Section pcnet.SectionKind
	Texts   []*string
}

type RolloutProgress struct {
	Service   pcnet.SharedService
	AsOf      pcnet.Date
	Planned   RolloutFigures
	Reached   RolloutFigures
	WholePlan RolloutFigures
	Share     float64
	Late      []RolloutTarget
	Targets   []RolloutTarget
}

type RolloutFigures struct {
	Comuni      int
	Inhabitants int
	SmallComuni int
}

type RolloutTarget struct {
	Comune   pcnet.Comune
	Wave     int
	Due      pcnet.Date
	Covered  bool
	DaysLate int
}

type Material struct {
	ID          string
	Title       string
	Kind        pcnet.MaterialKind
	URL         string
	Sector      pcnet.Sector
	Area        *pcnet.Area
	Service     *pcnet.SharedService
	ProjectWork *pcnet.ProjectWork
	Pilot       *Pilot
	Published   pcnet.Date
}

type Pilot struct {
	ID         string
	Title      string
	Province   pcnet.Province
	Service    *pcnet.SharedService
	Sector     pcnet.Sector
	Comuni     []pcnet.Comune
	Since      pcnet.Date
	Until      *pcnet.Date
	Evaluation *string
	Decision   *pcnet.PilotDecision
}

// ParticipationShare holds the store's sums; the participating Provinces
// are resolved from ParticipantCodes only when asked for.
type ParticipationShare struct {
	Sector           pcnet.Sector
	Region           *pcnet.Region
	AsOf             pcnet.Date
	ParticipantCodes []string
	Provinces        PartOfWhole
	Comuni           PartOfWhole
	Inhabitants      PartOfWhole
	SmallComuni      PartOfWhole
}

type PartOfWhole struct {
	Part  int
	Whole int
	Share float64
}

// NewPartOfWhole is part of whole with its share, rounded as every share
// of the API is (Share).
func NewPartOfWhole(part, whole int) PartOfWhole {
	return PartOfWhole{Part: part, Whole: whole, Share: Share(part, whole)}
}
