package search

import (
	"errors"
	"slices"
	"testing"

	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search/internal/fixture"
)

func TestLookups(t *testing.T) {
	uses := map[int]string{4: "title", 1003: "author", 1: "personalname", 1004: "personalname",
		2: "corporatename", 3: "conferencename", 5: "series", 6: "uniformtitle", 21: "subject", 7: "isbn",
		8: "issn", 9: "lccn", 12: "local", 1007: "stdid", 1016: "any", 0: "any", 30: "date", 31: "date",
		1018: "publisher", 54: "language", 1031: "type", 16: "callnumber", 13: "dewey"}
	for use, want := range uses {
		ix, err := ByUse(use)
		if err != nil || ix.Name != want {
			t.Errorf("ByUse(%d) = %v, %v; want %s", use, ix, err, want)
		}
	}
	cql := map[string]string{"dc.title": "title", "DC.Title": "title", "dc.creator": "author", "bath.isbn": "isbn",
		"bath.issn": "issn", "cql.serverChoice": "any", "cql.anywhere": "any", "rec.id": "local",
		"dc.identifier": "stdid", "dc.date": "date", "dc.publisher": "publisher", "dc.language": "language",
		"dc.type": "type", "dc.subject": "subject", "bath.lccn": "lccn", "title": "title"}
	for name, want := range cql {
		ix, err := ByCQL(name)
		if err != nil || ix.Name != want {
			t.Errorf("ByCQL(%q) = %v, %v; want %s", name, ix, err, want)
		}
	}
	for _, ix := range Indexes() {
		if got, err := ByName(ix.Name); err != nil || got != ix {
			t.Errorf("ByName(%q) = %v, %v", ix.Name, got, err)
		}
		if ByID(ix.ID) != ix {
			t.Errorf("ByID(%d) is not %s", ix.ID, ix.Name)
		}
	}
	var d *Diagnostic
	if _, err := ByUse(9999); !errors.As(err, &d) || d.Code != DiagUnsupportedUse || d.AddInfo != "9999" {
		t.Errorf("ByUse(9999) error = %v", err)
	}
	if _, err := ByCQL("dc.foo"); !errors.As(err, &d) || d.Code != DiagUnsupportedUse || d.AddInfo != "dc.foo" {
		t.Errorf("ByCQL(dc.foo) error = %v", err)
	}
	if _, err := ByName("nope"); !errors.As(err, &d) || d.Code != DiagUnsupportedUse {
		t.Errorf("ByName(nope) error = %v", err)
	}
}

func keysOf(ex *Extracted, index string, kind KeyKind) []string {
	var out []string
	for _, k := range ex.Keys[index] {
		if k.Kind == kind {
			out = append(out, k.Term)
		}
	}
	return out
}

func TestExtract(t *testing.T) {
	cat := fixture.Catalogue()
	byKey := map[string]*marc.Record{}
	for _, e := range cat {
		byKey[e.Key] = e.Record
	}
	tests := []struct {
		key, index string
		kind       KeyKind
		want       []string
	}{
		{"lv001", "title", KeyWord, []string{"dzejoļi", "dziesmas", "un"}},
		{"lv001", "title", KeyField, []string{"dzejoļi un dziesmas"}},
		{"lv001", "title", KeyFirst, []string{"dzejoļi"}},
		{"lv001", "author", KeyField, []string{"bērziņš jānis 1950"}},
		{"lv001", "isbn", KeyWord, []string{"9789984001234"}},
		{"lv001", "date", KeyWord, []string{"1998"}},
		{"lv001", "language", KeyWord, []string{"lav"}},
		{"lv001", "type", KeyWord, []string{"a", "am", "book"}},
		{"lv001", "local", KeyWord, []string{"lv001"}},
		{"lv002", "isbn", KeyWord, []string{"9789984123455"}},
		{"en001", "isbn", KeyWord, []string{"9780070012349", "9780201896831"}},
		{"en001", "date", KeyWord, []string{"1997"}},
		{"lv007", "language", KeyWord, []string{"eng", "lav"}},
		{"en002", "language", KeyWord, []string{"eng", "slv"}},
		{"en002", "title", KeyField, []string{"necropolis", "nekropola"}},
		{"serial1", "issn", KeyWord, []string{"14070014"}},
		{"serial1", "type", KeyWord, []string{"a", "as", "serial"}},
		{"serial2", "stdid", KeyWord, []string{"03178471"}},
		{"lccn1", "lccn", KeyWord, []string{"85000002"}},
		{"lv008", "date", KeyWord, []string{"2011"}},
		{"lv008", "subject", KeyField, []string{"riga latvia history"}},
		{"en001", "subject", KeyFirst, []string{"computer"}},
	}
	for _, tt := range tests {
		ex := Extract(byKey[tt.key])
		if got := keysOf(ex, tt.index, tt.kind); !slices.Equal(got, tt.want) {
			t.Errorf("%s %s %c: %q, want %q", tt.key, tt.index, tt.kind, got, tt.want)
		}
	}
	sorts := []struct {
		key  string
		want SortKeys
	}{
		{"lv003", SortKeys{Title: "history of latvia", Author: "berzins peter", Date: "2001"}},
		{"lv001", SortKeys{Title: "dzejoli un dziesmas\x01dzejoļi un dziesmas", Author: "berzins janis 1950\x01bērziņš jānis 1950", Date: "1998"}},
		{"serial2", SortKeys{Title: "journal of baltic studies", Date: "1970"}},
		{"en006", SortKeys{Title: "computer programming basics", Date: "2015"}},
		{"lv002", SortKeys{Title: "uguns un nakts luga piecos celienos\x01uguns un nakts luga piecos cēlienos",
			Author: "rainis 1865 1929", Date: "2005"}},
	}
	for _, tt := range sorts {
		if got := Extract(byKey[tt.key]).Sort; got != tt.want {
			t.Errorf("%s sort keys %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestExtractEmptyRecord(t *testing.T) {
	ex := Extract(&marc.Record{})
	if len(ex.Keys) != 0 || ex.Sort != (SortKeys{}) {
		t.Errorf("empty record extracted %v", ex)
	}
	// Short control fields and a short leader are skipped, not a panic.
	ex = Extract(&marc.Record{Leader: "01", Fields: []marc.Field{{Tag: "008", Value: "9801"}, {Tag: "001", Value: " x "}}})
	if got := keysOf(ex, "local", KeyWord); !slices.Equal(got, []string{"x"}) {
		t.Errorf("local = %q", got)
	}
}

func TestPlanTermDefaults(t *testing.T) {
	p, err := PlanTerm(&Term{Text: "water"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Index.Name != "any" || len(p.Lookups) != 1 || p.Verify != nil || p.Lookups[0].Kind != KeyWord {
		t.Errorf("default plan %+v", p)
	}
	// A complete-field title search reads one heading key and needs no check.
	p, _ = PlanTerm(&Term{Index: "title", Text: "Poezije", Completeness: CompleteField})
	if len(p.Lookups) != 1 || p.Lookups[0].Kind != KeyField || p.Verify != nil {
		t.Errorf("complete field plan %+v", p)
	}
	// A two-word phrase is one word-pair read; longer ones also need the
	// word-order check.
	p, _ = PlanTerm(&Term{Index: "title", Text: "baltic states"})
	if len(p.Lookups) != 1 || p.Lookups[0].Kind != KeyPair || p.Verify != nil {
		t.Errorf("two-word phrase plan %+v", p)
	}
	p, _ = PlanTerm(&Term{Index: "title", Text: "history of the"})
	if len(p.Lookups) != 2 || p.Verify == nil {
		t.Errorf("three-word phrase plan %+v", p)
	}
	p, _ = PlanTerm(&Term{Index: "author", Text: "bērziņš janis"})
	if len(p.Lookups) != 1 || p.Verify != nil || p.Lookups[0].Accept == nil {
		t.Errorf("diacritic phrase plan %+v", p)
	}
}

// FuzzPlanTerm feeds arbitrary terms under every truncation mode through
// planning, key selection and the phrase check: no panics, and errors are
// always diagnostics.
func FuzzPlanTerm(f *testing.F) {
	for _, s := range []string{"dz?3smas", "n?kropol*", "sonet.*", "a\\*b", "hl#ec", "?999999", "(", "1990 1999", "bērziņš jānis"} {
		f.Add(s, uint8(0), uint8(0))
	}
	truncs := []Truncation{0, TruncRight, TruncLeft, TruncBoth, TruncNone, TruncHash, TruncRegexp, TruncZ3958, TruncCQLMask}
	names := []string{"title", "isbn", "date", "stdid", "any", "lccn"}
	rec := fixture.Catalogue()[0].Record
	f.Fuzz(func(t *testing.T, text string, tr, which uint8) {
		for _, rel := range []Relation{RelEqual, RelLess, RelWithin, RelNotEqual} {
			for _, comp := range []Completeness{IncompleteSubfield, CompleteField} {
				term := &Term{Index: names[int(which)%len(names)], Text: text, Relation: rel,
					Truncation: truncs[int(tr)%len(truncs)], Completeness: comp, Position: PosFirstInField}
				p, err := PlanTerm(term)
				if err != nil {
					var d *Diagnostic
					if !errors.As(err, &d) {
						t.Fatalf("%s: non-diagnostic error %v", term, err)
					}
					continue
				}
				walkPlan(p, rec)
			}
		}
	})
}

func walkPlan(p *Plan, rec *marc.Record) {
	for _, sp := range p.Sub {
		walkPlan(sp, rec)
	}
	for _, l := range p.Lookups {
		for _, k := range []string{"", "berzins", "berzins\x01bērziņš", "9789984001234", "1998"} {
			f, term := SplitTermKey(k)
			if l.Stop != nil {
				l.Stop(f)
			}
			if l.Accept != nil {
				l.Accept(f, term)
			}
		}
	}
	if p.Verify != nil {
		p.Verify(rec)
	}
}

func TestSortKeyFor(t *testing.T) {
	for use, want := range map[int]SortKey{4: SortTitle, 1003: SortAuthor, 1: SortAuthor, 30: SortDate, 31: SortDate} {
		ix, _ := ByUse(use)
		if got, ok := SortKeyFor(ix); !ok || got != want {
			t.Errorf("use %d sorts by %v, %v; want %v", use, got, ok, want)
		}
	}
	ix, _ := ByUse(7)
	if _, ok := SortKeyFor(ix); ok {
		t.Error("ISBN should not be a sort key")
	}
}
