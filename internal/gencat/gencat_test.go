package gencat

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/bibgate/bibgate/marc"
)

func TestBaseRecords(t *testing.T) {
	recs, err := BaseRecords()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 36 {
		t.Errorf("%d base records, want 36", len(recs))
	}
}

func generate(t testing.TB, n int, seed int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Generate(&buf, n, seed, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDeterministic(t *testing.T) {
	a, b := generate(t, 500, 42), generate(t, 500, 42)
	if !bytes.Equal(a, b) {
		t.Fatal("same n and seed gave different output")
	}
	if c := generate(t, 500, 43); bytes.Equal(a, c) {
		t.Error("different seeds gave the same output")
	}
	// A shorter catalogue is a prefix of a longer one with the same seed.
	if short := generate(t, 100, 42); !bytes.HasPrefix(a, short) {
		t.Error("the first 100 records depend on n")
	}
	if len(generate(t, 0, 42)) != 0 {
		t.Error("n = 0 wrote something")
	}
	if err := Generate(io.Discard, -1, 1, nil); err == nil {
		t.Error("negative n accepted")
	}
}

func isbn13OK(s string) bool {
	if len(s) != 13 || (!strings.HasPrefix(s, "978") && !strings.HasPrefix(s, "979")) {
		return false
	}
	sum := 0
	for i, c := range s {
		if c < '0' || c > '9' {
			return false
		}
		w := 1
		if i%2 == 1 {
			w = 3
		}
		sum += w * int(c-'0')
	}
	return sum%10 == 0
}

func isbn10OK(s string) bool {
	if len(s) != 10 {
		return false
	}
	sum := 0
	for i, c := range s {
		v := int(c - '0')
		if c == 'X' && i == 9 {
			v = 10
		} else if c < '0' || c > '9' {
			return false
		}
		sum += (10 - i) * v
	}
	return sum%11 == 0
}

func issnOK(s string) bool {
	if len(s) != 9 || s[4] != '-' {
		return false
	}
	d := s[:4] + s[5:]
	sum := 0
	for i, c := range d {
		v := int(c - '0')
		if c == 'X' && i == 7 {
			v = 10
		} else if c < '0' || c > '9' {
			return false
		}
		sum += (8 - i) * v
	}
	return sum%11 == 0
}

func TestCatalogueContent(t *testing.T) {
	const n = 2000
	r := marc.NewReader(bytes.NewReader(generate(t, n, 7)))
	ids := map[string]bool{}
	var isbn13s, isbn10s, issns, diacriticNames, titles int
	langs := map[string]int{}
	titleSet := map[string]bool{}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		var d *marc.Defect
		if errors.As(err, &d) || err != nil {
			t.Fatalf("record %d: %v", len(ids)+1, err)
		}
		id := rec.ControlNumber()
		if ids[id] {
			t.Errorf("duplicate 001 %q", id)
		}
		ids[id] = true
		f008 := rec.First("008")
		if f008 == nil || len(f008.Value) != 40 {
			t.Fatalf("%s: bad 008 %v", id, f008)
		}
		year, err := strconv.Atoi(f008.Value[7:11])
		if err != nil || year < 1900 || year > 2026 {
			t.Errorf("%s: 008 date %q", id, f008.Value[7:11])
		}
		langs[f008.Value[35:38]]++
		for _, f := range rec.FieldsByTag("020") {
			v, _, _ := strings.Cut(f.Sub('a'), " ")
			switch {
			case isbn13OK(v):
				isbn13s++
			case isbn10OK(v):
				isbn10s++
			default:
				t.Errorf("%s: invalid ISBN %q", id, v)
			}
		}
		for _, f := range rec.FieldsByTag("022") {
			if !issnOK(f.Sub('a')) {
				t.Errorf("%s: invalid ISSN %q", id, f.Sub('a'))
			}
			issns++
		}
		if rec.First("245") == nil {
			t.Errorf("%s: no 245", id)
		} else {
			titles++
			titleSet[rec.First("245").Sub('a')] = true
		}
		if f := rec.First("100"); f != nil && strings.ContainsFunc(f.Sub('a'), func(r rune) bool { return r > unicode.MaxASCII && unicode.IsLetter(r) }) {
			diacriticNames++
		}
	}
	if len(ids) != n {
		t.Fatalf("%d records, want %d", len(ids), n)
	}
	if isbn13s < n/2 || isbn10s < n/40 || issns < n/50 {
		t.Errorf("identifiers: %d ISBN-13, %d ISBN-10, %d ISSN", isbn13s, isbn10s, issns)
	}
	if diacriticNames < n/5 {
		t.Errorf("only %d authors with diacritics", diacriticNames)
	}
	for _, l := range []string{"lav", "est", "slv", "eng"} {
		if langs[l] < n/20 {
			t.Errorf("language %s in %d records", l, langs[l])
		}
	}
	if len(titleSet) < n*85/100 {
		t.Errorf("only %d distinct titles in %d records", len(titleSet), titles)
	}
}

func TestCustomBase(t *testing.T) {
	base := []*marc.Record{{Leader: "00000cam a2200000 a 4500", Fields: []marc.Field{
		{Tag: "245", Ind1: '1', Ind2: '0', Subfields: []marc.Subfield{{Code: 'a', Value: "Kalevipoeg"}}},
	}}}
	var buf bytes.Buffer
	if err := Generate(&buf, 50, 1, base); err != nil {
		t.Fatal(err)
	}
	r := marc.NewReader(&buf)
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 50 {
		t.Errorf("%d records, want 50", n)
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if err := Generate(io.Discard, 10000, 1, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(10000*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
