package neo4j_test

import (
	"testing"

	"pcnet/internal/neo4j/neo4jtest"
	"pcnet/internal/storetest"
)

// BenchmarkDashboardCalls measures the store calls of the one-region
// dashboard on Neo4j, level by level (storetest.DashboardCalls): each is
// one round trip, so the sum is the dashboard's time in the database.
//
//	NEO4J_TEST_URI=... NEO4J_TEST_PASSWORD=... go test ./internal/neo4j -run '^$' -bench DashboardCalls -benchmem
func BenchmarkDashboardCalls(b *testing.B) {
	s := neo4jtest.Load(b, shippedDataset(b))
	storetest.BenchDashboardCalls(b, s)
}
