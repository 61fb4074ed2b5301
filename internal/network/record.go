package network

import (
	"encoding/json"
	"fmt"

	"pcnet/internal/pcnet"
)

// Record is an element of the network format that can stand on its own: the
// embedded store keeps its network element by element (one bbolt value
// each) in these same JSON shapes, so the file format and the store's records
// are one codec and cannot drift. A new record type is a case here and in
// EncodeFile/decoder.
type Record interface {
	pcnet.Sector | pcnet.SharedService | pcnet.Coverage | pcnet.Tutorship | pcnet.ProjectWork
}

// MarshalRecord encodes v as the network file writes it in its list.
func MarshalRecord[T Record](v T) ([]byte, error) {
	switch v := any(v).(type) {
	case pcnet.Sector:
		return json.Marshal(sectorRecord(v))
	case pcnet.SharedService:
		return json.Marshal(serviceRecord(v))
	case pcnet.Coverage:
		return json.Marshal(coverageRecord(v))
	case pcnet.Tutorship:
		return json.Marshal(tutorshipRecord(v))
	case pcnet.ProjectWork:
		return json.Marshal(projectWorkRecord(v))
	}
	panic(fmt.Sprintf("network: no record codec for %T", v)) // Record's type set is the cases above
}

// UnmarshalRecord decodes one element as DecodeFile decodes it in its list,
// as strictly: the error is an EINVALID *pcnet.Error naming the problems.
func UnmarshalRecord[T Record](data []byte) (T, error) {
	var d decoder
	var out T
	var ok bool
	switch p := any(&out).(type) {
	case *pcnet.Sector:
		*p, ok = decodeElement(&d, "sector", data, d.sector)
	case *pcnet.SharedService:
		*p, ok = decodeElement(&d, "service", data, d.service)
	case *pcnet.Coverage:
		*p, ok = decodeElement(&d, "coverage", data, d.coverage)
	case *pcnet.Tutorship:
		*p, ok = decodeElement(&d, "tutorship", data, d.tutorship)
	case *pcnet.ProjectWork:
		*p, ok = decodeElement(&d, "projectWork", data, d.projectWork)
	}
	if !ok {
		if err := d.err(); err != nil {
			return out, err
		}
		return out, pcnet.Invalidf("record", "not a network record")
	}
	return out, nil
}

// The element encoders, shared by EncodeFile and MarshalRecord.

func sectorRecord(s pcnet.Sector) sectorRecordJSON {
	r := sectorRecordJSON{Code: s.Code, Name: s.Name, Description: s.Description, Areas: []areaJSON{}}
	for _, a := range s.Areas {
		r.Areas = append(r.Areas, areaRecord(a))
	}
	return r
}

// sectorRecordJSON is sectorJSON with its areas decoded: what a sector
// encodes to (sectorJSON keeps them raw so that errors can name the area).
type sectorRecordJSON struct {
	Code        string     `json:"code"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Areas       []areaJSON `json:"areas"`
}

func areaRecord(a pcnet.Area) areaJSON {
	return areaJSON{Code: a.Code, Name: a.Name, Description: a.Description}
}

func serviceRecord(s pcnet.SharedService) serviceJSON {
	return serviceJSON{
		ID: s.ID, Name: s.Name, Description: s.Description,
		ProviderCode: s.ProviderCode, AreaCode: s.AreaCode,
		Status: string(s.Status), StartDate: dateString(s.StartDate),
	}
}

func coverageRecord(c pcnet.Coverage) coverageJSON {
	return coverageJSON{
		ServiceID: c.ServiceID, ComuneCode: c.ComuneCode,
		Since: dateString(c.Since), Until: optionalDate(c.Until), Phase: string(c.Phase),
	}
}

func tutorshipRecord(t pcnet.Tutorship) tutorshipJSON {
	return tutorshipJSON{
		TutorCode: t.TutorCode, TutoredCode: t.TutoredCode, SectorCode: t.SectorCode,
		Since: dateString(t.Since), Until: optionalDate(t.Until), Step: &t.Step, Outcome: string(t.Outcome),
	}
}

func projectWorkRecord(p pcnet.ProjectWork) projectWorkJSON {
	return projectWorkJSON{
		ID: p.ID, ProvinceCode: p.ProvinceCode, AreaCode: p.AreaCode, Title: p.Title,
		Maturity: string(p.Maturity), Step: &p.Step, Year: &p.Year, ServiceID: p.ServiceID,
		ModelFromID: p.ModelFromID,
	}
}
