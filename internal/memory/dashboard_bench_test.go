package memory_test

import (
	"testing"

	"pcnet/internal/storetest"
)

// BenchmarkDashboardCalls measures the store calls of the one-region
// dashboard, level by level (storetest.DashboardCalls):
//
//	go test ./internal/memory -run '^$' -bench DashboardCalls -benchmem
func BenchmarkDashboardCalls(b *testing.B) {
	s, err := benchStore()
	if err != nil {
		b.Fatal(err)
	}
	storetest.BenchDashboardCalls(b, s)
}
