package sip2bench

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"sync"
	"testing"
	"time"
)

// slowFirstServer answers like the echo server, but the first request for
// each patron (AA) waits its turn for a single slow check, as a server's
// first PIN verification of a patron does.
type slowFirstServer struct {
	check time.Duration
	mu    sync.Mutex // the one check slot
	seen  sync.Map
}

func (s *slowFirstServer) serve(t *testing.T, ln net.Listener) {
	resp := EchoResponse(MixCheckout)
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			rd := bufio.NewReader(c)
			for {
				line, err := rd.ReadSlice('\r')
				if err != nil {
					return
				}
				if bytes.HasPrefix(line, []byte("93")) {
					c.Write([]byte("941\r"))
					continue
				}
				if i := bytes.Index(line, []byte("|AA")); i >= 0 {
					patron := string(line[i+3 : i+3+bytes.IndexByte(line[i+3:], '|')])
					if _, old := s.seen.LoadOrStore(patron, true); !old {
						s.mu.Lock()
						time.Sleep(s.check)
						s.mu.Unlock()
					}
				}
				c.Write(resp)
			}
		}()
	}
}

// TestWarmupWaitsForEveryConnection: the warm-up lasts until every
// connection has had its first answer, so the measured run does not
// include patrons still queued for their first PIN check.
func TestWarmupWaitsForEveryConnection(t *testing.T) {
	srv := &slowFirstServer{check: 500 * time.Millisecond}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go srv.serve(t, ln)
	_, patrons, items := fixtureData(4)
	res, err := Run(context.Background(), Options{Addr: ln.Addr().String(), Conns: 4, Warmup: 50 * time.Millisecond,
		Duration: 300 * time.Millisecond, Mix: MixCheckout, User: "bench", Password: "pw", Patrons: patrons, Items: items})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v, warm-up %v", res, res.Warmup)
	// Four first checks of 500 ms one after the other: 2 s. Without
	// waiting for them the measured run would include waits of up to
	// 1.9 s; a busy machine may add a few hundred milliseconds, not more.
	if res.Warmup < 1900*time.Millisecond {
		t.Errorf("warm-up ended after %v, before every connection was answered", res.Warmup)
	}
	if res.Max > time.Second || res.Errors != 0 {
		t.Errorf("the measured run still waited for first checks: %v", res)
	}
}
