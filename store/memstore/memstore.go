// Package memstore keeps a bibgate store in memory, for tests, demos and
// conformance runs. Nothing survives Close.
//
// One Update runs at a time under an exclusive lock; Views share a read lock,
// so a View sees a consistent state and waits for a running Update (and the
// other way round). A failed or panicking Update is undone from an undo log.
//
// If fn panics, Update restores the store and lets the panic continue in the
// caller's goroutine with its original value and stack.
//
// memstore enforces the same limits as the bbolt backend, so code tested here
// behaves the same in production: bucket names and keys must be non-empty,
// keys at most MaxKeySize bytes; writes inside a Scan callback fail.
package memstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/bibgate/bibgate/store"
)

// MaxKeySize is the longest key Put accepts, the same as bbolt's.
const MaxKeySize = 32768

var (
	errTxDone      = errors.New("memstore: transaction used after its function returned")
	errWriteInScan = errors.New("memstore: write inside a Scan callback")
	errNoBucket    = errors.New("memstore: empty bucket name")
	errNoKey       = errors.New("memstore: empty key")
	errKeyTooLarge = errors.New("memstore: key too large")
)

// Store is an in-memory store.Store. The zero value is not usable; call New.
type Store struct {
	mu      sync.RWMutex
	closed  bool
	buckets map[string]*bucket
	undoBuf []undo // reused by successive Updates, guarded by mu
}

type bucket struct {
	vals map[string][]byte
	keys index
	seq  uint64
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{buckets: make(map[string]*bucket)}
}

// Update runs fn with the store locked for writing. See store.Store.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t := &tx{s: s, writable: true, undo: s.undoBuf[:0]}
	ok := false
	defer func() {
		// Runs on error, panic and runtime.Goexit alike.
		t.done = true
		if !ok {
			t.rollback()
		}
		clear(t.undo)
		s.undoBuf = t.undo[:0]
	}()
	err := fn(t)
	ok = err == nil
	return err
}

// View runs fn with the store locked for reading. See store.Store.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.ErrClosed
	}
	t := &tx{s: s}
	defer func() { t.done = true }()
	return fn(t)
}

// Close waits for running transactions and drops all data. Closing twice is
// harmless.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.buckets = nil
	return nil
}

type undoKind uint8

const (
	undoValue  undoKind = iota // key had prev (or nothing, if !had)
	undoSeq                    // bucket sequence was seq
	undoBucket                 // bucket did not exist
)

type undo struct {
	kind   undoKind
	had    bool
	bucket string
	key    string
	prev   []byte
	seq    uint64
}

type tx struct {
	s        *Store
	writable bool
	done     bool
	scanning int
	undo     []undo
}

func (t *tx) Get(bucket, key string) ([]byte, bool, error) {
	if t.done {
		return nil, false, errTxDone
	}
	b := t.s.buckets[bucket]
	if b == nil {
		return nil, false, nil
	}
	v, ok := b.vals[key]
	return v, ok, nil
}

func (t *tx) Scan(bucket, prefix string, fn func(key string, value []byte) error) error {
	return t.ScanFrom(bucket, prefix, prefix, fn)
}

func (t *tx) ScanFrom(bucket, prefix, from string, fn func(key string, value []byte) error) error {
	if t.done {
		return errTxDone
	}
	b := t.s.buckets[bucket]
	if b == nil {
		return nil
	}
	t.scanning++
	defer func() { t.scanning-- }()
	var err error
	b.keys.ascend(max(prefix, from), func(k string) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		err = fn(k, b.vals[k])
		return err == nil
	})
	if errors.Is(err, store.ErrStopScan) {
		return nil
	}
	return err
}

func (t *tx) checkWrite(bucket string) error {
	switch {
	case t.done:
		return errTxDone
	case !t.writable:
		return store.ErrReadOnly
	case t.scanning > 0:
		return errWriteInScan
	case bucket == "":
		return errNoBucket
	}
	return nil
}

func checkKey(key string) error {
	switch {
	case key == "":
		return errNoKey
	case len(key) > MaxKeySize:
		return errKeyTooLarge
	}
	return nil
}

// bucket returns the named bucket, creating it (with an undo record) if need be.
func (t *tx) bucket(name string) *bucket {
	b := t.s.buckets[name]
	if b == nil {
		b = &bucket{vals: make(map[string][]byte)}
		name = strings.Clone(name)
		t.s.buckets[name] = b
		t.undo = append(t.undo, undo{kind: undoBucket, bucket: name})
	}
	return b
}

func (t *tx) Put(bucketName, key string, value []byte) error {
	if err := t.checkWrite(bucketName); err != nil {
		return fmt.Errorf("memstore: put in %q: %w", bucketName, err)
	}
	if err := checkKey(key); err != nil {
		return fmt.Errorf("memstore: put in %q: %w", bucketName, err)
	}
	b := t.bucket(bucketName)
	prev, had := b.vals[key]
	if !had {
		key = strings.Clone(key)
	}
	t.undo = append(t.undo, undo{kind: undoValue, bucket: bucketName, key: key, prev: prev, had: had})
	b.set(key, append(make([]byte, 0, len(value)), value...), had)
	return nil
}

func (t *tx) Delete(bucketName, key string) error {
	if err := t.checkWrite(bucketName); err != nil {
		return fmt.Errorf("memstore: delete in %q: %w", bucketName, err)
	}
	b := t.s.buckets[bucketName]
	if b == nil {
		return nil
	}
	prev, had := b.vals[key]
	if !had {
		return nil
	}
	t.undo = append(t.undo, undo{kind: undoValue, bucket: bucketName, key: key, prev: prev, had: true})
	b.remove(key)
	return nil
}

func (t *tx) NextSequence(bucketName string) (uint64, error) {
	if err := t.checkWrite(bucketName); err != nil {
		return 0, fmt.Errorf("memstore: next sequence of %q: %w", bucketName, err)
	}
	b := t.bucket(bucketName)
	t.undo = append(t.undo, undo{kind: undoSeq, bucket: bucketName, seq: b.seq})
	b.seq++
	return b.seq, nil
}

// rollback replays the undo log backwards.
func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		u := &t.undo[i]
		switch u.kind {
		case undoBucket:
			delete(t.s.buckets, u.bucket)
			continue
		}
		b := t.s.buckets[u.bucket]
		switch {
		case u.kind == undoSeq:
			b.seq = u.seq
		case u.had:
			_, exists := b.vals[u.key]
			b.set(u.key, u.prev, exists)
		default:
			b.remove(u.key)
		}
	}
}

func (b *bucket) set(key string, v []byte, exists bool) {
	b.vals[key] = v
	if !exists {
		b.keys.insert(key)
	}
}

func (b *bucket) remove(key string) {
	delete(b.vals, key)
	b.keys.remove(key)
}
