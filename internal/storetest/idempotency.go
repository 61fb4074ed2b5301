package storetest

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"

	"pcnet/internal/pcnet"
)

// Idempotency keys (pcnet.Idempotency, issue 12 item 9): a retried write
// with the key of a write that committed returns that write's result and
// writes nothing, whatever happened since; the same key with other input
// is conflict; keys are the caller's own.

// withKey returns a planner's context carrying an idempotency key.
func withKey(key string) context.Context { return pcnet.WithIdempotencyKey(asPlanner(), key) }

// idempotentWrite is one Writer method, called with a fixed input (do) and
// with other input (other).
type idempotentWrite struct {
	name  string
	do    func(ctx context.Context) (any, error)
	other func(ctx context.Context) error
}

// changedInput is the idempotentWrite of a method of one input: do writes
// in, other writes in as change changes it.
func changedInput[T, R any](name string, write func(context.Context, T) (R, error), in T, change func(*T)) idempotentWrite {
	return idempotentWrite{name,
		func(ctx context.Context) (any, error) { return write(ctx, in) },
		func(ctx context.Context) error {
			o := in
			change(&o)
			_, err := write(ctx, o)
			return err
		}}
}

func idempotentWrites(s WriteStore) []idempotentWrite {
	const svc = "svc-013-idem"
	service := pcnet.SharedService{ID: svc, Name: "Servizio idempotente", ProviderCode: "013", AreaCode: "sua",
		Status: pcnet.StatusPlanned, StartDate: pcnet.MustDate("2024-01-01")}
	tutorship := pcnet.Tutorship{TutorCode: "040", TutoredCode: "013", SectorCode: "personnel", Since: pcnet.MustDate("2025-01-01"), Step: 1}
	k := tutorship.Key()
	pilot, other := pcnet.StatusPilot, "altro nome"
	addition := pcnet.CoverageAddition{ServiceID: svc, ComuneCodes: []string{"013041", "013075"}, Since: pcnet.MustDate("2024-02-01"), Phase: pcnet.PhaseRollout}
	ending := pcnet.CoverageEnding{ServiceID: svc, ComuneCodes: []string{"013041"}, Until: pcnet.MustDate("2024-06-01")}
	joining := pcnet.Participation{ProvinceCode: "021", SectorCode: "procurement", Since: pcnet.MustDate("2025-01-01")}
	exception := pcnet.ParticipationException{ProvinceCode: "021", SectorCode: "europe", Reason: "regional pilot"}
	material := pcnet.Material{ID: "mat-idem", Title: "Materiale idempotente", Kind: pcnet.MaterialDocument, URL: "https://pico.example.org/idem",
		SectorCode: "procurement", Published: pcnet.MustDate("2025-01-01")}
	work := pcnet.ProjectWork{ID: "pw-108-idem", ProvinceCode: "108", AreaCode: "sua", Title: "SUA idempotente", Maturity: pcnet.MaturityDeveloping, Step: 1, Year: 2025}
	writes := []idempotentWrite{
		changedInput("CreateService", s.CreateService, service, func(o *pcnet.SharedService) { o.Name = other }),
		{"UpdateService",
			func(ctx context.Context) (any, error) {
				return s.UpdateService(ctx, svc, pcnet.ServiceUpdate{Status: &pilot})
			},
			func(ctx context.Context) error {
				_, err := s.UpdateService(ctx, svc, pcnet.ServiceUpdate{Name: &other})
				return err
			}},
		changedInput("AddCoverage", s.AddCoverage, addition, func(o *pcnet.CoverageAddition) { o.ComuneCodes = []string{"013041"} }),
		changedInput("EndCoverage", s.EndCoverage, ending, func(o *pcnet.CoverageEnding) { o.Until = pcnet.MustDate("2024-07-01") }),
		changedInput("AssignTutor", s.AssignTutor, tutorship, func(o *pcnet.Tutorship) { o.Since = pcnet.MustDate("2025-02-01") }),
		{"AdvanceTutorship",
			func(ctx context.Context) (any, error) { return s.AdvanceTutorship(ctx, k, 2) },
			func(ctx context.Context) error { _, err := s.AdvanceTutorship(ctx, k, 3); return err }},
		{"EndTutorship",
			func(ctx context.Context) (any, error) {
				return s.EndTutorship(ctx, k, pcnet.MustDate("2025-12-01"), "")
			},
			func(ctx context.Context) error {
				_, err := s.EndTutorship(ctx, k, pcnet.MustDate("2025-11-01"), "")
				return err
			}},
		changedInput("SaveProjectWork", s.SaveProjectWork, work, func(o *pcnet.ProjectWork) { o.Title = other }),
		changedInput("RecordParticipation", s.RecordParticipation, joining, func(o *pcnet.Participation) { o.Since = pcnet.MustDate("2025-02-01") }),
		{"EndParticipation",
			func(ctx context.Context) (any, error) {
				return s.EndParticipation(ctx, "021", "procurement", pcnet.MustDate("2025-06-01"))
			},
			func(ctx context.Context) error {
				_, err := s.EndParticipation(ctx, "021", "procurement", pcnet.MustDate("2025-07-01"))
				return err
			}},
		changedInput("RecordParticipationException", s.RecordParticipationException, exception, func(o *pcnet.ParticipationException) { o.Reason = "another reason" }),
	}
	pw := s // the programme's writes (pcnet.ProgrammeWriter)
	return append(writes, []idempotentWrite{
		{"SaveProjectWorkSections",
			func(ctx context.Context) (any, error) {
				return pw.SaveProjectWorkSections(ctx, "pw-064-sua", []pcnet.ProjectWorkSection{{Section: pcnet.SectionContext, Text: "Irpinia"}})
			},
			func(ctx context.Context) error {
				_, err := pw.SaveProjectWorkSections(ctx, "pw-064-sua", []pcnet.ProjectWorkSection{{Section: pcnet.SectionContext, Text: other}})
				return err
			}},
		{"SetRolloutPlan",
			func(ctx context.Context) (any, error) {
				return pw.SetRolloutPlan(ctx, svc, []pcnet.RolloutWave{{Due: pcnet.MustDate("2025-01-01"), ComuneCodes: []string{"013130"}}})
			},
			func(ctx context.Context) error {
				_, err := pw.SetRolloutPlan(ctx, svc, []pcnet.RolloutWave{{Due: pcnet.MustDate("2025-02-01"), ComuneCodes: []string{"013130"}}})
				return err
			}},
		changedInput("AddMaterial", pw.AddMaterial, material, func(o *pcnet.Material) { o.Title = other }),
	}...)
}

func testIdempotency(t *testing.T, s WriteStore) {
	// Each write, in order (each works on what the one before made): the
	// first call writes, its retry returns the same result and writes
	// nothing, the key with other input is conflict.
	for _, w := range idempotentWrites(s) {
		t.Run(w.name, func(t *testing.T) {
			ctx := withKey("key-" + w.name)
			seq := lastSeq(t, s)
			first, err := w.do(ctx)
			must(t, err)
			after := lastSeq(t, s)
			if after == seq {
				t.Fatalf("the first %s recorded no audit entry", w.name)
			}
			before := readState(t, s)
			retried, err := w.do(ctx)
			if err != nil {
				t.Fatalf("retried with the same key: %v; want the first result", err)
			}
			if !reflect.DeepEqual(retried, first) {
				t.Errorf("retried with the same key:\n got  %+v\n want %+v", retried, first)
			}
			checkUnchanged(t, s, before)
			checkNoNewChanges(t, s, after, "a retry with the same key")
			rejected(t, s, pcnet.ECONFLICT, pcnet.IdempotencyField, func() error { return w.other(ctx) })
		})
	}

	t.Run("WithoutKeyRetriesFail", func(t *testing.T) {
		// What the key is for: without it, the retry of a committed
		// createService is a conflict on the ID.
		sv := pcnet.SharedService{ID: "svc-013-nokey", Name: "Senza chiave", ProviderCode: "013", AreaCode: "sua", StartDate: pcnet.MustDate("2024-01-01")}
		_, err := s.CreateService(asPlanner(), sv)
		must(t, err)
		_, err = s.CreateService(asPlanner(), sv)
		wantErr(t, err, pcnet.ECONFLICT, "id")
	})

	t.Run("KeysAreTheCallers", func(t *testing.T) {
		// Another caller's same key is another key: its write is planned
		// (here: the ID is taken), and never answered with maria's result.
		luca := pcnet.WithIdempotencyKey(pcnet.WithActor(context.Background(), pcnet.Actor{Subject: "luca@provincia.co.it", Role: pcnet.RolePlanner}), "key-CreateService")
		w := idempotentWrites(s)[0]
		rejected(t, s, pcnet.ECONFLICT, "id", func() error { _, err := w.do(luca); return err })
		// And maria's key still answers maria.
		if _, err := w.do(withKey("key-CreateService")); err != nil {
			t.Errorf("maria's retry after luca's: %v", err)
		}
	})

	t.Run("AcrossOperations", func(t *testing.T) {
		// A key names one write: with another operation it is conflict.
		rejected(t, s, pcnet.ECONFLICT, pcnet.IdempotencyField, func() error {
			name := "un altro nome"
			_, err := s.UpdateService(withKey("key-CreateService"), "svc-013-idem", pcnet.ServiceUpdate{Name: &name})
			return err
		})
	})

	t.Run("UnchangedKeepsTheKey", func(t *testing.T) {
		// A write that changes nothing keeps its key and result: its
		// retry answers the same even after the state moved on.
		ctx := withKey("key-unchanged")
		a := pcnet.CoverageAddition{ServiceID: "svc-013-idem", ComuneCodes: []string{"013075"}, Since: pcnet.MustDate("2024-03-01"), Phase: pcnet.PhaseRollout}
		seq := lastSeq(t, s)
		first, err := s.AddCoverage(ctx, a)
		must(t, err)
		checkResult(t, "re-adding a covered Comune", first, nil, []string{"013075"})
		checkNoNewChanges(t, s, seq, "an unchanged write with a key")
		_, err = s.EndCoverage(asPlanner(), pcnet.CoverageEnding{ServiceID: "svc-013-idem", ComuneCodes: []string{"013075"}, Until: pcnet.MustDate("2024-04-01")})
		must(t, err)
		before := readState(t, s)
		retried, err := s.AddCoverage(ctx, a)
		must(t, err)
		if !reflect.DeepEqual(retried, first) {
			t.Errorf("retried unchanged write: %+v, want %+v", retried, first)
		}
		checkUnchanged(t, s, before)
		rejected(t, s, pcnet.ECONFLICT, pcnet.IdempotencyField, func() error {
			b := a
			b.Since = pcnet.MustDate("2024-05-01")
			_, err := s.AddCoverage(ctx, b)
			return err
		})
	})

	t.Run("FailedWriteKeepsNothing", func(t *testing.T) {
		// A rejected write wrote nothing, its key included: the key can
		// carry the corrected write.
		ctx := withKey("key-failed")
		sv := pcnet.SharedService{ID: "svc-013-fixed", Name: "Corretto", ProviderCode: "999", AreaCode: "sua", StartDate: pcnet.MustDate("2024-01-01")}
		rejected(t, s, pcnet.ENOTFOUND, "providerCode", func() error { _, err := s.CreateService(ctx, sv); return err })
		sv.ProviderCode = "013"
		got, err := s.CreateService(ctx, sv)
		must(t, err)
		if got.ID != sv.ID || got.ProviderCode != "013" {
			t.Errorf("corrected write: %+v", got)
		}
	})

	t.Run("MalformedKeys", func(t *testing.T) {
		sv := pcnet.SharedService{ID: "svc-013-badkey", Name: "Chiave", ProviderCode: "013", AreaCode: "sua", StartDate: pcnet.MustDate("2024-01-01")}
		for _, tt := range []struct{ name, key string }{
			{"empty", ""},
			{"too long", strings.Repeat("k", pcnet.MaxIdempotencyKeyLength+1)},
			{"space", "my key"},
			{"control", "key\n"},
			{"not ASCII", "chiave-è"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				rejected(t, s, pcnet.EINVALID, pcnet.IdempotencyField, func() error {
					_, err := s.CreateService(pcnet.WithIdempotencyKey(asPlanner(), tt.key), sv)
					return err
				})
			})
		}
		// The longest key is a key.
		_, err := s.CreateService(withKey(strings.Repeat("k", pcnet.MaxIdempotencyKeyLength)), sv)
		must(t, err)
	})

	t.Run("ConcurrentRetries", func(t *testing.T) {
		// Retries racing each other: one writes, every one answers its
		// result.
		const n = 4
		sv := pcnet.SharedService{ID: "svc-013-race", Name: "Gara", ProviderCode: "013", AreaCode: "sua", StartDate: pcnet.MustDate("2024-01-01")}
		seq := lastSeq(t, s)
		results := make([]pcnet.SharedService, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { results[i], errs[i] = s.CreateService(withKey("key-race"), sv) })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Errorf("retry %d: %v", i, errs[i])
			} else if results[i] != results[0] {
				t.Errorf("retry %d answered %+v, retry 0 %+v", i, results[i], results[0])
			}
		}
		got, err := s.Changes(context.Background(), pcnet.ChangeFilter{AfterSeq: seq})
		must(t, err)
		if len(got) != 1 {
			t.Errorf("%d racing retries recorded %d audit entries, want 1", n, len(got))
		}
	})
}
