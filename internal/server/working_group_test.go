package server_test

import (
	"slices"
	"testing"

	"pcnet/internal/server"
)

// projectWorkGroup is a project work's adapted model and working group,
// as JSON.
type projectWorkGroup struct {
	ID        string
	ModelFrom *struct {
		ID   string
		Area struct{ Code string }
	}
	WorkingGroup struct {
		Name         string
		Area         struct{ Code string }
		Provinces    []struct{ Code string }
		ProjectWorks []struct{ ID string }
	}
}

// TestWorkingGroupsAndAdaptedModels reads every project work's adapted
// model and working group over HTTP and recomputes both from the shipped
// data: the model is ModelFromID's project work (null for none), the group
// is the area's, listing the area's project works by ID and their
// Provinces by code. However many project works, it costs three store
// calls: the list, the models by ID, the groups by area.
func TestWorkingGroupsAndAdaptedModels(t *testing.T) {
	ds, store := loadShipped(t)
	counting := newCountingStore(store)
	ts := newServer(t, counting, server.Options{})
	var got struct{ ProjectWorks []projectWorkGroup }
	run(t, ts, `{ projectWorks { id modelFrom { id area { code } }
		workingGroup { name area { code } provinces { code } projectWorks { id } } } }`, nil, &got)
	if calls := counting.snapshot()["ProjectWorks"]; calls != 3 {
		t.Errorf("%d ProjectWorks store calls, want 3 (list, models, groups)", calls)
	}

	areaName := map[string]string{}
	for _, s := range ds.Sectors {
		for _, a := range s.Areas {
			areaName[a.Code] = a.Name
		}
	}
	worksOf, provincesOf := map[string][]string{}, map[string][]string{}
	for _, w := range ds.ProjectWorks { // the dataset is not sorted: sort below
		worksOf[w.AreaCode] = append(worksOf[w.AreaCode], w.ID)
		provincesOf[w.AreaCode] = append(provincesOf[w.AreaCode], w.ProvinceCode)
	}
	if len(got.ProjectWorks) != len(ds.ProjectWorks) {
		t.Fatalf("%d project works, want %d", len(got.ProjectWorks), len(ds.ProjectWorks))
	}
	models := 0
	for _, w := range ds.ProjectWorks {
		i := slices.IndexFunc(got.ProjectWorks, func(g projectWorkGroup) bool { return g.ID == w.ID })
		if i < 0 {
			t.Errorf("project work %s missing", w.ID)
			continue
		}
		g := got.ProjectWorks[i]
		switch {
		case w.ModelFromID == "" && g.ModelFrom != nil:
			t.Errorf("%s: modelFrom %+v, want null", w.ID, g.ModelFrom)
		case w.ModelFromID != "" && (g.ModelFrom == nil || g.ModelFrom.ID != w.ModelFromID || g.ModelFrom.Area.Code != w.AreaCode):
			t.Errorf("%s: modelFrom %+v, want %s of area %s", w.ID, g.ModelFrom, w.ModelFromID, w.AreaCode)
		case w.ModelFromID != "":
			models++
		}
		wg := g.WorkingGroup
		if wg.Name != areaName[w.AreaCode] || wg.Area.Code != w.AreaCode {
			t.Errorf("%s: working group %q of %s, want %q of %s", w.ID, wg.Name, wg.Area.Code, areaName[w.AreaCode], w.AreaCode)
		}
		var ids, codes []string
		for _, x := range wg.ProjectWorks {
			ids = append(ids, x.ID)
		}
		for _, p := range wg.Provinces {
			codes = append(codes, p.Code)
		}
		wantIDs := slices.Sorted(slices.Values(worksOf[w.AreaCode]))
		wantCodes := slices.Compact(slices.Sorted(slices.Values(provincesOf[w.AreaCode])))
		if !slices.Equal(ids, wantIDs) || !slices.Equal(codes, wantCodes) {
			t.Errorf("%s: working group of project works %v and Provinces %v, want %v and %v", w.ID, ids, codes, wantIDs, wantCodes)
		}
	}
	if models == 0 {
		t.Error("the shipped network has no adapted model: the test checks nothing of modelFrom")
	}
}
