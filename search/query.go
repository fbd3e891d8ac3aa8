package search

import "fmt"

// Query is a node of the query tree: *And, *Or, *Not, *Term, *All or *Set.
type Query interface {
	query()
	// String renders the node in a PQF-like prefix notation for logs and
	// test failures.
	String() string
}

// And matches records that match both sides.
type And struct{ Left, Right Query }

// Or matches records that match either side.
type Or struct{ Left, Right Query }

// Not matches records that match Left but not Right (Z39.50 and-not, CQL not).
type Not struct{ Left, Right Query }

// All matches every record (CQL cql.allRecords, Bib-1 relation 103 without
// a term).
type All struct{}

// Set matches a fixed set of internal record ids, typically a named result
// set that a Z39.50 query refers to. IDs need not be sorted.
type Set struct{ IDs []uint32 }

// Term is a leaf: one term searched in one index under the six Bib-1
// attribute types. Zero values of the attribute fields mean the Bib-1
// defaults (2=3 3=3 4=2 5=100 6=1).
type Term struct {
	Index        string // an index Name from the table (see ByName); "" means "any"
	Relation     Relation
	Position     Position
	Structure    Structure
	Truncation   Truncation
	Completeness Completeness
	Text         string // the term; mask characters only under masking truncations
}

func (*And) query()  {}
func (*Or) query()   {}
func (*Not) query()  {}
func (*All) query()  {}
func (*Set) query()  {}
func (*Term) query() {}

func (q *And) String() string { return fmt.Sprintf("@and %s %s", q.Left, q.Right) }
func (q *Or) String() string  { return fmt.Sprintf("@or %s %s", q.Left, q.Right) }
func (q *Not) String() string { return fmt.Sprintf("@not %s %s", q.Left, q.Right) }
func (*All) String() string   { return "@all" }
func (q *Set) String() string { return fmt.Sprintf("@set(%d)", len(q.IDs)) }

func (t *Term) String() string {
	idx := t.Index
	if idx == "" {
		idx = "any"
	}
	return fmt.Sprintf("[%s 2=%d 3=%d 4=%d 5=%d 6=%d %q]", idx,
		t.Relation.orDefault(), t.Position.orDefault(), t.Structure.orDefault(),
		t.Truncation.orDefault(), t.Completeness.orDefault(), t.Text)
}

// Relation is the Bib-1 relation attribute (type 2); the values are the
// Bib-1 numbers.
type Relation int

// Bib-1 relations.
const (
	RelLess          Relation = 1
	RelLessEqual     Relation = 2
	RelEqual         Relation = 3
	RelGreaterEqual  Relation = 4
	RelGreater       Relation = 5
	RelNotEqual      Relation = 6
	RelPhonetic      Relation = 100
	RelStem          Relation = 101
	RelRelevance     Relation = 102
	RelAlwaysMatches Relation = 103
	RelWithin        Relation = 104 // Bath L2: two terms "low high", both inclusive
)

func (r Relation) orDefault() Relation {
	if r == 0 {
		return RelEqual
	}
	return r
}

// Position is the Bib-1 position attribute (type 3).
type Position int

// Bib-1 positions.
const (
	PosFirstInField    Position = 1
	PosFirstInSubfield Position = 2
	PosAny             Position = 3
)

func (p Position) orDefault() Position {
	if p == 0 {
		return PosAny
	}
	return p
}

// Structure is the Bib-1 structure attribute (type 4).
type Structure int

// Bib-1 structures.
const (
	StructPhrase        Structure = 1
	StructWord          Structure = 2
	StructKey           Structure = 3
	StructYear          Structure = 4
	StructDate          Structure = 5
	StructWordList      Structure = 6
	StructDateUnnorm    Structure = 100
	StructNameNorm      Structure = 101
	StructNameUnnorm    Structure = 102
	StructFreeForm      Structure = 105
	StructDocumentText  Structure = 106
	StructLocalNumber   Structure = 107
	StructString        Structure = 108
	StructNumericString Structure = 109
	structDefault                 = StructWord
)

func (s Structure) orDefault() Structure {
	if s == 0 {
		return structDefault
	}
	return s
}

// Truncation is the Bib-1 truncation attribute (type 5), plus TruncCQLMask
// for CQL's own masking rules.
type Truncation int

// Truncation modes.
const (
	TruncRight Truncation = 1
	TruncLeft  Truncation = 2
	TruncBoth  Truncation = 3
	TruncNone  Truncation = 100
	// TruncHash is Bib-1 101 "process #": '#' matches any run of characters.
	TruncHash Truncation = 101
	// TruncRegexp is Bib-1 102 regExpr-1; the term is a regular expression
	// (RE2 syntax) that must match a whole word (or a whole heading).
	TruncRegexp Truncation = 102
	// TruncZ3958 is Bib-1 104, Z39.58 masking: '#' matches exactly one
	// character, '?' any run, '?n' up to n characters.
	TruncZ3958 Truncation = 104
	// TruncCQLMask is not a Bib-1 value: CQL masking, where '*' matches any
	// run, '?' exactly one character and '\' escapes the next character.
	// The CQL front end uses it for masks other than a plain leading or
	// trailing '*'.
	TruncCQLMask Truncation = 1000
)

func (t Truncation) orDefault() Truncation {
	if t == 0 {
		return TruncNone
	}
	return t
}

// Completeness is the Bib-1 completeness attribute (type 6).
type Completeness int

// Bib-1 completeness values.
const (
	IncompleteSubfield Completeness = 1
	CompleteSubfield   Completeness = 2
	CompleteField      Completeness = 3
)

func (c Completeness) orDefault() Completeness {
	if c == 0 {
		return IncompleteSubfield
	}
	return c
}

// Result is the outcome of a search: the exact number of matching records
// and their internal ids in ascending order.
type Result struct {
	Count int
	IDs   []uint32
}

// ScanTerm is one entry of a term list (Z39.50 Scan, SRU scan).
type ScanTerm struct {
	Term  string // the normalised term (NFC, case-folded), searchable as is
	Count int    // exact number of records filed under it
}

// SortKey names a sort criterion.
type SortKey int

// Sort criteria.
const (
	SortTitle SortKey = iota + 1
	SortAuthor
	SortDate
)

// SortSpec is one step of a sort: a criterion and a direction. Records
// without a value sort last in either direction.
type SortSpec struct {
	Key        SortKey
	Descending bool
}

// ScanRequest asks for a stretch of an index's term list.
type ScanRequest struct {
	Index string // index name, "" is "any"
	// Headings lists whole-field headings (Bib-1 structure phrase or
	// completeness complete field) instead of single words; indexes without
	// headings list words either way.
	Headings bool
	From     string // the start term, normalised like a query term
	Before   int    // terms to list before the start term (Z39.50 position - 1)
	Count    int    // terms to list in all, the Before ones included
}

// SortKeyFor returns the sort criterion for an index: title, author and
// date sort; other indexes report false (Bib-1 sort diagnostic 207 in
// Z39.50, SRU 80s). Use ByUse/ByCQL/ByName to find the index first.
func SortKeyFor(ix *Index) (SortKey, bool) {
	if ix == nil {
		return 0, false
	}
	switch ix.Name {
	case "title":
		return SortTitle, true
	case "author", "personalname", "corporatename", "conferencename":
		return SortAuthor, true
	case "date":
		return SortDate, true
	}
	return 0, false
}
