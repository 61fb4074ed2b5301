package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// newFlagSet is the flag set every subcommand starts from: parse errors and
// the usage go to stderr, and --help prints usage (the text before the
// flags) followed by the flags and their defaults, then after (what isn't a
// flag; may be empty).
func newFlagSet(name, usage, after string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), after)
	}
	return fs
}

// parseFlags parses args into fs and refuses positional arguments, naming
// the command. --help gives flag.ErrHelp: see helpIsSuccess.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected arguments %q", fs.Name(), fs.Args())
	}
	return nil
}

// helpIsSuccess is parseFlags' error for the commands whose --help ends
// successfully (serve, bench, token); import and migrate pass flag.ErrHelp on,
// which main turns into a silent exit status 1.
func helpIsSuccess(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}
