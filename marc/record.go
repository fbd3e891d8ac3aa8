// Package marc reads and writes MARC 21 bibliographic records: ISO 2709
// (streaming), MARCXML, and MARC-8 to UTF-8 conversion. It knows nothing of
// indexes, protocols or circulation.
package marc

import "strings"

// Record is one MARC record. Leader is the 24-byte leader as text; Fields
// keeps the order the record had on the wire, control fields (001-009) first
// by convention but not by force.
type Record struct {
	Leader string
	Fields []Field
}

// Field is a control field (Tag < "010", Value set, no Subfields) or a data
// field (two indicators and subfields).
type Field struct {
	Tag       string
	Ind1      byte
	Ind2      byte
	Value     string // control fields only
	Subfields []Subfield
}

// Subfield is one coded piece of a data field.
type Subfield struct {
	Code  byte
	Value string
}

// IsControlTag reports whether tag names a control field (00X).
func IsControlTag(tag string) bool {
	return len(tag) == 3 && tag[0] == '0' && tag[1] == '0'
}

// IsControl reports whether f is a control field.
func (f *Field) IsControl() bool { return IsControlTag(f.Tag) }

// Sub returns the first value of subfield code, or "".
func (f *Field) Sub(code byte) string {
	for _, s := range f.Subfields {
		if s.Code == code {
			return s.Value
		}
	}
	return ""
}

// Subs returns every subfield value whose code is in codes, in record order.
// An empty codes returns every subfield.
func (f *Field) Subs(codes string) []string {
	var out []string
	for _, s := range f.Subfields {
		if codes == "" || strings.IndexByte(codes, s.Code) >= 0 {
			out = append(out, s.Value)
		}
	}
	return out
}

// Text joins the values of the subfields whose code is in codes (all when
// empty) with single spaces; for a control field it returns Value.
func (f *Field) Text(codes string) string {
	if f.IsControl() {
		return f.Value
	}
	return strings.Join(f.Subs(codes), " ")
}

// FieldsByTag returns the fields whose tag is one of tags, in record order.
func (r *Record) FieldsByTag(tags ...string) []*Field {
	var out []*Field
	for i := range r.Fields {
		for _, t := range tags {
			if r.Fields[i].Tag == t {
				out = append(out, &r.Fields[i])
				break
			}
		}
	}
	return out
}

// First returns the first field with tag, or nil.
func (r *Record) First(tag string) *Field {
	for i := range r.Fields {
		if r.Fields[i].Tag == tag {
			return &r.Fields[i]
		}
	}
	return nil
}

// ControlNumber returns the value of field 001, trimmed, or "".
func (r *Record) ControlNumber() string {
	if f := r.First("001"); f != nil {
		return strings.TrimSpace(f.Value)
	}
	return ""
}
