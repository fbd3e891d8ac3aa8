package boltindex_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"go.etcd.io/bbolt"

	"github.com/bibgate/bibgate/search/boltindex"
)

// TestApplyCommitsWithTheCallersMark: puts, deletes and the caller's own
// write land in one transaction; an error from the caller's part leaves the
// index as it was.
func TestApplyCommitsWithTheCallersMark(t *testing.T) {
	ix := openFixture(t)
	ctx := context.Background()
	before, _ := ix.Stats(ctx)
	mark := func(v string) func(tx *bbolt.Tx) error {
		return func(tx *bbolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("follow"))
			if err != nil {
				return err
			}
			return b.Put([]byte("at"), []byte(v))
		}
	}
	boom := errors.New("crash before commit")
	_, err := ix.Apply(ctx, []boltindex.Doc{{Key: "new1", Record: titleRecord("new1", "Zvaigžņu ceļš")}}, []string{"lv001"},
		func(tx *bbolt.Tx) error { _ = mark("1")(tx); return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("Apply with failing mark: %v", err)
	}
	if got := hits(t, ix, term("title", "zvaigžņu")); len(got) != 0 {
		t.Errorf("rolled-back put found: %v", got)
	}
	if got := hits(t, ix, term("title", "dzejoļi")); !slices.Equal(got, ks("lv001", "lv009")) {
		t.Errorf("rolled-back delete took effect: %v", got)
	}
	rep, err := ix.Apply(ctx, []boltindex.Doc{{Key: "new1", Record: titleRecord("new1", "Zvaigžņu ceļš")},
		{Key: "lv009", Record: titleRecord("lv009", "Dzeja un proza")}}, []string{"lv001", "never-there"}, mark("2"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 1 || !slices.Equal(rep.Replaced, []string{"lv009"}) {
		t.Errorf("report %+v", rep)
	}
	if got := hits(t, ix, term("title", "zvaigžņu")); !slices.Equal(got, ks("new1")) {
		t.Errorf("applied put: %v", got)
	}
	if got := hits(t, ix, term("title", "dzejoļi")); len(got) != 0 {
		t.Errorf("applied delete and replace: dzejoļi still finds %v", got)
	}
	after, _ := ix.Stats(ctx)
	if after.Records != before.Records {
		t.Errorf("records %d -> %d, want unchanged (one added, one deleted)", before.Records, after.Records)
	}
	var at string
	_ = ix.DB().View(func(tx *bbolt.Tx) error {
		if b := tx.Bucket([]byte("follow")); b != nil {
			at = string(b.Get([]byte("at")))
		}
		return nil
	})
	if at != "2" {
		t.Errorf("caller's mark = %q, want 2", at)
	}
}
