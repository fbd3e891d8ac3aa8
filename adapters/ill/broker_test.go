package illadapter_test

import (
	"context"
	"net"
	"testing"

	"github.com/rs/zerolog"

	illadapter "github.com/bibgate/bibgate/adapters/ill"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/ill/illserver"
	"github.com/bibgate/bibgate/store/memstore"
)

// TestBrokeredOverTCP: we broker for a member that wants the ILL-Answer
// on its connection; a request for a title we do not hold goes on to the
// supplier, so there is no answer yet: the member gets a
// Status-Or-Error-Report, not silence. The supplier's Shipped, over TCP
// on the second leg, is acknowledged and goes on to the member.
func TestBrokeredOverTCP(t *testing.T) {
	ctx := context.Background()
	cons := demo.Consortium()
	cons.ILL = core.ILLSettings{Symbol: ours, Partners: []core.ILLPartner{
		{Symbol: answerPeer, Name: "Knjižnica", BrokerTo: []string{ackPeer}}, {Symbol: ackPeer, Name: "Tartu"}}}
	svc, err := core.NewService(memstore.New(), cons, core.Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	backend := &illadapter.Backend{Svc: svc, Replies: map[string]illadapter.Reply{answerPeer: illadapter.ReplyAnswer}, Logger: zerolog.Nop()}
	srv := &illserver.Server{Logger: zerolog.Nop(), Backend: backend}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	f := &fixture{t: t, ctx: ctx, svc: svc, addr: ln.Addr().String()}

	rep := f.report(loan(answerPeer, "BR-1", duneISBN, "Dune"))
	if rep.ErrorReport != nil || rep.StatusReport == nil {
		t.Fatalf("brokered request acknowledged with %+v", rep)
	}
	xs, err := svc.ILLList(ctx)
	if err != nil || len(xs) != 2 {
		t.Fatalf("%d transactions (%v), want both legs", len(xs), err)
	}
	first, second := xs[0], xs[1]
	if first.Leg != core.ILLLegFirst || second.Leg != core.ILLLegSecond || second.Partner != ackPeer {
		t.Fatalf("legs %+v / %+v", first, second)
	}
	out, err := svc.ILLPending(ctx, 0)
	if err != nil || len(out) != 1 || out[0].Transaction.ID != second.ID || out[0].Event.Service != illstate.ILLRequest {
		t.Fatalf("outbox %+v %v, want the onward ILL-Request", out, err)
	}

	h := header(ackPeer, second.TID.Transaction)
	h.TransactionID.InitialRequesterID, h.TransactionID.GroupQualifier = ill.Institution(ours), ""
	f.receipt(&ill.Shipped{Header: h, ShippedServiceType: ill.Loan,
		SupplyDetails: ill.SupplyDetails{DateDue: &ill.DateDue{Date: "20261231", Renewable: true}}})
	x, err := svc.ILLGet(ctx, core.ILLRef{ID: first.ID})
	if err != nil {
		t.Fatal(err)
	}
	if e := x.Events[len(x.Events)-1]; x.State != illstate.Shipped || e.Service != illstate.ShippedService || e.Date.Format("20060102") != "20261231" {
		t.Fatalf("first leg %s, last event %+v", x.State, e)
	}
}
