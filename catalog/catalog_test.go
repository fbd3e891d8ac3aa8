package catalog_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/cqlquery"
	"github.com/bibgate/bibgate/store/memstore"
)

func openTemp(t testing.TB, circ *core.Service) *catalog.Catalogue {
	t.Helper()
	c, err := catalog.Open(filepath.Join(t.TempDir(), "catalogue.db"), circ)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func importBytes(t testing.TB, c *catalog.Catalogue, data []byte) catalog.ImportReport {
	t.Helper()
	rep, err := c.Import(context.Background(), bytes.NewReader(data), catalog.ImportOptions{Batch: 7})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func count(t testing.TB, c *catalog.Catalogue) int64 {
	t.Helper()
	st, err := c.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Records
}

// cqlKeys runs a CQL query and returns the 001s of the hits, sorted.
func cqlKeys(t testing.TB, c *catalog.Catalogue, query string) []string {
	t.Helper()
	ctx := context.Background()
	q, _, err := cqlquery.Parse(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	res, err := c.Search(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	keys, err := c.Keys(ctx, res.IDs)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	return keys
}

// recordStarts returns the byte offset of every ISO 2709 record in data
// (after each record terminator), worked out independently of the reader.
func recordStarts(data []byte) []int64 {
	starts := []int64{0}
	for i, b := range data {
		if b == 0x1d && i+1 < len(data) && data[i+1] != '\n' {
			starts = append(starts, int64(i+1))
		}
	}
	return starts
}

func TestImportRealFiles(t *testing.T) {
	tests := []struct {
		file                                         string
		records, dropped, repaired, reencoded, nokey int
	}{
		{"pymarc-test.dat", 10, 0, 0, 0, 0},
		{"yaz-marccol1.u8.marc", 19, 0, 0, 0, 0},
		// #1-#5 have broken base addresses or directories; none has a 001.
		// Two salvage to nothing but a leader and are dropped; the other
		// six are the same book, stored once under a key from its content.
		{"pymarc-bad_records.mrc", 6, 2, 4, 0, 6},
		{"pymarc-regression45.dat", 12, 0, 11, 0, 0},
		{"pymarc-1251.dat", 6, 0, 0, 6, 0},
		{"yaz-marc8.marc", 1, 0, 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c := openTemp(t, nil)
			data := testdata(t, tt.file)
			rep := importBytes(t, c, data)
			got := []int{rep.Records, rep.Dropped, rep.Repaired, rep.Reencoded, rep.NoKey}
			want := []int{tt.records, tt.dropped, tt.repaired, tt.reencoded, tt.nokey}
			if !slices.Equal(got, want) {
				t.Errorf("records, dropped, repaired, re-encoded, no key = %v, want %v", got, want)
			}
			held := int64(tt.records)
			if tt.file == "pymarc-bad_records.mrc" {
				held = 1
			}
			if n := count(t, c); n != held {
				t.Errorf("catalogue holds %d records, want %d", n, held)
			}
			if len(rep.Defects) != tt.dropped+tt.repaired+tt.reencoded {
				t.Errorf("%d defects listed, want %d", len(rep.Defects), tt.dropped+tt.repaired+tt.reencoded)
			}
			starts := recordStarts(data)
			for _, d := range rep.Defects {
				if d.Record < 1 || d.Record > len(starts) || d.Reason == "" {
					t.Errorf("defect %+v: bad record number or no reason", d)
					continue
				}
				if d.Offset != starts[d.Record-1] {
					t.Errorf("defect of record %d at byte %d, the record starts at %d", d.Record, d.Offset, starts[d.Record-1])
				}
			}
		})
	}
}

func TestImportDroppedRecords(t *testing.T) {
	// A good file with garbage in the middle and its last record cut short.
	good := testdata(t, "pymarc-test.dat")
	starts := recordStarts(good)
	var data []byte
	data = append(data, good[:starts[3]]...)
	data = append(data, []byte("not a record at all\x1d")...)
	data = append(data, good[starts[3]:starts[9]]...)
	data = append(data, good[starts[9]:starts[9]+100]...)
	c := openTemp(t, nil)
	rep := importBytes(t, c, data)
	if rep.Records != 9 || rep.Dropped != 2 {
		t.Errorf("stored %d, dropped %d; want 9 and 2 (report %+v)", rep.Records, rep.Dropped, rep)
	}
	for _, d := range rep.Defects {
		if d.Kind != marc.DefectDropped || d.Reason == "" {
			t.Errorf("defect %+v, want a dropped record with a reason", d)
		}
	}
	if n := count(t, c); n != 9 {
		t.Errorf("catalogue holds %d records", n)
	}
}

func TestImportMARC8(t *testing.T) {
	// The same record in MARC-8 and in UTF-8 (001 "2"): after conversion
	// the second import replaces the first with identical text.
	c := openTemp(t, nil)
	importBytes(t, c, testdata(t, "pymarc-marc8.dat"))
	if got := cqlKeys(t, c, `dc.title = "solitude à la communauté"`); !slices.Equal(got, []string{"2"}) {
		t.Errorf("diacritic phrase after MARC-8 conversion: %v", got)
	}
	if got := cqlKeys(t, c, `dc.title = communaute`); !slices.Equal(got, []string{"2"}) {
		t.Errorf("folded word after MARC-8 conversion: %v", got)
	}
	first := fieldsOf(t, c, "2")
	importBytes(t, c, testdata(t, "pymarc-utf8_with_leader_flag.dat"))
	if n := count(t, c); n != 1 {
		t.Errorf("%d records after importing the UTF-8 twin", n)
	}
	second := fieldsOf(t, c, "2")
	if first != second {
		t.Errorf("MARC-8 and UTF-8 imports differ:\n%s\n--\n%s", first, second)
	}
	if !strings.Contains(second, "De la solitude à la communauté") {
		t.Errorf("240 not converted:\n%s", second)
	}
}

// fieldsOf renders the fields (not the leader) of the record with key.
func fieldsOf(t *testing.T, c *catalog.Catalogue, key string) string {
	t.Helper()
	ctx := context.Background()
	q := &search.Term{Index: "local", Text: key}
	res, err := c.Search(ctx, q)
	if err != nil || res.Count != 1 {
		t.Fatalf("record %s: %v, %d hits", key, err, res.Count)
	}
	recs, err := c.Parsed(ctx, res.IDs)
	if err != nil || recs[0] == nil {
		t.Fatalf("record %s unreadable: %v", key, err)
	}
	var b strings.Builder
	for i := range recs[0].Fields {
		b.WriteString(recs[0].Fields[i].String())
		b.WriteByte('\n')
	}
	return b.String()
}

func TestReimportInPlace(t *testing.T) {
	c := openTemp(t, nil)
	data := testdata(t, "pymarc-test.dat")
	importBytes(t, c, data)
	before := count(t, c)
	// Change one record's title and import the whole file again, as MARCXML.
	recs := readAll(t, data)
	key := recs[4].ControlNumber()
	for i := range recs[4].Fields {
		if recs[4].Fields[i].Tag == "245" {
			recs[4].Fields[i].Subfields = []marc.Subfield{{Code: 'a', Value: "Quuxbrindle chronicles"}}
		}
	}
	var xml bytes.Buffer
	xw := marc.NewXMLWriter(&xml)
	for _, r := range recs {
		if err := xw.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := xw.Close(); err != nil {
		t.Fatal(err)
	}
	rep := importBytes(t, c, xml.Bytes())
	if rep.Records != len(recs) {
		t.Errorf("re-import stored %d", rep.Records)
	}
	if after := count(t, c); after != before {
		t.Errorf("count %d after re-import, was %d", after, before)
	}
	if got := cqlKeys(t, c, "dc.title = quuxbrindle"); !slices.Equal(got, []string{key}) {
		t.Errorf("new title finds %v, want %s", got, key)
	}
	if got := cqlKeys(t, c, "rec.id = "+key); len(got) != 1 {
		t.Errorf("record %s present %d times", key, len(got))
	}
}

func readAll(t *testing.T, data []byte) []*marc.Record {
	t.Helper()
	rd, _, err := marc.NewAutoReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var out []*marc.Record
	for {
		r, err := rd.Next()
		if err == io.EOF {
			return out
		}
		if r == nil {
			t.Fatalf("unreadable record: %v", err)
		}
		out = append(out, r)
	}
}

func TestExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := openTemp(t, nil)
	for _, f := range []string{"pymarc-test.dat", "yaz-marccol1.u8.marc", "pymarc-regression45.dat", "pymarc-marc8.dat"} {
		importBytes(t, src, testdata(t, f))
	}
	n := count(t, src)
	for _, asXML := range []bool{false, true} {
		var buf bytes.Buffer
		written, err := src.Export(ctx, &buf, asXML)
		if err != nil {
			t.Fatal(err)
		}
		if int64(written) != n {
			t.Errorf("xml=%v: exported %d of %d", asXML, written, n)
		}
		dst := openTemp(t, nil)
		rep := importBytes(t, dst, buf.Bytes())
		if int64(rep.Records) != n || rep.Dropped+rep.Repaired+rep.Reencoded != 0 {
			t.Errorf("xml=%v: re-import %+v", asXML, rep)
		}
		// Every record comes back with the same fields.
		all, err := src.Search(ctx, &search.All{})
		if err != nil {
			t.Fatal(err)
		}
		keys, err := src.Keys(ctx, all.IDs)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if a, b := fieldsOf(t, src, k), fieldsOf(t, dst, k); a != b {
				t.Errorf("xml=%v: record %s differs after the round trip:\n%s\n--\n%s", asXML, k, a, b)
			}
		}
	}
}

func newDemoService(t *testing.T) *core.Service {
	t.Helper()
	svc, err := core.NewService(memstore.New(), demo.Consortium(), core.Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestHoldingsLive(t *testing.T) {
	ctx := context.Background()
	svc := newDemoService(t)
	c := openTemp(t, svc)
	var buf bytes.Buffer
	w := marc.NewWriter(&buf)
	for _, r := range demo.Records() {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	importBytes(t, c, buf.Bytes())

	// Find the title through the catalogue, as a searcher would.
	keys := cqlKeys(t, c, "dc.creator = upits and dc.title = zeme")
	if !slices.Equal(keys, []string{"demo-0001"}) {
		t.Fatalf("Upīts search: %v", keys)
	}
	hs, err := c.Holdings(ctx, keys[0])
	if err != nil {
		t.Fatal(err)
	}
	var want int
	for _, it := range demo.Items() {
		if it.RecordID == keys[0] {
			want++
		}
	}
	if len(hs) != want || want == 0 {
		t.Fatalf("%d holdings, want %d", len(hs), want)
	}
	var target catalog.Holding
	for _, h := range hs {
		if h.LibraryName == "" || h.CallNumber == "" {
			t.Errorf("holding %+v lacks library name or call number", h)
		}
		if h.Available && target.ItemID == "" {
			target = h
		}
	}
	if target.ItemID == "" {
		t.Fatal("no copy on the shelf")
	}
	if target.Status != core.ItemAvailable || !target.Due.IsZero() {
		t.Errorf("shelf copy %+v", target)
	}

	loan, err := svc.Checkout(ctx, core.CheckoutRequest{Library: target.Library, PatronID: demo.PatronGood, ItemID: target.ItemID})
	if err != nil {
		t.Fatal(err)
	}
	after := holding(t, c, keys[0], target.ItemID)
	if after.Available || after.Status != core.ItemOnLoan || !after.Due.Equal(loan.Due) {
		t.Errorf("after checkout: %+v, want on loan due %v", after, loan.Due)
	}

	if _, err := svc.Checkin(ctx, core.CheckinRequest{Library: target.Library, ItemID: target.ItemID}); err != nil {
		t.Fatal(err)
	}
	back := holding(t, c, keys[0], target.ItemID)
	if !back.Available || !back.Due.IsZero() {
		t.Errorf("after checkin: %+v", back)
	}

	// A copy written off by an approved act is no longer a holding.
	act, err := svc.DraftWriteOff(ctx, core.WriteOffRequest{Library: target.Library, Items: []string{target.ItemID}, Reason: "worn_out"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApproveWriteOff(ctx, act.ID, "Anna Vadītāja"); err != nil {
		t.Fatal(err)
	}
	hs, err = c.Holdings(ctx, keys[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if h.ItemID == target.ItemID {
			t.Errorf("written-off copy still held: %+v", h)
		}
	}
	if len(hs) != want-1 {
		t.Errorf("%d holdings after writing one off, want %d", len(hs), want-1)
	}

	// A record without items has no holdings; a catalogue without a
	// circulation service has none at all.
	if hs, err := c.Holdings(ctx, "no-such-record"); err != nil || len(hs) != 0 {
		t.Errorf("unknown record: %v %v", hs, err)
	}
	bare := openTemp(t, nil)
	if hs, err := bare.Holdings(ctx, keys[0]); err != nil || hs != nil {
		t.Errorf("no circulation: %v %v", hs, err)
	}
}

func holding(t *testing.T, c *catalog.Catalogue, key, item string) catalog.Holding {
	t.Helper()
	hs, err := c.Holdings(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if h.ItemID == item {
			return h
		}
	}
	t.Fatalf("item %s not among the holdings of %s", item, key)
	return catalog.Holding{}
}

// Records without a 001 are stored under a key from their content, so a
// second import of the same file updates them instead of adding copies.
func TestReimportWithoutControlNumbers(t *testing.T) {
	c := openTemp(t, nil)
	data := testdata(t, "pymarc-bad_records.mrc")
	importBytes(t, c, data)
	first := count(t, c)
	rep := importBytes(t, c, data)
	if rep.NoKey == 0 {
		t.Fatal("fixture has no records without a 001")
	}
	if n := count(t, c); n != first {
		t.Errorf("re-import: %d records, was %d", n, first)
	}
}
