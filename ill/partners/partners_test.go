package partners

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/z3950"
)

func readMARC(t *testing.T, name string) []*marc.Record {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []*marc.Record
	rd := marc.NewReader(bytes.NewReader(b))
	for {
		r, err := rd.Next()
		if r == nil {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestMARCHoldings: copies read from Koha's 952 (status from $7, $1, $q)
// and from MARC 21 852 with linked 876 items.
func TestMARCHoldings(t *testing.T) {
	koha := readMARC(t, "koha-952.mrc")
	got := [][]Holding{MARCHoldings(koha[0]), MARCHoldings(koha[1]), MARCHoldings(koha[2])}
	want := [][]Holding{
		{{Library: "CPL", CallNumber: "821.174 Up 1", Status: Available, Source: "952"},
			{Library: "CPL", CallNumber: "821.174 Up 1", Status: Available, Source: "952"}},
		{{Library: "CPL", CallNumber: "398.8 Ba", Status: ReadingRoomOnly, Source: "952"},
			{Library: "XYZ", CallNumber: "398.8 Ba", Status: Available, Source: "952"},
			{Library: "CPL", CallNumber: "398.8 Ba", Status: Available, Source: "952"}},
		{{Library: "CPL", CallNumber: "821.174 Ka", Status: NotForLoan, Restriction: "lost", Source: "952"},
			{Library: "CPL", CallNumber: "821.174 Ka", Status: Available, Source: "952"}},
	}
	for i := range want {
		if !equalHoldings(got[i], want[i]) {
			t.Errorf("%s:\n got %+v\nwant %+v", koha[i].ControlNumber(), got[i], want[i])
		}
	}
	m21 := readMARC(t, "marc21-852-876.mrc")
	ilu := Holding{Library: "ILU", CallNumber: "821.174 Ra", Status: Unknown, Source: "852"}
	sub := Holding{Library: "ILU", LibraryName: "SUB", CallNumber: "821.174 Ra", Status: Unknown, Source: "852"}
	if h := MARCHoldings(m21[0]); !equalHoldings(h, []Holding{ilu, ilu, sub}) {
		t.Errorf("852 with 876 items: %+v", h)
	}
	if h := MARCHoldings(m21[1]); len(h) != 1 || h[0].CallNumber != "821.174 Ja" {
		t.Errorf("852 without 876: %+v", h)
	}
	onLoan := &marc.Record{Leader: "00000nam a2200000 a 4500", Fields: []marc.Field{
		{Tag: "952", Subfields: []marc.Subfield{{Code: 'a', Value: "CPL"}, {Code: 'q', Value: "2027-01-15"}}},
		{Tag: "952", Subfields: []marc.Subfield{{Code: 'a', Value: "CPL"}, {Code: '7', Value: "0"}}},
		{Tag: "952", Subfields: []marc.Subfield{{Code: 'o', Value: "no library"}}},
	}}
	if h := MARCHoldings(onLoan); !equalHoldings(h, []Holding{
		{Library: "CPL", Status: OnLoan, Due: "2027-01-15", Source: "952"}, {Library: "CPL", Status: Available, Source: "952"}}) {
		t.Errorf("952 on loan, 7=0: %+v", h)
	}
}

func equalHoldings(a, b []Holding) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRank: each of the partner's rules decides when those before it are
// equal.
func TestRank(t *testing.T) {
	p := func(v int64) *int64 { return &v }
	base := Candidate{LendsType: true, Lendable: true, AvailableNow: true}
	with := func(name string, f func(*Candidate)) Candidate {
		c := base
		c.Partner = name
		f(&c)
		return c
	}
	tests := []struct {
		rule          string
		better, worse Candidate
	}{
		{"lends this type", with("A", func(c *Candidate) { c.Distance = 900 }), with("B", func(c *Candidate) { c.LendsType = false; c.Distance = 1 })},
		{"not reading-room only", with("A", func(c *Candidate) { c.AvailableNow = false }), with("B", func(c *Candidate) { c.Lendable = false })},
		{"available now", with("A", func(c *Candidate) { c.Distance = 900; c.Price = p(900) }), with("B", func(c *Candidate) { c.AvailableNow = false; c.Distance = 1; c.Price = p(0) })},
		{"nearest", with("A", func(c *Candidate) { c.Distance = 40; c.Price = p(900) }), with("B", func(c *Candidate) { c.Distance = 230; c.Price = p(100) })},
		{"a known distance before an unknown one", with("A", func(c *Candidate) { c.Distance = 999 }), with("B", func(c *Candidate) {})},
		{"cheapest", with("A", func(c *Candidate) { c.Price = p(200); c.Queue = 5 }), with("B", func(c *Candidate) { c.Price = p(350) })},
		{"free before priced", with("A", func(c *Candidate) { c.Price = p(0) }), with("B", func(c *Candidate) { c.Price = p(1) })},
		{"a price before none", with("A", func(c *Candidate) { c.Price = p(10000) }), with("B", func(c *Candidate) {})},
		{"fewest in queue", with("A", func(c *Candidate) { c.Queue = 1 }), with("B", func(c *Candidate) { c.Queue = 3 })},
		{"soonest due", with("A", func(c *Candidate) { c.AvailableNow = false; c.Due = "2027-01-04" }), with("B", func(c *Candidate) { c.AvailableNow = false; c.Due = "2027-02-01" })},
		{"a due date before none", with("A", func(c *Candidate) { c.AvailableNow = false; c.Due = "2027-09-01" }), with("B", func(c *Candidate) { c.AvailableNow = false })},
	}
	for _, tt := range tests {
		cs := []Candidate{tt.worse, tt.better}
		Rank(cs)
		if cs[0].Partner != "A" {
			t.Errorf("%s: ranked %s first", tt.rule, cs[0].Partner)
		}
	}
	// Equal candidates keep the partners' configured order.
	cs := []Candidate{with("first", func(*Candidate) {}), with("second", func(*Candidate) {})}
	Rank(cs)
	if cs[0].Partner != "first" {
		t.Error("ties are not kept in order")
	}
}

// TestCandidateFacts: a partner's record and its copies become the
// ranking facts: lends the type, lendable, available, queue, due.
func TestCandidateFacts(t *testing.T) {
	bib := &marc.Record{Leader: "00000nas a2200000 a 4500", Fields: []marc.Field{{Tag: "001", Value: "r1"},
		{Tag: "245", Subfields: []marc.Subfield{{Code: 'a', Value: "Ir :"}, {Code: 'b', Value: "nedēļas žurnāls /"}}}}}
	tr := Target{Symbol: "LV:X", Lends: []string{"book"}, Distance: 12, Price: 150, HasPrice: true}
	c := candidate(tr, record{bib: bib, holdings: []Holding{
		{Library: "A", Status: ReadingRoomOnly}, {Library: "A", Status: OnLoan, Due: "2027-03-01", OnHold: true},
		{Library: "B", Status: OnLoan, Due: "2027-02-01"}, {Library: "C", Status: NotForLoan, OnHold: true}}})
	if c.Material != "magazine" || c.LendsType || !c.Lendable || c.AvailableNow || c.Queue != 1 || c.Due != "2027-02-01" ||
		c.Title != "Ir : nedēļas žurnāls" || c.RecordID != "r1" || c.Distance != 12 || c.Price == nil || *c.Price != 150 {
		t.Errorf("candidate %+v", c)
	}
	tr.Lends = []string{"Magazine"}
	if c := candidate(tr, record{bib: bib}); !c.LendsType || c.Lendable || c.Holdings == nil {
		t.Errorf("no holdings: %+v", c)
	}
}

func TestParseCatalogue(t *testing.T) {
	tests := []struct{ in, kind, addr, db, err string }{
		{"z3950://z.example.org:2100/books", "z3950", "z.example.org:2100", "books", ""},
		{"z3950://z.example.org", "z3950", "z.example.org:210", "Default", ""},
		{"tcp:127.0.0.1:9999/Default", "z3950", "127.0.0.1:9999", "Default", ""},
		{"lx2.loc.gov:210/LCDB", "z3950", "lx2.loc.gov:210", "LCDB", ""},
		{"https://sru.example.org/sru?x-info=1", "sru", "https://sru.example.org/sru?x-info=1", "", ""},
		{"ftp://x/y", "", "", "", "use z3950://"},
		{"http:///nohost", "", "", "", "not an SRU base URL"},
		{"z3950:///db", "", "", "", "names no host"},
	}
	for _, tt := range tests {
		kind, addr, db, err := ParseCatalogue(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || kind != tt.kind || addr != tt.addr || db != tt.db {
			t.Errorf("%q = %s %s %s %v", tt.in, kind, addr, db, err)
		}
	}
}

func TestQueries(t *testing.T) {
	tests := []struct {
		q        Query
		pqf, cql string
	}{
		{Query{ISBN: "978-9985-65266-0"}, `@attr 1=7 "9789985652660"`, `bath.isbn="9789985652660"`},
		{Query{ISSN: "1234-5678"}, `@attr 1=8 "12345678"`, `bath.issn="12345678"`},
		{Query{LocalNumber: "demo-0012"}, `@attr 1=12 "demo-0012"`, `rec.id="demo-0012"`},
		{Query{Title: `Tõde "ja" õigus`, Author: "Tammsaare"}, `@and @attr 1=4 "Tõde \"ja\" õigus" @attr 1=1003 "Tammsaare"`,
			`dc.title="Tõde \"ja\" õigus" and dc.creator="Tammsaare"`},
		{Query{Author: "Tammsaare"}, `@attr 1=1003 "Tammsaare"`, `dc.creator="Tammsaare"`},
	}
	for _, tt := range tests {
		if got := pqf(tt.q); got != tt.pqf {
			t.Errorf("pqf(%s) = %s, want %s", tt.q, got, tt.pqf)
		}
		if _, err := z3950.ParsePQF(tt.pqf); err != nil {
			t.Errorf("pqf(%s) does not parse: %v", tt.q, err)
		}
		if got := cql(tt.q); got != tt.cql {
			t.Errorf("cql(%s) = %s, want %s", tt.q, got, tt.cql)
		}
	}
	if err := (Query{}).Validate(); err == nil {
		t.Error("an empty query is valid")
	}
}
