package pcnet

import (
	"errors"
	"fmt"
)

// Error codes. Only the message of an error carrying one of these codes is
// shown to users; anything else is logged and reported as "internal error".
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EUNAVAILABLE  = "unavailable"
	EINTERNAL     = "internal"
)

// Error is an application error: a machine-readable code, a message safe to
// show to users and, for invalid input, the field at fault.
type Error struct {
	Code    string
	Field   string // the input field at fault, if any (e.g. "istat", "first")
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("pcnet error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("pcnet error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf returns an EINVALID error naming the offending input field.
func Invalidf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or EINTERNAL for errors that carry none.
func ErrorCode(err error) string {
	return errorPart(err, func(e *Error) string { return e.Code }, EINTERNAL)
}

// ErrorMessage returns the user-facing message of err: the message of an
// *Error, or "internal error" for anything else, so internals never leak.
func ErrorMessage(err error) string {
	return errorPart(err, func(e *Error) string { return e.Message }, "internal error")
}

// ErrorField returns the input field named by err, if any.
func ErrorField(err error) string {
	return errorPart(err, func(e *Error) string { return e.Field }, "")
}

// errorPart is part of the *Error in err's chain; "" for no error, and
// other for an error that carries no *Error.
func errorPart(err error, part func(*Error) string, other string) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return part(e)
	}
	return other
}
