// Package ber reads and writes ASN.1 Basic Encoding Rules values as Z39.50 and
// ISO 10161 (ILL) use them: a tree of tag-length-value nodes, nothing more.
//
// The codec accepts definite and indefinite lengths, multi-octet tag numbers
// and constructed string encodings on input, and always writes definite
// lengths. Every size a peer controls is bounded by Limits: the total encoded
// size of one value and the nesting depth.
//
// It is written here rather than wrapping github.com/go-asn1-ber/asn1-ber
// because that package keeps its size limits in package-level variables
// (global mutable state shared by every user in the process), reads a stream
// through its own buffering, and has no notion of a nesting-depth limit.
// Framing one APDU off a stream without reading past it, with limits chosen
// per connection, is simpler to get right in a small codec of our own.
package ber

import (
	"errors"
	"fmt"
	"strings"
)

// Class is the class of a tag (bits 8-7 of the identifier octet).
type Class uint8

// Tag classes.
const (
	Universal   Class = 0
	Application Class = 1
	Context     Class = 2
	Private     Class = 3
)

func (c Class) String() string {
	switch c {
	case Universal:
		return "UNIVERSAL"
	case Application:
		return "APPLICATION"
	case Context:
		return "CONTEXT"
	default:
		return "PRIVATE"
	}
}

// Universal tag numbers used by Z39.50 and ILL.
const (
	TagEOC              = 0
	TagBoolean          = 1
	TagInteger          = 2
	TagBitString        = 3
	TagOctetString      = 4
	TagNull             = 5
	TagOID              = 6
	TagObjectDescriptor = 7
	TagExternal         = 8
	TagEnumerated       = 10
	TagUTF8String       = 12
	TagSequence         = 16
	TagSet              = 17
	TagPrintableString  = 19
	TagIA5String        = 22
	TagGeneralizedTime  = 24
	TagGraphicString    = 25
	TagVisibleString    = 26
	TagGeneralString    = 27
)

// Default limits, used where a Limits field is zero.
const (
	DefaultMaxSize  = 1 << 20 // 1 MiB
	DefaultMaxDepth = 64
)

// Limits bounds what a peer can make the decoder do. Zero fields take the
// defaults above.
type Limits struct {
	MaxSize  int // largest encoded value, header included, in bytes
	MaxDepth int // deepest nesting of constructed values; the outermost value is depth 1
}

func (l Limits) withDefaults() Limits {
	if l.MaxSize <= 0 {
		l.MaxSize = DefaultMaxSize
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// Errors reported by the decoder; test with errors.Is.
var (
	ErrTooLarge  = errors.New("ber: value exceeds size limit")
	ErrTooDeep   = errors.New("ber: value exceeds nesting limit")
	ErrTruncated = errors.New("ber: truncated value")
	ErrSyntax    = errors.New("ber: malformed value")
)

// Node is one decoded or to-be-encoded value. A primitive node carries its
// content octets in Value; a constructed node carries Children. Decoded
// nodes' Values alias the input buffer.
type Node struct {
	Class       Class
	Constructed bool
	Tag         int
	Value       []byte
	Children    []*Node
}

// Is reports whether n has the given class and tag number.
func (n *Node) Is(c Class, tag int) bool { return n != nil && n.Class == c && n.Tag == tag }

// Child returns the first direct child with the class and tag, or nil.
func (n *Node) Child(c Class, tag int) *Node {
	if n == nil {
		return nil
	}
	for _, ch := range n.Children {
		if ch.Class == c && ch.Tag == tag {
			return ch
		}
	}
	return nil
}

// Only returns the single child of an explicit tag wrapper, or an error when
// n is primitive or does not have exactly one child.
func (n *Node) Only() (*Node, error) {
	if n == nil || !n.Constructed || len(n.Children) != 1 {
		return nil, fmt.Errorf("%w: %s: want one wrapped value", ErrSyntax, n.label())
	}
	return n.Children[0], nil
}

func (n *Node) label() string {
	if n == nil {
		return "<nil>"
	}
	if n.Class == Context {
		return fmt.Sprintf("[%d]", n.Tag)
	}
	return fmt.Sprintf("[%s %d]", n.Class, n.Tag)
}

// String renders the tree on one line for logs and transcripts, e.g.
// "[22]{[13]0 [17]'1' ...}".
func (n *Node) String() string {
	var b strings.Builder
	n.render(&b)
	return b.String()
}

func (n *Node) render(b *strings.Builder) {
	if n == nil {
		b.WriteString("<nil>")
		return
	}
	b.WriteString(n.label())
	if n.Constructed {
		b.WriteByte('{')
		for i, c := range n.Children {
			if i > 0 {
				b.WriteByte(' ')
			}
			c.render(b)
		}
		b.WriteByte('}')
		return
	}
	if n.Class == Universal && n.Tag == TagOID {
		if o, err := n.OID(); err == nil {
			b.WriteString(string(o))
			return
		}
	}
	printable := len(n.Value) > 0
	for _, c := range n.Value {
		if c < 0x20 || c > 0x7e {
			printable = false
			break
		}
	}
	if printable {
		fmt.Fprintf(b, "'%s'", n.Value)
		return
	}
	if len(n.Value) <= 8 && len(n.Value) > 0 && (n.Tag != TagOctetString || n.Class != Universal) {
		if v, err := n.Int(); err == nil {
			fmt.Fprintf(b, "%d", v)
			return
		}
	}
	fmt.Fprintf(b, "%X", n.Value)
}
