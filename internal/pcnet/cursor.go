package pcnet

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// Paging limits for connections.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

// cursorPrefix marks the cursor format: "k2:<fingerprint>:<key as JSON>".
// A cursor of another format (the offset cursors "o:<offset>" and
// "k1:<fingerprint>:<offset>" of earlier versions included) is invalid.
const cursorPrefix = "k2:"

// Key is the position of an item in the order of its list: the sort key of
// the order and the unique tie-breaker. A key-set cursor carries the Key of
// its item and the next page holds the items strictly after it, so writes
// between pages neither skip nor repeat items (offsets did).
type Key struct {
	// Code is the Comune's code: the tie-breaker of every Comune order and
	// the second key of coverages.
	Code       string `json:"c"`
	Name       string `json:"n,omitempty"` // ComuneByName
	Population int    `json:"p,omitempty"` // the population orders
	ServiceID  string `json:"s,omitempty"` // coverages: first key
	Since      string `json:"d,omitempty"` // coverages: third key, YYYY-MM-DD
}

// ComuneKey returns the Key of c in order o.
func ComuneKey(o ComuneOrder, c Comune) Key {
	k := Key{Code: c.Code}
	switch o {
	case ComuneByName:
		k.Name = c.Name
	case ComuneByPopulationAsc, ComuneByPopulationDesc:
		k.Population = c.Population
	}
	return k
}

// ComuneAfter reports whether c comes strictly after k in order o: the
// one definition of a page's start for Comuni, which the Neo4j store
// mirrors in Cypher.
func ComuneAfter(o ComuneOrder, k Key, c Comune) bool {
	switch o {
	case ComuneByName:
		if c.Name != k.Name {
			return c.Name > k.Name
		}
	case ComuneByPopulationDesc:
		if c.Population != k.Population {
			return c.Population < k.Population
		}
	case ComuneByPopulationAsc:
		if c.Population != k.Population {
			return c.Population > k.Population
		}
	}
	return c.Code > k.Code
}

// CoverageKey returns the Key of c in the coverage order (service ID,
// Comune code, start date).
func CoverageKey(c Coverage) Key {
	return Key{ServiceID: c.ServiceID, Code: c.ComuneCode, Since: c.Since.String()}
}

// CoverageAfter reports whether c comes strictly after k in the coverage
// order.
func CoverageAfter(k Key, c Coverage) bool {
	if c.ServiceID != k.ServiceID {
		return c.ServiceID > k.ServiceID
	}
	if c.ComuneCode != k.Code {
		return c.ComuneCode > k.Code
	}
	return c.Since.String() > k.Since // YYYY-MM-DD compares as the date
}

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

// Encode returns the opaque cursor of the item at key k.
func (c Cursors) Encode(k Key) string {
	b, err := json.Marshal(k)
	if err != nil {
		panic(fmt.Sprintf("pcnet: encoding a cursor key: %v", err)) // strings and ints always encode
	}
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + c.fingerprint + ":" + string(b)))
}

// Decode returns the key in a cursor made by Encode of the same Cursors.
// field names the input in the error: a malformed or forged cursor, an
// offset cursor of an earlier version, or one made under another
// connection, order or filter, is invalid.
func (c Cursors) Decode(field, cursor string) (Key, error) {
	notOurs := Invalidf(field, "%s: %q is not a cursor returned by this service; ask for the first page again", field, cursor)
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	rest, ok := strings.CutPrefix(string(raw), cursorPrefix)
	fp, key, ok2 := strings.Cut(rest, ":")
	if err != nil || !ok || !ok2 {
		return Key{}, notOurs
	}
	if fp != c.fingerprint {
		return Key{}, Invalidf(field, "%s: the cursor was made under another order or filter; ask for the first page again", field)
	}
	var k Key
	dec := json.NewDecoder(bytes.NewReader([]byte(key)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&k); err != nil || dec.More() || k.Code == "" {
		return Key{}, notOurs
	}
	if k.Since != "" {
		if d, err := ParseDate(k.Since); err != nil || d.String() != k.Since {
			return Key{}, notOurs
		}
	}
	return k, nil
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
		k, err := c.Decode("after", *after)
		if err != nil {
			return Page{}, err
		}
		p.After = &k
	}
	return p, nil
}
