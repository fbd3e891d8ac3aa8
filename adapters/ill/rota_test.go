package illadapter_test

import (
	"strings"
	"testing"
	"time"

	illadapter "github.com/bibgate/bibgate/adapters/ill"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/store/memstore"
)

// TestRotaOverTCP: our request goes down a rota of two partners. The
// first one's ILL-Answer unfilled, arriving on a connection it opened,
// gets a receipt there, and the request for the second partner waits in
// the outbox (it is not sent back to the first on its connection). That
// request carries the new leg's tuple and the first partner in its
// already-tried-list, and survives encoding. The first partner's answer
// sent again is acknowledged and moves nothing; a Shipped on its ended leg
// is state-transition-prohibited.
func TestRotaOverTCP(t *testing.T) {
	f := newFixture(t, memstore.New())
	x, err := f.svc.ILLRequest(f.ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Rota: []string{ackPeer, answerPeer},
		Item: core.ILLItem{Title: "Dune", ISBN: duneISBN}})
	if err != nil {
		t.Fatal(err)
	}
	first := x.TID
	h := ill.Header{Version: ill.Version2, TransactionID: illadapter.WireTransactionID(first),
		ServiceDateTime: ill.ServiceDateTime{This: ill.DateTime{Date: "20261203"}}, // no time of day: a repeat is not recognisable by it
		RequesterID:     ill.Institution(ours), ResponderID: ill.Institution(ackPeer)}
	unfilled := &ill.Answer{Header: h, TransactionResults: ill.Unfilled,
		ResultsExplanation: &ill.ResultsExplanation{Unfilled: &ill.UnfilledResults{ReasonUnfilled: 5}}}
	f.receipt(unfilled)

	x, err = f.svc.ILLGet(f.ctx, core.ILLRef{ID: x.ID})
	if err != nil || x.Partner != answerPeer || x.State != illstate.Pending || len(x.Attempts) != 2 || x.Attempts[0].Reason != "not-owned" {
		t.Fatalf("after the first partner's unfilled: %+v %v", x, err)
	}
	pend, err := f.svc.ILLPending(f.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var next *core.ILLOutgoing
	for i := range pend {
		if m := &pend[i]; m.Event.Service == illstate.ILLRequest && m.Event.Seq == x.Attempts[1].Event {
			next = m
		}
	}
	if next == nil || next.Transaction.Partner != answerPeer {
		t.Fatalf("no request for the second partner in the outbox: %+v", pend)
	}
	a, err := illadapter.APDU(next.Transaction, next.Event.Seq-1, ours, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := ill.Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ill.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	req, ok := back.(*ill.Request)
	if !ok {
		t.Fatalf("rendered %s", back.Type())
	}
	if q := string(req.TransactionID.Qualifier); q != first.Transaction+"-2" {
		t.Errorf("second leg's transaction-qualifier %q", q)
	}
	if got := illadapter.TransactionID(req.TransactionID); got.InitialRequester != first.InitialRequester || got.Group != first.Group {
		t.Errorf("second leg's tuple %+v, first %+v", got, first)
	}
	if p := req.ResponderID; p == nil || *p.Symbol.Institution != ill.String(answerPeer) {
		t.Errorf("responder-id %+v", req.ResponderID)
	}
	tp := req.ThirdPartyInfo
	if tp == nil || len(tp.AlreadyTriedList) != 1 || *tp.AlreadyTriedList[0].Symbol.Institution != ill.String(ackPeer) {
		t.Fatalf("already-tried-list %+v", tp)
	}

	f.receipt(unfilled) // again: acknowledged, not applied
	shipped := &ill.Shipped{Header: h, ShippedServiceType: ill.Loan}
	rep := f.report(shipped)
	if pe := errorReport(rep).ProviderErrorReport; pe == nil || pe.StateTransitionProhibited == nil ||
		pe.StateTransitionProhibited.CurrentState != ill.State(illstate.NotSupplied) {
		t.Fatalf("Shipped on the ended leg: %+v", rep)
	}
	x, _ = f.svc.ILLGet(f.ctx, core.ILLRef{ID: x.ID})
	if x.Partner != answerPeer || x.State != illstate.Pending || len(x.Attempts) != 2 || len(x.Events) != 3 {
		var ev []string
		for _, e := range x.Events {
			ev = append(ev, e.String())
		}
		t.Fatalf("after the repeats: %s %s %d attempts\n%s", x.Partner, x.State, len(x.Attempts), strings.Join(ev, "\n"))
	}
}
