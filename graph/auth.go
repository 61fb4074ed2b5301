package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"pcnet/internal/pcnet"
)

// NewSchema returns the executable schema over r with its directives
// wired: @hasRole is enforced by HasRole.
func NewSchema(r *Resolver) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{
		Resolvers:  r,
		Directives: DirectiveRoot{HasRole: HasRole},
		Complexity: complexityRoot(),
	})
}

// HasRole implements the @hasRole directive: the field resolves only for a
// caller whose actor (put in the context by the server's authentication)
// carries at least the role. Otherwise the resolver never runs, so a
// rejected mutation writes nothing.
func HasRole(ctx context.Context, _ any, next graphql.Resolver, role pcnet.Role) (any, error) {
	if _, err := Authorize(ctx, role); err != nil {
		return nil, err
	}
	return next(ctx)
}

// Authorize returns the actor of ctx when its role includes need:
// EUNAUTHORIZED when ctx carries no actor (no valid token), EFORBIDDEN when
// the role is too weak.
func Authorize(ctx context.Context, need pcnet.Role) (pcnet.Actor, error) {
	a, ok := pcnet.ActorFrom(ctx)
	if !ok {
		return pcnet.Actor{}, pcnet.Errorf(pcnet.EUNAUTHORIZED,
			"this needs a bearer token with the %s role: send the header \"Authorization: Bearer <token>\"", need)
	}
	if !a.Role.Can(need) {
		return pcnet.Actor{}, pcnet.Errorf(pcnet.EFORBIDDEN,
			"this needs the %s role; the token used has the %s role", need, a.Role)
	}
	return a, nil
}
