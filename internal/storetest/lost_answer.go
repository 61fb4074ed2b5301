package storetest

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"pcnet/internal/pcnet"
)

// RunLostAnswers checks what idempotency keys are for (issue 12 item 9): a
// write that committed but whose answer was lost (a client sees
// unavailable) and is retried with the same key answers the original
// result, and its audit entries are recorded once.
//
// open must return a store holding exactly ds (see RunWrites) that, after
// every write that committed, calls afterCommit with the write's operation
// and, when it returns an error, answers that error instead of the
// result: the seam of a store offering one (neo4j.Config.AfterCommit);
// nil means no seam. RunLostAnswers opens two stores: one without losses,
// whose answers are the originals, and one that loses the answer of each
// write's first call.
func RunLostAnswers(t *testing.T, open func(t *testing.T, ds pcnet.Dataset, afterCommit func(op string) error) WriteStore) {
	// The originals: each write of idempotentWrites, in order, answered.
	type original struct {
		result  any
		entries []pcnet.Change // without Seq and At
	}
	var originals []original
	plain := open(t, WriteFixture(), nil)
	for _, w := range idempotentWrites(plain) {
		seq := lastSeq(t, plain)
		res, err := w.do(withKey("lost-" + w.name))
		if err != nil {
			t.Fatalf("%s without a lost answer: %v", w.name, err)
		}
		originals = append(originals, original{res, entriesAfter(t, plain, seq)})
	}

	var lose, lost atomic.Bool
	s := open(t, WriteFixture(), func(string) error {
		if !lose.CompareAndSwap(true, false) {
			return nil
		}
		lost.Store(true)
		return pcnet.Errorf(pcnet.EUNAVAILABLE, "the connection to the store was lost")
	})
	for i, w := range idempotentWrites(s) {
		t.Run(w.name, func(t *testing.T) {
			ctx := withKey("lost-" + w.name)
			seq := lastSeq(t, s)
			lose.Store(true)
			lost.Store(false)
			_, err := w.do(ctx)
			lose.Store(false)
			if !lost.Load() {
				t.Fatalf("%s committed nothing, or did not call afterCommit (error %v)", w.name, err)
			}
			wantErr(t, err, pcnet.EUNAVAILABLE, "")
			// The write committed: its entries are there, as without the loss.
			committed := entriesAfter(t, s, seq)
			if !reflect.DeepEqual(committed, originals[i].entries) {
				t.Errorf("the lost write recorded\n %+v\nwant\n %+v", committed, originals[i].entries)
			}
			seq = lastSeq(t, s)
			before := readState(t, s)
			retried, err := w.do(ctx)
			if err != nil {
				t.Fatalf("retried with the same key: %v; want the original result", err)
			}
			if !reflect.DeepEqual(retried, originals[i].result) {
				t.Errorf("retried with the same key:\n got  %+v\n want %+v", retried, originals[i].result)
			}
			checkUnchanged(t, s, before)
			checkNoNewChanges(t, s, seq, "the retry of a lost answer")
		})
	}
}

// entriesAfter returns the audit entries recorded after seq, without their
// Seq and At (which differ between stores and runs).
func entriesAfter(t *testing.T, s WriteStore, seq int64) []pcnet.Change {
	t.Helper()
	got, err := s.Changes(context.Background(), pcnet.ChangeFilter{AfterSeq: seq})
	must(t, err)
	for i := range got {
		got[i].Seq, got[i].At = 0, time.Time{}
	}
	return got
}
