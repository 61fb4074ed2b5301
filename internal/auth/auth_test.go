package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pcnet/internal/pcnet"
)

func TestNewTokenIsRandomAndPrefixed(t *testing.T) {
	seen := make(map[string]bool)
	for range 100 {
		tok, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tok, TokenPrefix) || len(tok) != len(TokenPrefix)+43 {
			t.Fatalf("token %q: want %q and 43 base64url characters", tok, TokenPrefix)
		}
		if seen[tok] {
			t.Fatalf("token %q made twice", tok)
		}
		seen[tok] = true
	}
}

func TestHashIsHexSHA256(t *testing.T) {
	// The SHA-256 of "abc", from FIPS 180-2's examples.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := Hash("abc"); got != want {
		t.Errorf("Hash(abc) = %s, want %s", got, want)
	}
}

func keyringOf(t *testing.T, entries ...Entry) *Keyring {
	t.Helper()
	b, err := json.Marshal(entries)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseKeyring(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestAuthenticate(t *testing.T) {
	maria, mariaEntry, err := NewEntry("maria@provincia.mb.it", pcnet.RolePlanner)
	if err != nil {
		t.Fatal(err)
	}
	luca, lucaEntry, err := NewEntry("luca", pcnet.RoleReader)
	if err != nil {
		t.Fatal(err)
	}
	// The entry's hash is the token's SHA-256, computed here independently.
	sum := sha256.Sum256([]byte(maria))
	if mariaEntry.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("entry hash %s is not the token's SHA-256", mariaEntry.SHA256)
	}
	k := keyringOf(t, mariaEntry, lucaEntry)
	if k.Len() != 2 {
		t.Fatalf("Len = %d, want 2", k.Len())
	}
	tests := []struct {
		token string
		want  pcnet.Actor
		ok    bool
	}{
		{maria, pcnet.Actor{Subject: "maria@provincia.mb.it", Role: pcnet.RolePlanner}, true},
		{luca, pcnet.Actor{Subject: "luca", Role: pcnet.RoleReader}, true},
		{"", pcnet.Actor{}, false},
		{maria + "x", pcnet.Actor{}, false},
		{mariaEntry.SHA256, pcnet.Actor{}, false}, // the hash is not the token
		{strings.ToUpper(maria), pcnet.Actor{}, false},
	}
	for _, tt := range tests {
		got, ok := k.Authenticate(tt.token)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Authenticate(%q) = %+v, %v; want %+v, %v", tt.token, got, ok, tt.want, tt.ok)
		}
	}
	var none *Keyring
	if _, ok := none.Authenticate(maria); ok {
		t.Error("a nil keyring authenticated a token")
	}
}

func TestParseKeyringRejects(t *testing.T) {
	good := Hash("x")
	tests := []struct {
		name, json, wantErr string
	}{
		{"not an array", `{"name":"a"}`, "not a JSON array"},
		{"unknown field", `[{"name":"a","role":"planner","hash":"` + good + `"}]`, "unknown field"},
		{"unknown role", `[{"name":"a","role":"root","sha256":"` + good + `"}]`, `role "root"`},
		{"empty name", `[{"name":"","role":"reader","sha256":"` + good + `"}]`, "name"},
		{"name with space", `[{"name":"a b","role":"reader","sha256":"` + good + `"}]`, "name"},
		{"short hash", `[{"name":"a","role":"reader","sha256":"abc"}]`, "sha256"},
		{"upper-case hash", `[{"name":"a","role":"reader","sha256":"` + strings.ToUpper(good) + `"}]`, "sha256"},
		{"duplicate name", `[{"name":"a","role":"reader","sha256":"` + good + `"},{"name":"a","role":"admin","sha256":"` + Hash("y") + `"}]`, "twice"},
		{"duplicate hash", `[{"name":"a","role":"reader","sha256":"` + good + `"},{"name":"b","role":"admin","sha256":"` + good + `"}]`, "same token"},
		{"trailing data", `[] []`, "after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKeyring([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseKeyring(%s) = %v, want an error containing %q", tt.json, err, tt.wantErr)
			}
		})
	}
	k, err := ParseKeyring([]byte(`[]`))
	if err != nil || k.Len() != 0 {
		t.Errorf("empty list: %v, %d entries", err, k.Len())
	}
}

func TestLoadKeyring(t *testing.T) {
	token, e, err := NewEntry("admin-1", pcnet.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tokens.json")
	b, _ := json.Marshal([]Entry{e})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := k.Authenticate(token); !ok || a.Role != pcnet.RoleAdmin {
		t.Errorf("Authenticate = %+v, %v", a, ok)
	}
	if _, err := LoadKeyring(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("a missing file loaded")
	}
}

func TestNewEntryRejectsBadHolder(t *testing.T) {
	if _, _, err := NewEntry("maria", "owner"); err == nil {
		t.Error("unknown role accepted")
	}
	if _, _, err := NewEntry("", pcnet.RoleReader); err == nil {
		t.Error("empty name accepted")
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		header, token  string
		present, valid bool
	}{
		{"", "", false, false},
		{"   ", "", false, false},
		{"Bearer abc", "abc", true, true},
		{"bearer abc", "abc", true, true},
		{"BEARER  abc ", "abc", true, true},
		{"Basic dXNlcjpwYXNz", "", true, false},
		{"Bearer", "", true, false},
		{"Bearer ", "", true, false},
		{"Bearer a b", "", true, false},
		{"abc", "", true, false},
	}
	for _, tt := range tests {
		token, present, ok := BearerToken(tt.header)
		if token != tt.token || present != tt.present || ok != tt.valid {
			t.Errorf("BearerToken(%q) = %q, %v, %v; want %q, %v, %v", tt.header, token, present, ok, tt.token, tt.present, tt.valid)
		}
	}
}

// Replace swaps the whole set: a removed token is refused at once, an added
// one accepted, and a nil keyring revokes every token.
func TestKeyringReplace(t *testing.T) {
	oldTok, oldEntry, err := NewEntry("old", pcnet.RolePlanner)
	if err != nil {
		t.Fatal(err)
	}
	newTok, newEntry, err := NewEntry("new", pcnet.RoleReader)
	if err != nil {
		t.Fatal(err)
	}
	parse := func(entries ...Entry) *Keyring {
		raw, _ := json.Marshal(entries)
		k, err := ParseKeyring(raw)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	k := parse(oldEntry)
	k.Replace(parse(newEntry))
	if _, ok := k.Authenticate(oldTok); ok {
		t.Error("the removed token is still accepted")
	}
	if a, ok := k.Authenticate(newTok); !ok || a.Subject != "new" {
		t.Errorf("the added token: %v %v", a, ok)
	}
	k.Replace(nil)
	if k.Len() != 0 {
		t.Errorf("%d tokens after Replace(nil)", k.Len())
	}
}
