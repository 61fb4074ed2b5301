package model

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"pcnet/internal/pcnet"
)

// DateTimeLayout is how instants are written: RFC 3339 in UTC, to the
// millisecond, e.g. "2026-05-19T10:30:00.000Z".
const DateTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// MarshalDateTime writes the GraphQL DateTime scalar.
func MarshalDateTime(t time.Time) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, strconv.Quote(t.UTC().Format(DateTimeLayout)))
		return err
	})
}

// UnmarshalDateTime reads the GraphQL DateTime scalar: RFC 3339 with a time
// zone. A malformed instant is an invalid-input error naming the argument.
func UnmarshalDateTime(ctx context.Context, v any) (time.Time, error) {
	field := inputFieldName(ctx, "dateTime")
	s, ok := v.(string)
	if !ok {
		return time.Time{}, pcnet.Invalidf(field, "%s: an instant must be a string in RFC 3339 form, such as \"2026-05-19T10:30:00Z\"; got %v", field, v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, pcnet.Invalidf(field, "%s: %q is not an instant in RFC 3339 form, such as \"2026-05-19T10:30:00Z\"", field, s)
	}
	return t.UTC(), nil
}
