package staffweb_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/adapters/staffweb"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/ill/partners"
	"github.com/bibgate/bibgate/store/memstore"
)

const illPartner = "EE:TARTU"

// illConsole is a console over the demo data with one ILL partner, an
// ILL librarian (liga), a circulation librarian of the ILL library (ilze)
// and the Ilūkste administrator (anna); kicks counts the outbox wake-ups.
// The partner asked for two titles: Python Web programming, whose only
// copy is out (the request waits in the inbox), and Zaļā zeme, whose copy
// is trapped for it (to ship).
type illConsole struct {
	*console
	kicks          *atomic.Int32
	queued, toShip core.ILLTransaction
}

func newILLConsole(t *testing.T) *illConsole { return newILLConsoleWith(t, nil, nil) }

// newILLConsoleWith is newILLConsole with more partners and the
// console's lookup in their catalogues.
func newILLConsoleWith(t *testing.T, more []core.ILLPartner, find func(context.Context, partners.Query) (*partners.Result, error)) *illConsole {
	t.Helper()
	return newILLConsoleSet(t, more, find, nil)
}

// newILLConsoleSet is newILLConsoleWith with the ILL settings changed by
// set (nil: as they are).
func newILLConsoleSet(t *testing.T, more []core.ILLPartner, find func(context.Context, partners.Query) (*partners.Result, error), set func(*core.ILLSettings)) *illConsole {
	t.Helper()
	ctx := context.Background()
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	cons := demo.Consortium()
	cons.ILL = core.ILLSettings{Symbol: "LV:ILU", Partners: append([]core.ILLPartner{{Symbol: illPartner, Name: "Tartu Ülikooli Raamatukogu"}}, more...)}
	if set != nil {
		set(&cons.ILL)
	}
	svc, err := core.NewService(memstore.New(), cons, core.Options{Clock: clock, KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	for _, st := range []core.NewStaff{
		{ID: "liga", Library: demo.Central, Name: "Līga SBA", Roles: []core.Role{core.RoleILL}, Password: password},
		{ID: "ilze", Library: demo.Central, Name: "Ilze Desk", Roles: []core.Role{core.RoleCirculation}, Password: password},
		{ID: "anna", Library: demo.Central, Name: "Anna Admin", Roles: []core.Role{core.RoleAdmin}, Password: password},
	} {
		if _, err := svc.AddStaff(ctx, nil, st); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Checkout(ctx, core.CheckoutRequest{Library: demo.Central, PatronID: "P0020", ItemID: "I000370"}); err != nil {
		t.Fatal(err)
	}
	incoming := func(q, item string) core.ILLTransaction {
		it, err := svc.Item(ctx, item)
		if err != nil {
			t.Fatal(err)
		}
		x, err := svc.ILLIncoming(ctx, core.ILLIncomingRequest{TID: core.TransactionID{InitialRequester: core.SystemID{Symbol: illPartner}, Transaction: q},
			Item: core.ILLItem{RecordIDs: []string{it.Item.RecordID}, Title: it.Item.Title}})
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	c := &illConsole{kicks: &atomic.Int32{}}
	c.queued, c.toShip = incoming("tartu-1", "I000370"), incoming("tartu-2", "I000001")
	if c.queued.Events[1].Qualifier != illstate.QHoldPlaced || c.toShip.Events[1].Qualifier != illstate.QWillSupply {
		t.Fatalf("answers %+v %+v", c.queued.Events, c.toShip.Events)
	}
	logs := &syncBuffer{}
	h, err := staffweb.New(svc, staffweb.Options{Prefix: "/staff", Log: zerolog.New(logs), ILLQueued: func() { c.kicks.Add(1) },
		FindSuppliers: find})
	if err != nil {
		t.Fatal(err)
	}
	c.console = &console{t: t, svc: svc, clock: clock, log: logs, srv: httptest.NewServer(h)}
	t.Cleanup(c.srv.Close)
	return c
}

func (c *illConsole) state(id string) illstate.State {
	c.t.Helper()
	x, err := c.svc.ILLGet(context.Background(), core.ILLRef{ID: id})
	if err != nil {
		c.t.Fatal(err)
	}
	return x.State
}

// TestILLPagesRefused: the ILL pages and actions are for staff with the
// ILL permission; a circulation librarian gets 403 and no data, and the
// menu shows her no ILL link. A POST without the session's CSRF token is
// refused whoever sends it. Nothing changes.
func TestILLPagesRefused(t *testing.T) {
	c := newILLConsole(t)
	ilze, liga, nobody := c.client(), c.client(), c.client()
	ilzeTok, _ := c.signIn(ilze, "ilze")
	ligaTok, _ := c.signIn(liga, "liga")
	ship := "/staff/ill/t/" + c.toShip.ID + "/ship"
	for _, tc := range []struct {
		name, method, path string
		cl                 *http.Client
		tok                string
		want               int
	}{
		{"no session: inbox", "GET", "/staff/ill/inbox", nobody, "", http.StatusSeeOther}, // to the sign-in page
		{"no session: ship", "POST", ship, nobody, "guess", http.StatusForbidden},
		{"circulation: inbox", "GET", "/staff/ill/inbox", ilze, "", http.StatusForbidden},
		{"circulation: transaction", "GET", "/staff/ill/t/" + c.queued.ID, ilze, "", http.StatusForbidden},
		{"circulation: new request", "GET", "/staff/ill/new", ilze, "", http.StatusForbidden},
		{"circulation: ship", "POST", ship, ilze, ilzeTok, http.StatusSeeOther}, // back to the page, with the refusal
		{"circulation: new request sent", "POST", "/staff/ill/new", ilze, ilzeTok, http.StatusForbidden},
		{"no CSRF token", "POST", ship, liga, "", http.StatusForbidden},
		{"another session's CSRF token", "POST", ship, liga, ilzeTok, http.StatusForbidden},
		{"no such queue", "GET", "/staff/ill/nothing", liga, "", http.StatusNotFound},
		{"no such transaction", "GET", "/staff/ill/t/T404", liga, "", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var status int
			var body string
			if tc.method == "GET" {
				status, body = c.get(tc.cl, tc.path)
			} else {
				form := url.Values{"barcode": {"I000001"}, "patron": {demo.PatronGood}, "partner": {illPartner}, "title": {"x"}}
				if tc.tok != "" {
					form.Set("csrf", tc.tok)
				}
				resp, err := tc.cl.PostForm(c.srv.URL+tc.path, form)
				if err != nil {
					t.Fatal(err)
				}
				status, body = resp.StatusCode, read(t, resp)
				if loc := resp.Header.Get("Location"); status == http.StatusSeeOther && !strings.HasSuffix(loc, "?err=forbidden") {
					t.Errorf("POST %s: to %q, want the refusal", tc.path, loc)
				}
			}
			if status != tc.want {
				t.Errorf("%s %s: %d, want %d\n%s", tc.method, tc.path, status, tc.want, body)
			}
			if strings.Contains(body, "Python Web") || strings.Contains(body, "tartu-1") {
				t.Errorf("%s %s shows ILL data:\n%s", tc.method, tc.path, body)
			}
		})
	}
	if st := c.state(c.toShip.ID); st != illstate.InProcess {
		t.Errorf("state after refused ships: %s", st)
	}
	if n := c.kicks.Load(); n != 0 {
		t.Errorf("the outbox was woken %d times by refused requests", n)
	}
	_, dash := c.get(ilze, "/staff/")
	_, ligaDash := c.get(liga, "/staff/")
	if strings.Contains(dash, `id="nav-ill"`) || !strings.Contains(ligaDash, `id="nav-ill"`) {
		t.Errorf("ILL link: circulation %v, ILL %v; want only the ILL librarian's", strings.Contains(dash, `id="nav-ill"`), strings.Contains(ligaDash, `id="nav-ill"`))
	}
	_ = ligaTok
}

// TestILLActionsInTheConsole: the ILL librarian sees the partner's
// requests in their queues, and a refusal of the state table comes back
// as the engine's reason in her language; she supplies the queued request
// with the copy once it is back, ships it, and files a request for a
// patron. Each action wakes the outbox and is in the audit log.
func TestILLActionsInTheConsole(t *testing.T) {
	c := newILLConsole(t)
	liga := c.client()
	tok, _ := c.signIn(liga, "liga")

	_, inbox := c.get(liga, "/staff/ill/inbox?lang=en")
	if !strings.Contains(inbox, `data-transaction="tartu-1"`) || strings.Contains(inbox, `data-transaction="tartu-2"`) {
		t.Fatalf("inbox:\n%s", inbox)
	}
	if !strings.Contains(inbox, core.InstitutionCard(illPartner)) {
		t.Errorf("inbox without the partner's card for a librarian who may read patrons:\n%s", inbox)
	}
	_, toShip := c.get(liga, "/staff/ill/to_ship")
	if !strings.Contains(toShip, `data-transaction="tartu-2"`) || strings.Contains(toShip, `data-transaction="tartu-1"`) {
		t.Errorf("to ship:\n%s", toShip)
	}

	txPath := "/staff/ill/t/" + c.queued.ID
	for _, tc := range []struct {
		name, action string
		form         url.Values
		reason       string
		lv, en       string
	}{
		{"the lender does not receive", "receive", url.Values{}, "ill_state_transition_prohibited",
			"Pieprasījuma pašreizējā stāvoklī šī darbība nav atļauta.", "The request's state does not allow this."},
		{"the copy is still out", "supply", url.Values{"barcode": {"I000370"}}, "item_not_available", "", ""},
		{"no such copy", "supply", url.Values{"barcode": {"NOPE"}}, "item_not_found", "", ""},
		{"a reason not in the list", "unfilled", url.Values{"reason": {"bored"}}, "bad_request", "", ""},
		{"not an action", "burn", url.Values{}, "bad_request", "", ""},
		{"a date that is no date", "renew", url.Values{"date": {"soon"}}, "bad_request", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, loc, _ := c.post(liga, tok, txPath+"/"+tc.action, tc.form)
			if status != http.StatusSeeOther || loc != txPath+"?err="+tc.reason {
				t.Fatalf("%s: %d to %q, want 303 to the transaction with %s", tc.action, status, loc, tc.reason)
			}
			if tc.lv == "" {
				return
			}
			for lang, want := range map[string]string{"lv": tc.lv, "en": tc.en} {
				_, page := c.get(liga, loc+"&lang="+lang)
				if !strings.Contains(html.UnescapeString(page), want) {
					t.Errorf("%s: the page in %s does not say %q", tc.action, lang, want)
				}
			}
		})
	}
	if st := c.state(c.queued.ID); st != illstate.InProcess {
		t.Fatalf("state after refusals: %s", st)
	}

	// The copy comes back at the desk: trapped for the partner.
	if _, err := c.svc.Checkin(context.Background(), core.CheckinRequest{Library: demo.Central, ItemID: "I000370"}); err != nil {
		t.Fatal(err)
	}
	_, page := c.get(liga, txPath)
	if !strings.Contains(page, `id="supply-barcode" value="I000370"`) {
		t.Errorf("the supply form does not offer the trapped copy:\n%s", page)
	}
	status, loc, _ := c.post(liga, tok, txPath+"/supply", url.Values{"barcode": {"I000370"}, "note": {"on its way tomorrow"}})
	if status != http.StatusSeeOther || loc != txPath+"?ok=ok_ill_supply" {
		t.Fatalf("supply: %d %q", status, loc)
	}
	_, page = c.get(liga, loc+"&lang=en")
	if !strings.Contains(page, "The partner is told we will supply.") || !strings.Contains(page, `data-event="&gt;ILL-Answer:will-supply"`) {
		t.Errorf("after supply:\n%s", page)
	}
	if !strings.Contains(page, "Otherwise it is due 2026-11-23.") {
		t.Errorf("the ship form does not say the rules' due date:\n%s", page)
	}
	status, loc, _ = c.post(liga, tok, txPath+"/ship", url.Values{"barcode": {"I000370"}, "date": {"2026-10-30"}})
	if status != http.StatusSeeOther || loc != txPath+"?err=bad_request" {
		t.Fatalf("ship due before today: %d %q", status, loc)
	}
	status, loc, _ = c.post(liga, tok, txPath+"/ship", url.Values{"barcode": {"I000370"}, "date": {""}})
	if status != http.StatusSeeOther || loc != txPath+"?ok=ok_ill_ship" {
		t.Fatalf("ship: %d %q", status, loc)
	}
	_, page = c.get(liga, loc+"&lang=en")
	if !strings.Contains(page, `data-state="SHIPPED"`) || !strings.Contains(page, `id="ill-due">2026-11-23`) {
		t.Errorf("after ship:\n%s", page)
	}
	if sum, err := c.svc.Item(context.Background(), "I000370"); err != nil || sum.Item.Status != core.ItemOnLoan {
		t.Errorf("the copy after shipping: %+v %v", sum.Item, err)
	}

	// A new request for a patron: incomplete, then filed.
	status, _, body := c.post(liga, tok, "/staff/ill/new?lang=en", url.Values{"patron": {demo.PatronGood}, "partner": {illPartner}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "a title or ISBN/ISSN") {
		t.Errorf("incomplete request: %d\n%s", status, body)
	}
	status, _, body = c.post(liga, tok, "/staff/ill/new", url.Values{"patron": {"P9999"}, "partner": {illPartner}, "title": {"Kalevipoeg"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="ill-new-error"`) {
		t.Errorf("request for no patron: %d\n%s", status, body)
	}
	status, loc, _ = c.post(liga, tok, "/staff/ill/new", url.Values{"patron": {demo.PatronGood}, "partner": {illPartner},
		"title": {"Kalevipoeg"}, "isbn": {"9789985301234"}, "service": {"loan"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/staff/ill/t/") || !strings.HasSuffix(loc, "?ok=ok_ill_request") {
		t.Fatalf("new request: %d %q", status, loc)
	}
	_, outbox := c.get(liga, "/staff/ill/outbox")
	if !strings.Contains(outbox, "Kalevipoeg") || !strings.Contains(outbox, demo.PatronGood) {
		t.Errorf("outbox:\n%s", outbox)
	}
	if n := c.kicks.Load(); n != 3 {
		t.Errorf("outbox woken %d times, want 3 (supply, ship, request)", n)
	}

	// anna, the administrator, reads it all in the audit log.
	anna := c.client()
	c.signIn(anna, "anna")
	_, audit := c.get(anna, "/staff/audit?actor=liga")
	for _, want := range []string{"ill_supply", "ill_ship", "ill_request", "ill/" + c.queued.ID} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit log without %s", want)
		}
	}
}

// TestILLPagesInEveryLanguage: each ILL page renders whole in each of the
// four languages.
func TestILLPagesInEveryLanguage(t *testing.T) {
	c := newILLConsole(t)
	cl := c.client()
	c.signIn(cl, "liga")
	titles := map[string][4]string{
		"/staff/ill/inbox":            {"Ienākošie", "Sissetulevad", "Prejeti", "Inbox"},
		"/staff/ill/outbox":           {"Mūsu pieprasījumi", "Meie tellimused", "Naši zahtevki", "Outbox"},
		"/staff/ill/to_ship":          {"Jānosūta", "Saata", "Za pošiljanje", "To ship"},
		"/staff/ill/to_return":        {"Jāatdod", "Tagastada", "Za vračilo", "To return"},
		"/staff/ill/overdue":          {"Kavētie", "Tähtaja ületanud", "Zamujeni", "Overdue"},
		"/staff/ill/all":              {"Visi", "Kõik", "Vsi", "All"},
		"/staff/ill/new":              {"Jauns SBA pieprasījums", "Uus RVL tellimus", "Nov zahtevek MIZ", "New ILL request"},
		"/staff/ill/t/" + c.toShip.ID: {"SBA pieprasījums " + c.toShip.ID, "RVL tellimus " + c.toShip.ID, "Zahtevek MIZ " + c.toShip.ID, "ILL request " + c.toShip.ID},
		"/staff/ill/t/" + c.queued.ID: {"SBA pieprasījums " + c.queued.ID, "RVL tellimus " + c.queued.ID, "Zahtevek MIZ " + c.queued.ID, "ILL request " + c.queued.ID},
	}
	for path, want := range titles {
		for i, lang := range []string{"lv", "et", "sl", "en"} {
			status, body := c.get(cl, path+"?lang="+lang)
			if status != 200 || !strings.HasSuffix(strings.TrimSpace(body), "</html>") {
				t.Errorf("%s in %s: %d, page cut short:\n%s", path, lang, status, body)
				continue
			}
			if !strings.Contains(body, "<h1>"+want[i]+"</h1>") {
				t.Errorf("%s in %s: no title %q", path, lang, want[i])
			}
			if strings.Contains(body, "ill_") {
				t.Errorf("%s in %s: an untranslated key:\n%s", path, lang, body)
			}
		}
	}
	status, _ := c.get(cl, "/staff/ill")
	if status != http.StatusSeeOther {
		t.Errorf("/staff/ill: %d, want a redirect to the inbox", status)
	}
}
