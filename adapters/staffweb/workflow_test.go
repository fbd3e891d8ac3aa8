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
)

// post sends a form with the session's token and returns the status, the
// redirect and the body.
func (c *console) post(cl *http.Client, tok, path string, form url.Values) (int, string, string) {
	c.t.Helper()
	form.Set("csrf", tok)
	resp, err := cl.PostForm(c.srv.URL+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	body := read(c.t, resp)
	return resp.StatusCode, resp.Header.Get("Location"), body
}

func (c *console) get(cl *http.Client, path string) (int, string) {
	c.t.Helper()
	resp, err := cl.Get(c.srv.URL + path)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, read(c.t, resp)
}

// TestEveryPageInEveryLanguage: each page renders whole in each of the
// four languages, with its title in that language.
func TestEveryPageInEveryLanguage(t *testing.T) {
	c := newConsole(t, false)
	cl := c.client()
	c.signIn(cl, "anna")
	titles := map[string][4]string{
		"/staff/":               {"Pārskats", "Ülevaade", "Pregled", "Dashboard"},
		"/staff/patron/P0004":   {"Katrīna Ozoliņa", "Katrīna Ozoliņa", "Katrīna Ozoliņa", "Katrīna Ozoliņa"},
		"/staff/copy/I000001":   {"Zaļā zeme", "Zaļā zeme", "Zaļā zeme", "Zaļā zeme"},
		"/staff/desk":           {"Izsniegšana un saņemšana", "Laenutus ja tagastus", "Izposoja in vračilo", "Checkout and checkin"},
		"/staff/renewals":       {"Pagarināšanas pieprasījumi", "Pikendustaotlused", "Zahteve za podaljšanje", "Renewal requests"},
		"/staff/holds":          {"Rezervāciju pārskatīšana", "Broneeringute läbivaatus", "Pregled rezervacij", "Hold review"},
		"/staff/register":       {"Reģistrēt lasītāju", "Registreeri lugeja", "Vpis člana", "Register a patron"},
		"/staff/audit":          {"Darbību žurnāls", "Tegevuslogi", "Revizijska sled", "Audit log"},
		"/staff/staff":          {"Darbinieku konti", "Töötajate kontod", "Računi osebja", "Staff accounts"},
		"/staff/find?q=berzins": {"Meklēšana", "Otsing", "Iskanje", "Search"},
	}
	for path, want := range titles {
		for i, lang := range []string{"lv", "et", "sl", "en"} {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			status, body := c.get(cl, path+sep+"lang="+lang)
			if status != 200 || !strings.HasSuffix(strings.TrimSpace(body), "</html>") {
				t.Errorf("%s in %s: %d, page cut short:\n%s", path, lang, status, body)
				continue
			}
			if !strings.Contains(body, "<h1>"+want[i]+"</h1>") || !strings.Contains(body, `<html lang="`+lang+`">`) {
				t.Errorf("%s in %s: no title %q", path, lang, want[i])
			}
		}
	}
}

// TestPatronActions: block with a reason and unblock, a payment, a waiver
// with a reason, a checkout and a renewal from the patron page; each is
// done by the core and said on the page it returns to.
func TestPatronActions(t *testing.T) {
	c := newConsole(t, false)
	ctx := context.Background()
	cl := c.client()
	tok, _ := c.signIn(cl, "anna")

	if st, loc, _ := c.post(cl, tok, "/staff/patron/P0001/block", url.Values{"reason": {""}}); st != http.StatusSeeOther || !strings.Contains(loc, "err=bad_request") {
		t.Errorf("block without a reason: %d %q", st, loc)
	}
	if _, loc, _ := c.post(cl, tok, "/staff/patron/P0001/block", url.Values{"reason": {"card reported lost"}}); !strings.Contains(loc, "ok=ok_blocked") {
		t.Errorf("block: %q", loc)
	}
	if _, body := c.get(cl, "/staff/patron/P0001?ok=ok_blocked"); !strings.Contains(body, "Lasītājs bloķēts.") || !strings.Contains(body, "card reported lost") {
		t.Errorf("patron page after the block lacks the message or the reason")
	}
	if _, loc, _ := c.post(cl, tok, "/staff/patron/P0001/unblock", url.Values{}); !strings.Contains(loc, "ok=ok_unblocked") {
		t.Errorf("unblock: %q", loc)
	}

	// A checkout from the patron page, then its renewal.
	if _, loc, _ := c.post(cl, tok, "/staff/patron/P0001/checkout", url.Values{"barcode": {"I000001"}}); !strings.Contains(loc, "ok=ok_checked_out") {
		t.Fatalf("checkout: %q", loc)
	}
	if _, loc, _ := c.post(cl, tok, "/staff/patron/P0001/renew/I000001", url.Values{}); !strings.Contains(loc, "err=renewal_would_not_move_due_date") {
		t.Errorf("renew on the day of the loan: %q, want the rule's refusal", loc)
	}
	// Ten days later the session has long been idle too long: sign in
	// again.
	c.clock.Advance(10 * 24 * time.Hour)
	if st, _, _ := c.post(cl, tok, "/staff/patron/P0001/renew/I000001", url.Values{}); st != http.StatusForbidden {
		t.Errorf("a POST in a session idle for ten days: %d, want 403", st)
	}
	tok, _ = c.signIn(cl, "anna")
	if _, loc, _ := c.post(cl, tok, "/staff/patron/P0001/renew/I000001", url.Values{}); !strings.Contains(loc, "ok=ok_renewed") {
		t.Errorf("renew ten days later: %q", loc)
	}
	if sum, _ := c.svc.Patron(ctx, demo.PatronGood); len(sum.Loans) != 1 || sum.Loans[0].Loan.Renewals != 1 {
		t.Errorf("P0001 loans after checkout and renewal: %+v", sum.Loans)
	}

	// P0007 owes 6.00: 2,50 paid (a decimal comma), the rest waived.
	if _, loc, _ := c.post(cl, tok, "/staff/patron/P0007/pay", url.Values{"amount": {"2,50"}, "txn": {"t1"}}); !strings.Contains(loc, "ok=ok_paid") {
		t.Fatalf("pay: %q", loc)
	}
	// The same form sent again (a double click) is one payment.
	c.post(cl, tok, "/staff/patron/P0007/pay", url.Values{"amount": {"2,50"}, "txn": {"t1"}})
	sum, _ := c.svc.Patron(ctx, demo.PatronDebtor)
	if sum.Owed != 350 {
		t.Fatalf("P0007 owes %v after paying 2.50 (twice sent), want 3.50", sum.Owed)
	}
	if _, loc, _ := c.post(cl, tok, "/staff/patron/P0007/pay", url.Values{"amount": {"abc"}}); !strings.Contains(loc, "err=bad_request") {
		t.Errorf("pay abc: %q", loc)
	}
	// P0007 is a patron of another library: its administrator, or the
	// consortium's, waives.
	fee := sum.Fees[0].ID
	if _, loc, _ := c.post(cl, tok, "/staff/patron/P0007/fee/"+fee+"/waive", url.Values{"reason": {"hardship"}}); !strings.Contains(loc, "err=forbidden") {
		t.Errorf("waive at another library: %q", loc)
	}
	cons := c.client()
	consTok, _ := c.signIn(cons, "ieva")
	if _, loc, _ := c.post(cons, consTok, "/staff/patron/P0007/fee/"+fee+"/waive", url.Values{"reason": {""}}); !strings.Contains(loc, "err=bad_request") {
		t.Errorf("waive without a reason: %q", loc)
	}
	if _, loc, _ := c.post(cons, consTok, "/staff/patron/P0007/fee/"+fee+"/waive", url.Values{"reason": {"hardship"}}); !strings.Contains(loc, "ok=ok_waived") {
		t.Errorf("waive: %q", loc)
	}
	if sum, _ := c.svc.Patron(ctx, demo.PatronDebtor); sum.Owed != 0 {
		t.Errorf("P0007 owes %v after the waiver", sum.Owed)
	}
	entries, err := c.svc.QueryAudit(ctx, core.Actor{StaffID: "ieva"}, core.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"patron_block", "patron_unblock", "checkout", "renew", "fee_pay", "fee_waive"} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("audit log lacks %s: %v", want, actions)
		}
	}
}

// TestDeskAndCopy: checkout and checkin at the desk say what happened and
// where the copy goes; a refusal is said in the page's language; a copy
// declared lost and found is back.
func TestDeskAndCopy(t *testing.T) {
	c := newConsole(t, false)
	cl := c.client()
	tok, _ := c.signIn(cl, "anna")
	st, _, body := c.post(cl, tok, "/staff/desk/checkout?lang=en", url.Values{"card": {"P0001"}, "barcode": {"I000002"}})
	if st != 200 || !strings.Contains(body, "Lent: Mērnieku laiki, due") || !strings.Contains(body, `value="P0001"`) {
		t.Errorf("desk checkout: %d\n%s", st, body)
	}
	// Its language links go to the desk page, not to the form's target.
	if !strings.Contains(body, `href="/staff/desk?lang=et"`) {
		t.Errorf("the answer to a checkout links its languages elsewhere")
	}
	st, _, body = c.post(cl, tok, "/staff/desk/checkout?lang=en", url.Values{"card": {"P0002"}, "barcode": {"I000003"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "Your card is blocked") {
		t.Errorf("desk checkout to a blocked patron: %d", st)
	}
	// I000002 belongs to ILUB: returned at ILU it goes home.
	st, _, body = c.post(cl, tok, "/staff/desk/checkin?lang=en", url.Values{"barcode": {"I000002"}})
	if st != 200 || !strings.Contains(body, "Returned: Mērnieku laiki") || !strings.Contains(body, "Send home to ILUB") {
		t.Errorf("desk checkin: %d\n%s", st, body)
	}
	if _, loc, _ := c.post(cl, tok, "/staff/copy/I000001/declare", url.Values{"condition": {"lost"}}); !strings.Contains(loc, "ok=ok_item_lost") {
		t.Errorf("declare lost: %q", loc)
	}
	if _, body := c.get(cl, "/staff/copy/I000001"); !strings.Contains(body, `<dd id="copy-status">missing`) {
		t.Errorf("a copy on the shelf declared lost is not missing")
	}
	if _, loc, _ := c.post(cl, tok, "/staff/copy/I000001/declare", url.Values{"condition": {"found"}}); !strings.Contains(loc, "ok=ok_item_found") {
		t.Errorf("declare found: %q", loc)
	}
	if sum, _ := c.svc.Item(context.Background(), "I000001"); sum.Item.Status != core.ItemAvailable {
		t.Errorf("I000001 after found: %s", sum.Item.Status)
	}
	if _, loc, _ := c.post(cl, tok, "/staff/copy/I000001/declare", url.Values{"condition": {"damaged"}, "amount": {"3"}}); !strings.Contains(loc, "err=bad_request") {
		t.Errorf("damage to a copy on the shelf without a patron: %q", loc)
	}
}

// TestRegisterPatron: an adult is registered; a minor without a guardian
// is refused and with one registered; a card that exists is never
// overwritten.
func TestRegisterPatron(t *testing.T) {
	c := newConsole(t, false)
	ctx := context.Background()
	cl := c.client()
	tok, _ := c.signIn(cl, "anna")
	adult := url.Values{"card": {"N0001"}, "name": {"Laura Vītola"}, "email": {"laura@patron.example.org"}, "category": {"adult"},
		"library": {"ILU"}, "language": {"lv"}, "birth": {"1990-05-04"}, "pin": {"5678"}, "resident": {"1"}, "identity": {"1"}}
	if _, loc, _ := c.post(cl, tok, "/staff/register", adult); loc != "/staff/patron/N0001?ok=ok_registered" {
		t.Fatalf("register an adult: %q", loc)
	}
	if err := c.svc.VerifyPatron(ctx, "N0001", "5678"); err != nil {
		t.Errorf("the new patron's PIN: %v", err)
	}
	minor := url.Values{"card": {"N0002"}, "name": {"Pēteris Vītols"}, "category": {"child"}, "library": {"ILU"},
		"birth": {time.Now().AddDate(-8, 0, 0).Format("2006-01-02")}, "pin": {"1111"}, "resident": {"1"}, "identity": {"1"}}
	st, _, body := c.post(cl, tok, "/staff/register", minor)
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "Nepilngadīgam lasītājam vajadzīgs aizbildnis") || !strings.Contains(body, `value="Pēteris Vītols"`) {
		t.Errorf("a minor without a guardian: %d", st)
	}
	minor.Set("guardian_name", "Laura Vītola")
	if st, _, _ := c.post(cl, tok, "/staff/register", minor); st != http.StatusUnprocessableEntity {
		t.Errorf("a minor's guardian without an address or phone: %d", st)
	}
	minor.Set("guardian_phone", "+371 20000000")
	if _, loc, _ := c.post(cl, tok, "/staff/register", minor); !strings.Contains(loc, "ok=ok_registered") {
		t.Fatalf("a minor with a guardian: %q", loc)
	}
	sum, err := c.svc.Patron(ctx, "N0002")
	if err != nil || !sum.Minor || sum.Patron.Guardian == nil || sum.Patron.Guardian.Name != "Laura Vītola" {
		t.Errorf("N0002: %+v %v", sum.Patron, err)
	}
	again := url.Values{"card": {"P0001"}, "name": {"Someone Else"}, "library": {"ILU"}, "pin": {"9999"}}
	if st, _, _ := c.post(cl, tok, "/staff/register", again); st != http.StatusUnprocessableEntity {
		t.Errorf("registering over P0001: %d", st)
	}
	if sum, _ := c.svc.Patron(ctx, "P0001"); sum.Patron.Name != "Jānis Bērziņš" {
		t.Errorf("P0001 overwritten: %q", sum.Patron.Name)
	}
	// Both registrations are in the audit log, without the PIN.
	entries, err := c.svc.QueryAudit(ctx, core.Actor{StaffID: "anna"}, core.AuditQuery{Actor: "anna"})
	if err != nil {
		t.Fatal(err)
	}
	registered := 0
	for _, e := range entries {
		if e.Action == "patron_register" {
			registered++
			if strings.Contains(string(e.After), "5678") || strings.Contains(string(e.After), "1111") {
				t.Errorf("a PIN in the audit log: %s", e.After)
			}
		}
	}
	if registered != 2 {
		t.Errorf("%d registrations in the audit log, want 2", registered)
	}
}

// TestStaffAdmin: an administrator adds a staff member, who can then sign
// in, and sets their password; a circulation librarian has no such page.
func TestStaffAdmin(t *testing.T) {
	c := newConsole(t, false)
	cl := c.client()
	tok, _ := c.signIn(cl, "anna")
	if _, loc, _ := c.post(cl, tok, "/staff/staff", url.Values{"id": {"liga"}, "name": {"Līga Ozola"}, "library": {"ILU"},
		"role": {"circulation", "ill"}, "password": {password}}); !strings.Contains(loc, "ok=ok_staff_added") {
		t.Fatalf("add staff: %q", loc)
	}
	if _, loc, _ := c.post(cl, tok, "/staff/staff", url.Values{"id": {"x"}, "name": {"X"}, "library": {"ILU"},
		"role": {"circulation"}, "password": {"short"}}); !strings.Contains(loc, "err=password_too_short") {
		t.Errorf("a short password: %q", loc)
	}
	if _, body := c.get(cl, "/staff/staff"); !strings.Contains(body, "Līga Ozola") || !strings.Contains(body, "circulation, ill") {
		t.Errorf("staff list lacks the new account")
	}
	if _, loc, _ := c.post(cl, tok, "/staff/staff/liga/password", url.Values{"password": {"another good password"}}); !strings.Contains(loc, "ok=ok_password_set") {
		t.Errorf("set password: %q", loc)
	}
	if _, _, _, err := c.svc.StaffSignIn(context.Background(), "liga", "another good password", "test"); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}
	// Disabled, liga's session ends and she cannot sign in; enabled, she can.
	c.post(cl, tok, "/staff/staff/liga/password", url.Values{"password": {password}})
	liga := c.client()
	c.signIn(liga, "liga")
	if _, loc, _ := c.post(cl, tok, "/staff/staff/liga/disabled", url.Values{"disabled": {"1"}}); !strings.Contains(loc, "ok=ok_staff_disabled") {
		t.Errorf("disable: %q", loc)
	}
	if st, _ := c.get(liga, "/staff/"); st != http.StatusSeeOther {
		t.Errorf("a disabled member's session still opens the dashboard: %d", st)
	}
	if _, body := c.get(cl, "/staff/staff?lang=en"); !strings.Contains(body, "Līga Ozola <em class=\"late\">(disabled)</em>") {
		t.Errorf("the staff list does not say liga is disabled")
	}
	if _, _, _, err := c.svc.StaffSignIn(context.Background(), "liga", password, "test"); err == nil {
		t.Errorf("a disabled member signed in")
	}
	if _, loc, _ := c.post(cl, tok, "/staff/staff/liga/disabled", url.Values{"disabled": {"0"}}); !strings.Contains(loc, "ok=ok_staff_enabled") {
		t.Errorf("enable: %q", loc)
	}
	if _, _, _, err := c.svc.StaffSignIn(context.Background(), "liga", password, "test"); err != nil {
		t.Errorf("sign in after being enabled: %v", err)
	}
	if _, loc, _ := c.post(cl, tok, "/staff/staff/anna/disabled", url.Values{"disabled": {"1"}}); !strings.Contains(loc, "err=bad_request") {
		t.Errorf("an administrator disabling herself: %q", loc)
	}

	sub := c.client()
	subTok, _ := c.signIn(sub, "sub")
	if st, _ := c.get(sub, "/staff/staff"); st != http.StatusForbidden {
		t.Errorf("staff page for a circulation librarian: %d", st)
	}
	if st, _, _ := c.post(sub, subTok, "/staff/staff", url.Values{"id": {"evil"}, "name": {"E"}, "library": {"SUB"},
		"role": {"admin"}, "password": {password}}); st == http.StatusSeeOther {
		if _, _, _, err := c.svc.StaffSignIn(context.Background(), "evil", password, "test"); err == nil {
			t.Errorf("a circulation librarian created an administrator")
		}
	}
}
