package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/store/pgstore"
)

// TestCoreILLReopen runs the ILL engine on PostgreSQL: a request we lend
// on is shipped, the pool is closed, and a new process (a new pool on the
// same schema) finds the transaction by its tuple with its history and the
// messages still to send, and carries the lifecycle on to Checked-In.
func TestCoreILLReopen(t *testing.T) {
	sc := newSchemas(t)
	ctx := context.Background()
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	cons := demo.Consortium()
	cons.ILL = core.ILLSettings{Symbol: "LV:ILU", Partners: []core.ILLPartner{{Symbol: "EE:LVKRK", Name: "Lääne-Virumaa Keskraamatukogu"}}}
	open := func() (*pgstore.Store, *core.Service) {
		st := sc.open(t, "ill", pgstore.Options{})
		svc, err := core.NewService(st, cons, core.Options{Clock: clock, KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
		if err != nil {
			t.Fatal(err)
		}
		return st, svc
	}
	st, svc := open()
	if err := svc.PutItems(ctx, []core.Item{{ID: "B1", RecordID: "rec-book", Title: "Tõde ja õigus", Library: demo.Central, Material: policy.MaterialBook}}); err != nil {
		t.Fatal(err)
	}
	id := core.TransactionID{InitialRequester: core.SystemID{Symbol: "EE:LVKRK", Name: "LVKRK"}, Group: "2026", Transaction: "77", SubTransaction: "a/b"}
	x, err := svc.ILLIncoming(ctx, core.ILLIncomingRequest{TID: id, Item: core.ILLItem{RecordIDs: []string{"rec-book"}}})
	if err != nil {
		t.Fatal(err)
	}
	x, err = svc.ILLApply(ctx, core.ILLRef{ID: x.ID}, core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Outgoing})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	st, svc = open()
	defer st.Close()
	got, err := svc.ILLGet(ctx, core.ILLRef{TID: &id})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != x.ID || got.TID != id || got.State != illstate.Shipped || len(got.Events) != 3 || got.Due.Format("2006-01-02") != "2026-11-23" {
		t.Fatalf("after reopen: %+v", got)
	}
	pend, err := svc.ILLPending(ctx, 0)
	if err != nil || len(pend) != 2 || pend[0].Event.Service != illstate.ILLAnswer || pend[1].Event.Service != illstate.ShippedService {
		t.Fatalf("outbox after reopen: %+v %v", pend, err)
	}
	for _, e := range []core.ILLEventInput{
		{Service: illstate.ReceivedService, Dir: illstate.Incoming, Origin: core.OriginAPDU},
		{Service: illstate.ReturnedService, Dir: illstate.Incoming, Origin: core.OriginAPDU},
		{Service: illstate.CheckedInService, Dir: illstate.Outgoing},
	} {
		if got, err = svc.ILLApply(ctx, core.ILLRef{TID: &id}, e); err != nil {
			t.Fatal(err)
		}
	}
	if got.State != illstate.CheckedIn {
		t.Fatalf("state %s", got.State)
	}
	if is, _ := svc.Item(ctx, "B1"); is.Item.Status != core.ItemAvailable {
		t.Errorf("copy after check-in: %s", is.Item.Status)
	}
	if problems, err := svc.Verify(ctx); err != nil || len(problems) > 0 {
		t.Fatalf("Verify: %v %q", err, problems)
	}
}
