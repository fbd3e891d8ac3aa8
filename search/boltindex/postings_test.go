package boltindex

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
	"go.etcd.io/bbolt"
)

func lowsUpTo(n int, step int) []uint16 {
	var out []uint16
	for i := 0; i < n; i++ {
		out = append(out, uint16(i*step))
	}
	return out
}

func TestChunkRoundTrip(t *testing.T) {
	for _, n := range []int{1, 2, 100, arrayMax - 1, arrayMax, arrayMax + 1, 30000, 65536} {
		step := 1
		if n <= 65536/16 {
			step = 16
		}
		lows := lowsUpTo(n, step)
		v := encodeChunk(nil, lows)
		if got := decodeChunk(nil, v); !slices.Equal(got, lows) {
			t.Fatalf("n=%d: decode differs", n)
		}
		if got := chunkCount(v); got != n {
			t.Errorf("n=%d: chunkCount = %d", n, got)
		}
		if (n > arrayMax) != isBitmap(v) {
			t.Errorf("n=%d: bitmap form = %v", n, isBitmap(v))
		}
		const hi = 3
		bm := chunkBitmap(hi, v)
		if int(bm.GetCardinality()) != n {
			t.Fatalf("n=%d: bitmap cardinality %d", n, bm.GetCardinality())
		}
		for _, l := range []uint16{lows[0], lows[n/2], lows[n-1]} {
			if !bm.Contains(hi<<16 | uint32(l)) {
				t.Errorf("n=%d: bitmap lacks %d", n, l)
			}
		}
		if bm.Contains(uint32(lows[0])) {
			t.Errorf("n=%d: id placed in chunk 0", n)
		}
	}
}

func TestMergeLows(t *testing.T) {
	got := mergeLows(nil, []uint16{1, 3, 5, 7}, []uint16{2, 3, 8}, []uint16{1, 8, 9})
	if want := []uint16{2, 3, 5, 7}; !slices.Equal(got, want) {
		t.Errorf("mergeLows = %v, want %v", got, want)
	}
	if got := mergeLows(nil, nil, nil, []uint16{1}); len(got) != 0 {
		t.Errorf("merge of nothing = %v", got)
	}
}

func smallRecord(key, title string) *marc.Record {
	return &marc.Record{Leader: "00000nam a2200000 a 4500", Fields: []marc.Field{
		{Tag: "001", Value: key},
		{Tag: "245", Ind1: '1', Ind2: '0', Subfields: []marc.Subfield{{Code: 'a', Value: title}}},
	}}
}

func count(t *testing.T, ix *Index, q search.Query) int {
	t.Helper()
	res, err := ix.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return res.Count
}

// TestLargePostings crosses the array/bitmap boundary of a chunk and the
// 65,536-id boundary between chunks, in both directions.
func TestLargePostings(t *testing.T) {
	ix, err := Open(filepath.Join(t.TempDir(), "i.db"), &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	// Start ids just below a chunk boundary.
	err = ix.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(ix.names.docs).SetSequence(65536 - 2000)
	})
	if err != nil {
		t.Fatal(err)
	}
	const n = 4200
	docs := make([]Doc, n)
	for i := range docs {
		key := fmt.Sprintf("r%05d", i)
		docs[i] = Doc{Key: key, Record: smallRecord(key, fmt.Sprintf("common word%d", i%3))}
	}
	if err := ix.PutBatch(ctx, docs); err != nil {
		t.Fatal(err)
	}
	common := &search.Term{Index: "title", Text: "common"}
	if got := count(t, ix, common); got != n {
		t.Fatalf("common: %d hits, want %d", got, n)
	}
	if got := count(t, ix, &search.Term{Index: "title", Text: "word1"}); got != n/3 {
		t.Fatalf("word1: %d hits, want %d", got, n/3)
	}
	// ids 63537..67736: 2000 below the boundary, 2200 above.
	first, _, _ := ix.ID(ctx, "r00000")
	last, _, _ := ix.ID(ctx, fmt.Sprintf("r%05d", n-1))
	if first >= 65536 || last < 65536 {
		t.Fatalf("ids %d..%d do not cross a chunk boundary", first, last)
	}
	// Replace records on both sides so the chunks shrink back to arrays.
	var redo []Doc
	for i := 0; i < n; i += 2 {
		key := fmt.Sprintf("r%05d", i)
		redo = append(redo, Doc{Key: key, Record: smallRecord(key, "rare")})
	}
	if err := ix.PutBatch(ctx, redo); err != nil {
		t.Fatal(err)
	}
	if got := count(t, ix, common); got != n/2 {
		t.Errorf("common after replacing half: %d, want %d", got, n/2)
	}
	if got := count(t, ix, &search.Term{Index: "title", Text: "rare"}); got != n/2 {
		t.Errorf("rare: %d, want %d", got, n/2)
	}
	if got := count(t, ix, &search.Not{Left: &search.All{}, Right: common}); got != n/2 {
		t.Errorf("not common: %d, want %d", got, n/2)
	}
	scan, err := ix.Scan(ctx, search.ScanRequest{Index: "title", From: "common", Count: 1})
	if err != nil || len(scan) != 1 || scan[0].Count != n/2 {
		t.Errorf("scan common = %v, %v", scan, err)
	}
	for i := 1; i < n; i += 2 {
		if err := ix.Delete(ctx, fmt.Sprintf("r%05d", i)); err != nil {
			t.Fatal(err)
		}
		if i > 200 {
			break
		}
	}
	if got, want := count(t, ix, common), n/2-101; got != want {
		t.Errorf("common after deletes: %d, want %d", got, want)
	}
}

func TestDocRoundTrip(t *testing.T) {
	rec := &marc.Record{Leader: "00000nam a2200000 a 4500", Fields: []marc.Field{
		{Tag: "001", Value: "x1"},
		{Tag: "245", Ind1: '1', Ind2: '4', Subfields: []marc.Subfield{{Code: 'a', Value: "The title"}, {Code: 'b', Value: "sub"}}},
		{Tag: "952", Subfields: []marc.Subfield{{Code: 'a', Value: "local holdings, not indexed"}}},
	}}
	tags := indexedTags()
	v := encodeDoc(nil, "key1", rec, tags)
	key, got, err := decodeDoc(v)
	if err != nil || key != "key1" {
		t.Fatalf("decode: %q %v", key, err)
	}
	if got.Leader != rec.Leader || len(got.Fields) != 2 || got.Fields[1].Ind2 != '4' || got.Fields[1].Sub('b') != "sub" {
		t.Errorf("decoded %+v", got)
	}
	_, only, err := decodeDocFields(v, func(tag string) bool { return tag == "245" })
	if err != nil || len(only.Fields) != 1 || only.Fields[0].Tag != "245" {
		t.Errorf("filtered decode %+v, %v", only, err)
	}
	for i := range v {
		if _, _, err := decodeDoc(v[:i]); err == nil {
			t.Errorf("truncated value of %d bytes decoded", i)
		}
	}
}

// FuzzDecodeDoc feeds arbitrary stored values to the document decoder: it
// must fail cleanly, never panic, and whatever it accepts must re-encode to
// a value that decodes to the same record.
func FuzzDecodeDoc(f *testing.F) {
	tags := indexedTags()
	f.Add(encodeDoc(nil, "k", smallRecord("k", "Bērziņš title"), tags))
	f.Add(encodeDoc(nil, "", &marc.Record{}, tags))
	f.Add([]byte{1, 'k', 0, 200, 200, 200, 200, 1})
	f.Fuzz(func(t *testing.T, v []byte) {
		key, rec, err := decodeDoc(v)
		if err != nil {
			return
		}
		again := encodeDoc(nil, key, rec, tagsOf(rec))
		key2, rec2, err := decodeDoc(again)
		if err != nil || key2 != key || len(rec2.Fields) != len(rec.Fields) || rec2.Leader != rec.Leader {
			t.Fatalf("re-encoded value does not round-trip: %v", err)
		}
		for _, q := range []search.Query{&search.Term{Index: "title", Text: "a b c"}} {
			p, _ := search.PlanTerm(q.(*search.Term))
			if p.Verify != nil {
				p.Verify(rec)
			}
		}
	})
}

// tagsOf lets every tag of rec through, for re-encoding decoded records.
func tagsOf(rec *marc.Record) map[string]bool {
	m := map[string]bool{}
	for _, f := range rec.Fields {
		m[f.Tag] = true
	}
	return m
}

// TestHugeValues indexes values far beyond bbolt's key size limit.
func TestHugeValues(t *testing.T) {
	ix, err := Open(filepath.Join(t.TempDir(), "i.db"), &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	long := strings.Repeat("abcdefghij", 5000)
	rec := &marc.Record{Leader: "00000nam a2200000 a 4500", Fields: []marc.Field{
		{Tag: "001", Value: long},
		{Tag: "020", Subfields: []marc.Subfield{{Code: 'a', Value: strings.Repeat("1", 40000)}}},
		{Tag: "245", Subfields: []marc.Subfield{{Code: 'a', Value: long + " " + long}}},
	}}
	ctx := context.Background()
	if err := ix.Put(ctx, "huge", rec, nil); err != nil {
		t.Fatal(err)
	}
	for _, q := range []*search.Term{
		{Index: "title", Text: long},
		{Index: "title", Text: long + " " + long, Completeness: search.CompleteField},
		{Index: "local", Text: long},
	} {
		if got := count(t, ix, q); got != 1 {
			t.Errorf("%.40s…: %d hits", q.Text, got)
		}
	}
}
