package server_test

import (
	"regexp"
	"testing"

	"pcnet/internal/server"
)

// Every object type a client caches has an id no other object shares, so a
// normalising cache (Apollo, Relay, urql's graphcache) keeps them apart.
func TestGlobalIDs(t *testing.T) {
	ds, store := loadShipped(t)
	ts := newServer(t, store, server.Options{})
	type obj struct {
		ID   string
		Code string
	}
	var got struct {
		Regions []struct {
			obj
			Provinces []obj
		}
		Comuni  struct{ Edges []struct{ Node obj } }
		Sectors []struct {
			obj
			Areas    []obj
			Services []struct{ ID string }
		}
		Tutorships []struct{ ID string }
		Comune     struct {
			Coverages []struct{ ID string }
		}
	}
	run(t, ts, `{
		regions { id code provinces { id code } }
		comuni(first: 1000) { edges { node { id code } } }
		sectors { id code areas { id code } services { id } }
		tutorships { id }
		comune(istat: "108001") { coverages { id } }
	}`, nil, &got)

	seen := map[string]string{}
	check := func(kind, id, want string) {
		t.Helper()
		if want != "" && id != want {
			t.Errorf("%s id %q, want %q", kind, id, want)
		}
		if id == "" {
			t.Errorf("%s with an empty id", kind)
		}
		if other, dup := seen[id]; dup {
			t.Errorf("id %q of a %s is also the id of a %s", id, kind, other)
		}
		seen[id] = kind
	}
	for _, r := range got.Regions {
		check("Region", r.ID, "Region:"+r.Code)
		for _, p := range r.Provinces {
			check("Province", p.ID, "Province:"+p.Code)
		}
	}
	for _, e := range got.Comuni.Edges {
		check("Comune", e.Node.ID, "Comune:"+e.Node.Code)
	}
	for _, s := range got.Sectors {
		check("Sector", s.ID, "Sector:"+s.Code)
		for _, a := range s.Areas {
			check("Area", a.ID, "Area:"+a.Code)
		}
		for _, v := range s.Services {
			check("SharedService", v.ID, "")
		}
	}
	tutorshipID := regexp.MustCompile(`^Tutorship:\d{3}:\d{3}:[a-z-]+:\d{4}-\d{2}-\d{2}$`)
	for _, ts := range got.Tutorships {
		check("Tutorship", ts.ID, "")
		if !tutorshipID.MatchString(ts.ID) {
			t.Errorf("tutorship id %q", ts.ID)
		}
	}
	if len(got.Tutorships) != len(ds.Tutorships) {
		t.Errorf("%d tutorships, want %d", len(got.Tutorships), len(ds.Tutorships))
	}
	coverageID := regexp.MustCompile(`^Coverage:[^:]+:108001:\d{4}-\d{2}-\d{2}$`)
	for _, c := range got.Comune.Coverages {
		check("Coverage", c.ID, "")
		if !coverageID.MatchString(c.ID) {
			t.Errorf("coverage id %q", c.ID)
		}
	}
	if len(got.Regions) != len(ds.Regions) || len(got.Comuni.Edges) == 0 || len(got.Sectors) != len(ds.Sectors) {
		t.Fatalf("%d regions, %d Comuni, %d sectors: the query returned too little to check", len(got.Regions), len(got.Comuni.Edges), len(got.Sectors))
	}
}
