package z3950server

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/z3950"
)

func TestReferenceIDEchoed(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.addr)
	if resp := c.init(); string(resp.ReferenceID) != "init-1" {
		t.Errorf("init refid %q", resp.ReferenceID)
	}
	reqs := []z3950.PDU{
		search("1", "@attr 1=4 computer"),
		&z3950.PresentRequest{ReferenceID: []byte("p"), ResultSetID: "1", ResultSetStartPoint: 1, NumberOfRecordsRequested: 1},
		&z3950.ScanRequest{ReferenceID: []byte("sc"), DatabaseNames: []string{"Default"}, NumberOfTermsRequested: 3,
			TermListAndStartPoint: z3950.AttributesPlusTerm{Attributes: []z3950.AttributeElement{{Type: 1, Value: 4}}, Term: z3950.GeneralTerm("a")}},
		&z3950.SortRequest{ReferenceID: []byte("so"), InputResultSetNames: []string{"1"}, SortedResultSetName: "2",
			SortSequence: []z3950.SortKeySpec{{Key: z3950.SortKey{Kind: z3950.SortField, Field: "title"}}}},
		&z3950.DeleteResultSetRequest{ReferenceID: []byte("d"), DeleteFunction: z3950.DeleteAll},
		&z3950.Close{ReferenceID: []byte("c"), CloseReason: z3950.CloseFinished},
	}
	for _, r := range reqs {
		resp := c.roundTrip(r)
		if string(resp.RefID()) != string(r.RefID()) {
			t.Errorf("%s: refid %q, want %q", z3950.PDUName(r.Tag()), resp.RefID(), r.RefID())
		}
	}
}

func TestMessageSizeRules(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.addr)
	req := initRequest("", "")
	req.PreferredMessageSize = 4096
	req.ExceptionalRecordSize = 20000
	resp := c.roundTrip(req).(*z3950.InitializeResponse)
	if resp.PreferredMessageSize != 4096 || resp.ExceptionalRecordSize != 20000 {
		t.Fatalf("sizes %d %d", resp.PreferredMessageSize, resp.ExceptionalRecordSize)
	}
	// "computer" hits: 1, 2 small; 6 big (6 KB), 7 huge (40 KB).
	if sr := c.roundTrip(search("s", "@attr 1=4 computer")).(*z3950.SearchResponse); sr.ResultCount != 4 {
		t.Fatalf("hits %d", sr.ResultCount)
	}
	present := func(start, n int) *z3950.PresentResponse {
		return c.roundTrip(&z3950.PresentRequest{ResultSetID: "s", ResultSetStartPoint: start, NumberOfRecordsRequested: n}).(*z3950.PresentResponse)
	}
	diagAt := func(p *z3950.PresentResponse, i int) int {
		if i >= len(p.Records.Records) || p.Records.Records[i].Diagnostic == nil {
			return 0
		}
		return p.Records.Records[i].Diagnostic.Condition
	}
	// Several records asked: the 6 KB record cannot fit a 4 KB message, so
	// it becomes surrogate 16; the 40 KB one exceeds 20 KB: surrogate 17.
	p := present(1, 4)
	if p.NumberOfRecordsReturned != 4 || diagAt(p, 0) != 0 || diagAt(p, 2) != 16 || diagAt(p, 3) != 17 || p.PresentStatus != z3950.PresentPartial4 {
		t.Errorf("present 1+4: returned %d status %d diags %d %d %d", p.NumberOfRecordsReturned, p.PresentStatus, diagAt(p, 0), diagAt(p, 2), diagAt(p, 3))
	}
	// Alone, the 6 KB record is sent (it is under the exceptional size).
	if p := present(3, 1); diagAt(p, 0) != 0 || p.Records.Records[0].Record == nil {
		t.Errorf("present 3+1: %+v", p.Records.Records[0])
	}
	// Alone, the 40 KB record is still too large.
	if p := present(4, 1); diagAt(p, 0) != 17 {
		t.Errorf("present 4+1: diag %d", diagAt(p, 0))
	}

	// Many small records overflow the message: partial-2 and next position.
	c2 := dialRaw(t, ts.addr)
	req.PreferredMessageSize = 300
	c2.roundTrip(req)
	c2.roundTrip(search("t", "@or @attr 1=1003 tolstoy @attr 1=4 networks"))
	p = c2.roundTrip(&z3950.PresentRequest{ResultSetID: "t", ResultSetStartPoint: 1, NumberOfRecordsRequested: 3}).(*z3950.PresentResponse)
	if p.PresentStatus != z3950.PresentPartial2 || p.NumberOfRecordsReturned != 1 || p.NextResultSetPosition != 2 {
		t.Errorf("small message: status %d returned %d next %d", p.PresentStatus, p.NumberOfRecordsReturned, p.NextResultSetPosition)
	}
}

func TestResultSets(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.MaxResultSets = 2 })
	c := dialRaw(t, ts.addr)
	c.init()
	c.roundTrip(search("a", "@attr 1=4 computer"))
	c.roundTrip(search("b", "@attr 1=4 war"))
	// Replace indicator off on an existing set: diagnostic 21.
	s := search("a", "@attr 1=4 peace")
	s.ReplaceIndicator = false
	if sr := c.roundTrip(s).(*z3950.SearchResponse); sr.SearchStatus || sr.Records.Diagnostics[0].Condition != 21 {
		t.Errorf("replace off: %+v", sr)
	}
	// A third set evicts the least recently used one ("a").
	c.roundTrip(search("c", "@attr 1=4 peace"))
	pr := c.roundTrip(&z3950.PresentRequest{ResultSetID: "a", ResultSetStartPoint: 1, NumberOfRecordsRequested: 1}).(*z3950.PresentResponse)
	if pr.PresentStatus != z3950.PresentFailure || pr.Records.Diagnostics[0].Condition != z3950.DiagResultSetDeleted {
		t.Errorf("evicted set: %+v", pr.Records)
	}
	pr = c.roundTrip(&z3950.PresentRequest{ResultSetID: "zz", ResultSetStartPoint: 1, NumberOfRecordsRequested: 1}).(*z3950.PresentResponse)
	if pr.Records.Diagnostics[0].Condition != z3950.DiagResultSetMissing {
		t.Errorf("unknown set: %+v", pr.Records)
	}
	// A query may refer to a result set.
	if sr := c.roundTrip(search("d", "@and @set b @attr 1=1003 tolstoy")).(*z3950.SearchResponse); sr.ResultCount != 1 {
		t.Errorf("result set operand: %d hits", sr.ResultCount)
	}
	del := c.roundTrip(&z3950.DeleteResultSetRequest{ResultSetList: []string{"b", "nope"}}).(*z3950.DeleteResultSetResponse)
	if del.DeleteListStatuses[0].Status != z3950.DeleteSuccess || del.DeleteListStatuses[1].Status != z3950.DeleteNotExist ||
		del.DeleteOperationStatus != z3950.DeleteNotAllRequested {
		t.Errorf("delete: %+v", del)
	}
}

func TestProtocolErrors(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.MaxAPDUSize = 1024; s.MaxDepth = 8 })
	tests := []struct {
		name string
		send []byte
	}{
		{"search before init", z3950.Marshal(search("1", "x"))},
		{"garbage", []byte{0x30, 0x03, 0x02, 0x01, 0x00}},
		{"too large", append([]byte{0xB4, 0x82, 0x10, 0x00}, make([]byte, 4096)...)},
		{"too deep", []byte{0xB4, 0x80, 0x30, 0x80, 0x30, 0x80, 0x30, 0x80, 0x30, 0x80, 0x30, 0x80, 0x30, 0x80, 0x30, 0x80, 0x30, 0x80, 0x30, 0x80}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, ts.addr)
			c.nc.Write(tt.send)
			cl, ok := c.recv().(*z3950.Close)
			if !ok || cl.CloseReason != z3950.CloseProtocolError {
				t.Errorf("got %+v", cl)
			}
			c.nc.SetReadDeadline(time.Now().Add(2 * time.Second))
			if _, err := c.nc.Read(make([]byte, 1)); err != io.EOF {
				t.Errorf("connection not closed: %v", err)
			}
		})
	}
}

func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.IdleTimeout = 200 * time.Millisecond })
	c := dialRaw(t, ts.addr)
	c.init()
	start := time.Now()
	cl, ok := c.recv().(*z3950.Close)
	if !ok || cl.CloseReason != z3950.CloseLackOfActivity {
		t.Fatalf("got %+v", cl)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("closed after %v", d)
	}
}

func TestShutdownClosesAssociations(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.addr)
	c.init()
	done := make(chan error)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		done <- ts.srv.Shutdown(ctx)
	}()
	cl, ok := c.recv().(*z3950.Close)
	if !ok || cl.CloseReason != z3950.CloseShutdown {
		t.Errorf("got %+v", cl)
	}
	if err := <-done; err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if _, err := net.DialTimeout("tcp", ts.addr, time.Second); err == nil {
		t.Error("still accepting after shutdown")
	}
}

func TestHTTPOnSamePort(t *testing.T) {
	ts := startServer(t, nil)
	resp, err := http.Get("http://" + ts.addr + "/Default?version=1.2&operation=explain")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "sru:/Default?version=1.2&operation=explain" {
		t.Errorf("body %q", body)
	}
	// Z39.50 still works beside it.
	c := dialRaw(t, ts.addr)
	c.init()
}

func TestConnectionLimit(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.MaxConnections = 1 })
	c := dialRaw(t, ts.addr)
	c.init()
	c2 := dialRaw(t, ts.addr)
	c2.nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := c2.nc.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("second connection: %v", err)
	}
}

func TestMetricsAndLogs(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.addr)
	req := initRequest("alice", "secret")
	c.roundTrip(req)
	c.roundTrip(search("1", "@attr 1=4 computer"))
	c.roundTrip(search("2", "@attr 1=9999 computer"))
	want := map[string]float64{"ok/initRequest/": 1, "ok/searchRequest/": 1, "diagnostic/searchRequest/": 1}
	// A request is counted just after its response is written: give the
	// last one a moment to land.
	var got map[string]float64
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		got = map[string]float64{}
		families, err := ts.reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range families {
			if f.GetName() != "bibgate_z3950_requests_total" {
				continue
			}
			for _, m := range f.GetMetric() {
				key := ""
				for _, l := range m.GetLabel() {
					key += l.GetValue() + "/"
				}
				got[key] = m.GetCounter().GetValue()
			}
		}
		if got["diagnostic/searchRequest/"] == 1 || time.Now().After(deadline) {
			break
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("requests_total{%s} = %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
	logs := ts.logText()
	if !strings.Contains(logs, `"user":"alice"`) || !strings.Contains(logs, `"diag":114`) || strings.Contains(logs, "secret") {
		t.Errorf("logs:\n%s", logs)
	}
	if ts.backend.inits[0].Password != "secret" || ts.backend.inits[0].User != "alice" {
		t.Errorf("backend saw %+v", ts.backend.inits[0])
	}
}

func TestVersion2(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.addr)
	req := initRequest("", "")
	req.ProtocolVersion = z3950BitsV2()
	resp := c.roundTrip(req).(*z3950.InitializeResponse)
	if !resp.Result || resp.ProtocolVersion.At(z3950.Version3) || !resp.ProtocolVersion.At(z3950.Version2) {
		t.Fatalf("v2 init: %+v", resp.ProtocolVersion)
	}
	c.send(search("1", "@attr 1=9999 x"))
	c.nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	raw, err := c.rd.ReadRaw()
	if err != nil {
		t.Fatal(err)
	}
	// addinfo is a VisibleString (0x1A) in version 2.
	if !strings.Contains(string(raw), "\x1a\x049999") {
		t.Errorf("v2 addinfo not VisibleString: % X", raw)
	}
}
