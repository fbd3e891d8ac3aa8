package boltstore

import (
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/bibgate/bibgate/store"
)

var _ store.BucketLister = (*Store)(nil)

// Buckets names the buckets holding at least one key. See store.BucketLister.
func (s *Store) Buckets(ctx context.Context) ([]string, error) {
	var out []string
	err := s.View(ctx, func(store.Tx) error {
		return s.db.View(func(btx *bolt.Tx) error {
			return btx.ForEach(func(name []byte, b *bolt.Bucket) error {
				if k, _ := b.Cursor().First(); k != nil {
					out = append(out, string(name))
				}
				return nil
			})
		})
	})
	return out, err
}
