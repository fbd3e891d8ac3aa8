package sip2adapter_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	sip2adapter "github.com/bibgate/bibgate/adapters/sip2"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2server"
	"github.com/bibgate/bibgate/store/memstore"
)

// TestPINCheckBusy: when more patrons arrive at once than the PIN hash can
// be checked for within the wait (a cold start at opening time), the rest
// are answered at once instead of queueing: a patron status says nothing
// about the PIN (no CQ) and asks to try again; a checkout, which needs the
// PIN, is refused with the same words. The busy answers do not count as
// wrong PINs: the same patrons are accepted when they try again.
func TestPINCheckBusy(t *testing.T) {
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	svc, err := core.NewService(memstore.New(), demo.Consortium(), core.Options{Clock: clock,
		KDF:      core.KDFParams{Time: 8, Memory: 8 * 1024, Threads: 1}, // slow enough to queue behind
		KDFSlots: 1, PINCheckWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var patrons []core.NewPatron // only those used: each hash costs a slow KDF run
	for _, p := range demo.Patrons(clock.Now()) {
		if n := p.Patron.ID; (n >= "P0020" && n < "P0028") || (n >= "P0040" && n < "P0048") {
			patrons = append(patrons, p)
		}
	}
	if err := svc.RegisterPatrons(context.Background(), patrons); err != nil {
		t.Fatal(err)
	}
	srv := &sip2server.Server{Backend: &sip2adapter.Backend{Svc: svc},
		Accounts: accounts(), Logger: zerolog.Nop(), Now: clock.Now}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	g := &gateway{svc: svc, clock: clock, addr: ln.Addr().String()}
	const busyText = "The PIN cannot be checked just now"
	pin := demo.PIN
	hasBusy := func(af []string) bool {
		for _, m := range af {
			if strings.HasPrefix(m, busyText) {
				return true
			}
		}
		return false
	}

	const n = 8
	conns := make([]interface {
		Send(context.Context, sip2.Message) (sip2.Message, error)
	}, n)
	for i := range conns {
		conns[i] = g.dial(t, "english", sip2.UTF8)
	}
	// All at once: patron status for n patrons, then checkouts for n others.
	rounds := []struct {
		name string
		card func(i int) string
		ask  func(card string) sip2.Message
		busy func(sip2.Message) (busy bool, err error)
	}{
		{"patron status", func(i int) string { return fmt.Sprintf("P%04d", 20+i) },
			func(card string) sip2.Message {
				return &sip2.PatronStatusRequest{Language: sip2.LanguageEnglish, InstitutionID: demo.Central, PatronID: card, PatronPassword: &pin}
			},
			func(m sip2.Message) (bool, error) {
				r := m.(*sip2.PatronStatusResponse)
				switch {
				case hasBusy(r.ScreenMessages) && r.ValidPatronPassword == nil && *r.ValidPatron:
					return true, nil
				case r.ValidPatronPassword != nil && *r.ValidPatronPassword && !hasBusy(r.ScreenMessages):
					return false, nil
				}
				return false, fmt.Errorf("neither checked nor busy: %+v", r)
			}},
		{"checkout", func(i int) string { return fmt.Sprintf("P%04d", 40+i) },
			func(card string) sip2.Message {
				return &sip2.CheckoutRequest{InstitutionID: demo.Central, PatronID: card, ItemID: "NO-SUCH-COPY", PatronPassword: &pin}
			},
			func(m sip2.Message) (bool, error) {
				r := m.(*sip2.CheckoutResponse)
				if r.OK {
					return false, fmt.Errorf("checkout of no copy succeeded: %+v", r)
				}
				if hasBusy(r.ScreenMessages) {
					return true, nil
				}
				return false, nil // PIN checked, refused for the copy
			}},
	}
	for _, rd := range rounds {
		t.Run(rd.name, func(t *testing.T) {
			var wg sync.WaitGroup
			busy := make([]bool, n)
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resp, err := conns[i].Send(context.Background(), rd.ask(rd.card(i)))
					if err != nil {
						errs[i] = err
						return
					}
					busy[i], errs[i] = rd.busy(resp)
				}()
			}
			wg.Wait()
			nbusy := 0
			for i := range n {
				if errs[i] != nil {
					t.Fatalf("%s: %v", rd.card(i), errs[i])
				}
				if busy[i] {
					nbusy++
				}
			}
			if nbusy == 0 {
				t.Fatalf("%d PIN checks at once on one slot with a 1 ms wait: none answered busy", n)
			}
			// One at a time, every busy patron is now checked, and accepted.
			for i := range n {
				if !busy[i] {
					continue
				}
				resp, err := conns[i].Send(context.Background(), &sip2.PatronStatusRequest{Language: sip2.LanguageEnglish,
					InstitutionID: demo.Central, PatronID: rd.card(i), PatronPassword: &pin})
				if err != nil {
					t.Fatal(err)
				}
				r := resp.(*sip2.PatronStatusResponse)
				if r.ValidPatronPassword == nil || !*r.ValidPatronPassword {
					t.Errorf("%s after a busy answer: CQ %v AF %q", rd.card(i), r.ValidPatronPassword, r.ScreenMessages)
				}
			}
		})
	}
}
