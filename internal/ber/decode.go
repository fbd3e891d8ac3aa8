package ber

import (
	"bufio"
	"fmt"
	"io"
)

// maxTagOctets bounds the base-128 groups of a high tag number (28 bits).
const maxTagOctets = 4

// Parse decodes the first value in b and returns it with the number of bytes
// it occupied. Trailing bytes are left alone.
func Parse(b []byte, lim Limits) (*Node, int, error) {
	lim = lim.withDefaults()
	if len(b) > lim.MaxSize {
		b = b[:lim.MaxSize+1] // enough to detect an oversized value
	}
	d := decoder{buf: b, lim: lim}
	n, err := d.node(1)
	if err != nil {
		return nil, 0, err
	}
	if d.pos > lim.MaxSize {
		return nil, 0, fmt.Errorf("%w: %d bytes > %d", ErrTooLarge, d.pos, lim.MaxSize)
	}
	return n, d.pos, nil
}

// Unmarshal decodes exactly one value filling b.
func Unmarshal(b []byte, lim Limits) (*Node, error) {
	n, used, err := Parse(b, lim)
	if err != nil {
		return nil, err
	}
	if used != len(b) {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrSyntax, len(b)-used)
	}
	return n, nil
}

type decoder struct {
	buf []byte
	pos int
	lim Limits
}

func (d *decoder) node(depth int) (*Node, error) {
	if depth > d.lim.MaxDepth {
		return nil, fmt.Errorf("%w: depth %d at offset %d", ErrTooDeep, depth, d.pos)
	}
	start := d.pos
	class, constructed, tag, n, err := parseIdentifier(d.buf[d.pos:])
	if err != nil {
		return nil, fmt.Errorf("%w at offset %d", err, start)
	}
	d.pos += n
	length, n, err := parseLength(d.buf[d.pos:])
	if err != nil {
		return nil, fmt.Errorf("%w at offset %d", err, d.pos)
	}
	d.pos += n
	node := &Node{Class: class, Constructed: constructed, Tag: tag}
	if class == Universal && tag == TagEOC {
		return nil, fmt.Errorf("%w: unexpected end-of-contents at offset %d", ErrSyntax, start)
	}
	if length < 0 { // indefinite
		if !constructed {
			return nil, fmt.Errorf("%w: indefinite length on primitive value at offset %d", ErrSyntax, start)
		}
		for {
			if d.pos+2 > len(d.buf) {
				return nil, fmt.Errorf("%w: no end-of-contents for value at offset %d", ErrTruncated, start)
			}
			if d.buf[d.pos] == 0 && d.buf[d.pos+1] == 0 {
				d.pos += 2
				return node, nil
			}
			c, err := d.node(depth + 1)
			if err != nil {
				return nil, err
			}
			node.Children = append(node.Children, c)
		}
	}
	if length > len(d.buf)-d.pos {
		if d.pos+length > d.lim.MaxSize {
			return nil, fmt.Errorf("%w: length %d at offset %d", ErrTooLarge, length, start)
		}
		return nil, fmt.Errorf("%w: length %d at offset %d, %d bytes left", ErrTruncated, length, start, len(d.buf)-d.pos)
	}
	end := d.pos + length
	if !constructed {
		node.Value = d.buf[d.pos:end:end]
		d.pos = end
		return node, nil
	}
	sub := decoder{buf: d.buf[:end], pos: d.pos, lim: d.lim}
	for sub.pos < end {
		c, err := sub.node(depth + 1)
		if err != nil {
			return nil, err
		}
		node.Children = append(node.Children, c)
	}
	d.pos = end
	return node, nil
}

// parseIdentifier decodes the identifier octets at the start of b.
func parseIdentifier(b []byte) (class Class, constructed bool, tag int, n int, err error) {
	if len(b) < 1 {
		return 0, false, 0, 0, ErrTruncated
	}
	class = Class(b[0] >> 6)
	constructed = b[0]&0x20 != 0
	tag = int(b[0] & 0x1f)
	n = 1
	if tag != 0x1f {
		return class, constructed, tag, n, nil
	}
	tag = 0
	for i := 0; ; i++ {
		if i >= maxTagOctets {
			return 0, false, 0, 0, fmt.Errorf("%w: tag number too long", ErrSyntax)
		}
		if n >= len(b) {
			return 0, false, 0, 0, ErrTruncated
		}
		c := b[n]
		n++
		if i == 0 && c == 0x80 {
			return 0, false, 0, 0, fmt.Errorf("%w: tag number with leading zero group", ErrSyntax)
		}
		tag = tag<<7 | int(c&0x7f)
		if c&0x80 == 0 {
			break
		}
	}
	return class, constructed, tag, n, nil
}

// parseLength decodes length octets; -1 means indefinite.
func parseLength(b []byte) (length int, n int, err error) {
	if len(b) < 1 {
		return 0, 0, ErrTruncated
	}
	c := b[0]
	switch {
	case c < 0x80:
		return int(c), 1, nil
	case c == 0x80:
		return -1, 1, nil
	case c == 0xff:
		return 0, 0, fmt.Errorf("%w: reserved length octet", ErrSyntax)
	}
	k := int(c & 0x7f)
	if k > 4 {
		return 0, 0, fmt.Errorf("%w: %d length octets", ErrTooLarge, k)
	}
	if len(b) < 1+k {
		return 0, 0, ErrTruncated
	}
	for _, x := range b[1 : 1+k] {
		length = length<<8 | int(x)
	}
	if length < 0 || length > 1<<31-1 {
		return 0, 0, fmt.Errorf("%w: length overflow", ErrTooLarge)
	}
	return length, 1 + k, nil
}

// Reader frames BER values off a byte stream: each call reads exactly one
// complete value and nothing after it, so the bytes of the next value stay
// in the underlying bufio.Reader.
type Reader struct {
	br  *bufio.Reader
	lim Limits
	buf []byte
}

// NewReader returns a Reader. If r is already a *bufio.Reader it is used as
// is, so a caller can Peek at the stream before handing it over.
func NewReader(r io.Reader, lim Limits) *Reader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(r)
	}
	return &Reader{br: br, lim: lim.withDefaults()}
}

// ReadRaw returns the encoding of the next value. The slice is the caller's;
// the Reader does not reuse it. A clean end of stream before the first octet
// is io.EOF; an end inside a value is io.ErrUnexpectedEOF.
func (r *Reader) ReadRaw() ([]byte, error) {
	r.buf = nil
	if err := r.tlv(1); err != nil {
		if err == io.EOF && len(r.buf) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	out := r.buf
	r.buf = nil
	return out, nil
}

// Read decodes the next value.
func (r *Reader) Read() (*Node, error) {
	raw, err := r.ReadRaw()
	if err != nil {
		return nil, err
	}
	return Unmarshal(raw, r.lim)
}

func (r *Reader) byte() (byte, error) {
	c, err := r.br.ReadByte()
	if err != nil {
		return 0, err
	}
	if len(r.buf) >= r.lim.MaxSize {
		return 0, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, r.lim.MaxSize)
	}
	r.buf = append(r.buf, c)
	return c, nil
}

func (r *Reader) tlv(depth int) error {
	if depth > r.lim.MaxDepth {
		return fmt.Errorf("%w: depth %d", ErrTooDeep, depth)
	}
	first, err := r.byte()
	if err != nil {
		return err
	}
	constructed := first&0x20 != 0
	if first&0x1f == 0x1f {
		for i := 0; ; i++ {
			if i >= maxTagOctets {
				return fmt.Errorf("%w: tag number too long", ErrSyntax)
			}
			c, err := r.byte()
			if err != nil {
				return eof(err)
			}
			if c&0x80 == 0 {
				break
			}
		}
	}
	l, err := r.byte()
	if err != nil {
		return eof(err)
	}
	var length int
	switch {
	case l < 0x80:
		length = int(l)
	case l == 0x80:
		if !constructed {
			return fmt.Errorf("%w: indefinite length on primitive value", ErrSyntax)
		}
		for {
			p, err := r.br.Peek(2)
			if err != nil {
				return eof(err)
			}
			if p[0] == 0 && p[1] == 0 {
				if _, err := r.byte(); err != nil {
					return eof(err)
				}
				if _, err := r.byte(); err != nil {
					return eof(err)
				}
				return nil
			}
			if err := r.tlv(depth + 1); err != nil {
				return eof(err)
			}
		}
	case l == 0xff:
		return fmt.Errorf("%w: reserved length octet", ErrSyntax)
	default:
		k := int(l & 0x7f)
		if k > 4 {
			return fmt.Errorf("%w: %d length octets", ErrTooLarge, k)
		}
		for range k {
			c, err := r.byte()
			if err != nil {
				return eof(err)
			}
			length = length<<8 | int(c)
		}
	}
	if length > r.lim.MaxSize-len(r.buf) {
		return fmt.Errorf("%w: value of %d bytes", ErrTooLarge, length)
	}
	return r.content(length)
}

// content appends the next length octets to r.buf. The buffer grows with
// the octets that have arrived, never ahead of them by more than it holds
// already: a peer that claims a megabyte and sends ten bytes costs ten
// bytes, not a megabyte.
func (r *Reader) content(length int) error {
	want := len(r.buf) + length
	for len(r.buf) < want {
		if len(r.buf) == cap(r.buf) {
			grown := min(max(2*cap(r.buf), 512), want)
			r.buf = append(r.buf[:cap(r.buf)], make([]byte, grown-cap(r.buf))...)[:len(r.buf)]
		}
		n, err := r.br.Read(r.buf[len(r.buf):min(cap(r.buf), want)])
		r.buf = r.buf[:len(r.buf)+n]
		if err != nil && len(r.buf) < want {
			return eof(err)
		}
	}
	return nil
}

func eof(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
