package illadapter_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	illadapter "github.com/bibgate/bibgate/adapters/ill"
	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/ill/illclient"
	"github.com/bibgate/bibgate/ill/illserver"
	"github.com/bibgate/bibgate/store/memstore"
)

// gateway is one library's bibgate: its core, ISO 10161 listener and outbox.
type gateway struct {
	svc    *core.Service
	addr   string
	outbox *illadapter.Outbox
}

func newGateway(t *testing.T, symbol, partner string) *gateway {
	t.Helper()
	ctx := context.Background()
	cons := demo.Consortium()
	cons.ILL = core.ILLSettings{Symbol: symbol, Partners: []core.ILLPartner{{Symbol: partner, Name: partner,
		Prices: map[core.ILLServiceType]core.Money{core.ILLLoan: 350}}}}
	svc, err := core.NewService(memstore.New(), cons, core.Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Open(filepath.Join(t.TempDir(), "catalogue.db"), svc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	if _, err := cat.SeedIfEmpty(ctx, demo.CatalogueRecords()); err != nil {
		t.Fatal(err)
	}
	b := &illadapter.Backend{Svc: svc, Catalogue: cat, Logger: zerolog.New(zerolog.NewTestWriter(t))}
	srv := &illserver.Server{Logger: zerolog.Nop(), Backend: b}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &gateway{svc: svc, addr: ln.Addr().String(), outbox: &illadapter.Outbox{Backend: b, Logger: zerolog.New(zerolog.NewTestWriter(t))}}
}

// connect points g's outbox at the partner's listener.
func (g *gateway) connect(partner string, to *gateway, wrap func(illadapter.Sender) illadapter.Sender) {
	var s illadapter.Sender = illadapter.TCP{Client: &illclient.Client{Addr: to.addr, ExpectReply: true}}
	if wrap != nil {
		s = wrap(s)
	}
	g.outbox.Senders = map[string]illadapter.Sender{partner: s}
}

func (g *gateway) flush(t *testing.T, want int) {
	t.Helper()
	n, err := g.outbox.Flush(context.Background())
	if err != nil || n != want {
		t.Fatalf("flush: %d sent, want %d (%v)", n, want, err)
	}
}

func (g *gateway) only(t *testing.T, role core.ILLRole) core.ILLTransaction {
	t.Helper()
	xs, err := g.svc.ILLList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []core.ILLTransaction
	for _, x := range xs {
		if x.Role == role {
			out = append(out, x)
		}
	}
	if len(out) != 1 {
		t.Fatalf("%d %s transactions, want 1", len(out), role)
	}
	return out[0]
}

func (g *gateway) staff(t *testing.T, x core.ILLTransaction, svc illstate.Service) core.ILLTransaction {
	t.Helper()
	x, err := g.svc.ILLApply(context.Background(), core.ILLRef{ID: x.ID}, core.ILLEventInput{Service: svc, Dir: illstate.Outgoing, Origin: core.OriginStaff})
	if err != nil {
		t.Fatalf("%s: %v", svc, err)
	}
	return x
}

// lostAnswer delivers and then fails, as a gateway that crashed after
// sending and before recording it sent.
type lostAnswer struct {
	illadapter.Sender
	times int
}

func (l *lostAnswer) Send(ctx context.Context, a ill.APDU) ([]ill.APDU, error) {
	r, err := l.Sender.Send(ctx, a)
	if err == nil && l.times > 0 {
		l.times--
		return nil, errors.New("crashed before recording it sent")
	}
	return r, err
}

// TestTwoGatewaysOverTCP: a Latvian library borrows from an Estonian one,
// both on bibgate, over ISO 10161 TCP only, each delivering its outbox to
// the other's listener: request; hold-placed with the expected date, as
// every copy is out (R23); once one is back, will-supply; shipped, received (the
// patron may read it in the reading room only, R20, and owes the price,
// R22), returned, checked-in. A message delivered but not recorded sent
// (a crash in between) is sent again and applied once.
func TestTwoGatewaysOverTCP(t *testing.T) {
	ctx := context.Background()
	lv := newGateway(t, "LV:ILU", "EE:TARTU")
	ee := newGateway(t, "EE:TARTU", "LV:ILU")
	crash := &lostAnswer{times: 1}
	lv.outbox.FirstBackoff = 1 // try again at once
	lv.connect("EE:TARTU", ee, func(s illadapter.Sender) illadapter.Sender { crash.Sender = s; return crash })
	ee.connect("LV:ILU", lv, nil)

	// Every copy of the title at the lender is out.
	copies, err := ee.svc.ItemsOfRecord(ctx, "demo-0010")
	if err != nil || len(copies) == 0 {
		t.Fatalf("copies of demo-0010: %d %v", len(copies), err)
	}
	var lent []string
	for i, c := range copies {
		if c.Item.ReadingRoomOnly || c.Item.Status != core.ItemAvailable {
			continue
		}
		patron := fmt.Sprintf("P%04d", 20+i)
		if _, err := ee.svc.Checkout(ctx, core.CheckoutRequest{Library: c.Item.Library, PatronID: patron, ItemID: c.Item.ID}); err != nil {
			t.Fatalf("lend %s: %v", c.Item.ID, err)
		}
		lent = append(lent, c.Item.ID)
	}
	req, err := lv.svc.ILLRequest(ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: "EE:TARTU",
		Item: core.ILLItem{Title: "Kalevipoeg", ISBN: kalevipoegISBN}, PickupLibrary: demo.Subate})
	if err != nil {
		t.Fatal(err)
	}
	lv.flush(t, 0) // delivered, then "crashed": still in the outbox
	lv.flush(t, 1) // sent again: the partner recognises it
	lend := ee.only(t, illstate.Responder)
	if len(lend.Events) < 2 || lend.Events[1].Qualifier != illstate.QHoldPlaced || lend.Events[1].Date.IsZero() {
		t.Fatalf("responder %+v, want hold-placed with the expected date", lend.Events)
	}
	requests := 0
	for _, e := range lend.Events {
		if e.Service == illstate.ILLRequest {
			requests++
		}
	}
	if requests != 1 {
		t.Fatalf("the request sent twice was applied %d times", requests)
	}

	ee.flush(t, 1) // ILL-Answer hold-placed
	if x := lv.only(t, illstate.Requester); x.ID != req.ID || x.Events[len(x.Events)-1].Qualifier != illstate.QHoldPlaced ||
		x.Events[len(x.Events)-1].Date.IsZero() {
		t.Fatalf("requester after hold-placed: %s %+v", x.State, x.Events[len(x.Events)-1])
	}
	// A copy comes back: trapped for the partner; staff supply it.
	if _, err := ee.svc.Checkin(ctx, core.CheckinRequest{Library: demo.Central, ItemID: lent[0]}); err != nil {
		t.Fatal(err)
	}
	if _, err := ee.svc.ILLStaffAction(ctx, core.ILLRef{ID: lend.ID}, "supply", "", "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	ee.flush(t, 1) // ILL-Answer will-supply
	if x := lv.only(t, illstate.Requester); x.Events[len(x.Events)-1].Qualifier != illstate.QWillSupply {
		t.Fatalf("requester after will-supply: %s %+v", x.State, x.Events[len(x.Events)-1])
	}
	ee.staff(t, lend, illstate.ShippedService)
	ee.flush(t, 1)
	borrow := lv.only(t, illstate.Requester)
	if borrow.State != illstate.Shipped || borrow.Due.IsZero() {
		t.Fatalf("requester after shipped: %s due %v", borrow.State, borrow.Due)
	}
	borrow = lv.staff(t, borrow, illstate.ReceivedService)
	lv.flush(t, 1)
	if _, err := lv.svc.Checkout(ctx, core.CheckoutRequest{Library: demo.Subate, PatronID: demo.PatronGood, ItemID: borrow.TempItemID}); core.ReasonOf(err) != policy.ItemILLReadingRoom {
		t.Fatalf("home loan of the received item: %v, want %s (R20)", err, policy.ItemILLReadingRoom)
	}
	if sum, _ := lv.svc.Patron(ctx, demo.PatronGood); sum.Patron.Owed != 350 {
		t.Errorf("patron owes %v, want the partner's price 3.50 (R22)", sum.Patron.Owed)
	}
	lv.staff(t, borrow, illstate.ReturnedService)
	lv.flush(t, 1)
	if x := ee.only(t, illstate.Responder); x.State != illstate.Returned {
		t.Fatalf("responder after returned: %s", x.State)
	}
	ee.staff(t, ee.only(t, illstate.Responder), illstate.CheckedInService)
	ee.flush(t, 1)
	if x := lv.only(t, illstate.Requester); x.State != illstate.CheckedIn {
		t.Fatalf("requester at the end: %s", x.State)
	}
	for _, g := range []*gateway{lv, ee} {
		if p, _ := g.svc.ILLPending(ctx, 0); len(p) != 0 {
			t.Errorf("%s outbox not empty: %d", g.svc.Consortium().ILL.Symbol, len(p))
		}
	}
}

// An unreachable partner is tried again later; nothing is marked sent.
func TestOutboxPartnerDown(t *testing.T) {
	ctx := context.Background()
	lv := newGateway(t, "LV:ILU", "EE:TARTU")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	lv.outbox.Senders = map[string]illadapter.Sender{"EE:TARTU": illadapter.TCP{Client: &illclient.Client{Addr: dead, ExpectReply: true}}}
	if _, err := lv.svc.ILLRequest(ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: "EE:TARTU",
		Item: core.ILLItem{Title: "Kalevipoeg", ISBN: kalevipoegISBN}}); err != nil {
		t.Fatal(err)
	}
	lv.flush(t, 0)
	lv.flush(t, 0) // within the pause: not even tried
	if p, _ := lv.svc.ILLPending(ctx, 0); len(p) != 1 {
		t.Fatalf("outbox %d, want the request still waiting", len(p))
	}
}
