// Package boltstore is the embedded bibgate store, kept in one bbolt file.
//
// All writes go through one writer goroutine. Each time it wakes it takes
// every Update queued so far (at most Options.MaxBatch), runs their functions
// one after another inside a single bbolt read-write transaction and commits
// once, so one fsync serves the whole batch. There is no timer: a lone
// Update is committed at once, and under load the batch grows by itself
// ("natural batching").
//
// Each function in a batch keeps its own undo log: the previous value of
// every key it writes, the bucket sequences it advances and the buckets it
// creates. A function that returns an error or panics is undone from that log
// and the rest of the batch still commits. Functions in a batch run in queue
// order and each sees the writes of those before it, so the batch is a serial
// history.
//
// If the commit itself fails, every Update whose function succeeded in that
// batch returns the commit error; none of them is retried, since commit
// failures (disk full, I/O errors) would fail again.
//
// If fn panics, Update undoes fn's writes and re-panics in the caller's
// goroutine with the same value; the stack of the original panic is handed
// to Options.OnPanic. fn runs on the writer goroutine, so it must not call
// runtime.Goexit (t.FailNow and friends) nor use the Store it runs in.
//
// Views are bbolt read transactions and run concurrently with each other and
// with the writer.
package boltstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/bibgate/bibgate/store"
)

// DefaultMaxBatch is the batch cap used when Options.MaxBatch is zero.
const DefaultMaxBatch = 1024

// DefaultLockTimeout is how long Open waits for another process to release
// the file when Options.LockTimeout is zero.
const DefaultLockTimeout = 5 * time.Second

// Options tune a Store. The zero value is durable and sensible.
type Options struct {
	// NoSync skips fsync on commit: faster, but a crash of the machine may
	// lose recent commits (not corrupt the file). For tests and imports.
	NoSync bool
	// MaxBatch caps the Updates committed together; zero means DefaultMaxBatch.
	MaxBatch int
	// LockTimeout bounds the wait for the file lock held by another
	// process; zero means DefaultLockTimeout, negative waits forever.
	LockTimeout time.Duration
	// OnCommit, if set, is called by the writer after each batch, once its
	// callers have their answers, with the number of Updates in it, the time
	// from the start of its bbolt transaction to the end of the commit, and
	// the commit error. A batch in which no fn wrote is rolled back instead
	// and reported too. It must be quick: the next batch waits for it.
	OnCommit func(batchSize int, d time.Duration, err error)
	// OnPanic, if set, is called by the writer with the value and stack of a
	// panic in an Update's fn, before the caller re-panics.
	OnPanic func(value any, stack []byte)
}

// Store is a store.Store in a bbolt file.
type Store struct {
	db   *bolt.DB
	opts Options

	mu     sync.RWMutex // guards closed and sends on reqs
	closed bool
	reqs   chan *request

	writerDone chan struct{}
	requests   sync.Pool // of *request

	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// request is one queued Update.
type request struct {
	ctx      context.Context
	fn       func(store.Tx) error
	err      error
	panicked bool
	panicVal any
	done     chan struct{} // buffered; the writer signals once
}

// Open opens or creates the bbolt file at path and starts the writer.
func Open(path string, opts Options) (*Store, error) {
	return openStore(path, opts, nil)
}

// openStore is Open with a way for tests to reach the file under bbolt.
func openStore(path string, opts Options, openFile func(string, int, os.FileMode) (*os.File, error)) (*Store, error) {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = DefaultMaxBatch
	}
	timeout := opts.LockTimeout
	switch {
	case timeout == 0:
		timeout = DefaultLockTimeout
	case timeout < 0:
		timeout = 0 // bbolt waits forever
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:        timeout,
		NoSync:         opts.NoSync,
		FreelistType:   bolt.FreelistMapType,
		NoFreelistSync: true,
		// Map 1 GiB of address space up front (not memory): a growing file
		// does not stall every transaction while bbolt remaps it.
		InitialMmapSize: 1 << 30,
		OpenFile:        openFile,
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	s := &Store{
		db:         db,
		opts:       opts,
		reqs:       make(chan *request, opts.MaxBatch),
		writerDone: make(chan struct{}),
	}
	s.requests.New = func() any { return &request{done: make(chan struct{}, 1)} }
	go s.writeLoop()
	return s, nil
}

// Update queues fn for the writer and waits until its batch is committed. A
// fn whose ctx ends before the writer reaches it is skipped and Update
// returns ctx.Err(); once fn has run, Update waits for the commit whatever
// happens to ctx. See store.Store.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := s.requests.Get().(*request)
	r.ctx, r.fn = ctx, fn
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		s.release(r)
		return store.ErrClosed
	}
	select {
	case s.reqs <- r:
		s.mu.RUnlock()
	case <-ctx.Done():
		s.mu.RUnlock()
		s.release(r)
		return ctx.Err()
	}
	<-r.done
	err, panicked, val := r.err, r.panicked, r.panicVal
	s.release(r)
	if panicked {
		panic(val)
	}
	return err
}

func (s *Store) release(r *request) {
	*r = request{done: r.done}
	s.requests.Put(r)
}

// View runs fn in a bbolt read transaction. See store.Store.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return store.ErrClosed
	}
	btx, err := s.db.Begin(false)
	if err != nil {
		if errors.Is(err, berrors.ErrDatabaseNotOpen) {
			return store.ErrClosed
		}
		return fmt.Errorf("boltstore: begin read: %w", err)
	}
	t := &readTx{btx: btx}
	defer func() {
		t.btx = nil
		_ = btx.Rollback() // a read transaction has nothing to lose
	}()
	return fn(t)
}

// Close stops taking Updates, commits those already queued, waits for
// running Views and closes the file. Later calls wait for the first and
// return its result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.reqs)
		s.mu.Unlock()
		<-s.writerDone
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("boltstore: close: %w", err)
		}
	})
	return s.closeErr
}

// writeLoop is the writer goroutine.
func (s *Store) writeLoop() {
	defer close(s.writerDone)
	w := &writer{s: s}
	batch := make([]*request, 0, s.opts.MaxBatch)
	for r := range s.reqs {
		batch = append(batch[:0], r)
		// Callers just answered by the last commit are runnable but may not
		// have queued yet; one yield lets them in without any timer.
		runtime.Gosched()
	fill:
		for len(batch) < cap(batch) {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		w.commit(batch)
		clear(batch)
	}
}

// writer holds the state the writer goroutine reuses from batch to batch.
type writer struct {
	s  *Store
	tx writeTx
}

// commit runs batch in one bbolt transaction and answers every request.
func (w *writer) commit(batch []*request) {
	start := time.Now()
	btx, err := w.s.db.Begin(true)
	if err == nil {
		t := &w.tx
		t.btx = btx
		dirty := false
		for _, r := range batch {
			if w.run(r) && len(t.undo) > 0 {
				dirty = true
			}
			clear(t.undo)
			t.undo = t.undo[:0]
			if t.broken != nil {
				break
			}
		}
		switch {
		case t.broken != nil:
			_ = btx.Rollback()
			err = t.broken
		case dirty:
			err = btx.Commit()
		default:
			err = btx.Rollback()
		}
		t.btx, t.broken = nil, nil
		t.arena.reset()
	}
	d := time.Since(start)
	if err != nil {
		err = fmt.Errorf("boltstore: commit: %w", err)
	}
	for _, r := range batch {
		if err != nil && r.err == nil && !r.panicked {
			r.err = err
		}
		r.done <- struct{}{} // r belongs to its caller from here on
	}
	if w.s.opts.OnCommit != nil {
		w.s.opts.OnCommit(len(batch), d, err)
	}
}

// run calls r.fn and undoes its writes if it fails; it reports success.
func (w *writer) run(r *request) (ok bool) {
	if err := r.ctx.Err(); err != nil {
		r.err = err
		return false
	}
	t := &w.tx
	t.live, t.scanning = true, 0
	defer func() {
		t.live = false
		if ok {
			return
		}
		if p := recover(); p != nil {
			r.panicked, r.panicVal = true, p
			if w.s.opts.OnPanic != nil {
				w.s.opts.OnPanic(p, debug.Stack())
			}
		}
		t.rollback()
	}()
	if err := r.fn(t); err != nil {
		r.err = err
		return false
	}
	return true
}
