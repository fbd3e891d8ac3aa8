package ill

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/bibgate/bibgate/internal/ber"
)

// schemas maps each APDU type to its compiled description: index = the
// APPLICATION tag. It is built once and never changed.
var schemas = compileAll()

// headerSchema reads just the common header of an APDU that failed to
// decode, so the error report can echo its transaction-id.
var headerSchema = ber.MustCompile(Header{}, "")

func compileAll() [21]*ber.Schema {
	var s [21]*ber.Schema
	for t := TypeRequest; t <= TypeExpired; t++ {
		s[t] = ber.MustCompile(New(t), "application,"+strconv.Itoa(int(t))+",explicit")
	}
	return s
}

// New returns a new, empty APDU of type t, or nil for an unknown type.
func New(t Type) APDU {
	switch t {
	case TypeRequest:
		return &Request{}
	case TypeForwardNotification:
		return &ForwardNotification{}
	case TypeShipped:
		return &Shipped{}
	case TypeAnswer:
		return &Answer{}
	case TypeConditionalReply:
		return &ConditionalReply{}
	case TypeCancel:
		return &Cancel{}
	case TypeCancelReply:
		return &CancelReply{}
	case TypeReceived:
		return &Received{}
	case TypeRecall:
		return &Recall{}
	case TypeReturned:
		return &Returned{}
	case TypeCheckedIn:
		return &CheckedIn{}
	case TypeOverdue:
		return &Overdue{}
	case TypeRenew:
		return &Renew{}
	case TypeRenewAnswer:
		return &RenewAnswer{}
	case TypeLost:
		return &Lost{}
	case TypeDamaged:
		return &Damaged{}
	case TypeMessage:
		return &Message{}
	case TypeStatusQuery:
		return &StatusQuery{}
	case TypeStatusOrErrorReport:
		return &StatusOrErrorReport{}
	case TypeExpired:
		return &Expired{}
	}
	return nil
}

// DecodeError is why an APDU could not be decoded, with what a server needs
// to answer it with a Status-Or-Error-Report.
type DecodeError struct {
	// Problem is the general-problem code to report: unrecognized-APDU
	// for an unknown APPLICATION tag, badly-structured-APDU for input that
	// is not BER, mistyped-APDU for BER that does not fit the APDU.
	Problem GeneralProblem
	Type    Type    // the APDU type, 0 when not recognised
	Header  *Header // the header if it could be read, else nil
	Err     error
}

func (e *DecodeError) Error() string {
	what := "ILL APDU"
	if e.Type != 0 {
		what = e.Type.String()
	}
	return fmt.Sprintf("ill: decode %s: %v", what, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Decoder decodes APDUs within limits chosen per connection.
type Decoder struct {
	Limits ber.Limits
}

// Decode decodes one APDU filling b; see Decoder.Decode.
func Decode(b []byte) (APDU, error) { return Decoder{}.Decode(b) }

// Decode decodes one APDU filling b. The APDU does not alias b. Any failure
// is a *DecodeError. The protocol version is not checked here: see
// Header.CheckVersion.
func (d Decoder) Decode(b []byte) (APDU, error) {
	b = bytes.Clone(b) // extension items are kept as subtrees of the input
	n, err := ber.Unmarshal(b, d.Limits)
	if err != nil {
		return nil, &DecodeError{Problem: BadlyStructuredAPDU, Err: err}
	}
	return d.DecodeNode(n)
}

// DecodeNode decodes an APDU from its BER tree (as framed off a stream).
// The APDU may share n's subtrees in its extension items.
func (d Decoder) DecodeNode(n *ber.Node) (APDU, error) {
	t := Type(n.Tag)
	if n.Class != ber.Application || t < TypeRequest || t > TypeExpired {
		return nil, &DecodeError{Problem: UnrecognizedAPDU,
			Err: fmt.Errorf("%w: [%s %d] is not an ILL APDU", ber.ErrSyntax, n.Class, n.Tag)}
	}
	a := New(t)
	if err := schemas[t].Decode(n, a); err != nil {
		return nil, &DecodeError{Problem: MistypedAPDU, Type: t, Header: partialHeader(n), Err: err}
	}
	if err := validate(a); err != nil {
		return nil, &DecodeError{Problem: MistypedAPDU, Type: t, Header: a.Head(), Err: err}
	}
	return a, nil
}

// partialHeader decodes the header fields of a malformed APDU, or nil.
func partialHeader(n *ber.Node) *Header {
	if !n.Constructed || len(n.Children) != 1 || !n.Children[0].Constructed {
		return nil
	}
	seq := &ber.Node{Class: ber.Universal, Tag: ber.TagSequence, Constructed: true}
	for _, c := range n.Children[0].Children {
		if c.Class == ber.Context && c.Tag <= 4 {
			seq.Children = append(seq.Children, c)
		}
	}
	var h Header
	if headerSchema.Decode(seq, &h) != nil {
		return nil
	}
	return &h
}

// validate checks what the tags cannot say.
func validate(a APDU) error {
	if f, ok := a.(*ForwardNotification); ok && f.ResponderID == nil {
		return fmt.Errorf("%w: Forward-Notification without responder-id [4]", ber.ErrSyntax)
	}
	return nil
}

// ErrVersion is returned by CheckVersion and Encode for a protocol version
// other than 1 and 2, or a version-2 field in a version-1 APDU.
var ErrVersion = errors.New("ill: protocol version not supported")

// CheckVersion reports ErrVersion unless h is version 1 or 2; a server
// answers it with general-problem protocol-version-not-supported.
func (h *Header) CheckVersion() error {
	if h.Version != Version1 && h.Version != Version2 {
		return fmt.Errorf("%w: %d", ErrVersion, h.Version)
	}
	return nil
}

// EncodeOptions adjust how APDUs are written.
type EncodeOptions struct {
	// OmitDefaults leaves out fields equal to their DEFAULT value. YAZ
	// writes them; so does the zero value.
	OmitDefaults bool
}

// Encode writes a as definite-length BER with defaults included.
func Encode(a APDU) ([]byte, error) { return EncodeWith(a, EncodeOptions{}) }

// EncodeWith writes a as definite-length BER.
func EncodeWith(a APDU, opt EncodeOptions) ([]byte, error) {
	n, err := EncodeNode(a, opt)
	if err != nil {
		return nil, err
	}
	return ber.Marshal(n), nil
}

// EncodeNode builds a's BER tree.
func EncodeNode(a APDU, opt EncodeOptions) (*ber.Node, error) {
	t := a.Type()
	h := a.Head()
	if err := h.CheckVersion(); err != nil {
		return nil, fmt.Errorf("ill: encode %s: %w", t, err)
	}
	if h.Version == Version1 {
		if f := version2Field(a); f != "" {
			return nil, fmt.Errorf("ill: encode %s: %w: %s is version 2 only", t, ErrVersion, f)
		}
	}
	if err := validate(a); err != nil {
		return nil, fmt.Errorf("ill: encode %s: %w", t, err)
	}
	n, err := schemas[t].Encode(a, ber.EncodeOptions{OmitDefaults: opt.OmitDefaults})
	if err != nil {
		return nil, fmt.Errorf("ill: encode %s: %w", t, err)
	}
	return n, nil
}

// version2Field names a field set in a that version 1 does not have, or "".
func version2Field(a APDU) string {
	switch a := a.(type) {
	case *Request:
		if a.DeliveryService != nil && a.DeliveryService.Electronic != nil {
			return "delivery-service electronic-delivery [50]"
		}
	case *Shipped:
		if v := a.SupplyDetails.ShippedVia; v != nil && v.Electronic != nil {
			return "shipped-via electronic-delivery [50]"
		}
	case *Damaged:
		if a.DamagedDetails != nil {
			return "damaged-details [5]"
		}
	case *Answer:
		if r := a.ResultsExplanation; r != nil {
			if r.Conditional != nil && r.Conditional.ProposedDeliveryService != nil {
				return "proposed-delivery-service"
			}
			if r.WillSupply != nil && r.WillSupply.ElectronicDeliveryService != nil {
				return "electronic-delivery-service [4]"
			}
		}
	}
	return ""
}
