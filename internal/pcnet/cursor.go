package pcnet

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Paging limits for connections.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

// cursorPrefix marks the cursor format: "k1:<fingerprint>:<position>". A
// cursor of another format (the old "o:<offset>" ones included) is invalid.
const cursorPrefix = "k1:"

// MaxCursorOffset is the largest offset a cursor may carry. No list comes
// near it; with it the page's end (offset + 1 + MaxPageSize) still fits in
// int32, which Neo4j's list slicing needs: a forged larger one gave an
// internal error on Neo4j and an empty page in memory.
const MaxCursorOffset = 1<<30 - 1

// Cursors makes and reads the cursors of one connection under one order and
// filter. Every cursor carries the fingerprint of the arguments it was made
// under, so a cursor is only accepted by the connection, order and filter
// that made it: this is the one place where cursors are checked, for every
// connection and both stores.
type Cursors struct{ fingerprint string }

// CursorsOf returns the cursors of the named connection listed under args
// (its order and filter, plain data). The fingerprint is a hash of the name
// and of the JSON of args: equal arguments give equal fingerprints.
func CursorsOf(connection string, args ...any) Cursors {
	b, err := json.Marshal(args)
	if err != nil {
		panic(fmt.Sprintf("pcnet: encoding connection arguments: %v", err)) // plain structs always encode
	}
	h := sha256.New()
	h.Write([]byte(connection))
	h.Write([]byte{0})
	h.Write(b)
	return Cursors{fingerprint: base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:9])}
}

// Encode returns the opaque cursor of the item at offset in the list.
func (c Cursors) Encode(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + c.fingerprint + ":" + strconv.Itoa(offset)))
}

// Decode returns the offset in a cursor made by Encode of the same Cursors.
// field names the input in the error: a malformed or forged cursor, or one
// made under another connection, order or filter, is invalid.
func (c Cursors) Decode(field, cursor string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	rest, ok := strings.CutPrefix(string(raw), cursorPrefix)
	fp, pos, ok2 := strings.Cut(rest, ":")
	if err != nil || !ok || !ok2 {
		return 0, Invalidf(field, "%s: %q is not a cursor returned by this service", field, cursor)
	}
	if fp != c.fingerprint {
		return 0, Invalidf(field, "%s: the cursor was made under another order or filter; ask for the first page again", field)
	}
	n, err := strconv.Atoi(pos)
	if err != nil || n < 0 || n > MaxCursorOffset || strconv.Itoa(n) != pos {
		return 0, Invalidf(field, "%s: %q is not a cursor returned by this service", field, cursor)
	}
	return n, nil
}

// Page turns connection arguments into a Page: first items after the
// cursor (nil for defaults). The page starts right after the cursor's item.
func (c Cursors) Page(first *int, after *string) (Page, error) {
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
		n, err := c.Decode("after", *after)
		if err != nil {
			return Page{}, err
		}
		p.Offset = n + 1
	}
	return p, nil
}
