package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

// TestSubcommandPrologue pins what every subcommand does with its flags
// before any work, now that one prologue (flags.go) serves them all: the
// usage --help prints, whether --help ends successfully, the refusal of
// positional arguments and, for the Neo4j-only commands, of a missing server.
func TestSubcommandPrologue(t *testing.T) {
	t.Setenv("NEO4J_URI", "") // the Neo4j commands must find no server
	type run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	cases := []struct {
		name     string
		run      run
		prefix   []string // the subcommand's own words (token new)
		usage    string   // what --help starts with
		helpErr  error    // what --help returns
		noServer string   // the error without a Neo4j server; "" when one isn't needed
	}{
		{"serve", runServe, nil, "Usage: pcnet serve [flags]", nil, ""},
		{"bench", runBench, nil, "Usage: pcnet bench [flags]", nil, ""},
		{"token new", runToken, []string{"new"}, "Usage: pcnet token new --name NAME", nil, ""},
		{"import", runImport, nil, "Usage: pcnet import [flags]", flag.ErrHelp,
			"import: no Neo4j server given: set NEO4J_URI (or -neo4j-uri), e.g. bolt://127.0.0.1:7687"},
		{"migrate", runMigrate, nil, "Usage: pcnet migrate [flags]", flag.ErrHelp,
			"migrate: no Neo4j server given: set NEO4J_URI (or -neo4j-uri), e.g. bolt://127.0.0.1:7687"},
	}
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := func(more ...string) []string { return append(append([]string{}, c.prefix...), more...) }

			var stderr bytes.Buffer
			err := c.run(ctx, args("--help"), io.Discard, &stderr)
			if !errors.Is(err, c.helpErr) || (c.helpErr == nil && err != nil) {
				t.Errorf("--help: error %v, want %v", err, c.helpErr)
			}
			help := stderr.String()
			if !strings.HasPrefix(help, c.usage) {
				t.Errorf("--help starts %.60q, want %q", help, c.usage)
			}
			if !strings.Contains(help, "\nFlags:\n") || !strings.Contains(help, "  -") {
				t.Errorf("--help lists no flags:\n%s", help)
			}

			err = c.run(ctx, args("now"), io.Discard, io.Discard)
			if want := c.name + `: unexpected arguments ["now"]`; err == nil || err.Error() != want {
				t.Errorf("a positional argument: error %v, want %q", err, want)
			}

			if c.noServer != "" {
				err = c.run(ctx, args(), io.Discard, io.Discard)
				if err == nil || err.Error() != c.noServer {
					t.Errorf("no server: error %v, want %q", err, c.noServer)
				}
			}
		})
	}
}
