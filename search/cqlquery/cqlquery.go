// Package cqlquery turns a CQL query (search/cql) into the search query
// tree and its sortBy keys into sort steps, using the CQL index names of
// the index table (search.ByCQL).
//
// Indexes. Every "prefix.name" of the table is accepted (dc.title,
// bath.isbn, rec.id, cql.serverChoice ...). Bare index names (title, isbn,
// lccn) belong to bibgate's own context set (ContextSet), which Profile
// makes the default set. cql.allRecords is every record;
// cql.resultSetId refers to an earlier result set when the Converter can
// resolve it.
//
// Relations, as in CQL 1.2 and the Bath profile:
//
//	=         one word: that word; several: the phrase (adjacent, in order)
//	==        the whole field (Bib-1 3=1 4=1 6=3) in text indexes
//	adj       the phrase
//	all, any  every / some of the words, each with its own masking
//	<> < <= > >=   Bib-1 relations 6, 1, 2, 5, 4
//	within    "low high", both included (Bib-1 relation 104)
//
// encloses is not supported (SRU diagnostic 19).
//
// Masking. A trailing * is right truncation, a leading * left truncation,
// both ends both; an inner * or any ? is pattern masking. A leading ^
// anchors the term at the start of the field (Bib-1 3=1), ^ at both ends
// makes it the whole field (3=1 6=3); a ^ at the end alone is diagnostic
// 32. Escaped characters (\*, \?, \^) are literal; as punctuation they
// separate words like any other, since indexes file only letters and
// digits.
//
// Relation modifiers: /relevant (Bib-1 relation 102, no ranking),
// /ignoreCase (always), /ignoreAccents (the term's diacritics are
// dropped, so Bērziņš also finds Berzins), /masked (the default),
// /unmasked and /regexp. Others are diagnostic 20.
//
// Booleans: and, or, not, and prox with unit=word (42 for another unit),
// any distance and comparison, ordered or unordered (the default
// distance<=1, unordered), over clauses of one text index (search.Prox,
// answered from the word positions in the stored fields). A prox over
// other operands, or across indexes, is diagnostic 44.
//
// Sort keys: title, author and date indexes (search.SortKeyFor), ascending
// or descending; records without a value come last, so missingHigh is
// accepted on ascending keys and missingLow on descending ones.
//
// Every error FromCQL returns is a *cql.Error carrying an SRU diagnostic.
// AsError turns the errors of a later search (*search.Diagnostic, Bib-1)
// into one too.
package cqlquery

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/cql"
)

// SRU diagnostics this package reports beyond those search/cql names.
const (
	DiagCombination  = 22 // unsupported combination of relation and index
	DiagInvalidTerm  = 36 // term in invalid format for index or relation
	DiagResultSet    = 51 // result set does not exist
	DiagSortSequence = 82 // unsupported sort sequence
	DiagSortPath     = 88 // unsupported path for sort
	DiagSortCase     = 91 // unsupported case
	DiagSortMissing  = 92 // unsupported missing value action
)

// ContextSetPrefix is the prefix of bibgate's own context set, whose
// indexes are the bare names of the index table (title, isbn, lccn ...).
const ContextSetPrefix = "bibgate"

// ContextSet returns bibgate's own context set.
func ContextSet() cql.ContextSet {
	return cql.ContextSet{Prefix: ContextSetPrefix, URI: "info:srw/cql-context-set/15/bibgate-1.0"}
}

// Relations returns the relations FromCQL supports.
func Relations() []string {
	return []string{"=", "==", "<>", "<", ">", "<=", ">=", "adj", "all", "any", "within"}
}

// RelationModifiers returns the relation modifiers FromCQL supports.
func RelationModifiers() []string {
	return []string{"relevant", "ignoreCase", "ignoreAccents", "masked", "unmasked", "regexp"}
}

// Profile returns what FromCQL supports as a cql.Profile: the standard
// context sets plus ContextSet (the default set), Relations,
// RelationModifiers and the booleans and, or, not. Indexes is nil: index
// names are checked against the index table during conversion.
func Profile() *cql.Profile {
	return &cql.Profile{
		Sets:              append(cql.StandardSets(), ContextSet()),
		DefaultSet:        ContextSetPrefix,
		Relations:         Relations(),
		RelationModifiers: RelationModifiers(),
		Booleans:          []cql.Op{cql.And, cql.Or, cql.Not, cql.Prox},
	}
}

// IndexNames returns every CQL index name of the index table as
// "prefix.name", bare names under ContextSetPrefix, for explain records
// and scan.
func IndexNames() []string {
	var out []string
	for _, ix := range search.Indexes() {
		for _, n := range ix.CQL {
			if !strings.Contains(n, ".") {
				n = ContextSetPrefix + "." + n
			}
			out = append(out, n)
		}
	}
	return out
}

// Converter converts CQL queries. The zero value is ready to use and
// rejects cql.resultSetId.
type Converter struct {
	// ResultSet resolves cql.resultSetId = name to the query or record set
	// it stands for, typically a *search.Set. It returns an error carrying
	// a diagnostic (a *cql.Error with 51) when the set does not exist. Nil
	// rejects cql.resultSetId with diagnostic 16.
	ResultSet func(name string) (search.Query, error)
}

// FromCQL converts q with a zero Converter.
func FromCQL(q *cql.Query) (search.Query, []search.SortSpec, error) {
	return Converter{}.FromCQL(q)
}

// FromCQL normalises q with Profile (a query already normalised with the
// same context set prefixes passes unchanged) and converts it. Errors are
// *cql.Error.
func (c Converter) FromCQL(q *cql.Query) (search.Query, []search.SortSpec, error) {
	if q == nil || q.Root == nil {
		return nil, nil, &cql.Error{Code: cql.DiagSyntax, Pos: -1, Reason: "empty query"}
	}
	nq, err := Profile().Normalize(q)
	if err != nil {
		return nil, nil, asCQLError(err)
	}
	root, err := c.node(nq.Root)
	if err != nil {
		return nil, nil, err
	}
	sorts, err := sortSpecs(nq.SortKeys)
	if err != nil {
		return nil, nil, err
	}
	return root, sorts, nil
}

// Parse parses a CQL string and converts it.
func (c Converter) Parse(s string) (search.Query, []search.SortSpec, error) {
	q, err := cql.Parse(s)
	if err != nil {
		return nil, nil, asCQLError(err)
	}
	return c.FromCQL(q)
}

// Parse parses a CQL string and converts it with a zero Converter.
func Parse(s string) (search.Query, []search.SortSpec, error) { return Converter{}.Parse(s) }

func (c Converter) node(n cql.Node) (search.Query, error) {
	switch t := n.(type) {
	case *cql.Clause:
		return c.clause(t)
	case *cql.Boolean:
		l, err := c.node(t.Left)
		if err != nil {
			return nil, err
		}
		r, err := c.node(t.Right)
		if err != nil {
			return nil, err
		}
		switch t.Op {
		case cql.And:
			return &search.And{Left: l, Right: r}, nil
		case cql.Or:
			return &search.Or{Left: l, Right: r}, nil
		case cql.Not:
			return &search.Not{Left: l, Right: r}, nil
		case cql.Prox:
			return proximity(t, l, r)
		}
		return nil, sruErr(cql.DiagBoolean, string(t.Op), "boolean %s is not supported", t.Op)
	case *cql.Prefixed:
		return c.node(t.Node)
	}
	return nil, sruErr(cql.DiagSyntax, "", "empty query")
}

// proxRelations maps a CQL distance comparison to a relation.
var proxRelations = map[string]search.Relation{
	"<": search.RelLess, "<=": search.RelLessEqual, "=": search.RelEqual,
	">=": search.RelGreaterEqual, ">": search.RelGreater, "<>": search.RelNotEqual,
}

// proximity converts a prox boolean whose operands converted to l and r.
func proximity(b *cql.Boolean, l, r search.Query) (search.Query, error) {
	px, err := b.Proximity()
	if err != nil {
		return nil, err
	}
	if px.Unit != "word" {
		return nil, sruErr(cql.DiagProximityUnit, px.Unit, "proximity unit %s is not supported: only word", px.Unit)
	}
	if px.Distance > search.MaxProxDistance {
		return nil, sruErr(cql.DiagProximityDistance, fmt.Sprint(px.Distance), "distance %d is too large", px.Distance)
	}
	rel, ok := proxRelations[px.Comparison]
	if !ok {
		return nil, sruErr(cql.DiagProximityRelation, px.Comparison, "proximity comparison %s is not supported", px.Comparison)
	}
	q := &search.Prox{Left: l, Right: r, Distance: px.Distance, Relation: rel, Ordered: px.Ordered}
	if _, err := search.PlanProx(q); err != nil {
		var d *search.Diagnostic
		if errors.As(err, &d) && d.Code == search.DiagUnsupportedCombination {
			return nil, sruErr(cql.DiagProximityCombination, "prox", "%s", d.AddInfo)
		}
		return nil, AsError(err)
	}
	return q, nil
}

// lookupIndex finds the table index for a normalised "prefix.name".
func lookupIndex(name string) (*search.Index, error) {
	if ix, err := search.ByCQL(name); err == nil {
		return ix, nil
	}
	if prefix, bare, ok := strings.Cut(name, "."); ok && strings.EqualFold(prefix, ContextSetPrefix) {
		if ix, err := search.ByCQL(bare); err == nil {
			return ix, nil
		}
	}
	return nil, sruErr(cql.DiagIndex, name, "index %s is not supported", name)
}

func (c Converter) clause(cl *cql.Clause) (search.Query, error) {
	switch strings.ToLower(cl.Index) {
	case "cql.allrecords":
		return &search.All{}, nil
	case "cql.resultsetid":
		if c.ResultSet == nil {
			return nil, sruErr(cql.DiagIndex, cl.Index, "result set references are not supported")
		}
		if rel := cl.Relation.Name(); rel != "=" && rel != "==" {
			return nil, sruErr(cql.DiagRelation, cl.Relation.Base, "cql.resultSetId takes =")
		}
		q, err := c.ResultSet(cql.Unescape(cl.Term))
		if err != nil {
			return nil, AsError(err)
		}
		return q, nil
	}
	ix, err := lookupIndex(cl.Index)
	if err != nil {
		return nil, err
	}
	rel := cl.Relation.Name()
	switch rel {
	case "all", "any":
		words := cql.SplitWords(cl.Term)
		if len(words) == 0 {
			return nil, sruErr(cql.DiagEmptyTerm, "", "empty term")
		}
		var out search.Query
		for _, w := range words {
			t, err := term(ix, cl, "=", w)
			if err != nil {
				return nil, err
			}
			switch {
			case out == nil:
				out = t
			case rel == "all":
				out = &search.And{Left: out, Right: t}
			default:
				out = &search.Or{Left: out, Right: t}
			}
		}
		return out, nil
	}
	return term(ix, cl, rel, cl.Term)
}

// term builds the leaf for one clause (or one word of an all/any clause).
func term(ix *search.Index, cl *cql.Clause, rel, text string) (search.Query, error) {
	t := &search.Term{Index: ix.Name}
	r := cl.Relation
	part := &cql.Clause{Index: cl.Index, Relation: r, Term: text}
	ordered := false
	switch rel {
	case "=", "adj":
	case "==":
		if ix.Kind == search.KindText {
			t.Position, t.Structure, t.Completeness = search.PosFirstInField, search.StructPhrase, search.CompleteField
		}
	case "<>":
		t.Relation = search.RelNotEqual
	case "<":
		t.Relation, ordered = search.RelLess, true
	case "<=":
		t.Relation, ordered = search.RelLessEqual, true
	case ">":
		t.Relation, ordered = search.RelGreater, true
	case ">=":
		t.Relation, ordered = search.RelGreaterEqual, true
	case "within":
		t.Relation, ordered = search.RelWithin, true
	default:
		return nil, sruErr(cql.DiagRelation, r.Base, "relation %s is not supported", r.Base)
	}
	if r.Has("relevant") {
		if t.Relation != 0 {
			return nil, sruErr(cql.DiagRelationModifier, "relevant", "relevant goes with =, adj, all or any only")
		}
		t.Relation = search.RelRelevance
	}
	if r.Has("regexp") {
		if ordered {
			return nil, sruErr(cql.DiagRelationModifier, "regexp", "regexp does not go with %s", rel)
		}
		t.Truncation = search.TruncRegexp
		t.Text = cql.Unescape(text)
		if t.Structure == 0 && ix.Kind == search.KindText && rel == "adj" {
			t.Structure = search.StructPhrase
		}
		return checked(t, text)
	}
	m, err := part.Mask()
	if err != nil {
		return nil, asCQLError(err)
	}
	if ordered && (m.Masked() || m.AnchorStart || m.AnchorEnd) {
		return nil, sruErr(cql.DiagMasking, text, "masking and anchors do not go with %s", rel)
	}
	switch {
	case m.AnchorEnd && !m.AnchorStart:
		return nil, sruErr(cql.DiagAnchorPosition, text, "^ at the end of a term needs one at the start")
	case m.AnchorStart && m.AnchorEnd:
		t.Position, t.Completeness = search.PosFirstInField, search.CompleteField
	case m.AnchorStart:
		t.Position = search.PosFirstInField
	}
	switch {
	case len(m.Segments) > 0 && !hasLiteral(m.Segments):
		// Only masks ("*"): anything in the index.
		if t.Relation != 0 && t.Relation != search.RelRelevance {
			return nil, sruErr(cql.DiagMasking, text, "a term of masks only goes with =")
		}
		return &search.All{}, nil
	case m.Inner:
		t.Truncation = search.TruncCQLMask
		t.Text = maskedText(m.Segments)
	case m.LeadingStar && m.TrailingStar:
		t.Truncation, t.Text = search.TruncBoth, m.Text
	case m.LeadingStar:
		t.Truncation, t.Text = search.TruncLeft, m.Text
	case m.TrailingStar:
		t.Truncation, t.Text = search.TruncRight, m.Text
	default:
		t.Text = m.Text
	}
	if r.Has("ignoreAccents") {
		t.Text = search.Fold(search.Normalize(t.Text))
	}
	if ix.Kind == search.KindText && t.Structure == 0 && !ordered {
		if rel == "adj" || len(search.Tokens(m.Text)) > 1 {
			t.Structure = search.StructPhrase
		}
	}
	return checked(t, text)
}

func hasLiteral(segs []cql.Segment) bool {
	for _, s := range segs {
		if s.Kind == cql.Literal && strings.TrimSpace(s.Text) != "" {
			return true
		}
	}
	return false
}

// maskedText writes segments in the search.TruncCQLMask syntax. Literal
// mask characters are punctuation, which separates words anyway: they
// become spaces.
func maskedText(segs []cql.Segment) string {
	var b strings.Builder
	for _, s := range segs {
		switch s.Kind {
		case cql.AnyRun:
			b.WriteByte('*')
		case cql.AnyChar:
			b.WriteByte('?')
		default:
			b.WriteString(strings.NewReplacer("*", " ", "?", " ", `\`, " ").Replace(s.Text))
		}
	}
	return b.String()
}

// checked plans the term once so that what the index cannot answer is a
// diagnostic now.
func checked(t *search.Term, written string) (search.Query, error) {
	if _, err := search.PlanTerm(t); err != nil {
		e := AsError(err)
		if e.Details == "" {
			e.Details = written
		}
		return nil, e
	}
	return t, nil
}

func sortSpecs(keys []cql.SortKey) ([]search.SortSpec, error) {
	var out []search.SortSpec
	for _, k := range keys {
		ix, err := lookupIndex(k.Index)
		if err != nil {
			return nil, err
		}
		key, ok := search.SortKeyFor(ix)
		if !ok {
			return nil, sruErr(DiagSortPath, k.Index, "cannot sort by %s", k.Index)
		}
		spec := search.SortSpec{Key: key, Descending: k.Descending()}
		if k.CaseSensitive() {
			return nil, sruErr(DiagSortCase, "respectCase", "sorting ignores case")
		}
		if _, ok := k.Modifier("locale"); ok {
			return nil, sruErr(DiagSortSequence, "locale", "sorting uses one collation")
		}
		if _, ok := k.Modifier("respectAccents"); ok {
			return nil, sruErr(DiagSortSequence, "respectAccents", "sorting ignores accents")
		}
		switch action, _ := k.Missing(); action {
		case "":
		case "high":
			if spec.Descending {
				return nil, sruErr(DiagSortMissing, "missingHigh", "records without a value sort last")
			}
		case "low":
			if !spec.Descending {
				return nil, sruErr(DiagSortMissing, "missingLow", "records without a value sort last")
			}
		default:
			return nil, sruErr(DiagSortMissing, "missing"+action, "records without a value sort last")
		}
		out = append(out, spec)
	}
	return out, nil
}

func sruErr(code int, details, format string, args ...any) *cql.Error {
	e := &cql.Error{Code: code, Details: details, Pos: -1}
	if len(args) > 0 {
		e.Reason = fmt.Sprintf(format, args...)
	} else {
		e.Reason = format
	}
	return e
}

func asCQLError(err error) *cql.Error {
	var ce *cql.Error
	if errors.As(err, &ce) {
		return ce
	}
	return &cql.Error{Code: 1, Pos: -1, Reason: err.Error()}
}

// AsError returns err as an SRU diagnostic: a *cql.Error as it is, a
// *search.Diagnostic (Bib-1, from planning or searching) mapped to its SRU
// number as YAZ does, anything else as diagnostic 1 (general system
// error) with the error's text as reason.
func AsError(err error) *cql.Error {
	var ce *cql.Error
	if errors.As(err, &ce) {
		return ce
	}
	var sd *search.Diagnostic
	if errors.As(err, &sd) {
		return &cql.Error{Code: SRUFromBib1(sd.Code), Details: sd.AddInfo, Pos: -1, Reason: sd.Error()}
	}
	return &cql.Error{Code: 1, Pos: -1, Reason: err.Error()}
}

// SRUFromBib1 maps a Bib-1 query diagnostic to its SRU number (YAZ's
// mapping); numbers without an equivalent become 1, general system error.
func SRUFromBib1(code int) int {
	switch code {
	case 2:
		return 2
	case 30, 27, 128:
		return DiagResultSet
	case 108:
		return cql.DiagSyntax
	case 110:
		return cql.DiagBoolean
	case 113, 114, 116:
		return cql.DiagIndex
	case 117:
		return cql.DiagRelation
	case 118, 123:
		return DiagCombination
	case 119, 122:
		return cql.DiagAnchorPosition
	case 120:
		return cql.DiagMasking
	case 121:
		return cql.DiagContextSet
	case 125:
		return DiagInvalidTerm
	case 207:
		return DiagSortPath
	}
	return 1
}
