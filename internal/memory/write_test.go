package memory_test

import (
	"context"
	"sync"
	"testing"

	"pcnet/internal/dataset"
	"pcnet/internal/memory"
	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

func TestWritesConformance(t *testing.T) {
	storetest.RunWrites(t, func(t *testing.T, ds pcnet.Dataset) storetest.WriteStore {
		t.Helper()
		s, err := memory.New(ds)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestWritesKeepAnalyticsCurrent checks that the analytics indexes, which
// a write rebuilds, follow the write.
func TestWritesKeepAnalyticsCurrent(t *testing.T) {
	s, err := memory.New(storetest.WriteFixture())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	asOf := pcnet.MustDate("2025-01-01")
	reach := func() pcnet.ComuneSummary {
		t.Helper()
		rows, err := s.Reach(ctx, []pcnet.ReachQuery{{AsOf: asOf, GroupBy: pcnet.ReachTotal, Services: pcnet.ServiceFilter{IDs: []string{"svc-097-training"}}}})
		if err != nil {
			t.Fatal(err)
		}
		return rows[0][0].Covered
	}
	if got := reach(); got.Comuni != 0 {
		t.Fatalf("reach before any write: %+v", got)
	}
	_, err = s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: "svc-097-training", ComuneCodes: []string{"097001", "097002"}, Since: pcnet.MustDate("2024-06-01"), Phase: pcnet.PhasePilot})
	if err != nil {
		t.Fatal(err)
	}
	// WriteFixture's Lecco Comune i has 900+137*i inhabitants.
	if got, want := reach(), (pcnet.ComuneSummary{Comuni: 2, Inhabitants: 900 + 1037, SmallComuni: 2, SmallInhabitants: 900 + 1037}); got != want {
		t.Errorf("reach after adding two Comuni: %+v, want %+v", got, want)
	}

	_, err = s.AssignTutor(ctx, pcnet.Tutorship{TutorCode: "097", TutoredCode: "013", SectorCode: "europe", Since: pcnet.MustDate("2024-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	walks, err := s.TutorLinks(ctx, []pcnet.TutorLinkQuery{{Root: "097", Direction: pcnet.TutorDown, MaxDepth: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if links := walks[0]; len(links) != 1 || links[0].ProvinceCode != "013" {
		t.Errorf("Lecco's tutored Provinces after the write: %+v", walks)
	}
}

// TestReadersDuringWrites reads the shipped dataset from several
// goroutines while another writes; run with -race.
func TestReadersDuringWrites(t *testing.T) {
	ds, _, err := dataset.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	s, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Cuneo takes part in every sector from the programme's start (a
	// metropolitan city such as Torino would be refused: issue 13).
	sv, err := s.CreateService(ctx, pcnet.SharedService{ID: "svc-004-race", Name: "Race", ProviderCode: "004", AreaCode: "staff-training", StartDate: pcnet.MustDate("2022-06-01")})
	if err != nil {
		t.Fatal(err)
	}
	cuneo, err := s.Comuni(ctx, []pcnet.ComuneQuery{{Filter: pcnet.ComuneFilter{ProvinceCodes: []string{"004"}}}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := s.Reach(ctx, []pcnet.ReachQuery{{AsOf: pcnet.MustDate("2025-01-01"), GroupBy: pcnet.ReachByProvince}}); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Changes(ctx, pcnet.ChangeFilter{Entity: pcnet.EntityCoverage}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for b := range 10 {
		var codes []string
		for _, c := range cuneo[0].Comuni[b*10 : b*10+10] {
			codes = append(codes, c.Code)
		}
		if _, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: sv.ID, ComuneCodes: codes, Since: pcnet.MustDate("2023-01-01"), Phase: pcnet.PhaseRollout}); err != nil {
			t.Error(err)
		}
	}
	close(done)
	wg.Wait()
}

// coverageBench is a stream of 10-Comuni coverage writes on the shipped
// dataset: one new service per Province, each Province's Comuni in
// batches of ten. Write i adds batch i%n, from a date that grows with the
// round; in odd rounds it ends the batches instead, so every write
// changes ten coverages and the stream never runs dry.
// coverageBenchStart is after every Province's join day of the shipped data.
var coverageBenchStart = pcnet.MustDate("2025-01-01")

type coverageBench struct {
	batches []pcnet.CoverageAddition
}

func newCoverageBench(b *testing.B, s *memory.Store) *coverageBench {
	b.Helper()
	ctx := context.Background()
	provinces, err := s.Provinces(ctx, pcnet.ProvinceFilter{})
	if err != nil {
		b.Fatal(err)
	}
	// Only Provinces taking part in the sector on the start day may provide (the participation rule).
	taking, err := s.Participations(ctx, pcnet.ParticipationFilter{SectorCodes: []string{"personnel"}, ActiveOn: coverageBenchStart})
	if err != nil {
		b.Fatal(err)
	}
	provides := make(map[string]bool)
	for _, p := range taking {
		provides[p.ProvinceCode] = true
	}
	bench := &coverageBench{}
	for _, p := range provinces {
		if !provides[p.Code] {
			continue
		}
		id := "svc-" + p.Code + "-bench"
		if _, err := s.CreateService(ctx, pcnet.SharedService{ID: id, Name: "Bench", ProviderCode: p.Code, AreaCode: "staff-training", StartDate: coverageBenchStart}); err != nil {
			b.Fatal(err)
		}
		pages, err := s.Comuni(ctx, []pcnet.ComuneQuery{{Filter: pcnet.ComuneFilter{ProvinceCodes: []string{p.Code}}}})
		if err != nil {
			b.Fatal(err)
		}
		comuni := pages[0].Comuni
		for i := 0; i+10 <= len(comuni); i += 10 {
			a := pcnet.CoverageAddition{ServiceID: id, Phase: pcnet.PhaseRollout}
			for _, c := range comuni[i : i+10] {
				a.ComuneCodes = append(a.ComuneCodes, c.Code)
			}
			bench.batches = append(bench.batches, a)
		}
	}
	return bench
}

func (cb *coverageBench) write(ctx context.Context, s *memory.Store, i int) (pcnet.CoverageResult, error) {
	a := cb.batches[i%len(cb.batches)]
	round := i / len(cb.batches)
	day := pcnet.DateOf(coverageBenchStart.Time().AddDate(0, 0, 1+round))
	if round%2 == 1 {
		return s.EndCoverage(ctx, pcnet.CoverageEnding{ServiceID: a.ServiceID, ComuneCodes: a.ComuneCodes, Until: day})
	}
	a.Since = day
	return s.AddCoverage(ctx, a)
}

func runCoverageBench(b *testing.B, s *memory.Store) {
	cb := newCoverageBench(b, s)
	ctx := pcnet.WithActor(context.Background(), pcnet.Actor{Subject: "bench", Role: pcnet.RolePlanner})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		res, err := cb.write(ctx, s, i)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Changed) != 10 {
			b.Fatalf("write %d changed %d coverages", i, len(res.Changed))
		}
		i++
	}
}

func BenchmarkCoverageWrite10(b *testing.B) {
	ds, _, err := dataset.Dataset()
	if err != nil {
		b.Fatal(err)
	}
	s, err := memory.New(ds)
	if err != nil {
		b.Fatal(err)
	}
	runCoverageBench(b, s)
}

func BenchmarkCoverageWrite10Durable(b *testing.B) {
	ds, _, err := dataset.Dataset()
	if err != nil {
		b.Fatal(err)
	}
	s, err := memory.Open(b.TempDir(), ds)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	runCoverageBench(b, s)
}

// TestImportsConformance: an import records one audit entry, so the Seq a
// response cache trusts moves with it (storetest.RunImports).
func TestImportsConformance(t *testing.T) {
	storetest.RunImports(t, func(t *testing.T, ds pcnet.Dataset) storetest.WriteStore {
		s, err := memory.New(ds)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, importMemory)
}

func importMemory(ctx context.Context, s storetest.WriteStore, ds pcnet.Dataset) error {
	return s.(interface {
		Import(context.Context, pcnet.Dataset) error
	}).Import(ctx, ds)
}
