package pgstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/pgstore"
)

// TestUniqueIDs: two processes' stores on one schema, drawing loan ids by
// UniqueID and, in the same bucket, by NextSequence (an older gateway),
// from many goroutines at once, never get the same number twice; a
// rolled-back transaction's number is not handed out again.
func TestUniqueIDs(t *testing.T) {
	sc := newSchemas(t)
	a := sc.open(t, "ids", pgstore.Options{})
	b := sc.open(t, "ids", pgstore.Options{})
	t.Cleanup(func() { a.Close(); b.Close() })
	ctx := context.Background()

	var mu sync.Mutex
	seen := map[uint64]string{}
	var dup []uint64
	draw := func(s *pgstore.Store, who string, unique bool) error {
		return s.Update(ctx, func(tx store.Tx) error {
			var n uint64
			var err error
			if unique {
				n, err = tx.(store.UniqueIDs).UniqueID("loan")
			} else {
				n, err = tx.NextSequence("loan")
			}
			if err != nil {
				return err
			}
			mu.Lock()
			if _, ok := seen[n]; ok {
				dup = append(dup, n)
			}
			seen[n] = who
			mu.Unlock()
			return nil
		})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, unique := a, g%4 != 3
			if g%2 == 1 {
				s = b
			}
			for range 60 {
				if err := draw(s, "g", unique); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(dup) > 0 || len(seen) != 8*60 {
		t.Fatalf("%d numbers for %d draws, repeated: %v", len(seen), 8*60, dup)
	}

	// A rolled-back transaction loses its number.
	var lost uint64
	errBack := errors.New("roll back")
	err := a.Update(ctx, func(tx store.Tx) error {
		var err error
		lost, err = tx.(store.UniqueIDs).UniqueID("loan")
		if err != nil {
			return err
		}
		return errBack
	})
	if !errors.Is(err, errBack) {
		t.Fatal(err)
	}
	for range 2 * 32 {
		if err := draw(a, "after", true); err != nil {
			t.Fatal(err)
		}
	}
	if seen[lost] != "" {
		t.Errorf("number %d of a rolled-back transaction handed out again", lost)
	}
	// A view may not draw.
	err = a.View(ctx, func(tx store.Tx) error {
		_, err := tx.(store.UniqueIDs).UniqueID("loan")
		return err
	})
	if err == nil {
		t.Error("UniqueID in a read-only view succeeded")
	}
}
