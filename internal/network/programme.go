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
	programmeList(e, "participations", p.Participations, func(x pcnet.Participation) participationJSON {
		return participationJSON{x.ProvinceCode, x.SectorCode, dateString(x.Since), optionalDate(x.Until)}
	})
	programmeList(e, "pathSteps", p.PathSteps, func(x pcnet.PathStep) pathStepJSON {
		return pathStepJSON{x.TutorCode, x.TutoredCode, x.SectorCode, dateString(x.TutorshipSince), &x.Step, dateString(x.Reached)}
	})
	programmeList(e, "sections", p.Sections, func(x pcnet.ProjectWorkSection) sectionJSON {
		return sectionJSON{x.ProjectWorkID, string(x.Section), x.Text}
	})
	programmeList(e, "rolloutTargets", p.RolloutTargets, func(x pcnet.RolloutTarget) rolloutTargetJSON {
		return rolloutTargetJSON{x.ServiceID, x.ComuneCode, &x.Wave, dateString(x.Due)}
	})
	programmeList(e, "materials", p.Materials, func(x pcnet.Material) materialJSON {
		return materialJSON{x.ID, x.Title, string(x.Kind), x.URL, x.SectorCode, x.AreaCode, x.ServiceID, x.ProjectWorkID, x.PilotID, dateString(x.Published)}
	})
	programmeList(e, "pilots", p.Pilots, func(x pcnet.Pilot) pilotJSON {
		return pilotJSON{x.ID, x.Title, x.ProvinceCode, x.ServiceID, x.SectorCode, x.ComuneCodes, dateString(x.Since), optionalDate(x.Until), x.Evaluation, string(x.Decision)}
	})
}

// programmeList writes one of the programme's lists, unless it is empty.
func programmeList[T, R any](e *encoder, name string, xs []T, record func(T) R) {
	if len(xs) == 0 {
		return
	}
	e.raw(",\n  \"" + name + "\": [")
	writeElements(e, xs, record)
	e.raw("\n  ]")
}

// programme decodes the programme's lists element by element, each
// problem named by its path, as for the rest of the file.
func (d *decoder) programme(raw programmeJSON) pcnet.Programme {
	return pcnet.Programme{
		Participations: decodeList(d, "participations", raw.Participations, d.participation),
		PathSteps:      decodeList(d, "pathSteps", raw.PathSteps, d.pathStep),
		Sections:       decodeList(d, "sections", raw.Sections, d.section),
		RolloutTargets: decodeList(d, "rolloutTargets", raw.RolloutTargets, d.rolloutTarget),
		Materials:      decodeList(d, "materials", raw.Materials, d.material),
		Pilots:         decodeList(d, "pilots", raw.Pilots, d.pilot),
	}
}

func (d *decoder) participation(path string, j participationJSON) (pcnet.Participation, bool) {
	x := pcnet.Participation{ProvinceCode: j.ProvinceCode, SectorCode: j.SectorCode}
	return x, d.fields(path, provinceField("provinceCode", j.ProvinceCode), requiredField("sectorCode", j.SectorCode),
		dateField("since", j.Since, &x.Since), optionalDateField("until", j.Until, &x.Until))
}

func (d *decoder) pathStep(path string, j pathStepJSON) (pcnet.PathStep, bool) {
	x := pcnet.PathStep{TutorCode: j.TutorCode, TutoredCode: j.TutoredCode, SectorCode: j.SectorCode}
	return x, d.fields(path, provinceField("tutorCode", j.TutorCode), provinceField("tutoredCode", j.TutoredCode), requiredField("sectorCode", j.SectorCode),
		dateField("tutorshipSince", j.TutorshipSince, &x.TutorshipSince), numberField("step", j.Step, &x.Step), dateField("reached", j.Reached, &x.Reached))
}

func (d *decoder) section(path string, j sectionJSON) (pcnet.ProjectWorkSection, bool) {
	x := pcnet.ProjectWorkSection{ProjectWorkID: j.ProjectWorkID, Text: j.Text}
	return x, d.fields(path, requiredField("projectWorkId", j.ProjectWorkID), requiredField("text", j.Text),
		enumField("section", j.Section, pcnet.SectionKinds, &x.Section))
}

func (d *decoder) rolloutTarget(path string, j rolloutTargetJSON) (pcnet.RolloutTarget, bool) {
	x := pcnet.RolloutTarget{ServiceID: j.ServiceID, ComuneCode: j.ComuneCode}
	return x, d.fields(path, requiredField("serviceId", j.ServiceID), comuneField("comuneCode", j.ComuneCode),
		numberField("wave", j.Wave, &x.Wave), dateField("due", j.Due, &x.Due))
}

func (d *decoder) material(path string, j materialJSON) (pcnet.Material, bool) {
	x := pcnet.Material{ID: j.ID, Title: j.Title, URL: j.URL, SectorCode: j.SectorCode, AreaCode: j.AreaCode, ServiceID: j.ServiceID, ProjectWorkID: j.ProjectWorkID, PilotID: j.PilotID}
	return x, d.fields(path, requiredField("id", j.ID), requiredField("title", j.Title), requiredField("url", j.URL), requiredField("sectorCode", j.SectorCode),
		enumField("kind", j.Kind, pcnet.MaterialKinds, &x.Kind), dateField("published", j.Published, &x.Published))
}

func (d *decoder) pilot(path string, j pilotJSON) (pcnet.Pilot, bool) {
	x := pcnet.Pilot{ID: j.ID, Title: j.Title, ProvinceCode: j.ProvinceCode, ServiceID: j.ServiceID, SectorCode: j.SectorCode, ComuneCodes: j.ComuneCodes, Evaluation: j.Evaluation}
	ok := d.fields(path, requiredField("id", j.ID), requiredField("title", j.Title), provinceField("provinceCode", j.ProvinceCode), requiredField("sectorCode", j.SectorCode))
	if len(j.ComuneCodes) == 0 {
		d.addf(path+".comuneCodes", "at least one comune expected")
		ok = false
	}
	for k, c := range j.ComuneCodes {
		ok = d.fields(path, comuneField(fmt.Sprintf("comuneCodes[%d]", k), c)) && ok
	}
	ok = d.fields(path, dateField("since", j.Since, &x.Since), optionalDateField("until", j.Until, &x.Until)) && ok
	if j.Decision != "" {
		ok = d.fields(path, enumField("decision", j.Decision, pcnet.PilotDecisions, &x.Decision)) && ok
	}
	return x, ok
}
