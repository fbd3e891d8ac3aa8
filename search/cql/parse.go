package cql

import "strings"

// Parser limits what a query may cost to parse. The zero value uses the
// defaults.
type Parser struct {
	MaxLength   int // bytes; default 16384 (diagnostic 12 beyond)
	MaxDepth    int // nested parentheses; default 64 (diagnostic 13 beyond)
	MaxBooleans int // boolean operators; default 512 (diagnostic 38 beyond)
}

// Default limits of the zero Parser.
const (
	DefaultMaxLength   = 16384
	DefaultMaxDepth    = 64
	DefaultMaxBooleans = 512
)

// Parse parses a CQL query with the default limits.
func Parse(s string) (*Query, error) {
	var p Parser
	return p.Parse(s)
}

// Parse parses a CQL query. Errors are *Error.
func (p Parser) Parse(s string) (*Query, error) {
	maxLen := p.MaxLength
	if maxLen <= 0 {
		maxLen = DefaultMaxLength
	}
	if len(s) > maxLen {
		return nil, errorf(DiagTooLong, -1, "", "query is %d bytes, limit %d", len(s), maxLen)
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	ps := &parser{toks: toks, maxDepth: p.MaxDepth, maxBooleans: p.MaxBooleans}
	if ps.maxDepth <= 0 {
		ps.maxDepth = DefaultMaxDepth
	}
	if ps.maxBooleans <= 0 {
		ps.maxBooleans = DefaultMaxBooleans
	}
	if ps.peek().kind == tEOF {
		return nil, errorf(DiagSyntax, 0, "", "empty query")
	}
	prefixes, root, err := ps.query(scope{index: ServerChoice, rel: Relation{Base: "="}})
	if err != nil {
		return nil, err
	}
	q := &Query{Prefixes: prefixes, Root: root}
	if ps.peek().keyword("sortby") {
		ps.next()
		for ps.peek().kind != tEOF {
			t := ps.next()
			if !t.isTerm() {
				return nil, ps.unexpected(t, "a sort key")
			}
			mods, err := ps.modifiers()
			if err != nil {
				return nil, err
			}
			q.SortKeys = append(q.SortKeys, SortKey{Index: t.text, Modifiers: mods})
		}
		if len(q.SortKeys) == 0 {
			return nil, errorf(DiagSyntax, ps.peek().pos, "", "sortBy without a sort key")
		}
	}
	if t := ps.peek(); t.kind != tEOF {
		if t.kind == tRParen {
			return nil, errorf(DiagParentheses, t.pos, "", "unbalanced closing parenthesis")
		}
		return nil, ps.unexpected(t, "a boolean operator or the end of the query")
	}
	return q, nil
}

// scope is the index and relation that bare terms take: the query's
// defaults, or those of an "index relation (subquery)" around them.
type scope struct {
	index string
	rel   Relation
}

type parser struct {
	toks        []token
	i           int
	depth       int
	booleans    int
	maxDepth    int
	maxBooleans int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) unexpected(t token, want string) *Error {
	switch t.kind {
	case tEOF:
		return errorf(DiagSyntax, t.pos, "", "query ends where %s was expected", want)
	case tRParen:
		return errorf(DiagParentheses, t.pos, "", "unexpected ')' where %s was expected", want)
	}
	return errorf(DiagSyntax, t.pos, "", "unexpected %q where %s was expected", t.text, want)
}

// query parses cqlQuery: prefix assignments, then a scoped clause.
func (p *parser) query(sc scope) ([]Prefix, Node, error) {
	var prefixes []Prefix
	for p.peek().kind == tComp && p.peek().text == ">" {
		p.next()
		t := p.next()
		if !t.isTerm() {
			return nil, nil, p.unexpected(t, "a context set prefix or identifier")
		}
		if n := p.peek(); n.kind == tComp && n.text == "=" {
			p.next()
			u := p.next()
			if !u.isTerm() {
				return nil, nil, p.unexpected(u, "a context set identifier")
			}
			prefixes = append(prefixes, Prefix{Name: t.text, URI: u.text})
		} else {
			prefixes = append(prefixes, Prefix{URI: t.text})
		}
	}
	n, err := p.scoped(sc)
	if err != nil {
		return nil, nil, err
	}
	return prefixes, n, nil
}

// scoped parses searchClause (boolean modifiers searchClause)*.
func (p *parser) scoped(sc scope) (Node, error) {
	left, err := p.searchClause(sc)
	if err != nil {
		return nil, err
	}
	for {
		op, ok := p.peek().boolean()
		if !ok {
			return left, nil
		}
		t := p.next()
		p.booleans++
		if p.booleans > p.maxBooleans {
			return nil, errorf(DiagTooManyBooleans, t.pos, "", "more than %d boolean operators", p.maxBooleans)
		}
		mods, err := p.modifiers()
		if err != nil {
			return nil, err
		}
		right, err := p.searchClause(sc)
		if err != nil {
			return nil, err
		}
		left = &Boolean{Op: op, Modifiers: mods, Left: left, Right: right}
	}
}

// isRelationWord reports whether a word that follows a term makes that
// term an index: the standard named relations and any prefixed name.
func isRelationWord(t token) bool {
	if t.kind != tWord {
		return false
	}
	if _, ok := t.boolean(); ok || t.keyword("sortby") {
		return false
	}
	return namedRelations[strings.ToLower(t.text)] || strings.Contains(t.text, ".")
}

func (p *parser) searchClause(sc scope) (Node, error) {
	t := p.peek()
	switch {
	case t.kind == tLParen:
		return p.subquery(sc)
	case t.isTerm():
	default:
		return nil, p.unexpected(t, "a search term")
	}
	p.next()
	n := p.peek()
	if n.kind == tComp || isRelationWord(n) {
		// index relation modifiers term
		p.next()
		rel := Relation{Base: n.text}
		if n.kind == tWord && namedRelations[strings.ToLower(n.text)] {
			rel.Base = strings.ToLower(n.text)
		}
		mods, err := p.modifiers()
		if err != nil {
			return nil, err
		}
		rel.Modifiers = mods
		if p.peek().kind == tLParen {
			return p.subquery(scope{index: t.text, rel: rel})
		}
		term := p.next()
		if !term.isTerm() {
			return nil, p.unexpected(term, "a search term")
		}
		return &Clause{Index: t.text, Relation: rel, Term: term.text}, nil
	}
	// A bare term, perhaps with free-form words after it.
	words := []string{t.text}
	for {
		w := p.peek()
		if w.kind == tString || (w.kind == tWord && !isRelationWord(w) && !w.keyword("sortby")) {
			if _, ok := w.boolean(); ok {
				break
			}
			words = append(words, w.text)
			p.next()
			continue
		}
		break
	}
	return &Clause{Index: sc.index, Relation: copyRelation(sc.rel), Term: strings.Join(words, " ")}, nil
}

func (p *parser) subquery(sc scope) (Node, error) {
	open := p.next()
	p.depth++
	if p.depth > p.maxDepth {
		return nil, errorf(DiagParentheses, open.pos, "", "parentheses nested deeper than %d", p.maxDepth)
	}
	if p.peek().kind == tRParen {
		return nil, errorf(DiagParentheses, open.pos, "", "empty parentheses")
	}
	prefixes, n, err := p.query(sc)
	if err != nil {
		return nil, err
	}
	if c := p.next(); c.kind != tRParen {
		if c.kind == tEOF {
			return nil, errorf(DiagParentheses, open.pos, "", "parenthesis opened here is not closed")
		}
		if c.keyword("sortby") {
			return nil, errorf(DiagSyntax, c.pos, "", "sortBy is allowed only at the end of the whole query")
		}
		return nil, p.unexpected(c, "')'")
	}
	p.depth--
	if len(prefixes) > 0 {
		return &Prefixed{Prefixes: prefixes, Node: n}, nil
	}
	return n, nil
}

// modifiers parses (/name [comparison value])*.
func (p *parser) modifiers() ([]Modifier, error) {
	var mods []Modifier
	for p.peek().kind == tSlash {
		p.next()
		name := p.next()
		if !name.isTerm() {
			return nil, p.unexpected(name, "a modifier name")
		}
		m := Modifier{Name: name.text}
		if c := p.peek(); c.kind == tComp {
			p.next()
			v := p.next()
			if !v.isTerm() {
				return nil, p.unexpected(v, "a modifier value")
			}
			m.Comparison, m.Value = c.text, v.text
		}
		mods = append(mods, m)
	}
	return mods, nil
}

func copyRelation(r Relation) Relation {
	if r.Modifiers != nil {
		r.Modifiers = append([]Modifier(nil), r.Modifiers...)
	}
	return r
}
