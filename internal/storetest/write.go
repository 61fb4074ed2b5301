package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"pcnet/internal/pcnet"
)

// WriteStore is a store that records planners' writes.
type WriteStore = interface {
	pcnet.Store
	pcnet.Writer
}

// RunWrites runs the conformance suite of pcnet.Writer: every method,
// every rule of pcnet's rules.go with its error code and field, batch
// atomicity (a rejected write changes nothing, checked by reading the
// whole store back), no-op writes, the audit trail and its filters, and
// concurrent writers. open must return a store holding exactly ds (for
// Neo4j: ds imported into a clean database, with an empty audit trail)
// and clean it up when t ends. RunWrites opens three stores on
// WriteFixture(): one for the rules, one for the audit trail and one for
// the concurrency tests. Within each, subtests run in order and each
// works on items of its own.
//
// Beyond what write.go and rules.go document, the suite pins down:
//   - A freshly opened store has an empty audit trail; Seq starts at 1.
//   - Results of writes equal what the Store methods read back.
//   - A write whose plan changes nothing (re-adding covered Comuni, a
//     service update to the current values, a retried ending, the current
//     step) records no audit entry.
//   - A write with an already cancelled context fails and writes nothing.
//   - A write with an idempotency key follows pcnet.Idempotency's rules
//     (idempotency.go).
//   - All entries of one write have the same At; At is UTC, to the
//     millisecond, and never before the write began.
func RunWrites(t *testing.T, open func(t *testing.T, ds pcnet.Dataset) WriteStore) {
	fx := WriteFixture()
	if err := fx.Validate(); err != nil {
		t.Fatalf("the write fixture itself is invalid: %v", err)
	}
	t.Run("Rules", func(t *testing.T) {
		s := open(t, WriteFixture())
		t.Run("CreateService", func(t *testing.T) { testCreateService(t, s) })
		t.Run("StatusTransitions", func(t *testing.T) { testStatusTransitions(t, s) })
		t.Run("UpdateService", func(t *testing.T) { testUpdateService(t, s) })
		t.Run("EndService", func(t *testing.T) { testEndService(t, s) })
		t.Run("AddCoverage", func(t *testing.T) { testAddCoverage(t, s) })
		t.Run("AddCoverageErrors", func(t *testing.T) { testAddCoverageErrors(t, s) })
		t.Run("EndCoverage", func(t *testing.T) { testEndCoverage(t, s) })
		t.Run("Tutorships", func(t *testing.T) { testWriteTutorships(t, s) })
		t.Run("TutorshipErrors", func(t *testing.T) { testTutorshipErrors(t, s) })
		t.Run("ProjectWorks", func(t *testing.T) { testSaveProjectWork(t, s) })
		t.Run("ProjectWorkModel", func(t *testing.T) { testSaveProjectWorkModel(t, s) })
		t.Run("CancelledContext", func(t *testing.T) { testWriteCancelledContext(t, s) })
		t.Run("ProviderParticipation", func(t *testing.T) { testProviderParticipation(t, s) })
		t.Run("Participations", func(t *testing.T) { testParticipationWrites(t, s) })
		t.Run("ProjectWorkSections", func(t *testing.T) { testSaveProjectWorkSections(t, s) })
		t.Run("RolloutPlan", func(t *testing.T) { testSetRolloutPlan(t, s) })
		t.Run("Materials", func(t *testing.T) { testAddMaterial(t, s) })
	})
	t.Run("Audit", func(t *testing.T) { testAudit(t, open(t, WriteFixture())) })
	t.Run("LastChangeSeq", func(t *testing.T) { testLastChangeSeq(t, open(t, WriteFixture())) })
	t.Run("Idempotency", func(t *testing.T) { testIdempotency(t, open(t, WriteFixture())) })
	t.Run("PagingAcrossWrites", func(t *testing.T) { testPagingAcrossWrites(t, open(t, WriteFixture())) })
	t.Run("Concurrency", func(t *testing.T) {
		s := open(t, WriteFixture())
		t.Run("DifferentComuni", func(t *testing.T) { testConcurrentDifferentComuni(t, s) })
		t.Run("OverlappingBatches", func(t *testing.T) { testConcurrentOverlappingBatches(t, s) })
		t.Run("StatusUpdates", func(t *testing.T) { testConcurrentStatusUpdates(t, s) })
		t.Run("ReadersSeeWholeBatches", func(t *testing.T) { testConcurrentReadersSeeWholeBatches(t, s) })
	})
}

// planner is the actor of the suite's writes.
var planner = pcnet.Actor{Subject: "maria@provincia.co.it", Role: pcnet.RolePlanner}

func asPlanner() context.Context { return pcnet.WithActor(context.Background(), planner) }

// wantErr checks that err is an *pcnet.Error with the code and field.
func wantErr(t *testing.T, err error, code, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want code %s, field %q", code, field)
	}
	if got := pcnet.ErrorCode(err); got != code {
		t.Errorf("error code %q, want %q (%v)", got, code, err)
	}
	if got := pcnet.ErrorField(err); got != field {
		t.Errorf("error field %q, want %q (%v)", got, field, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// storeState is everything a write can change, read through the Store
// and Writer methods.
type storeState struct {
	services     []pcnet.SharedService
	coverages    []pcnet.Coverage
	tutorships   []pcnet.Tutorship
	projectWorks []pcnet.ProjectWork
	changeSeqs   []int64
	// The programme's written lists (write_programme.go).
	sections       []pcnet.ProjectWorkSection
	rolloutTargets []pcnet.RolloutTarget
	materials      []pcnet.Material
}

func readState(t *testing.T, s WriteStore) storeState {
	t.Helper()
	ctx := context.Background()
	var st storeState
	var err error
	st.services, err = s.Services(ctx, pcnet.ServiceFilter{})
	must(t, err)
	pages, err := s.Coverages(ctx, []pcnet.CoverageQuery{{}})
	must(t, err)
	st.coverages = pages[0].Coverages
	st.tutorships, err = s.Tutorships(ctx, pcnet.TutorshipFilter{})
	must(t, err)
	st.projectWorks, err = s.ProjectWorks(ctx, pcnet.ProjectWorkFilter{})
	must(t, err)
	changes, err := s.Changes(ctx, pcnet.ChangeFilter{})
	must(t, err)
	for _, c := range changes {
		st.changeSeqs = append(st.changeSeqs, c.Seq)
	}
	readProgramme(t, s, &st)
	return st
}

// checkUnchanged checks that the store still holds before.
func checkUnchanged(t *testing.T, s WriteStore, before storeState) {
	t.Helper()
	after := readState(t, s)
	same := func(what string, a, b any) {
		t.Helper()
		if !reflect.DeepEqual(a, b) {
			t.Errorf("a rejected write changed the %s:\n before %+v\n after  %+v", what, a, b)
		}
	}
	same("services", nonNil(before.services), nonNil(after.services))
	same("coverages", nonNil(before.coverages), nonNil(after.coverages))
	same("tutorships", nonNil(before.tutorships), nonNil(after.tutorships))
	same("project works", nonNil(before.projectWorks), nonNil(after.projectWorks))
	same("audit trail", nonNil(before.changeSeqs), nonNil(after.changeSeqs))
	same("project work sections", nonNil(before.sections), nonNil(after.sections))
	same("rollout targets", nonNil(before.rolloutTargets), nonNil(after.rolloutTargets))
	same("materials", nonNil(before.materials), nonNil(after.materials))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// rejected runs a write that must fail with code and field, and checks
// that it changed nothing.
// editCase is a valid input made invalid by edit, and the error its
// write must fail with.
type editCase[T any] struct {
	name        string
	edit        func(*T)
	code, field string
}

// runEditCases writes valid as each case edits it: every write must be
// rejected with the case's error and change nothing.
func runEditCases[T any](t *testing.T, s WriteStore, cases []editCase[T], valid T, write func(T) error) {
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			in := valid
			tt.edit(&in)
			rejected(t, s, tt.code, tt.field, func() error { return write(in) })
		})
	}
}

func rejected(t *testing.T, s WriteStore, code, field string, write func() error) {
	t.Helper()
	before := readState(t, s)
	wantErr(t, write(), code, field)
	checkUnchanged(t, s, before)
}

func readService(t *testing.T, s WriteStore, id string) pcnet.SharedService {
	t.Helper()
	got, err := s.Services(context.Background(), pcnet.ServiceFilter{IDs: []string{id}})
	must(t, err)
	if len(got) != 1 {
		t.Fatalf("service %s: read back %d services", id, len(got))
	}
	return got[0]
}

func coveragesOf(t *testing.T, s WriteStore, serviceID string) []pcnet.Coverage {
	t.Helper()
	pages, err := s.Coverages(context.Background(), []pcnet.CoverageQuery{{Filter: pcnet.CoverageFilter{ServiceIDs: []string{serviceID}}}})
	must(t, err)
	return pages[0].Coverages
}

func changesOf(t *testing.T, s WriteStore, entityID string) []pcnet.Change {
	t.Helper()
	got, err := s.Changes(context.Background(), pcnet.ChangeFilter{EntityID: entityID})
	must(t, err)
	return got
}

func lastSeq(t *testing.T, s WriteStore) int64 {
	t.Helper()
	all, err := s.Changes(context.Background(), pcnet.ChangeFilter{})
	must(t, err)
	if len(all) == 0 {
		return 0
	}
	return all[len(all)-1].Seq
}

// checkNoNewChanges checks that nothing was recorded after seq.
func checkNoNewChanges(t *testing.T, s WriteStore, seq int64, what string) {
	t.Helper()
	got, err := s.Changes(context.Background(), pcnet.ChangeFilter{AfterSeq: seq})
	must(t, err)
	if len(got) != 0 {
		t.Errorf("%s recorded audit entries: %+v", what, got)
	}
}

func cov(service, comune, since, until string, phase pcnet.CoveragePhase) pcnet.Coverage {
	return coverage(service, comune, since, until, phase)
}

// newService creates a service of Como (013) in area sua for a test.
func newService(t *testing.T, s WriteStore, id string, status pcnet.ServiceStatus, start string) pcnet.SharedService {
	t.Helper()
	sv, err := s.CreateService(asPlanner(), pcnet.SharedService{
		ID: id, Name: "Servizio " + id, ProviderCode: "013", AreaCode: "sua", Status: status, StartDate: pcnet.MustDate(start),
	})
	must(t, err)
	return sv
}

func testCreateService(t *testing.T, s WriteStore) {
	ctx := asPlanner()
	in := pcnet.SharedService{
		ID: "svc-108-training", Name: "  Formazione Brianza ", Description: " Corsi per i Comuni ",
		ProviderCode: "108", AreaCode: "staff-training", StartDate: pcnet.MustDate("2025-01-01"),
	}
	got, err := s.CreateService(ctx, in)
	must(t, err)
	want := pcnet.SharedService{
		ID: "svc-108-training", Name: "Formazione Brianza", Description: "Corsi per i Comuni",
		ProviderCode: "108", AreaCode: "staff-training", Status: pcnet.StatusPlanned, StartDate: pcnet.MustDate("2025-01-01"),
	}
	if got != want {
		t.Errorf("created %+v\n want %+v", got, want)
	}
	if back := readService(t, s, in.ID); back != want {
		t.Errorf("read back %+v\n want %+v", back, want)
	}
	bySector, err := s.Services(context.Background(), pcnet.ServiceFilter{SectorCodes: []string{"personnel"}, ProviderCodes: []string{"108"}})
	must(t, err)
	if len(bySector) != 1 || bySector[0].ID != in.ID {
		t.Errorf("services of 108 in personnel: %+v", bySector)
	}
	changes := changesOf(t, s, in.ID)
	if len(changes) != 1 || changes[0].Entity != pcnet.EntityService || changes[0].Action != pcnet.ActionCreate || changes[0].Actor != planner.Subject {
		t.Errorf("audit entries of the new service: %+v", changes)
	}

	pilot, err := s.CreateService(ctx, pcnet.SharedService{ID: "svc-108-sua", Name: "SUA Brianza", ProviderCode: "108", AreaCode: "sua", Status: pcnet.StatusPilot, StartDate: pcnet.MustDate("2025-02-01")})
	must(t, err)
	if pilot.Status != pcnet.StatusPilot || readService(t, s, "svc-108-sua").Status != pcnet.StatusPilot {
		t.Errorf("a service created PILOT is %s", pilot.Status)
	}

	valid := pcnet.SharedService{ID: "svc-108-other", Name: "Altro", ProviderCode: "108", AreaCode: "recruitment", StartDate: pcnet.MustDate("2025-01-01")}
	tests := []editCase[pcnet.SharedService]{
		{"id taken", func(s *pcnet.SharedService) { s.ID = "svc-013-sua" }, pcnet.ECONFLICT, "id"},
		{"id taken by a written service", func(s *pcnet.SharedService) { s.ID = "svc-108-training" }, pcnet.ECONFLICT, "id"},
		{"unknown provider", func(s *pcnet.SharedService) { s.ProviderCode = "999" }, pcnet.ENOTFOUND, "providerCode"},
		{"unknown area", func(s *pcnet.SharedService) { s.AreaCode = "catering" }, pcnet.ENOTFOUND, "areaCode"},
		{"a sector is not an area", func(s *pcnet.SharedService) { s.AreaCode = "personnel" }, pcnet.ENOTFOUND, "areaCode"},
		{"starts ACTIVE", func(s *pcnet.SharedService) { s.Status = pcnet.StatusActive }, pcnet.EINVALID, "status"},
		{"unknown status", func(s *pcnet.SharedService) { s.Status = "DRAFT" }, pcnet.EINVALID, "status"},
		{"blank name", func(s *pcnet.SharedService) { s.Name = "   " }, pcnet.EINVALID, "name"},
		{"id with a slash", func(s *pcnet.SharedService) { s.ID = "svc/108" }, pcnet.EINVALID, "id"},
		{"no id", func(s *pcnet.SharedService) { s.ID = "" }, pcnet.EINVALID, "id"},
		{"malformed provider", func(s *pcnet.SharedService) { s.ProviderCode = "MB" }, pcnet.EINVALID, "providerCode"},
		{"no start date", func(s *pcnet.SharedService) { s.StartDate = pcnet.Date{} }, pcnet.EINVALID, "startDate"},
	}
	runEditCases(t, s, tests, valid, func(in pcnet.SharedService) error { _, err := s.CreateService(ctx, in); return err })
}

// lifeCycle is the life cycle, written out: planned → pilot →
// active, active ⇄ suspended, any → ended.
var lifeCycle = map[[2]pcnet.ServiceStatus]bool{
	{pcnet.StatusPlanned, pcnet.StatusPilot}:    true,
	{pcnet.StatusPilot, pcnet.StatusActive}:     true,
	{pcnet.StatusActive, pcnet.StatusSuspended}: true,
	{pcnet.StatusSuspended, pcnet.StatusActive}: true,
	{pcnet.StatusPlanned, pcnet.StatusEnded}:    true,
	{pcnet.StatusPilot, pcnet.StatusEnded}:      true,
	{pcnet.StatusActive, pcnet.StatusEnded}:     true,
	{pcnet.StatusSuspended, pcnet.StatusEnded}:  true,
}

// pathTo is how a new (PLANNED) service reaches each status.
var pathTo = map[pcnet.ServiceStatus][]pcnet.ServiceStatus{
	pcnet.StatusPlanned:   nil,
	pcnet.StatusPilot:     {pcnet.StatusPilot},
	pcnet.StatusActive:    {pcnet.StatusPilot, pcnet.StatusActive},
	pcnet.StatusSuspended: {pcnet.StatusPilot, pcnet.StatusActive, pcnet.StatusSuspended},
	pcnet.StatusEnded:     {pcnet.StatusEnded},
}

func testStatusTransitions(t *testing.T, s WriteStore) {
	ctx := asPlanner()
	statuses := []pcnet.ServiceStatus{pcnet.StatusPlanned, pcnet.StatusPilot, pcnet.StatusActive, pcnet.StatusSuspended, pcnet.StatusEnded}
	for _, from := range statuses {
		for _, to := range statuses {
			t.Run(fmt.Sprintf("%s→%s", from, to), func(t *testing.T) {
				id := strings.ToLower(fmt.Sprintf("svc-st-%s-%s", from, to))
				newService(t, s, id, "", "2024-01-01")
				for _, step := range pathTo[from] {
					_, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{Status: &step})
					must(t, err)
				}
				seq := lastSeq(t, s)
				target := to
				switch {
				case from == to:
					got, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{Status: &target})
					must(t, err)
					if got.Status != from || readService(t, s, id).Status != from {
						t.Errorf("status %s after staying %s", got.Status, from)
					}
					checkNoNewChanges(t, s, seq, "staying in the same status")
				case lifeCycle[[2]pcnet.ServiceStatus{from, to}]:
					got, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{Status: &target})
					must(t, err)
					if got.Status != to || readService(t, s, id).Status != to {
						t.Errorf("status %s (read back %s), want %s", got.Status, readService(t, s, id).Status, to)
					}
					changes, err := s.Changes(context.Background(), pcnet.ChangeFilter{AfterSeq: seq})
					must(t, err)
					want := fmt.Sprintf("status %s → %s", from, to)
					if len(changes) != 1 || changes[0].Summary != want || changes[0].EntityID != id || changes[0].Action != pcnet.ActionUpdate {
						t.Errorf("audit entries %+v, want one %q", changes, want)
					}
				default:
					rejected(t, s, pcnet.ECONFLICT, "status", func() error {
						_, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{Status: &target})
						return err
					})
				}
			})
		}
	}
}

// testEndService: an ENDED service covers nothing from its end date on,
// because ending it ends its coverages, audited; every reader agrees.
func testEndService(t *testing.T, s WriteStore) {
	ctx := asPlanner()
	const id = "svc-013-ending"
	newService(t, s, id, pcnet.StatusPilot, "2024-01-01")
	add := func(since string, codes ...string) {
		t.Helper()
		_, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: id, ComuneCodes: codes, Since: pcnet.MustDate(since), Phase: pcnet.PhasePilot})
		must(t, err)
	}
	endCov := func(until string, codes ...string) {
		t.Helper()
		_, err := s.EndCoverage(ctx, pcnet.CoverageEnding{ServiceID: id, ComuneCodes: codes, Until: pcnet.MustDate(until)})
		must(t, err)
	}
	add("2024-03-01", "013133", "013130")
	add("2024-05-01", "013041", "013075")
	endCov("2024-09-01", "013041") // over before the service ends
	endCov("2027-01-01", "013075") // would outlast the service

	status := pcnet.StatusEnded
	// A coverage starting on the end date or later would be left empty.
	const later = "svc-013-ending-later"
	newService(t, s, later, pcnet.StatusPilot, "2024-01-01")
	_, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: later, ComuneCodes: []string{"013133"}, Since: pcnet.MustDate("2026-02-01"), Phase: pcnet.PhasePilot})
	must(t, err)
	for _, d := range []string{"2026-01-15", "2026-02-01"} {
		early := pcnet.MustDate(d)
		rejected(t, s, pcnet.ECONFLICT, "endDate", func() error {
			_, err := s.UpdateService(ctx, later, pcnet.ServiceUpdate{Status: &status, EndDate: &early})
			return err
		})
	}
	early := pcnet.MustDate("2026-03-01")
	rejected(t, s, pcnet.EINVALID, "endDate", func() error {
		_, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{EndDate: &early})
		return err
	})
	beforeStart := pcnet.MustDate("2023-12-31")
	rejected(t, s, pcnet.EINVALID, "endDate", func() error {
		_, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{Status: &status, EndDate: &beforeStart})
		return err
	})

	seq := lastSeq(t, s)
	end := pcnet.MustDate("2025-06-01")
	got, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{Status: &status, EndDate: &end})
	must(t, err)
	if got.Status != pcnet.StatusEnded || readService(t, s, id).Status != pcnet.StatusEnded {
		t.Errorf("status %s, read back %s", got.Status, readService(t, s, id).Status)
	}
	checkCoverages(t, s, id, []pcnet.Coverage{
		cov(id, "013041", "2024-05-01", "2024-09-01", pcnet.PhasePilot),
		cov(id, "013075", "2024-05-01", "2025-06-01", pcnet.PhasePilot),
		cov(id, "013130", "2024-03-01", "2025-06-01", pcnet.PhasePilot),
		cov(id, "013133", "2024-03-01", "2025-06-01", pcnet.PhasePilot),
	})
	changes, err := s.Changes(context.Background(), pcnet.ChangeFilter{AfterSeq: seq})
	must(t, err)
	var got2 []string
	for _, c := range changes {
		got2 = append(got2, c.Entity+" "+c.EntityID+" "+c.Action)
	}
	want2 := []string{"service " + id + " update", "coverage " + id + "/013075 end", "coverage " + id + "/013130 end", "coverage " + id + "/013133 end"}
	if !reflect.DeepEqual(got2, want2) {
		t.Errorf("audit entries %q, want %q", got2, want2)
	}
	// Readers agree: nothing covered after the end, all of it before.
	if a, ok := s.(pcnet.Analytics); ok {
		q := func(asOf string) pcnet.ReachQuery {
			return pcnet.ReachQuery{Services: pcnet.ServiceFilter{IDs: []string{id}}, AsOf: pcnet.MustDate(asOf), GroupBy: pcnet.ReachTotal}
		}
		rows, err := a.Reach(context.Background(), []pcnet.ReachQuery{q("2025-05-31"), q("2025-06-01"), q("2030-01-01")})
		must(t, err)
		for i, want := range []int{3, 0, 0} {
			if got := rows[i][0].Covered.Comuni; got != want {
				t.Errorf("reach on %s: %d Comuni covered, want %d", q([]string{"2025-05-31", "2025-06-01", "2030-01-01"}[i]).AsOf, got, want)
			}
		}
	}
	// Ending again is no change.
	seq = lastSeq(t, s)
	_, err = s.UpdateService(ctx, id, pcnet.ServiceUpdate{Status: &status})
	must(t, err)
	checkNoNewChanges(t, s, seq, "re-ending a service")

	// Without an end date, the coverage ends on the day of the write.
	const today = "svc-013-ending-today"
	newService(t, s, today, pcnet.StatusPilot, "2024-01-01")
	_, err = s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: today, ComuneCodes: []string{"013133"}, Since: pcnet.MustDate("2024-03-01"), Phase: pcnet.PhaseRollout})
	must(t, err)
	before := pcnet.Today()
	_, err = s.UpdateService(ctx, today, pcnet.ServiceUpdate{Status: &status})
	must(t, err)
	after := pcnet.Today()
	if covs := coveragesOf(t, s, today); len(covs) != 1 || (covs[0].Until != before && covs[0].Until != after) {
		t.Errorf("coverages %+v: want one ended today (%s)", covs, after)
	}
}

func testUpdateService(t *testing.T, s WriteStore) {
	ctx := asPlanner()
	const id = "svc-013-update"
	created := newService(t, s, id, pcnet.StatusPilot, "2024-01-01")
	_, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: id, ComuneCodes: []string{"013133"}, Since: pcnet.MustDate("2024-03-01"), Phase: pcnet.PhasePilot})
	must(t, err)

	name, desc := " SUA Lario ", "Gare per i Comuni del Lario"
	got, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{Name: &name, Description: &desc})
	must(t, err)
	want := created
	want.Name, want.Description = "SUA Lario", desc
	if got != want || readService(t, s, id) != want {
		t.Errorf("renamed: got %+v, read back %+v, want %+v", got, readService(t, s, id), want)
	}

	seq := lastSeq(t, s)
	same, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{Name: &want.Name})
	must(t, err)
	if same != want {
		t.Errorf("update to the current name: %+v", same)
	}
	if _, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{}); err != nil {
		t.Errorf("empty update: %v", err)
	}
	checkNoNewChanges(t, s, seq, "updates that change nothing")

	// The start date may move up to the first coverage, 2024-03-01.
	for _, d := range []string{"2024-03-01", "2023-06-01"} {
		start := pcnet.MustDate(d)
		got, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{StartDate: &start})
		must(t, err)
		if got.StartDate != start || readService(t, s, id).StartDate != start {
			t.Errorf("start date %s, want %s", readService(t, s, id).StartDate, start)
		}
	}
	late := pcnet.MustDate("2024-03-02")
	rejected(t, s, pcnet.EINVALID, "startDate", func() error {
		_, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{StartDate: &late})
		return err
	})
	// A fixture service: svc-013-training's first coverage starts 2022-01-01.
	rejected(t, s, pcnet.EINVALID, "startDate", func() error {
		d := pcnet.MustDate("2022-01-02")
		_, err := s.UpdateService(ctx, "svc-013-training", pcnet.ServiceUpdate{StartDate: &d})
		return err
	})
	// One bad field spoils the whole update.
	planned := pcnet.StatusPlanned
	newName := "Nome nuovo"
	rejected(t, s, pcnet.ECONFLICT, "status", func() error {
		_, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{Name: &newName, Status: &planned})
		return err
	})
	blank := " "
	rejected(t, s, pcnet.EINVALID, "name", func() error {
		_, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{Name: &blank})
		return err
	})
	bad := pcnet.ServiceStatus("CLOSED")
	rejected(t, s, pcnet.EINVALID, "status", func() error {
		_, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{Status: &bad})
		return err
	})
	rejected(t, s, pcnet.ENOTFOUND, "id", func() error {
		_, err := s.UpdateService(ctx, "svc-nowhere", pcnet.ServiceUpdate{Name: &newName})
		return err
	})
	rejected(t, s, pcnet.EINVALID, "id", func() error {
		_, err := s.UpdateService(ctx, "", pcnet.ServiceUpdate{Name: &newName})
		return err
	})
}

func testAddCoverage(t *testing.T, s WriteStore) {
	ctx := asPlanner()
	const id = "svc-013-cov"
	newService(t, s, id, pcnet.StatusPilot, "2023-01-01")

	res, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: id, ComuneCodes: []string{"013250", "013041"}, Since: pcnet.MustDate("2023-02-01"), Phase: pcnet.PhasePilot})
	must(t, err)
	first := []pcnet.Coverage{cov(id, "013041", "2023-02-01", "", pcnet.PhasePilot), cov(id, "013250", "2023-02-01", "", pcnet.PhasePilot)}
	checkResult(t, "add", res, first, nil)
	checkCoverages(t, s, id, first)

	// Re-adding is a no-op for the covered Comune, in the same batch as a
	// new one.
	res, err = s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: id, ComuneCodes: []string{"013133", "013041"}, Since: pcnet.MustDate("2024-01-01"), Phase: pcnet.PhaseRollout})
	must(t, err)
	livo := cov(id, "013133", "2024-01-01", "", pcnet.PhaseRollout)
	checkResult(t, "mixed add", res, []pcnet.Coverage{livo}, []string{"013041"})
	checkCoverages(t, s, id, []pcnet.Coverage{first[0], livo, first[1]})

	// Re-adding on a day all three are covered (not before Livo's start:
	// that is a conflict, see testAddCoverageErrors).
	seq := lastSeq(t, s)
	res, err = s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: id, ComuneCodes: []string{"013250", "013133", "013041"}, Since: pcnet.MustDate("2024-01-01"), Phase: pcnet.PhaseRollout})
	must(t, err)
	checkResult(t, "re-add", res, nil, []string{"013041", "013133", "013250"})
	checkNoNewChanges(t, s, seq, "re-adding covered Comuni")
	checkCoverages(t, s, id, []pcnet.Coverage{first[0], livo, first[1]})

	// Ended, then added again after the end: a second period.
	_, err = s.EndCoverage(ctx, pcnet.CoverageEnding{ServiceID: id, ComuneCodes: []string{"013250"}, Until: pcnet.MustDate("2024-06-01")})
	must(t, err)
	// Covered on since by the closed coverage: unchanged.
	res, err = s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: id, ComuneCodes: []string{"013250"}, Since: pcnet.MustDate("2024-05-31"), Phase: pcnet.PhaseRollout})
	must(t, err)
	checkResult(t, "add inside a closed coverage", res, nil, []string{"013250"})
	res, err = s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: id, ComuneCodes: []string{"013250"}, Since: pcnet.MustDate("2024-06-01"), Phase: pcnet.PhaseRollout})
	must(t, err)
	again := cov(id, "013250", "2024-06-01", "", pcnet.PhaseRollout)
	checkResult(t, "add after the end", res, []pcnet.Coverage{again}, nil)
	checkCoverages(t, s, id, []pcnet.Coverage{first[0], livo, cov(id, "013250", "2023-02-01", "2024-06-01", pcnet.PhasePilot), again})

	// The coverage shows in the Comuni filters.
	pages, err := s.Comuni(context.Background(), []pcnet.ComuneQuery{{Filter: pcnet.ComuneFilter{
		ProvinceCodes: []string{"013"},
		Coverage:      &pcnet.CoverageCondition{AreaCode: "sua", AsOf: pcnet.MustDate("2024-02-01"), Covered: true},
	}}})
	must(t, err)
	var covered []string
	for _, c := range pages[0].Comuni {
		covered = append(covered, c.Code)
	}
	// sua on 2024-02-01: this service's three, and svc-013-sua's 013041
	// and 013250 (the services of the earlier subtests cover nothing then).
	if want := []string{"013041", "013133", "013250"}; !slices.Equal(covered, want) {
		t.Errorf("Comuni covered in sua on 2024-02-01: %v, want %v", covered, want)
	}

	// The audit trail has one entry per coverage written.
	entries := changesOf(t, s, pcnet.CoverageEntityID(id, "013250"))
	var actions []string
	for _, c := range entries {
		actions = append(actions, c.Action)
	}
	if want := []string{pcnet.ActionAdd, pcnet.ActionEnd, pcnet.ActionAdd}; !slices.Equal(actions, want) {
		t.Errorf("audit actions of %s/013250: %v, want %v", id, actions, want)
	}
}

func testAddCoverageErrors(t *testing.T, s WriteStore) {
	ctx := asPlanner()
	const id = "svc-013-coverr"
	newService(t, s, id, pcnet.StatusPilot, "2023-01-01")
	add := func(service, since string, phase pcnet.CoveragePhase, codes ...string) pcnet.CoverageAddition {
		a := pcnet.CoverageAddition{ServiceID: service, ComuneCodes: codes, Phase: phase}
		if since != "" {
			a.Since = pcnet.MustDate(since)
		}
		return a
	}
	tooMany := make([]string, pcnet.MaxBatch+1)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("%06d", 13000+i)
	}
	tests := []struct {
		name        string
		a           pcnet.CoverageAddition
		code, field string
	}{
		{"empty batch", add(id, "2024-01-01", pcnet.PhasePilot), pcnet.EINVALID, "comuneCodes"},
		{"batch too large", add(id, "2024-01-01", pcnet.PhasePilot, tooMany...), pcnet.EINVALID, "comuneCodes"},
		{"malformed code", add(id, "2024-01-01", pcnet.PhasePilot, "013130", "Lenno"), pcnet.EINVALID, "comuneCodes[1]"},
		{"duplicate", add(id, "2024-01-01", pcnet.PhasePilot, "013130", "013133", "013130"), pcnet.EINVALID, "comuneCodes[2]"},
		{"no since", add(id, "", pcnet.PhasePilot, "013130"), pcnet.EINVALID, "since"},
		{"unknown phase", add(id, "2024-01-01", "BETA", "013130"), pcnet.EINVALID, "phase"},
		{"no service", add("", "2024-01-01", pcnet.PhasePilot, "013130"), pcnet.EINVALID, "serviceId"},
		{"unknown service", add("svc-nowhere", "2024-01-01", pcnet.PhasePilot, "013130"), pcnet.ENOTFOUND, "serviceId"},
		{"ended service", add("svc-064-sua", "2024-01-01", pcnet.PhaseRollout, "064008"), pcnet.ECONFLICT, "serviceId"},
		{"before the service started", add(id, "2022-12-31", pcnet.PhasePilot, "013130"), pcnet.EINVALID, "since"},
		// A batch with one bad Comune writes nothing, whatever its place.
		{"unknown Comune", add(id, "2024-01-01", pcnet.PhasePilot, "013130", "013999", "013133"), pcnet.ENOTFOUND, "comuneCodes[1]"},
		{"Comune of another Province", add(id, "2024-01-01", pcnet.PhasePilot, "013130", "013133", "015146"), pcnet.EINVALID, "comuneCodes[2]"},
		{"Comune of another Province first", add(id, "2024-01-01", pcnet.PhasePilot, "108033", "013130"), pcnet.EINVALID, "comuneCodes[0]"},
		// svc-040-recruitment covered Santa Sofia from 2023-09-01 to 2024-09-01.
		{"would overlap a later coverage", add("svc-040-recruitment", "2023-06-01", pcnet.PhaseRollout, "040007", "040043"), pcnet.ECONFLICT, "comuneCodes[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rejected(t, s, tt.code, tt.field, func() error { _, err := s.AddCoverage(ctx, tt.a); return err })
		})
	}
	if got := coveragesOf(t, s, id); len(got) != 0 {
		t.Errorf("rejected batches covered %+v", got)
	}

	// An earlier since never moves an open coverage's start silently: it
	// is a conflict naming the Comune, and the reach before stays true.
	_, err := s.AddCoverage(ctx, add(id, "2024-03-01", pcnet.PhasePilot, "013041"))
	must(t, err)
	rejected(t, s, pcnet.ECONFLICT, "comuneCodes[1]", func() error {
		_, err := s.AddCoverage(ctx, add(id, "2023-06-01", pcnet.PhasePilot, "013133", "013041"))
		return err
	})
	res, err := s.AddCoverage(ctx, add(id, "2024-03-01", pcnet.PhaseRollout, "013041"))
	must(t, err)
	checkResult(t, "re-adding on the start", res, nil, []string{"013041"})
}

func testEndCoverage(t *testing.T, s WriteStore) {
	ctx := asPlanner()
	const id = "svc-013-end"
	newService(t, s, id, pcnet.StatusPilot, "2023-01-01")
	_, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: id, ComuneCodes: []string{"013041", "013075", "013133"}, Since: pcnet.MustDate("2023-03-01"), Phase: pcnet.PhaseRollout})
	must(t, err)

	res, err := s.EndCoverage(ctx, pcnet.CoverageEnding{ServiceID: id, ComuneCodes: []string{"013075", "013041"}, Until: pcnet.MustDate("2024-06-01")})
	must(t, err)
	ended := []pcnet.Coverage{cov(id, "013041", "2023-03-01", "2024-06-01", pcnet.PhaseRollout), cov(id, "013075", "2023-03-01", "2024-06-01", pcnet.PhaseRollout)}
	checkResult(t, "end", res, ended, nil)
	livo := cov(id, "013133", "2023-03-01", "", pcnet.PhaseRollout)
	checkCoverages(t, s, id, []pcnet.Coverage{ended[0], ended[1], livo})

	seq := lastSeq(t, s)
	res, err = s.EndCoverage(ctx, pcnet.CoverageEnding{ServiceID: id, ComuneCodes: []string{"013041", "013075"}, Until: pcnet.MustDate("2024-06-01")})
	must(t, err)
	checkResult(t, "retried end", res, nil, []string{"013041", "013075"})
	checkNoNewChanges(t, s, seq, "a retried ending")

	end := func(service, until string, codes ...string) pcnet.CoverageEnding {
		e := pcnet.CoverageEnding{ServiceID: service, ComuneCodes: codes}
		if until != "" {
			e.Until = pcnet.MustDate(until)
		}
		return e
	}
	tests := []struct {
		name        string
		e           pcnet.CoverageEnding
		code, field string
	}{
		{"never covered, after an open one", end(id, "2024-06-01", "013133", "013130"), pcnet.ENOTFOUND, "comuneCodes[1]"},
		{"ended on another day", end(id, "2024-07-01", "013041"), pcnet.ENOTFOUND, "comuneCodes[0]"},
		{"until on since", end(id, "2023-03-01", "013133"), pcnet.EINVALID, "until"},
		{"until before since", end(id, "2023-01-01", "013133"), pcnet.EINVALID, "until"},
		{"no until", end(id, "", "013133"), pcnet.EINVALID, "until"},
		{"empty batch", end(id, "2024-06-01"), pcnet.EINVALID, "comuneCodes"},
		{"duplicate", end(id, "2024-06-01", "013133", "013133"), pcnet.EINVALID, "comuneCodes[1]"},
		{"unknown service", end("svc-nowhere", "2024-06-01", "013133"), pcnet.ENOTFOUND, "serviceId"},
		{"unknown Comune", end(id, "2024-06-01", "013133", "013999"), pcnet.ENOTFOUND, "comuneCodes[1]"},
		{"Comune of another Province", end(id, "2024-06-01", "015146"), pcnet.ENOTFOUND, "comuneCodes[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rejected(t, s, tt.code, tt.field, func() error { _, err := s.EndCoverage(ctx, tt.e); return err })
		})
	}

	// The coverage of an ENDED service can still end.
	res, err = s.EndCoverage(ctx, pcnet.CoverageEnding{ServiceID: "svc-064-sua", ComuneCodes: []string{"064090"}, Until: pcnet.MustDate("2025-01-01")})
	must(t, err)
	checkResult(t, "end under an ENDED service", res, []pcnet.Coverage{cov("svc-064-sua", "064090", "2020-06-01", "2025-01-01", pcnet.PhaseRollout)}, nil)
}

// checkResult checks a coverage write's result.
func checkResult(t *testing.T, what string, got pcnet.CoverageResult, changed []pcnet.Coverage, unchanged []string) {
	t.Helper()
	if !reflect.DeepEqual(nonNil(got.Changed), nonNil(changed)) {
		t.Errorf("%s: changed\n %+v\n want %+v", what, got.Changed, changed)
	}
	if !reflect.DeepEqual(nonNil(got.Unchanged), nonNil(unchanged)) {
		t.Errorf("%s: unchanged %v, want %v", what, got.Unchanged, unchanged)
	}
}

// checkCoverages checks every coverage of a service, in store order.
func checkCoverages(t *testing.T, s WriteStore, serviceID string, want []pcnet.Coverage) {
	t.Helper()
	if got := coveragesOf(t, s, serviceID); !reflect.DeepEqual(nonNil(got), nonNil(want)) {
		t.Errorf("coverages of %s:\n got  %+v\n want %+v", serviceID, got, want)
	}
}

func readTutorship(t *testing.T, s WriteStore, k pcnet.TutorshipKey) *pcnet.Tutorship {
	t.Helper()
	all, err := s.Tutorships(context.Background(), pcnet.TutorshipFilter{TutorCodes: []string{k.TutorCode}, TutoredCodes: []string{k.TutoredCode}, SectorCodes: []string{k.SectorCode}})
	must(t, err)
	for _, tu := range all {
		if tu.Since == k.Since {
			return &tu
		}
	}
	return nil
}

func testWriteTutorships(t *testing.T, s WriteStore) {
	ctx := asPlanner()
	in := pcnet.Tutorship{TutorCode: "040", TutoredCode: "013", SectorCode: "personnel", Since: pcnet.MustDate("2025-01-01")}
	got, err := s.AssignTutor(ctx, in)
	must(t, err)
	want := in
	want.Step = 1
	if got != want {
		t.Errorf("assigned %+v, want %+v", got, want)
	}
	k := in.Key()
	check := func(want pcnet.Tutorship) {
		t.Helper()
		if back := readTutorship(t, s, k); back == nil || *back != want {
			t.Errorf("read back %+v, want %+v", back, want)
		}
	}
	check(want)

	for _, step := range []int{2, 3} {
		got, err := s.AdvanceTutorship(ctx, k, step)
		must(t, err)
		want.Step = step
		if got != want {
			t.Errorf("advanced to %+v, want %+v", got, want)
		}
		check(want)
	}
	// The schema promises a step after the current one: 3 → 3 is refused.
	rejected(t, s, pcnet.ECONFLICT, "step", func() error { _, err := s.AdvanceTutorship(ctx, k, 3); return err })
	rejected(t, s, pcnet.ECONFLICT, "step", func() error { _, err := s.AdvanceTutorship(ctx, k, 2); return err })
	rejected(t, s, pcnet.EINVALID, "step", func() error { _, err := s.AdvanceTutorship(ctx, k, 4); return err })

	until := pcnet.MustDate("2025-06-01")
	got, err = s.EndTutorship(ctx, k, until, "")
	must(t, err)
	// Ended at step 3 without an outcome: COMPLETED, stored.
	want.Until, want.Outcome = until, pcnet.OutcomeCompleted
	if got != want {
		t.Errorf("ended %+v, want %+v", got, want)
	}
	check(want)
	seq := lastSeq(t, s)
	for _, o := range []pcnet.TutorshipOutcome{"", pcnet.OutcomeCompleted} {
		if got, err := s.EndTutorship(ctx, k, until, o); err != nil || got != want {
			t.Errorf("retried end with outcome %q: %+v, %v", o, got, err)
		}
	}
	checkNoNewChanges(t, s, seq, "a retried ending")
	rejected(t, s, pcnet.ECONFLICT, "outcome", func() error { _, err := s.EndTutorship(ctx, k, until, pcnet.OutcomeWithdrawn); return err })
	rejected(t, s, pcnet.ECONFLICT, "until", func() error { _, err := s.EndTutorship(ctx, k, pcnet.MustDate("2025-07-01"), ""); return err })
	rejected(t, s, pcnet.ECONFLICT, "", func() error { _, err := s.AdvanceTutorship(ctx, k, 3); return err })

	// A new tutorship between the same Provinces from the day the last
	// one ended, at step 2.
	next := pcnet.Tutorship{TutorCode: "040", TutoredCode: "013", SectorCode: "personnel", Since: until, Step: 2}
	got, err = s.AssignTutor(ctx, next)
	must(t, err)
	if got != next {
		t.Errorf("assigned %+v, want %+v", got, next)
	}
	// At step 2 the path isn't completed: COMPLETED is refused, WITHDRAWN
	// is stored.
	for _, o := range []pcnet.TutorshipOutcome{pcnet.OutcomeCompleted, pcnet.OutcomeInProgress, "DROPPED"} {
		rejected(t, s, pcnet.EINVALID, "outcome", func() error { _, err := s.EndTutorship(ctx, next.Key(), pcnet.MustDate("2025-09-01"), o); return err })
	}
	got, err = s.EndTutorship(ctx, next.Key(), pcnet.MustDate("2025-09-01"), pcnet.OutcomeWithdrawn)
	must(t, err)
	if got.Outcome != pcnet.OutcomeWithdrawn || got.Result() != pcnet.OutcomeWithdrawn {
		t.Errorf("ended at step 2: %+v, want WITHDRAWN", got)
	}

	var actions []string
	for _, c := range changesOf(t, s, k.EntityID()) {
		actions = append(actions, c.Action)
	}
	if want := []string{pcnet.ActionAssign, pcnet.ActionAdvance, pcnet.ActionAdvance, pcnet.ActionEnd}; !slices.Equal(actions, want) {
		t.Errorf("audit actions of %s: %v, want %v", k.EntityID(), actions, want)
	}

	// The fixture's 013→215 in personnel ended on 2024-01-01, but Milano
	// is a metropolitan city: not one of the programme's Provinces, it
	// can't get a new tutorship (the fixture's are imported history).
	rejected(t, s, pcnet.EINVALID, "tutoredCode", func() error {
		_, err := s.AssignTutor(ctx, pcnet.Tutorship{TutorCode: "013", TutoredCode: "215", SectorCode: "personnel", Since: pcnet.MustDate("2024-01-01")})
		return err
	})
}

func testTutorshipErrors(t *testing.T, s WriteStore) {
	ctx := asPlanner()
	tu := func(tutor, tutored, sector, since string, step int) pcnet.Tutorship {
		return pcnet.Tutorship{TutorCode: tutor, TutoredCode: tutored, SectorCode: sector, Since: date(since), Step: step}
	}
	assign := []struct {
		name        string
		t           pcnet.Tutorship
		code, field string
	}{
		{"self", tu("040", "040", "europe", "2025-01-01", 0), pcnet.EINVALID, "tutoredCode"},
		{"malformed tutor", tu("40", "064", "europe", "2025-01-01", 0), pcnet.EINVALID, "tutorCode"},
		{"no sector", tu("040", "064", "", "2025-01-01", 0), pcnet.EINVALID, "sectorCode"},
		{"no since", tu("040", "064", "europe", "", 0), pcnet.EINVALID, "since"},
		{"step 4", tu("040", "064", "europe", "2025-01-01", 4), pcnet.EINVALID, "step"},
		{"unknown tutor", tu("999", "064", "europe", "2025-01-01", 0), pcnet.ENOTFOUND, "tutorCode"},
		{"unknown tutored", tu("040", "999", "europe", "2025-01-01", 0), pcnet.ENOTFOUND, "tutoredCode"},
		{"unknown sector", tu("040", "064", "tourism", "2025-01-01", 0), pcnet.ENOTFOUND, "sectorCode"},
		{"an area is not a sector", tu("040", "064", "sua", "2025-01-01", 0), pcnet.ENOTFOUND, "sectorCode"},
		// Only the programme's Provinces take part (shared/domain.md).
		{"a metropolitan city tutoring Trento", tu("215", "022", "personnel", "2019-05-01", 0), pcnet.EINVALID, "tutorCode"},
		{"an autonomous Province tutored", tu("013", "022", "personnel", "2025-01-01", 0), pcnet.EINVALID, "tutoredCode"},
		// 013 tutors 108 in personnel since 2023-01-01, still open.
		{"second open tutorship", tu("013", "108", "personnel", "2025-01-01", 0), pcnet.ECONFLICT, "tutoredCode"},
		{"the open one again", tu("013", "108", "personnel", "2023-01-01", 0), pcnet.ECONFLICT, "tutoredCode"},
		// 040 tutors 064 in procurement since 2024-02-01, still open.
		{"an open one starting later", tu("040", "064", "procurement", "2023-01-01", 0), pcnet.ECONFLICT, "tutoredCode"},
	}
	for _, tt := range assign {
		t.Run("assign/"+tt.name, func(t *testing.T) {
			rejected(t, s, tt.code, tt.field, func() error { _, err := s.AssignTutor(ctx, tt.t); return err })
		})
	}
	t.Run("assign/until given", func(t *testing.T) {
		in := tu("040", "064", "europe", "2025-01-01", 0)
		in.Until = pcnet.MustDate("2026-01-01")
		rejected(t, s, pcnet.EINVALID, "until", func() error { _, err := s.AssignTutor(ctx, in); return err })
	})
	t.Run("assign/overlapping a closed one", func(t *testing.T) {
		// 064 tutors 013 from 2025-01-01 to 2025-03-01: a new tutorship
		// may not start before the end.
		in := tu("064", "013", "personnel", "2025-01-01", 0)
		_, err := s.AssignTutor(ctx, in)
		must(t, err)
		_, err = s.EndTutorship(ctx, in.Key(), pcnet.MustDate("2025-03-01"), "")
		must(t, err)
		rejected(t, s, pcnet.ECONFLICT, "since", func() error {
			_, err := s.AssignTutor(ctx, tu("064", "013", "personnel", "2025-02-01", 0))
			return err
		})
		rejected(t, s, pcnet.ECONFLICT, "since", func() error {
			_, err := s.AssignTutor(ctx, tu("064", "013", "personnel", "2024-06-01", 0))
			return err
		})
	})

	open := pcnet.TutorshipKey{TutorCode: "108", TutoredCode: "013", SectorCode: "procurement", Since: pcnet.MustDate("2023-06-01")} // step 2
	closed := pcnet.TutorshipKey{TutorCode: "013", TutoredCode: "215", SectorCode: "personnel", Since: pcnet.MustDate("2023-01-01")}
	unknown := pcnet.TutorshipKey{TutorCode: "108", TutoredCode: "013", SectorCode: "procurement", Since: pcnet.MustDate("2023-06-02")}
	keyed := []struct {
		name        string
		write       func() error
		code, field string
	}{
		{"advance unknown", func() error { _, err := s.AdvanceTutorship(ctx, unknown, 3); return err }, pcnet.ENOTFOUND, ""},
		{"advance closed", func() error { _, err := s.AdvanceTutorship(ctx, closed, 3); return err }, pcnet.ECONFLICT, ""},
		{"advance backwards", func() error { _, err := s.AdvanceTutorship(ctx, open, 1); return err }, pcnet.ECONFLICT, "step"},
		{"advance to 0", func() error { _, err := s.AdvanceTutorship(ctx, open, 0); return err }, pcnet.EINVALID, "step"},
		{"advance with a malformed key", func() error {
			k := open
			k.TutorCode = "1080"
			_, err := s.AdvanceTutorship(ctx, k, 3)
			return err
		}, pcnet.EINVALID, "tutorCode"},
		{"end unknown", func() error { _, err := s.EndTutorship(ctx, unknown, pcnet.MustDate("2025-01-01"), ""); return err }, pcnet.ENOTFOUND, ""},
		{"end on the day it began", func() error { _, err := s.EndTutorship(ctx, open, open.Since, ""); return err }, pcnet.EINVALID, "until"},
		{"end before it began", func() error { _, err := s.EndTutorship(ctx, open, pcnet.MustDate("2023-01-01"), ""); return err }, pcnet.EINVALID, "until"},
		{"end without a date", func() error { _, err := s.EndTutorship(ctx, open, pcnet.Date{}, ""); return err }, pcnet.EINVALID, "until"},
		{"end closed on another day", func() error { _, err := s.EndTutorship(ctx, closed, pcnet.MustDate("2024-02-01"), ""); return err }, pcnet.ECONFLICT, "until"},
	}
	for _, tt := range keyed {
		t.Run(tt.name, func(t *testing.T) { rejected(t, s, tt.code, tt.field, tt.write) })
	}
}

func testSaveProjectWork(t *testing.T, s WriteStore) {
	ctx := asPlanner()
	in := pcnet.ProjectWork{ID: "pw-108-sua", ProvinceCode: "108", AreaCode: "sua", Title: " SUA Brianza ", Maturity: pcnet.MaturityDeveloping, Step: 1, Year: 2025}
	got, err := s.SaveProjectWork(ctx, in)
	must(t, err)
	want := in
	want.Title = "SUA Brianza"
	checkProjectWork := func(want pcnet.ProjectWork) {
		t.Helper()
		back, err := s.ProjectWorks(context.Background(), pcnet.ProjectWorkFilter{IDs: []string{want.ID}})
		must(t, err)
		if len(back) != 1 || back[0] != want {
			t.Errorf("read back %+v, want %+v", back, want)
		}
	}
	if got != want {
		t.Errorf("saved %+v, want %+v", got, want)
	}
	checkProjectWork(want)

	// Replace it, linked to a service of its Province.
	newService108 := pcnet.SharedService{ID: "svc-108-pw", Name: "SUA Brianza", ProviderCode: "108", AreaCode: "sua", StartDate: pcnet.MustDate("2025-06-01")}
	_, err = s.CreateService(ctx, newService108)
	must(t, err)
	replaced := want
	replaced.Maturity, replaced.Step, replaced.ServiceID = pcnet.MaturityConsolidating, 2, "svc-108-pw"
	got, err = s.SaveProjectWork(ctx, replaced)
	must(t, err)
	if got != replaced {
		t.Errorf("replaced %+v, want %+v", got, replaced)
	}
	checkProjectWork(replaced)
	linked, err := s.ProjectWorks(context.Background(), pcnet.ProjectWorkFilter{ServiceIDs: []string{"svc-108-pw"}})
	must(t, err)
	if len(linked) != 1 || linked[0].ID != in.ID {
		t.Errorf("project works of svc-108-pw: %+v", linked)
	}
	_, err = s.CreateService(ctx, pcnet.SharedService{ID: "svc-108-pw-training", Name: "Formazione", ProviderCode: "108", AreaCode: "staff-training", StartDate: pcnet.MustDate("2025-06-01")})
	must(t, err)
	seq := lastSeq(t, s)
	_, err = s.SaveProjectWork(ctx, replaced)
	must(t, err)
	checkNoNewChanges(t, s, seq, "saving a project work unchanged")
	var actions []string
	for _, c := range changesOf(t, s, in.ID) {
		actions = append(actions, c.Action)
	}
	if want := []string{pcnet.ActionCreate, pcnet.ActionUpdate}; !slices.Equal(actions, want) {
		t.Errorf("audit actions of %s: %v, want %v", in.ID, actions, want)
	}

	tests := []editCase[pcnet.ProjectWork]{
		{"another Province's service", func(w *pcnet.ProjectWork) { w.ServiceID = "svc-013-sua" }, pcnet.EINVALID, "serviceId"},
		// A Project Work plans a service in its own area.
		{"a service of another area", func(w *pcnet.ProjectWork) { w.ServiceID = "svc-108-pw-training" }, pcnet.EINVALID, "serviceId"},
		{"unknown service", func(w *pcnet.ProjectWork) { w.ServiceID = "svc-nowhere" }, pcnet.ENOTFOUND, "serviceId"},
		{"unknown Province", func(w *pcnet.ProjectWork) { w.ProvinceCode, w.ServiceID = "999", "" }, pcnet.ENOTFOUND, "provinceCode"},
		{"unknown area", func(w *pcnet.ProjectWork) { w.AreaCode = "catering" }, pcnet.ENOTFOUND, "areaCode"},
		{"unknown maturity", func(w *pcnet.ProjectWork) { w.Maturity = "MATURE" }, pcnet.EINVALID, "maturity"},
		{"step 0", func(w *pcnet.ProjectWork) { w.Step = 0 }, pcnet.EINVALID, "step"},
		{"year 1999", func(w *pcnet.ProjectWork) { w.Year = 1999 }, pcnet.EINVALID, "year"},
		{"blank title", func(w *pcnet.ProjectWork) { w.Title = "" }, pcnet.EINVALID, "title"},
		{"malformed id", func(w *pcnet.ProjectWork) { w.ID = "pw 108" }, pcnet.EINVALID, "id"},
	}
	runEditCases(t, s, tests, replaced, func(w pcnet.ProjectWork) error { _, err := s.SaveProjectWork(ctx, w); return err })
}

// testSaveProjectWorkModel saves a project work adapting its tutor's
// model (108 tutors 013 in procurement, so 013's SUA may adapt 108's),
// reads the reference back, drops it, and refuses each bad reference
// with invalid naming modelFromId (CheckModelFrom).
func testSaveProjectWorkModel(t *testing.T, s WriteStore) {
	ctx := asPlanner()
	model := pcnet.ProjectWork{ID: "pw-108-sua-model", ProvinceCode: "108", AreaCode: "sua", Title: "SUA Brianza", Maturity: pcnet.MaturityAdvanced, Step: 3, Year: 2024}
	_, err := s.SaveProjectWork(ctx, model)
	must(t, err)
	in := pcnet.ProjectWork{ID: "pw-013-sua-adapted", ProvinceCode: "013", AreaCode: "sua", Title: "SUA Como", Maturity: pcnet.MaturityDeveloping, Step: 1, Year: 2025, ModelFromID: model.ID}
	for _, w := range []pcnet.ProjectWork{in, func() pcnet.ProjectWork { w := in; w.ModelFromID = ""; return w }(), in} {
		got, err := s.SaveProjectWork(ctx, w)
		must(t, err)
		back, err := s.ProjectWorks(context.Background(), pcnet.ProjectWorkFilter{IDs: []string{w.ID}})
		must(t, err)
		if got != w || len(back) != 1 || back[0] != w {
			t.Errorf("saved %+v, read back %+v, want %+v", got, back, w)
		}
	}
	tests := []struct{ name, modelFromID string }{
		{"its own model", in.ID},
		{"unknown", "pw-nowhere"},
		{"a model of another area", "pw-108-training"},
		{"a Province that never tutored it", "pw-215-sua"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := in
			w.ModelFromID = tt.modelFromID
			rejected(t, s, pcnet.EINVALID, "modelFromId", func() error { _, err := s.SaveProjectWork(ctx, w); return err })
		})
	}
}

func testWriteCancelledContext(t *testing.T, s WriteStore) {
	ctx, cancel := context.WithCancel(asPlanner())
	cancel()
	k := pcnet.TutorshipKey{TutorCode: "108", TutoredCode: "013", SectorCode: "procurement", Since: pcnet.MustDate("2023-06-01")}
	calls := []struct {
		name  string
		write func() error
	}{
		{"CreateService", func() error {
			_, err := s.CreateService(ctx, pcnet.SharedService{ID: "svc-cancelled", Name: "X", ProviderCode: "013", AreaCode: "sua", StartDate: pcnet.MustDate("2025-01-01")})
			return err
		}},
		{"UpdateService", func() error {
			name := "Cancelled"
			_, err := s.UpdateService(ctx, "svc-013-sua", pcnet.ServiceUpdate{Name: &name})
			return err
		}},
		{"AddCoverage", func() error {
			_, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: "svc-013-sua", ComuneCodes: []string{"013133"}, Since: pcnet.MustDate("2025-01-01"), Phase: pcnet.PhaseRollout})
			return err
		}},
		{"EndCoverage", func() error {
			_, err := s.EndCoverage(ctx, pcnet.CoverageEnding{ServiceID: "svc-013-sua", ComuneCodes: []string{"013250"}, Until: pcnet.MustDate("2025-01-01")})
			return err
		}},
		{"AssignTutor", func() error {
			_, err := s.AssignTutor(ctx, pcnet.Tutorship{TutorCode: "040", TutoredCode: "064", SectorCode: "europe", Since: pcnet.MustDate("2025-01-01")})
			return err
		}},
		{"AdvanceTutorship", func() error { _, err := s.AdvanceTutorship(ctx, k, 3); return err }},
		{"EndTutorship", func() error { _, err := s.EndTutorship(ctx, k, pcnet.MustDate("2025-01-01"), ""); return err }},
		{"SaveProjectWork", func() error {
			_, err := s.SaveProjectWork(ctx, pcnet.ProjectWork{ID: "pw-cancelled", ProvinceCode: "013", AreaCode: "sua", Title: "X", Maturity: pcnet.MaturityAdvanced, Step: 1, Year: 2025})
			return err
		}},
		{"Changes", func() error { _, err := s.Changes(ctx, pcnet.ChangeFilter{}); return err }},
	}
	before := readState(t, s)
	for _, c := range calls {
		if err := c.write(); err == nil {
			t.Errorf("%s with a cancelled context: no error", c.name)
		}
	}
	checkUnchanged(t, s, before)
}

// testAudit makes a known sequence of writes on a fresh store and checks
// the audit trail and its filters.
func testAudit(t *testing.T, s WriteStore) {
	bg := context.Background()
	all, err := s.Changes(bg, pcnet.ChangeFilter{})
	must(t, err)
	if len(all) != 0 {
		t.Fatalf("a fresh store has audit entries: %+v", all)
	}
	maria := pcnet.WithActor(bg, pcnet.Actor{Subject: "maria@provincia.co.it", Role: pcnet.RolePlanner})
	luca := pcnet.WithActor(bg, pcnet.Actor{Subject: "luca@provincia.fc.it", Role: pcnet.RoleAdmin})

	start := time.Now().UTC().Truncate(time.Millisecond)
	_, err = s.CreateService(maria, pcnet.SharedService{ID: "svc-013-audit", Name: "Audit", ProviderCode: "013", AreaCode: "sua", Status: pcnet.StatusPilot, StartDate: pcnet.MustDate("2024-01-01")})
	must(t, err)
	_, err = s.AddCoverage(luca, pcnet.CoverageAddition{ServiceID: "svc-013-audit", ComuneCodes: []string{"013250", "013130", "013133"}, Since: pcnet.MustDate("2024-02-01"), Phase: pcnet.PhasePilot})
	must(t, err)
	// Rejected and no-op writes record nothing.
	_, err = s.AddCoverage(luca, pcnet.CoverageAddition{ServiceID: "svc-013-audit", ComuneCodes: []string{"013041", "015146"}, Since: pcnet.MustDate("2024-02-01"), Phase: pcnet.PhasePilot})
	wantErr(t, err, pcnet.EINVALID, "comuneCodes[1]")
	_, err = s.AddCoverage(luca, pcnet.CoverageAddition{ServiceID: "svc-013-audit", ComuneCodes: []string{"013130"}, Since: pcnet.MustDate("2024-03-01"), Phase: pcnet.PhasePilot})
	must(t, err)
	time.Sleep(3 * time.Millisecond) // so the next entries have a later At
	middle := time.Now().UTC().Truncate(time.Millisecond)
	active := pcnet.StatusActive
	_, err = s.UpdateService(bg, "svc-013-audit", pcnet.ServiceUpdate{Status: &active}) // no actor
	must(t, err)
	k := pcnet.TutorshipKey{TutorCode: "108", TutoredCode: "013", SectorCode: "procurement", Since: pcnet.MustDate("2023-06-01")}
	_, err = s.AdvanceTutorship(maria, k, 3)
	must(t, err)
	_, err = s.EndCoverage(maria, pcnet.CoverageEnding{ServiceID: "svc-013-audit", ComuneCodes: []string{"013130"}, Until: pcnet.MustDate("2024-09-01")})
	must(t, err)
	_, err = s.SaveProjectWork(luca, pcnet.ProjectWork{ID: "pw-013-audit", ProvinceCode: "013", AreaCode: "sua", Title: "Audit", Maturity: pcnet.MaturityAdvanced, Step: 3, Year: 2025, ServiceID: "svc-013-audit"})
	must(t, err)
	_, err = s.AssignTutor(luca, pcnet.Tutorship{TutorCode: "040", TutoredCode: "064", SectorCode: "europe", Since: pcnet.MustDate("2025-01-01")})
	must(t, err)
	_, err = s.EndTutorship(maria, pcnet.TutorshipKey{TutorCode: "040", TutoredCode: "064", SectorCode: "europe", Since: pcnet.MustDate("2025-01-01")}, pcnet.MustDate("2025-02-01"), "")
	must(t, err)
	end := time.Now().UTC()

	type entry struct{ actor, entity, entityID, action string }
	want := []entry{
		{"maria@provincia.co.it", pcnet.EntityService, "svc-013-audit", pcnet.ActionCreate},
		{"luca@provincia.fc.it", pcnet.EntityCoverage, "svc-013-audit/013130", pcnet.ActionAdd},
		{"luca@provincia.fc.it", pcnet.EntityCoverage, "svc-013-audit/013133", pcnet.ActionAdd},
		{"luca@provincia.fc.it", pcnet.EntityCoverage, "svc-013-audit/013250", pcnet.ActionAdd},
		{"", pcnet.EntityService, "svc-013-audit", pcnet.ActionUpdate},
		{"maria@provincia.co.it", pcnet.EntityTutorship, "108/013/procurement/2023-06-01", pcnet.ActionAdvance},
		{"maria@provincia.co.it", pcnet.EntityCoverage, "svc-013-audit/013130", pcnet.ActionEnd},
		{"luca@provincia.fc.it", pcnet.EntityProjectWork, "pw-013-audit", pcnet.ActionCreate},
		{"luca@provincia.fc.it", pcnet.EntityTutorship, "040/064/europe/2025-01-01", pcnet.ActionAssign},
		{"maria@provincia.co.it", pcnet.EntityTutorship, "040/064/europe/2025-01-01", pcnet.ActionEnd},
	}
	all, err = s.Changes(bg, pcnet.ChangeFilter{})
	must(t, err)
	if len(all) != len(want) {
		t.Fatalf("%d audit entries, want %d: %+v", len(all), len(want), all)
	}
	for i, c := range all {
		if got := (entry{c.Actor, c.Entity, c.EntityID, c.Action}); got != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, got, want[i])
		}
		if c.Seq != int64(i+1) {
			t.Errorf("entry %d: seq %d, want %d (increasing from 1, gap-free)", i, c.Seq, i+1)
		}
		if c.At.Location() != time.UTC || c.At.Before(start) || c.At.After(end) || c.At.Nanosecond()%int(time.Millisecond) != 0 {
			t.Errorf("entry %d: at %v, want UTC milliseconds between %v and %v", i, c.At, start, end)
		}
		if i > 0 && c.At.Before(all[i-1].At) {
			t.Errorf("entry %d is dated before entry %d", i, i-1)
		}
		if c.Summary == "" {
			t.Errorf("entry %d has no summary", i)
		}
	}
	if !all[1].At.Equal(all[2].At) || !all[2].At.Equal(all[3].At) {
		t.Errorf("the entries of one batch have different times: %v %v %v", all[1].At, all[2].At, all[3].At)
	}
	if got, want := all[4].Summary, "status PILOT → ACTIVE"; got != want {
		t.Errorf("status change summary %q, want %q", got, want)
	}

	seqs := func(cs []pcnet.Change) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.Seq)
		}
		return out
	}
	filters := []struct {
		name string
		f    pcnet.ChangeFilter
		want []int64
	}{
		{"entity", pcnet.ChangeFilter{Entity: pcnet.EntityCoverage}, []int64{2, 3, 4, 7}},
		{"entity id", pcnet.ChangeFilter{EntityID: "svc-013-audit/013130"}, []int64{2, 7}},
		{"entity and id", pcnet.ChangeFilter{Entity: pcnet.EntityService, EntityID: "svc-013-audit"}, []int64{1, 5}},
		{"entity id of another entity", pcnet.ChangeFilter{Entity: pcnet.EntityTutorship, EntityID: "svc-013-audit"}, nil},
		{"after seq", pcnet.ChangeFilter{AfterSeq: 7}, []int64{8, 9, 10}},
		{"after the last", pcnet.ChangeFilter{AfterSeq: 10}, nil},
		{"limit", pcnet.ChangeFilter{Limit: 2}, []int64{1, 2}},
		{"after seq and limit", pcnet.ChangeFilter{AfterSeq: 3, Limit: 3}, []int64{4, 5, 6}},
		{"entity and limit", pcnet.ChangeFilter{Entity: pcnet.EntityTutorship, Limit: 2}, []int64{6, 9}},
		{"entity after seq", pcnet.ChangeFilter{Entity: pcnet.EntityTutorship, AfterSeq: 6}, []int64{9, 10}},
		{"since the start", pcnet.ChangeFilter{Since: start}, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"since the middle", pcnet.ChangeFilter{Since: middle}, []int64{5, 6, 7, 8, 9, 10}},
		{"since the middle, of one entity", pcnet.ChangeFilter{Since: middle, Entity: pcnet.EntityCoverage}, []int64{7}},
		{"since later", pcnet.ChangeFilter{Since: end.Add(time.Hour)}, nil},
	}
	for _, tt := range filters {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Changes(bg, tt.f)
			must(t, err)
			if !slices.Equal(seqs(got), tt.want) {
				t.Errorf("seqs %v, want %v", seqs(got), tt.want)
			}
		})
	}
	invalid := []struct {
		name  string
		f     pcnet.ChangeFilter
		field string
	}{
		{"unknown entity", pcnet.ChangeFilter{Entity: "comune"}, "entity"},
		{"negative after", pcnet.ChangeFilter{AfterSeq: -1}, "afterSeq"},
		{"negative limit", pcnet.ChangeFilter{Limit: -5}, "limit"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Changes(bg, tt.f)
			wantErr(t, err, pcnet.EINVALID, tt.field)
		})
	}
}

// testLastChangeSeq checks the cheap read a response cache relies on: it
// moves with every write that records entries, to the last entry's Seq,
// and with nothing else.
func testLastChangeSeq(t *testing.T, s WriteStore) {
	bg := context.Background()
	seqNow := func() int64 {
		t.Helper()
		seq, err := s.LastChangeSeq(bg)
		must(t, err)
		if want := lastSeq(t, s); seq != want {
			t.Fatalf("LastChangeSeq = %d, the trail's last entry has Seq %d", seq, want)
		}
		return seq
	}
	if seq := seqNow(); seq != 0 {
		t.Fatalf("a fresh store's LastChangeSeq = %d, want 0", seq)
	}
	_, err := s.CreateService(asPlanner(), pcnet.SharedService{ID: "svc-013-seq", Name: "Seq", ProviderCode: "013", AreaCode: "sua", Status: pcnet.StatusPilot, StartDate: pcnet.MustDate("2024-01-01")})
	must(t, err)
	afterCreate := seqNow()
	if afterCreate != 1 {
		t.Fatalf("after one write LastChangeSeq = %d, want 1", afterCreate)
	}
	_, err = s.AddCoverage(asPlanner(), pcnet.CoverageAddition{ServiceID: "svc-013-seq", ComuneCodes: []string{"013250", "013130"}, Since: pcnet.MustDate("2024-02-01"), Phase: pcnet.PhasePilot})
	must(t, err)
	afterAdd := seqNow()
	if afterAdd != afterCreate+2 {
		t.Fatalf("after adding 2 coverages LastChangeSeq = %d, want %d", afterAdd, afterCreate+2)
	}
	// A no-op and a rejected write leave it where it is.
	_, err = s.AddCoverage(asPlanner(), pcnet.CoverageAddition{ServiceID: "svc-013-seq", ComuneCodes: []string{"013250"}, Since: pcnet.MustDate("2024-03-01"), Phase: pcnet.PhasePilot})
	must(t, err)
	_, err = s.AddCoverage(asPlanner(), pcnet.CoverageAddition{ServiceID: "svc-013-seq", ComuneCodes: []string{"015146"}, Since: pcnet.MustDate("2024-02-01"), Phase: pcnet.PhasePilot})
	wantErr(t, err, pcnet.EINVALID, "comuneCodes[0]")
	if seq := seqNow(); seq != afterAdd {
		t.Fatalf("a no-op and a rejected write moved LastChangeSeq from %d to %d", afterAdd, seq)
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := s.LastChangeSeq(ctx); err == nil {
		t.Error("LastChangeSeq with a cancelled context succeeded")
	}
}
