package neo4j

import (
	"context"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// ReadForTest runs one read query the way every store method does, so
// external tests can check what happens to a query in flight.
func (s *Store) ReadForTest(ctx context.Context, cypher string) error {
	_, err := s.read(ctx, cypher, nil)
	return err
}

// HaversineMetres is haversineMetres, for the test that checks it on the
// server against Go's haversine.
func HaversineMetres(a, b string) string { return haversineMetres(a, b) }

// WrapBookmarksForTest replaces the store's bookmark manager by wrap of
// it, so a test can watch the bookmarks reads and writes pass on.
func (s *Store) WrapBookmarksForTest(wrap func(neo4jdrv.BookmarkManager) neo4jdrv.BookmarkManager) {
	s.bookmarks = wrap(s.bookmarks)
}
