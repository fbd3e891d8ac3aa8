package cql

import (
	"strconv"
	"strings"
)

// ContextSet is a CQL context set a server knows: its usual prefix and its
// identifier, plus older identifiers that mean the same.
type ContextSet struct {
	Prefix  string
	URI     string
	Aliases []string
}

// StandardSets returns the context sets cql, dc, bath, rec and sort.
func StandardSets() []ContextSet {
	return []ContextSet{
		{Prefix: "cql", URI: "info:srw/cql-context-set/1/cql-v1.2", Aliases: []string{"info:srw/cql-context-set/1/cql-v1.1", "http://www.loc.gov/zing/cql/context-sets/cql/v1.1/"}},
		{Prefix: "dc", URI: "info:srw/cql-context-set/1/dc-v1.1", Aliases: []string{"info:srw/cql-context-set/1/dc-v1.0", "http://purl.org/dc/elements/1.1/"}},
		{Prefix: "bath", URI: "http://zing.z3950.org/cql/bath/2.0/"},
		{Prefix: "rec", URI: "info:srw/cql-context-set/2/rec-1.1", Aliases: []string{"info:srw/cql-context-set/2/rec-1.0"}},
		{Prefix: "sort", URI: "info:srw/cql-context-set/1/sort-v1.0"},
	}
}

// StandardRelations returns the relations of CQL 1.2 in canonical
// spelling.
func StandardRelations() []string {
	return []string{"=", "==", "<>", "<", ">", "<=", ">=", "adj", "all", "any", "within", "encloses"}
}

// StandardRelationModifiers returns the relation modifiers of the cql
// context set 1.2 in canonical spelling.
func StandardRelationModifiers() []string {
	return []string{
		"relevant", "fuzzy", "stem", "phonetic", "respectCase", "ignoreCase",
		"respectAccents", "ignoreAccents", "locale", "word", "string", "isoDate",
		"number", "uri", "oid", "masked", "unmasked", "substring", "regexp",
		"honorWhitespace", "partial",
	}
}

func proxModifiers() []string { return []string{"distance", "unit", "ordered", "unordered"} }

func sortModifiers() []string {
	return []string{
		"ascending", "descending", "ignoreCase", "respectCase", "ignoreAccents",
		"respectAccents", "missingOmit", "missingFail", "missingLow", "missingHigh",
		"missingValue", "locale",
	}
}

// Profile is what a server supports. Normalize checks a query against it
// and rewrites the query into the profile's own spelling.
type Profile struct {
	// Sets are the context sets the server knows; nil means StandardSets().
	Sets []ContextSet
	// DefaultSet is the prefix (of one of Sets) for unprefixed indexes;
	// "" means "cql".
	DefaultSet string
	// Indexes lists the supported indexes as "prefix.name" with the
	// server's prefixes; nil accepts any name in a known set.
	Indexes []string
	// Relations lists the supported relations in canonical spelling; nil
	// means StandardRelations().
	Relations []string
	// RelationModifiers lists the supported relation modifiers (without
	// the cql. prefix); nil means StandardRelationModifiers().
	RelationModifiers []string
	// Booleans lists the supported operators; nil means all four.
	Booleans []Op
	// AllowEmptyTerm accepts "" as a term (else diagnostic 27).
	AllowEmptyTerm bool
}

// Normalize checks q against the profile and returns a new query in
// which every index is "prefix.name" in the profile's spelling (prefix
// assignments resolved and removed, Prefixed nodes flattened), relations
// are canonical (Relation.Name), modifier names lose their cql. and
// sort. prefixes and take the standard spelling, and sort keys are
// resolved like indexes. q is not changed. Errors are *Error with
// diagnostics 15, 16, 19, 20, 27, 37, 40-42, 46 or 81.
func (p *Profile) Normalize(q *Query) (*Query, error) {
	n := normalizer{p: p, sets: p.Sets}
	if n.sets == nil {
		n.sets = StandardSets()
	}
	if p.Indexes != nil {
		n.indexes = make(map[string]string, len(p.Indexes))
		for _, ix := range p.Indexes {
			n.indexes[strings.ToLower(ix)] = ix
		}
	}
	scope := n.push(nil, q.Prefixes)
	root, err := n.node(q.Root, scope)
	if err != nil {
		return nil, err
	}
	out := &Query{Root: root}
	for _, k := range q.SortKeys {
		ix, err := n.index(k.Index, scope)
		if err != nil {
			return nil, err
		}
		mods, err := canonicalModifiers(k.Modifiers, sortModifiers(), "sort.", DiagSortType)
		if err != nil {
			return nil, err
		}
		out.SortKeys = append(out.SortKeys, SortKey{Index: ix, Modifiers: mods})
	}
	return out, nil
}

type normalizer struct {
	p       *Profile
	sets    []ContextSet
	indexes map[string]string // lower-cased -> profile spelling
}

// prefixScope is a chain of prefix assignments, innermost first.
type prefixScope struct {
	prefixes []Prefix
	outer    *prefixScope
}

func (n *normalizer) push(outer *prefixScope, ps []Prefix) *prefixScope {
	if len(ps) == 0 {
		return outer
	}
	return &prefixScope{prefixes: ps, outer: outer}
}

func (n *normalizer) node(nd Node, sc *prefixScope) (Node, error) {
	switch t := nd.(type) {
	case *Clause:
		return n.clause(t, sc)
	case *Prefixed:
		return n.node(t.Node, n.push(sc, t.Prefixes))
	case *Boolean:
		if n.p.Booleans != nil && !containsOp(n.p.Booleans, t.Op) {
			return nil, errorf(DiagBoolean, -1, string(t.Op), "boolean %s is not supported", t.Op)
		}
		var mods []Modifier
		if t.Op == Prox {
			var err error
			if mods, err = canonicalModifiers(t.Modifiers, proxModifiers(), "", DiagBooleanModifier); err != nil {
				return nil, err
			}
			b := &Boolean{Op: Prox, Modifiers: mods}
			if _, err := b.Proximity(); err != nil {
				return nil, err
			}
		} else if len(t.Modifiers) > 0 {
			m := t.Modifiers[0]
			return nil, errorf(DiagBooleanModifier, -1, m.Name, "modifier %s is not supported on %s", m.Name, t.Op)
		}
		l, err := n.node(t.Left, sc)
		if err != nil {
			return nil, err
		}
		r, err := n.node(t.Right, sc)
		if err != nil {
			return nil, err
		}
		return &Boolean{Op: t.Op, Modifiers: mods, Left: l, Right: r}, nil
	}
	return nil, errorf(DiagSyntax, -1, "", "empty query")
}

func containsOp(ops []Op, op Op) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

func (n *normalizer) clause(c *Clause, sc *prefixScope) (Node, error) {
	ix, err := n.index(c.Index, sc)
	if err != nil {
		return nil, err
	}
	rel := c.Relation.Name()
	allowed := n.p.Relations
	if allowed == nil {
		allowed = StandardRelations()
	}
	if !containsFold(allowed, rel) {
		return nil, errorf(DiagRelation, -1, c.Relation.Base, "relation %s is not supported", c.Relation.Base)
	}
	modNames := n.p.RelationModifiers
	if modNames == nil {
		modNames = StandardRelationModifiers()
	}
	mods, err := canonicalModifiers(c.Relation.Modifiers, modNames, "", DiagRelationModifier)
	if err != nil {
		return nil, err
	}
	if c.Term == "" && !n.p.AllowEmptyTerm {
		return nil, errorf(DiagEmptyTerm, -1, "", "empty term")
	}
	return &Clause{Index: ix, Relation: Relation{Base: rel, Modifiers: mods}, Term: c.Term}, nil
}

// index resolves a written index to the profile's "prefix.name".
func (n *normalizer) index(written string, sc *prefixScope) (string, error) {
	prefix, name, dotted := strings.Cut(written, ".")
	var uri string
	if dotted {
		uri = n.lookupPrefix(prefix, sc)
		if uri == "" {
			return "", errorf(DiagContextSet, -1, prefix, "context set prefix %q is not known", prefix)
		}
	} else {
		name = written
		uri = n.lookupPrefix("", sc)
	}
	set, ok := n.setByURI(uri)
	if !ok {
		return "", errorf(DiagContextSet, -1, uri, "context set %s is not supported", uri)
	}
	full := set.Prefix + "." + name
	if n.indexes == nil {
		return full, nil
	}
	if ix, ok := n.indexes[strings.ToLower(full)]; ok {
		return ix, nil
	}
	return "", errorf(DiagIndex, -1, written, "index %s is not supported", written)
}

// lookupPrefix returns the identifier a prefix ("" for the default set)
// stands for: the innermost assignment in the query, else the profile.
func (n *normalizer) lookupPrefix(prefix string, sc *prefixScope) string {
	for s := sc; s != nil; s = s.outer {
		for i := len(s.prefixes) - 1; i >= 0; i-- {
			if strings.EqualFold(s.prefixes[i].Name, prefix) {
				return s.prefixes[i].URI
			}
		}
	}
	if prefix == "" {
		prefix = n.p.DefaultSet
		if prefix == "" {
			prefix = "cql"
		}
	}
	for _, s := range n.sets {
		if strings.EqualFold(s.Prefix, prefix) {
			return s.URI
		}
	}
	return ""
}

func (n *normalizer) setByURI(uri string) (ContextSet, bool) {
	for _, s := range n.sets {
		if strings.EqualFold(s.URI, uri) {
			return s, true
		}
		for _, a := range s.Aliases {
			if strings.EqualFold(a, uri) {
				return s, true
			}
		}
	}
	return ContextSet{}, false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// canonicalModifiers rewrites modifier names to the spelling in known
// (dropping a cql. or the given extra prefix) and rejects the others with
// code.
func canonicalModifiers(mods []Modifier, known []string, extraPrefix string, code int) ([]Modifier, error) {
	if len(mods) == 0 {
		return nil, nil
	}
	out := make([]Modifier, 0, len(mods))
	for _, m := range mods {
		name := m.Name
		if len(name) > 4 && strings.EqualFold(name[:4], "cql.") {
			name = name[4:]
		} else if extraPrefix != "" && len(name) > len(extraPrefix) && strings.EqualFold(name[:len(extraPrefix)], extraPrefix) {
			name = name[len(extraPrefix):]
		}
		found := false
		for _, k := range known {
			if strings.EqualFold(k, name) {
				name, found = k, true
				break
			}
		}
		if !found {
			return nil, errorf(code, -1, m.Name, "modifier %s is not supported", m.Name)
		}
		out = append(out, Modifier{Name: name, Comparison: m.Comparison, Value: m.Value})
	}
	return out, nil
}

// Proximity is what a prox operator's modifiers ask for.
type Proximity struct {
	Unit       string // word, sentence, paragraph or element
	Comparison string // = <> < > <= >=
	Distance   int
	Ordered    bool
}

// Proximity returns the operator's proximity parameters, with the
// defaults unit=word, distance<=1, unordered for what the modifiers leave
// out. It is meant for Op == Prox.
func (b *Boolean) Proximity() (Proximity, error) {
	px := Proximity{Unit: "word", Comparison: "<=", Distance: 1}
	for _, m := range b.Modifiers {
		switch strings.ToLower(bareModifierName(m.Name)) {
		case "unit":
			v := strings.ToLower(m.Value)
			switch {
			case m.Comparison != "=":
				return px, errorf(DiagProximityUnit, -1, m.Value, "unit needs =")
			case v == "word" || v == "sentence" || v == "paragraph" || v == "element":
				px.Unit = v
			default:
				return px, errorf(DiagProximityUnit, -1, m.Value, "proximity unit %q is not supported", m.Value)
			}
		case "distance":
			switch m.Comparison {
			case "=", "<>", "<", ">", "<=", ">=":
			default:
				return px, errorf(DiagProximityRelation, -1, m.Comparison, "distance needs a comparison")
			}
			d, err := strconv.Atoi(m.Value)
			if err != nil || d < 0 {
				return px, errorf(DiagProximityDistance, -1, m.Value, "distance %q is not a number", m.Value)
			}
			px.Comparison, px.Distance = m.Comparison, d
		case "ordered":
			px.Ordered = true
		case "unordered":
			px.Ordered = false
		default:
			return px, errorf(DiagBooleanModifier, -1, m.Name, "modifier %s is not supported on prox", m.Name)
		}
	}
	return px, nil
}
