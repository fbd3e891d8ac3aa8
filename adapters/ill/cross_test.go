package illadapter_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	illadapter "github.com/bibgate/bibgate/adapters/ill"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/ill/illclient"
	"github.com/bibgate/bibgate/ill/illserver"
	"github.com/bibgate/bibgate/store/memstore"
)

// peer is a partner's ISO 10161 listener that keeps what it is sent and
// answers each APDU with a receipt.
type peer struct {
	mu   sync.Mutex
	got  []ill.APDU
	addr string
}

func (p *peer) NewSession(context.Context, illserver.ConnInfo) (illserver.Session, error) {
	return p, nil
}

func (p *peer) Handle(_ context.Context, a ill.APDU) ([]ill.APDU, error) {
	p.mu.Lock()
	p.got = append(p.got, a)
	p.mu.Unlock()
	temporary := 1
	return []ill.APDU{&ill.StatusOrErrorReport{Header: illserver.ReplyHeader(a.Head(), time.Now()), ReasonNoReport: &temporary}}, nil
}

func (p *peer) received() []ill.APDU {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]ill.APDU(nil), p.got...)
}

func newPeer(t *testing.T) *peer {
	t.Helper()
	p := &peer{}
	srv := &illserver.Server{Logger: zerolog.Nop(), Backend: p}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	p.addr = ln.Addr().String()
	return p
}

// TestBrokerCancelCrossesShippedOverTCP: we broker for a member; the
// member's Cancel reaches us over TCP and goes on to the supplier, whose
// Shipped was already on its way and arrives over TCP on the second leg.
// The member's listener receives, from our outbox, Cancel-Reply no and
// then Shipped with the supplier's due date; the supplier's own
// Cancel-Reply no, arriving after, is acknowledged and not sent to the
// member again.
func TestBrokerCancelCrossesShippedOverTCP(t *testing.T) {
	ctx := context.Background()
	cons := demo.Consortium()
	cons.ILL = core.ILLSettings{Symbol: ours, Partners: []core.ILLPartner{
		{Symbol: answerPeer, Name: "Knjižnica", BrokerTo: []string{ackPeer}}, {Symbol: ackPeer, Name: "Tartu"}}}
	svc, err := core.NewService(memstore.New(), cons, core.Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	backend := &illadapter.Backend{Svc: svc, Logger: zerolog.Nop()}
	srv := &illserver.Server{Logger: zerolog.Nop(), Backend: backend}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	f := &fixture{t: t, ctx: ctx, svc: svc, addr: ln.Addr().String()}
	member, supplier := newPeer(t), newPeer(t)
	outbox := &illadapter.Outbox{Backend: backend, Logger: zerolog.New(zerolog.NewTestWriter(t)), Senders: map[string]illadapter.Sender{
		answerPeer: illadapter.TCP{Client: &illclient.Client{Addr: member.addr, ExpectReply: true, Timeout: 30 * time.Second}},
		ackPeer:    illadapter.TCP{Client: &illclient.Client{Addr: supplier.addr, ExpectReply: true, Timeout: 30 * time.Second}},
	}}
	flush := func(want int) {
		t.Helper()
		if n, err := outbox.Flush(ctx); err != nil || n != want {
			t.Fatalf("flush: %d sent, want %d (%v)", n, want, err)
		}
	}

	f.receipt(loan(answerPeer, "BX-1", duneISBN, "Dune"))
	flush(1) // the onward ILL-Request
	xs, err := svc.ILLList(ctx)
	if err != nil || len(xs) != 2 {
		t.Fatalf("%d transactions (%v), want both legs", len(xs), err)
	}
	first, second := xs[0], xs[1]

	f.receipt(&ill.Cancel{Header: header(answerPeer, "BX-1")})
	flush(1) // the Cancel, to the supplier
	if got := supplier.received(); len(got) != 2 || got[1].Type() != ill.TypeCancel {
		t.Fatalf("the supplier received %d APDUs, last %T", len(got), got[len(got)-1])
	}

	h := header(ackPeer, second.TID.Transaction)
	h.TransactionID.InitialRequesterID, h.TransactionID.GroupQualifier = ill.Institution(ours), ""
	f.receipt(&ill.Shipped{Header: h, ShippedServiceType: ill.Loan,
		SupplyDetails: ill.SupplyDetails{DateDue: &ill.DateDue{Date: "20261231", Renewable: true}}})
	flush(2)
	got := member.received()
	if len(got) != 2 {
		t.Fatalf("the member received %d APDUs, want Cancel-Reply and Shipped", len(got))
	}
	reply, ok := got[0].(*ill.CancelReply)
	if !ok || reply.Answer {
		t.Fatalf("first to the member: %T %+v, want Cancel-Reply no", got[0], got[0])
	}
	shipped, ok := got[1].(*ill.Shipped)
	if !ok || shipped.SupplyDetails.DateDue == nil || shipped.SupplyDetails.DateDue.Date != "20261231" {
		t.Fatalf("second to the member: %T %+v, want Shipped due 20261231", got[1], got[1])
	}
	for _, a := range got {
		if q := string(a.Head().TransactionID.Qualifier); q != "BX-1" {
			t.Errorf("%s to the member with transaction-qualifier %q", a.Type(), q)
		}
	}

	h2 := h
	later := "101700"
	h2.ServiceDateTime.This.Time = &later
	f.receipt(&ill.CancelReply{Header: h2, Answer: false})
	flush(0)
	if n := len(member.received()); n != 2 {
		t.Errorf("the member received %d APDUs after the supplier's Cancel-Reply, want still 2", n)
	}
	for _, id := range []string{first.ID, second.ID} {
		x, err := svc.ILLGet(ctx, core.ILLRef{ID: id})
		if err != nil || x.State != illstate.Shipped {
			t.Errorf("%s leg %s: %v", x.Leg, x.State, err)
		}
	}
}

// TestRotaPassedOverOverTCP: our request goes down a rota of two partners
// and the first never answers. After ExpiryDays the ILL timers pass it
// over: its listener receives a Cancel with its leg's tuple, the second
// partner the request. The first partner ships all the same, over TCP:
// the Shipped and its Cancel-Reply no get receipts, not
// state-transition-prohibited, and the leg records the item to be sent
// back; the request carries on with the second partner.
func TestRotaPassedOverOverTCP(t *testing.T) {
	ctx := context.Background()
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	cons := demo.Consortium()
	cons.ILL = core.ILLSettings{Symbol: ours, ExpiryDays: 14, Partners: []core.ILLPartner{{Symbol: ackPeer, Name: "Tartu"},
		{Symbol: answerPeer, Name: "Knjižnica"}}}
	svc, err := core.NewService(memstore.New(), cons, core.Options{Clock: clock, KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RegisterPatrons(ctx, demo.Patrons(clock.Now())[:4]); err != nil {
		t.Fatal(err)
	}
	backend := &illadapter.Backend{Svc: svc, Logger: zerolog.Nop()}
	srv := &illserver.Server{Logger: zerolog.Nop(), Backend: backend}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	f := &fixture{t: t, ctx: ctx, svc: svc, addr: ln.Addr().String()}
	silent, next := newPeer(t), newPeer(t)
	outbox := &illadapter.Outbox{Backend: backend, Logger: zerolog.New(zerolog.NewTestWriter(t)), Senders: map[string]illadapter.Sender{
		ackPeer:    illadapter.TCP{Client: &illclient.Client{Addr: silent.addr, ExpectReply: true, Timeout: 30 * time.Second}},
		answerPeer: illadapter.TCP{Client: &illclient.Client{Addr: next.addr, ExpectReply: true, Timeout: 30 * time.Second}},
	}}
	flush := func(want int) {
		t.Helper()
		if n, err := outbox.Flush(ctx); err != nil || n != want {
			t.Fatalf("flush: %d sent, want %d (%v)", n, want, err)
		}
	}

	x, err := svc.ILLRequest(ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Rota: []string{ackPeer, answerPeer},
		Item: core.ILLItem{Title: "Dune", ISBN: duneISBN}})
	if err != nil {
		t.Fatal(err)
	}
	first := x.TID
	flush(1)
	clock.Advance(15 * 24 * time.Hour)
	if rep, err := svc.RunILLJobs(ctx); err != nil || rep.RotaMoved != 1 {
		t.Fatalf("ILL jobs %+v %v", rep, err)
	}
	flush(2)
	got := silent.received()
	if len(got) != 2 || got[1].Type() != ill.TypeCancel {
		t.Fatalf("the silent partner received %d APDUs, want the request and a Cancel", len(got))
	}
	if id := illadapter.TransactionID(got[1].Head().TransactionID); id != first {
		t.Errorf("the Cancel's tuple %+v, want the first leg's %+v", id, first)
	}
	if got := next.received(); len(got) != 1 || got[0].Type() != ill.TypeRequest {
		t.Fatalf("the next partner received %d APDUs, want the request", len(got))
	}

	tm := "101500"
	h := ill.Header{Version: ill.Version2, TransactionID: illadapter.WireTransactionID(first),
		ServiceDateTime: ill.ServiceDateTime{This: ill.DateTime{Date: "20261117", Time: &tm}},
		RequesterID:     ill.Institution(ours), ResponderID: ill.Institution(ackPeer)}
	f.receipt(&ill.Shipped{Header: h, ShippedServiceType: ill.Loan,
		SupplyDetails: ill.SupplyDetails{DateDue: &ill.DateDue{Date: "20261215", Renewable: true}}})
	f.receipt(&ill.Shipped{Header: h, ShippedServiceType: ill.Loan, // sent again: acknowledged, applied once
		SupplyDetails: ill.SupplyDetails{DateDue: &ill.DateDue{Date: "20261215", Renewable: true}}})
	later := "101600"
	h.ServiceDateTime.This.Time = &later
	f.receipt(&ill.CancelReply{Header: h, Answer: false})

	x, err = svc.ILLGet(ctx, core.ILLRef{ID: x.ID})
	if err != nil {
		t.Fatal(err)
	}
	if a := x.Attempts[0]; a.State != illstate.Shipped || !a.ReturnItem || a.Outcome != "shipped" {
		t.Errorf("the passed-over leg: %+v", a)
	}
	shipped := 0
	for _, e := range x.Events {
		if e.Service == illstate.ShippedService {
			shipped++
		}
	}
	if shipped != 1 || x.Partner != answerPeer || x.State != illstate.Pending || x.TempItemID != "" {
		t.Errorf("request: %d Shipped recorded, partner %s, %s, temporary copy %q", shipped, x.Partner, x.State, x.TempItemID)
	}
	flush(0) // nothing goes to either partner
}
