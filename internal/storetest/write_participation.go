package storetest

import (
	"testing"

	"pcnet/internal/pcnet"
)

// testParticipationWrites checks the participation writes and that the
// tutorship rule reads the records and exceptions they leave (issue 13):
// a Province the ProgrammeJoined seed leaves out can tutor or be tutored
// once a participation is recorded or an admin records an exception, and
// not before its participation starts nor after it ends. It runs last in
// Rules: it makes Trento and Milano take part.
func testParticipationWrites(t *testing.T, s WriteStore) {
	ctx := asPlanner()
	tu := func(tutor, tutored, sector, since string) pcnet.Tutorship {
		return pcnet.Tutorship{TutorCode: tutor, TutoredCode: tutored, SectorCode: sector, Since: date(since)}
	}
	assign := func(t *testing.T, in pcnet.Tutorship) error {
		t.Helper()
		_, err := s.AssignTutor(ctx, in)
		return err
	}

	t.Run("exception lets Milano be tutored", func(t *testing.T) {
		rejected(t, s, pcnet.EINVALID, "tutoredCode", func() error { return assign(t, tu("040", "215", "europe", "2025-01-01")) })
		seq := lastSeq(t, s)
		e, err := s.RecordParticipationException(ctx, pcnet.ParticipationException{ProvinceCode: "215", SectorCode: "europe", Reason: "  regional pilot  "})
		must(t, err)
		if e.Reason != "regional pilot" {
			t.Errorf("exception reason = %q, want it trimmed", e.Reason)
		}
		got := changesOf(t, s, "215:europe")
		if len(got) != 1 || got[0].Seq <= seq || got[0].Entity != pcnet.EntityParticipation || got[0].Action != pcnet.ActionException || got[0].Actor != planner.Subject {
			t.Fatalf("audit of the exception = %+v", got)
		}
		must(t, assign(t, tu("040", "215", "europe", "2025-01-01")))
		// The exception is for europe only.
		rejected(t, s, pcnet.EINVALID, "tutoredCode", func() error { return assign(t, tu("040", "215", "procurement", "2025-01-01")) })
	})

	t.Run("recorded participation of Trento", func(t *testing.T) {
		in := pcnet.Participation{ProvinceCode: "022", SectorCode: "europe", Since: date("2025-01-01")}
		got, err := s.RecordParticipation(ctx, in)
		must(t, err)
		if got != in {
			t.Errorf("RecordParticipation = %+v, want %+v", got, in)
		}
		if ps, ok := s.(pcnet.ProgrammeStore); ok {
			list, err := ps.Participations(ctx, pcnet.ParticipationFilter{ProvinceCodes: []string{"022"}, SectorCodes: []string{"europe"}})
			must(t, err)
			if len(list) != 1 || list[0] != in {
				t.Errorf("Participations of 022 in europe = %+v, want [%+v]", list, in)
			}
		}
		rejected(t, s, pcnet.ECONFLICT, "since", func() error {
			_, err := s.RecordParticipation(ctx, pcnet.Participation{ProvinceCode: "022", SectorCode: "europe", Since: date("2025-06-01")})
			return err
		})
		// Before its participation starts Trento can't be tutored; from it on it can.
		rejected(t, s, pcnet.EINVALID, "tutoredCode", func() error { return assign(t, tu("013", "022", "europe", "2024-12-01")) })
		must(t, assign(t, tu("013", "022", "europe", "2025-02-01")))
		testProviderJoins(t, s)

		ended, err := s.EndParticipation(ctx, "022", "europe", date("2025-06-01"))
		must(t, err)
		if ended.Until != date("2025-06-01") || ended.Since != in.Since {
			t.Errorf("EndParticipation = %+v", ended)
		}
		if c := changesOf(t, s, "022:europe:2025-01-01"); len(c) != 2 || c[0].Action != pcnet.ActionCreate || c[1].Action != pcnet.ActionEnd {
			t.Errorf("audit of the participation = %+v, want create then end", c)
		}
		// Ended: no new tutorship from its end on, and nothing left to end.
		rejected(t, s, pcnet.EINVALID, "tutoredCode", func() error { return assign(t, tu("040", "022", "europe", "2025-07-01")) })
		rejected(t, s, pcnet.EINVALID, "since", func() error {
			_, err := s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: "svc-022-europe", ComuneCodes: []string{"022106"}, Since: date("2025-07-01"), Phase: pcnet.PhaseRollout})
			return err
		})
		rejected(t, s, pcnet.ENOTFOUND, "", func() error {
			_, err := s.EndParticipation(ctx, "022", "europe", date("2025-08-01"))
			return err
		})
	})

	t.Run("errors", func(t *testing.T) {
		p := func(province, sector, since, until string) pcnet.Participation {
			return pcnet.Participation{ProvinceCode: province, SectorCode: sector, Since: date(since), Until: date(until)}
		}
		for _, tt := range []struct {
			name        string
			p           pcnet.Participation
			code, field string
		}{
			{"malformed Province", p("22", "europe", "2025-01-01", ""), pcnet.EINVALID, "provinceCode"},
			{"no since", p("022", "europe", "", ""), pcnet.EINVALID, "since"},
			{"until before since", p("022", "personnel", "2025-01-01", "2024-01-01"), pcnet.EINVALID, "until"},
			{"unknown Province", p("999", "europe", "2025-01-01", ""), pcnet.ENOTFOUND, "provinceCode"},
			{"unknown sector", p("022", "tourism", "2025-01-01", ""), pcnet.ENOTFOUND, "sectorCode"},
		} {
			t.Run("record/"+tt.name, func(t *testing.T) {
				rejected(t, s, tt.code, tt.field, func() error { _, err := s.RecordParticipation(ctx, tt.p); return err })
			})
		}
		for _, tt := range []struct {
			name        string
			e           pcnet.ParticipationException
			code, field string
		}{
			{"blank reason", pcnet.ParticipationException{ProvinceCode: "022", SectorCode: "personnel", Reason: " "}, pcnet.EINVALID, "reason"},
			{"unknown Province", pcnet.ParticipationException{ProvinceCode: "999", SectorCode: "personnel", Reason: "x"}, pcnet.ENOTFOUND, "provinceCode"},
			{"unknown sector", pcnet.ParticipationException{ProvinceCode: "022", SectorCode: "tourism", Reason: "x"}, pcnet.ENOTFOUND, "sectorCode"},
		} {
			t.Run("exception/"+tt.name, func(t *testing.T) {
				rejected(t, s, tt.code, tt.field, func() error { _, err := s.RecordParticipationException(ctx, tt.e); return err })
			})
		}
	})
}
