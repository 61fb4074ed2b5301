package memory_test

import (
	"testing"

	"pcnet/internal/dataset"
	"pcnet/internal/memory"
	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

// A batch of per-item analytics answers as its queries do alone (batches
// of one), on the analytics
// fixture (cycles, dated tutorships, Comuni without coordinates) and on
// the shipped dataset.
func TestBatchAnalytics(t *testing.T) {
	shipped, _, err := dataset.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	for name, ds := range map[string]pcnet.Dataset{"fixture": storetest.AnalyticsFixture(), "shipped": shipped} {
		t.Run(name, func(t *testing.T) {
			s, err := memory.New(ds)
			if err != nil {
				t.Fatal(err)
			}
			storetest.RunBatchAnalytics(t, s, ds)
		})
	}
}
