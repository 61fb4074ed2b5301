package model

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"pcnet/internal/pcnet"
)

// MarshalDate writes the GraphQL Date scalar: "YYYY-MM-DD", or null for the
// zero Date, which the domain uses for an open end ("until" of a running
// coverage or tutorship).
func MarshalDate(d pcnet.Date) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		if d.IsZero() {
			_, err := io.WriteString(w, "null")
			return err
		}
		_, err := io.WriteString(w, strconv.Quote(d.String()))
		return err
	})
}

// UnmarshalDate reads the GraphQL Date scalar. A malformed date is an
// invalid-input error naming the argument or input field it came from, so
// clients see e.g. field "filter.activeOn" rather than a generic failure.
func UnmarshalDate(ctx context.Context, v any) (pcnet.Date, error) {
	field := inputFieldName(ctx, "date")
	s, ok := v.(string)
	if !ok {
		return pcnet.Date{}, pcnet.Invalidf(field, "%s: a date must be a string in the form YYYY-MM-DD, such as \"2024-03-01\"; got %v", field, v)
	}
	d, err := pcnet.ParseDate(s)
	if err != nil {
		return pcnet.Date{}, pcnet.Invalidf(field, "%s: %q is not a date in the form YYYY-MM-DD, such as \"2024-03-01\"", field, s)
	}
	return d, nil
}

// inputFieldName returns the path of the argument or input field being
// unmarshalled, as the rules name fields ("since", "filter.activeOn",
// "waves[1].due"), taken from the path gqlgen keeps in ctx, or fallback.
func inputFieldName(ctx context.Context, fallback string) string {
	var parts []string // innermost first
	for p := graphql.GetPathContext(ctx); p != nil; p = p.Parent {
		switch {
		case p.Index != nil:
			parts = append(parts, "["+strconv.Itoa(*p.Index)+"]")
		case p.Field != nil && *p.Field != "":
			parts = append(parts, *p.Field)
		}
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		if b.Len() > 0 && !strings.HasPrefix(parts[i], "[") {
			b.WriteByte('.')
		}
		b.WriteString(parts[i])
	}
	if b.Len() == 0 {
		return fallback
	}
	return b.String()
}
