package neo4j_test

import (
	"testing"

	"pcnet/internal/neo4j/neo4jtest"
	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

// TestProgrammeConformance runs the programme's conformance suite, each
// dataset imported into a cleared database.
func TestProgrammeConformance(t *testing.T) {
	storetest.RunProgramme(t, func(t *testing.T, ds pcnet.Dataset) pcnet.ProgrammeStore {
		return neo4jtest.Load(t, ds)
	})
}
