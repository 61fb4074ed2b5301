package graph

import (
	"context"
	"sort"
	"strings"
	"testing"

	"pcnet/graph/model"
	"pcnet/internal/pcnet"
)

// Every list field of the schema has a size in the cost model: one left
// out would cost its items once, so a query over it would pass the
// complexity limit however many items it returns. The edges of a
// connection are exempt: the connection field multiplies by its page.
func TestEveryListHasASize(t *testing.T) {
	es := NewSchema(&Resolver{})
	schema := es.Schema()
	var missing []string
	for _, def := range schema.Types {
		if strings.HasPrefix(def.Name, "__") || strings.HasSuffix(def.Name, "Connection") {
			continue
		}
		for _, f := range def.Fields {
			if f.Type.Elem == nil || strings.HasPrefix(f.Name, "__") {
				continue
			}
			elem := schema.Types[f.Type.Name()]
			if elem == nil || elem.IsLeafType() {
				continue // a list of scalars costs what it selects: nothing
			}
			// A child of cost 1 costs more than 1 + 1 when the list is sized.
			if c, ok := es.Complexity(context.Background(), def.Name, f.Name, 1, nil); !ok || c <= 2 {
				missing = append(missing, def.Name+"."+f.Name)
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("%s is a list without a size in complexityRoot (graph/complexity.go)", m)
	}
}

// A connection costs what a page selects, `first` times, capped by the
// most items its list can hold.
func TestConnectionCost(t *testing.T) {
	c := complexityRoot()
	n := func(v int) *int { return &v }
	tests := []struct {
		name string
		got  int
		want int
	}{
		{"first 100", c.Query.Comuni(3, nil, nil, n(100), nil), 1 + 3*100},
		{"default page", c.Query.Comuni(3, nil, nil, nil, nil), 1 + 3*DefaultPage},
		{"capped by the Comuni of a Province", c.Province.Comuni(1, nil, nil, n(100000), nil), 1 + maxComuniPerProvince},
		{"saturates", c.Query.Comuni(1<<62, nil, nil, n(1000), nil), 1<<63 - 1},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: cost %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}

func TestTimelinePoints(t *testing.T) {
	date := func(s string) pcnet.Date {
		d, err := pcnet.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	iv := func(s model.TimelineInterval) *model.TimelineInterval { return &s }
	tests := []struct {
		from, to string
		interval *model.TimelineInterval
		want     int
	}{
		{"2024-01-01", "2024-12-01", iv(model.TimelineIntervalMonth), 12},
		{"2024-01-01", "2024-12-01", nil, 12}, // MONTH by default
		{"2020-01-01", "2024-12-31", iv(model.TimelineIntervalYear), 5},
		{"2024-01-31", "2024-12-31", iv(model.TimelineIntervalQuarter), 4},
		{"2024-12-01", "2024-01-01", iv(model.TimelineIntervalMonth), pcnet.MaxTimelinePoints}, // rejected by the resolver
	}
	for _, tt := range tests {
		if got := TimelinePoints(date(tt.from), date(tt.to), tt.interval); got != tt.want {
			t.Errorf("TimelinePoints(%s, %s, %v) = %d, want %d", tt.from, tt.to, tt.interval, got, tt.want)
		}
	}
}
