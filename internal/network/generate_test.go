package network_test

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"pcnet/internal/network"
	"pcnet/internal/pcnet"
)

func TestGenerateIsDeterministic(t *testing.T) {
	geo := shippedGeography(t)
	a, b := network.Generate(geo), network.Generate(geo)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs of Generate over the same geography differ")
	}
	var ea, eb bytes.Buffer
	if err := network.Encode(&ea, a); err != nil {
		t.Fatal(err)
	}
	if err := network.Encode(&eb, b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ea.Bytes(), eb.Bytes()) {
		t.Fatal("two runs of Generate encode differently")
	}
}

// Generate must not depend on the order of its input.
func TestGenerateIgnoresInputOrder(t *testing.T) {
	geo := shippedGeography(t)
	want := network.Generate(geo)
	reversed := pcnet.Geography{
		Regions:   slices.Clone(geo.Regions),
		Provinces: slices.Clone(geo.Provinces),
		Comuni:    slices.Clone(geo.Comuni),
	}
	slices.Reverse(reversed.Regions)
	slices.Reverse(reversed.Provinces)
	slices.Reverse(reversed.Comuni)
	if got := network.Generate(reversed); !reflect.DeepEqual(got, want) {
		t.Fatal("Generate over the geography in reverse order differs")
	}
}

// A geography without most of the tutor table still gives a valid network.
func TestGenerateSmallGeography(t *testing.T) {
	full := shippedGeography(t)
	keep := map[string]bool{"03": true, "19": true} // Lombardia, Sicilia
	var geo pcnet.Geography
	for _, r := range full.Regions {
		if keep[r.Code] {
			geo.Regions = append(geo.Regions, r)
		}
	}
	for _, p := range full.Provinces {
		if keep[p.RegionCode] {
			geo.Provinces = append(geo.Provinces, p)
		}
	}
	for _, c := range full.Comuni {
		if keep[c.RegionCode] {
			geo.Comuni = append(geo.Comuni, c)
		}
	}
	n := network.Generate(geo)
	if len(n.Tutorships) == 0 || len(n.Services) == 0 {
		t.Errorf("Generate over Lombardia and Sicily: %d tutorships, %d services; want some", len(n.Tutorships), len(n.Services))
	}
	d := pcnet.Dataset{Geography: geo, Network: n}
	if err := d.Validate(); err != nil {
		t.Fatalf("network over Lombardia and Sicily is invalid:\n%v", err)
	}
	if n := network.Generate(pcnet.Geography{}); len(n.Tutorships)+len(n.Services)+len(n.Coverages)+len(n.ProjectWorks) != 0 {
		t.Errorf("Generate over an empty geography: %+v; want an empty network", n)
	}
}

// inProgramme is the programme's scope as the domain note puts it: the
// Provinces of the ordinary-statute regions, and those of Sicily and
// Sardinia.
func inProgramme(p pcnet.Province) bool {
	special := map[string]bool{"02": true, "04": true, "06": true}
	return !special[p.RegionCode] && (p.Kind == pcnet.KindProvince || p.Kind == pcnet.KindFreeConsortium)
}

func onIslands(p pcnet.Province) bool { return p.RegionCode == "19" || p.RegionCode == "20" }

func date(s string) pcnet.Date { return pcnet.MustDate(s) }

// The shipped network is plausible: every figure below is computed from the
// data and checked against the ranges the generator promises.
func TestShippedNetworkIsPlausible(t *testing.T) {
	geo := shippedGeography(t)
	n := shippedNetwork(t)
	provinces := make(map[string]pcnet.Province)
	for _, p := range geo.Provinces {
		provinces[p.Code] = p
	}
	comuniOf := make(map[string][]pcnet.Comune)
	comuni := make(map[string]pcnet.Comune)
	for _, c := range geo.Comuni {
		comuniOf[c.ProvinceCode] = append(comuniOf[c.ProvinceCode], c)
		comuni[c.Code] = c
	}
	sectorOfArea := make(map[string]string)
	for _, s := range n.Sectors {
		for _, a := range s.Areas {
			sectorOfArea[a.Code] = s.Code
		}
	}

	t.Run("tutorships", func(t *testing.T) {
		checkTutorships(t, n, provinces)
	})

	t.Run("project works", func(t *testing.T) {
		type key struct{ province, sector string }
		covered := make(map[key]bool)
		maturities := make(map[pcnet.Maturity]int)
		withService := 0
		for _, w := range n.ProjectWorks {
			covered[key{w.ProvinceCode, sectorOfArea[w.AreaCode]}] = true
			maturities[w.Maturity]++
			if w.Year < 2023 || w.Year > 2026 {
				t.Errorf("project work %s: year %d outside 2023-2026", w.ID, w.Year)
			}
			// "La Spezia" is named "della Spezia" in a title.
			name := provinces[w.ProvinceCode].Name
			name = strings.TrimPrefix(strings.TrimPrefix(name, "La "), "L'")
			if !strings.Contains(w.Title, name) {
				t.Errorf("project work %s: title %q doesn't name its Province", w.ID, w.Title)
			}
			if w.ServiceID != "" {
				withService++
			}
		}
		for _, tu := range n.Tutorships {
			if !covered[key{tu.TutoredCode, tu.SectorCode}] {
				t.Errorf("%s, accompanied in %s, has no project work in that sector", tu.TutoredCode, tu.SectorCode)
			}
		}
		for _, m := range pcnet.Maturities {
			if share := float64(maturities[m]) / float64(len(n.ProjectWorks)); share < 0.15 {
				t.Errorf("%d of %d project works are %s; want a spread", maturities[m], len(n.ProjectWorks), m)
			}
		}
		if withService < len(n.ProjectWorks)/2 || withService == len(n.ProjectWorks) {
			t.Errorf("%d of %d project works led to a service; want many but not all", withService, len(n.ProjectWorks))
		}
		t.Logf("%d project works: %v; %d led to a service", len(n.ProjectWorks), maturities, withService)
	})

	t.Run("services", func(t *testing.T) {
		if len(n.Services) < 60 || len(n.Services) > 120 {
			t.Errorf("%d services; want 60-120", len(n.Services))
		}
		involved := make(map[string]bool)
		for _, tu := range n.Tutorships {
			involved[tu.TutorCode], involved[tu.TutoredCode] = true, true
		}
		statuses := make(map[pcnet.ServiceStatus]int)
		for _, s := range n.Services {
			statuses[s.Status]++
			if !involved[s.ProviderCode] {
				t.Errorf("service %s: provider %s neither tutors nor is accompanied", s.ID, s.ProviderCode)
			}
			if want := "svc-" + s.ProviderCode + "-" + s.AreaCode; s.ID != want {
				t.Errorf("service id %s; want %s", s.ID, want)
			}
			if s.StartDate.Before(date("2022-01-01")) || s.StartDate.After(date("2026-06-30")) {
				t.Errorf("service %s: starts %s, outside 2022-01-01..2026-06-30", s.ID, s.StartDate)
			}
			if !strings.HasSuffix(s.Description, "(esempio illustrativo)") {
				t.Errorf("service %s: description %q doesn't say it is illustrative", s.ID, s.Description)
			}
		}
		running := statuses[pcnet.StatusActive] + statuses[pcnet.StatusPilot]
		if running*10 < len(n.Services)*6 {
			t.Errorf("%d of %d services active or pilot; want most", running, len(n.Services))
		}
		for _, r := range statusRanges {
			if statuses[r.status] < r.lo || statuses[r.status] > r.hi {
				t.Errorf("%d %s services; want %d-%d", statuses[r.status], r.status, r.lo, r.hi)
			}
		}
		t.Logf("%d services: %v", len(n.Services), statuses)
	})

	t.Run("coverages", func(t *testing.T) {
		checkCoverages(t, n, provinces, comuniOf, comuni)
	})
}

// statusRanges says how many services of each status the network should
// have: mostly active and pilots, a few planned, one or two set back.
var statusRanges = []struct {
	status pcnet.ServiceStatus
	lo, hi int
}{
	{pcnet.StatusActive, 20, 120},
	{pcnet.StatusPilot, 5, 60},
	{pcnet.StatusPlanned, 3, 30},
	{pcnet.StatusSuspended, 1, 2},
	{pcnet.StatusEnded, 1, 2},
}

func checkTutorships(t *testing.T, n pcnet.Network, provinces map[string]pcnet.Province) {
	type key struct{ sector, province string }
	tutees := make(map[key]map[string]bool) // tutor → accompanied Provinces
	tutoredBy := make(map[key]int)          // accompanied Province → tutorships
	tutoringFrom := make(map[key]pcnet.Date)
	tutors := make(map[string]bool)
	steps := make(map[int]int)
	ended := 0
	for _, tu := range n.Tutorships {
		k := key{tu.SectorCode, tu.TutorCode}
		if tutees[k] == nil {
			tutees[k] = make(map[string]bool)
		}
		tutees[k][tu.TutoredCode] = true
		tutoredBy[key{tu.SectorCode, tu.TutoredCode}]++
		if from, ok := tutoringFrom[k]; !ok || tu.Since.Before(from) {
			tutoringFrom[k] = tu.Since
		}
		tutors[tu.TutorCode] = true
		steps[tu.Step]++
		if !tu.Until.IsZero() {
			ended++
		}
		name := fmt.Sprintf("%s→%s in %s", tu.TutorCode, tu.TutoredCode, tu.SectorCode)
		for _, code := range []string{tu.TutorCode, tu.TutoredCode} {
			if !inProgramme(provinces[code]) {
				t.Errorf("%s: %s (%s, %s) is outside the programme", name, code, provinces[code].Name, provinces[code].Kind)
			}
		}
		if tu.Since.Before(date("2022-01-01")) || tu.Since.After(date("2024-12-31")) {
			t.Errorf("%s: starts %s, outside 2022-2024", name, tu.Since)
		}
		if onIslands(provinces[tu.TutoredCode]) && tu.Since.Before(date("2024-01-01")) {
			t.Errorf("%s: starts %s, before Sicily and Sardinia joined in 2024", name, tu.Since)
		}
	}

	if len(tutors) < 17 || len(tutors) > 23 {
		t.Errorf("%d tutor Provinces; want 20±3", len(tutors))
	}
	for k, set := range tutees {
		if len(set) < 2 || len(set) > 6 {
			t.Errorf("%s tutors %d Provinces in %s; want 2-6", k.province, len(set), k.sector)
		}
	}
	for k, count := range tutoredBy {
		if count > 1 {
			t.Errorf("%s is accompanied %d times in %s; want at most once", k.province, count, k.sector)
		}
	}
	// A tutor may have been accompanied in its sector, but only before it
	// started tutoring.
	for _, tu := range n.Tutorships {
		from, ok := tutoringFrom[key{tu.SectorCode, tu.TutoredCode}]
		if ok && (tu.Until.IsZero() || tu.Until.After(from)) {
			t.Errorf("%s tutors in %s from %s while still accompanied by %s (%s to %s)",
				tu.TutoredCode, tu.SectorCode, from, tu.TutorCode, tu.Since, tu.Until)
		}
	}
	for step := 1; step <= pcnet.MaxTutorshipStep; step++ {
		if steps[step] < len(n.Tutorships)/10 {
			t.Errorf("%d of %d tutorships at step %d; want a spread", steps[step], len(n.Tutorships), step)
		}
	}
	if ended == 0 || ended > len(n.Tutorships)/4 {
		t.Errorf("%d of %d tutorships ended; want a few", ended, len(n.Tutorships))
	}
	if len(tutees[key{"personnel", "108"}]) == 0 {
		t.Error("Monza e della Brianza (108) tutors no one in personnel")
	}

	// Chains: the longest path of tutorships in a sector. Each path is
	// walked from its start; a cycle would show as a path longer than the
	// number of tutorships.
	depth := 0
	var walk func(sector, province string, length int)
	walk = func(sector, province string, length int) {
		if length > len(n.Tutorships) {
			t.Fatalf("tutorships in %s form a cycle through %s", sector, province)
		}
		depth = max(depth, length)
		for tutee := range tutees[key{sector, province}] {
			walk(sector, tutee, length+1)
		}
	}
	for k := range tutees {
		walk(k.sector, k.province, 0)
	}
	if depth < 2 {
		t.Errorf("longest tutor chain has %d links; want at least 2", depth)
	}
	t.Logf("%d tutor Provinces, %d tutorships, steps %v, %d ended, longest chain %d", len(tutors), len(n.Tutorships), steps, ended, depth)
}

func checkCoverages(t *testing.T, n pcnet.Network, provinces map[string]pcnet.Province, comuniOf map[string][]pcnet.Comune, comuni map[string]pcnet.Comune) {
	if len(n.Coverages) < 1000 || len(n.Coverages) >= 15000 {
		t.Errorf("%d coverages; want a few thousand, fewer than 15,000", len(n.Coverages))
	}
	byService := make(map[string][]pcnet.Coverage)
	for _, c := range n.Coverages {
		byService[c.ServiceID] = append(byService[c.ServiceID], c)
		if c.Since.After(date("2026-11-30")) || c.Until.After(date("2026-11-30")) {
			t.Errorf("coverage %s→%s: %s to %s, after November 2026", c.ServiceID, c.ComuneCode, c.Since, c.Until)
		}
	}
	endedCoverages, mostOfProvince := 0, 0
	for _, s := range n.Services {
		covs := byService[s.ID]
		var pilot []pcnet.Coverage
		capitalInPilot := false
		for _, c := range covs {
			if c.Phase == pcnet.PhasePilot {
				pilot = append(pilot, c)
				capitalInPilot = capitalInPilot || comuni[c.ComuneCode].Capital
			}
			if s.Status == pcnet.StatusEnded && c.Until.IsZero() {
				t.Errorf("coverage %s→%s is open, but the service has ended", s.ID, c.ComuneCode)
			}
			if s.Status != pcnet.StatusEnded && !c.Until.IsZero() {
				endedCoverages++
			}
			if s.Status == pcnet.StatusPilot && c.Phase != pcnet.PhasePilot {
				t.Errorf("coverage %s→%s is in phase %s, but the service is a pilot", s.ID, c.ComuneCode, c.Phase)
			}
		}
		if s.Status == pcnet.StatusPlanned {
			if len(covs) > 0 {
				t.Errorf("planned service %s covers %d Comuni; want none", s.ID, len(covs))
			}
			continue
		}
		province := comuniOf[s.ProviderCode]
		if want := min(2, len(province)); len(pilot) < want || len(pilot) > 8 {
			t.Errorf("service %s: pilot of %d Comuni; want 2-8", s.ID, len(pilot))
		}
		if !capitalInPilot {
			t.Errorf("service %s: the pilot leaves out the capital of %s", s.ID, provinces[s.ProviderCode].Name)
		}
		if len(covs)*10 >= len(province)*8 {
			mostOfProvince++
		}
	}
	if endedCoverages == 0 {
		t.Error("no coverage of a running service has ended; want a few")
	}
	if mostOfProvince < 3 {
		t.Errorf("%d services reach 80%% of their Province; want a few", mostOfProvince)
	}

	// Coverage grows year by year.
	activeOn := func(d pcnet.Date) int {
		k := 0
		for _, c := range n.Coverages {
			if c.Period().ActiveOn(d) {
				k++
			}
		}
		return k
	}
	previous := 0
	for year := 2022; year <= 2026; year++ {
		k := activeOn(pcnet.NewDate(year, time.November, 30))
		if k <= previous {
			t.Errorf("coverages active on %d-11-30: %d, not more than the year before (%d)", year, k, previous)
		}
		previous = k
	}
	t.Logf("%d coverages; active on 2022-11-30: %d, on 2026-11-30: %d; %d ended early; %d services reach 80%% of their Province",
		len(n.Coverages), activeOn(date("2022-11-30")), previous, endedCoverages, mostOfProvince)
}
