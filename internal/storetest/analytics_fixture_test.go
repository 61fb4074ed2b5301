package storetest

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"pcnet/internal/pcnet"
)

// TestAnalyticsFixture checks the ground the analytics cases stand on.
func TestAnalyticsFixture(t *testing.T) {
	ds := AnalyticsFixture()
	if err := ds.Validate(); err != nil {
		t.Fatal(err)
	}
	fx := newAnalyticsFixture(ds)
	// The Lonigo tie: Verona and Vicenza equally far once rounded to the
	// metre, and not within a millimetre of a rounding boundary, so no
	// store's floating point can split them.
	verona, vicenza := fx.distanceKm(t, "024063", "023091"), fx.distanceKm(t, "024063", "024116")
	if math.Round(verona*1000) != math.Round(vicenza*1000) {
		t.Errorf("Lonigo is %.6f km from Verona and %.6f km from Vicenza: no tie", verona, vicenza)
	}
	if frac := verona*1000 - math.Floor(verona*1000); math.Abs(frac-0.5) < 0.001 {
		t.Errorf("the Lonigo distance %.6f km is too close to a rounding boundary", verona)
	}
	// Every distance the nearest cases name is at least 10 m from the
	// next provider's, so the order does not depend on rounding.
	pairs := [][3]string{
		{"045001", "045003", "045010"}, // Aulla: Carrara before Massa
		{"024063", "045003", "045010"}, // Lonigo: Carrara before Massa
		{"046017", "012133", "001272"}, // Lucca: Varese before Torino
		{"012001", "013075", "001272"}, // Agra: Como before Torino
	}
	for _, p := range pairs {
		if a, b := fx.distanceKm(t, p[0], p[1]), fx.distanceKm(t, p[0], p[2]); b-a < 0.01 {
			t.Errorf("from %s: %s at %.3f km is not clearly nearer than %s at %.3f km", p[0], p[1], a, p[2], b)
		}
	}
}

// TestGreatCircleKm checks the suite's distance against known values: a
// degree of a great circle, and a quarter of one.
func TestGreatCircleKm(t *testing.T) {
	degree := pcnet.EarthRadiusKm * math.Pi / 180
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want                   float64
	}{
		{"same point", 45.07, 7.69, 45.07, 7.69, 0},
		{"a degree of latitude", 45, 9, 46, 9, degree},
		{"a degree of longitude on the equator", 0, 9, 0, 10, degree},
		{"pole to equator", 90, 0, 0, 123, 90 * degree},
		{"across the antimeridian", 0, 179.5, 0, -179.5, degree},
	}
	for _, tt := range tests {
		if got := greatCircleKm(tt.lat1, tt.lon1, tt.lat2, tt.lon2); math.Abs(got-tt.want) > 1e-6 {
			t.Errorf("%s: %.9f km, want %.9f km", tt.name, got, tt.want)
		}
	}
}

// referenceAnalytics answers the analytics questions with the suite's
// plain reference, so the hand-worked fixture answers and the reference
// check each other: RunAnalytics must pass on it. It holds no pcnet.Store;
// RunAnalytics calls none of the Store methods.
type referenceAnalytics struct {
	pcnet.Store
	r *reference
}

func (s referenceAnalytics) Peers(ctx context.Context, queries []pcnet.PeerQuery) ([][]pcnet.Peer, error) {
	return mapEach(queries, s.r.peers), ctx.Err()
}

func (s referenceAnalytics) TutorLinks(ctx context.Context, queries []pcnet.TutorLinkQuery) ([][]pcnet.TutorLink, error) {
	return mapEach(queries, s.r.tutorLinks), ctx.Err()
}

func (s referenceAnalytics) TutorPath(ctx context.Context, q pcnet.TutorPathQuery) (*pcnet.TutorPath, error) {
	p, _ := s.r.tutorPath(q)
	return p, ctx.Err()
}

func (s referenceAnalytics) Reach(ctx context.Context, queries []pcnet.ReachQuery) ([][]pcnet.ReachRow, error) {
	return mapEach(queries, s.r.reach), ctx.Err()
}

func (s referenceAnalytics) ComuniSummaries(ctx context.Context, filters []pcnet.ComuneFilter) ([]pcnet.ComuneSummary, error) {
	return mapEach(filters, s.r.comuneSummary), ctx.Err()
}

func (s referenceAnalytics) NearestProviders(ctx context.Context, queries []pcnet.NearestQuery) ([][]pcnet.ProviderDistance, error) {
	return mapEach(queries, func(q pcnet.NearestQuery) []pcnet.ProviderDistance {
		out := s.r.nearest(q)
		for i := range out {
			out[i].DistanceKm = math.Round(out[i].DistanceKm*1000) / 1000
		}
		// The order is by rounded distance, then code.
		slices.SortStableFunc(out, func(a, b pcnet.ProviderDistance) int {
			return cmp.Or(cmp.Compare(a.DistanceKm, b.DistanceKm), strings.Compare(a.ProvinceCode, b.ProvinceCode))
		})
		return out[:min(len(out), q.Limit)]
	}), ctx.Err()
}

func (s referenceAnalytics) ProjectWorkCounts(ctx context.Context, f pcnet.ProjectWorkFilter, by pcnet.ProjectWorkGrouping) ([]pcnet.ProjectWorkCount, error) {
	return s.r.projectWorkCounts(f, by), ctx.Err()
}

func (s referenceAnalytics) ParticipationShare(ctx context.Context, q pcnet.ParticipationShareQuery) (pcnet.ParticipationShare, error) {
	return s.r.participationShare(q), ctx.Err()
}

func TestReferenceAnswersTheFixture(t *testing.T) {
	RunAnalytics(t, func(t *testing.T, ds pcnet.Dataset) interface {
		pcnet.Store
		pcnet.Analytics
	} {
		return referenceAnalytics{r: newReference(computeFigures(ds))}
	})
}
