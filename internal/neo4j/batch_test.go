package neo4j

import (
	"strings"
	"testing"
)

// TestBatchPlanBuild checks how a batch's filters shape the query text:
// left out when no query sets them, plain when all do (and anchoring the
// match), guarded by "IS NULL" when only some do, and never carrying a
// value.
func TestBatchPlanBuild(t *testing.T) {
	const evil = `x'}) DETACH DELETE (n) //`
	tests := []struct {
		name    string
		queries []map[string]any
		want    []string // fragments the text must contain
		notWant []string // fragments it must not
	}{
		{
			name:    "no filter",
			queries: []map[string]any{{}, {}},
			want:    []string{"MATCH (c:Comune)-[:IN_PROVINCE]->(p:Province)-[:IN_REGION]->(r:Region)"},
			notWant: []string{"WHERE", "q.codes", "q.provinces"},
		},
		{
			name:    "every query by province",
			queries: []map[string]any{{"provinces": []any{"013"}}, {"provinces": []any{evil}}},
			want:    []string{"MATCH (p:Province) WHERE p.code IN q.provinces"},
			notWant: []string{"IS NULL", "q.codes", evil},
		},
		{
			name:    "codes anchor wins over provinces",
			queries: []map[string]any{{"codes": []any{"013041"}, "provinces": []any{"013"}}},
			want:    []string{"MATCH (c:Comune) WHERE c.code IN q.codes", "(p.code IN q.provinces)"},
			notWant: []string{"IS NULL"},
		},
		{
			name:    "some queries by name",
			queries: []map[string]any{{"provinces": []any{"013"}, "needle": evil}, {"provinces": []any{"108"}}},
			want:    []string{"(q.needle IS NULL OR (c.searchName CONTAINS q.needle"},
			notWant: []string{evil, "q.covered"},
		},
		{
			name:    "coverage condition in every query",
			queries: []map[string]any{{"covered": true, "coverageSector": evil}},
			want:    []string{"} = q.covered)", "q.coverageSector IS NULL OR sec.code = q.coverageSector"},
			notWant: []string{evil, "q.covered IS NULL"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := comunePlan.build(tt.queries)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("text lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("text has %q:\n%s", w, got)
				}
			}
		})
	}
}
