package staffweb_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
)

// pathOf is the path of a redirect's Location, without its query.
func pathOf(loc string) string {
	p, _, _ := strings.Cut(loc, "?")
	return p
}

// TestReceiptWorkflow: the cataloguer drafts an annex 2 receipt (a gift
// without a document) with one copy typed in the form's rows and one in a
// pasted CSV list; the form keeps what was typed when something is
// missing. The cataloguer may not approve it; the administrator approves
// it in the director's name. The act page has the annex's heading and
// layout, its CSV the copies, the copy's record (annex 4) the entry
// number and the receipt in its history; every write is audited.
func TestReceiptWorkflow(t *testing.T) {
	c := newConsole(t, false)
	withCataloguer(t, c)
	ctx := context.Background()
	kat := c.client()
	tok, _ := c.signIn(kat, "kat")

	status, page := c.get(kat, "/staff/accounting/receipts")
	if status != 200 || !strings.Contains(page, `id="receipts-none"`) || !strings.Contains(page, `id="receipt-form"`) {
		t.Fatalf("receipts page: %d\n%s", status, page)
	}
	form := url.Values{"library": {demo.Central}, "kind": {"no_document"}, "supplier": {"Jānis Bērziņš"}, "delivery": {"dāvinājums"},
		"c_barcode": {"NEW0001", ""}, "c_inventory": {"N-1", ""}, "c_record": {demo.Titles()[0].RecordID, ""},
		"c_title": {"Zaļā zeme", ""}, "c_author": {"Andrejs Upīts", ""}, "c_callno": {"821", ""}, "c_material": {"book", "book"},
		"c_value": {"12,50", ""}, "c_replaces": {"", ""},
		"copies_csv": {"barcode,inventory_number,record_id,title,call_number,material,value\nNEW0002,N-2," + demo.Titles()[1].RecordID +
			",Mērnieku laiki,821,magazine,3.00"}}
	status, _, body := c.post(kat, tok, "/staff/accounting/receipts", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="acct-error"`) || !strings.Contains(body, `value="Jānis Bērziņš"`) ||
		!strings.Contains(body, `value="NEW0001"`) {
		t.Errorf("draft without who drew it up: %d\n%s", status, body)
	}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("chair", "Inese Kalniņa")
	bad.Set("copies_csv", "barcode,title\nNEW0003,no record id")
	if status, _, body := c.post(kat, tok, "/staff/accounting/receipts", bad); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "record_id") {
		t.Errorf("draft with a bad CSV list: %d\n%s", status, body)
	}
	form.Set("chair", "Inese Kalniņa")
	form.Set("members", "Pēteris Ozols\n")
	status, loc, _ := c.post(kat, tok, "/staff/accounting/receipts", form)
	if status != http.StatusSeeOther || !strings.Contains(loc, "ok=ok_receipt_drafted") {
		t.Fatalf("draft: %d to %q", status, loc)
	}
	rcPath := pathOf(loc)
	id := strings.TrimPrefix(rcPath, "/staff/accounting/receipts/")
	_, page = c.get(kat, rcPath)
	for _, want := range []string{"<h1>Akts Nr. ___</h1>", "par iespieddarbu un citu dokumentu saņemšanu bez pavaddokumentiem",
		"PROJEKTS (" + id + ")", "Aktu sastādīja:", "(amats, vārds, uzvārds)", "Inese Kalniņa", "Pēteris Ozols", "dāvinājums",
		"(institūcijas nosaukums, reģistrācijas numurs vai fiziskas personas vārds, uzvārds)", "Kopā:", "12,50", "15,50"} {
		if !strings.Contains(page, want) {
			t.Errorf("draft act page lacks %q", want)
		}
	}
	if strings.Contains(page, `id="approve-form"`) {
		t.Error("the cataloguer is offered the approval")
	}
	if status, loc, _ := c.post(kat, tok, rcPath+"/approve", url.Values{"approved_by": {"Kārlis Katalogs"}}); status != http.StatusSeeOther ||
		!strings.Contains(loc, "err=forbidden") {
		t.Errorf("cataloguer's approval: %d to %q", status, loc)
	}
	if a, _ := c.svc.ReceiptByID(ctx, id); !a.Approved.IsZero() {
		t.Fatal("the cataloguer approved a receipt")
	}

	anna := c.client()
	atok, _ := c.signIn(anna, "anna")
	if _, page := c.get(anna, rcPath); !strings.Contains(page, `id="approve-form"`) {
		t.Fatal("no approval form for the administrator")
	}
	if status, loc, _ := c.post(anna, atok, rcPath+"/approve", url.Values{"approved_by": {" "}}); status != http.StatusSeeOther ||
		!strings.Contains(loc, "err=approver_missing") {
		t.Errorf("approval by nobody: %d to %q", status, loc)
	}
	if status, loc, _ := c.post(anna, atok, rcPath+"/approve", url.Values{"approved_by": {"Zane Direktore"}}); status != http.StatusSeeOther ||
		!strings.Contains(loc, "ok=ok_receipt_approved") {
		t.Fatalf("approval: %d to %q", status, loc)
	}
	_, page = c.get(kat, rcPath)
	for _, want := range []string{"<h1>Akts Nr. 1/2026</h1>", "APSTIPRINU", "Zane Direktore",
		"Ierakstīts krājuma summārās uzskaites grāmatā ar kārtas Nr. <span class=\"fill\">1/2026</span>",
		"Individuālās uzskaites numuri no Nr. <span class=\"fill\">N-1</span> līdz Nr. <span class=\"fill\">N-2</span>",
		"Akta Nr. 1/2026 pielikums: saņemto iespieddarbu un citu dokumentu saraksts", `data-item="NEW0002"`} {
		if !strings.Contains(page, want) {
			t.Errorf("approved act page lacks %q", want)
		}
	}
	if strings.Contains(page, "PROJEKTS") {
		t.Error("an approved act is marked a draft")
	}
	head, rows := c.getCSV(kat, rcPath+"/csv")
	if want := []string{"akts", "datums", "veids", "ieraksts", "nr", "inventāra_numurs", "svītrkods", "izdevuma_apraksts",
		"plaukta_indekss", "izdevuma_tips", "vērtība_eur", "nozaudētā_vietā"}; !slices.Equal(head, want) {
		t.Errorf("receipt CSV columns %q", head)
	}
	if len(rows) != 3 || rows[0][0] != "1/2026" || rows[0][6] != "NEW0001" || rows[0][10] != "12.50" || rows[1][9] != "serials" ||
		rows[2][4] != "kopā" || rows[2][9] != "2" || rows[2][10] != "15.50" {
		t.Errorf("receipt CSV rows %q", rows)
	}
	if _, rows := c.getCSV(kat, "/staff/accounting/receipts/csv"); len(rows) != 1 || rows[0][0] != id || rows[0][3] != "2" ||
		rows[0][4] != "1/2026" || rows[0][11] != "Zane Direktore" {
		t.Errorf("receipt list CSV %q", rows)
	}

	// The copy's record (annex 4), linked from the copy's page.
	if _, page := c.get(kat, "/staff/copy/NEW0001"); !strings.Contains(page, `href="/staff/accounting/copies/NEW0001" id="copy-record-link"`) {
		t.Error("the copy page does not link the copy's record")
	}
	var subate string
	for _, it := range demo.Items() {
		if it.Library == demo.Subate {
			subate = it.ID
			break
		}
	}
	if _, page := c.get(kat, "/staff/copy/"+subate); strings.Contains(page, "copy-record-link") {
		t.Error("the copy page of another library's copy links its record")
	}
	if status, _ := c.get(kat, "/staff/accounting/copies/"+subate); status != http.StatusForbidden {
		t.Errorf("the record of another library's copy: %d", status)
	}
	status, page = c.get(kat, "/staff/accounting/copies/NEW0001")
	for _, want := range []string{"Individuālās uzskaites grāmata", "Ieraksta numurs summārās uzskaites grāmatā",
		"Norakstīšanas akta numurs, datums", "<th>12</th>", "<td>1/2026</td>", "saņemts krājumā", "Zane Direktore"} {
		if !strings.Contains(page, want) {
			t.Errorf("copy record page (%d) lacks %q", status, want)
		}
	}
	head, rows = c.getCSV(kat, "/staff/accounting/copies/NEW0001/csv")
	if len(head) != 13 || head[1] != "Ieraksta datums" || head[12] != "Norakstīšanas akta numurs, datums" || len(rows) != 3 ||
		rows[0][3] != "NEW0001" || rows[0][9] != "1/2026" || rows[2][0] != "vēsture" || rows[2][3] != "received" {
		t.Errorf("copy record CSV %q %q", head, rows)
	}

	entries, err := c.svc.QueryAudit(ctx, core.Actor{StaffID: "anna"}, core.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if strings.HasPrefix(e.Object, "receipt/") {
			got = append(got, e.Actor+":"+e.Action)
		}
	}
	if want := []string{"kat:receipt_draft", "anna:receipt_approve"}; !slices.Equal(got, want) {
		t.Errorf("audit %v, want %v", got, want)
	}
}

// TestReceiptActLayouts: a discrepancy with the document (annex 1) says
// what is short; a replacement (annex 3) names the lost copy each new one
// stands for.
func TestReceiptActLayouts(t *testing.T) {
	c := newConsole(t, false)
	withCataloguer(t, c)
	kat := c.client()
	tok, _ := c.signIn(kat, "kat")
	status, loc, body := c.post(kat, tok, "/staff/accounting/receipts", url.Values{"library": {demo.Central}, "kind": {"discrepancy"},
		"supplier": {"SIA Zvaigzne ABC"}, "doc_name": {"pavadzīme"}, "doc_number": {"PV-7"}, "doc_date": {"2026-10-30"},
		"doc_copies": {"3"}, "doc_value": {"30"}, "chair": {"Inese Kalniņa"}, "findings": {"trūkst 2 eksemplāri"},
		"c_barcode": {"DIS1"}, "c_record": {demo.Titles()[0].RecordID}, "c_title": {"Zaļā zeme"}, "c_value": {"10"}, "c_material": {"book"}})
	if status != http.StatusSeeOther {
		t.Fatalf("annex 1 draft: %d\n%s", status, body)
	}
	_, page := c.get(kat, pathOf(loc))
	for _, want := range []string{"par saņemto iespieddarbu un citu dokumentu skaita neatbilstību pavaddokumentam",
		"saņemot no <span class=\"fill\" id=\"act-supplier\">SIA Zvaigzne ABC</span>", "pavadzīme Nr. PV-7, 2026-10-30",
		"trūkst <span class=\"fill\">2</span> eks. par summu EUR <span class=\"fill\">20,00</span>", "Konstatēts:", "trūkst 2 eksemplāri",
		"(pavaddokumenta nosaukums, numurs, datums)"} {
		if !strings.Contains(page, want) {
			t.Errorf("annex 1 act lacks %q", want)
		}
	}
	status, _, body = c.post(kat, tok, "/staff/accounting/receipts", url.Values{"library": {demo.Central}, "kind": {"replacement"},
		"chair": {"Inese Kalniņa"}, "c_barcode": {"REP1"}, "c_record": {demo.Titles()[0].RecordID}, "c_replaces": {shelf85()[0]}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "not lost by a patron") || !strings.Contains(body, `value="REP1"`) {
		t.Errorf("replacement of a copy on the shelf: %d\n%s", status, body)
	}
}

// TestReplacementReceipt: a patron lost a copy; the copy she gives in its
// place is received by an annex 3 act, which names the lost copy on its
// list and, once approved, the write-off act that withdrew it.
func TestReplacementReceipt(t *testing.T) {
	c := newConsole(t, false)
	withCataloguer(t, c)
	ctx := context.Background()
	patron := demo.Patrons(c.clock.Now())[20].ID
	lost := ""
	for _, it := range demo.Items() {
		if it.Library != demo.Central || it.ReadingRoomOnly || it.Material != "book" {
			continue
		}
		if _, err := c.svc.Checkout(ctx, core.CheckoutRequest{Library: demo.Central, PatronID: patron, ItemID: it.ID}); err == nil {
			lost = it.ID
			break
		}
	}
	if lost == "" {
		t.Fatal("no demo copy at the central library could be lent")
	}
	if _, err := c.svc.DeclareLost(ctx, lost); err != nil {
		t.Fatal(err)
	}
	kat := c.client()
	tok, _ := c.signIn(kat, "kat")
	status, loc, body := c.post(kat, tok, "/staff/accounting/receipts", url.Values{"library": {demo.Central}, "kind": {"replacement"},
		"chair": {"Inese Kalniņa"}, "c_barcode": {"REP1"}, "c_inventory": {"R-1"}, "c_record": {demo.Titles()[0].RecordID},
		"c_title": {"Zaļā zeme"}, "c_material": {"book"}, "c_replaces": {lost}})
	if status != http.StatusSeeOther {
		t.Fatalf("annex 3 draft: %d\n%s", status, body)
	}
	rcPath := pathOf(loc)
	anna := c.client()
	atok, _ := c.signIn(anna, "anna")
	if status, loc, _ := c.post(anna, atok, rcPath+"/approve", url.Values{"approved_by": {"Zane Direktore"}}); !strings.Contains(loc, "ok=ok_receipt_approved") {
		t.Fatalf("approval: %d to %q", status, loc)
	}
	_, page := c.get(kat, rcPath)
	for _, want := range []string{"<h1>Akts Nr. 1/2026</h1>",
		"par iespieddarbu un citu dokumentu pieņemšanu, kuri saņemti no bibliotēkas lietotājiem nozaudēto vietā",
		"pieņēma iespieddarbus un citus dokumentus, kuri saņemti no bibliotēkas lietotājiem nozaudēto vietā.",
		"no bibliotēkas lietotājiem nozaudēto vietā pieņemto iespieddarbu un citu dokumentu saraksts", "<th>Nozaudētā eksemplāra vietā</th>",
		"<td>" + lost + "</td>", "Nozaudētie eksemplāri norakstīti ar norakstīšanas aktu Nr. 1/2026", `id="act-writeoff"`} {
		if !strings.Contains(page, want) {
			t.Errorf("annex 3 act lacks %q", want)
		}
	}
	if _, rows := c.getCSV(kat, rcPath+"/csv"); len(rows) != 2 || rows[0][6] != "REP1" || rows[0][11] != lost {
		t.Errorf("annex 3 CSV %q", rows)
	}
	if s, _ := c.svc.Item(ctx, lost); s.Item.Status != core.ItemWithdrawn {
		t.Errorf("the lost copy is %s after its replacement", s.Item.Status)
	}
}

// TestExchangeTransfer: a copy written off for the exchange collection
// (33.8) is listed there; the cataloguer sees it but may not give it
// away; the administrator transfers it to a named institution, and the
// transfer act, its CSV and the copy's history show it.
func TestExchangeTransfer(t *testing.T) {
	c := newConsole(t, false)
	withCataloguer(t, c)
	ctx := context.Background()
	admin := core.Actor{StaffID: "anna"}
	copyID := shelf85()[0]
	wo, err := c.svc.DeskDraftWriteOff(ctx, admin, core.WriteOffRequest{Library: demo.Central, Reason: "exchange", Items: []string{copyID},
		Commission: core.Commission{Chair: "Inese Kalniņa"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.DeskApproveWriteOff(ctx, admin, wo.ID, "Zane Direktore"); err != nil {
		t.Fatal(err)
	}
	kat := c.client()
	ktok, _ := c.signIn(kat, "kat")
	status, page := c.get(kat, "/staff/accounting/exchange")
	if status != 200 || !strings.Contains(page, `data-item="`+copyID+`"`) || strings.Contains(page, `id="transfer-exchange"`) {
		t.Fatalf("exchange page for the cataloguer: %d\n%s", status, page)
	}
	head, rows := c.getCSV(kat, "/staff/accounting/exchange/csv")
	if len(head) != 8 || head[2] != "svītrkods" || len(rows) != 1 || rows[0][2] != copyID || rows[0][6] != "1/2026" {
		t.Errorf("exchange CSV %q %q", head, rows)
	}
	transfer := url.Values{"library": {demo.Central}, "recipient": {"Daugavpils pilsētas bibliotēka"}, "recipient_id": {"90000065508"},
		"approved_by": {"Zane Direktore"}, "item": {copyID}}
	if status, _, _ := c.post(kat, ktok, "/staff/accounting/exchange/transfer", transfer); status != http.StatusForbidden {
		t.Errorf("cataloguer's transfer: %d", status)
	}
	anna := c.client()
	atok, _ := c.signIn(anna, "anna")
	noOne := url.Values{"library": {demo.Central}, "approved_by": {"Zane Direktore"}, "item": {copyID}}
	if status, _, body := c.post(anna, atok, "/staff/accounting/exchange/transfer", noOne); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `id="acct-error"`) || !strings.Contains(body, `value="`+copyID+`" aria-label="`+copyID+`" checked`) {
		t.Errorf("transfer to nobody: %d\n%s", status, body)
	}
	status, loc, body := c.post(anna, atok, "/staff/accounting/exchange/transfer", transfer)
	if status != http.StatusSeeOther || !strings.Contains(loc, "ok=ok_exchange_transferred") {
		t.Fatalf("transfer: %d to %q\n%s", status, loc, body)
	}
	_, page = c.get(kat, pathOf(loc))
	for _, want := range []string{"<h1>Nodošanas akts Nr. 1/2026</h1>", "par iespieddarbu un citu dokumentu nodošanu no apmaiņas krājuma",
		"Daugavpils pilsētas bibliotēka (reģ. Nr. 90000065508)", "APSTIPRINU", "Zane Direktore", `data-item="` + copyID + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("transfer act lacks %q", want)
		}
	}
	head, rows = c.getCSV(kat, pathOf(loc)+"/csv")
	if len(head) != 10 || head[2] != "saņēmējs" || len(rows) != 2 || rows[0][5] != copyID || rows[1][3] != "kopā" || rows[1][8] != "1" {
		t.Errorf("transfer CSV %q %q", head, rows)
	}
	if _, page := c.get(kat, "/staff/accounting/exchange"); !strings.Contains(page, `id="exchange-none"`) {
		t.Error("the transferred copy is still in the exchange collection")
	}
	_, page = c.get(kat, "/staff/accounting/copies/"+copyID)
	if i, j := strings.Index(page, "norakstīts"), strings.Index(page, "nodots no apmaiņas krājuma"); i < 0 || j < i {
		t.Errorf("copy history: written off at %d, transferred at %d", i, j)
	}
}

// TestInventoryActApproval: the director's APSTIPRINU on an inventory act
// is given once, by an administrator, and printed on the act.
func TestInventoryActApproval(t *testing.T) {
	c := newConsole(t, false)
	withCataloguer(t, c)
	ctx := context.Background()
	st, err := c.svc.DeskOpenStocktake(ctx, core.Actor{StaffID: "kat"}, core.StocktakeRequest{Library: demo.Central, FromCallNumber: "85",
		ToCallNumber: "85", Commission: core.Commission{Chair: "Inese Kalniņa"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.DeskCloseStocktake(ctx, core.Actor{StaffID: "kat"}, st.ID); err != nil {
		t.Fatal(err)
	}
	actPath := "/staff/accounting/stocktakes/" + st.ID + "/act"
	kat := c.client()
	ktok, _ := c.signIn(kat, "kat")
	if _, page := c.get(kat, actPath); strings.Contains(page, `id="approve-form"`) || !strings.Contains(page, "20__.gada __.________") {
		t.Error("the cataloguer is offered the approval, or the act has a date")
	}
	if status, loc, _ := c.post(kat, ktok, actPath+"/approve", url.Values{"approved_by": {"Kārlis"}}); !strings.Contains(loc, "err=forbidden") {
		t.Errorf("cataloguer's approval: %d to %q", status, loc)
	}
	anna := c.client()
	atok, _ := c.signIn(anna, "anna")
	if status, loc, _ := c.post(anna, atok, actPath+"/approve", url.Values{"approved_by": {"Zane Direktore"}}); !strings.Contains(loc, "ok=ok_inventory_approved") {
		t.Fatalf("approval: %d to %q", status, loc)
	}
	_, page := c.get(kat, actPath)
	if !strings.Contains(page, `id="act-approved-by">Zane Direktore<`) || !strings.Contains(page, `id="act-approved-date">2026.gada 2.novembrī<`) {
		t.Errorf("approved inventory act:\n%s", page)
	}
	if status, loc, _ := c.post(anna, atok, actPath+"/approve", url.Values{"approved_by": {"Cits"}}); !strings.Contains(loc, "err=bad_request") {
		t.Errorf("second approval: %d to %q", status, loc)
	}
}

// TestReceiptPagesRefused: a circulation librarian sees none of the new
// pages; a POST without the session's CSRF token changes nothing.
func TestReceiptPagesRefused(t *testing.T) {
	c := newConsole(t, false)
	withCataloguer(t, c)
	ctx := context.Background()
	rc, err := c.svc.DeskDraftReceipt(ctx, core.Actor{StaffID: "kat"}, core.ReceiptRequest{Kind: core.ReceiptNoDocument, Library: demo.Central,
		Supplier: "Jānis Bērziņš", Commission: core.Commission{Chair: "Inese Kalniņa"},
		Copies: []core.ReceiptCopy{{Item: core.Item{ID: "NEW9", RecordID: demo.Titles()[0].RecordID}}}})
	if err != nil {
		t.Fatal(err)
	}
	rcPath := "/staff/accounting/receipts/" + rc.ID
	sub := c.client()
	stok, _ := c.signIn(sub, "sub")
	for _, p := range []string{"/staff/accounting/receipts", "/staff/accounting/receipts/csv", rcPath, rcPath + "/csv",
		"/staff/accounting/exchange", "/staff/accounting/exchange/csv", "/staff/accounting/copies/" + shelf85()[0]} {
		if status, body := c.get(sub, p); status != http.StatusForbidden || strings.Contains(body, "Inese") {
			t.Errorf("GET %s as a circulation librarian: %d", p, status)
		}
	}
	anna := c.client()
	atok, _ := c.signIn(anna, "anna")
	kat := c.client()
	ktok, _ := c.signIn(kat, "kat")
	draft := url.Values{"library": {demo.Central}, "kind": {"no_document"}, "supplier": {"X"}, "chair": {"X"},
		"c_barcode": {"NEW8"}, "c_record": {demo.Titles()[0].RecordID}}
	for _, tc := range []struct {
		name string
		cl   *http.Client
		tok  string
		path string
		form url.Values
	}{
		{"circulation drafts", sub, stok, "/staff/accounting/receipts", draft},
		{"circulation approves", sub, stok, rcPath + "/approve", url.Values{"approved_by": {"X"}}},
		{"no CSRF token: draft", kat, "", "/staff/accounting/receipts", draft},
		{"wrong CSRF token: approve", anna, "x" + atok, rcPath + "/approve", url.Values{"approved_by": {"X"}}},
		{"no CSRF token: transfer", anna, "", "/staff/accounting/exchange/transfer", url.Values{"library": {demo.Central},
			"recipient": {"X"}, "approved_by": {"X"}, "item": {"X"}}},
		{"cataloguer drafts at Subate", kat, ktok, "/staff/accounting/receipts", url.Values{"library": {demo.Subate}, "kind": {"no_document"},
			"supplier": {"X"}, "chair": {"X"}, "c_barcode": {"NEW7"}, "c_record": {demo.Titles()[0].RecordID}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, loc, _ := c.post(tc.cl, tc.tok, tc.path, tc.form)
			if status != http.StatusForbidden && !(status == http.StatusSeeOther && strings.Contains(loc, "err=forbidden")) {
				t.Errorf("%d to %q, want refused", status, loc)
			}
		})
	}
	if list, _ := c.svc.Receipts(ctx, ""); len(list) != 1 || !list[0].Approved.IsZero() {
		t.Errorf("after the refused requests: %d receipts, approved %v", len(list), list[0].Approved)
	}
}

// TestReceiptPagesInEveryLanguage: the receipts and the exchange
// collection pages are whole in each console language, with their title
// in it.
func TestReceiptPagesInEveryLanguage(t *testing.T) {
	c := newConsole(t, false)
	cl := c.client()
	c.signIn(cl, "anna")
	titles := map[string][4]string{
		"/staff/accounting/receipts": {"Pieņemšanas akti", "Vastuvõtuaktid", "Prevzemni zapisniki", "Receipts"},
		"/staff/accounting/exchange": {"Apmaiņas krājums", "Vahetuskogu", "Zamenjalna zbirka", "Exchange collection"},
	}
	for path, want := range titles {
		for i, lang := range []string{"lv", "et", "sl", "en"} {
			status, body := c.get(cl, path+"?lang="+lang)
			if status != 200 || !strings.HasSuffix(strings.TrimSpace(body), "</html>") || !strings.Contains(body, "<h1>"+want[i]+"</h1>") {
				t.Errorf("%s in %s: %d, no title %q", path, lang, status, want[i])
			}
		}
	}
}
