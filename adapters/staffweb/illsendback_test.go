package staffweb_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
)

// TestILLSendBackInTheConsole: a request goes down a rota; the first
// partner says nothing for the expiry days and is passed over, then ships
// all the same. The transaction page offers the ILL librarian "Send back
// to the partner passed over" (not before the item is on its way), the
// request is in the to_return queue, and the button records the item gone
// back on that partner's leg, tells it so and wakes the outbox; after it
// the button and the queue entry are gone and the current partner is
// still asked.
func TestILLSendBackInTheConsole(t *testing.T) {
	c := newILLConsoleSet(t, morePartners, nil, func(s *core.ILLSettings) { s.ExpiryDays = 14 })
	ctx := context.Background()
	liga := c.client()
	tok, _ := c.signIn(liga, "liga")
	x, err := c.svc.ILLRequest(ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Rota: []string{illPartner, "LV:LNB"},
		Item: core.ILLItem{Title: "Kalevipoeg"}})
	if err != nil {
		t.Fatal(err)
	}
	first := x.TID
	deliver := func() []string {
		t.Helper()
		pend, err := c.svc.ILLPending(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range pend {
			out = append(out, m.Transaction.Partner+" "+m.Event.Service.String())
			if err := c.svc.ILLSent(ctx, m.Key); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	deliver()
	txPath := "/staff/ill/t/" + x.ID
	button := `id="act-send-back"`

	if _, page := c.get(liga, txPath+"?lang=en"); strings.Contains(page, button) {
		t.Errorf("send-back offered with nothing to send back:\n%s", page)
	}
	status, loc, _ := c.post(liga, tok, txPath+"/send-back", url.Values{})
	if want := txPath + "?err=" + string(core.ReasonILLTransitionProhibited); status != http.StatusSeeOther || loc != want {
		t.Errorf("send-back with nothing to send back: %d %q, want %q", status, loc, want)
	}

	c.clock.Advance(15 * 24 * time.Hour)
	if _, err := c.svc.RunILLJobs(ctx); err != nil {
		t.Fatal(err)
	}
	deliver()
	tok, _ = c.signIn(liga, "liga") // the session did not last the fortnight
	if _, page := c.get(liga, txPath+"?lang=en"); !strings.Contains(page, `EE:TARTU — passed over (no answer)`) {
		t.Errorf("the rota does not say the first partner was passed over:\n%s", page)
	}
	if _, err := c.svc.ILLApply(ctx, core.ILLRef{TID: &first, Role: illstate.Requester},
		core.ILLEventInput{Service: illstate.ShippedService, Dir: illstate.Incoming, Origin: core.OriginAPDU}); err != nil {
		t.Fatal(err)
	}
	_, page := c.get(liga, txPath+"?lang=en")
	for _, want := range []string{button, `action="/staff/ill/t/` + x.ID + `/send-back"`, "Send back to the partner passed over"} {
		if !strings.Contains(page, want) {
			t.Errorf("the transaction page does not have %q:\n%s", want, page)
		}
	}
	if _, queue := c.get(liga, "/staff/ill/to_return"); !strings.Contains(queue, x.ID) {
		t.Errorf("%s is not in the to_return queue:\n%s", x.ID, queue)
	}
	kicks := c.kicks.Load()

	status, loc, _ = c.post(liga, tok, txPath+"/send-back", url.Values{"note": {"by post"}})
	if status != http.StatusSeeOther || loc != txPath+"?ok=ok_ill_send-back" {
		t.Fatalf("send-back: %d %q", status, loc)
	}
	if c.kicks.Load() != kicks+1 {
		t.Errorf("the outbox was woken %d times by send-back, want once", c.kicks.Load()-kicks)
	}
	for _, lang := range []string{"lv", "et", "sl", "en"} {
		_, page = c.get(liga, loc+"&lang="+lang)
		if strings.Contains(page, button) || strings.Contains(page, "ok_ill_send-back") || strings.Contains(page, "ill_act_send-back") {
			t.Errorf("%s: after send-back the page still offers it or shows a bare key:\n%s", lang, page)
		}
	}
	if _, page = c.get(liga, loc+"&lang=en"); !strings.Contains(page, "Sent back to the partner the rota passed over.") {
		t.Errorf("no confirmation after send-back:\n%s", page)
	}
	got, err := c.svc.ILLGet(ctx, core.ILLRef{ID: x.ID})
	if err != nil {
		t.Fatal(err)
	}
	if a := got.Attempts[0]; a.State != illstate.Returned || a.ReturnItem || !strings.Contains(a.Note+strings.Join(noteOf(got), " "), "by post") {
		t.Errorf("passed-over leg after send-back: %+v", a)
	}
	if got.Partner != "LV:LNB" || got.State != illstate.Pending {
		t.Errorf("current leg %s %s, want LV:LNB pending", got.Partner, got.State)
	}
	if sent, want := deliver(), []string{illPartner + " Received", illPartner + " Returned"}; strings.Join(sent, ",") != strings.Join(want, ",") {
		t.Errorf("sent %q, want %q", sent, want)
	}
	if _, queue := c.get(liga, "/staff/ill/to_return"); strings.Contains(queue, "/ill/t/"+x.ID+`"`) {
		t.Errorf("%s is still in the to_return queue:\n%s", x.ID, queue)
	}
}

// noteOf is the notes of x's events.
func noteOf(x core.ILLTransaction) []string {
	var out []string
	for _, e := range x.Events {
		out = append(out, e.Note)
	}
	return out
}
