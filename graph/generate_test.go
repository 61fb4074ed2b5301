package graph

import (
	"path/filepath"
	"testing"

	"pcnet/internal/gencheck"
)

// graph/generated.go and graph/model/models_gen.go are gqlgen's output for
// schema.graphqls and gqlgen.yml: a schema edited without `go generate ./graph`
// must fail here, not in production.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	root := gencheck.Root(t)
	copy := gencheck.Copy(t, root)
	gencheck.Run(t, filepath.Join(copy, "graph"), "go", "generate", "./")
	gencheck.Same(t, root, copy, "go generate ./graph",
		"graph/generated.go", "graph/model/models_gen.go")
}
