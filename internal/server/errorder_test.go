package server

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Errors come out in path order whatever order the resolvers finished in.
func TestOrderErrors(t *testing.T) {
	e := func(msg string, line int, path ...any) *gqlerror.Error {
		var p ast.Path
		for _, el := range path {
			switch v := el.(type) {
			case int:
				p = append(p, ast.PathIndex(v))
			case string:
				p = append(p, ast.PathName(v))
			}
		}
		return &gqlerror.Error{Message: msg, Path: p, Locations: []gqlerror.Location{{Line: line, Column: 3}}}
	}
	want := gqlerror.List{
		e("request", 1),
		e("b", 2, "b"), // b comes first in the document
		e("a0", 3, "a", 0, "x"),
		e("a2", 3, "a", 2, "x"),
		e("a10", 3, "a", 10, "x"),
		e("a10y", 4, "a", 10, "y"),
		e("c", 5, "c"),
	}
	for seed := range uint64(20) {
		got := slices.Clone(want)
		rand.New(rand.NewPCG(seed, 1)).Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		resp := orderErrors(context.Background(), func(context.Context) *graphql.Response { return &graphql.Response{Errors: got} })
		var msgs, wantMsgs []string
		for i := range want {
			msgs, wantMsgs = append(msgs, resp.Errors[i].Message), append(wantMsgs, want[i].Message)
		}
		if !slices.Equal(msgs, wantMsgs) {
			t.Fatalf("seed %d: order %v, want %v", seed, msgs, wantMsgs)
		}
	}
}
