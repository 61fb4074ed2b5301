package storetest

import (
	"testing"

	"pcnet/internal/pcnet"
)

// testProviderParticipation checks the participation rule of service and
// coverage writes (issue 13): a Province provides a service, from its
// start date, and covers Comuni, from a coverage's since, only while it
// takes part in the sector of the service's area, unless an admin
// recorded an exception. In the fixture (no records: the ProgrammeJoined
// default) Milano, a metropolitan city, and Bolzano, an autonomous
// Province, take no part. It runs before testParticipationWrites, which
// makes Milano and Trento take part; it gives Bolzano an exception in
// personnel.
func testProviderParticipation(t *testing.T, s WriteStore) {
	ctx := asPlanner()
	service := func(id, provider, area, start string) pcnet.SharedService {
		return pcnet.SharedService{ID: id, Name: "Servizio " + id, ProviderCode: provider, AreaCode: area, StartDate: date(start)}
	}
	create := func(sv pcnet.SharedService) func() error {
		return func() error { _, err := s.CreateService(ctx, sv); return err }
	}
	moveStart := func(id, start string) func() error {
		return func() error {
			d := date(start)
			_, err := s.UpdateService(ctx, id, pcnet.ServiceUpdate{StartDate: &d})
			return err
		}
	}
	add := func(id, since string, codes ...string) func() error {
		return func() error {
			_, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: id, ComuneCodes: codes, Since: date(since), Phase: pcnet.PhasePilot})
			return err
		}
	}

	for _, tt := range []struct {
		name        string
		write       func() error
		code, field string
	}{
		{"create: metropolitan city", create(service("svc-215-new", "215", "sua", "2025-01-01")), pcnet.EINVALID, "providerCode"},
		{"create: autonomous Province", create(service("svc-021-new", "021", "recruitment", "2025-01-01")), pcnet.EINVALID, "providerCode"},
		{"create: unknown provider first", create(service("svc-999-new", "999", "sua", "2025-01-01")), pcnet.ENOTFOUND, "providerCode"},
		{"create: unknown area before the rule", create(service("svc-013-new", "013", "tourism", "2025-01-01")), pcnet.ENOTFOUND, "areaCode"},
		{"update: start of a non-participant's service", moveStart("svc-215-sua", "2022-08-01"), pcnet.EINVALID, "startDate"},
		{"add: coverage by a non-participant", add("svc-215-sua", "2025-01-01", "015146"), pcnet.EINVALID, "since"},
		{"add: Bolzano's planned service", add("svc-021-training", "2025-02-01", "021008"), pcnet.EINVALID, "since"},
	} {
		t.Run(tt.name, func(t *testing.T) { rejected(t, s, tt.code, tt.field, tt.write) })
	}

	t.Run("a participant provides", func(t *testing.T) {
		must(t, create(service("svc-013-europe", "013", "europe-office", "2024-03-01"))())
		must(t, add("svc-013-europe", "2024-04-01", "013041")())
	})

	t.Run("an exception lets Bolzano provide", func(t *testing.T) {
		_, err := s.RecordParticipationException(ctx, pcnet.ParticipationException{ProvinceCode: "021", SectorCode: "personnel", Reason: "accordo con la Provincia autonoma"})
		must(t, err)
		must(t, moveStart("svc-021-training", "2024-09-01")())
		if got := readService(t, s, "svc-021-training"); got.StartDate != date("2024-09-01") {
			t.Errorf("start of svc-021-training = %s, want 2024-09-01", got.StartDate)
		}
		must(t, add("svc-021-training", "2025-02-01", "021008")())
		must(t, create(service("svc-021-recruitment", "021", "recruitment", "2025-01-01"))())
		// The exception is for personnel only.
		rejected(t, s, pcnet.EINVALID, "providerCode", create(service("svc-021-sua", "021", "sua", "2025-01-01")))
	})
}

// testProviderJoins checks that a recorded participation dates what a
// provider may do: Trento (022), which takes part in europe from
// 2025-01-01 (testParticipationWrites records it), can't start a service
// or cover a Comune before that day. Run after the record and before it
// ends, from testParticipationWrites.
func testProviderJoins(t *testing.T, s WriteStore) {
	ctx := asPlanner()
	early := pcnet.SharedService{ID: "svc-022-europe", Name: "Europa Trento", ProviderCode: "022", AreaCode: "europe-office", StartDate: date("2024-12-01")}
	rejected(t, s, pcnet.EINVALID, "providerCode", func() error { _, err := s.CreateService(ctx, early); return err })
	sv := early
	sv.StartDate = date("2025-01-01")
	_, err := s.CreateService(ctx, sv)
	must(t, err)
	rejected(t, s, pcnet.EINVALID, "startDate", func() error {
		d := date("2024-12-31")
		_, err := s.UpdateService(ctx, sv.ID, pcnet.ServiceUpdate{StartDate: &d})
		return err
	})
	_, err = s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: sv.ID, ComuneCodes: []string{"022205"}, Since: date("2025-01-01"), Phase: pcnet.PhasePilot})
	must(t, err)
}
