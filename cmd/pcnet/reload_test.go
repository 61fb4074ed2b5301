package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"pcnet/internal/auth"
	"pcnet/internal/pcnet"
)

// SIGHUP makes pcnet serve reload its tokens file: a removed token is
// refused and an added one accepted at once, without a restart; a broken
// file is logged and the tokens in force stay. SIGHUP never stops it.
func TestServeReloadsTokensOnSIGHUP(t *testing.T) {
	t.Setenv("PCNET_DATA_DIR", t.TempDir())
	dir := t.TempDir()
	file := filepath.Join(dir, "tokens.json")
	write := func(content []byte) {
		// Write then rename, as an operator's tooling should: the server
		// never reads half a file.
		tmp := file + ".tmp"
		if err := os.WriteFile(tmp, content, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, file); err != nil {
			t.Fatal(err)
		}
	}
	entries := func(es ...auth.Entry) []byte {
		raw, _ := json.Marshal(es)
		return raw
	}
	maria, mariaEntry, _ := auth.NewEntry("maria", pcnet.RolePlanner)
	luca, lucaEntry, _ := auth.NewEntry("luca", pcnet.RolePlanner)
	write(entries(mariaEntry))

	url, _, logs := startServeLogs(t, "--tokens-file", file, "--ephemeral")
	accepted := func(token string) bool {
		_, codes := gql(t, url, token, `{ regions { code } }`)
		return !slices.Contains(codes, pcnet.EUNAUTHORIZED)
	}
	if !accepted(maria) || accepted(luca) {
		t.Fatal("before the reload: maria refused or luca accepted")
	}
	// hangUp signals this process, where serve runs, and waits for the
	// n-th line of the reload's outcome (the deadline only guards a hang).
	hangUp := func(n int, want string) {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for strings.Count(logs.String(), "tokens file") < n {
			if time.Now().After(deadline) {
				t.Fatalf("no reload logged after SIGHUP:\n%s", logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
		var last string
		for _, l := range lines {
			if strings.Contains(l, "tokens file") {
				last = l
			}
		}
		if !strings.Contains(last, want) {
			t.Errorf("reload logged %q, want %q", last, want)
		}
	}

	write(entries(lucaEntry))
	hangUp(1, "msg=\"tokens file reloaded\" tokens=1")
	if accepted(maria) {
		t.Error("maria's token, removed from the file, is still accepted")
	}
	if !accepted(luca) {
		t.Error("luca's token, added to the file, is refused")
	}

	write([]byte(`[{"name": "broken"`))
	hangUp(2, "level=ERROR")
	if !accepted(luca) {
		t.Error("a broken file revoked the tokens in force")
	}
}
