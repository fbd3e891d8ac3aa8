package iso18626adapter_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	iso18626adapter "github.com/bibgate/bibgate/adapters/iso18626"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/ill/iso18626"
)

// TestRotaOverHTTP: three gateways on ISO 18626. Our request goes down a
// rota: the first partner (no catalogue: it owns nothing) answers
// Unfilled NotHeld, and the requester sends a new request, with a
// requestingAgencyRequestId of its own, to the second, which supplies.
// The first partner's Unfilled POSTed again is confirmed and moves
// nothing.
func TestRotaOverHTTP(t *testing.T) {
	ctx := context.Background()
	lv := newGateway(t, "LV:ILU", "EE:TARTU", "EE:NLIB")
	tartu := newGateway(t, "EE:TARTU", "LV:ILU")
	tartu.backend.Catalogue = nil // it matches no record: not owned
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
	tartu.flush(t, 1) // Unfilled
	s := lv.last(t).SupplyingAgencyMessage
	if s == nil || s.StatusInfo.Status != iso18626.StatusUnfilled || s.MessageInfo.ReasonUnfilled.Value != "NotHeld" {
		t.Fatalf("requester received %+v, want Unfilled NotHeld", s)
	}
	lv.mu.Lock()
	unfilled := lv.seen[len(lv.seen)-1]
	lv.mu.Unlock()
	lv.flush(t, 1) // the request to the second partner
	r := nlib.last(t).Request
	if r == nil || r.Header.SupplyingAgencyID.Value != "EE:NLIB" || !strings.HasSuffix(r.Header.RequestingAgencyRequestID, "-2") {
		t.Fatalf("second partner received %+v", nlib.last(t))
	}
	nlib.flush(t, 1) // WillSupply
	x := lv.only(t, illstate.Requester)
	if x.Partner != "EE:NLIB" || lastEvent(x).Qualifier != illstate.QWillSupply || len(x.Attempts) != 2 ||
		x.Attempts[0].Outcome != illstate.QUnfilled || x.Attempts[0].Reason != "not-owned" || x.Attempts[1].Outcome != illstate.QWillSupply {
		t.Fatalf("requester: %s %+v %+v", x.Partner, lastEvent(x), x.Attempts)
	}

	resp, err := http.Post(lv.srv.URL, "application/xml", strings.NewReader(string(unfilled)))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	conf, err := iso18626.Parse(body)
	if err != nil || conf.ConfirmationHeader() == nil || conf.ConfirmationHeader().MessageStatus != iso18626.StatusOK {
		t.Fatalf("Unfilled again: %s %v", body, err)
	}
	again := lv.only(t, illstate.Requester)
	if again.Partner != "EE:NLIB" || len(again.Events) != len(x.Events) || len(again.Attempts) != 2 {
		t.Fatalf("Unfilled again moved it: %s, %d events, %d attempts", again.Partner, len(again.Events), len(again.Attempts))
	}
	validateAll(t, lv, tartu, nlib)
}
