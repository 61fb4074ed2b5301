package main

import (
	"context"
	"errors"
	"io"
)

// TODO(placeholder): replaced by the real implementation.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("migrate: not implemented yet")
}
