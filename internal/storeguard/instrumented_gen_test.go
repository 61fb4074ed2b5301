package storeguard

import (
	"path/filepath"
	"testing"

	"pcnet/internal/gencheck"
)

// instrumented_gen.go is gendecorator's output for the pcnet interfaces: a
// store method added without `go generate ./internal/storeguard` fails here (or
// already fails to compile, when the decorator lacks it).
func TestDecoratorIsCurrent(t *testing.T) {
	root := gencheck.Root(t)
	copy := gencheck.Copy(t, root)
	gencheck.Run(t, filepath.Join(copy, "internal", "storeguard"), "go", "generate", "./")
	gencheck.Same(t, root, copy, "go generate ./internal/storeguard", "internal/storeguard/instrumented_gen.go")
}
