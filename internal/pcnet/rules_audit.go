package pcnet

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Stamping and filtering the audit trail that every write appends to.

// StampChanges fills in the Seq (lastSeq+1, lastSeq+2, ...), At (at in UTC,
// to the millisecond) and Actor (the Subject of ctx's actor, "" when ctx
// carries none) of a write's audit entries, in place, and returns the last
// Seq. All entries of one write share At.
func StampChanges(ctx context.Context, changes []Change, lastSeq int64, at time.Time) int64 {
	actor, _ := ActorFrom(ctx)
	at = at.UTC().Truncate(time.Millisecond)
	for i := range changes {
		lastSeq++
		changes[i].Seq, changes[i].At, changes[i].Actor = lastSeq, at, actor.Subject
	}
	return lastSeq
}

// ValidateChangeFilter checks an audit query: "entity" (empty or one of
// Entities), "afterSeq" and "limit" (not negative).
func ValidateChangeFilter(f ChangeFilter) error {
	if f.Entity != "" && !slices.Contains(Entities, f.Entity) {
		return Invalidf("entity", "entity: %q is not an entity: one of %s expected", f.Entity, strings.Join(Entities, ", "))
	}
	if f.AfterSeq < 0 {
		return Invalidf("afterSeq", "afterSeq: %d is negative", f.AfterSeq)
	}
	if f.Limit < 0 {
		return Invalidf("limit", "limit: %d is negative", f.Limit)
	}
	return nil
}

// Match reports whether f selects c (Limit aside): At at or after Since,
// the Entity and EntityID when given, and Seq after AfterSeq.
func (f ChangeFilter) Match(c Change) bool {
	return (f.Since.IsZero() || !c.At.Before(f.Since)) &&
		(f.Entity == "" || c.Entity == f.Entity) &&
		(f.EntityID == "" || c.EntityID == f.EntityID) &&
		c.Seq > f.AfterSeq
}

// ImportChange is the audit entry of an import of ds: every import records
// exactly one, in the transaction that writes the data, whether or not it
// changed anything, so that the audit Seq (Writer.LastChangeSeq), and with
// it a response cache, moves with imports as with writes. Its EntityID is
// empty (the import is of the whole dataset) and its Summary says what ds
// holds.
func ImportChange(ds Dataset) Change {
	return Change{Entity: EntityImport, Action: ActionImport, Summary: fmt.Sprintf(
		"imported %d regions, %d Provinces, %d Comuni, %d sectors, %d services, %d coverages, %d tutorships, %d project works",
		len(ds.Regions), len(ds.Provinces), len(ds.Comuni), len(ds.Sectors), len(ds.Services), len(ds.Coverages), len(ds.Tutorships), len(ds.ProjectWorks))}
}
