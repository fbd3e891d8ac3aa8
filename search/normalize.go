package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns s in Unicode NFC with every letter case-folded. It is
// applied to record text and to query terms alike.
func Normalize(s string) string {
	if isASCII(s) {
		return asciiLower(s)
	}
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		writeFolded(&b, r)
	}
	out := b.String()
	if !norm.NFC.IsNormalString(out) {
		out = norm.NFC.String(out)
	}
	return out
}

// writeFolded writes the case fold of r: the lower case of its upper case
// (which also folds final sigma and long s), and "ss" for sharp s.
func writeFolded(b *strings.Builder, r rune) {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteByte(byte(r))
	case r == 'ß' || r == 'ẞ':
		b.WriteString("ss")
	case r == 'ı':
		// Dotless i is a letter of its own (Turkish, Azeri): its upper
		// case is I, but folding it through I would make it i.
		b.WriteRune(r)
	default:
		b.WriteRune(unicode.ToLower(unicode.ToUpper(r)))
	}
}

// Fold removes diacritics from a normalised string: "bērziņš" becomes
// "berzins", "øre" becomes "ore". Letters that carry no separable mark are
// mapped by a small table (æ, œ, ø, đ, ð, ł, þ, ħ, ŧ, ŋ). The romanisation
// marks U+02B9 to U+02BF (soft and hard sign, alif, ayn, the ʻokina of
// "chʻing") are dropped, so "kozlovsʹkyĭ" folds to "kozlovskyi" and
// "qaḍāʼ" to "qada". Dotless ı stays ı: it is a letter, not a marked i.
func Fold(s string) string {
	if isASCII(s) {
		return s
	}
	if out, ok := foldLatin(s); ok {
		return out
	}
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if r < utf8.RuneSelf {
			b.WriteByte(byte(r))
			continue
		}
		if unicode.Is(unicode.Mn, r) || isRomanisationMark(r) {
			continue
		}
		if rep, ok := foldLetters[r]; ok {
			b.WriteString(rep)
			continue
		}
		b.WriteRune(r)
	}
	out := b.String()
	if !norm.NFC.IsNormalString(out) {
		out = norm.NFC.String(out)
	}
	return out
}

// latinFoldEnd bounds the precomputed folds: Latin-1, Latin Extended-A
// and B, where the Baltic, Slavic and Nordic letters live.
const latinFoldEnd = 0x250

// latinFolds holds the fold of every rune below latinFoldEnd; it is
// computed once and never changed.
var latinFolds = func() []string {
	t := make([]string, latinFoldEnd)
	for r := rune(0); r < latinFoldEnd; r++ {
		var b strings.Builder
		for _, c := range norm.NFD.String(string(r)) {
			switch rep, ok := foldLetters[c]; {
			case ok:
				b.WriteString(rep)
			case !unicode.Is(unicode.Mn, c):
				b.WriteRune(c)
			}
		}
		t[r] = b.String()
	}
	return t
}()

// foldLatin folds s when every rune has a precomputed fold; ok is false
// otherwise (the caller takes the general path).
func foldLatin(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= latinFoldEnd {
			return "", false
		}
		b.WriteString(latinFolds[r])
	}
	return b.String(), true
}

var foldLetters = map[rune]string{
	'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ð': "d", 'ł': "l", 'ŀ': "l",
	'þ': "th", 'ħ': "h", 'ŧ': "t", 'ŋ': "n",
	'Æ': "ae", 'Œ': "oe", 'Ø': "o", 'Đ': "d", 'Ð': "d", 'Ł': "l", 'Þ': "th",
}

// isRomanisationMark reports whether r is one of the modifier letters
// U+02B9 to U+02BF that ALA-LC romanisation (and MARC-8's specials) writes
// inside words: prime, double prime, turned comma, apostrophe, reversed
// comma, right and left half rings. They are word characters, so a word
// keeps them in its exact form, but its folded form drops them.
func isRomanisationMark(r rune) bool { return r >= 0x2B9 && r <= 0x2BF }

// Tokens normalises s and splits it into words: maximal runs of letters and
// digits, with combining marks kept on the letter they follow. Everything
// else (spaces, punctuation, symbols) separates words.
func Tokens(s string) []string {
	return AppendTokens(nil, s)
}

// AppendTokens is Tokens appending to dst.
func AppendTokens(dst []string, s string) []string {
	return appendTokens(dst, Normalize(s), "")
}

// MaxWord is the longest word in bytes; longer runs of letters and digits
// are cut (at a character boundary) to this length, in records and queries
// alike.
const MaxWord = 100

func cutWord(w string) string {
	if len(w) <= MaxWord {
		return w
	}
	i := MaxWord
	for i > 0 && !utf8.RuneStart(w[i]) {
		i--
	}
	return w[:i]
}

// appendTokens splits an already normalised string; runes in keep are word
// characters too (mask characters in query terms).
func appendTokens(dst []string, s, keep string) []string {
	start := -1
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		word := isWordRune(r) || (keep != "" && strings.ContainsRune(keep, r))
		if !word && start >= 0 && isMark(r) {
			word = true
		}
		if keep != "" && r == '\\' && i+size < len(s) {
			// An escape keeps the next character inside the word.
			if start < 0 {
				start = i
			}
			_, next := utf8.DecodeRuneInString(s[i+size:])
			i += size + next
			continue
		}
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			dst = append(dst, cutWord(s[start:i]))
			start = -1
		}
		i += size
	}
	if start >= 0 {
		dst = append(dst, cutWord(s[start:]))
	}
	return dst
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isMark(r rune) bool {
	return r >= utf8.RuneSelf && unicode.IsMark(r)
}

// Phrase normalises s into its words joined by single spaces: the form a
// complete field or subfield is indexed and compared under.
func Phrase(s string) string {
	return strings.Join(Tokens(s), " ")
}

// TermKey is the storage form of a normalised term: its diacritic fold,
// followed by a 0x01 byte and the term itself when the two differ. Keys sort
// by their folded form, so every spelling of "berzins" sits together, and a
// search for the folded form finds all of them with one range read.
func TermKey(term string) string {
	f := Fold(term)
	if f == term {
		return term
	}
	return f + "\x01" + term
}

// SplitTermKey undoes TermKey.
func SplitTermKey(key string) (fold, term string) {
	if i := strings.IndexByte(key, 1); i >= 0 {
		return key[:i], key[i+1:]
	}
	return key, key
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
