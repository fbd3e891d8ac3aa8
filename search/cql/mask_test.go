package cql

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseMask(t *testing.T) {
	lit := func(s string) Segment { return Segment{Kind: Literal, Text: s} }
	run := Segment{Kind: AnyRun}
	one := Segment{Kind: AnyChar}
	tests := []struct {
		term string
		want Mask
	}{
		{`cat`, Mask{Segments: []Segment{lit("cat")}, Text: "cat"}},
		{`comp*`, Mask{Segments: []Segment{lit("comp"), run}, Text: "comp", TrailingStar: true}},
		{`*logy`, Mask{Segments: []Segment{run, lit("logy")}, Text: "logy", LeadingStar: true}},
		{`*puter*`, Mask{Segments: []Segment{run, lit("puter"), run}, Text: "puter", LeadingStar: true, TrailingStar: true}},
		{`c*t`, Mask{Segments: []Segment{lit("c"), run, lit("t")}, Text: "ct", Inner: true}},
		{`c?t`, Mask{Segments: []Segment{lit("c"), one, lit("t")}, Text: "ct", Inner: true}},
		{`cat?`, Mask{Segments: []Segment{lit("cat"), one}, Text: "cat", Inner: true}},
		{`comp**`, Mask{Segments: []Segment{lit("comp"), run}, Text: "comp", TrailingStar: true}},
		{`*`, Mask{Segments: []Segment{run}, LeadingStar: true, TrailingStar: true}},
		{`^cat in the hat`, Mask{Segments: []Segment{lit("cat in the hat")}, Text: "cat in the hat", AnchorStart: true}},
		{`^first chars*`, Mask{Segments: []Segment{lit("first chars"), run}, Text: "first chars", AnchorStart: true, TrailingStar: true}},
		{`^whole^`, Mask{Segments: []Segment{lit("whole")}, Text: "whole", AnchorStart: true, AnchorEnd: true}},
		{`a\*b`, Mask{Segments: []Segment{lit("a*b")}, Text: "a*b"}},
		{`\^x\?`, Mask{Segments: []Segment{lit("^x?")}, Text: "^x?"}},
		{`\"Of Course\" she said`, Mask{Segments: []Segment{lit(`"Of Course" she said`)}, Text: `"Of Course" she said`}},
		{`Bērz*`, Mask{Segments: []Segment{lit("Bērz"), run}, Text: "Bērz", TrailingStar: true}},
		{``, Mask{}},
	}
	for _, tt := range tests {
		got, err := ParseMask(tt.term)
		if err != nil {
			t.Errorf("ParseMask(%q): %v", tt.term, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseMask(%q)\n got %+v\nwant %+v", tt.term, got, tt.want)
		}
		if got.Masked() != (tt.want.LeadingStar || tt.want.TrailingStar || tt.want.Inner) {
			t.Errorf("ParseMask(%q).Masked() = %v", tt.term, got.Masked())
		}
	}
}

func TestParseMaskAnchorInside(t *testing.T) {
	for _, term := range []string{`ca^t`, `cat ^dog`, `^^x`} {
		_, err := ParseMask(term)
		var e *Error
		if !errors.As(err, &e) || e.Code != DiagAnchorPosition {
			t.Errorf("ParseMask(%q) = %v, want diagnostic 32", term, err)
		}
	}
}

func TestClauseMaskUnmasked(t *testing.T) {
	q, err := Parse(`dc.title =/cql.unmasked "a*b\?"`)
	if err != nil {
		t.Fatal(err)
	}
	m, err := q.Clauses()[0].Mask()
	if err != nil {
		t.Fatal(err)
	}
	if m.Masked() || m.Text != "a*b?" {
		t.Fatalf("unmasked term analysed as %+v", m)
	}
	q, _ = Parse(`dc.title = "a*b"`)
	if m, _ := q.Clauses()[0].Mask(); !m.Inner {
		t.Fatalf("masked term analysed as %+v", m)
	}
}

func TestSplitWordsAndUnescape(t *testing.T) {
	tests := []struct {
		term  string
		words []string
	}{
		{`^cat ^dog eats rat`, []string{"^cat", "^dog", "eats", "rat"}},
		{`  a\ b  c `, []string{`a\ b`, "c"}},
		{``, nil},
		{`one`, []string{"one"}},
	}
	for _, tt := range tests {
		if got := SplitWords(tt.term); !reflect.DeepEqual(got, tt.words) {
			t.Errorf("SplitWords(%q) = %q, want %q", tt.term, got, tt.words)
		}
	}
	for in, want := range map[string]string{`a\*b`: `a*b`, `\\`: `\`, `\"q\"`: `"q"`, `plain*`: `plain*`, `end\`: `end\`} {
		if got := Unescape(in); got != want {
			t.Errorf("Unescape(%q) = %q, want %q", in, got, want)
		}
	}
}
