package z3950adapter_test

// Integration tests: the assembled server (internal/app with the demo
// configuration and catalogue) driven by Debian's yaz-client and zoomsh
// and, for SRU, by plain HTTP requests.

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/internal/config"
)

// syncBuffer collects log output written from server goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestYazClientInit(t *testing.T) {
	no := false
	tests := []struct {
		name      string
		anonymous bool
		commands  []string
		want      []string
		notWant   []string
	}{
		{"anonymous", true, nil,
			[]string{"Connection accepted by v3 target", "Name   : bibgate", "Options: search present delSet scan sort namedResultSets"},
			[]string{"rejected"}},
		{"account", false, []string{"auth " + testUser + "/" + testPassword},
			[]string{"Connection accepted by v3 target"}, []string{"rejected"}},
		{"account with anonymous access allowed", true, []string{"auth " + testUser + "/" + testPassword},
			[]string{"Connection accepted by v3 target"}, []string{"rejected"}},
		{"wrong password", true, []string{"auth " + testUser + "/wrong-password"},
			[]string{"Connection rejected by v3 target", "code=1011", "addinfo='" + testUser + "'"}, []string{"accepted"}},
		{"unknown user", true, []string{"auth mallory/" + testPassword},
			[]string{"Connection rejected by v3 target", "code=1011", "addinfo='mallory'"}, []string{"accepted"}},
		{"anonymous refused", false, nil,
			[]string{"Connection rejected by v3 target", "code=1010"}, []string{"accepted"}},
		{"utf-8 negotiated", true, []string{"charset UTF-8"},
			[]string{"Accepted character set : UTF-8", "negotiationModel"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncBuffer
			a := startAppLog(t, "memory", func(c *config.Config) {
				if !tt.anonymous {
					c.Z3950.Anonymous = &no
				}
				c.Log.Level = "debug"
			}, zerolog.New(&logs).Level(zerolog.DebugLevel))
			out := yazClient(t, append(tt.commands, "open tcp:"+a.Addr("z3950").String()+"/Default")...)
			wantAll(t, out, tt.want...)
			wantNone(t, out, tt.notWant...)
			if l := logs.String(); strings.Contains(l, testPassword) || strings.Contains(l, "wrong-password") {
				t.Errorf("a password reached the log:\n%s", l)
			}
		})
	}
}

func TestYazClientSearch(t *testing.T) {
	a := startApp(t, "memory", nil)
	addr := a.Addr("z3950").String()
	// Hit counts follow from the demo catalogue (core/demo: twelve titles).
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{"title word", "@attr 1=4 zeme", "Number of hits: 1,"},
		{"title without diacritics", "@attr 1=4 zala", "Number of hits: 1,"},
		{"title right truncation", "@attr 1=4 @attr 5=1 kalev", "Number of hits: 1,"},
		{"title left truncation", "@attr 1=4 @attr 5=2 poeg", "Number of hits: 1,"},
		{"title both-sides truncation", "@attr 1=4 @attr 5=3 alev", "Number of hits: 1,"},
		{"Z39.58 masking", "@attr 5=104 ka?", "Number of hits: 5,"},
		{"title phrase", `@attr 1=4 @attr 4=1 "zaļā zeme"`, "Number of hits: 1,"},
		{"title exact field (Bath exact)", `@attr 1=4 @attr 3=1 @attr 4=1 @attr 6=3 "zaļā zeme"`, "Number of hits: 1,"},
		{"title first words wrong", `@attr 1=4 @attr 3=1 @attr 4=1 @attr 6=3 "zeme"`, "Number of hits: 0,"},
		{"author", "@attr 1=1003 upits", "Number of hits: 1,"},
		{"personal name", "@attr 1=1 Upīts", "Number of hits: 1,"},
		{"author right truncation", "@attr 1=1003 @attr 5=1 jaunsud", "Number of hits: 1,"},
		{"author word list (any)", `@attr 1=1003 @attr 4=105 "upīts blaumanis"`, "Number of hits: 2,"},
		{"subject", "@attr 1=21 romāni", "Number of hits: 2,"},
		{"subject word list (all)", `@attr 1=21 @attr 4=6 "romāni latviešu"`, "Number of hits: 2,"},
		{"ISBN-13", "@attr 1=7 9789934077353", "Number of hits: 1,"},
		{"ISBN-13 with hyphens", "@attr 1=7 978-9934-07735-3", "Number of hits: 1,"},
		{"ISBN-10 finds the stored ISBN-10", "@attr 1=7 9984800115", "Number of hits: 1,"},
		{"ISBN prefix (Koha sends 5=1)", "@attr 1=7 @attr 5=1 978993", "Number of hits: 3,"},
		{"ISSN", "@attr 1=8 1234-5678", "Number of hits: 0,"},
		{"LCCN", "@attr 1=9 85-2", "Number of hits: 0,"},
		{"local number", "@attr 1=12 demo-0005", "Number of hits: 1,"},
		{"standard identifier", "@attr 1=1007 9789934077353", "Number of hits: 1,"},
		{"any", "@attr 1=1016 tallinn", "Number of hits: 2,"},
		{"no use attribute is any", "tallinn", "Number of hits: 2,"},
		{"date", "@attr 1=30 2019", "Number of hits: 1,"},
		{"date of publication >= 2019", "@attr 1=31 @attr 2=4 2019", "Number of hits: 4,"},
		{"publisher", "@attr 1=1018 jumava", "Number of hits: 2,"},
		{"language", "@attr 1=54 est", "Number of hits: 2,"},
		{"material type", "@attr 1=1031 am", "Number of hits: 43,"},
		{"and", "@and @attr 1=1003 upits @attr 1=4 zeme", "Number of hits: 1,"},
		{"or", "@or @attr 1=4 zeme @attr 1=4 kalevipoeg", "Number of hits: 2,"},
		{"and-not", "@not @attr 1=21 romāni @attr 1=1003 upits", "Number of hits: 1,"},
		{"unsupported use attribute", "@attr 1=9999 x", "[114] Unsupported Use attribute -- v3 addinfo '9999'"},
		{"unsupported attribute type", "@attr 7=1 x", "[113] Unsupported attribute type -- v3 addinfo '7'"},
		{"unsupported truncation", "@attr 1=4 @attr 5=99 x", "[120]"},
		{"proximity, unordered within 2 words", "@attr 1=4 @prox 0 2 0 2 k 2 zeme zaļā", "Number of hits: 1,"},
		{"proximity, ordered", "@attr 1=4 @prox 0 2 1 2 k 2 zeme zaļā", "Number of hits: 0,"},
		{"proximity with exclusion", "@prox 1 3 1 2 k 2 a b", "[110] Operator unsupported"},
		{"unknown result set", "@set nosuchset", "[30]"},
	}
	cmds := []string{"charset UTF-8", "open tcp:" + addr + "/Default", "find @attr 1=4 zeme"}
	for _, tt := range tests {
		cmds = append(cmds, "find "+tt.query)
	}
	out := yazClient(t, cmds...)
	// Split the transcript at each search so a failure names its query.
	parts := strings.Split(out, "Sent searchRequest.")
	if len(parts) != len(tests)+2 {
		t.Fatalf("%d searches answered, want %d:\n%s", len(parts)-1, len(tests)+1, out)
	}
	for i, tt := range tests {
		if part := parts[i+2]; !strings.Contains(part, tt.want) {
			t.Errorf("%s: find %s: answer lacks %q:\n%s", tt.name, tt.query, tt.want, part)
		}
	}
	// Databases: only the configured one, in any case.
	out = yazClient(t, "open tcp:"+addr+"/Nope", "find zeme")
	wantAll(t, out, "[109] Database unavailable -- v3 addinfo 'Nope'")
	out = yazClient(t, "open tcp:"+addr+"/default", "find zeme")
	wantAll(t, out, "Number of hits: 1,")
	// A result set as an operand of a later query.
	out = yazClient(t, "open tcp:"+addr+"/Default", "find @attr 1=21 romāni", "find @and @set 1 @attr 1=1003 upits",
		"find @set 9")
	wantAll(t, out, "Number of hits: 2, setno 1", "Number of hits: 1, setno 2", "[30] Specified result set does not exist -- v3 addinfo '9'")
	// Type-104 CQL.
	out = yazClient(t, "charset UTF-8", "open tcp:"+addr+"/Default", "querytype cql",
		"find dc.title=kalevipoeg", "find dc.creator=upīts and dc.title=zeme", "find bath.isbn=9789934077353",
		"find dc.foo=x", "find (dc.title=")
	parts = strings.Split(out, "Sent searchRequest.")
	wants := []string{"Number of hits: 1,", "Number of hits: 1,", "Number of hits: 1,", "[114]", "[108]"}
	if len(parts) != len(wants)+1 {
		t.Fatalf("CQL: %d searches answered:\n%s", len(parts)-1, out)
	}
	for i, w := range wants {
		if !strings.Contains(parts[i+1], w) {
			t.Errorf("CQL search %d: lacks %q:\n%s", i+1, w, parts[i+1])
		}
	}
}

func TestYazClientPresent(t *testing.T) {
	a := startApp(t, "memory", nil)
	addr := a.Addr("z3950").String()
	// Lend a copy of Zaļā zeme: the OPAC record must show it on loan.
	loan, err := a.Service().Checkout(context.Background(), core.CheckoutRequest{Library: demo.Central, PatronID: "P0001", ItemID: "I000001"})
	if err != nil {
		t.Fatalf("checkout: %v", err)
	}
	due := loan.Due.Format("2006-01-02")
	tests := []struct {
		name     string
		commands []string
		want     []string
		notWant  []string
	}{
		{"usmarc full", []string{"format usmarc", "elements F", "show 1+1"},
			[]string{"Record type: USmarc", "001 demo-0001", "245 10 $a Zaļā zeme", "650  4 $a Latviešu romāni", "nextResultSetPosition = 2"}, nil},
		{"usmarc brief", []string{"format usmarc", "elements B", "show 1+1"},
			[]string{"Record type: USmarc", "001 demo-0001", "245 10 $a Zaļā zeme", "100 1  $a Upīts, Andrejs"},
			[]string{"650  4", "041 0"}},
		{"marcxml", []string{"format xml", "elements marcxml", "show 1+1"},
			[]string{"Record type: XML", `<record xmlns="http://www.loc.gov/MARC21/slim">`, `<subfield code="a">Zaļā zeme</subfield>`}, nil},
		{"xml brief", []string{"format xml", "elements B", "show 1+1"},
			[]string{`<subfield code="a">Zaļā zeme</subfield>`}, []string{`tag="650"`}},
		{"dublin core", []string{"format xml", "elements dc", "show 1+1"},
			[]string{"Record type: XML", "<dc:title>Zaļā zeme</dc:title>", "<dc:creator>Upīts, Andrejs</dc:creator>"}, nil},
		{"sutrs", []string{"format sutrs", "show 1+1"},
			// yaz-client prints SUTRS octets above 127 as \XNN: the UTF-8 of "Zaļā".
			[]string{"Record type: SUTRS", `245 10 $a Za\XC4\XBC\XC4\X81 zeme`, "264  1 $a R\\XC4\\XABga $b Zvaigzne ABC $c 2019"}, nil},
		{"opac with live holdings", []string{"format opac", "show 1+1"},
			[]string{"Record type: OPAC", "245 10 $a Zaļā zeme", "nucCode: ILU",
				"localLocation: Ilūkstes novada centrālā bibliotēka", "callNumber: 80/A",
				"availableNow: 0\n availabiltyDate: " + due + "\n itemId: I000001\n renewable: 1",
				"availableNow: 1\n itemId: I000109", "localLocation: Subates pilsētas bibliotēka"}, nil},
		{"opac xml", []string{"format xml", "elements OP", "show 1+1"},
			[]string{"<opacRecord>", "<itemId>I000001</itemId>", "<availablityDate>" + due + "</availablityDate>",
				`<subfield code="a">Zaļā zeme</subfield>`}, nil},
		{"out of range", []string{"show 2+1"}, []string{"[13] Present request out of range -- v3 addinfo '2'"}, nil},
		{"bad element set", []string{"elements nope", "show 1+1"}, []string{"[25]", "addinfo 'nope'"}, nil},
		{"element set not for syntax", []string{"format sutrs", "elements dc", "show 1+1"}, []string{"[25]"}, nil},
		{"unsupported syntax", []string{"format grs-1", "show 1+1"}, []string{"[239]"}, nil},
		{"piggyback", []string{"ssub 5", "lslb 100", "mspn 3", "format usmarc", "find @attr 1=1018 jumava"},
			[]string{"Number of hits: 2,", "records returned: 2", "245 10 $a Dvēseļu putenis", "245 10 $a Baltās grāmatas"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds := []string{"charset UTF-8", "open tcp:" + addr + "/Default", "find @attr 1=4 zeme"}
			out := yazClient(t, append(cmds, tt.commands...)...)
			wantAll(t, out, tt.want...)
			wantNone(t, out, tt.notWant...)
		})
	}
}

func TestYazClientScanSortDeleteClose(t *testing.T) {
	a := startApp(t, "memory", nil)
	addr := a.Addr("z3950").String()
	out := yazClient(t, "charset UTF-8", "open tcp:"+addr+"/Default",
		"scan @attr 1=4 kal",
		"scan @attr 1=1003 @attr 3=1 @attr 4=1 @attr 6=3 upīts",
		"find @attr 1=1018 jumava", "sort 1=4 <i", "format usmarc", "show 1+1",
		"sort 1=4 >i", "show 1+1",
		"sort 1=31 >", "show 1+1",
		"sort 1=1003 <", "show 1+1",
		"sort 1=21 <",
		"delete 1", "show 1+1",
		"close")
	wantAll(t, out,
		"* kalevipoeg (1)", "  komplekts (1)",
		"* upīts andrejs (1)",
		"Received SortResponse: status=success",
		"[207] Cannot sort according to sequence -- v3 addinfo 'subject'",
		"Got deleteResultSetResponse status=0",
		"[30] Specified result set does not exist",
		"Reason: finished")
	// The Jumava titles are Baltās grāmatas (2011, Jaunsudrabiņš) and
	// Dvēseļu putenis (2021, Grīns): each sort puts its own first.
	shows := strings.Split(out, "Sent presentRequest")
	if len(shows) != 6 {
		t.Fatalf("%d presents:\n%s", len(shows)-1, out)
	}
	for i, want := range []string{"Baltās grāmatas", "Dvēseļu putenis", "Dvēseļu putenis", "Dvēseļu putenis"} {
		if !strings.Contains(shows[i+1], "245 10 $a "+want) {
			t.Errorf("sort %d: first record is not %s:\n%s", i+1, want, shows[i+1])
		}
	}
}

func TestZoomsh(t *testing.T) {
	a := startApp(t, "memory", nil)
	target := "tcp:" + a.Addr("z3950").String() + "/Default"
	out, err := zoomsh(t, "set preferredRecordSyntax usmarc", "set elementSetName F", "connect "+target,
		"search @attr 1=7 9789934077353", "show 0 1")
	if err != nil {
		t.Fatalf("zoomsh: %v\n%s", err, out)
	}
	wantAll(t, out, ": 1 hits", "245 10 $a Zaļā zeme")
	out, err = zoomsh(t, "set preferredRecordSyntax xml", "set elementSetName marcxml", "set count 2",
		"connect "+target, "search cql:dc.publisher=jumava sortBy dc.date/sort.descending", "show 0 2")
	if err != nil {
		t.Fatalf("zoomsh: %v\n%s", err, out)
	}
	wantAll(t, out, ": 2 hits", `<subfield code="a">Dvēseļu putenis</subfield>`)
	if d, b := strings.Index(out, "Dvēseļu putenis"), strings.Index(out, "Baltās grāmatas"); d < 0 || b < 0 || d > b {
		t.Errorf("sortBy dc.date/sort.descending: 2021 title not before the 2011 one:\n%s", out)
	}
	out, err = zoomsh(t, "set preferredRecordSyntax opac", "connect "+target, "search @attr 1=12 demo-0010", "show 0 1")
	if err != nil {
		t.Fatalf("zoomsh opac: %v\n%s", err, out)
	}
	wantAll(t, out, "245 10 $a Kalevipoeg", `<availableNow value="1"/>`, "<itemId>I000010</itemId>")
	out, err = zoomsh(t, "connect "+target, "scan @attr 1=1003 kreu")
	if err != nil {
		t.Fatalf("zoomsh scan: %v\n%s", err, out)
	}
	wantAll(t, out, "kreutzwald 1")
	out, err = zoomsh(t, "connect "+target, "search @attr 1=9999 x")
	if err == nil {
		t.Errorf("zoomsh -e succeeded on a failing search:\n%s", out)
	}
	wantAll(t, out, "114")
}

// TestStores runs one search and OPAC present on both stores.
func TestStores(t *testing.T) {
	for _, store := range []string{"memory", "bolt"} {
		t.Run(store, func(t *testing.T) {
			a := startApp(t, store, nil)
			out := yazClient(t, "charset UTF-8", "open tcp:"+a.Addr("z3950").String()+"/Default",
				"find @attr 1=1003 tammsaare", "format opac", "show 1+1")
			wantAll(t, out, "Number of hits: 1,", "245 10 $a Tõde ja õigus", fmt.Sprintf("itemId: I%06d", 12))
		})
	}
}
