package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"pcnet/internal/neo4j"
)

// runMigrate applies the Neo4j constraints and indexes and says which it
// created and which were there already.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "Usage: pcnet migrate [flags]\n\nCreates the constraints and indexes of the Neo4j store (those missing only).\n\nFlags:\n", "", stderr)
	neo := registerNeo4jFlags(fs, os.Getenv)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := neo.required("migrate")
	if err != nil {
		return err
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
