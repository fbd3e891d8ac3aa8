package boltindex

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
	"go.etcd.io/bbolt"
)

// metaFormat holds the search.KeysVersion the postings and sort keys were
// built under; absent means version 1, 0 a rebuild that did not finish.
var metaFormat = []byte("format")

// rebuildBatch is the number of records re-indexed per transaction.
const rebuildBatch = 5000

// storedFormat reads the key version of an index (1 when none is stored).
func storedFormat(meta *bbolt.Bucket) uint64 {
	v := meta.Get(metaFormat)
	if v == nil {
		return 1
	}
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func putFormat(meta *bbolt.Bucket, v uint64) error {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return meta.Put(metaFormat, b[:])
}

// checkFormat makes the index match search.KeysVersion: a new or empty
// index is stamped with it; one built under another version is rebuilt
// from its stored records, keeping every record's id, so no query is ever
// answered from keys of another format.
func (ix *Index) checkFormat(ctx context.Context) (rebuilt int, err error) {
	want := uint64(search.KeysVersion)
	need := false
	err = ix.db.Update(func(tx *bbolt.Tx) error {
		b, err := ix.buckets(tx)
		if err != nil {
			return err
		}
		have := storedFormat(b.meta)
		if have == want {
			return nil
		}
		if b.keys.Stats().KeyN == 0 && getCounter(b.meta, metaRecords) == 0 {
			return putFormat(b.meta, want)
		}
		need = true
		// Start over: postings and sort keys go, records stay. The format
		// is 0 until the rebuild ends, so an interrupted one starts again.
		for _, n := range [][]byte{ix.names.post, ix.names.sort} {
			if err := tx.DeleteBucket(n); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(n); err != nil {
				return err
			}
		}
		if err := b.meta.Delete(metaChunks); err != nil {
			return err
		}
		return putFormat(b.meta, 0)
	})
	if err != nil || !need {
		return 0, err
	}
	var after []byte
	for {
		n, last, err := ix.rebuildSome(ctx, after)
		rebuilt += n
		if err != nil {
			return rebuilt, err
		}
		if last == nil {
			break
		}
		after = last
	}
	err = ix.db.Update(func(tx *bbolt.Tx) error {
		b, err := ix.buckets(tx)
		if err != nil {
			return err
		}
		return putFormat(b.meta, want)
	})
	return rebuilt, err
}

// rebuildSome re-indexes up to rebuildBatch records with ids after the
// one given (from the start when nil); last is the last id done, nil at
// the end.
func (ix *Index) rebuildSome(ctx context.Context, after []byte) (n int, last []byte, err error) {
	err = ix.db.Update(func(tx *bbolt.Tx) error {
		b, err := ix.buckets(tx)
		if err != nil {
			return err
		}
		type item struct {
			k   []byte
			key string
			rec *marc.Record
		}
		var items []item
		c := b.docs.Cursor()
		var k, v []byte
		if after == nil {
			k, v = c.First()
		} else if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
			k, v = c.Next()
		}
		for ; k != nil && len(items) < rebuildBatch; k, v = c.Next() {
			if len(k) != 4 {
				return errCorrupt
			}
			key, rec, err := decodeDoc(v)
			if err != nil {
				return fmt.Errorf("record %d: %w", binary.BigEndian.Uint32(k), err)
			}
			// The stored ISO 2709 record, when it is one, holds every
			// field; the document only those the old table indexed.
			if raw := b.raw.Get(k); len(raw) > 0 {
				if full, err := marc.NewReader(bytes.NewReader(raw)).Next(); err == nil && full != nil {
					rec = full
				}
			}
			items = append(items, item{bytes.Clone(k), key, rec})
		}
		acc := newAccum(len(items))
		for _, it := range items {
			id := binary.BigEndian.Uint32(it.k)
			ex := search.Extract(it.rec)
			eachPostingKey(ex, func(pk []byte) {
				acc.adds = append(acc.adds, posting{acc.keyNumBytes(pk), id})
			})
			acc.add(allKey, id)
			if err := b.docs.Put(it.k, encodeDoc(nil, it.key, it.rec, ix.tags)); err != nil {
				return err
			}
			if err := b.sort.Put(it.k, encodeSort(nil, ex.Sort)); err != nil {
				return err
			}
		}
		n = len(items)
		if n == rebuildBatch {
			last = items[n-1].k
		}
		return acc.flush(ctx, b)
	})
	if err != nil {
		return n, nil, fmt.Errorf("boltindex: rebuild for key version %d: %w", search.KeysVersion, err)
	}
	return n, last, nil
}
