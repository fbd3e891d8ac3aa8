package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/memstore"
)

// TestLeadershipSingleNode: a store only one process opens is not a
// Leaser, and its process leads from the start until the campaign ends.
func TestLeadershipSingleNode(t *testing.T) {
	st := memstore.New()
	defer st.Close()
	if _, ok := any(st).(store.Leaser); ok {
		t.Fatal("the memory store claims to share leases between processes")
	}
	ctx, cancel := context.WithCancel(t.Context())
	var changes []bool
	l := store.Campaign(ctx, st, "jobs", store.LeadershipOptions{OnChange: func(b bool) { changes = append(changes, b) }})
	wctx, wcancel := context.WithTimeout(ctx, time.Second)
	defer wcancel()
	term, err := l.Await(wctx)
	if err != nil {
		t.Fatalf("a single node does not lead: %v", err)
	}
	cancel()
	select {
	case <-term.Done():
	case <-time.After(time.Second):
		t.Fatal("the term goes on after the campaign ended")
	}
	<-l.Done()
	if len(changes) != 2 || !changes[0] || changes[1] {
		t.Errorf("changes %v, want [true false]", changes)
	}
	if _, err := l.Await(context.Background()); err == nil {
		t.Error("Await after the campaign ended returned a term")
	}
}
