package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"pcnet/internal/pcnet"
)

// The concurrency tests write from several goroutines at once, started
// together, and check that no write is lost or half applied and that the
// rules hold across writers. They run on one store, in order.

const concurrentWriters = 8

// runTogether runs f(0) ... f(n-1) in goroutines released at once.
func runTogether(n int, f func(g int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range n {
		wg.Go(func() {
			<-start
			f(g)
		})
	}
	close(start)
	wg.Wait()
}

// testConcurrentDifferentComuni: every writer adds its own Comuni to the
// same service, one write each; all of them land, with one audit entry
// each, and the audit trail stays gap-free.
func testConcurrentDifferentComuni(t *testing.T, s WriteStore) {
	const perWriter = leccoComuni / concurrentWriters
	seq := lastSeq(t, s)
	since := pcnet.MustDate("2024-02-01")
	runTogether(concurrentWriters, func(g int) {
		ctx := pcnet.WithActor(context.Background(), pcnet.Actor{Subject: fmt.Sprintf("writer%d", g), Role: pcnet.RolePlanner})
		for i := range perWriter {
			code := leccoComune(g*perWriter + i)
			res, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: leccoService, ComuneCodes: []string{code}, Since: since, Phase: pcnet.PhaseRollout})
			if err != nil {
				t.Errorf("writer %d adding %s: %v", g, code, err)
				return
			}
			if len(res.Changed) != 1 || res.Changed[0].ComuneCode != code || len(res.Unchanged) != 0 {
				t.Errorf("writer %d adding %s: %+v", g, code, res)
			}
		}
	})
	var want []pcnet.Coverage
	for i := range leccoComuni {
		want = append(want, pcnet.Coverage{ServiceID: leccoService, ComuneCode: leccoComune(i), Since: since, Phase: pcnet.PhaseRollout})
	}
	checkCoverages(t, s, leccoService, want)

	changes, err := s.Changes(context.Background(), pcnet.ChangeFilter{AfterSeq: seq})
	must(t, err)
	if len(changes) != leccoComuni {
		t.Fatalf("%d audit entries for %d writes", len(changes), leccoComuni)
	}
	ids := make(map[string]bool)
	for i, c := range changes {
		if c.Seq != seq+int64(i)+1 {
			t.Errorf("entry %d has seq %d, want %d: the trail has a gap or a repeat", i, c.Seq, seq+int64(i)+1)
		}
		ids[c.EntityID] = true
		if c.Entity != pcnet.EntityCoverage || c.Action != pcnet.ActionAdd || !strings.HasPrefix(c.Actor, "writer") {
			t.Errorf("entry %+v", c)
		}
	}
	if len(ids) != leccoComuni {
		t.Errorf("%d distinct coverages in the audit trail, want %d", len(ids), leccoComuni)
	}
}

// testConcurrentOverlappingBatches: writers add overlapping batches to
// the same service; each Comune is covered once, by exactly one of them,
// and the others see it unchanged.
func testConcurrentOverlappingBatches(t *testing.T, s WriteStore) {
	const batch = 3
	for round := range 3 {
		id := fmt.Sprintf("svc-097-overlap-%d", round)
		_, err := s.CreateService(asPlanner(), pcnet.SharedService{ID: id, Name: id, ProviderCode: leccoCode, AreaCode: "sua", Status: pcnet.StatusPilot, StartDate: pcnet.MustDate("2024-01-01")})
		must(t, err)
		seq := lastSeq(t, s)
		results := make([]pcnet.CoverageResult, concurrentWriters)
		runTogether(concurrentWriters, func(g int) {
			var codes []string
			for i := range batch {
				codes = append(codes, leccoComune((g+i)%concurrentWriters))
			}
			res, err := s.AddCoverage(asPlanner(), pcnet.CoverageAddition{ServiceID: id, ComuneCodes: codes, Since: pcnet.MustDate("2024-03-01"), Phase: pcnet.PhasePilot})
			if err != nil {
				t.Errorf("writer %d: %v", g, err)
			}
			var got []string
			for _, c := range res.Changed {
				got = append(got, c.ComuneCode)
			}
			got = append(got, res.Unchanged...)
			slices.Sort(got)
			slices.Sort(codes)
			if !slices.Equal(got, codes) {
				t.Errorf("writer %d: changed and unchanged %v, want its batch %v", g, got, codes)
			}
			results[g] = res
		})
		createdBy := make(map[string]int)
		for _, res := range results {
			for _, c := range res.Changed {
				createdBy[c.ComuneCode]++
			}
		}
		var want []pcnet.Coverage
		for i := range concurrentWriters {
			code := leccoComune(i)
			if createdBy[code] != 1 {
				t.Errorf("round %d: %s reported created by %d writers, want 1", round, code, createdBy[code])
			}
			want = append(want, pcnet.Coverage{ServiceID: id, ComuneCode: code, Since: pcnet.MustDate("2024-03-01"), Phase: pcnet.PhasePilot})
		}
		checkCoverages(t, s, id, want)
		changes, err := s.Changes(context.Background(), pcnet.ChangeFilter{AfterSeq: seq})
		must(t, err)
		if len(changes) != concurrentWriters {
			t.Errorf("round %d: %d audit entries, want %d", round, len(changes), concurrentWriters)
		}
	}
}

// testConcurrentStatusUpdates: writers push one service to random
// statuses at once. Each update either succeeds or fails with ECONFLICT on
// "status"; the audit trail then spells a chain of allowed transitions
// that ends in the service's status: no writer decided on a stale status.
func testConcurrentStatusUpdates(t *testing.T, s WriteStore) {
	const id = "svc-097-status"
	_, err := s.CreateService(asPlanner(), pcnet.SharedService{ID: id, Name: "Stati", ProviderCode: leccoCode, AreaCode: "recruitment", Status: pcnet.StatusPilot, StartDate: pcnet.MustDate("2024-01-01")})
	must(t, err)
	seq := lastSeq(t, s)
	targets := []pcnet.ServiceStatus{pcnet.StatusActive, pcnet.StatusSuspended, pcnet.StatusPilot, pcnet.StatusPlanned}
	runTogether(concurrentWriters, func(g int) {
		rng := rand.New(rand.NewPCG(uint64(g), 2026))
		for range 12 {
			target := targets[rng.IntN(len(targets))]
			got, err := s.UpdateService(asPlanner(), id, pcnet.ServiceUpdate{Status: &target})
			switch {
			case err == nil && got.Status != target:
				t.Errorf("writer %d: update to %s returned %s", g, target, got.Status)
			case err != nil && (pcnet.ErrorCode(err) != pcnet.ECONFLICT || pcnet.ErrorField(err) != "status"):
				t.Errorf("writer %d: update to %s: %v", g, target, err)
			}
		}
	})
	changes, err := s.Changes(context.Background(), pcnet.ChangeFilter{AfterSeq: seq})
	must(t, err)
	status := pcnet.StatusPilot
	for _, c := range changes {
		from, to, ok := strings.Cut(strings.TrimPrefix(c.Summary, "status "), " → ")
		if c.EntityID != id || !ok {
			t.Fatalf("unexpected audit entry %+v", c)
		}
		if pcnet.ServiceStatus(from) != status {
			t.Errorf("seq %d: %q, but the service was %s: a writer decided on a stale status", c.Seq, c.Summary, status)
		}
		if !lifeCycle[[2]pcnet.ServiceStatus{pcnet.ServiceStatus(from), pcnet.ServiceStatus(to)}] {
			t.Errorf("seq %d: %q is not an allowed transition", c.Seq, c.Summary)
		}
		status = pcnet.ServiceStatus(to)
	}
	if len(changes) == 0 {
		t.Errorf("no status changed in %d attempts", concurrentWriters*12)
	}
	if got := readService(t, s, id).Status; got != status {
		t.Errorf("the service is %s, but its audit trail ends in %s", got, status)
	}
}

// testConcurrentReadersSeeWholeBatches: while a writer adds batches of
// four Comuni, readers never see part of a batch.
func testConcurrentReadersSeeWholeBatches(t *testing.T, s WriteStore) {
	const id, batch = "svc-097-whole", 4
	_, err := s.CreateService(asPlanner(), pcnet.SharedService{ID: id, Name: id, ProviderCode: leccoCode, AreaCode: "sua", Status: pcnet.StatusPilot, StartDate: pcnet.MustDate("2024-01-01")})
	must(t, err)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for r := range 3 {
		wg.Go(func() {
			for {
				pages, err := s.Coverages(context.Background(), []pcnet.CoverageQuery{{Filter: pcnet.CoverageFilter{ServiceIDs: []string{id}}, Page: pcnet.Page{CountOnly: true}}})
				if err != nil {
					t.Errorf("reader %d: %v", r, err)
					return
				}
				if n := pages[0].Total; n%batch != 0 {
					t.Errorf("reader %d saw %d coverages: part of a batch of %d", r, n, batch)
					return
				}
				select {
				case <-done:
					return
				default:
				}
			}
		})
	}
	for b := range leccoComuni / batch {
		var codes []string
		for i := range batch {
			codes = append(codes, leccoComune(b*batch+i))
		}
		if _, err := s.AddCoverage(asPlanner(), pcnet.CoverageAddition{ServiceID: id, ComuneCodes: codes, Since: pcnet.MustDate("2024-04-01"), Phase: pcnet.PhaseRollout}); err != nil {
			t.Errorf("batch %d: %v", b, err)
		}
	}
	close(done)
	wg.Wait()
	if got := coveragesOf(t, s, id); len(got) != leccoComuni {
		t.Errorf("%d coverages, want %d", len(got), leccoComuni)
	}
}
