package pcnet_test

import (
	"strings"
	"testing"

	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

// TestValidateModelFrom checks that imported data follows the adapted
// model's rule (CheckModelFrom, the writes' rule too): every bad reference
// is listed with the project work that makes it, and the fixture's valid
// one (pw-108-training adapts its tutor 013's pw-013-training) passes.
func TestValidateModelFrom(t *testing.T) {
	tests := []struct {
		name    string
		modelOf map[string]string // project work ID → ModelFromID to set
		want    []string          // "" : valid
	}{
		{"the fixture's tutor model", nil, nil},
		{"none", map[string]string{"pw-108-training": ""}, nil},
		{"unknown", map[string]string{"pw-108-training": "pw-nowhere"}, []string{`project work pw-108-training: modelFromId: no project work "pw-nowhere"`}},
		{"itself", map[string]string{"pw-108-training": "pw-108-training"}, []string{"project work pw-108-training: modelFromId: project work pw-108-training cannot adapt its own model"}},
		{"another area", map[string]string{"pw-108-training": "pw-215-sua"}, []string{`project work pw-108-training: modelFromId: project work pw-215-sua is of area "sua"`}},
		// 108 tutors 013 in procurement, not in personnel, and never the reverse.
		{"no tutorship, both listed", map[string]string{"pw-013-training": "pw-108-training", "pw-108-training": "pw-nowhere"}, []string{
			"project work pw-013-training: modelFromId: Province 108 of project work pw-108-training never tutored Province 013",
			`project work pw-108-training: modelFromId: no project work "pw-nowhere"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := storetest.Fixture()
			for i, w := range ds.ProjectWorks {
				if m, ok := tt.modelOf[w.ID]; ok {
					ds.ProjectWorks[i].ModelFromID = m
				}
			}
			err := ds.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate accepted a bad modelFromId")
			}
			if code := pcnet.ErrorCode(err); code != pcnet.EINVALID {
				t.Errorf("error code %q, want invalid", code)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q doesn't contain %q", err, w)
				}
			}
		})
	}
}
