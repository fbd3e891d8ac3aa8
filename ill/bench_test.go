package ill

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/internal/ber"
)

type benchInput struct {
	name string
	raw  []byte
}

// benchInputs are each of the 20 APDUs (fully populated fixtures, version
// 2) and three yaz-illclient captures.
func benchInputs(b *testing.B) []benchInput {
	var ins []benchInput
	for _, a := range fixtures(Version2) {
		raw, err := Encode(a)
		if err != nil {
			b.Fatal(err)
		}
		ins = append(ins, benchInput{a.Type().String(), raw})
	}
	for _, f := range []string{"ill-request-loan.ber", "ill-request-loan-oclc-auth.ber", "status-or-error-report-ok.reply.ber"} {
		raw, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			b.Fatal(err)
		}
		ins = append(ins, benchInput{"yaz-" + strings.TrimSuffix(f, ".ber"), raw})
	}
	return ins
}

// BenchmarkDecodeEncode decodes and re-encodes one APDU per iteration.
func BenchmarkDecodeEncode(b *testing.B) {
	for _, in := range benchInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.raw)))
			for b.Loop() {
				a, err := Decode(in.raw)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Encode(a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTreeOnly parses and writes the same bytes as a BER tree only,
// without the mapping to Go values: the cost the mapping adds is the
// difference to BenchmarkDecodeEncode.
func BenchmarkTreeOnly(b *testing.B) {
	for _, in := range benchInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.raw)))
			for b.Loop() {
				n, err := ber.Unmarshal(in.raw, ber.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				_ = ber.Marshal(n)
			}
		})
	}
}
