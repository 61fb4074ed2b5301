package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"pcnet/internal/dataset"
	"pcnet/internal/neo4j"
	"pcnet/internal/neo4j/neo4jtest"
	"pcnet/internal/network"
	"pcnet/internal/pcnet"
)

func TestNeo4jFlagsPrecedence(t *testing.T) {
	env := map[string]string{
		"NEO4J_URI":      "bolt://from-env:7687",
		"NEO4J_USERNAME": "env-user",
		"NEO4J_PASSWORD": "env-password",
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want neo4j.Config
	}{
		{"defaults", nil, nil, neo4j.Config{Username: "neo4j"}},
		{"environment", nil, env, neo4j.Config{URI: "bolt://from-env:7687", Username: "env-user", Password: "env-password"}},
		{"flags win", []string{"-neo4j-uri", "neo4j://flag:7687", "-neo4j-password", "flag-pw", "-neo4j-database", "db"}, env,
			neo4j.Config{URI: "neo4j://flag:7687", Username: "env-user", Password: "flag-pw", Database: "db"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			f := registerNeo4jFlags(fs, func(k string) string { return tt.env[k] })
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if got := f.config(); !reflect.DeepEqual(got, tt.want) { // Config holds a test hook (a func), so == no longer compiles
				t.Errorf("config: %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestImportNeedsURI(t *testing.T) {
	t.Setenv("NEO4J_URI", "")
	var out, errb bytes.Buffer
	err := runImport(context.Background(), []string{"-quiet"}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "NEO4J_URI") {
		t.Errorf("import without a server: %v", err)
	}
}

// An inconsistent network file is rejected before any connection (the
// server named here doesn't exist), each problem named with its item.
func TestImportRejectsInconsistentNetwork(t *testing.T) {
	tests := []struct {
		name string
		edit func(n *pcnet.Network)
		want []string
	}{
		{"unknown Comune", func(n *pcnet.Network) { n.Coverages[0].ComuneCode = "999999" }, []string{"999999", "unknown comune"}},
		{"adapted model of no tutor", func(n *pcnet.Network) {
			// Each project work adapting a model names itself: the rule refuses it.
			for i, w := range n.ProjectWorks {
				if w.ModelFromID != "" {
					n.ProjectWorks[i].ModelFromID = w.ID
					return
				}
			}
			t.Fatal("the shipped network has no adapted model")
		}, []string{"modelFromId", "cannot adapt its own model"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := dataset.Network()
			if err != nil {
				t.Fatal(err)
			}
			tt.edit(&n)
			path := filepath.Join(t.TempDir(), "network.json")
			var buf bytes.Buffer
			if err := network.Encode(&buf, n); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Setenv("NEO4J_URI", "bolt://127.0.0.1:1")
			var out, errb bytes.Buffer
			err = runImport(context.Background(), []string{"-quiet", "-network", path}, &out, &errb)
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range append([]string{"nothing was written"}, tt.want...) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error doesn't say %q: %v", want, err)
				}
			}
		})
	}
}

// TestImportAndMigrateCommands runs pcnet import twice against the test
// server, and pcnet migrate.
func TestImportAndMigrateCommands(t *testing.T) {
	cfg := neo4jtest.Config(t)
	neo4jtest.Reset(t)
	t.Setenv("NEO4J_URI", cfg.URI)
	t.Setenv("NEO4J_USERNAME", cfg.Username)
	t.Setenv("NEO4J_PASSWORD", cfg.Password)
	t.Setenv("NEO4J_DATABASE", cfg.Database)
	ds, _, err := dataset.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// row returns the numbers of an entity's row in the summary table.
	row := func(out, entity string) string {
		m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(entity) + `((?:\s+\d+){6})\s*$`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no %s row in:\n%s", entity, out)
		}
		return strings.Join(strings.Fields(m[1]), " ")
	}
	var out, errb bytes.Buffer
	if err := runImport(ctx, nil, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	n := len(ds.Comuni)
	if got, want := row(out.String(), "comuni"), strconv.Itoa(n)+" 0 0 0 0 0"; got != want {
		t.Errorf("first import, comuni: %q, want %q", got, want)
	}
	if !strings.Contains(errb.String(), "comuni: "+strconv.Itoa(n)+"/"+strconv.Itoa(n)) {
		t.Errorf("no final progress line for comuni in:\n%s", errb.String())
	}
	out.Reset()
	if err := runImport(ctx, []string{"-quiet"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if got, want := row(out.String(), "coverages"), "0 0 "+strconv.Itoa(len(ds.Coverages))+" 0 0 0"; got != want {
		t.Errorf("second import, coverages: %q, want %q", got, want)
	}

	out.Reset()
	if err := runMigrate(ctx, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "exists   comune_code") || !strings.Contains(out.String(), "0 created") {
		t.Errorf("migrate after import:\n%s", out.String())
	}
}
