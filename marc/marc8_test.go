package marc

import (
	"strings"
	"testing"
)

func TestMARC8ToUTF8(t *testing.T) {
	cases := []struct {
		name, in, want string
		problem        string // substring of the error, "" for none
	}{
		{"ASCII", "Plain text 123", "Plain text 123", ""},
		{"acute before base, composed", "Soci\xe2et\xe2e", "Société", ""},
		{"two diacritics keep their order", "\xf2\xe3a", "\u1EAD", ""}, // dot below + circumflex on a -> ậ
		{"diacritic before space", "\xe2 x", " \u0301x", ""},
		{"ANSEL specials", "\xa1\xa2\xb5\xc7\xc8", "ŁØæß€", ""},
		{"ligature halves", "\xebt\xecs", "t\u0361s", ""},
		{"double tilde halves", "\xfan\xfbg", "n\u0360g", ""},
		{"C1 non-sort marks", "\x88The \x89Title", "\u0098The \u009cTitle", ""},
		{"Greek symbols technique 1", "\x1bgabc\x1bs!", "αβγ!", ""},
		{"subscripts", "H\x1bb2\x1bsO", "H₂O", ""},
		{"superscripts", "x\x1bp2\x1bs", "x²", ""},
		{"basic Cyrillic G0", "\x1b(Nmoskwa\x1b(B.", "МОСКВА.", ""},
		{"basic Cyrillic lower case", "\x1b(NMOSKWA\x1b(B.", "москва.", ""},
		{"extended Cyrillic G1", "\x1b)Q\xe0\xc0\x1b)E", "Ґґ", ""},
		{"basic Greek", "\x1b(SABD\x1b(B", "ΑΒΓ", ""},
		{"Hebrew", "\x1b(2`ab\x1b(B", "אבג", ""},
		{"Arabic", "\x1b(3GdQHGW\x1b(B", "الرباط", ""},
		{"Extended Latin via G0 with !E", "\x1b(!E\x35\x1b(B", "æ", ""},
		{"EACC G0", "\x1b$1\x21\x2f\x30\x1b(B", "〇", ""},
		{"EACC multibyte with comma", "\x1b$,1\x21\x2f\x30\x1b(Bx", "〇x", ""},
		{"invalid escape keeps the text", "Soci\x1btet\xe2e", "Soci\uFFFDteté", "invalid escape"},
		{"undefined code", "a\xa0b", "a\uFFFDb", "undefined"},
		{"unknown EACC code", "\x1b$1\x7e\x7e\x7e\x1b(B", "\uFFFD", "undefined"},
		{"truncated EACC", "\x1b$1\x21\x2f", "\uFFFD", "undefined"},
		{"diacritic without base", "abc\xe2", "ab\u0107", "no base letter"},
		{"truncated escape", "abc\x1b(", "abc\uFFFD(", "invalid escape"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := MARC8ToUTF8([]byte(c.in))
			if got != c.want {
				t.Errorf("got %q (%+q), want %q (%+q)", got, got, c.want, c.want)
			}
			switch {
			case c.problem == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case c.problem != "" && (err == nil || !strings.Contains(err.Error(), c.problem)):
				t.Errorf("error %v, want one about %q", err, c.problem)
			}
		})
	}
}

// TestMARC8Tables checks the generated tables against facts of the LC
// code tables that the generator could get wrong.
func TestMARC8Tables(t *testing.T) {
	combining := 0
	for _, set := range marc8Graphic {
		for c, r := range set.chars {
			if r == 0 && set.combining[c] {
				t.Errorf("%s: combining flag on undefined code %02X", set.name, c)
			}
		}
		for _, b := range set.combining {
			if b {
				combining++
			}
		}
	}
	if combining != 61 {
		t.Errorf("%d combining marks, the LC tables have 61", combining)
	}
	if len(marc8Graphic) != 11 {
		t.Errorf("%d single-byte sets, want 11", len(marc8Graphic))
	}
	if n := len(marc8EACC) / 6; n != 15739 || len(marc8EACC)%6 != 0 {
		t.Errorf("EACC table: %d entries (%d bytes), want 15739", n, len(marc8EACC))
	}
	for i := 6; i < len(marc8EACC); i += 6 {
		if marc8EACC[i-6:i-3] >= marc8EACC[i:i+3] {
			t.Fatalf("EACC table not sorted at entry %d", i/6)
		}
	}
}
