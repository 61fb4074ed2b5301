package memory

import "context"

// Ping reports whether the store can answer queries. The embedded store
// lives in the process, so it always can: a server over it is ready as
// soon as it is built.
func (s *Store) Ping(ctx context.Context) error { return nil }
