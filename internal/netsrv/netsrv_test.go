package netsrv

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// lineHandler answers each line with "ok <line>" after delay.
func lineHandler(delay time.Duration) Handler {
	return HandlerFunc(func(ctx context.Context, c net.Conn) {
		r := bufio.NewReader(c)
		for {
			MarkIdle(ctx)
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			MarkBusy(ctx)
			if strings.HasPrefix(line, "panic") {
				panic("asked to")
			}
			time.Sleep(delay)
			if _, err := io.WriteString(c, "ok "+line); err != nil {
				return
			}
			if ctx.Err() != nil {
				return
			}
		}
	})
}

func start(t *testing.T, s *Server) (addr string, served chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served = make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	t.Cleanup(func() { s.Close() })
	return ln.Addr().String(), served
}

func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

func roundTrip(t *testing.T, c net.Conn, r *bufio.Reader, msg string) string {
	t.Helper()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, msg+"\n"); err != nil {
		t.Fatal(err)
	}
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("%s: %v", msg, err)
	}
	return strings.TrimSuffix(line, "\n")
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestServeCapAndMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewMetrics(reg, "test"); err == nil {
		t.Error("registering twice succeeded")
	}
	s := &Server{Handler: lineHandler(0), MaxConns: 2, Logger: zerolog.Nop(), Metrics: m}
	addr, _ := start(t, s)
	c1, r1 := dial(t, addr)
	c2, r2 := dial(t, addr)
	if got := roundTrip(t, c1, r1, "a"); got != "ok a" {
		t.Fatal(got)
	}
	roundTrip(t, c2, r2, "b")
	if got := metricValue(t, reg, "bibgate_connections_active"); got != 2 {
		t.Errorf("active = %v", got)
	}
	// The third connection is over the cap: closed at once, counted.
	c3, r3 := dial(t, addr)
	c3.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c3, "c\n")
	if _, err := r3.ReadString('\n'); err == nil {
		t.Error("connection over the cap was served")
	}
	waitFor(t, "refused count", func() bool { return metricValue(t, reg, "bibgate_connections_refused_total") == 1 })
	c1.Close()
	waitFor(t, "slot freed", func() bool { return s.ActiveConns() == 1 })
	c4, r4 := dial(t, addr)
	if got := roundTrip(t, c4, r4, "d"); got != "ok d" {
		t.Errorf("after a slot freed: %q", got)
	}
	if got := metricValue(t, reg, "bibgate_connections_total"); got != 3 {
		t.Errorf("total = %v", got)
	}
}

func TestPanicRecovery(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, _ := NewMetrics(reg, "test")
	s := &Server{Handler: lineHandler(0), Logger: zerolog.Nop(), Metrics: m}
	addr, _ := start(t, s)
	c, r := dial(t, addr)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "panic\n")
	if _, err := r.ReadString('\n'); err == nil {
		t.Error("panicking connection stayed open")
	}
	waitFor(t, "panic counted", func() bool { return metricValue(t, reg, "bibgate_connection_panics_total") == 1 })
	c2, r2 := dial(t, addr)
	if got := roundTrip(t, c2, r2, "still here"); got != "ok still here" {
		t.Errorf("server after a panic: %q", got)
	}
	waitFor(t, "active back to 1", func() bool { return metricValue(t, reg, "bibgate_connections_active") == 1 })
}

// TestShutdownLameDuck: idle connections close at once, a request in flight
// is answered, then Shutdown returns.
func TestShutdownLameDuck(t *testing.T) {
	s := &Server{Handler: lineHandler(300 * time.Millisecond), Logger: zerolog.Nop()}
	addr, served := start(t, s)
	idle, idleR := dial(t, addr)
	busy, busyR := dial(t, addr)
	roundTrip(t, idle, idleR, "warm up")
	busy.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(busy, "slow\n")
	time.Sleep(50 * time.Millisecond) // the request is in the handler
	shutdownDone := make(chan error, 1)
	begin := time.Now()
	go func() { shutdownDone <- s.Shutdown(context.Background()) }()

	idle.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := idleR.ReadString('\n'); err == nil {
		t.Error("idle connection not closed")
	}
	if time.Since(begin) > 200*time.Millisecond {
		t.Errorf("idle connection closed after %v, not at once", time.Since(begin))
	}
	line, err := busyR.ReadString('\n')
	if err != nil || line != "ok slow\n" {
		t.Errorf("in-flight request: %q %v", line, err)
	}
	if err := <-shutdownDone; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve returned %v", err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("still accepting after Shutdown")
	}
}

func TestShutdownDeadline(t *testing.T) {
	s := &Server{Handler: lineHandler(3 * time.Second), Logger: zerolog.Nop()}
	addr, _ := start(t, s)
	c, _ := dial(t, addr)
	io.WriteString(c, "stuck\n")
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want deadline exceeded", err)
	}
}

// SelfSignedTLS returns a server config with a fresh self-signed certificate
// for 127.0.0.1, and a client config trusting it.
func selfSignedTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bibgate test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

func TestTLS(t *testing.T) {
	srvCfg, cliCfg := selfSignedTLS(t)
	s := &Server{Handler: lineHandler(0), Logger: zerolog.Nop(), TLSConfig: srvCfg, HandshakeTimeout: time.Second}
	addr, _ := start(t, s)
	c, err := tls.Dial("tcp", addr, cliCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	if got := roundTrip(t, c, r, "over tls"); got != "ok over tls" {
		t.Errorf("%q", got)
	}
	// A plain-text client fails the handshake and is dropped.
	p, pr := dial(t, addr)
	p.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(p, "hello\n")
	if _, err := pr.ReadString('\n'); err == nil {
		t.Error("plain client served on a TLS listener")
	}
	waitFor(t, "plain connection dropped", func() bool { return s.ActiveConns() == 1 })
}

func metricValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if g := m.GetGauge(); g != nil {
				return g.GetValue()
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
		}
	}
	return 0
}
