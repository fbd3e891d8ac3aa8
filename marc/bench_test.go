package marc

import (
	"bytes"
	"io"
	"os"
	"testing"
)

func BenchmarkReadReal(b *testing.B) {
	data, err := os.ReadFile("testdata/real.mrc")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	n := 0
	for b.Loop() {
		r := NewReader(bytes.NewReader(data))
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkReadRealXML(b *testing.B) {
	data, err := os.ReadFile("testdata/real.xml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	n := 0
	for b.Loop() {
		r := NewXMLReader(bytes.NewReader(data))
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkMarshal(b *testing.B) {
	recs, _ := readFile(b, "testdata/real.mrc")
	var buf []byte
	n := 0
	for b.Loop() {
		for _, r := range recs {
			var err error
			if buf, err = AppendMarshal(buf[:0], r); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkMarshalXML(b *testing.B) {
	recs, _ := readFile(b, "testdata/real.mrc")
	n := 0
	for b.Loop() {
		for _, r := range recs {
			if _, err := MarshalXML(r); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
