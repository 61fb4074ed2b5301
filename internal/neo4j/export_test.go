package neo4j

import "context"

// ReadForTest runs one read query the way every store method does, so
// external tests can check what happens to a query in flight.
func (s *Store) ReadForTest(ctx context.Context, cypher string) error {
	_, err := s.read(ctx, cypher, nil)
	return err
}

// HaversineMetres is haversineMetres, for the test that checks it on the
// server against Go's haversine.
func HaversineMetres(a, b string) string { return haversineMetres(a, b) }
