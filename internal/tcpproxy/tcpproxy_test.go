package tcpproxy

import (
	"bufio"
	"net"
	"testing"
	"time"
)

// echo starts a line echo server on loopback.
func echo(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					c.Write([]byte(line))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// roundTrip sends a line and reads the answer, within d.
func roundTrip(c net.Conn, d time.Duration) error {
	c.SetDeadline(time.Now().Add(d))
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return err
	}
	_, err := bufio.NewReader(c).ReadString('\n')
	return err
}

func TestModes(t *testing.T) {
	p, err := Start(echo(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	dial := func() net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", p.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	c := dial()
	if err := roundTrip(c, time.Second); err != nil {
		t.Fatalf("forward: %v", err)
	}
	p.Set(Silent)
	if err := roundTrip(c, 200*time.Millisecond); err == nil {
		t.Fatal("silent: an open connection got its answer")
	}
	if err := roundTrip(dial(), 200*time.Millisecond); err == nil {
		t.Fatal("silent: a new connection got its answer")
	}
	p.Set(Refuse)
	if err := roundTrip(c, time.Second); err == nil {
		t.Fatal("refuse: the open connection still works")
	}
	if err := roundTrip(dial(), time.Second); err == nil {
		t.Fatal("refuse: a new connection works")
	}
	p.Set(Forward)
	if err := roundTrip(dial(), time.Second); err != nil {
		t.Fatalf("forward again: %v", err)
	}
}
