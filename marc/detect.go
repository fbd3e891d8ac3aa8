package marc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Format names a serialisation of MARC records.
type Format int

const (
	FormatUnknown Format = iota // neither of the formats below
	FormatISO2709               // ISO 2709 ("binary MARC", USMARC)
	FormatMARCXML               // MARCXML
)

func (f Format) String() string {
	switch f {
	case FormatISO2709:
		return "ISO 2709"
	case FormatMARCXML:
		return "MARCXML"
	}
	return "unknown"
}

// detectPeek is how far Detect looks past a byte order mark and blanks.
const detectPeek = 4096

// Detect tells ISO 2709 from MARCXML by the first bytes of r without
// consuming them: XML starts with '<' (after an optional byte order mark
// and white space), ISO 2709 with the five digits of a record length. An
// empty stream is FormatUnknown with io.EOF.
func Detect(r *bufio.Reader) (Format, error) {
	b, err := r.Peek(detectPeek)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return FormatUnknown, fmt.Errorf("marc: detect format: %w", err)
	}
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	b = bytes.TrimLeft(b, " \t\r\n\x00")
	switch {
	case len(b) == 0:
		return FormatUnknown, io.EOF
	case b[0] == '<':
		return FormatMARCXML, nil
	case len(b) >= 5:
		if _, ok := atoi(b[:5]); ok {
			return FormatISO2709, nil
		}
	}
	return FormatUnknown, nil
}

// RecordReader is what Reader and XMLReader have in common.
type RecordReader interface {
	// Next returns the next record, io.EOF at the end, or a *Defect that
	// does not stop reading (see Reader.Next).
	Next() (*Record, error)
}

// NewAutoReader detects the format of r and returns a reader for it. The
// options apply to ISO 2709 input. Input that is neither format is read as
// ISO 2709, whose reader reports and skips what it cannot use.
func NewAutoReader(r io.Reader, opts ...ReaderOption) (RecordReader, Format, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	f, err := Detect(br)
	if err != nil && err != io.EOF {
		return nil, FormatUnknown, err
	}
	if f == FormatMARCXML {
		return NewXMLReader(br), f, nil
	}
	return NewReader(br, opts...), f, nil
}
