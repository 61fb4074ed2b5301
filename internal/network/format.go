package network

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"slices"

	"pcnet/internal/pcnet"
)

// File is the content of a network file: the network and what the file says
// about itself. FORMAT.md describes the format.
type File struct {
	// Illustrative marks a network that was made up to show the service
	// working, such as the one Generate produces: it is not the programme's
	// real data.
	Illustrative bool
	// Note is free text for readers of the file, such as where it comes from.
	Note    string
	Network pcnet.Network
}

// The JSON shapes of the network file. Field order here is the order in the
// file. Optional values use pointers or omitempty so that "absent" and
// "null" read the same and are written as absent.

type fileJSON struct {
	Illustrative bool   `json:"illustrative,omitempty"`
	Note         string `json:"note,omitempty"`
	// The lists are decoded element by element (see decoder), so that an
	// error can name the element it is in.
	Sectors       []json.RawMessage `json:"sectors"`
	Services      []json.RawMessage `json:"services"`
	Coverages     []json.RawMessage `json:"coverages"`
	Tutorships    []json.RawMessage `json:"tutorships"`
	ProjectWorks  []json.RawMessage `json:"projectWorks"`
	programmeJSON                   // programme.go
}

type sectorJSON struct {
	Code        string            `json:"code"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Areas       []json.RawMessage `json:"areas"`
}

// An area's sector is the sector it is listed under, so the file doesn't
// repeat it.
type areaJSON struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

type serviceJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Description  string `json:"description,omitempty"`
	ProviderCode string `json:"providerCode"`
	AreaCode     string `json:"areaCode"`
	Status       string `json:"status"`
	StartDate    string `json:"startDate"`
}

type coverageJSON struct {
	ServiceID  string  `json:"serviceId"`
	ComuneCode string  `json:"comuneCode"`
	Since      string  `json:"since"`
	Until      *string `json:"until,omitempty"`
	Phase      string  `json:"phase"`
}

type tutorshipJSON struct {
	TutorCode   string  `json:"tutorCode"`
	TutoredCode string  `json:"tutoredCode"`
	SectorCode  string  `json:"sectorCode"`
	Since       string  `json:"since"`
	Until       *string `json:"until,omitempty"`
	Step        *int    `json:"step"`
	Outcome     string  `json:"outcome,omitempty"`
}

type projectWorkJSON struct {
	ID           string `json:"id"`
	ProvinceCode string `json:"provinceCode"`
	AreaCode     string `json:"areaCode"`
	Title        string `json:"title"`
	Maturity     string `json:"maturity"`
	Step         *int   `json:"step"`
	Year         *int   `json:"year"`
	ServiceID    string `json:"serviceId,omitempty"`
	ModelFromID  string `json:"modelFromId,omitempty"`
}

// Encode writes n as a network file, without the illustrative flag or note;
// see EncodeFile.
func Encode(w io.Writer, n pcnet.Network) error {
	return EncodeFile(w, File{Network: n})
}

// EncodeFile writes f as a network file: pretty JSON in a stable form meant
// for diffs. Every list is sorted into canonical order (see Canonical), each
// service, coverage, tutorship and project work takes exactly one line, and
// the same File always gives the same bytes. EncodeFile doesn't validate:
// use pcnet.Dataset.Validate for that. An area is written under the sector
// it is listed in, whatever its SectorCode says.
func EncodeFile(w io.Writer, f File) error {
	n := Canonical(f.Network)
	bw := bufio.NewWriter(w)
	e := &encoder{w: bw}

	e.raw("{\n")
	if f.Illustrative {
		e.raw(`  "illustrative": true,` + "\n")
	}
	if f.Note != "" {
		e.raw(`  "note": `)
		e.value(f.Note)
		e.raw(",\n")
	}

	e.raw(`  "sectors": [`)
	for i, s := range n.Sectors {
		e.separator(i)
		e.raw("    {\n      \"code\": ")
		e.value(s.Code)
		e.raw(",\n      \"name\": ")
		e.value(s.Name)
		if s.Description != "" {
			e.raw(",\n      \"description\": ")
			e.value(s.Description)
		}
		e.raw(",\n      \"areas\": [")
		for j, a := range s.Areas {
			if j > 0 {
				e.raw(",")
			}
			e.raw("\n        ")
			e.value(areaRecord(a))
		}
		if len(s.Areas) > 0 {
			e.raw("\n      ")
		}
		e.raw("]\n    }")
	}
	e.endList(len(n.Sectors), true)

	list(e, "services", n.Services, serviceRecord)
	list(e, "coverages", n.Coverages, coverageRecord)
	list(e, "tutorships", n.Tutorships, tutorshipRecord)

	e.raw(`  "projectWorks": [`)
	writeElements(e, n.ProjectWorks, projectWorkRecord)
	if len(n.ProjectWorks) > 0 {
		e.raw("\n  ")
	}
	e.raw("]")
	e.programme(n.Programme) // programme.go
	e.raw("\n}\n")

	if e.err != nil {
		return e.err
	}
	return bw.Flush()
}

// encoder writes JSON pieces and remembers the first error, so that
// EncodeFile reads as the file it writes.
type encoder struct {
	w   *bufio.Writer
	buf bytes.Buffer
	err error
}

func (e *encoder) raw(s string) {
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

// value writes v as compact JSON on the current line. HTML characters stay
// as they are: the file is read by people, not embedded in web pages.
func (e *encoder) value(v any) {
	if e.err != nil {
		return
	}
	e.buf.Reset()
	enc := json.NewEncoder(&e.buf)
	enc.SetEscapeHTML(false)
	if e.err = enc.Encode(v); e.err == nil {
		_, e.err = e.w.Write(bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")))
	}
}

// separator starts element i of a top-level list on its own line.
func (e *encoder) separator(i int) {
	if i > 0 {
		e.raw(",")
	}
	e.raw("\n")
}

// list writes a top-level list that another follows.
func list[T, R any](e *encoder, name string, xs []T, record func(T) R) {
	e.raw("  \"" + name + "\": [")
	writeElements(e, xs, record)
	e.endList(len(xs), true)
}

// writeElements writes the elements of a top-level list, one a line, each
// as its record.
func writeElements[T, R any](e *encoder, xs []T, record func(T) R) {
	for i, x := range xs {
		e.separator(i)
		e.raw("    ")
		e.value(record(x))
	}
}

// endList closes a top-level list of n elements.
func (e *encoder) endList(n int, more bool) {
	if n > 0 {
		e.raw("\n  ")
	}
	e.raw("]")
	if more {
		e.raw(",")
	}
	e.raw("\n")
}

// dateString formats a required date. A missing one is written as "", which
// Decode reports as missing rather than inventing a date.
func dateString(d pcnet.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func optionalDate(d pcnet.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

// Canonical returns a copy of n with every list in the order the file is
// written in, which is the order the stores list things in: sectors and
// their areas by code, services and project works by ID, coverages by
// service, Comune and start date, tutorships by sector, tutor, tutored
// Province and start date. Ties (only possible in invalid networks) keep
// their relative order, so sorting twice changes nothing.
func Canonical(n pcnet.Network) pcnet.Network {
	out := pcnet.Network{
		Sectors:      slices.Clone(n.Sectors),
		Services:     slices.Clone(n.Services),
		Coverages:    slices.Clone(n.Coverages),
		Tutorships:   slices.Clone(n.Tutorships),
		ProjectWorks: slices.Clone(n.ProjectWorks),
		Programme:    n.Programme.Sorted(), //nolint:staticcheck // QF1008: the selector says what is sorted; n.Sorted() would read as the whole network
	}
	for i := range out.Sectors {
		out.Sectors[i].Areas = slices.Clone(out.Sectors[i].Areas)
		slices.SortStableFunc(out.Sectors[i].Areas, func(a, b pcnet.Area) int { return cmp.Compare(a.Code, b.Code) })
	}
	slices.SortStableFunc(out.Sectors, func(a, b pcnet.Sector) int { return cmp.Compare(a.Code, b.Code) })
	slices.SortStableFunc(out.Services, func(a, b pcnet.SharedService) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortStableFunc(out.Coverages, func(a, b pcnet.Coverage) int {
		return cmp.Or(
			cmp.Compare(a.ServiceID, b.ServiceID),
			cmp.Compare(a.ComuneCode, b.ComuneCode),
			a.Since.Compare(b.Since),
		)
	})
	slices.SortStableFunc(out.Tutorships, func(a, b pcnet.Tutorship) int {
		return cmp.Or(
			cmp.Compare(a.SectorCode, b.SectorCode),
			cmp.Compare(a.TutorCode, b.TutorCode),
			cmp.Compare(a.TutoredCode, b.TutoredCode),
			a.Since.Compare(b.Since),
		)
	})
	slices.SortStableFunc(out.ProjectWorks, func(a, b pcnet.ProjectWork) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
