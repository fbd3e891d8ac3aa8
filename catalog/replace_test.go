package catalog_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/marc"
)

func marcFile(t *testing.T, recs ...*marc.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := marc.NewWriter(&buf)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func titled(id, title string) *marc.Record {
	return &marc.Record{Leader: "00000nam a2200000 a 4500", Fields: []marc.Field{
		{Tag: "001", Value: id},
		{Tag: "245", Ind1: '1', Ind2: '0', Subfields: []marc.Subfield{{Code: 'a', Value: title}}},
	}}
}

// TestImportReportsReplaced: a record with the 001 of one already stored,
// or of one earlier in the same file, is counted and named in the report.
func TestImportReportsReplaced(t *testing.T) {
	c := openTemp(t, nil)
	// Batch is 7: duplicates inside one batch and across batches.
	var first []*marc.Record
	for i := range 10 {
		first = append(first, titled(fmt.Sprintf("r%02d", i), "Title"))
	}
	first = append(first, titled("r03", "Title again")) // 11 read, 10 distinct
	rep := importBytes(t, c, marcFile(t, first...))
	if rep.Records != 11 || rep.Replaced != 1 || !slices.Equal(rep.ReplacedKeys, []string{"r03"}) {
		t.Errorf("first import: records %d, replaced %d %v; want 11, 1 [r03]", rep.Records, rep.Replaced, rep.ReplacedKeys)
	}
	if n := count(t, c); n != 10 {
		t.Errorf("catalogue has %d records, want 10", n)
	}
	rep = importBytes(t, c, marcFile(t, titled("r01", "New"), titled("x1", "Other"), titled("x1", "Other again")))
	if rep.Records != 3 || rep.Replaced != 2 {
		t.Errorf("second import: records %d, replaced %d %v; want 3, 2", rep.Records, rep.Replaced, rep.ReplacedKeys)
	}
	slices.Sort(rep.ReplacedKeys)
	if !slices.Equal(rep.ReplacedKeys, []string{"r01", "x1"}) {
		t.Errorf("replaced keys %v, want [r01 x1]", rep.ReplacedKeys)
	}
	if n := count(t, c); n != 11 {
		t.Errorf("catalogue has %d records, want 11", n)
	}
}

// TestDemoRecordsOnlyIntoEmptyCatalogue: the demo records are seeded into
// an empty catalogue, never mixed into a library's own.
func TestDemoRecordsOnlyIntoEmptyCatalogue(t *testing.T) {
	ctx := context.Background()
	empty := openTemp(t, nil)
	loaded, err := empty.SeedIfEmpty(ctx, demo.CatalogueRecords())
	if err != nil || !loaded {
		t.Fatalf("seed an empty catalogue: %v, %v", loaded, err)
	}
	if n := count(t, empty); n != int64(len(demo.CatalogueRecords())) {
		t.Errorf("seeded %d records, want %d", n, len(demo.CatalogueRecords()))
	}
	own := openTemp(t, nil)
	importBytes(t, own, marcFile(t, titled("own1", "Our own book")))
	loaded, err = own.SeedIfEmpty(ctx, demo.CatalogueRecords())
	if err != nil || loaded {
		t.Fatalf("seed a catalogue with records: %v, %v", loaded, err)
	}
	if n := count(t, own); n != 1 {
		t.Errorf("catalogue with its own record has %d records after seeding, want 1", n)
	}
}
