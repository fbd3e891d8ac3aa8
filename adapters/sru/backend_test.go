package sruadapter

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/boltindex"
	"github.com/bibgate/bibgate/search/cql"
)

func demoBackend(t *testing.T) *Backend {
	t.Helper()
	cat, err := catalog.Open(filepath.Join(t.TempDir(), "catalogue.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	var docs []boltindex.Doc
	for _, rec := range demo.Records() {
		raw, err := marc.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, boltindex.Doc{Key: rec.ControlNumber(), Record: rec, Raw: raw})
	}
	if err := cat.Index().PutBatch(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	return &Backend{Catalogue: cat, Database: "Default"}
}

func TestExplainListsTheIndexTable(t *testing.T) {
	info := demoBackend(t).Explain()
	listed := map[string]bool{}
	for _, ix := range info.Indexes {
		listed[strings.ToLower(ix.Set+"."+ix.Name)] = ix.Sort
	}
	for _, ix := range search.Indexes() {
		_, sorts := search.SortKeyFor(ix)
		for _, name := range ix.CQL {
			if !strings.Contains(name, ".") {
				name = "bibgate." + name
			}
			s, ok := listed[name]
			if !ok {
				t.Errorf("explain lacks %s", name)
			} else if s != sorts {
				t.Errorf("%s: sort %v, want %v", name, s, sorts)
			}
		}
	}
	if _, ok := listed["cql.allrecords"]; !ok {
		t.Error("explain lacks cql.allRecords")
	}
	if info.Database != "Default" {
		t.Errorf("database %q", info.Database)
	}
}

func TestSearchPagesAndSorts(t *testing.T) {
	b := demoBackend(t)
	ctx := context.Background()
	parse := func(s string) *cql.Query {
		q, err := cql.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	tests := []struct {
		query      string
		start, max int
		count      int
		titles     []string
	}{
		{"dc.publisher=jumava sortBy dc.date/sort.descending", 1, 10, 2, []string{"Dvēseļu putenis", "Baltās grāmatas"}},
		{"dc.publisher=jumava sortBy dc.date/sort.ascending", 2, 10, 2, []string{"Dvēseļu putenis"}},
		{"dc.publisher=jumava", 3, 10, 2, nil},
		{"cql.allRecords=1", 1, 0, 12, nil},
		{"bath.isbn=9789934077353", 1, 1, 1, []string{"Zaļā zeme"}},
	}
	for _, tt := range tests {
		res, err := b.Search(ctx, parse(tt.query), tt.start, tt.max)
		if err != nil {
			t.Fatalf("%s: %v", tt.query, err)
		}
		if res.Count != tt.count || len(res.Records) != len(tt.titles) {
			t.Errorf("%s: %d hits, %d records; want %d, %d", tt.query, res.Count, len(res.Records), tt.count, len(tt.titles))
			continue
		}
		for i, rec := range res.Records {
			if got := rec.First("245").Sub('a'); got != tt.titles[i] {
				t.Errorf("%s: record %d is %q, want %q", tt.query, i+1, got, tt.titles[i])
			}
		}
	}
	// Unknown indexes are SRU diagnostic 16.
	_, err := b.Search(ctx, parse("dc.nosuch=x"), 1, 1)
	var ce *cql.Error
	if !errors.As(err, &ce) || ce.Code != cql.DiagIndex {
		t.Errorf("unknown index: %v", err)
	}
}

func TestScan(t *testing.T) {
	b := demoBackend(t)
	ctx := context.Background()
	tests := []struct {
		clause string
		n, pos int
		want   []string
	}{
		{"dc.title=kal", 3, 1, []string{"kalevipoeg", "komplekts", "krst"}},
		{"bibgate.title=kal", 2, 2, []string{"ja", "kalevipoeg"}},
		{`dc.creator=="grīns"`, 2, 1, []string{"grīns aleksandrs", "jaunsudrabiņš jānis"}},
	}
	for _, tt := range tests {
		q, err := cql.Parse(tt.clause)
		if err != nil {
			t.Fatal(err)
		}
		terms, err := b.Scan(ctx, q.Root.(*cql.Clause), tt.n, tt.pos)
		if err != nil {
			t.Fatalf("%s: %v", tt.clause, err)
		}
		var got []string
		for _, term := range terms {
			got = append(got, term.Value)
			if term.Count < 1 {
				t.Errorf("%s: %s has count %d", tt.clause, term.Value, term.Count)
			}
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: %v, want %v", tt.clause, got, tt.want)
		}
	}
}
