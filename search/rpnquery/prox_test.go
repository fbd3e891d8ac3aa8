package rpnquery

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search/boltindex"
	"github.com/bibgate/bibgate/search/cqlquery"
	"github.com/bibgate/bibgate/z3950"
)

// proxIndex holds titles whose words sit at known positions.
func proxIndex(t *testing.T) *boltindex.Index {
	t.Helper()
	ix, err := boltindex.Open(filepath.Join(t.TempDir(), "index.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	rec := func(key string, titles ...string) boltindex.Doc {
		r := &marc.Record{Leader: "00000nam a2200000 a 4500", Fields: []marc.Field{{Tag: "001", Value: key}}}
		for i, title := range titles {
			tag := "245"
			if i > 0 {
				tag = "246"
			}
			r.Fields = append(r.Fields, marc.Field{Tag: tag, Ind1: '1', Ind2: '0', Subfields: []marc.Subfield{{Code: 'a', Value: title}}})
		}
		return boltindex.Doc{Key: key, Record: r, Raw: []byte(key)}
	}
	docs := []boltindex.Doc{
		rec("p1", "The art of computer programming"),                // art 1, programming 4
		rec("p2", "Programming the art of war"),                     // programming 0, art 2
		rec("p3", "Art history", "Computer programming"),            // the words in two fields
		rec("p4", "Art and the craft of fine computer programming"), // art 0, programming 7
	}
	if err := ix.PutBatch(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	return ix
}

func keysOf(t *testing.T, ix *boltindex.Index, res []uint32) string {
	t.Helper()
	keys, err := ix.Keys(context.Background(), res)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	return strings.Join(keys, " ")
}

// TestProximity: @prox with a distance, ordered or unordered, is answered
// from word positions inside a field (it was diagnostic 110).
func TestProximity(t *testing.T) {
	ix := proxIndex(t)
	ctx := context.Background()
	for _, tt := range []struct{ pqf, want string }{
		{`@attr 1=4 @prox 0 3 1 2 k 2 art programming`, "p1"},    // ordered, at most 3 words on
		{`@attr 1=4 @prox 0 3 0 2 k 2 art programming`, "p1 p2"}, // unordered
		{`@attr 1=4 @prox 0 2 1 2 k 2 art programming`, ""},      // p1 is 3 apart
		{`@attr 1=4 @prox 0 7 1 3 k 2 art programming`, "p4"},    // exactly 7
		{`@attr 1=4 @prox 0 3 1 5 k 2 art programming`, "p4"},    // more than 3
		{`@attr 1=4 @prox 0 3 1 1 k 2 art programming`, ""},      // less than 3
		{`@attr 1=4 @prox 0 3 0 6 k 2 art programming`, "p2 p4"}, // not 3
		{`@attr 1=4 @prox 0 1 1 2 k 2 art programming`, ""},      // a phrase: not adjacent anywhere
		{`@attr 1=4 @prox 0 1 1 2 k 2 computer programming`, "p1 p3 p4"},
		{`@attr 1=4 @prox 0 2 1 2 k 2 @attr 5=1 comp @attr 5=1 prog`, "p1 p3 p4"}, // truncated operands
		{`@attr 1=4 @prox 0 3 1 2 k 2 @prox 0 1 1 2 k 2 art of programming`, "p1"},
		{`@attr 1=4 @prox 0 2 0 2 k 2 @prox 0 1 0 2 k 2 art the war`, "p2"}, // nested, unordered
	} {
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
		if got := keysOf(t, ix, res.IDs); got != tt.want {
			t.Errorf("%s (%s) = %q, want %q", tt.pqf, q, got, tt.want)
		}
	}
	// Still refused: exclusion, and operands in two indexes.
	for _, pqf := range []string{`@prox 1 3 1 2 k 2 art programming`, `@prox 0 3 1 2 k 2 @attr 1=4 art @attr 1=21 programming`} {
		var d *z3950.Diagnostic
		if _, err := FromRPN(mustPQF(t, pqf)); !errors.As(err, &d) {
			t.Errorf("%s: %v, want a diagnostic", pqf, err)
		}
	}
}

// TestCQLProximity: CQL prox/distance<N from word positions (it was SRU
// diagnostic 37).
func TestCQLProximity(t *testing.T) {
	ix := proxIndex(t)
	ctx := context.Background()
	for _, tt := range []struct{ cql, want string }{
		{`dc.title = art prox/unit=word/distance<4/ordered dc.title = programming`, "p1"},
		{`dc.title = art prox/distance<=3 dc.title = programming`, "p1 p2"}, // unordered is the default
		{`dc.title = art prox/distance=7 dc.title = programming`, "p4"},
		{`dc.title = art prox/distance>3 dc.title = programming`, "p4"},
		{`dc.title = computer prox dc.title = programming`, "p1 p3 p4"}, // distance<=1
		{`dc.title = art prox/distance<3/ordered dc.title = programming`, ""},
		{`dc.title = prog* prox/distance<=2/unordered dc.title = art`, "p2"},
	} {
		q, _, err := cqlquery.Parse(tt.cql)
		if err != nil {
			t.Errorf("%s: %v", tt.cql, err)
			continue
		}
		res, err := ix.Search(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", tt.cql, err)
			continue
		}
		if got := keysOf(t, ix, res.IDs); got != tt.want {
			t.Errorf("%s (%s) = %q, want %q", tt.cql, q, got, tt.want)
		}
	}
}
