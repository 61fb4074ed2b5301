package pcnet_test

import (
	"strings"
	"testing"
	"unicode"

	"pcnet/internal/dataset"
	"pcnet/internal/pcnet"
)

// The letters with diacritics of Italian, German, French, Slovene and Ladin
// place names, by the base they fold to: the table FoldName was written by
// hand from before it used golang.org/x/text; each letter, lower and upper
// case, must still fold the same.
var foldGroups = map[string]string{
	"a": "àáâãäåāăą", "c": "çćĉċč", "d": "ďđ", "e": "èéêëēĕėęě",
	"g": "ĝğġģ", "h": "ĥħ", "i": "ìíîïĩīĭįı", "j": "ĵ", "k": "ķ",
	"l": "ĺļľŀł", "n": "ñńņňŉ", "o": "òóôõöøōŏő", "r": "ŕŗř",
	"s": "śŝşš", "t": "ţťŧ", "u": "ùúûüũūŭůűų", "w": "ŵ", "y": "ýÿŷ",
	"z": "źżž", "ae": "æ", "oe": "œ", "ss": "ß", "'": "’‘`",
}

func TestFoldNameLetters(t *testing.T) {
	for base, letters := range foldGroups {
		for _, r := range letters {
			for _, in := range []string{string(r), string(unicode.ToUpper(r))} {
				if got := pcnet.FoldName(in); got != base {
					t.Errorf("FoldName(%q) = %q, want %q", in, got, base)
				}
			}
		}
	}
}

func TestFoldNameExamples(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Cantù", "cantu"},
		{"Bolzano/Bozen", "bolzano/bozen"},
		{"Sant’Angelo Lodigiano", "sant'angelo lodigiano"},
		{"Châtillon", "chatillon"},
		{"San Martino in Badia/St. Martin in Thurn", "san martino in badia/st. martin in thurn"},
		{"Doberdò del Lago/Doberdob", "doberdo del lago/doberdob"},
		{"FORLÌ", "forli"},
		{"Straße", "strasse"},
		{"e\u0301", "e"}, // already decomposed: the mark still goes
		{"", ""},
		{"\xff", "\uFFFD"}, // invalid UTF-8 comes out as the replacement rune, as before
	} {
		if got := pcnet.FoldName(c.in); got != c.want {
			t.Errorf("FoldName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Every shipped Comune name folds to plain lower-case ASCII letters and the
// punctuation of names: what both stores index and search.
func TestFoldNameShippedComuni(t *testing.T) {
	g, _, err := dataset.Geography()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range g.Comuni {
		f := pcnet.FoldName(c.Name)
		for _, r := range f {
			if r >= 0x80 || unicode.IsUpper(r) {
				t.Errorf("FoldName(%q) = %q: %q left", c.Name, f, r)
				break
			}
		}
		if len([]rune(f)) < len([]rune(strings.TrimSpace(c.Name)))-1 && !strings.ContainsAny(c.Name, "æœß") {
			t.Errorf("FoldName(%q) = %q lost letters", c.Name, f)
		}
	}
}
