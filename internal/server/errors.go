package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"pcnet/internal/pcnet"
)

// errPanic marks a panic already logged by recoverPanic.
var errPanic = errors.New("panic in resolver")

// presentError decides what a client sees of an error:
//   - a *pcnet.Error (invalid input and the like): its message, with
//     extensions {code, field};
//   - gqlgen's own errors (syntax, validation, coercion), which wrap
//     nothing: as they are, since they describe the request;
//   - anything else: "internal error" with extensions {code: "internal"}.
//     The real error is logged with the path, never shown: it may name
//     hosts, queries or files.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		out := graphql.DefaultErrorPresenter(ctx, err)
		if pe, ok := errors.AsType[*pcnet.Error](err); ok {
			out.Message = pe.Message
			out.Extensions = map[string]any{"code": pe.Code}
			if pe.Field != "" {
				out.Extensions["field"] = pe.Field
			}
			return out
		}
		if ge, ok := errors.AsType[*gqlerror.Error](err); ok && ge.Unwrap() == nil {
			return out
		}
		if !errors.Is(err, errPanic) {
			log.ErrorContext(ctx, "internal error", "path", out.Path.String(), "err", err)
		}
		return &gqlerror.Error{
			Message:    "internal error",
			Path:       out.Path,
			Locations:  out.Locations,
			Extensions: map[string]any{"code": pcnet.EINTERNAL},
		}
	}
}

// recoverPanic logs a resolver's panic with its stack and turns it into an
// internal error for the client.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		var path string
		if fc := graphql.GetFieldContext(ctx); fc != nil {
			path = fc.Path().String()
		}
		log.ErrorContext(ctx, "panic", "path", path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errPanic
	}
}
