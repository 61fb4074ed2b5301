package memory

import (
	"slices"
	"strings"

	"pcnet/internal/pcnet"
)

// nameIndex is the folded names of all Comuni in one string, so that a
// name search is a few fast substring scans instead of one per Comune.
// Comune i's segment is text[start[i]:start[i+1]]: its folded names, each
// followed by a NUL byte, which no needle contains, so a match never spans
// two names.
type nameIndex struct {
	text  string
	start []int32 // len(comuni)+1 offsets
}

func newNameIndex(comuni []pcnet.Comune) nameIndex {
	var b strings.Builder
	start := make([]int32, 0, len(comuni)+1)
	for _, c := range comuni {
		start = append(start, int32(b.Len()))
		name := pcnet.FoldName(c.Name)
		b.WriteString(name)
		b.WriteByte(0)
		// The Italian and other names are part of the full name in the
		// ISTAT data; they are indexed only when they are not.
		for _, other := range []string{c.NameItalian, c.NameOther} {
			if f := pcnet.FoldName(other); f != "" && !strings.Contains(name, f) {
				b.WriteString(f)
				b.WriteByte(0)
			}
		}
	}
	start = append(start, int32(b.Len()))
	return nameIndex{text: b.String(), start: start}
}

// contain reports whether a name of Comune i contains the folded needle.
func (x nameIndex) contain(i int32, needle string) bool {
	return strings.Contains(x.text[x.start[i]:x.start[i+1]], needle)
}

// search returns, in code order, the Comuni with a name containing the
// folded, non-empty needle.
func (x nameIndex) search(needle string) []int32 {
	var out []int32
	if strings.IndexByte(needle, 0) >= 0 {
		return out // no name contains a NUL byte
	}
	for pos := 0; pos < len(x.text); {
		k := strings.Index(x.text[pos:], needle)
		if k < 0 {
			break
		}
		at := int32(pos + k)
		i, found := slices.BinarySearch(x.start, at)
		if !found {
			i-- // the match is inside segment i-1
		}
		out = append(out, int32(i))
		pos = int(x.start[i+1]) // on to the next Comune
	}
	return out
}
