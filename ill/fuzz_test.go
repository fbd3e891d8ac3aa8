package ill

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/bibgate/bibgate/internal/ber"
)

// FuzzDecode feeds arbitrary bytes to Decode. The seed corpus in
// testdata/fuzz/FuzzDecode holds the yaz-illclient captures, our replies
// and one encoding of each of the 20 APDUs. Whatever Decode accepts must
// encode, decode back to the same value and encode to the same bytes;
// whatever it refuses must be a *DecodeError with a general-problem code.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, in []byte) {
		d := Decoder{Limits: ber.Limits{MaxSize: 1 << 16, MaxDepth: 32}}
		a, err := d.Decode(in)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) || de.Problem < UnrecognizedAPDU || de.Problem > BadlyStructuredAPDU {
				t.Fatalf("error %v is not a DecodeError with a general problem", err)
			}
			return
		}
		_ = a.Head().CheckVersion()
		_ = Latin1(in)
		// Through the schema: Encode itself refuses bad versions.
		n, err := schemas[a.Type()].Encode(a, ber.EncodeOptions{})
		if err != nil {
			t.Fatalf("decoded %s does not encode: %v", a.Type(), err)
		}
		enc := ber.Marshal(n)
		b, err := Decoder{Limits: ber.Limits{MaxSize: 1 << 20, MaxDepth: 64}}.Decode(enc)
		if err != nil {
			t.Fatalf("re-decode of %s: %v\n%X", a.Type(), err, enc)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s changed in a round trip\n%+v\n%+v", a.Type(), a, b)
		}
		n2, err := schemas[b.Type()].Encode(b, ber.EncodeOptions{})
		if err != nil || !bytes.Equal(ber.Marshal(n2), enc) {
			t.Fatalf("encoding of %s not stable: %v", a.Type(), err)
		}
		if _, err := schemas[a.Type()].Encode(a, ber.EncodeOptions{OmitDefaults: true}); err != nil {
			t.Fatalf("OmitDefaults: %v", err)
		}
	})
}
