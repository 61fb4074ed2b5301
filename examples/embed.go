// Package examples holds example GraphQL operations against the pcnet
// schema, one named operation per .graphql file. They are GraphiQL's
// examples, README material, and the input of tests that run every one of
// them (against each store), so each pins its dates (asOf, activeOn, on),
// or leaves out a date that defaults to today where the question is about
// today (the tests pin today with server.Options.Today), and asks only for
// lists with a stable order: the answers in the tests don't depend on the
// day they run.
//
// The writes (mutations, the audit trail, the live-updates subscription)
// are in mutations/ and come from Writes, not All: they change the network,
// so they can't run in the read-only tests that compare every store's
// answers; they run in order, on a fresh store, in the server's write tests.
package examples

import (
	"embed"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
)

//go:embed *.graphql
var files embed.FS

// Operation is one example.
type Operation struct {
	Name          string // the file name without ".graphql", e.g. "dashboard_region"
	OperationName string // the operation's name in the document, e.g. "DashboardRegion"
	Query         string // the document, with its leading comment
}

var operationRE = regexp.MustCompile(`(?m)^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)`)

// All returns every read example, ordered by Name.
func All() []Operation {
	return load(files, ".")
}

// Get returns the example with the given Name.
func Get(name string) (Operation, bool) {
	for _, op := range All() {
		if op.Name == name {
			return op, true
		}
	}
	return Operation{}, false
}

//go:embed mutations/*.graphql
var writeFiles embed.FS

// Writes returns the example writes, ordered by Name: a planner's session
// meant to run in that order on the shipped network (they build on each
// other), ending with the audit trail and a subscription.
func Writes() []Operation {
	return load(writeFiles, "mutations")
}

// load reads the .graphql files of dir in fsys, ordered by name.
func load(fsys embed.FS, dir string) []Operation {
	names, err := fs.Glob(fsys, path.Join(dir, "*.graphql"))
	if err != nil {
		panic(err) // the pattern is constant and valid
	}
	slices.Sort(names)
	ops := make([]Operation, 0, len(names))
	for _, name := range names {
		b, err := fsys.ReadFile(name)
		if err != nil {
			panic(err) // embedded files are always readable
		}
		op := Operation{Name: strings.TrimSuffix(path.Base(name), ".graphql"), Query: string(b)}
		if m := operationRE.FindStringSubmatch(op.Query); m != nil {
			op.OperationName = m[1]
		}
		ops = append(ops, op)
	}
	return ops
}
