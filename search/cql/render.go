package cql

import "strings"

// String renders the query in canonical CQL: one space between tokens,
// keywords in lower case, parentheses only where the tree needs them, and
// terms quoted unless they are plain words. Parse(q.String()) yields a
// tree equal to q.
func (q *Query) String() string {
	var b strings.Builder
	for _, p := range q.Prefixes {
		writePrefix(&b, p)
		b.WriteByte(' ')
	}
	if q.Root != nil {
		writeNode(&b, q.Root, false)
	}
	if len(q.SortKeys) > 0 {
		b.WriteString(" sortBy")
		for _, k := range q.SortKeys {
			b.WriteByte(' ')
			b.WriteString(quote(k.Index))
			writeModifiers(&b, k.Modifiers)
		}
	}
	return b.String()
}

func (c *Clause) String() string   { var b strings.Builder; writeNode(&b, c, false); return b.String() }
func (n *Boolean) String() string  { var b strings.Builder; writeNode(&b, n, false); return b.String() }
func (n *Prefixed) String() string { var b strings.Builder; writeNode(&b, n, false); return b.String() }

// String renders the relation with its modifiers (any/stem).
func (r Relation) String() string {
	var b strings.Builder
	b.WriteString(r.Base)
	writeModifiers(&b, r.Modifiers)
	return b.String()
}

func writePrefix(b *strings.Builder, p Prefix) {
	b.WriteString("> ")
	if p.Name != "" {
		b.WriteString(quote(p.Name))
		b.WriteString(" = ")
	}
	b.WriteString(`"` + p.URI + `"`)
}

func writeNode(b *strings.Builder, n Node, nested bool) {
	switch t := n.(type) {
	case *Clause:
		if t.Index == ServerChoice && t.Relation.Base == "=" && len(t.Relation.Modifiers) == 0 {
			b.WriteString(quote(t.Term))
			return
		}
		b.WriteString(quote(t.Index))
		b.WriteByte(' ')
		b.WriteString(t.Relation.Base)
		writeModifiers(b, t.Relation.Modifiers)
		b.WriteByte(' ')
		b.WriteString(quote(t.Term))
	case *Boolean:
		if nested {
			b.WriteByte('(')
		}
		writeNode(b, t.Left, false)
		b.WriteByte(' ')
		b.WriteString(string(t.Op))
		writeModifiers(b, t.Modifiers)
		b.WriteByte(' ')
		writeNode(b, t.Right, true)
		if nested {
			b.WriteByte(')')
		}
	case *Prefixed:
		b.WriteByte('(')
		for _, p := range t.Prefixes {
			writePrefix(b, p)
			b.WriteByte(' ')
		}
		writeNode(b, t.Node, false)
		b.WriteByte(')')
	}
}

func writeModifiers(b *strings.Builder, mods []Modifier) {
	for _, m := range mods {
		b.WriteByte('/')
		b.WriteString(quote(m.Name))
		if m.Comparison != "" {
			b.WriteString(m.Comparison)
			b.WriteString(quote(m.Value))
		}
	}
}

// quote returns s as it must be written in a query: unquoted when it is a
// plain word the parser reads back as the same term, else in double
// quotes. s is a term as the parser keeps it, with its backslash escapes.
func quote(s string) string {
	if !needsQuotes(s) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				b.WriteString(s[i : i+2])
				i++
				continue
			}
			b.WriteString(`\\`) // a lone trailing backslash, escaped
			continue
		case '"':
			b.WriteString(`\"`) // only in trees not made by Parse
			continue
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

func needsQuotes(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isSpecial(c) || c == '\\' || c < 0x20 || c == 0x7f {
			return true
		}
	}
	l := strings.ToLower(s)
	switch l {
	case "and", "or", "not", "prox", "sortby":
		return true
	}
	return namedRelations[l]
}
