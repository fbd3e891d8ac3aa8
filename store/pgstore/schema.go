package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SchemaVersion is the version of the table layout this build writes. Open
// records it in the meta table and refuses a database whose recorded
// version is newer.
const SchemaVersion = 1

// ErrSchemaTooNew is returned by Open when the database was laid out by a
// newer bibgate than this one.
var ErrSchemaTooNew = errors.New("pgstore: database schema is newer than this build")

// tables holds the quoted, qualified names of the store's tables.
type tables struct {
	schema    string // quoted, or "" for the connection's current schema
	meta      string
	entries   string
	sequences string
	leases    string
}

func newTables(schema, prefix string) tables {
	qualify := func(name string) string {
		if schema == "" {
			return pgx.Identifier{prefix + name}.Sanitize()
		}
		return pgx.Identifier{schema, prefix + name}.Sanitize()
	}
	t := tables{meta: qualify("meta"), entries: qualify("entries"), sequences: qualify("sequences"),
		leases: qualify("leases")}
	if schema != "" {
		t.schema = pgx.Identifier{schema}.Sanitize()
	}
	return t
}

// statements are the SQL texts a Store sends; they are fixed per Store so
// that pgx prepares each once per connection and reuses it.
type statements struct {
	get          string
	scan         string // bounded above
	scanOpen     string // to the end of the bucket
	put          string
	del          string
	nextSequence string
	reserveIDs   string
	buckets      string
	acquireLease string
	releaseLease string
}

func newStatements(t tables) statements {
	return statements{
		get: `SELECT "value" FROM ` + t.entries + ` WHERE bucket = $1 AND "key" = $2`,
		scan: `SELECT "key", "value" FROM ` + t.entries +
			` WHERE bucket = $1 AND "key" >= $2 AND "key" < $3 ORDER BY "key" LIMIT $4`,
		scanOpen: `SELECT "key", "value" FROM ` + t.entries +
			` WHERE bucket = $1 AND "key" >= $2 ORDER BY "key" LIMIT $3`,
		put: `INSERT INTO ` + t.entries + ` (bucket, "key", "value") VALUES ($1, $2, $3)` +
			` ON CONFLICT (bucket, "key") DO UPDATE SET "value" = EXCLUDED."value"`,
		del: `DELETE FROM ` + t.entries + ` WHERE bucket = $1 AND "key" = $2`,
		nextSequence: `INSERT INTO ` + t.sequences + ` AS s (bucket, "value") VALUES ($1, 1)` +
			` ON CONFLICT (bucket) DO UPDATE SET "value" = s."value" + 1 RETURNING "value"`,
		reserveIDs: `INSERT INTO ` + t.sequences + ` AS s (bucket, "value") VALUES ($1, $2)` +
			` ON CONFLICT (bucket) DO UPDATE SET "value" = s."value" + $2 RETURNING "value"`,
		buckets: `SELECT DISTINCT bucket FROM ` + t.entries + ``,
		// One statement, so that it is atomic in autocommit: the row is taken
		// when it is missing, ours, or run out (on the database's clock).
		acquireLease: `INSERT INTO ` + t.leases + ` AS l (name, holder, expires)` +
			` VALUES ($1, $2, now() + $3 * interval '1 millisecond')` +
			` ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires = EXCLUDED.expires` +
			` WHERE l.holder = EXCLUDED.holder OR l.expires < now() RETURNING l.holder`,
		releaseLease: `DELETE FROM ` + t.leases + ` WHERE name = $1 AND holder = $2`,
	}
}

// ddl returns the statements that create version 1 of the layout. Each is
// idempotent and runs on its own (some databases refuse DDL mixed with other
// statements in one transaction).
func (t tables) ddl() []string {
	var out []string
	if t.schema != "" {
		out = append(out, `CREATE SCHEMA IF NOT EXISTS `+t.schema)
	}
	return append(out,
		`CREATE TABLE IF NOT EXISTS `+t.meta+` (name text PRIMARY KEY, "value" text NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS `+t.entries+` (
			bucket  text  NOT NULL,
			"key"   bytea NOT NULL,
			"value" bytea NOT NULL,
			PRIMARY KEY (bucket, "key"))`,
		`CREATE TABLE IF NOT EXISTS `+t.sequences+` (bucket text PRIMARY KEY, "value" bigint NOT NULL)`,
		// Added within version 1: a build that does not know it ignores it.
		`CREATE TABLE IF NOT EXISTS `+t.leases+` (name text PRIMARY KEY, holder text NOT NULL, expires timestamptz NOT NULL)`,
	)
}

// migrate creates the layout if it is missing and checks its version.
// Several processes may call it at once on an empty database, and CREATE ...
// IF NOT EXISTS still collides in PostgreSQL's catalogue then (a table's row
// type, its index): the creators take turns under a session advisory lock
// named after the schema. Collisions are still retried a few times, for
// databases that accept the lock call but do not serialise on it.
func migrate(ctx context.Context, pool *pgxpool.Pool, t tables) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("pgstore: create tables: %w", err)
	}
	defer conn.Release()
	lockKey := "bibgate-migrate:" + t.schema
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext($1))`, lockKey); err != nil {
		return fmt.Errorf("pgstore: create tables: lock: %w", err)
	}
	defer func() {
		// A fresh context: the unlock must run even when ctx has ended, or
		// the pooled connection would keep the lock.
		uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(uctx, `SELECT pg_advisory_unlock(hashtext($1))`, lockKey); err != nil {
			conn.Conn().Close(uctx) // a closed session drops its locks
		}
	}()
	const attempts = 5
	for i := range attempts {
		if err = migrateOnce(ctx, conn, t); err == nil || !ddlRace(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(10*(i+1)) * time.Millisecond):
		}
	}
	return err
}

func migrateOnce(ctx context.Context, conn *pgxpool.Conn, t tables) error {
	for _, stmt := range t.ddl() {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("pgstore: create tables: %w", err)
		}
	}
	if _, err := conn.Exec(ctx, `INSERT INTO `+t.meta+` (name, "value") VALUES ('schema_version', $1)`+
		` ON CONFLICT (name) DO NOTHING`, strconv.Itoa(SchemaVersion)); err != nil {
		return fmt.Errorf("pgstore: record schema version: %w", err)
	}
	var v string
	if err := conn.QueryRow(ctx, `SELECT "value" FROM `+t.meta+` WHERE name = 'schema_version'`).Scan(&v); err != nil {
		return fmt.Errorf("pgstore: read schema version: %w", err)
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		return fmt.Errorf("pgstore: schema version %q: %w", v, err)
	case n > SchemaVersion:
		return fmt.Errorf("%w: database has version %d, this build knows %d", ErrSchemaTooNew, n, SchemaVersion)
	}
	// Versions older than SchemaVersion would be upgraded here, one step at
	// a time; version 1 is the first.
	return nil
}

// ddlRace reports errors that concurrent CREATE ... IF NOT EXISTS can raise.
func ddlRace(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "23505", // unique_violation (on the catalogue)
		"42P06", // duplicate_schema
		"42P07", // duplicate_table
		"42710", // duplicate_object (a table's row type)
		"40001": // serialization_failure
		return true
	}
	return false
}
