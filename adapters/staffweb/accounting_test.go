package staffweb_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
)

// withCataloguer adds Kārlis, who keeps Ilūkste's accounting records
// (the cataloguing role), to a console.
func withCataloguer(t *testing.T, c *console) {
	t.Helper()
	if _, err := c.svc.AddStaff(context.Background(), nil, core.NewStaff{ID: "kat", Library: demo.Central, Name: "Kārlis Katalogs",
		Roles: []core.Role{core.RoleCataloguing}, Password: password}); err != nil {
		t.Fatal(err)
	}
}

// shelf85 are the demo copies at Ilūkste on the shelf range 85.
func shelf85() []string {
	var out []string
	for _, it := range demo.Items() {
		if it.Library == demo.Central && strings.HasPrefix(it.CallNumber, "85/") {
			out = append(out, it.ID)
		}
	}
	return out
}

// readCSV reads a CSV download: its header and rows, without the byte
// order mark.
func readCSV(t *testing.T, body string) ([]string, [][]string) {
	t.Helper()
	if !strings.HasPrefix(body, "\ufeff") {
		t.Errorf("CSV without a byte order mark: %.40q", body)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	return rows[0], rows[1:]
}

func (c *console) getCSV(cl *http.Client, path string) ([]string, [][]string) {
	c.t.Helper()
	resp, err := cl.Get(c.srv.URL + path)
	if err != nil {
		c.t.Fatal(err)
	}
	body := read(c.t, resp)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment; filename=") {
		c.t.Fatalf("GET %s: %s %s %s\n%s", path, resp.Status, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), body)
	}
	return readCSV(c.t, body)
}

// TestAccountingWorkflow: the cataloguer opens a stocktaking of shelf 85,
// scans all its copies but one and a barcode without a record, closes it,
// reads the inventory act (annex 6) and its CSV, drafts the write-off of
// the missing copy; the administrator approves it in the director's name
// and the write-off act (annex 7), its CSV and the summary register show
// it. The acts are in Latvian in every console language.
func TestAccountingWorkflow(t *testing.T) {
	c := newConsole(t, false)
	withCataloguer(t, c)
	ctx := context.Background()
	kat := c.client()
	tok, _ := c.signIn(kat, "kat")

	status, page := c.get(kat, "/staff/accounting/stocktakes")
	if status != 200 || !strings.Contains(page, `id="stocktakes-none"`) || !strings.Contains(page, "Krājuma uzskaite") {
		t.Fatalf("stocktakes page: %d\n%s", status, page)
	}
	status, _, body := c.post(kat, tok, "/staff/accounting/stocktakes", url.Values{"library": {demo.Central}, "from": {"85"}, "to": {"85"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "priekšsēdētāju") {
		t.Errorf("stocktaking without a chair: %d\n%s", status, body)
	}
	status, loc, _ := c.post(kat, tok, "/staff/accounting/stocktakes", url.Values{"library": {demo.Central}, "from": {"85"}, "to": {"85"},
		"chair": {"Inese Kalniņa"}, "members": {"Pēteris Ozols\r\n\r\nLīga Liepa\r\n"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/staff/accounting/stocktakes/ST") {
		t.Fatalf("open: %d to %q", status, loc)
	}
	stPath, _, _ := strings.Cut(loc, "?")
	st, ok, err := c.svc.OpenStocktakeOf(ctx, demo.Central)
	if err != nil || !ok || !slices.Equal(st.Commission.Members, []string{"Pēteris Ozols", "Līga Liepa"}) {
		t.Fatalf("open stocktaking %+v %v %v", st, ok, err)
	}
	copies := shelf85()
	if len(copies) < 2 {
		t.Fatalf("shelf 85 has %v", copies)
	}
	missing := copies[len(copies)-1]
	for _, b := range copies[:len(copies)-1] {
		status, _, body := c.post(kat, tok, stPath+"/scan", url.Values{"barcode": {" " + b + " "}})
		if status != 200 || !strings.Contains(body, `id="scan-result"`) || !strings.Contains(body, "Atrasts: "+b) {
			t.Fatalf("scan %s: %d\n%s", b, status, body)
		}
	}
	status, _, body = c.post(kat, tok, stPath+"/scan", url.Values{"barcode": {copies[0]}})
	if status != 200 || !strings.Contains(body, "Jau atzīmēts") {
		t.Errorf("second scan: %d", status)
	}
	status, _, body = c.post(kat, tok, stPath+"/scan", url.Values{"barcode": {"NOREC-1"}})
	if status != 200 || !strings.Contains(body, "NOREC-1 nav ieraksta") || !strings.Contains(body, "no tiem 1 bez ieraksta") {
		t.Errorf("scan without record: %d\n%s", status, body)
	}
	status, loc, _ = c.post(kat, tok, stPath+"/close", url.Values{})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, stPath+"/act") {
		t.Fatalf("close: %d to %q", status, loc)
	}

	// The inventory act, annex 6.
	status, page = c.get(kat, loc)
	for _, want := range []string{"<h1>Bibliotēkas krājuma inventarizācijas akts Nr. 1/2026</h1>", "APSTIPRINU", "Komisija šādā sastāvā:",
		"Inese Kalniņa", "Ilūkstes novada centrālā bibliotēka</span> bibliotēkas krājuma inventarizāciju",
		"Salīdzinot šos dokumentus ar krājuma individuālās uzskaites dokumentiem, tika konstatēts:",
		"Trūkstošo grāmatu, citu iespieddarbu un dokumentu saraksts", "0,3 % (34. punkts)", `data-item="` + missing + `"`, "NOREC-1",
		"akts sastādīts",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("inventory act lacks %q", want)
		}
	}
	if status != 200 || strings.Count(page, "<h1>") != 1 {
		t.Errorf("inventory act: %d, %d headings", status, strings.Count(page, "<h1>"))
	}
	closed, _ := c.svc.StocktakeByID(ctx, st.ID)
	act := closed.Act
	if act == nil || len(act.Missing) != 1 || act.Missing[0].ID != missing {
		t.Fatalf("act %+v", act)
	}
	head, rows := c.getCSV(kat, stPath+"/act/csv")
	if want := []string{"akts", "sadaļa", "nr", "inventāra_numurs", "svītrkods", "izdevuma_apraksts", "plaukta_indekss", "izdevuma_tips",
		"vērtība_eur"}; !slices.Equal(head, want) {
		t.Errorf("inventory act CSV columns %q, want %q", head, want)
	}
	sections := map[string][]string{}
	for _, r := range rows {
		if len(r) != len(head) || r[0] != "1/2026" {
			t.Errorf("CSV row %q", r)
			continue
		}
		sections[r[1]] = append(sections[r[1]], r[4])
	}
	if !slices.Equal(sections["trūkst"], []string{missing}) || !slices.Equal(sections["neuzskaitīti"], []string{"NOREC-1"}) {
		t.Errorf("CSV sections %v", sections)
	}
	if _, rows := c.getCSV(kat, "/staff/accounting/stocktakes/csv"); len(rows) != 1 || rows[0][0] != st.ID || rows[0][7] != "1/2026" {
		t.Errorf("stocktakes CSV %q", rows)
	}

	// The act page stays Latvian in another console language; the
	// console around it does not.
	_, en := c.get(kat, stPath+"/act?lang=en")
	if !strings.Contains(en, "Bibliotēkas krājuma inventarizācijas akts Nr. 1/2026") || !strings.Contains(en, "Collection accounting") {
		t.Errorf("inventory act in English console: no Latvian act or no English menu")
	}
	c.get(kat, "/staff/accounting/stocktakes?lang=lv")

	// Draft the write-off from the stocktaking; the cataloguer may not
	// approve it.
	status, _, body = c.post(kat, tok, "/staff/accounting/writeoffs", url.Values{"library": {demo.Central}, "reason": {"lost"},
		"chair": {"Inese Kalniņa"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "svītrkodus") {
		t.Errorf("draft with no copies: %d", status)
	}
	status, loc, _ = c.post(kat, tok, "/staff/accounting/writeoffs", url.Values{"library": {demo.Central}, "reason": {"lost"},
		"stocktake": {st.ID}, "chair": {"Inese Kalniņa"}, "members": {"Pēteris Ozols"}, "disposal": {"svītroti no uzskaites"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/staff/accounting/writeoffs/WO") {
		t.Fatalf("draft: %d to %q", status, loc)
	}
	woPath, _, _ := strings.Cut(loc, "?")
	id := strings.TrimPrefix(woPath, "/staff/accounting/writeoffs/")
	_, page = c.get(kat, woPath)
	if !strings.Contains(page, "Norakstīšanas akts Nr. ___") || !strings.Contains(page, "PROJEKTS") || strings.Contains(page, `id="approve-form"`) {
		t.Errorf("draft act page for the cataloguer:\n%s", page)
	}
	status, _, _ = c.post(kat, tok, woPath+"/approve", url.Values{"approved_by": {"Kārlis Katalogs"}})
	if status != http.StatusSeeOther {
		t.Errorf("cataloguer's approval: %d", status)
	}
	if a, _ := c.svc.WriteOffByID(ctx, id); !a.Approved.IsZero() {
		t.Fatal("the cataloguer approved a write-off act")
	}

	// The administrator approves it in the director's name.
	anna := c.client()
	atok, _ := c.signIn(anna, "anna")
	_, page = c.get(anna, woPath)
	if !strings.Contains(page, `id="approve-form"`) {
		t.Fatal("no approval form for the administrator")
	}
	status, loc, _ = c.post(anna, atok, woPath+"/approve", url.Values{"approved_by": {"  "}})
	if status != http.StatusSeeOther || !strings.Contains(loc, "err=approver_missing") {
		t.Errorf("approval by nobody: %d to %q", status, loc)
	}
	status, loc, _ = c.post(anna, atok, woPath+"/approve", url.Values{"approved_by": {"Zane Direktore"}})
	if status != http.StatusSeeOther || !strings.Contains(loc, "ok=ok_writeoff_approved") {
		t.Fatalf("approval: %d to %q", status, loc)
	}
	_, page = c.get(anna, woPath)
	for _, want := range []string{"<h1>Norakstīšanas akts Nr. 1/2026</h1>", "APSTIPRINU", "Zane Direktore",
		"Norakstīšanas iemesls", "(33.6. apakšpunkts)", "Pavisam norakstīti <span class=\"fill\">1</span>",
		"Norakstīšanas akta Nr. 1/2026 pielikums", "Norakstīto iespieddarbu un citu dokumentu saraksts", "svītroti no uzskaites"} {
		if !strings.Contains(page, want) {
			t.Errorf("write-off act lacks %q", want)
		}
	}
	if strings.Contains(page, `id="approve-form"`) || strings.Contains(page, "PROJEKTS") {
		t.Error("an approved act still offers approval")
	}
	if s, _ := c.svc.Item(ctx, missing); s.Item.Status != core.ItemWithdrawn || s.Item.WriteOffAct != "1/2026" {
		t.Errorf("%s after approval: %s %q", missing, s.Item.Status, s.Item.WriteOffAct)
	}
	head, rows = c.getCSV(kat, woPath+"/csv")
	if want := []string{"akts", "datums", "iemesls", "nr", "inventāra_numurs", "svītrkods", "izdevuma_apraksts", "izdevuma_tips",
		"daudzums", "vērtība_eur"}; !slices.Equal(head, want) {
		t.Errorf("write-off CSV columns %q", head)
	}
	if len(rows) != 2 || rows[0][5] != missing || rows[0][2] != "33.6" || rows[1][3] != "kopā" || rows[1][8] != "1" {
		t.Errorf("write-off CSV rows %q", rows)
	}
	if _, rows := c.getCSV(kat, "/staff/accounting/writeoffs/csv"); len(rows) != 1 || rows[0][2] != "1/2026" || rows[0][4] != "Zane Direktore" {
		t.Errorf("write-off list CSV %q", rows)
	}

	// The summary register: part 2 has the act, part 3 counts it.
	status, page = c.get(kat, "/staff/accounting/register?year=2026")
	for _, want := range []string{"1.daļa. Saņemtie iespieddarbi un citi dokumenti", "2.daļa. Norakstītie iespieddarbi un citi dokumenti",
		"3.daļa. Krājuma uzskaites kopsavilkums", "Norakstīšanas akta numurs un datums", "1/2026, ", "Krājumā uz 2026.g. 1.janvāri"} {
		if !strings.Contains(page, want) {
			t.Errorf("register page lacks %q", want)
		}
	}
	if status != 200 {
		t.Errorf("register: %d", status)
	}
	head, rows = c.getCSV(kat, "/staff/accounting/register/csv?year=2026")
	if len(head) != 29 || head[0] != "daļa" || head[6] != "eksemplāri" {
		t.Errorf("register CSV columns %q", head)
	}
	var part2, part3 [][]string
	for _, r := range rows {
		switch r[0] {
		case "2":
			part2 = append(part2, r)
		case "3":
			part3 = append(part3, r)
		}
	}
	if len(part2) != 1 || !strings.HasPrefix(part2[0][3], "1/2026") || part2[0][4] != "33.6" || part2[0][6] != "1" {
		t.Errorf("register CSV part 2 %q", part2)
	}
	if len(part3) != 4 || part3[2][6] != "1" {
		t.Errorf("register CSV part 3 %q", part3)
	}
	if status, page := c.get(kat, "/staff/accounting/register?year=abc&lang=lv"); status != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "Pieprasījumu nevar izpildīt") {
		t.Errorf("a year that is not a number: %d\n%s", status, page)
	}

	// Everything is in the audit log, under who did it.
	entries, err := c.svc.QueryAudit(ctx, core.Actor{StaffID: "anna"}, core.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Action == "stocktake_scan" && len(got) > 0 && got[len(got)-1] == "kat:stocktake_scan" {
			continue
		}
		if strings.HasPrefix(e.Object, "stocktake/") || strings.HasPrefix(e.Object, "writeoff/") {
			got = append(got, e.Actor+":"+e.Action)
		}
	}
	if want := []string{"kat:stocktake_open", "kat:stocktake_scan", "kat:stocktake_close", "kat:writeoff_draft", "anna:writeoff_approve"}; !slices.Equal(got, want) {
		t.Errorf("audit %v, want %v", got, want)
	}
}

// TestAccountingRefused: a circulation librarian sees no accounting page
// and changes nothing; a cataloguer of Ilūkste may not open a stocktaking
// at Subate; a POST without the session's CSRF token is refused.
func TestAccountingRefused(t *testing.T) {
	c := newConsole(t, false)
	withCataloguer(t, c)
	ctx := context.Background()
	kat := c.client()
	ktok, _ := c.signIn(kat, "kat")
	st, err := c.svc.DeskOpenStocktake(ctx, core.Actor{StaffID: "kat"}, core.StocktakeRequest{Library: demo.Central, FromCallNumber: "85",
		ToCallNumber: "85", Commission: core.Commission{Chair: "Inese Kalniņa"}})
	if err != nil {
		t.Fatal(err)
	}
	stPath := "/staff/accounting/stocktakes/" + st.ID

	// Without a session: the sign-in page, and nothing done.
	anon := c.client()
	for _, p := range []string{"/staff/accounting/stocktakes", stPath, stPath + "/act/csv", "/staff/accounting/register/csv"} {
		resp, err := anon.Get(c.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		read(t, resp)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/signin") {
			t.Errorf("GET %s without a session: %s", p, resp.Status)
		}
	}
	if status, _, _ := c.post(anon, "guess", stPath+"/close", url.Values{}); status != http.StatusForbidden {
		t.Errorf("close without a session: %d", status)
	}

	sub := c.client()
	stok, _ := c.signIn(sub, "sub")
	if _, page := c.get(sub, "/staff/"); strings.Contains(page, "/staff/accounting/") {
		t.Error("the menu offers accounting to a circulation librarian")
	}
	for _, p := range []string{"/staff/accounting/stocktakes", "/staff/accounting/stocktakes/csv", stPath, "/staff/accounting/writeoffs",
		"/staff/accounting/writeoffs/csv", "/staff/accounting/register", "/staff/accounting/register/csv"} {
		if status, body := c.get(sub, p); status != http.StatusForbidden || strings.Contains(body, "Inese") {
			t.Errorf("GET %s as a circulation librarian: %d", p, status)
		}
	}
	for _, tc := range []struct {
		name  string
		cl    *http.Client
		tok   string
		path  string
		form  url.Values
		wants int
	}{
		{"circulation opens", sub, stok, "/staff/accounting/stocktakes", url.Values{"library": {demo.Subate}, "chair": {"X"}}, http.StatusSeeOther},
		{"circulation scans", sub, stok, stPath + "/scan", url.Values{"barcode": {"I000054"}}, http.StatusForbidden},
		{"circulation closes", sub, stok, stPath + "/close", url.Values{}, http.StatusSeeOther},
		{"circulation drafts", sub, stok, "/staff/accounting/writeoffs", url.Values{"library": {demo.Central}, "reason": {"lost"},
			"chair": {"X"}, "barcodes": {"I000054"}}, http.StatusForbidden},
		{"cataloguer opens at Subate", kat, ktok, "/staff/accounting/stocktakes", url.Values{"library": {demo.Subate}, "chair": {"X"}}, http.StatusSeeOther},
		{"no CSRF token: scan", kat, "", stPath + "/scan", url.Values{"barcode": {"I000054"}}, http.StatusForbidden},
		{"wrong CSRF token: close", kat, "x" + ktok, stPath + "/close", url.Values{}, http.StatusForbidden},
		{"no CSRF token: open", kat, "", "/staff/accounting/stocktakes", url.Values{"library": {demo.Subate}, "chair": {"X"}}, http.StatusForbidden},
		{"no CSRF token: draft", kat, "", "/staff/accounting/writeoffs", url.Values{"library": {demo.Central}, "reason": {"lost"},
			"chair": {"X"}, "barcodes": {"I000054"}}, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, loc, _ := c.post(tc.cl, tc.tok, tc.path, tc.form)
			if status != tc.wants || status == http.StatusSeeOther && !strings.Contains(loc, "err=forbidden") {
				t.Errorf("%d to %q, want %d (refused)", status, loc, tc.wants)
			}
		})
	}
	p, err := c.svc.DeskStocktake(ctx, core.Actor{StaffID: "kat"}, st.ID)
	if err != nil || p.Seen != 0 || !p.Open() {
		t.Errorf("after the refused requests: %d seen, open %v (%v)", p.Seen, p.Open(), err)
	}
	if _, ok, _ := c.svc.OpenStocktakeOf(ctx, demo.Subate); ok {
		t.Error("a stocktaking was opened at Subate")
	}
	if list, _ := c.svc.WriteOffs(ctx, ""); len(list) != 0 {
		t.Errorf("write-off acts drafted by refused requests: %d", len(list))
	}
	// The act of an open stocktaking is not there yet.
	if status, page := c.get(kat, stPath+"/act"); status != http.StatusUnprocessableEntity || !strings.Contains(page, "vēl notiek") {
		t.Errorf("act of an open stocktaking: %d", status)
	}
}

// TestAccountingPagesInEveryLanguage: the lists and forms are in the
// console's language, each page whole.
func TestAccountingPagesInEveryLanguage(t *testing.T) {
	c := newConsole(t, false)
	cl := c.client()
	c.signIn(cl, "anna")
	titles := map[string][4]string{
		"/staff/accounting/stocktakes": {"Krājuma inventarizācijas", "Inventuurid", "Inventure", "Stocktakings"},
		"/staff/accounting/writeoffs":  {"Norakstīšanas akti", "Mahakandmisaktid", "Zapisniki o odpisu", "Write-off acts"},
	}
	for path, want := range titles {
		for i, lang := range []string{"lv", "et", "sl", "en"} {
			status, body := c.get(cl, path+"?lang="+lang)
			if status != 200 || !strings.HasSuffix(strings.TrimSpace(body), "</html>") || !strings.Contains(body, "<h1>"+want[i]+"</h1>") {
				t.Errorf("%s in %s: %d, no title %q", path, lang, status, want[i])
			}
		}
	}
	for _, lang := range []string{"lv", "et", "sl", "en"} {
		status, body := c.get(cl, "/staff/accounting/register?lang="+lang)
		if status != 200 || !strings.Contains(body, "<h1>Summārās uzskaites grāmata</h1>") || !strings.HasSuffix(strings.TrimSpace(body), "</html>") {
			t.Errorf("register in %s: %d", lang, status)
		}
	}
}
