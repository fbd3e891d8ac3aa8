package sip2

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// hardeningSeeds reach the parse paths that refuse a message: a damaged AZ
// trailer, a fixed date that is no date, a NUL inside a field.
var hardeningSeeds = []string{
	"9900302.00AY1AZ12G4",
	"9900302.00AY1AZZZZZ",
	"9900302.00AZ12",
	"2300020261102    100001AOILU|AAP0001|AC|AD1234|AY3AZ12",
	"11YN99999999    99999920250314    101500AOX|AAp|ABi|AC|",
	"17GARBAGEGARBAGEGARBAGE|ABi|",
	"17YYYYMMDDZZZZHHMMSSAOX|ABi|",
	"11YN20250314    10150000000000    000000AOX|AAp|ABi|AC|",
	"11YN20250314    101500                  AOX|AAp|ABi\x00x|AC|",
	"\x001720250314    101500AOX|ABi1|\x00",
}

func addCorpusSeeds(f *testing.F) {
	for _, r := range loadCorpus(f) {
		f.Add([]byte(r.message))
	}
	for _, s := range hardeningSeeds {
		f.Add([]byte(s))
	}
}

// FuzzParse: Decode never panics, fails only with a *ParseError, and what it
// reads can be written and read again.
func FuzzParse(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range []Codec{{}, {Charset: Windows1257, ErrorDetection: ErrorDetectionOff}} {
			fr, err := c.Decode(data)
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("error is not a *ParseError: %v", err)
				}
				continue
			}
			out := c.Encode(fr)
			if _, err := c.Decode(out); err != nil {
				t.Fatalf("%q: written %q does not read: %v", data, out, err)
			}
		}
		r := NewReader(bytes.NewReader(data), 64)
		for i := 0; i < len(data)+2; i++ {
			if _, err := r.ReadMessage(); err == io.EOF || err == io.ErrUnexpectedEOF {
				return
			}
		}
		t.Fatalf("reader did not reach EOF")
	})
}

// FuzzRoundTrip: Format(Parse(x)) is stable in every charset.
func FuzzRoundTrip(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, cs := range []Charset{UTF8, Windows1257, ISO8859_2, CP850, ASCII} {
			c := Codec{Charset: cs, ErrorDetection: ErrorDetectionOff}
			fr, err := c.Decode(data)
			if err != nil {
				return
			}
			fr.HasChecksum = true
			w := Codec{Charset: cs, ErrorDetection: ErrorDetectionRequire}
			first := w.Encode(fr)
			fr2, err := w.Decode(first)
			if err != nil {
				t.Fatalf("%s: %q -> %q: %v", cs, data, first, err)
			}
			if second := w.Encode(fr2); !bytes.Equal(first, second) {
				t.Fatalf("%s: not stable\n in  %q\n 1st %q\n 2nd %q", cs, data, first, second)
			}
		}
	})
}
