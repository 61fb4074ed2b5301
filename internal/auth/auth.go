// Package auth authenticates pcnet's API callers with bearer tokens.
//
// Tokens are high-entropy random strings made by NewToken ("pcnet_" and 43
// base64url characters: 256 random bits). The server never stores a token:
// it keeps the SHA-256 of each one, with the name of its holder and a role,
// in a Keyring read from JSON:
//
//	[{"name": "maria", "role": "planner", "sha256": "9f86d0…"}]
//
// A plain hash (no salt, no slow KDF) is the right tool here because the
// tokens are random, not passwords: 256 bits can't be guessed or looked up,
// so a leaked tokens file reveals nothing usable. Lookups compare every
// entry in constant time, so timing doesn't reveal how close a guess came.
package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync/atomic"

	"pcnet/internal/pcnet"
)

// TokenPrefix starts every token NewToken makes, so a leaked token is easy
// to recognise (secret scanners, logs).
const TokenPrefix = "pcnet_"

// tokenBytes is the entropy of a token: 256 bits.
const tokenBytes = 32

// NewToken returns a fresh random token.
func NewToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: reading random bytes: %w", err)
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// Hash returns the hex SHA-256 of token, as stored in a tokens file.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Entry is one token of a tokens file: who holds it, what they may do, and
// the token's SHA-256 in hex.
type Entry struct {
	Name   string     `json:"name"`
	Role   pcnet.Role `json:"role"`
	SHA256 string     `json:"sha256"`
}

// NewEntry makes a fresh token for name with role, and the entry to store
// for it. The token is returned once: only its hash is kept.
func NewEntry(name string, role pcnet.Role) (token string, e Entry, err error) {
	e = Entry{Name: name, Role: role}
	if err := e.validateHolder(); err != nil {
		return "", Entry{}, err
	}
	if token, err = NewToken(); err != nil {
		return "", Entry{}, err
	}
	e.SHA256 = Hash(token)
	return token, e, nil
}

// nameRE keeps names printable and free of characters that would confuse
// logs or the audit trail: an e-mail address or a login fits.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$`)

var hashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (e Entry) validateHolder() error {
	if !nameRE.MatchString(e.Name) {
		return fmt.Errorf("name %q: want 1 to 100 letters, digits or . _ @ + - (starting with a letter or digit)", e.Name)
	}
	switch e.Role {
	case pcnet.RoleReader, pcnet.RolePlanner, pcnet.RoleAdmin:
	default:
		return fmt.Errorf("%s: role %q: want %s, %s or %s", e.Name, e.Role, pcnet.RoleReader, pcnet.RolePlanner, pcnet.RoleAdmin)
	}
	return nil
}

func (e Entry) validate() error {
	if err := e.validateHolder(); err != nil {
		return err
	}
	if !hashRE.MatchString(e.SHA256) {
		return fmt.Errorf("%s: sha256: want 64 lower-case hex digits (the SHA-256 of the token, as printed by `pcnet token new`)", e.Name)
	}
	return nil
}

// Keyring holds the known tokens' hashes. The zero Keyring (and a nil one)
// knows no token. It is safe for concurrent use: Replace swaps the whole
// set at once (a reload of the tokens file), so each authentication sees
// the old set or the new one, never a mix.
type Keyring struct {
	entries atomic.Pointer[[]keyEntry]
}

func (k *Keyring) list() []keyEntry {
	if k == nil {
		return nil
	}
	if p := k.entries.Load(); p != nil {
		return *p
	}
	return nil
}

// Replace makes k know exactly the tokens of other (none for nil): tokens
// only in k are revoked at once.
func (k *Keyring) Replace(other *Keyring) {
	list := other.list()
	k.entries.Store(&list)
}

type keyEntry struct {
	actor pcnet.Actor
	hash  []byte // the raw 32-byte SHA-256
}

// ParseKeyring reads a tokens file's JSON: an array of entries. Names and
// hashes must be unique, roles known and hashes well formed; unknown fields
// are rejected, so a typo ("hash" for "sha256") doesn't silently disable a
// token.
func ParseKeyring(data []byte) (*Keyring, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var entries []Entry
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("tokens: not a JSON array of {name, role, sha256}: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("tokens: unexpected data after the JSON array")
	}
	var list []keyEntry
	names := make(map[string]bool)
	hashes := make(map[string]string)
	for i, e := range entries {
		if err := e.validate(); err != nil {
			return nil, fmt.Errorf("tokens: entry %d: %w", i+1, err)
		}
		if names[e.Name] {
			return nil, fmt.Errorf("tokens: entry %d: name %q appears twice", i+1, e.Name)
		}
		if other, dup := hashes[e.SHA256]; dup {
			return nil, fmt.Errorf("tokens: entry %d: %s has the same token as %s", i+1, e.Name, other)
		}
		names[e.Name], hashes[e.SHA256] = true, e.Name
		raw, _ := hex.DecodeString(e.SHA256) // checked by validate
		list = append(list, keyEntry{actor: pcnet.Actor{Subject: e.Name, Role: e.Role}, hash: raw})
	}
	k := &Keyring{}
	k.entries.Store(&list)
	return k, nil
}

// LoadKeyring reads a tokens file.
func LoadKeyring(path string) (*Keyring, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParseKeyring(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// Len returns how many tokens k knows.
func (k *Keyring) Len() int {
	return len(k.list())
}

// Authenticate returns the holder of token. It hashes the token and
// compares the hash with every entry in constant time, without stopping at
// a match, so the time taken says nothing about which entry matched.
func (k *Keyring) Authenticate(token string) (pcnet.Actor, bool) {
	if k == nil || token == "" {
		return pcnet.Actor{}, false
	}
	sum := sha256.Sum256([]byte(token))
	var found pcnet.Actor
	ok := 0
	for _, e := range k.list() {
		match := subtle.ConstantTimeCompare(sum[:], e.hash)
		if match == 1 {
			found = e.actor
		}
		ok |= match
	}
	return found, ok == 1
}

// BearerToken extracts the token of an Authorization header value of the
// form "Bearer <token>" (the scheme is case-insensitive, RFC 6750). present
// is false when the value is empty; a value in any other form is present
// but not ok.
func BearerToken(header string) (token string, present, ok bool) {
	header = strings.TrimSpace(header)
	if header == "" {
		return "", false, false
	}
	scheme, rest, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", true, false
	}
	token = strings.TrimSpace(rest)
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", true, false
	}
	return token, true, true
}
