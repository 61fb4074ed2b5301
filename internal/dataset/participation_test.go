package dataset

import (
	"testing"

	"pcnet/internal/pcnet"
)

// TestShippedProvidersTakePart: the shipped network follows the write
// rule of issue 13, so re-entering it through the mutations would be
// accepted: every service's provider takes part in its area's sector on
// the start date and on every coverage's since (the generator records a
// participation from a Province's first activity in a sector).
func TestShippedProvidersTakePart(t *testing.T) {
	ds, _, err := Dataset()
	if err != nil {
		t.Fatal(err)
	}
	provinces := make(map[string]pcnet.Province, len(ds.Provinces))
	for _, p := range ds.Provinces {
		provinces[p.Code] = p
	}
	areaSector := make(map[string]string)
	for _, s := range ds.Sectors {
		for _, a := range s.Areas {
			areaSector[a.Code] = s.Code
		}
	}
	facts := pcnet.ParticipationFacts{Participations: ds.Participations}
	services := make(map[string]pcnet.SharedService, len(ds.Services))
	checked := 0
	for _, s := range ds.Services {
		services[s.ID] = s
		if err := pcnet.CheckParticipation("providerCode", provinces[s.ProviderCode], areaSector[s.AreaCode], s.StartDate, facts); err != nil {
			t.Errorf("service %s: %v", s.ID, err)
		}
		checked++
	}
	for _, c := range ds.Coverages {
		s := services[c.ServiceID]
		if err := pcnet.CheckParticipation("since", provinces[s.ProviderCode], areaSector[s.AreaCode], c.Since, facts); err != nil {
			t.Errorf("coverage of %s by %s: %v", c.ComuneCode, c.ServiceID, err)
		}
		checked++
	}
	if len(ds.Services) == 0 || len(ds.Coverages) == 0 {
		t.Fatalf("the shipped network has %d services and %d coverages: nothing checked", len(ds.Services), len(ds.Coverages))
	}
	t.Logf("%d services and coverages follow the participation rule", checked)
}
