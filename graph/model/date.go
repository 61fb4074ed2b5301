package model

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"pcnet/internal/pcnet"
)

// dateForm is how a Date is written, in messages.
const dateForm = `in the form YYYY-MM-DD, such as "2024-03-01"`

// MarshalDate writes the GraphQL Date scalar: "YYYY-MM-DD", or null for the
// zero Date, which the domain uses for an open end ("until" of a running
// coverage or tutorship).
func MarshalDate(d pcnet.Date) graphql.ContextMarshaler {
	if d.IsZero() {
		return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
			_, err := io.WriteString(w, "null")
			return err
		})
	}
	return marshalString(d.String())
}

// UnmarshalDate reads the GraphQL Date scalar. A malformed date is an
// invalid-input error naming the argument or input field it came from, so
// clients see e.g. field "filter.activeOn" rather than a generic failure.
func UnmarshalDate(ctx context.Context, v any) (pcnet.Date, error) {
	return unmarshalString(ctx, v, "date", "a date", dateForm, pcnet.ParseDate)
}

// marshalString writes a scalar written as a JSON string (Date, DateTime).
func marshalString(s string) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, strconv.Quote(s))
		return err
	})
}

// unmarshalString reads a scalar written as a string with parse. A value
// that is no string, or that parse refuses, is an invalid-input error on the
// argument or input field (fallback when ctx names none), saying what the
// value should be (kind, "a date") and its form.
func unmarshalString[T any](ctx context.Context, v any, fallback, kind, form string, parse func(string) (T, error)) (T, error) {
	field := inputFieldName(ctx, fallback)
	s, ok := v.(string)
	if !ok {
		var zero T
		return zero, pcnet.Invalidf(field, "%s: %s must be a string %s; got %v", field, kind, form, v)
	}
	x, err := parse(s)
	if err != nil {
		var zero T
		return zero, pcnet.Invalidf(field, "%s: %q is not %s %s", field, s, kind, form)
	}
	return x, nil
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
