package boltindex_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/boltindex"
	"go.etcd.io/bbolt"
)

// recordOf builds a book record with the given 001 and fields.
func recordOf(key string, fields ...marc.Field) *marc.Record {
	all := append([]marc.Field{{Tag: "001", Value: key}}, fields...)
	return &marc.Record{Leader: "00000nam a2200000 a 4500", Fields: all}
}

func field(tag string, ind1, ind2 byte, codeValue ...string) marc.Field {
	f := marc.Field{Tag: tag, Ind1: ind1, Ind2: ind2}
	for i := 0; i+1 < len(codeValue); i += 2 {
		f.Subfields = append(f.Subfields, marc.Subfield{Code: codeValue[i][0], Value: codeValue[i+1]})
	}
	return f
}

// openRecords opens a fresh index holding recs, keyed by their 001.
func openRecords(t testing.TB, recs ...*marc.Record) *boltindex.Index {
	t.Helper()
	ix, err := boltindex.Open(filepath.Join(t.TempDir(), "index.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	var docs []boltindex.Doc
	for _, r := range recs {
		docs = append(docs, boltindex.Doc{Key: r.ControlNumber(), Record: r, Raw: []byte("raw")})
	}
	if err := ix.PutBatch(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	return ix
}

type searchCase struct {
	name string
	q    search.Query
	want []string
}

func runCases(t *testing.T, ix *boltindex.Index, tests []searchCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hits(t, ix, tt.q); !slices.Equal(got, ks(tt.want...)) {
				t.Errorf("%s = %v, want %v", tt.q, got, ks(tt.want...))
			}
		})
	}
}

// TestRomanisationMarks: the ALA-LC marks U+02B9-U+02BF stay in a word's
// exact form but fold out of it, and dotless ı is a letter of its own.
func TestRomanisationMarks(t *testing.T) {
	ix := openRecords(t,
		recordOf("ar1", field("245", '0', '0', "a", "Kitāb al-qaḍāʼ")),
		recordOf("uk1", field("100", '1', ' ', "a", "Kozlovsʹkyĭ, Ivan."), field("245", '1', '0', "a", "Virshi")),
		recordOf("zh1", field("245", '0', '0', "a", "Chʻing shih")),
		recordOf("ru1", field("245", '0', '0', "a", "Sʺezd sovetov")),
		recordOf("tr1", field("245", '0', '0', "a", "Kırmızı ışık")),
		recordOf("en1", field("245", '0', '0', "a", "Kirmizi is red")),
	)
	runCases(t, ix, []searchCase{
		{"@attr 1=4 qada", term("title", "qada"), []string{"ar1"}},
		{"@attr 1=4 qaḍāʼ (exact)", term("title", "qaḍāʼ"), []string{"ar1"}},
		{"@attr 1=1003 kozlovskyi", term("author", "kozlovskyi"), []string{"uk1"}},
		{"@attr 1=1003 kozlovsʹkyĭ", term("author", "kozlovsʹkyĭ"), []string{"uk1"}},
		{"@attr 1=4 ching", term("title", "ching"), []string{"zh1"}},
		{"@attr 1=4 chʻing", term("title", "chʻing"), []string{"zh1"}},
		{"@attr 1=4 @attr 4=1 \"ching shih\"", term("title", "ching shih", 4, 1), []string{"zh1"}},
		{"@attr 1=4 sezd", term("title", "sezd"), []string{"ru1"}},
		{"@attr 1=4 ışık finds only dotless", term("title", "ışık"), []string{"tr1"}},
		{"@attr 1=4 kırmızı", term("title", "kırmızı"), []string{"tr1"}},
		{"@attr 1=4 kirmizi finds only dotted", term("title", "kirmizi"), []string{"en1"}},
		{"@attr 1=4 ı is not every i", term("title", "ı", 5, 3), []string{"tr1"}},
	})
}

// TestIndexFormatRebuild: an index built under an older key version (no
// version stored, postings of the old folding) is rebuilt on opening, so
// its answers are those of a fresh import and not silently stale.
func TestIndexFormatRebuild(t *testing.T) {
	for _, stamp := range []struct {
		name  string
		value []byte // nil: no version stored (version 1)
	}{{"version 1", nil}, {"interrupted rebuild", make([]byte, 8)}} {
		t.Run(stamp.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "index.db")
			ix, err := boltindex.Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			recs := []*marc.Record{
				recordOf("ar1", field("245", '0', '0', "a", "Kitāb al-qaḍāʼ")),
				recordOf("en1", field("245", '0', '0', "a", "Plain words")),
			}
			for _, r := range recs {
				raw, err := marc.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				if err := ix.Put(ctx, r.ControlNumber(), r, raw); err != nil {
					t.Fatal(err)
				}
			}
			// Make it look like an old index: the postings of another key
			// format (here: none at all) and no current version.
			err = ix.DB().Update(func(tx *bbolt.Tx) error {
				meta := tx.Bucket([]byte("search.meta"))
				if stamp.value == nil {
					if err := meta.Delete([]byte("format")); err != nil {
						return err
					}
				} else if err := meta.Put([]byte("format"), stamp.value); err != nil {
					return err
				}
				if err := tx.DeleteBucket([]byte("search.post")); err != nil {
					return err
				}
				_, err := tx.CreateBucket([]byte("search.post"))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := ix.Close(); err != nil {
				t.Fatal(err)
			}
			ix, err = boltindex.Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if ix.Rebuilt() != 2 {
				t.Errorf("Rebuilt() = %d, want 2", ix.Rebuilt())
			}
			runCases(t, ix, []searchCase{
				{"qada after rebuild", term("title", "qada"), []string{"ar1"}},
				{"plain after rebuild", term("title", "words"), []string{"en1"}},
				{"all records", &search.All{}, []string{"ar1", "en1"}},
			})
			st, err := ix.Stats(ctx)
			if err != nil || st.Records != 2 || st.Chunks == 0 {
				t.Errorf("stats after rebuild: %+v, %v", st, err)
			}
			// A second opening has nothing to do.
			if err := ix.Close(); err != nil {
				t.Fatal(err)
			}
			ix, err = boltindex.Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if ix.Rebuilt() != 0 {
				t.Errorf("second open rebuilt %d records", ix.Rebuilt())
			}
			_ = ix.Close()
		})
	}
}

// TestNameTitleEntries: the $t of a name/title added entry is a title.
func TestNameTitleEntries(t *testing.T) {
	ix := openRecords(t,
		recordOf("op1", field("100", '1', ' ', "a", "Strauss, Johann,", "d", "1825-1899."),
			field("245", '1', '0', "a", "Operetten :", "b", "eine Auswahl."),
			field("700", '1', '2', "a", "Strauss, Johann,", "d", "1825-1899.", "t", "Fledermaus.")),
		recordOf("su1", field("245", '1', '0', "a", "Studien"),
			field("600", '1', '0', "a", "Goethe, Johann Wolfgang von,", "t", "Faust.")),
		recordOf("se1", field("245", '1', '0', "a", "Gedichte"),
			field("800", '1', ' ', "a", "Rilke, Rainer Maria.", "t", "Werke in Einzelbänden.")),
		recordOf("au1", field("100", '1', ' ', "a", "Fledermaus, Anna."), field("245", '1', '0', "a", "Notizen")),
	)
	runCases(t, ix, []searchCase{
		{"@attr 1=4 fledermaus", term("title", "fledermaus"), []string{"op1"}},
		{"@attr 1=4 faust", term("title", "faust"), []string{"su1"}},
		{"@attr 1=4 einzelbanden", term("title", "einzelbanden"), []string{"se1"}},
		{"@attr 1=4 strauss (the name is not a title)", term("title", "strauss"), nil},
		{"@attr 1=4 @attr 6=3 fledermaus", term("title", "fledermaus", 6, 3), []string{"op1"}},
	})
}

// TestNarrowUseAttributes: personal, corporate and conference names,
// series and uniform titles each answer from their own fields.
func TestNarrowUseAttributes(t *testing.T) {
	ix := openRecords(t,
		recordOf("pers", field("100", '1', ' ', "a", "Ford, Henry,", "d", "1863-1947."),
			field("245", '1', '0', "a", "My life and work")),
		recordOf("corp", field("110", '2', ' ', "a", "Ford Motor Company."),
			field("245", '1', '0', "a", "Annual report")),
		recordOf("conf", field("111", '2', ' ', "a", "Ford Conference on Engines", "d", "1950"),
			field("245", '1', '0', "a", "Proceedings")),
		recordOf("ser", field("245", '1', '0', "a", "Penguin history of Ford"),
			field("490", '1', ' ', "a", "Penguin modern classics"),
			field("830", ' ', '0', "a", "Penguin modern classics.")),
		recordOf("uni", field("100", '0', ' ', "a", "Homer."),
			field("240", '1', '0', "a", "Odyssey.", "l", "English"),
			field("245", '1', '4', "a", "The wanderings of Ulysses")),
	)
	runCases(t, ix, []searchCase{
		{"@attr 1=1 ford", term("personalname", "ford"), []string{"pers"}},
		{"@attr 1=2 ford", term("corporatename", "ford"), []string{"corp"}},
		{"@attr 1=3 ford", term("conferencename", "ford"), []string{"conf"}},
		{"@attr 1=1003 ford (every name)", term("author", "ford"), []string{"pers", "corp", "conf"}},
		{"@attr 1=5 penguin", term("series", "penguin"), []string{"ser"}},
		{"@attr 1=5 history (a title word is no series)", term("series", "history"), nil},
		{"@attr 1=6 odyssey", term("uniformtitle", "odyssey"), []string{"uni"}},
		{"@attr 1=6 wanderings (a title proper is no uniform title)", term("uniformtitle", "wanderings"), nil},
		{"@attr 1=4 odyssey (the uniform title is a title)", term("title", "odyssey"), []string{"uni"}},
	})
	for use, want := range map[int]string{1: "personalname", 2: "corporatename", 3: "conferencename",
		5: "series", 6: "uniformtitle", 4: "title", 1003: "author"} {
		got, err := search.ByUse(use)
		if err != nil || got.Name != want {
			t.Errorf("ByUse(%d) = %v, %v; want %s", use, got, err, want)
		}
	}
}

// TestScanPartialISBN10: a scan from the first digits of an ISBN-10
// starts among the ISBNs they begin, not at the first ISBN of the index.
func TestScanPartialISBN10(t *testing.T) {
	ix := openRecords(t,
		recordOf("a", field("020", ' ', ' ', "a", "0-201-89683-4"), field("245", '0', '0', "a", "A")),
		recordOf("b", field("020", ' ', ' ', "a", "0596007124"), field("245", '0', '0', "a", "B")),
		recordOf("c", field("020", ' ', ' ', "a", "978-0-596-52068-7"), field("245", '0', '0', "a", "C")),
		recordOf("d", field("020", ' ', ' ', "a", "9781449355739"), field("245", '0', '0', "a", "D")),
	)
	first := func(from string) string {
		terms, err := ix.Scan(context.Background(), search.ScanRequest{Index: "isbn", From: from, Count: 1})
		if err != nil {
			t.Fatalf("scan %q: %v", from, err)
		}
		if len(terms) == 0 {
			return ""
		}
		return terms[0].Term
	}
	for _, tt := range []struct{ from, want string }{
		{"0596", "9780596007126"},    // scan @attr 1=7 0596
		{"0-596-5", "9780596520687"}, // hyphens as printed
		{"05960071", "9780596007126"},
		{"1449", "9781449355739"},
		{"978059652", "9780596520687"}, // an ISBN-13 prefix as it is
		{"0201896834", "9780201896831"},
		{"97", "9780201896831"},
	} {
		if got := first(tt.from); got != tt.want {
			t.Errorf("scan @attr 1=7 %s starts at %q, want %q", tt.from, got, tt.want)
		}
	}
}

// TestNonFilingCharacters: first-in-field, complete-field and scan skip
// the non-filing characters of a title (245 ind2, 130/730 ind1, 240 ind2),
// and a search typed with the article still finds it.
func TestNonFilingCharacters(t *testing.T) {
	ix := openRecords(t,
		recordOf("prag", field("245", '1', '4', "a", "The pragmatic programmer :", "b", "from journeyman to master.")),
		recordOf("flm", field("130", '4', ' ', "a", "Die Fledermaus."), field("245", '1', '0', "a", "Fledermaus-Ouvertüre")),
		recordOf("unf", field("245", '1', '0', "a", "The end of the line")), // ind2 0: "The" files
		recordOf("bad", field("245", '1', '2', "a", "The art")),             // an indicator cutting into a word means nothing
	)
	runCases(t, ix, []searchCase{
		{"@attr 1=4 @attr 3=1 pragmatic", term("title", "pragmatic", 3, 1), []string{"prag"}},
		{"@attr 1=4 @attr 3=1 the (typed with the article)", term("title", "the", 3, 1), []string{"prag", "unf", "bad"}},
		{"@attr 1=4 @attr 3=1 end (the article files under ind2 0)", term("title", "end", 3, 1), nil},
		{"@attr 1=4 @attr 3=1 \"pragmatic programmer\"", term("title", "pragmatic programmer", 3, 1), []string{"prag"}},
		{"@attr 1=4 @attr 3=1 @attr 4=1 \"the pragmatic programmer\"", term("title", "the pragmatic programmer", 3, 1, 4, 1), []string{"prag"}},
		{"@attr 1=4 @attr 6=3 \"pragmatic programmer from journeyman to master\"",
			term("title", "pragmatic programmer from journeyman to master", 6, 3), []string{"prag"}},
		{"@attr 1=4 @attr 6=3 \"the pragmatic programmer from journeyman to master\"",
			term("title", "the pragmatic programmer from journeyman to master", 6, 3), []string{"prag"}},
		{"@attr 1=4 @attr 6=3 @attr 5=1 pragmatic", term("title", "pragmatic", 6, 3, 5, 1), []string{"prag"}},
		{"@attr 1=4 @attr 6=2 \"pragmatic programmer\"", term("title", "pragmatic programmer", 6, 2), []string{"prag"}},
		{"@attr 1=6 @attr 3=1 fledermaus", term("uniformtitle", "fledermaus", 3, 1), []string{"flm"}},
		{"@attr 1=6 @attr 6=3 fledermaus", term("uniformtitle", "fledermaus", 6, 3), []string{"flm"}},
		{"@attr 1=4 @attr 3=1 art (ind2 2 of \"The art\" is ignored)", term("title", "art", 3, 1), nil},
		{"@attr 1=4 the (a word all the same)", term("title", "the"), []string{"prag", "unf", "bad"}},
	})
	scan := func(index, from string) []string {
		terms, err := ix.Scan(context.Background(), search.ScanRequest{Index: index, Headings: true, From: from, Count: 3})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, st := range terms {
			out = append(out, st.Term)
		}
		return out
	}
	if got, want := scan("title", "pr"), []string{"pragmatic programmer from journeyman to master", "the art", "the end of the line"}; !slices.Equal(got, want) {
		t.Errorf("scan @attr 1=4 @attr 6=3 pr = %q, want %q", got, want)
	}
	if got, want := scan("uniformtitle", "a"), []string{"fledermaus"}; !slices.Equal(got, want) {
		t.Errorf("scan @attr 1=6 @attr 6=3 a = %q, want %q", got, want)
	}
}
