package pgstore

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
)

// idBlock is how many numbers one reservation takes from a counter.
const idBlock = 32

// ids hands out UniqueID numbers from blocks reserved on the counter row
// by a statement of their own, autocommitted on a connection of their own
// (one of the store's MaxConns), so
// that the row is locked for that statement only and a saturated main
// pool cannot wait on itself. The reservation runs READ COMMITTED: two
// processes reserving at once take turns on the row instead of one of
// them failing serialization.
type ids struct {
	pool *pgxpool.Pool
	sql  string

	mu     sync.Mutex
	blocks map[string]*[2]uint64 // bucket → next, end (exclusive)
}

func newIDs(ctx context.Context, cfg *pgxpool.Config, sql string) (*ids, error) {
	c := cfg.Copy()
	c.MaxConns, c.MinConns = 1, 1 // next holds the mutex over the query: one is all it uses
	c.ConnConfig.RuntimeParams["default_transaction_isolation"] = "read committed"
	pool, err := pgxpool.NewWithConfig(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("pgstore: connect for ids: %w", err)
	}
	// Connect now, at start-up, and keep a connection (MinConns): a
	// checkout must not wait for a new connection halfway through its
	// transaction.
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: connect for ids: %w", err)
	}
	return &ids{pool: pool, sql: sql, blocks: map[string]*[2]uint64{}}, nil
}

func (d *ids) next(ctx context.Context, bucket string) (uint64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	b := d.blocks[bucket]
	if b == nil || b[0] >= b[1] {
		var end int64
		if err := d.pool.QueryRow(ctx, d.sql, bucket, idBlock).Scan(&end); err != nil {
			return 0, fmt.Errorf("pgstore: reserve ids of %q: %w", bucket, err)
		}
		b = &[2]uint64{uint64(end) - idBlock + 1, uint64(end) + 1}
		d.blocks[bucket] = b
	}
	n := b[0]
	b[0]++
	return n, nil
}

func (d *ids) close() { d.pool.Close() }

// UniqueID is store.UniqueIDs: a number of the bucket's counter, from a
// block this process reserved; see ids.
func (t *tx) UniqueID(bucket string) (uint64, error) {
	if err := t.writable(bucket); err != nil {
		return 0, fmt.Errorf("pgstore: unique id of %q: %w", bucket, err)
	}
	n, err := t.s.ids.next(t.ctx, bucket)
	if err != nil && t.failed == nil && retryable(t.ctx, err) {
		t.failed = err // a broken connection: run the transaction again
	}
	return n, err
}
