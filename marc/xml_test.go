package marc

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestXMLCollectionRoundTrip(t *testing.T) {
	recs, _ := readFile(t, "testdata/real.mrc")
	var buf bytes.Buffer
	if err := WriteXMLCollection(&buf, recs); err != nil {
		t.Fatal(err)
	}
	back, defects := readAllFrom(t, NewXMLReader(&buf))
	if len(defects) > 0 || len(back) != len(recs) {
		t.Fatalf("%d records back (want %d), defects %v", len(back), len(recs), defects)
	}
	for i := range recs {
		if d := diffRecords(recs[i], back[i], marshalPositions...); len(d) > 0 {
			t.Errorf("record %d:\n%s", i+1, strings.Join(d, "\n"))
		}
	}
	// The MARCXML leader is the ISO 2709 one.
	iso, _ := Marshal(recs[0])
	if want := string(iso[:24]); back[0].Leader != want {
		t.Errorf("MARCXML leader %q, ISO 2709 leader %q", back[0].Leader, want)
	}
}

func TestEmptyCollection(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXMLCollection(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if recs, _ := readAllFrom(t, NewXMLReader(&buf)); len(recs) != 0 {
		t.Errorf("%d records in an empty collection", len(recs))
	}
}

func TestXMLReaderShapes(t *testing.T) {
	const body = `<leader>00000nam a2200000 a 4500</leader><controlfield tag="001">x1</controlfield>` +
		`<datafield tag="245" ind1="1" ind2="0"><subfield code="a">Title &amp; more</subfield></datafield>`
	cases := []struct {
		name, doc string
		records   int
		kind      DefectKind
		title     string
	}{
		{"bare record with namespace", `<record xmlns="` + Namespace + `">` + body + `</record>`, 1, 0, "Title & more"},
		{"no namespace", `<?xml version="1.0"?><collection><record>` + body + `</record><record>` + body + `</record></collection>`, 2, 0, "Title & more"},
		{"prefixed", `<marc:collection xmlns:marc="` + Namespace + `"><marc:record>` +
			strings.NewReplacer("<leader", "<marc:leader", "</leader", "</marc:leader", "<controlfield", "<marc:controlfield",
				"</controlfield", "</marc:controlfield", "<datafield", "<marc:datafield", "</datafield", "</marc:datafield",
				"<subfield", "<marc:subfield", "</subfield", "</marc:subfield").Replace(body) + `</marc:record></marc:collection>`, 1, 0, "Title & more"},
		{"inside SRU", `<srw:searchRetrieveResponse xmlns:srw="http://www.loc.gov/zing/srw/"><srw:records><srw:record>` +
			`<srw:recordData><record xmlns="` + Namespace + `">` + body + `</record></srw:recordData></srw:record></srw:records></srw:searchRetrieveResponse>`, 1, 0, "Title & more"},
		{"decomposed text normalised", `<record>` + strings.Replace(body, "Title", "Te\u0301te", 1) + `</record>`, 1, 0, "Téte & more"},
		{"Latin-1 document", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><record>" + strings.Replace(body, "Title", "T\xe9tle", 1) + `</record>`, 1, 0, "Tétle & more"},
		{"bad indicator", `<record>` + strings.Replace(body, `ind1="1"`, `ind1="#"`, 1) + `</record>`, 1, DefectRepaired, "Title & more"},
		{"short leader", `<record>` + strings.Replace(body, "00000nam a2200000 a 4500", "00000nam", 1) + `</record>`, 1, DefectRepaired, "Title & more"},
		{"bad subfield code", `<record>` + strings.Replace(body, `</datafield>`, `<subfield code="">!</subfield></datafield>`, 1) + `</record>`, 1, DefectRepaired, "Title & more!"},
		{"newline in value", `<record>` + strings.Replace(body, "Title", "Ti\ntle", 1) + `</record>`, 1, DefectRepaired, "Title & more"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewXMLReader(strings.NewReader(c.doc))
			n := 0
			for {
				rec, err := r.Next()
				if err == io.EOF {
					break
				}
				var d *Defect
				switch {
				case err == nil && c.kind != 0:
					t.Errorf("no defect, want %v", c.kind)
				case err != nil && !errors.As(err, &d):
					t.Fatal(err)
				case d != nil && d.Kind != c.kind:
					t.Errorf("defect %v, want %v", d, c.kind)
				}
				n++
				if got := rec.First("245").Sub('a'); got != c.title {
					t.Errorf("245 $a = %q, want %q", got, c.title)
				}
				if rec.ControlNumber() != "x1" || len(rec.Leader) != 24 || rec.Leader[9] != 'a' {
					t.Errorf("record %q", rec.String())
				}
			}
			if n != c.records {
				t.Errorf("%d records, want %d", n, c.records)
			}
		})
	}
}

func TestXMLSyntaxErrorIsFinal(t *testing.T) {
	r := NewXMLReader(strings.NewReader(`<collection><record><leader>x</leader></record><record><leader>`))
	// The first record lacks most of its leader: repaired, reading goes on.
	if rec, err := r.Next(); rec == nil || !errors.As(err, new(*Defect)) {
		t.Fatalf("first record: %v, %v; want a repaired record", rec, err)
	}
	_, err := r.Next()
	if err == nil || err == io.EOF || errors.As(err, new(*Defect)) {
		t.Fatalf("truncated document: got %v, want a syntax error", err)
	}
	if _, err2 := r.Next(); err2 != err {
		t.Errorf("error not sticky: %v then %v", err, err2)
	}
}

func TestDetect(t *testing.T) {
	iso, _ := Marshal(&Record{Leader: "00000nam a2200000 a 4500", Fields: []Field{{Tag: "001", Value: "1"}}})
	cases := []struct {
		name string
		in   string
		want Format
	}{
		{"ISO 2709", string(iso), FormatISO2709},
		{"MARCXML", `<?xml version="1.0"?><collection/>`, FormatMARCXML},
		{"MARCXML with BOM and blanks", "\xEF\xBB\xBF\n  <record/>", FormatMARCXML},
		{"text", "hello world", FormatUnknown},
		{"short digits", "123", FormatUnknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			br := bufio.NewReader(strings.NewReader(c.in))
			got, err := Detect(br)
			if err != nil || got != c.want {
				t.Errorf("Detect = %v, %v; want %v", got, err, c.want)
			}
			rest, _ := io.ReadAll(br)
			if string(rest) != c.in {
				t.Errorf("Detect consumed input")
			}
		})
	}
	if f, err := Detect(bufio.NewReader(strings.NewReader(" \n"))); f != FormatUnknown || err != io.EOF {
		t.Errorf("blank input: %v, %v", f, err)
	}
}

func TestNewAutoReader(t *testing.T) {
	for _, path := range []string{"testdata/real.mrc", "testdata/real.xml"} {
		b, _ := readFileBytes(t, path)
		rr, f, err := NewAutoReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		recs, _ := readAllFrom(t, rr)
		if len(recs) != 151 {
			t.Errorf("%s (%v): %d records", path, f, len(recs))
		}
	}
}
