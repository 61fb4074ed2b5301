package graph

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"pcnet/examples"
)

func schema(t *testing.T) *ast.Schema {
	t.Helper()
	return NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
}

// userTypes returns the schema's own types (not the built-in scalars and
// introspection types), sorted by name.
func userTypes(s *ast.Schema) []*ast.Definition {
	var defs []*ast.Definition
	for _, d := range s.Types {
		if !d.BuiltIn && !strings.HasPrefix(d.Name, "__") {
			defs = append(defs, d)
		}
	}
	slices.SortFunc(defs, func(a, b *ast.Definition) int { return strings.Compare(a.Name, b.Name) })
	return defs
}

// Everything in the schema carries a description: GraphiQL's docs are the
// API's reference.
func TestSchemaDescribesEverything(t *testing.T) {
	s := schema(t)
	var missing []string
	check := func(what, desc string) {
		if strings.TrimSpace(desc) == "" {
			missing = append(missing, what)
		}
	}
	types := userTypes(s)
	if len(types) < 20 {
		t.Fatalf("found %d schema types; the schema didn't load as expected", len(types))
	}
	for _, d := range types {
		check("type "+d.Name, d.Description)
		for _, f := range d.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			check(d.Name+"."+f.Name, f.Description)
			for _, a := range f.Arguments {
				check(d.Name+"."+f.Name+"("+a.Name+")", a.Description)
			}
		}
		for _, v := range d.EnumValues {
			check(d.Name+"."+v.Name, v.Description)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d schema elements have no description:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

// The types that carry the illustrative network say so, so nobody takes
// the shipped network for programme data.
func TestSchemaFlagsIllustrativeNetwork(t *testing.T) {
	s := schema(t)
	for _, name := range []string{"SharedService", "Coverage", "CoverageConnection", "Tutorship", "ProjectWork"} {
		d := s.Types[name]
		if d == nil {
			t.Errorf("type %s missing", name)
			continue
		}
		if !strings.Contains(d.Description, "illustrative") {
			t.Errorf("type %s: description doesn't say the shipped network is illustrative: %q", name, d.Description)
		}
	}
}

// The examples together (the reads and the writes) use every field and
// argument of the schema and every field of its input types, so they
// document (and, run by the server tests, exercise) the whole API.
func TestExamplesUseWholeSchema(t *testing.T) {
	s := schema(t)
	used := make(map[string]bool)
	ops := examples.All()
	if len(ops) < 25 {
		t.Errorf("%d examples, want at least 25", len(ops))
	}
	writes := examples.Writes()
	if len(writes) < 10 {
		t.Errorf("%d example writes, want at least 10 (every mutation, the audit trail, the subscription)", len(writes))
	}
	ops = append(ops, writes...)
	names := make(map[string]string)
	for _, op := range ops {
		doc, errs := gqlparser.LoadQueryWithRules(s, op.Query, nil)
		if errs != nil {
			t.Errorf("example %s: %v", op.Name, errs)
			continue
		}
		if len(doc.Operations) != 1 || doc.Operations[0].Name == "" {
			t.Errorf("example %s: want one named operation, got %d", op.Name, len(doc.Operations))
			continue
		}
		if doc.Operations[0].Name != op.OperationName {
			t.Errorf("example %s: OperationName %q, document names %q", op.Name, op.OperationName, doc.Operations[0].Name)
		}
		if other, dup := names[op.OperationName]; dup {
			t.Errorf("examples %s and %s both name their operation %s", other, op.Name, op.OperationName)
		}
		names[op.OperationName] = op.Name
		markSelections(used, doc.Operations[0].SelectionSet)
	}

	var unused []string
	for _, d := range userTypes(s) {
		switch d.Kind {
		case ast.Object:
			for _, f := range d.Fields {
				if strings.HasPrefix(f.Name, "__") {
					continue
				}
				if !used[d.Name+"."+f.Name] {
					unused = append(unused, d.Name+"."+f.Name)
				}
				for _, a := range f.Arguments {
					if k := d.Name + "." + f.Name + "(" + a.Name + ")"; !used[k] {
						unused = append(unused, k)
					}
				}
			}
		case ast.InputObject:
			for _, f := range d.Fields {
				if k := d.Name + "." + f.Name; !used[k] {
					unused = append(unused, k)
				}
			}
		case ast.Enum:
			// Every order is worth showing; the other enums appear in
			// results, so their values needn't all be typed in a filter.
			if d.Name != "ComuneOrder" {
				continue
			}
			for _, v := range d.EnumValues {
				if k := d.Name + "." + v.Name; !used[k] {
					unused = append(unused, k)
				}
			}
		}
	}
	if len(unused) > 0 {
		t.Errorf("no example uses these %d schema elements:\n%s", len(unused), strings.Join(unused, "\n"))
	}
}

func markSelections(used map[string]bool, set ast.SelectionSet) {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Definition == nil || strings.HasPrefix(sel.Name, "__") {
				continue
			}
			key := sel.ObjectDefinition.Name + "." + sel.Name
			used[key] = true
			for _, a := range sel.Arguments {
				used[fmt.Sprintf("%s(%s)", key, a.Name)] = true
				markValue(used, a.Value)
			}
			markSelections(used, sel.SelectionSet)
		case *ast.InlineFragment:
			markSelections(used, sel.SelectionSet)
		case *ast.FragmentSpread:
			markSelections(used, sel.Definition.SelectionSet)
		}
	}
}

// markValue records the input fields and enum values an argument value uses.
func markValue(used map[string]bool, v *ast.Value) {
	if v == nil {
		return
	}
	if v.Kind == ast.EnumValue && v.Definition != nil {
		used[v.Definition.Name+"."+v.Raw] = true
	}
	for _, c := range v.Children {
		if v.Kind == ast.ObjectValue && v.Definition != nil {
			used[v.Definition.Name+"."+c.Name] = true
		}
		markValue(used, c.Value)
	}
}
