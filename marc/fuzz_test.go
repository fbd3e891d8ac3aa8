package marc

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedFiles adds every source file, and the first records of real.mrc, as
// fuzz seeds.
func seedFiles(f *testing.F, glob string) {
	files, _ := filepath.Glob(glob)
	for _, p := range files {
		if strings.HasSuffix(p, ".txt") || strings.HasSuffix(p, ".md") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 64<<10 {
			b = b[:64<<10]
		}
		f.Add(b)
	}
}

// checkRecord asserts what every record the readers return must satisfy:
// it can be written, and reads back the same.
func checkRecord(t *testing.T, rec *Record) {
	b, err := Marshal(rec)
	if errors.Is(err, ErrTooLong) {
		return
	}
	if err != nil {
		t.Fatalf("record from the reader does not marshal: %v\n%s", err, rec)
	}
	back, err := NewReader(bytes.NewReader(b)).Next()
	if err != nil && !persistentOnly(err) {
		t.Fatalf("marshalled record reads back with %v\n%q", err, b)
	}
	if d := diffRecords(rec, back, marshalPositions...); len(d) > 0 {
		t.Fatalf("round trip differs: %s", strings.Join(d, "\n"))
	}
	x, err := MarshalXML(rec)
	if err != nil {
		t.Fatalf("MarshalXML: %v", err)
	}
	xback, err := NewXMLReader(bytes.NewReader(x)).Next()
	if err != nil && !persistentOnly(err) {
		t.Fatalf("MARCXML reads back with %v\n%s", err, x)
	}
	if d := diffRecords(back, xback); len(d) > 0 {
		t.Fatalf("MARCXML round trip differs: %s", strings.Join(d, "\n"))
	}
}

func FuzzReader(f *testing.F) {
	seedFiles(f, "testdata/src/*")
	f.Add(buildRecord('a', "001id", "24510\x1faTitle\x1fbSub", "650 0\x1faTopic"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), WithMaxRecordSize(1<<16))
		for i := 0; i < 1000; i++ {
			rec, err := r.Next()
			if err == io.EOF {
				return
			}
			var d *Defect
			if err != nil && !errors.As(err, &d) {
				t.Fatalf("non-defect error from a bytes.Reader: %v", err)
			}
			if d != nil && (rec == nil) != (d.Kind == DefectDropped) {
				t.Fatalf("defect %v with record %v", d, rec != nil)
			}
			if rec != nil {
				checkRecord(t, rec)
			}
		}
		t.Fatalf("more than 1000 records from %d bytes", len(data))
	})
}

func FuzzXMLReader(f *testing.F) {
	b, err := os.ReadFile("testdata/real.xml")
	if err != nil {
		f.Fatal(err)
	}
	// The first few records, and a truncated document.
	end := bytes.Index(b[bytes.Index(b, []byte("</record>"))+9:], []byte("</record>"))
	f.Add(append(append([]byte(nil), b[:end+200]...), "</record></collection>"...))
	f.Add(b[:4000])
	f.Add([]byte(`<record xmlns="` + Namespace + `"><leader>00000nam a2200000 a 4500</leader>` +
		`<controlfield tag="001">x</controlfield><datafield tag="245" ind1="1" ind2="0">` +
		`<subfield code="a">T</subfield></datafield></record>`))
	f.Add([]byte(`<marc:record xmlns:marc="` + Namespace + `"><marc:leader>short</marc:leader>` +
		`<marc:datafield tag="24" ind1="xx"><marc:subfield>v</marc:subfield></marc:datafield></marc:record>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewXMLReader(bytes.NewReader(data))
		for i := 0; i < 1000; i++ {
			rec, err := r.Next()
			var d *Defect
			if err != nil && !errors.As(err, &d) {
				return // EOF or not well formed: both final
			}
			if rec == nil {
				t.Fatalf("defect %v without a record", d)
			}
			checkRecord(t, rec)
		}
	})
}
