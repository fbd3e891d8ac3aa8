package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bibgate/bibgate/store"
)

var _ store.Leaser = (*Store)(nil)

// AcquireLease takes or renews the named lease for holder, for ttl on the
// database's clock: one INSERT ... ON CONFLICT DO UPDATE ... WHERE in its
// own transaction, so that two processes racing for a lease that ran out
// cannot both win. See store.Leaser.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if !s.enter() {
		return false, store.ErrClosed
	}
	defer s.inflight.Done()
	var got string
	err := s.pool.QueryRow(ctx, s.sql.acquireLease, name, holder, ttl.Milliseconds()).Scan(&got)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("pgstore: lease %s: %w", name, err)
	}
	return got == holder, nil
}

// ReleaseLease ends holder's lease, if it holds it. See store.Leaser.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if !s.enter() {
		return store.ErrClosed
	}
	defer s.inflight.Done()
	if _, err := s.pool.Exec(ctx, s.sql.releaseLease, name, holder); err != nil {
		return fmt.Errorf("pgstore: release lease %s: %w", name, err)
	}
	return nil
}
