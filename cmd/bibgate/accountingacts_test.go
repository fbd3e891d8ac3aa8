package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/store/boltstore"
)

// withCore opens the data directory's store for a step the CLI does not
// take (a loss declared at the desk), and closes it again.
func withCore(t *testing.T, dir string, fn func(svc *core.Service)) {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(dir, "circulation.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := core.NewService(st, demo.Consortium(), core.Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	fn(svc)
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAccountingReceiptExchangeHistoryCLI receives copies with and
// without documents, takes copies in place of a lost one (the patron's
// lost-item fees settled, the lost copy written off), writes copies off
// into the exchange collection and gives one away, moves one to another
// branch, and prints a copy's history and the summary register part 1,
// all offline on a data directory.
func TestAccountingReceiptExchangeHistoryCLI(t *testing.T) {
	dir := accountingDataDir(t)
	dd := []string{"--data-dir", dir}
	ac := func(args ...string) string {
		return runAcctOK(t, append(append([]string{"accounting"}, args...), dd...)...)
	}
	year := time.Now().Year()
	n := func(k int) string { return fmt.Sprintf("%d/%d", k, year) }

	gifts := writeFile(t, "gifts.csv", "barcode;inventory_number;record_id;title;author;call_number;material;value\n"+
		"NEW0001;S-101;demo-0001;Zaļā zeme;Upīts, Andrejs;821;book;12,50\n"+
		"NEW0002;S-102;demo-0002;Dvēseļu putenis;Grīns, Aleksandrs;821;book;9.00\n"+
		"NEW0003;S-103;demo-0003;Ilustrētā Zinātne 2026/11;;05;magazine;\n")
	out := ac("receipt", "draft", "--library", demo.Subate, "--kind", "no_document", "--copies", gifts,
		"--supplier", "Jānis Bērziņš", "--delivery", "dāvinājums", "--chair", "Inese Kalniņa", "--member", "Pēteris Ozols",
		"--approve", "Anna Vadītāja")
	if !strings.Contains(out, "(no_document, annex 2): 3 copies, EUR 21.50") ||
		!strings.Contains(out, "approved by Anna Vadītāja: act Nr. "+n(1)+", summary register part 1 entry Nr. "+n(1)+", 3 copies entered") {
		t.Errorf("annex 2 receipt: %q", out)
	}
	giftID := strings.Fields(strings.TrimPrefix(out, "receipt "))[0]
	act := ac("receipt", "act", giftID)
	for _, want := range []string{"Akts Nr. " + n(1), "par iespieddarbu un citu dokumentu saņemšanu bez pavaddokumentiem",
		"APSTIPRINU Anna Vadītāja", "Aktu sastādīja: Inese Kalniņa, Pēteris Ozols", "Subates pilsētas bibliotēka saņēma dāvinājums",
		"Piegādātājs: Jānis Bērziņš", "Uzskaitīts: grāmatas 2 eks. par summu EUR 21.50", "žurnāli 1 eks. par summu EUR 0.00",
		"Kopā: 3 eks. par summu EUR 21.50", "summārās uzskaites grāmatā ar kārtas Nr. " + n(1),
		"Individuālās uzskaites numuri no Nr. S-101 līdz Nr. S-103", "Dvēseļu putenis / Grīns, Aleksandrs"} {
		if !strings.Contains(act, want) {
			t.Errorf("annex 2 act lacks %q:\n%s", want, act)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(ac("receipt", "act", giftID, "--csv"))).ReadAll()
	if err != nil || len(rows) != 5 || rows[1][6] != "NEW0001" || rows[1][10] != "12.50" || rows[4][4] != "kopā" || rows[4][10] != "21.50" {
		t.Errorf("annex 2 CSV: %v %v", rows, err)
	}
	if show := runAcctOK(t, "items", "show", "NEW0002", "--data-dir", dir); !strings.Contains(show, n(1)) || !strings.Contains(show, "available") {
		t.Errorf("items show of a received copy:\n%s", show)
	}

	// Annex 1: the delivery note lists 4 copies for 40.00; 2 arrived.
	short := writeFile(t, "short.csv", "barcode,record_id,title,value\nNEW0011,demo-0004,Mērnieku laiki,10.00\nNEW0012,demo-0004,Mērnieku laiki,10.00\n")
	out = ac("receipt", "draft", "--library", demo.Subate, "--kind", "discrepancy", "--copies", short, "--supplier", "SIA Zvaigzne ABC",
		"--document", "PV-7781", "--document-date", "2026-10-30", "--document-copies", "4", "--document-value", "40.00",
		"--findings", "Iepakojums bojāts.", "--chair", "Inese Kalniņa")
	shortID := strings.Fields(strings.TrimPrefix(out, "receipt "))[0]
	if list := ac("receipt", "list", "--library", demo.Subate); !strings.Contains(list, shortID) || !strings.Contains(list, "draft") {
		t.Errorf("receipt list:\n%s", list)
	}
	if out := ac("receipt", "approve", shortID, "--by", "Anna Vadītāja"); !strings.Contains(out, "act Nr. "+n(1)+", summary register part 1 entry Nr. "+n(2)) {
		t.Errorf("annex 1 approve: %q", out)
	}
	act = ac("receipt", "act", shortID)
	for _, want := range []string{"par saņemto iespieddarbu un citu dokumentu skaita neatbilstību pavaddokumentam",
		"saņemot no SIA Zvaigzne ABC", "ar pavaddokumentu pavadzīme Nr. PV-7781, 2026-10-30", "trūkst 2 eks. par summu EUR 20.00",
		"Konstatēts: pavaddokumentā norādīti 4 eks. par summu EUR 40.00, saņemti 2 eks. par summu EUR 20.00. Iepakojums bojāts."} {
		if !strings.Contains(act, want) {
			t.Errorf("annex 1 act lacks %q:\n%s", want, act)
		}
	}

	// Annex 3: INV0004 (on loan to the demo patron) is lost; a copy is
	// given in its place.
	var owedLost core.Money
	withCore(t, dir, func(svc *core.Service) {
		fees, err := svc.DeclareLost(context.Background(), "INV0004")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fees {
			if f.Kind == core.FeeLost || f.Kind == core.FeeProcessing {
				owedLost += f.Amount
			}
		}
	})
	repl := writeFile(t, "repl.csv", "barcode,inventory_number,record_id,title,replaces\nNEW0021,S-121,demo-0001,Zaļā zeme,INV0004\n")
	out = ac("receipt", "draft", "--library", demo.Subate, "--kind", "replacement", "--copies", repl, "--chair", "Inese Kalniņa",
		"--approve", "Anna Vadītāja")
	if !strings.Contains(out, "entry Nr. "+n(3)) || !strings.Contains(out, "lost copies written off by act Nr. "+n(1)) ||
		!strings.Contains(out, "patrons' fees settled EUR "+eur(owedLost)) {
		t.Errorf("annex 3 receipt: %q", out)
	}
	replID := strings.Fields(strings.TrimPrefix(out, "receipt "))[0]
	act = ac("receipt", "act", replID)
	for _, want := range []string{"kuri saņemti no bibliotēkas lietotājiem nozaudēto vietā", "Nozaudētā vietā", "INV0004",
		"norakstīti ar norakstīšanas aktu Nr. " + n(1), "grāmatas 1 eks. par summu EUR 2.04"} {
		if !strings.Contains(act, want) {
			t.Errorf("annex 3 act lacks %q:\n%s", want, act)
		}
	}
	withCore(t, dir, func(svc *core.Service) {
		p, err := svc.Patron(context.Background(), demo.PatronGood)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range p.Fees {
			if f.ItemID == "INV0004" && (f.Kind == core.FeeLost || f.Kind == core.FeeProcessing) {
				t.Errorf("lost-item fee still owed after the replacement: %+v", f)
			}
		}
	})
	if show := runAcctOK(t, "items", "show", "INV0004", "--data-dir", dir); !strings.Contains(show, "withdrawn") {
		t.Errorf("the lost copy after the replacement:\n%s", show)
	}

	// Exchange: two copies written off for 33.8, one given away.
	two := writeFile(t, "two.txt", "INV0001\nINV0002\n")
	out = ac("writeoff", "--library", demo.Subate, "--items", two, "--reason", "exchange", "--chair", "Inese Kalniņa", "--approve", "Anna Vadītāja")
	if !strings.Contains(out, "act Nr. "+n(2)+", 2 copies withdrawn") {
		t.Errorf("exchange write-off: %q", out)
	}
	woID := strings.Fields(strings.TrimPrefix(out, "write-off act "))[0]
	if wo := ac("writeoff", "act", woID); !strings.Contains(wo, "iekļauti apmaiņas krājumā") {
		t.Errorf("exchange write-off act:\n%s", wo)
	}
	if list := ac("exchange", "list", "--library", demo.Subate); !strings.Contains(list, "INV0001") || !strings.Contains(list, "INV0002") ||
		!strings.Contains(list, "2 copies in the exchange collection, EUR 4.03") {
		t.Errorf("exchange list:\n%s", list)
	}
	one := writeFile(t, "one.txt", "INV0001\n")
	out = ac("exchange", "transfer", "--library", demo.Subate, "--to", "Bauskas Centrālā bibliotēka", "--to-id", "90000012345",
		"--items", one, "--by", "Anna Vadītāja", "--chair", "Inese Kalniņa")
	if !strings.Contains(out, "Nr. "+n(1)+", 1 copies (EUR 2.01) given to Bauskas Centrālā bibliotēka") {
		t.Errorf("exchange transfer: %q", out)
	}
	exID := strings.Fields(strings.TrimPrefix(out, "transfer act "))[0]
	tr := ac("exchange", "act", exID)
	for _, want := range []string{"Nodošanas akts Nr. " + n(1), "no apmaiņas krājuma", "Bauskas Centrālā bibliotēka (reģ. Nr. 90000012345)",
		"Pavisam nodoti 1 iespieddarbi", "S-001"} {
		if !strings.Contains(tr, want) {
			t.Errorf("transfer act lacks %q:\n%s", want, tr)
		}
	}
	if rows, err := csv.NewReader(strings.NewReader(ac("exchange", "act", exID, "--csv"))).ReadAll(); err != nil || len(rows) != 3 || rows[1][5] != "INV0001" {
		t.Errorf("transfer act CSV: %v %v", rows, err)
	}
	if rows, err := csv.NewReader(strings.NewReader(ac("exchange", "list", "--csv"))).ReadAll(); err != nil || len(rows) != 2 || rows[1][2] != "INV0002" {
		t.Errorf("exchange list CSV after the transfer: %v %v", rows, err)
	}
	if acts := ac("exchange", "list", "--acts"); !strings.Contains(acts, exID) {
		t.Errorf("exchange list --acts:\n%s", acts)
	}

	// A movement to another branch, then the copy's history.
	moved := writeFile(t, "moved.txt", "NEW0001\n")
	if out := ac("move", "--from", demo.Subate, "--to", demo.Bebrene, "--items", moved, "--by", "Inese Kalniņa", "--call-number", "821.1"); !strings.Contains(out,
		"Nr. "+n(1)+", 1 copies (EUR 12.50) moved from SUB to BEB") {
		t.Errorf("move: %q", out)
	}
	hist := ac("history", "NEW0001")
	if i, j := strings.Index(hist, "received"), strings.Index(hist, "moved"); i < 0 || j < i || !strings.Contains(hist, "SUB -> BEB") {
		t.Errorf("history of NEW0001:\n%s", hist)
	}
	rows, err = csv.NewReader(strings.NewReader(ac("history", "INV0001", "--csv"))).ReadAll()
	if err != nil || len(rows) != 3 || rows[1][2] != "written_off" || rows[2][2] != "exchange_transfer" || rows[2][7] != "Bauskas Centrālā bibliotēka" {
		t.Errorf("history of INV0001: %v %v", rows, err)
	}
	if out := ac("history", "INV0010"); !strings.Contains(out, "no recorded history") {
		t.Errorf("history of an imported copy: %q", out)
	}

	// Summary register part 1: three receipts this year.
	reg, err := csv.NewReader(strings.NewReader(ac("register", "--part", "1", "--library", demo.Subate, "--year", fmt.Sprint(year), "--csv"))).ReadAll()
	if err != nil || len(reg) != 4 {
		t.Fatalf("register part 1: %v %v", reg, err)
	}
	if r := reg[2]; r[1] != n(2) || r[2] != "SIA Zvaigzne ABC" || r[3] != "PV-7781" || r[4] != "2" || r[5] != "1" {
		t.Errorf("register part 1, the annex 1 receipt: %v", r)
	}
	if txt := ac("register", "--part", "1", "--library", demo.Subate, "--year", fmt.Sprint(year)); !strings.Contains(txt, "1.daļa") {
		t.Errorf("register part 1:\n%s", txt)
	}

	// The caller's mistakes.
	bad := writeFile(t, "bad.csv", "barcode,record_id,value\nNEW0031,demo-0001,1.00\nNEW0032,,abc\n")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"accounting", "receipt", "draft", "--library", demo.Subate, "--kind", "no_document", "--copies", bad,
			"--supplier", "X", "--chair", "Y"}, 1, "line 3"},
		{[]string{"accounting", "receipt", "approve", giftID, "--by", "X"}, 1, "was approved on"},
		{[]string{"accounting", "receipt", "draft", "--library", demo.Subate, "--kind", "gift", "--copies", gifts}, 1, "not one of"},
		{[]string{"accounting", "receipt", "nope"}, 2, "draft, approve, act, list"},
		{[]string{"accounting", "exchange", "transfer", "--library", demo.Subate, "--to", "X", "--items", one, "--by", "Y"}, 1,
			"not in the exchange collection"},
		{[]string{"accounting", "move", "--from", demo.Subate, "--to", demo.Subate, "--items", one, "--by", "Y"}, 1, "two different libraries"},
		{[]string{"accounting", "history", "NO-SUCH"}, 1, "no item with barcode"},
		{[]string{"accounting", "register", "--part", "2"}, 2, "--part 1 or 3"},
	} {
		var o, e bytes.Buffer
		if code := run(context.Background(), append(c.args, dd...), &o, &e); code != c.code || !strings.Contains(e.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, e.String(), c.code, c.want)
		}
	}
	for _, args := range [][]string{{"receipt", "draft", "--help"}, {"exchange", "transfer", "--help"}, {"history", "--help"},
		{"move", "--help"}, {"receipt", "--help"}} {
		var o, e bytes.Buffer
		if code := run(context.Background(), append([]string{"accounting"}, args...), &o, &e); code != 0 || e.Len() == 0 {
			t.Errorf("accounting %v: exit %d, %q", args, code, e.String())
		}
	}
}

// TestReadmeReceiptExample runs the README's receipt, exchange and
// history commands as pasted, with its two CSV files, on a data directory
// with the demo data where a patron has lost I000025.
func TestReadmeReceiptExample(t *testing.T) {
	dir := accountingDataDir(t)
	work := t.TempDir()
	withCore(t, dir, func(svc *core.Service) {
		ctx := context.Background()
		for _, id := range []string{"I000025", "I000131", "I000133", "I000142"} {
			if s, err := svc.Item(ctx, id); err != nil || s.Item.Status != core.ItemAvailable || s.Item.Library != demo.Subate {
				t.Fatalf("demo copy %s is not on the shelf at Subate: %+v %v", id, s.Item, err)
			}
		}
		if _, err := svc.Checkout(ctx, core.CheckoutRequest{Library: demo.Subate, PatronID: demo.PatronGood, ItemID: "I000025"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.DeclareLost(ctx, "I000025"); err != nil {
			t.Fatal(err)
		}
	})
	files := map[string]string{
		"gifts.csv":       blockStarting(t, "barcode;inventory_number;record_id;title;author"),
		"replacement.csv": blockStarting(t, "barcode,inventory_number,record_id,title,replaces"),
		"delivery.csv":    "barcode,record_id,title,value\nD0000001,demo-0002,Mērnieku laiki,10.00\nD0000002,demo-0002,Mērnieku laiki,10.00\n",
		"duplicates.txt":  "I000131\nI000133\n",
		"move.txt":        "I000142\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(work, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	block := blockStarting(t, "bibgate accounting receipt draft")
	t.Chdir(work)
	var outputs []string
	for _, line := range strings.Split(block, "\n") {
		words := shellWords(line)
		if len(words) == 0 {
			continue
		}
		if words[0] != "bibgate" {
			t.Fatalf("README line %q does not run bibgate", line)
		}
		outputs = append(outputs, runAcctOK(t, append(words[1:], "--data-dir", dir)...))
	}
	all := strings.Join(outputs, "\n")
	year := time.Now().Year()
	for _, want := range []string{
		"receipt RC000000000001 drafted (no_document, annex 2): 2 copies, EUR 21.50",
		fmt.Sprintf("act Nr. 1/%d, summary register part 1 entry Nr. 1/%d, 2 copies entered", year, year),
		"par iespieddarbu un citu dokumentu saņemšanu bez pavaddokumentiem", "Baltās grāmatas / Jaunsudrabiņš, Jānis",
		"(discrepancy, annex 1): 2 copies, EUR 20.00", fmt.Sprintf("entry Nr. %d/%d, 2 copies entered", 2, year),
		fmt.Sprintf("lost copies written off by act Nr. 1/%d", year), "Ieraksta kārtas numurs",
		"2 copies in the exchange collection, EUR 10.00", "given to Bauskas Centrālā bibliotēka",
		"Nodošanas akts Nr. 1/", "moved from SUB to BEB", "exchange_transfer",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("README receipt example output lacks %q:\n%s", want, all)
		}
	}
	if show := runAcctOK(t, "items", "show", "I000025", "--data-dir", dir); !strings.Contains(show, "withdrawn") {
		t.Errorf("the lost copy after its replacement:\n%s", show)
	}
}
