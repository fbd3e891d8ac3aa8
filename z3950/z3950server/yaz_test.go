package z3950server

import (
	"strings"
	"testing"
)

func wantAll(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func wantNone(t *testing.T, out string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(out, b) {
			t.Errorf("output contains %q:\n%s", b, out)
		}
	}
}

func TestYazClientInit(t *testing.T) {
	tests := []struct {
		name        string
		requireAuth bool
		commands    []string
		want        []string
		notWant     []string
	}{
		{"anonymous", false, nil,
			[]string{"Connection accepted by v3 target", "Options: search present delSet scan sort namedResultSets"},
			[]string{"rejected"}},
		{"good password", true, []string{"auth alice/secret"},
			[]string{"Connection accepted by v3 target"}, []string{"rejected"}},
		{"bad password", true, []string{"auth alice/wrong"},
			[]string{"Connection rejected by v3 target", "code=1011", "addinfo='alice'"}, []string{"accepted"}},
		{"auth required", true, nil,
			[]string{"Connection rejected by v3 target", "code=1010"}, nil},
		{"utf-8 negotiation", false, []string{"charset UTF-8"},
			[]string{"Accepted character set : UTF-8", "Accepted records in ...: 1", "negotiationModel"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, nil)
			ts.backend.requireAuth = tt.requireAuth
			out := yazClient(t, append(tt.commands, "open tcp:"+ts.addr+"/Default")...)
			wantAll(t, out, tt.want...)
			wantNone(t, out, tt.notWant...)
			if strings.Contains(ts.logText(), "secret") || strings.Contains(ts.logText(), "wrong") {
				t.Errorf("password in log:\n%s", ts.logText())
			}
		})
	}
}

func TestYazClientSearch(t *testing.T) {
	ts := startServer(t, nil)
	tests := []struct {
		query string
		want  []string
	}{
		{"@attr 1=4 computer", []string{"Search was a success", "Number of hits: 4"}},
		{"@attr 1=4 @attr 5=1 comp", []string{"Number of hits: 5"}},
		{"@attr 1=4 @attr 5=100 comp", []string{"Number of hits: 0"}},
		{"@and @attr 1=1003 tolstoy @attr 1=4 war", []string{"Number of hits: 1"}},
		{"@or @attr 1=4 peace @attr 1=4 karenina", []string{"Number of hits: 2"}},
		{"@not @attr 1=1003 tolstoy @attr 1=4 war", []string{"Number of hits: 1"}},
		{"@attr 1=7 978-0-201-89683-1", []string{"Number of hits: 1"}},
		{"@attr 1=9999 x", []string{"Search was a bloomin' failure", "[114] Unsupported Use attribute -- v3 addinfo '9999'"}},
		{"@attr 1=4 @attr 5=2 comp", []string{"[120]"}},
	}
	for _, tt := range tests {
		out := yazClient(t, "open tcp:"+ts.addr+"/Default", "find "+tt.query)
		wantAll(t, out, tt.want...)
	}
	out := yazClient(t, "open tcp:"+ts.addr+"/Nope", "find computer")
	wantAll(t, out, "[235]", "addinfo 'Nope'")
	out = yazClient(t, "open tcp:"+ts.addr+"/Default", "querytype cql", "find dc.title=peace")
	wantAll(t, out, "Number of hits: 1")
}

func TestYazClientPresent(t *testing.T) {
	ts := startServer(t, nil)
	tests := []struct {
		name     string
		commands []string
		want     []string
	}{
		{"usmarc", []string{"format usmarc", "elements F", "show 1+2"},
			[]string{"Records: 2", "Record type: USmarc", "245 10 $a How to program a computer", "245 10 $a Computer networks", "nextResultSetPosition = 3"}},
		{"xml", []string{"format xml", "elements marcxml", "show 2+1"},
			[]string{"Record type: XML", `<subfield code="a">Computer networks</subfield>`}},
		{"sutrs", []string{"format sutrs", "show 1+1"},
			[]string{"Record type: SUTRS", "title: How to program a computer"}},
		{"opac", []string{"format opac", "show 1+1"},
			[]string{"Record type: OPAC", "callNumber: 005.1 COL", "localLocation: Central Library", "availableNow: 1", "itemId: BC1"}},
		{"opac not available", []string{"format opac", "show 2+1"},
			[]string{"availableNow: 0", "itemId: BC2"}},
		{"out of range", []string{"show 9+1"},
			[]string{"[13] Present request out of range"}},
		{"bad element set", []string{"elements nope", "show 1+1"},
			[]string{"[25]", "addinfo 'nope'"}},
		{"unsupported syntax", []string{"format grs-1", "show 1+1"},
			[]string{"[239]"}},
		{"piggyback", []string{"ssub 5", "lslb 100", "mspn 3", "find @attr 1=4 computer"},
			[]string{"Number of hits: 4", "records returned: 4", "245 10 $a Computer networks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds := []string{"open tcp:" + ts.addr + "/Default", "find @attr 1=4 computer"}
			out := yazClient(t, append(cmds, tt.commands...)...)
			wantAll(t, out, tt.want...)
		})
	}
}

func TestYazClientScanSortDeleteClose(t *testing.T) {
	ts := startServer(t, nil)
	out := yazClient(t, "open tcp:"+ts.addr+"/Default",
		"scan @attr 1=4 comp",
		"find @attr 1=1003 tolstoy", "sort 1=4 <i", "format sutrs", "show 1+1",
		"sort 1=4 >i", "show 1+1",
		"delete 1", "show 1+1",
		"close")
	wantAll(t, out,
		"* COMPUTER (4)", "COMPUTING (1)",
		"Received SortResponse: status=success",
		"title: Anna Karenina", "title: War and peace",
		"Got deleteResultSetResponse status=0",
		"[30] Specified result set does not exist",
		"Reason: finished")
	// Ascending sort shows Anna Karenina before the descending one shows War and peace.
	if a, w := strings.Index(out, "title: Anna Karenina"), strings.Index(out, "title: War and peace"); a > w {
		t.Errorf("sort order wrong:\n%s", out)
	}
	out = yazClient(t, "open tcp:"+ts.addr+"/Default", "scan @attr 1=21 x")
	wantAll(t, out, "114")
}

func TestZoomsh(t *testing.T) {
	ts := startServer(t, nil)
	out, err := zoomsh(t, "set preferredRecordSyntax usmarc", "connect tcp:"+ts.addr+"/Default",
		"search @attr 1=1003 tolstoy", "show 0 2")
	if err != nil {
		t.Fatalf("zoomsh: %v\n%s", err, out)
	}
	wantAll(t, out, ": 2 hits", "245 10 $a War and peace", "245 10 $a Anna Karenina")
	out, err = zoomsh(t, "set preferredRecordSyntax xml", "set elementSetName marcxml", "set count 1",
		"connect tcp:"+ts.addr+"/Default", "search cql:dc.title=peace", "show 0 1")
	if err != nil {
		t.Fatalf("zoomsh: %v\n%s", err, out)
	}
	wantAll(t, out, ": 1 hits", `<subfield code="a">War and peace</subfield>`)
	out, err = zoomsh(t, "connect tcp:"+ts.addr+"/Default", "scan @attr 1=1003 tol")
	if err != nil {
		t.Fatalf("zoomsh scan: %v\n%s", err, out)
	}
	wantAll(t, out, "TOLSTOY 2")
	out, err = zoomsh(t, "connect tcp:"+ts.addr+"/Default", "search @attr 1=9999 x")
	if err == nil {
		t.Errorf("zoomsh -e succeeded on a failing search:\n%s", out)
	}
	wantAll(t, out, "114")
}
