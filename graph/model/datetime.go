package model

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// DateTimeLayout is how instants are written: RFC 3339 in UTC, to the
// millisecond, e.g. "2026-05-19T10:30:00.000Z".
const DateTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// MarshalDateTime writes the GraphQL DateTime scalar.
func MarshalDateTime(t time.Time) graphql.ContextMarshaler {
	return marshalString(t.UTC().Format(DateTimeLayout))
}

// UnmarshalDateTime reads the GraphQL DateTime scalar: RFC 3339 with a time
// zone. A malformed instant is an invalid-input error naming the argument.
func UnmarshalDateTime(ctx context.Context, v any) (time.Time, error) {
	return unmarshalString(ctx, v, "dateTime", "an instant", `in RFC 3339 form, such as "2026-05-19T10:30:00Z"`, func(s string) (time.Time, error) {
		t, err := time.Parse(time.RFC3339Nano, s)
		return t.UTC(), err
	})
}
