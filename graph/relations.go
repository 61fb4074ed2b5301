package graph

import (
	"context"
	"fmt"

	"pcnet/internal/pcnet"
)

// The helpers below follow a reference held by an object (a Comune's
// Province code, a service's area code) to the object it names. A dangling
// reference breaks the store's own invariants (Dataset.Validate rules them
// out), so it is an internal error, not null: the schema promises these
// relations are never null.

func (r *Resolver) regionOf(ctx context.Context, code, holder string) (*pcnet.Region, error) {
	return required(loadersFrom(ctx).regionByCode.Load(ctx, code))(holder, "region", code)
}

func (r *Resolver) provinceOf(ctx context.Context, code, holder string) (*pcnet.Province, error) {
	return required(loadersFrom(ctx).provinceByCode.Load(ctx, code))(holder, "province", code)
}

func (r *Resolver) comuneOf(ctx context.Context, code, holder string) (*pcnet.Comune, error) {
	return required(loadersFrom(ctx).comuneByCode.Load(ctx, code))(holder, "comune", code)
}

func (r *Resolver) serviceOf(ctx context.Context, id, holder string) (*pcnet.SharedService, error) {
	return required(loadersFrom(ctx).serviceByID.Load(ctx, id))(holder, "service", id)
}

func (r *Resolver) sectorOf(ctx context.Context, code, holder string) (*pcnet.Sector, error) {
	t, err := loadersFrom(ctx).sectors(ctx)
	if err != nil {
		return nil, err
	}
	return required(t.sector[code], nil)(holder, "sector", code)
}

func (r *Resolver) areaOf(ctx context.Context, code, holder string) (*pcnet.Area, error) {
	t, err := loadersFrom(ctx).sectors(ctx)
	if err != nil {
		return nil, err
	}
	return required(t.area[code], nil)(holder, "area", code)
}

// required turns a lookup's (nil, nil) into an error naming the dangling
// reference; it is written as a curried function so callers can pass a
// loader's two results straight in.
func required[T any](v *T, err error) func(holder, kind, code string) (*T, error) {
	return func(holder, kind, code string) (*T, error) {
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, fmt.Errorf("graph: %s refers to unknown %s %q", holder, kind, code)
		}
		return v, nil
	}
}
