package network_test

import (
	"strings"
	"testing"

	"pcnet/internal/network"
	"pcnet/internal/pcnet"
)

// TestDecodeProgrammeErrors checks that the programme's lists are read as
// strictly as the rest of the file: every problem is listed with its path.
func TestDecodeProgrammeErrors(t *testing.T) {
	tests := []struct {
		name, in  string
		wantField string
		wantMsg   []string
	}{
		{"participation without since", `{"participations": [{"provinceCode":"108","sectorCode":"personnel"}]}`,
			"participations[0].since", []string{"participations[0].since: missing"}},
		{"participation with a bad province", `{"participations": [{"provinceCode":"8","sectorCode":"personnel","since":"2022-01-10"}]}`,
			"participations[0].provinceCode", []string{"participations[0].provinceCode"}},
		{"path step without step", `{"pathSteps": [{"tutorCode":"108","tutoredCode":"097","sectorCode":"personnel","tutorshipSince":"2022-01-10","reached":"2022-01-10"}]}`,
			"pathSteps[0].step", []string{"pathSteps[0].step: missing"}},
		{"unknown section", `{"sections": [{"projectWorkId":"pw","section":"SUMMARY","text":"x"}]}`,
			"sections[0].section", []string{`unknown section "SUMMARY"`, "CONTEXT, OBJECTIVES"}},
		{"rollout target with a bad date", `{"rolloutTargets": [{"serviceId":"svc","comuneCode":"108033","wave":1,"due":"2026-02-30"}]}`,
			"rolloutTargets[0].due", []string{`"2026-02-30" is not a date`}},
		{"material with an unknown field", `{"materials": [{"id":"m","title":"T","kind":"TOOL","url":"u","sectorCode":"s","published":"2024-01-01","file":"x.pdf"}]}`,
			"materials[0]", []string{`unknown field "file"`}},
		{"pilot without scope, with a bad decision and comune", `{"pilots": [{"id":"p","title":"T","provinceCode":"108","sectorCode":"s","comuneCodes":[],"since":"2024-01-01","decision":"GO"},` +
			`{"id":"q","title":"T","provinceCode":"108","sectorCode":"s","comuneCodes":["108033","1"],"since":"2024-01-01"}]}`,
			"pilots[0].comuneCodes", []string{"pilots[0].comuneCodes: at least one comune expected", `pilots[0].decision: unknown decision "GO"`, "pilots[1].comuneCodes[1]"}},
		{"problems in several lists", `{"materials": [{"id":"m","title":"T","kind":"PDF","url":"u","sectorCode":"s","published":"2024-01-01"}],` +
			`"rolloutTargets": [{"serviceId":"svc","comuneCode":"108033","due":"2026-01-01"}]}`,
			"rolloutTargets[0].wave", []string{"rolloutTargets[0].wave: missing", `materials[0].kind: unknown kind "PDF"`}},
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
