package boltindex

import (
	"encoding/binary"
	"errors"

	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
)

// A document value holds the external key and the indexed part of the
// record (leader and the fields some index reads), so that phrase checks
// and re-indexing never need the caller's raw format.
//
//	uvarint len, key | uvarint len, leader | uvarint nfields |
//	per field: uvarint len, tag | ind1 | ind2 | 0, uvarint len, value
//	                                          | 1, uvarint nsub, (code, uvarint len, value)*

var errCorrupt = errors.New("boltindex: corrupt document value")

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// indexedField reports whether any index reads fields tagged tag.
func indexedField(tag string, tags map[string]bool) bool { return tags[tag] }

// indexedTags lists every tag an index reads (wildcards expanded).
func indexedTags() map[string]bool {
	tags := map[string]bool{}
	for _, ix := range search.Indexes() {
		for _, spec := range ix.Fields {
			expandTag(spec.Tag, "", tags)
		}
	}
	return tags
}

func expandTag(pattern, prefix string, out map[string]bool) {
	if pattern == "" {
		out[prefix] = true
		return
	}
	if pattern[0] == 'X' {
		for d := byte('0'); d <= '9'; d++ {
			expandTag(pattern[1:], prefix+string(d), out)
		}
		return
	}
	expandTag(pattern[1:], prefix+pattern[:1], out)
}

func encodeDoc(dst []byte, key string, rec *marc.Record, tags map[string]bool) []byte {
	dst = appendString(dst[:0], key)
	dst = appendString(dst, rec.Leader)
	n := 0
	for i := range rec.Fields {
		if indexedField(rec.Fields[i].Tag, tags) {
			n++
		}
	}
	dst = binary.AppendUvarint(dst, uint64(n))
	for i := range rec.Fields {
		f := &rec.Fields[i]
		if !indexedField(f.Tag, tags) {
			continue
		}
		dst = appendString(dst, f.Tag)
		dst = append(dst, f.Ind1, f.Ind2)
		if f.IsControl() {
			dst = append(dst, 0)
			dst = appendString(dst, f.Value)
			continue
		}
		dst = append(dst, 1)
		dst = binary.AppendUvarint(dst, uint64(len(f.Subfields)))
		for _, sf := range f.Subfields {
			dst = append(dst, sf.Code)
			dst = appendString(dst, sf.Value)
		}
	}
	return dst
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errCorrupt
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.err = errCorrupt
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}

func (r *reader) string() string { return string(r.bytes()) }

// skipField passes over the rest of a field after its tag.
func (r *reader) skipField() {
	r.byte()
	r.byte()
	if r.byte() == 0 {
		r.bytes()
		return
	}
	ns := r.uvarint()
	for j := uint64(0); j < ns && r.err == nil; j++ {
		r.byte()
		r.bytes()
	}
}

// docKey returns only the external key of a document value.
func docKey(v []byte) (string, error) {
	r := reader{b: v}
	k := r.string()
	return k, r.err
}

func decodeDoc(v []byte) (string, *marc.Record, error) {
	return decodeDocFields(v, nil)
}

// decodeDocFields decodes a document value, keeping only the fields whose
// tag keep accepts (all when keep is nil).
func decodeDocFields(v []byte, keep func(tag string) bool) (string, *marc.Record, error) {
	r := reader{b: v}
	key := r.string()
	rec := &marc.Record{Leader: r.string()}
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		return "", nil, errCorrupt
	}
	if keep == nil {
		rec.Fields = make([]marc.Field, 0, n)
	}
	for i := uint64(0); i < n && r.err == nil; i++ {
		tag := r.bytes()
		if keep != nil && !keep(bstr(tag)) {
			r.skipField()
			continue
		}
		f := marc.Field{Tag: string(tag), Ind1: r.byte(), Ind2: r.byte()}
		if r.byte() == 0 {
			f.Value = r.string()
		} else {
			ns := r.uvarint()
			if ns > uint64(len(r.b)) {
				return "", nil, errCorrupt
			}
			f.Subfields = make([]marc.Subfield, 0, ns)
			for j := uint64(0); j < ns && r.err == nil; j++ {
				f.Subfields = append(f.Subfields, marc.Subfield{Code: r.byte(), Value: r.string()})
			}
		}
		rec.Fields = append(rec.Fields, f)
	}
	if r.err != nil {
		return "", nil, r.err
	}
	return key, rec, nil
}

func encodeSort(dst []byte, s search.SortKeys) []byte {
	dst = appendString(dst[:0], s.Title)
	dst = appendString(dst, s.Author)
	return appendString(dst, s.Date)
}

func decodeSort(v []byte) (search.SortKeys, error) {
	r := reader{b: v}
	s := search.SortKeys{Title: r.string(), Author: r.string(), Date: r.string()}
	return s, r.err
}
