package z3950

import (
	"errors"
	"fmt"

	"github.com/bibgate/bibgate/internal/ber"
)

var errShape = errors.New("unexpected structure")

// PDU is one Z39.50 APDU.
type PDU interface {
	// Tag is the APDU's tag in the PDU CHOICE (20 initRequest ... 48 close).
	Tag() int
	// RefID is the referenceId, echoed verbatim in the response.
	RefID() []byte
	node(v2 bool) *ber.Node
}

// PDU tags.
const (
	TagInitRequest      = 20
	TagInitResponse     = 21
	TagSearchRequest    = 22
	TagSearchResponse   = 23
	TagPresentRequest   = 24
	TagPresentResponse  = 25
	TagDeleteRequest    = 26
	TagDeleteResponse   = 27
	TagScanRequest      = 35
	TagScanResponse     = 36
	TagSortRequest      = 43
	TagSortResponse     = 44
	TagExtendedServices = 46
	TagClose            = 48
)

// PDUName names an APDU tag for logs and metrics.
func PDUName(tag int) string {
	switch tag {
	case TagInitRequest:
		return "initRequest"
	case TagInitResponse:
		return "initResponse"
	case TagSearchRequest:
		return "searchRequest"
	case TagSearchResponse:
		return "searchResponse"
	case TagPresentRequest:
		return "presentRequest"
	case TagPresentResponse:
		return "presentResponse"
	case TagDeleteRequest:
		return "deleteResultSetRequest"
	case TagDeleteResponse:
		return "deleteResultSetResponse"
	case TagScanRequest:
		return "scanRequest"
	case TagScanResponse:
		return "scanResponse"
	case TagSortRequest:
		return "sortRequest"
	case TagSortResponse:
		return "sortResponse"
	case TagClose:
		return "close"
	default:
		return fmt.Sprintf("pdu%d", tag)
	}
}

// Marshal encodes p for a version 3 association.
func Marshal(p PDU) []byte { return ber.Marshal(p.node(false)) }

// AppendPDU appends p's encoding to dst. version is the negotiated protocol
// version (2 or 3); it only changes how diagnostic addinfo is typed.
func AppendPDU(dst []byte, p PDU, version int) []byte {
	return ber.Append(dst, p.node(version == 2))
}

// Node returns p's BER tree.
func Node(p PDU) *ber.Node { return p.node(false) }

// Unmarshal decodes one APDU filling raw.
func Unmarshal(raw []byte, lim ber.Limits) (PDU, error) {
	n, err := ber.Unmarshal(raw, lim)
	if err != nil {
		return nil, fmt.Errorf("z3950: %w", err)
	}
	return Decode(n)
}

// UnsupportedPDU is an APDU this package does not model (access and
// resource control, segments, extended services, duplicate detection).
type UnsupportedPDU struct {
	PDUTag      int
	ReferenceID []byte
}

func (u *UnsupportedPDU) Tag() int      { return u.PDUTag }
func (u *UnsupportedPDU) RefID() []byte { return u.ReferenceID }
func (u *UnsupportedPDU) node(bool) *ber.Node {
	return ber.NewConstructed(ber.Context, u.PDUTag, optOctets(2, u.ReferenceID))
}

// Decode decodes an APDU from its BER tree.
func Decode(n *ber.Node) (PDU, error) {
	if n.Class != ber.Context || !n.Constructed {
		return nil, fmt.Errorf("z3950: not an APDU: %s", tagLabel(n))
	}
	var (
		p   PDU
		err error
	)
	switch n.Tag {
	case TagInitRequest:
		p, err = decodeInitRequest(n)
	case TagInitResponse:
		p, err = decodeInitResponse(n)
	case TagSearchRequest:
		p, err = decodeSearchRequest(n)
	case TagSearchResponse:
		p, err = decodeSearchResponse(n)
	case TagPresentRequest:
		p, err = decodePresentRequest(n)
	case TagPresentResponse:
		p, err = decodePresentResponse(n)
	case TagDeleteRequest:
		p, err = decodeDeleteRequest(n)
	case TagDeleteResponse:
		p, err = decodeDeleteResponse(n)
	case TagScanRequest:
		p, err = decodeScanRequest(n)
	case TagScanResponse:
		p, err = decodeScanResponse(n)
	case TagSortRequest:
		p, err = decodeSortRequest(n)
	case TagSortResponse:
		p, err = decodeSortResponse(n)
	case TagClose:
		p, err = decodeClose(n)
	default:
		if n.Tag < TagInitRequest || n.Tag > 50 {
			return nil, fmt.Errorf("z3950: unknown APDU tag [%d]", n.Tag)
		}
		u := &UnsupportedPDU{PDUTag: n.Tag}
		if r := n.Child(ber.Context, 2); r != nil {
			u.ReferenceID, _ = r.Bytes()
		}
		return u, nil
	}
	if err != nil {
		return nil, fmt.Errorf("z3950: %s: %w", PDUName(n.Tag), err)
	}
	return p, nil
}

func tagLabel(n *ber.Node) string {
	if n == nil {
		return "<missing>"
	}
	if n.Class == ber.Context {
		return fmt.Sprintf("[%d]", n.Tag)
	}
	return fmt.Sprintf("[%s %d]", n.Class, n.Tag)
}

// Encoding helpers. Nil results are skipped by ber.NewConstructed, so
// optional fields are written as opt*(...) calls.

func ctxInt(tag int, v int) *ber.Node   { return ber.NewInt(ber.Context, tag, int64(v)) }
func ctxBool(tag int, v bool) *ber.Node { return ber.NewBool(ber.Context, tag, v) }
func ctxStr(tag int, s string) *ber.Node {
	return ber.NewString(ber.Context, tag, s)
}
func ctxNull(tag int) *ber.Node { return ber.NewNull(ber.Context, tag) }

func optStr(tag int, s string) *ber.Node {
	if s == "" {
		return nil
	}
	return ctxStr(tag, s)
}

func optOctets(tag int, b []byte) *ber.Node {
	if b == nil {
		return nil
	}
	return ber.NewPrimitive(ber.Context, tag, b)
}

func optInt(tag int, v *int) *ber.Node {
	if v == nil {
		return nil
	}
	return ctxInt(tag, *v)
}

func optBool(tag int, v *bool) *ber.Node {
	if v == nil {
		return nil
	}
	return ctxBool(tag, *v)
}

func optOID(tag int, o ber.OID) *ber.Node {
	if o == "" {
		return nil
	}
	return ber.NewOID(ber.Context, tag, o)
}

func explicit(tag int, n *ber.Node) *ber.Node {
	if n == nil {
		return nil
	}
	return ber.NewConstructed(ber.Context, tag, n)
}

// IntPtr and BoolPtr help fill optional fields.
func IntPtr(v int) *int { return &v }

// BoolPtr returns a pointer to v.
func BoolPtr(v bool) *bool { return &v }

// Decoding helpers: collect errors from typed accessors.
type fields struct{ err error }

func (f *fields) int(n *ber.Node, name string) int {
	v, err := n.IntValue()
	if err != nil && f.err == nil {
		f.err = fmt.Errorf("%s: %w", name, err)
	}
	return v
}

func (f *fields) intp(n *ber.Node, name string) *int {
	v := f.int(n, name)
	return &v
}

func (f *fields) bool(n *ber.Node, name string) bool {
	v, err := n.Bool()
	if err != nil && f.err == nil {
		f.err = fmt.Errorf("%s: %w", name, err)
	}
	return v
}

func (f *fields) str(n *ber.Node, name string) string {
	v, err := n.Text()
	if err != nil && f.err == nil {
		f.err = fmt.Errorf("%s: %w", name, err)
	}
	return v
}

func (f *fields) bytes(n *ber.Node, name string) []byte {
	v, err := n.Bytes()
	if err != nil && f.err == nil {
		f.err = fmt.Errorf("%s: %w", name, err)
	}
	return v
}

func (f *fields) oid(n *ber.Node, name string) ber.OID {
	v, err := n.OID()
	if err != nil && f.err == nil {
		f.err = fmt.Errorf("%s: %w", name, err)
	}
	return v
}

func (f *fields) bits(n *ber.Node, name string) ber.BitString {
	v, err := n.BitString()
	if err != nil && f.err == nil {
		f.err = fmt.Errorf("%s: %w", name, err)
	}
	return v
}

func (f *fields) fail(format string, args ...any) {
	if f.err == nil {
		f.err = fmt.Errorf(format, args...)
	}
}

func (f *fields) external(n *ber.Node, name string) *ber.External {
	e, err := ber.ParseExternal(n)
	if err != nil && f.err == nil {
		f.err = fmt.Errorf("%s: %w", name, err)
	}
	return e
}

// only returns the single child of an explicit wrapper, recording an error.
func (f *fields) only(n *ber.Node, name string) *ber.Node {
	c, err := n.Only()
	if err != nil && f.err == nil {
		f.err = fmt.Errorf("%s: %w", name, err)
	}
	return c
}

func isCtx(n *ber.Node, tag int) bool { return n.Class == ber.Context && n.Tag == tag }

// stringList decodes a SEQUENCE OF strings.
func (f *fields) stringList(n *ber.Node, name string) []string {
	if !n.Constructed {
		f.fail("%s: %w", name, errShape)
		return nil
	}
	out := make([]string, 0, len(n.Children))
	for _, c := range n.Children {
		out = append(out, f.str(c, name))
	}
	return out
}

func stringListNode(c ber.Class, tag int, elemTag int, list []string) *ber.Node {
	n := ber.NewConstructed(c, tag)
	for _, s := range list {
		n.Children = append(n.Children, ctxStr(elemTag, s))
	}
	return n
}

// universalStrings encodes a [tag] IMPLICIT SEQUENCE OF InternationalString.
func universalStrings(tag int, list []string) *ber.Node {
	n := ber.NewConstructed(ber.Context, tag)
	for _, s := range list {
		n.Children = append(n.Children, ber.NewString(ber.Universal, ber.TagGeneralString, s))
	}
	return n
}
