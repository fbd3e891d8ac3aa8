package pgstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Catalogue is the shared catalogue of a consortium on PostgreSQL: every
// bibliographic record (its key, the raw MARC, a deleted flag) with the
// number of the change that wrote it last, and a feed of those changes that
// every node's search index follows.
//
// Two tables beside the store's (with its prefix, in its schema):
//
//	catalogue      (key text PRIMARY KEY, raw bytea, deleted boolean,
//	                seq bigint UNIQUE, changed_at timestamptz)
//	catalogue_feed (name text PRIMARY KEY, seq bigint, ident text)
//
// The feed's head row counts the changes. A writer raises it first thing
// in its transaction, which locks that row until it commits: writers take
// turns, so change numbers are committed in their order and without gaps. A
// reader that has seen change N never finds a committed change below N
// later. A record written again takes a new number (its older one is gone
// from the table), and a deleted record stays as a tombstone so that
// followers learn of it. Each commit sends NOTIFY on a channel named after
// the schema, with the new head as payload, for promptness; followers poll
// the head as well, for what a notification misses.
//
// Beyond the store's SQL this uses unnest(...) WITH ORDINALITY, pg_notify
// and LISTEN. A database without LISTEN/NOTIFY (CockroachDB, for one) makes
// Listen fail; followers then rely on their poll alone, and the delay until
// a change is searchable everywhere becomes the poll interval.
type Catalogue struct {
	s       *Store
	records string // qualified table names
	feed    string
	channel string // unquoted channel name
	ident   string
}

// CatalogueRecord is one record of the shared catalogue, as written or as
// read from the feed.
type CatalogueRecord struct {
	Key     string
	Raw     []byte // nil for a deleted record
	Deleted bool
	// Seq is the number of the change that wrote the record last (set on
	// reading).
	Seq int64
	// Age is how long ago, by the database's clock, that change was
	// committed (set on reading).
	Age time.Duration
}

// CatalogueWrite reports what a Write did.
type CatalogueWrite struct {
	// Replaced lists, once per replacement, the keys of records that took
	// the place of another: a live record already stored, or one earlier in
	// the same call.
	Replaced []string
	// Head is the feed's head after the write: the number a follower must
	// have applied to show it.
	Head int64
}

// Catalogue opens the shared catalogue in the store's database, creating
// its tables if they are missing.
func (s *Store) Catalogue(ctx context.Context) (*Catalogue, error) {
	qualify := func(name string) string {
		if s.opts.Schema == "" {
			return pgx.Identifier{s.opts.TablePrefix + name}.Sanitize()
		}
		return pgx.Identifier{s.opts.Schema, s.opts.TablePrefix + name}.Sanitize()
	}
	sum := sha256.Sum256([]byte(s.opts.Schema + "\x00" + s.opts.TablePrefix))
	c := &Catalogue{s: s, records: qualify("catalogue"), feed: qualify("catalogue_feed"),
		channel: "bibgate_catalogue_" + hex.EncodeToString(sum[:8])}
	if err := c.migrate(ctx); err != nil {
		return nil, err
	}
	if err := s.pool.QueryRow(ctx, `SELECT ident FROM `+c.feed+` WHERE name = 'head'`).Scan(&c.ident); err != nil {
		return nil, fmt.Errorf("pgstore: catalogue: %w", err)
	}
	return c, nil
}

// migrate creates the catalogue's tables, taking turns with other
// processes as Open does.
func (c *Catalogue) migrate(ctx context.Context) error {
	conn, err := c.s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("pgstore: catalogue tables: %w", err)
	}
	defer conn.Release()
	lockKey := "bibgate-migrate:" + c.s.opts.Schema
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext($1))`, lockKey); err != nil {
		return fmt.Errorf("pgstore: catalogue tables: lock: %w", err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(uctx, `SELECT pg_advisory_unlock(hashtext($1))`, lockKey); err != nil {
			conn.Conn().Close(uctx)
		}
	}()
	var id [16]byte
	_, _ = rand.Read(id[:])
	for _, stmt := range []string{
		`CREATE TABLE IF NOT EXISTS ` + c.records + ` (
			"key"      text        PRIMARY KEY,
			raw        bytea,
			deleted    boolean     NOT NULL DEFAULT false,
			seq        bigint      NOT NULL UNIQUE,
			changed_at timestamptz NOT NULL DEFAULT now())`,
		`CREATE TABLE IF NOT EXISTS ` + c.feed + ` (name text PRIMARY KEY, seq bigint NOT NULL, ident text NOT NULL)`,
		`INSERT INTO ` + c.feed + ` (name, seq, ident) VALUES ('head', 0, '` + hex.EncodeToString(id[:]) + `') ON CONFLICT (name) DO NOTHING`,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("pgstore: catalogue tables: %w", err)
		}
	}
	return nil
}

// Ident names this feed: it is drawn when the tables are created, so a
// local index built from another database (or from this one before it was
// emptied and laid out again) can tell.
func (c *Catalogue) Ident() string { return c.ident }

// Write stores recs (a record with Deleted set is deleted; one not stored
// is passed over) in one transaction and numbers the changes. When a key
// occurs more than once, the last occurrence wins.
func (c *Catalogue) Write(ctx context.Context, recs []CatalogueRecord) (CatalogueWrite, error) {
	var out CatalogueWrite
	last := make(map[string]int, len(recs))
	for i, r := range recs {
		if r.Key == "" {
			return out, fmt.Errorf("pgstore: catalogue write: record %d has no key", i)
		}
		last[r.Key] = i
	}
	var keys, puts, dels []string
	var raws [][]byte
	seen := make(map[string]bool, len(recs))
	for i, r := range recs {
		if seen[r.Key] && !r.Deleted {
			out.Replaced = append(out.Replaced, r.Key)
		}
		seen[r.Key] = true
		if last[r.Key] != i {
			continue
		}
		keys = append(keys, r.Key)
		if r.Deleted {
			dels = append(dels, r.Key)
			continue
		}
		puts = append(puts, r.Key)
		raw := r.Raw
		if raw == nil {
			raw = []byte{}
		}
		raws = append(raws, raw)
	}
	if len(keys) == 0 {
		head, err := c.Head(ctx)
		out.Head = head
		return out, err
	}
	err := pgx.BeginTxFunc(ctx, c.s.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		// The head row first: its lock makes writers take turns until commit.
		var end int64
		if err := tx.QueryRow(ctx, `UPDATE `+c.feed+` SET seq = seq + $1 WHERE name = 'head' RETURNING seq`,
			len(puts)+len(dels)).Scan(&end); err != nil {
			return fmt.Errorf("raise the head: %w", err)
		}
		next := end - int64(len(puts)+len(dels)) + 1
		if len(puts) > 0 {
			rows, err := tx.Query(ctx, `SELECT "key" FROM `+c.records+` WHERE "key" = ANY($1) AND NOT deleted`, puts)
			if err != nil {
				return fmt.Errorf("find stored records: %w", err)
			}
			stored, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return fmt.Errorf("find stored records: %w", err)
			}
			out.Replaced = append(out.Replaced, stored...)
			if _, err := tx.Exec(ctx, `INSERT INTO `+c.records+` ("key", raw, deleted, seq, changed_at)
				SELECT k, r, false, $3 + o - 1, now() FROM unnest($1::text[], $2::bytea[]) WITH ORDINALITY AS u(k, r, o)
				ON CONFLICT ("key") DO UPDATE SET raw = EXCLUDED.raw, deleted = false, seq = EXCLUDED.seq, changed_at = EXCLUDED.changed_at`,
				puts, raws, next); err != nil {
				return fmt.Errorf("store records: %w", err)
			}
			next += int64(len(puts))
		}
		if len(dels) > 0 {
			// Every deleted key takes a number, stored or not, so the head
			// stays gapless; unknown keys leave a tombstone nobody minds.
			if _, err := tx.Exec(ctx, `INSERT INTO `+c.records+` ("key", raw, deleted, seq, changed_at)
				SELECT k, NULL, true, $2 + o - 1, now() FROM unnest($1::text[]) WITH ORDINALITY AS u(k, o)
				ON CONFLICT ("key") DO UPDATE SET raw = NULL, deleted = true, seq = EXCLUDED.seq, changed_at = EXCLUDED.changed_at`,
				dels, next); err != nil {
				return fmt.Errorf("delete records: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, c.channel, fmt.Sprint(end)); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
		out.Head = end
		return nil
	})
	if err != nil {
		return CatalogueWrite{}, fmt.Errorf("pgstore: catalogue write: %w", err)
	}
	return out, nil
}

// Head returns the number of the last committed change (0 before the
// first).
func (c *Catalogue) Head(ctx context.Context) (int64, error) {
	var head int64
	if err := c.s.pool.QueryRow(ctx, `SELECT seq FROM `+c.feed+` WHERE name = 'head'`).Scan(&head); err != nil {
		return 0, fmt.Errorf("pgstore: catalogue head: %w", err)
	}
	return head, nil
}

// HasRecords reports whether the catalogue holds a live record.
func (c *Catalogue) HasRecords(ctx context.Context) (bool, error) {
	var ok bool
	if err := c.s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+c.records+` WHERE NOT deleted)`).Scan(&ok); err != nil {
		return false, fmt.Errorf("pgstore: catalogue: %w", err)
	}
	return ok, nil
}

// Changes returns, in order, up to limit records whose last change is
// numbered above after.
func (c *Catalogue) Changes(ctx context.Context, after int64, limit int) ([]CatalogueRecord, error) {
	rows, err := c.s.pool.Query(ctx, `SELECT "key", raw, deleted, seq, extract(epoch FROM now() - changed_at)::float8 FROM `+
		c.records+` WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("pgstore: catalogue changes: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (CatalogueRecord, error) {
		var r CatalogueRecord
		var age float64
		err := row.Scan(&r.Key, &r.Raw, &r.Deleted, &r.Seq, &age)
		r.Age = time.Duration(max(age, 0) * float64(time.Second))
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("pgstore: catalogue changes: %w", err)
	}
	return out, nil
}

// Listen calls wake with the new head each time a write commits, until ctx
// ends (it returns nil then) or the connection fails. It listens on a
// connection of its own, outside the store's pool.
func (c *Catalogue) Listen(ctx context.Context, ready func(), wake func(head int64)) error {
	conn, err := pgx.ConnectConfig(ctx, c.s.pool.Config().ConnConfig.Copy())
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("pgstore: catalogue listen: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{c.channel}.Sanitize()); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("pgstore: catalogue listen: %w", err)
	}
	if ready != nil {
		ready()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("pgstore: catalogue listen: %w", err)
		}
		var head int64
		if _, err := fmt.Sscan(n.Payload, &head); err != nil {
			return fmt.Errorf("pgstore: catalogue listen: payload %q: %w", n.Payload, err)
		}
		wake(head)
	}
}
