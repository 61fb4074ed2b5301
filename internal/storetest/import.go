package storetest

import (
	"context"
	"testing"

	"pcnet/internal/pcnet"
)

// Importer imports ds into s the way the store's import does (for Neo4j,
// `pcnet import --prune`: the dataset becomes the whole truth).
type Importer func(ctx context.Context, s WriteStore, ds pcnet.Dataset) error

// RunImports checks that an import is visible in the audit Seq, which a
// response cache trusts (server.responseCache): every import records
// exactly one entry (pcnet.ImportChange) in the import's own transaction,
// so LastChangeSeq advances by one; the data imported is read back; writes
// after it go on numbering without a gap; an invalid import and one with a
// cancelled context record nothing. open is as for RunWrites.
func RunImports(t *testing.T, open func(t *testing.T, ds pcnet.Dataset) WriteStore, imp Importer) {
	s := open(t, WriteFixture())
	seqNow := func() int64 {
		t.Helper()
		seq, err := s.LastChangeSeq(context.Background())
		must(t, err)
		if want := lastSeq(t, s); seq != want {
			t.Fatalf("LastChangeSeq = %d, the trail's last entry has Seq %d", seq, want)
		}
		return seq
	}
	_, err := s.CreateService(asPlanner(), pcnet.SharedService{ID: "svc-013-import", Name: "Before the import", ProviderCode: "013", AreaCode: "sua", Status: pcnet.StatusPilot, StartDate: pcnet.MustDate("2024-01-01")})
	must(t, err)
	afterWrite := seqNow()

	// The imported dataset renames a service: the import's data must be
	// read back, with the Seq moved past it.
	next := WriteFixture()
	if len(next.Services) == 0 {
		t.Fatal("the write fixture has no service")
	}
	next.Services[0].Name = "Renamed by the import"
	renamed := next.Services[0].ID
	for i, ds := range []pcnet.Dataset{next, next} { // the second changes nothing, and is recorded all the same
		must(t, imp(asPlanner(), s, ds))
		seq := seqNow()
		if want := afterWrite + int64(i) + 1; seq != want {
			t.Fatalf("import %d: LastChangeSeq = %d, want %d (one entry per import)", i+1, seq, want)
		}
		got, err := s.Changes(context.Background(), pcnet.ChangeFilter{AfterSeq: seq - 1})
		must(t, err)
		want := pcnet.ImportChange(ds)
		if len(got) != 1 || got[0].Entity != pcnet.EntityImport || got[0].Action != pcnet.ActionImport ||
			got[0].EntityID != "" || got[0].Summary != want.Summary || got[0].Actor != planner.Subject || got[0].At.IsZero() {
			t.Fatalf("import %d recorded %+v, want one entry like %+v by %s", i+1, got, want, planner.Subject)
		}
		byEntity, err := s.Changes(context.Background(), pcnet.ChangeFilter{Entity: pcnet.EntityImport})
		must(t, err)
		if len(byEntity) != i+1 {
			t.Errorf("import %d: %d entries of entity %q, want %d", i+1, len(byEntity), pcnet.EntityImport, i+1)
		}
	}
	services, err := s.Services(context.Background(), pcnet.ServiceFilter{IDs: []string{renamed}})
	must(t, err)
	if len(services) != 1 || services[0].Name != "Renamed by the import" {
		t.Fatalf("after the import service %s reads %+v", renamed, services)
	}

	// Writes go on from the import's Seq.
	_, err = s.CreateService(asPlanner(), pcnet.SharedService{ID: "svc-013-after-import", Name: "After the import", ProviderCode: "013", AreaCode: "sua", Status: pcnet.StatusPilot, StartDate: pcnet.MustDate("2024-01-01")})
	must(t, err)
	afterImports := seqNow()
	if want := afterWrite + 3; afterImports != want {
		t.Fatalf("a write after two imports: LastChangeSeq = %d, want %d", afterImports, want)
	}

	// An invalid dataset and a cancelled context import nothing and record
	// nothing.
	bad := WriteFixture()
	bad.Services[0].ProviderCode = "999"
	if err := imp(asPlanner(), s, bad); err == nil {
		t.Error("importing an invalid dataset: no error")
	}
	ctx, cancel := context.WithCancel(asPlanner())
	cancel()
	if err := imp(ctx, s, next); err == nil {
		t.Error("importing with a cancelled context: no error")
	}
	if seq := seqNow(); seq != afterImports {
		t.Fatalf("a failed import moved LastChangeSeq from %d to %d", afterImports, seq)
	}
}
