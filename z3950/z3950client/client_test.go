package z3950client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/bibgate/bibgate/z3950"
	"github.com/bibgate/bibgate/z3950/z3950server"
)

// countBackend answers every query with as many hits as the leading digits
// of its first term (yaz-ztest's convention), and tiny records.
type countBackend struct{}

func (countBackend) Init(_ context.Context, info z3950server.InitInfo) (z3950server.Session, error) {
	if info.User != "" && info.Password != "pw" {
		return nil, z3950.NewDiagnostic(z3950.DiagBadUserPassword, info.User)
	}
	return countSession{}, nil
}

type countSession struct{}

func firstTerm(n z3950.RPNStructure) string {
	switch v := n.(type) {
	case *z3950.AttributesPlusTerm:
		return string(v.Term.Bytes)
	case *z3950.RPNOperation:
		return firstTerm(v.Left)
	}
	return ""
}

func (countSession) Search(_ context.Context, a z3950server.SearchArgs) (z3950server.SearchResult, error) {
	term := a.Query.CQL
	if a.Query.Kind == z3950.QueryRPN {
		term = firstTerm(a.Query.RPN.Root)
	}
	n, err := strconv.Atoi(term)
	if err != nil {
		return z3950server.SearchResult{}, z3950.NewDiagnostic(z3950.DiagMalformedTerm, term)
	}
	return z3950server.SearchResult{Count: n}, nil
}

func (countSession) Records(_ context.Context, a z3950server.RecordsArgs) ([]z3950server.Record, error) {
	var out []z3950server.Record
	for i := a.Start; i < a.Start+a.Count; i++ {
		out = append(out, z3950server.Record{External: z3950.OctetRecord(a.Syntax, []byte(fmt.Sprintf("record %d", i)))})
	}
	return out, nil
}

func startServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &z3950server.Server{Backend: countBackend{}}
	go srv.Serve(l)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return l.Addr().String()
}

func TestClientAgainstServer(t *testing.T) {
	ctx := context.Background()
	addr := startServer(t)
	c, err := Dial(ctx, addr, Options{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Init(ctx, InitOptions{User: "u", Password: "pw", Charset: "UTF-8"})
	if err != nil {
		t.Fatal(err)
	}
	if cr, ok := z3950.FindCharsetResponse(resp.OtherInfo); !ok || cr.Selected == nil || !cr.Selected.IsUTF8() {
		t.Errorf("charset: %+v", cr)
	}
	sr, err := c.Search(ctx, SearchOptions{PQF: "@attr 1=4 7", ResultSet: "a"})
	if err != nil || sr.ResultCount != 7 {
		t.Fatalf("search: %v %+v", err, sr)
	}
	pr, err := c.Present(ctx, "a", 3, 2, z3950.OIDXML, "")
	if err != nil || pr.NumberOfRecordsReturned != 2 || string(pr.Records.Records[1].Record.Octets) != "record 4" ||
		pr.Records.Records[0].Record.DirectReference != z3950.OIDXML {
		t.Fatalf("present: %v %+v", err, pr)
	}
	sr, err = c.Search(ctx, SearchOptions{PQF: "5", Piggyback: 2, Syntax: z3950.OIDUSMARC})
	if err != nil || sr.NumberOfRecordsReturned != 2 {
		t.Fatalf("piggyback: %v %+v", err, sr)
	}
	_, err = c.Search(ctx, SearchOptions{PQF: "abc"})
	var d *z3950.Diagnostic
	if !errors.As(err, &d) || d.Condition != z3950.DiagMalformedTerm {
		t.Errorf("bad term: %v", err)
	}
	if _, err := c.Present(ctx, "a", 99, 1, "", ""); !errors.As(err, &d) || d.Condition != z3950.DiagPresentOutOfRange {
		t.Errorf("out of range: %v", err)
	}
	if err := c.Close(ctx); err != nil {
		t.Errorf("close: %v", err)
	}

	c2, _ := Dial(ctx, addr, Options{})
	_, err = c2.Init(ctx, InitOptions{User: "u", Password: "bad"})
	if !errors.Is(err, ErrRefused) || !errors.As(err, &d) || d.Condition != z3950.DiagBadUserPassword {
		t.Errorf("refused init: %v", err)
	}
	c2.Abort()
}

func TestParseTarget(t *testing.T) {
	tests := []struct{ in, addr, db string }{
		{"tcp:127.0.0.1:2100/Default", "127.0.0.1:2100", "Default"},
		{"localhost:9999/db1", "localhost:9999", "db1"},
		{"z3950.loc.gov", "z3950.loc.gov:210", "Default"},
	}
	for _, tt := range tests {
		if a, d := ParseTarget(tt.in); a != tt.addr || d != tt.db {
			t.Errorf("%s -> %s %s", tt.in, a, d)
		}
	}
}

// StartYazZtest runs YAZ's test server on a free loopback port.
func startYazZtest(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("yaz-ztest")
	if err != nil {
		t.Skip("yaz-ztest not installed (apt-get install yaz); skipping the test against YAZ's server")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(path, "-l", t.TempDir()+"/ztest.log", "tcp:"+addr)
	cmd.Dir = t.TempDir()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for i := 0; i < 50; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("yaz-ztest did not start")
	return ""
}

func TestClientAgainstYazZtest(t *testing.T) {
	ctx := context.Background()
	addr := startYazZtest(t)
	c, err := Dial(ctx, addr, Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Init(ctx, InitOptions{Charset: "UTF-8"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.ImplementationName != "GFS/YAZ" {
		t.Errorf("implementation %q", resp.ImplementationName)
	}
	sr, err := c.Search(ctx, SearchOptions{PQF: "@attr 1=4 12", ResultSet: "1"})
	if err != nil || sr.ResultCount != 12 {
		t.Fatalf("search: %v %+v", err, sr)
	}
	pr, err := c.Present(ctx, "1", 1, 2, z3950.OIDUSMARC, "F")
	if err != nil || pr.NumberOfRecordsReturned != 2 {
		t.Fatalf("present: %v %+v", err, pr)
	}
	if rec := pr.Records.Records[0].Record; rec == nil || !bytes.HasPrefix(rec.Octets, []byte("00366nam")) {
		t.Errorf("record: %+v", pr.Records.Records[0])
	}
	pr, err = c.Present(ctx, "1", 1, 1, z3950.OIDOPAC, "")
	if err != nil {
		t.Fatal(err)
	}
	opac, err := z3950.ParseOPACRecord(pr.Records.Records[0].Record.Single)
	if err != nil || len(opac.Holdings) == 0 {
		t.Errorf("opac: %v %+v", err, opac)
	}
	if err := c.Close(ctx); err != nil {
		t.Errorf("close: %v", err)
	}
}
