package sip2adapter_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	sip2adapter "github.com/bibgate/bibgate/adapters/sip2"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2server"
	"github.com/bibgate/bibgate/store/memstore"
)

// TestPINThrottle: wrong patron PINs are throttled per card (core), per
// connection and per source address, whatever card they are tried on (a
// common PIN sprayed over many cards). While locked no PIN is checked, the
// right one neither: CQ is N and AF says why. Wrong and locked PINs are
// counted as their own outcomes in the request metrics.
func TestPINThrottle(t *testing.T) {
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	svc, err := core.NewService(memstore.New(), demo.Consortium(), core.Options{Clock: clock, KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m, err := sip2server.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	srv := &sip2server.Server{Backend: &sip2adapter.Backend{Svc: svc,
		ConnectionPIN: sip2adapter.DefaultConnectionPIN, AddressPIN: sip2adapter.DefaultAddressPIN},
		Accounts: accounts(), Logger: zerolog.Nop(), Now: clock.Now, Metrics: m}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	g := &gateway{svc: svc, clock: clock, addr: ln.Addr().String()}

	patron := 0
	status := func(t *testing.T, c interface {
		Send(context.Context, sip2.Message) (sip2.Message, error)
	}, card, pin string) *sip2.PatronStatusResponse {
		t.Helper()
		resp, err := c.Send(context.Background(), &sip2.PatronStatusRequest{Language: sip2.LanguageEnglish,
			InstitutionID: demo.Central, PatronID: card, PatronPassword: &pin})
		if err != nil {
			t.Fatal(err)
		}
		return resp.(*sip2.PatronStatusResponse)
	}
	// sprays one wrong PIN on each of n cards, never the same card twice.
	spray := func(t *testing.T, c interface {
		Send(context.Context, sip2.Message) (sip2.Message, error)
	}, n int) {
		for i := 0; i < n; i++ {
			patron++
			if r := status(t, c, fmt.Sprintf("P%04d", patron), "9999"); r.ValidPatronPassword == nil || *r.ValidPatronPassword {
				t.Fatalf("wrong PIN %d accepted", i)
			}
		}
	}
	locked := func(r *sip2.PatronStatusResponse) bool {
		return r.ValidPatronPassword != nil && !*r.ValidPatronPassword && len(r.ScreenMessages) > 0 &&
			strings.HasPrefix(r.ScreenMessages[0], "Too many wrong PINs")
	}

	c1 := g.dial(t, "english", sip2.UTF8)
	spray(t, c1, 9)
	if r := status(t, c1, "P0090", "1234"); !*r.ValidPatronPassword {
		t.Fatalf("right PIN refused after 9 wrong ones: %+v", r)
	}
	spray(t, c1, 1) // the 10th wrong PIN on this connection
	if r := status(t, c1, "P0091", "1234"); !locked(r) || !*r.ValidPatron {
		t.Errorf("connection not locked after 10 wrong PINs (or the card called invalid): %+v", r)
	}
	// Another connection from the same address still works...
	c2 := g.dial(t, "english", sip2.UTF8)
	if r := status(t, c2, "P0091", "1234"); !*r.ValidPatronPassword {
		t.Errorf("second connection locked too early: %+v", r)
	}
	// ...until the address has had 30 wrong PINs.
	spray(t, c2, 10)
	c3 := g.dial(t, "english", sip2.UTF8)
	spray(t, c3, 10)
	c4 := g.dial(t, "english", sip2.UTF8)
	if r := status(t, c4, "P0092", "1234"); !locked(r) {
		t.Errorf("address not locked after 30 wrong PINs: %+v", r)
	}
	// Without a PIN the card is still looked up.
	resp, err := c4.Send(context.Background(), &sip2.PatronStatusRequest{Language: sip2.LanguageEnglish,
		InstitutionID: demo.Central, PatronID: "P0092"})
	if err != nil || !*resp.(*sip2.PatronStatusResponse).ValidPatron {
		t.Errorf("status without PIN: %+v %v", resp, err)
	}
	clock.Advance(16 * time.Minute)
	if r := status(t, c4, "P0092", "1234"); !*r.ValidPatronPassword {
		t.Errorf("still locked after the lockout: %+v", r)
	}
	if got := metricValue(t, reg, "patron_status", sip2server.OutcomeWrongPIN, 30); got != 30 {
		t.Errorf("wrong PINs counted %v, want 30", got)
	}
	if got := metricValue(t, reg, "patron_status", sip2server.OutcomePINLocked, 2); got != 2 {
		t.Errorf("locked PINs counted %v, want 2", got)
	}
}

// metricValue reads a request counter; the server counts a request after
// writing its answer, so it waits a little for the value to settle on want.
func metricValue(t *testing.T, reg *prometheus.Registry, message, outcome string, want float64) float64 {
	t.Helper()
	var v float64
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if v = counterValue(t, reg, message, outcome); v == want {
			break
		}
	}
	return v
}

func counterValue(t *testing.T, reg *prometheus.Registry, message, outcome string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "bibgate_sip2_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			if l["message"] == message && l["outcome"] == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
