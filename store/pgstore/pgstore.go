// Package pgstore keeps a bibgate store in PostgreSQL, so that several
// bibgate processes can share one database.
//
// # Layout
//
// Open creates, if they are missing, four tables (their names carry
// Options.TablePrefix, "bibgate_" by default, and live in Options.Schema):
//
//	entries   (bucket text, key bytea, value bytea, PRIMARY KEY (bucket, key))
//	sequences (bucket text PRIMARY KEY, value bigint)
//	meta      (name text PRIMARY KEY, value text)  -- holds schema_version
//	leases    (name text PRIMARY KEY, holder text, expires timestamptz)
//
// Keys are bytea, which PostgreSQL orders byte by byte (unsigned, a shorter
// key before its extensions): the order of package store. A prefix scan is
// the range key >= max(prefix, from) AND key < successor(prefix), read in
// pages of growing size, so a huge bucket never loads at once and the
// callback may read (Get, Scan) from the same transaction between rows.
//
// # Transactions
//
// Update runs in a SERIALIZABLE read-write transaction. Writes are kept in
// the transaction object (reads and scans see them, in key order) and are
// sent together with COMMIT in one round trip; BEGIN travels with the first
// statement. A transaction whose function only writes therefore costs one
// round trip, and one that reads k times costs k+1. A transaction that
// gathers more than a couple of thousand writes sends them ahead of COMMIT
// in batches, so its memory stays bounded. NextSequence runs at
// once (INSERT ... ON CONFLICT ... RETURNING), inside the transaction, so a
// rollback takes its number back.
//
// When the database reports serialization_failure (40001) or
// deadlock_detected (40P01), anywhere in the transaction or at COMMIT,
// Update rolls back and runs fn again after a capped, jittered exponential
// backoff, up to Options.MaxAttempts times. That is why fn may run more than
// once. An error that fn returns is handed back unchanged after a rollback,
// unless a statement of that attempt had already failed with a retryable
// error (the transaction was doomed, whatever fn made of it), in which case
// fn runs again. Other database errors are returned wrapped.
//
// View runs in a REPEATABLE READ READ ONLY transaction: one consistent
// snapshot, no predicate locks, never blocked by writers and never blocking
// them. It is not a SERIALIZABLE snapshot: in rare interleavings a View can
// see a state that no serial order of the committed Updates went through
// (PostgreSQL's "read-only anomaly"). Decisions are made inside Update, so
// this only concerns reports. Options.SerializableViews switches Views to
// SERIALIZABLE READ ONLY DEFERRABLE, which rules the anomaly out at the cost
// of waiting, now and then, for a safe snapshot.
//
// # Leases
//
// Store is a store.Leaser: the processes sharing a database elect one of
// them for the background jobs. A lease is a row of the leases table, taken
// or renewed by one autocommitted INSERT ... ON CONFLICT DO UPDATE ... WHERE
// (the holder is the same, or the lease has run out on the database's
// clock, now()), and deleted on release. A holder that dies without
// releasing it loses it when it runs out; no connection is held for it.
//
// # Other databases
//
// The SQL is standard apart from bytea, timestamptz arithmetic with now()
// and INSERT ... ON CONFLICT (DO UPDATE ... WHERE), which CockroachDB and
// YugabyteDB accept; both report transaction conflicts as 40001, which is
// retried, including during Views. No PL/pgSQL, no server-side cursors.
//
// Beyond that SQL, a session advisory lock (pg_advisory_lock(hashtext(...)),
// named after the schema) is held while the tables are created, by Open and
// OpenConfig for the store's and by Store.Catalogue for the catalogue's, so
// that processes starting at once on an empty database take turns; it is
// taken nowhere else. Where a database accepts the call without serialising
// on it, the store's creation retries the collisions the lock would have
// prevented; the catalogue's does not, and Store.Catalogue returns the
// error. LISTEN/NOTIFY serves only the shared catalogue's change feed
// (Catalogue), for promptness: its followers poll as well.
//
// # Limits
//
// Bucket names must be UTF-8 text without NUL bytes, 1 to MaxBucketSize
// bytes long; keys are non-empty and at most MaxKeySize bytes (a PostgreSQL
// B-tree entry must fit in a third of a page, which is less than bbolt
// allows).
//
// If the connection breaks or ctx ends while COMMIT is on its way, nobody
// can tell whether it committed: Update returns the error and the writes may
// or may not be there. fn is not run again in that case.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bibgate/bibgate/store"
)

// MaxKeySize is the longest key Put accepts.
const MaxKeySize = 2000

// MaxBucketSize is the longest bucket name accepted.
const MaxBucketSize = 255

// Defaults for the zero fields of Options.
const (
	DefaultTablePrefix    = "bibgate_"
	DefaultMaxAttempts    = 50
	DefaultRetryBaseDelay = 2 * time.Millisecond
	DefaultRetryMaxDelay  = 250 * time.Millisecond
	// DefaultMaxConns bounds the pool when neither Options.MaxConns nor
	// the DSN's pool_max_conns does: a database shared by many gateways
	// serves each a few connections, not one per CPU of the database.
	DefaultMaxConns         = 10
	DefaultStatementTimeout = 5 * time.Second
	DefaultConnectTimeout   = 2 * time.Second
	// connRetries is how many more times a transaction runs after the
	// connection failed before its statements left (a pooled connection
	// that died while idle, a refused connect): enough to step over a dead
	// connection, few enough to fail fast while the database is down.
	connRetries = 2
)

// Options tune a Store. The zero value is sensible.
type Options struct {
	// Schema holds the tables; it is created if missing. Empty means the
	// connection's current schema (the first one on its search_path).
	Schema string
	// TablePrefix starts every table name; empty means DefaultTablePrefix.
	TablePrefix string
	// MaxAttempts bounds how often Update (or View) runs fn when the
	// database keeps reporting conflicts; zero means DefaultMaxAttempts.
	MaxAttempts int
	// RetryBaseDelay and RetryMaxDelay shape the backoff between attempts:
	// before attempt n+1 Update sleeps a random time between half and all of
	// min(RetryMaxDelay, RetryBaseDelay * 2^(n-1)). Zero means the defaults.
	RetryBaseDelay, RetryMaxDelay time.Duration
	// SerializableViews runs Views as SERIALIZABLE READ ONLY DEFERRABLE
	// instead of REPEATABLE READ READ ONLY (see the package comment).
	SerializableViews bool
	// OnRetry, if set, is called before fn runs again, with the number of
	// the attempt that failed and its error.
	OnRetry func(attempt int, err error)
	// MaxConns bounds the connection pool; zero means the DSN's
	// pool_max_conns, or DefaultMaxConns (Open), or the pool configuration's
	// own (OpenConfig).
	// One of them is kept for reserving ids (store.UniqueIDs).
	MaxConns int32
	// StatementTimeout is set on every connection as statement_timeout,
	// unless the connection string sets it: the database cancels a
	// statement (a lock wait included) that runs longer. The client gives
	// up on a round trip not answered within StatementTimeout plus
	// ConnectTimeout (a database gone silent). Zero means
	// DefaultStatementTimeout, negative none.
	StatementTimeout time.Duration
	// ConnectTimeout bounds opening a connection, and checking an idle one
	// before use, unless the connection string sets connect_timeout. Zero
	// means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// OnCommit, if set, is called when an Update ends, with the number of
	// attempts it took, its duration and its outcome (nil, fn's error, or
	// the database's). Metrics hang here.
	OnCommit func(attempts int, d time.Duration, err error)
}

// Store is a store.Store in a PostgreSQL database.
type Store struct {
	pool      *pgxpool.Pool
	ids       *ids
	opts      Options
	sql       statements
	rtt       time.Duration // the longest a round trip may take; 0: unbounded
	beginRW   string
	beginView string

	mu       sync.RWMutex // guards closed and inflight.Add
	closed   bool
	inflight sync.WaitGroup

	closeOnce sync.Once
}

var _ store.Store = (*Store)(nil)

// Open connects to the database named by dsn (a libpq URL or key=value
// string; pgxpool settings such as pool_max_conns may be added to it),
// creates the tables if they are missing and checks their version.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The parse error may quote the DSN, password and all.
		return nil, errors.New("pgstore: cannot parse the connection string")
	}
	if opts.MaxConns <= 0 && !strings.Contains(dsn, "pool_max_conns") {
		opts.MaxConns = DefaultMaxConns
	}
	return OpenConfig(ctx, cfg, opts)
}

// OpenConfig is Open with a pool configuration built by the caller. The
// Store owns the pool and closes it in Close.
func OpenConfig(ctx context.Context, cfg *pgxpool.Config, opts Options) (*Store, error) {
	if opts.TablePrefix == "" {
		opts.TablePrefix = DefaultTablePrefix
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.RetryBaseDelay <= 0 {
		opts.RetryBaseDelay = DefaultRetryBaseDelay
	}
	if opts.RetryMaxDelay <= 0 {
		opts.RetryMaxDelay = DefaultRetryMaxDelay
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
		cfg.MinConns = min(cfg.MinConns, cfg.MaxConns)
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.ConnConfig.ConnectTimeout <= 0 {
		cfg.ConnConfig.ConnectTimeout = opts.ConnectTimeout
	}
	if cfg.PingTimeout <= 0 {
		cfg.PingTimeout = cfg.ConnConfig.ConnectTimeout
	}
	if opts.StatementTimeout == 0 {
		opts.StatementTimeout = DefaultStatementTimeout
	}
	var rtt time.Duration
	if _, set := cfg.ConnConfig.RuntimeParams["statement_timeout"]; !set && opts.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(max(opts.StatementTimeout.Milliseconds(), 1), 10)
		rtt = opts.StatementTimeout + cfg.ConnConfig.ConnectTimeout
	}
	idCfg := cfg.Copy()
	if cfg.MaxConns > 1 {
		cfg.MaxConns-- // one connection of the budget reserves ids (ids.go)
		cfg.MinConns = min(cfg.MinConns, cfg.MaxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: connect to %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	t := newTables(opts.Schema, opts.TablePrefix)
	if err := migrate(ctx, pool, t); err != nil {
		pool.Close()
		return nil, err
	}
	idGen, err := newIDs(ctx, idCfg, newStatements(t).reserveIDs)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s := &Store{
		pool:      pool,
		ids:       idGen,
		opts:      opts,
		sql:       newStatements(t),
		rtt:       rtt,
		beginRW:   "BEGIN ISOLATION LEVEL SERIALIZABLE READ WRITE",
		beginView: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	}
	if opts.SerializableViews {
		s.beginView = "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE"
	}
	return s, nil
}

// Update runs fn in a SERIALIZABLE transaction, again if the database
// reports a conflict. See store.Store and the package comment.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	start := time.Now()
	attempts, err := s.run(ctx, fn, false)
	if s.opts.OnCommit != nil && attempts > 0 {
		s.opts.OnCommit(attempts, time.Since(start), err)
	}
	return err
}

// View runs fn in a read-only snapshot. See store.Store and the package
// comment.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	_, err := s.run(ctx, fn, true)
	return err
}

// run is the retry loop shared by Update and View; it reports how many
// times fn ran.
func (s *Store) run(ctx context.Context, fn func(store.Tx) error, readOnly bool) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if !s.enter() {
		return 0, store.ErrClosed
	}
	defer s.inflight.Done()
	connFailures := 0
	for attempt := 1; ; attempt++ {
		err, retry := s.attempt(ctx, fn, readOnly)
		if !retry {
			return attempt, err
		}
		if !conflict(err) {
			connFailures++
		}
		if attempt >= s.opts.MaxAttempts || connFailures > connRetries {
			return attempt, fmt.Errorf("pgstore: gave up after %d attempts: %w", attempt, err)
		}
		if s.opts.OnRetry != nil {
			s.opts.OnRetry(attempt, err)
		}
		timer := time.NewTimer(s.backoff(attempt))
		select {
		case <-ctx.Done():
			timer.Stop()
			return attempt, fmt.Errorf("pgstore: %w while waiting to retry (%v)", ctx.Err(), err)
		case <-timer.C:
		}
	}
}

// backoff is the pause after the given failed attempt.
func (s *Store) backoff(attempt int) time.Duration {
	d := s.opts.RetryMaxDelay
	if attempt < 30 {
		d = min(d, s.opts.RetryBaseDelay<<(attempt-1))
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// attempt runs fn once in a fresh transaction and commits it. retry reports
// whether the failure is one that running fn again may cure.
func (s *Store) attempt(ctx context.Context, fn func(store.Tx) error, readOnly bool) (err error, retry bool) {
	t := s.newTx(ctx, readOnly)
	defer t.finish() // also on panic, which then goes on unchanged
	fnErr := fn(t)
	t.live = false
	switch {
	case t.failed != nil && retryable(ctx, t.failed):
		return t.failed, true
	case fnErr != nil:
		return fnErr, false
	case t.failed != nil:
		return fmt.Errorf("pgstore: transaction failed earlier and fn went on: %w", t.failed), false
	}
	if err := t.commit(); err != nil {
		return err, retryable(ctx, err)
	}
	return nil, false
}

// retryable reports whether running the transaction again may succeed:
// the database detected a conflict, or the statement never left this
// process (connRetries bounds those). Nothing is retried once ctx is done
// or after a round trip timed out.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return false // the caller gave up, or the database did not answer in time
	}
	return conflict(err) || pgconn.SafeToRetry(err) && !isPgError(err)
}

// conflict reports whether err is the database detecting a conflict
// between transactions.
func conflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

func isPgError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe)
}

// enter registers an in-flight transaction unless the store is closed.
func (s *Store) enter() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return false
	}
	s.inflight.Add(1)
	return true
}

// Close refuses new transactions, waits for those under way and closes the
// connection pool. Closing again does nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.inflight.Wait()
		s.ids.close()
		s.pool.Close()
	})
	return nil
}
