package ber

import "fmt"

// Encoding says which arm of EXTERNAL's encoding CHOICE carries the data.
type Encoding int

// EXTERNAL encodings.
const (
	SingleASN1Type Encoding = iota // [0] explicit: one ASN.1 value (SUTRS, OPAC, Diag-1, CQL)
	OctetAligned                   // [1] IMPLICIT OCTET STRING (ISO 2709, XML)
	Arbitrary                      // [2] IMPLICIT BIT STRING
)

// External is the ASN.1 EXTERNAL type (X.208): a value tagged by the OID of
// its abstract syntax.
type External struct {
	DirectReference   OID    // empty when absent
	IndirectReference *int64 // nil when absent
	Descriptor        string // data-value-descriptor, empty when absent
	Encoding          Encoding
	Single            *Node     // SingleASN1Type: the wrapped value
	Octets            []byte    // OctetAligned
	Bits              BitString // Arbitrary
}

// NewOctetExternal returns an octet-aligned EXTERNAL.
func NewOctetExternal(ref OID, data []byte) *External {
	return &External{DirectReference: ref, Encoding: OctetAligned, Octets: data}
}

// NewSingleExternal returns a single-ASN1-type EXTERNAL.
func NewSingleExternal(ref OID, v *Node) *External {
	return &External{DirectReference: ref, Encoding: SingleASN1Type, Single: v}
}

// Node encodes e with the given tag: Universal/TagExternal for a plain
// EXTERNAL, or a context tag where the EXTERNAL is implicitly tagged.
func (e *External) Node(c Class, tag int) *Node {
	n := NewConstructed(c, tag)
	if e.DirectReference != "" {
		n.Children = append(n.Children, NewOID(Universal, TagOID, e.DirectReference))
	}
	if e.IndirectReference != nil {
		n.Children = append(n.Children, NewInt(Universal, TagInteger, *e.IndirectReference))
	}
	if e.Descriptor != "" {
		n.Children = append(n.Children, NewString(Universal, TagObjectDescriptor, e.Descriptor))
	}
	switch e.Encoding {
	case SingleASN1Type:
		n.Children = append(n.Children, NewConstructed(Context, 0, e.Single))
	case OctetAligned:
		n.Children = append(n.Children, NewPrimitive(Context, 1, e.Octets))
	case Arbitrary:
		n.Children = append(n.Children, NewBitString(Context, 2, e.Bits))
	}
	return n
}

// ParseExternal decodes an EXTERNAL whatever its outer tag.
func ParseExternal(n *Node) (*External, error) {
	if n == nil || !n.Constructed {
		return nil, fmt.Errorf("%w: %s: EXTERNAL must be constructed", ErrSyntax, n.label())
	}
	e := &External{}
	kids := n.Children
	var err error
	if len(kids) > 0 && kids[0].Is(Universal, TagOID) {
		if e.DirectReference, err = kids[0].OID(); err != nil {
			return nil, err
		}
		kids = kids[1:]
	}
	if len(kids) > 0 && kids[0].Is(Universal, TagInteger) {
		v, err := kids[0].Int()
		if err != nil {
			return nil, err
		}
		e.IndirectReference = &v
		kids = kids[1:]
	}
	if len(kids) > 0 && kids[0].Is(Universal, TagObjectDescriptor) {
		if e.Descriptor, err = kids[0].Text(); err != nil {
			return nil, err
		}
		kids = kids[1:]
	}
	if len(kids) != 1 || kids[0].Class != Context {
		return nil, fmt.Errorf("%w: %s: EXTERNAL needs exactly one encoding", ErrSyntax, n.label())
	}
	enc := kids[0]
	switch enc.Tag {
	case 0:
		e.Encoding = SingleASN1Type
		if e.Single, err = enc.Only(); err != nil {
			return nil, err
		}
	case 1:
		e.Encoding = OctetAligned
		if e.Octets, err = enc.Bytes(); err != nil {
			return nil, err
		}
	case 2:
		e.Encoding = Arbitrary
		if e.Bits, err = enc.BitString(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: EXTERNAL encoding [%d]", ErrSyntax, enc.Tag)
	}
	return e, nil
}
