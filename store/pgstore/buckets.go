package pgstore

import (
	"context"
	"fmt"
	"sort"

	"github.com/bibgate/bibgate/store"
)

var _ store.BucketLister = (*Store)(nil)

// Buckets names the buckets holding at least one key. See store.BucketLister.
func (s *Store) Buckets(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !s.enter() {
		return nil, store.ErrClosed
	}
	defer s.inflight.Done()
	rows, err := s.pool.Query(ctx, s.sql.buckets)
	if err != nil {
		return nil, fmt.Errorf("pgstore: list buckets: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("pgstore: list buckets: %w", err)
		}
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: list buckets: %w", err)
	}
	sort.Strings(out) // byte order, whatever the database's collation
	return out, nil
}
