package marc

import (
	_ "embed" // the EACC table
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

//go:generate go run ./internal/marc8gen -in codetables.xml

// marc8EACC holds the East Asian Character Code set (ANSI/NISO Z39.64) as
// sorted 6-byte entries: the 3-byte EACC code, then the Unicode code point
// in 3 big-endian bytes. Generated from the Library of Congress code tables.
//
//go:embed marc8_eacc.bin
var marc8EACC string

// The final bytes of the MARC-8 escape sequences this decoder knows.
const (
	marc8FinalASCII = 'B'
	marc8FinalANSEL = 'E'
	marc8FinalEACC  = '1'
)

// marc8Decoder converts MARC-8 text to UTF-8. Its state (the sets invoked
// into G0 and G1) lives for one field: MARC 21 starts every field in the
// default sets, Basic Latin in G0 and Extended Latin in G1, and an escape
// stays in force across subfield delimiters until the end of the field.
type marc8Decoder struct {
	g0, g1           *marc8Set
	g0EACC, g1EACC   bool
	pending          []rune // combining marks waiting for their base letter
	badEscapes       int
	unmapped         int
	danglingCombiner int
	firstUnmapped    string
}

func newMARC8Decoder() *marc8Decoder {
	d := &marc8Decoder{}
	d.reset()
	return d
}

// reset returns to the default sets, as at the start of a field.
func (d *marc8Decoder) reset() {
	d.g0, d.g1 = &marc8BasicLatin, &marc8ExtendedLatin
	d.g0EACC, d.g1EACC = false, false
	d.pending = d.pending[:0]
}

// problems describes what went wrong since the counters were last cleared,
// or "" when nothing did.
func (d *marc8Decoder) problems() []string {
	var out []string
	if d.badEscapes > 0 {
		out = append(out, fmt.Sprintf("MARC-8: %d invalid escape sequence(s) replaced by U+FFFD", d.badEscapes))
	}
	if d.unmapped > 0 {
		out = append(out, fmt.Sprintf("MARC-8: %d undefined code(s) replaced by U+FFFD (first %s)", d.unmapped, d.firstUnmapped))
	}
	if d.danglingCombiner > 0 {
		out = append(out, fmt.Sprintf("MARC-8: %d diacritic(s) with no base letter", d.danglingCombiner))
	}
	return out
}

func (d *marc8Decoder) clean() bool {
	return d.badEscapes == 0 && d.unmapped == 0 && d.danglingCombiner == 0
}

func (d *marc8Decoder) clearProblems() {
	d.badEscapes, d.unmapped, d.danglingCombiner, d.firstUnmapped = 0, 0, 0, ""
}

func (d *marc8Decoder) noteUnmapped(code []byte) {
	if d.unmapped == 0 {
		d.firstUnmapped = fmt.Sprintf("%X", code)
	}
	d.unmapped++
}

// decode appends the UTF-8 form of src (one subfield or control field value,
// without delimiters) to dst. Combining marks are moved after their base
// character; the result is not yet normalised.
func (d *marc8Decoder) decode(dst []byte, src []byte) []byte {
	for i := 0; i < len(src); {
		b := src[i]
		switch {
		case b == 0x1B:
			n := d.escape(src[i:])
			if n == 0 {
				d.badEscapes++
				dst = d.emit(dst, utf8.RuneError)
				n = 1
			}
			i += n
		case b < 0x20:
			dst = d.emit(dst, rune(b)) // controls are the caller's business
			i++
		case b == 0x20:
			dst = d.emit(dst, ' ')
			i++
		case b < 0x7F:
			if d.g0EACC {
				dst = d.eacc(dst, src, &i, 0)
				continue
			}
			dst = d.graphic(dst, d.g0, b)
			i++
		case b >= 0xA1 && b < 0xFF:
			if d.g1EACC {
				dst = d.eacc(dst, src, &i, 0x80)
				continue
			}
			dst = d.graphic(dst, d.g1, b)
			i++
		default:
			if r, ok := marc8C1[b]; ok {
				dst = d.emit(dst, r)
			} else {
				d.noteUnmapped(src[i : i+1])
				dst = d.emit(dst, utf8.RuneError)
			}
			i++
		}
	}
	return d.flush(dst)
}

// flush writes combining marks that never met a base character.
func (d *marc8Decoder) flush(dst []byte) []byte {
	if len(d.pending) > 0 {
		d.danglingCombiner += len(d.pending)
		for _, r := range d.pending {
			dst = utf8.AppendRune(dst, r)
		}
		d.pending = d.pending[:0]
	}
	return dst
}

func (d *marc8Decoder) graphic(dst []byte, set *marc8Set, b byte) []byte {
	c := b & 0x7F
	r := set.chars[c]
	switch {
	case r == 0:
		d.noteUnmapped([]byte{b})
		return d.emit(dst, utf8.RuneError)
	case set.combining[c]:
		if r != marc8Drop {
			d.pending = append(d.pending, r)
		}
		return dst
	case r == marc8Drop:
		return dst
	}
	return d.emit(dst, r)
}

// eacc decodes one three-byte EACC character at src[*i]; high is 0 for G0
// and 0x80 for G1 (the high bit each byte carries).
func (d *marc8Decoder) eacc(dst []byte, src []byte, i *int, high byte) []byte {
	if *i+3 > len(src) {
		d.noteUnmapped(src[*i:])
		*i = len(src)
		return d.emit(dst, utf8.RuneError)
	}
	code := src[*i : *i+3]
	*i += 3
	key := [3]byte{code[0] &^ high, code[1] &^ high, code[2] &^ high}
	if r, ok := lookupEACC(key); ok {
		return d.emit(dst, r)
	}
	d.noteUnmapped(code)
	return d.emit(dst, utf8.RuneError)
}

func lookupEACC(key [3]byte) (rune, bool) {
	n := len(marc8EACC) / 6
	k := string(key[:])
	i := sort.Search(n, func(i int) bool { return marc8EACC[i*6:i*6+3] >= k })
	if i < n && marc8EACC[i*6:i*6+3] == k {
		e := marc8EACC[i*6+3 : i*6+6]
		return rune(e[0])<<16 | rune(e[1])<<8 | rune(e[2]), true
	}
	return 0, false
}

// emit writes a base character followed by the combining marks that
// preceded it in MARC-8.
func (d *marc8Decoder) emit(dst []byte, r rune) []byte {
	dst = utf8.AppendRune(dst, r)
	for _, m := range d.pending {
		dst = utf8.AppendRune(dst, m)
	}
	d.pending = d.pending[:0]
	return dst
}

// escape interprets the escape sequence at the start of s and returns its
// length, or 0 when it is not one MARC-8 defines.
func (d *marc8Decoder) escape(s []byte) int {
	if len(s) < 2 {
		return 0
	}
	switch s[1] {
	case 'g':
		d.g0, d.g0EACC = &marc8GreekSymbols, false
		return 2
	case 'b':
		d.g0, d.g0EACC = &marc8Subscripts, false
		return 2
	case 'p':
		d.g0, d.g0EACC = &marc8Superscripts, false
		return 2
	case 's':
		d.g0, d.g0EACC = &marc8BasicLatin, false
		return 2
	case '(', ',', ')', '-':
		g1 := s[1] == ')' || s[1] == '-'
		n := 2
		if n < len(s) && s[n] == '!' { // ESC ( ! E: Extended Latin's two-byte final
			n++
		}
		if n >= len(s) {
			return 0
		}
		set, ok := marc8Graphic[s[n]]
		if !ok {
			return 0
		}
		if g1 {
			d.g1, d.g1EACC = set, false
		} else {
			d.g0, d.g0EACC = set, false
		}
		return n + 1
	case '$':
		n := 2
		g1 := false
		if n < len(s) {
			switch s[n] {
			case ',':
				n++
			case ')', '-':
				g1 = true
				n++
			}
		}
		if n >= len(s) || s[n] != marc8FinalEACC {
			return 0
		}
		if g1 {
			d.g1EACC = true
		} else {
			d.g0EACC = true
		}
		return n + 1
	}
	return 0
}

// MARC8ToUTF8 converts MARC-8 text (one field or subfield value, or a whole
// string that starts in the default sets) to NFC UTF-8. Undefined codes and
// invalid escape sequences become U+FFFD and are described by the error,
// which does not mean the result is unusable.
func MARC8ToUTF8(b []byte) (string, error) {
	d := newMARC8Decoder()
	out := d.decode(nil, b)
	s := norm.NFC.String(string(out))
	if p := d.problems(); len(p) > 0 {
		return s, fmt.Errorf("marc: %s", strings.Join(p, "; "))
	}
	return s, nil
}
