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
	key := Key{Code: "108004"}
	cursor := made.Encode(key)
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
		{"offset cursor of the last version", made, forge("k1:" + made.fingerprint + ":4"), true},
		{"offset in place of the key", made, forge(cursorPrefix + made.fingerprint + ":4"), true},
		{"key without code", made, forge(cursorPrefix + made.fingerprint + `:{"n":"Lecco"}`), true},
		{"key with an unknown field", made, forge(cursorPrefix + made.fingerprint + `:{"c":"108004","o":4}`), true},
		{"key with a bad date", made, forge(cursorPrefix + made.fingerprint + `:{"c":"108004","d":"2024-13-01"}`), true},
		{"key with trailing data", made, forge(cursorPrefix + made.fingerprint + `:{"c":"108004"}{}`), true},
		{"no key", made, forge(cursorPrefix + made.fingerprint), true},
		{"not base64", made, "!!", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			after := tt.cursor
			p, err := tt.under.Page(nil, &after)
			if !tt.wantErr {
				if err != nil || p.After == nil || *p.After != key {
					t.Fatalf("Page = %+v, %v; want after %+v", p, err, key)
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

// ComuneAfter and CoverageAfter are the orders' "strictly after": the sort
// key first, then the tie-breaker.
func TestKeysAfter(t *testing.T) {
	lenno := Comune{Code: "013130", Name: "Lenno", Population: 1800}
	valsolda := Comune{Code: "013250", Name: "Valsolda", Population: 1800}
	como := Comune{Code: "013075", Name: "Como", Population: 82045}
	tests := []struct {
		order ComuneOrder
		at, c Comune
		want  bool
	}{
		{ComuneByCode, lenno, valsolda, true},
		{ComuneByCode, valsolda, lenno, false},
		{ComuneByCode, lenno, lenno, false},
		{ComuneByName, lenno, como, false},
		{ComuneByName, como, lenno, true},
		{ComuneByPopulationDesc, lenno, valsolda, true}, // a tie, broken by code
		{ComuneByPopulationDesc, valsolda, lenno, false},
		{ComuneByPopulationDesc, como, lenno, true},
		{ComuneByPopulationDesc, lenno, como, false},
		{ComuneByPopulationAsc, como, lenno, false},
		{ComuneByPopulationAsc, lenno, como, true},
		{ComuneByPopulationAsc, lenno, valsolda, true},
	}
	for _, tt := range tests {
		if got := ComuneAfter(tt.order, ComuneKey(tt.order, tt.at), tt.c); got != tt.want {
			t.Errorf("%s: %s after %s = %v, want %v", tt.order, tt.c.Code, tt.at.Code, got, tt.want)
		}
	}
	a := Coverage{ServiceID: "svc-a", ComuneCode: "013075", Since: MustDate("2022-03-01")}
	covs := []Coverage{
		{ServiceID: "svc-a", ComuneCode: "013041", Since: MustDate("2024-01-01")},
		a,
		{ServiceID: "svc-a", ComuneCode: "013075", Since: MustDate("2024-01-01")},
		{ServiceID: "svc-b", ComuneCode: "001001", Since: MustDate("2020-01-01")},
	}
	for i, c := range covs {
		if got, want := CoverageAfter(CoverageKey(a), c), i > 1; got != want {
			t.Errorf("coverage %d after %+v = %v, want %v", i, a, got, want)
		}
	}
}
