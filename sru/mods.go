package sru

import (
	"strconv"
	"strings"

	"github.com/bibgate/bibgate/marc"
)

const nsMODS = "http://www.loc.gov/mods/v3"

// RenderMODS renders a MARC 21 bibliographic record as MODS 3.6, a subset
// of the Library of Congress MARC to MODS mapping: titleInfo (245, 246,
// 130/240), name (100/110/111, 700/710/711, with roles from $e and $4),
// typeOfResource and issuance (leader/06-07), genre (655), originInfo
// (260/264, 008/07-10 and 15-17, 250), language (008/35-37, 041),
// physicalDescription (300), abstract (520), tableOfContents (505), note
// (500), subject (600/610/611/630/650/651 with subdivisions),
// classification (050, 080, 082), relatedItem series (490), identifier
// (020, 022, 010), location (856 $u) and recordInfo (040, 008, 005, 001).
func RenderMODS(r *marc.Record) ([]byte, error) {
	var w xmlWriter
	w.open("mods", "xmlns", nsMODS, "version", "3.6")
	modsTitles(&w, r)
	modsNames(&w, r)
	modsType(&w, r)
	for _, f := range r.FieldsByTag("655") {
		if v := subText(f, "a"); v != "" {
			if a := f.Sub('2'); a != "" {
				w.elem("genre", v, "authority", a)
			} else {
				w.elem("genre", v)
			}
		}
	}
	modsOrigin(&w, r)
	for _, l := range languages(r) {
		w.open("language")
		w.elem("languageTerm", l, "type", "code", "authority", "iso639-2b")
		w.close("language")
	}
	if fs := r.FieldsByTag("300"); len(fs) > 0 {
		w.open("physicalDescription")
		for _, f := range fs {
			w.elemIf("extent", subText(f, "abcefg"))
		}
		w.close("physicalDescription")
	}
	for _, f := range r.FieldsByTag("520") {
		w.elemIf("abstract", subText(f, "ab"))
	}
	for _, f := range r.FieldsByTag("505") {
		w.elemIf("tableOfContents", subText(f, "agrt"))
	}
	for _, f := range r.FieldsByTag("500") {
		w.elemIf("note", subText(f, "a"))
	}
	modsSubjects(&w, r)
	for _, f := range r.FieldsByTag("050") {
		w.elemIf("classification", subText(f, "ab"), "authority", "lcc")
	}
	for _, f := range r.FieldsByTag("080") {
		w.elemIf("classification", subText(f, "ab"), "authority", "udc")
	}
	for _, f := range r.FieldsByTag("082") {
		if ed := f.Sub('2'); ed != "" {
			w.elemIf("classification", subText(f, "a"), "authority", "ddc", "edition", ed)
		} else {
			w.elemIf("classification", subText(f, "a"), "authority", "ddc")
		}
	}
	for _, f := range r.FieldsByTag("490") {
		if t := subText(f, "a"); t != "" {
			w.open("relatedItem", "type", "series")
			w.open("titleInfo")
			w.elem("title", t)
			w.elemIf("partNumber", subText(f, "v"))
			w.close("titleInfo")
			w.close("relatedItem")
		}
	}
	for _, f := range r.FieldsByTag("020") {
		w.elemIf("identifier", firstToken(f.Sub('a')), "type", "isbn")
	}
	for _, f := range r.FieldsByTag("022") {
		w.elemIf("identifier", firstToken(f.Sub('a')), "type", "issn")
	}
	for _, f := range r.FieldsByTag("010") {
		w.elemIf("identifier", strings.TrimSpace(f.Sub('a')), "type", "lccn")
	}
	for _, f := range r.FieldsByTag("856") {
		for _, u := range f.Subs("u") {
			w.open("location")
			w.elem("url", u)
			w.close("location")
		}
	}
	modsRecordInfo(&w, r)
	w.close("mods")
	return w.bytes(), nil
}

func modsTitles(w *xmlWriter, r *marc.Record) {
	for _, f := range r.FieldsByTag("245") {
		w.open("titleInfo")
		a := f.Sub('a')
		if n := int(f.Ind2 - '0'); f.Ind2 >= '1' && f.Ind2 <= '9' && n < len(a) {
			w.elem("nonSort", a[:n])
			a = a[n:]
		}
		w.elemIf("title", chop(a))
		w.elemIf("subTitle", subText(f, "b"))
		for _, s := range f.Subfields {
			switch s.Code {
			case 'n':
				w.elemIf("partNumber", chop(s.Value))
			case 'p':
				w.elemIf("partName", chop(s.Value))
			}
		}
		w.close("titleInfo")
	}
	for _, f := range r.FieldsByTag("246") {
		if t := subText(f, "a"); t != "" {
			w.open("titleInfo", "type", "alternative")
			w.elem("title", t)
			w.elemIf("subTitle", subText(f, "b"))
			w.close("titleInfo")
		}
	}
	for _, f := range r.FieldsByTag("130", "240") {
		if t := subText(f, "adfklmors"); t != "" {
			w.open("titleInfo", "type", "uniform")
			w.elem("title", t)
			w.close("titleInfo")
		}
	}
}

func modsNames(w *xmlWriter, r *marc.Record) {
	for _, f := range r.FieldsByTag("100", "110", "111", "700", "710", "711") {
		typ := map[string]string{"00": "personal", "10": "corporate", "11": "conference"}[f.Tag[1:]]
		attrs := []string{"type", typ}
		if f.Tag[0] == '1' {
			attrs = append(attrs, "usage", "primary")
		}
		w.open("name", attrs...)
		switch typ {
		case "personal":
			w.elemIf("namePart", subText(f, "aq"))
			w.elemIf("namePart", subText(f, "bc"), "type", "termsOfAddress")
			w.elemIf("namePart", subText(f, "d"), "type", "date")
		case "corporate":
			for _, v := range f.Subs("ab") {
				w.elemIf("namePart", chop(v))
			}
		default:
			w.elemIf("namePart", subText(f, "acdnq"))
		}
		roles := f.Subs("e")
		if typ == "conference" {
			roles = f.Subs("j")
		}
		codes := f.Subs("4")
		if len(roles)+len(codes) > 0 {
			w.open("role")
			for _, v := range roles {
				w.elemIf("roleTerm", chop(v), "type", "text", "authority", "marcrelator")
			}
			for _, v := range codes {
				w.elemIf("roleTerm", chop(v), "type", "code", "authority", "marcrelator")
			}
			w.close("role")
		}
		w.close("name")
	}
}

func modsType(w *xmlWriter, r *marc.Record) {
	var t string
	switch leaderAt(r, 6) {
	case 'a', 't':
		t = "text"
	case 'c', 'd':
		t = "notated music"
	case 'e', 'f':
		t = "cartographic"
	case 'g':
		t = "moving image"
	case 'i':
		t = "sound recording-nonmusical"
	case 'j':
		t = "sound recording-musical"
	case 'k':
		t = "still image"
	case 'm':
		t = "software, multimedia"
	case 'o', 'p':
		t = "mixed material"
	case 'r':
		t = "three dimensional object"
	}
	if t == "" {
		return
	}
	var attrs []string
	if leaderAt(r, 7) == 'c' {
		attrs = append(attrs, "collection", "yes")
	}
	switch leaderAt(r, 6) {
	case 'd', 'f', 't':
		attrs = append(attrs, "manuscript", "yes")
	}
	w.elem("typeOfResource", t, attrs...)
}

func modsOrigin(w *xmlWriter, r *marc.Record) {
	place, publisher, date := publication(r)
	country := strings.TrimSpace(controlAt(r, "008", 15, 18))
	if strings.Contains(country, "|") {
		country = ""
	}
	d1 := date1(r)
	var edition string
	if f := r.First("250"); f != nil {
		edition = subText(f, "ab")
	}
	var issuance string
	switch leaderAt(r, 7) {
	case 'a', 'c', 'd', 'm':
		issuance = "monographic"
	case 'b', 's':
		issuance = "serial"
	case 'i':
		issuance = "integrating resource"
	}
	if place+publisher+date+country+d1+edition+issuance == "" {
		return
	}
	w.open("originInfo")
	if country != "" {
		w.open("place")
		w.elem("placeTerm", country, "type", "code", "authority", "marccountry")
		w.close("place")
	}
	if place != "" {
		w.open("place")
		w.elem("placeTerm", strings.Trim(place, "[]"), "type", "text")
		w.close("place")
	}
	w.elemIf("publisher", publisher)
	w.elemIf("dateIssued", date)
	w.elemIf("dateIssued", d1, "encoding", "marc")
	w.elemIf("edition", edition)
	w.elemIf("issuance", issuance)
	w.close("originInfo")
}

// subjectAuthority maps the 6XX second indicator to a MODS authority.
func subjectAuthority(f *marc.Field) string {
	switch f.Ind2 {
	case '0':
		return "lcsh"
	case '1':
		return "lcshac"
	case '2':
		return "mesh"
	case '3':
		return "nal"
	case '5':
		return "csh"
	case '6':
		return "rvm"
	case '7':
		return f.Sub('2')
	}
	return ""
}

func modsSubjects(w *xmlWriter, r *marc.Record) {
	for _, f := range r.FieldsByTag("600", "610", "611", "630", "650", "651") {
		var attrs []string
		if a := subjectAuthority(f); a != "" {
			attrs = []string{"authority", a}
		}
		w.open("subject", attrs...)
		switch f.Tag {
		case "600":
			w.open("name", "type", "personal")
			w.elemIf("namePart", subText(f, "aq"))
			w.elemIf("namePart", subText(f, "bc"), "type", "termsOfAddress")
			w.elemIf("namePart", subText(f, "d"), "type", "date")
			w.close("name")
		case "610":
			w.open("name", "type", "corporate")
			for _, v := range f.Subs("ab") {
				w.elemIf("namePart", chop(v))
			}
			w.close("name")
		case "611":
			w.open("name", "type", "conference")
			w.elemIf("namePart", subText(f, "acdnq"))
			w.close("name")
		case "630":
			w.open("titleInfo")
			w.elemIf("title", subText(f, "adfklmnops"))
			w.close("titleInfo")
		case "650":
			w.elemIf("topic", subText(f, "ab"))
		case "651":
			w.elemIf("geographic", subText(f, "a"))
		}
		for _, s := range f.Subfields {
			v := chop(s.Value)
			switch s.Code {
			case 'x':
				w.elemIf("topic", v)
			case 'y':
				w.elemIf("temporal", v)
			case 'z':
				w.elemIf("geographic", v)
			case 'v':
				w.elemIf("genre", v)
			}
		}
		w.close("subject")
	}
}

func modsRecordInfo(w *xmlWriter, r *marc.Record) {
	var source string
	if f := r.First("040"); f != nil {
		source = strings.TrimSpace(f.Sub('a'))
	}
	created := controlAt(r, "008", 0, 6)
	if strings.TrimSpace(created) == "" {
		created = ""
	}
	changed := ""
	if f := r.First("005"); f != nil && len(f.Value) >= 14 {
		if _, err := strconv.ParseUint(f.Value[:14], 10, 64); err == nil {
			changed = f.Value[:14]
		}
	}
	id := r.ControlNumber()
	if source+created+changed+id == "" {
		return
	}
	w.open("recordInfo")
	w.elemIf("recordContentSource", source, "authority", "marcorg")
	w.elemIf("recordCreationDate", created, "encoding", "marc")
	w.elemIf("recordChangeDate", changed, "encoding", "iso8601")
	if id != "" {
		if f := r.First("003"); f != nil && strings.TrimSpace(f.Value) != "" {
			w.elem("recordIdentifier", id, "source", strings.TrimSpace(f.Value))
		} else {
			w.elem("recordIdentifier", id)
		}
	}
	w.close("recordInfo")
}
