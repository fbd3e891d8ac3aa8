package pgstore_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bibgate/bibgate/store/pgstore"
)

// defaultDSN is the local test database; BIBGATE_TEST_POSTGRES overrides it.
const defaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// testDSN returns the test database's DSN, or skips the test, saying why,
// if that database cannot be reached.
func testDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("BIBGATE_TEST_POSTGRES")
	if dsn == "" {
		dsn = defaultDSN
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Skipf("PostgreSQL is not reachable at %s (set BIBGATE_TEST_POSTGRES to a test database): %v", redacted(dsn), err)
	}
	_ = conn.Close(ctx)
	return dsn
}

// redacted hides the password of a URL-style DSN.
func redacted(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "the configured key=value DSN"
	}
	return u.Redacted()
}

// schemas hands out throw-away schema names and drops each schema when the
// test that first asked for it ends.
type schemas struct {
	dsn   string
	run   string // distinguishes concurrent runs against one database
	mu    sync.Mutex
	given map[string]string // key (a directory) → schema
}

func newSchemas(tb testing.TB) *schemas {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &schemas{dsn: testDSN(tb), run: hex.EncodeToString(b[:]), given: map[string]string{}}
}

// For returns the schema that belongs to key: the same one every time.
func (s *schemas) For(tb testing.TB, key string) string {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if name, ok := s.given[key]; ok {
		return name
	}
	sum := sha256.Sum256([]byte(key))
	name := "bibgate_test_" + s.run + "_" + hex.EncodeToString(sum[:6])
	s.given[key] = name
	tb.Cleanup(func() { dropSchema(tb, s.dsn, name) })
	return name
}

func dropSchema(tb testing.TB, dsn, name string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Errorf("drop schema %s: %v", name, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
		tb.Errorf("drop schema %s: %v", name, err)
	}
}

// open opens a store in the schema that belongs to key.
func (s *schemas) open(tb testing.TB, key string, opts pgstore.Options) *pgstore.Store {
	tb.Helper()
	return s.openConns(tb, key, 0, opts)
}

// openConns is open with a pool of conns connections, all opened at once
// (0: pgx's default pool).
func (s *schemas) openConns(tb testing.TB, key string, conns int, opts pgstore.Options) *pgstore.Store {
	tb.Helper()
	opts.Schema = s.For(tb, key)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dsn := s.dsn
	if conns > 0 {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + "pool_max_conns=" + strconv.Itoa(conns) + "&pool_min_conns=" + strconv.Itoa(conns)
	}
	st, err := pgstore.Open(ctx, dsn, opts)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	return st
}
