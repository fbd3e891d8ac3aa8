package cqlquery

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/boltindex"
	"github.com/bibgate/bibgate/search/cql"
	"github.com/bibgate/bibgate/search/internal/fixture"
)

func TestFromCQLTree(t *testing.T) {
	tests := []struct{ cql, want string }{
		{`cat`, `[any 2=3 3=3 4=2 5=100 6=1 "cat"]`},
		{`"computer science"`, `[any 2=3 3=3 4=1 5=100 6=1 "computer science"]`},
		{`dc.title = war`, `[title 2=3 3=3 4=2 5=100 6=1 "war"]`},
		{`title = war`, `[title 2=3 3=3 4=2 5=100 6=1 "war"]`},
		{`bibgate.lccn = "85-2"`, `[lccn 2=3 3=3 4=2 5=100 6=1 "85-2"]`},
		{`DC.Title = war`, `[title 2=3 3=3 4=2 5=100 6=1 "war"]`},
		{`dc.creator = "kross, jaan"`, `[author 2=3 3=3 4=1 5=100 6=1 "kross, jaan"]`},
		{`bath.isbn = 0140449132`, `[isbn 2=3 3=3 4=2 5=100 6=1 "0140449132"]`},
		{`rec.id = lv001`, `[local 2=3 3=3 4=2 5=100 6=1 "lv001"]`},
		{`dc.identifier = 9780143039433`, `[stdid 2=3 3=3 4=2 5=100 6=1 "9780143039433"]`},
		{`cql.serverChoice = x`, `[any 2=3 3=3 4=2 5=100 6=1 "x"]`},
		{`cql.allRecords = 1`, `@all`},
		{`dc.title = *`, `@all`},
		// Relations.
		{`dc.title == "keisri hull"`, `[title 2=3 3=1 4=1 5=100 6=3 "keisri hull"]`},
		{`dc.title exact "keisri hull"`, `[title 2=3 3=1 4=1 5=100 6=3 "keisri hull"]`},
		{`bath.isbn == 0140449132`, `[isbn 2=3 3=3 4=2 5=100 6=1 "0140449132"]`},
		{`dc.title adj war`, `[title 2=3 3=3 4=1 5=100 6=1 "war"]`},
		{`dc.title adj "war and peace"`, `[title 2=3 3=3 4=1 5=100 6=1 "war and peace"]`},
		{`dc.title all "war peace"`, `@and [title 2=3 3=3 4=2 5=100 6=1 "war"] [title 2=3 3=3 4=2 5=100 6=1 "peace"]`},
		{`dc.title any "war peace"`, `@or [title 2=3 3=3 4=2 5=100 6=1 "war"] [title 2=3 3=3 4=2 5=100 6=1 "peace"]`},
		{`dc.title all "comp* ^peace"`, `@and [title 2=3 3=3 4=2 5=1 6=1 "comp"] [title 2=3 3=1 4=2 5=100 6=1 "peace"]`},
		{`dc.title <> war`, `[title 2=6 3=3 4=2 5=100 6=1 "war"]`},
		{`dc.date < 2000`, `[date 2=1 3=3 4=2 5=100 6=1 "2000"]`},
		{`dc.date <= 2000`, `[date 2=2 3=3 4=2 5=100 6=1 "2000"]`},
		{`dc.date > 2000`, `[date 2=5 3=3 4=2 5=100 6=1 "2000"]`},
		{`dc.date >= 2000`, `[date 2=4 3=3 4=2 5=100 6=1 "2000"]`},
		{`dc.date within "2000 2010"`, `[date 2=104 3=3 4=2 5=100 6=1 "2000 2010"]`},
		{`dc.title within "a c"`, `[title 2=104 3=3 4=2 5=100 6=1 "a c"]`},
		// Masking and anchors.
		{`dc.title = comp*`, `[title 2=3 3=3 4=2 5=1 6=1 "comp"]`},
		{`dc.title = *puter`, `[title 2=3 3=3 4=2 5=2 6=1 "puter"]`},
		{`dc.title = *mput*`, `[title 2=3 3=3 4=2 5=3 6=1 "mput"]`},
		{`dc.title = c*r`, `[title 2=3 3=3 4=2 5=1000 6=1 "c*r"]`},
		{`dc.title = "c?mputer"`, `[title 2=3 3=3 4=2 5=1000 6=1 "c?mputer"]`},
		{`dc.title = "comp* science"`, `[title 2=3 3=3 4=1 5=1000 6=1 "comp* science"]`},
		{`dc.title = "^keisri hull"`, `[title 2=3 3=1 4=1 5=100 6=1 "keisri hull"]`},
		{`dc.title = "^keisri hull^"`, `[title 2=3 3=1 4=1 5=100 6=3 "keisri hull"]`},
		{`dc.title = "^kei*"`, `[title 2=3 3=1 4=2 5=1 6=1 "kei"]`},
		{`dc.title = "a\*b"`, `[title 2=3 3=3 4=1 5=100 6=1 "a*b"]`},
		{`dc.title = "a\*b*c"`, `[title 2=3 3=3 4=1 5=1000 6=1 "a b*c"]`},
		{`dc.title =/unmasked "c*r"`, `[title 2=3 3=3 4=1 5=100 6=1 "c*r"]`},
		// Modifiers.
		{`dc.title =/relevant war`, `[title 2=102 3=3 4=2 5=100 6=1 "war"]`},
		{`dc.title =/ignoreCase War`, `[title 2=3 3=3 4=2 5=100 6=1 "War"]`},
		{`dc.creator =/ignoreAccents Bērziņš`, `[author 2=3 3=3 4=2 5=100 6=1 "berzins"]`},
		{`dc.title =/regexp "comp.*"`, `[title 2=3 3=3 4=2 5=102 6=1 "comp.*"]`},
		{`dc.title =/cql.masked war`, `[title 2=3 3=3 4=2 5=100 6=1 "war"]`},
		// Booleans (equal precedence, left-associative).
		{`a and b or c`, `@or @and [any 2=3 3=3 4=2 5=100 6=1 "a"] [any 2=3 3=3 4=2 5=100 6=1 "b"] [any 2=3 3=3 4=2 5=100 6=1 "c"]`},
		{`a not b`, `@not [any 2=3 3=3 4=2 5=100 6=1 "a"] [any 2=3 3=3 4=2 5=100 6=1 "b"]`},
		{`dc.title = (a or b)`, `@or [title 2=3 3=3 4=2 5=100 6=1 "a"] [title 2=3 3=3 4=2 5=100 6=1 "b"]`},
		{`> d = "info:srw/cql-context-set/1/dc-v1.1" d.title = x`, `[title 2=3 3=3 4=2 5=100 6=1 "x"]`},
		{`(> q = "http://zing.z3950.org/cql/bath/2.0/" q.isbn = 1) and x`,
			`@and [isbn 2=3 3=3 4=2 5=100 6=1 "1"] [any 2=3 3=3 4=2 5=100 6=1 "x"]`},
	}
	for _, tt := range tests {
		got, _, err := Parse(tt.cql)
		if err != nil {
			t.Errorf("%s: %v", tt.cql, err)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.cql, got, tt.want)
		}
	}
}

func TestSortBy(t *testing.T) {
	tests := []struct {
		cql  string
		want []search.SortSpec
	}{
		{`x`, nil},
		{`x sortBy dc.title`, []search.SortSpec{{Key: search.SortTitle}}},
		{`x sortBy dc.date/sort.descending dc.creator/ascending`,
			[]search.SortSpec{{Key: search.SortDate, Descending: true}, {Key: search.SortAuthor}}},
		{`x sortBy title/missingHigh date/descending/missingLow/ignoreCase`,
			[]search.SortSpec{{Key: search.SortTitle}, {Key: search.SortDate, Descending: true}}},
	}
	for _, tt := range tests {
		_, got, err := Parse(tt.cql)
		if err != nil {
			t.Errorf("%s: %v", tt.cql, err)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.cql, got, tt.want)
		}
	}
}

func TestFromCQLDiagnostics(t *testing.T) {
	tests := []struct {
		cql     string
		code    int
		details string
	}{
		{`dc.nosuch = x`, 16, "dc.nosuch"},
		{`nosuch = x`, 16, "bibgate.nosuch"},
		{`dc.isbn = x`, 16, "dc.isbn"},
		{`foo.title = x`, 15, "foo"},
		{`cql.resultSetId = 1`, 16, "cql.resultSetId"},
		{`dc.title encloses x`, 19, "encloses"},
		{`dc.title foo.near x`, 19, ""},
		{`dc.title =/stem running`, 20, ""},
		{`dc.title =/fuzzy x`, 20, ""},
		{`dc.title =/respectCase X`, 20, ""},
		{`dc.date </relevant 2000`, 20, "relevant"},
		{`dc.date </regexp 2000`, 20, "regexp"},
		{`a prox/unit=sentence b`, 42, "sentence"},
		{`dc.title = a prox dc.subject = b`, 44, "prox"},
		{`a prox (b or c)`, 44, "prox"},
		{`a prox/distance>20000 b`, 41, "20000"},
		{`dc.title = ""`, 27, ""},
		{`dc.title any ""`, 27, ""},
		{`dc.date < 20*`, 28, "20*"},
		{`dc.date > "^2000"`, 28, ""},
		{`dc.title <> *`, 28, ""},
		{`dc.title = "keisri^"`, 32, ""},
		{`dc.title = "kei^sri"`, 32, ""},
		{`dc.date within 1990`, 36, ""},
		{`dc.title =/regexp "a(b"`, 36, ""},
		{`x sortBy dc.subject`, 88, "dc.subject"},
		{`x sortBy dc.nosuch`, 16, "dc.nosuch"},
		{`x sortBy dc.title/respectCase`, 91, ""},
		{`x sortBy dc.title/locale=lv`, 82, ""},
		{`x sortBy dc.title/missingOmit`, 92, ""},
		{`x sortBy dc.title/descending/missingHigh`, 92, ""},
		{`x sortBy dc.title/missingLow`, 92, ""},
		{`x sortBy dc.title/missingValue=zzz`, 92, ""},
		{`x sortBy dc.title/nosuch`, 81, ""},
		{`(dc.title = `, 10, ""},
	}
	for _, tt := range tests {
		_, _, err := Parse(tt.cql)
		var ce *cql.Error
		if !errors.As(err, &ce) {
			t.Errorf("%s: got %v, want SRU diagnostic %d", tt.cql, err, tt.code)
			continue
		}
		if ce.Code != tt.code || (tt.details != "" && ce.Details != tt.details) {
			t.Errorf("%s: got %d %q (%v), want %d %q", tt.cql, ce.Code, ce.Details, ce, tt.code, tt.details)
		}
	}
}

func TestNormalisedInput(t *testing.T) {
	// A query normalised beforehand (as the SRU handler does) converts the
	// same as a raw one.
	for _, s := range []string{`title = war and dc.creator any "kross pahor" sortBy dc.date/descending`, `lccn = 85-2`} {
		q, err := cql.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		nq, err := Profile().Normalize(q)
		if err != nil {
			t.Fatal(err)
		}
		a, as, err1 := FromCQL(q)
		b, bs, err2 := FromCQL(nq)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v / %v", s, err1, err2)
		}
		if a.String() != b.String() || !slices.Equal(as, bs) {
			t.Errorf("%s: raw %s %v, normalised %s %v", s, a, as, b, bs)
		}
	}
	if _, _, err := FromCQL(nil); err == nil {
		t.Error("nil query accepted")
	}
}

func TestIndexNames(t *testing.T) {
	names := IndexNames()
	for _, n := range names {
		q, _, err := Parse(n + " = x")
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		tm, ok := q.(*search.Term)
		if !ok {
			t.Errorf("%s: got %s", n, q)
			continue
		}
		ix, _ := search.ByCQL(strings.TrimPrefix(n, ContextSetPrefix+"."))
		if ix == nil || tm.Index != ix.Name {
			t.Errorf("%s: index %q", n, tm.Index)
		}
	}
	if !slices.Contains(names, "dc.title") || !slices.Contains(names, "bibgate.lccn") {
		t.Errorf("names lack dc.title or bibgate.lccn: %v", names)
	}
}

func TestResultSetID(t *testing.T) {
	c := Converter{ResultSet: func(name string) (search.Query, error) {
		if name == "rs 1" {
			return &search.Set{IDs: []uint32{4}}, nil
		}
		return nil, &cql.Error{Code: DiagResultSet, Details: name, Pos: -1}
	}}
	q, _, err := c.Parse(`cql.resultSetId = "rs 1" and dc.title = war`)
	if err != nil {
		t.Fatal(err)
	}
	if want := `@and @set(1) [title 2=3 3=3 4=2 5=100 6=1 "war"]`; q.String() != want {
		t.Errorf("got %s, want %s", q, want)
	}
	_, _, err = c.Parse(`cql.resultSetId = gone`)
	if e := AsError(err); e.Code != DiagResultSet || e.Details != "gone" {
		t.Errorf("missing set: got %v", err)
	}
	_, _, err = c.Parse(`cql.resultSetId < gone`)
	if e := AsError(err); e.Code != cql.DiagRelation {
		t.Errorf("resultSetId <: got %v", err)
	}
}

func TestAsError(t *testing.T) {
	tests := []struct {
		err  error
		code int
	}{
		{&cql.Error{Code: 16}, 16},
		{&search.Diagnostic{Code: 114, AddInfo: "x"}, 16},
		{&search.Diagnostic{Code: 117}, 19},
		{&search.Diagnostic{Code: 118}, 22},
		{&search.Diagnostic{Code: 120}, 28},
		{&search.Diagnostic{Code: 122}, 32},
		{&search.Diagnostic{Code: 125}, 36},
		{fmt.Errorf("wrapped: %w", &search.Diagnostic{Code: 123}), 22},
		{errors.New("disk"), 1},
	}
	for _, tt := range tests {
		if got := AsError(tt.err); got.Code != tt.code {
			t.Errorf("%v: got %d, want %d", tt.err, got.Code, tt.code)
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
	tests := []struct{ cql, want string }{
		{`dc.creator = berzins`, "lv001 lv002 lv003 lv009"},
		{`dc.creator = Bērziņš`, "lv001 lv002 lv009"},
		{`dc.creator =/ignoreAccents Bērziņš`, "lv001 lv002 lv003 lv009"},
		{`berzins`, "lv001 lv002 lv003 lv009"},
		{`bath.isbn = 9780140449136`, "lv003"},
		{`bath.isbn = 0-14-044913-2`, "lv003"},
		{`isbn = 9984-00-123-7`, "lv001"},
		{`0140449132`, "lv003"},
		{`dc.title = "keisri hull"`, "ee002 en005"},
		{`dc.title == "keisri hull"`, "ee002 en005"},
		{`dc.title == "keisri"`, ""},
		{`dc.title = "^history of"`, "en003 lv003"}, // lv003: "The history of Latvia", 245 ind2 4
		{`dc.title = "^the history"`, "lv003"},
		{`dc.title all "baltic history"`, "en003 en004"},
		{`dc.title adj "baltic history"`, "en004"},
		{`dc.title any "nekropola necropolis"`, "en002 si004"},
		{`dc.title = dzejo*`, "lv001 lv009"},
		{`dc.title = "dz?joļi"`, "lv001 lv009"},
		{`dc.subject = "computer programming" and dc.date >= 2000`, "en006"},
		{`dc.creator = kross not dc.language = eng`, "ee002"},
		{`dc.date within "2010 2015"`, "en002 en006 lv008 map1"},
		{`dc.publisher = routledge sortBy dc.date`, "en003 serial2"},
		{`cql.allRecords = 1 not dc.type = am`, "map1 music1 serial1 serial2"},
	}
	for _, tt := range tests {
		q, _, err := Parse(tt.cql)
		if err != nil {
			t.Errorf("%s: %v", tt.cql, err)
			continue
		}
		res, err := ix.Search(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", tt.cql, err)
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
			t.Errorf("%s (%s):\n got %v\nwant %v", tt.cql, q, keys, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`cat`, `dc.title = "war and peace"`, `dc.creator any "kross pahor" sortBy dc.date/descending`,
		`dc.title = "^c?m*ter^"`, `dc.date within "1990 2000"`, `a and (b or c) not d`, `dc.title =/regexp "a+b"`,
		`> dc = "info:srw/cql-context-set/1/dc-v1.1" dc.title = x`, `dc.title == "\*x\?"`,
	} {
		f.Add(s)
	}
	c := Converter{ResultSet: func(string) (search.Query, error) { return &search.Set{}, nil }}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := cql.Parse(s)
		if err != nil {
			return
		}
		got, _, err := c.FromCQL(q)
		if err != nil {
			var ce *cql.Error
			if !errors.As(err, &ce) {
				t.Fatalf("%q: error %T %v is not a *cql.Error", s, err, err)
			}
			return
		}
		if got == nil {
			t.Fatalf("%q: nil query without error", s)
		}
	})
}
