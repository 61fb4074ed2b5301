package memory

import (
	"testing"

	"pcnet/internal/dataset"
	"pcnet/internal/pcnet"
)

// BenchmarkApplyParts measures the parts of applying a one-coverage write
// to the shipped dataset, without the rules and the disk.
func BenchmarkApplyParts(b *testing.B) {
	ds, _, err := dataset.Dataset()
	if err != nil {
		b.Fatal(err)
	}
	d := index(ds)
	m := mutation{coverages: []pcnet.Coverage{{ServiceID: d.services[0].ID, ComuneCode: "001001", Since: pcnet.MustDate("2030-01-01"), Phase: pcnet.PhasePilot}}, changes: []pcnet.Change{{Seq: 1}}}
	b.Run("apply", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d.apply(m, false)
		}
	})
	b.Run("upsert", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			upsert(d.coverages, m.coverages, compareCoverages)
		}
	})
	b.Run("indexCoverages", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			next := *d
			var comune []int32
			next.coverages, comune = upsertWith(d.coverages, d.coverageComune, m.coverages, compareCoverages, func(c pcnet.Coverage) int32 { return d.comuneIndex[c.ComuneCode] })
			next.indexCoverages(comune)
		}
	})
	b.Run("indexServices", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			next := *d
			next.services = upsert(d.services, nil, nil)
			next.indexServices()
		}
	})
	b.Run("analyticsNetwork", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			a := *d.analytics
			d.indexAnalyticsNetwork(&a)
		}
	})
}
