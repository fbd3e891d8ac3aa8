package ber

import (
	"fmt"
	"strconv"
	"strings"
)

// Int decodes an INTEGER (or ENUMERATED) content of at most 8 octets.
func (n *Node) Int() (int64, error) {
	if n == nil || n.Constructed {
		return 0, fmt.Errorf("%w: %s: integer must be primitive", ErrSyntax, n.label())
	}
	v := n.Value
	if len(v) == 0 || len(v) > 8 {
		return 0, fmt.Errorf("%w: %s: integer of %d octets", ErrSyntax, n.label(), len(v))
	}
	x := int64(int8(v[0]))
	for _, c := range v[1:] {
		x = x<<8 | int64(c)
	}
	return x, nil
}

// IntValue is Int narrowed to int32 range, the range Z39.50 counts live in.
func (n *Node) IntValue() (int, error) {
	x, err := n.Int()
	if err != nil {
		return 0, err
	}
	if x > 1<<31-1 || x < -1<<31 {
		return 0, fmt.Errorf("%w: %s: integer %d out of range", ErrSyntax, n.label(), x)
	}
	return int(x), nil
}

// Bool decodes a BOOLEAN; any non-zero octet is TRUE.
func (n *Node) Bool() (bool, error) {
	if n == nil || n.Constructed || len(n.Value) != 1 {
		return false, fmt.Errorf("%w: %s: boolean must be one primitive octet", ErrSyntax, n.label())
	}
	return n.Value[0] != 0, nil
}

// Bytes returns the octets of a string-like value. A constructed encoding
// (segments) is concatenated.
func (n *Node) Bytes() ([]byte, error) {
	if n == nil {
		return nil, fmt.Errorf("%w: missing string", ErrSyntax)
	}
	if !n.Constructed {
		return n.Value, nil
	}
	var out []byte
	for _, c := range n.Children {
		b, err := c.Bytes()
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// Text returns a string value (VisibleString, GeneralString or any other
// string type; the caller decides the character set).
func (n *Node) Text() (string, error) {
	b, err := n.Bytes()
	return string(b), err
}

// OID is an OBJECT IDENTIFIER in dotted form, e.g. "1.2.840.10003.5.10".
// Being a string it is comparable, usable as a map key and as a constant.
type OID string

// Valid reports whether o is a well-formed OID of at least two arcs.
func (o OID) Valid() bool {
	_, err := o.appendContent(nil)
	return err == nil
}

// Arcs splits o into its arcs.
func (o OID) Arcs() ([]uint64, error) {
	if o == "" {
		return nil, fmt.Errorf("%w: empty OID", ErrSyntax)
	}
	parts := strings.Split(string(o), ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("%w: OID %q has fewer than two arcs", ErrSyntax, string(o))
	}
	arcs := make([]uint64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 63)
		if err != nil || p == "" || (len(p) > 1 && p[0] == '0') {
			return nil, fmt.Errorf("%w: OID %q: bad arc %q", ErrSyntax, string(o), p)
		}
		arcs[i] = v
	}
	if arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39) {
		return nil, fmt.Errorf("%w: OID %q: bad first arcs", ErrSyntax, string(o))
	}
	return arcs, nil
}

func (o OID) appendContent(dst []byte) ([]byte, error) {
	arcs, err := o.Arcs()
	if err != nil {
		return nil, err
	}
	if arcs[1] > 1<<62 {
		return nil, fmt.Errorf("%w: OID %q: arc too large", ErrSyntax, string(o))
	}
	dst = appendBase128(dst, arcs[0]*40+arcs[1])
	for _, a := range arcs[2:] {
		dst = appendBase128(dst, a)
	}
	return dst, nil
}

func appendBase128(dst []byte, v uint64) []byte {
	var tmp [10]byte
	k := len(tmp)
	for {
		k--
		tmp[k] = byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			break
		}
	}
	for j := k; j < len(tmp)-1; j++ {
		tmp[j] |= 0x80
	}
	return append(dst, tmp[k:]...)
}

// OID decodes an OBJECT IDENTIFIER.
func (n *Node) OID() (OID, error) {
	if n == nil || n.Constructed || len(n.Value) == 0 {
		return "", fmt.Errorf("%w: %s: bad OID encoding", ErrSyntax, n.label())
	}
	var b strings.Builder
	var v uint64
	first := true
	for i, c := range n.Value {
		if v == 0 && c == 0x80 {
			return "", fmt.Errorf("%w: %s: OID arc with leading zero group", ErrSyntax, n.label())
		}
		if v > 1<<56 {
			return "", fmt.Errorf("%w: %s: OID arc too large", ErrSyntax, n.label())
		}
		v = v<<7 | uint64(c&0x7f)
		if c&0x80 != 0 {
			if i == len(n.Value)-1 {
				return "", fmt.Errorf("%w: %s: OID ends inside an arc", ErrSyntax, n.label())
			}
			continue
		}
		if first {
			a1 := min(v/40, 2)
			b.WriteString(strconv.FormatUint(a1, 10))
			b.WriteByte('.')
			b.WriteString(strconv.FormatUint(v-40*a1, 10))
			first = false
		} else {
			b.WriteByte('.')
			b.WriteString(strconv.FormatUint(v, 10))
		}
		v = 0
	}
	return OID(b.String()), nil
}

// BitString is a BIT STRING. Bit 0 is the most significant bit of the first
// octet, as Z39.50 numbers its option and version bits.
type BitString struct {
	Bytes []byte
	Len   int // number of bits
}

// At reports bit i; bits past the end are 0.
func (b BitString) At(i int) bool {
	if i < 0 || i >= b.Len || i/8 >= len(b.Bytes) {
		return false
	}
	return b.Bytes[i/8]&(0x80>>(uint(i)%8)) != 0
}

// Set sets bit i, growing the string as needed.
func (b *BitString) Set(i int) {
	if i < 0 {
		return
	}
	for len(b.Bytes) <= i/8 {
		b.Bytes = append(b.Bytes, 0)
	}
	b.Bytes[i/8] |= 0x80 >> (uint(i) % 8)
	if i >= b.Len {
		b.Len = i + 1
	}
}

// Bits builds a BitString with the given bits set.
func Bits(set ...int) BitString {
	var b BitString
	for _, i := range set {
		b.Set(i)
	}
	return b
}

func (b BitString) content() []byte {
	nbytes := (b.Len + 7) / 8
	out := make([]byte, 1+nbytes)
	out[0] = byte(nbytes*8 - b.Len)
	copy(out[1:], b.Bytes)
	if unused := out[0]; nbytes > 0 && unused > 0 {
		out[nbytes] &= 0xff << unused
	}
	return out
}

// BitString decodes a BIT STRING (primitive form).
func (n *Node) BitString() (BitString, error) {
	v, err := n.Bytes()
	if err != nil {
		return BitString{}, err
	}
	if len(v) == 0 || v[0] > 7 || (len(v) == 1 && v[0] != 0) {
		return BitString{}, fmt.Errorf("%w: %s: bad bit string", ErrSyntax, n.label())
	}
	return BitString{Bytes: v[1:], Len: (len(v)-1)*8 - int(v[0])}, nil
}
