package pcnet_test

import (
	"strings"
	"testing"

	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

// TestValidateTutorshipOutcome: imported outcomes follow the rule of
// endTutorship (COMPLETED only at step 3, none on an open tutorship).
func TestValidateTutorshipOutcome(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *pcnet.Tutorship)
		want   string // "" valid
	}{
		{"withdrawn at step 1", func(t *pcnet.Tutorship) {
			t.Until, t.Step, t.Outcome = pcnet.MustDate("2025-01-01"), 1, pcnet.OutcomeWithdrawn
		}, ""},
		{"completed at step 3", func(t *pcnet.Tutorship) {
			t.Until, t.Step, t.Outcome = pcnet.MustDate("2025-01-01"), 3, pcnet.OutcomeCompleted
		}, ""},
		{"completed at step 1", func(t *pcnet.Tutorship) {
			t.Until, t.Step, t.Outcome = pcnet.MustDate("2025-01-01"), 1, pcnet.OutcomeCompleted
		}, "COMPLETED at step 1"},
		{"outcome of an open tutorship", func(t *pcnet.Tutorship) { t.Until, t.Outcome = pcnet.Date{}, pcnet.OutcomeWithdrawn }, "outcome WITHDRAWN of an open tutorship"},
		{"in progress once ended", func(t *pcnet.Tutorship) { t.Until, t.Outcome = pcnet.MustDate("2025-01-01"), pcnet.OutcomeInProgress }, `"IN_PROGRESS" is not the outcome of an ended tutorship`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := storetest.Fixture()
			// 040→064 in procurement from 2024-02-01 has no path steps to disturb.
			for i, tu := range ds.Tutorships {
				if tu.TutorCode == "040" && tu.TutoredCode == "064" {
					tt.change(&ds.Tutorships[i])
				}
			}
			err := ds.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Validate: %v, want %q", err, tt.want)
			}
		})
	}
}
