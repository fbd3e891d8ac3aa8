package staffapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/adapters/staffapi"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
)

// emailOnly delivers as the e-mail notifier does: a notice without an
// address is an error and stays queued.
type emailOnly struct{ sent []string }

func (n *emailOnly) Deliver(_ context.Context, x core.Notice) error {
	if x.To.Email == "" {
		return errors.New("notify: notice " + x.ID + ": no e-mail address")
	}
	n.sent = append(n.sent, x.ID)
	return nil
}

func (e *env) addStaff(id, lib string, roles ...core.Role) {
	e.t.Helper()
	if _, err := e.svc.AddStaff(context.Background(), nil, core.NewStaff{ID: id, Library: lib, Roles: roles, Password: password}); err != nil {
		e.t.Fatal(err)
	}
}

func noticeIDs(t *testing.T, a answer) string {
	t.Helper()
	var l staffapi.NoticeList
	a.json(t, &l)
	var ids []string
	for _, n := range l.Notices {
		ids = append(ids, n.ID+":"+string(n.Status))
	}
	return strings.Join(ids, ",")
}

// TestNoticesOverTheAPI: the queue of notices as a library sees it. Two
// notices of Ilūkste (one to a patron with no e-mail address) and one of
// Subate; a delivery round sends what has an address and keeps the other
// queued with its failure. Each library lists its own by status; the
// print queue is the queued ones without an address; a notice delivered
// by hand leaves the queue, one resent goes back in it, addressed as the
// patron's record now stands; both are audited; others' notices and bad
// input are refused with the core's reason.
func TestNoticesOverTheAPI(t *testing.T) {
	e := newEnv(t, false)
	e.addStaff("kat", demo.Central, core.RoleCataloguing)
	ctx := context.Background()
	for _, n := range []core.Notice{
		{ID: "hold_ready/H1/I000001", Kind: core.NoticeHoldReady, PatronID: demo.PatronGood, Library: demo.Central, Title: "Zaļā zeme"},
		{ID: "hold_ready/H2/I000002", Kind: core.NoticeHoldReady, PatronID: "P0010", Library: demo.Central, Title: "Mērnieku laiki",
			To: core.Contact{Name: "Pēteris"}},
		{ID: "hold_ready/H3/I000003", Kind: core.NoticeHoldReady, PatronID: "P0015", Library: demo.Subate, Title: "Dvēseļu putenis"},
	} {
		if _, err := e.svc.Notify(ctx, n); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(60e9)
	}
	ilze, anna, kat, admin := e.signIn("ilze"), e.signIn("anna"), e.signIn("kat"), e.signIn("admin")
	if got := noticeIDs(t, ilze.do("GET", "/notices?status=no_email", nil)); got != "hold_ready/H2/I000002:queued" {
		t.Errorf("print queue before delivery: %s", got)
	}
	// The letter to print, in the patron's language, signed by the library.
	letter := "/notices/letter?id=" + url.QueryEscape("hold_ready/H2/I000002")
	var l staffapi.Letter
	a := ilze.do("GET", letter, nil)
	lib, _ := e.svc.Consortium().Library(demo.Central)
	if a.json(t, &l); a.status != 200 || l.Subject != "Rezervētais izdevums gaida jūs" || !strings.Contains(l.Body, "Mērnieku laiki") ||
		!strings.Contains(l.Body, lib.Name+", "+lib.Address) || l.Notice.Status != core.NoticeQueued {
		t.Errorf("letter: %d %s", a.status, a.body)
	}
	for _, tc := range []struct {
		who    *client
		path   string
		status int
		reason core.Reason
	}{
		{anna, letter, 403, core.ReasonForbidden},
		{ilze, "/notices/letter", 400, core.ReasonBadRequest},
		{ilze, "/notices/letter?id=nope", 404, core.ReasonNoticeNotFound},
	} {
		if a := tc.who.do("GET", tc.path, nil); a.status != tc.status || a.reason(t) != tc.reason {
			t.Errorf("%s: %d %s", tc.path, a.status, a.body)
		}
	}
	nf := &emailOnly{}
	if n, err := e.svc.DeliverNotices(ctx, nf); n != 2 || err == nil {
		t.Fatalf("delivery: %d sent, %v", n, err)
	}
	e.clock.Advance(60e9)
	if n, _ := e.svc.DeliverNotices(ctx, nf); n != 0 {
		t.Fatalf("second round sent %d", n)
	}
	for _, tc := range []struct {
		who        *client
		query      string
		want       string
		status     int
		wantReason core.Reason
	}{
		{ilze, "/notices", "hold_ready/H2/I000002:failed,hold_ready/H1/I000001:sent", 200, ""},
		{ilze, "/notices?status=queued", "hold_ready/H2/I000002:failed", 200, ""},
		{ilze, "/notices?status=failed", "hold_ready/H2/I000002:failed", 200, ""},
		{ilze, "/notices?status=no_email", "hold_ready/H2/I000002:failed", 200, ""},
		{ilze, "/notices?status=sent", "hold_ready/H1/I000001:sent", 200, ""},
		{ilze, "/notices?limit=1&status=sent", "hold_ready/H1/I000001:sent", 200, ""},
		{anna, "/notices", "hold_ready/H3/I000003:sent", 200, ""},
		{ilze, "/patrons/" + demo.PatronGood + "/notices", "hold_ready/H1/I000001:sent", 200, ""},
		// Anna may see the Ilūkste patron (consortium lending) but not
		// what Ilūkste wrote to them.
		{anna, "/patrons/" + demo.PatronGood + "/notices", "", 200, ""},
		{anna, "/notices?library=ILU", "", 403, core.ReasonForbidden},
		{kat, "/notices", "", 403, core.ReasonForbidden},
		{ilze, "/notices?status=lost", "", 400, core.ReasonBadRequest},
		{ilze, "/notices?limit=-1", "", 400, core.ReasonBadRequest},
		{ilze, "/patrons/NOSUCH/notices", "", 404, core.ReasonPatronNotFound},
	} {
		a := tc.who.do("GET", tc.query, nil)
		if a.status != tc.status {
			t.Errorf("%s: %d %s", tc.query, a.status, a.body)
			continue
		}
		if tc.status != 200 {
			if r := a.reason(t); r != tc.wantReason {
				t.Errorf("%s: reason %s", tc.query, r)
			}
			continue
		}
		if got := noticeIDs(t, a); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.query, got, tc.want)
		}
	}
	var one staffapi.NoticeList
	ilze.do("GET", "/notices?status=failed", nil).json(t, &one)
	if n := one.Notices[0]; !strings.Contains(n.Failure, "no e-mail address") || !n.FailedAt.Equal(e.clock.Now().Add(-60e9)) {
		t.Errorf("the failure as kept (the second round must not rewrite it): %q at %v", n.Failure, n.FailedAt)
	}

	for _, tc := range []struct {
		name       string
		who        *client
		path       string
		body       any
		status     int
		wantReason core.Reason
	}{
		{"no how", ilze, "/notices/delivered", map[string]string{"id": "hold_ready/H2/I000002"}, 400, core.ReasonBadRequest},
		{"unknown notice", ilze, "/notices/resend", map[string]string{"id": "hold_ready/NOPE"}, 404, core.ReasonNoticeNotFound},
		{"another library's", ilze, "/notices/resend", map[string]string{"id": "hold_ready/H3/I000003"}, 403, core.ReasonForbidden},
		{"cataloguer", kat, "/notices/resend", map[string]string{"id": "hold_ready/H1/I000001"}, 403, core.ReasonForbidden},
		{"unknown field", ilze, "/notices/resend", map[string]string{"notice": "x"}, 400, core.ReasonBadRequest},
		{"delivered when sent", ilze, "/notices/delivered", map[string]string{"id": "hold_ready/H1/I000001", "how": "phoned"}, 409, core.ReasonNotPending},
	} {
		a := tc.who.do("POST", tc.path, tc.body)
		if a.status != tc.status || a.reason(t) != tc.wantReason {
			t.Errorf("%s: %d %s", tc.name, a.status, a.body)
		}
	}
	if a := (&client{e: e, cookie: ilze.cookie}).do("POST", "/notices/resend", map[string]string{"id": "hold_ready/H1/I000001"}); a.status != 403 || a.reason(t) != staffapi.ReasonCSRF {
		t.Errorf("resend without the CSRF token: %d %s", a.status, a.body)
	}

	// Printed and posted: out of the queue, never sent by e-mail.
	var got struct{ Notice core.NoticeView }
	a = ilze.do("POST", "/notices/delivered", map[string]string{"id": "hold_ready/H2/I000002", "how": "printed and posted"})
	if a.json(t, &got); a.status != 200 || got.Notice.Status != core.NoticeSent || got.Notice.Delivery != "printed and posted" {
		t.Fatalf("delivered by hand: %d %s", a.status, a.body)
	}
	if q := noticeIDs(t, ilze.do("GET", "/notices?status=queued", nil)); q != "" {
		t.Errorf("queue after delivery by hand: %s", q)
	}
	// The patron's address changed: the sent notice goes again, there.
	mail := "janis.new@example.org"
	if a := ilze.do("PATCH", "/patrons/"+demo.PatronGood, core.PatronChanges{Email: &mail}); a.status != 200 {
		t.Fatalf("edit: %d %s", a.status, a.body)
	}
	a = ilze.do("POST", "/notices/resend", map[string]string{"id": "hold_ready/H1/I000001"})
	if a.json(t, &got); a.status != 200 || got.Notice.Status != core.NoticeQueued || got.Notice.To.Email != mail || got.Notice.Resent != 1 {
		t.Fatalf("resend: %d %s", a.status, a.body)
	}
	nf.sent = nil
	if n, err := e.svc.DeliverNotices(ctx, nf); n != 1 || err != nil || nf.sent[0] != "hold_ready/H1/I000001" {
		t.Errorf("after the resend: %d %v %v", n, err, nf.sent)
	}
	var audit struct{ Entries []core.AuditEntry }
	admin.do("GET", "/audit?actor=ilze", nil).json(t, &audit)
	var acts []string
	for _, en := range audit.Entries {
		if strings.HasPrefix(en.Object, "notice/") {
			acts = append(acts, en.Action+" "+en.Object)
		}
	}
	if strings.Join(acts, ",") != "notice_delivered notice/hold_ready/H2/I000002,notice_resend notice/hold_ready/H1/I000001" {
		t.Errorf("audit: %v", acts)
	}
}

// TestCopiesOverTheAPI: a cataloguer adds a copy to a record at her
// library (the record looked up in the catalogue, which gives the copy
// its title and author; a record it does not have refuses it), reads it
// back, edits its shelf index, price and notes; every
// write is in the audit log with the values before and after. A
// circulation librarian may not, nor may a cataloguer at another
// library; bad input is refused with the core's reason. The label fee is
// the copy's library's fixed fee, charged to the borrower.
func TestCopiesOverTheAPI(t *testing.T) {
	e := newEnvWith(t, false, staffapi.Options{Record: func(_ context.Context, id string) (string, string, bool, error) {
		switch id {
		case "demo-0001":
			return "Zaļā zeme", "Upīts, Andrejs", true, nil
		case "broken":
			return "", "", false, errors.New("index unreadable")
		}
		return "", "", false, nil
	}})
	e.addStaff("kat", demo.Central, core.RoleCataloguing)
	e.addStaff("sub", demo.Subate, core.RoleCataloguing)
	kat, sub, ilze, admin := e.signIn("kat"), e.signIn("sub"), e.signIn("ilze"), e.signIn("admin")
	newCopy := map[string]any{"id": "NEW0001", "call_number": "821 U", "material": "book", "value": 1250,
		"inventory_number": "INV-ILU-90001"}
	for _, tc := range []struct {
		name       string
		who        *client
		method     string
		path       string
		body       any
		status     int
		wantReason core.Reason
	}{
		{"circulation adds", ilze, "POST", "/records/demo-0001/copies", newCopy, 403, core.ReasonForbidden},
		{"other library's cataloguer", sub, "POST", "/records/demo-0001/copies", map[string]any{"id": "NEW0002", "library": "ILU", "value": 1}, 403, core.ReasonForbidden},
		{"blank in barcode", kat, "POST", "/records/demo-0001/copies", map[string]any{"id": "NEW 3", "value": 1}, 400, core.ReasonBadRequest},
		{"negative value", kat, "POST", "/records/demo-0001/copies", map[string]any{"id": "NEW0004", "value": -1}, 400, core.ReasonBadRequest},
		{"record differs", kat, "POST", "/records/demo-0001/copies", map[string]any{"id": "NEW0005", "record_id": "demo-0002"}, 400, core.ReasonBadRequest},
		{"unknown library", kat, "POST", "/records/demo-0001/copies", map[string]any{"id": "NEW0006", "library": "XXX"}, 404, core.ReasonLibraryNotFound},
		{"barcode in use", kat, "POST", "/records/demo-0001/copies", map[string]any{"id": "I000001"}, 409, core.ReasonItemExists},
		{"no such record", kat, "POST", "/records/demo-9999/copies", map[string]any{"id": "NEW0007"}, 404, staffapi.ReasonRecordNotFound},
		{"catalogue fails", kat, "POST", "/records/broken/copies", map[string]any{"id": "NEW0008"}, 500, "internal_error"},
		{"added", kat, "POST", "/records/demo-0001/copies", newCopy, 201, ""},
		{"edit: library", kat, "PATCH", "/items/NEW0001", map[string]any{"library": "SUB"}, 400, core.ReasonBadRequest},
		{"edit: status", kat, "PATCH", "/items/NEW0001", map[string]any{"status": "lost"}, 400, core.ReasonBadRequest},
		{"edit: negative value", kat, "PATCH", "/items/NEW0001", map[string]any{"value": -5}, 400, core.ReasonBadRequest},
		{"edit: by circulation", ilze, "PATCH", "/items/NEW0001", map[string]any{"call_number": "X"}, 403, core.ReasonForbidden},
		{"edit: other library's", sub, "PATCH", "/items/NEW0001", map[string]any{"call_number": "X"}, 403, core.ReasonForbidden},
		{"edit: unknown copy", kat, "PATCH", "/items/NOSUCH", map[string]any{"call_number": "X"}, 404, core.ReasonItemNotFound},
		{"edit", kat, "PATCH", "/items/NEW0001", map[string]any{"call_number": "821 U 2", "value": 1500, "properties": "dust jacket torn"}, 200, ""},
		{"read", ilze, "GET", "/items/NEW0001", nil, 200, ""},
		{"read unknown", ilze, "GET", "/items/NOSUCH", nil, 404, core.ReasonItemNotFound},
	} {
		a := tc.who.do(tc.method, tc.path, tc.body)
		if a.status != tc.status {
			t.Errorf("%s: %d %s", tc.name, a.status, a.body)
			continue
		}
		if tc.status >= 400 && a.reason(t) != tc.wantReason {
			t.Errorf("%s: %s", tc.name, a.body)
		}
	}
	var v staffapi.ItemView
	ilze.do("GET", "/items/NEW0001", nil).json(t, &v)
	if it := v.Item; it.Library != demo.Central || it.RecordID != "demo-0001" || it.CallNumber != "821 U 2" || it.Value != 1500 ||
		it.Status != core.ItemAvailable || it.Properties != "dust jacket torn" || it.InventoryNumber != "INV-ILU-90001" ||
		it.Title != "Zaļā zeme" || it.Author != "Upīts, Andrejs" {
		t.Errorf("the copy: %+v", it)
	}
	holdings, _ := e.svc.ItemsOfRecord(context.Background(), "demo-0001")
	found := false
	for _, h := range holdings {
		found = found || h.Item.ID == "NEW0001"
	}
	if !found {
		t.Errorf("the new copy is not among the record's holdings")
	}
	// It lends like any other copy.
	if a := ilze.do("POST", "/checkouts", map[string]string{"patron": demo.PatronGood, "item": "NEW0001"}); a.status != 201 {
		t.Fatalf("checkout of the new copy: %d %s", a.status, a.body)
	}
	var audit struct{ Entries []core.AuditEntry }
	admin.do("GET", "/audit?object=item/NEW0001", nil).json(t, &audit)
	if len(audit.Entries) != 2 || audit.Entries[0].Action != "item_add" || audit.Entries[1].Action != "item_edit" ||
		!strings.Contains(string(audit.Entries[1].Before), `"value":1250`) || !strings.Contains(string(audit.Entries[1].After), `"value":1500`) {
		t.Errorf("audit of the copy: %+v", audit.Entries)
	}

	// The label fee: the borrower by default, the library's fixed amount.
	want := e.svc.Consortium().Rules.Resolve(demo.Central, "adult", "book").LabelFee
	var fee struct{ Fee core.Fee }
	a := ilze.do("POST", "/items/NEW0001/label-fee", map[string]string{"note": "barcode scratched off"})
	if a.json(t, &fee); a.status != 201 || fee.Fee.Kind != core.FeeLabel || fee.Fee.Amount != want || fee.Fee.PatronID != demo.PatronGood || want == 0 {
		t.Fatalf("label fee: %d %s (want %v)", a.status, a.body, want)
	}
	for _, tc := range []struct {
		name       string
		who        *client
		barcode    string
		body       map[string]string
		status     int
		wantReason core.Reason
	}{
		{"not on loan, nobody named", ilze, "I000001", map[string]string{}, 400, core.ReasonBadRequest},
		{"another library's copy", sub, "NEW0001", map[string]string{}, 403, core.ReasonForbidden},
		{"unknown patron", ilze, "I000001", map[string]string{"patron": "NOSUCH"}, 404, core.ReasonPatronNotFound},
	} {
		a := tc.who.do("POST", "/items/"+tc.barcode+"/label-fee", tc.body)
		if a.status != tc.status || a.reason(t) != tc.wantReason {
			t.Errorf("%s: %d %s", tc.name, a.status, a.body)
		}
	}
	if a := (&client{e: e, cookie: kat.cookie}).do("PATCH", "/items/NEW0001", map[string]string{"call_number": "Y"}); a.status != http.StatusForbidden || a.reason(t) != staffapi.ReasonCSRF {
		t.Errorf("edit without the CSRF token: %d %s", a.status, a.body)
	}
}
