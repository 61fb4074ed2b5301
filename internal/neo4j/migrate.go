package neo4j

import (
	"context"
	"fmt"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// A migration is one schema statement. All are idempotent (IF NOT EXISTS),
// so Migrate can run at every start and every import.
type migration struct {
	name      string
	statement string
}

// migrations are the constraints and indexes of the graph model (MODEL.md).
// Every key is unique (each uniqueness constraint also gives the key an
// index, which MERGE, MATCH by key and the batch queries' anchors use).
var migrations = []migration{
	{"region_code", "CREATE CONSTRAINT region_code IF NOT EXISTS FOR (n:Region) REQUIRE n.code IS UNIQUE"},
	{"province_code", "CREATE CONSTRAINT province_code IF NOT EXISTS FOR (n:Province) REQUIRE n.code IS UNIQUE"},
	{"comune_code", "CREATE CONSTRAINT comune_code IF NOT EXISTS FOR (n:Comune) REQUIRE n.code IS UNIQUE"},
	{"sector_code", "CREATE CONSTRAINT sector_code IF NOT EXISTS FOR (n:Sector) REQUIRE n.code IS UNIQUE"},
	{"area_code", "CREATE CONSTRAINT area_code IF NOT EXISTS FOR (n:Area) REQUIRE n.code IS UNIQUE"},
	{"shared_service_id", "CREATE CONSTRAINT shared_service_id IF NOT EXISTS FOR (n:SharedService) REQUIRE n.id IS UNIQUE"},
	{"project_work_id", "CREATE CONSTRAINT project_work_id IF NOT EXISTS FOR (n:ProjectWork) REQUIRE n.id IS UNIQUE"},
	// Province lookups by car plate (the provinces(plateCodes:) filter).
	{"province_plate_code", "CREATE INDEX province_plate_code IF NOT EXISTS FOR (n:Province) ON (n.plateCode)"},
	// Name search: a text index serves CONTAINS on the folded name.
	{"comune_search_name", "CREATE TEXT INDEX comune_search_name IF NOT EXISTS FOR (n:Comune) ON (n.searchName)"},
	// Population ranges (minPopulation, maxPopulation, small).
	{"comune_population", "CREATE INDEX comune_population IF NOT EXISTS FOR (n:Comune) ON (n.population)"},
	// Comuni flagged as gone from the ISTAT list (see Import).
	{"comune_retired", "CREATE INDEX comune_retired IF NOT EXISTS FOR (n:Comune) ON (n.retired)"},
	// The audit trail (write.go): one counter, whose uniqueness makes
	// concurrent first writes share it; entries keyed by Seq, and looked
	// up by entity ID and time.
	{"audit_counter_name", "CREATE CONSTRAINT audit_counter_name IF NOT EXISTS FOR (n:AuditCounter) REQUIRE n.name IS UNIQUE"},
	{"change_seq", "CREATE CONSTRAINT change_seq IF NOT EXISTS FOR (n:Change) REQUIRE n.seq IS UNIQUE"},
	{"change_entity_id", "CREATE INDEX change_entity_id IF NOT EXISTS FOR (n:Change) ON (n.entityId)"},
	{"change_at", "CREATE INDEX change_at IF NOT EXISTS FOR (n:Change) ON (n.at)"},
	// Idempotency keys of writes (write.go), one node per caller and key.
	{"idempotency_key_id", "CREATE CONSTRAINT idempotency_key_id IF NOT EXISTS FOR (n:IdempotencyKey) REQUIRE n.id IS UNIQUE"},
}

// MigrationStep reports one schema statement applied by Migrate.
type MigrationStep struct {
	Name      string // e.g. "comune_code"
	Statement string
	Created   bool // false: it already existed
}

// Migrate creates the constraints and indexes the store needs, skipping
// those that exist, and waits until all indexes are online. It is safe to
// run at any time and any number of times.
func (s *Store) Migrate(ctx context.Context) ([]MigrationStep, error) {
	steps := make([]MigrationStep, 0, len(migrations))
	for _, m := range migrations {
		created, err := s.schema(ctx, m.statement)
		if err != nil {
			return steps, fmt.Errorf("neo4j: migration %s: %w", m.name, err)
		}
		steps = append(steps, MigrationStep{Name: m.name, Statement: m.statement, Created: created})
	}
	// A new index on existing data is populated in the background; queries
	// and imports are only fast (and text search only indexed) once it is
	// online.
	if _, err := s.schema(ctx, "CALL db.awaitIndexes(300)"); err != nil {
		return steps, fmt.Errorf("neo4j: waiting for indexes: %w", err)
	}
	return steps, nil
}

// schema runs one schema statement in its own write transaction (schema and
// data changes can't share one) and reports whether it created anything.
func (s *Store) schema(ctx context.Context, statement string) (bool, error) {
	sess := s.session(ctx, neo4jdrv.AccessModeWrite)
	defer sess.Close(ctx)
	return neo4jdrv.ExecuteWrite(ctx, sess, func(tx neo4jdrv.ManagedTransaction) (bool, error) {
		s.queries.Add(1)
		res, err := tx.Run(ctx, statement, nil)
		if err != nil {
			return false, err
		}
		sum, err := res.Consume(ctx)
		if err != nil {
			return false, err
		}
		c := sum.Counters()
		return c.ConstraintsAdded() > 0 || c.IndexesAdded() > 0, nil
	})
}
