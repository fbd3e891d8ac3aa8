package boltindex_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/boltindex"
)

// synth makes deterministic synthetic records: titles and subjects drawn
// from a Zipf-distributed vocabulary, a few thousand authors, an ISBN-13,
// a year, a language and a publisher, about 1 KB of MARC each.
type synth struct {
	rng      *rand.Rand
	zipf     *rand.Zipf
	words    []string
	surnames []string
}

func newSynth(seed uint64) *synth {
	rng := rand.New(rand.NewPCG(seed, 42))
	s := &synth{rng: rng, zipf: rand.NewZipf(rng, 1.1, 2, 19999)}
	syll := []string{"ka", "ra", "lo", "mi", "ne", "su", "ta", "vē", "dz", "ļa", "ņo", "be", "ri", "šu", "al", "or", "in", "ēt", "ga", "pu"}
	for i := 0; i < 20000; i++ {
		n := 2 + i%3
		var b strings.Builder
		x := i
		for j := 0; j < n; j++ {
			b.WriteString(syll[x%len(syll)])
			x /= len(syll)
			x += j * 7
		}
		s.words = append(s.words, b.String())
	}
	for i := 0; i < 5000; i++ {
		s.surnames = append(s.surnames, strings.ToUpper(s.words[i*3+1][:1])+s.words[i*3+1][1:]+"s")
	}
	return s
}

func (s *synth) phrase(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = s.words[s.zipf.Uint64()]
	}
	return strings.Join(parts, " ")
}

func isbn13(n int) string {
	p := fmt.Sprintf("978%09d", n)
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(p[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return p + string(rune('0'+(10-sum%10)%10))
}

func (s *synth) record(i int) (string, *marc.Record) {
	key := fmt.Sprintf("syn%07d", i)
	year := 1900 + s.rng.IntN(125)
	lang := []string{"lav", "est", "slv", "eng", "ger", "rus"}[s.rng.IntN(6)]
	sub := func(code byte, v string) marc.Subfield { return marc.Subfield{Code: code, Value: v} }
	author := s.surnames[s.rng.IntN(len(s.surnames))] + ", " + s.surnames[s.rng.IntN(len(s.surnames))]
	rec := &marc.Record{Leader: "00000nam a2200000 a 4500", Fields: []marc.Field{
		{Tag: "001", Value: key},
		{Tag: "008", Value: fmt.Sprintf("980101s%d    xx                  %s d", year, lang)},
		{Tag: "020", Subfields: []marc.Subfield{sub('a', isbn13(i))}},
		{Tag: "100", Ind1: '1', Subfields: []marc.Subfield{sub('a', author)}},
		{Tag: "245", Ind1: '1', Ind2: '0', Subfields: []marc.Subfield{sub('a', s.phrase(2+s.rng.IntN(4))), sub('b', s.phrase(3)), sub('c', author)}},
		{Tag: "260", Subfields: []marc.Subfield{sub('a', "Rīga :"), sub('b', s.phrase(1)+" "+s.phrase(1)), sub('c', fmt.Sprint(year))}},
		{Tag: "300", Subfields: []marc.Subfield{sub('a', fmt.Sprintf("%d p.", 50+s.rng.IntN(500)))}},
		{Tag: "520", Subfields: []marc.Subfield{sub('a', s.phrase(20))}},
		{Tag: "650", Ind2: '0', Subfields: []marc.Subfield{sub('a', s.phrase(2)), sub('x', s.phrase(1))}},
		{Tag: "650", Ind2: '0', Subfields: []marc.Subfield{sub('a', s.phrase(2))}},
		{Tag: "700", Ind1: '1', Subfields: []marc.Subfield{sub('a', s.surnames[s.rng.IntN(len(s.surnames))]+", "+s.phrase(1))}},
	}}
	return key, rec
}

func synthDocs(n int) []boltindex.Doc {
	s := newSynth(1)
	docs := make([]boltindex.Doc, n)
	for i := range docs {
		key, rec := s.record(i)
		docs[i] = boltindex.Doc{Key: key, Record: rec, Raw: make([]byte, 900)}
	}
	return docs
}

const importBatch = 25000

func importDocs(tb testing.TB, ix *boltindex.Index, docs []boltindex.Doc) {
	ctx := context.Background()
	for i := 0; i < len(docs); i += importBatch {
		if err := ix.PutBatch(ctx, docs[i:min(i+importBatch, len(docs))]); err != nil {
			tb.Fatal(err)
		}
	}
}

func BenchmarkIndex10k(b *testing.B) {
	docs := synthDocs(10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix, err := boltindex.Open(filepath.Join(b.TempDir(), "bench.db"), &boltindex.Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		importDocs(b, ix, docs)
		_ = ix.Close()
	}
	b.ReportMetric(float64(len(docs)*b.N)/b.Elapsed().Seconds(), "records/s")
}

// queryMix returns, per kind, queries built from records of the synthetic
// catalogue, so every query has hits.
func queryMix() map[string][]search.Query {
	s := newSynth(1)
	mix := map[string][]search.Query{}
	for i := 0; i < 50; i++ {
		_, rec := s.record(i * 37)
		word := strings.Fields(rec.First("245").Sub('a'))[0]
		mix["title-word"] = append(mix["title-word"], &search.Term{Index: "title", Text: word})
		mix["author"] = append(mix["author"], &search.Term{Index: "author", Text: rec.First("100").Sub('a')})
		mix["isbn"] = append(mix["isbn"], &search.Term{Index: "isbn", Text: isbn13(i * 37)})
		mix["subject-phrase"] = append(mix["subject-phrase"],
			&search.Term{Index: "subject", Text: rec.First("650").Sub('a'), Structure: search.StructPhrase})
		mix["and"] = append(mix["and"], &search.And{Left: &search.Term{Index: "title", Text: word},
			Right: &search.Term{Index: "language", Text: rec.First("008").Value[35:38]}})
	}
	return mix
}

func BenchmarkQueryMix(b *testing.B) {
	docs := synthDocs(10000)
	ix, err := boltindex.Open(filepath.Join(b.TempDir(), "bench.db"), &boltindex.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	importDocs(b, ix, docs)
	mix := queryMix()
	kinds := []string{"title-word", "author", "isbn", "subject-phrase", "and"}
	var all []search.Query
	for i := 0; i < 50; i++ {
		for _, k := range kinds {
			all = append(all, mix[k][i])
		}
	}
	ctx := context.Background()
	run := func(b *testing.B, queries []search.Query) {
		hits := 0
		for i := 0; i < b.N; i++ {
			res, err := ix.Search(ctx, queries[i%len(queries)])
			if err != nil {
				b.Fatal(err)
			}
			hits += res.Count
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
		if hits == 0 {
			b.Fatal("the queries found nothing")
		}
	}
	b.Run("mix", func(b *testing.B) { run(b, all) })
	for _, k := range kinds {
		b.Run(k, func(b *testing.B) { run(b, mix[k]) })
	}
}

// TestImport100k measures a Zebra-sized import; run with BIBGATE_BIG=1.
func TestImport100k(t *testing.T) {
	if testing.Short() || !bigTests() {
		t.Skip("set BIBGATE_BIG=1 to run the 100,000-record import")
	}
	docs := synthDocs(100000)
	ix, err := boltindex.Open(filepath.Join(t.TempDir(), "big.db"), &boltindex.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	start := time.Now()
	importDocs(t, ix, docs)
	el := time.Since(start)
	st, _ := ix.Stats(context.Background())
	t.Logf("100k import: %v (%.0f records/s), %+v", el, 100000/el.Seconds(), st)
}
