package memstore

import (
	"context"
	"sort"

	"github.com/bibgate/bibgate/store"
)

var _ store.BucketLister = (*Store)(nil)

// Buckets names the buckets holding at least one key. See store.BucketLister.
func (s *Store) Buckets(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	var out []string
	for name, b := range s.buckets {
		if len(b.vals) > 0 {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}
