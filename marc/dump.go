package marc

import "strings"

// String renders the record in yaz-marcdump's line format: the leader on
// the first line, then one line per field, "001 value" for control fields
// and "245 10 $a Title / $c Author." for data fields. Every line ends in a
// newline.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString(r.Leader)
	b.WriteByte('\n')
	for i := range r.Fields {
		r.Fields[i].writeLine(&b)
	}
	return b.String()
}

// String renders the field as one yaz-marcdump line, without a newline.
func (f *Field) String() string {
	var b strings.Builder
	f.writeLine(&b)
	return strings.TrimSuffix(b.String(), "\n")
}

func (f *Field) writeLine(b *strings.Builder) {
	b.WriteString(f.Tag)
	b.WriteByte(' ')
	if f.IsControl() {
		b.WriteString(f.Value)
		b.WriteByte('\n')
		return
	}
	b.WriteByte(indicator(f.Ind1))
	b.WriteByte(indicator(f.Ind2))
	for _, s := range f.Subfields {
		b.WriteString(" $")
		b.WriteByte(s.Code)
		b.WriteByte(' ')
		b.WriteString(s.Value)
	}
	b.WriteByte('\n')
}

// indicator maps the zero byte (an indicator never set) to a blank.
func indicator(c byte) byte {
	if c == 0 {
		return ' '
	}
	return c
}
