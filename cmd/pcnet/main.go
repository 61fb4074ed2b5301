// Command pcnet serves the Province–Comuni network over GraphQL and manages
// its Neo4j database.
//
//	pcnet serve     run the GraphQL server (embedded store, or Neo4j when NEO4J_URI is set)
//	pcnet import    load the ISTAT geography and a network file into Neo4j
//	pcnet migrate   apply Neo4j constraints and indexes
//	pcnet bench     load-test a running server (docs/performance.md)
//	pcnet token     make an API token (pcnet token new --name maria --role planner)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is a pcnet subcommand: it parses its own flags from args.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the GraphQL server", runServe},
		{"import", "load the ISTAT geography and a network file into Neo4j", runImport},
		{"migrate", "apply Neo4j constraints and indexes", runMigrate},
		{"token", "make an API token for a planner, reader or admin", runToken},
		{"bench", "load-test a running server (and Neo4j directly, the baseline)", runBench},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "pcnet:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return errors.New("no command given")
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: pcnet <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'pcnet <command> --help' for the flags of a command.")
}
