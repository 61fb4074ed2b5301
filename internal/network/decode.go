package network

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"pcnet/internal/pcnet"
)

// maxProblems caps the problems one decode error lists: past that, more
// detail helps nobody fix the file.
const maxProblems = 20

// Decode reads a network file; see DecodeFile.
func Decode(r io.Reader) (pcnet.Network, error) {
	f, err := DecodeFile(r)
	return f.Network, err
}

// DecodeFile reads a network file strictly: unknown fields, values of the
// wrong JSON type, unknown enum values, malformed dates and codes and
// missing required fields are errors, and so is anything after the
// top-level object. The error is an EINVALID *pcnet.Error listing every
// problem found (up to 20), each prefixed with its JSON path, such as
// `services[3].status: unknown status "ACTIV"`; its Field is the path of
// the first problem.
//
// DecodeFile checks the file's form only. Whether the network fits a
// geography and is consistent (references resolve, dates in order, steps in
// range) is for pcnet.Dataset.Validate. The lists come back in canonical
// order (see Canonical), empty lists as nil.
func DecodeFile(r io.Reader) (File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return File{}, fmt.Errorf("reading network file: %w", err)
	}
	var d decoder
	f := d.file(data)
	if err := d.err(); err != nil {
		return File{}, err
	}
	f.Network = Canonical(f.Network)
	return f, nil
}

// decoder collects the problems found in a file.
type decoder struct {
	problems []problem
	more     int // problems past maxProblems
}

type problem struct{ path, msg string }

func (d *decoder) addf(path, format string, args ...any) {
	if len(d.problems) == maxProblems {
		d.more++
		return
	}
	d.problems = append(d.problems, problem{path, fmt.Sprintf(format, args...)})
}

func (d *decoder) err() error {
	if len(d.problems) == 0 {
		return nil
	}
	lines := make([]string, 0, len(d.problems)+1)
	for _, p := range d.problems {
		lines = append(lines, p.path+": "+p.msg)
	}
	if d.more > 0 {
		lines = append(lines, fmt.Sprintf("and %d more problems", d.more))
	}
	return pcnet.Invalidf(d.problems[0].path, "%s", strings.Join(lines, "\n"))
}

// topLevel names the file itself in errors that concern no field.
const topLevel = "network file"

func (d *decoder) file(data []byte) File {
	// Malformed input is left to the decoder, which says where it breaks.
	if json.Valid(data) && bytes.TrimLeft(data, " \t\r\n")[0] != '{' {
		d.addf(topLevel, "expected a JSON object")
		return File{}
	}
	var raw fileJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		d.jsonError(topLevel, "", data, err)
		return File{}
	}
	end := int(dec.InputOffset())
	if rest := bytes.TrimLeft(data[end:], " \t\r\n"); len(rest) > 0 {
		d.addf(topLevel, "unexpected data after the top-level object (%s)", positionOf(data, len(data)-len(rest)))
		return File{}
	}

	f := File{Illustrative: raw.Illustrative, Note: raw.Note}
	n := &f.Network
	n.Sectors = decodeList(d, "sectors", raw.Sectors, d.sector)
	n.Services = decodeList(d, "services", raw.Services, d.service)
	n.Coverages = decodeList(d, "coverages", raw.Coverages, d.coverage)
	n.Tutorships = decodeList(d, "tutorships", raw.Tutorships, d.tutorship)
	n.ProjectWorks = decodeList(d, "projectWorks", raw.ProjectWorks, d.projectWork)
	n.Programme = d.programme(raw.programmeJSON) // programme.go
	return f
}

// decodeList decodes the elements of the list name, each at its path
// (name[i]) with decodeElement, and keeps those that pass.
func decodeList[J, T any](d *decoder, name string, raw []json.RawMessage, check func(path string, j J) (T, bool)) []T {
	var out []T
	for i, m := range raw {
		if x, ok := decodeElement(d, fmt.Sprintf("%s[%d]", name, i), m, check); ok {
			out = append(out, x)
		}
	}
	return out
}

// decodeElement decodes one element strictly as its JSON shape J, then
// checks its fields and converts it with check, which reports each problem
// under path.
func decodeElement[J, T any](d *decoder, path string, m json.RawMessage, check func(path string, j J) (T, bool)) (T, bool) {
	var j J
	if !d.element(path, m, &j) {
		var zero T
		return zero, false
	}
	return check(path, j)
}

// element decodes one list element strictly into v. It reports whether
// that worked; the element's fields are checked only if it did.
func (d *decoder) element(path string, m json.RawMessage, v any) bool {
	if bytes.Equal(bytes.TrimSpace(m), []byte("null")) {
		d.addf(path, "expected an object, got null")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(m))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		d.jsonError(path, path, m, err)
		return false
	}
	return true
}

// jsonError turns an error of encoding/json into a problem at the right
// path. prefix is the JSON path of the value decoded ("" for the file).
func (d *decoder) jsonError(path, prefix string, data []byte, err error) {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		// Offset counts the bytes read, the offending one included.
		d.addf(path, "malformed JSON: %s (%s)", syntax.Error(), positionOf(data, int(syntax.Offset)-1))
	case errors.As(err, &typ):
		p := prefix
		if typ.Field != "" {
			p = joinPath(prefix, typ.Field)
		}
		if p == "" {
			p = path
		}
		d.addf(p, "expected %s, got %s", jsonKind(typ.Type), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		d.addf(path, "unexpected end of input")
	default:
		// DisallowUnknownFields reports `json: unknown field "x"`, with no
		// error type to match.
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			d.addf(path, "unknown field %s", field)
			return
		}
		d.addf(path, "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
}

func joinPath(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}

// jsonKind names the JSON value a Go type is decoded from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// positionOf describes the position of the byte at offset as a line and
// column, counted from 1.
func positionOf(data []byte, offset int) string {
	offset = min(max(offset, 0), len(data))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := offset - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

var taxonomyCodeRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func (d *decoder) sector(path string, j sectorJSON) (pcnet.Sector, bool) {
	s := pcnet.Sector{Code: j.Code, Name: j.Name, Description: j.Description}
	ok := d.taxonomyCode(path+".code", j.Code)
	ok = d.required(path+".name", j.Name) && ok
	for i, am := range j.Areas {
		ap := fmt.Sprintf("%s.areas[%d]", path, i)
		var a areaJSON
		if !d.element(ap, am, &a) {
			ok = false
			continue
		}
		ok = d.taxonomyCode(ap+".code", a.Code) && ok
		ok = d.required(ap+".name", a.Name) && ok
		s.Areas = append(s.Areas, pcnet.Area{Code: a.Code, SectorCode: j.Code, Name: a.Name, Description: a.Description})
	}
	return s, ok
}

func (d *decoder) service(path string, j serviceJSON) (pcnet.SharedService, bool) {
	s := pcnet.SharedService{ID: j.ID, Name: j.Name, Description: j.Description, ProviderCode: j.ProviderCode, AreaCode: j.AreaCode}
	return s, d.fields(path, requiredField("id", j.ID), requiredField("name", j.Name), provinceField("providerCode", j.ProviderCode),
		requiredField("areaCode", j.AreaCode), enumField("status", j.Status, pcnet.ServiceStatuses, &s.Status), dateField("startDate", j.StartDate, &s.StartDate))
}

func (d *decoder) coverage(path string, j coverageJSON) (pcnet.Coverage, bool) {
	c := pcnet.Coverage{ServiceID: j.ServiceID, ComuneCode: j.ComuneCode}
	return c, d.fields(path, requiredField("serviceId", j.ServiceID), comuneField("comuneCode", j.ComuneCode), dateField("since", j.Since, &c.Since),
		optionalDateField("until", j.Until, &c.Until), enumField("phase", j.Phase, pcnet.CoveragePhases, &c.Phase))
}

func (d *decoder) tutorship(path string, j tutorshipJSON) (pcnet.Tutorship, bool) {
	t := pcnet.Tutorship{TutorCode: j.TutorCode, TutoredCode: j.TutoredCode, SectorCode: j.SectorCode}
	ok := d.fields(path, provinceField("tutorCode", j.TutorCode), provinceField("tutoredCode", j.TutoredCode), requiredField("sectorCode", j.SectorCode),
		dateField("since", j.Since, &t.Since), optionalDateField("until", j.Until, &t.Until), numberField("step", j.Step, &t.Step))
	if j.Outcome != "" {
		ok = d.fields(path, enumField("outcome", j.Outcome, pcnet.TutorshipOutcomes, &t.Outcome)) && ok
	}
	switch {
	case t.Outcome == pcnet.OutcomeInProgress && j.Until == nil:
		t.Outcome = "" // what an open tutorship's outcome is anyway
	case t.Outcome == pcnet.OutcomeInProgress:
		d.addf(path+".outcome", "an ended tutorship is %s or %s, not %s", pcnet.OutcomeCompleted, pcnet.OutcomeWithdrawn, t.Outcome)
		ok = false
	case t.Outcome != "" && j.Until == nil:
		d.addf(path+".outcome", "an open tutorship is %s: outcome %s needs until", pcnet.OutcomeInProgress, t.Outcome)
		ok = false
	}
	return t, ok
}

func (d *decoder) projectWork(path string, j projectWorkJSON) (pcnet.ProjectWork, bool) {
	p := pcnet.ProjectWork{ID: j.ID, ProvinceCode: j.ProvinceCode, AreaCode: j.AreaCode, Title: j.Title, ServiceID: j.ServiceID, ModelFromID: j.ModelFromID}
	return p, d.fields(path, requiredField("id", j.ID), provinceField("provinceCode", j.ProvinceCode), requiredField("areaCode", j.AreaCode),
		requiredField("title", j.Title), enumField("maturity", j.Maturity, pcnet.Maturities, &p.Maturity),
		numberField("step", j.Step, &p.Step), numberField("year", j.Year, &p.Year))
}

// field is one field of an element, named under the element's path, and
// its check, which reports a problem at that path and, for a value that
// needs parsing, stores the value it read.
type field struct {
	name  string
	check func(d *decoder, path string) bool
}

func requiredField(name, s string) field {
	return field{name, func(d *decoder, path string) bool { return d.required(path, s) }}
}

func provinceField(name, s string) field {
	return field{name, func(d *decoder, path string) bool { return d.provinceCode(path, s) }}
}

func comuneField(name, s string) field {
	return field{name, func(d *decoder, path string) bool { return d.comuneCode(path, s) }}
}

// parsedField is a field whose check gives a value (a date, a number, an
// enum value) or false, in the form the checks below share.
func parsedField[T any](name string, dst *T, check func(d *decoder, path string) (T, bool)) field {
	return field{name, func(d *decoder, path string) bool {
		v, ok := check(d, path)
		*dst = v
		return ok
	}}
}

func dateField(name, s string, dst *pcnet.Date) field {
	return parsedField(name, dst, func(d *decoder, path string) (pcnet.Date, bool) { return d.date(path, s, true) })
}

func optionalDateField(name string, s *string, dst *pcnet.Date) field {
	return parsedField(name, dst, func(d *decoder, path string) (pcnet.Date, bool) { return d.optionalDate(path, s, true) })
}

func numberField(name string, n *int, dst *int) field {
	return parsedField(name, dst, func(d *decoder, path string) (int, bool) { return d.number(path, n, true) })
}

// enumField checks one of values; the field's name names the kind of value
// in the error ("unknown status").
func enumField[T ~string](name, s string, values []T, dst *T) field {
	return parsedField(name, dst, func(d *decoder, path string) (T, bool) { return enum(d, path, name, s, values, true) })
}

// fields runs the checks of an element's fields in order, every one of them
// so that each problem is reported, and says whether all passed.
func (d *decoder) fields(path string, fs ...field) bool {
	ok := true
	for _, f := range fs {
		ok = f.check(d, path+"."+f.name) && ok
	}
	return ok
}

// The field checks below report a problem and return false when the value
// is bad; those taking ok return it and-ed with their own verdict.

func (d *decoder) required(path, s string) bool {
	if s == "" {
		d.addf(path, "missing")
		return false
	}
	return true
}

func (d *decoder) taxonomyCode(path, s string) bool {
	if !d.required(path, s) {
		return false
	}
	if !taxonomyCodeRE.MatchString(s) {
		d.addf(path, "%q is not a code: lower-case letters, digits and single dashes expected, such as \"staff-training\"", s)
		return false
	}
	return true
}

func (d *decoder) provinceCode(path, s string) bool {
	return d.code(path, s, pcnet.ValidateProvinceCode)
}

func (d *decoder) comuneCode(path, s string) bool {
	return d.code(path, s, pcnet.ValidateComuneCode)
}

// code checks an ISTAT code with its pcnet rule, whose message (less the
// path it starts with) is the problem.
func (d *decoder) code(path, s string, validate func(field, s string) error) bool {
	if !d.required(path, s) {
		return false
	}
	if err := validate(path, s); err != nil {
		d.addf(path, "%s", strings.TrimPrefix(pcnet.ErrorMessage(err), path+": "))
		return false
	}
	return true
}

func (d *decoder) date(path, s string, ok bool) (pcnet.Date, bool) {
	if !d.required(path, s) {
		return pcnet.Date{}, false
	}
	t, err := pcnet.ParseDate(s)
	if err != nil {
		d.addf(path, "%v", err)
		return pcnet.Date{}, false
	}
	return t, ok
}

func (d *decoder) optionalDate(path string, s *string, ok bool) (pcnet.Date, bool) {
	if s == nil {
		return pcnet.Date{}, ok
	}
	if *s == "" {
		d.addf(path, `"" is not a date: leave the field out, or write null, for an open period`)
		return pcnet.Date{}, false
	}
	return d.date(path, *s, ok)
}

func (d *decoder) number(path string, n *int, ok bool) (int, bool) {
	if n == nil {
		d.addf(path, "missing")
		return 0, false
	}
	return *n, ok
}

// enum checks that s is one of values; what names the kind of value in the
// error ("status").
func enum[T ~string](d *decoder, path, what, s string, values []T, ok bool) (T, bool) {
	if !d.required(path, s) {
		return "", false
	}
	if !slices.Contains(values, T(s)) {
		names := make([]string, len(values))
		for i, v := range values {
			names[i] = string(v)
		}
		d.addf(path, "unknown %s %q: one of %s expected", what, s, strings.Join(names, ", "))
		return "", false
	}
	return T(s), ok
}
