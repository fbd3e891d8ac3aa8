package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/internal/config"
)

// TestConsoleReceiptInChromium: a cataloguer of the central library
// drafts the receipt of a gift without an accompanying document (annex
// 2) through the console in Debian's Chromium against the real bibgate
// serve, typing the copy into the form's first row; she may not approve
// it. The director approves it in her name; the act, printed to PDF by
// Chromium, has annex 2's heading, the register entry and the copy, and
// none of the console's menu; the new copy's individual record (annex 4),
// reached from the copy's page, prints with its entry number and the
// receipt in its history.
func TestConsoleReceiptInChromium(t *testing.T) {
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
	const barcode = "DAV0001"

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	b := startBrowser(t, ctx, chromium, 1366, 768)
	text := b.text
	signIn := func(id, next string) {
		t.Helper()
		b.run("sign in "+id, chromedp.Navigate(base+next), chromedp.WaitVisible("#signin", chromedp.ByQuery),
			chromedp.SendKeys("#id", id, chromedp.ByQuery), chromedp.SendKeys("#password", pw, chromedp.ByQuery),
			submit("#signin button[type=submit]"))
	}
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
		for _, menu := range []string{"Sign out", "Iziet", "Download CSV", "Lejupielādēt CSV", "Signed in", "Apstiprināt aktu"} {
			if strings.Contains(got, menu) {
				t.Errorf("%s: the printed page has the console's %q", name, menu)
			}
		}
		if !a4.MatchString(info) {
			t.Errorf("%s: pages are not A4:\n%s", name, info)
		}
	}

	// The cataloguer drafts the receipt, the copy in the first row.
	row := func(name string) string { return `#rc-rows tbody tr:first-child [name=` + name + `]` }
	signIn("karlis", "/accounting/receipts")
	b.run("draft receipt", chromedp.WaitVisible("#receipt-form", chromedp.ByQuery),
		chromedp.SetValue("#rc-kind", "no_document", chromedp.ByQuery),
		chromedp.SendKeys("#rc-supplier", "Jānis Bērziņš", chromedp.ByQuery), chromedp.SendKeys("#rc-delivery", "dāvinājums", chromedp.ByQuery),
		chromedp.SendKeys("#rc-chair", "bibliotekāre Inese Kalniņa", chromedp.ByQuery),
		chromedp.SendKeys(row("c_barcode"), barcode, chromedp.ByQuery), chromedp.SendKeys(row("c_inventory"), "D-1", chromedp.ByQuery),
		chromedp.SendKeys(row("c_record"), demo.Titles()[0].RecordID, chromedp.ByQuery),
		chromedp.SendKeys(row("c_title"), "Zaļā zeme", chromedp.ByQuery), chromedp.SendKeys(row("c_value"), "12,50", chromedp.ByQuery),
		submit("#draft-receipt"), chromedp.WaitVisible("#receipt-act", chromedp.ByQuery))
	if got := text("#act-draft"); !strings.HasPrefix(got, "PROJEKTS") {
		b.fail("draft", "draft mark %q", got)
	}
	var approveForms int
	b.run("no approval for her", chromedp.Evaluate(`document.querySelectorAll('#approve-form').length`, &approveForms))
	if approveForms != 0 {
		b.fail("draft", "the cataloguer is offered the approval")
	}
	var receiptURL string
	b.run("receipt url", chromedp.Location(&receiptURL))
	b.run("sign out", submit("#signout"), chromedp.WaitVisible("#signin", chromedp.ByQuery))

	// The director approves it in her name.
	signIn("zane", strings.TrimPrefix(receiptURL, base))
	b.run("approve", chromedp.WaitVisible("#approve-form", chromedp.ByQuery))
	var approver string
	b.run("approver", chromedp.Value("#approved-by", &approver, chromedp.ByQuery))
	if approver != "Zane Direktore" {
		b.fail("approve", "the approver's name is %q, want the signed-in director's", approver)
	}
	b.run("approve", submit("#approve-receipt"), chromedp.WaitVisible("#act-approved-by", chromedp.ByQuery))
	if got := text("#receipt-act h1"); got != "Akts Nr. "+actNo {
		b.fail("receipt act", "heading %q", got)
	}
	checkPDF("print receipt act", "receipt-act.pdf", []string{
		"Akts Nr. " + actNo, "par iespieddarbu un citu dokumentu saņemšanu bez pavaddokumentiem", "APSTIPRINU", "Zane Direktore",
		"Aktu sastādīja:", "bibliotekāre Inese Kalniņa", "saņēma dāvinājums", "Piegādātājs Jānis Bērziņš",
		"Kopā: 1 eks. par summu EUR 12,50", "Ierakstīts krājuma summārās uzskaites grāmatā ar kārtas Nr. " + actNo,
		"Individuālās uzskaites numuri no Nr. D-1 līdz Nr. D-1", "Paraksti:", barcode})

	// The copy's record, from the copy's page.
	b.run("copy page", chromedp.Navigate(base+"/copy/"+barcode), chromedp.WaitVisible("#copy-record-link", chromedp.ByQuery),
		submit("#copy-record-link"), chromedp.WaitVisible("#copy-record", chromedp.ByQuery))
	if got := text("#history tbody"); !strings.Contains(got, "saņemts krājumā") || !strings.Contains(got, actNo) {
		b.fail("copy record", "history %q", got)
	}
	checkPDF("print copy record", "copy-record.pdf", []string{"Individuālās uzskaites grāmata", "Ieraksta numurs summārās",
		"Krājuma kustība", barcode, "saņemts krājumā"})

	b.run("audit", chromedp.Navigate(base+"/audit"), chromedp.WaitVisible("#audit", chromedp.ByQuery))
	log := text("#audit")
	for _, want := range []string{"receipt_draft", "receipt_approve"} {
		if !strings.Contains(log, want) {
			b.fail("audit log", "no %s entry", want)
		}
	}
	if !havePDF {
		t.Skipf("pdftotext or pdfinfo not installed (Debian package poppler-utils): the printed acts were not read (%v, %v)", errText, errInfo)
	}
}
