package main

import (
	"context"
	"errors"
	"io"
)

// TODO(placeholder): replaced by the real implementation.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("serve: not implemented yet")
}
