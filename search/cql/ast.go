// Package cql parses the Contextual Query Language (CQL 1.2, as used by
// SRU 1.1, 1.2 and 2.0) into a syntax tree, renders the tree back to a
// canonical query string, checks a query against what a server supports
// (Profile) and analyses masking in terms. It knows nothing of indexes on
// disk or of any other query model; an adapter maps the tree elsewhere.
//
// The parser follows the CQL 1.2 grammar and is as lax as YAZ where real
// clients rely on it: an index and relation may scope a parenthesised
// subquery (dc.title = (a or b)), and unquoted words that follow a bare
// term join it (computer science is the term "computer science").
//
// Terms are kept as written: backslash escapes stay in Clause.Term, so a
// term can be quoted again without loss. Use ParseMask or Unescape to get
// at the meaning of the characters.
package cql

import "strings"

// Node is a search clause, a boolean combination or a scoped subquery.
type Node interface {
	// String renders the node in canonical CQL.
	String() string
	node()
}

// Clause is a search clause: index, relation and term. A bare term
// ("cat") is parsed as cql.serverChoice = cat.
type Clause struct {
	Index    string
	Relation Relation
	Term     string // as written, backslash escapes kept, quotes removed
}

// Relation is a comparitor with its modifiers (any/stem/relevant).
// Base is lower-cased when it is one of the standard names (=, any,
// adj ...); prefixed relations (cql.any, foo.near) are kept as written.
type Relation struct {
	Base      string
	Modifiers []Modifier
}

// Modifier is one /name[comparison value] suffix on a relation, a boolean
// operator or a sort key. Comparison and Value are empty for a bare name.
type Modifier struct {
	Name       string
	Comparison string // one of = == <> < > <= >=, or ""
	Value      string
}

// Op is a boolean operator.
type Op string

// The four CQL boolean operators. Their precedence is equal and they
// associate to the left; not is "and not".
const (
	And  Op = "and"
	Or   Op = "or"
	Not  Op = "not"
	Prox Op = "prox"
)

// Boolean combines two subtrees.
type Boolean struct {
	Op        Op
	Modifiers []Modifier
	Left      Node
	Right     Node
}

// Prefixed is a parenthesised subquery that starts with its own prefix
// assignments; they are in force only inside it. Profile.Normalize resolves
// and removes these nodes.
type Prefixed struct {
	Prefixes []Prefix
	Node     Node
}

// Prefix is a prefix assignment: > name = "uri", or > "uri" (Name empty)
// which sets the default context set for unprefixed indexes.
type Prefix struct {
	Name string
	URI  string
}

// SortKey is one key after sortBy: an index and its modifiers
// (dc.date/sort.descending).
type SortKey struct {
	Index     string
	Modifiers []Modifier
}

// Query is a parsed CQL query.
type Query struct {
	Prefixes []Prefix // leading prefix assignments, in order
	Root     Node
	SortKeys []SortKey
}

func (*Clause) node()   {}
func (*Boolean) node()  {}
func (*Prefixed) node() {}

// ServerChoice is the index given to bare terms.
const ServerChoice = "cql.serverChoice"

// relation names that the parser treats as relations when they follow a
// term, and that it lower-cases.
var namedRelations = map[string]bool{
	"adj": true, "all": true, "any": true, "within": true,
	"encloses": true, "exact": true, "scr": true,
}

// Name returns the relation's meaning in canonical spelling: the cql.
// prefix is dropped, names are lower-cased, the CQL 1.1 spellings exact
// and scr become == and =. Relations of other context sets are returned
// as written.
func (r Relation) Name() string {
	b := r.Base
	if len(b) > 4 && strings.EqualFold(b[:4], "cql.") {
		b = b[4:]
	}
	l := strings.ToLower(b)
	switch l {
	case "exact":
		return "=="
	case "scr":
		return "="
	}
	if namedRelations[l] {
		return l
	}
	switch b {
	case "=", "==", "<>", "<", ">", "<=", ">=":
		return b
	}
	return r.Base
}

// Modifier returns the first modifier whose name matches name, ignoring
// case and a cql. (or, for sort keys, sort.) prefix on either side.
func findModifier(mods []Modifier, name string) (Modifier, bool) {
	want := bareModifierName(name)
	for _, m := range mods {
		if strings.EqualFold(bareModifierName(m.Name), want) {
			return m, true
		}
	}
	return Modifier{}, false
}

func bareModifierName(n string) string {
	if i := strings.IndexByte(n, '.'); i >= 0 {
		switch strings.ToLower(n[:i]) {
		case "cql", "sort":
			return n[i+1:]
		}
	}
	return n
}

// Modifier returns the relation modifier called name (case-insensitive,
// with or without the cql. prefix).
func (r Relation) Modifier(name string) (Modifier, bool) { return findModifier(r.Modifiers, name) }

// Has reports whether the relation carries modifier name.
func (r Relation) Has(name string) bool { _, ok := r.Modifier(name); return ok }

// Modifier returns the sort modifier called name (case-insensitive, with
// or without the sort. prefix).
func (k SortKey) Modifier(name string) (Modifier, bool) { return findModifier(k.Modifiers, name) }

// Descending reports whether the key asks for descending order.
func (k SortKey) Descending() bool { _, ok := k.Modifier("descending"); return ok }

// CaseSensitive reports whether the key asks for respectCase.
func (k SortKey) CaseSensitive() bool { _, ok := k.Modifier("respectCase"); return ok }

// Missing returns how records without a value sort: "omit", "fail",
// "low", "high", or "value" with the value; "" when the key does not say.
func (k SortKey) Missing() (action, value string) {
	for _, m := range k.Modifiers {
		n := strings.ToLower(bareModifierName(m.Name))
		switch n {
		case "missingomit", "missingfail", "missinglow", "missinghigh":
			return n[len("missing"):], ""
		case "missingvalue":
			return "value", m.Value
		}
	}
	return "", ""
}

// Walk calls fn for every node of the tree rooted at n, parents first, and
// stops descending where fn returns false.
func Walk(n Node, fn func(Node) bool) {
	if n == nil || !fn(n) {
		return
	}
	switch t := n.(type) {
	case *Boolean:
		Walk(t.Left, fn)
		Walk(t.Right, fn)
	case *Prefixed:
		Walk(t.Node, fn)
	}
}

// Clauses returns the search clauses of the query in left-to-right order.
func (q *Query) Clauses() []*Clause {
	var out []*Clause
	Walk(q.Root, func(n Node) bool {
		if c, ok := n.(*Clause); ok {
			out = append(out, c)
		}
		return true
	})
	return out
}
