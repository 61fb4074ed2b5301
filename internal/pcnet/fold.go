package pcnet

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// FoldName returns s in lower case with accents and other diacritics
// removed, for searches that ignore both: FoldName("Cantù") == "cantu".
// Both stores search on folded names, so they agree on what matches.
func FoldName(s string) string {
	s = strings.ToLower(s)
	if isASCII(s) && !strings.Contains(s, "`") {
		return s // the common case: most Comuni names have no accent
	}
	// Decompose (ù → u + ◌̀), drop the combining marks, recompose what is left.
	// A Chain keeps state, so each call builds its own (FoldName runs concurrently).
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, s)
	if err != nil {
		folded = s // not reachable for valid UTF-8; ToLower has made s valid
	}
	return undecomposable.Replace(folded)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// undecomposable folds the letters Unicode does not decompose into a base
// letter and a mark (a stroke or a ligature is part of the letter), found in
// Italian, German, French, Slovene and Ladin place names, and the typographic
// apostrophes ("Sant’Angelo") to the ASCII one.
var undecomposable = strings.NewReplacer(
	"đ", "d", "ħ", "h", "ı", "i", "ŀ", "l", "ł", "l", "ø", "o", "ŧ", "t", "ŉ", "n",
	"æ", "ae", "œ", "oe", "ß", "ss",
	"’", "'", "‘", "'", "`", "'",
)
