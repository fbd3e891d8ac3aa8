package cql

import "strings"

// SegmentKind tells literal text from a masking character.
type SegmentKind int

// Kinds of Segment.
const (
	Literal SegmentKind = iota // Text holds the characters, escapes resolved
	AnyRun                     // * : zero or more characters
	AnyChar                    // ? : exactly one character
)

// Segment is a piece of a masked term.
type Segment struct {
	Kind SegmentKind
	Text string
}

// Mask is a term's masking analysed: what a search engine needs to choose
// between plain, left, right, both-sides and pattern truncation and
// field anchoring (Bib-1 5=1, 5=2, 5=3, 5=104; 3=1, 6=3).
type Mask struct {
	Segments     []Segment
	Text         string // literal characters only, escapes resolved, masks and anchors removed
	LeadingStar  bool   // starts with * (after any ^)
	TrailingStar bool   // ends with * (before any ^)
	Inner        bool   // a * not at either end, or any ?
	AnchorStart  bool   // ^ first
	AnchorEnd    bool   // ^ last
}

// Masked reports whether the term has any * or ?.
func (m Mask) Masked() bool { return m.LeadingStar || m.TrailingStar || m.Inner }

// ParseMask analyses the masking characters of a term as Parse keeps it
// (backslash escapes in place): unescaped * and ? mask, ^ anchors at the
// very start or end, and a backslash makes the next character literal.
// A ^ anywhere else is diagnostic 32. Use it on a whole term for = and
// adj, and on each of SplitWords(term) for any and all.
func ParseMask(term string) (Mask, error) {
	var m Mask
	var lit strings.Builder
	var text strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			m.Segments = append(m.Segments, Segment{Kind: Literal, Text: lit.String()})
			lit.Reset()
		}
	}
	n := len(term)
	for i := 0; i < n; i++ {
		c := term[i]
		switch c {
		case '\\':
			if i+1 < n {
				i++
				lit.WriteByte(term[i])
				text.WriteByte(term[i])
			}
		case '^':
			switch {
			case i == 0:
				m.AnchorStart = true
			case i == n-1:
				m.AnchorEnd = true
			default:
				return Mask{}, errorf(DiagAnchorPosition, i, term, "^ is allowed only at the start or end of a term")
			}
		case '*':
			flush()
			if k := len(m.Segments); k > 0 && m.Segments[k-1].Kind == AnyRun {
				continue // ** is *
			}
			m.Segments = append(m.Segments, Segment{Kind: AnyRun})
		case '?':
			flush()
			m.Segments = append(m.Segments, Segment{Kind: AnyChar})
		default:
			lit.WriteByte(c)
			text.WriteByte(c)
		}
	}
	flush()
	m.Text = text.String()
	for i, s := range m.Segments {
		switch s.Kind {
		case AnyRun:
			switch {
			case i == 0:
				m.LeadingStar = true
				if len(m.Segments) == 1 {
					m.TrailingStar = true
				}
			case i == len(m.Segments)-1:
				m.TrailingStar = true
			default:
				m.Inner = true
			}
		case AnyChar:
			m.Inner = true
		}
	}
	return m, nil
}

// Mask analyses the clause's term, honouring the /cql.unmasked relation
// modifier (then every character is literal) and /regexp (likewise: the
// term is not a masked term and the caller handles it).
func (c *Clause) Mask() (Mask, error) {
	if c.Relation.Has("unmasked") || c.Relation.Has("regexp") {
		t := Unescape(c.Term)
		var segs []Segment
		if t != "" {
			segs = []Segment{{Kind: Literal, Text: t}}
		}
		return Mask{Segments: segs, Text: t}, nil
	}
	return ParseMask(c.Term)
}

// Unescape returns the term with backslash escapes resolved: \* becomes *,
// \" becomes ", \\ becomes \. Masking characters are left as they are.
func Unescape(term string) string {
	if !strings.Contains(term, `\`) {
		return term
	}
	var b strings.Builder
	for i := 0; i < len(term); i++ {
		if term[i] == '\\' && i+1 < len(term) {
			i++
		}
		b.WriteByte(term[i])
	}
	return b.String()
}

// SplitWords splits a term on unescaped white space, keeping escapes.
func SplitWords(term string) []string {
	var out []string
	start := -1
	for i := 0; i < len(term); i++ {
		c := term[i]
		if isSpace(c) {
			if start >= 0 {
				out = append(out, term[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
		if c == '\\' && i+1 < len(term) {
			i++
		}
	}
	if start >= 0 {
		out = append(out, term[start:])
	}
	return out
}
