package memory

import (
	"testing"

	"pcnet/internal/dataset"
	"pcnet/internal/pcnet"
)

// BenchmarkApplyParts measures applying a one-coverage and a one-service
// write to the shipped dataset, without the rules and the disk.
func BenchmarkApplyParts(b *testing.B) {
	ds, _, err := dataset.Dataset()
	if err != nil {
		b.Fatal(err)
	}
	d := index(ds)
	// Each apply appends to the coverage log at d's length, so the runs
	// overwrite one another's slot: fine for timing, d never reads it.
	coverage := mutation{coverages: []pcnet.Coverage{{ServiceID: d.services[0].ID, ComuneCode: "001001", Since: pcnet.MustDate("2030-01-01"), Phase: pcnet.PhasePilot}}, changes: []pcnet.Change{{Seq: 1}}}
	service := mutation{services: []pcnet.SharedService{{ID: "svc-zzz-bench", ProviderCode: "001", AreaCode: d.services[0].AreaCode}}, changes: []pcnet.Change{{Seq: 1}}}
	for name, m := range map[string]mutation{"coverage": coverage, "service": service} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d.apply(m, false)
			}
		})
	}
}
