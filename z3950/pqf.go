package z3950

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bibgate/bibgate/internal/ber"
)

// PQF is YAZ's Prefix Query Format, a text form of Type-1 queries:
//
//	@attr 1=4 @attr 5=1 "war and peace"
//	@and @attr 1=1003 tolstoy @attr 1=4 war
//	@attrset bib-1 @or @attr 1=7 0201896834 @set 1
//	@prox 0 3 1 2 k 2 cat dog
//
// Attributes written before an operator apply to every operand below it.

// PQFError reports a syntax error with the byte offset where it was found.
type PQFError struct {
	Pos int
	Msg string
}

func (e *PQFError) Error() string { return fmt.Sprintf("pqf: %s at offset %d", e.Msg, e.Pos) }

// maxPQFDepth bounds operator nesting in a parsed query.
const maxPQFDepth = 100

var attrSetNames = map[string]ber.OID{
	"bib-1":   OIDBib1Attributes,
	"bib1":    OIDBib1Attributes,
	"exp-1":   OIDExp1Attributes,
	"exp1":    OIDExp1Attributes,
	"gils":    "1.2.840.10003.3.5",
	"util":    "1.2.840.10003.3.11",
	"zthes":   "1.2.840.10003.3.13",
	"idxpath": "1.2.840.10003.3.1000.81.1",
}

func attrSetByName(name string) (ber.OID, bool) {
	if o, ok := attrSetNames[strings.ToLower(name)]; ok {
		return o, true
	}
	if o := ber.OID(name); o.Valid() {
		return o, true
	}
	return "", false
}

func attrSetLabel(o ber.OID) string {
	switch o {
	case OIDBib1Attributes:
		return "bib-1"
	case OIDExp1Attributes:
		return "exp-1"
	}
	return string(o)
}

type pqfToken struct {
	text   string
	quoted bool
	pos    int
}

type pqfParser struct {
	src  string
	pos  int
	tok  pqfToken
	more bool
}

func (p *pqfParser) next() error {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
	if p.pos >= len(p.src) {
		p.more = false
		p.tok = pqfToken{pos: p.pos}
		return nil
	}
	p.more = true
	start := p.pos
	if p.src[p.pos] == '"' {
		var b strings.Builder
		p.pos++
		for {
			if p.pos >= len(p.src) {
				return &PQFError{start, "unterminated quoted string"}
			}
			c := p.src[p.pos]
			if c == '\\' && p.pos+1 < len(p.src) {
				b.WriteByte(p.src[p.pos+1])
				p.pos += 2
				continue
			}
			p.pos++
			if c == '"' {
				break
			}
			b.WriteByte(c)
		}
		p.tok = pqfToken{text: b.String(), quoted: true, pos: start}
		return nil
	}
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		if c == '\\' && p.pos+1 < len(p.src) {
			b.WriteByte(p.src[p.pos+1])
			p.pos += 2
			continue
		}
		b.WriteByte(c)
		p.pos++
	}
	p.tok = pqfToken{text: b.String(), pos: start}
	return nil
}

func (p *pqfParser) isOp(name string) bool {
	return p.more && !p.tok.quoted && strings.EqualFold(p.tok.text, name)
}

func (p *pqfParser) fail(msg string, args ...any) error {
	return &PQFError{Pos: p.tok.pos, Msg: fmt.Sprintf(msg, args...)}
}

// ParsePQF parses a PQF query into a Type-1 query.
func ParsePQF(s string) (*RPNQuery, error) {
	p := &pqfParser{src: s}
	if err := p.next(); err != nil {
		return nil, err
	}
	q := &RPNQuery{AttributeSet: OIDBib1Attributes}
	if p.isOp("@attrset") {
		if err := p.next(); err != nil {
			return nil, err
		}
		if !p.more {
			return nil, p.fail("@attrset needs a name")
		}
		set, ok := attrSetByName(p.tok.text)
		if !ok {
			return nil, p.fail("unknown attribute set %q", p.tok.text)
		}
		q.AttributeSet = set
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	root, err := p.structure(nil, 0)
	if err != nil {
		return nil, err
	}
	if p.more {
		return nil, p.fail("unexpected %q after query", p.tok.text)
	}
	q.Root = root
	return q, nil
}

func (p *pqfParser) structure(attrs []AttributeElement, depth int) (RPNStructure, error) {
	if depth > maxPQFDepth {
		return nil, p.fail("query nested too deeply")
	}
	if !p.more {
		return nil, p.fail("query ends early")
	}
	if p.tok.quoted || !strings.HasPrefix(p.tok.text, "@") {
		t := &AttributesPlusTerm{Attributes: attrs, Term: GeneralTerm(p.tok.text)}
		return t, p.next()
	}
	op := strings.ToLower(p.tok.text)
	switch op {
	case "@attr":
		if err := p.next(); err != nil {
			return nil, err
		}
		a, err := p.attr()
		if err != nil {
			return nil, err
		}
		return p.structure(append(attrs[:len(attrs):len(attrs)], a), depth)
	case "@and", "@or", "@not", "@prox":
		o := Operator{Kind: map[string]OperatorKind{"@and": OpAnd, "@or": OpOr, "@not": OpAndNot, "@prox": OpProx}[op]}
		if err := p.next(); err != nil {
			return nil, err
		}
		if o.Kind == OpProx {
			prox, err := p.prox()
			if err != nil {
				return nil, err
			}
			o.Prox = prox
		}
		left, err := p.structure(attrs, depth+1)
		if err != nil {
			return nil, err
		}
		right, err := p.structure(attrs, depth+1)
		if err != nil {
			return nil, err
		}
		return &RPNOperation{Left: left, Right: right, Op: o}, nil
	case "@set":
		if err := p.next(); err != nil {
			return nil, err
		}
		if !p.more {
			return nil, p.fail("@set needs a result set name")
		}
		rs := &ResultSetOperand{ID: p.tok.text, Attributes: attrs, WithAttrs: len(attrs) > 0}
		return rs, p.next()
	case "@term":
		if err := p.next(); err != nil {
			return nil, err
		}
		if !p.more {
			return nil, p.fail("@term needs a type")
		}
		kind := strings.ToLower(p.tok.text)
		if err := p.next(); err != nil {
			return nil, err
		}
		if !p.more {
			return nil, p.fail("@term %s needs a value", kind)
		}
		var t Term
		switch kind {
		case "general":
			t = GeneralTerm(p.tok.text)
		case "string":
			t = Term{Kind: TermCharacterString, Bytes: []byte(p.tok.text)}
		case "datetime":
			t = Term{Kind: TermDateTime, Bytes: []byte(p.tok.text)}
		case "numeric":
			v, err := strconv.ParseInt(p.tok.text, 10, 64)
			if err != nil {
				return nil, p.fail("bad numeric term %q", p.tok.text)
			}
			t = Term{Kind: TermNumeric, Numeric: v}
		case "oid":
			if !ber.OID(p.tok.text).Valid() {
				return nil, p.fail("bad OID term %q", p.tok.text)
			}
			t = Term{Kind: TermOID, OID: ber.OID(p.tok.text)}
		case "null":
			t = Term{Kind: TermNull}
		default:
			return nil, p.fail("unknown term type %q", kind)
		}
		return &AttributesPlusTerm{Attributes: attrs, Term: t}, p.next()
	}
	return nil, p.fail("unknown operator %q", p.tok.text)
}

func (p *pqfParser) attr() (AttributeElement, error) {
	var a AttributeElement
	if !p.more {
		return a, p.fail("@attr needs type=value")
	}
	if !strings.Contains(p.tok.text, "=") {
		set, ok := attrSetByName(p.tok.text)
		if !ok {
			return a, p.fail("unknown attribute set %q", p.tok.text)
		}
		a.AttributeSet = set
		if err := p.next(); err != nil {
			return a, err
		}
		if !p.more {
			return a, p.fail("@attr needs type=value")
		}
	}
	typ, val, _ := strings.Cut(p.tok.text, "=")
	t, err := atoi32(typ)
	if err != nil || t < 0 {
		return a, p.fail("bad attribute type %q", typ)
	}
	a.Type = t
	if val == "" {
		return a, p.fail("attribute %d has no value", t)
	}
	if n, err := atoi32(val); err == nil && !strings.Contains(val, ",") {
		a.Value = n
	} else {
		c := &ComplexAttribute{}
		for _, part := range strings.Split(val, ",") {
			if n, err := atoi32(part); err == nil {
				c.List = append(c.List, StringOrNumeric{Numeric: n})
			} else {
				c.List = append(c.List, StringOrNumeric{IsString: true, String: part})
			}
		}
		a.Complex = c
	}
	return a, p.next()
}

func (p *pqfParser) prox() (*ProximityOperator, error) {
	var fields [6]pqfToken
	for i := range fields {
		if !p.more {
			return nil, p.fail("@prox needs exclusion distance ordered relation which-code unit-code")
		}
		fields[i] = p.tok
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	num := func(t pqfToken, what string) (int, error) {
		n, err := atoi32(t.text)
		if err != nil {
			return 0, &PQFError{t.pos, fmt.Sprintf("bad @prox %s %q", what, t.text)}
		}
		return n, nil
	}
	pr := &ProximityOperator{}
	switch fields[0].text {
	case "1":
		pr.Exclusion = BoolPtr(true)
	case "0":
		pr.Exclusion = BoolPtr(false)
	case "void", "n":
	default:
		return nil, &PQFError{fields[0].pos, fmt.Sprintf("bad @prox exclusion %q", fields[0].text)}
	}
	var err error
	if pr.Distance, err = num(fields[1], "distance"); err != nil {
		return nil, err
	}
	ord, err := num(fields[2], "ordered")
	if err != nil {
		return nil, err
	}
	pr.Ordered = ord != 0
	if pr.RelationType, err = num(fields[3], "relation"); err != nil {
		return nil, err
	}
	switch strings.ToLower(fields[4].text) {
	case "k", "known", "0":
		pr.KnownUnit = true
	case "p", "private", "1":
	default:
		return nil, &PQFError{fields[4].pos, fmt.Sprintf("bad @prox which-code %q", fields[4].text)}
	}
	if pr.Unit, err = num(fields[5], "unit"); err != nil {
		return nil, err
	}
	return pr, nil
}

// FormatPQF renders a Type-1 query as PQF; ParsePQF reads it back.
func FormatPQF(q *RPNQuery) string {
	var b strings.Builder
	if q.AttributeSet != "" && q.AttributeSet != OIDBib1Attributes {
		b.WriteString("@attrset ")
		b.WriteString(attrSetLabel(q.AttributeSet))
		b.WriteByte(' ')
	}
	formatRPN(&b, q.Root)
	return strings.TrimSuffix(b.String(), " ")
}

func formatRPN(b *strings.Builder, s RPNStructure) {
	switch v := s.(type) {
	case *RPNOperation:
		switch v.Op.Kind {
		case OpAnd:
			b.WriteString("@and ")
		case OpOr:
			b.WriteString("@or ")
		case OpAndNot:
			b.WriteString("@not ")
		case OpProx:
			pr := v.Op.Prox
			if pr == nil {
				pr = &ProximityOperator{}
			}
			excl := "void"
			if pr.Exclusion != nil {
				excl = map[bool]string{true: "1", false: "0"}[*pr.Exclusion]
			}
			which := "p"
			if pr.KnownUnit {
				which = "k"
			}
			ord := 0
			if pr.Ordered {
				ord = 1
			}
			fmt.Fprintf(b, "@prox %s %d %d %d %s %d ", excl, pr.Distance, ord, pr.RelationType, which, pr.Unit)
		}
		formatRPN(b, v.Left)
		formatRPN(b, v.Right)
	case *AttributesPlusTerm:
		formatAttrs(b, v.Attributes)
		switch v.Term.Kind {
		case TermGeneral:
			b.WriteString(quotePQF(string(v.Term.Bytes)))
		case TermCharacterString:
			b.WriteString("@term string " + quotePQF(string(v.Term.Bytes)))
		case TermDateTime:
			b.WriteString("@term datetime " + quotePQF(string(v.Term.Bytes)))
		case TermNumeric:
			fmt.Fprintf(b, "@term numeric %d", v.Term.Numeric)
		case TermOID:
			b.WriteString("@term oid " + string(v.Term.OID))
		case TermNull:
			b.WriteString(`@term null ""`)
		default:
			b.WriteString(quotePQF(string(v.Term.Bytes)))
		}
		b.WriteByte(' ')
	case *ResultSetOperand:
		formatAttrs(b, v.Attributes)
		b.WriteString("@set " + quotePQF(v.ID) + " ")
	}
}

func formatAttrs(b *strings.Builder, attrs []AttributeElement) {
	for _, a := range attrs {
		b.WriteString("@attr ")
		if a.AttributeSet != "" {
			b.WriteString(attrSetLabel(a.AttributeSet))
			b.WriteByte(' ')
		}
		var v strings.Builder
		fmt.Fprintf(&v, "%d=", a.Type)
		if a.Complex != nil {
			for i, sn := range a.Complex.List {
				if i > 0 {
					v.WriteByte(',')
				}
				if sn.IsString {
					v.WriteString(sn.String)
				} else {
					fmt.Fprintf(&v, "%d", sn.Numeric)
				}
			}
		} else {
			fmt.Fprintf(&v, "%d", a.Value)
		}
		b.WriteString(quotePQF(v.String()))
		b.WriteByte(' ')
	}
}

func quotePQF(s string) string {
	plain := s != "" && s[0] != '@' && s[0] != '"'
	for i := 0; i < len(s) && plain; i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r', '"', '\\':
			plain = false
		}
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// atoi32 parses a decimal int in the range of ASN.1 INTEGERs Z39.50 peers
// accept (32 bits).
func atoi32(s string) (int, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	return int(n), err
}
