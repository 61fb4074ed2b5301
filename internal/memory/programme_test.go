package memory_test

import (
	"testing"

	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

func TestProgrammeConformance(t *testing.T) {
	storetest.RunProgramme(t, func(t *testing.T, ds pcnet.Dataset) pcnet.ProgrammeStore {
		return open(t, ds).(pcnet.ProgrammeStore)
	})
}
