package sip2

import (
	"bytes"
	"io"
	"strconv"
)

// Reader splits a byte stream into SIP2 messages. It accepts CR, CRLF and
// LF as terminators, drops the LF of a CRLF that arrives in a later read,
// keeps bytes after a terminator for the next message, and caps the size of
// a message: an oversized message is skipped up to its terminator and
// reported as a *ParseError of KindTooLong, after which reading goes on.
type Reader struct {
	rd      io.Reader
	buf     []byte
	r, w    int
	scanned int // bytes of buf[r:w] known to hold no terminator
	max     int
	afterCR bool
	skip    bool // discarding an oversized message
}

// NewReader returns a Reader with the given size cap (DefaultMaxMessageSize if maxSize <= 0).
func NewReader(rd io.Reader, maxSize int) *Reader {
	if maxSize <= 0 {
		maxSize = DefaultMaxMessageSize
	}
	n := 4096
	if n > maxSize+1 {
		n = maxSize + 1
	}
	return &Reader{rd: rd, buf: make([]byte, n), max: maxSize}
}

// Buffered reports how many bytes are read but not yet returned.
func (r *Reader) Buffered() int { return r.w - r.r }

// ReadMessage returns the next message without its terminator. The slice is
// valid until the next call. An empty slice is an empty line. At the end of
// the stream it returns io.EOF, or io.ErrUnexpectedEOF if an unterminated
// message was pending.
func (r *Reader) ReadMessage() ([]byte, error) {
	for {
		if r.afterCR && r.r < r.w {
			if r.buf[r.r] == '\n' {
				r.r++
			}
			r.afterCR = false
		}
		if i := bytes.IndexAny(r.buf[r.r+r.scanned:r.w], "\r\n"); i >= 0 {
			end := r.r + r.scanned + i
			line := r.buf[r.r:end]
			r.afterCR = r.buf[end] == '\r'
			r.r = end + 1
			r.scanned = 0
			if r.skip {
				r.skip = false
				return nil, &ParseError{Kind: KindTooLong, Detail: "over " + strconv.Itoa(r.max) + " bytes"}
			}
			for len(line) > 0 && line[0] == 0 {
				line = line[1:]
			}
			return line, nil
		}
		r.scanned = r.w - r.r
		if r.scanned >= r.max {
			// No terminator within the cap: drop what we have and skip to the next one.
			r.skip = true
			r.r, r.w, r.scanned = 0, 0, 0
		}
		if r.r > 0 && (r.w == len(r.buf) || r.r == r.w) {
			copy(r.buf, r.buf[r.r:r.w])
			r.w -= r.r
			r.r = 0
		}
		if r.w == len(r.buf) {
			n := 2 * len(r.buf)
			if n > r.max+1 {
				n = r.max + 1
			}
			nb := make([]byte, n)
			copy(nb, r.buf[:r.w])
			r.buf = nb
		}
		n, err := r.rd.Read(r.buf[r.w:])
		r.w += n
		if err != nil && n == 0 {
			if err == io.EOF && (r.w > r.r || r.skip) {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}
