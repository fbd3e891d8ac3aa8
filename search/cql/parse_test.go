package cql

import (
	"bufio"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// dump renders a tree as an S-expression that shows its structure.
func dump(n Node) string {
	switch t := n.(type) {
	case *Clause:
		return "(" + t.Index + " " + t.Relation.String() + " [" + t.Term + "])"
	case *Boolean:
		var b strings.Builder
		b.WriteString("(" + string(t.Op))
		writeModifiers(&b, t.Modifiers)
		b.WriteString(" " + dump(t.Left) + " " + dump(t.Right) + ")")
		return b.String()
	case *Prefixed:
		s := "(prefixed"
		for _, p := range t.Prefixes {
			s += " " + p.Name + "=" + p.URI
		}
		return s + " " + dump(t.Node) + ")"
	}
	return "<nil>"
}

func dumpQuery(q *Query) string {
	var parts []string
	for _, p := range q.Prefixes {
		parts = append(parts, "> "+p.Name+"="+p.URI)
	}
	parts = append(parts, dump(q.Root))
	for _, k := range q.SortKeys {
		var b strings.Builder
		b.WriteString("sort:" + k.Index)
		writeModifiers(&b, k.Modifiers)
		parts = append(parts, b.String())
	}
	return strings.Join(parts, " ")
}

func TestParseTrees(t *testing.T) {
	tests := []struct {
		in, tree, canon string
	}{
		// Simple terms (CQL spec sample queries).
		{`cat`, `(cql.serverChoice = [cat])`, `cat`},
		{`"cat"`, `(cql.serverChoice = [cat])`, `cat`},
		{`comp.os.linux`, `(cql.serverChoice = [comp.os.linux])`, `comp.os.linux`},
		{`ml:element`, `(cql.serverChoice = [ml:element])`, `ml:element`},
		{`"<xml:element>"`, `(cql.serverChoice = [<xml:element>])`, `"<xml:element>"`},
		{`"="`, `(cql.serverChoice = [=])`, `"="`},
		{`"prox/distance<3/unit=word"`, `(cql.serverChoice = [prox/distance<3/unit=word])`, `"prox/distance<3/unit=word"`},
		{`("cat")`, `(cql.serverChoice = [cat])`, `cat`},
		{`((dog))`, `(cql.serverChoice = [dog])`, `dog`},
		{`all`, `(cql.serverChoice = [all])`, `"all"`},
		{`prox`, `(cql.serverChoice = [prox])`, `"prox"`},
		{`sortby`, `(cql.serverChoice = [sortby])`, `"sortby"`},
		// Index relation term.
		{`title = "fish"`, `(title = [fish])`, `title = fish`},
		{`title == fish`, `(title == [fish])`, `title == fish`},
		{`title any fish`, `(title any [fish])`, `title any fish`},
		{`title ALL fish`, `(title all [fish])`, `title all fish`},
		{`title > 9`, `(title > [9])`, `title > 9`},
		{`title >= 23`, `(title >= [23])`, `title >= 23`},
		{`title <> 23`, `(title <> [23])`, `title <> 23`},
		{`title<=23`, `(title <= [23])`, `title <= 23`},
		{`title<23`, `(title < [23])`, `title < 23`},
		{`dc.title any "fish chips"`, `(dc.title any [fish chips])`, `dc.title any "fish chips"`},
		{`dc.title any/stem fish`, `(dc.title any/stem [fish])`, `dc.title any/stem fish`},
		{`dc.fish all/stem/fuzzy "fish chips"`, `(dc.fish all/stem/fuzzy [fish chips])`, `dc.fish all/stem/fuzzy "fish chips"`},
		{`((dc.title any/stem "frog pond"))`, `(dc.title any/stem [frog pond])`, `dc.title any/stem "frog pond"`},
		{`dc.title =/rel.algorithm=CORI squid`, `(dc.title =/rel.algorithm=CORI [squid])`, `dc.title =/rel.algorithm=CORI squid`},
		{`creator any/f.foo/b.bar>1 "sanderson taylor"`, `(creator any/f.foo/b.bar>1 [sanderson taylor])`, `creator any/f.foo/b.bar>1 "sanderson taylor"`},
		{`dc.title =/cql.unmasked "a*b"`, `(dc.title =/cql.unmasked [a*b])`, `dc.title =/cql.unmasked a*b`},
		{`dc.title = /stem x`, `(dc.title =/stem [x])`, `dc.title =/stem x`},
		{`a or or b`, `(or (cql.serverChoice = [a]) (cql.serverChoice = [or b]))`, `a or "or b"`},
		{`dc.title =/locale=lv_LV Bērziņš`, `(dc.title =/locale=lv_LV [Bērziņš])`, `dc.title =/locale=lv_LV Bērziņš`},
		{`dc.title adj "the hobbit"`, `(dc.title adj [the hobbit])`, `dc.title adj "the hobbit"`},
		{`dc.date within "2000 2010"`, `(dc.date within [2000 2010])`, `dc.date within "2000 2010"`},
		{`dc.date encloses 2005`, `(dc.date encloses [2005])`, `dc.date encloses 2005`},
		{`dc.title exact "a b"`, `(dc.title exact [a b])`, `dc.title exact "a b"`},
		{`dc.title scr fish`, `(dc.title scr [fish])`, `dc.title scr fish`},
		{`dc.title cql.any fish`, `(dc.title cql.any [fish])`, `dc.title cql.any fish`},
		// Booleans: equal precedence, left associative.
		{`cat or dog`, `(or (cql.serverChoice = [cat]) (cql.serverChoice = [dog]))`, `cat or dog`},
		{`cat AND fish`, `(and (cql.serverChoice = [cat]) (cql.serverChoice = [fish]))`, `cat and fish`},
		{`"cat" not "fish food"`, `(not (cql.serverChoice = [cat]) (cql.serverChoice = [fish food]))`, `cat not "fish food"`},
		{`xml and "prox///"`, `(and (cql.serverChoice = [xml]) (cql.serverChoice = [prox///]))`, `xml and "prox///"`},
		{`fred and any`, `(and (cql.serverChoice = [fred]) (cql.serverChoice = [any]))`, `fred and "any"`},
		{`((fred or all))`, `(or (cql.serverChoice = [fred]) (cql.serverChoice = [all]))`, `fred or "all"`},
		{`a or b and c not d`, `(not (and (or (cql.serverChoice = [a]) (cql.serverChoice = [b])) (cql.serverChoice = [c])) (cql.serverChoice = [d]))`, `a or b and c not d`},
		{`bath.uniformTitle any fish and dc.title any "cat dog"`, `(and (bath.uniformTitle any [fish]) (dc.title any [cat dog]))`, `bath.uniformTitle any fish and dc.title any "cat dog"`},
		{`(title any/stem "fish dog" or and)`, `(or (title any/stem [fish dog]) (cql.serverChoice = [and]))`, `title any/stem "fish dog" or "and"`},
		// Proximity and boolean modifiers.
		{`cat prox hat`, `(prox (cql.serverChoice = [cat]) (cql.serverChoice = [hat]))`, `cat prox hat`},
		{`cat prox/distance=3/unit=word/ordered hat`, `(prox/distance=3/unit=word/ordered (cql.serverChoice = [cat]) (cql.serverChoice = [hat]))`, `cat prox/distance=3/unit=word/ordered hat`},
		{`cat prox/distance<3 hat`, `(prox/distance<3 (cql.serverChoice = [cat]) (cql.serverChoice = [hat]))`, `cat prox/distance<3 hat`},
		{`"fish food" prox/unit=sentence and`, `(prox/unit=sentence (cql.serverChoice = [fish food]) (cql.serverChoice = [and]))`, `"fish food" prox/unit=sentence "and"`},
		{`title all "chips frog" prox/distance<=5 exact`, `(prox/distance<=5 (title all [chips frog]) (cql.serverChoice = [exact]))`, `title all "chips frog" prox/distance<=5 "exact"`},
		{`(dc.author == "jones" prox/distance>5/unit=element title >= "smith")`, `(prox/distance>5/unit=element (dc.author == [jones]) (title >= [smith]))`, `dc.author == jones prox/distance>5/unit=element title >= smith`},
		{`a and/rel.SumOfScores b`, `(and/rel.SumOfScores (cql.serverChoice = [a]) (cql.serverChoice = [b]))`, `a and/rel.SumOfScores b`},
		{`a and/rel.algorithm=CORI b`, `(and/rel.algorithm=CORI (cql.serverChoice = [a]) (cql.serverChoice = [b]))`, `a and/rel.algorithm=CORI b`},
		// Special characters: terms keep their escapes.
		{`(cat^)`, `(cql.serverChoice = [cat^])`, `cat^`},
		{`"^cat says \"fish\""`, `(cql.serverChoice = [^cat says \"fish\"])`, `"^cat says \"fish\""`},
		{`"cat*fish"`, `(cql.serverChoice = [cat*fish])`, `cat*fish`},
		{`cat?dog`, `(cql.serverChoice = [cat?dog])`, `cat?dog`},
		{`(("^cat*fishdog\"horse?"))`, `(cql.serverChoice = [^cat*fishdog\"horse?])`, `"^cat*fishdog\"horse?"`},
		{`a\*b`, `(cql.serverChoice = [a\*b])`, `"a\*b"`},
		{`a\ b`, `(cql.serverChoice = [a\ b])`, `"a\ b"`},
		{`"back\\slash"`, `(cql.serverChoice = [back\\slash])`, `"back\\slash"`},
		// Nesting.
		{`(((cat or dog) or horse) and frog)`, `(and (or (or (cql.serverChoice = [cat]) (cql.serverChoice = [dog])) (cql.serverChoice = [horse])) (cql.serverChoice = [frog]))`, `cat or dog or horse and frog`},
		{`(cat and dog) or (horse and frog)`, `(or (and (cql.serverChoice = [cat]) (cql.serverChoice = [dog])) (and (cql.serverChoice = [horse]) (cql.serverChoice = [frog])))`, `cat and dog or (horse and frog)`},
		{`(cat and (horse or frog)) and chips`, `(and (and (cql.serverChoice = [cat]) (or (cql.serverChoice = [horse]) (cql.serverChoice = [frog]))) (cql.serverChoice = [chips]))`, `cat and (horse or frog) and chips`},
		// Prefix assignments.
		{`> foo="info:srw/cql-context-set/1/dc-v1.1" dc.title="fish"`, `> foo=info:srw/cql-context-set/1/dc-v1.1 (dc.title = [fish])`, `> foo = "info:srw/cql-context-set/1/dc-v1.1" dc.title = fish`},
		{`> "info:srw/cql-context-set/1/dc-v1.1" title="fish"`, `> =info:srw/cql-context-set/1/dc-v1.1 (title = [fish])`, `> "info:srw/cql-context-set/1/dc-v1.1" title = fish`},
		{`> foo="info:srw/cql-context-set/1/dc-v1.1" > ccg = "http://srw.cheshire3.org/contextSets/ccg/1.1/" foo.title="fish" and ccg.force=3`,
			`> foo=info:srw/cql-context-set/1/dc-v1.1 > ccg=http://srw.cheshire3.org/contextSets/ccg/1.1/ (and (foo.title = [fish]) (ccg.force = [3]))`,
			`> foo = "info:srw/cql-context-set/1/dc-v1.1" > ccg = "http://srw.cheshire3.org/contextSets/ccg/1.1/" foo.title = fish and ccg.force = 3`},
		{`a or (> dc = "info:srw/cql-context-set/1/dc-v1.1" dc.title = b)`, `(or (cql.serverChoice = [a]) (prefixed dc=info:srw/cql-context-set/1/dc-v1.1 (dc.title = [b])))`, `a or (> dc = "info:srw/cql-context-set/1/dc-v1.1" dc.title = b)`},
		{`(> x = "u" a) and b`, `(and (prefixed x=u (cql.serverChoice = [a])) (cql.serverChoice = [b]))`, `(> x = "u" a) and b`},
		// Lame searches.
		{`any or all:stem and all == any prox prox=fuzzy`, `(prox (and (or (cql.serverChoice = [any]) (cql.serverChoice = [all:stem])) (all == [any])) (prox = [fuzzy]))`, `"any" or all:stem and "all" == "any" prox "prox" = fuzzy`},
		{`(((((((((any)))))))))`, `(cql.serverChoice = [any])`, `"any"`},
		{`""`, `(cql.serverChoice = [])`, `""`},
		{`> any > any = exact any > any`, `> =any > any=exact (any > [any])`, `> "any" > "any" = "exact" "any" > "any"`},
		// Lax: an index and relation scope a subquery (YAZ does this).
		{`title = ("illegal parentheses")`, `(title = [illegal parentheses])`, `title = "illegal parentheses"`},
		{`dc.title = (a or b)`, `(or (dc.title = [a]) (dc.title = [b]))`, `dc.title = a or dc.title = b`},
		{`dc.title any/stem (a or dc.creator = b)`, `(or (dc.title any/stem [a]) (dc.creator = [b]))`, `dc.title any/stem a or dc.creator = b`},
		// Lax: free-form words join the bare term before them.
		{`a b`, `(cql.serverChoice = [a b])`, `"a b"`},
		{`a b c`, `(cql.serverChoice = [a b c])`, `"a b c"`},
		{`a.b c`, `(cql.serverChoice = [a.b c])`, `"a.b c"`},
		{`and b c`, `(cql.serverChoice = [and b c])`, `"and b c"`},
		{`all a`, `(cql.serverChoice = [all a])`, `"all a"`},
		{`a any b`, `(a any [b])`, `a any b`},
		{`dc.title a b c and d`, `(and (cql.serverChoice = [dc.title a b c]) (cql.serverChoice = [d]))`, `"dc.title a b c" and d`},
		{`computer "science fiction" and x`, `(and (cql.serverChoice = [computer science fiction]) (cql.serverChoice = [x]))`, `"computer science fiction" and x`},
		// sortBy.
		{`a sortby title`, `(cql.serverChoice = [a]) sort:title`, `a sortBy title`},
		{`a or b sortby title/ascending author`, `(or (cql.serverChoice = [a]) (cql.serverChoice = [b])) sort:title/ascending sort:author`, `a or b sortBy title/ascending author`},
		{`dc.creator=knuth sortBy dc.date/sort.descending dc.title`, `(dc.creator = [knuth]) sort:dc.date/sort.descending sort:dc.title`, `dc.creator = knuth sortBy dc.date/sort.descending dc.title`},
		{`x SORTBY dc.title/sort.missingValue="zzz"/sort.respectCase`, `(cql.serverChoice = [x]) sort:dc.title/sort.missingValue=zzz/sort.respectCase`, `x sortBy dc.title/sort.missingValue=zzz/sort.respectCase`},
		// Unicode and white space.
		{"dc.creator = \"Bērziņš, Jānis\"\t and\n dc.title=Ļoti", `(and (dc.creator = [Bērziņš, Jānis]) (dc.title = [Ļoti]))`, `dc.creator = "Bērziņš, Jānis" and dc.title = Ļoti`},
	}
	for _, tt := range tests {
		if tt.tree == "" {
			continue
		}
		t.Run(tt.in, func(t *testing.T) {
			q, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := dumpQuery(q); got != tt.tree {
				t.Errorf("tree\n got %s\nwant %s", got, tt.tree)
			}
			if got := q.String(); got != tt.canon {
				t.Errorf("String\n got %s\nwant %s", got, tt.canon)
			}
			assertRoundTrip(t, q)
		})
	}
}

func assertRoundTrip(t *testing.T, q *Query) {
	t.Helper()
	s := q.String()
	q2, err := Parse(s)
	if err != nil {
		t.Fatalf("canonical form %q does not parse: %v", s, err)
	}
	if !reflect.DeepEqual(q, q2) {
		t.Fatalf("round trip changed the tree:\n before %s\n after  %s\n via %q", dumpQuery(q), dumpQuery(q2), s)
	}
	if s2 := q2.String(); s2 != s {
		t.Fatalf("canonical form not stable: %q then %q", s, s2)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		code int
	}{
		// Invalid searches from the CQL sample queries.
		{`<`, DiagSyntax},
		{`===`, DiagSyntax},
		{`missingClause or`, DiagSyntax},
		{`missingTerm any`, DiagSyntax},
		{`()`, DiagParentheses},
		{`(missingParen`, DiagParentheses},
		{`missingParen any fish)`, DiagParentheses},
		{`(emptyParens or ())`, DiagParentheses},
		{`> illegal="urn:missingQuery"`, DiagSyntax},
		// YAZ's free-form syntax errors.
		{`a b.c`, DiagSyntax},
		{`a and`, DiagSyntax},
		// More.
		{``, DiagSyntax},
		{`   `, DiagSyntax},
		{`"unterminated`, DiagQuotes},
		{`"ends in backslash\`, DiagQuotes},
		{`ab"cd"`, DiagQuotes},
		{`"ab"cd`, DiagQuotes},
		{`trailing\`, DiagSyntax},
		{`dc.title =`, DiagSyntax},
		{`dc.title any/ x`, DiagSyntax},
		{`dc.title any/stem= x`, DiagSyntax},
		{`a sortby`, DiagSyntax},
		{`(a sortby title)`, DiagSyntax},
		{`a sortby title (b)`, DiagSyntax},
		{`a)`, DiagParentheses},
		{`((a)`, DiagParentheses},
		{`a or or and`, DiagSyntax},
		{`a / b`, DiagSyntax},
		{`dc.title = > x`, DiagSyntax},
		{">", DiagSyntax},
		{"> x =", DiagSyntax},
		{"a \xff b", DiagSyntax},
		{strings.Repeat("(", 100) + "a" + strings.Repeat(")", 100), DiagParentheses},
		{strings.Repeat("a or ", 600) + "a", DiagTooManyBooleans},
		{strings.Repeat("x", DefaultMaxLength+1), DiagTooLong},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			q, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want diagnostic %d", tt.in, dumpQuery(q), tt.code)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not *Error", err, err)
			}
			if e.Code != tt.code {
				t.Fatalf("Parse(%q): diagnostic %d (%v), want %d", tt.in, e.Code, err, tt.code)
			}
			if !strings.HasPrefix(err.Error(), "cql: ") {
				t.Errorf("error text %q lacks the package prefix", err)
			}
		})
	}
}

func TestParserLimits(t *testing.T) {
	p := Parser{MaxDepth: 2, MaxBooleans: 1, MaxLength: 20}
	if _, err := p.Parse("((a))"); err != nil {
		t.Fatalf("depth 2 within limit: %v", err)
	}
	for in, code := range map[string]int{
		"(((a)))":                 DiagParentheses,
		"a or b or c":             DiagTooManyBooleans,
		"aaaaaaaaaaaaaaaaaaaaaaa": DiagTooLong,
	} {
		_, err := p.Parse(in)
		var e *Error
		if !errors.As(err, &e) || e.Code != code {
			t.Errorf("Parse(%q) = %v, want diagnostic %d", in, err, code)
		}
	}
}

// TestSampleQueries runs every query of the CQL sample set: the queries in
// the "Invalid searches" and "(Syntax error)" sections must fail, the rest
// must parse and round-trip.
func TestSampleQueries(t *testing.T) {
	f, err := os.Open("testdata/cql2xcqlsample.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// YAZ accepts this one from the invalid section (an index and relation
	// scoping a parenthesised term), and so do we.
	laxOK := map[string]bool{`title = ("illegal parentheses")`: true}
	section := ""
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " ")
		if strings.HasPrefix(line, "#") {
			section = line
			continue
		}
		if line == "" {
			continue
		}
		n++
		wantErr := (strings.Contains(section, "Invalid") || strings.Contains(section, "Syntax error")) && !laxOK[line]
		q, err := Parse(line)
		switch {
		case wantErr && err == nil:
			t.Errorf("%s: %q parsed as %s, want an error", section, line, dumpQuery(q))
		case !wantErr && err != nil:
			t.Errorf("%s: %q: %v", section, line, err)
		case err == nil:
			assertRoundTrip(t, q)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 70 {
		t.Fatalf("only %d sample queries read", n)
	}
}

func TestRelationName(t *testing.T) {
	for base, want := range map[string]string{
		"=": "=", "==": "==", "exact": "==", "scr": "=", "cql.any": "any",
		"CQL.All": "all", "any": "any", "foo.near": "foo.near", "<=": "<=",
	} {
		if got := (Relation{Base: base}).Name(); got != want {
			t.Errorf("Relation{%q}.Name() = %q, want %q", base, got, want)
		}
	}
}

func TestSortKeyHelpers(t *testing.T) {
	q, err := Parse(`a sortBy dc.date/sort.descending/missingValue=0 dc.title/sort.respectCase/missingHigh dc.creator`)
	if err != nil {
		t.Fatal(err)
	}
	k := q.SortKeys
	if !k[0].Descending() || k[1].Descending() || k[2].Descending() {
		t.Errorf("Descending: %v %v %v", k[0].Descending(), k[1].Descending(), k[2].Descending())
	}
	if k[0].CaseSensitive() || !k[1].CaseSensitive() {
		t.Errorf("CaseSensitive wrong")
	}
	if a, v := k[0].Missing(); a != "value" || v != "0" {
		t.Errorf("Missing = %q %q", a, v)
	}
	if a, _ := k[1].Missing(); a != "high" {
		t.Errorf("Missing = %q", a)
	}
	if a, _ := k[2].Missing(); a != "" {
		t.Errorf("Missing = %q", a)
	}
}

func TestClauses(t *testing.T) {
	q, err := Parse(`a and (b or (> x = "u" c)) not d`)
	if err != nil {
		t.Fatal(err)
	}
	var terms []string
	for _, c := range q.Clauses() {
		terms = append(terms, c.Term)
	}
	if got := strings.Join(terms, ","); got != "a,b,c,d" {
		t.Fatalf("Clauses terms = %s", got)
	}
}

func TestStringOfBuiltTree(t *testing.T) {
	// Trees an adapter builds by hand may hold characters Parse never
	// leaves unescaped; String must still give a query that parses.
	q := &Query{Root: &Boolean{Op: And,
		Left:  &Clause{Index: "dc.title", Relation: Relation{Base: "="}, Term: `say "hi"`},
		Right: &Clause{Index: ServerChoice, Relation: Relation{Base: "="}, Term: `ends\`},
	}}
	s := q.String()
	if want := `dc.title = "say \"hi\"" and "ends\\"`; s != want {
		t.Fatalf("String = %s, want %s", s, want)
	}
	q2, err := Parse(s)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	cs := q2.Clauses()
	if Unescape(cs[0].Term) != `say "hi"` || Unescape(cs[1].Term) != `ends\` {
		t.Fatalf("terms after reparse: %q %q", cs[0].Term, cs[1].Term)
	}
}
