package search

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/bibgate/bibgate/marc"
)

// Lookup selects keys of one kind (or two, see Also) in one index: the
// stored keys (see TermKey) from Start on, in ascending order, until Stop reports true for a
// key's folded part; of those, the ones Accept approves (all when nil). A
// nil Stop reads to the end of the index.
type Lookup struct {
	Kind KeyKind
	// Also, when not 0, is a second key kind read the same way, its keys
	// joining those of Kind (KeyFirstAll beside KeyFirst, KeyFieldAll
	// beside KeyField).
	Also   KeyKind
	Start  string
	Stop   func(fold string) bool
	Accept func(fold, term string) bool
}

// Plan says how an index answers one Term. Its meaning, which every index
// implementation must follow:
//
//   - Every: all records.
//   - Sub non-nil: the intersection of the Sub plans' results (the union
//     when Union is set).
//   - Otherwise the intersection over Lookups of the union of the postings
//     of the keys each selects; no Lookups means no records.
//
// Then, when Verify is set, only the records for which Verify(record) holds
// are kept (phrase, position and completeness checks), and when Negate is
// set the result is every record except those. Verify only looks at the
// fields Index.Reads accepts, so an implementation may hand it a record
// holding just those.
type Plan struct {
	Index   *Index
	Every   bool
	Negate  bool
	Sub     []*Plan
	Union   bool
	Lookups []Lookup
	Verify  func(rec *marc.Record) bool
}

// PlanTerm validates t against the index table and the attribute
// combinations the indexes support, and returns its Plan. Unsupported
// attributes give a *Diagnostic with the Bib-1 number.
func PlanTerm(t *Term) (*Plan, error) {
	ix, err := ByName(t.Index)
	if err != nil {
		return nil, err
	}
	a := attrs{
		rel: t.Relation.orDefault(), pos: t.Position.orDefault(), st: t.Structure.orDefault(),
		tr: t.Truncation.orDefault(), comp: t.Completeness.orDefault(),
	}
	if err := a.validate(ix); err != nil {
		return nil, err
	}
	switch a.rel {
	case RelAlwaysMatches:
		return &Plan{Index: ix, Every: true}, nil
	case RelLess, RelLessEqual, RelGreater, RelGreaterEqual, RelWithin:
		return planRange(ix, a, t.Text)
	}
	p, err := planEqual(ix, a, t.Text)
	if err != nil {
		return nil, err
	}
	if a.rel == RelNotEqual {
		p = &Plan{Index: ix, Sub: []*Plan{p}, Negate: true}
	}
	return p, nil
}

type attrs struct {
	rel  Relation
	pos  Position
	st   Structure
	tr   Truncation
	comp Completeness
}

func (a *attrs) validate(ix *Index) error {
	switch a.rel {
	case RelLess, RelLessEqual, RelEqual, RelGreaterEqual, RelGreater, RelNotEqual,
		RelRelevance, RelAlwaysMatches, RelWithin:
	default:
		return diag(DiagUnsupportedRelation, "%d", a.rel)
	}
	switch a.pos {
	case PosFirstInField, PosFirstInSubfield, PosAny:
	default:
		return diag(DiagUnsupportedPosition, "%d", a.pos)
	}
	switch a.st {
	case StructPhrase, StructWord, StructKey, StructWordList, StructNameNorm, StructNameUnnorm,
		StructFreeForm, StructDocumentText, StructLocalNumber, StructString, StructNumericString:
	case StructYear, StructDate, StructDateUnnorm:
		if ix.Kind != KindYear {
			return diag(DiagUnsupportedStructure, "%d", a.st)
		}
	default:
		return diag(DiagUnsupportedStructure, "%d", a.st)
	}
	switch a.tr {
	case TruncRight, TruncLeft, TruncBoth, TruncNone, TruncHash, TruncRegexp, TruncZ3958, TruncCQLMask:
	default:
		return diag(DiagUnsupportedTruncation, "%d", a.tr)
	}
	switch a.comp {
	case IncompleteSubfield, CompleteSubfield, CompleteField:
	default:
		return diag(DiagUnsupportedCompleteness, "%d", a.comp)
	}
	ranged := a.rel == RelLess || a.rel == RelLessEqual || a.rel == RelGreater ||
		a.rel == RelGreaterEqual || a.rel == RelWithin
	if ranged && a.tr != TruncNone {
		return diag(DiagUnsupportedCombination, "relation %d with truncation %d", a.rel, a.tr)
	}
	return nil
}

func (a *attrs) masked() bool {
	return a.tr == TruncHash || a.tr == TruncZ3958 || a.tr == TruncCQLMask
}

func (a *attrs) maskChars() string {
	switch a.tr {
	case TruncHash:
		return "#"
	case TruncZ3958:
		return "#?"
	case TruncCQLMask:
		return "*?"
	}
	return ""
}

// split breaks a term into the values of a word list or free-form search.
func (a *attrs) split(ix *Index, text string) []string {
	if ix.Kind == KindText {
		return appendTokens(nil, Normalize(text), a.maskChars())
	}
	return strings.Fields(text)
}

func planEqual(ix *Index, a attrs, text string) (*Plan, error) {
	if a.st == StructWordList || a.st == StructFreeForm || a.st == StructDocumentText {
		words := a.split(ix, text)
		if len(words) > 1 {
			sub := a
			sub.st = StructWord
			p := &Plan{Index: ix, Union: a.st != StructWordList}
			for _, w := range words {
				sp, err := planEqual(ix, sub, w)
				if err != nil {
					return nil, err
				}
				p.Sub = append(p.Sub, sp)
			}
			return p, nil
		}
	}
	if ix.Kind == KindText {
		p, err := planText(ix, a, text)
		if err != nil || !ix.Identifiers || a.tr != TruncNone {
			return p, err
		}
		return withIdentifier(ix, p, text), nil
	}
	var alts []string
	switch ix.Kind {
	case KindISBN:
		alts = isbnQuery(text, &a)
	case KindISSN:
		v := identRun(text, a.maskChars())
		if a.tr == TruncRight && len(v) == 8 {
			a.tr = TruncNone
		}
		alts = []string{v}
	case KindLCCN:
		alts = []string{NormalizeLCCN(text)}
	case KindID, KindCode:
		alts = []string{Normalize(strings.TrimSpace(text))}
	case KindStdID:
		alts = []string{normalizeStdID(text)}
		if v := identRun(text, a.maskChars()); v != "" && v != alts[0] {
			alts = append(alts, v)
		}
		if k, ok := NormalizeISBN(text); ok && k != alts[0] {
			alts = append(alts, k)
		}
	case KindYear:
		if ys := years(text); len(ys) > 0 && !a.masked() && a.tr != TruncRegexp {
			alts = []string{ys[0]}
		} else {
			alts = []string{identRun(text, a.maskChars())}
		}
	}
	p := &Plan{Index: ix, Union: true}
	for _, v := range alts {
		if v == "" {
			continue
		}
		pat, err := wholePattern(CutHeading(v), a.tr)
		if err != nil {
			return nil, err
		}
		p.Sub = append(p.Sub, &Plan{Index: ix, Lookups: []Lookup{pat.lookup(KeyWord)}})
	}
	switch len(p.Sub) {
	case 0:
		return &Plan{Index: ix}, nil
	case 1:
		return p.Sub[0], nil
	}
	return p, nil
}

// withIdentifier widens a text plan with the index form of an ISBN or ISSN
// query ("0-201-89683-4", "0317-8471"), filed as a word by Identifiers
// indexes.
func withIdentifier(ix *Index, p *Plan, text string) *Plan {
	id := ""
	if k, ok := NormalizeISBN(text); ok {
		id = k
	} else if k := identRun(text, ""); len(k) == 8 && len(strings.TrimSpace(text)) <= 9 && strings.ContainsAny(text, "-xX") {
		id = asciiLower(k)
	}
	if id == "" {
		return p
	}
	alt := &Plan{Index: ix, Lookups: []Lookup{literalPattern(patExact, id).lookup(KeyWord)}}
	return &Plan{Index: ix, Union: true, Sub: []*Plan{p, alt}}
}

// isbnQuery returns the index forms an ISBN query may match: a complete
// ISBN (10 or 13) in its ISBN-13 form, exact even under right truncation;
// a partial one as given and, when it could be the start of an ISBN-10,
// also with 978 in front.
func isbnQuery(text string, a *attrs) []string {
	v := identRun(text, a.maskChars())
	if k, ok := NormalizeISBN(v); ok {
		if a.tr == TruncRight {
			a.tr = TruncNone
		}
		return []string{k}
	}
	out := []string{v}
	if a.tr == TruncRight && len(v) > 0 && len(v) <= 9 {
		out = append(out, "978"+v)
	}
	return out
}

func planText(ix *Index, a attrs, text string) (*Plan, error) {
	if a.tr == TruncRegexp {
		kind := KeyWord
		if ix.Headings && (a.comp == CompleteField || a.st == StructPhrase) {
			kind = KeyField
		}
		pat, err := regexpPattern(Normalize(text))
		if err != nil {
			return nil, err
		}
		return &Plan{Index: ix, Lookups: []Lookup{withFull(pat.lookup(kind))}}, nil
	}
	toks := appendTokens(nil, Normalize(text), a.maskChars())
	if len(toks) == 0 {
		return &Plan{Index: ix}, nil
	}
	aStart := a.tr != TruncLeft && a.tr != TruncBoth
	aEnd := a.tr != TruncRight && a.tr != TruncBoth
	if a.comp == CompleteField && ix.Headings {
		whole := strings.Join(toks, " ")
		var verify func(*marc.Record) bool
		if cut := CutHeading(whole); cut != whole {
			whole, a.tr = cut, TruncRight
			pats, err := tokenPatterns(toks, TruncNone)
			if err != nil {
				return nil, err
			}
			verify = verifier(ix, pats, a.pos, a.comp, aStart, aEnd)
		}
		pat, err := wholePattern(whole, a.tr)
		if err != nil {
			return nil, err
		}
		return &Plan{Index: ix, Lookups: []Lookup{withFull(pat.lookup(KeyField))}, Verify: verify}, nil
	}
	pats, err := tokenPatterns(toks, a.tr)
	if err != nil {
		return nil, err
	}
	p := &Plan{Index: ix}
	// In indexes that keep word pairs, adjacent exact words (the last may be
	// a prefix) are looked up as pairs; the other words one by one.
	covered := make([]bool, len(pats))
	exactPairs := true
	for i := 0; ix.Headings && i+1 < len(pats); i++ {
		l, r := pats[i], pats[i+1]
		if l.kind != patExact || !(r.kind == patExact || (r.kind == patPrefix && i+1 == len(pats)-1)) {
			exactPairs = false
			continue
		}
		p.Lookups = append(p.Lookups, pairLookup(l, r))
		covered[i], covered[i+1] = true, true
	}
	for i, pat := range pats {
		first := i == 0 && a.pos == PosFirstInField && ix.Headings && a.comp != CompleteSubfield
		if covered[i] && !first {
			continue
		}
		kind := KeyWord
		if first {
			kind = KeyFirst
		}
		p.Lookups = append(p.Lookups, withFull(pat.lookup(kind)))
	}
	if len(pats) > 2 || (len(pats) == 2 && !(exactPairs && ix.Headings)) || a.pos == PosFirstInSubfield ||
		a.comp != IncompleteSubfield || (a.pos == PosFirstInField && (!ix.Headings || len(pats) > 1)) {
		p.Verify = verifier(ix, pats, a.pos, a.comp, aStart, aEnd)
	}
	return p, nil
}

// withFull makes a first-word or whole-field lookup also read the forms
// filed with non-filing characters, so "the pragmatic programmer" as a
// complete field finds the title filed as "pragmatic programmer".
func withFull(l Lookup) Lookup {
	switch l.Kind {
	case KeyFirst:
		l.Also = KeyFirstAll
	case KeyField:
		l.Also = KeyFieldAll
	}
	return l
}

// pairLookup reads the word pairs matching l then r: the range of their
// folded form, and, when either word has diacritics, a check of each word
// against its pattern.
func pairLookup(l, r *pattern) Lookup {
	pair := literalPattern(r.kind, Fold(l.q)+" "+Fold(r.q))
	lk := pair.lookup(KeyPair)
	if !l.inv || !r.inv {
		lk.Accept = func(_, term string) bool {
			i := strings.IndexByte(term, ' ')
			return i >= 0 && l.matchTerm(term[:i]) && r.matchTerm(term[i+1:])
		}
	}
	return lk
}

func planRange(ix *Index, a attrs, text string) (*Plan, error) {
	kind := KeyWord
	var vals []string
	switch ix.Kind {
	case KindText:
		toks := Tokens(text)
		if ix.Headings && (a.st == StructPhrase || a.st == StructKey || a.st == StructString || a.comp == CompleteField) {
			kind = KeyField
		}
		if a.rel == RelWithin {
			vals = toks
		} else if len(toks) > 0 {
			vals = []string{strings.Join(toks, " ")}
		}
	case KindYear:
		vals = years(text)
	case KindISBN:
		k, _ := NormalizeISBN(text)
		vals = []string{k}
	case KindISSN:
		vals = []string{NormalizeISSN(text)}
	case KindLCCN:
		vals = []string{NormalizeLCCN(text)}
	case KindStdID:
		vals = []string{normalizeStdID(text)}
	default:
		vals = strings.Fields(Normalize(text))
	}
	if a.rel == RelWithin {
		if len(vals) != 2 {
			return nil, diag(DiagMalformedTerm, "within needs two values: %q", text)
		}
		lo, hi := Fold(vals[0]), Fold(vals[1])
		return &Plan{Index: ix, Lookups: []Lookup{{Kind: kind, Start: lo,
			Stop: func(f string) bool { return f > hi }}}}, nil
	}
	if len(vals) == 0 || vals[0] == "" {
		return nil, diag(DiagMalformedTerm, "%q", text)
	}
	v := Fold(vals[0])
	l := Lookup{Kind: kind}
	switch a.rel {
	case RelLess:
		l.Stop = func(f string) bool { return f >= v }
	case RelLessEqual:
		l.Stop = func(f string) bool { return f > v }
	case RelGreater:
		l.Start = v
		l.Accept = func(f, _ string) bool { return f > v }
	case RelGreaterEqual:
		l.Start = v
	}
	return &Plan{Index: ix, Lookups: []Lookup{l}}, nil
}

// tokenPatterns gives each query word its pattern: right truncation makes
// the last word a prefix, left truncation the first a suffix, masks apply
// word by word.
func tokenPatterns(toks []string, tr Truncation) ([]*pattern, error) {
	pats := make([]*pattern, len(toks))
	for i, t := range toks {
		var err error
		kind := patExact
		switch tr {
		case TruncRight:
			if i == len(toks)-1 {
				kind = patPrefix
			}
		case TruncLeft:
			if i == 0 {
				kind = patSuffix
			}
		case TruncBoth:
			switch {
			case len(toks) == 1:
				kind = patContains
			case i == 0:
				kind = patSuffix
			case i == len(toks)-1:
				kind = patPrefix
			}
		case TruncHash, TruncZ3958, TruncCQLMask:
			pats[i], err = maskPattern(t, tr)
			if err != nil {
				return nil, err
			}
			continue
		}
		pats[i] = literalPattern(kind, t)
	}
	return pats, nil
}

// wholePattern is the pattern for a value compared as a whole (a heading
// or an identifier).
func wholePattern(v string, tr Truncation) (*pattern, error) {
	switch tr {
	case TruncRight:
		return literalPattern(patPrefix, v), nil
	case TruncLeft:
		return literalPattern(patSuffix, v), nil
	case TruncBoth:
		return literalPattern(patContains, v), nil
	case TruncHash, TruncZ3958, TruncCQLMask:
		return maskPattern(v, tr)
	case TruncRegexp:
		return regexpPattern(v)
	}
	return literalPattern(patExact, v), nil
}

type patKind int

const (
	patExact patKind = iota
	patPrefix
	patSuffix
	patContains
	patRegexp
)

// pattern matches one normalised term. A pattern without diacritics (inv)
// is compared with the folded form of what it meets, so "berzins" matches
// "bērziņš"; one with diacritics only matches them exactly.
type pattern struct {
	kind patKind
	q    string // the literal; for patRegexp its literal prefix
	inv  bool
	re   *regexp.Regexp
}

func literalPattern(kind patKind, q string) *pattern {
	return &pattern{kind: kind, q: q, inv: Fold(q) == q}
}

func (p *pattern) test(s string) bool {
	switch p.kind {
	case patExact:
		return s == p.q
	case patPrefix:
		return strings.HasPrefix(s, p.q)
	case patSuffix:
		return strings.HasSuffix(s, p.q)
	case patContains:
		return strings.Contains(s, p.q)
	}
	return p.re.MatchString(s)
}

// matchTerm reports whether the normalised term matches.
func (p *pattern) matchTerm(term string) bool {
	if p.inv {
		return p.test(Fold(term))
	}
	return p.test(term)
}

func (p *pattern) matchKey(fold, term string) bool {
	if p.inv {
		return p.test(fold)
	}
	return p.test(term)
}

func (p *pattern) lookup(kind KeyKind) Lookup {
	l := Lookup{Kind: kind}
	switch p.kind {
	case patExact:
		f := Fold(p.q)
		l.Start = f
		l.Stop = func(fold string) bool { return fold != f }
		if !p.inv {
			q := p.q
			l.Accept = func(_, term string) bool { return term == q }
		}
	case patPrefix:
		f := Fold(p.q)
		l.Start = f
		l.Stop = func(fold string) bool { return !strings.HasPrefix(fold, f) }
		if !p.inv {
			q := p.q
			l.Accept = func(_, term string) bool { return strings.HasPrefix(term, q) }
		}
	case patRegexp:
		if p.q != "" {
			f := Fold(p.q)
			l.Start = f
			l.Stop = func(fold string) bool { return !strings.HasPrefix(fold, f) }
		}
		l.Accept = p.matchKey
	default:
		l.Accept = p.matchKey
	}
	return l
}

// maxMaskRepeat bounds the n of a Z39.58 "?n" mask.
const maxMaskRepeat = 255

// maskPattern compiles a masked term. Without any mask character it is an
// exact pattern.
func maskPattern(t string, tr Truncation) (*pattern, error) {
	var re, lit strings.Builder
	inLit := true
	masked := false
	wild := func(expr string) {
		re.WriteString(expr)
		inLit = false
		masked = true
	}
	literal := func(s string) {
		re.WriteString(regexp.QuoteMeta(s))
		if inLit {
			lit.WriteString(s)
		}
	}
	var plain strings.Builder
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case tr == TruncHash && c == '#', tr == TruncCQLMask && c == '*':
			wild(".*")
		case tr == TruncZ3958 && c == '#', tr == TruncCQLMask && c == '?':
			wild(".")
		case tr == TruncZ3958 && c == '?':
			j := i + 1
			for j < len(t) && isDigit(t[j]) {
				j++
			}
			if j == i+1 {
				wild(".*")
				continue
			}
			n, err := strconv.Atoi(t[i+1 : j])
			if err != nil || n > maxMaskRepeat {
				return nil, diag(DiagMalformedTerm, "mask %q", t)
			}
			wild(".{0," + strconv.Itoa(n) + "}")
			i = j - 1
		case tr == TruncCQLMask && c == '\\' && i+1 < len(t):
			i++
			literal(t[i : i+1])
			plain.WriteByte(t[i])
		default:
			literal(t[i : i+1])
			plain.WriteByte(c)
		}
	}
	if !masked {
		return literalPattern(patExact, plain.String()), nil
	}
	rx, err := regexp.Compile("^(?s:" + re.String() + ")$")
	if err != nil {
		return nil, diag(DiagMalformedTerm, "mask %q", t)
	}
	pl := plain.String()
	return &pattern{kind: patRegexp, q: lit.String(), inv: Fold(pl) == pl, re: rx}, nil
}

func regexpPattern(expr string) (*pattern, error) {
	rx, err := regexp.Compile("^(?s:" + expr + ")$")
	if err != nil {
		return nil, diag(DiagMalformedTerm, "regular expression %q: %v", expr, err)
	}
	prefix, _ := rx.LiteralPrefix()
	return &pattern{kind: patRegexp, q: prefix, inv: Fold(expr) == expr, re: rx}, nil
}

// verifier checks word order, position and completeness against the
// record's fields.
// A check anchored at the start of a field or subfield (first in field,
// complete field or subfield) accepts the field with or without its
// non-filing characters, as the KeyFirst and KeyField lookups do.
func verifier(ix *Index, pats []*pattern, pos Position, comp Completeness, aStart, aEnd bool) func(*marc.Record) bool {
	switch {
	case comp == CompleteField || pos == PosFirstInField || comp == CompleteSubfield:
		return func(rec *marc.Record) bool {
			return matchFields(ix.FieldTokens(rec), pats, pos, comp, aStart, aEnd) ||
				(hasNonFiling(ix, rec) && matchFields(ix.FilingTokens(rec), pats, pos, comp, aStart, aEnd))
		}
	}
	return func(rec *marc.Record) bool {
		return matchFields(ix.FieldTokens(rec), pats, pos, comp, aStart, aEnd)
	}
}

// hasNonFiling reports whether a field ix reads has non-filing characters.
func hasNonFiling(ix *Index, rec *marc.Record) bool {
	for i := range rec.Fields {
		if NonFiling(&rec.Fields[i]) > 0 && ix.Reads(rec.Fields[i].Tag) {
			return true
		}
	}
	return false
}

func matchFields(fields []FieldTokens, pats []*pattern, pos Position, comp Completeness, aStart, aEnd bool) bool {
	n := len(pats)
	var flat []string
	var starts []int
	for _, ft := range fields {
		flat, starts = flat[:0], starts[:0]
		for _, sub := range ft {
			starts = append(starts, len(flat))
			flat = append(flat, sub...)
		}
		switch comp {
		case CompleteField:
			if matchAnchored(flat, pats, aStart, aEnd) {
				return true
			}
		case CompleteSubfield:
			for si, sub := range ft {
				if pos == PosFirstInField && si > 0 {
					break
				}
				if matchAnchored(sub, pats, aStart, aEnd) {
					return true
				}
			}
		default:
			switch pos {
			case PosFirstInField:
				if matchAt(flat, pats, 0) {
					return true
				}
			case PosFirstInSubfield:
				for _, s := range starts {
					if matchAt(flat, pats, s) {
						return true
					}
				}
			default:
				for s := 0; s+n <= len(flat); s++ {
					if matchAt(flat, pats, s) {
						return true
					}
				}
			}
		}
	}
	return false
}

func matchAnchored(toks []string, pats []*pattern, aStart, aEnd bool) bool {
	n := len(pats)
	switch {
	case len(toks) < n:
		return false
	case aStart && aEnd:
		return len(toks) == n && matchAt(toks, pats, 0)
	case aStart:
		return matchAt(toks, pats, 0)
	case aEnd:
		return matchAt(toks, pats, len(toks)-n)
	}
	for s := 0; s+n <= len(toks); s++ {
		if matchAt(toks, pats, s) {
			return true
		}
	}
	return false
}

func matchAt(toks []string, pats []*pattern, at int) bool {
	if at+len(pats) > len(toks) {
		return false
	}
	for i, p := range pats {
		if !p.matchTerm(toks[at+i]) {
			return false
		}
	}
	return true
}
