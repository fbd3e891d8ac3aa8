package ber

// Declarative mapping between Go values and BER trees.
//
// A protocol package describes its ASN.1 types as Go types whose struct
// fields carry `ber:"..."` tags, compiles them once with Compile, and encodes
// and decodes whole PDUs with the resulting Schema. The tag of a field is a
// comma-separated list:
//
//	N               context-specific tag number N
//	application     with N: the APPLICATION class instead of context
//	universal       with N: the UNIVERSAL class
//	private         with N: the PRIVATE class
//	explicit        the tag wraps the value's own encoding ([N] EXPLICIT);
//	                without it a numbered tag replaces the value's own (IMPLICIT)
//	lax             on decode also accept the other tagging mode (for a field
//	                that peers encode both ways)
//	optional        OPTIONAL: a nil pointer or nil slice is absent, and an
//	                absent field decodes to nil
//	default=V       DEFAULT V (an integer, true or false): an absent field
//	                decodes to V; EncodeOptions.OmitDefaults leaves V out
//	enum            an integer is ENUMERATED rather than INTEGER
//	general, visible, printable, utf8, ia5, numeric, octet
//	                the universal type of a Go string (default utf8)
//	-               the field is not part of the encoding
//
// For a slice field the tag applies to the SEQUENCE OF and the type options
// (enum, general, ...) to its elements.
//
// Go types map to ASN.1 types as follows: signed integers to INTEGER (or
// ENUMERATED), bool to BOOLEAN, string to a character string, []byte to OCTET
// STRING, OID to OBJECT IDENTIFIER, BitString to BIT STRING, Null to NULL,
// *External to EXTERNAL, *Node to ANY (the subtree as received), other slices
// to SEQUENCE OF, structs to SEQUENCE, and a struct embedding Choice to a
// CHOICE whose alternatives are its other (pointer or slice) fields, exactly
// one of which is set. An embedded struct without a tag contributes its
// fields in place, so a header shared by many PDUs is written once. A type implementing Marshaler and (through its
// pointer) Unmarshaler encodes itself. An untagged CHOICE field is matched by
// the tags of its alternatives; a CHOICE or ANY may not be tagged IMPLICIT.
//
// Decoding is strict about order and completeness, as a SEQUENCE without an
// extension marker requires: a missing mandatory field or an element no field
// accounts for is an ErrSyntax error naming the field.

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Choice, embedded in a struct, marks the struct as an ASN.1 CHOICE.
type Choice struct{}

// Null is the ASN.1 NULL type; use *Null for an optional NULL or a CHOICE
// alternative.
type Null struct{}

// Marshaler is implemented by types that build their own node, with its
// natural (universal) tag; a field's tag is applied around or over it.
type Marshaler interface {
	MarshalBER() (*Node, error)
}

// Unmarshaler is implemented by pointers to types that decode their own
// node. With an IMPLICIT field tag the node carries the field's tag, not the
// type's own.
type Unmarshaler interface {
	UnmarshalBER(n *Node) error
}

// EncodeOptions adjust how a Schema writes values.
type EncodeOptions struct {
	// OmitDefaults leaves out fields equal to their DEFAULT. BER allows
	// either; YAZ writes them, so the zero value writes them too.
	OmitDefaults bool
}

// Schema encodes and decodes values of one Go type. It is immutable once
// compiled and safe for concurrent use.
type Schema struct {
	typ reflect.Type
	top field
}

// Compile builds the schema for the type of v (a value or a pointer to
// one). spec is a field tag for the outermost value, e.g.
// "application,1,explicit", or "" for the type's own tag.
func Compile(v any, spec string) (*Schema, error) {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return nil, errors.New("ber: Compile of nil")
	}
	c := &compiler{done: map[compileKey]*codec{}}
	f, err := c.field(t, "", spec)
	if err != nil {
		return nil, err
	}
	if f.optional {
		return nil, fmt.Errorf("ber: %s: the outermost value cannot be optional", t)
	}
	return &Schema{typ: t, top: *f}, nil
}

// MustCompile is Compile for package-level schema tables; it panics on a
// malformed description, which is a programming error.
func MustCompile(v any, spec string) *Schema {
	s, err := Compile(v, spec)
	if err != nil {
		panic(err)
	}
	return s
}

// Encode builds the tree for v, which must be of the schema's type or a
// pointer to it.
func (s *Schema) Encode(v any, opt EncodeOptions) (*Node, error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, fmt.Errorf("ber: encode nil %s", s.typ)
		}
		rv = rv.Elem()
	}
	if rv.Type() != s.typ {
		return nil, fmt.Errorf("ber: schema for %s cannot encode %s", s.typ, rv.Type())
	}
	e := encoder{opt: opt}
	return e.field(&s.top, rv)
}

// Marshal encodes v to definite-length BER.
func (s *Schema) Marshal(v any, opt EncodeOptions) ([]byte, error) {
	n, err := s.Encode(v, opt)
	if err != nil {
		return nil, err
	}
	return Marshal(n), nil
}

// Decode fills *v from the tree n. v must be a non-nil pointer to the
// schema's type. Strings and octets are copied, so v does not alias n,
// except *Node (ANY) fields, which are n's subtrees.
func (s *Schema) Decode(n *Node, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Type() != s.typ {
		return fmt.Errorf("ber: schema for %s cannot decode into %T", s.typ, v)
	}
	if n == nil {
		return fmt.Errorf("%w: no value", ErrSyntax)
	}
	if !s.top.matches(n) {
		return fmt.Errorf("%w: %s: want %s", ErrSyntax, n.label(), s.top.want())
	}
	return decodeField(&s.top, n, rv.Elem())
}

// Unmarshal decodes exactly one value filling b into *v.
func (s *Schema) Unmarshal(b []byte, lim Limits, v any) error {
	n, err := Unmarshal(b, lim)
	if err != nil {
		return err
	}
	return s.Decode(n, v)
}

// ---- compiled form

type kind uint8

const (
	kInt kind = iota
	kBool
	kString
	kBytes
	kOID
	kBits
	kNull
	kAny
	kExternal
	kSequence
	kChoice
	kSlice
	kPtr
	kCustom
)

// codec describes how one Go type is encoded, before any field tag.
type codec struct {
	kind   kind
	typ    reflect.Type
	univ   int // natural universal tag (for the simple kinds, sequence, slice)
	fields []*field
	elem   *codec
}

// field is a codec plus the tagging of one place it is used.
type field struct {
	name       string
	index      []int // path from the enclosing struct, through embedded structs
	tagged     bool
	class      Class
	tag        int
	explicit   bool
	lax        bool
	optional   bool
	hasDefault bool
	defInt     int64
	defBool    bool
	c          *codec
}

type compileKey struct {
	t    reflect.Type
	opts string
}

type compiler struct {
	done map[compileKey]*codec
}

var (
	nodeType     = reflect.TypeFor[*Node]()
	externalType = reflect.TypeFor[*External]()
	oidType      = reflect.TypeFor[OID]()
	bitsType     = reflect.TypeFor[BitString]()
	nullType     = reflect.TypeFor[Null]()
	choiceType   = reflect.TypeFor[Choice]()
	marshalerT   = reflect.TypeFor[Marshaler]()
	unmarshalerT = reflect.TypeFor[Unmarshaler]()
)

func (c *compiler) field(t reflect.Type, name, spec string) (*field, error) {
	f := &field{name: name, class: Context}
	classSet := false
	var typeOpts []string
	if spec != "" {
		for _, p := range strings.Split(spec, ",") {
			p = strings.TrimSpace(p)
			switch {
			case p == "":
			case p == "explicit":
				f.explicit = true
			case p == "lax":
				f.lax = true
			case p == "optional":
				f.optional = true
			case p == "application":
				f.class, classSet = Application, true
			case p == "universal":
				f.class, classSet = Universal, true
			case p == "private":
				f.class, classSet = Private, true
			case strings.HasPrefix(p, "default="):
				f.hasDefault = true
				d := strings.TrimPrefix(p, "default=")
				switch d {
				case "true":
					f.defBool = true
				case "false":
				default:
					v, err := strconv.ParseInt(d, 10, 64)
					if err != nil {
						return nil, fmt.Errorf("ber: field %s: bad default %q", name, d)
					}
					f.defInt = v
				}
			case p[0] >= '0' && p[0] <= '9':
				v, err := strconv.Atoi(p)
				if err != nil || v < 0 || v > 1<<28-1 {
					return nil, fmt.Errorf("ber: field %s: bad tag %q", name, p)
				}
				f.tagged, f.tag = true, v
			case p == "enum" || stringTags[p] != 0:
				typeOpts = append(typeOpts, p)
			default:
				return nil, fmt.Errorf("ber: field %s: unknown option %q", name, p)
			}
		}
	}
	if !f.tagged && (classSet || f.explicit || f.lax) {
		return nil, fmt.Errorf("ber: field %s: class, explicit or lax without a tag number", name)
	}
	cd, err := c.codec(t, strings.Join(typeOpts, ","))
	if err != nil {
		return nil, fmt.Errorf("ber: field %s: %w", name, err)
	}
	f.c = cd
	base := cd
	for base.kind == kPtr {
		base = base.elem
	}
	if f.tagged && !f.explicit && (base.kind == kChoice || base.kind == kAny) {
		return nil, fmt.Errorf("ber: field %s: a CHOICE or ANY cannot be tagged IMPLICIT", name)
	}
	if f.optional && cd.kind != kPtr && cd.kind != kSlice && cd.kind != kAny && cd.kind != kExternal && cd.kind != kBytes {
		return nil, fmt.Errorf("ber: field %s: optional needs a pointer or slice type, not %s", name, t)
	}
	if f.hasDefault {
		if f.optional || (cd.kind != kInt && cd.kind != kBool) {
			return nil, fmt.Errorf("ber: field %s: default needs a mandatory integer or bool", name)
		}
	}
	return f, nil
}

var stringTags = map[string]int{
	"general":   TagGeneralString,
	"visible":   TagVisibleString,
	"printable": TagPrintableString,
	"utf8":      TagUTF8String,
	"ia5":       TagIA5String,
	"numeric":   18,
	"octet":     TagOctetString,
}

func (c *compiler) codec(t reflect.Type, opts string) (*codec, error) {
	key := compileKey{t, opts}
	if cd, ok := c.done[key]; ok {
		return cd, nil
	}
	cd := &codec{typ: t}
	c.done[key] = cd // before recursing, so recursive types terminate
	var enum bool
	strTag := 0
	for _, o := range strings.Split(opts, ",") {
		if o == "enum" {
			enum = true
		} else if o != "" {
			strTag = stringTags[o]
		}
	}
	switch {
	case t.Implements(marshalerT) && reflect.PointerTo(t).Implements(unmarshalerT):
		cd.kind = kCustom
	case t == nodeType:
		cd.kind = kAny
	case t == externalType:
		cd.kind, cd.univ = kExternal, TagExternal
	case t == oidType:
		cd.kind, cd.univ = kOID, TagOID
	case t == bitsType:
		cd.kind, cd.univ = kBits, TagBitString
	case t == nullType:
		cd.kind, cd.univ = kNull, TagNull
	case t.Kind() == reflect.Pointer:
		cd.kind = kPtr
		e, err := c.codec(t.Elem(), opts)
		if err != nil {
			return nil, err
		}
		if e.kind == kPtr {
			return nil, fmt.Errorf("pointer to pointer %s", t)
		}
		cd.elem = e
	case t.Kind() == reflect.Bool:
		cd.kind, cd.univ = kBool, TagBoolean
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		cd.kind, cd.univ = kInt, TagInteger
		if enum {
			cd.univ = TagEnumerated
		}
	case t.Kind() == reflect.String:
		cd.kind, cd.univ = kString, TagUTF8String
		if strTag != 0 {
			cd.univ = strTag
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		cd.kind, cd.univ = kBytes, TagOctetString
	case t.Kind() == reflect.Slice:
		cd.kind, cd.univ = kSlice, TagSequence
		e, err := c.codec(t.Elem(), opts)
		if err != nil {
			return nil, err
		}
		cd.elem = e
	case t.Kind() == reflect.Struct:
		cd.kind, cd.univ = kSequence, TagSequence
		for i := range t.NumField() {
			sf := t.Field(i)
			if sf.Anonymous && sf.Type == choiceType {
				cd.kind, cd.univ = kChoice, 0
				continue
			}
			spec, ok := sf.Tag.Lookup("ber")
			if spec == "-" || !sf.IsExported() && !sf.Anonymous {
				continue
			}
			if sf.Anonymous && !ok && sf.Type.Kind() == reflect.Struct {
				// An embedded struct without a tag contributes its
				// fields in place (a common header, say).
				sub, err := c.codec(sf.Type, "")
				if err != nil {
					return nil, err
				}
				if sub.kind != kSequence {
					return nil, fmt.Errorf("embedded %s in %s is not a SEQUENCE", sf.Type, t)
				}
				for _, f := range sub.fields {
					g := *f
					g.index = append([]int{i}, f.index...)
					cd.fields = append(cd.fields, &g)
				}
				continue
			}
			if !ok {
				spec = ""
			}
			f, err := c.field(sf.Type, t.Name()+"."+sf.Name, spec)
			if err != nil {
				return nil, err
			}
			f.index = []int{i}
			cd.fields = append(cd.fields, f)
		}
		if cd.kind == kChoice {
			for _, f := range cd.fields {
				if f.c.kind != kPtr && f.c.kind != kSlice && f.c.kind != kAny && f.c.kind != kExternal {
					return nil, fmt.Errorf("CHOICE %s: alternative %s must be a pointer or slice", t, f.name)
				}
				if f.optional || f.hasDefault {
					return nil, fmt.Errorf("CHOICE %s: alternative %s cannot be optional or default", t, f.name)
				}
			}
		}
	default:
		return nil, fmt.Errorf("no BER mapping for %s", t)
	}
	return cd, nil
}

// matches reports whether n can be the encoding of f.
func (f *field) matches(n *Node) bool {
	if f.tagged {
		return n.Class == f.class && n.Tag == f.tag
	}
	return f.c.matches(n)
}

func (c *codec) matches(n *Node) bool {
	switch c.kind {
	case kPtr:
		return c.elem.matches(n)
	case kChoice:
		for _, a := range c.fields {
			if a.matches(n) {
				return true
			}
		}
		return false
	case kAny, kCustom:
		return true
	default:
		return n.Class == Universal && n.Tag == c.univ
	}
}

func (f *field) want() string {
	if f.tagged {
		return (&Node{Class: f.class, Tag: f.tag}).label()
	}
	return f.c.describe()
}

// describe names what c's encoding starts with, for error messages.
func (c *codec) describe() string {
	for c.kind == kPtr {
		c = c.elem
	}
	switch c.kind {
	case kChoice, kAny, kCustom:
		return c.typ.String()
	}
	return (&Node{Class: Universal, Tag: c.univ}).label()
}

// ---- encoding

// encoder builds one tree. Its nodes, child lists and content octets are
// cut from chunks it allocates, rather than one allocation each: a tree is
// written once and dropped, so they live and die together.
type encoder struct {
	opt   EncodeOptions
	nodes []Node
	kids  []*Node
	buf   []byte
}

func (e *encoder) node(c Class, tag int, constructed bool, value []byte, kids int) *Node {
	if len(e.nodes) == cap(e.nodes) {
		e.nodes = make([]Node, 0, 32)
	}
	e.nodes = e.nodes[:len(e.nodes)+1]
	n := &e.nodes[len(e.nodes)-1]
	n.Class, n.Tag, n.Constructed, n.Value = c, tag, constructed, value
	if kids > 0 {
		if cap(e.kids)-len(e.kids) < kids {
			e.kids = make([]*Node, 0, max(64, kids))
		}
		l := len(e.kids)
		n.Children = e.kids[l : l : l+kids]
		e.kids = e.kids[:l+kids]
	}
	return n
}

// octets returns room for k content octets, full-capacity-limited so that
// no two nodes share spare capacity.
func (e *encoder) octets(k int) []byte {
	if cap(e.buf)-len(e.buf) < k {
		e.buf = make([]byte, 0, max(512, k))
	}
	l := len(e.buf)
	return e.buf[l : l : l+k]
}

func (e *encoder) primitive(tag int, v []byte) *Node {
	return e.node(Universal, tag, false, v, 0)
}

// absent reports whether v leaves an OPTIONAL field out.
func absent(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Interface:
		return v.IsNil()
	}
	return false
}

func (e *encoder) field(f *field, v reflect.Value) (*Node, error) {
	n, err := e.value(f.c, v)
	if err != nil {
		if f.name == "" {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", f.name, err)
	}
	if !f.tagged {
		return n, nil
	}
	if f.explicit {
		w := e.node(f.class, f.tag, true, nil, 1)
		w.Children = append(w.Children, n)
		return w, nil
	}
	// IMPLICIT: the tag replaces the value's own. The node is always one
	// this encoder built (ANY, the only kind handed in by the caller,
	// cannot be IMPLICIT), but a Marshaler may return a shared node, so
	// copy rather than retag in place.
	t := e.node(f.class, f.tag, n.Constructed, n.Value, 0)
	t.Children = n.Children
	return t, nil
}

func (e *encoder) value(c *codec, v reflect.Value) (*Node, error) {
	switch c.kind {
	case kPtr:
		if v.IsNil() {
			return nil, errors.New("mandatory value missing")
		}
		return e.value(c.elem, v.Elem())
	case kCustom:
		m, ok := v.Interface().(Marshaler)
		if !ok {
			return nil, fmt.Errorf("%s is not a Marshaler", c.typ)
		}
		n, err := m.MarshalBER()
		if err == nil && n == nil {
			err = fmt.Errorf("%s marshalled to nothing", c.typ)
		}
		return n, err
	case kInt:
		x := v.Int()
		b := AppendIntContent(e.octets(9), x)
		b = b[:len(b):len(b)]
		e.buf = e.buf[:len(e.buf)+len(b)]
		return e.primitive(c.univ, b), nil
	case kBool:
		b := e.octets(1)[:1] // 0x01 for TRUE, as NewBool writes it
		if v.Bool() {
			b[0] = 1
		}
		e.buf = e.buf[:len(e.buf)+1]
		return e.primitive(c.univ, b), nil
	case kString:
		b := append(e.octets(v.Len()), v.String()...)
		e.buf = e.buf[:len(e.buf)+len(b)]
		return e.primitive(c.univ, b), nil
	case kBytes:
		return e.primitive(c.univ, v.Bytes()), nil
	case kOID:
		n := NewOID(Universal, c.univ, OID(v.String()))
		if n == nil {
			return nil, fmt.Errorf("invalid OID %q", v.String())
		}
		return n, nil
	case kBits:
		return NewBitString(Universal, c.univ, v.Interface().(BitString)), nil
	case kNull:
		return e.primitive(c.univ, nil), nil
	case kAny:
		if v.IsNil() {
			return nil, errors.New("ANY value missing")
		}
		return v.Interface().(*Node), nil
	case kExternal:
		if v.IsNil() {
			return nil, errors.New("EXTERNAL value missing")
		}
		return v.Interface().(*External).Node(Universal, TagExternal), nil
	case kSlice:
		n := e.node(Universal, c.univ, true, nil, v.Len())
		for i := range v.Len() {
			ch, err := e.value(c.elem, v.Index(i))
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			n.Children = append(n.Children, ch)
		}
		return n, nil
	case kSequence:
		n := e.node(Universal, c.univ, true, nil, len(c.fields))
		for _, f := range c.fields {
			fv := v.FieldByIndex(f.index)
			if f.optional && absent(fv) {
				continue
			}
			if f.hasDefault && e.opt.OmitDefaults && isDefault(f, fv) {
				continue
			}
			ch, err := e.field(f, fv)
			if err != nil {
				return nil, err
			}
			n.Children = append(n.Children, ch)
		}
		return n, nil
	case kChoice:
		var chosen *field
		for _, f := range c.fields {
			if !absent(v.FieldByIndex(f.index)) {
				if chosen != nil {
					return nil, fmt.Errorf("CHOICE %s: both %s and %s set", c.typ, chosen.name, f.name)
				}
				chosen = f
			}
		}
		if chosen == nil {
			return nil, fmt.Errorf("CHOICE %s: no alternative set", c.typ)
		}
		return e.field(chosen, v.FieldByIndex(chosen.index))
	}
	return nil, fmt.Errorf("cannot encode %s", c.typ)
}

func isDefault(f *field, v reflect.Value) bool {
	if v.Kind() == reflect.Bool {
		return v.Bool() == f.defBool
	}
	return v.Int() == f.defInt
}

// ---- decoding

// decodeField decodes n, already matched against f's tag, into v.
func decodeField(f *field, n *Node, v reflect.Value) error {
	var err error
	switch {
	case f.tagged && f.explicit:
		err = decodeExplicit(f, n, v)
		if err != nil && f.lax {
			if err2 := decodeValue(f.c, n, v, false); err2 == nil {
				return nil
			}
		}
	case f.tagged:
		err = decodeValue(f.c, n, v, false)
		if err != nil && f.lax {
			if err2 := decodeExplicit(f, n, v); err2 == nil {
				return nil
			}
		}
	default:
		err = decodeValue(f.c, n, v, true)
	}
	if err != nil && f.name != "" {
		return fmt.Errorf("%s: %w", f.name, err)
	}
	return err
}

func decodeExplicit(f *field, n *Node, v reflect.Value) error {
	inner, err := n.Only()
	if err != nil {
		return err
	}
	if !f.c.matches(inner) {
		return fmt.Errorf("%w: %s inside %s: want %s", ErrSyntax, inner.label(), n.label(), f.c.describe())
	}
	return decodeValue(f.c, inner, v, true)
}

// decodeValue decodes n into v. The caller has checked n's tag when it came
// from a field tag; natural says n carries the type's own tag.
func decodeValue(c *codec, n *Node, v reflect.Value, natural bool) error {
	switch c.kind {
	case kPtr:
		p := reflect.New(c.elem.typ)
		if err := decodeValue(c.elem, n, p.Elem(), natural); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case kCustom:
		return v.Addr().Interface().(Unmarshaler).UnmarshalBER(n)
	case kAny:
		v.Set(reflect.ValueOf(n))
		return nil
	case kExternal:
		x, err := ParseExternal(n)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(x))
		return nil
	case kChoice:
		for _, a := range c.fields {
			if a.matches(n) {
				return decodeField(a, n, v.FieldByIndex(a.index))
			}
		}
		return fmt.Errorf("%w: %s is no alternative of %s", ErrSyntax, n.label(), c.typ)
	}
	if natural && (n.Class != Universal || n.Tag != c.univ) {
		return fmt.Errorf("%w: %s: want universal %d", ErrSyntax, n.label(), c.univ)
	}
	switch c.kind {
	case kInt:
		x, err := n.Int()
		if err != nil {
			return err
		}
		if v.OverflowInt(x) {
			return fmt.Errorf("%w: %s: integer %d out of range", ErrSyntax, n.label(), x)
		}
		v.SetInt(x)
	case kBool:
		b, err := n.Bool()
		if err != nil {
			return err
		}
		v.SetBool(b)
	case kString:
		b, err := n.Bytes()
		if err != nil {
			return err
		}
		v.SetString(string(b))
	case kBytes:
		b, err := n.Bytes()
		if err != nil {
			return err
		}
		v.SetBytes(append([]byte{}, b...))
	case kOID:
		o, err := n.OID()
		if err != nil {
			return err
		}
		v.SetString(string(o))
	case kBits:
		b, err := n.BitString()
		if err != nil {
			return err
		}
		b.Bytes = append([]byte{}, b.Bytes...)
		v.Set(reflect.ValueOf(b))
	case kNull:
		if n.Constructed || len(n.Value) != 0 {
			return fmt.Errorf("%w: %s: NULL with content", ErrSyntax, n.label())
		}
	case kSlice:
		if !n.Constructed {
			return fmt.Errorf("%w: %s: SEQUENCE OF must be constructed", ErrSyntax, n.label())
		}
		s := reflect.MakeSlice(c.typ, len(n.Children), len(n.Children))
		for i, ch := range n.Children {
			if !c.elem.matches(ch) {
				return fmt.Errorf("%w: element %d: %s: want %s", ErrSyntax, i, ch.label(), c.elem.describe())
			}
			if err := decodeValue(c.elem, ch, s.Index(i), true); err != nil {
				return fmt.Errorf("element %d: %w", i, err)
			}
		}
		v.Set(s)
	case kSequence:
		return decodeSequence(c, n, v)
	default:
		return fmt.Errorf("cannot decode %s", c.typ)
	}
	return nil
}

func decodeSequence(c *codec, n *Node, v reflect.Value) error {
	if !n.Constructed {
		return fmt.Errorf("%w: %s: SEQUENCE must be constructed", ErrSyntax, n.label())
	}
	kids := n.Children
	i := 0
	for _, f := range c.fields {
		fv := v.FieldByIndex(f.index)
		if i < len(kids) && f.matches(kids[i]) {
			if err := decodeField(f, kids[i], fv); err != nil {
				return err
			}
			i++
			continue
		}
		switch {
		case f.optional:
			fv.SetZero()
		case f.hasDefault && fv.Kind() == reflect.Bool:
			fv.SetBool(f.defBool)
		case f.hasDefault:
			fv.SetInt(f.defInt)
		default:
			got := "end of " + n.label()
			if i < len(kids) {
				got = kids[i].label()
			}
			return fmt.Errorf("%w: %s: missing %s (found %s)", ErrSyntax, f.name, f.want(), got)
		}
	}
	if i < len(kids) {
		return fmt.Errorf("%w: %s: unexpected %s in %s", ErrSyntax, n.label(), kids[i].label(), c.typ)
	}
	return nil
}
