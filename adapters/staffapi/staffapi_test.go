package staffapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/adapters/staffapi"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/internal/throttle"
	"github.com/bibgate/bibgate/store/memstore"
)

const password = "desk-password-2026"

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
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

type env struct {
	t     *testing.T
	svc   *core.Service
	clock *core.FixedClock
	srv   *httptest.Server
	log   *syncBuffer
	doc   *openapi3.T
	rt    routers.Router
}

func newEnv(t *testing.T, tls bool) *env {
	t.Helper()
	return newEnvWith(t, tls, staffapi.Options{})
}

// newEnvWith is newEnv with the handler's options (its log is the env's).
func newEnvWith(t *testing.T, tls bool, opts staffapi.Options) *env {
	t.Helper()
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	svc, err := core.NewService(memstore.New(), demo.Consortium(), core.Options{Clock: clock, KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	for _, s := range []core.NewStaff{
		{ID: "anna", Library: demo.Subate, Roles: []core.Role{core.RoleCirculation}, Password: password},
		{ID: "ilze", Library: demo.Central, Roles: []core.Role{core.RoleCirculation}, Password: password},
		{ID: "admin", Library: demo.Central, Roles: []core.Role{core.RoleAdmin}, Password: password},
	} {
		if _, err := svc.AddStaff(ctx, nil, s); err != nil {
			t.Fatal(err)
		}
	}
	log := &syncBuffer{}
	opts.Log = zerolog.New(log)
	h := staffapi.New(svc, opts)
	mux := http.NewServeMux()
	mux.Handle(staffapi.Prefix+"/", h)
	e := &env{t: t, svc: svc, clock: clock, log: log}
	if tls {
		e.srv = httptest.NewTLSServer(mux)
	} else {
		e.srv = httptest.NewServer(mux)
	}
	t.Cleanup(e.srv.Close)
	loader := openapi3.NewLoader()
	e.doc, err = loader.LoadFromData(staffapi.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	e.doc.Servers = openapi3.Servers{{URL: e.srv.URL + staffapi.Prefix}}
	if e.rt, err = gorillamux.NewRouter(e.doc); err != nil {
		t.Fatal(err)
	}
	return e
}

// client is one browser: its cookie and CSRF token.
type client struct {
	e      *env
	cookie *http.Cookie
	csrf   string
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("answer %d %s: %v", a.status, a.body, err)
	}
}

func (a answer) reason(t *testing.T) core.Reason {
	t.Helper()
	if ct := a.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("error answer %d with Content-Type %q: %s", a.status, ct, a.body)
	}
	var p staffapi.Problem
	a.json(t, &p)
	return p.Reason
}

// do sends a request and checks the answer against the OpenAPI document.
func (c *client) do(method, path string, body any) answer {
	c.e.t.Helper()
	var rd io.Reader
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			c.e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.e.srv.URL+staffapi.Prefix+path, rd)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	if c.csrf != "" {
		req.Header.Set(staffapi.CSRFHeader, c.csrf)
	}
	resp, err := c.e.srv.Client().Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	c.e.validate(req, raw, resp, b)
	return answer{resp.StatusCode, resp.Header, b}
}

// validate checks a request and its answer against the document.
func (e *env) validate(req *http.Request, reqBody []byte, resp *http.Response, body []byte) {
	e.t.Helper()
	route, params, err := e.rt.FindRoute(req)
	if err != nil {
		e.t.Errorf("%s %s is not in the OpenAPI document: %v", req.Method, req.URL.Path, err)
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(body)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		e.t.Errorf("%s %s answered %d not as documented: %v\n%s", req.Method, req.URL.Path, resp.StatusCode, err, body)
	}
}

func (e *env) anonymous() *client { return &client{e: e} }

func (e *env) signIn(id string) *client {
	e.t.Helper()
	return e.signInAs(id, password)
}

func (e *env) signInAs(id, password string) *client {
	e.t.Helper()
	c := &client{e: e}
	a := c.do("POST", "/session", map[string]string{"id": id, "password": password})
	if a.status != http.StatusOK {
		e.t.Fatalf("sign in %s: %d %s", id, a.status, a.body)
	}
	var info staffapi.SessionInfo
	a.json(e.t, &info)
	for _, ck := range (&http.Response{Header: a.header}).Cookies() {
		if ck.Name == staffapi.CookieName {
			c.cookie = &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	if c.cookie == nil || info.CSRFToken == "" || info.Staff.ID != id {
		e.t.Fatalf("sign in %s: cookie %v info %+v", id, c.cookie, info)
	}
	c.csrf = info.CSRFToken
	return c
}

// TestOpenAPIDocumentsEveryRoute: the document validates, and the routes
// the handler registers are exactly the operations it documents.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(staffapi.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document does not validate: %v", err)
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+staffapi.Prefix+path)
		}
	}
	svc, err := core.NewService(memstore.New(), demo.Consortium(), core.Options{})
	if err != nil {
		t.Fatal(err)
	}
	registered := staffapi.New(svc, staffapi.Options{}).Routes()
	sort.Strings(documented)
	sort.Strings(registered)
	if strings.Join(documented, "\n") != strings.Join(registered, "\n") {
		t.Errorf("documented:\n%s\n\nregistered:\n%s", strings.Join(documented, "\n"), strings.Join(registered, "\n"))
	}
	e := newEnv(t, false)
	a := e.anonymous().do("GET", "/openapi.json", nil)
	if a.status != 200 || !bytes.Equal(a.body, staffapi.OpenAPI) {
		t.Errorf("GET /openapi.json: %d", a.status)
	}
}

// TestNothingWorksWithoutASession: every route but sign-in and the
// document answers 401 session_invalid without a session cookie, with a
// made-up one, and after signing out.
func TestNothingWorksWithoutASession(t *testing.T) {
	e := newEnv(t, false)
	svc, _ := core.NewService(memstore.New(), demo.Consortium(), core.Options{})
	signedOut := e.signIn("ilze")
	if a := signedOut.do("DELETE", "/session", nil); a.status != http.StatusNoContent {
		t.Fatalf("sign out: %d %s", a.status, a.body)
	}
	clients := map[string]*client{
		"no cookie":     e.anonymous(),
		"made-up token": {e: e, cookie: &http.Cookie{Name: staffapi.CookieName, Value: "Zm9yZ2VkLXRva2Vu"}, csrf: "x"},
		"signed out":    signedOut,
	}
	for _, route := range staffapi.New(svc, staffapi.Options{}).Routes() {
		method, path, _ := strings.Cut(route, " ")
		path = strings.TrimPrefix(path, staffapi.Prefix)
		if path == "/openapi.json" || (method == "POST" && path == "/session") {
			continue
		}
		for _, p := range []string{"{card}", "{id}", "{barcode}", "{loan}", "{hold}", "{record}"} {
			path = strings.ReplaceAll(path, p, "X1")
		}
		for name, c := range clients {
			var body any
			if method != "GET" && method != "DELETE" {
				body = map[string]any{}
			}
			a := c.do(method, path, body)
			if a.status != http.StatusUnauthorized || a.reason(t) != core.ReasonNoSession {
				t.Errorf("%s %s with %s: %d %s", method, path, name, a.status, a.body)
			}
		}
	}
}

// TestCSRFTokenRequired: a signed-in browser's unsafe request without the
// session's CSRF token, or with another session's, is refused with 403
// and changes nothing; with it, it works.
func TestCSRFTokenRequired(t *testing.T) {
	e := newEnv(t, false)
	ilze := e.signIn("ilze")
	other := e.signIn("anna")
	body := map[string]string{"patron": demo.PatronGood, "item": "I000001"}
	for name, token := range map[string]string{"missing": "", "another session's": other.csrf, "made up": "abc"} {
		c := &client{e: e, cookie: ilze.cookie, csrf: token}
		a := c.do("POST", "/checkouts", body)
		if a.status != http.StatusForbidden || a.reason(t) != staffapi.ReasonCSRF {
			t.Errorf("CSRF token %s: %d %s", name, a.status, a.body)
		}
	}
	if it, _ := e.svc.Item(context.Background(), "I000001"); it.Item.Status != core.ItemAvailable {
		t.Fatalf("a refused request lent the item: %+v", it.Item)
	}
	if a := ilze.do("POST", "/checkouts", body); a.status != http.StatusCreated {
		t.Fatalf("checkout with the token: %d %s", a.status, a.body)
	}
	// Reading needs no token.
	if a := (&client{e: e, cookie: ilze.cookie}).do("GET", "/dashboard", nil); a.status != http.StatusOK {
		t.Errorf("dashboard without a token: %d %s", a.status, a.body)
	}
	// Sign-in must be JSON (an HTML form cannot post it).
	resp, err := e.srv.Client().PostForm(e.srv.URL+staffapi.Prefix+"/session", url.Values{"id": {"ilze"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("form sign-in: %d", resp.StatusCode)
	}
}

// TestSubateLibrarianLimits: a circulation librarian of Subate takes an
// Ilūkste patron's payment but may not waive their Ilūkste fee nor read
// the audit log; Ilūkste's administrator reads both actions there.
func TestSubateLibrarianLimits(t *testing.T) {
	e := newEnv(t, false)
	fee, err := e.svc.Charge(context.Background(), demo.PatronGood, core.FeeService, 300, "", "printing at ILU")
	if err != nil {
		t.Fatal(err)
	}
	anna := e.signIn("anna")
	a := anna.do("POST", "/fees/"+fee.ID+"/waive", map[string]string{"reason": "friend"})
	if a.status != http.StatusForbidden || a.reason(t) != core.ReasonForbidden {
		t.Errorf("waive at ILU by SUB: %d %s", a.status, a.body)
	}
	a = anna.do("GET", "/audit", nil)
	if a.status != http.StatusForbidden || a.reason(t) != core.ReasonForbidden {
		t.Errorf("audit by a librarian: %d %s", a.status, a.body)
	}
	a = anna.do("POST", "/patrons/"+demo.PatronGood+"/payments", map[string]any{"amount": 100, "fee_id": fee.ID})
	var rec core.Receipt
	if a.json(t, &rec); a.status != 200 || rec.Owed != 200 {
		t.Errorf("payment at SUB: %d %s", a.status, a.body)
	}
	ilze := e.signIn("ilze")
	if a := ilze.do("POST", "/fees/"+fee.ID+"/waive", map[string]string{"reason": "printer jammed"}); a.status != 200 {
		t.Errorf("waive at ILU: %d %s", a.status, a.body)
	}
	admin := e.signIn("admin")
	a = admin.do("GET", "/audit?object=fee/"+fee.ID, nil)
	var got struct{ Entries []core.AuditEntry }
	a.json(t, &got)
	if a.status != 200 || len(got.Entries) != 2 || got.Entries[0].Actor != "anna" || got.Entries[1].Action != "fee_waive" {
		t.Errorf("audit of the fee: %d %s", a.status, a.body)
	}
	if a := admin.do("GET", "/audit?from=yesterday", nil); a.status != 400 || a.reason(t) != core.ReasonBadRequest {
		t.Errorf("bad from: %d %s", a.status, a.body)
	}
}

// TestTenWrongPasswordsLock: the tenth wrong password locks the account
// (423 staff_locked) for 15 minutes, the right one included; after that
// it signs in. No password appears in the log.
func TestTenWrongPasswordsLock(t *testing.T) {
	e := newEnv(t, false)
	c := e.anonymous()
	for i := 1; i <= 10; i++ {
		a := c.do("POST", "/session", map[string]string{"id": "ilze", "password": "wrong-guess-" + string(rune('a'+i))})
		want, reason := http.StatusUnauthorized, core.ReasonBadCredentials
		if i == 10 {
			want, reason = http.StatusLocked, core.ReasonStaffLocked
		}
		if a.status != want || a.reason(t) != reason {
			t.Fatalf("attempt %d: %d %s", i, a.status, a.body)
		}
	}
	a := c.do("POST", "/session", map[string]string{"id": "ilze", "password": password})
	if a.status != http.StatusLocked || a.reason(t) != core.ReasonStaffLocked {
		t.Fatalf("right password while locked: %d %s", a.status, a.body)
	}
	e.clock.Advance(15*time.Minute + time.Second)
	e.signIn("ilze")
	a = c.do("POST", "/session", map[string]string{"id": "nobody", "password": password})
	if a.status != http.StatusUnauthorized || a.reason(t) != core.ReasonBadCredentials {
		t.Errorf("unknown account: %d %s", a.status, a.body)
	}
	log := e.log.String()
	if !strings.Contains(log, `"status":423`) {
		t.Fatalf("the log does not show the requests: %s", log)
	}
	for _, secret := range []string{password, "wrong-guess"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// TestSessionCookieFlags: HttpOnly, SameSite=Strict, the whole listener;
// Secure over TLS, not over plain HTTP (a browser would not send it).
func TestSessionCookieFlags(t *testing.T) {
	for _, tls := range []bool{false, true} {
		e := newEnv(t, tls)
		a := e.anonymous().do("POST", "/session", map[string]string{"id": "ilze", "password": password})
		if a.status != 200 {
			t.Fatalf("sign in: %d %s", a.status, a.body)
		}
		set := a.header.Get("Set-Cookie")
		ck := (&http.Response{Header: a.header}).Cookies()[0]
		if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Secure != tls {
			t.Errorf("TLS %v: Set-Cookie %s", tls, set)
		}
	}
}

// TestDeskOverTheAPI walks a desk morning through the API, every answer
// checked against the OpenAPI document: find a patron without diacritics,
// lend, renew, return, confirm a remote registration, block and unblock,
// review a reservation, the pull list and the dashboard. The log names
// routes, not cards or names.
func TestDeskOverTheAPI(t *testing.T) {
	e := newEnv(t, false)
	ilze := e.signIn("ilze")
	a := ilze.do("GET", "/patrons?q=berzins", nil)
	var found struct {
		Patrons []staffapi.PatronMatch
	}
	if a.json(t, &found); a.status != 200 || len(found.Patrons) == 0 || found.Patrons[0].Patron.ID != demo.PatronGood {
		t.Fatalf("find: %d %s", a.status, a.body)
	}
	if strings.Contains(string(a.body), "pin_hash") || strings.Contains(string(a.body), "personal_code") {
		t.Errorf("a patron is shown with a hash: %s", a.body)
	}
	if a := ilze.do("POST", "/checkouts", map[string]string{"patron": demo.PatronGood, "item": "I000001"}); a.status != 201 {
		t.Fatalf("checkout: %d %s", a.status, a.body)
	}
	if a := ilze.do("POST", "/checkouts", map[string]string{"patron": demo.PatronBlocked, "item": "I000013"}); a.status != 409 || a.reason(t) != "patron_blocked" {
		t.Errorf("checkout to a blocked patron: %d %s", a.status, a.body)
	}
	e.clock.Advance(24 * time.Hour) // a renewal on the day of checkout would not move the due date
	if a := ilze.do("GET", "/dashboard", nil); a.status != 401 || a.reason(t) != core.ReasonNoSession {
		t.Errorf("a session idle for a day: %d %s", a.status, a.body)
	}
	ilze = e.signIn("ilze")
	if a := ilze.do("POST", "/renewals", map[string]string{"patron": demo.PatronGood, "item": "I000001"}); a.status != 200 {
		t.Errorf("renew: %d %s", a.status, a.body)
	}
	var view staffapi.PatronView
	a = ilze.do("GET", "/patrons/"+demo.PatronGood, nil)
	if a.json(t, &view); a.status != 200 || len(view.Loans) != 1 || view.Loans[0].Renewals != 1 {
		t.Errorf("patron: %d %s", a.status, a.body)
	}
	if a := ilze.do("POST", "/checkins", map[string]string{"item": "I000001"}); a.status != 200 {
		t.Errorf("checkin: %d %s", a.status, a.body)
	}
	if a := ilze.do("GET", "/patrons/NOSUCH", nil); a.status != 404 || a.reason(t) != core.ReasonPatronNotFound {
		t.Errorf("unknown patron: %d %s", a.status, a.body)
	}
	// P0006 is remote-only and registered at Dviete: only a DVI librarian
	// (or a consortium administrator) confirms them.
	if a := ilze.do("POST", "/patrons/"+demo.PatronRemoteOnly+"/confirm-identity", map[string]string{"document": "passport"}); a.status != 403 {
		t.Errorf("confirm at another library: %d %s", a.status, a.body)
	}
	if a := ilze.do("PUT", "/patrons/"+demo.PatronGood+"/block", map[string]string{"reason": "card found in the street"}); a.status != 200 {
		t.Errorf("block: %d %s", a.status, a.body)
	}
	if a := ilze.do("DELETE", "/patrons/"+demo.PatronGood+"/block", nil); a.status != 200 {
		t.Errorf("unblock: %d %s", a.status, a.body)
	}
	email := "janis@example.org"
	if a := ilze.do("PATCH", "/patrons/"+demo.PatronGood, core.PatronChanges{Email: &email}); a.status != 200 || !strings.Contains(string(a.body), email) {
		t.Errorf("edit: %d %s", a.status, a.body)
	}
	if a := ilze.do("PATCH", "/patrons/"+demo.PatronGood, map[string]string{"pin": "0000"}); a.status != 400 {
		t.Errorf("edit with an unknown field: %d %s", a.status, a.body)
	}
	// A reservation to collect at Ilūkste, reviewed there.
	h, err := e.svc.PlaceHold(context.Background(), core.HoldRequest{PatronID: "P0010", RecordID: "demo-0002", PickupLibrary: demo.Central})
	if err != nil {
		t.Fatal(err)
	}
	var q struct{ Holds []core.HoldForReview }
	a = ilze.do("GET", "/hold-reviews", nil)
	if a.json(t, &q); a.status != 200 || len(q.Holds) != 1 || q.Holds[0].Hold.ID != h.Hold.ID {
		t.Fatalf("hold reviews: %d %s", a.status, a.body)
	}
	if a := ilze.do("GET", "/pull-list", nil); a.status != 200 || !strings.Contains(string(a.body), h.Hold.ID) {
		t.Errorf("pull list: %d %s", a.status, a.body)
	}
	var dash core.Dashboard
	a = ilze.do("GET", "/dashboard", nil)
	if a.json(t, &dash); a.status != 200 || dash.HoldsToReview != 1 || dash.Library != demo.Central {
		t.Errorf("dashboard: %d %s", a.status, a.body)
	}
	if a := ilze.do("POST", "/hold-reviews/"+h.Hold.ID+"/decision", map[string]any{"approve": false}); a.status != 400 {
		t.Errorf("refusal without a reason: %d %s", a.status, a.body)
	}
	if a := ilze.do("POST", "/hold-reviews/"+h.Hold.ID+"/decision", map[string]any{"reason": "x"}); a.status != 400 {
		t.Errorf("decision without approve: %d %s", a.status, a.body)
	}
	if a := ilze.do("POST", "/hold-reviews/"+h.Hold.ID+"/decision", map[string]any{"approve": false, "reason": "the title is reference only"}); a.status != 200 || !strings.Contains(string(a.body), `"refused"`) {
		t.Errorf("refuse: %d %s", a.status, a.body)
	}
	if a := ilze.do("GET", "/renewal-requests", nil); a.status != 200 {
		t.Errorf("renewal requests: %d %s", a.status, a.body)
	}
	if a := ilze.do("POST", "/items/I000001/declare", map[string]any{"condition": "damaged", "patron": demo.PatronGood, "amount": 250, "note": "coffee"}); a.status != 200 {
		t.Errorf("declare damaged: %d %s", a.status, a.body)
	}
	if a := ilze.do("GET", "/session", nil); a.status != 200 || !strings.Contains(string(a.body), ilze.csrf) {
		t.Errorf("session: %d %s", a.status, a.body)
	}
	log := e.log.String()
	for _, s := range []string{demo.PatronGood, "berzins", "P0006", password} {
		if strings.Contains(log, s) {
			t.Errorf("the log holds %q", s)
		}
	}
	if !strings.Contains(log, `"route":"GET /api/v1/patrons/{card}"`) {
		t.Errorf("the log lacks the route pattern: %.500s", log)
	}
}

// TestRenewalDecisionOverTheAPI: with approval switched on, a request a
// selfcheck filed is approved through the API; an approval the rules now
// refuse answers 200 with the rule's reason (the rejection is kept).
func TestRenewalDecisionOverTheAPI(t *testing.T) {
	e := newEnv(t, false)
	yes := true
	e.svc.Consortium().Rules.Overrides = append(e.svc.Consortium().Rules.Overrides,
		policyOverride(demo.Central, &yes))
	ctx := context.Background()
	var loans []core.Loan
	for _, id := range centralBooks(2) {
		l, err := e.svc.Checkout(ctx, core.CheckoutRequest{Library: demo.Central, PatronID: demo.PatronGood, ItemID: id})
		if err != nil {
			t.Fatal(err)
		}
		loans = append(loans, l)
	}
	e.clock.Advance(24 * time.Hour)
	for _, l := range loans {
		if r, err := e.svc.Renew(ctx, core.RenewRequest{PatronID: demo.PatronGood, ItemID: l.ItemID}); err != nil || !r.Requested {
			t.Fatalf("request: %+v %v", r, err)
		}
	}
	if _, err := e.svc.PlaceHold(ctx, core.HoldRequest{PatronID: "P0010", ItemID: loans[1].ItemID}); err != nil {
		t.Fatal(err)
	}
	ilze := e.signIn("ilze")
	var q struct{ Requests []core.RenewalRequest }
	a := ilze.do("GET", "/renewal-requests", nil)
	if a.json(t, &q); len(q.Requests) != 2 {
		t.Fatalf("queue: %s", a.body)
	}
	var d struct {
		Loan          core.Loan
		Approved      bool
		RefusedByRule string `json:"refused_by_rule"`
	}
	a = ilze.do("POST", "/renewal-requests/"+loans[0].ID+"/decision", map[string]any{"approve": true})
	if a.json(t, &d); a.status != 200 || !d.Approved || !d.Loan.Due.After(loans[0].Due) {
		t.Errorf("approve: %d %s", a.status, a.body)
	}
	a = ilze.do("POST", "/renewal-requests/"+loans[1].ID+"/decision", map[string]any{"approve": true})
	if a.json(t, &d); a.status != 200 || d.Approved || d.RefusedByRule != "renewal_reserved_by_another" {
		t.Errorf("approval refused by the rules: %d %s", a.status, a.body)
	}
	a = ilze.do("POST", "/renewal-requests/"+loans[1].ID+"/decision", map[string]any{"approve": true})
	if a.status != 400 || a.reason(t) != core.ReasonBadRequest {
		t.Errorf("decided twice: %d %s", a.status, a.body)
	}
}

// centralBooks returns n ordinary books at Ilūkste, each of another title.
func centralBooks(n int) []string {
	var out []string
	seen := map[string]bool{}
	for _, it := range demo.Items() {
		if it.Library == demo.Central && it.Material == policy.MaterialBook && !it.HighDemand && !it.ReadingRoomOnly && !it.ILL &&
			!seen[it.RecordID] && len(out) < n {
			seen[it.RecordID] = true
			out = append(out, it.ID)
		}
	}
	return out
}

func policyOverride(lib string, approval *bool) policy.Override {
	return policy.Override{Library: lib, Set: policy.Partial{RenewalNeedsApproval: approval}}
}

// TestRegistrationAndStaffAdminOverTheAPI: a librarian registers a minor
// with a guardian (not without one); an administrator creates a
// librarian at their library and disables them, which ends their
// session; a librarian may not manage staff; one's own password changes
// only with the current one.
func TestRegistrationAndStaffAdminOverTheAPI(t *testing.T) {
	e := newEnv(t, false)
	ilze := e.signIn("ilze")
	child := map[string]any{"id": "ZKID", "name": "Mārtiņš Mazais", "category": "child", "resident": true,
		"birth_date": e.clock.Now().AddDate(-9, 0, 0).Format(time.RFC3339), "pin": "4321"}
	if a := ilze.do("POST", "/patrons", child); a.status != 400 || a.reason(t) != core.ReasonBadRequest {
		t.Errorf("a minor without a guardian: %d %s", a.status, a.body)
	}
	child["guardian"] = map[string]string{"name": "Ilga Lielā", "email": "ilga@example.org"}
	a := ilze.do("POST", "/patrons", child)
	if a.status != 201 || strings.Contains(string(a.body), "4321") || !strings.Contains(string(a.body), `"home_library":"ILU"`) {
		t.Fatalf("register: %d %s", a.status, a.body)
	}
	if a := ilze.do("POST", "/patrons", child); a.status != 409 || a.reason(t) != core.ReasonPatronExists {
		t.Errorf("registered twice: %d %s", a.status, a.body)
	}
	if err := e.svc.VerifyPatron(context.Background(), "ZKID", "4321"); err != nil {
		t.Errorf("the new patron's PIN: %v", err)
	}
	if a := ilze.do("GET", "/staff", nil); a.status != 403 {
		t.Errorf("a librarian lists staff: %d %s", a.status, a.body)
	}
	admin := e.signIn("admin")
	newbie := map[string]any{"id": "jana", "library": demo.Central, "name": "Jana Jauna", "roles": []string{"circulation"}, "password": "first-day-secret"}
	if a := admin.do("POST", "/staff", newbie); a.status != 201 || strings.Contains(string(a.body), "first-day-secret") {
		t.Fatalf("add staff: %d %s", a.status, a.body)
	}
	newbie["id"], newbie["library"] = "sub1", demo.Subate
	if a := admin.do("POST", "/staff", newbie); a.status != 403 {
		t.Errorf("add staff at another library: %d %s", a.status, a.body)
	}
	var list struct{ Staff []core.Staff }
	a = admin.do("GET", "/staff", nil)
	if a.json(t, &list); len(list.Staff) != 3 {
		t.Errorf("ILU staff: %s", a.body)
	}
	jana := e.signInAs("jana", "first-day-secret")
	if a := jana.do("POST", "/session/password", map[string]string{"current_password": "guess", "new_password": "second-day-secret"}); a.status != 401 {
		t.Errorf("own password without the current one: %d %s", a.status, a.body)
	}
	if a := jana.do("POST", "/session/password", map[string]string{"current_password": "first-day-secret", "new_password": "second-day-secret"}); a.status != 204 {
		t.Fatalf("own password: %d %s", a.status, a.body)
	}
	jana = e.signInAs("jana", "second-day-secret")
	if a := admin.do("PUT", "/staff/jana/disabled", map[string]bool{"disabled": true}); a.status != 200 {
		t.Fatalf("disable: %d %s", a.status, a.body)
	}
	if a := jana.do("GET", "/dashboard", nil); a.status != 401 {
		t.Errorf("a disabled account's session: %d %s", a.status, a.body)
	}
	if a := admin.do("PUT", "/staff/jana/password", map[string]string{"password": "third-day-secret"}); a.status != 204 {
		t.Errorf("set password: %d %s", a.status, a.body)
	}
	if a := admin.do("PUT", "/staff/admin/password", map[string]string{"password": "third-day-secret"}); a.status != 400 {
		t.Errorf("set own password without the current one: %d %s", a.status, a.body)
	}
	if a := ilze.do("POST", "/checkouts", map[string]string{"patron": demo.PatronGood, "item": "I000001"}); a.status != 201 {
		t.Fatalf("checkout: %d %s", a.status, a.body)
	}
	if a := ilze.do("DELETE", "/patrons/"+demo.PatronGood, nil); a.status != 409 || a.reason(t) != "patron_has_items_on_loan" {
		t.Errorf("delete a patron with loans: %d %s", a.status, a.body)
	}
	if a := ilze.do("DELETE", "/patrons/ZKID", nil); a.status != 200 {
		t.Errorf("delete on request: %d %s", a.status, a.body)
	}
	if a := ilze.do("GET", "/patrons/ZKID", nil); a.status != 404 {
		t.Errorf("a deleted patron: %d %s", a.status, a.body)
	}
	for _, s := range []string{"first-day-secret", "second-day-secret", "third-day-secret", "4321"} {
		if strings.Contains(e.log.String(), s) {
			t.Errorf("the log holds %q", s)
		}
	}
}

// TestAddressThrottle: wrong passwords for many accounts from one address
// lock that address out (423 address_locked) before any one account's
// limit; a right password from there is refused until the lockout ends.
func TestAddressThrottle(t *testing.T) {
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	svc, err := core.NewService(memstore.New(), demo.Consortium(), core.Options{Clock: clock, KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddStaff(context.Background(), nil, core.NewStaff{ID: "ilze", Library: demo.Central, Roles: []core.Role{core.RoleCirculation}, Password: password}); err != nil {
		t.Fatal(err)
	}
	h := staffapi.New(svc, staffapi.Options{AddressThrottle: throttle.Settings{Limit: 3, Window: time.Minute, Lockout: 5 * time.Minute}})
	srv := httptest.NewServer(h)
	defer srv.Close()
	post := func(id, pw string) (int, core.Reason) {
		b, _ := json.Marshal(map[string]string{"id": id, "password": pw})
		resp, err := srv.Client().Post(srv.URL+staffapi.Prefix+"/session", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p staffapi.Problem
		_ = json.NewDecoder(resp.Body).Decode(&p)
		return resp.StatusCode, p.Reason
	}
	for _, id := range []string{"anna", "janis", "ilze"} {
		if code, _ := post(id, "spray-guess"); code != 401 {
			t.Fatalf("%s: %d", id, code)
		}
	}
	if code, reason := post("ilze", password); code != 423 || reason != staffapi.ReasonAddrLocked {
		t.Errorf("right password from a locked address: %d %s", code, reason)
	}
	clock.Advance(5*time.Minute + time.Second)
	if code, _ := post("ilze", password); code != 200 {
		t.Errorf("after the lockout: %d", code)
	}
}
