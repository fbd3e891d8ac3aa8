package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
)

type searchJSON struct {
	Hits    int `json:"hits"`
	Records []struct {
		ID     string `json:"id"`
		Title  string `json:"title"`
		Author string `json:"author"`
		Year   string `json:"year"`
	} `json:"records"`
}

// runCmd runs a command function in-process and returns its output.
func runCmd(t *testing.T, fn func(context.Context, []string, io.Writer, io.Writer) error, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := fn(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func mustRun(t *testing.T, fn func(context.Context, []string, io.Writer, io.Writer) error, args ...string) string {
	t.Helper()
	out, errOut, err := runCmd(t, fn, args...)
	if err != nil {
		t.Fatalf("%v: %v\nstderr: %s", args, err, errOut)
	}
	return out
}

func searchJSONOf(t *testing.T, dir string, extra ...string) searchJSON {
	t.Helper()
	out := mustRun(t, runSearch, append([]string{"--data-dir", dir, "--json", "--limit", "1000"}, extra...)...)
	var res searchJSON
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("%v: output is not JSON: %v\n%s", extra, err, out)
	}
	if dec.More() {
		t.Fatalf("%v: more than one JSON value:\n%s", extra, out)
	}
	return res
}

func readMARC(t *testing.T, path string) []*marc.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, _, err := marc.NewAutoReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []*marc.Record
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, rec)
	}
}

// isbn10Of returns the ISBN-10 form of a 978 ISBN-13, hyphenated.
func isbn10Of(isbn13 string) string {
	core := isbn13[3:12]
	sum := 0
	for i := 0; i < 9; i++ {
		sum += (10 - i) * int(core[i]-'0')
	}
	check := (11 - sum%11) % 11
	c := byte('0' + check)
	if check == 10 {
		c = 'X'
	}
	return core[:1] + "-" + core[1:5] + "-" + core[5:9] + "-" + string(c)
}

func TestCatalogueCommands(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "data")
	src := filepath.Join(tmp, "cat.mrc")
	const n = 400

	// gen-catalogue writes n records, the same for the same seed.
	mustRun(t, runGenCatalogue, "-n", "400", "-o", src, "--seed", "7")
	recs := readMARC(t, src)
	if len(recs) != n {
		t.Fatalf("generated %d records, want %d", len(recs), n)
	}
	again := filepath.Join(tmp, "again.mrc")
	mustRun(t, runGenCatalogue, "-n", "400", "-o", again, "--seed", "7")
	a, _ := os.ReadFile(src)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("gen-catalogue: same seed, different output")
	}

	// import
	out := mustRun(t, runImport, "--data-dir", dir, src)
	if !strings.Contains(out, "400 records stored") || !strings.Contains(out, ": 400 records,") {
		t.Errorf("import summary:\n%s", out)
	}

	// Diacritic folding: "berzins" finds every Bērziņš; the expected set
	// is worked out from the file itself.
	var wantBerzins []string
	for _, r := range recs {
		for _, f := range r.FieldsByTag("100", "700") {
			if slices.Contains(search.Tokens(search.Fold(search.Normalize(f.Sub('a')))), "berzins") {
				wantBerzins = append(wantBerzins, r.ControlNumber())
				break
			}
		}
	}
	if len(wantBerzins) == 0 {
		t.Fatal("the generated file has no Bērziņš; pick another seed")
	}
	res := searchJSONOf(t, dir, "dc.creator = berzins")
	got := ids(res)
	if res.Hits != len(wantBerzins) || !slices.Equal(got, sorted(wantBerzins)) {
		t.Errorf("dc.creator = berzins: %d hits %v, want %v", res.Hits, got, wantBerzins)
	}
	sawDiacritics := false
	for _, r := range res.Records {
		if strings.Contains(r.Author, "Bērziņš") {
			sawDiacritics = true
		}
		if r.Title == "" || len(r.Year) != 4 {
			t.Errorf("brief record %+v lacks title or year", r)
		}
	}
	if !sawDiacritics {
		t.Errorf("no hit shows Bērziņš as author: %+v", res.Records)
	}
	// The same through PQF.
	pqf := searchJSONOf(t, dir, "--pqf", "@attr 1=1003 berzins")
	if pqf.Hits != res.Hits {
		t.Errorf("PQF author berzins: %d hits, CQL %d", pqf.Hits, res.Hits)
	}

	// An ISBN-10 query finds the record filed under ISBN-13.
	var isbnRec, isbn13 string
	for _, r := range recs {
		if f := r.First("020"); f != nil && strings.HasPrefix(f.Sub('a'), "978") && len(f.Sub('a')) == 13 {
			isbnRec, isbn13 = r.ControlNumber(), f.Sub('a')
			break
		}
	}
	if isbnRec == "" {
		t.Fatal("no plain ISBN-13 in the generated file")
	}
	for _, q := range [][]string{
		{"bath.isbn = " + isbn10Of(isbn13)},
		{isbn10Of(isbn13)},
		{"--pqf", "@attr 1=7 " + isbn10Of(isbn13)},
	} {
		r := searchJSONOf(t, dir, q...)
		if !slices.Contains(ids(r), isbnRec) {
			t.Errorf("%v: %v, want %s (ISBN-13 %s)", q, ids(r), isbnRec, isbn13)
		}
	}

	// Plain output: the hit count first.
	plain := mustRun(t, runSearch, "--data-dir", dir, "--limit", "2", "dc.creator = berzins sortBy dc.title")
	if first, _, _ := strings.Cut(plain, "\n"); first != strconv.Itoa(len(wantBerzins))+" hits" {
		t.Errorf("plain output starts %q", first)
	}
	if lines := strings.Count(plain, "\n"); lines != 1+min(2, len(wantBerzins)) {
		t.Errorf("plain output has %d lines:\n%s", lines, plain)
	}

	// Re-import with one record changed: updated in place, count unchanged.
	changed := recs[10]
	key := changed.ControlNumber()
	for i := range changed.Fields {
		if changed.Fields[i].Tag == "245" {
			changed.Fields[i].Subfields = []marc.Subfield{{Code: 'a', Value: "Zzyzxquux revisited"}}
		}
	}
	patch := filepath.Join(tmp, "patch.xml")
	pf, err := os.Create(patch)
	if err != nil {
		t.Fatal(err)
	}
	xw := marc.NewXMLWriter(pf)
	if err := xw.Write(changed); err != nil {
		t.Fatal(err)
	}
	if err := xw.Close(); err != nil {
		t.Fatal(err)
	}
	pf.Close()
	out = mustRun(t, runImport, "--data-dir", dir, src, patch)
	if !strings.Contains(out, ": 400 records,") {
		t.Errorf("re-import changed the record count:\n%s", out)
	}
	if r := searchJSONOf(t, dir, "dc.title = zzyzxquux"); r.Hits != 1 || r.Records[0].ID != key || r.Records[0].Title != "Zzyzxquux revisited" {
		t.Errorf("changed title: %+v", r)
	}
	if r := searchJSONOf(t, dir, "rec.id = "+key); r.Hits != 1 {
		t.Errorf("rec.id = %s: %d hits after re-import", key, r.Hits)
	}

	// Export round trip, ISO 2709 and MARCXML.
	for _, x := range []struct {
		name string
		args []string
	}{{"out.mrc", nil}, {"out.xml", []string{"--xml"}}} {
		path := filepath.Join(tmp, x.name)
		mustRun(t, runExport, append([]string{"--data-dir", dir, "-o", path}, x.args...)...)
		exported := readMARC(t, path)
		if len(exported) != n {
			t.Errorf("%s: %d records, want %d", x.name, len(exported), n)
		}
		dir2 := filepath.Join(tmp, "data-"+x.name)
		out := mustRun(t, runImport, "--data-dir", dir2, path)
		if !strings.Contains(out, ": 400 records,") {
			t.Errorf("%s re-imported:\n%s", x.name, out)
		}
		if r := searchJSONOf(t, dir2, "dc.creator = berzins"); r.Hits != res.Hits {
			t.Errorf("%s: berzins %d hits, want %d", x.name, r.Hits, res.Hits)
		}
	}
	// Export to stdout.
	stdout := mustRun(t, runExport, "--data-dir", dir)
	if c := strings.Count(stdout, "\x1d"); c != n {
		t.Errorf("export to stdout: %d records", c)
	}
}

func ids(r searchJSON) []string {
	var out []string
	for _, rec := range r.Records {
		out = append(out, rec.ID)
	}
	return sorted(out)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestImportDefectsSummary(t *testing.T) {
	tmp := t.TempDir()
	// Two good records around one whose directory is cut short.
	var buf bytes.Buffer
	w := marc.NewWriter(&buf)
	good := func(id, title string) *marc.Record {
		return &marc.Record{Leader: "00000nam a2200000 a 4500", Fields: []marc.Field{
			{Tag: "001", Value: id},
			{Tag: "245", Ind1: '1', Ind2: '0', Subfields: []marc.Subfield{{Code: 'a', Value: title}}},
		}}
	}
	if err := w.Write(good("a1", "First")); err != nil {
		t.Fatal(err)
	}
	buf.WriteString("00026nam a2200025 a 4500\x1d")
	if err := w.Write(good("a2", "Second")); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(tmp, "bad.mrc")
	if err := os.WriteFile(src, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, runImport, "--data-dir", filepath.Join(tmp, "d"), src)
	if !strings.Contains(out, "2 records stored") || !strings.Contains(out, "defects: 1 dropped") ||
		!strings.Contains(out, "record 2 at byte") {
		t.Errorf("summary:\n%s", out)
	}
}

func TestCatalogueCommandErrors(t *testing.T) {
	tmp := t.TempDir()
	empty := filepath.Join(tmp, "none")
	tests := []struct {
		name  string
		fn    func(context.Context, []string, io.Writer, io.Writer) error
		args  []string
		usage bool
		want  string
	}{
		{"import without files", runImport, []string{"--data-dir", empty}, true, "which files"},
		{"import missing file", runImport, []string{"--data-dir", empty, filepath.Join(tmp, "nope.mrc")}, false, "nope.mrc"},
		{"search without query", runSearch, []string{"--data-dir", empty}, true, "no query"},
		{"search bad index", runSearch, []string{"--data-dir", empty, "dc.nosuch = x"}, true, "SRU diagnostic 16"},
		{"search bad CQL", runSearch, []string{"--data-dir", empty, "(dc.title ="}, true, "SRU diagnostic 10"},
		{"search bad use", runSearch, []string{"--data-dir", empty, "--pqf", "@attr 1=9999 x"}, true, "Bib-1 diagnostic 114"},
		{"search bad PQF", runSearch, []string{"--data-dir", empty, "--pqf", "@and x"}, true, "pqf"},
		{"search no catalogue", runSearch, []string{"--data-dir", empty, "x"}, false, "no catalogue"},
		{"export no catalogue", runExport, []string{"--data-dir", empty}, false, "no catalogue"},
		{"export argument", runExport, []string{"--data-dir", empty, "x"}, true, "unexpected"},
		{"gen negative", runGenCatalogue, []string{"-n", "-1"}, true, "negative"},
		{"bad flag", runImport, []string{"--nope"}, true, "nope"},
	}
	for _, tt := range tests {
		_, _, err := runCmd(t, tt.fn, tt.args...)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if errors.Is(err, errUsage) != tt.usage || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v (usage %v), want %q usage %v", tt.name, err, errors.Is(err, errUsage), tt.want, tt.usage)
		}
	}
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Errorf("search/export created %s", empty)
	}
}

// TestCatalogueLocked: while another process (here: another open) holds
// the catalogue, the commands give up with a hint instead of hanging.
func TestCatalogueLocked(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the lock timeout")
	}
	dir := t.TempDir()
	held, err := catalog.Open(filepath.Join(dir, "catalogue.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	_, _, err = runCmd(t, runSearch, "--data-dir", dir, "x")
	if err == nil || !strings.Contains(err.Error(), "is bibgate serve running on this data dir?") {
		t.Errorf("got %v", err)
	}
}

// TestImportProgressBar drives the progress bar (normally only on a
// terminal) and checks it counted the records ahead.
func TestImportProgressBar(t *testing.T) {
	tmp := t.TempDir()
	src := filepath.Join(tmp, "cat.mrc")
	mustRun(t, runGenCatalogue, "-n", "120", "-o", src)
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	if n := countRecords(f); n != 120 {
		t.Errorf("countRecords ISO 2709: %d", n)
	}
	f.Close()
	xml := filepath.Join(tmp, "cat.xml")
	var xb bytes.Buffer
	xw := marc.NewXMLWriter(&xb)
	for _, r := range readMARC(t, src) {
		if err := xw.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := xw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(xml, xb.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err = os.Open(xml)
	if err != nil {
		t.Fatal(err)
	}
	if n := countRecords(f); n != 120 {
		t.Errorf("countRecords MARCXML: %d", n)
	}
	f.Close()

	cat, err := openCatalogue(filepath.Join(tmp, "d"), true)
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	var bar bytes.Buffer
	rep, err := importFile(context.Background(), cat, xml, 50, true, &bar, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 120 || !strings.Contains(bar.String(), "records") {
		t.Errorf("%d records; bar output %q", rep.Records, bar.String())
	}
}
