package main

import (
	"context"
	"errors"
	"io"
)

// TODO(placeholder): replaced by the real implementation.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("import: not implemented yet")
}
