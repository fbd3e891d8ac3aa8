package iso18626

import (
	"bytes"
	"encoding/xml"
	"io"
	"testing"
)

// benchSamples is one real sample per message, the fullest of its kind.
var benchSamples = []struct{ name, file string }{
	{"request", "circill-toolkit/RequestFullWSILLMappingSample1.xml"},
	{"requestConfirmation", "circill-toolkit/RequestConfirmationSampleError.xml"},
	{"supplyingAgencyMessage", "circill-toolkit/SupplyingAgencyMessageLoaned.xml"},
	{"supplyingAgencyMessageConfirmation", "circill-toolkit/SupplyingAgencyMessageConfirmationSample1.xml"},
	{"requestingAgencyMessage", "circill-toolkit/RequestingAgencyMessageRenew.xml"},
	{"requestingAgencyMessageConfirmation", "circill-toolkit/RequestingAgencyMessageConfirmationSample1.xml"},
}

func BenchmarkParse(b *testing.B) {
	for _, s := range benchSamples {
		in := readSample(b, s.file)
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMarshal(b *testing.B) {
	for _, s := range benchSamples {
		m, err := Parse(readSample(b, s.file))
		if err != nil {
			b.Fatal(err)
		}
		for _, v := range []Version{V2017, V2021} {
			b.Run(s.name+"/"+v.String(), func(b *testing.B) {
				out, _ := Marshal(m, v)
				b.SetBytes(int64(len(out)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Marshal(m, v); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkTokensOnly walks the same bytes with encoding/xml's tokenizer
// and nothing else: the floor Parse sits on.
func BenchmarkTokensOnly(b *testing.B) {
	for _, s := range benchSamples {
		in := readSample(b, s.file)
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				d := xml.NewDecoder(bytes.NewReader(in))
				for {
					if _, err := d.Token(); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
