package boltindex

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
	"go.etcd.io/bbolt"
)

// Doc is one record to index: its external key (usually the 001 control
// number), the record, and the bytes Records returns for it.
type Doc struct {
	Key    string
	Record *marc.Record
	Raw    []byte
}

// MaxKey is the longest external key accepted, in bytes.
const MaxKey = 1024

// ErrNotFound is returned for an external key the index does not hold.
var ErrNotFound = errors.New("boltindex: record not found")

// Put indexes one record under key in its own transaction. A record already
// stored under key is replaced in place: it keeps its id, and the terms it
// no longer has stop matching it.
func (ix *Index) Put(ctx context.Context, key string, rec *marc.Record, raw []byte) error {
	return ix.PutBatch(ctx, []Doc{{Key: key, Record: rec, Raw: raw}})
}

// PutBatch indexes many records in one transaction, the way imports should:
// postings are gathered in memory and each touched chunk is written once.
// When a key occurs more than once, the last occurrence wins. Either every
// record is indexed or, on error, none.
func (ix *Index) PutBatch(ctx context.Context, docs []Doc) error {
	_, err := ix.PutBatchReport(ctx, docs)
	return err
}

// PutReport tells what a PutBatch did with its records.
type PutReport struct {
	// Added counts records stored under a key the index did not hold.
	Added int
	// Replaced lists the key of every record that took the place of
	// another with the same key: one already stored, or one earlier in the
	// same batch. A key is listed once per replacement, so Added plus
	// len(Replaced) is the number of records in the batch.
	Replaced []string
}

// PutBatchReport is PutBatch, reporting which records were new and which
// replaced another.
func (ix *Index) PutBatchReport(ctx context.Context, docs []Doc) (PutReport, error) {
	var rep PutReport
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	last, err := checkDocs(docs)
	if err != nil {
		return rep, err
	}
	err = ix.db.Update(func(tx *bbolt.Tx) error {
		b, err := ix.buckets(tx)
		if err != nil {
			return err
		}
		rep, err = ix.putDocs(ctx, b, docs, last)
		return err
	})
	if err != nil {
		return PutReport{}, fmt.Errorf("boltindex: put batch: %w", err)
	}
	return rep, nil
}

// checkDocs checks the keys and records of docs and maps each key to its
// last position.
func checkDocs(docs []Doc) (map[string]int, error) {
	last := make(map[string]int, len(docs))
	for i, d := range docs {
		if d.Key == "" || len(d.Key) > MaxKey {
			return nil, fmt.Errorf("boltindex: put: record %d: key of %d bytes (1 to %d allowed)", i, len(d.Key), MaxKey)
		}
		if d.Record == nil {
			return nil, fmt.Errorf("boltindex: put %q: nil record", d.Key)
		}
		last[d.Key] = i
	}
	return last, nil
}

// putDocs stores docs (already checked; last maps each key to its last
// position) in the transaction of b.
func (ix *Index) putDocs(ctx context.Context, b *buckets, docs []Doc, last map[string]int) (PutReport, error) {
	b.docs.FillPercent, b.raw.FillPercent, b.sort.FillPercent = 0.9, 0.9, 0.9
	acc := newAccum(len(docs))
	var added int64
	var replaced []string
	seen := make(map[string]bool, len(docs))
	for i, d := range docs {
		if seen[d.Key] {
			replaced = append(replaced, d.Key) // replaces the one before it in the batch
		}
		seen[d.Key] = true
		if last[d.Key] != i {
			continue
		}
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return PutReport{}, err
			}
		}
		isNew, err := ix.putOne(b, acc, d)
		if err != nil {
			return PutReport{}, fmt.Errorf("boltindex: put %q: %w", d.Key, err)
		}
		if isNew {
			added++
		} else {
			replaced = append(replaced, d.Key) // replaces the stored one
		}
	}
	if err := acc.flush(ctx, b); err != nil {
		return PutReport{}, err
	}
	return PutReport{Added: int(added), Replaced: replaced}, addCounter(b.meta, metaRecords, added)
}

func (ix *Index) putOne(b *buckets, acc *accum, d Doc) (isNew bool, err error) {
	ex := search.Extract(d.Record)
	var id uint32
	if v := b.keys.Get([]byte(d.Key)); v != nil {
		if len(v) != 4 {
			return false, errCorrupt
		}
		id = binary.BigEndian.Uint32(v)
		old := b.docs.Get(v)
		if old == nil {
			return false, errCorrupt
		}
		_, oldRec, err := decodeDoc(old)
		if err != nil {
			return false, err
		}
		oldKeys := postingKeys(search.Extract(oldRec))
		diffKeys(oldKeys, postingKeys(ex), func(k string) { acc.del(k, id) }, func(k string) { acc.add(k, id) })
	} else {
		seq, err := b.docs.NextSequence()
		if err != nil {
			return false, err
		}
		if seq > math.MaxUint32 {
			return false, errors.New("document ids exhausted")
		}
		id = uint32(seq)
		if err := b.keys.Put([]byte(d.Key), idKey(id)); err != nil {
			return false, err
		}
		eachPostingKey(ex, func(k []byte) {
			acc.adds = append(acc.adds, posting{acc.keyNumBytes(k), id})
		})
		acc.add(allKey, id)
		isNew = true
	}
	k := idKey(id)
	if err := b.docs.Put(k, encodeDoc(nil, d.Key, d.Record, ix.tags)); err != nil {
		return false, err
	}
	raw := d.Raw
	if raw == nil {
		raw = []byte{}
	}
	if err := b.raw.Put(k, slices.Clone(raw)); err != nil {
		return false, err
	}
	return isNew, b.sort.Put(k, encodeSort(nil, ex.Sort))
}

// Delete removes the record stored under key and all its postings. It
// returns ErrNotFound when there is none.
func (ix *Index) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := ix.db.Update(func(tx *bbolt.Tx) error {
		b, err := ix.buckets(tx)
		if err != nil {
			return err
		}
		return ix.deleteKey(ctx, b, key)
	})
	if err != nil {
		return fmt.Errorf("boltindex: delete %q: %w", key, err)
	}
	return nil
}

// deleteKey removes the record under key in the transaction of b, or
// returns ErrNotFound.
func (ix *Index) deleteKey(ctx context.Context, b *buckets, key string) error {
	v := b.keys.Get([]byte(key))
	if v == nil {
		return ErrNotFound
	}
	if len(v) != 4 {
		return errCorrupt
	}
	id := binary.BigEndian.Uint32(v)
	k := idKey(id)
	old := b.docs.Get(k)
	if old == nil {
		return errCorrupt
	}
	_, oldRec, err := decodeDoc(old)
	if err != nil {
		return err
	}
	acc := newAccum(1)
	for _, pk := range postingKeys(search.Extract(oldRec)) {
		acc.del(pk, id)
	}
	acc.del(allKey, id)
	if err := acc.flush(ctx, b); err != nil {
		return err
	}
	for _, bk := range []*bbolt.Bucket{b.docs, b.raw, b.sort} {
		if err := bk.Delete(k); err != nil {
			return err
		}
	}
	if err := b.keys.Delete([]byte(key)); err != nil {
		return err
	}
	return addCounter(b.meta, metaRecords, -1)
}

// allKey is the posting key (without chunk) of the all-records list.
var allKey = string(allKeyPrefix[:2])

// postingKey is the posting key of a term without its chunk suffix.
func postingKey(id uint8, kind search.KeyKind, termKey string) string {
	b := make([]byte, 0, 2+len(termKey))
	b = append(b, id, byte(kind))
	return string(append(b, termKey...))
}

// eachPostingKey calls fn with every posting key of an extraction, in a
// buffer that is reused between calls.
func eachPostingKey(ex *search.Extracted, fn func(k []byte)) {
	var buf []byte
	for name, ks := range ex.Keys {
		ix, err := search.ByName(name)
		if err != nil {
			continue
		}
		for _, k := range ks {
			buf = append(append(buf[:0], ix.ID, byte(k.Kind)), search.TermKey(k.Term)...)
			fn(buf)
		}
	}
}

// postingKeys lists the posting keys of an extraction, sorted.
func postingKeys(ex *search.Extracted) []string {
	n := 0
	for _, ks := range ex.Keys {
		n += len(ks)
	}
	out := make([]string, 0, n)
	for name, ks := range ex.Keys {
		ix, err := search.ByName(name)
		if err != nil {
			continue
		}
		for _, k := range ks {
			out = append(out, postingKey(ix.ID, k.Kind, search.TermKey(k.Term)))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// diffKeys calls gone for keys only in old and came for keys only in new;
// both lists are sorted.
func diffKeys(old, new []string, gone, came func(string)) {
	i, j := 0, 0
	for i < len(old) || j < len(new) {
		switch {
		case j == len(new) || (i < len(old) && old[i] < new[j]):
			gone(old[i])
			i++
		case i == len(old) || new[j] < old[i]:
			came(new[j])
			j++
		default:
			i++
			j++
		}
	}
}

// accum gathers the posting changes of one transaction: every distinct
// posting key once, and flat (key number, id) pairs for additions and
// removals, so a batch of thousands of records costs a few large slices
// rather than a slice per term.
type accum struct {
	idx  map[string]uint32
	keys []string
	adds []posting
	dels []posting
}

type posting struct{ key, id uint32 }

// newAccum sizes the accumulator for about docs records.
func newAccum(docs int) *accum {
	return &accum{idx: make(map[string]uint32, 48*docs), adds: make([]posting, 0, 128*docs)}
}

func (a *accum) keyNum(k string) uint32 {
	n, ok := a.idx[k]
	if !ok {
		n = uint32(len(a.keys))
		a.idx[k] = n
		a.keys = append(a.keys, k)
	}
	return n
}

// keyNumBytes is keyNum without allocating for keys already seen.
func (a *accum) keyNumBytes(k []byte) uint32 {
	if n, ok := a.idx[string(k)]; ok {
		return n
	}
	return a.keyNum(string(k))
}

func (a *accum) add(k string, id uint32) { a.adds = append(a.adds, posting{a.keyNum(k), id}) }
func (a *accum) del(k string, id uint32) { a.dels = append(a.dels, posting{a.keyNum(k), id}) }

// group orders postings by key rank (a counting sort, stable, so ids
// gathered in ascending order stay so) and returns, per rank, the end of its
// run.
func group(ps []posting, rank []uint32) (sorted []posting, ends []int) {
	ends = make([]int, len(rank))
	for _, p := range ps {
		ends[rank[p.key]]++
	}
	sum := 0
	for i, c := range ends {
		sum += c
		ends[i] = sum
	}
	sorted = make([]posting, len(ps))
	next := make([]int, len(rank))
	for i := range next {
		if i > 0 {
			next[i] = ends[i-1]
		}
	}
	for _, p := range ps {
		r := rank[p.key]
		sorted[next[r]] = p
		next[r]++
	}
	return sorted, ends
}

func idsOf(ps []posting, dst []uint32) []uint32 {
	dst = dst[:0]
	for _, p := range ps {
		dst = append(dst, p.id)
	}
	if !slices.IsSorted(dst) {
		slices.Sort(dst)
	}
	return slices.Compact(dst)
}

// flush writes the gathered changes, key by key in storage order.
func (a *accum) flush(ctx context.Context, b *buckets) error {
	order := make([]uint32, len(a.keys))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(x, y uint32) int { return strings.Compare(a.keys[x], a.keys[y]) })
	rank := make([]uint32, len(a.keys))
	for r, k := range order {
		rank[k] = uint32(r)
	}
	adds, addEnds := group(a.adds, rank)
	dels, delEnds := group(a.dels, rank)
	var chunks int64
	var add, del []uint32
	var oldLows, addLows, delLows, merged []uint16
	for r, kn := range order {
		if r%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		k := a.keys[kn]
		addStart, delStart := 0, 0
		if r > 0 {
			addStart, delStart = addEnds[r-1], delEnds[r-1]
		}
		add = idsOf(adds[addStart:addEnds[r]], add)
		del = idsOf(dels[delStart:delEnds[r]], del)
		i, j := 0, 0
		for i < len(add) || j < len(del) {
			var hi uint16
			switch {
			case j == len(del):
				hi = chunkOf(add[i])
			case i == len(add):
				hi = chunkOf(del[j])
			default:
				hi = min(chunkOf(add[i]), chunkOf(del[j]))
			}
			addLows, delLows = addLows[:0], delLows[:0]
			for ; i < len(add) && chunkOf(add[i]) == hi; i++ {
				addLows = append(addLows, uint16(add[i]))
			}
			for ; j < len(del) && chunkOf(del[j]) == hi; j++ {
				delLows = append(delLows, uint16(del[j]))
			}
			full := make([]byte, len(k)+3)
			copy(full, k)
			binary.BigEndian.PutUint16(full[len(k)+1:], hi)
			old := b.post.Get(full)
			if old == nil && len(delLows) == 0 {
				merged = addLows
			} else {
				oldLows = decodeChunk(oldLows[:0], old)
				merged = mergeLows(merged[:0:0], oldLows, addLows, delLows)
			}
			switch {
			case len(merged) == 0 && old != nil:
				if err := b.post.Delete(full); err != nil {
					return err
				}
				chunks--
			case len(merged) > 0:
				if old == nil {
					chunks++
				}
				if err := b.post.Put(full, encodeChunk(nil, merged)); err != nil {
					return err
				}
			}
		}
	}
	return addCounter(b.meta, metaChunks, chunks)
}
