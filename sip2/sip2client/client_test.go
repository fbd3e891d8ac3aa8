package sip2client

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2server"
	"github.com/bibgate/bibgate/sip2/sip2server/sip2servertest"
)

func startServer(t *testing.T) (string, *sip2servertest.Backend) {
	t.Helper()
	be := sip2servertest.NewBackend(map[string]string{"P1": "1234"}, []string{"I1", "I2"})
	srv := &sip2server.Server{Backend: be, Logger: zerolog.Nop(), Accounts: sip2server.Accounts{
		"k":  {UserID: "k", Password: "pw", Institution: "LIB"},
		"lv": {UserID: "lv", Password: "pw", Institution: "LIB", Charset: sip2.Windows1257, Terminator: "\r\n"},
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), be
}

func TestClientAgainstServer(t *testing.T) {
	addr, be := startServer(t)
	ctx := context.Background()
	for _, tc := range []struct {
		user string
		opts Options
	}{
		{"k", Options{}},
		{"k", Options{ErrorDetection: true}},
		{"lv", Options{Charset: sip2.Windows1257, Terminator: "\r\n", ErrorDetection: true}},
	} {
		c, err := Dial(ctx, addr, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Login(ctx, tc.user, "wrong", ""); !errors.Is(err, ErrLoginFailed) {
			t.Errorf("wrong password: %v", err)
		}
		if err := c.Login(ctx, tc.user, "pw", "desk"); err != nil {
			t.Fatalf("%s: %v", tc.user, err)
		}
		resp, err := c.Send(ctx, &sip2.CheckoutRequest{InstitutionID: "LIB", PatronID: "P1", ItemID: "I1", PatronPassword: sip2.String("1234")})
		if err != nil {
			t.Fatal(err)
		}
		if co := resp.(*sip2.CheckoutResponse); !co.OK || co.TitleID != "Title I1" {
			t.Errorf("%+v", co)
		}
		resp, err = c.Send(ctx, &sip2.CheckinRequest{InstitutionID: "LIB", ItemID: "I1"})
		if err != nil || !resp.(*sip2.CheckinResponse).OK {
			t.Errorf("checkin: %+v %v", resp, err)
		}
		// Sequence numbers advance with every request, wrapping at 9.
		for i := 0; i < 12; i++ {
			if _, err := c.Send(ctx, &sip2.SCStatusRequest{ProtocolVersion: "2.00"}); err != nil {
				t.Fatal(err)
			}
		}
		c.Close()
	}
	if be.Calls("11") != 3 || be.Calls("09") != 3 {
		t.Errorf("backend saw %d checkouts, %d checkins", be.Calls("11"), be.Calls("09"))
	}
}

// scripted runs a fake ACS over a pipe: for each request it reads, it
// writes the next canned answer, and records what it read.
func scripted(t *testing.T, answers ...string) (*Client, *[]string) {
	t.Helper()
	cs, ss := net.Pipe()
	var got []string
	go func() {
		rd := sip2.NewReader(ss, 0)
		for _, a := range answers {
			line, err := rd.ReadMessage()
			if err != nil {
				return
			}
			got = append(got, string(line))
			ss.Write([]byte(a))
		}
		ss.Close()
	}()
	t.Cleanup(func() { cs.Close() })
	return NewClient(cs, Options{ErrorDetection: true}), &got
}

func TestClientResendRules(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// 96 from the ACS: the same request goes out again.
	c, got := scripted(t, "96AZFEF6\r", "941AY0AZFDFD\r")
	if err := c.Login(ctx, "u", "p", ""); err != nil {
		t.Fatal(err)
	}
	if len(*got) != 2 || (*got)[0] != (*got)[1] || !strings.Contains((*got)[0], "|AY0AZ") {
		t.Errorf("requests %q", *got)
	}
	// A response with a bad checksum: ask again with 97.
	c, got = scripted(t, "941AY0AZ0000\r", "941AZFEC7\r")
	if err := c.Login(ctx, "u", "p", ""); err != nil {
		t.Fatal(err)
	}
	if len(*got) != 2 || (*got)[1] != "97AZFEF5" {
		t.Errorf("requests %q", *got)
	}
	// Retries run out.
	c, _ = scripted(t, "96AZFEF6\r", "96AZFEF6\r", "96AZFEF6\r", "96AZFEF6\r", "96AZFEF6\r")
	if err := c.Login(ctx, "u", "p", ""); err == nil {
		t.Error("endless 96 accepted")
	}
}

func TestClientContext(t *testing.T) {
	cs, ss := net.Pipe()
	defer cs.Close()
	defer ss.Close()
	go func() { buf := make([]byte, 100); ss.Read(buf) }() // reads, never answers
	c := NewClient(cs, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	begin := time.Now()
	if _, err := c.Send(ctx, &sip2.SCStatusRequest{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v", err)
	}
	if time.Since(begin) > 2*time.Second {
		t.Errorf("took %v", time.Since(begin))
	}
}
