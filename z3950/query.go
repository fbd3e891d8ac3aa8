package z3950

import (
	"fmt"

	"github.com/bibgate/bibgate/internal/ber"
)

// QueryKind selects the arm of the Query CHOICE.
type QueryKind int

// Query kinds.
const (
	QueryRPN   QueryKind = 1   // type-1 (and type-101, which has the same form)
	QueryCQL   QueryKind = 104 // type-104 EXTERNAL with the CQL OID
	QueryOther QueryKind = -1  // type-0, 2, 100, 102 or a type-104 with another OID
)

// Query is a search query.
type Query struct {
	Kind QueryKind
	RPN  *RPNQuery
	CQL  string
	// Type is the CHOICE tag as received (1, 101, 104, 0, 2, 100, 102).
	Type int
	// Raw keeps an unsupported query for diagnostics and re-encoding.
	Raw *ber.Node
}

// RPNQuery is a Type-1 query: a default attribute set and a tree.
type RPNQuery struct {
	AttributeSet ber.OID
	Root         RPNStructure
}

// RPNStructure is an RPN tree node: *AttributesPlusTerm, *ResultSetOperand
// or *RPNOperation.
type RPNStructure interface{ isRPN() }

// AttributesPlusTerm is an operand: a term with its attribute list.
type AttributesPlusTerm struct {
	Attributes []AttributeElement
	Term       Term
}

// ResultSetOperand refers to an existing result set (resultSet [31]), or
// with Attributes set, to a resultAttr [214] operand.
type ResultSetOperand struct {
	ID         string
	Attributes []AttributeElement
	WithAttrs  bool // encoded as resultAttr [214]
}

// RPNOperation combines two subtrees.
type RPNOperation struct {
	Left, Right RPNStructure
	Op          Operator
}

func (*AttributesPlusTerm) isRPN() {}
func (*ResultSetOperand) isRPN()   {}
func (*RPNOperation) isRPN()       {}

// OperatorKind is a boolean or proximity operator.
type OperatorKind int

// Operators.
const (
	OpAnd    OperatorKind = 0
	OpOr     OperatorKind = 1
	OpAndNot OperatorKind = 2
	OpProx   OperatorKind = 3
)

// Operator is the Operator CHOICE.
type Operator struct {
	Kind OperatorKind
	Prox *ProximityOperator // OpProx only
}

// ProximityOperator parameters.
type ProximityOperator struct {
	Exclusion    *bool
	Distance     int
	Ordered      bool
	RelationType int  // 1 < ... 6 ≠
	KnownUnit    bool // true: Unit is a KnownProximityUnit; false: private
	Unit         int
}

// AttributeElement is one attribute (type=value). A complex value is used
// when Complex is non-nil.
type AttributeElement struct {
	AttributeSet ber.OID // optional per-attribute set (v3)
	Type         int
	Value        int
	Complex      *ComplexAttribute
}

// ComplexAttribute is the complex [224] attribute value.
type ComplexAttribute struct {
	List           []StringOrNumeric
	SemanticAction []int
}

// StringOrNumeric is a string or an integer.
type StringOrNumeric struct {
	IsString bool
	String   string
	Numeric  int
}

// TermKind is the Term CHOICE arm.
type TermKind int

// Term kinds.
const (
	TermGeneral         TermKind = 45
	TermNumeric         TermKind = 215
	TermCharacterString TermKind = 216
	TermOID             TermKind = 217
	TermDateTime        TermKind = 218
	TermExternal        TermKind = 219
	TermIntegerAndUnit  TermKind = 220
	TermNull            TermKind = 221
)

// Term is a search term. General, characterString and dateTime keep their
// octets in Bytes; the others keep the received node in Raw.
type Term struct {
	Kind    TermKind
	Bytes   []byte
	Numeric int64
	OID     ber.OID
	Raw     *ber.Node
}

// GeneralTerm returns a general [45] term.
func GeneralTerm(s string) Term { return Term{Kind: TermGeneral, Bytes: []byte(s)} }

// Attr returns the numeric value of the first attribute of type typ.
func (a *AttributesPlusTerm) Attr(typ int) (int, bool) {
	for _, e := range a.Attributes {
		if e.Type == typ && e.Complex == nil {
			return e.Value, true
		}
	}
	return 0, false
}

func (q *Query) node() *ber.Node {
	switch q.Kind {
	case QueryRPN:
		tag := 1
		if q.Type == 101 {
			tag = 101
		}
		if q.RPN == nil {
			return nil
		}
		return q.RPN.node(ber.Context, tag)
	case QueryCQL:
		e := ber.NewSingleExternal(OIDCQL, ber.NewString(ber.Universal, ber.TagGeneralString, q.CQL))
		return e.Node(ber.Context, 104)
	}
	return q.Raw
}

func (q *RPNQuery) node(c ber.Class, tag int) *ber.Node {
	set := q.AttributeSet
	if set == "" {
		set = OIDBib1Attributes
	}
	return ber.NewConstructed(c, tag, ber.NewOID(ber.Universal, ber.TagOID, set), rpnNode(q.Root))
}

func rpnNode(s RPNStructure) *ber.Node {
	switch v := s.(type) {
	case *AttributesPlusTerm:
		return explicit(0, v.node(102))
	case *ResultSetOperand:
		if v.WithAttrs {
			return explicit(0, ber.NewConstructed(ber.Context, 214, ctxStr(31, v.ID), attrListNode(v.Attributes)))
		}
		return explicit(0, ctxStr(31, v.ID))
	case *RPNOperation:
		return ber.NewConstructed(ber.Context, 1, rpnNode(v.Left), rpnNode(v.Right), explicit(46, v.Op.node()))
	}
	return nil
}

func (a *AttributesPlusTerm) node(tag int) *ber.Node {
	return ber.NewConstructed(ber.Context, tag, attrListNode(a.Attributes), a.Term.node())
}

func attrListNode(list []AttributeElement) *ber.Node {
	n := ber.NewConstructed(ber.Context, 44)
	for _, a := range list {
		var val *ber.Node
		if a.Complex != nil {
			l := ber.NewConstructed(ber.Context, 1)
			for _, sn := range a.Complex.List {
				if sn.IsString {
					l.Children = append(l.Children, ctxStr(1, sn.String))
				} else {
					l.Children = append(l.Children, ctxInt(2, sn.Numeric))
				}
			}
			var sem *ber.Node
			if a.Complex.SemanticAction != nil {
				sem = ber.NewConstructed(ber.Context, 2)
				for _, s := range a.Complex.SemanticAction {
					sem.Children = append(sem.Children, ber.NewInt(ber.Universal, ber.TagInteger, int64(s)))
				}
			}
			val = ber.NewConstructed(ber.Context, 224, l, sem)
		} else {
			val = ctxInt(121, a.Value)
		}
		n.Children = append(n.Children, ber.NewSequence(optOID(1, a.AttributeSet), ctxInt(120, a.Type), val))
	}
	return n
}

func (t Term) node() *ber.Node {
	switch t.Kind {
	case TermGeneral, TermCharacterString, TermDateTime:
		return ber.NewPrimitive(ber.Context, int(t.Kind), t.Bytes)
	case TermNumeric:
		return ber.NewInt(ber.Context, int(t.Kind), t.Numeric)
	case TermOID:
		return ber.NewOID(ber.Context, int(t.Kind), t.OID)
	case TermNull:
		return ctxNull(int(t.Kind))
	}
	if t.Raw != nil {
		return t.Raw
	}
	return ber.NewPrimitive(ber.Context, int(TermGeneral), t.Bytes)
}

func (op Operator) node() *ber.Node {
	if op.Kind != OpProx {
		return ctxNull(int(op.Kind))
	}
	p := op.Prox
	if p == nil {
		p = &ProximityOperator{}
	}
	unitTag := 2
	if p.KnownUnit {
		unitTag = 1
	}
	return ber.NewConstructed(ber.Context, 3,
		optBool(1, p.Exclusion),
		ctxInt(2, p.Distance),
		ctxBool(3, p.Ordered),
		ctxInt(4, p.RelationType),
		explicit(5, ctxInt(unitTag, p.Unit)))
}

// maxQueryDepth bounds recursion when walking a decoded tree; the BER
// decoder's depth limit normally stops far earlier.
const maxQueryDepth = 200

func (f *fields) query(n *ber.Node) Query {
	q := Query{Type: n.Tag}
	if n.Class != ber.Context {
		f.fail("query: %w", errShape)
		return q
	}
	switch n.Tag {
	case 1, 101:
		q.Kind = QueryRPN
		q.RPN = f.rpnQuery(n)
	case 104:
		e := f.external(n, "type-104")
		if e != nil && e.DirectReference == OIDCQL && e.Encoding == ber.SingleASN1Type {
			q.Kind = QueryCQL
			q.CQL = f.str(e.Single, "CQL")
		} else {
			q.Kind, q.Raw = QueryOther, n
		}
	default:
		q.Kind, q.Raw = QueryOther, n
	}
	return q
}

func (f *fields) rpnQuery(n *ber.Node) *RPNQuery {
	if !n.Constructed || len(n.Children) != 2 {
		f.fail("RPNQuery: %w", errShape)
		return nil
	}
	q := &RPNQuery{AttributeSet: f.oid(n.Children[0], "attributeSet")}
	q.Root = f.rpn(n.Children[1], 0)
	return q
}

func (f *fields) rpn(n *ber.Node, depth int) RPNStructure {
	if f.err != nil {
		return nil
	}
	if depth > maxQueryDepth {
		f.fail("RPN tree too deep")
		return nil
	}
	switch {
	case isCtx(n, 0):
		op := f.only(n, "op")
		if op == nil {
			return nil
		}
		switch {
		case isCtx(op, 102):
			return f.attrTerm(op)
		case isCtx(op, 31):
			return &ResultSetOperand{ID: f.str(op, "resultSet")}
		case isCtx(op, 214) && len(op.Children) == 2:
			return &ResultSetOperand{ID: f.str(op.Children[0], "resultSet"), Attributes: f.attrList(op.Children[1]), WithAttrs: true}
		}
		f.fail("operand %s: %w", tagLabel(op), errShape)
	case isCtx(n, 1):
		if len(n.Children) != 3 {
			f.fail("rpnRpnOp: %w", errShape)
			return nil
		}
		o := &RPNOperation{Left: f.rpn(n.Children[0], depth+1), Right: f.rpn(n.Children[1], depth+1)}
		o.Op = f.operator(n.Children[2])
		return o
	default:
		f.fail("RPNStructure %s: %w", tagLabel(n), errShape)
	}
	return nil
}

func (f *fields) operator(n *ber.Node) Operator {
	if !isCtx(n, 46) {
		f.fail("operator %s: %w", tagLabel(n), errShape)
		return Operator{}
	}
	op := f.only(n, "operator")
	if op == nil || op.Class != ber.Context {
		f.fail("operator: %w", errShape)
		return Operator{}
	}
	switch op.Tag {
	case 0, 1, 2:
		return Operator{Kind: OperatorKind(op.Tag)}
	case 3:
		p := &ProximityOperator{}
		for _, c := range op.Children {
			switch {
			case isCtx(c, 1):
				v := f.bool(c, "exclusion")
				p.Exclusion = &v
			case isCtx(c, 2):
				p.Distance = f.int(c, "distance")
			case isCtx(c, 3):
				p.Ordered = f.bool(c, "ordered")
			case isCtx(c, 4):
				p.RelationType = f.int(c, "relationType")
			case isCtx(c, 5):
				if u := f.only(c, "proximityUnitCode"); u != nil {
					p.KnownUnit = isCtx(u, 1)
					p.Unit = f.int(u, "proximityUnitCode")
				}
			}
		}
		return Operator{Kind: OpProx, Prox: p}
	}
	f.fail("operator [%d]: %w", op.Tag, errShape)
	return Operator{}
}

func (f *fields) attrTerm(n *ber.Node) *AttributesPlusTerm {
	if len(n.Children) != 2 {
		f.fail("AttributesPlusTerm: %w", errShape)
		return &AttributesPlusTerm{}
	}
	return &AttributesPlusTerm{Attributes: f.attrList(n.Children[0]), Term: f.term(n.Children[1])}
}

func (f *fields) attrList(n *ber.Node) []AttributeElement {
	if !isCtx(n, 44) {
		f.fail("AttributeList %s: %w", tagLabel(n), errShape)
		return nil
	}
	out := make([]AttributeElement, 0, len(n.Children))
	for _, e := range n.Children {
		var a AttributeElement
		seenType, seenValue := false, false
		for _, c := range e.Children {
			switch {
			case isCtx(c, 1):
				a.AttributeSet = f.oid(c, "attributeSet")
			case isCtx(c, 120):
				a.Type, seenType = f.int(c, "attributeType"), true
			case isCtx(c, 121):
				a.Value, seenValue = f.int(c, "numeric"), true
			case isCtx(c, 224):
				a.Complex, seenValue = f.complexAttr(c), true
			}
		}
		if !seenType || !seenValue {
			f.fail("AttributeElement: type and value are mandatory")
		}
		out = append(out, a)
	}
	return out
}

func (f *fields) complexAttr(n *ber.Node) *ComplexAttribute {
	ca := &ComplexAttribute{}
	for _, c := range n.Children {
		switch {
		case isCtx(c, 1):
			for _, sn := range c.Children {
				switch {
				case isCtx(sn, 1):
					ca.List = append(ca.List, StringOrNumeric{IsString: true, String: f.str(sn, "string")})
				case isCtx(sn, 2):
					ca.List = append(ca.List, StringOrNumeric{Numeric: f.int(sn, "numeric")})
				}
			}
		case isCtx(c, 2):
			ca.SemanticAction = []int{}
			for _, s := range c.Children {
				ca.SemanticAction = append(ca.SemanticAction, f.int(s, "semanticAction"))
			}
		}
	}
	return ca
}

func (f *fields) term(n *ber.Node) Term {
	if n.Class != ber.Context {
		f.fail("term %s: %w", tagLabel(n), errShape)
		return Term{}
	}
	t := Term{Kind: TermKind(n.Tag)}
	switch t.Kind {
	case TermGeneral, TermCharacterString, TermDateTime:
		t.Bytes = f.bytes(n, "term")
	case TermNumeric:
		v, err := n.Int()
		if err != nil {
			f.fail("numeric term: %w", err)
		}
		t.Numeric = v
	case TermOID:
		t.OID = f.oid(n, "oid term")
	case TermNull:
	case TermExternal, TermIntegerAndUnit:
		t.Raw = n
	default:
		f.fail("term [%d]: %w", n.Tag, errShape)
	}
	return t
}

// String renders a term for logs and PQF.
func (t Term) String() string {
	switch t.Kind {
	case TermNumeric:
		return fmt.Sprint(t.Numeric)
	case TermOID:
		return string(t.OID)
	case TermNull:
		return ""
	}
	return string(t.Bytes)
}
