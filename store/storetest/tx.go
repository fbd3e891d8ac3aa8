package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bibgate/bibgate/store"
)

// increment adds one to the decimal counter under key and returns the new value.
func increment(tx store.Tx, bucket, key string) (int, error) {
	v, _, err := tx.Get(bucket, key)
	if err != nil {
		return 0, err
	}
	n := 0
	if len(v) > 0 {
		if n, err = strconv.Atoi(string(v)); err != nil {
			return 0, fmt.Errorf("counter %s/%s: %w", bucket, key, err)
		}
	}
	n++
	return n, tx.Put(bucket, key, []byte(strconv.Itoa(n)))
}

// seed fills bucket "b" with a few pairs and advances its sequence once; it
// returns the pairs and the sequence number taken.
func seed(t *testing.T, s store.Store) ([]kv, uint64) {
	t.Helper()
	pairs := []kv{{"a", "1"}, {"b", "2"}, {"c", "3"}}
	putAll(t, s, "b", pairs...)
	var n uint64
	mustUpdate(t, s, func(tx store.Tx) error {
		var err error
		n, err = tx.NextSequence("b")
		return err
	})
	return pairs, n
}

// scribble makes every kind of write a transaction can make, then checks
// that it reads its own writes.
func scribble(t *testing.T, tx store.Tx) error {
	t.Helper()
	steps := []func() error{
		func() error { return tx.Put("b", "a", []byte("changed")) },
		func() error { return tx.Put("b", "new", []byte("x")) },
		func() error { return tx.Delete("b", "b") },
		func() error { return tx.Delete("b", "c") },
		func() error { return tx.Put("b", "c", []byte("again")) },
		func() error { return tx.Put("b", "tmp", []byte("t")) },
		func() error { return tx.Delete("b", "tmp") },
		func() error { return tx.Put("fresh", "k", []byte("v")) },
		func() error { _, err := tx.NextSequence("b"); return err },
		func() error { _, err := tx.NextSequence("freshseq"); return err },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
	}
	got, err := scanTx(tx, "b", "")
	if err != nil {
		return err
	}
	if want := []kv{{"a", "changed"}, {"c", "again"}, {"new", "x"}}; !slices.Equal(got, want) {
		t.Errorf("inside the tx, bucket b = %q, want %q", got, want)
	}
	return nil
}

// checkSeedIntact verifies that nothing scribble does survived.
func checkSeedIntact(t *testing.T, s store.Store, pairs []kv, seq uint64) {
	t.Helper()
	if got := scan(t, s, "b", ""); !slices.Equal(got, pairs) {
		t.Errorf("bucket b = %q, want %q (writes of the failed fn kept)", got, pairs)
	}
	for _, b := range []string{"fresh", "freshseq"} {
		if got := scan(t, s, b, ""); len(got) != 0 {
			t.Errorf("bucket %s = %q, want empty", b, got)
		}
	}
	mustUpdate(t, s, func(tx store.Tx) error {
		n, err := tx.NextSequence("b")
		if err == nil && n <= seq {
			t.Errorf("NextSequence after the failed fn = %d, want > %d", n, seq)
		}
		return err
	})
}

func testRollbackOnError(t *testing.T, open OpenFunc) {
	errSentinel := errors.New("sentinel")
	cases := []struct {
		name string
		err  error
	}{
		{"sentinel", errSentinel},
		{"wrapped", fmt.Errorf("checkout: %w", errSentinel)},
		{"typed", &codeError{409}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := fresh(t, open)
			pairs, seq := seed(t, s)
			err := s.Update(t.Context(), func(tx store.Tx) error {
				if err := scribble(t, tx); err != nil {
					t.Errorf("scribble: %v", err)
				}
				return tc.err
			})
			if err != tc.err { // identity: the contract promises the error unchanged
				t.Errorf("Update returned %v, want %v unchanged", err, tc.err)
			}
			if errors.Is(tc.err, errSentinel) && !errors.Is(err, errSentinel) {
				t.Errorf("errors.Is(%v, sentinel) = false", err)
			}
			var ce *codeError
			if _, typed := tc.err.(*codeError); typed && (!errors.As(err, &ce) || ce.code != 409) {
				t.Errorf("errors.As(%v, *codeError) failed", err)
			}
			checkSeedIntact(t, s, pairs, seq)
		})
	}
}

// panicValue is what the panic tests panic with; comparable, so the test can
// check that the caller recovers the very value.
type panicValue struct{ where string }

// updateRecover runs Update and recovers a panic it passes on.
func updateRecover(s store.Store, fn func(store.Tx) error) (recovered any, err error) {
	defer func() { recovered = recover() }()
	err = s.Update(context.Background(), fn)
	return nil, err
}

func testPanic(t *testing.T, open OpenFunc) {
	cases := []struct {
		name string
		fn   func(t *testing.T, tx store.Tx, v panicValue) error
	}{
		{"after writes", func(t *testing.T, tx store.Tx, v panicValue) error {
			if err := scribble(t, tx); err != nil {
				t.Errorf("scribble: %v", err)
			}
			panic(v)
		}},
		{"inside a Scan callback", func(t *testing.T, tx store.Tx, v panicValue) error {
			if err := scribble(t, tx); err != nil {
				t.Errorf("scribble: %v", err)
			}
			return tx.Scan("b", "", func(string, []byte) error { panic(v) })
		}},
		{"before any write", func(t *testing.T, tx store.Tx, v panicValue) error {
			panic(v)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := fresh(t, open)
			pairs, seq := seed(t, s)
			want := panicValue{tc.name}
			got, err := updateRecover(s, func(tx store.Tx) error { return tc.fn(t, tx, want) })
			if got != want {
				t.Errorf("caller recovered %v (Update returned %v), want the panic value %v", got, err, want)
			}
			checkSeedIntact(t, s, pairs, seq)
			// The store still takes writes, including the kind the panic interrupted.
			putAll(t, s, "b", kv{"after", "panic"})
			if v, ok := get(t, s, "b", "after"); !ok || v != "panic" {
				t.Errorf("write after the panic: got %q, %v", v, ok)
			}
		})
	}
}

func testPanicConcurrent(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	const incrementers, increments, panickers, panics = 8, 10, 4, 5
	var wg sync.WaitGroup
	for range incrementers {
		wg.Go(func() {
			for range increments {
				if err := s.Update(t.Context(), func(tx store.Tx) error {
					_, err := increment(tx, "c", "n")
					return err
				}); err != nil {
					t.Errorf("increment: %v", err)
				}
			}
		})
	}
	for g := range panickers {
		wg.Go(func() {
			for i := range panics {
				want := panicValue{fmt.Sprintf("g%d/%d", g, i)}
				got, err := updateRecover(s, func(tx store.Tx) error {
					if err := tx.Put("c", "n", []byte("1000000")); err != nil {
						return err
					}
					if err := tx.Put("c", "poison", []byte("x")); err != nil {
						return err
					}
					panic(want)
				})
				if got != want {
					t.Errorf("recovered %v (err %v), want %v", got, err, want)
				}
			}
		})
	}
	wg.Wait()
	if v, _ := get(t, s, "c", "n"); v != strconv.Itoa(incrementers*increments) {
		t.Errorf("counter = %q, want %d", v, incrementers*increments)
	}
	if v, ok := get(t, s, "c", "poison"); ok {
		t.Errorf("write of a panicking fn kept: poison = %q", v)
	}
}

// takeSeq takes n numbers from bucket in one Update.
func takeSeq(tx store.Tx, bucket string, n int) ([]uint64, error) {
	var out []uint64
	for range n {
		v, err := tx.NextSequence(bucket)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func testSequence(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	putAll(t, s, "s", kv{"k", "v"})
	var first, other, next []uint64
	mustUpdate(t, s, func(tx store.Tx) error {
		var err error
		if first, err = takeSeq(tx, "s", 3); err != nil {
			return err
		}
		other, err = takeSeq(tx, "t", 1)
		return err
	})
	mustUpdate(t, s, func(tx store.Tx) error {
		var err error
		next, err = takeSeq(tx, "s", 1)
		return err
	})
	cases := []struct {
		name      string
		got, want []uint64
	}{
		{"first three in one tx", first, []uint64{1, 2, 3}},
		{"another bucket counts alone", other, []uint64{1}},
		{"next tx goes on", next, []uint64{4}},
	}
	for _, tc := range cases {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if got := scan(t, s, "s", ""); !slices.Equal(got, []kv{{"k", "v"}}) {
		t.Errorf("NextSequence changed the keys: %q", got)
	}
	if got := scan(t, s, "t", ""); len(got) != 0 {
		t.Errorf("NextSequence added keys: %q", got)
	}
}

func testSequenceRollback(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	var committed []uint64
	take := func(bucket string, n int, fail error) error {
		var got []uint64
		err := s.Update(t.Context(), func(tx store.Tx) error {
			var err error
			if got, err = takeSeq(tx, bucket, n); err != nil {
				return err
			}
			return fail
		})
		if err == nil {
			committed = append(committed, got...)
		}
		return err
	}
	errNo := errors.New("no")
	steps := []struct {
		bucket string
		n      int
		fail   error
	}{
		{"s", 1, nil}, {"s", 2, errNo}, {"s", 1, nil}, {"s", 3, errNo}, {"new", 1, errNo}, {"s", 2, nil},
	}
	for _, st := range steps {
		if err := take(st.bucket, st.n, st.fail); err != st.fail { // identity: unchanged
			t.Fatalf("Update = %v, want %v", err, st.fail)
		}
	}
	if len(committed) != 4 || committed[0] != 1 || !strictlyIncreasing(committed) {
		t.Errorf("committed numbers %v: want 4 unique increasing numbers starting at 1", committed)
	}
	if got := scan(t, s, "new", ""); len(got) != 0 {
		t.Errorf("rolled-back NextSequence left keys: %q", got)
	}
}

func testSequenceConcurrent(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	const goroutines, updates = 8, 12
	errFail := errors.New("fail")
	perG := make([][]uint64, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range updates {
				var got []uint64
				fail := (g*updates+i)%4 == 3
				err := s.Update(t.Context(), func(tx store.Tx) error {
					var err error
					if got, err = takeSeq(tx, "s", 1+(g+i)%3); err != nil {
						return err
					}
					if fail {
						return errFail
					}
					return nil
				})
				switch {
				case fail && err != errFail: // identity: unchanged
					t.Errorf("failing Update = %v", err)
				case !fail && err != nil:
					t.Errorf("Update = %v", err)
				case !fail:
					perG[g] = append(perG[g], got...)
				}
			}
		})
	}
	wg.Wait()
	seen := map[uint64]int{}
	for g, nums := range perG {
		if !strictlyIncreasing(nums) {
			t.Errorf("goroutine %d saw numbers out of commit order: %v", g, nums)
		}
		for _, n := range nums {
			if n == 0 {
				t.Errorf("goroutine %d got sequence number 0", g)
			}
			if prev, dup := seen[n]; dup {
				t.Errorf("number %d committed twice (goroutines %d and %d)", n, prev, g)
			}
			seen[n] = g
		}
	}
	if len(seen) == 0 {
		t.Error("no numbers committed")
	}
}

func testClosed(t *testing.T, open OpenFunc) {
	s := open(t, t.TempDir())
	putAll(t, s, "b", kv{"k", "v"})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	called := false
	fn := func(tx store.Tx) error { called = true; return nil }
	if err := s.Update(t.Context(), fn); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Update after Close = %v, want store.ErrClosed", err)
	}
	if err := s.View(t.Context(), fn); !errors.Is(err, store.ErrClosed) {
		t.Errorf("View after Close = %v, want store.ErrClosed", err)
	}
	if called {
		t.Error("fn ran after Close")
	}
	closeStore(t, s) // a second Close must not panic or hang
}

func testCancelledContext(t *testing.T, open OpenFunc) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	cases := []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"cancelled", cancelled, context.Canceled},
		{"deadline passed", expired, context.DeadlineExceeded},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := fresh(t, open)
			err := s.Update(tc.ctx, func(tx store.Tx) error { return tx.Put("b", "k", []byte("v")) })
			if !errors.Is(err, tc.want) {
				t.Errorf("Update = %v, want %v", err, tc.want)
			}
			if v, ok := get(t, s, "b", "k"); ok {
				t.Errorf("write kept despite the dead context: %q", v)
			}
		})
	}
}

func strictlyIncreasing(nums []uint64) bool {
	for i := 1; i < len(nums); i++ {
		if nums[i] <= nums[i-1] {
			return false
		}
	}
	return true
}
