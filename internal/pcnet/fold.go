package pcnet

import (
	"strings"
	"unicode"
)

// FoldName returns s in lower case with accents and other diacritics
// removed, for searches that ignore both: FoldName("Cantù") == "cantu".
// Both stores search on folded names, so they agree on what matches.
func FoldName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = unicode.ToLower(r)
		if f, ok := foldTable[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// foldTable maps the lower-case letters with diacritics found in Italian,
// German, French, Slovene and Ladin place names to their base letters.
var foldTable = func() map[rune]string {
	groups := map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "d": "ďđ", "e": "èéêëēĕėęě",
		"g": "ĝğġģ", "h": "ĥħ", "i": "ìíîïĩīĭįı", "j": "ĵ", "k": "ķ",
		"l": "ĺļľŀł", "n": "ñńņňŉ", "o": "òóôõöøōŏő", "r": "ŕŗř",
		"s": "śŝşš", "t": "ţťŧ", "u": "ùúûüũūŭůűų", "w": "ŵ", "y": "ýÿŷ",
		"z": "źżž", "ae": "æ", "oe": "œ", "ss": "ß",
	}
	t := make(map[rune]string)
	for base, letters := range groups {
		for _, r := range letters {
			t[r] = base
		}
	}
	// Typographic apostrophes fold to the ASCII one ("Sant’Angelo").
	t['’'], t['‘'], t['`'] = "'", "'", "'"
	return t
}()
