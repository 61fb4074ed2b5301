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

// NewPageInfo describes a page whose first and last items have the cursors
// start and end ("" for an empty page): after tells whether it was asked
// for after a cursor, more whether items follow it. With key-set cursors
// the page's position in the list is not known; hasPreviousPage is true
// when the page was asked for after a cursor (Relay lets forward paging
// answer it loosely).
func NewPageInfo(start, end string, after, more bool) PageInfo {
	info := PageInfo{HasPreviousPage: after, HasNextPage: more}
	if start != "" {
		info.StartCursor, info.EndCursor = &start, &end
	}
	return info
}

// NewComuneConnection turns a store page in order into a connection with
// the cursors of cur; page is the page that was asked for.
func NewComuneConnection(p pcnet.ComunePage, cur pcnet.Cursors, order pcnet.ComuneOrder, page pcnet.Page) *ComuneConnection {
	edges := make([]ComuneEdge, len(p.Comuni))
	for i, c := range p.Comuni {
		edges[i] = ComuneEdge{Cursor: cur.Encode(pcnet.ComuneKey(order, c)), Node: c}
	}
	var start, end string
	if len(edges) > 0 {
		start, end = edges[0].Cursor, edges[len(edges)-1].Cursor
	}
	return &ComuneConnection{Edges: edges, PageInfo: NewPageInfo(start, end, page.After != nil, p.More), TotalCount: p.Total}
}

// NewCoverageConnection turns a store page into a connection with the
// cursors of cur; page is the page that was asked for.
func NewCoverageConnection(p pcnet.CoveragePage, cur pcnet.Cursors, page pcnet.Page) *CoverageConnection {
	edges := make([]CoverageEdge, len(p.Coverages))
	for i, c := range p.Coverages {
		edges[i] = CoverageEdge{Coverage: c, Cursor: cur.Encode(pcnet.CoverageKey(c))}
	}
	var start, end string
	if len(edges) > 0 {
		start, end = edges[0].Cursor, edges[len(edges)-1].Cursor
	}
	return &CoverageConnection{Edges: edges, PageInfo: NewPageInfo(start, end, page.After != nil, p.More), TotalCount: p.Total}
}
