package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/bibgate/bibgate/store"
)

// testBuckets: a store that lists its buckets (store.BucketLister) names
// exactly those holding a key, in order, committed ones only.
func testBuckets(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	bl, ok := s.(store.BucketLister)
	if !ok {
		t.Skip("this store does not list its buckets (store.BucketLister)")
	}
	ctx := context.Background()
	if got, err := bl.Buckets(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty store lists %v, %v", got, err)
	}
	putAll(t, s, "zeta", kv{"k", "v"})
	putAll(t, s, "alpha", kv{"a", "1"}, kv{"b", "2"})
	putAll(t, s, "emptied", kv{"x", "y"})
	mustUpdate(t, s, func(tx store.Tx) error { return tx.Delete("emptied", "x") })
	errRollback := errors.New("roll back")
	_ = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Put("rolledback", "k", []byte("v")); err != nil {
			return err
		}
		return errRollback
	})
	got, err := bl.Buckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"alpha", "zeta"}; !reflect.DeepEqual(got, want) {
		t.Errorf("buckets %v, want %v", got, want)
	}
}
