package pcnet

import (
	"encoding/base64"
	"testing"
)

// A cursor is accepted only under the connection, order and filter that
// made it; any other, and any forged or malformed cursor, is invalid naming
// after, with the same message whatever the store.
func TestCursorsBoundToOrderAndFilter(t *testing.T) {
	made := CursorsOf("comuni", ComuneByCode, ComuneFilter{ProvinceCodes: []string{"108"}})
	cursor := made.Encode(4)
	forge := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name    string
		under   Cursors
		cursor  string
		wantErr bool
	}{
		{"same order and filter", CursorsOf("comuni", ComuneByCode, ComuneFilter{ProvinceCodes: []string{"108"}}), cursor, false},
		{"another order", CursorsOf("comuni", ComuneByName, ComuneFilter{ProvinceCodes: []string{"108"}}), cursor, true},
		{"another filter", CursorsOf("comuni", ComuneByCode, ComuneFilter{ProvinceCodes: []string{"001"}}), cursor, true},
		{"another connection", CursorsOf("coverageGaps", ComuneByCode, ComuneFilter{ProvinceCodes: []string{"108"}}), cursor, true},
		{"old offset cursor", made, forge("o:2147483646"), true},
		{"forged position", made, forge(cursorPrefix + made.fingerprint + ":1073741824"), true},
		{"negative position", made, forge(cursorPrefix + made.fingerprint + ":-1"), true},
		{"padded position", made, forge(cursorPrefix + made.fingerprint + ":04"), true},
		{"no position", made, forge(cursorPrefix + made.fingerprint), true},
		{"not base64", made, "!!", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			after := tt.cursor
			p, err := tt.under.Page(nil, &after)
			if !tt.wantErr {
				if err != nil || p.Offset != 5 {
					t.Fatalf("Page = %+v, %v; want offset 5", p, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Page = %+v, want an invalid error", p)
			}
			checkInvalidError(t, err, "after")
		})
	}
}
