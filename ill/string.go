package ill

import (
	"fmt"
	"unicode/utf8"

	"github.com/bibgate/bibgate/internal/ber"
)

// String is an ILL-String. It is written as a GeneralString holding UTF-8
// and read from a GeneralString or an EDIFACTString (VisibleString).
type String string

// Str returns a pointer to s as a String, for optional fields.
func Str(s string) *String { v := String(s); return &v }

// MarshalBER implements ber.Marshaler.
func (s String) MarshalBER() (*ber.Node, error) {
	return ber.NewString(ber.Universal, ber.TagGeneralString, string(s)), nil
}

// UnmarshalBER implements ber.Unmarshaler. Octets that are not valid UTF-8
// are taken as ISO-8859-1, the usual alternative among ILL systems.
func (s *String) UnmarshalBER(n *ber.Node) error {
	if n.Class != ber.Universal || (n.Tag != ber.TagGeneralString && n.Tag != ber.TagVisibleString) {
		return fmt.Errorf("%w: ILL-String is %s, want GeneralString or VisibleString", ber.ErrSyntax, n.String())
	}
	b, err := n.Bytes()
	if err != nil {
		return err
	}
	if utf8.Valid(b) {
		*s = String(b)
		return nil
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	*s = String(r)
	return nil
}

// Latin1 reports whether any ILL-String in the encoded APDU b is not valid
// UTF-8, and so was read as ISO-8859-1: a server logs this as a warning
// about the peer's character set.
func Latin1(b []byte) bool {
	n, err := ber.Unmarshal(b, ber.Limits{})
	if err != nil {
		return false
	}
	return latin1(n)
}

func latin1(n *ber.Node) bool {
	if n.Class == ber.Universal && (n.Tag == ber.TagGeneralString || n.Tag == ber.TagVisibleString) {
		b, err := n.Bytes()
		return err == nil && !utf8.Valid(b)
	}
	for _, c := range n.Children {
		if latin1(c) {
			return true
		}
	}
	return false
}
