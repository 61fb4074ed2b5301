package network_test

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"pcnet/internal/network"
	"pcnet/internal/pcnet"
)

// smallFile is a network file written by hand, as FORMAT.md describes it,
// in the exact form Encode writes.
const smallFile = `{
  "illustrative": true,
  "note": "Esempio <piccolo> & \"corto\"",
  "sectors": [
    {
      "code": "personnel",
      "name": "Politiche del personale",
      "areas": [
        {"code":"recruitment","name":"Reclutamento e selezione"},
        {"code":"staff-training","name":"Formazione del personale","description":"Shared training."}
      ]
    },
    {
      "code": "procurement",
      "name": "Appalti",
      "areas": []
    }
  ],
  "services": [
    {"id":"svc-108-staff-training","name":"Formazione associata","description":"Corsi (esempio illustrativo)","providerCode":"108","areaCode":"staff-training","status":"ACTIVE","startDate":"2022-03-01"}
  ],
  "coverages": [
    {"serviceId":"svc-108-staff-training","comuneCode":"108033","since":"2022-03-15","phase":"PILOT"},
    {"serviceId":"svc-108-staff-training","comuneCode":"108033","since":"2024-01-01","until":"2024-06-30","phase":"ROLLOUT"}
  ],
  "tutorships": [
    {"tutorCode":"108","tutoredCode":"097","sectorCode":"personnel","since":"2022-01-10","until":"2023-03-05","step":3}
  ],
  "projectWorks": [
    {"id":"pw-097-recruitment","provinceCode":"097","areaCode":"recruitment","title":"Concorsi unici","maturity":"DEVELOPING","step":1,"year":2024},
    {"id":"pw-097-staff-training","provinceCode":"097","areaCode":"staff-training","title":"Ufficio unico","maturity":"ADVANCED","step":3,"year":2023,"serviceId":"svc-097-staff-training"}
  ]
}
`

// smallNetwork is smallFile's content as domain values.
func smallNetwork() network.File {
	d := pcnet.MustDate
	return network.File{
		Illustrative: true,
		Note:         `Esempio <piccolo> & "corto"`,
		Network: pcnet.Network{
			Sectors: []pcnet.Sector{
				{Code: "personnel", Name: "Politiche del personale", Areas: []pcnet.Area{
					{Code: "recruitment", SectorCode: "personnel", Name: "Reclutamento e selezione"},
					{Code: "staff-training", SectorCode: "personnel", Name: "Formazione del personale", Description: "Shared training."},
				}},
				{Code: "procurement", Name: "Appalti"},
			},
			Services: []pcnet.SharedService{{
				ID: "svc-108-staff-training", Name: "Formazione associata", Description: "Corsi (esempio illustrativo)",
				ProviderCode: "108", AreaCode: "staff-training", Status: pcnet.StatusActive, StartDate: d("2022-03-01"),
			}},
			Coverages: []pcnet.Coverage{
				{ServiceID: "svc-108-staff-training", ComuneCode: "108033", Since: d("2022-03-15"), Phase: pcnet.PhasePilot},
				{ServiceID: "svc-108-staff-training", ComuneCode: "108033", Since: d("2024-01-01"), Until: d("2024-06-30"), Phase: pcnet.PhaseRollout},
			},
			Tutorships: []pcnet.Tutorship{
				{TutorCode: "108", TutoredCode: "097", SectorCode: "personnel", Since: d("2022-01-10"), Until: d("2023-03-05"), Step: 3},
			},
			ProjectWorks: []pcnet.ProjectWork{
				{ID: "pw-097-recruitment", ProvinceCode: "097", AreaCode: "recruitment", Title: "Concorsi unici", Maturity: pcnet.MaturityDeveloping, Step: 1, Year: 2024},
				{ID: "pw-097-staff-training", ProvinceCode: "097", AreaCode: "staff-training", Title: "Ufficio unico", Maturity: pcnet.MaturityAdvanced, Step: 3, Year: 2023, ServiceID: "svc-097-staff-training"},
			},
		},
	}
}

func TestDecodeFile(t *testing.T) {
	got, err := network.DecodeFile(strings.NewReader(smallFile))
	if err != nil {
		t.Fatal(err)
	}
	if want := smallNetwork(); !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeFile:\n got %+v\nwant %+v", got, want)
	}
}

func TestEncodeFile(t *testing.T) {
	var buf bytes.Buffer
	if err := network.EncodeFile(&buf, smallNetwork()); err != nil {
		t.Fatal(err)
	}
	if buf.String() != smallFile {
		t.Errorf("EncodeFile:\n%s\nwant:\n%s", buf.String(), smallFile)
	}
}

// Encode sorts, so the order of the input doesn't show in the file.
func TestEncodeIsCanonical(t *testing.T) {
	f := smallNetwork()
	n := &f.Network
	reverse := func(s any) {
		v := reflect.ValueOf(s)
		for i, j := 0, v.Len()-1; i < j; i, j = i+1, j-1 {
			vi, vj := v.Index(i).Interface(), v.Index(j).Interface()
			v.Index(i).Set(reflect.ValueOf(vj))
			v.Index(j).Set(reflect.ValueOf(vi))
		}
	}
	reverse(n.Sectors)
	reverse(n.Sectors[1].Areas)
	reverse(n.Coverages)
	reverse(n.ProjectWorks)
	var buf bytes.Buffer
	if err := network.EncodeFile(&buf, f); err != nil {
		t.Fatal(err)
	}
	if buf.String() != smallFile {
		t.Errorf("EncodeFile of reversed lists:\n%s\nwant:\n%s", buf.String(), smallFile)
	}
}

func TestDecodeOpenPeriods(t *testing.T) {
	// An open period may be written with "until": null or without until.
	for _, until := range []string{``, `,"until":null`} {
		in := `{"tutorships":[{"tutorCode":"108","tutoredCode":"097","sectorCode":"personnel","since":"2022-01-10"` + until + `,"step":1}]}`
		n, err := network.Decode(strings.NewReader(in))
		if err != nil {
			t.Fatalf("Decode(%s): %v", in, err)
		}
		if len(n.Tutorships) != 1 || !n.Tutorships[0].Until.IsZero() {
			t.Errorf("Decode(%s) = %+v; want one open tutorship", in, n.Tutorships)
		}
	}
}

// Encode then Decode gives back the generated network.
func TestRoundTripGenerated(t *testing.T) {
	want := network.Generate(shippedGeography(t))
	var buf bytes.Buffer
	if err := network.Encode(&buf, want); err != nil {
		t.Fatal(err)
	}
	encoded := buf.String()
	got, err := network.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("Decode(Encode(Generate(geo))) differs from Generate(geo)")
	}
	var again bytes.Buffer
	if err := network.Encode(&again, got); err != nil {
		t.Fatal(err)
	}
	if again.String() != encoded {
		t.Fatal("encoding the decoded network gives different bytes")
	}
}

func TestDecodeErrors(t *testing.T) {
	const (
		service  = `{"id":"svc-1","name":"S","providerCode":"108","areaCode":"sua","status":"ACTIVE","startDate":"2022-03-01"}`
		coverage = `{"serviceId":"svc-1","comuneCode":"108033","since":"2022-03-15","phase":"PILOT"}`
	)
	tests := []struct {
		name, in  string
		wantField string   // the path of the first problem
		wantMsg   []string // parts of the message
	}{
		{"empty input", ``, "network file", []string{"unexpected end of input"}},
		{"not an object", `[]`, "network file", []string{"expected a JSON object"}},
		{"null", `null`, "network file", []string{"expected a JSON object"}},
		{"syntax error", "{\n  \"services\": [,]\n}", "network file", []string{"malformed JSON", "line 2, column 16"}},
		{"truncated", `{"services": [` + service, "network file", []string{"unexpected end of input"}},
		{"trailing data", `{} {}`, "network file", []string{"unexpected data after the top-level object (line 1, column 4)"}},
		{"unknown top-level field", `{"servces": []}`, "network file", []string{`unknown field "servces"`}},
		{"list of the wrong type", `{"services": {}}`, "services", []string{"expected an array, got object"}},
		{"flag of the wrong type", `{"illustrative": "yes"}`, "illustrative", []string{"expected true or false, got string"}},
		{"element not an object", `{"services": [` + service + `, 3]}`, "services[1]", []string{"expected an object, got number"}},
		{"null element", `{"coverages": [null]}`, "coverages[0]", []string{"expected an object, got null"}},
		{"unknown field", `{"services": [` + strings.Replace(service, `"id"`, `"colour":"red","id"`, 1) + `]}`,
			"services[0]", []string{`unknown field "colour"`}},
		{"bad status", `{"services": [` + service + `,` + strings.Replace(service, "ACTIVE", "ACTIV", 1) + `]}`,
			"services[1].status", []string{`services[1].status: unknown status "ACTIV"`, "PLANNED, PILOT, ACTIVE, SUSPENDED, ENDED"}},
		{"bad phase", `{"coverages": [` + strings.Replace(coverage, "PILOT", "pilot", 1) + `]}`,
			"coverages[0].phase", []string{`unknown phase "pilot"`}},
		{"bad maturity", `{"projectWorks": [{"id":"pw","provinceCode":"097","areaCode":"sua","title":"T","maturity":"MATURE","step":1,"year":2024}]}`,
			"projectWorks[0].maturity", []string{`unknown maturity "MATURE"`}},
		{"date with slashes", `{"services": [` + strings.Replace(service, "2022-03-01", "01/03/2022", 1) + `]}`,
			"services[0].startDate", []string{`"01/03/2022" is not a date in the form YYYY-MM-DD`}},
		{"impossible date", `{"coverages": [` + strings.Replace(coverage, "2022-03-15", "2022-02-30", 1) + `]}`,
			"coverages[0].since", []string{`"2022-02-30" is not a date`}},
		{"empty until", `{"coverages": [` + strings.Replace(coverage, `"phase"`, `"until":"","phase"`, 1) + `]}`,
			"coverages[0].until", []string{"leave the field out, or write null"}},
		{"date as a number", `{"coverages": [` + strings.Replace(coverage, `"2022-03-15"`, `20220315`, 1) + `]}`,
			"coverages[0].since", []string{"expected a string, got number"}},
		{"code as a number", `{"services": [` + strings.Replace(service, `"108"`, `108`, 1) + `]}`,
			"services[0].providerCode", []string{"expected a string, got number"}},
		{"code without leading zeros", `{"coverages": [` + strings.Replace(coverage, `"108033"`, `"1001"`, 1) + `]}`,
			"coverages[0].comuneCode", []string{`"1001" is not an ISTAT Comune code`}},
		{"step as a string", `{"tutorships": [{"tutorCode":"108","tutoredCode":"097","sectorCode":"personnel","since":"2022-01-10","step":"2"}]}`,
			"tutorships[0].step", []string{"expected an integer, got string"}},
		{"fractional step", `{"tutorships": [{"tutorCode":"108","tutoredCode":"097","sectorCode":"personnel","since":"2022-01-10","step":1.5}]}`,
			"tutorships[0].step", []string{"expected an integer, got number 1.5"}},
		{"missing step", `{"tutorships": [{"tutorCode":"108","tutoredCode":"097","sectorCode":"personnel","since":"2022-01-10"}]}`,
			"tutorships[0].step", []string{"tutorships[0].step: missing"}},
		{"unknown outcome", `{"tutorships": [{"tutorCode":"108","tutoredCode":"097","sectorCode":"personnel","since":"2022-01-10","until":"2023-01-10","step":3,"outcome":"DONE"}]}`,
			"tutorships[0].outcome", []string{`unknown outcome "DONE"`}},
		{"outcome of an open tutorship", `{"tutorships": [{"tutorCode":"108","tutoredCode":"097","sectorCode":"personnel","since":"2022-01-10","step":3,"outcome":"COMPLETED"}]}`,
			"tutorships[0].outcome", []string{"an open tutorship is IN_PROGRESS"}},
		{"ended in progress", `{"tutorships": [{"tutorCode":"108","tutoredCode":"097","sectorCode":"personnel","since":"2022-01-10","until":"2023-01-10","step":3,"outcome":"IN_PROGRESS"}]}`,
			"tutorships[0].outcome", []string{"an ended tutorship is COMPLETED or WITHDRAWN"}},
		{"missing id", `{"services": [` + strings.Replace(service, `"id":"svc-1",`, ``, 1) + `]}`,
			"services[0].id", []string{"services[0].id: missing"}},
		{"bad area", `{"sectors": [{"code":"personnel","name":"P","areas":[{"code":"staff-training","name":"F"},{"code":"Staff Training","name":"F"}]}]}`,
			"sectors[0].areas[1].code", []string{`"Staff Training" is not a code`}},
		{"unknown area field", `{"sectors": [{"code":"personnel","name":"P","areas":[{"code":"x","name":"F","sectorCode":"personnel"}]}]}`,
			"sectors[0].areas[0]", []string{`unknown field "sectorCode"`}},
		{"several problems", `{"coverages": [` + strings.Replace(coverage, "PILOT", "X", 1) + `,` + strings.Replace(coverage, "2022-03-15", "2022-13-01", 1) + `]}`,
			"coverages[0].phase", []string{`coverages[0].phase: unknown phase "X"`, "\ncoverages[1].since: \"2022-13-01\" is not a date"}},
		{"too many problems", `{"coverages": [` + strings.Repeat(strings.Replace(coverage, "PILOT", "X", 1)+",", 24) + coverage + `]}`,
			"coverages[0].phase", []string{"coverages[19].phase", "and 4 more problems"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := network.Decode(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("Decode(%s) succeeded; want an error", tt.in)
			}
			if code := pcnet.ErrorCode(err); code != pcnet.EINVALID {
				t.Errorf("error code %q; want %q (error: %v)", code, pcnet.EINVALID, err)
			}
			if field := pcnet.ErrorField(err); field != tt.wantField {
				t.Errorf("error field %q; want %q (error: %v)", field, tt.wantField, err)
			}
			msg := pcnet.ErrorMessage(err)
			for _, want := range tt.wantMsg {
				if !strings.Contains(msg, want) {
					t.Errorf("error message %q doesn't contain %q", msg, want)
				}
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestDecodeReadError(t *testing.T) {
	_, err := network.Decode(failingReader{})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("Decode of a failing reader: %v; want the read error", err)
	}
	if pcnet.ErrorCode(err) != pcnet.EINTERNAL {
		t.Errorf("a read error has code %q; want it internal", pcnet.ErrorCode(err))
	}
}

// FuzzDecode checks that Decode never panics and that whatever it accepts
// survives Encode and Decode unchanged.
func FuzzDecode(f *testing.F) {
	f.Add(smallFile)
	f.Add(`{}`)
	f.Add(`{"coverages":[{"serviceId":"s","comuneCode":"001272","since":"2024-02-29","until":null,"phase":"ROLLOUT"}]}`)
	f.Add(`{"services":[{"id":"a","name":"\u00e8\u2028","providerCode":"001","areaCode":"x","status":"ENDED","startDate":"0001-01-01"}]}`)
	f.Add(`{"tutorships":[{"tutorCode":"001","tutoredCode":"001","sectorCode":"x","since":"2022-01-01","step":-7}]}`)
	f.Add(`{"sectors":[{"code":"a","name":"A","areas":[{"code":"b","name":"B"}]}],"note":"x","illustrative":false}`)
	f.Add(`{"services": [1]}`)
	f.Fuzz(func(t *testing.T, in string) {
		first, err := network.DecodeFile(strings.NewReader(in))
		if err != nil {
			if pcnet.ErrorCode(err) != pcnet.EINVALID || pcnet.ErrorField(err) == "" {
				t.Fatalf("Decode error without code or path: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := network.EncodeFile(&buf, first); err != nil {
			t.Fatal(err)
		}
		encoded := buf.String()
		second, err := network.DecodeFile(&buf)
		if err != nil {
			t.Fatalf("decoding the encoded file: %v\n%s", err, encoded)
		}
		if !reflect.DeepEqual(first, second) {
			t.Fatalf("round trip changed the file:\n first %+v\nsecond %+v", first, second)
		}
	})
}

// The example in FORMAT.md decodes, and is in the form Encode writes.
func TestFormatExample(t *testing.T) {
	doc, err := os.ReadFile("FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```json\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("FORMAT.md has no ```json example")
	}
	f, err := network.DecodeFile(strings.NewReader(example))
	if err != nil {
		t.Fatalf("the example in FORMAT.md doesn't decode: %v", err)
	}
	var buf bytes.Buffer
	if err := network.EncodeFile(&buf, f); err != nil {
		t.Fatal(err)
	}
	if buf.String() != example {
		t.Errorf("the example in FORMAT.md is not in canonical form; Encode writes:\n%s", buf.String())
	}
}
