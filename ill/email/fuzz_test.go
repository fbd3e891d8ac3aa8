package email

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParse feeds arbitrary messages to Parse. The seed corpus in
// testdata/fuzz/FuzzParse holds messages composed from the yaz-illclient
// captures and a reply, a single-part x- typed message and a nested one.
// Parse must stay within its limits and either refuse with one of its
// errors or return APDU parts that are each decoded or explained; an APDU
// it decoded must survive Compose and Parse again byte for byte.
func FuzzParse(f *testing.F) {
	lim := Limits{MaxMessage: 1 << 16, MaxAPDU: 1 << 14, MaxParts: 16, MaxDepth: 4}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw, lim)
		if err != nil {
			if !errors.Is(err, ErrNoAPDU) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if len(m.Parts) == 0 || len(m.Parts) > lim.MaxParts {
			t.Fatalf("%d parts", len(m.Parts))
		}
		for _, p := range m.Parts {
			if (p.APDU == nil) == (p.Err == nil) || len(p.BER) > lim.MaxAPDU || p.Key != Key(m.MessageID, p.BER) {
				t.Fatalf("inconsistent part %+v", p)
			}
			if p.APDU == nil {
				continue
			}
			c, err := Compose(Outgoing{From: "a@b.example", To: "c@d.example", BER: p.BER})
			if err != nil {
				continue // missing ids or a bad version: not sendable by mail
			}
			m2, err := Parse(c.Raw, Limits{})
			if err != nil || len(m2.Parts) != 1 || !bytes.Equal(m2.Parts[0].BER, p.BER) || m2.Parts[0].Err != nil {
				t.Fatalf("composed APDU does not parse back: %v", err)
			}
		}
	})
}
