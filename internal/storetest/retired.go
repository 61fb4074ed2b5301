package storetest

import (
	"context"
	"slices"
	"testing"

	"pcnet/internal/pcnet"
)

// RunRetired checks retired Comuni (pcnet.Comune.Retired) on a store
// opened, like RunAnalytics's, on the analytics fixture with one covered
// Comune retired: it is listed only when the filter asks for retired
// Comuni, and counts in no summary, reach base or reach covered figure.
func RunRetired(t *testing.T, open func(t *testing.T, ds pcnet.Dataset) AnalyticsStore) {
	ds, retired, svc, day := retiredFixture(t)
	testRetiredComuni(t, open(t, ds), ds, retired, svc, day)
}

// retiredFixture is AnalyticsFixture with one covered Comune retired: the
// first Comune covered by a service of its own Province. It returns the
// dataset, the Comune, the service and a day the coverage is active.
func retiredFixture(t *testing.T) (pcnet.Dataset, pcnet.Comune, pcnet.SharedService, pcnet.Date) {
	t.Helper()
	ds := AnalyticsFixture()
	services := make(map[string]pcnet.SharedService)
	for _, s := range ds.Services {
		services[s.ID] = s
	}
	for _, cov := range ds.Coverages {
		for i := range ds.Comuni {
			c := &ds.Comuni[i]
			if c.Code == cov.ComuneCode && c.ProvinceCode == services[cov.ServiceID].ProviderCode {
				c.Retired = true
				return ds, *c, services[cov.ServiceID], cov.Since
			}
		}
	}
	t.Fatal("the analytics fixture has no Comune covered by a service of its own Province")
	return pcnet.Dataset{}, pcnet.Comune{}, pcnet.SharedService{}, pcnet.Date{}
}

// testRetiredComuni is RunRetired (issue 12 item 6) on s, which holds
// retiredFixture's dataset.
func testRetiredComuni(t *testing.T, s AnalyticsStore, ds pcnet.Dataset, retired pcnet.Comune, svc pcnet.SharedService, day pcnet.Date) {
	ctx := context.Background()
	fx := newAnalyticsFixture(ds)
	var current []string // of the retired Comune's Province
	for _, c := range ds.Comuni {
		if c.ProvinceCode == retired.ProvinceCode && !c.Retired {
			current = append(current, c.Code)
		}
	}
	province := []string{retired.ProvinceCode}

	lists := []struct {
		name   string
		filter pcnet.ComuneFilter
		want   []string
	}{
		{"by default", pcnet.ComuneFilter{ProvinceCodes: province}, current},
		{"retired: false", pcnet.ComuneFilter{ProvinceCodes: province, Retired: boolp(false)}, current},
		{"retired: true", pcnet.ComuneFilter{Retired: boolp(true)}, []string{retired.Code}},
		{"by code, not asked for", pcnet.ComuneFilter{Codes: []string{retired.Code}}, nil},
		{"by code, asked for", pcnet.ComuneFilter{Codes: []string{retired.Code}, Retired: boolp(true)}, []string{retired.Code}},
	}
	for _, tt := range lists {
		t.Run("Comuni "+tt.name, func(t *testing.T) {
			pages, err := s.Comuni(ctx, []pcnet.ComuneQuery{byCode(tt.filter)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range pages[0].Comuni {
				got = append(got, c.Code)
				if c.Retired != (c.Code == retired.Code) {
					t.Errorf("Comune %s retired %v", c.Code, c.Retired)
				}
			}
			if !slices.Equal(got, tt.want) || pages[0].Total != len(tt.want) {
				t.Errorf("got %v (total %d), want %v", got, pages[0].Total, tt.want)
			}
		})
	}

	t.Run("ComuniSummaries", func(t *testing.T) {
		got, err := s.ComuniSummaries(ctx, []pcnet.ComuneFilter{{ProvinceCodes: province}, {Retired: boolp(true)}})
		if err != nil {
			t.Fatal(err)
		}
		if want := fx.summaryOf(t, current); got[0] != want {
			t.Errorf("summary of Province %s %+v, want %+v", retired.ProvinceCode, got[0], want)
		}
		if want := fx.summaryOf(t, []string{retired.Code}); got[1] != want {
			t.Errorf("summary of the retired Comuni %+v, want %+v", got[1], want)
		}
	})

	t.Run("Reach", func(t *testing.T) {
		var covered []string
		for _, cov := range ds.Coverages {
			if cov.ServiceID == svc.ID && cov.ComuneCode != retired.Code && !day.Before(cov.Since) && (cov.Until.IsZero() || day.Before(cov.Until)) {
				covered = append(covered, cov.ComuneCode)
			}
		}
		slices.Sort(covered)
		covered = slices.Compact(covered)
		rows, err := s.Reach(ctx, []pcnet.ReachQuery{{Services: pcnet.ServiceFilter{IDs: []string{svc.ID}}, AsOf: day, GroupBy: pcnet.ReachByProvince}})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows[0]) != 1 {
			t.Fatalf("reach rows %+v, want one", rows[0])
		}
		if want := fx.summaryOf(t, current); rows[0][0].Base != want {
			t.Errorf("base %+v, want %+v (without the retired Comune)", rows[0][0].Base, want)
		}
		if want := fx.summaryOf(t, covered); rows[0][0].Covered != want {
			t.Errorf("covered %+v, want %+v (without the retired Comune)", rows[0][0].Covered, want)
		}
	})

	t.Run("ParticipationShare", func(t *testing.T) {
		// A sector the retired Comune's Province takes part in on a day of
		// its records, so the Comune would count on both sides.
		var q pcnet.ParticipationShareQuery
		for _, p := range ds.Participations {
			if p.ProvinceCode == retired.ProvinceCode {
				q = pcnet.ParticipationShareQuery{SectorCode: p.SectorCode, RegionCode: retired.RegionCode, AsOf: p.Since}
				break
			}
		}
		if q.SectorCode == "" {
			t.Fatalf("the fixture has no participation of Province %s", retired.ProvinceCode)
		}
		got, err := s.ParticipationShare(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(got.ParticipantCodes, retired.ProvinceCode) {
			t.Fatalf("participants %v, want %s among them", got.ParticipantCodes, retired.ProvinceCode)
		}
		var region, participating []string
		for _, c := range ds.Comuni {
			if c.RegionCode == retired.RegionCode && !c.Retired {
				region = append(region, c.Code)
				if slices.Contains(got.ParticipantCodes, c.ProvinceCode) {
					participating = append(participating, c.Code)
				}
			}
		}
		if want := fx.summaryOf(t, region); got.Territory != want {
			t.Errorf("territory %+v, want %+v (without the retired Comune)", got.Territory, want)
		}
		if want := fx.summaryOf(t, participating); got.Participating != want {
			t.Errorf("participating %+v, want %+v (without the retired Comune)", got.Participating, want)
		}
	})
}
