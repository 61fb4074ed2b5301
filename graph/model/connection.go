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
	Node  pcnet.Comune
	cur   pcnet.Cursors
	order pcnet.ComuneOrder
}

// Cursor is the edge's opaque cursor (GraphQL's cursor), encoded only when
// asked for: see CoverageEdge.Cursor.
func (e *ComuneEdge) Cursor() string { return e.cur.Encode(pcnet.ComuneKey(e.order, e.Node)) }

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
	cur pcnet.Cursors
}

// Cursor is the edge's opaque cursor (GraphQL's cursor), encoded only when
// asked for: most pages (the dashboards' coverage lists) never select an
// edge's cursor, and its key and encoding (a date string, JSON, base64) for
// each of a dashboard's 266 edges, twice since the level planner calls the
// resolver ahead of gqlgen, were about 6% of the request's CPU
// (docs/performance.md).
func (e *CoverageEdge) Cursor() string { return e.cur.Encode(pcnet.CoverageKey(e.Coverage)) }

// pageCursors returns the cursors of a page's first and last edges ("" for
// an empty page).
func pageCursors[E any](edges []E, cursor func(*E) string) (start, end string) {
	if len(edges) == 0 {
		return "", ""
	}
	return cursor(&edges[0]), cursor(&edges[len(edges)-1])
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
		edges[i] = ComuneEdge{Node: c, cur: cur, order: order}
	}
	start, end := pageCursors(edges, (*ComuneEdge).Cursor)
	return &ComuneConnection{Edges: edges, PageInfo: NewPageInfo(start, end, page.After != nil, p.More), TotalCount: p.Total}
}

// NewCoverageConnection turns a store page into a connection with the
// cursors of cur; page is the page that was asked for.
func NewCoverageConnection(p pcnet.CoveragePage, cur pcnet.Cursors, page pcnet.Page) *CoverageConnection {
	edges := make([]CoverageEdge, len(p.Coverages))
	for i, c := range p.Coverages {
		edges[i] = CoverageEdge{Coverage: c, cur: cur}
	}
	start, end := pageCursors(edges, (*CoverageEdge).Cursor)
	return &CoverageConnection{Edges: edges, PageInfo: NewPageInfo(start, end, page.After != nil, p.More), TotalCount: p.Total}
}
