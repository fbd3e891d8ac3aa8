package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/internal/config"
	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2client"
	"github.com/bibgate/bibgate/store/boltstore"
)

const consoleAdminPassword = "Saule-Pupa-1905!"

// consoleConfig runs the demo with renewals that need a librarian's
// approval, a selfcheck account whose due dates read as dates, and the
// admin and SIP2 listeners on free loopback ports.
const consoleConfig = `data_dir = %q
[log]
format = "json"
[admin]
listen = "127.0.0.1:0"
[demo]
load = true
[rules]
renewal_needs_approval = true
[sip2]
listen = "127.0.0.1:0"
[[sip2.account]]
login = "selfcheck"
password = "selfcheck-pw"
library = "ILU"
institution = "ILU"
location = "ILU-1"
language = "en"
due_date_format = "2006-01-02"
[z3950]
listen = ""
`

// prepareConsoleData writes the demo data and two loans of P0001 made ten
// days ago into the bolt data directory, and the first administrator, as
// the operator does before the first start (she is the consortium's
// administrator: P0006 is a patron of Dviete): the renewals the selfcheck
// asks for then move the due date.
func prepareConsoleData(t *testing.T, cfg *config.Config) (oldDue time.Time) {
	t.Helper()
	ctx := context.Background()
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		t.Fatal(err)
	}
	st, err := boltstore.Open(filepath.Join(cfg.DataDir, "circulation.db"), boltstore.Options{LockTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cons, err := cfg.BuildConsortium()
	if err != nil {
		t.Fatal(err)
	}
	eidKey, err := cfg.EIDKey()
	if err != nil {
		t.Fatal(err)
	}
	clock := core.NewFixedClock(time.Now().AddDate(0, 0, -10))
	svc, err := core.NewService(st, cons, core.Options{EIDKey: eidKey, Clock: clock, KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	for _, item := range []string{"I000001", "I000076"} {
		l, err := svc.Checkout(ctx, core.CheckoutRequest{Library: demo.Central, PatronID: demo.PatronGood, ItemID: item})
		if err != nil {
			t.Fatalf("checkout %s: %v", item, err)
		}
		oldDue = l.Due
	}
	if _, err := svc.AddStaff(ctx, nil, core.NewStaff{ID: "vita", Library: demo.Central, Name: "Vita Kalniņa",
		Roles: []core.Role{core.RoleConsortiumAdmin}, Password: consoleAdminPassword}); err != nil {
		t.Fatal(err)
	}
	return oldDue
}

// browser drives one headless Chromium and screenshots the page when a
// step fails.
type browser struct {
	t   *testing.T
	ctx context.Context
}

// startBrowser starts headless Chromium with a window of w×h for the
// test, closed when ctx ends or the test returns.
func startBrowser(t *testing.T, ctx context.Context, chromium string, w, h int) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(w, h))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() { bcancel(); acancel() })
	if err := chromedp.Run(bctx); err != nil { // starts the browser for bctx's lifetime
		t.Fatalf("start %s: %v", chromium, err)
	}
	return &browser{t: t, ctx: bctx}
}

// text is the visible text of the element sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	var s string
	b.run("read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery, chromedp.NodeVisible))
	return s
}

// attr is the attribute name of the element sel.
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	var v string
	var ok bool
	b.run("read "+sel+" "+name, chromedp.AttributeValue(sel, name, &v, &ok, chromedp.ByQuery))
	return v
}

// run runs the actions of a step; on failure it writes a screenshot of the
// page and fails the test.
func (b *browser) run(step string, actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		b.fail(step, "%v", err)
	}
}

// fail writes a screenshot of the current page to $TEST_OUTPUT_DIR (or a
// directory kept under the system's temporary directory), says where,
// and fails the test.
func (b *browser) fail(step, format string, args ...any) {
	b.t.Helper()
	dir := os.Getenv("TEST_OUTPUT_DIR")
	if dir == "" {
		dir, _ = os.MkdirTemp("", "bibgate-console-")
	}
	var png []byte
	var url, html string
	shotCtx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Run(shotCtx, chromedp.Location(&url), chromedp.OuterHTML("html", &html, chromedp.ByQuery),
		chromedp.FullScreenshot(&png, 100)); err == nil {
		name := filepath.Join(dir, strings.ReplaceAll(step, " ", "-"))
		_ = os.WriteFile(name+".png", png, 0o644)
		_ = os.WriteFile(name+".html", []byte(html), 0o644)
		b.t.Logf("screenshot of %s written to %s.png (and its HTML to %s.html)", url, name, name)
	} else {
		b.t.Logf("no screenshot: %v", err)
	}
	b.t.Fatalf("%s: %s", step, fmt.Sprintf(format, args...))
}

// submit clicks sel and waits until the next page has loaded.
func submit(sel string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		return nextPage(ctx, chromedp.Click(sel, chromedp.ByQuery, chromedp.NodeVisible))
	})
}

// scan types code and Enter into the search field, as a barcode scanner
// does, and waits for the page it opens.
func scan(code string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		return nextPage(ctx, chromedp.SendKeys("#scan", code+kb.Enter, chromedp.ByQuery))
	})
}

// nextPage does act, which leaves the page, and waits until the next one
// has loaded.
func nextPage(ctx context.Context, act chromedp.Action) error {
	if err := chromedp.Evaluate(`window.__previousPage = true`, nil).Do(ctx); err != nil {
		return err
	}
	if err := act.Do(ctx); err != nil && !strings.Contains(err.Error(), "navigated or closed") {
		return err
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var loaded bool
		err := chromedp.Evaluate(`window.__previousPage === undefined && document.readyState === "complete"`, &loaded).Do(ctx)
		if err == nil && loaded {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the next page did not load in 20s (last: %v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// selfcheck is a SIP2 selfcheck logged in to the gateway.
type selfcheck struct {
	t *testing.T
	c *sip2client.Client
}

func (s *selfcheck) send(req sip2.Message) sip2.Message {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	resp, err := s.c.Send(ctx, req)
	if err != nil {
		s.t.Fatalf("SIP2 %s: %v", req.Code(), err)
	}
	return resp
}

func pin(p string) *string { return &p }

func (s *selfcheck) renew(card, item string) *sip2.RenewResponse {
	s.t.Helper()
	r, ok := s.send(&sip2.RenewRequest{TransactionDate: time.Now(), InstitutionID: "ILU", PatronID: card, PatronPassword: pin(demo.PIN), ItemID: item}).(*sip2.RenewResponse)
	if !ok {
		s.t.Fatal("29 not answered with 30")
	}
	return r
}

func (s *selfcheck) checkout(card, item string) *sip2.CheckoutResponse {
	s.t.Helper()
	r, ok := s.send(&sip2.CheckoutRequest{TransactionDate: time.Now(), InstitutionID: "ILU", PatronID: card, PatronPassword: pin(demo.PIN), ItemID: item}).(*sip2.CheckoutResponse)
	if !ok {
		s.t.Fatal("11 not answered with 12")
	}
	return r
}

func (s *selfcheck) due(item string) string {
	s.t.Helper()
	r, ok := s.send(&sip2.ItemInformationRequest{TransactionDate: time.Now(), InstitutionID: "ILU", ItemID: item}).(*sip2.ItemInformationResponse)
	if !ok {
		s.t.Fatal("17 not answered with 18")
	}
	return r.DueDate
}

func (s *selfcheck) hold(card, item string) {
	s.t.Helper()
	r, ok := s.send(&sip2.HoldRequest{HoldMode: sip2.HoldAdd, TransactionDate: time.Now(), PickupLocation: "ILU", InstitutionID: "ILU",
		PatronID: card, PatronPassword: pin(demo.PIN), ItemID: item}).(*sip2.HoldResponse)
	if !ok || !r.OK {
		s.t.Fatalf("hold of %s for %s refused: %+v", item, card, r)
	}
}

// TestConsoleInChromium: a librarian works through the staff console in
// Debian's Chromium against the real bibgate serve, while a selfcheck
// talks SIP2 to the same server. She signs in, approves one of the
// renewals the selfcheck asked for (the selfcheck then reads the new due
// date) and rejects the other with a reason, confirms a remotely
// registered patron who can then borrow at the selfcheck, registers a
// minor with a guardian, takes a fee payment, declares a copy lost and
// reviews the holds.
// serveConsole runs bibgate serve on cfgPath for a console test and
// returns the addresses of the listeners named (admin first, then the
// others in order) once the admin listener answers /readyz. When the test
// ends the server is stopped; no log line may hold password (when not
// empty), and a failed test shows the server's log.
func serveConsole(t *testing.T, dir, cfgPath, password string, listeners ...string) []string {
	t.Helper()
	cmd, logs := bibgate(t, dir, "serve", "--config", cfgPath)
	var addrs []string
	for _, name := range append([]string{"admin"}, listeners...) {
		addrs = append(addrs, waitListening(t, logs, name))
	}
	var logMu sync.Mutex
	var logLines []string
	logsDone := make(chan struct{})
	go func() {
		defer close(logsDone)
		for logs.Scan() {
			logMu.Lock()
			logLines = append(logLines, logs.Text())
			logMu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		<-logsDone
		logMu.Lock()
		defer logMu.Unlock()
		for _, l := range logLines {
			if password != "" && strings.Contains(l, password) {
				t.Errorf("a log line has a staff password: %s", l)
			}
		}
		if t.Failed() {
			t.Logf("gateway log:\n%s", strings.Join(logLines, "\n"))
		}
	})
	waitReady(t, addrs[0])
	return addrs
}

func TestConsoleInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skipf("chromium not installed (Debian package chromium): %v", err)
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "bibgate.toml")
	if err := os.WriteFile(cfgPath, fmt.Appendf(nil, consoleConfig, filepath.Join(dir, "data")), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	oldDue := prepareConsoleData(t, cfg)

	addrs := serveConsole(t, dir, cfgPath, consoleAdminPassword, "sip2")
	adminAddr, sipAddr := addrs[0], addrs[1]
	base := "http://" + adminAddr + "/staff"

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	sc, err := sip2client.Dial(ctx, sipAddr, sip2client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	if err := sc.Login(ctx, "selfcheck", "selfcheck-pw", "ILU-1"); err != nil {
		t.Fatal(err)
	}
	self := &selfcheck{t: t, c: sc}

	// The selfcheck asks for two renewals and places two holds.
	for _, item := range []string{"I000001", "I000076"} {
		if r := self.renew(demo.PatronGood, item); r.OK || len(r.ScreenMessages) == 0 {
			t.Fatalf("renewal of %s with approval on: ok %v %q, want a request filed", item, r.OK, r.ScreenMessages)
		}
	}
	self.hold("P0009", "I000002")
	self.hold("P0010", "I000003")
	// P0006 registered remotely: the selfcheck may not lend to them yet.
	if r := self.checkout(demo.PatronRemoteOnly, "I000109"); r.OK {
		t.Fatal("P0006 borrowed before their identity was confirmed")
	}

	b := startBrowser(t, ctx, chromium, 1366, 768)
	text := b.text

	// Sign in; the dashboard counts what waits.
	b.run("sign-in page", chromedp.Navigate(base+"/"), chromedp.WaitVisible("#signin", chromedp.ByQuery))
	b.run("sign in", chromedp.SendKeys("#id", "vita", chromedp.ByQuery), chromedp.SendKeys("#password", consoleAdminPassword, chromedp.ByQuery),
		submit("#signin button[type=submit]"))
	if got := text("#count-renewals b"); got != "2" {
		b.fail("dashboard", "renewal requests %q, want 2", got)
	}
	if got := text("#count-holds b"); got != "2" {
		b.fail("dashboard", "holds to review %q, want 2", got)
	}
	// The browser holds the session in a cookie scripts cannot read,
	// sent to this site only.
	var cookies []*network.Cookie
	b.run("cookies", chromedp.ActionFunc(func(ctx context.Context) (err error) {
		cookies, err = network.GetCookies().Do(ctx)
		return err
	}))
	var session *network.Cookie
	for _, c := range cookies {
		if c.Name == "bibgate_console" {
			session = c
		}
	}
	if session == nil || !session.HTTPOnly || session.SameSite != network.CookieSameSiteStrict || session.Path != "/staff/" {
		b.fail("cookies", "session cookie %+v", session)
	}
	var visible string
	b.run("document.cookie", chromedp.Evaluate(`document.cookie`, &visible))
	if strings.Contains(visible, "bibgate_console") {
		b.fail("document.cookie", "a script reads the session cookie: %q", visible)
	}

	// Headless Chromium asks for English; the language links switch, and
	// the choice stays for the next pages.
	if got := text("h1"); got != "Dashboard" {
		b.fail("dashboard", "title %q, want English as the browser asks", got)
	}
	b.run("to Latvian", submit(`nav.langs a[hreflang="lv"]`))
	if got := text("h1"); got != "Pārskats" {
		b.fail("dashboard in Latvian", "title %q, want Pārskats", got)
	}

	// The renewal queue: approve I000001, reject I000076 with a reason.
	b.run("renewal queue", chromedp.Navigate(base+"/renewals"), chromedp.WaitVisible("#renewals", chromedp.ByQuery),
		submit(`tr[data-item="I000001"] button.approve`))
	if got := text("#flash"); !strings.Contains(got, "apstiprināta") {
		b.fail("approve renewal", "flash %q", got)
	}
	b.run("reject renewal", chromedp.SendKeys(`tr[data-item="I000076"] input.reason`, "Grāmatu gaida rindā", chromedp.ByQuery),
		submit(`tr[data-item="I000076"] button.reject`))
	if got := text("#flash"); !strings.Contains(got, "noraidīta") {
		b.fail("reject renewal", "flash %q", got)
	}
	b.run("renewal queue empty", chromedp.WaitVisible("#renewals-none", chromedp.ByQuery))
	newDue, keptDue := self.due("I000001"), self.due("I000076")
	if want := oldDue.In(demo.Riga()).Format("2006-01-02"); newDue <= want || keptDue != want {
		t.Errorf("selfcheck reads due dates %s (approved) and %s (rejected); before they were both %s", newDue, keptDue, want)
	}

	// Confirm P0006's identity: the card scanned into the search field.
	b.run("scan P0006", chromedp.Navigate(base+"/"), chromedp.WaitVisible("#scan", chromedp.ByQuery), scan(demo.PatronRemoteOnly))
	// On a patron's page the cursor waits in the field that lends to them.
	var focused string
	b.run("focus", chromedp.Evaluate(`document.activeElement && document.activeElement.id`, &focused))
	if focused != "lend-barcode" {
		b.fail("focus", "the cursor is in %q, want the patron's lending field", focused)
	}
	b.run("confirm identity", chromedp.SetValue("#document", "id card", chromedp.ByQuery), submit("#confirm"))
	if got := text("#patron-identity"); got != "apstiprināta" {
		b.fail("confirm identity", "identity %q", got)
	}
	if r := self.checkout(demo.PatronRemoteOnly, "I000109"); !r.OK {
		t.Errorf("P0006 cannot borrow after the confirmation: %v", r.ScreenMessages)
	}

	// Register a minor: refused without a guardian, then registered.
	birth := time.Now().AddDate(-9, 0, 0).Format("2006-01-02")
	b.run("register page", chromedp.Navigate(base+"/register"), chromedp.WaitVisible("#register-form", chromedp.ByQuery),
		chromedp.SendKeys("#reg-card", "K0042", chromedp.ByQuery), chromedp.SendKeys("#reg-name", "Marta Liepiņa", chromedp.ByQuery),
		chromedp.SetValue("#reg-birth", birth, chromedp.ByQuery), chromedp.SetValue("#reg-category", "child", chromedp.ByQuery),
		chromedp.SendKeys("#reg-pin", "4711", chromedp.ByQuery), submit("#register"))
	if got := text("#register-error"); !strings.Contains(got, "aizbildnis") {
		b.fail("register without guardian", "error %q", got)
	}
	b.run("register with guardian", chromedp.SendKeys("#reg-pin", "4711", chromedp.ByQuery),
		chromedp.SendKeys("#reg-guardian-name", "Ilze Liepiņa", chromedp.ByQuery),
		chromedp.SendKeys("#reg-guardian-email", "ilze.liepina@patron.example.org", chromedp.ByQuery), submit("#register"))
	if got := text("#patron-guardian"); !strings.Contains(got, "Ilze Liepiņa") {
		b.fail("registered minor", "guardian %q", got)
	}
	if got := text("#patron-card"); got != "K0042" {
		b.fail("registered minor", "card %q", got)
	}

	// P0007 owes 6.00: take the payment.
	b.run("scan P0007", scan(demo.PatronDebtor))
	if got := text("#patron-owed"); !strings.Contains(got, "6.00") {
		b.fail("debtor", "owed %q", got)
	}
	b.run("pay", submit("#pay"))
	if got := text("#patron-owed"); !strings.Contains(got, "0.00") {
		b.fail("after payment", "owed %q", got)
	}

	// The page fits a 1366×768 desk screen and a tablet held upright:
	// nothing wider than the window (wide tables scroll inside their box).
	for _, size := range [][2]int64{{1366, 768}, {768, 1024}} {
		var fits bool
		b.run(fmt.Sprintf("viewport %dx%d", size[0], size[1]), chromedp.EmulateViewport(size[0], size[1]), chromedp.Reload(),
			chromedp.WaitVisible("#patron-owed", chromedp.ByQuery),
			chromedp.Evaluate(`document.documentElement.scrollWidth <= document.documentElement.clientWidth`, &fits))
		if !fits {
			b.fail(fmt.Sprintf("viewport %dx%d", size[0], size[1]), "the patron page is wider than the window")
		}
	}
	b.run("desk screen", chromedp.EmulateViewport(1366, 768))

	// The desk, driven as a scanner does: keys into whatever field has
	// the cursor. The card's Enter moves on to the copy; the copy's lends.
	b.run("desk", chromedp.Navigate(base+"/desk"), chromedp.WaitVisible("#checkout-form", chromedp.ByQuery),
		chromedp.KeyEvent(demo.PatronGood+"\r"), chromedp.Evaluate(`document.activeElement.id`, &focused))
	if focused != "checkout-barcode" {
		b.fail("desk", "after the card's Enter the cursor is in %q, want the copy's field", focused)
	}
	b.run("desk checkout", chromedp.ActionFunc(func(ctx context.Context) error { return nextPage(ctx, chromedp.KeyEvent("I000013\r")) }))
	if got := text("#desk-result"); !strings.Contains(got, "Zaļā zeme") {
		b.fail("desk checkout", "result %q", got)
	}
	b.run("desk checkin", chromedp.SendKeys("#checkin-barcode", "I000013", chromedp.ByQuery), submit("#checkin"))
	if got := text("#desk-result"); !strings.Contains(got, "ILUB") {
		b.fail("desk checkin", "result %q, want the copy sent home to ILUB", got)
	}

	// Declare I000076 (still on loan to P0001) lost.
	b.run("scan I000076", scan("I000076"), chromedp.WaitVisible("#lost-form", chromedp.ByQuery), submit("#declare-lost"))
	if got := text("#copy-status"); !strings.HasPrefix(got, "lost") {
		b.fail("declare lost", "status %q", got)
	}

	// The hold review: approve P0009's, refuse P0010's with a reason the
	// patron sees.
	b.run("hold review", chromedp.Navigate(base+"/holds"), chromedp.WaitVisible("#hold-queue", chromedp.ByQuery),
		submit(`tr[data-patron="P0009"] button.approve`))
	b.run("refuse hold", chromedp.SendKeys(`tr[data-patron="P0010"] input.reason`, "Šis izdevums ir tikai uz vietas", chromedp.ByQuery),
		submit(`tr[data-patron="P0010"] button.refuse`), chromedp.WaitVisible("#holds-none", chromedp.ByQuery))
	b.run("P0010", scan("P0010"))
	if got := text("#notices"); !strings.Contains(got, "Šis izdevums ir tikai uz vietas") {
		b.fail("refused hold", "notices %q, want the refusal with its reason", got)
	}

	// Everything she did is in the audit log.
	b.run("audit log", chromedp.Navigate(base+"/audit"), chromedp.WaitVisible("#audit", chromedp.ByQuery))
	log := text("#audit")
	for _, want := range []string{"renewal_approve", "renewal_reject", "patron_confirm_identity", "patron_register", "fee_pay", "item_lost", "hold_approve", "hold_refuse"} {
		if !strings.Contains(log, want) {
			b.fail("audit log", "no %s entry", want)
		}
	}

	// Signed out, the pages are closed again.
	b.run("sign out", submit("#signout"), chromedp.WaitVisible("#signin", chromedp.ByQuery),
		chromedp.Navigate(base+"/patron/P0001"), chromedp.WaitVisible("#signin", chromedp.ByQuery))
}

// waitReady waits for /readyz on the admin address.
func waitReady(t *testing.T, addr string) {
	t.Helper()
	for range 100 {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the server never became ready")
}
