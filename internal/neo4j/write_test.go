package neo4j_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"pcnet/internal/neo4j"
	"pcnet/internal/neo4j/neo4jtest"
	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

// TestWritesConformance runs the write conformance suite: each store it
// opens is its dataset imported into a cleared database, audit trail
// included.
func TestWritesConformance(t *testing.T) {
	storetest.RunWrites(t, func(t *testing.T, ds pcnet.Dataset) storetest.WriteStore {
		s := neo4jtest.Load(t, ds)
		checkCounter(t, s) // a cleared database has no counter, no entries
		return s
	})
}

// cypher runs one auto-commit query on the test server with a driver of
// its own, bypassing the store.
func cypher(t testing.TB, query string, params map[string]any) []*neo4jdrv.Record {
	t.Helper()
	cfg := neo4jtest.Config(t)
	ctx := context.Background()
	driver, err := neo4jdrv.NewDriverWithContext(cfg.URI, neo4jdrv.BasicAuth(cfg.Username, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(ctx)
	res, err := neo4jdrv.ExecuteQuery(ctx, driver, query, params, neo4jdrv.EagerResultTransformer, neo4jdrv.ExecuteQueryWithDatabase(cfg.Database))
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return res.Records
}

// checkCounter checks the audit counter against the entries, read straight
// from the graph: at most one counter, whose seq is the last entry's (0
// without entries), entries numbered 1..n, and no lock property left
// behind by a rolled-back or committed write.
func checkCounter(t testing.TB, s *neo4j.Store) {
	t.Helper()
	recs := cypher(t, `
		OPTIONAL MATCH (k:AuditCounter)
		WITH collect(k) AS counters
		OPTIONAL MATCH (c:Change)
		RETURN size(counters), [k IN counters | k.seq], [k IN counters WHERE k._LOCK_ IS NOT NULL | k.name],
		       count(c), coalesce(max(c.seq), 0), coalesce(min(c.seq), 0)`, nil)
	v := recs[0].Values
	counters, seqs, locked := v[0].(int64), v[1].([]any), v[2].([]any)
	entries, maxSeq, minSeq := v[3].(int64), v[4].(int64), v[5].(int64)
	if counters > 1 {
		t.Errorf("%d audit counters", counters)
	}
	if len(locked) > 0 {
		t.Errorf("the audit counter kept its lock property: %v", locked)
	}
	if entries > 0 && (minSeq != 1 || maxSeq != entries) {
		t.Errorf("%d entries numbered %d..%d, want 1..%d", entries, minSeq, maxSeq, entries)
	}
	switch {
	case entries == 0 && counters == 1 && seqs[0] != int64(0):
		t.Errorf("no entries, but the counter is at %v", seqs[0])
	case entries > 0 && (counters != 1 || seqs[0] != maxSeq):
		t.Errorf("the counter is at %v, the last entry at %d", seqs, maxSeq)
	}
	// The same through the store's own reading of the trail.
	all, err := s.Changes(context.Background(), pcnet.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(all)) != entries {
		t.Errorf("Changes returns %d entries, the graph holds %d", len(all), entries)
	}
}

const (
	lecco        = "097"
	leccoService = "svc-097-training" // WriteFixture: ACTIVE since 2024-01-01, covering nothing
	leccoComuni  = 32                 // 097001 ... 097032
)

func leccoComune(i int) string { return fmt.Sprintf("097%03d", i%leccoComuni+1) }

// TestWritesFromSeveralClients writes to one service from several
// clients at once, each with its own driver and connection pool, as
// several replicas of the server would: overlapping coverage batches and
// status changes race on the same service. No update is lost, no Comune
// is covered twice, every status change is planned against the status
// the one before left, and the audit trail is gap-free.
func TestWritesFromSeveralClients(t *testing.T) {
	neo4jtest.Load(t, storetest.WriteFixture())
	const clients, writersPerClient, batches, batchSize = 4, 4, 4, 5
	stores := make([]*neo4j.Store, clients)
	for i := range stores {
		stores[i] = neo4jtest.Open(t)
	}
	ctx := context.Background()

	// The batches each writer sends, and what they cover together.
	batchOf := func(writer, b int) []string {
		var codes []string
		for i := range batchSize {
			codes = append(codes, leccoComune(writer*3+b*7+i))
		}
		return codes
	}
	wantCovered := make(map[string]bool)
	for g := range clients * writersPerClient {
		for b := range batches {
			for _, c := range batchOf(g, b) {
				wantCovered[c] = true
			}
		}
	}

	var inFlight, maxInFlight atomic.Int32
	var created atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, clients*writersPerClient*batches*2)
	for g := range clients * writersPerClient {
		s := stores[g%clients]
		wg.Go(func() {
			<-start
			actor := pcnet.WithActor(ctx, pcnet.Actor{Subject: fmt.Sprintf("writer%d", g), Role: pcnet.RolePlanner})
			for b := range batches {
				n := inFlight.Add(1)
				for m := maxInFlight.Load(); n > m && !maxInFlight.CompareAndSwap(m, n); m = maxInFlight.Load() {
				}
				codes := batchOf(g, b)
				res, err := s.AddCoverage(actor, pcnet.CoverageAddition{ServiceID: leccoService, ComuneCodes: codes, Since: pcnet.MustDate("2024-06-01"), Phase: pcnet.PhaseRollout})
				if err != nil {
					errs <- fmt.Errorf("writer %d, batch %d: %w", g, b, err)
				} else if len(res.Changed)+len(res.Unchanged) != len(codes) {
					errs <- fmt.Errorf("writer %d, batch %d: %d changed and %d unchanged of %d", g, b, len(res.Changed), len(res.Unchanged), len(codes))
				}
				created.Add(int64(len(res.Changed)))
				// Suspend or resume the service: one of the two is
				// always allowed, the other a conflict.
				target := pcnet.StatusSuspended
				if (g+b)%2 == 1 {
					target = pcnet.StatusActive
				}
				if _, err := s.UpdateService(actor, leccoService, pcnet.ServiceUpdate{Status: &target}); err != nil && pcnet.ErrorCode(err) != pcnet.ECONFLICT {
					errs <- fmt.Errorf("writer %d: status %s: %w", g, target, err)
				}
				inFlight.Add(-1)
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if maxInFlight.Load() < 2 {
		t.Errorf("at most %d writes were in flight at once: the test didn't test concurrency", maxInFlight.Load())
	}

	s := stores[0]
	pages, err := s.Coverages(ctx, []pcnet.CoverageQuery{{Filter: pcnet.CoverageFilter{ServiceIDs: []string{leccoService}}}})
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]int)
	for _, c := range pages[0].Coverages {
		got[c.ComuneCode]++
	}
	for code := range wantCovered {
		if got[code] != 1 {
			t.Errorf("%s has %d coverages, want 1", code, got[code])
		}
	}
	if len(got) != len(wantCovered) {
		t.Errorf("%d Comuni covered, want %d", len(got), len(wantCovered))
	}
	if created.Load() != int64(len(wantCovered)) {
		t.Errorf("the writers report %d coverages created, want %d: each Comune by exactly one writer", created.Load(), len(wantCovered))
	}

	changes, err := s.Changes(ctx, pcnet.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	status, adds := pcnet.StatusActive, 0
	for i, c := range changes {
		if c.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d: the trail has a gap or a repeat", i, c.Seq)
		}
		switch c.Entity {
		case pcnet.EntityCoverage:
			adds++
		case pcnet.EntityService:
			from, to, _ := strings.Cut(strings.TrimPrefix(c.Summary, "status "), " → ")
			if pcnet.ServiceStatus(from) != status || !pcnet.AllowedTransition(status, pcnet.ServiceStatus(to)) {
				t.Errorf("seq %d: %q, but the service was %s", c.Seq, c.Summary, status)
			}
			status = pcnet.ServiceStatus(to)
		}
	}
	if adds != len(wantCovered) {
		t.Errorf("%d coverage entries, want %d", adds, len(wantCovered))
	}
	svc, err := s.Services(ctx, pcnet.ServiceFilter{IDs: []string{leccoService}})
	if err != nil {
		t.Fatal(err)
	}
	if svc[0].Status != status {
		t.Errorf("the service is %s, its audit trail ends in %s", svc[0].Status, status)
	}
	checkCounter(t, s)
}

// TestFailingBatchWritesNothing makes the database itself reject a batch
// after its coverages were written: an audit entry planted on the Seq the
// batch's fifth entry takes breaks the change_seq constraint. The whole
// transaction rolls back (no coverage, no entry, counter unmoved), the
// error is internal (no code a user could act on), and once the obstacle is
// gone the same batch applies whole.
func TestFailingBatchWritesNothing(t *testing.T) {
	s := neo4jtest.Load(t, storetest.WriteFixture())
	ctx := context.Background()
	svc := pcnet.SharedService{ID: "svc-097-atomic", Name: "Atomic", ProviderCode: lecco, AreaCode: "sua", Status: pcnet.StatusPilot, StartDate: pcnet.MustDate("2024-01-01")}
	if _, err := s.CreateService(ctx, svc); err != nil {
		t.Fatal(err) // seq 1
	}
	cypher(t, `CREATE (:Change {seq: 6, at: datetime(), actor: '', entity: 'service', entityId: 'planted', action: 'create', summary: 'planted'})`, nil)

	var codes []string
	for i := range 10 {
		codes = append(codes, leccoComune(i))
	}
	add := pcnet.CoverageAddition{ServiceID: svc.ID, ComuneCodes: codes, Since: pcnet.MustDate("2024-02-01"), Phase: pcnet.PhasePilot}
	_, err := s.AddCoverage(ctx, add)
	if err == nil {
		t.Fatal("a batch whose audit entries break a constraint was written")
	}
	if code := pcnet.ErrorCode(err); code != pcnet.EINTERNAL {
		t.Errorf("error code %q, want an internal error: %v", code, err)
	}
	coverages := func() []pcnet.Coverage {
		t.Helper()
		pages, err := s.Coverages(ctx, []pcnet.CoverageQuery{{Filter: pcnet.CoverageFilter{ServiceIDs: []string{svc.ID}}}})
		if err != nil {
			t.Fatal(err)
		}
		return pages[0].Coverages
	}
	if got := coverages(); len(got) != 0 {
		t.Errorf("the failed batch left %d coverages: %+v", len(got), got)
	}
	seqs := func() []int64 {
		t.Helper()
		all, err := s.Changes(ctx, pcnet.ChangeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, c := range all {
			out = append(out, c.Seq)
		}
		return out
	}
	if got := seqs(); !slices.Equal(got, []int64{1, 6}) {
		t.Errorf("audit seqs after the failed batch: %v, want [1 6]", got)
	}
	if recs := cypher(t, `MATCH (k:AuditCounter) RETURN k.seq, k._LOCK_`, nil); len(recs) != 1 || recs[0].Values[0] != int64(1) || recs[0].Values[1] != nil {
		t.Errorf("audit counter after the failed batch: %v, want seq 1 and no lock", recs[0].Values)
	}

	cypher(t, `MATCH (c:Change {entityId: 'planted'}) DELETE c`, nil)
	res, err := s.AddCoverage(ctx, add)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changed) != 10 || len(coverages()) != 10 {
		t.Errorf("the retried batch: %d changed, %d stored, want 10", len(res.Changed), len(coverages()))
	}
	if got, want := seqs(), []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}; !slices.Equal(got, want) {
		t.Errorf("audit seqs: %v, want %v", got, want)
	}
	checkCounter(t, s)
}

// TestImportsConformance: an import records one audit entry in its
// transaction, so the Seq a response cache trusts moves with it
// (storetest.RunImports, with --prune: the embedded store's import
// replaces the whole network).
func TestImportsConformance(t *testing.T) {
	storetest.RunImports(t, func(t *testing.T, ds pcnet.Dataset) storetest.WriteStore {
		return neo4jtest.Load(t, ds)
	}, func(ctx context.Context, s storetest.WriteStore, ds pcnet.Dataset) error {
		_, err := s.(*neo4j.Store).ImportWith(ctx, ds, neo4j.ImportOptions{Prune: true})
		checkCounter(t, s.(*neo4j.Store))
		return err
	})
}

// TestImportKeepsTheAuditTrail: an import touches none of the recorded
// entries, also when it prunes the entities they describe, and appends
// its own (pcnet.ImportChange); writes after it go on numbering from the
// counter.
func TestImportKeepsTheAuditTrail(t *testing.T) {
	fx := storetest.WriteFixture()
	s := neo4jtest.Load(t, fx)
	ctx := pcnet.WithActor(context.Background(), pcnet.Actor{Subject: "maria@provincia.lc.it", Role: pcnet.RolePlanner})
	if _, err := s.CreateService(ctx, pcnet.SharedService{ID: "svc-097-import", Name: "Import", ProviderCode: lecco, AreaCode: "sua", StartDate: pcnet.MustDate("2024-01-01")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: "svc-097-import", ComuneCodes: []string{"097001", "097002"}, Since: pcnet.MustDate("2024-02-01"), Phase: pcnet.PhasePilot}); err != nil {
		t.Fatal(err)
	}
	before, err := s.Changes(ctx, pcnet.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 3 {
		t.Fatalf("%d entries after three changes", len(before))
	}
	for _, prune := range []bool{false, true} {
		sum, err := s.ImportWith(ctx, fx, neo4j.ImportOptions{Prune: prune})
		if err != nil {
			t.Fatal(err)
		}
		if got := sum.Entity("services"); got.Missing != 1 || (prune && got.Deleted != 1) {
			t.Errorf("prune=%v: services %+v: the written service should be missing (and deleted when pruning)", prune, got)
		}
		after, err := s.Changes(ctx, pcnet.ChangeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(before) + 1; len(after) != n || !slices.Equal(after[:n-1], before) {
			t.Fatalf("prune=%v: the import changed the audit trail, or didn't add its entry:\n before %+v\n after  %+v", prune, before, after)
		}
		if got := after[len(after)-1]; got.Entity != pcnet.EntityImport || got.Action != pcnet.ActionImport || got.Seq != before[len(before)-1].Seq+1 {
			t.Errorf("prune=%v: the import's entry is %+v", prune, got)
		}
		before = after
		checkCounter(t, s)
	}
	if _, err := s.CreateService(ctx, pcnet.SharedService{ID: "svc-097-import", Name: "Import", ProviderCode: lecco, AreaCode: "sua", StartDate: pcnet.MustDate("2024-01-01")}); err != nil {
		t.Fatalf("re-creating the pruned service: %v", err)
	}
	after, err := s.Changes(ctx, pcnet.ChangeFilter{AfterSeq: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 1 || after[0].Seq != 6 {
		t.Errorf("entries after the two imports: %+v, want one with seq 6", after)
	}
	checkCounter(t, s)
}

// BenchmarkAddCoverage10 measures a write of ten Comuni to a service on
// the shipped dataset. Created: one transaction that locks, reads the
// facts, plans, writes ten coverages and ten audit entries, and commits;
// each operation writes to a service of its own (created outside the
// timer), so it always creates ten coverages. Unchanged: the same ten
// again, which plans no change and rolls back.
//
//	NEO4J_TEST_URI=... NEO4J_TEST_PASSWORD=... go test -run '^$' -bench AddCoverage10 ./internal/neo4j/
func BenchmarkAddCoverage10(b *testing.B) {
	ds := shippedDataset(b)
	s := neo4jtest.Load(b, ds)
	ctx := pcnet.WithActor(context.Background(), pcnet.Actor{Subject: "bench", Role: pcnet.RolePlanner})
	// The Comuni of the Province with the most, ten at a time.
	byProvince := make(map[string][]string)
	provider := ""
	for _, c := range ds.Comuni {
		byProvince[c.ProvinceCode] = append(byProvince[c.ProvinceCode], c.Code)
		if len(byProvince[c.ProvinceCode]) > len(byProvince[provider]) {
			provider = c.ProvinceCode
		}
	}
	comuni := byProvince[provider]
	area := ds.Sectors[0].Areas[0].Code
	services := 0
	// addition returns the addition of ten Comuni to a new service.
	addition := func(b *testing.B) pcnet.CoverageAddition {
		b.Helper()
		id := fmt.Sprintf("svc-bench-%d", services)
		if _, err := s.CreateService(ctx, pcnet.SharedService{ID: id, Name: id, ProviderCode: provider, AreaCode: area, Status: pcnet.StatusPilot, StartDate: pcnet.MustDate("2024-01-01")}); err != nil {
			b.Fatal(err)
		}
		codes := make([]string, 10)
		for j := range codes {
			codes[j] = comuni[(services*10+j)%len(comuni)]
		}
		services++
		return pcnet.CoverageAddition{ServiceID: id, ComuneCodes: codes, Since: pcnet.MustDate("2024-03-01"), Phase: pcnet.PhasePilot}
	}
	run := func(b *testing.B, add pcnet.CoverageAddition, changed int) {
		b.Helper()
		res, err := s.AddCoverage(ctx, add)
		if err != nil || len(res.Changed) != changed || len(res.Changed)+len(res.Unchanged) != 10 {
			b.Fatalf("%d changed, %d unchanged, %v", len(res.Changed), len(res.Unchanged), err)
		}
	}
	b.Run("Created", func(b *testing.B) {
		var queries int64
		for range b.N {
			b.StopTimer()
			add := addition(b)
			q := s.QueryCount()
			b.StartTimer()
			run(b, add, 10)
			queries += s.QueryCount() - q
		}
		b.ReportMetric(float64(queries)/float64(b.N), "queries/op")
	})
	b.Run("Unchanged", func(b *testing.B) {
		add := addition(b)
		run(b, add, 10)
		q := s.QueryCount()
		b.ResetTimer()
		for range b.N {
			run(b, add, 0)
		}
		b.ReportMetric(float64(s.QueryCount()-q)/float64(b.N), "queries/op")
	})
}

// TestWriteReadsAfterTheLock checks the heart of the locking: a write
// reads its facts only once it holds the audit counter's lock, so it sees
// what the writer holding the lock before it committed. Another client
// takes the lock and covers a Comune in a transaction it keeps open; an
// AddCoverage of the same Comune started meanwhile must wait, and once the
// other transaction commits, see the Comune covered (unchanged), not
// cover it a second time.
func TestWriteReadsAfterTheLock(t *testing.T) {
	s := neo4jtest.Load(t, storetest.WriteFixture())
	cfg := neo4jtest.Config(t)
	ctx := context.Background()
	// A first write creates the counter: the lock is then the counter's
	// write lock (creating it would lock its index entry instead).
	if _, err := s.AssignTutor(ctx, pcnet.Tutorship{TutorCode: "097", TutoredCode: "013", SectorCode: "europe", Since: pcnet.MustDate("2024-01-01")}); err != nil {
		t.Fatal(err)
	}
	driver, err := neo4jdrv.NewDriverWithContext(cfg.URI, neo4jdrv.BasicAuth(cfg.Username, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(ctx)
	sess := driver.NewSession(ctx, neo4jdrv.SessionConfig{DatabaseName: cfg.Database})
	defer sess.Close(ctx)
	tx, err := sess.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close(ctx)
	for _, q := range []string{
		`MERGE (k:AuditCounter {name: 'changes'}) SET k._LOCK_ = true`,
		`MATCH (s:SharedService {id: $id}), (c:Comune {code: '097001'})
		 CREATE (s)-[:COVERS {since: date('2024-02-01'), phase: 'PILOT'}]->(c)`,
	} {
		if _, err := tx.Run(ctx, q, map[string]any{"id": leccoService}); err != nil {
			t.Fatal(err)
		}
	}

	type result struct {
		res pcnet.CoverageResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: leccoService, ComuneCodes: []string{"097001", "097002"}, Since: pcnet.MustDate("2024-03-01"), Phase: pcnet.PhaseRollout})
		done <- result{res, err}
	}()
	select {
	case r := <-done:
		t.Fatalf("AddCoverage didn't wait for the lock: %+v, %v", r.res, r.err)
	case <-time.After(500 * time.Millisecond):
	}
	if _, err := tx.Run(ctx, `MATCH (k:AuditCounter {name: 'changes'}) REMOVE k._LOCK_`, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(r.res.Changed) != 1 || r.res.Changed[0].ComuneCode != "097002" || !slices.Equal(r.res.Unchanged, []string{"097001"}) {
		t.Errorf("AddCoverage after the other write committed: changed %+v, unchanged %v; want 097002 changed, 097001 unchanged", r.res.Changed, r.res.Unchanged)
	}
	pages, err := s.Coverages(ctx, []pcnet.CoverageQuery{{Filter: pcnet.CoverageFilter{ServiceIDs: []string{leccoService}, ComuneCodes: []string{"097001"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pages[0].Coverages); n != 1 {
		t.Errorf("097001 has %d coverages, want 1", n)
	}
}

// TestWritesAndRetiredGeography: once an import retires a Province and a
// Comune (gone from the ISTAT list, still referred to), writes treat them
// as missing for anything new, but a coverage of the retired Comune can
// still end.
func TestWritesAndRetiredGeography(t *testing.T) {
	s := neo4jtest.Load(t, storetest.WriteFixture())
	ctx := context.Background()
	if _, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: leccoService, ComuneCodes: []string{"097001"}, Since: pcnet.MustDate("2024-02-01"), Phase: pcnet.PhasePilot}); err != nil {
		t.Fatal(err)
	}
	// Fixture is WriteFixture without Lecco: its Province, its Comuni and
	// its service. The service stays (no pruning), so Lecco and the
	// Comune it covers are retired.
	sum, err := s.Import(ctx, storetest.Fixture(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var retired []string
	for _, r := range sum.Retired {
		retired = append(retired, r.Label+" "+r.Code)
	}
	if want := []string{"Comune 097001", "Province 097"}; !slices.Equal(retired, want) {
		t.Fatalf("retired %v, want %v", retired, want)
	}

	tests := []struct {
		name        string
		write       func() error
		code, field string
	}{
		{"a service of a retired Province", func() error {
			_, err := s.CreateService(ctx, pcnet.SharedService{ID: "svc-097-new", Name: "Nuovo", ProviderCode: lecco, AreaCode: "sua", StartDate: pcnet.MustDate("2025-01-01")})
			return err
		}, pcnet.ENOTFOUND, "providerCode"},
		{"covering a retired Comune", func() error {
			_, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: leccoService, ComuneCodes: []string{"097001"}, Since: pcnet.MustDate("2025-01-01"), Phase: pcnet.PhaseRollout})
			return err
		}, pcnet.ENOTFOUND, "comuneCodes[0]"},
		{"a retired tutor", func() error {
			_, err := s.AssignTutor(ctx, pcnet.Tutorship{TutorCode: lecco, TutoredCode: "013", SectorCode: "europe", Since: pcnet.MustDate("2025-01-01")})
			return err
		}, pcnet.ENOTFOUND, "tutorCode"},
		{"a project work of a retired Province", func() error {
			_, err := s.SaveProjectWork(ctx, pcnet.ProjectWork{ID: "pw-097", ProvinceCode: lecco, AreaCode: "sua", Title: "Lecco", Maturity: pcnet.MaturityDeveloping, Step: 1, Year: 2025})
			return err
		}, pcnet.ENOTFOUND, "provinceCode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.write()
			if pcnet.ErrorCode(err) != tt.code || pcnet.ErrorField(err) != tt.field {
				t.Errorf("error %v, want code %s on %q", err, tt.code, tt.field)
			}
		})
	}
	res, err := s.EndCoverage(ctx, pcnet.CoverageEnding{ServiceID: leccoService, ComuneCodes: []string{"097001"}, Until: pcnet.MustDate("2025-01-01")})
	if err != nil {
		t.Fatalf("ending the coverage of a retired Comune: %v", err)
	}
	if len(res.Changed) != 1 || res.Changed[0].Until != pcnet.MustDate("2025-01-01") {
		t.Errorf("ended %+v", res.Changed)
	}
	checkCounter(t, s)
}

// TestLostAnswers runs storetest.RunLostAnswers on the real server through
// Config.AfterCommit: each write commits, its answer is lost, and its
// retry with the same key answers the original result.
func TestLostAnswers(t *testing.T) {
	storetest.RunLostAnswers(t, func(t *testing.T, ds pcnet.Dataset, afterCommit func(op string) error) storetest.WriteStore {
		neo4jtest.Load(t, ds)
		cfg := neo4jtest.Config(t)
		cfg.AfterCommit = afterCommit
		s, err := neo4j.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close(context.Background()) })
		return s
	})
}
