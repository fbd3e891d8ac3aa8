package boltstore

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/bibgate/bibgate/store"
)

var (
	errTxDone      = errors.New("boltstore: transaction used after its function returned")
	errWriteInScan = errors.New("boltstore: write inside a Scan callback")
)

// names converts bucket names and keys to bytes for bbolt without
// allocating: bbolt copies keys it keeps and only compares the others.
type names struct{ bucket, key []byte }

func (n *names) b(s string) []byte { n.bucket = append(n.bucket[:0], s...); return n.bucket }
func (n *names) k(s string) []byte { n.key = append(n.key[:0], s...); return n.key }

func get(btx *bolt.Tx, n *names, bucket, key string) ([]byte, bool, error) {
	b := btx.Bucket(n.b(bucket))
	if b == nil {
		return nil, false, nil
	}
	v := b.Get(n.k(key))
	return v, v != nil, nil
}

func scan(btx *bolt.Tx, n *names, bucket, prefix, from string, fn func(string, []byte) error) error {
	b := btx.Bucket(n.b(bucket))
	if b == nil {
		return nil
	}
	c := b.Cursor()
	k, v := c.Seek(n.k(max(prefix, from))) // fn may reuse n; prefix is compared as a string below
	for ; k != nil && len(k) >= len(prefix) && string(k[:len(prefix)]) == prefix; k, v = c.Next() {
		if err := fn(string(k), v); err != nil {
			if errors.Is(err, store.ErrStopScan) {
				return nil
			}
			return err
		}
	}
	return nil
}

// readTx is the Tx of a View.
type readTx struct {
	btx *bolt.Tx // nil once fn has returned
	n   names
}

func (t *readTx) Get(bucket, key string) ([]byte, bool, error) {
	if t.btx == nil {
		return nil, false, errTxDone
	}
	return get(t.btx, &t.n, bucket, key)
}

func (t *readTx) Scan(bucket, prefix string, fn func(string, []byte) error) error {
	return t.ScanFrom(bucket, prefix, prefix, fn)
}

func (t *readTx) ScanFrom(bucket, prefix, from string, fn func(string, []byte) error) error {
	if t.btx == nil {
		return errTxDone
	}
	return scan(t.btx, &t.n, bucket, prefix, from, fn)
}

func (t *readTx) Put(bucket, _ string, _ []byte) error {
	return fmt.Errorf("boltstore: put in %q: %w", bucket, store.ErrReadOnly)
}

func (t *readTx) Delete(bucket, _ string) error {
	return fmt.Errorf("boltstore: delete in %q: %w", bucket, store.ErrReadOnly)
}

func (t *readTx) NextSequence(bucket string) (uint64, error) {
	return 0, fmt.Errorf("boltstore: next sequence of %q: %w", bucket, store.ErrReadOnly)
}

type undoKind uint8

const (
	undoValue  undoKind = iota // key held prev (nothing, if !had)
	undoSeq                    // bucket sequence was seq
	undoBucket                 // bucket did not exist
)

// undo is one entry of a fn's undo log. prev points into the bbolt
// transaction's pages or into the arena, both valid until commit.
type undo struct {
	kind   undoKind
	had    bool
	b      *bolt.Bucket
	bucket string
	key    string
	prev   []byte
	seq    uint64
}

// writeTx is the Tx every fn of a batch gets in turn; the writer reuses it.
type writeTx struct {
	btx      *bolt.Tx
	live     bool // false outside fn
	scanning int
	broken   error // an undo failed; the batch must not commit
	undo     []undo
	n        names
	arena    arena
}

func (t *writeTx) Get(bucket, key string) ([]byte, bool, error) {
	if !t.live {
		return nil, false, errTxDone
	}
	return get(t.btx, &t.n, bucket, key)
}

func (t *writeTx) Scan(bucket, prefix string, fn func(string, []byte) error) error {
	return t.ScanFrom(bucket, prefix, prefix, fn)
}

func (t *writeTx) ScanFrom(bucket, prefix, from string, fn func(string, []byte) error) error {
	if !t.live {
		return errTxDone
	}
	t.scanning++
	err := scan(t.btx, &t.n, bucket, prefix, from, fn)
	t.scanning-- // a panic skips this; the writer resets it per fn
	return err
}

func (t *writeTx) writable() error {
	switch {
	case !t.live:
		return errTxDone
	case t.scanning > 0:
		return errWriteInScan
	}
	return nil
}

// bucket returns the named bucket, creating it with an undo entry if need be.
func (t *writeTx) bucket(name string) (*bolt.Bucket, error) {
	if b := t.btx.Bucket(t.n.b(name)); b != nil {
		return b, nil
	}
	b, err := t.btx.CreateBucket(t.n.bucket)
	if err != nil {
		return nil, err
	}
	t.undo = append(t.undo, undo{kind: undoBucket, bucket: name})
	return b, nil
}

func (t *writeTx) Put(bucket, key string, value []byte) error {
	if err := t.writable(); err != nil {
		return fmt.Errorf("boltstore: put in %q: %w", bucket, err)
	}
	b, err := t.bucket(bucket)
	if err != nil {
		return fmt.Errorf("boltstore: put in %q: %w", bucket, err)
	}
	k := t.n.k(key)
	prev := b.Get(k)
	if err := b.Put(k, t.arena.copy(value)); err != nil {
		return fmt.Errorf("boltstore: put in %q: %w", bucket, err)
	}
	t.undo = append(t.undo, undo{kind: undoValue, b: b, key: key, prev: prev, had: prev != nil})
	return nil
}

func (t *writeTx) Delete(bucket, key string) error {
	if err := t.writable(); err != nil {
		return fmt.Errorf("boltstore: delete in %q: %w", bucket, err)
	}
	b := t.btx.Bucket(t.n.b(bucket))
	if b == nil {
		return nil
	}
	k := t.n.k(key)
	prev := b.Get(k)
	if prev == nil {
		return nil
	}
	if err := b.Delete(k); err != nil {
		return fmt.Errorf("boltstore: delete in %q: %w", bucket, err)
	}
	t.undo = append(t.undo, undo{kind: undoValue, b: b, key: key, prev: prev, had: true})
	return nil
}

func (t *writeTx) NextSequence(bucket string) (uint64, error) {
	if err := t.writable(); err != nil {
		return 0, fmt.Errorf("boltstore: next sequence of %q: %w", bucket, err)
	}
	b, err := t.bucket(bucket)
	if err != nil {
		return 0, fmt.Errorf("boltstore: next sequence of %q: %w", bucket, err)
	}
	prev := b.Sequence()
	n, err := b.NextSequence()
	if err != nil {
		return 0, fmt.Errorf("boltstore: next sequence of %q: %w", bucket, err)
	}
	t.undo = append(t.undo, undo{kind: undoSeq, b: b, seq: prev})
	return n, nil
}

// rollback replays the undo log backwards. If bbolt refuses a step the batch
// can no longer be trusted and is marked broken.
func (t *writeTx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		u := &t.undo[i]
		var err error
		switch {
		case u.kind == undoBucket:
			err = t.btx.DeleteBucket(t.n.b(u.bucket))
		case u.kind == undoSeq:
			err = u.b.SetSequence(u.seq)
		case u.had:
			err = u.b.Put(t.n.k(u.key), u.prev)
		default:
			err = u.b.Delete(t.n.k(u.key))
		}
		if err != nil {
			t.broken = fmt.Errorf("undo of a failed transaction: %w", err)
			return
		}
	}
}

// arena holds copies of the values put during one batch. bbolt keeps a
// reference to every value until commit, so the copies live until the batch
// ends; then the chunks are reused.
type arena struct {
	chunks [][]byte // chunks[:used] hold data of this batch
	used   int
}

const (
	chunkSize    = 64 << 10
	keptChunks   = 64 // chunks kept for the next batch, at most
	ownChunkSize = chunkSize / 4
)

func (a *arena) copy(v []byte) []byte {
	if len(v) == 0 {
		return make([]byte, 0) // non-nil: bbolt must see a value, not an absence
	}
	if len(v) > ownChunkSize {
		return append(make([]byte, 0, len(v)), v...)
	}
	if a.used == 0 || cap(a.chunks[a.used-1])-len(a.chunks[a.used-1]) < len(v) {
		if a.used == len(a.chunks) {
			a.chunks = append(a.chunks, make([]byte, 0, chunkSize))
		}
		a.used++
	}
	c := a.chunks[a.used-1]
	n := len(c)
	c = append(c, v...)
	a.chunks[a.used-1] = c
	return c[n:len(c):len(c)]
}

func (a *arena) reset() {
	for i := range a.used {
		a.chunks[i] = a.chunks[i][:0]
	}
	a.used = 0
	if len(a.chunks) > keptChunks {
		clear(a.chunks[keptChunks:])
		a.chunks = a.chunks[:keptChunks]
	}
}
