package boltstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/bibgate/bibgate/store"
)

// recorder collects what the hooks report.
type recorder struct {
	mu      sync.Mutex
	batches []int
	errs    []error
	stacks  []string
}

func (r *recorder) options() Options {
	return Options{
		OnCommit: func(n int, _ time.Duration, err error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.batches = append(r.batches, n)
			r.errs = append(r.errs, err)
		},
		OnPanic: func(_ any, stack []byte) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.stacks = append(r.stacks, string(stack))
		},
	}
}

func (r *recorder) sizes() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.batches)
}

func open(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "t.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// outcome is what one queued Update ended with.
type outcome struct {
	err       error
	recovered any
}

// queue holds the writer in a blocking fn, queues fns one by one in a known
// order, calls whileBlocked (if set), then lets the writer go and returns
// each Update's outcome and the blocking Update's error.
func queue(s *Store, ctxs []context.Context, fns []func(store.Tx) error, whileBlocked func()) ([]outcome, error) {
	entered, gate := make(chan struct{}), make(chan struct{})
	var once sync.Once
	blocked := make(chan error, 1)
	go func() {
		blocked <- s.Update(context.Background(), func(tx store.Tx) error {
			once.Do(func() { close(entered) })
			<-gate
			return tx.Put("b", "blocker", []byte("1"))
		})
	}()
	<-entered
	out := make([]outcome, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() {
			defer func() { out[i].recovered = recover() }()
			out[i].err = s.Update(ctxs[i], fn)
		})
		for len(s.reqs) < i+1 {
			time.Sleep(100 * time.Microsecond)
		}
	}
	if whileBlocked != nil {
		whileBlocked()
	}
	close(gate)
	wg.Wait()
	return out, <-blocked
}

func TestBatchCommitsDespiteFailingMembers(t *testing.T) {
	var rec recorder
	s := open(t, rec.options())
	errRefused := errors.New("refused")
	cancelled, cancel := context.WithCancel(context.Background())
	var sawOK1 string
	cancelledRan := false
	fns := []func(store.Tx) error{
		func(tx store.Tx) error { return tx.Put("b", "a", []byte("ok1")) },
		func(tx store.Tx) error { // fails after every kind of write
			for _, err := range []error{
				tx.Put("b", "a", []byte("bad")),
				tx.Put("b", "x", []byte("bad")),
				tx.Put("failbucket", "k", []byte("bad")),
				tx.Delete("b", "blocker"),
			} {
				if err != nil {
					return err
				}
			}
			if _, err := tx.NextSequence("b"); err != nil {
				return err
			}
			return errRefused
		},
		func(tx store.Tx) error { // panics after writing
			if err := tx.Put("panicky", "k", []byte("bad")); err != nil {
				return err
			}
			if err := tx.Put("b", "a", []byte("panic")); err != nil {
				return err
			}
			panic("fn blew up")
		},
		func(tx store.Tx) error { cancelledRan = true; return tx.Put("b", "c", []byte("cancelled")) },
		func(tx store.Tx) error { // sees ok1's write, not the undone ones
			v, _, err := tx.Get("b", "a")
			if err != nil {
				return err
			}
			sawOK1 = string(v)
			if err := tx.Put("b", "ok2", []byte("ok2")); err != nil {
				return err
			}
			n, err := tx.NextSequence("b")
			if n != 1 {
				t.Errorf("NextSequence after an undone one = %d, want 1", n)
			}
			return err
		},
	}
	ctxs := []context.Context{context.Background(), context.Background(), context.Background(), cancelled, context.Background()}
	out, err := queue(s, ctxs, fns, cancel) // cancelled while queued, before the writer reaches it
	if err != nil {
		t.Fatalf("blocking Update: %v", err)
	}
	want := []outcome{{nil, nil}, {errRefused, nil}, {nil, "fn blew up"}, {context.Canceled, nil}, {nil, nil}}
	for i := range want {
		if out[i].err != want[i].err || out[i].recovered != want[i].recovered {
			t.Errorf("fn %d: err %v, recovered %v; want err %v, recovered %v",
				i, out[i].err, out[i].recovered, want[i].err, want[i].recovered)
		}
	}
	if cancelledRan {
		t.Error("fn with a cancelled context ran")
	}
	if sawOK1 != "ok1" {
		t.Errorf("later fn in the batch read a = %q, want ok1", sawOK1)
	}
	var got []string
	err = s.db.View(func(btx *bolt.Tx) error {
		for _, name := range []string{"failbucket", "panicky"} {
			if btx.Bucket([]byte(name)) != nil {
				t.Errorf("bucket %s created by an undone fn still exists", name)
			}
		}
		return btx.Bucket([]byte("b")).ForEach(func(k, v []byte) error {
			got = append(got, string(k)+"="+string(v))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a=ok1", "blocker=1", "ok2=ok2"}; !slices.Equal(got, want) {
		t.Errorf("stored %q, want %q", got, want)
	}
	if err := s.Close(); err != nil { // the writer has reported every batch after Close
		t.Fatal(err)
	}
	if got, want := rec.sizes(), []int{1, 5}; !slices.Equal(got, want) {
		t.Errorf("batch sizes = %v, want %v", got, want)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.stacks) != 1 || !strings.Contains(rec.stacks[0], "TestBatchCommitsDespiteFailingMembers") {
		t.Errorf("OnPanic stacks = %q, want one naming the test", rec.stacks)
	}
}

func TestMaxBatch(t *testing.T) {
	var rec recorder
	opts := rec.options()
	opts.MaxBatch = 2
	s := open(t, opts)
	fns := make([]func(store.Tx) error, 5)
	ctxs := make([]context.Context, 5)
	for i := range fns {
		fns[i] = func(tx store.Tx) error { _, err := tx.NextSequence("n"); return err }
		ctxs[i] = context.Background()
	}
	// The queue holds MaxBatch requests; the rest wait to be sent.
	entered, gate := make(chan struct{}), make(chan struct{})
	var once sync.Once
	go func() {
		_ = s.Update(context.Background(), func(store.Tx) error { once.Do(func() { close(entered) }); <-gate; return nil })
	}()
	<-entered
	var wg sync.WaitGroup
	for i := range fns {
		wg.Go(func() {
			if err := s.Update(ctxs[i], fns[i]); err != nil {
				t.Error(err)
			}
		})
	}
	for len(s.reqs) < 2 {
		time.Sleep(100 * time.Microsecond)
	}
	close(gate)
	wg.Wait()
	if err := s.Close(); err != nil { // the writer has reported every batch after Close
		t.Fatal(err)
	}
	sizes := rec.sizes()
	total := 0
	for _, n := range sizes[1:] {
		if n > 2 {
			t.Errorf("batch of %d with MaxBatch 2", n)
		}
		total += n
	}
	if total != 5 {
		t.Errorf("batches %v carried %d Updates, want 5", sizes, total)
	}
}

func TestCommitFailureReachesEveryCaller(t *testing.T) {
	var file *os.File
	s, err := openStore(filepath.Join(t.TempDir(), "t.db"), Options{}, func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		file = f
		return f, err
	})
	if err != nil {
		t.Fatal(err)
	}
	errOwn := errors.New("own error")
	put := func(tx store.Tx) error { return tx.Put("b", "k", []byte("v")) }
	fns := []func(store.Tx) error{
		put,
		func(tx store.Tx) error { _ = put(tx); return errOwn },
		put,
	}
	ctxs := []context.Context{context.Background(), context.Background(), context.Background()}
	// The file goes away under bbolt, so the commit fails.
	out, blockErr := queue(s, ctxs, fns, func() {
		if err := file.Close(); err != nil {
			t.Fatal(err)
		}
	})
	if blockErr == nil || !strings.Contains(blockErr.Error(), "commit") {
		t.Errorf("blocking fn got %v, want the commit error", blockErr)
	}
	for i, o := range out {
		switch {
		case i == 1 && o.err != errOwn:
			t.Errorf("failing fn got %v, want its own error", o.err)
		case i != 1 && (o.err == nil || !strings.Contains(o.err.Error(), "commit")):
			t.Errorf("fn %d got %v, want the commit error", i, o.err)
		}
	}
	_ = s.Close() // the file is gone; only check that Close returns
}
