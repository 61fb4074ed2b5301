package network

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"pcnet/internal/pcnet"
)

// programme generates how the illustrative programme is run, from the
// network Generate made: who takes part since when, the dates of each
// path's steps, the project works' sections, rollout plans and Pi.Co.
// materials. It draws from its own random source, so adding it left the
// rest of the generated network exactly as it was.
func programme(geo pcnet.Geography, n pcnet.Network) pcnet.Programme {
	rng := rand.New(rand.NewPCG(seedHigh, seedLow+1))
	between := func(from, to pcnet.Date) pcnet.Date {
		days := int(to.Time().Sub(from.Time()).Hours() / 24)
		if days <= 0 {
			return from
		}
		return addDays(from, rng.IntN(days+1))
	}
	var p pcnet.Programme
	// Everything is visited in code order, whatever the order of geo.
	byCode := slices.Clone(geo.Provinces)
	slices.SortFunc(byCode, func(a, b pcnet.Province) int { return strings.Compare(a.Code, b.Code) })
	provinces := make(map[string]pcnet.Province, len(geo.Provinces))
	for _, pr := range byCode {
		provinces[pr.Code] = pr
	}

	// Participation: every programme Province in every sector, from the
	// start or, in Sicily and Sardinia, from 2024; plus any other Province
	// the network has active in a sector, from its first activity there.
	first := make(map[tutorKey]pcnet.Date)
	note := func(sector, province string, d pcnet.Date) {
		k := tutorKey{sector, province}
		if old, ok := first[k]; !ok || d.Before(old) {
			first[k] = d
		}
	}
	areaSector := make(map[string]string)
	for _, s := range n.Sectors {
		for _, a := range s.Areas {
			areaSector[a.Code] = s.Code
		}
	}
	for _, t := range n.Tutorships {
		note(t.SectorCode, t.TutorCode, t.Since)
		note(t.SectorCode, t.TutoredCode, t.Since)
	}
	for _, s := range n.Services {
		note(areaSector[s.AreaCode], s.ProviderCode, s.StartDate)
	}
	for _, s := range n.Sectors {
		for _, pr := range byCode {
			since, active := first[tutorKey{s.Code, pr.Code}]
			switch {
			case inProgramme(pr) && onIslands(pr):
				since = earliest(islandsJoin, orZero(since, active, islandsJoin))
			case inProgramme(pr):
				since = earliest(programmeStart, orZero(since, active, programmeStart))
			case !active:
				continue
			}
			p.Participations = append(p.Participations, pcnet.Participation{ProvinceCode: pr.Code, SectorCode: s.Code, Since: since})
		}
	}

	// The path: step 1 on the day the tutorship starts, the later steps
	// spread over its period (up to the closing webinar for open ones).
	for _, t := range n.Tutorships {
		end := webinar
		if !t.Until.IsZero() {
			end = t.Until
		}
		span := int(end.Time().Sub(t.Since.Time()).Hours() / 24)
		for step := 1; step <= t.Step; step++ {
			reached := t.Since
			if step > 1 && span > 2*t.Step {
				slot := span / t.Step
				reached = addDays(t.Since, (step-1)*slot+rng.IntN(max(slot/2, 1)))
			}
			if !reached.Before(end) {
				reached = addDays(end, -1)
			}
			p.PathSteps = append(p.PathSteps, pcnet.PathStep{
				TutorCode: t.TutorCode, TutoredCode: t.TutoredCode, SectorCode: t.SectorCode,
				TutorshipSince: t.Since, Step: step, Reached: reached,
			})
		}
	}

	// The common structure of each project work.
	services := make(map[string]pcnet.SharedService, len(n.Services))
	for _, s := range n.Services {
		services[s.ID] = s
	}
	comuni := make(map[string][]pcnet.Comune)
	sortedComuni := slices.Clone(geo.Comuni)
	slices.SortFunc(sortedComuni, func(a, b pcnet.Comune) int { return strings.Compare(a.Code, b.Code) })
	for _, c := range sortedComuni {
		comuni[c.ProvinceCode] = append(comuni[c.ProvinceCode], c)
	}
	areaName := make(map[string]string)
	for _, s := range n.Sectors {
		for _, a := range s.Areas {
			areaName[a.Code] = a.Name
		}
	}
	for _, w := range n.ProjectWorks {
		pr := provinces[w.ProvinceCode]
		small := 0
		for _, c := range comuni[w.ProvinceCode] {
			if c.Small() {
				small++
			}
		}
		target := 10 + 5*rng.IntN(9)
		texts := map[pcnet.SectionKind]string{
			pcnet.SectionContext: fmt.Sprintf("%s: %d Comuni, di cui %d piccoli Comuni sotto i 5.000 abitanti.",
				pr.Name, len(comuni[w.ProvinceCode]), small),
			pcnet.SectionObjectives: fmt.Sprintf("Offrire ai Comuni un servizio associato di %s entro %d.",
				lowerFirst(areaName[w.AreaCode]), w.Year+1+rng.IntN(2)),
			pcnet.SectionOrganisation: organisation[rng.IntN(len(organisation))],
			pcnet.SectionResources: fmt.Sprintf("%d persone della Provincia, %d referenti comunali.",
				2+rng.IntN(6), 3+rng.IntN(12)),
			pcnet.SectionTimeline: fmt.Sprintf("Sperimentazione nel %d, estensione progressiva in %d ondate.",
				w.Year, 2+rng.IntN(3)),
			pcnet.SectionIndicators: indicators[rng.IntN(len(indicators))],
			pcnet.SectionTargetComuni: fmt.Sprintf("%d%% dei Comuni della Provincia, a partire dai piccoli Comuni.",
				target),
		}
		// Developing project works haven't written every section yet.
		for i, k := range pcnet.SectionKinds {
			if w.Maturity == pcnet.MaturityDeveloping && i >= 5 {
				break
			}
			p.Sections = append(p.Sections, pcnet.ProjectWorkSection{ProjectWorkID: w.ID, Section: k, Text: texts[k]})
		}
	}

	// Rollout plans: the Comuni each rolled-out service was to reach, by
	// wave. Most arrived on time; some planned Comuni were reached late or
	// not yet, and later waves lie in the future.
	covered := make(map[string]map[string]pcnet.Date) // service → Comune → first coverage
	for _, c := range n.Coverages {
		m := covered[c.ServiceID]
		if m == nil {
			m = make(map[string]pcnet.Date)
			covered[c.ServiceID] = m
		}
		if d, ok := m[c.ComuneCode]; !ok || c.Since.Before(d) {
			m[c.ComuneCode] = c.Since
		}
	}
	for _, s := range n.Services {
		if s.Status == pcnet.StatusEnded || s.Status == pcnet.StatusPlanned {
			continue
		}
		cs := comuni[s.ProviderCode]
		wave1 := s.StartDate.AddMonths(6)
		var plan []pcnet.Comune
		for _, c := range cs {
			if _, ok := covered[s.ID][c.Code]; ok || rng.Float64() < 0.12 {
				plan = append(plan, c)
			}
		}
		for _, c := range plan {
			since, ok := covered[s.ID][c.Code]
			var due pcnet.Date
			switch {
			case ok && rng.Float64() < 0.15:
				due = addDays(since, -30-rng.IntN(120)) // reached late
			case ok:
				due = addDays(since, rng.IntN(60))
			default:
				due = between(wave1, pcnet.NewDate(2027, time.June, 30))
			}
			due = latest(due, s.StartDate)
			wave := 1 + max(0, monthsBetween(s.StartDate, due)/6)
			p.RolloutTargets = append(p.RolloutTargets, pcnet.RolloutTarget{ServiceID: s.ID, ComuneCode: c.Code, Wave: wave, Due: due})
		}
	}

	// Pi.Co.: each project work is published, each active service shares
	// its agreement template, each area has a tool and each sector the
	// slides of the closing webinar.
	const base = "https://pico.example.org/materiali/"
	for _, s := range n.Sectors {
		id := "mat-" + s.Code + "-webinar"
		p.Materials = append(p.Materials, pcnet.Material{ID: id, Title: "Webinar conclusivo: " + s.Name, Kind: pcnet.MaterialSlides,
			URL: base + id, SectorCode: s.Code, Published: webinar})
		for _, a := range s.Areas {
			id := "mat-" + a.Code + "-toolkit"
			p.Materials = append(p.Materials, pcnet.Material{ID: id, Title: "Kit operativo: " + a.Name, Kind: pcnet.MaterialTool,
				URL: base + id, SectorCode: s.Code, AreaCode: a.Code, Published: between(programmeStart.AddMonths(6), lastTutorship)})
		}
	}
	for _, w := range n.ProjectWorks {
		id := "mat-" + w.ID
		p.Materials = append(p.Materials, pcnet.Material{ID: id, Title: "Project Work: " + w.Title, Kind: pcnet.MaterialDocument,
			URL: base + id, SectorCode: areaSector[w.AreaCode], AreaCode: w.AreaCode, ProjectWorkID: w.ID,
			Published: between(pcnet.NewDate(w.Year, time.January, 1), pcnet.NewDate(w.Year, time.December, 31))})
	}
	for _, s := range n.Services {
		if s.Status != pcnet.StatusActive {
			continue
		}
		id := "mat-" + s.ID + "-convenzione"
		p.Materials = append(p.Materials, pcnet.Material{ID: id, Title: "Schema di convenzione: " + s.Name, Kind: pcnet.MaterialTemplate,
			URL: base + id, SectorCode: areaSector[s.AreaCode], AreaCode: s.AreaCode, ServiceID: s.ID,
			Published: latest(s.StartDate, between(s.StartDate, s.StartDate.AddMonths(3)))})
	}

	// Pilots: each service whose first Comuni joined in the pilot phase
	// was trialled with them, from the first of those coverages. A service
	// still in pilot is running it; the others were decided after six
	// months (or when the rollout began): active ones extended, suspended
	// ones revised, ended ones stopped. No random draws, so the rest of
	// the programme stays as it was.
	for _, s := range n.Services {
		var scope []string
		var since, rollout pcnet.Date
		for _, c := range n.Coverages {
			if c.ServiceID != s.ID {
				continue
			}
			switch {
			case c.Phase == pcnet.PhasePilot:
				scope = append(scope, c.ComuneCode)
				if since.IsZero() || c.Since.Before(since) {
					since = c.Since
				}
			case rollout.IsZero() || c.Since.Before(rollout):
				rollout = c.Since
			}
		}
		if len(scope) == 0 {
			continue
		}
		pl := pcnet.Pilot{ID: "pilot-" + strings.TrimPrefix(s.ID, "svc-"), Title: "Sperimentazione: " + s.Name,
			ProvinceCode: s.ProviderCode, ServiceID: s.ID, SectorCode: areaSector[s.AreaCode],
			ComuneCodes: slices.Compact(slices.Sorted(slices.Values(scope))), Since: since}
		decision := map[pcnet.ServiceStatus]pcnet.PilotDecision{
			pcnet.StatusActive: pcnet.PilotExtend, pcnet.StatusSuspended: pcnet.PilotRevise, pcnet.StatusEnded: pcnet.PilotStop,
		}[s.Status]
		if decision != "" {
			pl.Until = since.AddMonths(6)
			if rollout.After(since) && rollout.Before(pl.Until) {
				pl.Until = rollout
			}
			pl.Decision = decision
			pl.Evaluation = fmt.Sprintf("%d Comuni nella sperimentazione: %s", len(pl.ComuneCodes), evaluations[decision])
		}
		p.Pilots = append(p.Pilots, pl)
	}
	return p.Sorted()
}

// evaluations are the illustrative evaluations of the generated pilots.
var evaluations = map[pcnet.PilotDecision]string{
	pcnet.PilotExtend: "obiettivi raggiunti, si estende agli altri Comuni.",
	pcnet.PilotRevise: "risultati parziali, il modello organizzativo va rivisto.",
	pcnet.PilotStop:   "costi superiori ai benefici attesi, la sperimentazione si chiude.",
}

var organisation = []string{
	"Ufficio unico provinciale con sportelli territoriali.",
	"Rete di referenti comunali coordinata dalla Provincia.",
	"Convenzione tra Provincia e Comuni con un ufficio associato.",
	"Centro di competenza provinciale e comunità di pratica dei Comuni.",
}

var indicators = []string{
	"Comuni aderenti, ore erogate, soddisfazione dei partecipanti.",
	"Procedure gestite, tempi medi, risparmi per i Comuni.",
	"Comuni raggiunti, abitanti serviti, piccoli Comuni coinvolti.",
}

func orZero(d pcnet.Date, ok bool, fallback pcnet.Date) pcnet.Date {
	if ok {
		return d
	}
	return fallback
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if r[0] >= 'A' && r[0] <= 'Z' {
		r[0] += 'a' - 'A'
	}
	return string(r)
}
