package sru

import (
	"strings"

	"github.com/bibgate/bibgate/marc"
)

// Namespaces of the SRU Dublin Core record schema.
const (
	nsSRWDC = "info:srw/schema/1/dc-schema"
	nsDC    = "http://purl.org/dc/elements/1.1/"
)

// RenderDC renders a MARC 21 bibliographic record as an SRU Dublin Core
// record (<srw_dc:dc>), following the Library of Congress MARC to Dublin
// Core crosswalk (unqualified):
//
//	title        245 $a $b $f $g $k $n $p $s
//	creator      100, 110, 111, 700, 710, 711, 720
//	subject      600, 610, 611, 630, 650, 653 (subdivisions joined by --)
//	description  520, 500, 505
//	publisher    260 $a $b (else 264 with second indicator 1)
//	date         260 $c (else 264 $c, else 008/07-10)
//	type         leader/06 (DCMI type vocabulary), leader/07 c or s: Collection
//	identifier   020 $a (URN:ISBN:), 022 $a (URN:ISSN:), 856 $u
//	language     008/35-37, 041
//	coverage     651
//	rights       506 $a, 540 $a
func RenderDC(r *marc.Record) ([]byte, error) {
	var w xmlWriter
	w.open("srw_dc:dc", "xmlns:srw_dc", nsSRWDC, "xmlns:dc", nsDC)
	el := func(name, v string) {
		if v = strings.TrimSpace(v); v != "" {
			w.elem("dc:"+name, v)
		}
	}
	for _, f := range r.FieldsByTag("245") {
		el("title", subText(f, "abfgknps"))
	}
	for _, f := range r.FieldsByTag("100", "700") {
		el("creator", subText(f, "abcdq"))
	}
	for _, f := range r.FieldsByTag("110", "710") {
		el("creator", subText(f, "abcdgn"))
	}
	for _, f := range r.FieldsByTag("111", "711") {
		el("creator", subText(f, "acdegnq"))
	}
	for _, f := range r.FieldsByTag("720") {
		el("creator", subText(f, "a"))
	}
	for _, f := range r.FieldsByTag("600", "610", "611", "630", "650", "653") {
		main := "a"
		switch f.Tag {
		case "600":
			main = "abcdq"
		case "610":
			main = "abcdn"
		case "611":
			main = "acdenq"
		case "630":
			main = "adfklmnops"
		case "650":
			main = "ab"
		}
		el("subject", subjectHeading(f, main))
	}
	for _, f := range r.FieldsByTag("520") {
		el("description", subText(f, "ab"))
	}
	for _, f := range r.FieldsByTag("500", "505") {
		el("description", subText(f, "a"))
	}
	place, publisher, date := publication(r)
	switch {
	case place != "" && publisher != "":
		el("publisher", place+" : "+publisher)
	default:
		el("publisher", place+publisher)
	}
	if date == "" {
		date = date1(r)
	}
	el("date", date)
	typ := dcType(r)
	el("type", typ)
	if typ != "Collection" && (leaderAt(r, 7) == 'c' || leaderAt(r, 7) == 's') {
		el("type", "Collection")
	}
	for _, f := range r.FieldsByTag("020") {
		if v := firstToken(f.Sub('a')); v != "" {
			el("identifier", "URN:ISBN:"+v)
		}
	}
	for _, f := range r.FieldsByTag("022") {
		if v := firstToken(f.Sub('a')); v != "" {
			el("identifier", "URN:ISSN:"+v)
		}
	}
	for _, f := range r.FieldsByTag("856") {
		for _, u := range f.Subs("u") {
			el("identifier", u)
		}
	}
	for _, l := range languages(r) {
		el("language", l)
	}
	for _, f := range r.FieldsByTag("651") {
		el("coverage", subjectHeading(f, "a"))
	}
	for _, f := range r.FieldsByTag("506", "540") {
		el("rights", subText(f, "a"))
	}
	w.close("srw_dc:dc")
	return w.bytes(), nil
}

// dcType maps leader/06 to the DCMI type vocabulary.
func dcType(r *marc.Record) string {
	switch leaderAt(r, 6) {
	case 'a', 'c', 'd', 't':
		return "Text"
	case 'e', 'f', 'k':
		return "StillImage"
	case 'g':
		return "MovingImage"
	case 'i', 'j':
		return "Sound"
	case 'm':
		return "Software"
	case 'o', 'p':
		return "Collection"
	case 'r':
		return "PhysicalObject"
	}
	return ""
}
