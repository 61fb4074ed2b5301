package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"pcnet/internal/auth"
	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

var (
	tokenLineRE = regexp.MustCompile(`(?m)^token: (\S+)$`)
	entryLineRE = regexp.MustCompile(`(?m)^entry: (\{.*\})$`)
)

func TestTokenNewPrintsTokenAndEntry(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"token", "new", "--name", "maria@provincia.mb.it", "--role", "planner"}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	tok := tokenLineRE.FindStringSubmatch(stdout.String())
	ent := entryLineRE.FindStringSubmatch(stdout.String())
	if tok == nil || ent == nil {
		t.Fatalf("stdout lacks the token or the entry:\n%s", stdout.String())
	}
	var e auth.Entry
	if err := json.Unmarshal([]byte(ent[1]), &e); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(tok[1]))
	if e.Name != "maria@provincia.mb.it" || e.Role != pcnet.RolePlanner || e.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("entry %+v doesn't match the token", e)
	}
	// The entry, as a one-entry tokens file, authenticates the token.
	k, err := auth.ParseKeyring([]byte("[" + ent[1] + "]"))
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := k.Authenticate(tok[1]); !ok || a.Subject != "maria@provincia.mb.it" {
		t.Errorf("Authenticate = %+v, %v", a, ok)
	}
	if strings.Contains(stderr.String(), tok[1]) {
		t.Error("the token is printed twice")
	}
}

func TestTokenNewAddTo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	tokens := map[string]string{}
	for _, who := range []struct{ name, role string }{{"maria", "planner"}, {"luca", "reader"}} {
		var stdout bytes.Buffer
		if err := run(context.Background(), []string{"token", "new", "--name", who.name, "--role", who.role, "--add-to", path}, &stdout, io.Discard); err != nil {
			t.Fatal(err)
		}
		tokens[who.name] = tokenLineRE.FindStringSubmatch(stdout.String())[1]
		if entryLineRE.MatchString(stdout.String()) {
			t.Error("--add-to also printed the entry")
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("tokens file mode %v, want 0600", info.Mode().Perm())
	}
	k, err := auth.LoadKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range tokens {
		if a, ok := k.Authenticate(tok); !ok || a.Subject != name {
			t.Errorf("%s's token: %+v, %v", name, a, ok)
		}
	}
	before, _ := os.ReadFile(path)
	err = run(context.Background(), []string{"token", "new", "--name", "maria", "--add-to", path}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("a second maria: %v, want an error", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("a refused entry changed the file")
	}
}

func TestTokenNewRejects(t *testing.T) {
	for _, args := range [][]string{
		{"token"},
		{"token", "old"},
		{"token", "new"},
		{"token", "new", "--name", "maria", "--role", "owner"},
		{"token", "new", "--name", "has space"},
	} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

func TestAccessConfig(t *testing.T) {
	_, e, err := auth.NewEntry("maria", pcnet.RolePlanner)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal([]auth.Entry{e})
	file := filepath.Join(t.TempDir(), "tokens.json")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantKeys int
		wantErr  string
		private  bool
	}{
		{"defaults", nil, nil, 0, "", false},
		{"file", []string{"--tokens-file", file}, nil, 1, "", false},
		{"file from env", nil, map[string]string{"PCNET_TOKENS_FILE": file, "PCNET_PUBLIC_READS": "false"}, 1, "", true},
		{"inline", nil, map[string]string{"PCNET_TOKENS": string(raw)}, 1, "", false},
		{"both", []string{"--tokens-file", file}, map[string]string{"PCNET_TOKENS": string(raw)}, 0, "both", false},
		{"bad inline", nil, map[string]string{"PCNET_TOKENS": `[{"name":"x"}]`}, 0, "PCNET_TOKENS", false},
		{"missing file", []string{"--tokens-file", file + ".missing"}, nil, 0, "no such file", false},
		{"private reads without tokens", []string{"--public-reads=false"}, nil, 0, "nobody could read", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			getenv := func(k string) string { return tt.env[k] }
			c := registerAccess(fs, getenv)
			for flagName, key := range accessEnv {
				if v := tt.env[key]; v != "" {
					if err := fs.Set(flagName, v); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			err := c.load(log)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			o := c.options(server.Options{})
			if o.Tokens.Len() != tt.wantKeys || o.ReadsNeedToken != tt.private {
				t.Errorf("options: %d tokens, reads need token %v; want %d, %v", o.Tokens.Len(), o.ReadsNeedToken, tt.wantKeys, tt.private)
			}
		})
	}
}
