package marc

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/unicode/norm"
)

// Namespace is the MARCXML (MARC 21 slim) namespace.
const Namespace = "http://www.loc.gov/MARC21/slim"

// MarshalXML encodes rec as one MARCXML <record> element carrying the
// MARC 21 slim namespace. The leader is the one Marshal would write (record
// length and base address of the ISO 2709 form, leader/09 'a'), so
// MARCXML and ISO 2709 output agree. It fails where Marshal fails.
func MarshalXML(rec *Record) ([]byte, error) {
	return appendXML(nil, rec, true)
}

// appendXML appends rec as a <record> element; ns says whether the element
// declares the namespace itself (it does not inside a collection).
func appendXML(dst []byte, rec *Record, ns bool) ([]byte, error) {
	total, err := isoSize(rec)
	if err != nil {
		return nil, err
	}
	lead := marshalLeader(rec.Leader, total, leaderLen+len(rec.Fields)*dirEntryLen+1)
	if ns {
		dst = append(dst, `<record xmlns="`+Namespace+`">`+"\n"...)
	} else {
		dst = append(dst, "<record>\n"...)
	}
	dst = append(dst, "  <leader>"...)
	dst = appendEscaped(dst, string(lead[:]))
	dst = append(dst, "</leader>\n"...)
	for i := range rec.Fields {
		f := &rec.Fields[i]
		if f.IsControl() {
			dst = append(dst, `  <controlfield tag="`...)
			dst = appendEscaped(dst, f.Tag)
			dst = append(dst, `">`...)
			dst = appendEscaped(dst, nfc(f.Value))
			dst = append(dst, "</controlfield>\n"...)
			continue
		}
		dst = append(dst, `  <datafield tag="`...)
		dst = appendEscaped(dst, f.Tag)
		dst = append(dst, `" ind1="`...)
		dst = appendEscaped(dst, string(indicator(f.Ind1)))
		dst = append(dst, `" ind2="`...)
		dst = appendEscaped(dst, string(indicator(f.Ind2)))
		dst = append(dst, "\">\n"...)
		for _, s := range f.Subfields {
			dst = append(dst, `    <subfield code="`...)
			dst = appendEscaped(dst, string(s.Code))
			dst = append(dst, `">`...)
			dst = appendEscaped(dst, nfc(s.Value))
			dst = append(dst, "</subfield>\n"...)
		}
		dst = append(dst, "  </datafield>\n"...)
	}
	return append(dst, "</record>\n"...), nil
}

func nfc(s string) string {
	if norm.NFC.IsNormalString(s) {
		return s
	}
	return norm.NFC.String(s)
}

// isoSize checks rec as Marshal does and returns its ISO 2709 length.
func isoSize(rec *Record) (int, error) {
	total := leaderLen + len(rec.Fields)*dirEntryLen + 1 + 1
	for i := range rec.Fields {
		f := &rec.Fields[i]
		if err := checkTag(f.Tag); err != nil {
			return 0, err
		}
		n := 1
		if f.IsControl() {
			if err := checkText(f.Value, f.Tag); err != nil {
				return 0, err
			}
			n += len(nfc(f.Value))
		} else {
			ind1, ind2 := indicator(f.Ind1), indicator(f.Ind2)
			if !printableASCII(ind1) || !printableASCII(ind2) {
				return 0, fmt.Errorf("marc: marshal field %s: indicators %q %q are not printable ASCII", f.Tag, ind1, ind2)
			}
			n += 2
			for _, s := range f.Subfields {
				if !ValidSubfieldCode(s.Code) {
					return 0, fmt.Errorf("marc: marshal field %s: invalid subfield code %q", f.Tag, s.Code)
				}
				if err := checkText(s.Value, f.Tag); err != nil {
					return 0, err
				}
				n += 2 + len(nfc(s.Value))
			}
		}
		if n > maxFieldLen {
			return 0, fmt.Errorf("marc: marshal field %s: %d bytes: %w", f.Tag, n, ErrTooLong)
		}
		total += n
	}
	if total > maxRecordLen {
		return 0, fmt.Errorf("marc: marshal record %q: %d bytes: %w", rec.ControlNumber(), total, ErrTooLong)
	}
	return total, nil
}

// appendEscaped escapes text for element content and attribute values.
func appendEscaped(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		case '\'':
			esc = "&apos;"
		default:
			continue
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, esc...)
		last = i + 1
	}
	return append(dst, s[last:]...)
}

// XMLWriter writes a MARCXML <collection>.
type XMLWriter struct {
	w       io.Writer
	buf     []byte
	started bool
	closed  bool
}

// NewXMLWriter returns a writer of one MARCXML collection on w. Call Close
// to end the collection.
func NewXMLWriter(w io.Writer) *XMLWriter { return &XMLWriter{w: w} }

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<collection xmlns="` + Namespace + `">` + "\n"

// Write appends rec to the collection.
func (x *XMLWriter) Write(rec *Record) error {
	if x.closed {
		return errors.New("marc: write to a closed XMLWriter")
	}
	x.buf = x.buf[:0]
	if !x.started {
		x.buf = append(x.buf, xmlHeader...)
	}
	b, err := appendXML(x.buf, rec, false)
	if err != nil {
		return err
	}
	x.buf = b
	if _, err := x.w.Write(b); err != nil {
		return fmt.Errorf("marc: write MARCXML record %q: %w", rec.ControlNumber(), err)
	}
	x.started = true
	return nil
}

// Close ends the collection (writing an empty one if no record was
// written). It does not close the underlying writer.
func (x *XMLWriter) Close() error {
	if x.closed {
		return nil
	}
	x.closed = true
	s := "</collection>\n"
	if !x.started {
		s = xmlHeader + s
	}
	if _, err := io.WriteString(x.w, s); err != nil {
		return fmt.Errorf("marc: end MARCXML collection: %w", err)
	}
	return nil
}

// WriteXMLCollection writes recs to w as one MARCXML collection.
func WriteXMLCollection(w io.Writer, recs []*Record) error {
	x := NewXMLWriter(w)
	for _, r := range recs {
		if err := x.Write(r); err != nil {
			return err
		}
	}
	return x.Close()
}

// XMLReader reads MARCXML records from a stream: the <record> elements of
// a <collection>, a bare <record>, or records nested in another document
// (an SRU response), in the MARC 21 slim namespace or in no namespace, with
// any prefix. Elements in other namespaces are ignored.
//
// It repairs what it can as Reader does and reports it the same way, as a
// *Defect with the record: leaders of the wrong length are padded or cut,
// invalid indicators become blanks, subfields with an invalid code join the
// previous subfield, control characters are removed, text is normalised to
// NFC, leader/09 is set to 'a'. A record without a usable field is still
// returned. XML that is not well formed ends the stream: that error is
// final, as nothing after it can be trusted.
type XMLReader struct {
	d   *xml.Decoder
	n   int
	err error
}

// NewXMLReader returns a reader of MARCXML records on r. Documents in
// encodings other than UTF-8 are accepted when their XML declaration names
// an IANA character set.
func NewXMLReader(r io.Reader) *XMLReader {
	d := xml.NewDecoder(r)
	d.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		enc, err := ianaindex.IANA.Encoding(label)
		if err != nil || enc == nil {
			return nil, fmt.Errorf("marc: unsupported XML encoding %q", label)
		}
		return enc.NewDecoder().Reader(input), nil
	}
	return &XMLReader{d: d}
}

func isMARCName(n xml.Name, local string) bool {
	return n.Local == local && (n.Space == Namespace || n.Space == "")
}

// Next returns the next record, (nil, io.EOF) at the end, a *Defect with a
// repaired record, or another error when the XML is not well formed.
func (x *XMLReader) Next() (*Record, error) {
	if x.err != nil {
		return nil, x.err
	}
	for {
		pos := x.d.InputOffset()
		tok, err := x.d.Token()
		if err == io.EOF {
			x.err = io.EOF
			return nil, io.EOF
		}
		if err != nil {
			x.err = fmt.Errorf("marc: MARCXML at byte %d: %w", x.d.InputOffset(), err)
			return nil, x.err
		}
		if se, ok := tok.(xml.StartElement); ok && isMARCName(se.Name, "record") {
			x.n++
			var p problems
			rec, err := x.record(&p)
			if err != nil {
				x.err = fmt.Errorf("marc: MARCXML record %d at byte %d: %w", x.n, pos, err)
				return nil, x.err
			}
			if d := p.defect(x.n, pos); d != nil {
				return rec, d
			}
			return rec, nil
		}
	}
}

func attr(se xml.StartElement, name string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == name && (a.Name.Space == "" || a.Name.Space == Namespace) {
			return a.Value, true
		}
	}
	return "", false
}

// cleanText strips controls and normalises, counting the removals.
func cleanText(s string, p *problems, what string) string {
	s, n := stripControls(s)
	if n > 0 {
		p.add(DefectRepaired, "%s: removed %d control character(s)", what, n)
	}
	return nfc(s)
}

// record reads the body of a <record> element (its start tag consumed).
func (x *XMLReader) record(p *problems) (*Record, error) {
	rec := &Record{}
	leader := ""
	haveLeader := false
	for {
		tok, err := x.d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if !haveLeader {
				p.add(DefectRepaired, "no leader")
			}
			rec.Leader = fixLeader(leader, p)
			return rec, nil
		case xml.StartElement:
			switch {
			case isMARCName(t.Name, "leader"):
				s, err := x.text()
				if err != nil {
					return nil, err
				}
				leader, haveLeader = s, true
			case isMARCName(t.Name, "controlfield"):
				s, err := x.text()
				if err != nil {
					return nil, err
				}
				tag, ok := fieldTag(t, p)
				if !ok {
					continue
				}
				v := cleanText(s, p, "field "+tag)
				if IsControlTag(tag) {
					rec.Fields = append(rec.Fields, Field{Tag: tag, Value: v})
				} else {
					p.add(DefectRepaired, "controlfield with data tag %s kept as a data field with $a", tag)
					rec.Fields = append(rec.Fields, Field{Tag: tag, Ind1: ' ', Ind2: ' ', Subfields: []Subfield{{Code: 'a', Value: v}}})
				}
			case isMARCName(t.Name, "datafield"):
				f, ok, err := x.datafield(t, p)
				if err != nil {
					return nil, err
				}
				if ok {
					rec.Fields = append(rec.Fields, f)
				}
			default:
				if err := x.d.Skip(); err != nil {
					return nil, err
				}
			}
		}
	}
}

// fieldTag validates the tag attribute; a field without a usable tag is
// dropped.
func fieldTag(se xml.StartElement, p *problems) (string, bool) {
	tag, ok := attr(se, "tag")
	if !ok {
		p.add(DefectRepaired, "%s without a tag dropped", se.Name.Local)
		return "", false
	}
	if len(tag) != 3 || !validTag([]byte(tag)) {
		p.add(DefectRepaired, "%s with invalid tag %q dropped", se.Name.Local, tag)
		return "", false
	}
	if !alnumTag(tag) {
		p.add(DefectRepaired, "tag %q is not alphanumeric", tag)
	}
	return tag, true
}

func (x *XMLReader) datafield(se xml.StartElement, p *problems) (Field, bool, error) {
	tag, tagOK := fieldTag(se, p)
	f := Field{Tag: tag, Ind1: ' ', Ind2: ' '}
	for k, name := range []string{"ind1", "ind2"} {
		v, _ := attr(se, name)
		c := byte(' ')
		switch {
		case len(v) == 1 && validIndicator(v[0]):
			c = v[0]
		case v == "":
		default:
			p.add(DefectRepaired, "field %s: invalid indicator %q replaced by blank", tag, v)
		}
		if k == 0 {
			f.Ind1 = c
		} else {
			f.Ind2 = c
		}
	}
	for {
		tok, err := x.d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return f, false, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if !tagOK {
				return f, false, nil
			}
			if IsControlTag(tag) {
				p.add(DefectRepaired, "datafield with control tag %s kept as a control field", tag)
				return Field{Tag: tag, Value: f.Text("")}, true, nil
			}
			return f, true, nil
		case xml.StartElement:
			if !isMARCName(t.Name, "subfield") {
				if err := x.d.Skip(); err != nil {
					return f, false, err
				}
				continue
			}
			s, err := x.text()
			if err != nil {
				return f, false, err
			}
			v := cleanText(s, p, "field "+tag)
			code, _ := attr(t, "code")
			switch {
			case len(code) == 1 && ValidSubfieldCode(code[0]):
				f.Subfields = append(f.Subfields, Subfield{Code: code[0], Value: v})
			case len(f.Subfields) > 0:
				p.add(DefectRepaired, "field %s: invalid subfield code %q; its text joins the previous subfield", tag, code)
				f.Subfields[len(f.Subfields)-1].Value = nfc(f.Subfields[len(f.Subfields)-1].Value + v)
			default:
				p.add(DefectRepaired, "field %s: invalid subfield code %q; its text kept as $a", tag, code)
				f.Subfields = append(f.Subfields, Subfield{Code: 'a', Value: v})
			}
		}
	}
}

// text returns the character data of the current element and consumes its
// end tag; nested elements are skipped.
func (x *XMLReader) text() (string, error) {
	var b strings.Builder
	for {
		tok, err := x.d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			if err := x.d.Skip(); err != nil {
				return "", err
			}
		case xml.EndElement:
			return b.String(), nil
		}
	}
}

// fixLeader makes a 24-character ASCII leader with leader/09 'a'.
func fixLeader(s string, p *problems) string {
	if len(s) != leaderLen {
		s = strings.TrimSpace(s)
	}
	l := []byte(s)
	if utf8.RuneCountInString(s) != len(s) {
		p.add(DefectRepaired, "non-ASCII characters in the leader replaced by blanks")
		l = l[:0]
		for _, r := range s {
			if r >= 0x80 {
				r = ' '
			}
			l = append(l, byte(r))
		}
	}
	switch {
	case len(l) < leaderLen && len(l) > 0 || len(l) > leaderLen:
		p.add(DefectRepaired, "leader has %d characters, not 24", len(l))
	}
	if len(l) > leaderLen {
		l = l[:leaderLen]
	}
	if len(l) < leaderLen {
		l = append(l, bytes.Repeat([]byte{' '}, leaderLen-len(l))...)
	}
	for i, c := range l {
		if !printableASCII(c) {
			l[i] = ' '
		}
	}
	l[9] = 'a'
	return string(l)
}
