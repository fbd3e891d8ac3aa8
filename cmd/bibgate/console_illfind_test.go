package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	"github.com/bibgate/bibgate/store/boltstore"
)

// consoleFindConfig is the console's demo with two ILL partners, each
// with its catalogue: LV:LNB, a second bibgate serve's Z39.50 (the demo
// catalogue with live circulation), and EE:TARTU, Zebra (MARC records
// with 852 holdings). Both partners' ISO 10161 address is the test's own
// server.
const consoleFindConfig = `data_dir = %q
[log]
format = "json"
[admin]
listen = "127.0.0.1:0"
[demo]
load = true
[sip2]
listen = ""
[z3950]
listen = ""
[ill]
symbol = "LV:ILU"
listen = %q
outbox_interval = "500ms"
find_timeout = "5s"
[[ill.partner]]
symbol = "LV:LNB"
name = "Latvijas Nacionālā bibliotēka"
address = %q
catalogue = "z3950://%s/Default"
[[ill.partner]]
symbol = "EE:TARTU"
name = "Tartu Ülikooli Raamatukogu"
address = %q
catalogue = %q
`

// responderOf is the symbol of the responder an APDU is addressed to.
func responderOf(a ill.APDU) string {
	if id := a.Head().ResponderID; id != nil && id.Symbol != nil && id.Symbol.Institution != nil {
		return string(*id.Symbol.Institution)
	}
	return ""
}

// TestConsoleILLFindSuppliersInChromium: the ILL librarian, in Debian's
// Chromium, opens a patron, follows "New ILL request", types the ISBN and
// presses Find suppliers: the gateway asks the partners' catalogues (a
// second bibgate serve over Z39.50, and Zebra) and the page lists both,
// the one with a copy on the shelf first, with their copies. She puts
// Tartu first (agreed with the patron) and sends: the ILL-Request goes to
// Tartu over ISO 10161, and the transaction page shows the rota with
// Tartu asked and the national library not yet. Tartu answers unfilled
// (not owned): the request goes on to the national library by itself, and
// the page shows Tartu's answer and the second ask.
func TestConsoleILLFindSuppliersInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two bibgate serve processes, zebrasrv and chromium")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skipf("chromium not installed (Debian package chromium): %v", err)
	}
	zebra := zebraCatalogue(t)

	// The national library: another gateway whose Z39.50 serves the demo
	// catalogue.
	lnbDir := t.TempDir()
	lnbZ3950, lnbAdmin := freeAddr(t), freeAddr(t)
	lnbCfg := filepath.Join(lnbDir, "bibgate.toml")
	if err := os.WriteFile(lnbCfg, fmt.Appendf(nil, "data_dir = %q\n[demo]\nload = true\n", filepath.Join(lnbDir, "data")), 0o600); err != nil {
		t.Fatal(err)
	}
	lnbCmd, lnbLogs := bibgate(t, lnbDir, "serve", "--config", lnbCfg, "--admin", lnbAdmin, "--sip2", "off", "--z3950", lnbZ3950, "--log-format", "json")
	waitListening(t, lnbLogs, "z3950")
	go (&drain{}).run(lnbLogs)
	defer func() { _ = lnbCmd.Process.Signal(os.Interrupt); _ = lnbCmd.Wait() }()

	partner := &partnerLibrary{seen: make(chan struct{}, 1)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	psrv := &illserver.Server{Backend: partner, Logger: zerolog.Nop()}
	go func() { _ = psrv.Serve(ln) }()
	defer psrv.Close()

	dir := t.TempDir()
	illAddr := freeAddr(t)
	cfgPath := filepath.Join(dir, "bibgate.toml")
	if err := os.WriteFile(cfgPath, fmt.Appendf(nil, consoleFindConfig, filepath.Join(dir, "data"), illAddr, ln.Addr().String(), lnbZ3950,
		ln.Addr().String(), zebra), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	prepareConsoleData(t, cfg)
	func() {
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
		svc, err := core.NewService(st, cons, core.Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddStaff(ctx, nil, core.NewStaff{ID: "liga", Library: demo.Central, Name: "Līga Ozola",
			Roles: []core.Role{core.RoleILL}, Password: consoleILLPassword}); err != nil {
			t.Fatal(err)
		}
	}()

	adminAddr := serveConsole(t, dir, cfgPath, "")[0]
	base := "http://" + adminAddr + "/staff"

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	b := startBrowser(t, ctx, chromium, 1366, 900)
	text := b.text
	attr := b.attr

	b.run("sign-in page", chromedp.Navigate(base+"/?lang=en"), chromedp.WaitVisible("#signin", chromedp.ByQuery))
	b.run("sign in", chromedp.SendKeys("#id", "liga", chromedp.ByQuery), chromedp.SendKeys("#password", consoleILLPassword, chromedp.ByQuery),
		submit("#signin button[type=submit]"))
	b.run("dashboard", chromedp.WaitVisible("#dash-ill", chromedp.ByQuery))
	b.run("patron", chromedp.Navigate(base+"/patron/"+demo.PatronGood), chromedp.WaitVisible("#patron-ill-new", chromedp.ByQuery))
	b.run("new ILL request", submit("#patron-ill-new"), chromedp.WaitVisible("#ill-find", chromedp.ByQuery))
	if got := attr("#ill-patron", "value"); got != demo.PatronGood {
		b.fail("new ILL request", "card %q, want the patron's %s", got, demo.PatronGood)
	}

	// Find suppliers by ISBN: both catalogues hold Kalevipoeg.
	start := time.Now()
	b.run("find suppliers", chromedp.SendKeys("#ill-isbn", "9789985652660", chromedp.ByQuery), chromedp.SendKeys("#ill-title", "Kalevipoeg", chromedp.ByQuery),
		submit("#ill-find"), chromedp.WaitVisible("#ill-supplier-list", chromedp.ByQuery))
	took := time.Since(start)
	var order []string
	b.run("read the suppliers", chromedp.Evaluate(`[...document.querySelectorAll("#ill-supplier-list tbody tr")].map(r => r.dataset.partner)`, &order))
	if strings.Join(order, ",") != "LV:LNB,EE:TARTU" {
		b.fail("find suppliers", "suppliers %v, want the national library (a copy on the shelf) before Tartu", order)
	}
	lnbRow, tartuRow := text(`#ill-supplier-list tr[data-partner="LV:LNB"]`), text(`#ill-supplier-list tr[data-partner="EE:TARTU"]`)
	if !strings.Contains(lnbRow, "Kalevipoeg") || !strings.Contains(lnbRow, "available now") || !strings.Contains(lnbRow, "available") {
		b.fail("find suppliers", "national library's row %q", lnbRow)
	}
	if !strings.Contains(tartuRow, "Kalevipoeg") || !strings.Contains(tartuRow, "availability unknown") || !strings.Contains(tartuRow, "reading room only") ||
		!strings.Contains(tartuRow, "894.545 K92") {
		b.fail("find suppliers", "Tartu's row %q", tartuRow)
	}
	var ticked []bool
	b.run("read the ticks", chromedp.Evaluate(`[...document.querySelectorAll("#ill-supplier-list input[name=rota]")].map(c => c.checked)`, &ticked))
	if len(ticked) != 2 || !ticked[0] || !ticked[1] {
		b.fail("find suppliers", "ticked %v, want both proposed", ticked)
	}
	t.Logf("Find suppliers answered in %v", took)

	// Tartu first, then the national library; send.
	b.run("order", chromedp.SetValue(`input[name="order_EE:TARTU"]`, "1", chromedp.ByQuery), chromedp.SetValue(`input[name="order_LV:LNB"]`, "2", chromedp.ByQuery),
		submit("#ill-send"), chromedp.WaitVisible("#ill-rota", chromedp.ByQuery))
	if got := text("#flash"); got == "" {
		b.fail("send", "no confirmation")
	}
	first := partner.wait(t, "the ILL-Request to Tartu", func(a ill.APDU) bool { _, ok := a.(*ill.Request); return ok })
	if got := responderOf(first); got != "EE:TARTU" {
		t.Fatalf("the first ILL-Request went to %q, want EE:TARTU", got)
	}
	var rota []string
	b.run("read the rota", chromedp.Evaluate(`[...document.querySelectorAll("#ill-rota li")].map(l => l.dataset.partner + ": " + l.textContent)`, &rota))
	if len(rota) != 2 || !strings.HasPrefix(rota[0], "EE:TARTU: ") || !strings.HasPrefix(rota[1], "LV:LNB: ") || !strings.Contains(rota[1], "not asked yet") {
		b.fail("send", "rota on the page %q", rota)
	}

	// Tartu does not own it.
	now := time.Now()
	if _, err := (&illclient.Client{Addr: illAddr, ExpectReply: true}).Send(ctx, &ill.Answer{Header: illserver.ReplyHeader(first.Head(), now),
		TransactionResults: ill.Unfilled, ResultsExplanation: &ill.ResultsExplanation{Unfilled: &ill.UnfilledResults{ReasonUnfilled: 5}}}); err != nil {
		t.Fatalf("Tartu's ILL-Answer unfilled: %v", err)
	}
	second := partner.wait(t, "the ILL-Request to the national library", func(a ill.APDU) bool {
		_, ok := a.(*ill.Request)
		return ok && responderOf(a) == "LV:LNB"
	})
	if second.Head().TransactionID.Qualifier == first.Head().TransactionID.Qualifier {
		t.Errorf("the second ask reuses the first's transaction-id %q", first.Head().TransactionID.Qualifier)
	}
	b.run("reload", chromedp.Reload(), chromedp.WaitVisible("#ill-rota", chromedp.ByQuery))
	rota = nil
	b.run("read the rota again", chromedp.Evaluate(`[...document.querySelectorAll("#ill-rota li")].map(l => l.dataset.partner + ": " + l.textContent)`, &rota))
	if len(rota) != 2 || !strings.Contains(rota[0], "unfilled") || !strings.Contains(rota[0], "not owned") || strings.Contains(rota[1], "not asked yet") {
		b.fail("after unfilled", "rota on the page %q", rota)
	}
	if got := text("#ill-partner"); got != "LV:LNB" {
		b.fail("after unfilled", "partner %q, want the national library now", got)
	}
}
