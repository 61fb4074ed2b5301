package network

import (
	"encoding/json"
	"fmt"

	"pcnet/internal/pcnet"
)

// The programme's lists in the network file (FORMAT.md, "Programme"). They
// live apart from format.go so that the network's core format and the
// programme can change independently.

type programmeJSON struct {
	Participations []json.RawMessage `json:"participations,omitempty"`
	PathSteps      []json.RawMessage `json:"pathSteps,omitempty"`
	Sections       []json.RawMessage `json:"sections,omitempty"`
	RolloutTargets []json.RawMessage `json:"rolloutTargets,omitempty"`
	Materials      []json.RawMessage `json:"materials,omitempty"`
	Pilots         []json.RawMessage `json:"pilots,omitempty"`
}

type participationJSON struct {
	ProvinceCode string  `json:"provinceCode"`
	SectorCode   string  `json:"sectorCode"`
	Since        string  `json:"since"`
	Until        *string `json:"until,omitempty"`
}

type pathStepJSON struct {
	TutorCode      string `json:"tutorCode"`
	TutoredCode    string `json:"tutoredCode"`
	SectorCode     string `json:"sectorCode"`
	TutorshipSince string `json:"tutorshipSince"`
	Step           *int   `json:"step"`
	Reached        string `json:"reached"`
}

type sectionJSON struct {
	ProjectWorkID string `json:"projectWorkId"`
	Section       string `json:"section"`
	Text          string `json:"text"`
}

type rolloutTargetJSON struct {
	ServiceID  string `json:"serviceId"`
	ComuneCode string `json:"comuneCode"`
	Wave       *int   `json:"wave"`
	Due        string `json:"due"`
}

type materialJSON struct {
	ID            string `json:"id"`
	Title         string `json:"title"`
	Kind          string `json:"kind"`
	URL           string `json:"url"`
	SectorCode    string `json:"sectorCode"`
	AreaCode      string `json:"areaCode,omitempty"`
	ServiceID     string `json:"serviceId,omitempty"`
	ProjectWorkID string `json:"projectWorkId,omitempty"`
	PilotID       string `json:"pilotId,omitempty"`
	Published     string `json:"published"`
}

type pilotJSON struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	ProvinceCode string   `json:"provinceCode"`
	ServiceID    string   `json:"serviceId,omitempty"`
	SectorCode   string   `json:"sectorCode"`
	ComuneCodes  []string `json:"comuneCodes"`
	Since        string   `json:"since"`
	Until        *string  `json:"until,omitempty"`
	Evaluation   string   `json:"evaluation,omitempty"`
	Decision     string   `json:"decision,omitempty"`
}

// encodeProgramme writes the programme's lists, each preceded by a comma
// (the list before them has none), one element a line; empty lists are
// left out so that a network without a programme reads as before.
func (e *encoder) programme(p pcnet.Programme) {
	list := func(name string, n int, item func(i int) any) {
		if n == 0 {
			return
		}
		e.raw(",\n  \"" + name + "\": [")
		for i := range n {
			e.separator(i)
			e.raw("    ")
			e.value(item(i))
		}
		e.raw("\n  ]")
	}
	list("participations", len(p.Participations), func(i int) any {
		x := p.Participations[i]
		return participationJSON{x.ProvinceCode, x.SectorCode, dateString(x.Since), optionalDate(x.Until)}
	})
	list("pathSteps", len(p.PathSteps), func(i int) any {
		x := p.PathSteps[i]
		return pathStepJSON{x.TutorCode, x.TutoredCode, x.SectorCode, dateString(x.TutorshipSince), &x.Step, dateString(x.Reached)}
	})
	list("sections", len(p.Sections), func(i int) any {
		x := p.Sections[i]
		return sectionJSON{x.ProjectWorkID, string(x.Section), x.Text}
	})
	list("rolloutTargets", len(p.RolloutTargets), func(i int) any {
		x := p.RolloutTargets[i]
		return rolloutTargetJSON{x.ServiceID, x.ComuneCode, &x.Wave, dateString(x.Due)}
	})
	list("materials", len(p.Materials), func(i int) any {
		x := p.Materials[i]
		return materialJSON{x.ID, x.Title, string(x.Kind), x.URL, x.SectorCode, x.AreaCode, x.ServiceID, x.ProjectWorkID, x.PilotID, dateString(x.Published)}
	})
	list("pilots", len(p.Pilots), func(i int) any {
		x := p.Pilots[i]
		return pilotJSON{x.ID, x.Title, x.ProvinceCode, x.ServiceID, x.SectorCode, x.ComuneCodes, dateString(x.Since), optionalDate(x.Until), x.Evaluation, string(x.Decision)}
	})
}

// programme decodes the programme's lists element by element, each
// problem named by its path, as for the rest of the file.
func (d *decoder) programme(raw programmeJSON) pcnet.Programme {
	var p pcnet.Programme
	for i, m := range raw.Participations {
		path := fmt.Sprintf("participations[%d]", i)
		var j participationJSON
		if !d.element(path, m, &j) {
			continue
		}
		x := pcnet.Participation{ProvinceCode: j.ProvinceCode, SectorCode: j.SectorCode}
		ok := d.provinceCode(path+".provinceCode", j.ProvinceCode)
		ok = d.required(path+".sectorCode", j.SectorCode) && ok
		x.Since, ok = d.date(path+".since", j.Since, ok)
		x.Until, ok = d.optionalDate(path+".until", j.Until, ok)
		if ok {
			p.Participations = append(p.Participations, x)
		}
	}
	for i, m := range raw.PathSteps {
		path := fmt.Sprintf("pathSteps[%d]", i)
		var j pathStepJSON
		if !d.element(path, m, &j) {
			continue
		}
		x := pcnet.PathStep{TutorCode: j.TutorCode, TutoredCode: j.TutoredCode, SectorCode: j.SectorCode}
		ok := d.provinceCode(path+".tutorCode", j.TutorCode)
		ok = d.provinceCode(path+".tutoredCode", j.TutoredCode) && ok
		ok = d.required(path+".sectorCode", j.SectorCode) && ok
		x.TutorshipSince, ok = d.date(path+".tutorshipSince", j.TutorshipSince, ok)
		x.Step, ok = d.number(path+".step", j.Step, ok)
		x.Reached, ok = d.date(path+".reached", j.Reached, ok)
		if ok {
			p.PathSteps = append(p.PathSteps, x)
		}
	}
	for i, m := range raw.Sections {
		path := fmt.Sprintf("sections[%d]", i)
		var j sectionJSON
		if !d.element(path, m, &j) {
			continue
		}
		x := pcnet.ProjectWorkSection{ProjectWorkID: j.ProjectWorkID, Text: j.Text}
		ok := d.required(path+".projectWorkId", j.ProjectWorkID)
		ok = d.required(path+".text", j.Text) && ok
		x.Section, ok = enum(d, path+".section", "section", j.Section, pcnet.SectionKinds, ok)
		if ok {
			p.Sections = append(p.Sections, x)
		}
	}
	for i, m := range raw.RolloutTargets {
		path := fmt.Sprintf("rolloutTargets[%d]", i)
		var j rolloutTargetJSON
		if !d.element(path, m, &j) {
			continue
		}
		x := pcnet.RolloutTarget{ServiceID: j.ServiceID, ComuneCode: j.ComuneCode}
		ok := d.required(path+".serviceId", j.ServiceID)
		ok = d.comuneCode(path+".comuneCode", j.ComuneCode) && ok
		x.Wave, ok = d.number(path+".wave", j.Wave, ok)
		x.Due, ok = d.date(path+".due", j.Due, ok)
		if ok {
			p.RolloutTargets = append(p.RolloutTargets, x)
		}
	}
	for i, m := range raw.Materials {
		path := fmt.Sprintf("materials[%d]", i)
		var j materialJSON
		if !d.element(path, m, &j) {
			continue
		}
		x := pcnet.Material{ID: j.ID, Title: j.Title, URL: j.URL, SectorCode: j.SectorCode, AreaCode: j.AreaCode, ServiceID: j.ServiceID, ProjectWorkID: j.ProjectWorkID, PilotID: j.PilotID}
		ok := d.required(path+".id", j.ID)
		ok = d.required(path+".title", j.Title) && ok
		ok = d.required(path+".url", j.URL) && ok
		ok = d.required(path+".sectorCode", j.SectorCode) && ok
		x.Kind, ok = enum(d, path+".kind", "kind", j.Kind, pcnet.MaterialKinds, ok)
		x.Published, ok = d.date(path+".published", j.Published, ok)
		if ok {
			p.Materials = append(p.Materials, x)
		}
	}
	for i, m := range raw.Pilots {
		path := fmt.Sprintf("pilots[%d]", i)
		var j pilotJSON
		if !d.element(path, m, &j) {
			continue
		}
		x := pcnet.Pilot{ID: j.ID, Title: j.Title, ProvinceCode: j.ProvinceCode, ServiceID: j.ServiceID, SectorCode: j.SectorCode, Evaluation: j.Evaluation}
		ok := d.required(path+".id", j.ID)
		ok = d.required(path+".title", j.Title) && ok
		ok = d.provinceCode(path+".provinceCode", j.ProvinceCode) && ok
		ok = d.required(path+".sectorCode", j.SectorCode) && ok
		if len(j.ComuneCodes) == 0 {
			d.addf(path+".comuneCodes", "at least one comune expected")
			ok = false
		}
		for k, c := range j.ComuneCodes {
			ok = d.comuneCode(fmt.Sprintf("%s.comuneCodes[%d]", path, k), c) && ok
		}
		x.ComuneCodes = j.ComuneCodes
		x.Since, ok = d.date(path+".since", j.Since, ok)
		x.Until, ok = d.optionalDate(path+".until", j.Until, ok)
		if j.Decision != "" {
			x.Decision, ok = enum(d, path+".decision", "decision", j.Decision, pcnet.PilotDecisions, ok)
		}
		if ok {
			p.Pilots = append(p.Pilots, x)
		}
	}
	return p
}
