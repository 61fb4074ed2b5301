package neo4j

import (
	"context"
	"fmt"
	"math"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"pcnet/internal/pcnet"
)

// wgs84 is the spatial reference id of WGS84 longitude/latitude points.
const wgs84 = 4326

// noLimit is the slice end used for pages without a limit: Cypher list
// slices need an end, and one past any real list size means "to the end".
const noLimit = math.MaxInt32

// dateParam returns d as a Neo4j date, or nil (null) for the zero Date.
func dateParam(d pcnet.Date) any {
	if d.IsZero() {
		return nil
	}
	return neo4jdrv.Date(d.Time())
}

// listParam returns xs as a query parameter: nil (null) when empty, so
// that "$xs IS NULL OR ..." reads "no filter".
func listParam[T ~string](xs []T) any {
	if len(xs) == 0 {
		return nil
	}
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// stringParam returns s, or nil (null) when empty.
func stringParam(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// intParam returns *p, or nil (null) when p is nil.
func intParam(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

// boolParam returns *p, or nil (null) when p is nil.
func boolParam(p *bool) any {
	if p == nil {
		return nil
	}
	return *p
}

// pageParams returns the key-set parameters of p: after, the key of the
// item the page follows (null from the start), and limit, the most items
// the page holds. Keys go in as parameters, never into the Cypher text.
func pageParams(p pcnet.Page) (after any, limit int64) {
	switch {
	case p.CountOnly:
		limit = 0
	case p.Limit > 0:
		limit = int64(p.Limit)
	default:
		limit = noLimit
	}
	if k := p.After; k != nil {
		var since any
		if d, err := pcnet.ParseDate(k.Since); err == nil {
			since = dateParam(d)
		}
		after = map[string]any{"c": k.Code, "n": k.Name, "p": int64(k.Population), "s": k.ServiceID, "d": since}
	}
	return after, limit
}

// Readers of values returned by queries. A property that is not set comes
// back as nil and reads as the zero value; a value of an unexpected type is
// an error, recorded in the reader so that a row is checked once.
type reader struct{ err error }

func (r *reader) fail(what string, v any) {
	if r.err == nil {
		r.err = fmt.Errorf("neo4j: unexpected %s value %v (%T)", what, v, v)
	}
}

func (r *reader) str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	r.fail("string", v)
	return ""
}

func (r *reader) int(v any) int {
	switch v := v.(type) {
	case nil:
		return 0
	case int64:
		return int(v)
	}
	r.fail("integer", v)
	return 0
}

func (r *reader) bool(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	}
	r.fail("boolean", v)
	return false
}

func (r *reader) float(v any) *float64 {
	switch v := v.(type) {
	case nil:
		return nil
	case float64:
		return &v
	}
	r.fail("float", v)
	return nil
}

func (r *reader) date(v any) pcnet.Date {
	switch v := v.(type) {
	case nil:
		return pcnet.Date{}
	case dbtype.Date:
		return pcnet.DateOf(time.Time(v))
	}
	r.fail("date", v)
	return pcnet.Date{}
}

func (r *reader) list(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	}
	r.fail("list", v)
	return nil
}

func (r *reader) dict(v any) map[string]any {
	switch v := v.(type) {
	case nil:
		return nil
	case map[string]any:
		return v
	}
	r.fail("map", v)
	return nil
}

// rows decodes v, a list of rows of n fields each (a COLLECT of lists),
// calling each with every row's fields; a row of another length is an
// error naming what.
func (r *reader) rows(v any, n int, what string, each func(f []any)) {
	for _, row := range r.list(v) {
		f := r.list(row)
		if len(f) != n {
			if r.err == nil {
				r.err = fmt.Errorf("neo4j: %s row of %d fields", what, len(f))
			}
			return
		}
		each(f)
	}
}

// one decodes v, a list of at most one row of n fields (a COLLECT of a
// lookup by key), with decode: nil when it is empty.
func one[T any](r *reader, v any, n int, what string, decode func(r *reader, f []any) T) *T {
	var out *T
	r.rows(v, n, what, func(f []any) {
		if out == nil {
			x := decode(r, f)
			out = &x
		}
	})
	return out
}

// readAll runs a read query and decodes each record's values with decode:
// nil when there are none.
func readAll[T any](ctx context.Context, s *Store, cypher string, params map[string]any, decode func(rd *reader, v []any) T) ([]T, error) {
	recs, err := s.read(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	var out []T
	var rd reader
	for _, rec := range recs {
		out = append(out, decode(&rd, rec.Values))
	}
	return out, rd.err
}

// nonNil returns xs, an empty list for none: the lists GraphQL shows as
// [] rather than null.
func nonNil[T any](xs []T, err error) ([]T, error) {
	if xs == nil && err == nil {
		xs = []T{}
	}
	return xs, err
}
