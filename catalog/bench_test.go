package catalog_test

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/internal/gencat"
	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/cqlquery"
)

// The query-mix benchmark runs on a small generated catalogue unless these
// name an existing catalogue file (as bibgate import writes it) and a CQL
// query file (one query a line, as bench/querymix writes it); see
// bench/catalogue.sh.
var (
	benchDB      = flag.String("catalogue.db", "", "catalogue file for BenchmarkQueryMix (default: generate one)")
	benchQueries = flag.String("catalogue.queries", "", "CQL queries for BenchmarkQueryMix, one a line")
)

// benchSetup opens the benchmark catalogue and its converted queries.
func benchSetup(b *testing.B) (*catalog.Catalogue, []search.Query) {
	b.Helper()
	ctx := context.Background()
	var c *catalog.Catalogue
	var lines []string
	if *benchDB != "" {
		var err error
		if c, err = catalog.Open(*benchDB, nil); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = c.Close() })
	} else {
		var buf bytes.Buffer
		if err := gencat.Generate(&buf, 5000, 1, nil); err != nil {
			b.Fatal(err)
		}
		c = openTemp(b, nil)
		data := buf.Bytes()
		if _, err := c.Import(ctx, bytes.NewReader(data), catalog.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		lines = defaultMix(b, data)
	}
	if *benchQueries != "" {
		f, err := os.Open(*benchQueries)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" {
				lines = append(lines, l)
			}
		}
		f.Close()
	}
	if len(lines) == 0 {
		b.Fatal("no queries")
	}
	qs := make([]search.Query, len(lines))
	hits := 0
	for i, l := range lines {
		q, _, err := cqlquery.Parse(l)
		if err != nil {
			b.Fatalf("%s: %v", l, err)
		}
		qs[i] = q
		res, err := c.Search(ctx, q)
		if err != nil {
			b.Fatalf("%s: %v", l, err)
		}
		hits += res.Count
	}
	b.Logf("%d queries, %d hits in all", len(qs), hits)
	return c, qs
}

// defaultMix draws the mix of bench/querymix from generated records: title
// word, author surname, exact ISBN, subject word, title AND author.
func defaultMix(b *testing.B, data []byte) []string {
	b.Helper()
	rd := marc.NewReader(bytes.NewReader(data))
	var out []string
	for i := 0; len(out) < 200; i++ {
		rec, err := rd.Next()
		if err != nil {
			break
		}
		if i%97 != 0 {
			continue
		}
		title, surname, isbn, subject := "", "", "", ""
		if f := rec.First("245"); f != nil {
			title = longest(f.Sub('a'))
		}
		if f := rec.First("100"); f != nil {
			name, _, _ := strings.Cut(f.Sub('a'), ",")
			surname = longest(name)
		}
		if f := rec.First("020"); f != nil && len(f.Sub('a')) == 13 {
			isbn = f.Sub('a')
		}
		if f := rec.First("650"); f != nil {
			subject = longest(f.Sub('a'))
		}
		if title == "" || surname == "" || isbn == "" || subject == "" {
			continue
		}
		out = append(out, "dc.title = "+title, "dc.creator = "+surname, "bath.isbn = "+isbn,
			"dc.subject = "+subject, fmt.Sprintf("dc.title = %s and dc.creator = %s", title, surname))
	}
	return out
}

func longest(s string) string {
	best := ""
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len([]rune(w)) > len([]rune(best)) {
			best = w
		}
	}
	if len([]rune(best)) < 4 {
		return ""
	}
	return best
}

// BenchmarkQueryMix measures catalog.Search over the query mix, one
// query after another (queries/s is per core).
func BenchmarkQueryMix(b *testing.B) {
	c, qs := benchSetup(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Search(ctx, qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}

// BenchmarkQueryMixParallel is the same with GOMAXPROCS goroutines
// searching at once.
func BenchmarkQueryMixParallel(b *testing.B) {
	c, qs := benchSetup(b)
	ctx := context.Background()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := c.Search(ctx, qs[i%len(qs)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}

// BenchmarkImport measures importing generated records into a new
// catalogue.
func BenchmarkImport(b *testing.B) {
	var buf bytes.Buffer
	if err := gencat.Generate(&buf, 2000, 1, nil); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		c, err := catalog.Open(filepath.Join(b.TempDir(), fmt.Sprintf("c%d.db", i)), nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Import(context.Background(), bytes.NewReader(data), catalog.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		_ = c.Close()
	}
	b.ReportMetric(float64(2000*b.N)/b.Elapsed().Seconds(), "records/s")
}
