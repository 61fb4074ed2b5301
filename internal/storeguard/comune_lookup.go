package storeguard

import (
	"context"

	"pcnet/internal/pcnet"
)

// The store decorator passes the optional pcnet.ComuneLookup through, so a
// Comune looked up with its Province and region stays one round trip on
// Neo4j. Over a store without it, it answers the Comuni alone (the
// interface allows that): the GraphQL layer then loads the parents.

var _ pcnet.ComuneLookup = (*storeDecorator)(nil)

// ComuniWithParents implements pcnet.ComuneLookup.
func (d *storeDecorator) ComuniWithParents(ctx context.Context, codes []string) ([]pcnet.Comune, []pcnet.Province, []pcnet.Region, error) {
	if l, ok := d.inner.(pcnet.ComuneLookup); ok {
		type answer struct {
			comuni    []pcnet.Comune
			provinces []pcnet.Province
			regions   []pcnet.Region
		}
		a, err := call(ctx, d, "ComuniWithParents", len(codes), func(ctx context.Context) (answer, error) {
			c, p, r, err := l.ComuniWithParents(ctx, codes)
			return answer{c, p, r}, err
		})
		return a.comuni, a.provinces, a.regions, err
	}
	pages, err := d.Comuni(ctx, []pcnet.ComuneQuery{{Filter: pcnet.ComuneFilter{Codes: codes}, Order: pcnet.ComuneByCode}})
	if err != nil || len(pages) == 0 {
		return nil, nil, nil, err
	}
	return pages[0].Comuni, nil, nil, nil
}
