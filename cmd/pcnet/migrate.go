package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"pcnet/internal/neo4j"
)

// runMigrate applies the Neo4j constraints and indexes and says which it
// created and which were there already.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	neo := registerNeo4jFlags(fs, os.Getenv)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: pcnet migrate [flags]\n\nCreates the constraints and indexes of the Neo4j store (those missing only).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("migrate: unexpected arguments %q", fs.Args())
	}
	cfg := neo.config()
	if cfg.URI == "" {
		return errors.New("migrate: no Neo4j server given: set NEO4J_URI (or -neo4j-uri), e.g. bolt://127.0.0.1:7687")
	}
	store, err := neo4j.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close(context.WithoutCancel(ctx))
	steps, err := store.Migrate(ctx)
	printMigrations(stdout, steps)
	if err != nil {
		return err
	}
	return nil
}

// printMigrations lists migration steps, one a line, and a total.
func printMigrations(w io.Writer, steps []neo4j.MigrationStep) {
	created := 0
	for _, s := range steps {
		state := "exists "
		if s.Created {
			state = "created"
			created++
		}
		fmt.Fprintf(w, "  %s  %s\n", state, s.Name)
	}
	fmt.Fprintf(w, "migrations: %d created, %d already there\n", created, len(steps)-created)
}
