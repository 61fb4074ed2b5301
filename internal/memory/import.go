package memory

import (
	"context"
	"fmt"
	"time"

	"pcnet/internal/pcnet"
)

// Import makes the store hold ds, as `pcnet import --prune` makes a Neo4j
// database hold it, and records one audit entry (pcnet.ImportChange), so
// the audit Seq a response cache trusts moves with the import. An invalid
// ds is refused (EINVALID) and changes nothing. The admins' participation
// exceptions, which no dataset holds, stay.
//
// A durable store commits the network, the participations and the entry
// in one bbolt transaction before it serves them. It keeps no geography
// and no programme beyond the participations (durable.go): ds's geography
// must be the one it was seeded with (EINVALID otherwise), and the rest of
// the programme stays the seed's.
func (s *Store) Import(ctx context.Context, ds pcnet.Dataset) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	d := s.snapshot()
	if s.disk != nil {
		participations := ds.Participations
		ds.Programme = d.programme
		ds.Participations = participations
	}
	if err := ds.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // nothing written yet: the caller gave up
	}
	changes := []pcnet.Change{pcnet.ImportChange(ds)}
	pcnet.StampChanges(ctx, changes, d.lastSeq, time.Now())
	if s.disk != nil {
		if err := s.disk.importNetwork(ds, changes[0]); err != nil {
			if pcnet.ErrorCode(err) == pcnet.EINVALID {
				return err
			}
			return fmt.Errorf("memory: committing an import to %s: %w", s.disk.path, err)
		}
	}
	next := index(ds)
	next.lastSeq = changes[0].Seq
	next.exceptions = d.exceptions
	if s.disk == nil {
		next.changes = append(d.changes, changes...)
	}
	s.mu.Lock()
	s.d = next
	s.mu.Unlock()
	return nil
}
