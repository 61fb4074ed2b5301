package pcnet

import "context"

// ComuneLookup is an optional Store capability: Comuni by ISTAT code with
// the Provinces and regions they lie in, in one round trip (a Comune
// looked up with its Province and region is one Cypher query on Neo4j).
// The Provinces and regions may be left out (nil) by a store that can't
// add them for free; callers then look them up as usual.
type ComuneLookup interface {
	ComuniWithParents(ctx context.Context, codes []string) ([]Comune, []Province, []Region, error)
}
