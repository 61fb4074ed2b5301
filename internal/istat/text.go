package istat

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"pcnet/internal/pcnet"
)

// utf8BOM is the byte-order mark some tools (and ISTAT) put at the start of
// UTF-8 files.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// readText reads all of r and returns it as UTF-8. ISTAT has published its
// lists both in UTF-8 (with a byte-order mark) and in Windows-1252. A
// Windows-1252 file with any accented letter is almost never valid UTF-8,
// and a UTF-8 file always is, so validity decides the encoding.
func readText(r io.Reader) ([]byte, error) {
	b, err := readAll(r)
	if err != nil {
		return nil, err
	}
	if utf8.Valid(b) {
		return bytes.TrimPrefix(b, utf8BOM), nil
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return nil, fmt.Errorf("decoding as Windows-1252: %w", err)
	}
	return out, nil
}

// readAll is io.ReadAll that allocates once when r knows its length, as the
// readers over embedded files do.
func readAll(r io.Reader) ([]byte, error) {
	if l, ok := r.(interface{ Len() int }); ok {
		// ReadFrom wants MinRead bytes free before each read, the one
		// that finds EOF included; with less it would double the buffer.
		buf := bytes.NewBuffer(make([]byte, 0, l.Len()+bytes.MinRead))
		_, err := buf.ReadFrom(r)
		return buf.Bytes(), err
	}
	return io.ReadAll(r)
}

// normalizeHeader folds a header cell for matching: lower case, no accents,
// every run of white space (including the line breaks inside ISTAT's quoted
// header cells) turned into one space.
func normalizeHeader(s string) string {
	return strings.Join(strings.Fields(pcnet.FoldName(s)), " ")
}

// isDigits reports whether s is exactly n ASCII digits.
func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// newCSV reads the CSV text, fields separated by comma. The number of fields
// is left to the callers, which report a short row and go on.
func newCSV(text []byte, comma rune) *csv.Reader {
	cr := csv.NewReader(bytes.NewReader(text))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return cr
}

// eachRow reads the rows of cr (after its header) to the end: row gets each
// with its physical line, malformed each row the CSV reader refuses, with
// the reason, and reading goes on. Another error ends it. rec is reused by
// the next row.
func eachRow(cr *csv.Reader, row func(line int, rec []string), malformed func(line int, err error)) error {
	var pe *csv.ParseError
	for {
		rec, err := cr.Read()
		switch {
		case err == io.EOF:
			return nil
		case errors.As(err, &pe):
			malformed(pe.Line, pe.Err)
		case err != nil:
			return err
		default:
			line, _ := cr.FieldPos(0)
			row(line, rec)
		}
	}
}
