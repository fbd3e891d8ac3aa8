package staffweb_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/adapters/staffweb"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/store/memstore"
)

const password = "correct horse battery"

// console is a console over the demo data with staff accounts, served by
// an httptest server (TLS when tls is set).
type console struct {
	t     *testing.T
	svc   *core.Service
	srv   *httptest.Server
	clock *core.FixedClock
	log   *syncBuffer
}

// syncBuffer collects the console's log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newConsole(t *testing.T, tls bool) *console {
	t.Helper()
	return newConsoleOpts(t, tls, staffweb.Options{})
}

func newConsoleOpts(t *testing.T, tls bool, opts staffweb.Options) *console {
	t.Helper()
	ctx := context.Background()
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	svc, err := core.NewService(memstore.New(), demo.Consortium(), core.Options{Clock: clock, KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	for _, st := range []core.NewStaff{
		{ID: "anna", Library: demo.Central, Name: "Anna Admin", Roles: []core.Role{core.RoleAdmin}, Password: password},
		{ID: "sub", Library: demo.Subate, Name: "Sandra Subate", Roles: []core.Role{core.RoleCirculation}, Password: password},
		{ID: "ieva", Library: demo.Central, Name: "Ieva Consortium", Roles: []core.Role{core.RoleConsortiumAdmin}, Password: password},
	} {
		if _, err := svc.AddStaff(ctx, nil, st); err != nil {
			t.Fatal(err)
		}
	}
	logs := &syncBuffer{}
	opts.Prefix, opts.Log = "/staff", zerolog.New(logs)
	h, err := staffweb.New(svc, opts)
	if err != nil {
		t.Fatal(err)
	}
	c := &console{t: t, svc: svc, clock: clock, log: logs}
	if tls {
		c.srv = httptest.NewTLSServer(h)
	} else {
		c.srv = httptest.NewServer(h)
	}
	t.Cleanup(c.srv.Close)
	return c
}

// client is a browser without JavaScript: a cookie jar, no redirects
// followed unless asked.
func (c *console) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	cl := *c.srv.Client() // a copy: each browser its own cookie jar
	cl.Jar = jar
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cl
}

func read(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", page)
	}
	return m[1]
}

// signIn signs id in through the form and returns the session's CSRF
// token (read from the dashboard) and the sign-in response.
func (c *console) signIn(cl *http.Client, id string) (string, *http.Response) {
	c.t.Helper()
	resp, err := cl.Get(c.srv.URL + "/staff/signin")
	if err != nil {
		c.t.Fatal(err)
	}
	tok := csrfOf(c.t, read(c.t, resp))
	resp, err = cl.PostForm(c.srv.URL+"/staff/signin", url.Values{"csrf": {tok}, "id": {id}, "password": {password}})
	if err != nil {
		c.t.Fatal(err)
	}
	read(c.t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign-in: %s", resp.Status)
	}
	resp2, err := cl.Get(c.srv.URL + "/staff/")
	if err != nil {
		c.t.Fatal(err)
	}
	page := read(c.t, resp2)
	if resp2.StatusCode != 200 {
		c.t.Fatalf("dashboard after sign-in: %s\n%s", resp2.Status, page)
	}
	return csrfOf(c.t, page), resp
}

// TestNothingButSignInWithoutSession: every page sends a visitor without
// a session to the sign-in page, and every action is refused with 403.
func TestNothingButSignInWithoutSession(t *testing.T) {
	c := newConsole(t, false)
	cl := c.client()
	for _, p := range []string{"/staff/", "/staff/patron/P0001", "/staff/copy/I000001", "/staff/desk", "/staff/renewals",
		"/staff/holds", "/staff/audit", "/staff/staff", "/staff/register", "/staff/find?q=P0001"} {
		resp, err := cl.Get(c.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body := read(t, resp)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/signin") {
			t.Errorf("GET %s without a session: %s to %q, want 303 to the sign-in page", p, resp.Status, resp.Header.Get("Location"))
		}
		if strings.Contains(body, "Bērziņš") {
			t.Errorf("GET %s without a session shows data: %s", p, body)
		}
	}
	for _, p := range []string{"/staff/patron/P0002/unblock", "/staff/desk/checkin", "/staff/renewals/x", "/staff/staff", "/staff/signout"} {
		resp, err := cl.PostForm(c.srv.URL+p, url.Values{"csrf": {"guess"}, "barcode": {"I000001"}})
		if err != nil {
			t.Fatal(err)
		}
		read(t, resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without a session: %s, want 403", p, resp.Status)
		}
	}
	sum, err := c.svc.Patron(context.Background(), demo.PatronBlocked)
	if err != nil || !sum.Patron.Blocked {
		t.Errorf("P0002 unblocked by a request without a session: %+v %v", sum.Patron, err)
	}
}

// TestCSRFTokenChecked: a POST with a session but without its CSRF token
// (or with another) is refused with 403 and changes nothing; with it, the
// action is done. The sign-in form has its own token.
func TestCSRFTokenChecked(t *testing.T) {
	c := newConsole(t, false)
	cl := c.client()

	resp, err := cl.PostForm(c.srv.URL+"/staff/signin", url.Values{"id": {"anna"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	read(t, resp)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without the form's token: %s, want 403", resp.Status)
	}

	tok, _ := c.signIn(cl, "anna")
	for _, form := range []url.Values{{"reason": {"test"}}, {"reason": {"test"}, "csrf": {"x" + tok}}, {"reason": {"test"}, "csrf": {""}}} {
		resp, err := cl.PostForm(c.srv.URL+"/staff/patron/P0001/block", form)
		if err != nil {
			t.Fatal(err)
		}
		read(t, resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("block with csrf %q: %s, want 403", form.Get("csrf"), resp.Status)
		}
	}
	if sum, _ := c.svc.Patron(context.Background(), demo.PatronGood); sum.Patron.Blocked {
		t.Fatal("P0001 blocked by a request without the CSRF token")
	}
	resp, err = cl.PostForm(c.srv.URL+"/staff/patron/P0001/block", url.Values{"reason": {"lost card"}, "csrf": {tok}})
	if err != nil {
		t.Fatal(err)
	}
	read(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("block with the token: %s", resp.Status)
	}
	if sum, _ := c.svc.Patron(context.Background(), demo.PatronGood); !sum.Patron.Blocked || sum.Patron.BlockReason != "lost card" {
		t.Errorf("P0001 after the block: %+v", sum.Patron)
	}
	// The refusals are logged, by route: without the card in the path and
	// without the password.
	logs := c.log.String()
	if !strings.Contains(logs, "missing or wrong CSRF token") || strings.Contains(logs, "P0001") || strings.Contains(logs, password) {
		t.Errorf("log lines:\n%s", logs)
	}
}

// TestSessionCookie: HttpOnly, SameSite=Strict, scoped to the console,
// Secure under TLS and not on plain HTTP (where a browser would drop it)
// unless a TLS proxy in front is declared.
func TestSessionCookie(t *testing.T) {
	for _, tc := range []struct{ tls, proxy bool }{{false, false}, {true, false}, {false, true}} {
		tls := tc.tls
		c := newConsoleOpts(t, tls, staffweb.Options{SecureCookie: tc.proxy})
		_, resp := c.signIn(c.client(), "anna")
		var sc *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "bibgate_console" && ck.Value != "" {
				sc = ck
			}
		}
		if sc == nil {
			t.Fatalf("tls %v: no session cookie in %v", tls, resp.Header["Set-Cookie"])
		}
		if !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Path != "/staff/" || sc.Secure != (tls || tc.proxy) {
			t.Errorf("tls %v: session cookie %q: HttpOnly %v SameSite %v Path %q Secure %v", tls, sc.String(), sc.HttpOnly, sc.SameSite, sc.Path, sc.Secure)
		}
	}
}

// TestSignOutEndsSession: after signing out the old cookie opens nothing.
func TestSignOutEndsSession(t *testing.T) {
	c := newConsole(t, false)
	cl := c.client()
	tok, _ := c.signIn(cl, "anna")
	resp, err := cl.Get(c.srv.URL + "/staff/signin")
	if err != nil {
		t.Fatal(err)
	}
	if read(t, resp); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/" {
		t.Errorf("the sign-in page when signed in: %s to %q, want the dashboard", resp.Status, resp.Header.Get("Location"))
	}
	resp, err = cl.PostForm(c.srv.URL+"/staff/signout", url.Values{"csrf": {tok}})
	if err != nil {
		t.Fatal(err)
	}
	read(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %s", resp.Status)
	}
	resp, err = cl.Get(c.srv.URL + "/staff/")
	if err != nil {
		t.Fatal(err)
	}
	read(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("dashboard after sign-out: %s, want 303 to sign in", resp.Status)
	}
}

// TestWrongPasswordSaysSoInTheLanguage: a wrong password is answered 401
// with the text in the browser's language, Latvian by default.
func TestWrongPasswordSaysSoInTheLanguage(t *testing.T) {
	c := newConsole(t, false)
	for _, tc := range []struct{ accept, want string }{
		{"", "Nepareizs lietotājvārds vai parole."},
		{"et-EE,et;q=0.9,en;q=0.5", "Vale kasutajanimi või parool."},
		{"sl", "Napačno uporabniško ime ali geslo."},
		{"en-GB", "Wrong staff id or password."},
		{"de-DE", "Nepareizs lietotājvārds vai parole."},
	} {
		cl := c.client()
		get, _ := http.NewRequest("GET", c.srv.URL+"/staff/signin", nil)
		get.Header.Set("Accept-Language", tc.accept)
		resp, err := cl.Do(get)
		if err != nil {
			t.Fatal(err)
		}
		tok := csrfOf(t, read(t, resp))
		post, _ := http.NewRequest("POST", c.srv.URL+"/staff/signin",
			strings.NewReader(url.Values{"csrf": {tok}, "id": {"anna"}, "password": {"wrong password"}}.Encode()))
		post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		post.Header.Set("Accept-Language", tc.accept)
		resp, err = cl.Do(post)
		if err != nil {
			t.Fatal(err)
		}
		body := read(t, resp)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, tc.want) {
			t.Errorf("Accept-Language %q: %s, want 401 with %q", tc.accept, resp.Status, tc.want)
		}
	}
}

// TestRolesLimitTheConsole: a circulation librarian of SUB cannot waive a
// fee of another library's patron nor read the audit log; the pages say
// so with 403 and the fee is still owed.
func TestRolesLimitTheConsole(t *testing.T) {
	c := newConsole(t, false)
	cl := c.client()
	tok, _ := c.signIn(cl, "sub")
	sum, err := c.svc.Patron(context.Background(), demo.PatronDebtor)
	if err != nil || len(sum.Fees) == 0 || sum.Patron.HomeLibrary == demo.Subate {
		t.Fatalf("P0007: %+v %v", sum, err)
	}
	resp, err := cl.PostForm(c.srv.URL+"/staff/patron/P0007/fee/"+sum.Fees[0].ID+"/waive", url.Values{"csrf": {tok}, "reason": {"goodwill"}})
	if err != nil {
		t.Fatal(err)
	}
	read(t, resp)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "err=forbidden") {
		t.Errorf("waive at another library: %s to %q, want a refusal", resp.Status, resp.Header.Get("Location"))
	}
	if after, _ := c.svc.Patron(context.Background(), demo.PatronDebtor); after.Owed != sum.Owed {
		t.Errorf("P0007 owes %v after a refused waiver, was %v", after.Owed, sum.Owed)
	}
	resp, err = cl.Get(c.srv.URL + "/staff/audit")
	if err != nil {
		t.Fatal(err)
	}
	body := read(t, resp)
	if resp.StatusCode != http.StatusForbidden || strings.Contains(body, "sign_in") {
		t.Errorf("audit log for a circulation librarian: %s\n%s", resp.Status, body)
	}
	resp, err = cl.Get(c.srv.URL + "/staff/")
	if err != nil {
		t.Fatal(err)
	}
	if body := read(t, resp); strings.Contains(body, `href="/staff/audit"`) || strings.Contains(body, `href="/staff/staff"`) {
		t.Errorf("the menu of a circulation librarian offers the audit log or staff accounts")
	}
}

// TestScanFindsPatronOrCopy: what a scanner types into the search field
// opens the patron (card) or the copy (barcode); a name lists patrons.
func TestScanFindsPatronOrCopy(t *testing.T) {
	c := newConsole(t, false)
	cl := c.client()
	c.signIn(cl, "anna")
	for _, tc := range []struct{ q, loc string }{
		{"P0001", "/staff/patron/P0001"},
		{"I000001", "/staff/copy/I000001"},
		{" I000002 ", "/staff/copy/I000002"},
	} {
		resp, err := cl.Get(c.srv.URL + "/staff/find?q=" + url.QueryEscape(tc.q))
		if err != nil {
			t.Fatal(err)
		}
		read(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tc.loc {
			t.Errorf("find %q: %s to %q, want %s", tc.q, resp.Status, resp.Header.Get("Location"), tc.loc)
		}
	}
	resp, err := cl.Get(c.srv.URL + "/staff/find?q=" + url.QueryEscape("kalnina"))
	if err != nil {
		t.Fatal(err)
	}
	if body := read(t, resp); resp.StatusCode != 200 || !strings.Contains(body, "Kalniņa") {
		t.Errorf("find kalnina: %s", resp.Status)
	}
	resp, err = cl.Get(c.srv.URL + "/staff/find?q=" + url.QueryEscape("9999999999"))
	if err != nil {
		t.Fatal(err)
	}
	if read(t, resp); resp.StatusCode != http.StatusNotFound {
		t.Errorf("find an unknown barcode: %s, want 404", resp.Status)
	}
}

// TestLockoutShown: after ten wrong passwords the sign-in page says the
// account is locked, and the right password is refused until the lockout
// ends.
func TestLockoutShown(t *testing.T) {
	c := newConsole(t, false)
	signIn := func(pw string) (int, string) {
		cl := c.client()
		resp, err := cl.Get(c.srv.URL + "/staff/signin?lang=en")
		if err != nil {
			t.Fatal(err)
		}
		tok := csrfOf(t, read(t, resp))
		resp, err = cl.PostForm(c.srv.URL+"/staff/signin", url.Values{"csrf": {tok}, "id": {"anna"}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, read(t, resp)
	}
	for i := 1; i <= 10; i++ {
		st, body := signIn("wrong password")
		want := "Wrong staff id or password."
		if i == 10 {
			want = "the account is locked"
		}
		if st != http.StatusUnauthorized || !strings.Contains(body, want) {
			t.Fatalf("wrong password %d: %d, want 401 with %q", i, st, want)
		}
	}
	if st, body := signIn(password); st != http.StatusUnauthorized || !strings.Contains(body, "the account is locked") {
		t.Errorf("the right password while locked: %d", st)
	}
	c.clock.Advance(16 * time.Minute)
	if st, _ := signIn(password); st != http.StatusSeeOther {
		t.Errorf("the right password after the lockout: %d", st)
	}
}
