package sip2server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/sip2"
)

// storeBackend's sessions check out after work that, like a store
// transaction, fails when its context is cancelled.
type storeBackend struct{ work time.Duration }

func (b storeBackend) Login(context.Context, *Account, LoginInfo) (Session, error) {
	return storeSession{work: b.work}, nil
}

type storeSession struct {
	Session // only Checkout is called
	work    time.Duration
}

func (s storeSession) Checkout(ctx context.Context, r *sip2.CheckoutRequest) (*sip2.CheckoutResponse, error) {
	select {
	case <-time.After(s.work):
		return &sip2.CheckoutResponse{OK: true, TitleID: "Title of " + r.ItemID, DueDate: "20250401    235900"}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// startLifecycle serves srv on a loopback port; it is closed at the end.
func startLifecycle(t *testing.T, srv *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

type lineConn struct {
	net.Conn
	r *bufio.Reader
}

func dialLine(t *testing.T, addr string) *lineConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return &lineConn{Conn: c, r: bufio.NewReader(c)}
}

func (c *lineConn) ask(msg string) (string, error) {
	if _, err := c.Write([]byte(msg + "\r")); err != nil {
		return "", err
	}
	line, err := c.r.ReadString('\r')
	return strings.TrimSuffix(line, "\r"), err
}

func TestShutdownFinishesInFlight(t *testing.T) {
	srv := &Server{Backend: storeBackend{work: 300 * time.Millisecond}, Accounts: baseAccounts(), Logger: zerolog.Nop()}
	addr := startLifecycle(t, srv)
	const n = 20
	conns := make([]*lineConn, n)
	for i := range conns {
		conns[i] = dialLine(t, addr)
		if got, err := conns[i].ask("9300CNkiosk1|COs3cret|"); got != "941" {
			t.Fatalf("login: %q %v", got, err)
		}
	}
	for _, c := range conns {
		c.Write([]byte(checkout + "\r"))
	}
	time.Sleep(100 * time.Millisecond) // every checkout is in the backend
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	shutdown := make(chan error, 1)
	go func() { shutdown <- srv.Shutdown(ctx) }()

	var wg sync.WaitGroup
	answers := make([]string, n)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			line, err := c.r.ReadString('\r')
			answers[i] = line
			if err != nil {
				answers[i] += " (" + err.Error() + ")"
			}
		}()
	}
	wg.Wait()
	failed := 0
	for i, a := range answers {
		if !strings.HasPrefix(a, "121") {
			failed++
			t.Logf("connection %d: %q", i, a)
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d checkouts in flight at shutdown got no normal answer", failed, n)
	}
	if err := <-shutdown; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	// Drained: each connection is closed after its answer.
	for i, c := range conns {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.r.ReadByte(); err == nil {
			t.Errorf("connection %d still open after Shutdown", i)
		}
	}
}

// closedWithin reports whether the server closes c within d, reading and
// discarding anything it sends.
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

func TestLoginTimeoutHonoured(t *testing.T) {
	tests := []struct {
		name    string
		srv     *Server
		timeout time.Duration
	}{
		{"server setting", &Server{LoginTimeout: 300 * time.Millisecond}, 300 * time.Millisecond},
		{"default account's setting wins", &Server{LoginTimeout: 10 * time.Second,
			Default: &Account{LoginTimeout: 300 * time.Millisecond}}, 300 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.srv.Backend, tt.srv.Accounts, tt.srv.Logger = storeBackend{}, baseAccounts(), zerolog.Nop()
			addr := startLifecycle(t, tt.srv)
			idle := dialLine(t, addr)
			kiosk := dialLine(t, addr)
			if got, err := kiosk.ask("9300CNkiosk1|COs3cret|"); got != "941" {
				t.Fatalf("login: %q %v", got, err)
			}
			begin := time.Now()
			if !closedWithin(idle, 3*time.Second) {
				t.Fatalf("a connection that never logged in was still open after 3s, login timeout %v", tt.timeout)
			}
			if d := time.Since(begin); d < tt.timeout/2 {
				t.Errorf("closed after %v, before the login timeout of %v", d, tt.timeout)
			}
			// The connection that logged in is not held to it.
			if closedWithin(kiosk, 200*time.Millisecond) {
				t.Error("a logged-in connection was closed by the login timeout")
			}
		})
	}
}

func TestUnauthenticatedCap(t *testing.T) {
	const maxConns, maxUnauth = 4, 1
	srv := &Server{Backend: storeBackend{}, Accounts: baseAccounts(), Logger: zerolog.Nop(),
		MaxConns: maxConns, MaxUnauthenticated: maxUnauth}
	addr := startLifecycle(t, srv)
	// More sockets that never log in than there are connection slots.
	var idle []*lineConn
	for range maxConns + 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		idle = append(idle, &lineConn{Conn: c})
		time.Sleep(20 * time.Millisecond)
	}
	// Every selfcheck still logs in, one slot each; a slot freed by
	// closing an idle socket may take a moment to come back.
	for i := range maxConns - maxUnauth {
		err := eventually(2*time.Second, func() error {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				return err
			}
			k := &lineConn{Conn: c, r: bufio.NewReader(c)}
			c.SetDeadline(time.Now().Add(time.Second))
			if got, err := k.ask("9300CNkiosk1|COs3cret|"); got != "941" {
				c.Close()
				return fmt.Errorf("login answered %q, %v", got, err)
			}
			t.Cleanup(func() { c.Close() })
			return nil
		})
		if err != nil {
			t.Fatalf("selfcheck %d of %d could not log in beside %d idle sockets (max_conns %d, max_unauthenticated %d): %v",
				i+1, maxConns-maxUnauth, len(idle), maxConns, maxUnauth, err)
		}
	}
	open := 0
	for _, c := range idle {
		if !closedWithin(c, 100*time.Millisecond) {
			open++
		}
	}
	if open > maxUnauth {
		t.Errorf("%d idle sockets kept open, cap %d", open, maxUnauth)
	}
}

// eventually retries f until it succeeds or d has passed.
func eventually(d time.Duration, f func() error) error {
	var err error
	for deadline := time.Now().Add(d); ; time.Sleep(20 * time.Millisecond) {
		if err = f(); err == nil || time.Now().After(deadline) {
			return err
		}
	}
}

// TestShutdownNotLoggedAsTimeout: connections closed by a shutdown are not
// reported as timed out.
func TestShutdownNotLoggedAsTimeout(t *testing.T) {
	logs := &syncBuffer{}
	srv := &Server{Backend: storeBackend{}, Accounts: baseAccounts(), Logger: zerolog.New(logs)}
	addr := startLifecycle(t, srv)
	kiosk := dialLine(t, addr)
	if got, err := kiosk.ask("9300CNkiosk1|COs3cret|"); got != "941" {
		t.Fatalf("login: %q %v", got, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if !closedWithin(kiosk, time.Second) {
		t.Fatal("idle connection open after Shutdown")
	}
	if strings.Contains(logs.String(), "timed out") {
		t.Errorf("shutdown logged as a timeout:\n%s", logs)
	}
}
