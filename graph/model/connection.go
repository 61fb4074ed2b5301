package model

import "pcnet/internal/pcnet"

// PageInfo tells where a page lies in its list (Relay).
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// ComuneConnection is a page of Comuni.
type ComuneConnection struct {
	Edges      []ComuneEdge
	PageInfo   PageInfo
	TotalCount int
}

// ComuneEdge is a Comune in a page with its cursor.
type ComuneEdge struct {
	Cursor string
	Node   pcnet.Comune
}

// CoverageConnection is a page of the Comuni a service covers.
type CoverageConnection struct {
	Edges      []CoverageEdge
	PageInfo   PageInfo
	TotalCount int
}

// CoverageEdge is one coverage in a page: the GraphQL fields since, until and
// phase come from the embedded Coverage; node (the Comune) is resolved
// through a dataloader.
type CoverageEdge struct {
	pcnet.Coverage
	Cursor string
}

// NewPageInfo describes the page of n items that starts at offset in a list
// of total items, with the cursors of cur.
func NewPageInfo(cur pcnet.Cursors, offset, n, total int) PageInfo {
	info := PageInfo{
		HasPreviousPage: offset > 0,
		HasNextPage:     offset+n < total,
	}
	if n > 0 {
		start, end := cur.Encode(offset), cur.Encode(offset+n-1)
		info.StartCursor, info.EndCursor = &start, &end
	}
	return info
}

// NewComuneConnection turns a store page into a connection with the cursors
// of cur; offset is where the page starts in the whole list.
func NewComuneConnection(p pcnet.ComunePage, cur pcnet.Cursors, offset int) *ComuneConnection {
	edges := make([]ComuneEdge, len(p.Comuni))
	for i, c := range p.Comuni {
		edges[i] = ComuneEdge{Cursor: cur.Encode(offset + i), Node: c}
	}
	return &ComuneConnection{Edges: edges, PageInfo: NewPageInfo(cur, offset, len(edges), p.Total), TotalCount: p.Total}
}

// NewCoverageConnection turns a store page into a connection with the
// cursors of cur; offset is where the page starts in the whole list.
func NewCoverageConnection(p pcnet.CoveragePage, cur pcnet.Cursors, offset int) *CoverageConnection {
	edges := make([]CoverageEdge, len(p.Coverages))
	for i, c := range p.Coverages {
		edges[i] = CoverageEdge{Coverage: c, Cursor: cur.Encode(offset + i)}
	}
	return &CoverageConnection{Edges: edges, PageInfo: NewPageInfo(cur, offset, len(edges), p.Total), TotalCount: p.Total}
}
