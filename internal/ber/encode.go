package ber

// Marshal encodes n with definite lengths.
func Marshal(n *Node) []byte {
	return Append(nil, n)
}

// Append appends the definite-length encoding of n to dst.
func Append(dst []byte, n *Node) []byte {
	var lens []int
	contentLens(n, &lens)
	i := 0
	return appendNode(dst, n, lens, &i)
}

// EncodedLen returns the size of n's definite-length encoding.
func EncodedLen(n *Node) int {
	var lens []int
	c := contentLens(n, &lens)
	return headerLen(n.Tag, c) + c
}

// contentLens records the content length of every node in pre-order and
// returns n's content length. Lengths live outside the nodes so a shared
// tree (a cached record) can be encoded from several goroutines at once.
func contentLens(n *Node, lens *[]int) int {
	idx := len(*lens)
	*lens = append(*lens, 0)
	total := 0
	if n.Constructed {
		for _, c := range n.Children {
			cl := contentLens(c, lens)
			total += headerLen(c.Tag, cl) + cl
		}
	} else {
		total = len(n.Value)
	}
	(*lens)[idx] = total
	return total
}

func appendNode(dst []byte, n *Node, lens []int, i *int) []byte {
	l := lens[*i]
	*i++
	dst = appendIdentifier(dst, n.Class, n.Constructed, n.Tag)
	dst = appendLength(dst, l)
	if !n.Constructed {
		return append(dst, n.Value...)
	}
	for _, c := range n.Children {
		dst = appendNode(dst, c, lens, i)
	}
	return dst
}

func headerLen(tag, length int) int {
	n := 2
	if tag >= 31 {
		for t := tag; t > 0; t >>= 7 {
			n++
		}
	}
	if length >= 0x80 {
		for l := length; l > 0; l >>= 8 {
			n++
		}
	}
	return n
}

func appendIdentifier(dst []byte, c Class, constructed bool, tag int) []byte {
	b := byte(c) << 6
	if constructed {
		b |= 0x20
	}
	if tag < 31 {
		return append(dst, b|byte(tag))
	}
	dst = append(dst, b|0x1f)
	var groups [5]byte
	k := len(groups)
	for t := tag; ; {
		k--
		groups[k] = byte(t & 0x7f)
		t >>= 7
		if t == 0 {
			break
		}
	}
	for j := k; j < len(groups)-1; j++ {
		groups[j] |= 0x80
	}
	return append(dst, groups[k:]...)
}

func appendLength(dst []byte, l int) []byte {
	if l < 0x80 {
		return append(dst, byte(l))
	}
	var tmp [8]byte
	k := len(tmp)
	for x := l; x > 0; x >>= 8 {
		k--
		tmp[k] = byte(x)
	}
	dst = append(dst, 0x80|byte(len(tmp)-k))
	return append(dst, tmp[k:]...)
}

// Constructors. Each builds a node with the given class and tag; pass
// Universal and the matching Tag constant for an untagged value.

// NewConstructed returns a constructed node holding children (nil children
// are skipped, which keeps OPTIONAL fields easy to build).
func NewConstructed(c Class, tag int, children ...*Node) *Node {
	n := &Node{Class: c, Constructed: true, Tag: tag}
	for _, ch := range children {
		if ch != nil {
			n.Children = append(n.Children, ch)
		}
	}
	return n
}

// NewSequence returns a universal SEQUENCE of children.
func NewSequence(children ...*Node) *Node { return NewConstructed(Universal, TagSequence, children...) }

// NewPrimitive returns a primitive node with the content octets v.
func NewPrimitive(c Class, tag int, v []byte) *Node {
	return &Node{Class: c, Tag: tag, Value: v}
}

// NewInt returns an INTEGER in minimal two's-complement form.
func NewInt(c Class, tag int, v int64) *Node {
	return NewPrimitive(c, tag, AppendIntContent(nil, v))
}

// AppendIntContent appends the minimal two's-complement octets of v.
func AppendIntContent(dst []byte, v int64) []byte {
	n := 1
	for x := v; x > 127 || x < -128; x >>= 8 {
		n++
	}
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*uint(i))))
	}
	return dst
}

// NewBool returns a BOOLEAN. TRUE is written as 0x01, as YAZ writes it, so
// our APDUs match captures of YAZ servers byte for byte.
func NewBool(c Class, tag int, v bool) *Node {
	if v {
		return NewPrimitive(c, tag, []byte{1})
	}
	return NewPrimitive(c, tag, []byte{0})
}

// NewString returns a primitive string node holding s's bytes.
func NewString(c Class, tag int, s string) *Node { return NewPrimitive(c, tag, []byte(s)) }

// NewNull returns a NULL.
func NewNull(c Class, tag int) *Node { return NewPrimitive(c, tag, nil) }

// NewOID returns an OBJECT IDENTIFIER, or nil if o is not a valid OID.
func NewOID(c Class, tag int, o OID) *Node {
	v, err := o.appendContent(nil)
	if err != nil {
		return nil
	}
	return NewPrimitive(c, tag, v)
}

// NewBitString returns a BIT STRING.
func NewBitString(c Class, tag int, b BitString) *Node {
	return NewPrimitive(c, tag, b.content())
}
