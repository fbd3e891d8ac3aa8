package illserver

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/internal/ber"
)

// ackBackend answers every APDU with a Status-Or-Error-Report (temporary)
// echoing its transaction-id; gate, when set, holds each answer until a
// value arrives on it.
type ackBackend struct {
	gate     chan struct{}
	handling chan ill.Type
	mu       sync.Mutex
	seen     []ill.Type
	closed   int
}

func (b *ackBackend) NewSession(ctx context.Context, c ConnInfo) (Session, error) {
	return &ackSession{b}, nil
}

type ackSession struct{ b *ackBackend }

func (s *ackSession) Handle(ctx context.Context, a ill.APDU) ([]ill.APDU, error) {
	s.b.mu.Lock()
	s.b.seen = append(s.b.seen, a.Type())
	s.b.mu.Unlock()
	if s.b.handling != nil {
		s.b.handling <- a.Type()
	}
	if s.b.gate != nil {
		<-s.b.gate
	}
	temp := ill.Temporary
	return []ill.APDU{&ill.StatusOrErrorReport{Header: ReplyHeader(a.Head(), time.Now()), ReasonNoReport: &temp}}, nil
}

func (s *ackSession) Close() error {
	s.b.mu.Lock()
	s.b.closed++
	s.b.mu.Unlock()
	return nil
}

func start(t *testing.T, s *Server) string {
	t.Helper()
	if s.Logger.GetLevel() == zerolog.TraceLevel { // the zero Logger
		s.Logger = zerolog.Nop()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return ln.Addr().String()
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readReport reads one APDU and requires a Status-Or-Error-Report.
func readReport(t *testing.T, rd *ber.Reader) *ill.StatusOrErrorReport {
	t.Helper()
	raw, err := rd.ReadRaw()
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	a, err := ill.Decode(raw)
	if err != nil {
		t.Fatalf("answer undecodable: %v", err)
	}
	r, ok := a.(*ill.StatusOrErrorReport)
	if !ok {
		t.Fatalf("answer is %s", a.Type())
	}
	return r
}

func generalProblem(r *ill.StatusOrErrorReport) ill.GeneralProblem {
	if r.ErrorReport == nil || r.ErrorReport.ProviderErrorReport == nil || r.ErrorReport.ProviderErrorReport.GeneralProblem == nil {
		return 0
	}
	return *r.ErrorReport.ProviderErrorReport.GeneralProblem
}

// expectClosed: the server closed the connection (after any answer).
func expectClosed(t *testing.T, c net.Conn, within time.Duration) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(within))
	b, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection still open after %v", within)
	}
	if len(b) > 0 {
		t.Fatalf("%d more octets before the close", len(b))
	}
}

func encode(t *testing.T, a ill.APDU) []byte {
	t.Helper()
	b, err := ill.Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func request(q string) *ill.Request {
	return &ill.Request{Header: ill.Header{Version: 2,
		TransactionID:   ill.TransactionID{InitialRequesterID: ill.Institution("REQ"), GroupQualifier: "G", Qualifier: ill.String(q)},
		ServiceDateTime: ill.ServiceDateTime{This: ill.DateTime{Date: "20261203"}}},
		ServiceTypes: []ill.ServiceType{ill.Loan}, ItemID: ill.ItemID{Title: ill.Str("Kalevipoeg")}}
}

// APDUs sent back to back in one write, the first with YAZ's indefinite
// lengths, are each framed, handed over in order and answered in order.
func TestBackToBackAPDUsAnsweredInOrder(t *testing.T) {
	b := &ackBackend{}
	reg := prometheus.NewRegistry()
	s := &Server{Backend: b, Registerer: reg}
	c := dial(t, start(t, s))
	var stream []byte
	stream = append(stream, fixture(t, "ill-request-loan.ber")...)
	stream = append(stream, encode(t, request("TQ2"))...)
	stream = append(stream, encode(t, &ill.StatusQuery{Header: request("TQ3").Header})...)
	if _, err := c.Write(stream); err != nil {
		t.Fatal(err)
	}
	rd := ber.NewReader(c, ber.Limits{})
	for _, want := range []string{"TQ0001", "TQ2", "TQ3"} {
		r := readReport(t, rd)
		if string(r.TransactionID.Qualifier) != want || r.ReasonNoReport == nil {
			t.Fatalf("answer %+v, want an ack of %s", r, want)
		}
	}
	b.mu.Lock()
	seen := b.seen
	b.mu.Unlock()
	if len(seen) != 3 || seen[0] != ill.TypeRequest || seen[2] != ill.TypeStatusQuery {
		t.Errorf("handed over %v", seen)
	}
	if got := counter(t, reg, "bibgate_ill_apdus_total", "ILL-Request", "ok"); got != 2 {
		t.Errorf("ILL-Request ok counted %v times", got)
	}
}

// counter reads a counter of reg with the given label values.
func counter(t *testing.T, reg *prometheus.Registry, name string, values ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			for i, l := range m.GetLabel() {
				if i >= len(values) || l.GetValue() != values[i] {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// Input that frames as BER but is no usable APDU gets a general-problem
// report naming why, and the connection goes on; input that cannot be
// framed gets one too and the connection is closed.
func TestGarbageAnswered(t *testing.T) {
	b := &ackBackend{}
	addr := start(t, &Server{Backend: b})
	v3 := encode(t, request("V3"))
	v3[bytes.Index(v3, []byte{0x80, 0x01, 0x02})+2] = 3 // protocol-version-num [0] 2 -> 3
	tests := []struct {
		name   string
		in     []byte
		want   ill.GeneralProblem
		qual   string
		closed bool
	}{
		{"not an ILL APDU", []byte{0x04, 0x03, 'a', 'b', 'c'}, ill.UnrecognizedAPDU, "", false},
		{"Z39.50 initRequest", []byte{0xb4, 0x03, 0x83, 0x01, 0x01}, ill.UnrecognizedAPDU, "", false},
		{"ILL-Request without its fields", []byte{0x61, 0x02, 0x30, 0x00}, ill.MistypedAPDU, "", false},
		{"version 3", v3, ill.ProtocolVersionNotSupported, "V3", false},
		{"YAZ's empty request (version 0)", fixture(t, "ill-request-no-params.ber"), ill.ProtocolVersionNotSupported, "", false},
		{"reserved length octet", []byte{0x61, 0xff, 0x00}, ill.BadlyStructuredAPDU, "", true},
		{"indefinite length on a primitive", []byte{0x61, 0x80, 0x04, 0x80, 0x00, 0x00}, ill.BadlyStructuredAPDU, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			if _, err := c.Write(tt.in); err != nil {
				t.Fatal(err)
			}
			rd := ber.NewReader(c, ber.Limits{})
			r := readReport(t, rd)
			if got := generalProblem(r); got != tt.want || string(r.TransactionID.Qualifier) != tt.qual {
				t.Fatalf("general-problem %d for %q, want %d for %q (%+v)", got, r.TransactionID.Qualifier, tt.want, tt.qual, r.ErrorReport)
			}
			if tt.closed {
				expectClosed(t, c, 5*time.Second)
				return
			}
			// The connection goes on: a good APDU is answered.
			if _, err := c.Write(encode(t, request("after"))); err != nil {
				t.Fatal(err)
			}
			if r := readReport(t, rd); string(r.TransactionID.Qualifier) != "after" || r.ErrorReport != nil {
				t.Fatalf("after the garbage: %+v", r)
			}
		})
	}
}

// An APDU larger than MaxAPDUSize is cut off: one that says so in its
// length at once, one that streams (indefinite length) when the limit is
// passed; either way a general-problem report, then the close.
func TestOversizedAPDUCutOff(t *testing.T) {
	b := &ackBackend{}
	addr := start(t, &Server{Backend: b, MaxAPDUSize: 4096})
	t.Run("declared length", func(t *testing.T) {
		c := dial(t, addr)
		if _, err := c.Write([]byte{0x61, 0x83, 0x10, 0x00, 0x00, 0x30, 0x83, 0x0f, 0xff, 0xfb}); err != nil {
			t.Fatal(err)
		}
		r := readReport(t, ber.NewReader(c, ber.Limits{}))
		if generalProblem(r) != ill.OtherProblem || !strings.Contains(string(r.ErrorReport.CorrelationInformation), "4096") {
			t.Fatalf("%+v", r.ErrorReport)
		}
		expectClosed(t, c, 5*time.Second)
	})
	t.Run("streamed", func(t *testing.T) {
		c := dial(t, addr)
		// Notes [46] of 127 octets each inside indefinite lengths.
		note := []byte{0x61, 0x80, 0x30, 0x80}
		chunk := append([]byte{0xbf, 0x2e, 0x81, 0x81, 0x1b, 0x7f}, bytes.Repeat([]byte{'x'}, 127)...)
		for range 64 { // 8 KiB, twice the limit
			note = append(note, chunk...)
		}
		go c.Write(note) // the server stops reading at the limit
		r := readReport(t, ber.NewReader(c, ber.Limits{}))
		if generalProblem(r) != ill.OtherProblem {
			t.Fatalf("%+v", r.ErrorReport)
		}
		expectClosed(t, c, 5*time.Second)
	})
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.seen) != 0 {
		t.Errorf("the session got %v", b.seen)
	}
}

// A client that stops in the middle of an APDU is closed after the read
// timeout; one that sends nothing after the idle timeout. Neither gets an
// answer, and the session is closed.
func TestSlowClientTimedOut(t *testing.T) {
	b := &ackBackend{}
	addr := start(t, &Server{Backend: b, ReadTimeout: 300 * time.Millisecond, IdleTimeout: 600 * time.Millisecond})
	req := fixture(t, "ill-request-loan.ber")
	t.Run("inside an APDU", func(t *testing.T) {
		c := dial(t, addr)
		begun := time.Now()
		if _, err := c.Write(req[:len(req)/2]); err != nil {
			t.Fatal(err)
		}
		expectClosed(t, c, 5*time.Second)
		if d := time.Since(begun); d < 250*time.Millisecond || d > 3*time.Second {
			t.Errorf("closed after %v, read timeout 300ms", d)
		}
	})
	t.Run("idle", func(t *testing.T) {
		c := dial(t, addr)
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		readReport(t, ber.NewReader(c, ber.Limits{}))
		answered := time.Now()
		expectClosed(t, c, 5*time.Second)
		if d := time.Since(answered); d < 500*time.Millisecond {
			t.Errorf("idle connection closed after %v, idle timeout 600ms", d)
		}
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		b.mu.Lock()
		closed := b.closed
		b.mu.Unlock()
		if closed == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions closed, want 2", closed)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Shutdown closes idle connections at once but lets an APDU being handled
// finish: its answer is written, then the connection closes and Shutdown
// returns.
func TestShutdownFinishesInFlight(t *testing.T) {
	b := &ackBackend{gate: make(chan struct{}), handling: make(chan ill.Type, 1)}
	s := &Server{Backend: b}
	addr := start(t, s)
	idle := dial(t, addr)
	busy := dial(t, addr)
	if _, err := busy.Write(encode(t, request("in-flight"))); err != nil {
		t.Fatal(err)
	}
	<-b.handling
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- s.Shutdown(ctx)
	}()
	expectClosed(t, idle, 5*time.Second)
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned (%v) with an APDU in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("still accepting during shutdown")
	}
	b.gate <- struct{}{}
	if r := readReport(t, ber.NewReader(busy, ber.Limits{})); string(r.TransactionID.Qualifier) != "in-flight" {
		t.Fatalf("answer %+v", r)
	}
	expectClosed(t, busy, 5*time.Second)
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

// failing is a Session whose store is down.
type failing struct{}

func (failing) NewSession(ctx context.Context, c ConnInfo) (Session, error) { return failing{}, nil }
func (failing) Handle(ctx context.Context, a ill.APDU) ([]ill.APDU, error) {
	return nil, errors.New("store unavailable")
}

// A failing Session is answered with unable-to-perform and the
// connection goes on.
func TestSessionFailureReported(t *testing.T) {
	c := dial(t, start(t, &Server{Backend: failing{}}))
	rd := ber.NewReader(c, ber.Limits{})
	for range 2 {
		if _, err := c.Write(encode(t, request("F"))); err != nil {
			t.Fatal(err)
		}
		r := readReport(t, rd)
		if r.ErrorReport == nil || r.ErrorReport.UserErrorReport == nil || r.ErrorReport.UserErrorReport.UnableToPerform == nil ||
			string(r.TransactionID.Qualifier) != "F" {
			t.Fatalf("%+v", r.ErrorReport)
		}
	}
}
