package pgstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bibgate/bibgate/store"
)

var (
	errTxDone      = errors.New("pgstore: transaction used after its function returned")
	errWriteInScan = errors.New("pgstore: write inside a Scan callback")
	errBadBucket   = fmt.Errorf("pgstore: bucket name must be UTF-8 text of 1 to %d bytes without NUL", MaxBucketSize)
	errNoKey       = errors.New("pgstore: empty key")
	errKeyTooLarge = fmt.Errorf("pgstore: key longer than %d bytes", MaxKeySize)
	errNotCommited = errors.New("pgstore: the database rolled the transaction back at COMMIT")
)

// Scan pages start small (many scans stop after a row or two) and double up
// to maxPage rows.
const (
	firstPage = 32
	maxPage   = 1024
)

// flushAt is the number of buffered writes at which they are sent to the
// database before COMMIT, so that a long transaction does not hold all of
// them in memory. Reads still see them: the database answers for them then.
const flushAt = 2048

// rollbackTimeout bounds the ROLLBACK sent when a transaction is abandoned,
// even if the caller's context has ended.
const rollbackTimeout = 5 * time.Second

// pending is a write not yet sent to the database.
type pending struct {
	val []byte // nil for a delete
}

// tx is the store.Tx of one attempt. Its connection is taken from the pool
// at the first statement and given back in finish.
type tx struct {
	s        *Store
	ctx      context.Context
	readOnly bool
	live     bool  // false once fn has returned
	scanning int   // Scan callbacks under way
	failed   error // the first statement that failed; the transaction is doomed
	conn     *pgxpool.Conn
	begun    bool                           // BEGIN has been sent
	writes   map[string]map[string]*pending // bucket → key → write
	nwrites  int                            // entries in writes
}

func (s *Store) newTx(ctx context.Context, readOnly bool) *tx {
	return &tx{s: s, ctx: ctx, readOnly: readOnly, live: true}
}

// send runs the statements queue adds as one pipeline, preceded by BEGIN if
// the transaction has not begun, and hands the results to read.
func (t *tx) send(queue func(b *pgx.Batch), read func(br pgx.BatchResults) error) error {
	if t.failed != nil {
		return t.failed
	}
	ctx := t.ctx
	if t.s.rtt > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.s.rtt)
		defer cancel()
	}
	if t.conn == nil {
		c, err := t.s.pool.Acquire(ctx)
		if err != nil {
			t.failed = err
			return err
		}
		t.conn = c
	}
	b := &pgx.Batch{}
	opening := !t.begun
	if opening {
		begin := t.s.beginRW
		if t.readOnly {
			begin = t.s.beginView
		}
		b.Queue(begin)
		t.begun = true
	}
	queue(b)
	br := t.conn.SendBatch(ctx, b)
	var err error
	if opening {
		_, err = br.Exec()
	}
	if err == nil {
		err = read(br)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.failed = err
	}
	return err
}

// finish ends the attempt: it rolls back whatever is still open and gives
// the connection back.
func (t *tx) finish() {
	t.live = false
	if t.conn == nil {
		return
	}
	c := t.conn.Conn()
	if !c.IsClosed() && c.PgConn().TxStatus() != 'I' {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), rollbackTimeout)
		if _, err := c.Exec(ctx, "ROLLBACK"); err != nil {
			_ = c.Close(ctx) // the pool drops a closed connection
		}
		cancel()
	}
	t.conn.Release() // destroys a connection left in a transaction
	t.conn = nil
}

// commit sends the buffered writes and COMMIT in one round trip.
func (t *tx) commit() error {
	if !t.begun && t.nwrites == 0 {
		return nil // fn touched nothing
	}
	if err := t.flush(true); err != nil {
		return fmt.Errorf("pgstore: commit: %w", err)
	}
	return nil
}

// flush sends the buffered writes, followed by COMMIT if commit is set.
func (t *tx) flush(commit bool) error {
	n := t.nwrites
	err := t.send(func(b *pgx.Batch) {
		for bucket, m := range t.writes {
			for key, p := range m {
				if p.val == nil {
					b.Queue(t.s.sql.del, bucket, bytesOf(key))
				} else {
					b.Queue(t.s.sql.put, bucket, bytesOf(key), p.val)
				}
			}
		}
		if commit {
			b.Queue("COMMIT")
		}
	}, func(br pgx.BatchResults) error {
		for range n {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		if !commit {
			return nil
		}
		tag, err := br.Exec()
		if err == nil && tag.String() != "COMMIT" {
			err = errNotCommited
		}
		return err
	})
	if err == nil {
		clear(t.writes)
		t.nwrites = 0
	}
	return err
}

func (t *tx) usable() error {
	if !t.live {
		return errTxDone
	}
	return nil
}

func (t *tx) writable(bucket string) error {
	switch {
	case !t.live:
		return errTxDone
	case t.readOnly:
		return store.ErrReadOnly
	case t.scanning > 0:
		return errWriteInScan
	case !validBucket(bucket):
		return errBadBucket
	}
	return nil
}

// validBucket reports whether name can be stored in a text column.
func validBucket(name string) bool {
	return name != "" && len(name) <= MaxBucketSize && utf8.ValidString(name) && !strings.ContainsRune(name, 0)
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

// bytesOf returns key as a non-nil byte slice (nil would be sent as NULL).
func bytesOf(s string) []byte { return append(make([]byte, 0, len(s)), s...) }

func (t *tx) Get(bucket, key string) ([]byte, bool, error) {
	if err := t.usable(); err != nil {
		return nil, false, err
	}
	if p, ok := t.writes[bucket][key]; ok {
		return p.val, p.val != nil, nil
	}
	if !validBucket(bucket) || key == "" || len(key) > MaxKeySize {
		return nil, false, nil // never stored
	}
	var (
		val   []byte
		found bool
	)
	err := t.send(func(b *pgx.Batch) {
		b.Queue(t.s.sql.get, bucket, bytesOf(key))
	}, func(br pgx.BatchResults) error {
		err := br.QueryRow().Scan(&val)
		switch {
		case err == nil:
			found = true
		case errors.Is(err, pgx.ErrNoRows):
			err = nil
		}
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("pgstore: get in %q: %w", bucket, err)
	}
	if found && val == nil {
		val = []byte{}
	}
	return val, found, nil
}

func (t *tx) Put(bucket, key string, value []byte) error {
	if err := t.writable(bucket); err != nil {
		return fmt.Errorf("pgstore: put in %q: %w", bucket, err)
	}
	if err := checkKey(key); err != nil {
		return fmt.Errorf("pgstore: put in %q: %w", bucket, err)
	}
	return t.buffer(bucket, key, append(make([]byte, 0, len(value)), value...))
}

func (t *tx) Delete(bucket, key string) error {
	if err := t.writable(bucket); err != nil {
		return fmt.Errorf("pgstore: delete in %q: %w", bucket, err)
	}
	if key == "" || len(key) > MaxKeySize {
		return nil // never stored
	}
	return t.buffer(bucket, key, nil)
}

// buffer records a write; when enough have gathered it sends them.
func (t *tx) buffer(bucket, key string, val []byte) error {
	if t.writes == nil {
		t.writes = make(map[string]map[string]*pending)
	}
	m := t.writes[bucket]
	if m == nil {
		m = make(map[string]*pending)
		t.writes[bucket] = m
	}
	if p, ok := m[key]; ok {
		p.val = val
		return nil
	}
	m[key] = &pending{val: val}
	t.nwrites++
	if t.nwrites < flushAt {
		return nil
	}
	if err := t.flush(false); err != nil {
		return fmt.Errorf("pgstore: write in %q: %w", bucket, err)
	}
	return nil
}

func (t *tx) NextSequence(bucket string) (uint64, error) {
	if err := t.writable(bucket); err != nil {
		return 0, fmt.Errorf("pgstore: next sequence of %q: %w", bucket, err)
	}
	var n int64
	err := t.send(func(b *pgx.Batch) {
		b.Queue(t.s.sql.nextSequence, bucket)
	}, func(br pgx.BatchResults) error {
		return br.QueryRow().Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("pgstore: next sequence of %q: %w", bucket, err)
	}
	return uint64(n), nil
}

func (t *tx) Scan(bucket, prefix string, fn func(key string, value []byte) error) error {
	return t.ScanFrom(bucket, prefix, prefix, fn)
}

// row is one key-value pair of a scan page.
type row struct {
	key string
	val []byte
}

// ScanFrom merges the database's rows in [max(prefix, from), successor of
// prefix) with the transaction's own writes in that range.
func (t *tx) ScanFrom(bucket, prefix, from string, fn func(key string, value []byte) error) error {
	if err := t.usable(); err != nil {
		return err
	}
	if !validBucket(bucket) {
		return nil // never stored
	}
	start := max(prefix, from)
	end, bounded := prefixEnd(prefix)
	if bounded && start >= end {
		return nil
	}
	t.scanning++
	defer func() { t.scanning-- }()

	own := t.ownWrites(bucket, prefix, start)
	emit := func(k string, v []byte) error {
		if err := fn(k, v); err != nil {
			if errors.Is(err, store.ErrStopScan) {
				return errStop
			}
			return err
		}
		return nil
	}
	err := t.scanMerged(bucket, start, end, bounded, own, emit)
	if err == errStop {
		return nil
	}
	return err
}

// errStop ends scanMerged when the callback asked to stop.
var errStop = errors.New("stop")

func (t *tx) scanMerged(bucket, start, end string, bounded bool, own []row, emit func(string, []byte) error) error {
	next := 0 // own[next:] are still to merge
	flushOwn := func(before string, all bool) error {
		for ; next < len(own) && (all || own[next].key < before); next++ {
			if own[next].val == nil {
				continue
			}
			if err := emit(own[next].key, own[next].val); err != nil {
				return err
			}
		}
		return nil
	}
	limit := firstPage
	for cursor := start; ; {
		rows, err := t.page(bucket, cursor, end, bounded, limit)
		if err != nil {
			return fmt.Errorf("pgstore: scan %q: %w", bucket, err)
		}
		for _, r := range rows {
			if err := flushOwn(r.key, false); err != nil {
				return err
			}
			if next < len(own) && own[next].key == r.key {
				next++
				if own[next-1].val == nil {
					continue // deleted in this transaction
				}
				r = own[next-1]
			}
			if err := emit(r.key, r.val); err != nil {
				return err
			}
		}
		if len(rows) < limit {
			break
		}
		cursor = rows[len(rows)-1].key + "\x00" // the least key after the last one
		limit = min(2*limit, maxPage)
	}
	return flushOwn("", true)
}

// ownWrites returns the transaction's writes to bucket with keys under
// prefix and at or after start, sorted by key; deletes have a nil value.
func (t *tx) ownWrites(bucket, prefix, start string) []row {
	m := t.writes[bucket]
	var out []row
	for k, p := range m {
		if k >= start && strings.HasPrefix(k, prefix) {
			out = append(out, row{k, p.val})
		}
	}
	slices.SortFunc(out, func(a, b row) int { return strings.Compare(a.key, b.key) })
	return out
}

// page reads at most limit rows of bucket from cursor on.
func (t *tx) page(bucket, cursor, end string, bounded bool, limit int) ([]row, error) {
	rows := make([]row, 0, limit)
	err := t.send(func(b *pgx.Batch) {
		if bounded {
			b.Queue(t.s.sql.scan, bucket, bytesOf(cursor), bytesOf(end), limit)
		} else {
			b.Queue(t.s.sql.scanOpen, bucket, bytesOf(cursor), limit)
		}
	}, func(br pgx.BatchResults) error {
		rs, err := br.Query()
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var k, v []byte
			if err := rs.Scan(&k, &v); err != nil {
				return err
			}
			if v == nil {
				v = []byte{}
			}
			rows = append(rows, row{string(k), v})
		}
		return rs.Err()
	})
	return rows, err
}

// prefixEnd returns the least key greater than every key starting with
// prefix, or false if there is none (prefix is empty or all 0xff bytes).
func prefixEnd(prefix string) (string, bool) {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] != 0xff {
			return prefix[:i] + string([]byte{prefix[i] + 1}), true
		}
	}
	return "", false
}
