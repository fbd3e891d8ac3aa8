package sip2bench

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/sip2/sip2server"
	"github.com/bibgate/bibgate/sip2/sip2server/sip2servertest"
)

func fixtureData(n int) (patrons map[string]string, pl, items []string) {
	patrons = map[string]string{}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("P%04d", i)
		patrons[id] = "1234"
		pl = append(pl, id)
		items = append(items, fmt.Sprintf("I%06d", i))
	}
	return patrons, pl, items
}

func startSIP2(t *testing.T) (string, *sip2servertest.Backend, []string, []string) {
	t.Helper()
	patrons, pl, items := fixtureData(64)
	be := sip2servertest.NewBackend(patrons, items)
	srv := &sip2server.Server{Backend: be, Logger: zerolog.Nop(),
		Accounts: sip2server.Accounts{"bench": {UserID: "bench", Password: "pw", Institution: "LIB"}}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), be, pl, items
}

func TestRunAgainstServer(t *testing.T) {
	addr, be, patrons, items := startSIP2(t)
	for _, mix := range []string{MixCheckoutCheckin, MixItemInfo, MixPatronInfo, MixStatus} {
		before := be.Calls("11") + be.Calls("09") + be.Calls("17") + be.Calls("63") + be.Calls("99")
		res, err := Run(context.Background(), Options{Addr: addr, Conns: 3, Duration: 300 * time.Millisecond, Mix: mix,
			User: "bench", Password: "pw", Patrons: patrons, Items: items, PIN: "1234", Institution: "LIB", ErrorDetection: mix == MixStatus})
		if err != nil {
			t.Fatalf("%s: %v", mix, err)
		}
		t.Logf("%s: %v", mix, res)
		after := be.Calls("11") + be.Calls("09") + be.Calls("17") + be.Calls("63") + be.Calls("99")
		if res.Messages < 10 || res.Errors != 0 || res.Denied != 0 {
			t.Errorf("%s: %v", mix, res)
		}
		// Requests in flight when a run ended reached the backend but are
		// not counted: at most one per connection of this run, and of the
		// previous run, whose last requests may land after "before".
		if d := after - before - res.Messages; d < 0 || d > 2*3 {
			t.Errorf("%s: backend ran %d requests, bench counted %d", mix, after-before, res.Messages)
		}
		if res.P50 <= 0 || res.P50 > res.P99 || res.P99 > res.Max || res.Throughput <= 0 {
			t.Errorf("%s: latencies %v", mix, res)
		}
	}
	// Checkout and checkin pairs leave every item on the shelf (or one
	// checkout per connection outstanding at most).
	onLoan := 0
	for _, it := range items {
		if h, _ := be.Holder(it); h != "" {
			onLoan++
		}
	}
	if onLoan > 3 {
		t.Errorf("%d items left on loan", onLoan)
	}
}

func TestRunDenied(t *testing.T) {
	addr, _, _, items := startSIP2(t)
	res, err := Run(context.Background(), Options{Addr: addr, Conns: 2, Duration: 200 * time.Millisecond, Mix: MixCheckout,
		User: "bench", Password: "pw", Patrons: []string{"nobody"}, Items: items})
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages == 0 || res.Denied != res.Messages || res.Errors != 0 {
		t.Errorf("unknown patron not counted as denied: %v", res)
	}
}

func TestRunErrors(t *testing.T) {
	addr, _, patrons, items := startSIP2(t)
	if _, err := Run(context.Background(), Options{Addr: addr, Mix: "everything"}); err == nil {
		t.Error("unknown mix accepted")
	}
	if _, err := Run(context.Background(), Options{Addr: addr, Mix: MixCheckout, User: "bench", Password: "wrong",
		Patrons: patrons, Items: items, Duration: 100 * time.Millisecond}); err == nil {
		t.Error("failed login not reported")
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	if _, err := Run(context.Background(), Options{Addr: dead, Mix: MixStatus, Duration: 100 * time.Millisecond}); err == nil {
		t.Error("unreachable server not reported")
	}
}

// TestEchoCeiling: the echo server answers the load generator with and
// without checksums (bibgate bench sip2 sends them by default).
func TestEchoCeiling(t *testing.T) {
	resp := EchoResponse(MixCheckout)
	echo := NewEchoServer(resp)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go echo.Serve(ln)
	defer echo.Close()
	_, patrons, items := fixtureData(8)
	for _, checksums := range []bool{false, true} {
		res, err := Run(context.Background(), Options{Addr: ln.Addr().String(), Conns: 2, Duration: 300 * time.Millisecond,
			Mix: MixCheckout, User: "bench", Password: "pw", Patrons: patrons, Items: items, ErrorDetection: checksums})
		if err != nil {
			t.Fatalf("checksums=%v: %v", checksums, err)
		}
		t.Logf("echo, checksums=%v: %v (%d-byte response)", checksums, res, len(resp))
		if res.Messages < 10 || res.Errors != 0 || res.Denied != 0 {
			t.Errorf("checksums=%v: %v", checksums, res)
		}
	}
}

// A paced run sends about the rate asked for, not as fast as it can.
func TestRunPaced(t *testing.T) {
	addr, _, patrons, items := startSIP2(t)
	res, err := Run(context.Background(), Options{Addr: addr, Conns: 4, Duration: time.Second, Mix: MixItemInfo, Rate: 200,
		User: "bench", Password: "pw", Patrons: patrons, Items: items, Institution: "LIB"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages < 150 || res.Messages > 230 || res.Errors != 0 {
		t.Errorf("paced at 200/s for 1 s: %v", res)
	}
}
