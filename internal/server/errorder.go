package server

import (
	"cmp"
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// orderErrors puts a response's errors in path order, so that one request
// gives the same errors in the same order on every run: gqlgen resolves
// fields concurrently and lists their errors as they finish. gqlgen has no
// option for it, hence this response middleware.
func orderErrors(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp != nil && len(resp.Errors) > 1 {
		slices.SortStableFunc(resp.Errors, compareErrors)
	}
	return resp
}

// compareErrors orders errors without a path (request errors) first, then
// by path: list indexes by number, fields by their place in the document
// (the error's location), then by name; last by message.
func compareErrors(a, b *gqlerror.Error) int {
	if len(a.Path) == 0 || len(b.Path) == 0 {
		return cmp.Or(boolOrder(len(a.Path) > 0, len(b.Path) > 0), cmp.Compare(a.Message, b.Message))
	}
	for i := 0; i < len(a.Path) && i < len(b.Path); i++ {
		ai, aIdx := a.Path[i].(ast.PathIndex)
		bi, bIdx := b.Path[i].(ast.PathIndex)
		switch {
		case aIdx && bIdx:
			if ai != bi {
				return cmp.Compare(ai, bi)
			}
			continue
		case aIdx != bIdx:
			return boolOrder(!aIdx, !bIdx)
		}
		an, bn := a.Path[i].(ast.PathName), b.Path[i].(ast.PathName)
		if an == bn {
			continue
		}
		if c := compareLocations(a.Locations, b.Locations); c != 0 {
			return c
		}
		return cmp.Compare(an, bn)
	}
	return cmp.Or(cmp.Compare(len(a.Path), len(b.Path)), cmp.Compare(a.Message, b.Message))
}

// boolOrder orders false before true.
func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func compareLocations(a, b []gqlerror.Location) int {
	if len(a) == 0 || len(b) == 0 {
		return cmp.Compare(len(a), len(b))
	}
	return cmp.Or(cmp.Compare(a[0].Line, b[0].Line), cmp.Compare(a[0].Column, b[0].Column))
}
