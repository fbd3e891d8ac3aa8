package search

import "strings"

// NormalizeISBN returns the index form of the ISBN at the start of s
// ("978-0-201-89683-1 (pbk.)", "0 201 89683 4"): hyphens and spaces
// dropped, x upper-cased, and a valid ISBN-10 converted to its ISBN-13. ok
// reports whether the result is a valid ISBN-13; an invalid number comes
// back cleaned but unconverted, so it can still be found as printed.
func NormalizeISBN(s string) (key string, ok bool) {
	c := identRun(s, "")
	switch {
	case len(c) == 10 && validISBN10(c):
		return isbn10to13(c), true
	case len(c) == 13 && validISBN13(c):
		return c, true
	}
	return c, false
}

// identRun takes the leading run of digits, X, hyphens and spaces of s (and
// of the runes in keep, used for mask characters), dropping hyphens and
// spaces and upper-casing x.
func identRun(s, keep string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r == 'X':
			b.WriteRune(r)
		case r == 'x':
			b.WriteByte('X')
		case r == '-' || r == ' ':
		case keep != "" && strings.ContainsRune(keep, r):
			b.WriteRune(r)
		default:
			return b.String()
		}
	}
	return b.String()
}

func validISBN10(s string) bool {
	if len(s) != 10 {
		return false
	}
	sum := 0
	for i := 0; i < 10; i++ {
		var d int
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c == 'X' && i == 9:
			d = 10
		default:
			return false
		}
		sum += (10 - i) * d
	}
	return sum%11 == 0
}

func validISBN13(s string) bool {
	if len(s) != 13 || !(strings.HasPrefix(s, "978") || strings.HasPrefix(s, "979")) {
		return false
	}
	return allDigits(s) && ean13Check(s[:12]) == s[12]
}

// ean13Check returns the EAN-13 check digit of the first 12 digits.
func ean13Check(s string) byte {
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(s[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

func isbn10to13(s string) string {
	p := "978" + s[:9]
	return p + string(ean13Check(p))
}

// NormalizeISSN returns the index form of the ISSN at the start of s: the
// eight characters without hyphen, x upper-cased ("0317-8471").
func NormalizeISSN(s string) string {
	return identRun(s, "")
}

// NormalizeLCCN returns the index form of a Library of Congress control
// number: blanks dropped, letters lower-cased, anything after '/' removed,
// and a hyphenated form ("85-2") turned into year plus a six-digit serial
// ("85000002").
func NormalizeLCCN(s string) string {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	if i := strings.IndexByte(s, '-'); i >= 0 {
		serial := s[i+1:]
		if allDigits(serial) && len(serial) < 6 {
			serial = strings.Repeat("0", 6-len(serial)) + serial
		}
		s = s[:i] + serial
	}
	return s
}

// normalizeStdID is the index form of any other standard number (EAN,
// UPC, ISMN, publisher numbers): normalised, blanks and hyphens dropped.
func normalizeStdID(s string) string {
	s = Normalize(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// years returns every four-digit run starting with 1 or 2 in s, in order.
func years(s string) []string {
	var out []string
	for i := 0; i+4 <= len(s); i++ {
		if (s[i] == '1' || s[i] == '2') && allDigits(s[i:i+4]) &&
			(i == 0 || !isDigit(s[i-1])) && (i+4 == len(s) || !isDigit(s[i+4])) {
			out = append(out, s[i:i+4])
			i += 3
		}
	}
	return out
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ISBNScanStart is where a scan of the ISBN index starts for s: the index
// form of a complete ISBN, and for a partial one that cannot be the start
// of an ISBN-13 ("0596", "0-596-00") the ISBN-13 prefix it stands for
// ("9780596"), since ISBN-10s are filed in their ISBN-13 form.
func ISBNScanStart(s string) string {
	k, ok := NormalizeISBN(s)
	if ok || k == "" || len(k) > 10 || !allDigitsOrX(k) {
		return k
	}
	if len(k) >= 3 && (strings.HasPrefix(k, "978") || strings.HasPrefix(k, "979")) {
		return k
	}
	if strings.HasPrefix("978", k) || strings.HasPrefix("979", k) {
		return k // "9", "97": the start of either form
	}
	return "978" + k
}

func allDigitsOrX(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && !(s[i] == 'X' && i == len(s)-1) {
			return false
		}
	}
	return true
}
