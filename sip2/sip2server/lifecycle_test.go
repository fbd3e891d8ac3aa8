package sip2server

import (
	"bufio"
	"context"
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
