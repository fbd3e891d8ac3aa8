package sip2

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Charset is the character set of the bytes on the wire. The zero value is UTF-8.
type Charset uint8

// Supported charsets.
const (
	UTF8        Charset = iota
	ISO8859_1           // Latin-1
	CP850               // IBM PC code page 850
	Windows1252         // Western European
	ISO8859_13          // Baltic (Latvian, Lithuanian, Estonian)
	Windows1257         // Baltic, with €
	ISO8859_2           // Central European (Slovenian)
	Windows1250         // Central European, with €
	ASCII               // 7-bit; other characters are transliterated (ā→a, €→EUR)
)

var charsetNames = [...]string{"UTF-8", "ISO-8859-1", "CP850", "Windows-1252", "ISO-8859-13", "Windows-1257", "ISO-8859-2", "Windows-1250", "ASCII"}

func (c Charset) String() string {
	if int(c) < len(charsetNames) {
		return charsetNames[c]
	}
	return fmt.Sprintf("Charset(%d)", uint8(c))
}

// ParseCharset accepts the usual names and aliases of the supported charsets,
// case-insensitively ("utf-8", "latin1", "ibm850", "cp1257", "windows-1250",
// "iso-8859-13", "us-ascii").
func ParseCharset(name string) (Charset, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.NewReplacer("_", "-", " ", "-").Replace(n)
	switch n {
	case "utf-8", "utf8", "":
		return UTF8, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		return ISO8859_1, nil
	case "cp850", "ibm850", "ibm-850", "850":
		return CP850, nil
	case "windows-1252", "cp1252", "win1252":
		return Windows1252, nil
	case "iso-8859-13", "iso8859-13", "latin7", "latin-7":
		return ISO8859_13, nil
	case "windows-1257", "cp1257", "win1257":
		return Windows1257, nil
	case "iso-8859-2", "iso8859-2", "latin2", "latin-2":
		return ISO8859_2, nil
	case "windows-1250", "cp1250", "win1250":
		return Windows1250, nil
	case "ascii", "us-ascii":
		return ASCII, nil
	}
	return 0, fmt.Errorf("sip2: unknown charset %q", name)
}

func (c Charset) charmap() *charmap.Charmap {
	switch c {
	case ISO8859_1:
		return charmap.ISO8859_1
	case CP850:
		return charmap.CodePage850
	case Windows1252, ASCII:
		return charmap.Windows1252
	case ISO8859_13:
		return charmap.ISO8859_13
	case Windows1257:
		return charmap.Windows1257
	case ISO8859_2:
		return charmap.ISO8859_2
	case Windows1250:
		return charmap.Windows1250
	}
	return nil
}

// Decode converts wire bytes to a UTF-8 string. It never fails: invalid
// UTF-8 becomes U+FFFD; an ASCII account's 8-bit bytes are read as
// Windows-1252.
func (c Charset) Decode(b []byte) string {
	ascii := true
	for _, x := range b {
		if x >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	cm := c.charmap()
	if cm == nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	for _, x := range b {
		sb.WriteRune(cm.DecodeByte(x))
	}
	return sb.String()
}

// Encode appends s in the charset to dst. It never fails: a character the
// charset lacks is transliterated (Bērziņš → Berzins, € → EUR) and what is
// still missing becomes "?".
func (c Charset) Encode(dst []byte, s string) []byte {
	if c == UTF8 {
		if utf8.ValidString(s) {
			return append(dst, s...)
		}
		return append(dst, strings.ToValidUTF8(s, "\uFFFD")...)
	}
	cm := c.charmap()
	for _, r := range s {
		if r < 0x80 {
			dst = append(dst, byte(r))
			continue
		}
		if c != ASCII {
			if b, ok := cm.EncodeRune(r); ok {
				dst = append(dst, b)
				continue
			}
		}
		for _, t := range transliterate(r) {
			if t < 0x80 {
				dst = append(dst, byte(t))
			} else if b, ok := cm.EncodeRune(t); ok && c != ASCII {
				dst = append(dst, b)
			} else {
				dst = append(dst, '?')
			}
		}
	}
	return dst
}

// Transliterate maps s to ASCII: diacritics are dropped (ā→a, š→s, õ→o,
// č→c), a few letters and signs are spelled out (ß→ss, €→EUR), and what has
// no ASCII form becomes "?".
func Transliterate(s string) string {
	return string(ASCII.Encode(nil, s))
}

var specialTranslit = map[rune]string{
	'€': "EUR", '£': "GBP", 'ß': "ss", 'Æ': "AE", 'æ': "ae", 'Ø': "O", 'ø': "o", 'Đ': "D", 'đ': "d",
	'Ł': "L", 'ł': "l", 'Œ': "OE", 'œ': "oe", 'Þ': "Th", 'þ': "th", 'ı': "i", 'Ħ': "H", 'ħ': "h",
	'–': "-", '—': "-", '‘': "'", '’': "'", '‚': ",", '“': "\"", '”': "\"", '„': "\"", '«': "\"", '»': "\"",
	'…': "...", '\u00a0': " ", '×': "x", '°': "o", '§': "S", '©': "(c)", '®': "(R)",
}

func transliterate(r rune) string {
	if s, ok := specialTranslit[r]; ok {
		return s
	}
	d := norm.NFD.String(string(r))
	var b strings.Builder
	for _, x := range d {
		if x < 0x80 {
			b.WriteRune(x)
		} else if !unicode.Is(unicode.Mn, x) {
			return "?"
		}
	}
	if b.Len() == 0 {
		return "?"
	}
	return b.String()
}
