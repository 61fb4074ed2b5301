package server

import (
	"testing"

	"github.com/vektah/gqlparser/v2"

	"pcnet/graph"
)

// FuzzAnalyzeOperation runs the limits' analysis over any document the
// schema accepts: it must end (fragments can't make it loop or blow up
// past the fields limit), and its figures must be sane. Seeds are in
// testdata/fuzz/FuzzAnalyzeOperation.
func FuzzAnalyzeOperation(f *testing.F) {
	schema := graph.NewSchema(&graph.Resolver{}).Schema()
	f.Add(`{ regions { code } }`)
	f.Add(introspectionQueryForFuzz)
	f.Fuzz(func(t *testing.T, query string) {
		if limit, err := preValidate(query, "", DefaultLimits()); err != nil && limit == LimitTokens {
			return // the server refuses it before validation
		}
		doc, errs := gqlparser.LoadQueryWithRules(schema, query, nil)
		if errs != nil {
			return
		}
		for _, op := range doc.Operations {
			a := analyzeOperation(doc, op, DefaultMaxFields)
			if a.fields > DefaultMaxFields+1 {
				t.Fatalf("counted %d fields past the limit of %d: the walk didn't stop", a.fields, DefaultMaxFields)
			}
			if a.depth < 0 || a.aliases > a.fields {
				t.Fatalf("figures %+v", a)
			}
			if a.fields > 0 && a.depth == 0 {
				t.Fatalf("fields without depth: %+v", a)
			}
		}
	})
}

const introspectionQueryForFuzz = `{ __schema { types { name fields { name type { kind ofType { kind name } } } } } }`
