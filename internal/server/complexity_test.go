package server

import (
	"strings"
	"testing"

	"pcnet/graph"
)

// Every field the cost model names exists in the schema, as a list where
// it is given a length and with a `first` argument where it is paged: a
// renamed field would otherwise fall back to the defaults unnoticed.
func TestComplexityTableMatchesSchema(t *testing.T) {
	schema := graph.NewSchema(&graph.Resolver{}).Schema()
	lookup := func(key string) (isList, hasFirst, ok bool) {
		typeName, field, found := strings.Cut(key, ".")
		def := schema.Types[typeName]
		if !found || def == nil {
			return false, false, false
		}
		f := def.Fields.ForName(field)
		if f == nil {
			return false, false, false
		}
		return f.Type.Elem != nil, f.Arguments.ForName("first") != nil, true
	}
	for key := range listSizes {
		if isList, _, ok := lookup(key); !ok || !isList {
			t.Errorf("listSizes names %s, which is not a list field of the schema", key)
		}
	}
	for key := range pageBounds {
		if _, hasFirst, ok := lookup(key); !ok || !hasFirst {
			t.Errorf("pageBounds names %s, which is not a field with a first argument", key)
		}
	}
	for key := range analyticsFields {
		if _, _, ok := lookup(key); !ok {
			t.Errorf("analyticsFields names %s, which is not a field of the schema", key)
		}
	}
}

func TestTimelinePoints(t *testing.T) {
	tests := []struct {
		args map[string]any
		want int
	}{
		{map[string]any{"from": "2024-01-01", "to": "2024-12-01", "interval": "MONTH"}, 12},
		{map[string]any{"from": "2020-01-01", "to": "2024-12-31", "interval": "YEAR"}, 5},
		{map[string]any{"from": "2024-01-31", "to": "2024-12-31", "interval": "QUARTER"}, 4},
		{map[string]any{"from": "2024-12-01", "to": "2024-01-01", "interval": "MONTH"}, 240}, // rejected by the resolver
		{map[string]any{"from": "someday", "to": "2024-01-01", "interval": "MONTH"}, 240},
	}
	for _, tt := range tests {
		if got := timelinePoints(tt.args); got != tt.want {
			t.Errorf("timelinePoints(%v) = %d, want %d", tt.args, got, tt.want)
		}
	}
}
