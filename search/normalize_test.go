package search

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello World", "hello world"},
		{"BĒRZIŅŠ", "bērziņš"},
		{"Bēr\u007a\u0069\u0146\u0161", "bērziņš"},
		{"Be\u0304rzin\u0327s\u030c", "bērziņš"}, // decomposed input is composed
		{"STRASSE Straße", "strasse strasse"},
		{"ΣΊΣΥΦΟΣ", "σίσυφοσ"},
		{"Tõde ja Õigus", "tõde ja õigus"},
		{"KIRMIZI ışık", "kirmizi ışık"}, // dotless ı is not folded into i
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"bērziņš", "berzins"},
		{"tõde", "tode"},
		{"prešeren", "preseren"},
		{"srečko", "srecko"},
		{"kivirähk", "kivirahk"},
		{"øre", "ore"},
		{"łódź", "lodz"},
		{"æble", "aeble"},
		{"ǽ", "ae"},
		{"plain", "plain"},
		{"москва", "москва"},
		// Romanisation marks U+02B9-U+02BF fold out of the word.
		{"qaḍāʼ", "qada"},
		{"kozlovsʹkyĭ", "kozlovskyi"},
		{"chʻing", "ching"},
		{"sʺezd", "sezd"},
		{"ʿabd", "abd"},
		{"ışık", "ısık"}, // ş folds, ı does not
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Dzejoļi un dziesmas /", []string{"dzejoļi", "un", "dziesmas"}},
		{"Latviešu-angļu vārdnīca.", []string{"latviešu", "angļu", "vārdnīca"}},
		{"The art of computer programming. Volume 1,", []string{"the", "art", "of", "computer", "programming", "volume", "1"}},
		{"QA76.9 .D3", []string{"qa76", "9", "d3"}},
		{"  ", nil},
		{"\u0301abc", []string{"abc"}}, // a leading mark starts no word
		{"e\u0301te\u0301", []string{"été"}},
		{strings.Repeat("ā", 80) + " x", []string{strings.Repeat("ā", 50), "x"}}, // words are cut at MaxWord bytes
	}
	for _, tt := range tests {
		got := Tokens(tt.in)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTermKey(t *testing.T) {
	if got := TermKey("plain"); got != "plain" {
		t.Errorf("TermKey(plain) = %q", got)
	}
	k := TermKey("bērziņš")
	if k != "berzins\x01bērziņš" {
		t.Errorf("TermKey = %q", k)
	}
	if f, term := SplitTermKey(k); f != "berzins" || term != "bērziņš" {
		t.Errorf("SplitTermKey = %q, %q", f, term)
	}
	// Keys sort by folded form: every spelling of berzins sits before berzinsx.
	keys := []string{TermKey("berzinsx"), TermKey("bērziņš"), TermKey("berzins"), TermKey("berzina")}
	slices.Sort(keys)
	want := []string{"berzina", "berzins", "berzins\x01bērziņš", "berzinsx"}
	if !slices.Equal(keys, want) {
		t.Errorf("sorted keys %q, want %q", keys, want)
	}
}

func TestIdentifiers(t *testing.T) {
	isbn := []struct {
		in, want string
		ok       bool
	}{
		{"0-201-89683-4", "9780201896831", true},
		{"0 201 89683 4 (pbk.)", "9780201896831", true},
		{"080442957x", "9780804429573", true},
		{"978-0-201-89683-1", "9780201896831", true},
		{"9791012345678", "9791012345678", true},
		{"0201896835", "0201896835", false},       // bad check digit: kept as printed
		{"9780201896832", "9780201896832", false}, // bad check digit
		{"12345", "12345", false},
		{"", "", false},
	}
	for _, tt := range isbn {
		got, ok := NormalizeISBN(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeISBN(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for in, want := range map[string]string{"0317-8471": "03178471", "2434-561x": "2434561X", "1407 0014 (print)": "14070014"} {
		if got := NormalizeISSN(in); got != want {
			t.Errorf("NormalizeISSN(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"85-2": "85000002", "  2003012345": "2003012345",
		"n 79-21164": "n79021164", "sh 85-123456 /AC": "sh85123456"} {
		if got := NormalizeLCCN(in); got != want {
			t.Errorf("NormalizeLCCN(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestYears(t *testing.T) {
	tests := map[string][]string{
		"c1997.":               {"1997"},
		"[2011]":               {"2011"},
		"1993-":                {"1993"},
		"1998, c1997":          {"1998", "1997"},
		"12345":                nil,
		"0999 3000 1500":       {"1500"},
		"printed 2001-2003 ed": {"2001", "2003"},
	}
	for in, want := range tests {
		if got := years(in); !slices.Equal(got, want) {
			t.Errorf("years(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzTokens checks the normaliser and tokeniser on arbitrary input: words
// are valid, non-empty and free of separators, tokenising is idempotent,
// folding is idempotent and storage keys round-trip.
func FuzzTokens(f *testing.F) {
	for _, s := range []string{"Bērziņš, Jānis, 1950-", "Tõde ja õigus.", "Straße ΣΊΣΥΦΟΣ", "e\u0301te\u0301",
		"\u0301\u0301x", "QA76.9 .D3", "İstanbul ǅemal", "ﬁne ﬂour", "\xff\xfeabc", "Łódź øre æble"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if Normalize(n) != n {
			t.Errorf("Normalize not idempotent: %q -> %q -> %q", s, n, Normalize(n))
		}
		toks := Tokens(s)
		for _, tok := range toks {
			if tok == "" || !utf8.ValidString(tok) || strings.ContainsAny(tok, " \x00\x01") {
				t.Fatalf("bad token %q from %q", tok, s)
			}
			fold := Fold(tok)
			if Fold(fold) != fold {
				t.Errorf("Fold not idempotent: %q -> %q -> %q", tok, fold, Fold(fold))
			}
			if ff, tt := SplitTermKey(TermKey(tok)); ff != fold || tt != tok {
				t.Errorf("TermKey round trip of %q: %q, %q", tok, ff, tt)
			}
		}
		if again := Tokens(strings.Join(toks, " ")); !slices.Equal(again, toks) {
			t.Errorf("Tokens not idempotent on %q: %q then %q", s, toks, again)
		}
	})
}
