// Package rpnquery turns a Z39.50 Type-1 (RPN) query, as decoded from a
// SearchRequest or parsed from PQF by z3950.ParsePQF, into the search
// query tree, checking it against the index table on the way.
//
// What it accepts:
//
//   - the Bib-1 attribute set, as the query's default set or on single
//     attributes; any other set is diagnostic 121;
//   - attribute types 1 to 6 (use, relation, position, structure,
//     truncation, completeness); other types are diagnostic 113. When a
//     type occurs more than once on a term the last occurrence counts, so
//     in PQF an inner @attr overrides one given before an operator. A use
//     attribute may also be a string naming an index ("@attr 1=title");
//   - general, characterString and numeric terms; other term types are
//     diagnostic 229. Term octets are read as UTF-8; octets that are not
//     valid UTF-8 are read as ISO 8859-1, which is what clients that did
//     not negotiate a character set most often send;
//   - the operators and, or and and-not, and proximity with unit word
//     (132 for another unit), any distance, ordered or not, relations 1 to
//     6, exclusion off (110 when on), over terms of one text index or
//     nested proximity operators (search.Prox). A proximity that is a
//     phrase (two operands, or a chain of such operators, with the same
//     attributes and no truncation, distance 1, ordered, relation
//     less-or-equal or equal) becomes one phrase term (structure 1),
//     which the index answers from its word pairs;
//   - result-set operands, when the Converter can resolve them
//     (diagnostic 18 when it cannot).
//
// Relation 103 (always matches) becomes search.All. Every other term is
// checked with search.PlanTerm, so an attribute combination the index
// cannot answer is reported here, before any search runs.
//
// Every error FromRPN returns is a *z3950.Diagnostic in the Bib-1 set;
// AsDiagnostic turns the errors of a later search (*search.Diagnostic) and
// of a CQL conversion (*cql.Error) into one as well.
package rpnquery

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/cql"
	"github.com/bibgate/bibgate/z3950"
)

// Bib-1 diagnostics this package reports beyond those the z3950 package
// names.
const (
	// DiagResultSetAsTerm is Bib-1 18, "Result set not supported as a
	// search term".
	DiagResultSetAsTerm = 18
	// DiagProximityUnit is Bib-1 132, "Unsupported proximity unit code".
	DiagProximityUnit = 132
)

// Converter converts RPN queries. The zero value is ready to use and
// rejects result-set operands.
type Converter struct {
	// ResultSet resolves a result-set operand (PQF @set name) to the query
	// or record set it stands for, typically a *search.Set with the
	// records of an earlier search of the same association. It returns a
	// *z3950.Diagnostic (30 does not exist, 27 deleted, 128 bad name) when
	// it cannot. Nil rejects result-set operands with diagnostic 18.
	ResultSet func(name string) (search.Query, error)
}

// FromRPN converts q with a zero Converter (no result-set operands).
func FromRPN(q *z3950.RPNQuery) (search.Query, error) {
	return Converter{}.FromRPN(q)
}

// FromRPN converts q into a search query. Errors are *z3950.Diagnostic.
func (c Converter) FromRPN(q *z3950.RPNQuery) (search.Query, error) {
	if q == nil || q.Root == nil {
		return nil, z3950.NewDiagnostic(z3950.DiagMalformedQuery, "empty query")
	}
	if !isBib1(q.AttributeSet) {
		return nil, z3950.NewDiagnostic(z3950.DiagUnsupportedAttributeSet, string(q.AttributeSet))
	}
	return c.node(q.Root)
}

func isBib1(set ber.OID) bool { return set == "" || set == z3950.OIDBib1Attributes }

func (c Converter) node(n z3950.RPNStructure) (search.Query, error) {
	switch t := n.(type) {
	case *z3950.AttributesPlusTerm:
		return operand(t)
	case *z3950.ResultSetOperand:
		if t.WithAttrs || c.ResultSet == nil {
			return nil, z3950.NewDiagnostic(DiagResultSetAsTerm, t.ID)
		}
		q, err := c.ResultSet(t.ID)
		if err != nil {
			return nil, AsDiagnosticOr(err)
		}
		return q, nil
	case *z3950.RPNOperation:
		if t.Op.Kind == z3950.OpProx {
			return proxQuery(t)
		}
		l, err := c.node(t.Left)
		if err != nil {
			return nil, err
		}
		r, err := c.node(t.Right)
		if err != nil {
			return nil, err
		}
		switch t.Op.Kind {
		case z3950.OpAnd:
			return &search.And{Left: l, Right: r}, nil
		case z3950.OpOr:
			return &search.Or{Left: l, Right: r}, nil
		case z3950.OpAndNot:
			return &search.Not{Left: l, Right: r}, nil
		}
		return nil, z3950.NewDiagnostic(z3950.DiagUnsupportedOperator, strconv.Itoa(int(t.Op.Kind)))
	}
	return nil, z3950.NewDiagnostic(z3950.DiagMalformedQuery, fmt.Sprintf("operand %T", n))
}

// attrSet is a term's attributes after checking: the values of types 1-6
// (0 when absent) and, for a string use attribute, the index it names.
type attrSet struct {
	vals  [7]int
	index *search.Index
}

func attributes(list []z3950.AttributeElement) (attrSet, error) {
	var a attrSet
	for _, e := range list {
		if !isBib1(e.AttributeSet) {
			return a, z3950.NewDiagnostic(z3950.DiagUnsupportedAttributeSet, string(e.AttributeSet))
		}
		if e.Type < 1 || e.Type > 6 {
			return a, z3950.NewDiagnostic(z3950.DiagUnsupportedAttrType, strconv.Itoa(e.Type))
		}
		v := e.Value
		if e.Complex != nil {
			var err error
			if v, a.index, err = complexValue(e); err != nil {
				return a, err
			}
		} else if e.Type == 1 {
			a.index = nil
		}
		a.vals[e.Type] = v
	}
	return a, nil
}

// complexValue reads a complex attribute value: a single number, or for
// the use attribute a single string naming an index.
func complexValue(e z3950.AttributeElement) (int, *search.Index, error) {
	list := e.Complex.List
	bad := z3950.NewDiagnostic(typeDiag(e.Type), complexText(list))
	if len(list) != 1 {
		return 0, nil, bad
	}
	if !list[0].IsString {
		return list[0].Numeric, nil, nil
	}
	if e.Type != 1 {
		return 0, nil, bad
	}
	if ix, err := search.ByName(strings.ToLower(list[0].String)); err == nil {
		return 0, ix, nil
	}
	if ix, err := search.ByCQL(list[0].String); err == nil {
		return 0, ix, nil
	}
	return 0, nil, bad
}

func complexText(list []z3950.StringOrNumeric) string {
	parts := make([]string, len(list))
	for i, sn := range list {
		if sn.IsString {
			parts[i] = sn.String
		} else {
			parts[i] = strconv.Itoa(sn.Numeric)
		}
	}
	return strings.Join(parts, ",")
}

// typeDiag is the diagnostic for an unsupported value of attribute type
// typ.
func typeDiag(typ int) int {
	switch typ {
	case 1:
		return z3950.DiagUnsupportedUse
	case 2:
		return z3950.DiagUnsupportedRelation
	case 3:
		return z3950.DiagUnsupportedPosition
	case 4:
		return z3950.DiagUnsupportedStructure
	case 5:
		return z3950.DiagUnsupportedTruncation
	case 6:
		return z3950.DiagUnsupportedCompleteness
	}
	return z3950.DiagUnsupportedAttrType
}

func (a *attrSet) lookupIndex() (*search.Index, error) {
	if a.index != nil {
		return a.index, nil
	}
	ix, err := search.ByUse(a.vals[1])
	if err != nil {
		return nil, z3950.NewDiagnostic(z3950.DiagUnsupportedUse, strconv.Itoa(a.vals[1]))
	}
	return ix, nil
}

func operand(t *z3950.AttributesPlusTerm) (search.Query, error) {
	a, err := attributes(t.Attributes)
	if err != nil {
		return nil, err
	}
	ix, err := a.lookupIndex()
	if err != nil {
		return nil, err
	}
	rel := search.Relation(a.vals[2])
	if rel == search.RelAlwaysMatches {
		return &search.All{}, nil
	}
	text, err := termText(t.Term)
	if err != nil {
		return nil, err
	}
	return checked(&search.Term{
		Index:        ix.Name,
		Relation:     rel,
		Position:     search.Position(a.vals[3]),
		Structure:    search.Structure(a.vals[4]),
		Truncation:   search.Truncation(a.vals[5]),
		Completeness: search.Completeness(a.vals[6]),
		Text:         text,
	})
}

// checked plans the term once so that what the index cannot answer is a
// diagnostic now.
func checked(t *search.Term) (search.Query, error) {
	if t.Truncation == search.TruncCQLMask {
		// Not a Bib-1 value: only the CQL front end may ask for it.
		return nil, z3950.NewDiagnostic(z3950.DiagUnsupportedTruncation, strconv.Itoa(int(t.Truncation)))
	}
	if _, err := search.PlanTerm(t); err != nil {
		return nil, AsDiagnosticOr(err)
	}
	return t, nil
}

// termText returns a term's text.
func termText(t z3950.Term) (string, error) {
	switch t.Kind {
	case z3950.TermGeneral, z3950.TermCharacterString:
		return decodeText(t.Bytes), nil
	case z3950.TermNumeric:
		return strconv.FormatInt(t.Numeric, 10), nil
	}
	return "", z3950.NewDiagnostic(z3950.DiagUnsupportedTermType, strconv.Itoa(int(t.Kind)))
}

// decodeText reads octets as UTF-8, or as ISO 8859-1 when they are not
// valid UTF-8.
func decodeText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// proxQuery converts a prox operator: one phrase term when it asks for a
// phrase, a search.Prox otherwise.
func proxQuery(op *z3950.RPNOperation) (search.Query, error) {
	q, err := proxTree(op, 0)
	if err != nil {
		return nil, err
	}
	if px, ok := q.(*search.Prox); ok {
		if _, err := search.PlanProx(px); err != nil {
			return nil, AsDiagnosticOr(err)
		}
	}
	return q, nil
}

// proxTree converts a tree of prox operators over terms into search.Prox;
// a part of it that is a phrase becomes a phrase term.
func proxTree(n z3950.RPNStructure, depth int) (search.Query, error) {
	unsupported := func(why string) error {
		return z3950.NewDiagnostic(z3950.DiagUnsupportedOperator, "prox: "+why)
	}
	switch t := n.(type) {
	case *z3950.AttributesPlusTerm:
		q, err := operand(t)
		if err != nil {
			return nil, err
		}
		if _, ok := q.(*search.Term); !ok {
			return nil, unsupported("operand that matches every record")
		}
		return q, nil
	case *z3950.RPNOperation:
		if t.Op.Kind != z3950.OpProx {
			return nil, unsupported("boolean operand")
		}
		if depth > maxProxChain {
			return nil, unsupported("chain too long")
		}
		p := t.Op.Prox
		switch {
		case p == nil:
			return nil, unsupported("no parameters")
		case !p.KnownUnit || p.Unit != 2:
			return nil, z3950.NewDiagnostic(DiagProximityUnit, strconv.Itoa(p.Unit))
		case p.Exclusion != nil && *p.Exclusion:
			return nil, unsupported("exclusion")
		case p.RelationType < 1 || p.RelationType > 6:
			return nil, unsupported("relation " + strconv.Itoa(p.RelationType))
		case p.Distance < 0 || p.Distance > search.MaxProxDistance:
			return nil, unsupported("distance " + strconv.Itoa(p.Distance))
		}
		if phrase, err := proximity(t); err == nil {
			return phrase, nil
		}
		l, err := proxTree(t.Left, depth+1)
		if err != nil {
			return nil, err
		}
		r, err := proxTree(t.Right, depth+1)
		if err != nil {
			return nil, err
		}
		return &search.Prox{Left: l, Right: r, Distance: p.Distance, Relation: search.Relation(p.RelationType), Ordered: p.Ordered}, nil
	}
	return nil, unsupported("result-set operand")
}

// proximity turns a prox operator that asks for a phrase into one phrase
// term.
func proximity(op *z3950.RPNOperation) (search.Query, error) {
	attrs, words, err := phraseParts(op, 0)
	if err != nil {
		return nil, err
	}
	a, err := attributes(attrs)
	if err != nil {
		return nil, err
	}
	ix, err := a.lookupIndex()
	if err != nil {
		return nil, err
	}
	rel := search.Relation(a.vals[2])
	if rel != 0 && rel != search.RelEqual && rel != search.RelRelevance {
		return nil, z3950.NewDiagnostic(z3950.DiagUnsupportedOperator, "prox with relation "+strconv.Itoa(int(rel)))
	}
	return checked(&search.Term{
		Index:        ix.Name,
		Position:     search.Position(a.vals[3]),
		Structure:    search.StructPhrase,
		Completeness: search.Completeness(a.vals[6]),
		Text:         strings.Join(words, " "),
	})
}

// maxProxChain bounds a chain of prox operators read as one phrase.
const maxProxChain = 64

// phraseParts collects the words of a phrase-shaped prox tree and the
// attributes its operands share.
func phraseParts(n z3950.RPNStructure, depth int) ([]z3950.AttributeElement, []string, error) {
	notPhrase := func(why string) error {
		return z3950.NewDiagnostic(z3950.DiagUnsupportedOperator, "prox: "+why)
	}
	switch t := n.(type) {
	case *z3950.AttributesPlusTerm:
		a, err := attributes(t.Attributes)
		if err != nil {
			return nil, nil, err
		}
		if tr := search.Truncation(a.vals[5]); tr != 0 && tr != search.TruncNone {
			return nil, nil, notPhrase("truncated term")
		}
		text, err := termText(t.Term)
		if err != nil {
			return nil, nil, err
		}
		return t.Attributes, []string{text}, nil
	case *z3950.RPNOperation:
		if t.Op.Kind != z3950.OpProx {
			return nil, nil, notPhrase("boolean operand")
		}
		if depth > maxProxChain {
			return nil, nil, notPhrase("chain too long")
		}
		p := t.Op.Prox
		switch {
		case p == nil:
			return nil, nil, notPhrase("no parameters")
		case p.KnownUnit && p.Unit != 2 || !p.KnownUnit:
			return nil, nil, z3950.NewDiagnostic(DiagProximityUnit, strconv.Itoa(p.Unit))
		case p.Exclusion != nil && *p.Exclusion:
			return nil, nil, notPhrase("exclusion")
		case p.Distance != 1 || !p.Ordered || (p.RelationType != 2 && p.RelationType != 3):
			return nil, nil, notPhrase("only ordered distance 1 (a phrase) is supported")
		}
		la, lw, err := phraseParts(t.Left, depth+1)
		if err != nil {
			return nil, nil, err
		}
		ra, rw, err := phraseParts(t.Right, depth+1)
		if err != nil {
			return nil, nil, err
		}
		if !sameAttributes(la, ra) {
			return nil, nil, notPhrase("operands with different attributes")
		}
		return la, append(lw, rw...), nil
	}
	return nil, nil, notPhrase("result-set operand")
}

// sameAttributes compares two attribute lists by their effective values.
func sameAttributes(x, y []z3950.AttributeElement) bool {
	ax, err1 := attributes(x)
	ay, err2 := attributes(y)
	return err1 == nil && err2 == nil && ax.vals == ay.vals && ax.index == ay.index
}

// AsDiagnostic returns err as a Bib-1 diagnostic when it carries one:
// a *z3950.Diagnostic, a *search.Diagnostic (from planning or searching)
// or a *cql.Error (an SRU diagnostic from a type-104 CQL query, mapped to
// Bib-1 as YAZ does).
func AsDiagnostic(err error) (*z3950.Diagnostic, bool) {
	var zd *z3950.Diagnostic
	if errors.As(err, &zd) {
		return zd, true
	}
	var sd *search.Diagnostic
	if errors.As(err, &sd) {
		return z3950.NewDiagnostic(sd.Code, sd.AddInfo), true
	}
	var ce *cql.Error
	if errors.As(err, &ce) {
		return z3950.NewDiagnostic(Bib1FromSRU(ce.Code), ce.Details), true
	}
	return nil, false
}

// AsDiagnosticOr is AsDiagnostic, with any other error as diagnostic 2
// (temporary system error) carrying the error's text.
func AsDiagnosticOr(err error) *z3950.Diagnostic {
	if d, ok := AsDiagnostic(err); ok {
		return d
	}
	return z3950.NewDiagnostic(z3950.DiagTemporarySystemError, err.Error())
}

// Bib1FromSRU maps an SRU diagnostic number to the Bib-1 condition a Z39.50
// client should see (YAZ's mapping; unlisted numbers become 100,
// unspecified error).
func Bib1FromSRU(code int) int {
	switch code {
	case 1:
		return z3950.DiagPermanentSystemError
	case 2:
		return z3950.DiagTemporarySystemError
	case 10, 13, 14:
		return z3950.DiagMalformedQuery
	case 11:
		return z3950.DiagUnsupportedQueryType
	case 15:
		return z3950.DiagUnsupportedAttributeSet
	case 16:
		return z3950.DiagUnsupportedUse
	case 19, 20:
		return z3950.DiagUnsupportedRelation
	case 22:
		return z3950.DiagUnsupportedAttrCombo
	case 27, 36:
		return z3950.DiagMalformedTerm
	case 28:
		return z3950.DiagUnsupportedTruncation
	case 32:
		return z3950.DiagUnsupportedPosition
	case 37, 38, 39, 40, 41, 42, 44, 46:
		return z3950.DiagUnsupportedOperator
	case 51:
		return z3950.DiagResultSetMissing
	case 61:
		return z3950.DiagPresentOutOfRange
	case 66, 67:
		return z3950.DiagNotInSyntax
	case 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93:
		return z3950.DiagUnsupportedSort
	case 235:
		return z3950.DiagDatabaseMissing
	}
	return z3950.DiagUnspecified
}
