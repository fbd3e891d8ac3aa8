package iso18626

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Version is the edition of ISO 18626 a message is written for.
type Version int

// The editions Marshal writes. 2014 (version 1.0/1.1) messages are read as
// V2017.
const (
	V2017 Version = iota + 1 // ISO 18626:2017, XSD v1.2
	V2021                    // ISO 18626:2021, XSD 2021-2
)

// String returns the version attribute Marshal writes for v.
func (v Version) String() string {
	switch v {
	case V2017:
		return "1.2"
	case V2021:
		return "2021-2"
	}
	return fmt.Sprintf("Version(%d)", int(v))
}

// VersionOf maps a version attribute as peers write it ("1.0", "1.2",
// "v1_2_2017", "2021-2", "1.3" ...) to the edition it stands for; anything
// unrecognised, including "", is taken as V2017, what most peers speak.
func VersionOf(attr string) Version {
	a := strings.ToLower(strings.TrimSpace(attr))
	if strings.Contains(a, "2021") || strings.HasPrefix(a, "1.3") {
		return V2021
	}
	return V2017
}

// ParseVersion reads an edition as a configuration names it: 2017 (or 1.2,
// v1_2_2017), 2021 (or 2021-2), or "" for none (0: the dialect's, else
// V2017). Unlike VersionOf, which takes what a peer wrote, it refuses what
// it does not know.
func ParseVersion(s string) (Version, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "2017", "1.2", "v1_2_2017":
		return V2017, nil
	case "2021", "2021-2":
		return V2021, nil
	}
	return 0, fmt.Errorf("ISO 18626 version %q: use 2017 or 2021", s)
}

// Default limits of Reader.
const (
	DefaultMaxSize  = 1 << 20
	DefaultMaxDepth = 32
)

// Reader reads ISO 18626 messages leniently (see Parse). The zero value
// uses the default limits and no dialect.
type Reader struct {
	MaxSize  int      // bytes; DefaultMaxSize when 0
	MaxDepth int      // element nesting; DefaultMaxDepth when 0
	Dialect  *Dialect // applied after reading; nil for none
}

// Error is a message that cannot be processed, with the errorType its
// confirmation must carry. Element is the path of the offending element
// ("request/header/timestamp"), Value what it held.
type Error struct {
	Type    ErrorType
	Element string
	Value   string
	Reason  string
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("iso18626: ")
	b.WriteString(string(e.Type))
	if e.Element != "" {
		b.WriteString(": ")
		b.WriteString(e.Element)
	}
	if e.Value != "" {
		fmt.Fprintf(&b, " %q", clip(e.Value, 64))
	}
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.Err }

// ErrorData is e as a confirmation's errorData: the type, and as value the
// element and what was wrong with it.
func (e *Error) ErrorData() ErrorData {
	v := e.Element
	switch {
	case v != "" && e.Value != "":
		v += ": " + clip(e.Value, 64)
	case v == "":
		v = e.Reason
		if v == "" && e.Err != nil {
			v = e.Err.Error()
		}
	}
	return ErrorData{ErrorType: e.Type, ErrorValue: clip(v, 200)}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// Parse reads one ISO 18626 message with the default Reader.
func Parse(b []byte) (Message, error) { return Reader{}.Parse(b) }

// Parse reads one ISO 18626 message. It is lenient as peers need it to be:
// the message may be in the 18626 namespace (default or prefixed) or in
// none, wrapped in ISO18626Message or bare; the version attribute may be
// qualified or not; elements may come in any order; unknown elements are
// kept in the Extra fields; closed-list codes are read case-insensitively;
// dates may be xs:dateTime with or without zone and fractional seconds, with
// a +0000 offset, or plain dates; empty elements count as absent.
//
// Parse then checks what processing needs (Validate, not strict) and
// returns the first problem as an *Error. On such an error the returned
// Message still holds what was read, so a confirmation can echo its ids.
// Input that is not a message at all gives an *Error of type
// BadlyFormedMessage and a zero Message.
func (r Reader) Parse(b []byte) (Message, error) {
	maxSize, maxDepth := r.MaxSize, r.MaxDepth
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	if maxDepth <= 0 {
		maxDepth = DefaultMaxDepth
	}
	if len(b) > maxSize {
		return Message{}, &Error{Type: BadlyFormedMessage, Reason: fmt.Sprintf("message of %d bytes, more than %d", len(b), maxSize)}
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark, as Windows tools write
	if err := checkShape(b, maxDepth); err != nil {
		return Message{}, &Error{Type: BadlyFormedMessage, Err: err}
	}
	m, err := decode(b)
	if err != nil {
		return Message{}, err
	}
	normalize(&m)
	if r.Dialect != nil && r.Dialect.Read != nil {
		r.Dialect.Read(&m)
	}
	if errs := Validate(&m, VersionOf(m.Version), false); len(errs) > 0 {
		return m, errs[0]
	}
	return m, nil
}

// checkShape is a single pass over the raw bytes, before any decoding:
// element nesting at most maxDepth, and no DOCTYPE (ISO 18626 has no DTD,
// and refusing one rules out entity tricks).
func checkShape(b []byte, maxDepth int) error {
	depth := 0
	for i := 0; i < len(b); i++ {
		if b[i] != '<' {
			continue
		}
		rest := b[i+1:]
		switch {
		case bytes.HasPrefix(rest, []byte("!--")):
			j := bytes.Index(rest[3:], []byte("-->"))
			if j < 0 {
				return errors.New("unterminated comment")
			}
			i += 1 + 3 + j + 2
		case bytes.HasPrefix(rest, []byte("![CDATA[")):
			j := bytes.Index(rest[8:], []byte("]]>"))
			if j < 0 {
				return errors.New("unterminated CDATA section")
			}
			i += 1 + 8 + j + 2
		case bytes.HasPrefix(rest, []byte("!")):
			return errors.New("DOCTYPE or other declaration not allowed")
		case bytes.HasPrefix(rest, []byte("?")):
			j := bytes.Index(rest, []byte("?>"))
			if j < 0 {
				return errors.New("unterminated processing instruction")
			}
			i += 1 + j + 1
		case bytes.HasPrefix(rest, []byte("/")):
			depth--
			j := bytes.IndexByte(rest, '>')
			if j < 0 {
				return errors.New("unterminated end tag")
			}
			i += 1 + j
		default:
			var quote byte
			j := 0
			for ; j < len(rest); j++ {
				c := rest[j]
				if quote != 0 {
					if c == quote {
						quote = 0
					}
					continue
				}
				if c == '"' || c == '\'' {
					quote = c
				} else if c == '>' {
					break
				}
			}
			if j == len(rest) {
				return errors.New("unterminated start tag")
			}
			if j == 0 || rest[j-1] != '/' {
				depth++
				if depth > maxDepth {
					return fmt.Errorf("elements nested deeper than %d", maxDepth)
				}
			}
			i += 1 + j
		}
	}
	return nil
}

// wrapper is the ISO18626Message element.
type wrapper struct {
	Request                             []*Request                             `xml:"request"`
	RequestConfirmation                 []*RequestConfirmation                 `xml:"requestConfirmation"`
	SupplyingAgencyMessage              []*SupplyingAgencyMessage              `xml:"supplyingAgencyMessage"`
	SupplyingAgencyMessageConfirmation  []*SupplyingAgencyMessageConfirmation  `xml:"supplyingAgencyMessageConfirmation"`
	RequestingAgencyMessage             []*RequestingAgencyMessage             `xml:"requestingAgencyMessage"`
	RequestingAgencyMessageConfirmation []*RequestingAgencyMessageConfirmation `xml:"requestingAgencyMessageConfirmation"`
	Extra                               []Element                              `xml:",any"`
}

func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		return charmap.ISO8859_1.NewDecoder().Reader(in), nil
	case "windows-1252", "cp1252":
		return charmap.Windows1252.NewDecoder().Reader(in), nil
	case "us-ascii", "ascii", "utf8":
		return in, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

func badly(reason string, err error) *Error {
	return &Error{Type: BadlyFormedMessage, Reason: reason, Err: err}
}

// decode finds the root and decodes it into the model.
func decode(b []byte) (Message, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.CharsetReader = charsetReader
	var root xml.StartElement
	for {
		t, err := d.Token()
		if err != nil {
			if err == io.EOF {
				return Message{}, badly("no root element", nil)
			}
			return Message{}, badly("not well-formed XML", err)
		}
		if se, ok := t.(xml.StartElement); ok {
			root = se
			break
		}
		if cd, ok := t.(xml.CharData); ok && len(bytes.TrimSpace(cd)) > 0 {
			return Message{}, badly("text before the root element", nil)
		}
	}
	if root.Name.Space != "" && root.Name.Space != Namespace {
		return Message{}, &Error{Type: BadlyFormedMessage, Element: root.Name.Local, Value: root.Name.Space,
			Reason: "not the ISO 18626 namespace"}
	}
	var m Message
	m.Namespace = root.Name.Space
	var err error
	switch root.Name.Local {
	case "ISO18626Message":
		for _, a := range root.Attr {
			if a.Name.Local == "version" && (a.Name.Space == "" || a.Name.Space == Namespace) {
				m.Version = strings.TrimSpace(a.Value)
			}
		}
		var w wrapper
		err = d.DecodeElement(&w, &root)
		n := len(w.Request) + len(w.RequestConfirmation) + len(w.SupplyingAgencyMessage) +
			len(w.SupplyingAgencyMessageConfirmation) + len(w.RequestingAgencyMessage) + len(w.RequestingAgencyMessageConfirmation)
		if err == nil && n > 1 {
			return Message{}, &Error{Type: BadlyFormedMessage, Element: "ISO18626Message", Reason: "holds more than one message"}
		}
		m.Request, m.RequestConfirmation = first(w.Request), first(w.RequestConfirmation)
		m.SupplyingAgencyMessage, m.SupplyingAgencyMessageConfirmation = first(w.SupplyingAgencyMessage), first(w.SupplyingAgencyMessageConfirmation)
		m.RequestingAgencyMessage, m.RequestingAgencyMessageConfirmation = first(w.RequestingAgencyMessage), first(w.RequestingAgencyMessageConfirmation)
		m.Extra = w.Extra
	case "request":
		m.Request = new(Request)
		err = d.DecodeElement(m.Request, &root)
	case "requestConfirmation":
		m.RequestConfirmation = new(RequestConfirmation)
		err = d.DecodeElement(m.RequestConfirmation, &root)
	case "supplyingAgencyMessage":
		m.SupplyingAgencyMessage = new(SupplyingAgencyMessage)
		err = d.DecodeElement(m.SupplyingAgencyMessage, &root)
	case "supplyingAgencyMessageConfirmation":
		m.SupplyingAgencyMessageConfirmation = new(SupplyingAgencyMessageConfirmation)
		err = d.DecodeElement(m.SupplyingAgencyMessageConfirmation, &root)
	case "requestingAgencyMessage":
		m.RequestingAgencyMessage = new(RequestingAgencyMessage)
		err = d.DecodeElement(m.RequestingAgencyMessage, &root)
	case "requestingAgencyMessageConfirmation":
		m.RequestingAgencyMessageConfirmation = new(RequestingAgencyMessageConfirmation)
		err = d.DecodeElement(m.RequestingAgencyMessageConfirmation, &root)
	default:
		return Message{}, &Error{Type: BadlyFormedMessage, Element: root.Name.Local, Reason: "not an ISO 18626 message"}
	}
	if root.Name.Local != "ISO18626Message" {
		m.Bare = true
	}
	if err != nil {
		return Message{}, badly("not well-formed XML", err)
	}
	for {
		t, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Message{}, badly("not well-formed XML after the root element", err)
		}
		switch t := t.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return Message{}, badly("text after the root element", nil)
			}
		case xml.StartElement:
			return Message{}, badly("a second root element "+t.Name.Local, nil)
		}
	}
	if m.Kind() == KindNone {
		return Message{}, &Error{Type: BadlyFormedMessage, Element: "ISO18626Message", Reason: "holds no message"}
	}
	return m, nil
}

func first[T any](s []*T) *T {
	if len(s) == 0 {
		return nil
	}
	return s[0]
}

// normalize makes the 2017 and 2021 names of one element agree and drops
// empty optional structures, so that users read one place.
func normalize(m *Message) {
	if r := m.Request; r != nil {
		if s := r.ServiceInfo; s != nil {
			both(&s.PreferredFormat, &s.ItemFormat)
		}
	}
	if s := m.SupplyingAgencyMessage; s != nil {
		mi := &s.MessageInfo
		if mi.OfferedCosts != nil && mi.OfferedCosts.IsZero() {
			mi.OfferedCosts = nil
		}
		if s.RetryInfo == nil && (mi.OfferedCosts != nil || !mi.RetryAfter.IsZero() || !mi.RetryBefore.IsZero()) {
			s.RetryInfo = &RetryInfo{}
		}
		if ri := s.RetryInfo; ri != nil {
			if len(ri.OfferedCosts) == 0 && mi.OfferedCosts != nil {
				ri.OfferedCosts = []Costs{*mi.OfferedCosts}
			}
			if mi.OfferedCosts == nil && len(ri.OfferedCosts) > 0 {
				c := ri.OfferedCosts[0]
				mi.OfferedCosts = &c
			}
			bothTime(&mi.RetryAfter, &ri.RetryAfter)
			bothTime(&mi.RetryBefore, &ri.RetryBefore)
		}
		if di := s.DeliveryInfo; di != nil {
			both(&di.SentVia, &di.DeliveryMethod)
			both(&di.DeliveredFormat, &di.ItemFormat)
			di.ItemID = dropEmpty(di.ItemID)
			di.LoanCondition = dropEmptyCodes(di.LoanCondition)
			costs := di.DeliveryCosts[:0]
			for _, c := range di.DeliveryCosts {
				if !c.IsZero() {
					costs = append(costs, c)
				}
			}
			di.DeliveryCosts = costs
			if len(costs) == 0 {
				di.DeliveryCosts = nil
			}
		}
		dropZero(&s.DeliveryInfo)
		dropZero(&s.RetryInfo)
		dropZero(&s.ShippingInfo)
		dropZero(&s.ReturnInfo)
	}
}

// dropZero sets *p to nil when it points at an empty structure (all its
// elements empty, as peers send them).
func dropZero[T any](p **T) {
	if *p != nil && reflect.ValueOf(**p).IsZero() {
		*p = nil
	}
}

func both(a, b *SchemeValue) {
	if a.IsZero() {
		*a = *b
	} else if b.IsZero() {
		*b = *a
	}
}

func bothTime(a, b *DateTime) {
	if a.IsZero() {
		*a = *b
	} else if b.IsZero() {
		*b = *a
	}
}

func dropEmpty(s []string) []string {
	out := s[:0]
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func dropEmptyCodes(s []SchemeValue) []SchemeValue {
	out := s[:0]
	for _, v := range s {
		if !v.IsZero() {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
