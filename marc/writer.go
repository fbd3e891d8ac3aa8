package marc

import (
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ISO 2709 limits that come from the widths of the leader and directory.
const (
	maxRecordLen = 99999
	maxFieldLen  = 9999
)

// ErrTooLong reports a record or field too long for ISO 2709.
var ErrTooLong = errors.New("too long for ISO 2709")

// Marshal encodes rec as one ISO 2709 record in UTF-8. Lengths are in bytes;
// the leader is rec.Leader (padded with blanks or cut to 24 characters)
// with its record length, leader/09 ('a'), indicator and subfield code
// counts (leader/10-11 "22"), base address and entry map (leader/20-23
// "4500") set to what is written. Values are normalised to NFC. Marshal
// fails on a tag that is not three printable ASCII characters, on text that
// is not valid UTF-8 or holds control characters (the ISO 2709 delimiters
// among them), and on a record or field too long for ISO 2709 (ErrTooLong).
func Marshal(rec *Record) ([]byte, error) {
	b, err := AppendMarshal(nil, rec)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// AppendMarshal appends the ISO 2709 form of rec to dst (see Marshal). On
// error it returns dst as it was.
func AppendMarshal(dst []byte, rec *Record) ([]byte, error) {
	n := len(rec.Fields)
	dirLen := n*dirEntryLen + 1
	// First pass: the data area, built after a placeholder for the leader
	// and directory so that one buffer holds everything.
	head := len(dst)
	fail := func(err error) ([]byte, error) { return dst[:head], err }
	dst = append(dst, make([]byte, leaderLen+dirLen)...)
	dataStart := len(dst)
	lengths := make([]int, n)
	for i := range rec.Fields {
		f := &rec.Fields[i]
		if err := checkTag(f.Tag); err != nil {
			return fail(err)
		}
		before := len(dst)
		var err error
		if f.IsControl() {
			dst, err = appendValue(dst, f.Value, f.Tag)
		} else {
			ind1, ind2 := indicator(f.Ind1), indicator(f.Ind2)
			if !printableASCII(ind1) || !printableASCII(ind2) {
				return fail(fmt.Errorf("marc: marshal field %s: indicators %q %q are not printable ASCII", f.Tag, ind1, ind2))
			}
			dst = append(dst, ind1, ind2)
			for _, s := range f.Subfields {
				if !ValidSubfieldCode(s.Code) {
					return fail(fmt.Errorf("marc: marshal field %s: invalid subfield code %q", f.Tag, s.Code))
				}
				dst = append(dst, subfieldDelimiter, s.Code)
				if dst, err = appendValue(dst, s.Value, f.Tag); err != nil {
					return fail(err)
				}
			}
		}
		if err != nil {
			return fail(err)
		}
		dst = append(dst, fieldTerminator)
		lengths[i] = len(dst) - before
		if lengths[i] > maxFieldLen {
			return fail(fmt.Errorf("marc: marshal field %s: %d bytes: %w", f.Tag, lengths[i], ErrTooLong))
		}
	}
	dst = append(dst, recordTerminator)
	total := len(dst) - head
	if total > maxRecordLen {
		return fail(fmt.Errorf("marc: marshal record %q: %d bytes: %w", rec.ControlNumber(), total, ErrTooLong))
	}
	base := leaderLen + dirLen
	lead := marshalLeader(rec.Leader, total, base)
	copy(dst[head:], lead[:])
	dir := dst[head+leaderLen : dataStart]
	off := 0
	for i := range rec.Fields {
		e := dir[i*dirEntryLen:]
		copy(e, rec.Fields[i].Tag)
		putDigits(e[3:7], lengths[i])
		putDigits(e[7:12], off)
		off += lengths[i]
	}
	dir[len(dir)-1] = fieldTerminator
	return dst, nil
}

// marshalLeader returns leader with the values ISO 2709 output fixes.
func marshalLeader(leader string, total, base int) [leaderLen]byte {
	var l [leaderLen]byte
	for i := range l {
		l[i] = ' '
		if i < len(leader) && printableASCII(leader[i]) {
			l[i] = leader[i]
		}
	}
	putDigits(l[0:5], total)
	l[9] = 'a'
	l[10], l[11] = '2', '2'
	putDigits(l[12:17], base)
	copy(l[20:24], "4500")
	return l
}

func putDigits(dst []byte, n int) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + n%10)
		n /= 10
	}
}

func printableASCII(c byte) bool { return c >= 0x20 && c < 0x7F }

func checkTag(tag string) error {
	if len(tag) != 3 || !validTag([]byte(tag)) {
		return fmt.Errorf("marc: marshal: invalid tag %q", tag)
	}
	return nil
}

// checkText enforces what every value in a Record must be: valid UTF-8
// without C0 control characters or DEL (which include the ISO 2709
// delimiters and are not allowed in XML).
func checkText(s, tag string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("marc: marshal field %s: value is not valid UTF-8", tag)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7F {
			return fmt.Errorf("marc: marshal field %s: value holds control character 0x%02X", tag, c)
		}
	}
	return nil
}

// appendValue appends s in NFC after checking it with checkText.
func appendValue(dst []byte, s, tag string) ([]byte, error) {
	if err := checkText(s, tag); err != nil {
		return dst, err
	}
	if norm.NFC.IsNormalString(s) {
		return append(dst, s...), nil
	}
	return norm.NFC.AppendString(dst, s), nil
}

// Writer writes ISO 2709 records to a stream.
type Writer struct {
	w   io.Writer
	buf []byte
}

// NewWriter returns a Writer that writes records to w, one Write call each.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write marshals rec and writes it.
func (w *Writer) Write(rec *Record) error {
	b, err := AppendMarshal(w.buf[:0], rec)
	if err != nil {
		return err
	}
	w.buf = b
	if _, err := w.w.Write(b); err != nil {
		return fmt.Errorf("marc: write record %q: %w", rec.ControlNumber(), err)
	}
	return nil
}
