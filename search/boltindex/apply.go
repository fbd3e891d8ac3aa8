package boltindex

import (
	"context"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"
)

// Apply stores puts and removes the records under deletes (a key the index
// does not hold is passed over) in one transaction, and calls also inside
// that transaction before it commits: a caller that follows a feed of
// changes records there how far it has got, so that the changes and that
// mark are committed together or not at all. A key both deleted and put
// ends up put. also may be nil; an error from it rolls everything back.
func (ix *Index) Apply(ctx context.Context, puts []Doc, deletes []string, also func(tx *bbolt.Tx) error) (PutReport, error) {
	var rep PutReport
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	last, err := checkDocs(puts)
	if err != nil {
		return rep, err
	}
	err = ix.db.Update(func(tx *bbolt.Tx) error {
		b, err := ix.buckets(tx)
		if err != nil {
			return err
		}
		for _, key := range deletes {
			if err := ix.deleteKey(ctx, b, key); err != nil && !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("boltindex: delete %q: %w", key, err)
			}
		}
		if rep, err = ix.putDocs(ctx, b, puts, last); err != nil {
			return err
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return PutReport{}, fmt.Errorf("boltindex: apply: %w", err)
	}
	return rep, nil
}
