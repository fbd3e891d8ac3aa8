package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/internal/config"
	"github.com/bibgate/bibgate/store/boltstore"
)

// addConsoleStaff adds staff accounts to the bolt data directory before
// the server starts, as the operator does.
func addConsoleStaff(t *testing.T, cfg *config.Config, staff ...core.NewStaff) {
	t.Helper()
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
	for _, n := range staff {
		if _, err := svc.AddStaff(ctx, nil, n); err != nil {
			t.Fatal(err)
		}
	}
}

// pdfText prints the browser's current page to PDF with Chromium's own
// print engine (the print stylesheet, A4 from its @page rule) and returns
// the PDF's text as pdftotext reads it, blanks collapsed, and what pdfinfo
// says of its pages.
func (b *browser) pdfText(step, dir, name string) (text, info string) {
	b.t.Helper()
	var pdf []byte
	b.run(step, chromedp.ActionFunc(func(ctx context.Context) (err error) {
		pdf, _, err = page.PrintToPDF().WithPreferCSSPageSize(true).Do(ctx)
		return err
	}))
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		b.t.Fatalf("pdftotext %s: %v", path, err)
	}
	inf, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		b.t.Fatalf("pdfinfo %s: %v", path, err)
	}
	return strings.Join(strings.Fields(string(out)), " "), string(inf)
}

// a4 matches pdfinfo's page size line for A4, portrait or landscape.
var a4 = regexp.MustCompile(`Page size:\s+[0-9.]+ x [0-9.]+ pts \(A4\)`)

// TestConsoleAccountingInChromium: a cataloguer of the central library
// works a stocktaking of shelf 85 through the console in Debian's
// Chromium against the real bibgate serve: she opens it with the
// commission, scans two of its three copies with the scanner's Enter, and
// closes it; the inventory act lists the third as missing. She drafts its
// write-off from the act but may not approve it; the director, signed in
// as the library's administrator, approves it in her name. Each act page,
// printed to PDF by Chromium, has the heading of its annex and none of
// the console's menu, on A4 pages.
func TestConsoleAccountingInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skipf("chromium not installed (Debian package chromium): %v", err)
	}
	_, errText := exec.LookPath("pdftotext")
	_, errInfo := exec.LookPath("pdfinfo")
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "bibgate.toml")
	if err := os.WriteFile(cfgPath, fmt.Appendf(nil, consoleConfig, filepath.Join(dir, "data")), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	prepareConsoleData(t, cfg)
	const pw = "Lapa-Zars-2026!"
	addConsoleStaff(t, cfg,
		core.NewStaff{ID: "karlis", Library: demo.Central, Name: "Kārlis Kalns", Roles: []core.Role{core.RoleCataloguing}, Password: pw},
		core.NewStaff{ID: "zane", Library: demo.Central, Name: "Zane Direktore", Roles: []core.Role{core.RoleAdmin}, Password: pw})

	adminAddr := serveConsole(t, dir, cfgPath, pw)[0]
	base := "http://" + adminAddr + "/staff"
	year := time.Now().In(demo.Riga()).Year()
	actNo := fmt.Sprintf("1/%d", year)

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	b := startBrowser(t, ctx, chromium, 1366, 768)
	text := b.text
	signIn := func(id string) {
		t.Helper()
		b.run("sign in "+id, chromedp.Navigate(base+"/accounting/stocktakes"), chromedp.WaitVisible("#signin", chromedp.ByQuery),
			chromedp.SendKeys("#id", id, chromedp.ByQuery), chromedp.SendKeys("#password", pw, chromedp.ByQuery),
			submit("#signin button[type=submit]"))
	}
	var shelf []string
	for _, it := range demo.Items() {
		if it.Library == demo.Central && strings.HasPrefix(it.CallNumber, "85/") {
			shelf = append(shelf, it.ID)
		}
	}
	if len(shelf) != 3 {
		t.Fatalf("shelf 85 of the central library has %v, want three copies", shelf)
	}
	missing := shelf[2]

	// The cataloguer opens the stocktaking of shelf 85 (the sign-in
	// returns her to the page she asked for).
	signIn("karlis")
	b.run("open stocktaking", chromedp.WaitVisible("#stocktake-form", chromedp.ByQuery),
		chromedp.SendKeys("#st-chair", "Inese Kalniņa", chromedp.ByQuery), chromedp.SendKeys("#st-from", "85", chromedp.ByQuery),
		chromedp.SendKeys("#st-to", "85", chromedp.ByQuery), chromedp.SendKeys("#st-members", "Pēteris Ozols\nLīga Liepa", chromedp.ByQuery),
		submit("#open-stocktake"), chromedp.WaitVisible("#scan-form", chromedp.ByQuery))
	// A scanner types the barcode and Enter into the field with the
	// cursor: the barcode field has it, page after page.
	for _, code := range shelf[:2] {
		var focused string
		b.run("focus before "+code, chromedp.Evaluate(`document.activeElement && document.activeElement.id`, &focused))
		if focused != "stocktake-barcode" {
			b.fail("scan "+code, "the cursor is in %q, want the barcode field", focused)
		}
		b.run("scan "+code, chromedp.ActionFunc(func(ctx context.Context) error { return nextPage(ctx, chromedp.KeyEvent(code+kb.Enter)) }))
		if got := text("#scan-result"); !strings.Contains(got, code) || !strings.Contains(got, "Ilūkstes novada vēsture") {
			b.fail("scan "+code, "result %q", got)
		}
	}
	if got := text("#stocktake-seen"); !strings.HasPrefix(got, "2 ") {
		b.fail("progress", "%q, want 2 barcodes scanned", got)
	}
	b.run("close stocktaking", submit("#close-stocktake"), chromedp.WaitVisible("#inventory-act", chromedp.ByQuery))
	if got := text("#inventory-act h1"); got != "Bibliotēkas krājuma inventarizācijas akts Nr. "+actNo {
		b.fail("inventory act", "heading %q", got)
	}
	var listed int
	b.run("missing list", chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll('.annex tr[data-item=%q]').length`, missing), &listed))
	if listed != 1 {
		b.fail("inventory act", "%s is listed %d times as missing, want once", missing, listed)
	}
	var inventoryURL string
	b.run("act url", chromedp.Location(&inventoryURL))

	havePDF := errText == nil && errInfo == nil
	checkPDF := func(step, name string, want []string) {
		t.Helper()
		if !havePDF {
			return
		}
		got, info := b.pdfText(step, dir, name)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: the PDF's text lacks %q:\n%s", name, w, got)
			}
		}
		for _, menu := range []string{"Sign out", "Iziet", "Download CSV", "Lejupielādēt CSV", "Signed in"} {
			if strings.Contains(got, menu) {
				t.Errorf("%s: the printed page has the console's %q", name, menu)
			}
		}
		if !a4.MatchString(info) {
			t.Errorf("%s: pages are not A4:\n%s", name, info)
		}
	}
	checkPDF("print inventory act", "inventory-act.pdf", []string{
		"Bibliotēkas krājuma inventarizācijas akts Nr. " + actNo, "APSTIPRINU", "Komisija šādā sastāvā:", "Inese Kalniņa",
		"Salīdzinot šos dokumentus ar krājuma individuālās uzskaites dokumentiem, tika konstatēts:",
		"Trūkstošo grāmatu, citu iespieddarbu un dokumentu saraksts", missing, "0,3 %"})

	// She drafts the write-off of what was missing, from the act.
	b.run("to write-off", submit("#to-writeoff"), chromedp.WaitVisible("#writeoff-form", chromedp.ByQuery),
		chromedp.SetValue("#wo-reason", "lost", chromedp.ByQuery), chromedp.SendKeys("#wo-chair", "Inese Kalniņa", chromedp.ByQuery),
		chromedp.SendKeys("#wo-disposal", "svītroti no uzskaites", chromedp.ByQuery),
		submit("#draft-writeoff"), chromedp.WaitVisible("#writeoff-act", chromedp.ByQuery))
	if got := text("#act-draft"); !strings.HasPrefix(got, "PROJEKTS") {
		b.fail("draft", "draft mark %q", got)
	}
	var approveForms int
	b.run("no approval for her", chromedp.Evaluate(`document.querySelectorAll('#approve-form').length`, &approveForms))
	if approveForms != 0 {
		b.fail("draft", "the cataloguer is offered the approval")
	}
	var writeOffURL string
	b.run("write-off url", chromedp.Location(&writeOffURL))
	b.run("sign out", submit("#signout"), chromedp.WaitVisible("#signin", chromedp.ByQuery))

	// The director approves it in her name.
	signIn("zane")
	b.run("approve", chromedp.Navigate(writeOffURL), chromedp.WaitVisible("#approve-form", chromedp.ByQuery))
	var approver string
	b.run("approver", chromedp.Value("#approved-by", &approver, chromedp.ByQuery))
	if approver != "Zane Direktore" {
		b.fail("approve", "the approver's name is %q, want the signed-in director's", approver)
	}
	b.run("approve", submit("#approve-writeoff"), chromedp.WaitVisible("#writeoff-act", chromedp.ByQuery))
	if got := text("#writeoff-act h1"); got != "Norakstīšanas akts Nr. "+actNo {
		b.fail("write-off act", "heading %q", got)
	}
	if got := text("#act-approved-by"); got != "Zane Direktore" {
		b.fail("write-off act", "approved by %q", got)
	}
	checkPDF("print write-off act", "writeoff-act.pdf", []string{
		"Norakstīšanas akts Nr. " + actNo, "APSTIPRINU", "Zane Direktore", "Norakstīšanas iemesls",
		"Pavisam norakstīti 1 iespieddarbi un citi dokumenti", "Norakstīšanas akta Nr. " + actNo + " pielikums",
		"Norakstīto iespieddarbu un citu dokumentu saraksts", missing})

	// The summary register counts the act in part 2.
	b.run("register", chromedp.Navigate(base+"/accounting/register"), chromedp.WaitVisible("#register-book", chromedp.ByQuery))
	if got := text("#register-part2 tbody"); !strings.Contains(got, actNo) {
		b.fail("register", "part 2 %q has no act %s", got, actNo)
	}
	for _, part := range []string{"#register-part1 thead", "#register-part2 thead", "#register-part3 thead"} {
		if got := text(part); !strings.Contains(got, "zinātņu nozarēm (UDK)") || !strings.Contains(got, "bez UDK") {
			b.fail("register", "%s has no UDC columns: %q", part, got)
		}
	}
	checkPDF("print register", "register.pdf", []string{"Summārās uzskaites grāmata", "1.daļa. Saņemtie iespieddarbi un citi dokumenti",
		"2.daļa. Norakstītie iespieddarbi un citi dokumenti", "3.daļa. Krājuma uzskaites kopsavilkums"})

	// The inventory act is the director's to read too, and the audit log
	// has who did what.
	b.run("inventory act again", chromedp.Navigate(inventoryURL), chromedp.WaitVisible("#inventory-act", chromedp.ByQuery))
	b.run("audit", chromedp.Navigate(base+"/audit"), chromedp.WaitVisible("#audit", chromedp.ByQuery))
	log := text("#audit")
	for _, want := range []string{"stocktake_open", "stocktake_scan", "stocktake_close", "writeoff_draft", "writeoff_approve"} {
		if !strings.Contains(log, want) {
			b.fail("audit log", "no %s entry", want)
		}
	}
	if !havePDF {
		t.Skipf("pdftotext or pdfinfo not installed (Debian package poppler-utils): the printed acts were not read (%v, %v)", errText, errInfo)
	}
}
