package demo

import (
	"fmt"
	"strings"

	"github.com/bibgate/bibgate/internal/gencat"
	"github.com/bibgate/bibgate/marc"
)

// titleDetails are the bibliographic facts of the demo titles beyond
// Titles(): year, publisher, place, ISBN, language, subject.
var titleDetails = map[string]struct {
	year, publisher, place, isbn, lang, subject, leader6 string
}{
	"demo-0001": {"2019", "Zvaigzne ABC", "Rīga", "9789934077353", "lav", "Latviešu romāni", "a"},
	"demo-0002": {"2014", "Zvaigzne ABC", "Rīga", "9789934046038", "lav", "Latviešu romāni", "a"},
	"demo-0003": {"2021", "Jumava", "Rīga", "9789934201901", "lav", "Pirmais pasaules karš", "a"},
	"demo-0004": {"2011", "Jumava", "Rīga", "9789984386955", "lav", "Bērnība", "a"},
	"demo-0005": {"2006", "Avots", "Rīga", "9984800115", "lav", "Latviešu valoda -- Vārdnīcas", "a"},
	"demo-0006": {"2008", "Ilūkstes novada dome", "Ilūkste", "", "lav", "Ilūkstes novads -- Vēsture", "a"},
	"demo-0007": {"2024", "Cits medijs", "Rīga", "", "lav", "Sabiedrība -- Periodika", "a"},
	"demo-0008": {"2018", "Latvijas Radio", "Rīga", "", "lav", "Latviešu literatūra -- Audiogrāmatas", "i"},
	"demo-0009": {"2020", "Hueber", "München", "9783190095872", "ger", "Vācu valoda -- Mācību līdzekļi", "a"},
	"demo-0010": {"2012", "Eesti Raamat", "Tallinn", "9789985652660", "est", "Eesti eepika", "a"},
	"demo-0011": {"2000", "Mladinska knjiga", "Ljubljana", "8611155893", "slv", "Slovenska poezija", "a"},
	"demo-0012": {"2017", "Tänapäev", "Tallinn", "9789949851818", "est", "Eesti romaanid", "a"},
}

// RealRecords are the real bibliographic records shipped with the project
// (the embedded BSD-licensed sample of internal/gencat, as published, one
// per control number): the demo catalogue's second part, one copy each.
func RealRecords() []*marc.Record {
	base, err := gencat.BaseRecords()
	if err != nil {
		return nil // the sample is embedded; its tests guard it
	}
	seen := map[string]bool{}
	var out []*marc.Record
	for _, r := range base {
		if id := r.ControlNumber(); id != "" && !seen[id] {
			seen[id] = true
			out = append(out, r)
		}
	}
	return out
}

// CatalogueRecords is the whole demo catalogue: the demo titles and the
// real records.
func CatalogueRecords() []*marc.Record { return append(Records(), RealRecords()...) }

// Records returns the demo titles: one MARC 21 record per demo title, its
// 001 the record id the demo items point to. Titles, authors and subjects
// carry Latvian, Estonian and Slovenian diacritics; the records are made up
// for the demo (their ISBNs too).
func Records() []*marc.Record {
	var out []*marc.Record
	for _, t := range Titles() {
		d := titleDetails[t.RecordID]
		leader := fmt.Sprintf("00000n%sm a2200000 a 4500", d.leader6)
		if t.Material == "magazine" {
			leader = "00000nas a2200000 a 4500"
		}
		rec := &marc.Record{Leader: leader}
		add := func(f marc.Field) { rec.Fields = append(rec.Fields, f) }
		add(marc.Field{Tag: "001", Value: t.RecordID})
		add(marc.Field{Tag: "003", Value: "ILU"})
		add(marc.Field{Tag: "008", Value: fmt.Sprintf("200101s%s    lv            000 1 %s d", d.year, d.lang)})
		if d.isbn != "" {
			add(marc.Field{Tag: "020", Ind1: ' ', Ind2: ' ', Subfields: []marc.Subfield{{Code: 'a', Value: d.isbn}}})
		}
		add(marc.Field{Tag: "041", Ind1: '0', Ind2: ' ', Subfields: []marc.Subfield{{Code: 'a', Value: d.lang}}})
		if t.Author != "" {
			add(marc.Field{Tag: "100", Ind1: '1', Ind2: ' ', Subfields: []marc.Subfield{{Code: 'a', Value: invert(t.Author)}}})
		}
		add(marc.Field{Tag: "245", Ind1: ind1(t.Author), Ind2: '0', Subfields: []marc.Subfield{{Code: 'a', Value: t.Title}}})
		add(marc.Field{Tag: "264", Ind1: ' ', Ind2: '1', Subfields: []marc.Subfield{
			{Code: 'a', Value: d.place}, {Code: 'b', Value: d.publisher}, {Code: 'c', Value: d.year}}})
		add(marc.Field{Tag: "650", Ind1: ' ', Ind2: '4', Subfields: []marc.Subfield{{Code: 'a', Value: d.subject}}})
		out = append(out, rec)
	}
	return out
}

func ind1(author string) byte {
	if author == "" {
		return '0'
	}
	return '1'
}

// invert writes "Andrejs Upīts" as "Upīts, Andrejs".
func invert(name string) string {
	if strings.Contains(name, " un ") {
		return name
	}
	i := strings.LastIndexByte(name, ' ')
	if i < 0 {
		return name
	}
	return name[i+1:] + ", " + name[:i]
}
