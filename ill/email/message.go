package email

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"

	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/internal/ber"
)

// MediaType is the RFC 2503 media type of an ISO 10161 APDU part.
const MediaType = "application/iso-10161-ill-1"

// TransferEncoding is the value of MediaType's required transfer-encoding
// parameter: BER, the only value RFC 2503 allows.
const TransferEncoding = "iso-8825-ber"

// Errors Parse and Compose report; test with errors.Is.
var (
	// ErrNoAPDU: the message has no application/iso-10161-ill-1 part.
	ErrNoAPDU = errors.New("email: no ISO 10161 APDU in the message")
	// ErrTooLarge: the message or one of its APDUs exceeds Limits.
	ErrTooLarge = errors.New("email: message exceeds the size limits")
	// ErrMalformed: the message is not readable Internet mail.
	ErrMalformed = errors.New("email: malformed message")
	// ErrMissingID: an APDU to be mailed lacks its requester-id or
	// responder-id, both mandatory over store-and-forward transports.
	ErrMissingID = errors.New("email: APDU needs requester-id and responder-id for mail")
)

// Limits bound what Parse reads. Zero fields take the defaults.
type Limits struct {
	MaxMessage int // bytes of the whole message as received; default 4 MiB
	MaxAPDU    int // bytes of one decoded APDU; default 1 MiB
	MaxParts   int // MIME entities looked at; default 32
	MaxDepth   int // multipart nesting, the message itself being 1; default 4
}

// Default limits.
const (
	DefaultMaxMessage = 4 << 20
	DefaultMaxAPDU    = 1 << 20
	DefaultMaxParts   = 32
	DefaultMaxDepth   = 4
)

func (l Limits) withDefaults() Limits {
	if l.MaxMessage <= 0 {
		l.MaxMessage = DefaultMaxMessage
	}
	if l.MaxAPDU <= 0 {
		l.MaxAPDU = DefaultMaxAPDU
	}
	if l.MaxParts <= 0 {
		l.MaxParts = DefaultMaxParts
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// Outgoing is one APDU to be mailed.
type Outgoing struct {
	From string // the sender: "ill@lib.example" or "Library <ill@lib.example>"
	To   string // the partner's ILL mailbox, in the same forms
	// MessageID without angle brackets; when empty one is generated with
	// From's domain.
	MessageID string
	Date      time.Time // zero means now
	Subject   string    // when empty, a summary of the APDU
	// APDU is the APDU to send. When BER is set it is sent verbatim
	// instead of encoding APDU; if APDU is nil it is decoded from BER for
	// the staff summary (and BER must decode).
	APDU ill.APDU
	BER  []byte
}

// Composed is a message ready for Sender.Send.
type Composed struct {
	MessageID string // without angle brackets
	BER       []byte // the APDU as carried in the message
	Key       string // the dedupe key the receiver computes: Key(MessageID, BER)
	Raw       []byte // the whole message, CRLF line ends
}

// Compose writes o as an RFC 2503 message: multipart/mixed with a
// text/plain summary for staff and the APDU as MediaType, base64.
func Compose(o Outgoing) (*Composed, error) {
	a, b := o.APDU, o.BER
	var err error
	switch {
	case b != nil && a == nil:
		if a, err = ill.Decode(b); err != nil {
			return nil, fmt.Errorf("email: compose: %w", err)
		}
	case b == nil && a != nil:
		if b, err = ill.Encode(a); err != nil {
			return nil, fmt.Errorf("email: compose %s: %w", a.Type(), err)
		}
	case b == nil && a == nil:
		return nil, errors.New("email: compose: no APDU")
	}
	h := a.Head()
	if err := h.CheckVersion(); err != nil {
		return nil, fmt.Errorf("email: compose %s: %w", a.Type(), err)
	}
	if systemID(h.RequesterID) == "" || systemID(h.ResponderID) == "" {
		return nil, fmt.Errorf("email: compose %s: %w", a.Type(), ErrMissingID)
	}
	from, err := mail.ParseAddress(o.From)
	if err != nil {
		return nil, fmt.Errorf("email: compose: From %q: %w", o.From, err)
	}
	to, err := mail.ParseAddress(o.To)
	if err != nil {
		return nil, fmt.Errorf("email: compose: To %q: %w", o.To, err)
	}
	id := o.MessageID
	if id == "" {
		if id, err = newMessageID(from.Address); err != nil {
			return nil, err
		}
	}
	date := o.Date
	if date.IsZero() {
		date = time.Now()
	}
	subject := o.Subject
	if subject == "" {
		subject = Subject(a)
	}

	var mh mail.Header
	mh.SetAddressList("From", []*mail.Address{from})
	mh.SetAddressList("To", []*mail.Address{to})
	mh.SetDate(date)
	mh.SetMessageID(id)
	mh.SetSubject(subject)
	mh.SetContentType("multipart/mixed", nil)

	var buf bytes.Buffer
	w, err := message.CreateWriter(&buf, mh.Header)
	if err != nil {
		return nil, fmt.Errorf("email: compose: %w", err)
	}
	var th message.Header
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	th.Set("Content-Transfer-Encoding", "quoted-printable")
	th.SetContentDisposition("inline", nil)
	if err := writePart(w, th, []byte(Summary(a))); err != nil {
		return nil, err
	}
	var ah message.Header
	ah.SetContentType(MediaType, map[string]string{"transfer-encoding": TransferEncoding})
	ah.Set("Content-Transfer-Encoding", "base64")
	ah.SetContentDisposition("attachment", map[string]string{"filename": "ill-apdu.ber"})
	ah.Set("Content-Description", "ISO 10161 "+a.Type().String())
	if err := writePart(w, ah, b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("email: compose: %w", err)
	}
	return &Composed{MessageID: id, BER: b, Key: Key(id, b), Raw: buf.Bytes()}, nil
}

func writePart(w *message.Writer, h message.Header, body []byte) error {
	pw, err := w.CreatePart(h)
	if err != nil {
		return fmt.Errorf("email: compose: %w", err)
	}
	if _, err := pw.Write(body); err != nil {
		return fmt.Errorf("email: compose: %w", err)
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("email: compose: %w", err)
	}
	return nil
}

func newMessageID(addr string) (string, error) {
	domain := "localhost"
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i+1 < len(addr) {
		domain = addr[i+1:]
	}
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", fmt.Errorf("email: message id: %w", err)
	}
	return "ill." + hex.EncodeToString(r[:]) + "@" + domain, nil
}

// Key is the dedupe key of an APDU received in the message messageID: the
// Message-ID and the SHA-256 of the APDU's BER. The same mail delivered or
// fetched twice gives the same key; a resent APDU in a new message does
// not.
func Key(messageID string, apdu []byte) string {
	sum := sha256.Sum256(apdu)
	return "<" + messageID + "> sha256:" + hex.EncodeToString(sum[:])
}

// Message is a parsed mail.
type Message struct {
	MessageID string    // without angle brackets; "" when absent or unreadable
	From      string    // the first From address, lower case; "" when absent or unreadable
	Subject   string    // for display only, never for routing
	Date      time.Time // zero when absent or unreadable
	Parts     []Part    // the APDU parts in message order; never empty
}

// Part is one APDU part of a message.
type Part struct {
	BER  []byte   // the part's content, base64 (or other transfer encoding) removed
	APDU ill.APDU // the decoded APDU; nil when Err is set
	// Err is why the part could not be used: an *ill.DecodeError when BER
	// does not decode (the sender can be answered with its Problem), or an
	// error for a transfer encoding Parse cannot remove or an unsupported
	// transfer-encoding parameter.
	Err error
	Key string // Key(MessageID, BER)
}

// Parse reads a message and decodes its APDU parts: every part of media
// type MediaType (or its x- variant, with or without the transfer-encoding
// parameter) whether it is the whole body or inside a multipart. A message
// with no such part is ErrNoAPDU; one exceeding lim is ErrTooLarge.
func Parse(raw []byte, lim Limits) (*Message, error) {
	lim = lim.withDefaults()
	if len(raw) > lim.MaxMessage {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(raw), lim.MaxMessage)
	}
	m, e, err := readHeader(raw)
	if e == nil {
		return nil, err
	}
	p := &walker{lim: lim, dec: ill.Decoder{Limits: ber.Limits{MaxSize: lim.MaxAPDU, MaxDepth: 64}}}
	if err := p.walk(e, err, 1); err != nil {
		return nil, err
	}
	if len(p.parts) == 0 {
		return nil, ErrNoAPDU
	}
	for i := range p.parts {
		p.parts[i].Key = Key(m.MessageID, p.parts[i].BER)
	}
	m.Parts = p.parts
	return m, nil
}

// readHeader reads the message's header fields into a Message (without
// parts) and returns the entity for its body, nil when the header is
// unreadable, with any error message.Read reported.
func readHeader(raw []byte) (*Message, *message.Entity, error) {
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	m := &Message{}
	h := mail.Header{Header: e.Header}
	if id, err := h.MessageID(); err == nil {
		m.MessageID = id
	}
	if l, err := h.AddressList("From"); err == nil && len(l) > 0 {
		m.From = strings.ToLower(l[0].Address)
	}
	if s, err := h.Subject(); err == nil {
		m.Subject = s
	}
	if d, err := h.Date(); err == nil {
		m.Date = d
	}
	return m, e, err
}

type walker struct {
	lim   Limits
	dec   ill.Decoder
	seen  int
	parts []Part
}

// walk visits entity e, read with error readErr, at nesting depth.
func (w *walker) walk(e *message.Entity, readErr error, depth int) error {
	w.seen++
	if w.seen > w.lim.MaxParts {
		return fmt.Errorf("%w: more than %d MIME parts", ErrTooLarge, w.lim.MaxParts)
	}
	t, params, err := e.Header.ContentType()
	if err != nil {
		return nil // unreadable Content-Type: not an APDU part
	}
	if mr := e.MultipartReader(); mr != nil {
		if depth >= w.lim.MaxDepth {
			return fmt.Errorf("%w: multipart nested deeper than %d", ErrTooLarge, w.lim.MaxDepth)
		}
		for {
			pe, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if pe == nil {
				if len(w.parts) > 0 {
					return nil // a broken end after the APDU: keep what was read
				}
				return fmt.Errorf("%w: %v", ErrMalformed, err)
			}
			if err := w.walk(pe, err, depth+1); err != nil {
				return err
			}
		}
	}
	if !isAPDUType(t) {
		return nil
	}
	var p Part
	switch te := strings.ToLower(params["transfer-encoding"]); {
	case te != "" && te != TransferEncoding:
		p.Err = fmt.Errorf("email: APDU part in transfer-encoding %q, only %s is supported", te, TransferEncoding)
	case message.IsUnknownEncoding(readErr):
		p.Err = fmt.Errorf("email: APDU part: %w", readErr)
	default:
		b, err := io.ReadAll(io.LimitReader(e.Body, int64(w.lim.MaxAPDU)+1))
		switch {
		case err != nil:
			p.Err = fmt.Errorf("email: APDU part: %w", err)
		case len(b) > w.lim.MaxAPDU:
			return fmt.Errorf("%w: APDU part over %d bytes", ErrTooLarge, w.lim.MaxAPDU)
		default:
			p.BER = b
			p.APDU, p.Err = w.dec.Decode(b)
		}
	}
	w.parts = append(w.parts, p)
	return nil
}

// isAPDUType reports whether media type t (lower case) names an ISO 10161
// APDU: the registered type or the x- form of senders predating RFC 2503.
func isAPDUType(t string) bool {
	return t == MediaType || t == "application/x-iso-10161-ill-1"
}

// Subject is a Subject line for staff: the APDU type, the transaction id
// and, for a request, the title.
func Subject(a ill.APDU) string {
	h := a.Head()
	s := a.Type().String() + " " + transactionID(h.TransactionID)
	if !strings.HasPrefix(s, "ILL-") {
		s = "ILL " + s // "ILL Shipped ...", but "ILL-Request ..."
	}
	if r, ok := a.(*ill.Request); ok && r.ItemID.Title != nil && *r.ItemID.Title != "" {
		s += ": " + oneLine(string(*r.ItemID.Title), 120)
	}
	return s
}

// Summary is the text part for staff: what the APDU is, its transaction,
// the two libraries and, where present, the item and the notes.
func Summary(a ill.APDU) string {
	h := a.Head()
	var b strings.Builder
	line := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			fmt.Fprintf(&b, "%-16s %s\r\n", k+":", v)
		}
	}
	b.WriteString("Interlibrary loan message (ISO 10161, RFC 2503)\r\n\r\n")
	line("Message", fmt.Sprintf("%s (protocol version %d)", a.Type(), h.Version))
	line("Transaction", transactionID(h.TransactionID))
	line("Requester", systemID(h.RequesterID))
	line("Responder", systemID(h.ResponderID))
	dt := h.ServiceDateTime.This.Date
	if t := h.ServiceDateTime.This.Time; t != nil {
		dt += " " + *t
	}
	line("Date", strings.TrimSpace(dt))
	switch r := a.(type) {
	case *ill.Request:
		line("Title", str(r.ItemID.Title))
		line("Author", str(r.ItemID.Author))
		line("ISBN", str(r.ItemID.ISBN))
		line("ISSN", str(r.ItemID.ISSN))
	case *ill.Answer:
		line("Result", answerResult(r))
	case *ill.Shipped:
		if d := r.SupplyDetails.DateShipped; d != nil {
			line("Shipped on", oneLine(*d, 20))
		}
		if d := r.SupplyDetails.DateDue; d != nil {
			due := oneLine(d.Date, 20)
			if !d.Renewable {
				due += " (not renewable)"
			}
			line("Due back", due)
		}
	}
	for _, f := range []string{"RequesterNote", "ResponderNote", "Note", "NotificationNote"} {
		line(strings.TrimSuffix(f, "Note")+" note", noteField(a, f))
	}
	b.WriteString("\r\nThe attached " + MediaType + " part is the message an ILL system\r\n" +
		"reads; this text is a copy for staff.\r\n")
	return b.String()
}

var resultNames = map[ill.TransactionResults]string{
	ill.Conditional: "conditional", ill.Retry: "retry", ill.Unfilled: "unfilled",
	ill.LocationsProvided: "locations provided", ill.WillSupply: "will supply",
	ill.HoldPlaced: "hold placed", ill.EstimateResult: "estimate",
}

// answerResult is an ILL-Answer's result in words, with the date a
// person acts on.
func answerResult(r *ill.Answer) string {
	s, ok := resultNames[r.TransactionResults]
	if !ok {
		s = fmt.Sprintf("result %d", r.TransactionResults)
	}
	if e := r.ResultsExplanation; e != nil {
		switch {
		case e.HoldPlaced != nil:
			s += ", expected " + oneLine(e.HoldPlaced.EstimatedDateAvailable, 20)
		case e.Retry != nil && e.Retry.RetryDate != nil:
			s += ", retry after " + oneLine(*e.Retry.RetryDate, 20)
		case e.Unfilled != nil:
			s += fmt.Sprintf(" (reason %d)", e.Unfilled.ReasonUnfilled)
		}
	}
	return s
}

func noteField(a ill.APDU, name string) string {
	v := reflect.ValueOf(a)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	f := v.FieldByName(name)
	if !f.IsValid() {
		return ""
	}
	if s, ok := f.Interface().(*ill.String); ok {
		return str(s)
	}
	return ""
}

func transactionID(t ill.TransactionID) string {
	parts := []string{}
	if s := systemID(t.InitialRequesterID); s != "" {
		parts = append(parts, s)
	}
	parts = append(parts, string(t.GroupQualifier), string(t.Qualifier))
	if t.SubQualifier != nil {
		parts = append(parts, string(*t.SubQualifier))
	}
	return oneLine(strings.Join(parts, "/"), 200)
}

func systemID(s *ill.SystemID) string {
	if s == nil {
		return ""
	}
	var sym, name string
	if p := s.Symbol; p != nil {
		sym = str(p.Institution) + str(p.Person)
	}
	if p := s.Name; p != nil {
		name = str(p.Institution) + str(p.Person)
	}
	switch {
	case sym != "" && name != "":
		return oneLine(sym+" ("+name+")", 200)
	default:
		return oneLine(sym+name, 200)
	}
}

func str(s *ill.String) string {
	if s == nil {
		return ""
	}
	return oneLine(string(*s), 500)
}

// oneLine drops control characters (a peer's strings must not break the
// header or the summary's layout) and cuts s to max runes.
func oneLine(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			r = ' '
		}
		if n == max {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
