package z3950adapter

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search/boltindex"
	"github.com/bibgate/bibgate/z3950"
	"github.com/bibgate/bibgate/z3950/z3950server"
)

// demoCatalogue is the demo titles in a fresh catalogue (no circulation:
// OPAC records carry no holdings).
func demoCatalogue(tb testing.TB) *catalog.Catalogue {
	tb.Helper()
	cat, err := catalog.Open(filepath.Join(tb.TempDir(), "catalogue.db"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cat.Close() })
	var docs []boltindex.Doc
	for _, rec := range demo.Records() {
		raw, err := marc.Marshal(rec)
		if err != nil {
			tb.Fatal(err)
		}
		docs = append(docs, boltindex.Doc{Key: rec.ControlNumber(), Record: rec, Raw: raw})
	}
	if err := cat.Index().PutBatch(context.Background(), docs); err != nil {
		tb.Fatal(err)
	}
	return cat
}

var fuzzSyntaxes = []ber.OID{z3950.OIDUSMARC, z3950.OIDXML, z3950.OIDSUTRS, z3950.OIDOPAC, z3950.OIDUNIMARC, ""}

// FuzzSearchPresent runs arbitrary PQF and CQL queries through the session
// and presents what they find in every syntax: whatever the query, the
// answer is hits or a Bib-1 diagnostic, and every record slot holds a
// record or a surrogate diagnostic.
func FuzzSearchPresent(f *testing.F) {
	for _, s := range []string{"@attr 1=4 zeme", "@and @attr 1=1003 upits @attr 1=4 @attr 5=1 z", "@attr 1=7 978-9934-07735-3",
		"@or @attr 1=31 @attr 2=4 2019 @attr 1=21 @attr 4=6 \"romāni latviešu\"", "@attr 5=104 ka?", "@set 1",
		"@attr 1=4 @attr 5=102 ^k.*g$", "@prox 0 1 1 2 k 2 a b", "@attr 1=9999 x"} {
		f.Add(s, false, "F", uint8(0))
	}
	for _, s := range []string{"dc.title=zeme sortBy dc.date/sort.descending", "cql.allRecords=1", "dc.title any \"zeme kalevipoeg\"",
		"(dc.title=", "dc.date within \"2010 2020\"", "bath.isbn=9984800115", "dc.title=\"^zaļā zeme^\"", "dc.title=k*p?eg"} {
		f.Add(s, true, "B", uint8(1))
	}
	cat := demoCatalogue(f)
	b := &Backend{Catalogue: cat, Database: "Default", Anonymous: true}
	f.Fuzz(func(t *testing.T, query string, isCQL bool, esn string, syntax uint8) {
		ctx := context.Background()
		sess, err := b.Init(ctx, z3950server.InitInfo{Anonymous: true})
		if err != nil {
			t.Fatal(err)
		}
		q := z3950.Query{Kind: z3950.QueryCQL, CQL: query, Type: 104}
		if !isCQL {
			rpn, err := z3950.ParsePQF(query)
			if err != nil {
				return
			}
			q = z3950.Query{Kind: z3950.QueryRPN, RPN: rpn, Type: 1}
		}
		res, err := sess.Search(ctx, z3950server.SearchArgs{ResultSetName: "1", Databases: []string{"default"}, Query: q,
			LookupResultSet: func(string) (any, bool) { return nil, false }})
		var d *z3950.Diagnostic
		if err != nil {
			if !errors.As(err, &d) {
				t.Fatalf("%q: error is not a diagnostic: %v", query, err)
			}
			return
		}
		if res.Count < 0 || res.Count > len(demo.Records()) {
			t.Fatalf("%q: %d hits", query, res.Count)
		}
		if res.Count == 0 {
			return
		}
		recs, err := sess.Records(ctx, z3950server.RecordsArgs{Handle: res.Handle, Start: 1, Count: 3,
			Syntax: fuzzSyntaxes[int(syntax)%len(fuzzSyntaxes)], ElementSet: esn})
		if err != nil {
			if !errors.As(err, &d) {
				t.Fatalf("present: error is not a diagnostic: %v", err)
			}
			return
		}
		if len(recs) != min(3, res.Count) {
			t.Fatalf("%d records for %d hits", len(recs), res.Count)
		}
		for i, r := range recs {
			if (r.External == nil) == (r.Diagnostic == nil) {
				t.Fatalf("record %d: external %v, diagnostic %v", i+1, r.External, r.Diagnostic)
			}
		}
	})
}
