package cql

import (
	"errors"
	"testing"
)

func testProfile() *Profile {
	return &Profile{
		DefaultSet: "dc",
		Indexes: []string{"cql.serverChoice", "cql.allRecords", "dc.title", "dc.creator", "dc.date",
			"bath.isbn", "rec.id"},
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{`cat`, `cat`},
		{`title = fish`, `dc.title = fish`},
		{`DC.Title ANY fish`, `dc.title any fish`},
		{`dc.title exact "a b"`, `dc.title == "a b"`},
		{`dc.title scr x`, `dc.title = x`},
		{`dc.title cql.all "a b"`, `dc.title all "a b"`},
		{`dc.title any/cql.STEM/Relevant x`, `dc.title any/stem/relevant x`},
		{`dc.title =/cql.unmasked "a*"`, `dc.title =/unmasked a*`},
		{`> foo = "info:srw/cql-context-set/1/dc-v1.1" foo.title = fish`, `dc.title = fish`},
		{`> "info:srw/cql-context-set/1/dc-v1.0" creator = knuth`, `dc.creator = knuth`},
		{`> "http://zing.z3950.org/cql/bath/2.0/" isbn = 123`, `bath.isbn = 123`},
		{`a and (> dc = "http://zing.z3950.org/cql/bath/2.0/" dc.isbn = 1) and dc.title = x`, `a and bath.isbn = 1 and dc.title = x`},
		{`a prox/cql.unit=Sentence/distance<=2/ordered b`, `a prox/unit=Sentence/distance<=2/ordered b`},
		{`a sortBy title/sort.descending dc.date/ASCENDING/missingValue=0`, `a sortBy dc.title/descending dc.date/ascending/missingValue=0`},
	}
	p := testProfile()
	for _, tt := range tests {
		q, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		before := q.String()
		n, err := p.Normalize(q)
		if err != nil {
			t.Errorf("Normalize(%q): %v", tt.in, err)
			continue
		}
		if got := n.String(); got != tt.want {
			t.Errorf("Normalize(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if q.String() != before {
			t.Errorf("Normalize changed its input: %s -> %s", before, q.String())
		}
		if len(n.Prefixes) != 0 {
			t.Errorf("Normalize(%q) kept prefixes %v", tt.in, n.Prefixes)
		}
		Walk(n.Root, func(nd Node) bool {
			if _, ok := nd.(*Prefixed); ok {
				t.Errorf("Normalize(%q) kept a Prefixed node", tt.in)
			}
			return true
		})
	}
}

func TestNormalizeDiagnostics(t *testing.T) {
	tests := []struct {
		in      string
		code    int
		details string
	}{
		{`dc.foo = x`, DiagIndex, "dc.foo"},
		{`nosuch = x`, DiagIndex, "nosuch"},
		{`zz.title = x`, DiagContextSet, "zz"},
		{`> zz = "urn:unknown" zz.title = x`, DiagContextSet, "urn:unknown"},
		{`dc.title near x`, 0, ""}, // "near" is not a relation word: free-form term, see below
		{`dc.title foo.near x`, DiagRelation, "foo.near"},
		{`dc.title any/frobnicate x`, DiagRelationModifier, "frobnicate"},
		{`dc.title any/rel.algorithm=cori x`, DiagRelationModifier, "rel.algorithm"},
		{`dc.title = ""`, DiagEmptyTerm, ""},
		{`""`, DiagEmptyTerm, ""},
		{`a and/rel.sumOfScores b`, DiagBooleanModifier, "rel.sumOfScores"},
		{`a prox/unit=chapter b`, DiagProximityUnit, "chapter"},
		{`a prox/distance<x b`, DiagProximityDistance, "x"},
		{`a prox/distance b`, DiagProximityRelation, ""},
		{`a prox/weight=2 b`, DiagBooleanModifier, "weight"},
		{`a sortBy dc.nosuch`, DiagIndex, "dc.nosuch"},
		{`a sortBy dc.title/sideways`, DiagSortType, "sideways"},
	}
	p := testProfile()
	for _, tt := range tests {
		q, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		_, err = p.Normalize(q)
		if tt.code == 0 {
			if err != nil {
				t.Errorf("Normalize(%q): %v", tt.in, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Normalize(%q) = %v, want diagnostic %d", tt.in, err, tt.code)
			continue
		}
		if e.Code != tt.code || e.Details != tt.details {
			t.Errorf("Normalize(%q) = diagnostic %d %q, want %d %q", tt.in, e.Code, e.Details, tt.code, tt.details)
		}
	}
}

func TestNormalizeRestrictions(t *testing.T) {
	p := &Profile{
		DefaultSet:        "dc",
		Relations:         []string{"=", "=="},
		RelationModifiers: []string{},
		Booleans:          []Op{And, Or},
		AllowEmptyTerm:    true,
	}
	ok := []string{`dc.anything = x`, `x == ""`, `a or b`}
	for _, in := range ok {
		q, _ := Parse(in)
		if _, err := p.Normalize(q); err != nil {
			t.Errorf("Normalize(%q): %v", in, err)
		}
	}
	bad := map[string]int{`dc.title any x`: DiagRelation, `a not b`: DiagBoolean, `a prox b`: DiagBoolean, `dc.title =/stem x`: DiagRelationModifier}
	for in, code := range bad {
		q, _ := Parse(in)
		_, err := p.Normalize(q)
		var e *Error
		if !errors.As(err, &e) || e.Code != code {
			t.Errorf("Normalize(%q) = %v, want diagnostic %d", in, err, code)
		}
	}
}

func TestProximityDefaults(t *testing.T) {
	q, _ := Parse(`a prox b`)
	px, err := q.Root.(*Boolean).Proximity()
	if err != nil {
		t.Fatal(err)
	}
	if px != (Proximity{Unit: "word", Comparison: "<=", Distance: 1}) {
		t.Fatalf("defaults = %+v", px)
	}
	q, _ = Parse(`a prox/unit=paragraph/distance>2/ordered b`)
	px, _ = q.Root.(*Boolean).Proximity()
	if px != (Proximity{Unit: "paragraph", Comparison: ">", Distance: 2, Ordered: true}) {
		t.Fatalf("parsed = %+v", px)
	}
}
