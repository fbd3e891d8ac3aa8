package search

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bibgate/bibgate/marc"
)

// KeyKind tells what a key of a text index stands for. Identifier, year
// and code indexes only have KeyWord keys.
type KeyKind byte

// Key kinds; the byte values are part of the on-disk key format.
const (
	KeyWord  KeyKind = 'w' // a word anywhere in a field
	KeyFirst KeyKind = 'a' // the first word of a field
	KeyField KeyKind = 'f' // a whole field, words joined by single spaces
	KeyPair  KeyKind = 'p' // two adjacent words of a field, joined by a space (Headings indexes)
	// KeyFirstAll and KeyFieldAll file the first word and the whole field
	// with their non-filing characters ("the", "the pragmatic programmer"),
	// beside KeyFirst and KeyField without them, for fields that have
	// some: a search typed with the article still finds the title, while
	// headings and scan leave the article out.
	KeyFirstAll KeyKind = 'b'
	KeyFieldAll KeyKind = 'g'
)

// MaxHeading is the longest whole-field key in bytes; longer fields are
// filed under their first MaxHeading bytes (cut at a character boundary).
const MaxHeading = 480

// Key is one term a record is filed under in one index. Term is normalised
// (NFC, case-folded); the stored form is TermKey(Term), which also makes
// the diacritic-folded spelling findable.
type Key struct {
	Kind KeyKind
	Term string
}

// SortKeys are a record's sort keys, comparable as byte strings (folded
// first, so "Čaks" sorts among the c's). An empty key means the record has
// no value.
type SortKeys struct {
	Title  string // 245 $a$b$n$p without the non-filing characters of ind2
	Author string // first 100/110/111, else 700/710/711
	Date   string // four-digit year: 008/07-10, else 260/264 $c
}

// Get returns the key for criterion k.
func (s *SortKeys) Get(k SortKey) string {
	switch k {
	case SortTitle:
		return s.Title
	case SortAuthor:
		return s.Author
	case SortDate:
		return s.Date
	}
	return ""
}

// Extracted is everything a record is filed under.
type Extracted struct {
	// Keys maps an index name to its keys, sorted by kind and term, without
	// duplicates. Indexes with nothing to file are absent.
	Keys map[string][]Key
	Sort SortKeys
}

// Extract computes the index keys and sort keys of rec.
func Extract(rec *marc.Record) *Extracted {
	ex := &Extracted{Keys: make(map[string][]Key, len(indexTableRows))}
	for _, ix := range indexTableRows {
		keys := ix.keys(rec, nil)
		if len(keys) == 0 {
			continue
		}
		slices.SortFunc(keys, func(a, b Key) int {
			if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
				return c
			}
			return strings.Compare(a.Term, b.Term)
		})
		ex.Keys[ix.Name] = slices.Compact(keys)
	}
	ex.Sort = sortKeys(rec)
	return ex
}

// keys appends the keys ix files rec under to dst (unsorted, possibly with
// duplicates).
func (ix *Index) keys(rec *marc.Record, dst []Key) []Key {
	word := func(t string) {
		if t != "" {
			dst = append(dst, Key{KeyWord, CutHeading(t)})
		}
	}
	ix.visit(rec, func(spec *FieldSpec, f *marc.Field) {
		if f.IsControl() || f.Tag == "LDR" {
			v := spec.slice(f.Value)
			switch ix.Kind {
			case KindID:
				word(Normalize(strings.TrimSpace(v)))
			case KindYear:
				if len(v) == 4 && allDigits(v) && (v[0] == '1' || v[0] == '2') {
					word(v)
				}
			case KindCode:
				if f.Tag == "LDR" {
					for _, c := range materialCodes(v) {
						word(c)
					}
				} else if c := Normalize(strings.TrimSpace(v)); c != "" && c != "|||" {
					word(c)
				}
			}
			return
		}
		if ix.Kind == KindText {
			if ix.Identifiers && (f.Tag == "020" || f.Tag == "022") {
				for _, sf := range f.Subfields {
					if !spec.wants(sf.Code) {
						continue
					}
					if f.Tag == "020" {
						if k, ok := NormalizeISBN(sf.Value); ok {
							word(k)
						}
					} else if k := NormalizeISSN(sf.Value); len(k) == 8 {
						word(asciiLower(k))
					}
				}
			}
			prev := ""
			nf := NonFiling(f)
			skipped := false
			var all, filing []string // the field's words with (only when there are some) and without its non-filing ones
			for si, sf := range f.Subfields {
				if !spec.wants(sf.Code) {
					continue
				}
				toks := Tokens(sf.Value)
				for _, t := range toks {
					word(t)
					if prev != "" && ix.Headings {
						dst = append(dst, Key{KeyPair, prev + " " + t})
					}
					prev = t
				}
				if !ix.Headings {
					continue
				}
				if skipped {
					all = append(all, toks...)
				}
				if si == 0 && nf > 0 {
					if rest, ok := filingWords(sf.Value, nf, toks); ok {
						all = append(all, toks...)
						toks, skipped = rest, true
					}
				}
				filing = append(filing, toks...)
			}
			// The first word and the whole field are filed without the
			// non-filing characters ("The ", "Die "); words and pairs keep
			// them, and KeyFirstAll and KeyFieldAll file the full forms.
			if len(filing) > 0 {
				dst = append(dst, Key{KeyFirst, filing[0]}, Key{KeyField, CutHeading(strings.Join(filing, " "))})
			}
			if skipped {
				dst = append(dst, Key{KeyFirstAll, all[0]}, Key{KeyFieldAll, CutHeading(strings.Join(all, " "))})
			}
			return
		}
		for _, sf := range f.Subfields {
			if !spec.wants(sf.Code) {
				continue
			}
			switch ix.Kind {
			case KindISBN:
				k, _ := NormalizeISBN(sf.Value)
				word(k)
			case KindISSN:
				word(NormalizeISSN(sf.Value))
			case KindLCCN:
				word(NormalizeLCCN(sf.Value))
			case KindID:
				word(Normalize(strings.TrimSpace(sf.Value)))
			case KindStdID:
				switch f.Tag {
				case "020":
					k, _ := NormalizeISBN(sf.Value)
					word(k)
				case "022":
					word(NormalizeISSN(sf.Value))
				default:
					word(normalizeStdID(sf.Value))
				}
			case KindYear:
				for _, y := range years(sf.Value) {
					word(y)
				}
			case KindCode:
				v := Normalize(strings.TrimSpace(sf.Value))
				if len(v)%3 == 0 && !strings.ContainsRune(v, ' ') {
					for i := 0; i+3 <= len(v); i += 3 {
						word(v[i : i+3])
					}
				} else {
					for _, t := range Tokens(v) {
						word(t)
					}
				}
			}
		}
	})
	return dst
}

// CutHeading shortens a whole-field key to at most MaxHeading bytes,
// cutting at a character boundary.
func CutHeading(h string) string {
	if len(h) <= MaxHeading {
		return h
	}
	i := MaxHeading
	for i > 0 && !utf8.RuneStart(h[i]) {
		i--
	}
	return h[:i]
}

// materialCodes returns the codes filed for leader/06-07: the two-letter
// code ("am"), the type of record alone ("a") and a plain-word label
// ("book").
func materialCodes(v string) []string {
	if len(v) != 2 || v[0] == ' ' {
		return nil
	}
	v = asciiLower(v)
	out := []string{v, v[:1]}
	label := ""
	switch v[0] {
	case 'a':
		switch v[1] {
		case 'b', 'i', 's':
			label = "serial"
		default:
			label = "book"
		}
	case 't':
		label = "manuscript"
	case 'c', 'd':
		label = "score"
	case 'e', 'f':
		label = "map"
	case 'g':
		label = "video"
	case 'i':
		label = "audio"
	case 'j':
		label = "music"
	case 'k':
		label = "image"
	case 'm':
		label = "computer"
	case 'o':
		label = "kit"
	case 'p':
		label = "mixed"
	case 'r':
		label = "object"
	}
	if label != "" {
		out = append(out, label)
	}
	return out
}

func sortKeys(rec *marc.Record) SortKeys {
	var s SortKeys
	if f := rec.First("245"); f != nil {
		skip := 0
		if f.Ind2 >= '1' && f.Ind2 <= '9' {
			skip = int(f.Ind2 - '0')
		}
		var parts []string
		for _, sf := range f.Subfields {
			if strings.IndexByte("abnp", sf.Code) < 0 {
				continue
			}
			v := sf.Value
			if sf.Code == 'a' && skip > 0 {
				v = skipRunes(v, skip)
				skip = 0
			}
			parts = append(parts, v)
		}
		s.Title = TermKey(Phrase(strings.Join(parts, " ")))
	}
	for _, tags := range [][]string{{"100", "110", "111"}, {"700", "710", "711"}} {
		if fs := rec.FieldsByTag(tags...); len(fs) > 0 {
			s.Author = TermKey(Phrase(fs[0].Text("abcdnq")))
			break
		}
	}
	if f := rec.First("008"); f != nil && len(f.Value) >= 11 {
		if y := f.Value[7:11]; allDigits(y) && (y[0] == '1' || y[0] == '2') {
			s.Date = y
		}
	}
	if s.Date == "" {
		for _, f := range rec.FieldsByTag("260", "264") {
			if ys := years(f.Text("c")); len(ys) > 0 {
				s.Date = ys[0]
				break
			}
		}
	}
	return s
}

func skipRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[i:]
		}
		n--
	}
	return ""
}
