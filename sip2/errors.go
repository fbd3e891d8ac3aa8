package sip2

import "fmt"

// ErrorKind classifies why a message could not be read.
type ErrorKind uint8

// The kinds of [ParseError]. Every kind is answered by an ACS with a
// Request SC Resend (96).
const (
	// KindEmpty: nothing but a terminator, or a single byte.
	KindEmpty ErrorKind = iota + 1
	// KindUnknownMessage: the two-character code names no SIP2 message.
	KindUnknownMessage
	// KindShortFixed: the fixed part is shorter than the message type needs.
	KindShortFixed
	// KindChecksum: an AZ trailer is present and does not verify.
	KindChecksum
	// KindChecksumMissing: error detection is required and the message has no AZ.
	KindChecksumMissing
	// KindTooLong: the message exceeded the size cap before its terminator.
	KindTooLong
	// KindBadFixed: a fixed field holds what it cannot hold (a date that is
	// neither blank nor a real date and time).
	KindBadFixed
	// KindBadByte: the message holds a byte no SIP2 message may (NUL).
	KindBadByte
)

func (k ErrorKind) String() string {
	switch k {
	case KindEmpty:
		return "empty message"
	case KindUnknownMessage:
		return "unknown message"
	case KindShortFixed:
		return "short fixed field"
	case KindChecksum:
		return "checksum mismatch"
	case KindChecksumMissing:
		return "checksum missing"
	case KindTooLong:
		return "message too long"
	case KindBadFixed:
		return "bad fixed field"
	case KindBadByte:
		return "bad byte"
	}
	return fmt.Sprintf("error kind %d", uint8(k))
}

// ParseError reports a message that cannot be read. Code is the message
// code when it could be read; Detail adds what was found.
type ParseError struct {
	Kind   ErrorKind
	Code   string
	Detail string
}

func (e *ParseError) Error() string {
	s := "sip2: parse"
	if e.Code != "" {
		s += " " + e.Code
	}
	s += ": " + e.Kind.String()
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Is lets errors.Is match a *ParseError by kind: errors.Is(err, &ParseError{Kind: KindChecksum}).
func (e *ParseError) Is(target error) bool {
	t, ok := target.(*ParseError)
	return ok && t.Kind == e.Kind
}
