package iso18626adapter_test

import (
	"context"
	"slices"
	"testing"
	"time"

	iso18626adapter "github.com/bibgate/bibgate/adapters/iso18626"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/ill/iso18626"
	"github.com/bibgate/bibgate/store/memstore"
)

// TestRotaPassedOverOverHTTP: three gateways on ISO 18626. The first
// partner of our rota ships but its messages do not reach us in
// ExpiryDays (its outbox is held back), so the ILL timers pass it over:
// it is sent a Cancel, which crosses its Loaned and which it answers
// CancelResponse No, and the second partner is sent the request. When the
// first partner's messages arrive they are all confirmed OK and recorded
// on its leg, which marks the item to be sent back; the request goes on
// with the second partner.
func TestRotaPassedOverOverHTTP(t *testing.T) {
	ctx := context.Background()
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	lv := newGatewayWith(t, memstore.New(), clock, 14, "LV:ILU", "EE:TARTU", "EE:NLIB")
	tartu := newGateway(t, "EE:TARTU", "LV:ILU")
	nlib := newGateway(t, "EE:NLIB", "LV:ILU")
	lv.connect(iso18626adapter.Partner{Symbol: "EE:TARTU"}, tartu, nil)
	lv.connect(iso18626adapter.Partner{Symbol: "EE:NLIB"}, nlib, nil)
	tartu.connect(iso18626adapter.Partner{Symbol: "LV:ILU"}, lv, nil)
	nlib.connect(iso18626adapter.Partner{Symbol: "LV:ILU"}, lv, nil)
	if _, err := lv.svc.ILLRequest(ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Rota: []string{"EE:TARTU", "EE:NLIB"},
		Item: core.ILLItem{ISBN: kalevipoegISBN, Title: "Kalevipoeg"}}); err != nil {
		t.Fatal(err)
	}
	lv.flush(t, 1)
	lent := tartu.staff(t, tartu.only(t, illstate.Responder), illstate.ShippedService)
	if lent.State != illstate.Shipped {
		t.Fatalf("the first partner's side: %s", lent.State)
	}

	clock.Advance(15 * 24 * time.Hour)
	if rep, err := lv.svc.RunILLJobs(ctx); err != nil || rep.RotaMoved != 1 {
		t.Fatalf("ILL jobs %+v %v", rep, err)
	}
	lv.flush(t, 2) // the Cancel to the first partner, the request to the second
	if m := tartu.last(t).RequestingAgencyMessage; m == nil || m.Action != iso18626.ActionCancel {
		t.Fatalf("the first partner received %+v, want a Cancel", tartu.last(t))
	}
	if r := nlib.last(t).Request; r == nil || r.Header.SupplyingAgencyID.Value != "EE:NLIB" {
		t.Fatalf("the second partner received %+v", nlib.last(t))
	}

	tartu.flush(t, 3) // WillSupply, Loaned, CancelResponse No
	if s := lv.last(t).SupplyingAgencyMessage; s == nil || s.MessageInfo.ReasonForMessage != iso18626.ReasonCancelResponse {
		t.Fatalf("last from the first partner %+v, want its CancelResponse", lv.last(t))
	}
	x := lv.only(t, illstate.Requester)
	if a := x.Attempts[0]; a.State != illstate.Shipped || !a.ReturnItem {
		t.Errorf("the passed-over leg: %+v", a)
	}
	var late []string
	for _, e := range x.Events {
		if e.Attempt == 1 {
			late = append(late, e.Service.String()+":"+e.Qualifier)
		}
	}
	if want := []string{"ILL-Answer:will-supply", "Shipped:", "Cancel-Reply:no"}; !slices.Equal(late, want) {
		t.Errorf("recorded on the passed-over leg: %q, want %q", late, want)
	}
	if x.Partner != "EE:NLIB" || x.State != illstate.Pending || x.TempItemID != "" {
		t.Errorf("request: %s %s temporary copy %q", x.Partner, x.State, x.TempItemID)
	}
	nlib.flush(t, 1) // its WillSupply: the request carries on
	if x := lv.only(t, illstate.Requester); lastEvent(x).Qualifier != illstate.QWillSupply || x.Partner != "EE:NLIB" {
		t.Errorf("after the second partner's answer: %s %+v", x.Partner, lastEvent(x))
	}
	validateAll(t, lv, tartu, nlib)
}
