package memory

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"pcnet/internal/dataset"
	"pcnet/internal/pcnet"
)

// BenchmarkWriteScale measures createService and addCoverage on the
// shipped dataset and on one grown to about 100k coverages (closed yearly
// coverage history of one extra service per Province). A write must cost
// O(change), so the p50s of the two sizes stay within 1.5x (issue 11).
// Each iteration creates a service and adds it one Comune; the p50 of each
// call is reported as createService-p50-ns and addCoverage-p50-ns.
func BenchmarkWriteScale(b *testing.B) {
	shipped, _, err := dataset.Dataset()
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []struct {
		name  string
		years int // of coverage history added per Comune
	}{{"shipped", 0}, {"100k", 12}} {
		ds := growCoverages(shipped, size.years)
		b.Run(fmt.Sprintf("%s/coverages=%d", size.name, len(ds.Coverages)), func(b *testing.B) {
			s, err := New(ds)
			if err != nil {
				b.Fatal(err)
			}
			benchWrites(b, s, ds)
		})
	}
}

func benchWrites(b *testing.B, s *Store, ds pcnet.Dataset) {
	ctx := context.Background()
	since := pcnet.MustDate("2030-01-01")
	sector, area := ds.Sectors[0].Code, ds.Sectors[0].Areas[0].Code
	// Only a Province taking part in the sector may provide (the participation rule).
	taking := make(map[string]bool)
	for _, p := range ds.Participations {
		if p.SectorCode == sector && p.Period().ActiveOn(since) {
			taking[p.ProvinceCode] = true
		}
	}
	var comuni []pcnet.Comune
	for _, c := range ds.Comuni {
		if taking[c.ProvinceCode] {
			comuni = append(comuni, c)
		}
	}
	if len(comuni) == 0 {
		b.Fatalf("no Province takes part in %s on %s", sector, since)
	}
	var create, add []time.Duration
	i := 0
	for b.Loop() {
		c := comuni[i%len(comuni)]
		id := fmt.Sprintf("svc-bench-%d", i)
		i++
		t0 := time.Now()
		_, err := s.CreateService(ctx, pcnet.SharedService{ID: id, Name: "Bench", ProviderCode: c.ProvinceCode, AreaCode: area, Status: pcnet.StatusPilot, StartDate: since})
		t1 := time.Now()
		if err != nil {
			b.Fatal(err)
		}
		_, err = s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: id, ComuneCodes: []string{c.Code}, Since: since, Phase: pcnet.PhasePilot})
		t2 := time.Now()
		if err != nil {
			b.Fatal(err)
		}
		create, add = append(create, t1.Sub(t0)), append(add, t2.Sub(t1))
	}
	b.ReportMetric(p50(create), "createService-p50-ns")
	b.ReportMetric(p50(add), "addCoverage-p50-ns")
}

func p50(ds []time.Duration) float64 {
	slices.Sort(ds)
	return float64(ds[len(ds)/2].Nanoseconds())
}

// growCoverages returns ds with, per Province, one service started in
// 2000 covering each of its Comuni for years closed one-year periods.
func growCoverages(ds pcnet.Dataset, years int) pcnet.Dataset {
	if years == 0 {
		return ds
	}
	ds.Services = slices.Clone(ds.Services)
	ds.Coverages = slices.Clone(ds.Coverages)
	start := pcnet.MustDate("2000-01-01")
	for _, p := range ds.Provinces {
		ds.Services = append(ds.Services, pcnet.SharedService{ID: "svc-history-" + p.Code, Name: "History", ProviderCode: p.Code,
			AreaCode: ds.Sectors[0].Areas[0].Code, Status: pcnet.StatusPilot, StartDate: start})
	}
	for _, c := range ds.Comuni {
		for y := range years {
			ds.Coverages = append(ds.Coverages, pcnet.Coverage{ServiceID: "svc-history-" + c.ProvinceCode, ComuneCode: c.Code,
				Since: pcnet.MustDate(fmt.Sprintf("%d-01-01", 2000+y)), Until: pcnet.MustDate(fmt.Sprintf("%d-01-01", 2001+y)), Phase: pcnet.PhasePilot})
		}
	}
	return ds
}
