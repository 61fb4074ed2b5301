package istat

import (
	"fmt"
	"strings"
)

// MaxErrors is how many problems a parse lists before it only counts them.
// Ten are enough to see a pattern (a wrong file, a shifted column) without
// burying it under thousands of lines.
const MaxErrors = 10

// LineError is a problem with one line of an input file.
type LineError struct {
	Line int    // physical line, counting from 1; header lines count too
	Msg  string // what is wrong, e.g. `population "2.6x4" is not a number`
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ParseError is the error of a parse that found problems: the first
// MaxErrors of them, in input order, and how many more there were.
type ParseError struct {
	File     string // which file, for the message: "Comuni list"
	Problems []*LineError
	More     int // problems found but not listed
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if len(e.Problems) == 1 && e.More == 0 {
		fmt.Fprintf(&b, "istat: %s: %v", e.File, e.Problems[0])
		return b.String()
	}
	fmt.Fprintf(&b, "istat: %s: %d problems:", e.File, len(e.Problems)+e.More)
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %v", p)
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", e.More)
	}
	return b.String()
}

// Unwrap returns the listed problems, so errors.As finds a *LineError.
func (e *ParseError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// problems collects line errors up to MaxErrors.
type problems struct {
	file   string
	listed []*LineError
	more   int
}

func (p *problems) add(line int, format string, args ...any) {
	if len(p.listed) == MaxErrors {
		p.more++
		return
	}
	p.listed = append(p.listed, &LineError{Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *problems) err() error {
	if len(p.listed) == 0 {
		return nil
	}
	return &ParseError{File: p.file, Problems: p.listed, More: p.more}
}
