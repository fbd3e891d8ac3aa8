package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/pgstore"
	"github.com/bibgate/bibgate/store/storetest"
)

func TestStore(t *testing.T) {
	sc := newSchemas(t)
	storetest.RunPersistent(t, func(t *testing.T, dir string) store.Store {
		return sc.open(t, dir, pgstore.Options{})
	})
}

// TestStoreSerializableViews runs the concurrency tests with Views as
// SERIALIZABLE READ ONLY DEFERRABLE.
func TestStoreSerializableViews(t *testing.T) {
	sc := newSchemas(t)
	storetest.Run(t, func(t *testing.T, dir string) store.Store {
		return sc.open(t, dir, pgstore.Options{SerializableViews: true})
	})
}

// TestConflictIsRetried makes a lost update happen on purpose: the first
// run of fn reads a counter, another Update changes it and commits, then fn
// writes. The database must refuse the commit and fn must run again on the
// new value.
func TestConflictIsRetried(t *testing.T) {
	sc := newSchemas(t)
	var retries []error
	var attempts []int
	s := sc.open(t, "conflict", pgstore.Options{
		OnRetry:  func(_ int, err error) { retries = append(retries, err) },
		OnCommit: func(n int, _ time.Duration, err error) { attempts = append(attempts, n) },
	})
	defer s.Close()
	ctx := t.Context()
	put := func(v string) error {
		return s.Update(ctx, func(tx store.Tx) error { return tx.Put("c", "n", []byte(v)) })
	}
	if err := put("1"); err != nil {
		t.Fatal(err)
	}
	runs := 0
	interfered := make(chan error)
	err := s.Update(ctx, func(tx store.Tx) error {
		runs++
		v, _, err := tx.Get("c", "n")
		if err != nil {
			return err
		}
		if runs == 1 {
			go func() { interfered <- put("10") }()
			if err := <-interfered; err != nil {
				return err
			}
		}
		return tx.Put("c", "n", append(v, '+'))
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if runs != 2 {
		t.Errorf("fn ran %d times, want 2", runs)
	}
	var pe *pgconn.PgError
	if len(retries) != 1 || !errors.As(retries[0], &pe) || pe.Code != "40001" {
		t.Errorf("OnRetry saw %v, want one serialization failure", retries)
	}
	if !slices.Equal(attempts, []int{1, 1, 2}) { // the first put, the interfering one, ours
		t.Errorf("OnCommit saw attempts %v, want [1 1 2]", attempts)
	}
	var got string
	if err := s.View(ctx, func(tx store.Tx) error {
		v, _, err := tx.Get("c", "n")
		got = string(v)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got != "10+" {
		t.Errorf("counter = %q, want %q (the retry must build on the other commit)", got, "10+")
	}
}

// TestRetriesGiveUp: with one attempt allowed, the conflict comes back to
// the caller as the database's error, wrapped.
func TestRetriesGiveUp(t *testing.T) {
	sc := newSchemas(t)
	s := sc.open(t, "giveup", pgstore.Options{MaxAttempts: 1})
	defer s.Close()
	ctx := t.Context()
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put("c", "n", []byte("0")) }); err != nil {
		t.Fatal(err)
	}
	runs := 0
	err := s.Update(ctx, func(tx store.Tx) error {
		runs++
		if _, _, err := tx.Get("c", "n"); err != nil {
			return err
		}
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put("c", "n", []byte("other")) }); err != nil {
			return err
		}
		return tx.Put("c", "n", []byte("mine"))
	})
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "40001" {
		t.Fatalf("Update = %v, want a wrapped serialization failure", err)
	}
	if runs != 1 {
		t.Errorf("fn ran %d times with MaxAttempts 1", runs)
	}
}

// TestFnErrorAfterConflict: when a statement fails with a conflict and fn
// passes that error on (wrapped, as callers do), Update runs fn again
// instead of returning the error.
func TestFnErrorAfterConflict(t *testing.T) {
	sc := newSchemas(t)
	s := sc.open(t, "fnerr", pgstore.Options{})
	defer s.Close()
	ctx := t.Context()
	takeOne := func(tx store.Tx) error { _, err := tx.NextSequence("c"); return err }
	if err := s.Update(ctx, takeOne); err != nil {
		t.Fatal(err)
	}
	runs := 0
	var numbers []uint64
	var firstErr error
	err := s.Update(ctx, func(tx store.Tx) error {
		runs++
		if _, _, err := tx.Get("c", "k"); err != nil { // the snapshot starts here
			return err
		}
		if runs == 1 {
			if err := s.Update(ctx, takeOne); err != nil {
				return err
			}
		}
		n, err := tx.NextSequence("c")
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return fmt.Errorf("loan number: %w", err)
		}
		numbers = append(numbers, n)
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	var pe *pgconn.PgError
	if runs != 2 || !errors.As(firstErr, &pe) || pe.Code != "40001" {
		t.Errorf("fn ran %d times, first failure %v; want 2 runs after a serialization failure", runs, firstErr)
	}
	if !slices.Equal(numbers, []uint64{3}) {
		t.Errorf("numbers taken %v, want [3]", numbers)
	}
}

// TestScanPages walks a bucket bigger than several pages while the
// transaction's own writes are spread through it, and reads from inside the
// callback.
func TestScanPages(t *testing.T) {
	sc := newSchemas(t)
	s := sc.open(t, "pages", pgstore.Options{})
	defer s.Close()
	ctx := t.Context()
	const n = 5000
	model := map[string]string{}
	if err := s.Update(ctx, func(tx store.Tx) error {
		for i := range n {
			k := fmt.Sprintf("k/%05d", i)
			model[k] = "db"
			if err := tx.Put("b", k, []byte("db")); err != nil {
				return err
			}
		}
		return tx.Put("b", "l/after", []byte("x"))
	}); err != nil {
		t.Fatal(err)
	}
	err := s.Update(ctx, func(tx store.Tx) error {
		local := map[string]string{}
		for k, v := range model {
			local[k] = v
		}
		for i := 0; i < n; i += 97 {
			k := fmt.Sprintf("k/%05d", i)
			if err := tx.Delete("b", k); err != nil {
				return err
			}
			delete(local, k)
			k2 := fmt.Sprintf("k/%05d/x", i+1)
			if err := tx.Put("b", k2, []byte("own")); err != nil {
				return err
			}
			local[k2] = "own"
		}
		for i := 0; i < n; i += 2 { // more than are buffered at once
			k := fmt.Sprintf("k/%05d/y", i)
			if err := tx.Put("b", k, []byte("own-y")); err != nil {
				return err
			}
			local[k] = "own-y"
		}
		if err := tx.Put("b", "k/99999", []byte("own-last")); err != nil {
			return err
		}
		local["k/99999"] = "own-last"
		if err := tx.Put("b", "k/", []byte("own-first")); err != nil {
			return err
		}
		local["k/"] = "own-first"
		var keys []string
		reads := 0
		err := tx.Scan("b", "k/", func(k string, v []byte) error {
			if local[k] != string(v) {
				return fmt.Errorf("Scan gave %q = %q, want %q", k, v, local[k])
			}
			keys = append(keys, k)
			if len(keys)%500 == 0 { // reads between rows of one scan
				got, ok, err := tx.Get("b", k)
				if err != nil || !ok || string(got) != string(v) {
					return fmt.Errorf("Get(%q) inside Scan = %q, %v, %v", k, got, ok, err)
				}
				reads++
			}
			return nil
		})
		if err != nil {
			return err
		}
		want := slicesSortedKeys(local)
		if !slices.Equal(keys, want) {
			t.Errorf("Scan gave %d keys, want %d", len(keys), len(want))
		}
		if reads == 0 {
			t.Error("no reads inside the scan")
		}
		// Stop in the middle of the third page.
		seen := 0
		if err := tx.ScanFrom("b", "k/", "k/01000", func(string, []byte) error {
			seen++
			if seen == 100 {
				return store.ErrStopScan
			}
			return nil
		}); err != nil || seen != 100 {
			t.Errorf("ScanFrom with ErrStopScan: %d rows, %v; want 100, nil", seen, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func slicesSortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestLimits: names and keys the database could not store are refused with
// a clear error before anything is sent.
func TestLimits(t *testing.T) {
	sc := newSchemas(t)
	s := sc.open(t, "limits", pgstore.Options{})
	defer s.Close()
	cases := []struct {
		name        string
		bucket, key string
		ok          bool
	}{
		{"ordinary", "b", "k", true},
		{"longest key", "b", strings.Repeat("k", pgstore.MaxKeySize), true},
		{"key too long", "b", strings.Repeat("k", pgstore.MaxKeySize+1), false},
		{"empty key", "b", "", false},
		{"empty bucket", "", "k", false},
		{"NUL in bucket", "b\x00", "k", false},
		{"bucket not UTF-8", "b\xff", "k", false},
		{"binary key", "b", "\x00\xff\x80", true},
		{"longest bucket, longest random key", strings.Repeat("b", pgstore.MaxBucketSize), randomKey(pgstore.MaxKeySize), true},
		{"bucket too long", strings.Repeat("b", pgstore.MaxBucketSize+1), "k", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Update(t.Context(), func(tx store.Tx) error { return tx.Put(tc.bucket, tc.key, []byte("v")) })
			if (err == nil) != tc.ok {
				t.Fatalf("Put = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && strings.Contains(err.Error(), "SQLSTATE") {
				t.Errorf("refused by the database, not by pgstore: %v", err)
			}
			var found bool
			if err := s.View(t.Context(), func(tx store.Tx) error {
				_, ok, err := tx.Get(tc.bucket, tc.key)
				found = ok
				return err
			}); err != nil {
				t.Fatalf("Get: %v", err)
			}
			if found != tc.ok {
				t.Errorf("found = %v after Put, want %v", found, tc.ok)
			}
		})
	}
}

// randomKey returns n bytes that do not compress.
func randomKey(n int) string {
	r := rand.New(rand.NewPCG(uint64(n), 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return string(b)
}

// TestLargeTransaction: a transaction with more writes than are buffered
// at once reads them all back, and rolls them all back on error.
func TestLargeTransaction(t *testing.T) {
	sc := newSchemas(t)
	s := sc.open(t, "large", pgstore.Options{})
	defer s.Close()
	const n = 5000
	errNo := errors.New("no")
	for _, fail := range []bool{true, false} {
		err := s.Update(t.Context(), func(tx store.Tx) error {
			for i := range n {
				if err := tx.Put("b", fmt.Sprintf("%05d", i), []byte{byte(i)}); err != nil {
					return err
				}
			}
			if err := tx.Delete("b", "00000"); err != nil {
				return err
			}
			if v, ok, err := tx.Get("b", "00001"); err != nil || !ok || !slices.Equal(v, []byte{1}) {
				t.Errorf("Get of an early write = %v, %v, %v", v, ok, err)
			}
			if _, ok, err := tx.Get("b", "00000"); err != nil || ok {
				t.Errorf("Get of a deleted early write = %v, %v", ok, err)
			}
			if fail {
				return errNo
			}
			return nil
		})
		if fail && err != errNo || !fail && err != nil {
			t.Fatalf("Update (fail=%v) = %v", fail, err)
		}
		count := 0
		if err := s.View(t.Context(), func(tx store.Tx) error {
			return tx.Scan("b", "", func(string, []byte) error { count++; return nil })
		}); err != nil {
			t.Fatal(err)
		}
		want := n - 1
		if fail {
			want = 0
		}
		if count != want {
			t.Errorf("fail=%v: %d keys stored, want %d", fail, count, want)
		}
	}
}

// TestSchema: Open creates the layout once, several processes may open an
// empty database at once, and a layout from a newer build is refused.
func TestSchema(t *testing.T) {
	sc := newSchemas(t)
	dsn := sc.dsn
	name := sc.For(t, "schema")
	ctx := t.Context()
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 6 {
		wg.Go(func() {
			s, err := pgstore.Open(ctx, dsn, pgstore.Options{Schema: name})
			if err != nil {
				failed.Add(1)
				t.Errorf("concurrent Open: %v", err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	meta := pgx.Identifier{name, "bibgate_meta"}.Sanitize()
	var version string
	var rows int
	if err := conn.QueryRow(ctx, `SELECT max("value"), count(*) FROM `+meta+` WHERE name = 'schema_version'`).Scan(&version, &rows); err != nil {
		t.Fatal(err)
	}
	if version != fmt.Sprint(pgstore.SchemaVersion) || rows != 1 {
		t.Errorf("schema_version rows: %d, value %q; want 1 row of %d", rows, version, pgstore.SchemaVersion)
	}
	var tables []string
	r, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, name)
	if err != nil {
		t.Fatal(err)
	}
	tables, err = pgx.CollectRows(r, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"bibgate_entries", "bibgate_leases", "bibgate_meta", "bibgate_sequences"}; !slices.Equal(tables, want) {
		t.Errorf("tables %v, want %v", tables, want)
	}
	// A prefix puts a second store beside the first.
	other, err := pgstore.Open(ctx, dsn, pgstore.Options{Schema: name, TablePrefix: "other_"})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Update(ctx, func(tx store.Tx) error { return tx.Put("b", "k", []byte("other")) }); err != nil {
		t.Fatal(err)
	}
	other.Close()
	first, err := pgstore.Open(ctx, dsn, pgstore.Options{Schema: name})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.View(ctx, func(tx store.Tx) error {
		if _, ok, err := tx.Get("b", "k"); ok || err != nil {
			t.Errorf("the prefixed store's key shows in the default one (%v)", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	first.Close()

	if _, err := conn.Exec(ctx, `UPDATE `+meta+` SET "value" = '99' WHERE name = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	if s, err := pgstore.Open(ctx, dsn, pgstore.Options{Schema: name}); !errors.Is(err, pgstore.ErrSchemaTooNew) {
		if err == nil {
			s.Close()
		}
		t.Errorf("Open of a newer layout = %v, want ErrSchemaTooNew", err)
	}
}

// TestOpenUnreachable: a database that is not there is an error from Open,
// promptly, and the error does not show the password.
func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	s, err := pgstore.Open(ctx, "postgres://u:secret-pw@127.0.0.1:1/db?sslmode=disable&connect_timeout=2", pgstore.Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open of a closed port succeeded")
	}
	if strings.Contains(err.Error(), "secret-pw") {
		t.Errorf("error shows the password: %v", err)
	}
	if _, err := pgstore.Open(ctx, "postgres://u:secret-pw@[bad", pgstore.Options{}); err == nil || strings.Contains(err.Error(), "secret-pw") {
		t.Errorf("Open of a malformed DSN = %v", err)
	}
}
