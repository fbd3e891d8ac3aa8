package z3950bench

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bibgate/bibgate/z3950"
	"github.com/bibgate/bibgate/z3950/z3950server"
)

type backend struct{}

func (backend) Init(context.Context, z3950server.InitInfo) (z3950server.Session, error) {
	return session{}, nil
}

type session struct{}

func (session) Search(_ context.Context, a z3950server.SearchArgs) (z3950server.SearchResult, error) {
	t := a.Query.RPN.Root.(*z3950.AttributesPlusTerm)
	n, err := strconv.Atoi(string(t.Term.Bytes))
	if err != nil {
		return z3950server.SearchResult{}, z3950.NewDiagnostic(z3950.DiagMalformedTerm, string(t.Term.Bytes))
	}
	return z3950server.SearchResult{Count: n}, nil
}

func (session) Records(_ context.Context, a z3950server.RecordsArgs) ([]z3950server.Record, error) {
	var out []z3950server.Record
	for i := 0; i < a.Count; i++ {
		out = append(out, z3950server.Record{External: z3950.OctetRecord(a.Syntax, []byte(fmt.Sprint(a.Start+i)))})
	}
	return out, nil
}

func serve(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &z3950server.Server{Backend: backend{}}
	go srv.Serve(l)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return l.Addr().String()
}

func TestRun(t *testing.T) {
	addr := serve(t)
	tests := []struct {
		name       string
		opts       Options
		wantErrors bool
	}{
		{"kept alive", Options{Addr: "tcp:" + addr + "/Default", Conns: 2, Duration: 300 * time.Millisecond,
			Queries: []string{"@attr 1=4 5", "@attr 1=4 20"}, Present: 3}, false},
		{"new session", Options{Addr: addr, Conns: 1, Duration: 300 * time.Millisecond,
			Queries: []string{"@attr 1=4 2"}, Present: 10, NewSession: true, Syntax: "xml"}, false},
		{"diagnostics count as errors", Options{Addr: addr, Duration: 200 * time.Millisecond, Queries: []string{"x"}}, true},
		{"present only", Options{Addr: addr, Conns: 2, Duration: 300 * time.Millisecond,
			Queries: []string{"@attr 1=4 0", "@attr 1=4 50"}, PresentOnly: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Run(context.Background(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Queries < 5 {
				t.Fatalf("only %d queries: %+v", res.Queries, res)
			}
			if tt.wantErrors {
				if res.Errors != res.Queries || res.FirstError == "" {
					t.Errorf("errors %d of %d (%s)", res.Errors, res.Queries, res.FirstError)
				}
				return
			}
			if res.Errors != 0 {
				t.Errorf("errors: %d, first %s", res.Errors, res.FirstError)
			}
			if res.Throughput <= 0 || res.P50 <= 0 || res.P99 < res.P50 || res.Records == 0 {
				t.Errorf("result %+v", res)
			}
			// P99 is a bucket midpoint (1% wide), Max the exact slowest query.
			if float64(res.Max) < float64(res.P99)/1.01 {
				t.Errorf("max %v below p99 %v", res.Max, res.P99)
			}
		})
	}
	if _, err := Run(context.Background(), Options{Addr: addr, Queries: []string{"@and x"}}); err == nil {
		t.Error("bad PQF accepted")
	}
	if _, err := Run(context.Background(), Options{Addr: addr, Queries: []string{"x"}, Syntax: "nope"}); err == nil {
		t.Error("bad syntax accepted")
	}
}

func TestRunAgainstYazZtest(t *testing.T) {
	path, err := exec.LookPath("yaz-ztest")
	if err != nil {
		t.Skip("yaz-ztest not installed (apt-get install yaz); skipping the benchmark against YAZ's server")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(path, "-l", t.TempDir()+"/ztest.log", "tcp:"+addr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; i < 50; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	res, err := Run(context.Background(), Options{Addr: addr, Conns: 2, Duration: 500 * time.Millisecond,
		Queries: []string{"@attr 1=4 12", "@attr 1=1003 7"}, Present: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Queries == 0 || res.Errors != 0 || res.Hits == 0 || res.Records == 0 {
		t.Errorf("result %+v", res)
	}
	t.Logf("yaz-ztest: %d queries, %.0f/s, p50 %v p99 %v", res.Queries, res.Throughput, res.P50, res.P99)
}

// recordingBackend remembers the searches and the present start points it
// served, so a test can see what the load really sent.
type recordingBackend struct {
	mu       sync.Mutex
	searches int
	starts   map[int]bool
}

func (b *recordingBackend) Init(context.Context, z3950server.InitInfo) (z3950server.Session, error) {
	return recordingSession{b}, nil
}

type recordingSession struct{ b *recordingBackend }

func (s recordingSession) Search(ctx context.Context, a z3950server.SearchArgs) (z3950server.SearchResult, error) {
	s.b.mu.Lock()
	s.b.searches++
	s.b.mu.Unlock()
	return session{}.Search(ctx, a)
}

func (s recordingSession) Records(ctx context.Context, a z3950server.RecordsArgs) ([]z3950server.Record, error) {
	s.b.mu.Lock()
	s.b.starts[a.Start] = true
	s.b.mu.Unlock()
	return session{}.Records(ctx, a)
}

func TestRunPresentOnly(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &recordingBackend{starts: map[int]bool{}}
	srv := &z3950server.Server{Backend: b}
	go srv.Serve(l)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	// The first query has no hits and the second too few for a present
	// of 10, so each connection must move on to the third, a set of 40:
	// presents of 10 start at 1..31.
	res, err := Run(context.Background(), Options{Addr: l.Addr().String(), Conns: 2, Duration: 400 * time.Millisecond,
		Queries: []string{"@attr 1=4 0", "@attr 1=4 3", "@attr 1=4 40"}, PresentOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 || res.Queries < 20 {
		t.Fatalf("result %+v", res)
	}
	if res.Records != 10*res.Queries {
		t.Errorf("%d records for %d presents of 10", res.Records, res.Queries)
	}
	b.mu.Lock()
	if b.searches > 6 {
		t.Errorf("%d searches for 2 connections: present only should search at most three times each", b.searches)
	}
	for s := range b.starts {
		if s < 1 || s > 31 {
			t.Errorf("present started at %d, outside 1..31", s)
		}
	}
	if len(b.starts) < 5 {
		t.Errorf("only %d distinct start points: %v", len(b.starts), b.starts)
	}
	b.mu.Unlock()

	// With only small sets, the first one with hits serves.
	res, err = Run(context.Background(), Options{Addr: l.Addr().String(), Duration: 200 * time.Millisecond,
		Queries: []string{"@attr 1=4 0", "@attr 1=4 3"}, PresentOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 || res.Queries == 0 || res.Records != 3*res.Queries {
		t.Errorf("small sets: %+v", res)
	}
	if _, err := Run(context.Background(), Options{Addr: l.Addr().String(), Queries: []string{"@attr 1=4 1"},
		PresentOnly: true, NewSession: true}); err == nil {
		t.Error("PresentOnly with NewSession accepted")
	}
}
