package boltindex_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/boltindex"
	"github.com/bibgate/bibgate/search/internal/fixture"
)

func openFixture(t testing.TB) *boltindex.Index {
	t.Helper()
	ix, err := boltindex.Open(filepath.Join(t.TempDir(), "index.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	var docs []boltindex.Doc
	for _, e := range fixture.Catalogue() {
		docs = append(docs, boltindex.Doc{Key: e.Key, Record: e.Record, Raw: []byte("raw:" + e.Key)})
	}
	if err := ix.PutBatch(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	return ix
}

// hits runs q and returns the external keys of the hits, sorted.
func hits(t testing.TB, ix *boltindex.Index, q search.Query) []string {
	t.Helper()
	ctx := context.Background()
	res, err := ix.Search(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if res.Count != len(res.IDs) {
		t.Fatalf("%s: count %d but %d ids", q, res.Count, len(res.IDs))
	}
	keys, err := ix.Keys(ctx, res.IDs)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	return keys
}

func term(index, text string, attrs ...int) *search.Term {
	t := &search.Term{Index: index, Text: text}
	for i := 0; i+1 < len(attrs); i += 2 {
		switch v := attrs[i+1]; attrs[i] {
		case 2:
			t.Relation = search.Relation(v)
		case 3:
			t.Position = search.Position(v)
		case 4:
			t.Structure = search.Structure(v)
		case 5:
			t.Truncation = search.Truncation(v)
		case 6:
			t.Completeness = search.Completeness(v)
		}
	}
	return t
}

func ks(keys ...string) []string {
	slices.Sort(keys)
	if keys == nil {
		return []string{}
	}
	return keys
}

var lavRecords = ks("lv001", "lv002", "serial1", "map1", "music1", "lv004", "lv005", "lv006", "lv007", "lv008", "lv009")

func TestSearchFixture(t *testing.T) {
	ix := openFixture(t)
	all := ks(fixture.Keys(fixture.Catalogue())...)
	notLav := ks(slices.DeleteFunc(slices.Clone(all), func(k string) bool { return slices.Contains(lavRecords, k) })...)
	tests := []struct {
		name string
		q    search.Query
		want []string
	}{
		// Words and diacritic folding.
		{"title word with diacritics", term("title", "Dzejoļi"), ks("lv001", "lv009")},
		{"title word folded", term("title", "dzejoli"), ks("lv001", "lv009")},
		{"title word case", term("title", "HISTORY"), ks("lv003", "en003", "en004")},
		{"folded author finds every spelling", term("author", "berzins"), ks("lv001", "lv002", "lv003", "lv009")},
		{"exact author finds diacritics only", term("author", "Bērziņš"), ks("lv001", "lv002", "lv009")},
		{"upper-case diacritics", term("author", "BĒRZIŅŠ"), ks("lv001", "lv002", "lv009")},
		{"author folded right truncation", term("author", "berzin", 5, 1), ks("lv001", "lv002", "lv003", "lv007", "lv009")},
		{"author exact right truncation", term("author", "bērziņ", 5, 1), ks("lv001", "lv002", "lv007", "lv009")},
		{"author is not subject", term("author", "knuth"), ks("en001")},
		{"subject is not author", term("subject", "knuth"), ks("en007")},
		{"any finds both", term("any", "knuth"), ks("en001", "en007")},
		{"default index is any", term("", "knuth"), ks("en001", "en007")},
		{"isbn-13 as a keyword finds the isbn-10", term("any", "978-0-201-89683-1"), ks("en001")},
		{"isbn-10 as a keyword finds the isbn-13", term("any", "9984123456"), ks("lv002")},
		{"printed isbn as a keyword", term("any", "9984-00-123-7"), ks("lv001")},
		{"issn as a keyword", term("any", "0317-8471"), ks("serial2")},
		{"no such word", term("title", "zzzz"), ks()},
		{"empty term", term("title", " - "), ks()},
		// Structures.
		{"phrase", term("author", "bērziņš jānis", 4, 1), ks("lv001", "lv002")},
		{"multi-word word structure is a phrase", term("author", "berzins janis"), ks("lv001", "lv002")},
		{"phrase, diacritics on one word", term("author", "bērziņš janis", 4, 1), ks("lv001", "lv002")},
		{"phrase, diacritics on the other", term("author", "berzins jānis", 4, 1), ks("lv001", "lv002")},
		{"phrase, wrong diacritics", term("author", "bērziņa jānis", 4, 1), ks()},
		{"phrase of a feminine name", term("author", "berzina anna", 4, 1), ks("lv007")},
		{"three-word phrase", term("title", "history of the", 4, 1), ks("en003")},
		{"three-word phrase, not adjacent", term("title", "history the baltic", 4, 1), ks()},
		{"phrase order matters", term("author", "jānis bērziņš", 4, 1), ks()},
		{"phrase in any", term("any", "jānis bērziņš", 4, 1), ks("lv001")},
		{"phrase across subfields", term("title", "dziesmu svētki kora", 4, 1), ks("music1")},
		{"word list", term("author", "jānis bērziņš", 4, 6), ks("lv001", "lv002")},
		{"free form", term("title", "poezije sonetid", 4, 105), ks("si001", "ee003")},
		{"title phrase", term("title", "baltic states", 4, 1), ks("en003")},
		{"reversed phrase", term("title", "states baltic", 4, 1), ks()},
		// Position and completeness.
		{"subject phrase", term("subject", "latvian poetry", 4, 1), ks("lv001", "lv004", "lv009")},
		{"subject complete field", term("subject", "latvian poetry", 4, 1, 6, 3), ks("lv004", "lv009")},
		{"subject complete subfield", term("subject", "latvian poetry", 4, 1, 6, 2), ks("lv001", "lv004", "lv009")},
		{"subject first in field", term("subject", "latvian", 3, 1), ks("lv001", "lv002", "lv004", "lv009")},
		{"subject any position", term("subject", "latvian"), ks("lv001", "lv002", "lv004", "lv005", "lv009")},
		{"first in subfield", term("subject", "history", 3, 2), ks("lv003", "lv008", "en003", "en004")},
		{"not first in any subfield", term("subject", "states", 3, 2), ks()},
		{"not first in field", term("subject", "history", 3, 1), ks()},
		{"title first word", term("title", "the", 3, 1), ks("en001", "lv003", "serial2", "en005")},
		{"bath exact title", term("title", "Poezije", 3, 1, 4, 1, 6, 3), ks("si001")},
		{"bath exact title, long", term("title", "The history of Latvia", 3, 1, 4, 1, 6, 3), ks("lv003")},
		{"exact title is not a part", term("title", "of latvia", 3, 1, 4, 1, 6, 3), ks()},
		{"exact title without its non-filing article", term("title", "history of latvia", 3, 1, 4, 1, 6, 3), ks("lv003")},
		{"bath first words", term("title", "the art of", 3, 1, 4, 1, 6, 1), ks("en001")},
		{"bath first characters", term("title", "the art of comp", 3, 1, 4, 1, 5, 1, 6, 1), ks("en001")},
		{"first characters of a complete field", term("title", "history of t", 3, 1, 4, 1, 5, 1, 6, 3), ks("en003")},
		{"complete field in any", term("any", "latvian poetry", 4, 1, 6, 3), ks("lv004", "lv009")},
		{"first in field in any", term("any", "london", 3, 1), ks("lv003", "serial2", "en002", "en003", "en005")},
		{"not first in field in any", term("any", "penguin", 3, 1), ks()},
		// Truncation and masking.
		{"right truncation", term("title", "program", 5, 1), ks("en001", "en006")},
		{"left truncation", term("title", "ezije", 5, 2), ks("si001")},
		{"left truncation folded", term("title", "sture", 5, 2), ks("lv008")},
		{"both truncation", term("title", "gram", 5, 3), ks("en001", "en006")},
		{"phrase right truncation", term("title", "computer prog", 4, 1, 5, 1), ks("en001", "en006")},
		{"z39.58 one character", term("title", "dzies#as", 5, 104), ks("lv001", "music1")},
		{"z39.58 any run", term("title", "dz?", 5, 104), ks("lv001", "lv009", "music1")},
		{"z39.58 bounded run", term("title", "dz?2mas", 5, 104), ks()},
		{"z39.58 bounded run matches", term("title", "dz?3smas", 5, 104), ks("lv001", "music1")},
		{"hash masking", term("title", "hl#ec", 5, 101), ks("si002")},
		{"cql masking", term("title", "n?kropol*", 5, 1000), ks("si004", "en002")},
		{"regexp", term("title", "sonet.*", 5, 102), ks("ee003")},
		// Identifiers.
		{"isbn-10 query, isbn-10 record", term("isbn", "9984-00-123-7"), ks("lv001")},
		{"isbn-13 query, isbn-10 record", term("isbn", "978-9984-00123-4"), ks("lv001")},
		{"isbn-10 query, isbn-13 record", term("isbn", "9984123456"), ks("lv002")},
		{"isbn-13 with qualifier", term("isbn", "9789984123455"), ks("lv002")},
		{"isbn x check digit", term("isbn", "080442957x"), ks("en003")},
		{"isbn x as isbn-13", term("isbn", "9780804429573"), ks("en003")},
		{"cancelled isbn", term("isbn", "9780070012349"), ks("en001")},
		{"isbn prefix", term("isbn", "978998", 5, 1), ks("lv001", "lv002", "ee002", "lv005", "ee004")},
		{"isbn-10 prefix", term("isbn", "9984", 5, 1), ks("lv001", "lv002", "lv005")},
		{"complete isbn under right truncation is exact", term("isbn", "0140449132", 5, 1), ks("lv003")},
		{"invalid isbn", term("isbn", "1234567890"), ks()},
		{"issn", term("issn", "14070014"), ks("serial1")},
		{"issn hyphen", term("issn", "0317-8471"), ks("serial2")},
		{"stdid isbn-10", term("stdid", "0201896834"), ks("en001")},
		{"stdid issn", term("stdid", "1407-0014"), ks("serial1")},
		{"lccn hyphenated", term("lccn", "85-2"), ks("lccn1")},
		{"lccn normalised", term("lccn", "85000002"), ks("lccn1")},
		{"lccn blanks", term("lccn", "2003012345"), ks("en003")},
		{"local number case", term("local", "LV001"), ks("lv001")},
		{"local number prefix", term("local", "lv00", 5, 1), ks("lv001", "lv002", "lv003", "lv004", "lv005", "lv006", "lv007", "lv008", "lv009")},
		// Dates and relations.
		{"year", term("date", "1967"), ks("lv006", "si003", "si004")},
		{"year structure", term("date", "1967", 4, 4), ks("lv006", "si003", "si004")},
		{"bracketed year from 260", term("date", "2011"), ks("lv008")},
		{"date less", term("date", "1930", 2, 1), ks("ee001", "ee003")},
		{"date less or equal", term("date", "1926", 2, 2), ks("ee001", "ee003")},
		{"date greater", term("date", "2010", 2, 5), ks("lv008", "en006", "en007")},
		{"date greater or equal", term("date", "2010", 2, 4), ks("map1", "en002", "lv008", "en006", "en007")},
		{"date within", term("date", "1990 1999", 2, 104), ks("lv001", "si001", "en001", "serial1")},
		{"date prefix", term("date", "196", 5, 1), ks("lv006", "si003", "si004")},
		{"not equal", term("language", "lav", 2, 6), notLav},
		{"always matches", term("title", "", 2, 103), all},
		{"relevance is equality", term("title", "poezije", 2, 102), ks("si001")},
		// Headings sort without their non-filing articles: "art of computer
		// programming" (en001) and "czar s madman" (en005) come before dzz.
		{"heading range", term("title", "dzz", 2, 1, 4, 1), ks("en001", "en004", "en005", "en006", "en007", "lv001", "lv009", "music1")},
		// en005: its 240 "keisri hull" is at or after dz, its 245 "czar s
		// madman" before dzf.
		{"heading range and", &search.And{Left: term("title", "dz", 2, 4, 4, 1), Right: term("title", "dzf", 2, 1, 4, 1)},
			ks("en005", "lv001", "lv009")},
		{"word range", term("title", "v", 2, 5), ks("lv007", "lv008", "serial1", "en001")},
		// Other indexes.
		{"publisher phrase", term("publisher", "zvaigzne abc", 4, 1), ks("lv001", "lv008", "en007")},
		{"publisher word", term("publisher", "routledge"), ks("serial2", "en003")},
		{"language", term("language", "lav"), lavRecords},
		{"language from 041", term("language", "est"), ks("ee001", "ee002", "ee003", "ee004", "en005")},
		{"language list", term("language", "slv"), ks("si001", "si002", "si003", "si004", "en002")},
		{"material code", term("type", "as"), ks("serial1", "serial2")},
		{"material label", term("type", "serial"), ks("serial1", "serial2")},
		{"map", term("type", "map"), ks("map1")},
		{"music", term("type", "jm"), ks("music1")},
		// Booleans.
		{"and", &search.And{Left: term("author", "berzins"), Right: term("title", "dzejoļi")}, ks("lv001", "lv009")},
		{"or", &search.Or{Left: term("title", "poezije"), Right: term("title", "sonetid")}, ks("si001", "ee003")},
		{"and-not", &search.Not{Left: term("subject", "poetry"), Right: term("language", "lav")}, ks("si001", "si003", "ee003")},
		{"nested", &search.And{Left: &search.Or{Left: term("language", "est"), Right: term("language", "slv")},
			Right: term("subject", "fiction")}, ks("ee001", "ee002", "ee004", "si002", "si004")},
		{"all", &search.All{}, all},
		{"not all", &search.Not{Left: &search.All{}, Right: term("type", "book")}, ks("serial1", "serial2", "map1", "music1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hits(t, ix, tt.q); !slices.Equal(got, tt.want) {
				t.Errorf("%s\n got %v\nwant %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestSearchDiagnostics(t *testing.T) {
	ix := openFixture(t)
	tests := []struct {
		name string
		q    *search.Term
		code int
	}{
		{"unknown index", term("nonsense", "x"), search.DiagUnsupportedUse},
		{"phonetic", term("title", "x", 2, 100), search.DiagUnsupportedRelation},
		{"stem", term("title", "x", 2, 101), search.DiagUnsupportedRelation},
		{"year structure on title", term("title", "1999", 4, 4), search.DiagUnsupportedStructure},
		{"unknown structure", term("title", "x", 4, 7), search.DiagUnsupportedStructure},
		{"bad position", term("title", "x", 3, 9), search.DiagUnsupportedPosition},
		{"regexp-2", term("title", "x", 5, 103), search.DiagUnsupportedTruncation},
		{"bad completeness", term("title", "x", 6, 4), search.DiagUnsupportedCompleteness},
		{"range with truncation", term("date", "1999", 2, 1, 5, 1), search.DiagUnsupportedCombination},
		{"bad regexp", term("title", "(", 5, 102), search.DiagMalformedTerm},
		{"within needs two", term("date", "1999", 2, 104), search.DiagMalformedTerm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ix.Search(context.Background(), &search.And{Left: &search.All{}, Right: tt.q})
			var d *search.Diagnostic
			if !errors.As(err, &d) {
				t.Fatalf("%s: error %v, want a diagnostic", tt.q, err)
			}
			if d.Code != tt.code {
				t.Errorf("%s: diagnostic %d (%v), want %d", tt.q, d.Code, d, tt.code)
			}
		})
	}
}

func titleRecord(key, title string) *marc.Record {
	return &marc.Record{Leader: "00000nam a2200000 a 4500", Fields: []marc.Field{
		{Tag: "001", Value: key},
		{Tag: "245", Ind1: '1', Ind2: '0', Subfields: []marc.Subfield{{Code: 'a', Value: title}}},
	}}
}

func TestPutReplacesInPlace(t *testing.T) {
	ix := openFixture(t)
	ctx := context.Background()
	before, err := ix.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, ok, err := ix.ID(ctx, "lv009")
	if err != nil || !ok {
		t.Fatalf("ID(lv009) = %d, %v, %v", id, ok, err)
	}
	if err := ix.Put(ctx, "lv009", titleRecord("lv009", "Dzeja un proza"), []byte("new raw")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    search.Query
		want []string
	}{
		{term("title", "dzejoļi"), ks("lv001")},
		{term("title", "dzeja"), ks("lv009")},
		{term("author", "uldis"), ks()},
		{term("subject", "latvian poetry", 4, 1), ks("lv001", "lv004")},
		{term("title", "dzeja un proza", 4, 1, 6, 3), ks("lv009")},
		{term("language", "lav"), ks(slices.DeleteFunc(slices.Clone(lavRecords), func(k string) bool { return k == "lv009" })...)},
	} {
		if got := hits(t, ix, c.q); !slices.Equal(got, c.want) {
			t.Errorf("after re-put %s: got %v, want %v", c.q, got, c.want)
		}
	}
	id2, _, _ := ix.ID(ctx, "lv009")
	if id2 != id {
		t.Errorf("re-put moved lv009 from id %d to %d", id, id2)
	}
	raws, err := ix.Records(ctx, []uint32{id})
	if err != nil || string(raws[0]) != "new raw" {
		t.Errorf("Records after re-put = %q, %v", raws, err)
	}
	after, _ := ix.Stats(ctx)
	if after.Records != before.Records {
		t.Errorf("record count changed from %d to %d", before.Records, after.Records)
	}
}

func TestDelete(t *testing.T) {
	ix := openFixture(t)
	ctx := context.Background()
	before, _ := ix.Stats(ctx)
	id, _, _ := ix.ID(ctx, "lv001")
	if err := ix.Delete(ctx, "lv001"); err != nil {
		t.Fatal(err)
	}
	if got := hits(t, ix, term("title", "dzejoļi")); !slices.Equal(got, ks("lv009")) {
		t.Errorf("after delete: %v", got)
	}
	if got := hits(t, ix, term("isbn", "9984001237")); len(got) != 0 {
		t.Errorf("deleted ISBN still found: %v", got)
	}
	if got := hits(t, ix, &search.Set{IDs: []uint32{id}}); len(got) != 0 {
		t.Errorf("deleted id still in a set: %v", got)
	}
	if got := hits(t, ix, term("title", "dziesmas")); !slices.Equal(got, ks("music1")) {
		t.Errorf("shared word lost its other record: %v", got)
	}
	after, _ := ix.Stats(ctx)
	if after.Records != before.Records-1 {
		t.Errorf("records %d -> %d", before.Records, after.Records)
	}
	if after.Chunks >= before.Chunks {
		t.Errorf("chunks %d -> %d: the record's own terms should be gone", before.Chunks, after.Chunks)
	}
	if _, ok, _ := ix.ID(ctx, "lv001"); ok {
		t.Error("key still mapped after delete")
	}
	if err := ix.Delete(ctx, "lv001"); !errors.Is(err, boltindex.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	// Put it back: a new id, found again.
	for _, e := range fixture.Catalogue() {
		if e.Key == "lv001" {
			if err := ix.Put(ctx, e.Key, e.Record, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := hits(t, ix, term("title", "dzejoļi")); !slices.Equal(got, ks("lv001", "lv009")) {
		t.Errorf("after put back: %v", got)
	}
}

func TestBatchLastWins(t *testing.T) {
	ix, err := boltindex.Open(filepath.Join(t.TempDir(), "i.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	err = ix.PutBatch(ctx, []boltindex.Doc{
		{Key: "a", Record: titleRecord("a", "first version")},
		{Key: "b", Record: titleRecord("b", "other")},
		{Key: "a", Record: titleRecord("a", "second version")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := hits(t, ix, term("title", "first")); len(got) != 0 {
		t.Errorf("overwritten version found: %v", got)
	}
	if got := hits(t, ix, term("title", "version")); !slices.Equal(got, ks("a")) {
		t.Errorf("got %v", got)
	}
	if s, _ := ix.Stats(ctx); s.Records != 2 {
		t.Errorf("records = %d, want 2", s.Records)
	}
	if err := ix.PutBatch(ctx, []boltindex.Doc{{Key: "", Record: titleRecord("", "x")}}); err == nil {
		t.Error("empty key accepted")
	}
}

func TestScan(t *testing.T) {
	ix := openFixture(t)
	ctx := context.Background()
	tests := []struct {
		name string
		req  search.ScanRequest
		want []search.ScanTerm
	}{
		{"title words", search.ScanRequest{Index: "title", From: "dz", Count: 4},
			[]search.ScanTerm{{Term: "dzejoļi", Count: 2}, {Term: "dziesmas", Count: 2}, {Term: "dziesmu", Count: 1}, {Term: "fundamental", Count: 1}}},
		{"folded start", search.ScanRequest{Index: "title", From: "DZEJOLI", Count: 1},
			[]search.ScanTerm{{Term: "dzejoļi", Count: 2}}},
		{"author headings", search.ScanRequest{Index: "author", Headings: true, From: "bērz", Count: 5},
			[]search.ScanTerm{{Term: "bērziņa anna", Count: 1}, {Term: "bērziņš jānis", Count: 1}, {Term: "bērziņš jānis 1950", Count: 1},
				{Term: "berzins peter", Count: 1}, {Term: "bērziņš uldis", Count: 1}}},
		{"before", search.ScanRequest{Index: "author", Headings: true, From: "berzins peter", Before: 1, Count: 3},
			[]search.ScanTerm{{Term: "bērziņš jānis 1950", Count: 1}, {Term: "berzins peter", Count: 1}, {Term: "bērziņš uldis", Count: 1}}},
		{"languages", search.ScanRequest{Index: "language", Count: 3},
			[]search.ScanTerm{{Term: "eng", Count: 11}, {Term: "est", Count: 5}, {Term: "lav", Count: 11}}},
		{"end of index", search.ScanRequest{Index: "type", From: "serial", Count: 5},
			[]search.ScanTerm{{Term: "serial", Count: 2}}},
		{"before the start of the index", search.ScanRequest{Index: "language", From: "a", Before: 2, Count: 2},
			[]search.ScanTerm{{Term: "eng", Count: 11}, {Term: "est", Count: 5}}},
		{"isbn", search.ScanRequest{Index: "isbn", From: "0-201-89683-4", Count: 1},
			[]search.ScanTerm{{Term: "9780201896831", Count: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ix.Scan(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
	// Every scanned count equals the hit count of searching the term.
	terms, err := ix.Scan(ctx, search.ScanRequest{Index: "subject", Count: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range terms {
		res, err := ix.Search(ctx, term("subject", st.Term))
		if err != nil || res.Count != st.Count {
			t.Errorf("scan says %q has %d records, search finds %d (%v)", st.Term, st.Count, res.Count, err)
		}
	}
	if _, err := ix.Scan(ctx, search.ScanRequest{Index: "nope", Count: 1}); err == nil {
		t.Error("scan of an unknown index succeeded")
	}
}

func TestSort(t *testing.T) {
	ix := openFixture(t)
	ctx := context.Background()
	idsOf := func(keys ...string) []uint32 {
		var out []uint32
		for _, k := range keys {
			id, ok, err := ix.ID(ctx, k)
			if err != nil || !ok {
				t.Fatalf("ID(%s): %v %v", k, ok, err)
			}
			out = append(out, id)
		}
		return out
	}
	tests := []struct {
		name string
		ids  []string
		by   []search.SortSpec
		want []string
	}{
		{"title skips non-filing", []string{"lv003", "en003", "en004"}, []search.SortSpec{{Key: search.SortTitle}},
			[]string{"en004", "lv003", "en003"}},
		{"title descending", []string{"lv003", "en003", "en004"}, []search.SortSpec{{Key: search.SortTitle, Descending: true}},
			[]string{"en003", "lv003", "en004"}},
		{"date", []string{"en004", "en003", "lv003"}, []search.SortSpec{{Key: search.SortDate}},
			[]string{"lv003", "en003", "en004"}},
		{"author", []string{"en003", "en004", "lv003"}, []search.SortSpec{{Key: search.SortAuthor}},
			[]string{"lv003", "en004", "en003"}},
		{"folded author order", []string{"lv005", "lv004", "lv006"}, []search.SortSpec{{Key: search.SortAuthor}},
			[]string{"lv006", "lv004", "lv005"}},
		{"missing last ascending", []string{"en006", "en001"}, []search.SortSpec{{Key: search.SortAuthor}},
			[]string{"en001", "en006"}},
		{"missing last descending", []string{"en006", "en001"}, []search.SortSpec{{Key: search.SortAuthor, Descending: true}},
			[]string{"en001", "en006"}},
		{"two keys", []string{"si004", "si003", "lv006", "en003"},
			[]search.SortSpec{{Key: search.SortDate, Descending: true}, {Key: search.SortAuthor}},
			[]string{"en003", "lv006", "si003", "si004"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sorted, err := ix.Sort(ctx, idsOf(tt.ids...), tt.by...)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := ix.Keys(ctx, sorted)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRecordsAndStats(t *testing.T) {
	ix := openFixture(t)
	ctx := context.Background()
	ids := []uint32{}
	for _, k := range []string{"si002", "lv001"} {
		id, _, _ := ix.ID(ctx, k)
		ids = append(ids, id)
	}
	ids = append(ids, 999999)
	raws, err := ix.Records(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if string(raws[0]) != "raw:si002" || string(raws[1]) != "raw:lv001" || raws[2] != nil {
		t.Errorf("Records = %q", raws)
	}
	s, err := ix.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(len(fixture.Catalogue())); s.Records != want || s.Chunks == 0 || s.Bytes == 0 {
		t.Errorf("Stats = %+v, want %d records", s, want)
	}
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "i.db")
	ix, err := boltindex.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := ix.Put(ctx, "k1", titleRecord("k1", "Persistent words"), nil); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err = boltindex.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if got := hits(t, ix, term("title", "persistent")); !slices.Equal(got, ks("k1")) {
		t.Errorf("after reopen: %v", got)
	}
}

func bigTests() bool { return os.Getenv("BIBGATE_BIG") != "" }

func TestConcurrentSearchAndPut(t *testing.T) {
	ix := openFixture(t)
	ctx := context.Background()
	done := make(chan error, 4)
	for w := 0; w < 3; w++ {
		go func() {
			for i := 0; i < 200; i++ {
				res, err := ix.Search(ctx, term("author", "berzins"))
				if err != nil {
					done <- err
					return
				}
				if res.Count != 4 {
					done <- fmt.Errorf("berzins: %d hits while other records change", res.Count)
					return
				}
			}
			done <- nil
		}()
	}
	go func() {
		for i := 0; i < 50; i++ {
			key := fmt.Sprintf("extra%d", i)
			if err := ix.Put(ctx, key, titleRecord(key, "Extra record"), nil); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < 4; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if got := hits(t, ix, term("title", "extra")); len(got) != 50 {
		t.Errorf("extra records: %d", len(got))
	}
}
