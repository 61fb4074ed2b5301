package neo4j_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"pcnet/internal/neo4j/neo4jtest"
	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

// recordingBookmarks is a bookmark manager that passes everything on to
// the store's own and records what reads asked for and writes handed in.
type recordingBookmarks struct {
	neo4jdrv.BookmarkManager
	mu      sync.Mutex
	updates []neo4jdrv.Bookmarks // new bookmarks, one per committed transaction
	gets    []neo4jdrv.Bookmarks // what each transaction started after
}

func (r *recordingBookmarks) UpdateBookmarks(ctx context.Context, previous, current neo4jdrv.Bookmarks) error {
	r.mu.Lock()
	r.updates = append(r.updates, slices.Clone(current))
	r.mu.Unlock()
	return r.BookmarkManager.UpdateBookmarks(ctx, previous, current)
}

func (r *recordingBookmarks) GetBookmarks(ctx context.Context) (neo4jdrv.Bookmarks, error) {
	b, err := r.BookmarkManager.GetBookmarks(ctx)
	r.mu.Lock()
	r.gets = append(r.gets, slices.Clone(b))
	r.mu.Unlock()
	return b, err
}

func (r *recordingBookmarks) snapshot() (updates, gets []neo4jdrv.Bookmarks) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.updates), slices.Clone(r.gets)
}

// TestReadsChainedAfterWrites: a write hands its bookmark to the store's
// bookmark manager, and the next read starts after that bookmark, so on a
// cluster it cannot run on a follower that has not applied the write
// (issue 12 item 10). On one server the bookmark path is the same.
func TestReadsChainedAfterWrites(t *testing.T) {
	s := neo4jtest.Load(t, storetest.WriteFixture())
	ctx := context.Background()
	rec := &recordingBookmarks{}
	s.WrapBookmarksForTest(func(bm neo4jdrv.BookmarkManager) neo4jdrv.BookmarkManager {
		rec.BookmarkManager = bm
		return rec
	})

	if _, err := s.CreateService(ctx, pcnet.SharedService{ID: "svc-097-bookmark", Name: "Segnalibro", ProviderCode: lecco, AreaCode: "sua", StartDate: pcnet.MustDate("2025-01-01")}); err != nil {
		t.Fatal(err)
	}
	updates, _ := rec.snapshot()
	if len(updates) == 0 || len(updates[len(updates)-1]) == 0 {
		t.Fatalf("the write handed no bookmark to the bookmark manager (updates %v)", updates)
	}
	written := updates[len(updates)-1]

	got, err := s.Services(ctx, pcnet.ServiceFilter{IDs: []string{"svc-097-bookmark"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("the read after the write found %d services, want 1", len(got))
	}
	_, gets := rec.snapshot()
	if len(gets) == 0 {
		t.Fatal("the read did not ask the bookmark manager for bookmarks")
	}
	last := gets[len(gets)-1]
	for _, b := range written {
		if !slices.Contains(last, b) {
			t.Errorf("the read started after %v, which lacks the write's bookmark %q", last, b)
		}
	}
}

var _ neo4jdrv.BookmarkManager = (*recordingBookmarks)(nil)
