package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"pcnet/internal/auth"
	"pcnet/internal/pcnet"
)

// runToken runs `pcnet token new`: it makes a fresh API token, prints it
// once, and prints (or appends to a tokens file) the entry that lets the
// server recognise it: the holder's name, role and the token's SHA-256.
func runToken(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "new" {
		fmt.Fprint(stderr, tokenUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return errors.New("token: want the subcommand new")
	}
	fs := newFlagSet("token new", tokenUsage+"\nFlags:\n", "", stderr)
	name := fs.String("name", "", "who holds the token, e.g. maria@provincia.mb.it: the audit trail records it (required)")
	role := fs.String("role", string(pcnet.RolePlanner), "what the holder may do: `role` reader, planner or admin")
	addTo := fs.String("add-to", "", "append the entry to this tokens `file` (created, mode 0600, if missing) instead of printing it")
	if err := parseFlags(fs, args[1:]); err != nil {
		return helpIsSuccess(err)
	}
	if *name == "" {
		return errors.New("token new: --name is required")
	}
	token, entry, err := auth.NewEntry(*name, pcnet.Role(*role))
	if err != nil {
		return fmt.Errorf("token new: %w", err)
	}
	line, err := json.Marshal(entry)
	if err != nil {
		return err
	}
	if *addTo != "" {
		if err := appendEntry(*addTo, entry); err != nil {
			return fmt.Errorf("token new: %w", err)
		}
		fmt.Fprintf(stderr, "Added %s (%s) to %s; restart pcnet serve to pick it up.\n", entry.Name, entry.Role, *addTo)
	} else {
		fmt.Fprintf(stderr, "Add this entry to the tokens file (--tokens-file, PCNET_TOKENS_FILE) or to the JSON array in PCNET_TOKENS:\n")
		fmt.Fprintf(stdout, "entry: %s\n", line)
	}
	fmt.Fprintf(stderr, "The token is shown once: the server keeps only its hash. Give it to %s; clients send it as\n"+
		"  Authorization: Bearer <token>\n", entry.Name)
	fmt.Fprintf(stdout, "token: %s\n", token)
	return nil
}

const tokenUsage = `Usage: pcnet token new --name NAME [--role reader|planner|admin] [--add-to FILE]

Makes a fresh API token (256 random bits) for NAME and prints it once, with
the entry that lets pcnet serve accept it: {"name", "role", "sha256"}. The
server stores only the token's SHA-256, read from --tokens-file
(PCNET_TOKENS_FILE) or PCNET_TOKENS.
`

// appendEntry adds e to the tokens file at path, refusing a name already
// there. The file is replaced atomically, so a crash leaves the old one.
func appendEntry(path string, e auth.Entry) error {
	var entries []auth.Entry
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	default:
		if _, err := auth.ParseKeyring(data); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := json.Unmarshal(data, &entries); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	entries = append(entries, e)
	out, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return err
	}
	if _, err := auth.ParseKeyring(out); err != nil { // a duplicate name, say
		return fmt.Errorf("%s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tokens-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(out, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
