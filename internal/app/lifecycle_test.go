package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/config"
)

// startSIP2 runs bibgate on the memory store with SIP2 on a loopback port,
// with the configuration adjusted by configure, and returns the SIP2
// address. It stops when the test ends.
func startSIP2(t *testing.T, configure func(*config.Config)) string {
	t.Helper()
	cfg := config.Default()
	cfg.Store.Backend = "memory"
	cfg.DataDir = t.TempDir()
	cfg.Admin.Listen = ""
	cfg.SIP2.Listen = "127.0.0.1:0"
	cfg.Z3950.Listen, cfg.SRU.Listen = "", ""
	if configure != nil {
		configure(cfg)
	}
	a, err := New(cfg, zerolog.Nop(), Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	stop, err := a.Start(context.Background(), 30*time.Second)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("run: %v", err)
		}
	})
	return a.Addr("sip2").String()
}

// closedWithin reports whether the server closes c within d.
func closedWithin(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, 256)
	for {
		if _, err := c.Read(buf); err != nil {
			var ne net.Error
			return !(errors.As(err, &ne) && ne.Timeout())
		}
	}
}

func dialSIP2(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// loginDemo logs in with the demo account and reports the answer.
func loginDemo(c net.Conn) (string, error) {
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("9300CNdemo|COdemo|\r")); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\r')
	return strings.TrimSpace(line), err
}

// TestLoginTimeoutHonoured: [sip2] login_timeout closes a connection that
// never logs in (it was 60s whatever the file said).
func TestLoginTimeoutHonoured(t *testing.T) {
	addr := startSIP2(t, func(c *config.Config) { c.SIP2.LoginTimeout = config.Duration{Duration: 300 * time.Millisecond} })
	idle := dialSIP2(t, addr)
	kiosk := dialSIP2(t, addr)
	if got, err := loginDemo(kiosk); got != "941" {
		t.Fatalf("login: %q %v", got, err)
	}
	if !closedWithin(idle, 3*time.Second) {
		t.Fatal("login_timeout = 300ms: a connection that never logged in was still open after 3s")
	}
	if closedWithin(kiosk, 300*time.Millisecond) {
		t.Error("a logged-in connection was closed at the login timeout")
	}
}

// TestUnauthenticatedCap: sockets that never log in cannot take the slots
// of the selfchecks ([sip2] max_unauthenticated).
func TestUnauthenticatedCap(t *testing.T) {
	const maxConns = 4
	addr := startSIP2(t, func(c *config.Config) {
		c.SIP2.MaxConns = maxConns
		c.SIP2.MaxUnauthenticated = 1
	})
	for range 2 * maxConns {
		dialSIP2(t, addr)
		time.Sleep(10 * time.Millisecond)
	}
	for i := range maxConns - 1 {
		var got string
		var err error
		for deadline := time.Now().Add(2 * time.Second); got != "941" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			c, derr := net.Dial("tcp", addr)
			if derr != nil {
				t.Fatal(derr)
			}
			if got, err = loginDemo(c); got == "941" {
				t.Cleanup(func() { c.Close() })
			} else {
				c.Close()
			}
		}
		if got != "941" {
			t.Fatalf("selfcheck %d could not log in beside %d idle sockets at max_conns = %d: %q %v", i+1, 2*maxConns, maxConns, got, err)
		}
	}
}

// TestShutdownFinishesInFlight: checkouts already read when the server is
// told to stop are answered as usual, none with "system error".
func TestShutdownFinishesInFlight(t *testing.T) {
	cfg := config.Default()
	cfg.Store.Backend = "bolt" // with fsync: a checkout spends its time in the store
	cfg.DataDir = t.TempDir()
	cfg.Admin.Listen = ""
	cfg.SIP2.Listen = "127.0.0.1:0"
	cfg.Z3950.Listen, cfg.SRU.Listen = "", ""
	cfg.SIP2.Accounts[0].Language = "en"
	a, err := New(cfg, zerolog.Nop(), Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	select {
	case <-a.Ready():
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	addr := a.Addr("sip2").String()
	const n = 50
	conns := make([]net.Conn, n)
	readers := make([]*bufio.Reader, n)
	for i := range conns {
		conns[i] = dialSIP2(t, addr)
		readers[i] = bufio.NewReader(conns[i])
		conns[i].SetDeadline(time.Now().Add(20 * time.Second))
		conns[i].Write([]byte("9300CNdemo|COdemo|\r"))
		if got, err := readers[i].ReadString('\r'); got != "941\r" {
			t.Fatalf("login: %q %v", got, err)
		}
	}
	for i, c := range conns {
		fmt.Fprintf(c, "11YN%s    120000                  AOILU|AAP%04d|ABI%06d|AC|AD1234|\r",
			time.Now().Format("20060102"), i+1, i+1)
	}
	time.Sleep(5 * time.Millisecond) // read by the server, in the store
	cancel()
	answered, failed := 0, 0
	for i, r := range readers {
		line, err := r.ReadString('\r')
		if err != nil {
			continue // not read before the shutdown: closed unanswered, nothing done
		}
		answered++
		if !strings.HasPrefix(line, "12") || strings.Contains(line, "System error") {
			failed++
			t.Logf("connection %d: %q", i, line)
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d checkouts answered during shutdown got a system error", failed, answered)
	}
	t.Logf("%d of %d checkouts answered during shutdown", answered, n)
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestDrainTimeoutCutsOff: an HTTP request still running at drain_timeout
// is cut off, not left running after the server has stopped.
func TestDrainTimeoutCutsOff(t *testing.T) {
	cfg := config.Default()
	cfg.Store.Backend = "memory"
	cfg.DataDir = t.TempDir()
	cfg.Admin.Listen = ""
	cfg.SIP2.Listen, cfg.Z3950.Listen, cfg.SRU.Listen = "", "", "127.0.0.1:0"
	cfg.DrainTimeout = config.Duration{Duration: 200 * time.Millisecond}
	a, err := New(cfg, zerolog.Nop(), Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	<-a.Ready()
	// An SRU request whose body comes slowly is running for up to 30s.
	c := dialSIP2(t, a.Addr("sru").String())
	fmt.Fprint(c, "POST /Default HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: 100\r\n\r\nversion=1.")
	time.Sleep(100 * time.Millisecond)
	begin := time.Now()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	took := time.Since(begin)
	if !closedWithin(c, 3*time.Second) {
		t.Errorf("a request running at drain_timeout = 200ms was still open %v after the shutdown began", time.Since(begin).Round(time.Millisecond))
	}
	if took > 2*time.Second {
		t.Errorf("shutdown took %v with drain_timeout = 200ms", took)
	}
}
