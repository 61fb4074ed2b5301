package neo4j_test

import (
	"context"
	"slices"
	"testing"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"pcnet/internal/dataset"
	"pcnet/internal/neo4j"
	"pcnet/internal/neo4j/neo4jtest"
	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

func shippedDataset(t testing.TB) pcnet.Dataset {
	t.Helper()
	ds, _, err := dataset.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// sizes returns the number of entities of each kind in ds, as the import
// names them.
func sizes(ds pcnet.Dataset) map[string]int {
	areas, models := 0, 0
	for _, s := range ds.Sectors {
		areas += len(s.Areas)
	}
	for _, w := range ds.ProjectWorks {
		if w.ModelFromID != "" {
			models++
		}
	}
	return map[string]int{
		"regions":        len(ds.Regions),
		"provinces":      len(ds.Provinces),
		"comuni":         len(ds.Comuni),
		"sectors":        len(ds.Sectors),
		"areas":          areas,
		"services":       len(ds.Services),
		"coverages":      len(ds.Coverages),
		"tutorships":     len(ds.Tutorships),
		"project works":  len(ds.ProjectWorks),
		"adapted models": models, // ADAPTS links, a kind of their own (entity.go)
		// The programme (programme.go).
		"participations":        len(ds.Participations),
		"path steps":            len(ds.PathSteps),
		"project work sections": len(ds.Sections),
		"rollout targets":       len(ds.RolloutTargets),
		"materials":             len(ds.Materials),
		"pilots":                len(ds.Pilots),
	}
}

// checkCounts checks an import summary against the expected created,
// updated and unchanged counts of each entity kind.
func checkCounts(t *testing.T, what string, sum neo4j.ImportSummary, created, updated, unchanged map[string]int) {
	t.Helper()
	kinds := map[string]bool{}
	for _, m := range []map[string]int{created, updated, unchanged} {
		for name := range m {
			kinds[name] = true
		}
	}
	if len(sum.Entities) != len(kinds) {
		t.Errorf("%s: summary of %d entity kinds, want %d", what, len(sum.Entities), len(kinds))
	}
	for name := range kinds {
		got := sum.Entity(name)
		if got.Created != created[name] || got.Updated != updated[name] || got.Unchanged != unchanged[name] {
			t.Errorf("%s: %s created/updated/unchanged %d/%d/%d, want %d/%d/%d", what, name,
				got.Created, got.Updated, got.Unchanged, created[name], updated[name], unchanged[name])
		}
	}
}

// TestShipped imports the shipped dataset into an empty database, imports
// it again (which must change nothing) and runs the conformance checks on
// full data.
func TestShipped(t *testing.T) {
	ds := shippedDataset(t)
	s := neo4jtest.Open(t)
	neo4jtest.Reset(t)
	ctx := context.Background()
	want := sizes(ds)
	none := map[string]int{}

	var progress []neo4j.Progress
	first, err := s.Import(ctx, ds, func(p neo4j.Progress) { progress = append(progress, p) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("import into an empty database: %s", first.Elapsed)
	checkCounts(t, "first import", first, want, none, none)
	withoutCoordinates := 0
	for _, c := range ds.Comuni {
		if c.Latitude == nil {
			withoutCoordinates++
		}
	}
	if first.ComuniWithoutCoordinates != withoutCoordinates {
		t.Errorf("Comuni without coordinates: %d, want %d", first.ComuniWithoutCoordinates, withoutCoordinates)
	}
	// Progress ends every kind at its total, and never goes back.
	last := map[string]neo4j.Progress{}
	for _, p := range progress {
		if prev, ok := last[p.Entity]; ok && p.Done < prev.Done {
			t.Errorf("progress of %s went back from %d to %d", p.Entity, prev.Done, p.Done)
		}
		last[p.Entity] = p
	}
	for name, n := range want {
		if p := last[name]; p.Done != n || p.Total != n {
			t.Errorf("last progress of %s: %d/%d, want %d/%d", name, p.Done, p.Total, n, n)
		}
	}

	second, err := s.Import(ctx, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("second import of the same data: %s", second.Elapsed)
	checkCounts(t, "second import", second, none, none, want)
	if second.Changes() != 0 || len(second.Retired) != 0 {
		t.Errorf("second import changed %d entities and retired %v", second.Changes(), second.Retired)
	}
	for _, m := range second.Migrations {
		if m.Created {
			t.Errorf("second migration created %s again", m.Name)
		}
	}

	storetest.RunShipped(t, s, ds)
}

// graphSize counts the nodes and relationships of the test database.
func graphSize(t *testing.T) (nodes, rels int64) {
	t.Helper()
	cfg := neo4jtest.Config(t)
	ctx := context.Background()
	driver, err := neo4jdrv.NewDriverWithContext(cfg.URI, neo4jdrv.BasicAuth(cfg.Username, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(ctx)
	res, err := neo4jdrv.ExecuteQuery(ctx, driver,
		"CALL { MATCH (n) RETURN count(n) AS nodes } CALL { MATCH ()-[r]->() RETURN count(r) AS rels } RETURN nodes, rels",
		nil, neo4jdrv.EagerResultTransformer, neo4jdrv.ExecuteQueryWithDatabase(cfg.Database))
	if err != nil {
		t.Fatal(err)
	}
	return res.Records[0].Values[0].(int64), res.Records[0].Values[1].(int64)
}

// TestImportInvalidWritesNothing checks that an invalid dataset is rejected
// before anything is written, even the parts of it that are valid.
func TestImportInvalidWritesNothing(t *testing.T) {
	s := neo4jtest.Load(t, storetest.Fixture())
	nodes, rels := graphSize(t)

	bad := storetest.Fixture()
	bad.Regions = append(bad.Regions, pcnet.Region{Code: "99", Name: "Nuova regione"}) // valid on its own
	bad.Comuni[0].Name = "Cantù renamed"                                               // valid on its own
	bad.Coverages = append(bad.Coverages, pcnet.Coverage{
		ServiceID: bad.Services[0].ID, ComuneCode: "999999", Since: pcnet.MustDate("2024-01-01"), Phase: pcnet.PhasePilot,
	})
	_, err := s.Import(context.Background(), bad, nil)
	if err == nil {
		t.Fatal("importing an invalid dataset: no error")
	}
	if code := pcnet.ErrorCode(err); code != pcnet.EINVALID {
		t.Errorf("error code %q, want %q (%v)", code, pcnet.EINVALID, err)
	}
	if n, r := graphSize(t); n != nodes || r != rels {
		t.Errorf("graph went from %d nodes, %d relationships to %d, %d", nodes, rels, n, r)
	}
	regions, err := s.Regions(context.Background(), []string{"99"})
	if err != nil || len(regions) != 0 {
		t.Errorf("region 99 after the failed import: %v, %v", regions, err)
	}
	pages, err := s.Comuni(context.Background(), []pcnet.ComuneQuery{{Filter: pcnet.ComuneFilter{Codes: []string{bad.Comuni[0].Code}}}})
	if err != nil || len(pages[0].Comuni) != 1 || pages[0].Comuni[0].Name != storetest.Fixture().Comuni[0].Name {
		t.Errorf("Comune %s after the failed import: %+v, %v", bad.Comuni[0].Code, pages, err)
	}
}

// TestImportChanges imports the fixture, then a version where data changed,
// and checks what the import reports and what the store then answers.
func TestImportChanges(t *testing.T) {
	ctx := context.Background()
	s := neo4jtest.Load(t, storetest.Fixture())

	changed := storetest.Fixture()
	changed.Comuni[1].Population++                                  // a property
	changed.Provinces[0].Name = changed.Provinces[0].Name + " (CO)" // another
	changed.Services[0].AreaCode = "recruitment"                    // a link: svc-215-sua moves area
	if changed.Services[0].AreaCode == storetest.Fixture().Services[0].AreaCode {
		t.Fatal("the fixture's first service is already in recruitment; pick another change")
	}
	sum, err := s.Import(ctx, changed, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int{"comuni": 1, "provinces": 1, "services": 1, "coverages": 0, "regions": 0} {
		if got := sum.Entity(name); got.Updated != want || got.Created != 0 {
			t.Errorf("%s: %d updated, %d created; want %d updated, 0 created", name, got.Updated, got.Created, want)
		}
	}
	services, err := s.Services(ctx, pcnet.ServiceFilter{IDs: []string{changed.Services[0].ID}})
	if err != nil || len(services) != 1 || services[0] != changed.Services[0] {
		t.Errorf("moved service: %+v, %v; want %+v", services, err, changed.Services[0])
	}
	// The old area link is gone: the service is listed under one area only.
	byArea, err := s.Services(ctx, pcnet.ServiceFilter{AreaCodes: []string{storetest.Fixture().Services[0].AreaCode}, IDs: []string{changed.Services[0].ID}})
	if err != nil || len(byArea) != 0 {
		t.Errorf("moved service still found under its old area: %+v, %v", byArea, err)
	}
	again, err := s.Import(ctx, changed, nil)
	if err != nil || again.Changes() != 0 {
		t.Errorf("importing the changed dataset again: %d changes, %v", again.Changes(), err)
	}
}

// TestImportRetiresCoveredComune drops two Comuni from the geography: one
// that a service covers, which must stay (flagged retired) while the old
// coverage is there, and one that nothing covers, which goes.
func TestImportRetiresCoveredComune(t *testing.T) {
	ctx := context.Background()
	fx := storetest.Fixture()
	s := neo4jtest.Load(t, fx)

	covered := map[string]bool{}
	for _, c := range fx.Coverages {
		covered[c.ComuneCode] = true
	}
	var keep, drop string // a covered and an uncovered Comune
	for _, c := range fx.Comuni {
		switch {
		case covered[c.Code] && keep == "":
			keep = c.Code
		case !covered[c.Code] && drop == "":
			drop = c.Code
		}
	}
	if keep == "" || drop == "" {
		t.Fatal("the fixture needs a covered and an uncovered Comune")
	}

	// The new ISTAT list lacks both; the new network file, valid against
	// it, lacks the coverages of the covered one.
	next := storetest.Fixture()
	next.Comuni = slices.DeleteFunc(next.Comuni, func(c pcnet.Comune) bool { return c.Code == keep || c.Code == drop })
	next.Coverages = slices.DeleteFunc(next.Coverages, func(c pcnet.Coverage) bool { return c.ComuneCode == keep })
	staleCoverages := len(fx.Coverages) - len(next.Coverages)

	sum, err := s.Import(ctx, next, nil)
	if err != nil {
		t.Fatal(err)
	}
	com := sum.Entity("comuni")
	if com.Missing != 2 || com.Deleted != 1 || com.Retired != 1 {
		t.Errorf("comuni: missing %d, deleted %d, retired %d; want 2, 1, 1", com.Missing, com.Deleted, com.Retired)
	}
	if len(sum.Retired) != 1 || sum.Retired[0].Code != keep || sum.Retired[0].Label != "Comune" {
		t.Errorf("retired: %+v, want Comune %s", sum.Retired, keep)
	}
	if cov := sum.Entity("coverages"); cov.Missing != staleCoverages || cov.Deleted != 0 {
		t.Errorf("coverages: missing %d, deleted %d; want %d, 0", cov.Missing, cov.Deleted, staleCoverages)
	}
	comuni := func() map[string]bool {
		t.Helper()
		// Retired Comuni are listed only when asked for (Comune.retired).
		retired := true
		pages, err := s.Comuni(ctx, []pcnet.ComuneQuery{{Filter: pcnet.ComuneFilter{Codes: []string{keep, drop}, Retired: &retired}}})
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, c := range pages[0].Comuni {
			found[c.Code] = c.Retired
		}
		return found
	}
	if found := comuni(); !found[keep] || found[drop] {
		t.Errorf("after the import: covered Comune %s there: %v (want true), uncovered %s there: %v (want false)", keep, found[keep], drop, found[drop])
	}

	// Importing the same again retires nothing new and changes nothing.
	again, err := s.Import(ctx, next, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Changes() != 0 || again.Entity("comuni").Retired != 1 {
		t.Errorf("second import: %d changes, %d retired; want 0, 1", again.Changes(), again.Entity("comuni").Retired)
	}

	// With pruning, the stale coverages go, and so does the Comune.
	pruned, err := s.ImportWith(ctx, next, neo4j.ImportOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if cov := pruned.Entity("coverages"); cov.Deleted != staleCoverages {
		t.Errorf("pruned coverages: %d, want %d", cov.Deleted, staleCoverages)
	}
	if c := pruned.Entity("comuni"); c.Deleted != 1 || c.Retired != 0 || len(pruned.Retired) != 0 {
		t.Errorf("comuni after pruning: deleted %d, retired %d (%v); want 1, 0", c.Deleted, c.Retired, pruned.Retired)
	}
	if found := comuni(); found[keep] || found[drop] {
		t.Errorf("after pruning: Comuni %v still there", found)
	}

	// Back to the fixture: both Comuni and the coverages come back.
	back, err := s.Import(ctx, fx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := back.Entity("comuni"); c.Created != 2 || c.Updated != 0 {
		t.Errorf("comuni back: created %d, updated %d; want 2, 0", c.Created, c.Updated)
	}
	if c := back.Entity("coverages"); c.Created != staleCoverages {
		t.Errorf("coverages back: created %d, want %d", c.Created, staleCoverages)
	}
}

// TestImportUnretires checks that a retired Comune listed again loses its
// flag: the import reports it updated, and a further import changes nothing.
func TestImportUnretires(t *testing.T) {
	ctx := context.Background()
	fx := storetest.Fixture()
	s := neo4jtest.Load(t, fx)
	code := fx.Coverages[0].ComuneCode
	next := storetest.Fixture()
	next.Comuni = slices.DeleteFunc(next.Comuni, func(c pcnet.Comune) bool { return c.Code == code })
	next.Coverages = slices.DeleteFunc(next.Coverages, func(c pcnet.Coverage) bool { return c.ComuneCode == code })
	if sum, err := s.Import(ctx, next, nil); err != nil || sum.Entity("comuni").Retired != 1 {
		t.Fatalf("retiring %s: %+v, %v", code, sum.Entity("comuni"), err)
	}
	sum, err := s.Import(ctx, fx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := sum.Entity("comuni"); c.Updated != 1 || c.Created != 0 || c.Retired != 0 {
		t.Errorf("comuni: %+v; want 1 updated (the flag removed)", c)
	}
	if again, err := s.Import(ctx, fx, nil); err != nil || again.Changes() != 0 {
		t.Errorf("import after un-retiring: %d changes, %v", again.Changes(), err)
	}
}

// TestBatchesAreOneRoundTrip checks that the batch methods cost one query
// whatever the number of queries in the batch.
func TestBatchesAreOneRoundTrip(t *testing.T) {
	ctx := context.Background()
	fx := storetest.Fixture()
	s := neo4jtest.Load(t, fx)
	var cq []pcnet.ComuneQuery
	var vq []pcnet.CoverageQuery
	for _, p := range fx.Provinces {
		cq = append(cq, pcnet.ComuneQuery{Filter: pcnet.ComuneFilter{ProvinceCodes: []string{p.Code}}, Page: pcnet.Page{Limit: 2}})
	}
	for _, sv := range fx.Services {
		vq = append(vq, pcnet.CoverageQuery{Filter: pcnet.CoverageFilter{ServiceIDs: []string{sv.ID}}})
	}
	before := s.QueryCount()
	if _, err := s.Comuni(ctx, cq); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Coverages(ctx, vq); err != nil {
		t.Fatal(err)
	}
	if n := s.QueryCount() - before; n != 2 {
		t.Errorf("%d Comuni queries and %d coverage queries took %d round trips, want 2", len(cq), len(vq), n)
	}
}

// BenchmarkImportEmpty times the import of the shipped dataset into an
// empty database (go test -bench ImportEmpty -benchtime 3x).
func BenchmarkImportEmpty(b *testing.B) {
	ds := shippedDataset(b)
	s := neo4jtest.Open(b)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		neo4jtest.Reset(b)
		b.StartTimer()
		if _, err := s.Import(ctx, ds, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(ds.Comuni)), "comuni")
}

// BenchmarkImportUnchanged times a second import of the same data.
func BenchmarkImportUnchanged(b *testing.B) {
	ds := shippedDataset(b)
	s := neo4jtest.Open(b)
	neo4jtest.Reset(b)
	ctx := context.Background()
	if _, err := s.Import(ctx, ds, nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Import(ctx, ds, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestImportRemovesUnusedGeography drops a region without Provinces and a
// Province with its Comuni and the network items that name it: the region
// goes; the Province stays retired while the old tutorships and project work
// refer to it, and goes when pruning removes them.
func TestImportRemovesUnusedGeography(t *testing.T) {
	ctx := context.Background()
	fx := storetest.Fixture()
	s := neo4jtest.Load(t, fx)

	const province = "022"
	withProvinces := map[string]bool{}
	for _, p := range fx.Provinces {
		withProvinces[p.RegionCode] = true
	}
	region := ""
	for _, r := range fx.Regions {
		if !withProvinces[r.Code] {
			region = r.Code
		}
	}
	if region == "" {
		t.Fatal("the fixture needs a region without Provinces")
	}
	next := storetest.Fixture()
	next.Regions = slices.DeleteFunc(next.Regions, func(r pcnet.Region) bool { return r.Code == region })
	next.Provinces = slices.DeleteFunc(next.Provinces, func(p pcnet.Province) bool { return p.Code == province })
	next.Comuni = slices.DeleteFunc(next.Comuni, func(c pcnet.Comune) bool { return c.ProvinceCode == province })
	next.Tutorships = slices.DeleteFunc(next.Tutorships, func(x pcnet.Tutorship) bool {
		return x.TutorCode == province || x.TutoredCode == province
	})
	next.ProjectWorks = slices.DeleteFunc(next.ProjectWorks, func(w pcnet.ProjectWork) bool { return w.ProvinceCode == province })
	for _, sv := range next.Services {
		if sv.ProviderCode == province {
			t.Fatalf("the test expects Province %s to provide no service", province)
		}
	}
	droppedComuni := len(fx.Comuni) - len(next.Comuni)
	droppedTutorships := len(fx.Tutorships) - len(next.Tutorships)
	droppedWorks := len(fx.ProjectWorks) - len(next.ProjectWorks)
	if droppedComuni == 0 || droppedTutorships+droppedWorks == 0 {
		t.Fatalf("Province %s should have Comuni and be named by the network", province)
	}

	sum, err := s.Import(ctx, next, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		entity                    string
		missing, deleted, retired int
	}{
		{"regions", 1, 1, 0},
		{"provinces", 1, 0, 1},
		{"comuni", droppedComuni, droppedComuni, 0},
		{"tutorships", droppedTutorships, 0, 0},
		{"project works", droppedWorks, 0, 0},
	} {
		got := sum.Entity(c.entity)
		if got.Missing != c.missing || got.Deleted != c.deleted || got.Retired != c.retired {
			t.Errorf("%s: missing/deleted/retired %d/%d/%d, want %d/%d/%d", c.entity, got.Missing, got.Deleted, got.Retired, c.missing, c.deleted, c.retired)
		}
	}
	if len(sum.Retired) != 1 || sum.Retired[0] != (neo4j.RetiredNode{Label: "Province", Code: province, Name: "Trento"}) {
		t.Errorf("retired: %+v", sum.Retired)
	}
	if regions, err := s.Regions(ctx, []string{region}); err != nil || len(regions) != 0 {
		t.Errorf("region %s after the import: %v, %v", region, regions, err)
	}

	pruned, err := s.ImportWith(ctx, next, neo4j.ImportOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := pruned.Entity("provinces"); got.Deleted != 1 || got.Retired != 0 {
		t.Errorf("provinces after pruning: %+v", got)
	}
	if got := pruned.Entity("tutorships"); got.Deleted != droppedTutorships {
		t.Errorf("tutorships pruned: %d, want %d", got.Deleted, droppedTutorships)
	}
	if got := pruned.Entity("project works"); got.Deleted != droppedWorks {
		t.Errorf("project works pruned: %d, want %d", got.Deleted, droppedWorks)
	}
	provinces, err := s.Provinces(ctx, pcnet.ProvinceFilter{Codes: []string{province}})
	if err != nil || len(provinces) != 0 {
		t.Errorf("Province %s after pruning: %v, %v", province, provinces, err)
	}
}
