package boltindex

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/bibgate/bibgate/search"
	"go.etcd.io/bbolt"
)

// Search evaluates q and returns the exact count and the ids of the
// matching records in ascending order. Unsupported attributes give a
// *search.Diagnostic.
func (ix *Index) Search(ctx context.Context, q search.Query) (search.Result, error) {
	var res search.Result
	err := ix.view(ctx, func(_ *bbolt.Tx, b *buckets) error {
		ev := &evaluator{ctx: ctx, b: b}
		bm, err := ev.eval(q)
		if err != nil {
			return err
		}
		res.IDs = bm.ToArray()
		res.Count = len(res.IDs)
		return nil
	})
	if err != nil {
		return search.Result{}, fmt.Errorf("boltindex: search %s: %w", q, err)
	}
	return res, nil
}

// SearchBitmap is Search returning the result as a roaring bitmap, for
// callers that combine result sets themselves.
func (ix *Index) SearchBitmap(ctx context.Context, q search.Query) (*roaring.Bitmap, error) {
	var out *roaring.Bitmap
	err := ix.view(ctx, func(_ *bbolt.Tx, b *buckets) error {
		ev := &evaluator{ctx: ctx, b: b}
		bm, err := ev.eval(q)
		out = bm
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("boltindex: search %s: %w", q, err)
	}
	return out, nil
}

type evaluator struct {
	ctx   context.Context
	b     *buckets
	all   *roaring.Bitmap
	steps int
}

func (ev *evaluator) allRecords() *roaring.Bitmap {
	if ev.all == nil {
		ev.all = allRecords(ev.b.post)
	}
	return ev.all.Clone()
}

func (ev *evaluator) eval(q search.Query) (*roaring.Bitmap, error) {
	if err := ev.ctx.Err(); err != nil {
		return nil, err
	}
	switch q := q.(type) {
	case *search.And:
		l, err := ev.eval(q.Left)
		if err != nil || l.IsEmpty() {
			return l, err
		}
		r, err := ev.eval(q.Right)
		if err != nil {
			return nil, err
		}
		l.And(r)
		return l, nil
	case *search.Or:
		l, err := ev.eval(q.Left)
		if err != nil {
			return nil, err
		}
		r, err := ev.eval(q.Right)
		if err != nil {
			return nil, err
		}
		l.Or(r)
		return l, nil
	case *search.Not:
		l, err := ev.eval(q.Left)
		if err != nil || l.IsEmpty() {
			return l, err
		}
		r, err := ev.eval(q.Right)
		if err != nil {
			return nil, err
		}
		l.AndNot(r)
		return l, nil
	case *search.All:
		return ev.allRecords(), nil
	case *search.Set:
		bm := roaring.BitmapOf(q.IDs...)
		bm.And(ev.allRecords())
		return bm, nil
	case *search.Term:
		p, err := search.PlanTerm(q)
		if err != nil {
			return nil, err
		}
		return ev.plan(p)
	case *search.Prox:
		return ev.prox(q)
	case nil:
		return nil, fmt.Errorf("nil query")
	}
	return nil, fmt.Errorf("unknown query node %T", q)
}

func (ev *evaluator) plan(p *search.Plan) (*roaring.Bitmap, error) {
	var res *roaring.Bitmap
	switch {
	case p.Every:
		res = ev.allRecords()
	case p.Sub != nil:
		for _, sp := range p.Sub {
			bm, err := ev.plan(sp)
			if err != nil {
				return nil, err
			}
			switch {
			case res == nil:
				res = bm
			case p.Union:
				res.Or(bm)
			default:
				res.And(bm)
			}
			if !p.Union && res.IsEmpty() {
				break
			}
		}
	default:
		for _, l := range p.Lookups {
			bm, err := ev.lookup(p.Index.ID, l)
			if err != nil {
				return nil, err
			}
			if res == nil {
				res = bm
			} else {
				res.And(bm)
			}
			if res.IsEmpty() {
				break
			}
		}
	}
	if res == nil {
		res = roaring.New()
	}
	if p.Verify != nil && !res.IsEmpty() {
		kept, err := ev.verify(res, p)
		if err != nil {
			return nil, err
		}
		res = kept
	}
	if p.Negate {
		all := ev.allRecords()
		all.AndNot(res)
		res = all
	}
	return res, nil
}

// prox answers a proximity search: the records matching every term of it,
// checked for word positions in their stored fields.
func (ev *evaluator) prox(q *search.Prox) (*roaring.Bitmap, error) {
	pp, err := search.PlanProx(q)
	if err != nil {
		return nil, err
	}
	var cand *roaring.Bitmap
	for _, t := range pp.Terms {
		bm, err := ev.eval(t)
		if err != nil {
			return nil, err
		}
		if cand == nil {
			cand = bm
		} else {
			cand.And(bm)
		}
		if cand.IsEmpty() {
			return cand, nil
		}
	}
	if cand == nil {
		return roaring.New(), nil
	}
	return ev.verify(cand, &search.Plan{Index: pp.Index, Verify: pp.Verify})
}

// bstr views b as a string without copying; b must outlive the string's
// use, which holds for bbolt memory inside the transaction.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// lookup unions the postings of the keys a Lookup selects.
func (ev *evaluator) lookup(id uint8, l search.Lookup) (*roaring.Bitmap, error) {
	parts, err := ev.lookupKind(nil, id, l.Kind, l)
	if err == nil && l.Also != 0 {
		parts, err = ev.lookupKind(parts, id, l.Also, l)
	}
	if err != nil {
		return nil, err
	}
	switch len(parts) {
	case 0:
		return roaring.New(), nil
	case 1:
		return parts[0], nil
	}
	return roaring.FastOr(parts...), nil
}

// lookupKind appends the postings of the keys of one kind l selects.
func (ev *evaluator) lookupKind(parts []*roaring.Bitmap, id uint8, kind search.KeyKind, l search.Lookup) ([]*roaring.Bitmap, error) {
	prefix := []byte{id, byte(kind)}
	c := ev.b.post.Cursor()
	seek := append(slices.Clip(prefix), l.Start...)
	var lastTerm []byte
	accepted := false
	for k, v := c.Seek(seek); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) < len(prefix)+3 {
			continue
		}
		term := k[len(prefix) : len(k)-3]
		if !bytes.Equal(term, lastTerm) {
			ev.steps++
			if ev.steps%4096 == 0 {
				if err := ev.ctx.Err(); err != nil {
					return nil, err
				}
			}
			lastTerm = term
			fold, t := search.SplitTermKey(bstr(term))
			if l.Stop != nil && l.Stop(fold) {
				break
			}
			accepted = l.Accept == nil || l.Accept(fold, t)
		}
		if accepted {
			parts = append(parts, chunkBitmap(binary.BigEndian.Uint16(k[len(k)-2:]), v))
		}
	}
	return parts, nil
}

// verify keeps the candidates whose stored fields pass the plan's check.
func (ev *evaluator) verify(cand *roaring.Bitmap, p *search.Plan) (*roaring.Bitmap, error) {
	kept := roaring.New()
	it := cand.Iterator()
	n := 0
	for it.HasNext() {
		id := it.Next()
		if n++; n%1024 == 0 {
			if err := ev.ctx.Err(); err != nil {
				return nil, err
			}
		}
		v := ev.b.docs.Get(idKey(id))
		if v == nil {
			continue
		}
		_, rec, err := decodeDocFields(v, p.Index.Reads)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", id, err)
		}
		if p.Verify(rec) {
			kept.Add(id)
		}
	}
	return kept, nil
}

// Records returns the stored raw bytes of each id, in the order given; an
// id that holds no record gives nil in its place.
func (ix *Index) Records(ctx context.Context, ids []uint32) ([][]byte, error) {
	out := make([][]byte, len(ids))
	err := ix.view(ctx, func(_ *bbolt.Tx, b *buckets) error {
		for i, id := range ids {
			if v := b.raw.Get(idKey(id)); v != nil {
				out[i] = bytes.Clone(v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltindex: records: %w", err)
	}
	return out, nil
}

// Keys returns the external key of each id, "" where an id holds no record.
func (ix *Index) Keys(ctx context.Context, ids []uint32) ([]string, error) {
	out := make([]string, len(ids))
	err := ix.view(ctx, func(_ *bbolt.Tx, b *buckets) error {
		for i, id := range ids {
			v := b.docs.Get(idKey(id))
			if v == nil {
				continue
			}
			k, err := docKey(v)
			if err != nil {
				return err
			}
			out[i] = k
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltindex: keys: %w", err)
	}
	return out, nil
}

// ID returns the internal id of the record stored under key; ok is false
// when there is none.
func (ix *Index) ID(ctx context.Context, key string) (id uint32, ok bool, err error) {
	err = ix.view(ctx, func(_ *bbolt.Tx, b *buckets) error {
		if v := b.keys.Get([]byte(key)); len(v) == 4 {
			id, ok = binary.BigEndian.Uint32(v), true
		}
		return nil
	})
	return id, ok, err
}

// Sort returns ids ordered by the sort specs, each applied in turn; ties
// keep their input order. Records without a value for a key sort after
// those with one, in either direction; ids that hold no record go last.
func (ix *Index) Sort(ctx context.Context, ids []uint32, by ...search.SortSpec) ([]uint32, error) {
	type item struct {
		id   uint32
		keys search.SortKeys
		ok   bool
	}
	items := make([]item, len(ids))
	err := ix.view(ctx, func(_ *bbolt.Tx, b *buckets) error {
		for i, id := range ids {
			items[i].id = id
			v := b.sort.Get(idKey(id))
			if v == nil {
				continue
			}
			s, err := decodeSort(v)
			if err != nil {
				return fmt.Errorf("record %d: %w", id, err)
			}
			items[i].keys, items[i].ok = s, true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltindex: sort: %w", err)
	}
	slices.SortStableFunc(items, func(x, y item) int {
		if x.ok != y.ok {
			if x.ok {
				return -1
			}
			return 1
		}
		for _, s := range by {
			a, b := x.keys.Get(s.Key), y.keys.Get(s.Key)
			switch {
			case a == b:
				continue
			case a == "":
				return 1
			case b == "":
				return -1
			}
			c := strings.Compare(a, b)
			if s.Descending {
				c = -c
			}
			return c
		}
		return 0
	})
	out := make([]uint32, len(items))
	for i := range items {
		out[i] = items[i].id
	}
	return out, nil
}

// Scan lists terms of an index in order with their exact record counts,
// starting at the first term not before req.From (compared in folded
// form), with up to req.Before terms ahead of it.
func (ix *Index) Scan(ctx context.Context, req search.ScanRequest) ([]search.ScanTerm, error) {
	idx, err := search.ByName(req.Index)
	if err != nil {
		return nil, err
	}
	kind := search.KeyWord
	from := scanStart(idx, req)
	if req.Headings && idx.Headings {
		kind = search.KeyField
	}
	if req.Count <= 0 {
		return nil, nil
	}
	before := min(max(req.Before, 0), req.Count)
	var out []search.ScanTerm
	err = ix.view(ctx, func(_ *bbolt.Tx, b *buckets) error {
		prefix := []byte{idx.ID, byte(kind)}
		seek := append(slices.Clip(prefix), search.Fold(from)...)
		c := b.post.Cursor()
		// Walk back for the terms before the start.
		var back []search.ScanTerm
		if before > 0 {
			var v []byte
			k, _ := c.Seek(seek)
			if k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
			for ; k != nil && bytes.HasPrefix(k, prefix) && len(back) <= before; k, v = c.Prev() {
				if len(k) < len(prefix)+3 {
					continue
				}
				t := string(k[len(prefix) : len(k)-3])
				if n := len(back); n > 0 && back[n-1].Term == t {
					back[n-1].Count += chunkCount(v)
					continue
				}
				back = append(back, search.ScanTerm{Term: t, Count: chunkCount(v)})
			}
			if len(back) > before {
				back = back[:before]
			}
			slices.Reverse(back)
		}
		out = back
		rest := len(out)
		for k, v := c.Seek(seek); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(k) < len(prefix)+3 {
				continue
			}
			t := string(k[len(prefix) : len(k)-3])
			if n := len(out); n > rest && out[n-1].Term == t {
				out[n-1].Count += chunkCount(v)
				continue
			}
			if len(out) == req.Count {
				break
			}
			out = append(out, search.ScanTerm{Term: t, Count: chunkCount(v)})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltindex: scan %s: %w", idx.Name, err)
	}
	for i := range out {
		_, out[i].Term = search.SplitTermKey(out[i].Term)
	}
	return out, nil
}

// scanStart normalises a scan's start term the way the index files terms.
func scanStart(idx *search.Index, req search.ScanRequest) string {
	switch idx.Kind {
	case search.KindText:
		if req.Headings && idx.Headings {
			return search.Phrase(req.From)
		}
		if toks := search.Tokens(req.From); len(toks) > 0 {
			return toks[0]
		}
		return ""
	case search.KindISBN:
		return search.ISBNScanStart(req.From)
	case search.KindISSN:
		return search.NormalizeISSN(req.From)
	case search.KindLCCN:
		return search.NormalizeLCCN(req.From)
	}
	return search.Normalize(strings.TrimSpace(req.From))
}
