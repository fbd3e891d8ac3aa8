package marc

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestMarshalLayout(t *testing.T) {
	rec := &Record{Leader: "xxxxxcam  2200000 i 4500", Fields: []Field{
		{Tag: "001", Value: "id1"},
		{Tag: "245", Ind1: '1', Ind2: '0', Subfields: []Subfield{{Code: 'a', Value: "Be\u0304rzin\u0327s\u030c"}, {Code: 'c', Value: "Ozoliņš."}}},
		{Tag: "500", Subfields: []Subfield{{Code: 'a', Value: "Note"}}},
	}}
	b, err := Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	// The decomposed Bērziņš comes out composed (NFC); lengths count bytes.
	want := "00102cam a2200061 i 4500" +
		"001000400000" + "245002700004" + "500000900031" + "\x1e" +
		"id1\x1e" + "10\x1faB\u0113rzi\u0146\u0161\x1fcOzoliņš.\x1e" + "  \x1faNote\x1e" + "\x1d"
	if string(b) != want {
		t.Errorf("got\n%q\nwant\n%q", b, want)
	}
}

func TestMarshalErrors(t *testing.T) {
	base := func(f Field) *Record { return &Record{Leader: "00000nam a2200000 a 4500", Fields: []Field{f}} }
	long := strings.Repeat("x", 10000)
	cases := []struct {
		name string
		rec  *Record
		want string
	}{
		{"short tag", base(Field{Tag: "24", Subfields: []Subfield{{Code: 'a', Value: "x"}}}), "invalid tag"},
		{"control in value", base(Field{Tag: "245", Subfields: []Subfield{{Code: 'a', Value: "a\x1eb"}}}), "control character"},
		{"invalid UTF-8", base(Field{Tag: "001", Value: "\xff"}), "not valid UTF-8"},
		{"bad subfield code", base(Field{Tag: "245", Subfields: []Subfield{{Code: ' ', Value: "x"}}}), "invalid subfield code"},
		{"bad indicator", base(Field{Tag: "245", Ind1: 0x1f}), "indicators"},
		{"field too long", base(Field{Tag: "500", Subfields: []Subfield{{Code: 'a', Value: long}}}), "too long"},
	}
	many := &Record{Leader: "00000nam a2200000 a 4500"}
	for i := 0; i < 12; i++ {
		many.Fields = append(many.Fields, Field{Tag: "500", Subfields: []Subfield{{Code: 'a', Value: long[:9000]}}})
	}
	cases = append(cases, struct {
		name string
		rec  *Record
		want string
	}{"record too long", many, "too long"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := Marshal(c.rec)
			if err == nil || !strings.Contains(err.Error(), c.want) || b != nil {
				t.Errorf("Marshal = %d bytes, %v; want error about %q", len(b), err, c.want)
			}
			if strings.Contains(c.want, "too long") && !errors.Is(err, ErrTooLong) {
				t.Errorf("error %v is not ErrTooLong", err)
			}
			if _, err := MarshalXML(c.rec); err == nil {
				t.Errorf("MarshalXML accepted what Marshal refuses")
			}
			prefix := []byte("keep")
			if out, _ := AppendMarshal(prefix, c.rec); !bytes.Equal(out, prefix) {
				t.Errorf("AppendMarshal changed dst on error: %q", out)
			}
		})
	}
}

func TestWriterStream(t *testing.T) {
	recs, _ := readFile(t, "testdata/real.mrc")
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	back, defects := readAllFrom(t, NewReader(&buf))
	if len(defects) > 0 || len(back) != len(recs) {
		t.Fatalf("%d records back, defects %v", len(back), defects)
	}
	for i := range recs {
		if d := diffRecords(recs[i], back[i], marshalPositions...); len(d) > 0 {
			t.Errorf("record %d:\n%s", i+1, strings.Join(d, "\n"))
		}
	}
}
