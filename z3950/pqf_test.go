package z3950

import (
	"errors"
	"testing"
)

func TestParsePQF(t *testing.T) {
	tests := []struct {
		in, want string // want: FormatPQF of the parse
	}{
		{`@attr 1=4 @attr 5=1 "war and peace"`, `@attr 1=4 @attr 5=1 "war and peace"`},
		{`@and @attr 1=1003 tolstoy @attr 1=4 war`, `@and @attr 1=1003 tolstoy @attr 1=4 war`},
		{`water`, `water`},
		{`@attrset bib-1 @attr 1=7 0201896834`, `@attr 1=7 0201896834`},
		{`@attrset exp-1 @attr 1=1 x`, `@attrset exp-1 @attr 1=1 x`},
		{`@attr 1=4 @and a b`, `@and @attr 1=4 a @attr 1=4 b`},
		{`@or @not a b @set 2`, `@or @not a b @set 2`},
		{`@prox 0 3 1 2 k 2 cat dog`, `@prox 0 3 1 2 k 2 cat dog`},
		{`@prox void 1 0 3 p 7 cat dog`, `@prox void 1 0 3 p 7 cat dog`},
		{`@attr gils 1=2016 x`, `@attr 1.2.840.10003.3.5 1=2016 x`},
		{`@attr 1=title x`, `@attr 1=title x`},
		{`@attr 1=1,title x`, `@attr 1=1,title x`},
		{`@term numeric 1999`, `@term numeric 1999`},
		{`@term string "a b"`, `@term string "a b"`},
		{`"say \"hi\" \\ there"`, `"say \"hi\" \\ there"`},
		{`"@and"`, `"@and"`},
		{`""`, `""`},
		{`  spaced    out  `, ``}, // error: two operands without operator
		{`@AND a b`, `@and a b`},
	}
	for _, tt := range tests {
		q, err := ParsePQF(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("%q: accepted as %s", tt.in, FormatPQF(q))
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		got := FormatPQF(q)
		if got != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.in, got, tt.want)
		}
		// The formatted form parses back to the same query.
		q2, err := ParsePQF(got)
		if err != nil || FormatPQF(q2) != got {
			t.Errorf("%q: reparse %v %s", got, err, FormatPQF(q2))
		}
	}
}

func TestParsePQFStructure(t *testing.T) {
	q, err := ParsePQF(`@and @attr 1=1003 tolstoy @attr 1=4 @attr 4=1 "war and peace"`)
	if err != nil {
		t.Fatal(err)
	}
	if q.AttributeSet != OIDBib1Attributes {
		t.Errorf("set = %s", q.AttributeSet)
	}
	op, ok := q.Root.(*RPNOperation)
	if !ok || op.Op.Kind != OpAnd {
		t.Fatalf("root = %#v", q.Root)
	}
	right := op.Right.(*AttributesPlusTerm)
	if use, _ := right.Attr(1); use != 4 {
		t.Errorf("use = %d", use)
	}
	if st, _ := right.Attr(4); st != 1 {
		t.Errorf("structure = %d", st)
	}
	if string(right.Term.Bytes) != "war and peace" || right.Term.Kind != TermGeneral {
		t.Errorf("term = %+v", right.Term)
	}
	left := op.Left.(*AttributesPlusTerm)
	if len(left.Attributes) != 1 || string(left.Term.Bytes) != "tolstoy" {
		t.Errorf("left = %+v", left)
	}
	// The attribute list of one operand is not shared with its sibling.
	q, _ = ParsePQF(`@attr 2=3 @or @attr 1=4 a @attr 1=21 b`)
	or := q.Root.(*RPNOperation)
	l, r := or.Left.(*AttributesPlusTerm), or.Right.(*AttributesPlusTerm)
	if u, _ := l.Attr(1); u != 4 {
		t.Errorf("left use = %d", u)
	}
	if u, _ := r.Attr(1); u != 21 || len(r.Attributes) != 2 {
		t.Errorf("right attrs = %+v", r.Attributes)
	}
}

func TestParsePQFErrors(t *testing.T) {
	tests := []string{
		``, `@and a`, `@attr`, `@attr 1=`, `@attr x=4 a`, `@attr nosuchset 1=4 a`, `"unterminated`,
		`@prox 0 3 a`, `@prox 2 3 1 2 k 2 a b`, `@term numeric x`, `@term oid 1`, `@term bogus x`,
		`@set`, `@foo a`, `a b`, `@attrset`, `@attrset nosuch a`,
	}
	for _, in := range tests {
		_, err := ParsePQF(in)
		var pe *PQFError
		if !errors.As(err, &pe) {
			t.Errorf("%q: err %v, want *PQFError", in, err)
		}
	}
}

func TestPQFDepthLimit(t *testing.T) {
	deep := ""
	for i := 0; i < 500; i++ {
		deep += "@and a "
	}
	deep += "a"
	if _, err := ParsePQF(deep); err == nil {
		t.Error("500-deep query accepted")
	}
}
