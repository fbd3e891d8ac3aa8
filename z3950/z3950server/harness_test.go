package z3950server

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/z3950"
)

type testServer struct {
	srv     *Server
	addr    string
	backend *fakeBackend
	reg     *prometheus.Registry
	logs    *syncWriter
}

func startServer(t *testing.T, configure func(*Server)) *testServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{backend: &fakeBackend{}, reg: prometheus.NewRegistry(), logs: &syncWriter{buf: &bytes.Buffer{}}, addr: l.Addr().String()}
	ts.srv = &Server{
		Backend:    ts.backend,
		Registerer: ts.reg,
		Logger:     zerolog.New(ts.logs),
		HTTPHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("sru:" + r.URL.Path + "?" + r.URL.RawQuery))
		}),
	}
	if configure != nil {
		configure(ts.srv)
	}
	done := make(chan error, 1)
	go func() { done <- ts.srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ts.srv.Shutdown(ctx)
		<-done
	})
	return ts
}

// rawClient speaks PDUs directly, for checks the YAZ tools cannot make.
type rawClient struct {
	t  *testing.T
	nc net.Conn
	rd *ber.Reader
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawClient{t: t, nc: nc, rd: ber.NewReader(nc, ber.Limits{MaxSize: 16 << 20})}
}

func (c *rawClient) send(p z3950.PDU) {
	c.t.Helper()
	if _, err := c.nc.Write(z3950.Marshal(p)); err != nil {
		c.t.Fatal(err)
	}
}

func (c *rawClient) recv() z3950.PDU {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	raw, err := c.rd.ReadRaw()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	p, err := z3950.Unmarshal(raw, ber.Limits{MaxSize: 16 << 20})
	if err != nil {
		c.t.Fatalf("decode: %v", err)
	}
	return p
}

func (c *rawClient) roundTrip(p z3950.PDU) z3950.PDU {
	c.t.Helper()
	c.send(p)
	return c.recv()
}

func initRequest(user, pass string) *z3950.InitializeRequest {
	req := &z3950.InitializeRequest{
		ReferenceID:     []byte("init-1"),
		ProtocolVersion: ber.Bits(0, 1, 2),
		Options: ber.Bits(z3950.OptSearch, z3950.OptPresent, z3950.OptDelSet, z3950.OptScan, z3950.OptSort,
			z3950.OptNamedResultSets),
		PreferredMessageSize: 1 << 20, ExceptionalRecordSize: 1 << 20,
	}
	if user != "" {
		req.Auth = &z3950.IDAuthentication{Kind: z3950.AuthOpen, Open: user + "/" + pass}
	}
	return req
}

func (c *rawClient) init() *z3950.InitializeResponse {
	c.t.Helper()
	resp, ok := c.roundTrip(initRequest("", "")).(*z3950.InitializeResponse)
	if !ok || !resp.Result {
		c.t.Fatalf("init failed: %+v", resp)
	}
	return resp
}

func search(set, pqf string) *z3950.SearchRequest {
	q, err := z3950.ParsePQF(pqf)
	if err != nil {
		panic(err)
	}
	return &z3950.SearchRequest{ReferenceID: []byte("s-" + set), LargeSetLowerBound: 1, ReplaceIndicator: true, ResultSetName: set,
		DatabaseNames: []string{"Default"}, Query: z3950.Query{Kind: z3950.QueryRPN, RPN: q}}
}

// syncWriter lets the log buffer be read while connections write to it.
type syncWriter struct {
	mu  sync.Mutex
	buf *bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (ts *testServer) logText() string {
	ts.logs.mu.Lock()
	defer ts.logs.mu.Unlock()
	return ts.logs.buf.String()
}

// yazClient runs Debian's yaz-client with commands on stdin and returns
// what it printed. yaz-client exits 0 even when things fail, so tests
// assert on the output.
func yazClient(t *testing.T, commands ...string) string {
	t.Helper()
	path, err := exec.LookPath("yaz-client")
	if err != nil {
		t.Skip("yaz-client not installed (apt-get install yaz); skipping the YAZ interoperability test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path)
	cmd.Stdin = strings.NewReader(strings.Join(append(commands, "quit"), "\n") + "\n")
	out, _ := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("yaz-client timed out; output so far:\n%s", out)
	}
	return string(out)
}

func zoomsh(t *testing.T, commands ...string) (string, error) {
	t.Helper()
	path, err := exec.LookPath("zoomsh")
	if err != nil {
		t.Skip("zoomsh not installed (apt-get install yaz); skipping the ZOOM interoperability test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, append([]string{"-e"}, append(commands, "quit")...)...).CombinedOutput()
	return string(out), err
}

func z3950BitsV2() ber.BitString { return ber.Bits(z3950.Version1, z3950.Version2) }
