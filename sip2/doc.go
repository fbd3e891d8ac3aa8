// Package sip2 reads and writes 3M Standard Interchange Protocol 2.00
// messages: typed structs for every request and response, their fixed and
// variable fields, the AY/AZ error-detection trailer, message framing and the
// character sets selfcheck machines use.
//
// The codec knows nothing of what the messages mean. It reads tolerantly
// (CR, CRLF or LF terminators, empty and unknown fields, odd fixed values,
// several date forms) and writes strictly (exact fixed widths, spec field
// order, sanitized values, upper-case checksums). Unknown fields are kept in
// their order and written back after the standard fields of a message.
//
// A [Codec] holds the per-connection settings (charset, field delimiter,
// terminator, error detection, time zone); the zero Codec is UTF-8, "|",
// CR, checksums verified when present. [Reader] splits a byte stream into
// messages with a size cap.
package sip2
