package memory_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"pcnet/internal/dataset"
	"pcnet/internal/memory"
	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

func open(t *testing.T, ds pcnet.Dataset) pcnet.Store {
	t.Helper()
	s, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

func TestShippedSynthetic(t *testing.T) {
	ds := storetest.Synthetic()
	storetest.RunShipped(t, open(t, ds), ds)
}

// TestShippedDataset checks the store on the data the binary ships.
func TestShippedDataset(t *testing.T) {
	ds, _, err := dataset.Dataset()
	if err != nil {
		t.Fatalf("loading the shipped dataset: %v", err)
	}
	storetest.RunShipped(t, open(t, ds), ds)
}

func TestNewRejectsInvalidDataset(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(ds *pcnet.Dataset)
		want   []string // fragments of the error message, naming the items
	}{
		{"unknown province of a comune", func(ds *pcnet.Dataset) { ds.Comuni[0].ProvinceCode = "999" },
			[]string{`comune 013041: unknown province "999"`}},
		{"duplicate comune", func(ds *pcnet.Dataset) { ds.Comuni[1].Code = ds.Comuni[0].Code },
			[]string{"comune 013041: duplicate code"}},
		{"coverage of a comune outside the provider", func(ds *pcnet.Dataset) { ds.Coverages[0].ComuneCode = "013041" },
			[]string{"coverage svc-064-sua→013041"}},
		{"two problems, both named", func(ds *pcnet.Dataset) {
			ds.Services[0].AreaCode = "nowhere"
			ds.ProjectWorks[0].Step = 7
		}, []string{`service svc-215-sua: unknown area "nowhere"`, "project work pw-215-sua: step 7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := storetest.Fixture()
			tt.break_(&ds)
			s, err := memory.New(ds)
			if err == nil {
				t.Fatalf("New accepted an invalid dataset (store %v)", s)
			}
			if s != nil {
				t.Errorf("New returned a store with its error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if code := pcnet.ErrorCode(err); code != pcnet.EINVALID {
				t.Errorf("error code %q, want %q", code, pcnet.EINVALID)
			}
		})
	}
}

// TestNewCopiesDataset changes the dataset after New: the store must not
// see it.
func TestNewCopiesDataset(t *testing.T) {
	ds := storetest.Fixture()
	s := open(t, ds)
	ctx := context.Background()
	before, err := s.Comuni(ctx, []pcnet.ComuneQuery{{Filter: pcnet.ComuneFilter{Codes: []string{"021008"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range ds.Comuni {
		ds.Comuni[i].Name = "changed"
		if ds.Comuni[i].Latitude != nil {
			*ds.Comuni[i].Latitude = -1
		}
	}
	ds.Sectors[0].Areas[0].Name = "changed"
	ds.Coverages[0].ServiceID = "changed"
	ds.Regions[0].Name = "changed"

	after, err := s.Comuni(ctx, []pcnet.ComuneQuery{{Filter: pcnet.ComuneFilter{Codes: []string{"021008"}}}})
	if err != nil {
		t.Fatal(err)
	}
	b, a := before[0].Comuni[0], after[0].Comuni[0]
	if a.Name != "Bolzano/Bozen" || *a.Latitude != *b.Latitude || *a.Latitude != 46.4983 {
		t.Errorf("store changed with its dataset: %+v (lat %v)", a, *a.Latitude)
	}
	sectors, _ := s.Sectors(ctx)
	for _, sec := range sectors {
		for _, ar := range sec.Areas {
			if ar.Name == "changed" {
				t.Errorf("area %s changed with the dataset", ar.Code)
			}
		}
	}
	regions, _ := s.Regions(ctx, nil)
	if regions[0].Name != "Lombardia" {
		t.Errorf("region changed with the dataset: %+v", regions[0])
	}
	pages, _ := s.Coverages(ctx, []pcnet.CoverageQuery{{Filter: pcnet.CoverageFilter{ServiceIDs: []string{"changed"}}}})
	if pages[0].Total != 0 {
		t.Errorf("coverage changed with the dataset")
	}
}

// TestReturnedCoordinatesAreCopies checks that two answers don't share
// coordinates: changing one leaves the other alone.
func TestReturnedCoordinatesAreCopies(t *testing.T) {
	s := open(t, storetest.Fixture())
	q := []pcnet.ComuneQuery{{}, {}}
	pages, err := s.Comuni(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	first, second := pages[0].Comuni, pages[1].Comuni
	for i := range first {
		if first[i].Latitude == nil {
			continue
		}
		if first[i].Latitude == second[i].Latitude || first[i].Longitude == second[i].Longitude {
			t.Fatalf("%s: both answers point at the same coordinates", first[i].Code)
		}
		*first[i].Latitude = 0
		if *second[i].Latitude == 0 {
			t.Fatalf("%s: changing one answer changed the other", first[i].Code)
		}
	}
}

// TestConcurrentReads runs queries from several goroutines; run it with
// -race.
func TestConcurrentReads(t *testing.T) {
	s := open(t, storetest.Synthetic())
	ctx := context.Background()
	want, err := s.Comuni(ctx, []pcnet.ComuneQuery{{Order: pcnet.ComuneByName, Page: pcnet.Page{Limit: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 20 {
				got, err := s.Comuni(ctx, []pcnet.ComuneQuery{
					{Order: pcnet.ComuneByName, Page: pcnet.Page{Limit: 100}},
					{Filter: pcnet.ComuneFilter{NameContains: "san", Coverage: &pcnet.CoverageCondition{SectorCode: "personnel", AsOf: pcnet.MustDate("2023-01-01")}}},
				})
				if err != nil {
					t.Error(err)
					return
				}
				if got[0].Total != want[0].Total || got[0].Comuni[g].Code != want[0].Comuni[g].Code {
					t.Errorf("goroutine %d: answers differ", g)
					return
				}
				if _, err := s.Coverages(ctx, []pcnet.CoverageQuery{{Filter: pcnet.CoverageFilter{ActiveOn: pcnet.MustDate("2023-01-01")}}}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

// benchStore is the store the benchmarks share, on the shipped dataset.
var benchStore = sync.OnceValues(func() (*memory.Store, error) {
	ds, _, err := dataset.Dataset()
	if err != nil {
		return nil, err
	}
	return memory.New(ds)
})

func runComuniBench(b *testing.B, q pcnet.ComuneQuery) {
	s, err := benchStore()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	queries := []pcnet.ComuneQuery{q}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Comuni(ctx, queries); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkComuniProvinceByName(b *testing.B) {
	runComuniBench(b, pcnet.ComuneQuery{
		Filter: pcnet.ComuneFilter{ProvinceCodes: []string{"201"}}, // Torino: 312 Comuni, the most
		Order:  pcnet.ComuneByName,
		Page:   pcnet.Page{Limit: pcnet.DefaultPageSize},
	})
}

func BenchmarkComuniAllByName(b *testing.B) {
	runComuniBench(b, pcnet.ComuneQuery{Order: pcnet.ComuneByName, Page: pcnet.Page{Limit: pcnet.DefaultPageSize}})
}

func BenchmarkComuniNameSearch(b *testing.B) {
	runComuniBench(b, pcnet.ComuneQuery{Filter: pcnet.ComuneFilter{NameContains: "sant'"}, Page: pcnet.Page{Limit: pcnet.DefaultPageSize}})
}

func BenchmarkComuniNotCoveredInSector(b *testing.B) {
	runComuniBench(b, pcnet.ComuneQuery{
		Filter: pcnet.ComuneFilter{Coverage: &pcnet.CoverageCondition{SectorCode: "personnel", AsOf: pcnet.MustDate("2025-01-01"), Covered: false}},
		Order:  pcnet.ComuneByPopulationDesc,
		Page:   pcnet.Page{Limit: pcnet.DefaultPageSize},
	})
}

func BenchmarkComuniCountAll(b *testing.B) {
	runComuniBench(b, pcnet.ComuneQuery{Page: pcnet.Page{CountOnly: true}})
}

// BenchmarkComuniBatchPerProvince is the GraphQL layer's batch for the
// Comuni of every Province at once.
func BenchmarkComuniBatchPerProvince(b *testing.B) {
	s, err := benchStore()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	provinces, _ := s.Provinces(ctx, pcnet.ProvinceFilter{})
	queries := make([]pcnet.ComuneQuery, len(provinces))
	for i, p := range provinces {
		queries[i] = pcnet.ComuneQuery{Filter: pcnet.ComuneFilter{ProvinceCodes: []string{p.Code}}, Order: pcnet.ComuneByName, Page: pcnet.Page{Limit: 10}}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Comuni(ctx, queries); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCoveragesOfOneService(b *testing.B) {
	s, err := benchStore()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// The service with the most coverages.
	services, _ := s.Services(ctx, pcnet.ServiceFilter{})
	busiest, most := "", -1
	for _, sv := range services {
		pages, _ := s.Coverages(ctx, []pcnet.CoverageQuery{{Filter: pcnet.CoverageFilter{ServiceIDs: []string{sv.ID}}, Page: pcnet.Page{CountOnly: true}}})
		if pages[0].Total > most {
			busiest, most = sv.ID, pages[0].Total
		}
	}
	queries := []pcnet.CoverageQuery{{Filter: pcnet.CoverageFilter{ServiceIDs: []string{busiest}}, Page: pcnet.Page{Limit: pcnet.DefaultPageSize}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Coverages(ctx, queries); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	ds, _, err := dataset.Dataset()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := memory.New(ds); err != nil {
			b.Fatal(err)
		}
	}
}
