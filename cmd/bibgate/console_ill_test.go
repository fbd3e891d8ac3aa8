package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/ill/illclient"
	"github.com/bibgate/bibgate/ill/illserver"
	"github.com/bibgate/bibgate/internal/config"
	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/store/boltstore"
)

const consoleILLPassword = "Daugava-Tartu-2026!"

// consoleILLConfig is the console's demo with an ISO 10161 listener and
// one partner, EE:TARTU, at the test's own ISO 10161 server. The outbox
// looks for messages only every 5 minutes: what the console sends goes
// because the console wakes it.
const consoleILLConfig = `data_dir = %q
[log]
format = "json"
[admin]
listen = "127.0.0.1:0"
[demo]
load = true
[sip2]
listen = %q
[[sip2.account]]
login = "desk"
password = "desk-pw"
library = "ILU"
institution = "ILU"
language = "en"
[z3950]
listen = ""
[ill]
symbol = "LV:ILU"
listen = %q
outbox_interval = "5m"
[[ill.partner]]
symbol = "EE:TARTU"
name = "Tartu Ülikooli Raamatukogu"
address = %q
`

// partnerLibrary is the partner's ISO 10161 server: it keeps every APDU
// the gateway sends and acknowledges each with a status report.
type partnerLibrary struct {
	mu   sync.Mutex
	got  []ill.APDU
	seen chan struct{}
}

func (p *partnerLibrary) NewSession(context.Context, illserver.ConnInfo) (illserver.Session, error) {
	return p, nil
}

func (p *partnerLibrary) Handle(_ context.Context, a ill.APDU) ([]ill.APDU, error) {
	p.mu.Lock()
	p.got = append(p.got, a)
	p.mu.Unlock()
	select {
	case p.seen <- struct{}{}:
	default:
	}
	now := time.Now()
	return []ill.APDU{&ill.StatusOrErrorReport{Header: illserver.ReplyHeader(a.Head(), now), StatusReport: &ill.StatusReport{
		UserStatusReport: ill.HistoryReport{DateOfLastTransition: now.Format("20060102"), MostRecentService: int(a.Type()),
			DateOfMostRecentService: now.Format("20060102"), InitiatorOfMostRecentService: *ill.Institution("LV:ILU")},
		ProviderStatusReport: ill.InProcess}}}, nil
}

// wait returns the first APDU received that match accepts.
func (p *partnerLibrary) wait(t *testing.T, what string, match func(ill.APDU) bool) ill.APDU {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		p.mu.Lock()
		for _, a := range p.got {
			if match(a) {
				p.mu.Unlock()
				return a
			}
		}
		var types []string
		for _, a := range p.got {
			types = append(types, a.Type().String())
		}
		p.mu.Unlock()
		select {
		case <-p.seen:
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatalf("the partner never received %s (it has %v)", what, types)
		}
	}
}

// TestConsoleILLInChromium: a partner asks the gateway for a book over
// ISO 10161 TCP while the only copy is out; the ILL librarian, signed in
// to the console in Debian's Chromium, finds the request in her inbox,
// and once the copy is back at the desk (SIP2) supplies it with the
// copy's barcode and ships it with the due date agreed with the partner.
// Each step changes the state on the page, and the partner's server
// receives the ILL-Answer will-supply and the Shipped with that due date.
func TestConsoleILLInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skipf("chromium not installed (Debian package chromium): %v", err)
	}
	partner := &partnerLibrary{seen: make(chan struct{}, 1)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	psrv := &illserver.Server{Backend: partner, Logger: zerolog.Nop()}
	go func() { _ = psrv.Serve(ln) }()
	defer psrv.Close()

	dir := t.TempDir()
	illAddr, sipAddr := freeAddr(t), freeAddr(t)
	cfgPath := filepath.Join(dir, "bibgate.toml")
	if err := os.WriteFile(cfgPath, fmt.Appendf(nil, consoleILLConfig, filepath.Join(dir, "data"), sipAddr, illAddr, ln.Addr().String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	prepareConsoleData(t, cfg)
	const copyID = "I000370" // Python Web programming, ISBN 0735710902, the only copy, at ILU
	func() {
		// Before the start: the copy is out, and the ILL librarian has
		// her account.
		ctx := context.Background()
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
		svc, err := core.NewService(st, cons, core.Options{EIDKey: eidKey, KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Checkout(ctx, core.CheckoutRequest{Library: demo.Central, PatronID: "P0020", ItemID: copyID}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddStaff(ctx, nil, core.NewStaff{ID: "liga", Library: demo.Central, Name: "Līga Ozola",
			Roles: []core.Role{core.RoleILL}, Password: consoleILLPassword}); err != nil {
			t.Fatal(err)
		}
	}()

	adminAddr := serveConsole(t, dir, cfgPath, consoleILLPassword)[0]
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", illAddr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ILL listener %s not up", illAddr)
		}
	}
	base := "http://" + adminAddr + "/staff"

	// The partner asks for the book over ISO 10161 TCP.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tm := time.Now().Format("150405")
	req := &ill.Request{Header: ill.Header{Version: ill.Version2,
		TransactionID:   ill.TransactionID{InitialRequesterID: ill.Institution("EE:TARTU"), GroupQualifier: "TU", Qualifier: "tartu-4711"},
		ServiceDateTime: ill.ServiceDateTime{This: ill.DateTime{Date: time.Now().Format("20060102"), Time: &tm}},
		RequesterID:     ill.Institution("EE:TARTU"), ResponderID: ill.Institution("LV:ILU")},
		ServiceTypes: []ill.ServiceType{ill.Loan}, PlaceOnHold: 3,
		RequesterOptionalMessages: ill.RequesterOptionalMessages{CanSendReceived: true, CanSendReturned: true,
			RequesterShipped: ill.Requires, RequesterCheckedIn: ill.Desires},
		ItemID: ill.ItemID{Title: ill.Str("Python Web programming"), ISBN: ill.Str("0735710902")}}
	replies, err := (&illclient.Client{Addr: illAddr, ExpectReply: true}).Send(ctx, req)
	if err != nil {
		t.Fatalf("ILL-Request: %v", err)
	}
	for _, r := range replies {
		if rep, ok := r.(*ill.StatusOrErrorReport); ok && rep.ErrorReport != nil {
			t.Fatalf("ILL-Request refused: %+v", rep.ErrorReport)
		}
	}

	b := startBrowser(t, ctx, chromium, 1366, 768)
	text := b.text
	attr := b.attr

	// Sign in (Latvian, the console's default); the menu leads to the
	// ILL inbox, where the partner's request waits with its partner.
	b.run("sign-in page", chromedp.Navigate(base+"/?lang=lv"), chromedp.WaitVisible("#signin", chromedp.ByQuery))
	b.run("sign in", chromedp.SendKeys("#id", "liga", chromedp.ByQuery), chromedp.SendKeys("#password", consoleILLPassword, chromedp.ByQuery),
		submit("#signin button[type=submit]"))
	b.run("to ILL", submit("#nav-ill"), chromedp.WaitVisible("#ill-list", chromedp.ByQuery))
	if got := text("h1"); got != "Ienākošie" {
		b.fail("inbox", "title %q, want Ienākošie", got)
	}
	row := `#ill-list tr[data-transaction="tartu-4711"]`
	if got := text(row); !strings.Contains(got, "EE:TARTU") || !strings.Contains(got, "Python Web programming") {
		b.fail("inbox", "row %q", got)
	}
	if got := text("#tab-inbox b"); got != "1" {
		b.fail("inbox", "inbox count %q, want 1", got)
	}
	b.run("open the request", submit(row+" a"), chromedp.WaitVisible("#ill-history", chromedp.ByQuery))
	if got := attr("#ill-state", "data-state"); got != "IN-PROCESS" {
		b.fail("request", "state %q, want IN-PROCESS", got)
	}
	if got := text("#ill-history"); !strings.Contains(got, ">ILL-Answer:hold-placed") {
		b.fail("request", "history %q, want the hold-placed answer", got)
	}
	// Supplying the copy that is still out is refused, in Latvian.
	b.run("supply too early", chromedp.SetValue("#supply-barcode", copyID, chromedp.ByQuery), submit("#act-supply"))
	if got := text("#flash"); !strings.Contains(got, "nav pieejams") {
		b.fail("supply too early", "flash %q, want the copy refused", got)
	}

	// The copy comes back at the desk: trapped for the partner.
	desk := &illNode{t: t, name: "gateway", sip2: sipAddr}
	if ci := desk.sip2Send(t, &sip2.CheckinRequest{InstitutionID: demo.Central, ItemID: copyID}).(*sip2.CheckinResponse); !ci.OK {
		t.Fatalf("check the copy in: %+v", ci)
	}
	b.run("reload", chromedp.Reload(), chromedp.WaitVisible("#supply-barcode", chromedp.ByQuery))
	if got := attr("#supply-barcode", "value"); got != copyID {
		b.fail("supply form", "barcode offered %q, want the trapped copy %s", got, copyID)
	}
	b.run("supply", submit("#act-supply"))
	if got := text("#flash"); !strings.Contains(got, "piegādāsim") {
		b.fail("supply", "flash %q", got)
	}
	answer := partner.wait(t, "ILL-Answer will-supply", func(a ill.APDU) bool {
		x, ok := a.(*ill.Answer)
		return ok && x.TransactionResults == ill.WillSupply
	})
	if q := answer.Head().TransactionID.Qualifier; q != "tartu-4711" {
		t.Errorf("will-supply for transaction %q", q)
	}
	if got := text("#ill-history"); !strings.Contains(got, ">ILL-Answer:will-supply") {
		b.fail("supply", "history %q", got)
	}

	// Ship it, with a longer loan agreed with the partner: the copy goes
	// out on loan to the partner with that due date.
	agreed := time.Now().AddDate(0, 0, 30).Format("2006-01-02")
	b.run("ship", chromedp.WaitVisible("#ship-barcode", chromedp.ByQuery), chromedp.SetValue("#ship-due", agreed, chromedp.ByQuery),
		submit("#act-ship"))
	if got := attr("#ill-state", "data-state"); got != "SHIPPED" {
		b.fail("ship", "state %q, want SHIPPED", got)
	}
	due := text("#ill-due")
	if due != agreed {
		b.fail("ship", "due date %q, want the agreed %s", due, agreed)
	}
	shipped := partner.wait(t, "Shipped", func(a ill.APDU) bool { _, ok := a.(*ill.Shipped); return ok }).(*ill.Shipped)
	if shipped.SupplyDetails.DateDue == nil || shipped.SupplyDetails.DateDue.Date != strings.ReplaceAll(due, "-", "") {
		t.Errorf("Shipped due date %+v, the page says %s", shipped.SupplyDetails.DateDue, due)
	}
	b.run("to ship is empty", chromedp.Navigate(base+"/ill/to_ship"), chromedp.WaitVisible("#ill-none", chromedp.ByQuery))
	b.run("all", chromedp.Navigate(base+"/ill/all"), chromedp.WaitVisible(row, chromedp.ByQuery))
	if got := attr(row, "data-state"); got != "SHIPPED" {
		b.fail("all", "state in the list %q", got)
	}
	// The desk sees the copy on loan.
	b.run("copy", chromedp.Navigate(base+"/copy/"+copyID), chromedp.WaitVisible("#copy-status", chromedp.ByQuery))
	if got := text("#copy-status"); !strings.HasPrefix(got, "on_loan") {
		b.fail("copy", "status %q, want on loan to the partner", got)
	}
}
