package network_test

import (
	"reflect"
	"strings"
	"testing"

	"pcnet/internal/network"
	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

func roundTrip[T network.Record](t *testing.T, items []T) {
	t.Helper()
	for _, v := range items {
		b, err := network.MarshalRecord(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := network.UnmarshalRecord[T](b)
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !reflect.DeepEqual(got, v) {
			t.Errorf("%s: decoded %+v, want %+v", b, got, v)
		}
	}
}

func TestRecordsRoundTrip(t *testing.T) {
	n := storetest.WriteFixture().Network
	roundTrip(t, n.Sectors)
	roundTrip(t, n.Services)
	roundTrip(t, n.Coverages)
	roundTrip(t, n.Tutorships)
	roundTrip(t, n.ProjectWorks)
}

// Records as the embedded store wrote them with its own record types,
// before it used this codec: bbolt files written then must stay readable.
func TestRecordsReadTheEmbeddedStoresEarlierShape(t *testing.T) {
	until := pcnet.MustDate("2025-01-01")
	for _, c := range []struct {
		json string
		dec  func(string) (any, error)
		want any
	}{
		{`{"code":"personnel","name":"Personale","areas":[{"code":"staff-training","name":"Formazione"}]}`,
			func(s string) (any, error) { return network.UnmarshalRecord[pcnet.Sector]([]byte(s)) },
			pcnet.Sector{Code: "personnel", Name: "Personale", Areas: []pcnet.Area{{Code: "staff-training", SectorCode: "personnel", Name: "Formazione"}}}},
		{`{"code":"personnel","name":"Personale","areas":[]}`,
			func(s string) (any, error) { return network.UnmarshalRecord[pcnet.Sector]([]byte(s)) },
			pcnet.Sector{Code: "personnel", Name: "Personale"}},
		{`{"id":"svc-1","name":"SUA","providerCode":"097","areaCode":"SUA","status":"ACTIVE","startDate":"2024-01-01"}`,
			func(s string) (any, error) { return network.UnmarshalRecord[pcnet.SharedService]([]byte(s)) },
			pcnet.SharedService{ID: "svc-1", Name: "SUA", ProviderCode: "097", AreaCode: "SUA", Status: pcnet.ServiceStatus("ACTIVE"), StartDate: pcnet.MustDate("2024-01-01")}},
		{`{"serviceId":"svc-1","comuneCode":"097001","since":"2024-03-01","until":"2025-01-01","phase":"ROLLOUT"}`,
			func(s string) (any, error) { return network.UnmarshalRecord[pcnet.Coverage]([]byte(s)) },
			pcnet.Coverage{ServiceID: "svc-1", ComuneCode: "097001", Since: pcnet.MustDate("2024-03-01"), Until: until, Phase: pcnet.PhaseRollout}},
		{`{"tutorCode":"097","tutoredCode":"098","sectorCode":"personnel","since":"2024-03-01","step":2}`,
			func(s string) (any, error) { return network.UnmarshalRecord[pcnet.Tutorship]([]byte(s)) },
			pcnet.Tutorship{TutorCode: "097", TutoredCode: "098", SectorCode: "personnel", Since: pcnet.MustDate("2024-03-01"), Step: 2}},
	} {
		got, err := c.dec(c.json)
		if err != nil {
			t.Errorf("%s: %v", c.json, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.json, got, c.want)
		}
	}
}

func TestRecordsRejectBadInput(t *testing.T) {
	for _, in := range []string{`null`, `{"id":"x"}`, `{"serviceId":"s","comuneCode":"1","since":"x","phase":"?"}`, `{`, `{"unknown":1}`} {
		if _, err := network.UnmarshalRecord[pcnet.Coverage]([]byte(in)); err == nil || pcnet.ErrorCode(err) != pcnet.EINVALID {
			t.Errorf("%s: err = %v, want invalid", in, err)
		} else if strings.Contains(err.Error(), "json:") {
			t.Errorf("%s: %v leaks encoding/json's message", in, err)
		}
	}
}
