package z3950

import (
	"bytes"
	"os"
	"testing"

	"github.com/bibgate/bibgate/internal/ber"
)

func FuzzDecodePDU(f *testing.F) {
	for _, name := range []string{"testdata/yaz-ztest-session.c2s", "testdata/yaz-ztest-session.s2c"} {
		for _, raw := range readStream(f, name) {
			f.Add(raw)
		}
	}
	if b, err := os.ReadFile("testdata/yaz-client-init-charset.bin"); err == nil {
		f.Add(b)
	}
	for _, b := range idAuthSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := Unmarshal(raw, ber.Limits{MaxSize: 1 << 16, MaxDepth: 40})
		if err != nil {
			return
		}
		_ = PDUName(p.Tag())
		// Whatever decodes must encode, and the encoding must decode to a
		// PDU that encodes identically.
		enc := Marshal(p)
		p2, err := Unmarshal(enc, ber.Limits{MaxSize: 1 << 20, MaxDepth: 60})
		if err != nil {
			t.Fatalf("re-decode of %s: %v", PDUName(p.Tag()), err)
		}
		if !bytes.Equal(Marshal(p2), enc) {
			t.Fatalf("%s: encoding not stable", PDUName(p.Tag()))
		}
		switch v := p.(type) {
		case *SearchRequest:
			if v.Query.RPN != nil && v.Query.RPN.Root != nil {
				s := FormatPQF(v.Query.RPN)
				_, _ = ParsePQF(s)
			}
		case *InitializeRequest:
			_, _ = FindCharsetProposal(v.OtherInfo)
			v.Auth.Credentials()
		case *InitializeResponse:
			_, _ = FindCharsetResponse(v.OtherInfo)
			_, _ = InitRefusalDiagnostic(v.UserInformationField)
		case *PresentResponse:
			if v.Records != nil {
				for _, r := range v.Records.Records {
					if r.Record != nil && r.Record.Single != nil {
						_, _ = ParseOPACRecord(r.Record.Single)
					}
				}
			}
		}
	})
}

func FuzzParsePQF(f *testing.F) {
	for _, s := range []string{
		`@attr 1=4 @attr 5=1 "war and peace"`,
		`@and @attr 1=1003 tolstoy @attr 1=4 war`,
		`@attrset bib-1 @or @attr 1=7 0201896834 @set 1`,
		`@prox 0 3 1 2 k 2 cat dog`,
		`@attr gils 1=title,2 @term numeric 12`,
		`"a \"b\" c"`,
		`@not @term string x @term oid 1.2.3`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParsePQF(s)
		if err != nil {
			return
		}
		// Format is a fixed point after one parse, and the query encodes.
		out := FormatPQF(q)
		q2, err := ParsePQF(out)
		if err != nil {
			t.Fatalf("%q formatted as %q which does not parse: %v", s, out, err)
		}
		if out2 := FormatPQF(q2); out2 != out {
			t.Fatalf("%q: format not stable: %q vs %q", s, out, out2)
		}
		sr := &SearchRequest{ResultSetName: "1", DatabaseNames: []string{"d"}, Query: Query{Kind: QueryRPN, RPN: q}}
		back, err := Unmarshal(Marshal(sr), ber.Limits{MaxSize: 1 << 22, MaxDepth: 1000})
		if err != nil {
			t.Fatalf("%q: encoded query does not decode: %v", s, err)
		}
		if got := FormatPQF(back.(*SearchRequest).Query.RPN); got != out {
			t.Fatalf("%q: BER round trip %q vs %q", s, got, out)
		}
	})
}
