package sip2server

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLoginThrottle: failed 93 logins are throttled per connection (the
// server hangs up after five on one connection) and per source address
// (after ten, each within a minute of the previous, every 93 from the
// address gets 940 unchecked for five minutes, the right password too),
// and counted as their own outcome.
func TestLoginThrottle(t *testing.T) {
	var mu sync.Mutex
	now := clock
	fx := newFixture(t, func(s *Server) {
		s.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	// Per connection: four failures, then the right password works; five
	// failures and the connection is closed.
	c := fx.dial(t)
	for i := 0; i < 4; i++ {
		if got := c.send(fmt.Sprintf("9300CNkiosk1|COguess%d|", i)); got != "940" {
			t.Fatalf("wrong password %d: %q", i, got)
		}
	}
	login(t, c, "kiosk1", "s3cret")
	c = fx.dial(t)
	for i := 0; i < 5; i++ {
		c.send(fmt.Sprintf("9300CNkiosk1|COguess%d|", i))
	}
	c.c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.rd.ReadByte(); err != io.EOF {
		t.Errorf("connection not closed after five failed logins: %v", err)
	}

	// Per address: nine failures so far; the tenth locks the address.
	c = fx.dial(t)
	c.send("9300CNkiosk1|COguess9|")
	c = fx.dial(t)
	if got := c.send("9300CNkiosk1|COs3cret|"); got != "940" {
		t.Errorf("right password from a locked address: %q", got)
	}
	// The server counts a request after writing its answer: wait for it.
	var got float64
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline) && got != 1; time.Sleep(5 * time.Millisecond) {
		got = metricValue(t, fx.reg, "bibgate_sip2_requests_total", "login", OutcomeLoginThrottled)
	}
	if got != 1 {
		t.Errorf("throttled logins counted %v", got)
	}
	if !strings.Contains(fx.logs.String(), "too many failed logins") {
		t.Error("lockout not logged")
	}
	if strings.Contains(fx.logs.String(), "guess") {
		t.Error("a password was logged")
	}
	advance(6 * time.Minute)
	login(t, c, "kiosk1", "s3cret")
}
