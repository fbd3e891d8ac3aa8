package rpnquery

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/boltindex"
	"github.com/bibgate/bibgate/search/cql"
	"github.com/bibgate/bibgate/search/internal/fixture"
	"github.com/bibgate/bibgate/z3950"
)

func mustPQF(t *testing.T, s string) *z3950.RPNQuery {
	t.Helper()
	q, err := z3950.ParsePQF(s)
	if err != nil {
		t.Fatalf("ParsePQF(%q): %v", s, err)
	}
	return q
}

func TestFromRPNTree(t *testing.T) {
	tests := []struct{ pqf, want string }{
		{`water`, `[any 2=3 3=3 4=2 5=100 6=1 "water"]`},
		{`@attr 1=4 war`, `[title 2=3 3=3 4=2 5=100 6=1 "war"]`},
		{`@attr 1=1003 @attr 2=3 @attr 3=3 @attr 4=2 @attr 5=100 @attr 6=1 tolstoy`,
			`[author 2=3 3=3 4=2 5=100 6=1 "tolstoy"]`},
		{`@attr 1=7 @attr 5=1 0-201-89683-4`, `[isbn 2=3 3=3 4=2 5=1 6=1 "0-201-89683-4"]`},
		{`@attr 1=8 0317-8471`, `[issn 2=3 3=3 4=2 5=100 6=1 "0317-8471"]`},
		{`@attr 1=9 "85-2"`, `[lccn 2=3 3=3 4=2 5=100 6=1 "85-2"]`},
		{`@attr 1=12 lv001`, `[local 2=3 3=3 4=2 5=100 6=1 "lv001"]`},
		{`@attr 1=21 poetry`, `[subject 2=3 3=3 4=2 5=100 6=1 "poetry"]`},
		{`@attr 1=31 @attr 2=4 @attr 4=4 2000`, `[date 2=4 3=3 4=4 5=100 6=1 "2000"]`},
		{`@attr 1=1016 x`, `[any 2=3 3=3 4=2 5=100 6=1 "x"]`},
		{`@attr 1=1018 routledge`, `[publisher 2=3 3=3 4=2 5=100 6=1 "routledge"]`},
		{`@attr 1=1007 9780143039433`, `[stdid 2=3 3=3 4=2 5=100 6=1 "9780143039433"]`},
		{`@attr 1=54 lav`, `[language 2=3 3=3 4=2 5=100 6=1 "lav"]`},
		{`@attr 1=1031 am`, `[type 2=3 3=3 4=2 5=100 6=1 "am"]`},
		{`@attr 1=16 QA76`, `[callnumber 2=3 3=3 4=2 5=100 6=1 "QA76"]`},
		// Bath exact title and first words.
		{`@attr 1=4 @attr 3=1 @attr 4=1 @attr 6=3 "keisri hull"`, `[title 2=3 3=1 4=1 5=100 6=3 "keisri hull"]`},
		{`@attr 1=4 @attr 3=1 @attr 4=1 @attr 6=1 keisri`, `[title 2=3 3=1 4=1 5=100 6=1 "keisri"]`},
		// A string use attribute names an index.
		{`@attr 1=title war`, `[title 2=3 3=3 4=2 5=100 6=1 "war"]`},
		{`@attr 1=dc.creator kross`, `[author 2=3 3=3 4=2 5=100 6=1 "kross"]`},
		// Inner attributes override those given before an operator.
		{`@attr 1=4 @and @attr 1=1003 kross hull`,
			`@and [author 2=3 3=3 4=2 5=100 6=1 "kross"] [title 2=3 3=3 4=2 5=100 6=1 "hull"]`},
		{`@or a b`, `@or [any 2=3 3=3 4=2 5=100 6=1 "a"] [any 2=3 3=3 4=2 5=100 6=1 "b"]`},
		{`@not a b`, `@not [any 2=3 3=3 4=2 5=100 6=1 "a"] [any 2=3 3=3 4=2 5=100 6=1 "b"]`},
		{`@and @or a b @not c d`, `@and @or [any 2=3 3=3 4=2 5=100 6=1 "a"] [any 2=3 3=3 4=2 5=100 6=1 "b"] ` +
			`@not [any 2=3 3=3 4=2 5=100 6=1 "c"] [any 2=3 3=3 4=2 5=100 6=1 "d"]`},
		// Relation 103 is every record, whatever the term.
		{`@attr 1=4 @attr 2=103 ""`, `@all`},
		{`@attr 2=103 @term null x`, `@all`},
		// Numeric and characterString terms.
		{`@attr 1=31 @term numeric 1999`, `[date 2=3 3=3 4=2 5=100 6=1 "1999"]`},
		{`@term string "war and peace"`, `[any 2=3 3=3 4=2 5=100 6=1 "war and peace"]`},
		// A phrase-shaped proximity is a phrase.
		{`@prox 0 1 1 2 k 2 @attr 1=4 keisri @attr 1=4 hull`, `[title 2=3 3=3 4=1 5=100 6=1 "keisri hull"]`},
		{`@attr 1=4 @prox void 1 1 3 k 2 @prox 0 1 1 2 k 2 art of computer`,
			`[title 2=3 3=3 4=1 5=100 6=1 "art of computer"]`},
		// Other proximity: distance, ordered or not, from word positions.
		{`@attr 1=4 @prox 0 3 1 2 k 2 art programming`,
			`@prox(3 1 2) [title 2=3 3=3 4=2 5=100 6=1 "art"] [title 2=3 3=3 4=2 5=100 6=1 "programming"]`},
		{`@attr 1=4 @prox 0 2 0 2 k 2 programming art`,
			`@prox(2 0 2) [title 2=3 3=3 4=2 5=100 6=1 "programming"] [title 2=3 3=3 4=2 5=100 6=1 "art"]`},
		{`@attr 1=4 @prox 0 1 1 2 k 2 @attr 5=1 comp prog`,
			`@prox(1 1 2) [title 2=3 3=3 4=2 5=1 6=1 "comp"] [title 2=3 3=3 4=2 5=100 6=1 "prog"]`},
		{`@attr 1=4 @prox 0 5 1 3 k 2 @prox 0 1 1 2 k 2 art of computer`,
			`@prox(5 1 3) [title 2=3 3=3 4=1 5=100 6=1 "art of"] [title 2=3 3=3 4=2 5=100 6=1 "computer"]`},
		// Masks.
		{`@attr 1=4 @attr 5=104 "comp#ter"`, `[title 2=3 3=3 4=2 5=104 6=1 "comp#ter"]`},
		{`@attr 1=4 @attr 5=101 "comp#"`, `[title 2=3 3=3 4=2 5=101 6=1 "comp#"]`},
	}
	for _, tt := range tests {
		got, err := FromRPN(mustPQF(t, tt.pqf))
		if err != nil {
			t.Errorf("%s: %v", tt.pqf, err)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.pqf, got, tt.want)
		}
	}
}

func TestFromRPNDiagnostics(t *testing.T) {
	tests := []struct {
		pqf     string
		code    int
		addinfo string
	}{
		{`@attr 1=9999 x`, 114, "9999"},
		{`@attr 1=nosuchindex x`, 114, "nosuchindex"},
		{`@attr 1=1,2 x`, 114, "1,2"},
		{`@attr 2=99 x`, 117, "99"},
		{`@attr 2=101 x`, 117, "101"}, // stemming
		{`@attr 2=100 x`, 117, "100"}, // phonetic
		{`@attr 3=9 x`, 119, "9"},
		{`@attr 4=999 x`, 118, "999"},
		{`@attr 1=4 @attr 4=4 x`, 118, "4"}, // year structure on a title
		{`@attr 5=7 x`, 120, "7"},
		{`@attr 5=1000 x`, 120, "1000"}, // CQL masking is not a Bib-1 value
		{`@attr 6=9 x`, 122, "9"},
		{`@attr 2=1 @attr 5=1 @attr 1=31 1990`, 123, ""},
		{`@attr 7=1 x`, 113, "7"},
		{`@attr 9=20 x`, 113, "9"},
		{`@attr 2=x x`, 117, "x"},
		{`@attr exp-1 1=1 x`, 121, "1.2.840.10003.3.2"},
		{`@attrset exp-1 x`, 121, "1.2.840.10003.3.2"},
		{`@term oid 1.2.3`, 229, "217"},
		{`@term datetime 20200101`, 229, "218"},
		{`@term null x`, 229, "221"},
		{`@set 1`, 18, "1"},
		{`@attr 1=4 @attr 5=102 "a(b"`, 125, ""},
		{`@attr 1=31 @attr 2=104 1990`, 125, ""}, // within needs two years
		{`@prox 1 1 1 2 k 2 a b`, 110, ""},       // exclusion
		{`@prox 0 1 1 2 k 1 a b`, 132, "1"},
		{`@prox 0 1 1 2 p 2 a b`, 132, "2"},
		{`@prox 0 1 1 2 k 2 @attr 1=4 a @attr 1=21 b`, 123, "proximity across indexes title and subject"},
		{`@prox 0 1 1 2 k 2 @and a b c`, 110, ""},
		{`@prox 0 1 1 2 k 2 @attr 2=5 a @attr 2=5 b`, 123, ""},
		{`@prox 0 1 1 7 k 2 a b`, 110, ""},                     // no relation 7
		{`@prox 0 2 1 2 k 2 @attr 1=7 a @attr 1=7 b`, 123, ""}, // an ISBN has no words
		{`@prox 0 2 1 2 k 2 @attr 2=103 a b`, 110, ""},
		{`@and a @attr 1=9999 b`, 114, "9999"},
	}
	for _, tt := range tests {
		_, err := FromRPN(mustPQF(t, tt.pqf))
		var d *z3950.Diagnostic
		if !errors.As(err, &d) {
			t.Errorf("%s: got %v, want Bib-1 diagnostic %d", tt.pqf, err, tt.code)
			continue
		}
		if d.Condition != tt.code || (tt.addinfo != "" && d.AddInfo != tt.addinfo) {
			t.Errorf("%s: got %d %q, want %d %q", tt.pqf, d.Condition, d.AddInfo, tt.code, tt.addinfo)
		}
		if d.Set != z3950.OIDBib1Diagnostics {
			t.Errorf("%s: diagnostic set %s", tt.pqf, d.Set)
		}
	}
}

func TestFromRPNNil(t *testing.T) {
	for _, q := range []*z3950.RPNQuery{nil, {AttributeSet: z3950.OIDBib1Attributes}} {
		_, err := FromRPN(q)
		if d, ok := AsDiagnostic(err); !ok || d.Condition != z3950.DiagMalformedQuery {
			t.Errorf("%v: got %v, want diagnostic 108", q, err)
		}
	}
}

func TestResultSetOperands(t *testing.T) {
	sets := map[string]search.Query{"1": &search.Set{IDs: []uint32{3, 1}}}
	c := Converter{ResultSet: func(name string) (search.Query, error) {
		if q, ok := sets[name]; ok {
			return q, nil
		}
		return nil, z3950.NewDiagnostic(z3950.DiagResultSetMissing, name)
	}}
	got, err := c.FromRPN(mustPQF(t, `@and @set 1 @attr 1=4 war`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `@and @set(2) [title 2=3 3=3 4=2 5=100 6=1 "war"]`; got.String() != want {
		t.Errorf("got %s, want %s", got, want)
	}
	_, err = c.FromRPN(mustPQF(t, `@or @set 2 war`))
	if d, ok := AsDiagnostic(err); !ok || d.Condition != 30 || d.AddInfo != "2" {
		t.Errorf("missing set: got %v, want diagnostic 30", err)
	}
	// A resolver's plain error is a temporary system error.
	c.ResultSet = func(string) (search.Query, error) { return nil, errors.New("disk on fire") }
	_, err = c.FromRPN(mustPQF(t, `@set 1`))
	if d, ok := AsDiagnostic(err); !ok || d.Condition != 2 || !strings.Contains(d.AddInfo, "disk on fire") {
		t.Errorf("resolver failure: got %v, want diagnostic 2", err)
	}
	// A result set restricted by attributes (resultAttr) is not supported.
	_, err = c.FromRPN(mustPQF(t, `@attr 1=4 @set 1`))
	if d, ok := AsDiagnostic(err); !ok || d.Condition != DiagResultSetAsTerm {
		t.Errorf("resultAttr: got %v, want diagnostic 18", err)
	}
}

func TestLatin1Terms(t *testing.T) {
	q := &z3950.RPNQuery{Root: &z3950.AttributesPlusTerm{
		Attributes: []z3950.AttributeElement{{Type: 1, Value: 1003}},
		Term:       z3950.Term{Kind: z3950.TermGeneral, Bytes: []byte("Pre\xf0eren")}, // not UTF-8
	}}
	got, err := FromRPN(q)
	if err != nil {
		t.Fatal(err)
	}
	if tm := got.(*search.Term); tm.Text != "Preðeren" {
		t.Errorf("text %q, want ISO 8859-1 reading", tm.Text)
	}
}

func TestAsDiagnostic(t *testing.T) {
	tests := []struct {
		err  error
		code int
		ok   bool
	}{
		{z3950.NewDiagnostic(30, "x"), 30, true},
		{&search.Diagnostic{Code: 117, AddInfo: "9"}, 117, true},
		{&cql.Error{Code: cql.DiagIndex, Details: "dc.foo"}, 114, true},
		{&cql.Error{Code: cql.DiagRelation}, 117, true},
		{&cql.Error{Code: cql.DiagSyntax}, 108, true},
		{&cql.Error{Code: cql.DiagMasking}, 120, true},
		{&cql.Error{Code: 88}, 207, true},
		{&cql.Error{Code: 9999}, 100, true},
		{errors.New("plain"), 0, false},
	}
	for _, tt := range tests {
		d, ok := AsDiagnostic(tt.err)
		if ok != tt.ok || (ok && d.Condition != tt.code) {
			t.Errorf("%v: got %v %v, want %d %v", tt.err, d, ok, tt.code, tt.ok)
		}
	}
}

// TestSearchFixture runs converted queries against the hand-made fixture
// catalogue and checks which records they find.
func TestSearchFixture(t *testing.T) {
	ix, err := boltindex.Open(filepath.Join(t.TempDir(), "index.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	var docs []boltindex.Doc
	for _, e := range fixture.Catalogue() {
		docs = append(docs, boltindex.Doc{Key: e.Key, Record: e.Record, Raw: []byte(e.Key)})
	}
	if err := ix.PutBatch(ctx, docs); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pqf  string
		want string // keys, sorted, space-separated
	}{
		{`@attr 1=1003 berzins`, "lv001 lv002 lv003 lv009"},
		{`@attr 1=1003 Bērziņš`, "lv001 lv002 lv009"},
		{`@attr 1=7 0140449132`, "lv003"},
		{`@attr 1=7 @attr 5=1 978-0-14-044913-6`, "lv003"}, // Koha's right-truncated ISBN, as ISBN-13
		{`@attr 1=7 9789984001234`, "lv001"},               // ISBN-13 query, ISBN-10 record
		{`@attr 1=8 03178471`, "serial2"},
		{`@attr 1=12 en005`, "en005"},
		{`@and @attr 1=1003 kross @attr 1=4 hull`, "ee002 en005"},
		{`@or @attr 1=1003 kross @attr 1=1003 pahor`, "ee002 en002 en005 si004"},
		{`@not @attr 1=1003 kross @attr 1=54 eng`, "ee002"},
		{`@attr 1=4 @attr 3=1 @attr 4=1 @attr 6=3 "keisri hull"`, "ee002 en005"},
		{`@prox 0 1 1 2 k 2 @attr 1=21 computer @attr 1=21 programming`, "en001 en006"},
		{`@attr 1=4 @attr 5=1 dzejo`, "lv001 lv009"},
		{`@attr 1=31 @attr 2=104 "2010 2015"`, "en002 en006 lv008 map1"},
		{`@attr 1=21 @attr 2=103 x`, strings.Join(fixture.Keys(fixture.Catalogue()), " ")},
	}
	for _, tt := range tests {
		q, err := FromRPN(mustPQF(t, tt.pqf))
		if err != nil {
			t.Errorf("%s: %v", tt.pqf, err)
			continue
		}
		res, err := ix.Search(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", tt.pqf, err)
			continue
		}
		keys, err := ix.Keys(ctx, res.IDs)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(keys)
		want := strings.Fields(tt.want)
		slices.Sort(want)
		if !slices.Equal(keys, want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.pqf, keys, want)
		}
	}
}

func FuzzFromRPN(f *testing.F) {
	for _, s := range []string{
		`water`, `@attr 1=4 @attr 5=1 "war and peace"`, `@and @attr 1=1003 tolstoy @attr 1=4 war`,
		`@prox 0 1 1 2 k 2 a b`, `@attr 1=title @attr 5=104 "a?2b#"`, `@attr 2=104 @attr 1=31 "1990 2000"`,
		`@attr 5=102 "[a-z]+"`, `@not @set 1 x`,
	} {
		f.Add(s)
	}
	c := Converter{ResultSet: func(string) (search.Query, error) { return &search.Set{}, nil }}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := z3950.ParsePQF(s)
		if err != nil {
			return
		}
		got, err := c.FromRPN(q)
		if err != nil {
			if _, ok := AsDiagnostic(err); !ok {
				t.Fatalf("%q: error %v is not a diagnostic", s, err)
			}
			var d *z3950.Diagnostic
			if !errors.As(err, &d) {
				t.Fatalf("%q: error %T is not a *z3950.Diagnostic", s, err)
			}
			return
		}
		if got == nil {
			t.Fatalf("%q: nil query without error", s)
		}
	})
}
