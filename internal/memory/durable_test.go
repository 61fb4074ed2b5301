package memory_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"pcnet/internal/memory"
	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

// openDurable opens a durable store in a new directory, closed when t ends.
func openDurable(t *testing.T, ds pcnet.Dataset) *memory.Store {
	t.Helper()
	dir := t.TempDir()
	s, err := memory.Open(dir, ds)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// reopen closes s and opens its directory again with seed.
func reopen(t *testing.T, s *memory.Store, seed pcnet.Dataset) *memory.Store {
	t.Helper()
	dir := s.DataDir()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := memory.Open(dir, seed)
	if err != nil {
		t.Fatalf("reopening %s: %v", dir, err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestDurableWritesConformance(t *testing.T) {
	storetest.RunWrites(t, func(t *testing.T, ds pcnet.Dataset) storetest.WriteStore {
		return openDurable(t, ds)
	})
}

// TestDurableWritesConformanceReopened runs the write suite on a durable
// store that is closed and reopened after every write, so every answer the
// suite checks was read back from the file. Writes are serialized by the
// wrapper: the concurrency tests then check nothing new, the plain run
// above covers them.
func TestDurableWritesConformanceReopened(t *testing.T) {
	if testing.Short() {
		t.Skip("reopens the store after each of several hundred writes")
	}
	storetest.RunWrites(t, func(t *testing.T, ds pcnet.Dataset) storetest.WriteStore {
		s := openDurable(t, ds)
		return &reopening{Store: s, t: t, seed: ds}
	})
}

// reopening is a durable store that reopens its directory after each
// write.
type reopening struct {
	mu sync.RWMutex
	*memory.Store
	t    *testing.T
	seed pcnet.Dataset
}

func reopenAfter[T any](r *reopening, write func(s *memory.Store) (T, error)) (T, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, err := write(r.Store)
	dir := r.DataDir()
	if cerr := r.Close(); cerr != nil {
		r.t.Errorf("closing: %v", cerr)
	}
	s, oerr := memory.Open(dir, r.seed)
	if oerr != nil {
		r.t.Fatalf("reopening after a write: %v", oerr)
	}
	r.t.Cleanup(func() { s.Close() })
	r.Store = s
	return v, err
}

func (r *reopening) store() *memory.Store {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.Store
}

func (r *reopening) Services(ctx context.Context, f pcnet.ServiceFilter) ([]pcnet.SharedService, error) {
	return r.store().Services(ctx, f)
}
func (r *reopening) Coverages(ctx context.Context, q []pcnet.CoverageQuery) ([]pcnet.CoveragePage, error) {
	return r.store().Coverages(ctx, q)
}
func (r *reopening) Comuni(ctx context.Context, q []pcnet.ComuneQuery) ([]pcnet.ComunePage, error) {
	return r.store().Comuni(ctx, q)
}
func (r *reopening) Tutorships(ctx context.Context, f pcnet.TutorshipFilter) ([]pcnet.Tutorship, error) {
	return r.store().Tutorships(ctx, f)
}
func (r *reopening) ProjectWorks(ctx context.Context, f pcnet.ProjectWorkFilter) ([]pcnet.ProjectWork, error) {
	return r.store().ProjectWorks(ctx, f)
}
func (r *reopening) Changes(ctx context.Context, f pcnet.ChangeFilter) ([]pcnet.Change, error) {
	return r.store().Changes(ctx, f)
}
func (r *reopening) LastChangeSeq(ctx context.Context) (int64, error) {
	return r.store().LastChangeSeq(ctx)
}
func (r *reopening) CreateService(ctx context.Context, sv pcnet.SharedService) (pcnet.SharedService, error) {
	return reopenAfter(r, func(s *memory.Store) (pcnet.SharedService, error) { return s.CreateService(ctx, sv) })
}
func (r *reopening) UpdateService(ctx context.Context, id string, u pcnet.ServiceUpdate) (pcnet.SharedService, error) {
	return reopenAfter(r, func(s *memory.Store) (pcnet.SharedService, error) { return s.UpdateService(ctx, id, u) })
}
func (r *reopening) AddCoverage(ctx context.Context, a pcnet.CoverageAddition) (pcnet.CoverageResult, error) {
	return reopenAfter(r, func(s *memory.Store) (pcnet.CoverageResult, error) { return s.AddCoverage(ctx, a) })
}
func (r *reopening) EndCoverage(ctx context.Context, e pcnet.CoverageEnding) (pcnet.CoverageResult, error) {
	return reopenAfter(r, func(s *memory.Store) (pcnet.CoverageResult, error) { return s.EndCoverage(ctx, e) })
}
func (r *reopening) AssignTutor(ctx context.Context, tu pcnet.Tutorship) (pcnet.Tutorship, error) {
	return reopenAfter(r, func(s *memory.Store) (pcnet.Tutorship, error) { return s.AssignTutor(ctx, tu) })
}
func (r *reopening) AdvanceTutorship(ctx context.Context, k pcnet.TutorshipKey, step int) (pcnet.Tutorship, error) {
	return reopenAfter(r, func(s *memory.Store) (pcnet.Tutorship, error) { return s.AdvanceTutorship(ctx, k, step) })
}
func (r *reopening) EndTutorship(ctx context.Context, k pcnet.TutorshipKey, until pcnet.Date, outcome pcnet.TutorshipOutcome) (pcnet.Tutorship, error) {
	return reopenAfter(r, func(s *memory.Store) (pcnet.Tutorship, error) { return s.EndTutorship(ctx, k, until, outcome) })
}
func (r *reopening) SaveProjectWork(ctx context.Context, w pcnet.ProjectWork) (pcnet.ProjectWork, error) {
	return reopenAfter(r, func(s *memory.Store) (pcnet.ProjectWork, error) { return s.SaveProjectWork(ctx, w) })
}
func (r *reopening) SaveProjectWorkSections(ctx context.Context, id string, secs []pcnet.ProjectWorkSection) ([]pcnet.ProjectWorkSection, error) {
	return reopenAfter(r, func(s *memory.Store) ([]pcnet.ProjectWorkSection, error) {
		return s.SaveProjectWorkSections(ctx, id, secs)
	})
}
func (r *reopening) SetRolloutPlan(ctx context.Context, id string, waves []pcnet.RolloutWave) ([]pcnet.RolloutTarget, error) {
	return reopenAfter(r, func(s *memory.Store) ([]pcnet.RolloutTarget, error) { return s.SetRolloutPlan(ctx, id, waves) })
}
func (r *reopening) AddMaterial(ctx context.Context, m pcnet.Material) (pcnet.Material, error) {
	return reopenAfter(r, func(s *memory.Store) (pcnet.Material, error) { return s.AddMaterial(ctx, m) })
}
func (r *reopening) ProjectWorkSections(ctx context.Context, ids []string) ([]pcnet.ProjectWorkSection, error) {
	return r.store().ProjectWorkSections(ctx, ids)
}
func (r *reopening) RolloutTargets(ctx context.Context, f pcnet.RolloutTargetFilter) ([]pcnet.RolloutTarget, error) {
	return r.store().RolloutTargets(ctx, f)
}
func (r *reopening) Materials(ctx context.Context, f pcnet.MaterialFilter) ([]pcnet.Material, error) {
	return r.store().Materials(ctx, f)
}

// TestDurableReadConformance runs the read suite on a durable store that
// was seeded, closed and reopened: the network read back from the file
// must answer exactly like the dataset.
func TestDurableReadConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, ds pcnet.Dataset) pcnet.Store {
		return reopen(t, openDurable(t, ds), ds)
	})
}

func TestDurableRetiredConformance(t *testing.T) {
	storetest.RunRetired(t, func(t *testing.T, ds pcnet.Dataset) storetest.AnalyticsStore {
		return reopen(t, openDurable(t, ds), ds)
	})
}

func TestDurableAnalyticsConformance(t *testing.T) {
	storetest.RunAnalytics(t, func(t *testing.T, ds pcnet.Dataset) storetest.AnalyticsStore {
		return reopen(t, openDurable(t, ds), ds)
	})
}

// everything reads all a write can change, to compare stores.
type everything struct {
	Services     []pcnet.SharedService
	Coverages    []pcnet.Coverage
	Tutorships   []pcnet.Tutorship
	ProjectWorks []pcnet.ProjectWork
	Changes      []pcnet.Change
}

func readEverything(t *testing.T, s *memory.Store) everything {
	t.Helper()
	ctx := context.Background()
	var e everything
	var err error
	if e.Services, err = s.Services(ctx, pcnet.ServiceFilter{}); err != nil {
		t.Fatal(err)
	}
	pages, err := s.Coverages(ctx, []pcnet.CoverageQuery{{}})
	if err != nil {
		t.Fatal(err)
	}
	e.Coverages = pages[0].Coverages
	if e.Tutorships, err = s.Tutorships(ctx, pcnet.TutorshipFilter{}); err != nil {
		t.Fatal(err)
	}
	if e.ProjectWorks, err = s.ProjectWorks(ctx, pcnet.ProjectWorkFilter{}); err != nil {
		t.Fatal(err)
	}
	if e.Changes, err = s.Changes(ctx, pcnet.ChangeFilter{}); err != nil {
		t.Fatal(err)
	}
	return e
}

// someWrites makes one write of each kind.
func someWrites(t *testing.T, s *memory.Store) {
	t.Helper()
	ctx := pcnet.WithActor(context.Background(), pcnet.Actor{Subject: "anna@provincia.lc.it", Role: pcnet.RolePlanner})
	steps := []func() error{
		func() error {
			_, err := s.CreateService(ctx, pcnet.SharedService{ID: "svc-097-sua", Name: "SUA Lecco", Description: "Gare", ProviderCode: "097", AreaCode: "sua", StartDate: pcnet.MustDate("2024-01-01")})
			return err
		},
		func() error {
			st := pcnet.StatusPilot
			_, err := s.UpdateService(ctx, "svc-097-sua", pcnet.ServiceUpdate{Status: &st})
			return err
		},
		func() error {
			_, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: "svc-097-sua", ComuneCodes: []string{"097003", "097001", "097002"}, Since: pcnet.MustDate("2024-02-01"), Phase: pcnet.PhasePilot})
			return err
		},
		func() error {
			_, err := s.EndCoverage(ctx, pcnet.CoverageEnding{ServiceID: "svc-097-sua", ComuneCodes: []string{"097002"}, Until: pcnet.MustDate("2024-12-01")})
			return err
		},
		func() error {
			_, err := s.AssignTutor(ctx, pcnet.Tutorship{TutorCode: "013", TutoredCode: "097", SectorCode: "procurement", Since: pcnet.MustDate("2024-01-01")})
			return err
		},
		func() error {
			_, err := s.AdvanceTutorship(ctx, pcnet.TutorshipKey{TutorCode: "013", TutoredCode: "097", SectorCode: "procurement", Since: pcnet.MustDate("2024-01-01")}, 2)
			return err
		},
		func() error {
			_, err := s.EndTutorship(ctx, pcnet.TutorshipKey{TutorCode: "021", TutoredCode: "022", SectorCode: "personnel", Since: pcnet.MustDate("2024-05-01")}, pcnet.MustDate("2025-05-01"), "")
			return err
		},
		func() error {
			_, err := s.SaveProjectWork(ctx, pcnet.ProjectWork{ID: "pw-097-sua", ProvinceCode: "097", AreaCode: "sua", Title: "SUA Lecco", Maturity: pcnet.MaturityDeveloping, Step: 2, Year: 2025, ServiceID: "svc-097-sua"})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
}

// TestReopenKeepsWrites compares a durable store before and after a
// reopen, with an ephemeral store that made the same writes.
func TestReopenKeepsWrites(t *testing.T) {
	ds := storetest.WriteFixture()
	s := openDurable(t, ds)
	someWrites(t, s)
	before := readEverything(t, s)

	ephemeral, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	someWrites(t, ephemeral)
	want := readEverything(t, ephemeral)
	if len(want.Changes) != 10 {
		t.Fatalf("the ephemeral store recorded %d changes, want 10", len(want.Changes))
	}

	r := reopen(t, s, ds)
	after := readEverything(t, r)
	for i := range after.Changes {
		// Times differ between the two stores; they must survive the reopen.
		if !after.Changes[i].At.Equal(before.Changes[i].At) {
			t.Errorf("change %d: at %v, before the reopen %v", i, after.Changes[i].At, before.Changes[i].At)
		}
		after.Changes[i].At, before.Changes[i].At, want.Changes[i].At = time.Time{}, time.Time{}, time.Time{}
	}
	if !reflect.DeepEqual(before, want) {
		t.Errorf("the durable store differs from the ephemeral one:\n durable   %+v\n ephemeral %+v", before, want)
	}
	if !reflect.DeepEqual(after, before) {
		t.Errorf("reopened store differs:\n after  %+v\n before %+v", after, before)
	}

	// The trail goes on from the last Seq.
	if _, err := r.SaveProjectWork(context.Background(), pcnet.ProjectWork{ID: "pw-097-next", ProvinceCode: "097", AreaCode: "sua", Title: "Next", Maturity: pcnet.MaturityAdvanced, Step: 1, Year: 2026}); err != nil {
		t.Fatal(err)
	}
	changes, err := r.Changes(context.Background(), pcnet.ChangeFilter{AfterSeq: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Seq != 11 {
		t.Errorf("the first change after the reopen: %+v, want seq 11", changes)
	}
}

// TestReopenIgnoresSeedNetwork: once seeded, the directory's network wins
// over the seed's.
func TestReopenIgnoresSeedNetwork(t *testing.T) {
	ds := storetest.WriteFixture()
	s := openDurable(t, ds)
	someWrites(t, s)
	want := readEverything(t, s)

	other := storetest.WriteFixture()
	other.Network = pcnet.Network{}
	r := reopen(t, s, other)
	if got := readEverything(t, r); !reflect.DeepEqual(got, want) {
		t.Errorf("after reopening with an empty seed network:\n got  %+v\n want %+v", got, want)
	}
}

func TestOpenRejectsAnotherGeography(t *testing.T) {
	ds := storetest.WriteFixture()
	s := openDurable(t, ds)
	dir := s.DataDir()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	renamed := storetest.WriteFixture()
	renamed.Comuni[0].Population++
	if r, err := memory.Open(dir, renamed); err == nil {
		r.Close()
		t.Fatal("Open accepted a seed with another geography")
	} else if !strings.Contains(err.Error(), "another geography") {
		t.Errorf("error %q doesn't say the geography changed", err)
	}
	// The directory is left as it was: the right seed opens it.
	r, err := memory.Open(dir, ds)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
}

func TestOpenRejectsInvalidSeed(t *testing.T) {
	ds := storetest.WriteFixture()
	ds.Coverages[0].ComuneCode = "013041" // not of svc-064-sua's Province
	if s, err := memory.Open(t.TempDir(), ds); err == nil {
		s.Close()
		t.Fatal("Open seeded an invalid dataset")
	} else if !strings.Contains(err.Error(), "coverage svc-064-sua→013041") {
		t.Errorf("error %q doesn't name the invalid coverage", err)
	}
}

// TestOpenRejectsInvalidStoredNetwork breaks a record in the file.
func TestOpenRejectsInvalidStoredNetwork(t *testing.T) {
	ds := storetest.WriteFixture()
	s := openDurable(t, ds)
	dir := s.DataDir()
	s.Close()
	db, err := bolt.Open(filepath.Join(dir, memory.DataFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("coverages"))
		rec, _ := json.Marshal(map[string]string{"serviceId": "svc-013-sua", "comuneCode": "108033", "since": "2024-01-01", "phase": "PILOT"})
		return b.Put([]byte("svc-013-sua\x00108033\x002024-01-01"), rec)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if r, err := memory.Open(dir, ds); err == nil {
		r.Close()
		t.Fatal("Open accepted a coverage outside the provider's Province")
	} else if !strings.Contains(err.Error(), "svc-013-sua→108033") {
		t.Errorf("error %q doesn't name the bad coverage", err)
	}
}

func TestOpenLockedDirectory(t *testing.T) {
	s := openDurable(t, storetest.WriteFixture())
	// "In use" comes from bbolt's lock timeout (lockTimeout): the message
	// proves the wait ended; how long it took is not asserted (flaky when busy).
	if r, err := memory.Open(s.DataDir(), storetest.WriteFixture()); err == nil {
		r.Close()
		t.Fatal("two stores opened the same directory")
	} else if !strings.Contains(err.Error(), "in use") {
		t.Errorf("error %q doesn't say the directory is in use", err)
	}
}

func TestWriteAfterClose(t *testing.T) {
	s := openDurable(t, storetest.WriteFixture())
	before, err := s.Services(context.Background(), pcnet.ServiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateService(context.Background(), pcnet.SharedService{ID: "svc-013-late", Name: "Late", ProviderCode: "013", AreaCode: "sua", StartDate: pcnet.MustDate("2025-01-01")})
	if err == nil {
		t.Fatal("a closed store accepted a write")
	}
	if code := pcnet.ErrorCode(err); code != pcnet.EINTERNAL {
		t.Errorf("error code %q, want %q: a failed commit is not the user's fault", code, pcnet.EINTERNAL)
	}
	services, _ := s.Services(context.Background(), pcnet.ServiceFilter{})
	if !reflect.DeepEqual(services, before) {
		t.Errorf("a failed commit changed the services in memory")
	}
}

func TestOpenNeedsADirectory(t *testing.T) {
	if s, err := memory.Open("", storetest.WriteFixture()); err == nil {
		s.Close()
		t.Fatal("Open accepted an empty directory name")
	}
}

func TestEphemeralStoreHasNoDataDir(t *testing.T) {
	s, err := memory.New(storetest.Fixture())
	if err != nil {
		t.Fatal(err)
	}
	if s.DataDir() != "" || s.Close() != nil {
		t.Errorf("ephemeral store: DataDir %q, Close %v", s.DataDir(), s.Close())
	}
}

func TestDefaultDataDir(t *testing.T) {
	t.Setenv("HOME", "/home/maria")
	tests := []struct {
		xdg, want string
	}{
		{"/srv/data", "/srv/data/pcnet"},
		{"", "/home/maria/.local/share/pcnet"},
		{"relative/path", "/home/maria/.local/share/pcnet"}, // XDG says relative paths are invalid
	}
	for _, tt := range tests {
		t.Setenv("XDG_DATA_HOME", tt.xdg)
		if got := memory.DefaultDataDir(); got != tt.want {
			t.Errorf("XDG_DATA_HOME=%q: %q, want %q", tt.xdg, got, tt.want)
		}
	}
}

// TestReopenKeepsParticipationWrites: recorded and ended participations
// and an admin's exception survive a restart, and the tutorship rule
// still reads them (issue 13).
func TestReopenKeepsParticipationWrites(t *testing.T) {
	ctx := pcnet.WithActor(context.Background(), pcnet.Actor{Subject: "root", Role: pcnet.RoleAdmin})
	ds := storetest.WriteFixture()
	s := openDurable(t, ds)
	trento := pcnet.Participation{ProvinceCode: "022", SectorCode: "europe", Since: pcnet.MustDate("2025-01-01")}
	if _, err := s.RecordParticipation(ctx, trento); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EndParticipation(ctx, "022", "europe", pcnet.MustDate("2025-06-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordParticipationException(ctx, pcnet.ParticipationException{ProvinceCode: "215", SectorCode: "europe", Reason: "pilot"}); err != nil {
		t.Fatal(err)
	}

	r := reopen(t, s, ds)
	got, err := r.Participations(ctx, pcnet.ParticipationFilter{ProvinceCodes: []string{"022"}})
	if err != nil {
		t.Fatal(err)
	}
	trento.Until = pcnet.MustDate("2025-06-01")
	if len(got) != 1 || got[0] != trento {
		t.Errorf("after the reopen, Trento's participations = %+v, want [%+v]", got, trento)
	}
	// The exception still lets Milano be tutored; Trento's ended participation doesn't.
	if _, err := r.AssignTutor(ctx, pcnet.Tutorship{TutorCode: "040", TutoredCode: "215", SectorCode: "europe", Since: pcnet.MustDate("2025-01-01")}); err != nil {
		t.Errorf("the exception was lost: %v", err)
	}
	_, err = r.AssignTutor(ctx, pcnet.Tutorship{TutorCode: "040", TutoredCode: "022", SectorCode: "europe", Since: pcnet.MustDate("2025-07-01")})
	if pcnet.ErrorCode(err) != pcnet.EINVALID || pcnet.ErrorField(err) != "tutoredCode" {
		t.Errorf("tutoring Trento after its participation ended: %v, want invalid tutoredCode", err)
	}
}

func TestDurableImportsConformance(t *testing.T) {
	storetest.RunImports(t, func(t *testing.T, ds pcnet.Dataset) storetest.WriteStore {
		return openDurable(t, ds)
	}, importMemory)
}

// An import is committed to the file with its audit entry: a reopened
// store holds the imported network and the entry, whatever the seed says.
func TestDurableImportSurvivesReopen(t *testing.T) {
	seed := storetest.WriteFixture()
	s := openDurable(t, seed)
	next := storetest.WriteFixture()
	next.Services[0].Name = "Renamed by the import"
	next.Coverages = next.Coverages[1:]
	if err := s.Import(context.Background(), next); err != nil {
		t.Fatal(err)
	}
	r := reopen(t, s, seed)
	services, err := r.Services(context.Background(), pcnet.ServiceFilter{IDs: []string{next.Services[0].ID}})
	if err != nil || len(services) != 1 || services[0].Name != "Renamed by the import" {
		t.Fatalf("after reopening: %+v, %v", services, err)
	}
	got, err := r.Coverages(context.Background(), []pcnet.CoverageQuery{{Page: pcnet.Page{CountOnly: true}}})
	if err != nil || len(got) != 1 || got[0].Total != len(next.Coverages) {
		t.Fatalf("after reopening the coverages count %+v (%v), want %d", got, err, len(next.Coverages))
	}
	changes, err := r.Changes(context.Background(), pcnet.ChangeFilter{})
	if err != nil || len(changes) != 1 || changes[0].Entity != pcnet.EntityImport || changes[0].Seq != 1 {
		t.Fatalf("after reopening the trail is %+v (%v), want the import's entry", changes, err)
	}
	if seq, err := r.LastChangeSeq(context.Background()); err != nil || seq != 1 {
		t.Fatalf("after reopening LastChangeSeq = %d (%v), want 1", seq, err)
	}
	// A seed with another geography is refused by an import as by Open.
	other := storetest.WriteFixture()
	other.Comuni[0].Name += " (renamed)"
	if err := r.Import(context.Background(), other); pcnet.ErrorCode(err) != pcnet.EINVALID {
		t.Fatalf("importing another geography into a durable store: %v, want %s", err, pcnet.EINVALID)
	}
}
