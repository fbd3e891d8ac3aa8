package sip2

import (
	"bytes"
	"strconv"
	"time"
	"unicode/utf8"
)

// ErrorDetection says how the AY/AZ trailer is handled.
type ErrorDetection uint8

// Error detection modes.
const (
	// ErrorDetectionAuto verifies a checksum when a message has one and lets
	// the caller answer in kind (Koha's per-message auto-detection). Default.
	ErrorDetectionAuto ErrorDetection = iota
	// ErrorDetectionOff strips a trailer without verifying it and never
	// writes one.
	ErrorDetectionOff
	// ErrorDetectionRequire rejects messages without a valid checksum and
	// always writes one.
	ErrorDetectionRequire
)

func (e ErrorDetection) String() string {
	switch e {
	case ErrorDetectionOff:
		return "off"
	case ErrorDetectionRequire:
		return "require"
	}
	return "auto"
}

// ParseErrorDetection reads "off", "auto" (or "accept", "on") and "require".
func ParseErrorDetection(s string) (ErrorDetection, bool) {
	switch s {
	case "off", "no", "false", "none":
		return ErrorDetectionOff, true
	case "auto", "accept", "on", "yes", "true", "":
		return ErrorDetectionAuto, true
	case "require", "required", "always":
		return ErrorDetectionRequire, true
	}
	return ErrorDetectionAuto, false
}

// DefaultMaxMessageSize is the size cap of a message (64 KiB).
const DefaultMaxMessageSize = 64 << 10

// Codec holds the wire settings of one connection. The zero value reads and
// writes UTF-8 with "|" as field delimiter, CR as terminator, automatic error
// detection and local time.
type Codec struct {
	Charset        Charset
	Delimiter      byte   // 0 means '|'
	Terminator     string // "" means "\r"; "\r\n" for clients that want CRLF
	ErrorDetection ErrorDetection
	Location       *time.Location // time zone of dates without "Z"; nil means time.Local
}

// Frame is a message with its error-detection trailer.
type Frame struct {
	Message Message
	// Seq is the AY sequence number (0-9), meaningful when HasSeq.
	Seq    int
	HasSeq bool
	// HasChecksum: the message had (or is to get) an AZ checksum.
	HasChecksum bool
}

func (c *Codec) delim() byte {
	if c.Delimiter == 0 {
		return '|'
	}
	return c.Delimiter
}

func (c *Codec) terminator() string {
	if c.Terminator == "" {
		return "\r"
	}
	return c.Terminator
}

// Checksum returns the SIP2 checksum of b: the two's complement of the
// 16-bit sum of its bytes. b runs from the first byte of the message through
// the "AZ" of the trailer.
func Checksum(b []byte) uint16 {
	var sum uint16
	for _, x := range b {
		sum += uint16(x)
	}
	return -sum
}

func hexVal(b []byte) (uint16, bool) {
	var v uint16
	for _, x := range b {
		var d byte
		switch {
		case x >= '0' && x <= '9':
			d = x - '0'
		case x >= 'A' && x <= 'F':
			d = x - 'A' + 10
		case x >= 'a' && x <= 'f':
			d = x - 'a' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint16(d)
	}
	return v, true
}

// Decode reads one message: the bytes between two terminators. Leading CR,
// LF and NUL bytes and a trailing terminator are ignored. The checksum is
// verified on the raw bytes before they are decoded from the charset.
func (c *Codec) Decode(line []byte) (Frame, error) {
	for len(line) > 0 && (line[0] == '\n' || line[0] == '\r' || line[0] == 0) {
		line = line[1:]
	}
	for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r' || line[len(line)-1] == 0) {
		line = line[:len(line)-1]
	}
	var f Frame
	if len(line) < 2 {
		return f, &ParseError{Kind: KindEmpty}
	}
	code := string(line[:2])
	body := line
	n := len(line)
	if n >= 8 && line[n-6] == 'A' && line[n-5] == 'Z' {
		if want, ok := hexVal(line[n-4:]); ok {
			f.HasChecksum = true
			body = line[:n-6]
			if c.ErrorDetection != ErrorDetectionOff {
				if Checksum(line[:n-4]) != want {
					return f, &ParseError{Kind: KindChecksum, Code: code, Detail: c.checksumDetail(line)}
				}
			}
		}
	}
	if !f.HasChecksum && c.ErrorDetection != ErrorDetectionOff && malformedTrailer(line, c.delim()) {
		// An AZ that is not four hex digits is a damaged checksum, not a
		// message without one: running it could run what was not sent.
		f.HasChecksum = true // answered in kind: the 96 carries AZ
		return f, &ParseError{Kind: KindChecksum, Code: printable(code), Detail: "malformed AZ trailer"}
	}
	if bytes.IndexByte(body, 0) >= 0 {
		// A NUL is never part of a SIP2 message; a barcode with one is
		// not the barcode on the item.
		return f, &ParseError{Kind: KindBadByte, Code: printable(code), Detail: "NUL byte"}
	}
	m := New(code)
	var l layout
	w := 0
	if m != nil {
		l = m.layout()
		w = l.fixedWidth()
	}
	// An AY inside the fixed part is data (a protocol version "0AY0"), not a
	// sequence number.
	if n := len(body); n >= 5 && n-3 >= 2+w && body[n-3] == 'A' && body[n-2] == 'Y' && body[n-1] >= '0' && body[n-1] <= '9' {
		f.HasSeq = true
		f.Seq = int(body[n-1] - '0')
		body = body[:n-3]
	}
	if !f.HasChecksum && c.ErrorDetection == ErrorDetectionRequire {
		return f, &ParseError{Kind: KindChecksumMissing, Code: code}
	}
	if m == nil {
		return f, &ParseError{Kind: KindUnknownMessage, Code: printable(code)}
	}
	if len(body) < 2+w {
		return f, &ParseError{Kind: KindShortFixed, Code: code,
			Detail: "need " + strconv.Itoa(w) + " bytes, have " + strconv.Itoa(len(body)-2)}
	}
	rc := readCtx{loc: c.Location}
	pos := 2
	for _, fx := range l.fixed {
		fx.read(string(body[pos:pos+fx.width]), &rc)
		pos += fx.width
	}
	if rc.bad != "" {
		return f, &ParseError{Kind: KindBadFixed, Code: code, Detail: rc.bad}
	}
	if pos < len(body) {
		l.parseFields(c.Charset.Decode(body[pos:]), c.delim())
	}
	f.Message = m
	return f, nil
}

// malformedTrailer reports a line whose last field is an AZ trailer that is
// not exactly four hex digits ("AZ12", "AZZZZZ", "AZ12G4"). The AZ counts as
// a trailer where a field may start: after the field delimiter, after an AY
// sequence number, or at the end of the fixed part of a message without
// variable fields.
func malformedTrailer(line []byte, delim byte) bool {
	i := bytes.LastIndex(line, []byte("AZ"))
	if i < 2 || bytes.IndexByte(line[i:], delim) >= 0 {
		return false
	}
	switch {
	case line[i-1] == delim:
	case i >= 5 && line[i-3] == 'A' && line[i-2] == 'Y' && line[i-1] >= '0' && line[i-1] <= '9':
	default:
		m := New(string(line[:2]))
		if m == nil {
			return false
		}
		if l := m.layout(); 2+l.fixedWidth() != i {
			return false
		}
	}
	return true
}

// checksumDetail explains a checksum that does not verify, recognising the
// dp2 variant (sum of code points, without the "|AYnAZ" part).
func (c *Codec) checksumDetail(line []byte) string {
	n := len(line)
	got := string(line[n-4:])
	want := Checksum(line[:n-4])
	d := "got " + got + ", want " + hex4(want)
	text := line[:n-6]
	if m := len(text); m >= 3 && text[m-3] == 'A' && text[m-2] == 'Y' {
		text = text[:m-3]
		if len(text) > 0 && text[len(text)-1] == c.delim() {
			text = text[:len(text)-1]
		}
	}
	var sum uint16
	s := c.Charset.Decode(text)
	for _, r := range s {
		sum += uint16(r)
	}
	if v, ok := hexVal(line[n-4:]); ok && -sum == v {
		d += "; it is the non-standard sum of code points without |AYnAZ (dp2)"
	}
	return d
}

func hex4(v uint16) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15]})
}

func printable(s string) string {
	if printableASCII(s) && utf8.ValidString(s) {
		return s
	}
	return strconv.Quote(s)
}

// Parse reads one message with the codec's settings.
func (c *Codec) Parse(line []byte) (Message, error) {
	f, err := c.Decode(line)
	return f.Message, err
}

// Encode writes a frame: the message in the codec's charset, the trailer and
// the terminator. The trailer is written when f.HasChecksum (or always, in
// ErrorDetectionRequire; never in ErrorDetectionOff); AY is written when
// f.HasSeq, except on 96 and 97, which carry AZ only.
func (c *Codec) Encode(f Frame) []byte {
	return c.AppendFrame(nil, f)
}

// AppendFrame is Encode appending to dst.
func (c *Codec) AppendFrame(dst []byte, f Frame) []byte {
	start := len(dst)
	dst = c.appendMessage(dst, f.Message, false)
	check := f.HasChecksum
	switch c.ErrorDetection {
	case ErrorDetectionOff:
		check = false
	case ErrorDetectionRequire:
		check = true
	}
	if check {
		code := f.Message.Code()
		if f.HasSeq && code != CodeACSResendRequest && code != CodeSCResendRequest {
			dst = append(dst, 'A', 'Y', byte('0'+(f.Seq%10+10)%10))
		}
		dst = append(dst, 'A', 'Z')
		dst = append(dst, hex4(Checksum(dst[start:]))...)
	}
	return append(dst, c.terminator()...)
}

func (c *Codec) appendMessage(dst []byte, m Message, redact bool) []byte {
	w := writer{delim: c.delim(), redact: redact}
	w.b = append(w.b, m.Code()...)
	l := m.layout()
	l.write(&w)
	return c.Charset.Encode(dst, string(w.b))
}

// Format writes a message without trailer or terminator, in the codec's charset.
func (c *Codec) Format(m Message) []byte {
	return c.appendMessage(nil, m, false)
}

// Parse reads one message with the default settings (UTF-8, "|", checksum
// verified when present).
func Parse(line []byte) (Message, error) {
	var c Codec
	return c.Parse(line)
}

// Format writes a message with the default settings, without trailer or terminator.
func Format(m Message) string {
	var c Codec
	return string(c.Format(m))
}

// Redacted formats a message for logs: the values of AC, AD and CO are
// replaced by "***".
func Redacted(m Message) string {
	if m == nil {
		return ""
	}
	var c Codec
	return string(c.appendMessage(nil, m, true))
}

// Fields is a message's field bindings, worked out once: use it to read or
// set several fields of one message without redoing that work each time.
type Fields struct{ l layout }

// FieldsOf returns the field bindings of m.
func FieldsOf(m Message) Fields { return Fields{m.layout()} }

// TransactionDate returns a pointer to the message's first fixed date (the
// transaction date; the date/time sync of 98), or nil if it has none.
func (f Fields) TransactionDate() *time.Time {
	for _, x := range f.l.fixed {
		if x.date != nil {
			return x.date
		}
	}
	return nil
}

// ScreenMessages returns a pointer to the AF list of a response, or nil.
func (f Fields) ScreenMessages() *[]string { return f.l.screen }

// PrintLines returns a pointer to the AG list of a response, or nil.
func (f Fields) PrintLines() *[]string { return f.l.print }

// StringField returns a pointer to the plain string field with the given
// code (e.g. "AO", "AA", "AB"), or nil if the message type has none.
func (f Fields) StringField(code string) *string {
	for _, x := range f.l.fields {
		if x.code == code && x.kind == kString {
			return x.str
		}
	}
	return nil
}

// TransactionDate returns a pointer to the message's first fixed date (the
// transaction date; the date/time sync of 98), or nil if it has none.
func TransactionDate(m Message) *time.Time { return FieldsOf(m).TransactionDate() }

// ScreenMessages returns a pointer to the AF list of a response, or nil.
func ScreenMessages(m Message) *[]string { return m.layout().screen }

// PrintLines returns a pointer to the AG list of a response, or nil.
func PrintLines(m Message) *[]string { return m.layout().print }

// StringField returns a pointer to the plain string field with the given
// code (e.g. "AO", "AA", "AB"), or nil if the message type has none.
func StringField(m Message, code string) *string { return FieldsOf(m).StringField(code) }
