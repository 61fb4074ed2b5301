package memory_test

import (
	"testing"

	"pcnet/internal/dataset"
	"pcnet/internal/memory"
	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

func openAnalytics(t *testing.T, ds pcnet.Dataset) interface {
	pcnet.Store
	pcnet.Analytics
} {
	t.Helper()
	s, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAnalyticsConformance(t *testing.T) { storetest.RunAnalytics(t, openAnalytics) }

func TestRetiredConformance(t *testing.T) { storetest.RunRetired(t, openAnalytics) }

func TestAnalyticsShippedDataset(t *testing.T) {
	ds, _, err := dataset.Dataset()
	if err != nil {
		t.Fatalf("loading the shipped dataset: %v", err)
	}
	storetest.RunAnalyticsShipped(t, openAnalytics(t, ds), ds)
}

func TestAnalyticsShippedSynthetic(t *testing.T) {
	ds := storetest.Synthetic()
	storetest.RunAnalyticsShipped(t, openAnalytics(t, ds), ds)
}
