package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/bibgate/bibgate/store"
)

type opKind int

const (
	opPut opKind = iota
	opDelete
)

type op struct {
	kind     opKind
	key, val string
}

func put(k, v string) op { return op{kind: opPut, key: k, val: v} }
func del(k string) op    { return op{kind: opDelete, key: k} }

func apply(tx store.Tx, bucket string, o op) error {
	if o.kind == opPut {
		return tx.Put(bucket, o.key, []byte(o.val))
	}
	return tx.Delete(bucket, o.key)
}

func testGetPutDelete(t *testing.T, open OpenFunc) {
	cases := []struct {
		name   string
		ops    []op
		want   []kv     // present afterwards, with these values
		absent []string // missing afterwards
	}{
		{"put then get", []op{put("k", "v1")}, []kv{{"k", "v1"}}, nil},
		{"overwrite", []op{put("k", "old"), put("k", "new")}, []kv{{"k", "new"}}, nil},
		{"delete", []op{put("k", "v"), del("k")}, nil, []string{"k"}},
		{"delete missing key", []op{del("nope")}, nil, []string{"nope"}},
		{"delete leaves neighbours", []op{put("a", "1"), put("b", "2"), put("c", "3"), del("b")},
			[]kv{{"a", "1"}, {"c", "3"}}, []string{"b"}},
		{"put after delete", []op{put("k", "v1"), del("k"), put("k", "v2")}, []kv{{"k", "v2"}}, nil},
		{"empty value is present", []op{put("k", "")}, []kv{{"k", ""}}, nil},
		{"binary value", []op{put("k", "\x00\xff\x00\n")}, []kv{{"k", "\x00\xff\x00\n"}}, nil},
		{"keys differing in a trailing byte", []op{put("k", "1"), put("k\x00", "2"), put("k\xff", "3")},
			[]kv{{"k", "1"}, {"k\x00", "2"}, {"k\xff", "3"}}, nil},
		{"non-ASCII keys", []op{put("Bērziņš", "lv"), put("Bērzinš", "other")},
			[]kv{{"Bērziņš", "lv"}, {"Bērzinš", "other"}}, []string{"Berzins"}},
	}
	check := func(t *testing.T, tx store.Tx, want []kv, absent []string, when string) {
		t.Helper()
		for _, w := range want {
			v, ok, err := tx.Get("b", w.K)
			if err != nil || !ok || string(v) != w.V {
				t.Errorf("%s: Get(%q) = %q, %v, %v; want %q, true, nil", when, w.K, v, ok, err, w.V)
			}
		}
		for _, k := range absent {
			if v, ok, err := tx.Get("b", k); err != nil || ok {
				t.Errorf("%s: Get(%q) = %q, %v, %v; want not found", when, k, v, ok, err)
			}
		}
	}
	for _, tc := range cases {
		t.Run(tc.name+"/one tx", func(t *testing.T) {
			s := fresh(t, open)
			mustUpdate(t, s, func(tx store.Tx) error {
				for _, o := range tc.ops {
					if err := apply(tx, "b", o); err != nil {
						return err
					}
				}
				check(t, tx, tc.want, tc.absent, "inside the writing tx")
				return nil
			})
			mustView(t, s, func(tx store.Tx) error {
				check(t, tx, tc.want, tc.absent, "after commit")
				return nil
			})
		})
		t.Run(tc.name+"/tx per op", func(t *testing.T) {
			s := fresh(t, open)
			for _, o := range tc.ops {
				mustUpdate(t, s, func(tx store.Tx) error { return apply(tx, "b", o) })
			}
			mustView(t, s, func(tx store.Tx) error {
				check(t, tx, tc.want, tc.absent, "after commits")
				return nil
			})
		})
	}
}

// testPutCopiesValue: the caller may reuse the buffer handed to Put.
func testPutCopiesValue(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	buf := []byte("original")
	mustUpdate(t, s, func(tx store.Tx) error {
		copy(buf, "original")
		if err := tx.Put("b", "k", buf); err != nil {
			return err
		}
		copy(buf, "CHANGED!")
		if v, _, err := tx.Get("b", "k"); err != nil || string(v) != "original" {
			t.Errorf("Get in the same tx after reusing the Put buffer = %q, %v; want %q", v, err, "original")
		}
		return nil
	})
	copy(buf, "AGAIN!!!")
	if v, _ := get(t, s, "b", "k"); v != "original" {
		t.Errorf("after commit Get = %q, want %q", v, "original")
	}
}

func testLargeValue(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i * 7)
	}
	mustUpdate(t, s, func(tx store.Tx) error { return tx.Put("b", "big", big) })
	mustView(t, s, func(tx store.Tx) error {
		v, ok, err := tx.Get("b", "big")
		if err != nil || !ok || !bytes.Equal(v, big) {
			t.Errorf("Get(big) = %d bytes, %v, %v; want the %d bytes put", len(v), ok, err, len(big))
		}
		return nil
	})
}

func testScanOrder(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	// Deliberately not in order.
	scanKeys := []string{"b", "a/2", "a", "a\xff", "é", "a/10", "a0", "\x00", "a/", "z", "a\x00", "ab", "a/1"}
	for _, k := range scanKeys {
		putAll(t, s, "b", kv{k, "v:" + k})
	}
	putAll(t, s, "other", kv{"a/1", "elsewhere"}, kv{"a/3", "elsewhere"})
	cases := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"\x00", "a", "a\x00", "a/", "a/1", "a/10", "a/2", "a0", "ab", "a\xff", "b", "z", "é"}},
		{"a", []string{"a", "a\x00", "a/", "a/1", "a/10", "a/2", "a0", "ab", "a\xff"}},
		{"a/", []string{"a/", "a/1", "a/10", "a/2"}},
		{"a/1", []string{"a/1", "a/10"}},
		{"a/10", []string{"a/10"}},
		{"a/100", nil},
		{"a\xff", []string{"a\xff"}},
		{"\x00", []string{"\x00"}},
		{"é", []string{"é"}},
		{"\xc3", []string{"é"}}, // a prefix may end inside a UTF-8 sequence
		{"c", nil},
		{"zz", nil},
		{"\xff", nil},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%q", tc.prefix), func(t *testing.T) {
			got := scan(t, s, "b", tc.prefix)
			var keys []string
			for _, p := range got {
				keys = append(keys, p.K)
				if p.V != "v:"+p.K {
					t.Errorf("Scan gave %q = %q, want %q", p.K, p.V, "v:"+p.K)
				}
			}
			if !slices.Equal(keys, tc.want) {
				t.Errorf("Scan(%q) keys = %q, want %q", tc.prefix, keys, tc.want)
			}
		})
	}
}

func testScanFrom(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	putAll(t, s, "b", kv{"a/1", "1"}, kv{"a/2", "2"}, kv{"a/4", "4"}, kv{"b/1", "x"}, kv{"0", "0"})
	cases := []struct {
		prefix, from string
		want         []string
	}{
		{"a/", "", []string{"a/1", "a/2", "a/4"}}, // from before the prefix: the whole prefix
		{"a/", "a/2", []string{"a/2", "a/4"}},     // from an existing key: inclusive
		{"a/", "a/2\x00", []string{"a/4"}},        // just after a key: resume after it
		{"a/", "a/3", []string{"a/4"}},            // from a missing key
		{"a/", "a/5", nil},                        // past the prefix's keys
		{"", "a/4", []string{"a/4", "b/1"}},       // whole bucket from a key
		{"a/", "b", nil},                          // from beyond the prefix
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%q from %q", tc.prefix, tc.from), func(t *testing.T) {
			var keys []string
			err := s.View(context.Background(), func(tx store.Tx) error {
				return tx.ScanFrom("b", tc.prefix, tc.from, func(k string, _ []byte) error {
					keys = append(keys, k)
					return nil
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(keys, tc.want) {
				t.Errorf("ScanFrom(%q, %q) = %q, want %q", tc.prefix, tc.from, keys, tc.want)
			}
		})
	}
}

func testScanSeesOwnWrites(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	putAll(t, s, "b", kv{"a/1", "1"}, kv{"a/2", "2"}, kv{"a/4", "4"}, kv{"b/1", "x"})
	want := []kv{{"a/2", "two"}, {"a/3", "3"}, {"a/4", "4"}}
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, o := range []op{del("a/1"), put("a/3", "3"), put("a/2", "two")} {
			if err := apply(tx, "b", o); err != nil {
				return err
			}
		}
		got, err := scanTx(tx, "b", "a/")
		if err != nil {
			return err
		}
		if !slices.Equal(got, want) {
			t.Errorf("Scan inside the writing tx = %q, want %q", got, want)
		}
		return nil
	})
	if got := scan(t, s, "b", "a/"); !slices.Equal(got, want) {
		t.Errorf("Scan after commit = %q, want %q", got, want)
	}
}

// codeError is an error type the tests match with errors.As.
type codeError struct{ code int }

func (e *codeError) Error() string { return fmt.Sprintf("code %d", e.code) }

func testScanStop(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	for i := range 5 {
		putAll(t, s, "b", kv{fmt.Sprintf("k%d", i), "v"})
	}
	errBoom := errors.New("boom")
	coded := &codeError{42}
	cases := []struct {
		name        string
		stopAt      int   // callback returns ret on this call (1-based)
		ret         error // what it returns there
		wantErr     error // what Scan must return (nil: no error)
		wantVisited int
	}{
		{"ErrStopScan after two", 2, store.ErrStopScan, nil, 2},
		{"ErrStopScan on first", 1, store.ErrStopScan, nil, 1},
		{"sentinel error", 3, errBoom, errBoom, 3},
		{"wrapped error", 1, fmt.Errorf("decode: %w", errBoom), errBoom, 1},
		{"typed error", 2, coded, coded, 2},
		{"no stop", 0, nil, nil, 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []string{"View", "Update"} {
				visited := 0
				var scanErr error
				fn := func(tx store.Tx) error {
					visited = 0
					scanErr = tx.Scan("b", "k", func(string, []byte) error {
						visited++
						if visited == tc.stopAt {
							return tc.ret
						}
						return nil
					})
					return nil
				}
				if mode == "View" {
					mustView(t, s, fn)
				} else {
					mustUpdate(t, s, fn)
				}
				if visited != tc.wantVisited {
					t.Errorf("%s: callback ran %d times, want %d", mode, visited, tc.wantVisited)
				}
				switch {
				case tc.wantErr == nil && scanErr != nil:
					t.Errorf("%s: Scan = %v, want nil", mode, scanErr)
				case tc.wantErr != nil && !errors.Is(scanErr, tc.wantErr):
					t.Errorf("%s: Scan = %v, want %v", mode, scanErr, tc.wantErr)
				}
				var ce *codeError
				if tc.wantErr == coded && (!errors.As(scanErr, &ce) || ce.code != 42) {
					t.Errorf("%s: errors.As(%v, *codeError) failed", mode, scanErr)
				}
			}
		})
	}
}

func testMissingBucket(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	putAll(t, s, "exists", kv{"k", "v"})
	read := func(tx store.Tx) error {
		if v, ok, err := tx.Get("never", "k"); err != nil || ok || v != nil {
			t.Errorf("Get in missing bucket = %q, %v, %v; want nil, false, nil", v, ok, err)
		}
		calls := 0
		if err := tx.Scan("never", "", func(string, []byte) error { calls++; return nil }); err != nil || calls != 0 {
			t.Errorf("Scan of missing bucket: %d calls, err %v; want none", calls, err)
		}
		return nil
	}
	mustView(t, s, read)
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := read(tx); err != nil {
			return err
		}
		if err := tx.Delete("never", "k"); err != nil {
			t.Errorf("Delete in missing bucket: %v", err)
		}
		return nil
	})
	mustView(t, s, read)
	if got := scan(t, s, "exists", ""); !slices.Equal(got, []kv{{"k", "v"}}) {
		t.Errorf("other bucket changed: %q", got)
	}
}

func testViewReadOnly(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	putAll(t, s, "b", kv{"k", "v"})
	var last uint64
	mustUpdate(t, s, func(tx store.Tx) error {
		var err error
		last, err = tx.NextSequence("b")
		return err
	})
	cases := []struct {
		name string
		op   func(tx store.Tx) error
	}{
		{"Put existing", func(tx store.Tx) error { return tx.Put("b", "k", []byte("x")) }},
		{"Put new", func(tx store.Tx) error { return tx.Put("b", "new", []byte("x")) }},
		{"Put new bucket", func(tx store.Tx) error { return tx.Put("nb", "k", []byte("x")) }},
		{"Delete existing", func(tx store.Tx) error { return tx.Delete("b", "k") }},
		{"Delete missing", func(tx store.Tx) error { return tx.Delete("b", "nope") }},
		{"NextSequence", func(tx store.Tx) error { _, err := tx.NextSequence("b"); return err }},
		{"NextSequence new bucket", func(tx store.Tx) error { _, err := tx.NextSequence("nb"); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mustView(t, s, func(tx store.Tx) error {
				if err := tc.op(tx); !errors.Is(err, store.ErrReadOnly) {
					t.Errorf("got %v, want store.ErrReadOnly", err)
				}
				return nil
			})
		})
	}
	if got := scan(t, s, "b", ""); !slices.Equal(got, []kv{{"k", "v"}}) {
		t.Errorf("bucket after refused writes = %q", got)
	}
	if got := scan(t, s, "nb", ""); len(got) != 0 {
		t.Errorf("refused Put created %q", got)
	}
	mustUpdate(t, s, func(tx store.Tx) error {
		n, err := tx.NextSequence("b")
		if err == nil && n <= last {
			t.Errorf("NextSequence after refused calls = %d, want > %d", n, last)
		}
		return err
	})
}

func testViewError(t *testing.T, open OpenFunc) {
	s := fresh(t, open)
	want := &codeError{7}
	err := s.View(t.Context(), func(store.Tx) error { return want })
	if !errors.Is(err, want) {
		t.Errorf("View returned %v, want the fn's error", err)
	}
}
