// Package boltindex is the default search index: records and their
// postings in one bbolt file, posting lists as roaring-style chunks of
// 65,536 document ids, queries evaluated with roaring bitmaps.
//
// Layout (bucket names carry Options.BucketPrefix):
//
//	post  [index id][key kind] TermKey(term) 0x00 [chunk uint16 BE] -> chunk
//	docs  [doc id uint32 BE] -> external key + indexed fields of the record
//	raw   [doc id] -> the caller's record bytes, returned by Records
//	sort  [doc id] -> title, author and date sort keys
//	keys  external key -> [doc id]
//	meta  counters
//
// Index id 0 is reserved for the all-records list. A chunk holds the low
// 16 bits of the ids that share their high 16 bits, so a re-index touches
// one small value per term, whatever the term's frequency. Phrase, position
// and completeness checks run against the stored fields of the candidate
// records (see search.Plan), not against word positions.
package boltindex

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"go.etcd.io/bbolt"
)

// Options tune an Index. The zero value is usable.
type Options struct {
	// BucketPrefix is put in front of every bucket name, so the index can
	// share a bbolt file with other data. Default "search.".
	BucketPrefix string
	// NoSync skips fsync on commit (Open only); for bulk imports that are
	// redone from scratch after a crash.
	NoSync bool
}

// Index is a search index and record store in bbolt. It is safe for
// concurrent use; writes are serialised by bbolt.
type Index struct {
	db    *bbolt.DB
	ownDB bool
	names bucketNames
	tags  map[string]bool
	// rebuilt counts the records re-indexed on opening because the index
	// was built under another search.KeysVersion.
	rebuilt int
}

type bucketNames struct {
	post, docs, raw, sort, keys, meta []byte
}

// Open opens (creating if needed) the bbolt file at path and the index in
// it. Close closes the file.
func Open(path string, opts *Options) (*Index, error) {
	if opts == nil {
		opts = &Options{}
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout:         5 * time.Second,
		NoSync:          opts.NoSync,
		NoFreelistSync:  true,
		FreelistType:    bbolt.FreelistMapType,
		InitialMmapSize: 1 << 30, // address space only; avoids remapping while an import grows the file
	})
	if err != nil {
		return nil, fmt.Errorf("boltindex: open %s: %w", path, err)
	}
	ix, err := New(db, opts)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	ix.ownDB = true
	return ix, nil
}

// New opens the index inside an already open bbolt database, creating its
// buckets if needed. An index built under another search.KeysVersion is
// rebuilt from its stored records first (see Rebuilt). Close does not
// close db.
func New(db *bbolt.DB, opts *Options) (*Index, error) {
	prefix := "search."
	if opts != nil && opts.BucketPrefix != "" {
		prefix = opts.BucketPrefix
	}
	ix := &Index{db: db, tags: indexedTags(), names: bucketNames{
		post: []byte(prefix + "post"), docs: []byte(prefix + "docs"), raw: []byte(prefix + "raw"),
		sort: []byte(prefix + "sort"), keys: []byte(prefix + "keys"), meta: []byte(prefix + "meta"),
	}}
	err := db.Update(func(tx *bbolt.Tx) error {
		for _, n := range [][]byte{ix.names.post, ix.names.docs, ix.names.raw, ix.names.sort, ix.names.keys, ix.names.meta} {
			if _, err := tx.CreateBucketIfNotExists(n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltindex: create buckets: %w", err)
	}
	if ix.rebuilt, err = ix.checkFormat(context.Background()); err != nil {
		return nil, err
	}
	return ix, nil
}

// Rebuilt reports how many records were re-indexed when the index was
// opened because it had been built under another search.KeysVersion (0
// when it was current).
func (ix *Index) Rebuilt() int { return ix.rebuilt }

// Close releases the index, closing the database if Open opened it.
func (ix *Index) Close() error {
	if ix.ownDB {
		return ix.db.Close()
	}
	return nil
}

// DB returns the underlying database.
func (ix *Index) DB() *bbolt.DB { return ix.db }

type buckets struct {
	post, docs, raw, sort, keys, meta *bbolt.Bucket
}

func (ix *Index) buckets(tx *bbolt.Tx) (*buckets, error) {
	b := &buckets{
		post: tx.Bucket(ix.names.post), docs: tx.Bucket(ix.names.docs), raw: tx.Bucket(ix.names.raw),
		sort: tx.Bucket(ix.names.sort), keys: tx.Bucket(ix.names.keys), meta: tx.Bucket(ix.names.meta),
	}
	if b.post == nil || b.docs == nil || b.raw == nil || b.sort == nil || b.keys == nil || b.meta == nil {
		return nil, errors.New("boltindex: buckets missing")
	}
	return b, nil
}

var (
	metaRecords = []byte("records")
	metaChunks  = []byte("chunks")
)

func getCounter(meta *bbolt.Bucket, name []byte) int64 {
	v := meta.Get(name)
	if len(v) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}

func addCounter(meta *bbolt.Bucket, name []byte, delta int64) error {
	if delta == 0 {
		return nil
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(getCounter(meta, name)+delta))
	return meta.Put(name, b[:])
}

func idKey(id uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], id)
	return b[:]
}

// Stats describes the size of an index, for metrics.
type Stats struct {
	Records int64 // records stored
	// Chunks counts posting chunks: one per term and 65,536-id range it
	// has records in; for catalogues under 65,536 records it is the number
	// of distinct terms.
	Chunks int64
	Bytes  int64 // size of the database file
}

// Stats returns the current counts.
func (ix *Index) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	err := ix.view(ctx, func(tx *bbolt.Tx, b *buckets) error {
		s.Records = getCounter(b.meta, metaRecords)
		s.Chunks = getCounter(b.meta, metaChunks)
		s.Bytes = tx.Size()
		return nil
	})
	return s, err
}

func (ix *Index) view(ctx context.Context, fn func(*bbolt.Tx, *buckets) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return ix.db.View(func(tx *bbolt.Tx) error {
		b, err := ix.buckets(tx)
		if err != nil {
			return err
		}
		return fn(tx, b)
	})
}

// allKeyPrefix is the posting prefix of the all-records list.
var allKeyPrefix = []byte{0, byte('w'), 0}

// allRecords reads the all-records list.
func allRecords(post *bbolt.Bucket) *roaring.Bitmap {
	bm := roaring.New()
	c := post.Cursor()
	for k, v := c.Seek(allKeyPrefix); len(k) == len(allKeyPrefix)+2 && bytes.HasPrefix(k, allKeyPrefix); k, v = c.Next() {
		bm.Or(chunkBitmap(binary.BigEndian.Uint16(k[len(allKeyPrefix):]), v))
	}
	return bm
}
