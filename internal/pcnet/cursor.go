package pcnet

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Paging limits for connections.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

const cursorPrefix = "o:"

// MaxCursorOffset is the largest offset a cursor may carry. No list comes
// near it; a larger one (a forged cursor) would overflow int when the page
// starts after it, and slice a list at a negative index.
const MaxCursorOffset = 1<<31 - 2

// EncodeCursor returns the opaque cursor of the item at offset in a list.
func EncodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(offset)))
}

// DecodeCursor returns the offset encoded in a cursor made by EncodeCursor.
// field names the input in the error.
func DecodeCursor(field, cursor string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || !strings.HasPrefix(string(raw), cursorPrefix) {
		return 0, Invalidf(field, "%s: %q is not a cursor returned by this service", field, cursor)
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(raw), cursorPrefix))
	if err != nil || n < 0 || n > MaxCursorOffset {
		return 0, Invalidf(field, "%s: %q is not a cursor returned by this service", field, cursor)
	}
	return n, nil
}

// PageOf turns connection arguments into a Page: first items after the
// cursor (nil for defaults). The page starts right after the cursor's item.
func PageOf(first *int, after *string) (Page, error) {
	limit := DefaultPageSize
	if first != nil {
		limit = *first
	}
	if limit < 0 {
		return Page{}, Invalidf("first", "first: must not be negative, got %d", limit)
	}
	if limit > MaxPageSize {
		return Page{}, Invalidf("first", "first: at most %d items per page, got %d", MaxPageSize, limit)
	}
	p := Page{Limit: limit, CountOnly: limit == 0}
	if after != nil && *after != "" {
		n, err := DecodeCursor("after", *after)
		if err != nil {
			return Page{}, err
		}
		p.Offset = n + 1
	}
	return p, nil
}
