package search_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/bibgate/bibgate/internal/gencat"
	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
)

// BenchmarkExtract measures key extraction of generated records, the CPU
// part of an import that the index table and folding decide.
func BenchmarkExtract(b *testing.B) {
	var buf bytes.Buffer
	if err := gencat.Generate(&buf, 500, 1, nil); err != nil {
		b.Fatal(err)
	}
	var recs []*marc.Record
	rd := marc.NewReader(&buf)
	for {
		r, err := rd.Next()
		if err == io.EOF {
			break
		}
		if r != nil {
			recs = append(recs, r)
		}
	}
	keys := 0
	for _, ks := range search.Extract(recs[0]).Keys {
		keys += len(ks)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		ex := search.Extract(recs[i%len(recs)])
		for _, ks := range ex.Keys {
			n += len(ks)
		}
	}
	b.ReportMetric(float64(n)/float64(b.N), "keys/record")
}
