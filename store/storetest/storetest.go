// Package storetest is the one test battery every store.Store backend must
// pass. A backend's tests call Run (in-memory backends) or RunPersistent
// (backends that keep data across Close) with a function that opens a store
// in a given, initially empty directory.
//
// Besides the wording of package store, the battery pins down two behaviours
// that the contract leaves to interpretation:
//
//   - Panics. If fn panics, Update undoes fn's writes, leaves the store usable
//     and re-panics in the caller's goroutine with the value fn panicked with.
//     Transactions running at the same time are not affected.
//   - Sequences. The first NextSequence a bucket ever answers is 1 and calls
//     inside one transaction return increasing numbers. Across committed
//     transactions the numbers are unique and increase in commit order. A
//     number seen only by a transaction that did not commit may be handed out
//     again or skipped; callers must not rely on either.
//
// The battery never relies on fn running exactly once: every fn it passes is
// written to be re-run, and one test drives a store through a wrapper that
// runs every fn twice to prove that re-runs change nothing twice.
package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/bibgate/bibgate/store"
)

// OpenFunc opens a store in dir. Opening the same dir again after Close must
// find the committed data of a persistent backend. It reports failures with
// t.Fatal.
type OpenFunc = func(t *testing.T, dir string) store.Store

// Run runs the battery that every backend must pass.
func Run(t *testing.T, open OpenFunc) {
	t.Helper()
	run(t, open, false)
}

// RunPersistent runs the whole battery plus the tests that close a store and
// open it again from the same directory.
func RunPersistent(t *testing.T, open OpenFunc) {
	t.Helper()
	run(t, open, true)
}

type test struct {
	name string
	fn   func(t *testing.T, open OpenFunc)
}

func run(t *testing.T, open OpenFunc, persistent bool) {
	tests := []test{
		{"GetPutDelete", testGetPutDelete},
		{"PutCopiesValue", testPutCopiesValue},
		{"LargeValue", testLargeValue},
		{"ScanOrder", testScanOrder},
		{"ScanFrom", testScanFrom},
		{"ScanSeesOwnWrites", testScanSeesOwnWrites},
		{"ScanStop", testScanStop},
		{"MissingBucket", testMissingBucket},
		{"ViewReadOnly", testViewReadOnly},
		{"ViewError", testViewError},
		{"RollbackOnError", testRollbackOnError},
		{"Panic", testPanic},
		{"PanicConcurrent", testPanicConcurrent},
		{"Sequence", testSequence},
		{"SequenceRollback", testSequenceRollback},
		{"SequenceConcurrent", testSequenceConcurrent},
		{"Closed", testClosed},
		{"CancelledContext", testCancelledContext},
		{"CheckoutRace", testCheckoutRace},
		{"BankTransfer", testBankTransfer},
		{"ReRunsAreHarmless", testReRunsAreHarmless},
		{"RandomAgainstModel", testRandomAgainstModel},
		{"Buckets", testBuckets},
		{"CloseWhileBusy", func(t *testing.T, open OpenFunc) { testCloseWhileBusy(t, open, persistent) }},
	}
	if persistent {
		tests = append(tests, test{"Reopen", testReopen})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open)
		})
	}
}

// fresh opens a store in a new directory and closes it when the test ends.
func fresh(t *testing.T, open OpenFunc) store.Store {
	t.Helper()
	s := open(t, t.TempDir())
	t.Cleanup(func() { closeStore(t, s) })
	return s
}

// closeStore closes s; closing an already closed store may return nil or
// store.ErrClosed.
func closeStore(t *testing.T, s store.Store) {
	t.Helper()
	if err := s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
		t.Errorf("Close: %v", err)
	}
}

func mustUpdate(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func mustView(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// kv is one stored pair as the tests compare them.
type kv struct{ K, V string }

func putAll(t *testing.T, s store.Store, bucket string, pairs ...kv) {
	t.Helper()
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, p := range pairs {
			if err := tx.Put(bucket, p.K, []byte(p.V)); err != nil {
				return err
			}
		}
		return nil
	})
}

// get reads one key in its own View.
func get(t *testing.T, s store.Store, bucket, key string) (string, bool) {
	t.Helper()
	var (
		val string
		ok  bool
	)
	mustView(t, s, func(tx store.Tx) error {
		v, found, err := tx.Get(bucket, key)
		val, ok = string(v), found
		return err
	})
	return val, ok
}

// scanTx collects every pair under prefix within tx.
func scanTx(tx store.Tx, bucket, prefix string) ([]kv, error) {
	var out []kv
	err := tx.Scan(bucket, prefix, func(k string, v []byte) error {
		out = append(out, kv{k, string(v)})
		return nil
	})
	return out, err
}

// scan collects every pair under prefix in its own View.
func scan(t *testing.T, s store.Store, bucket, prefix string) []kv {
	t.Helper()
	var out []kv
	mustView(t, s, func(tx store.Tx) error {
		var err error
		out, err = scanTx(tx, bucket, prefix)
		return err
	})
	return out
}
