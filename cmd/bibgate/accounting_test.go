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
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/store/boltstore"
)

// accountingDataDir is a data directory with the demo data and 20 copies
// on shelf range AKT at Subate (copy i worth 2.00 + i cents), INV0004 on
// loan.
func accountingDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	st, err := boltstore.Open(filepath.Join(dir, "circulation.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := core.NewService(st, demo.Consortium(), core.Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	var items []core.Item
	for i := 1; i <= 20; i++ {
		items = append(items, core.Item{ID: fmt.Sprintf("INV%04d", i), InventoryNumber: fmt.Sprintf("S-%03d", i),
			RecordID: "demo-0001", Title: "Zaļā zeme", Author: "Upīts, Andrejs", Library: demo.Subate,
			CallNumber: fmt.Sprintf("AKT/%02d", i), Material: policy.MaterialBook, Value: core.Money(200 + i)})
	}
	if err := svc.PutItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Checkout(ctx, core.CheckoutRequest{Library: demo.Subate, PatronID: demo.PatronGood, ItemID: "INV0004"}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func runAcctOK(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("bibgate %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return out.String()
}

// TestAccountingCLI takes stock of a shelf range offline from a file of
// barcodes, prints the inventory act in the annex 6 layout and as CSV,
// writes the missing copies off with an approved act and prints it.
func TestAccountingCLI(t *testing.T) {
	dir := accountingDataDir(t)
	dd := []string{"--data-dir", dir}
	ac := func(args ...string) string {
		return runAcctOK(t, append(append([]string{"accounting"}, args...), dd...)...)
	}

	out := ac("stocktake", "open", "--library", demo.Subate, "--from", "AKT", "--to", "AKT",
		"--chair", "Inese Kalniņa", "--member", "Pēteris Ozols", "--member", "Līga Liepa")
	id := strings.Fields(strings.TrimPrefix(out, "stocktaking "))[0]
	if !strings.HasPrefix(out, "stocktaking ST") {
		t.Fatalf("open: %q", out)
	}
	var scans strings.Builder
	scans.WriteString("# wand export\n")
	for i := 1; i <= 20; i++ {
		if i == 4 || i == 7 || i == 15 {
			continue // 4 on loan; 7 and 15 missing
		}
		fmt.Fprintf(&scans, "INV%04d;2026-11-02 10:%02d\n", i, i)
	}
	scans.WriteString("INV0001\nBEZ-IERAKSTA-9\n")
	file := filepath.Join(t.TempDir(), "scans.txt")
	if err := os.WriteFile(file, []byte(scans.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := ac("stocktake", "scan", file, "--library", demo.Subate); !strings.Contains(out, "19 barcodes read, 18 newly seen, 1 without a record") {
		t.Errorf("scan: %q", out)
	}
	year := time.Now().Year()
	if out := ac("stocktake", "close", "--library", demo.Subate); !strings.Contains(out,
		fmt.Sprintf("inventory act 1/%d: 20 expected, 17 found, 2 missing (4.22 EUR), 1 not returned by patrons, 1 without record", year)) {
		t.Errorf("close: %q", out)
	}
	act := ac("stocktake", "act", id)
	for _, want := range []string{
		fmt.Sprintf("Bibliotēkas krājuma inventarizācijas akts Nr. 1/%d", year),
		"Komisijas priekšsēdētājs: Inese Kalniņa", "Komisijas locekļi: Pēteris Ozols, Līga Liepa",
		"Subates pilsētas bibliotēka bibliotēkas krājuma inventarizāciju",
		"1. Saskaņā ar krājuma uzskaites dokumentiem bibliotēkā ir uzskaitīti: 20 grāmatu eksemplāri",
		"2. Bibliotēkas krājumā atrodas: 17 grāmatu eksemplāri",
		"3. Trūkst 2 grāmatu eksemplāri; 0 citu iespieddarbu un dokumentu eksemplāri par kopējo summu EUR 4.22",
		"nav atdoti 1 eksemplāri", "neuzskaitīti 1 eksemplāri", "pieļaujamā norma (0,3 %, 34. punkts)",
		"Trūkstošo grāmatu, citu iespieddarbu un dokumentu saraksts", "S-007", "INV0015", "BEZ-IERAKSTA-9",
	} {
		if !strings.Contains(act, want) {
			t.Errorf("act lacks %q:\n%s", want, act)
		}
	}
	if strings.Contains(act, "APSTIPRINU") {
		t.Errorf("an act not yet approved says APSTIPRINU:\n%s", act)
	}
	if out := ac("stocktake", "approve", id, "--by", "Anna Vadītāja"); !strings.Contains(out, fmt.Sprintf("inventory act 1/%d approved by Anna Vadītāja", year)) {
		t.Errorf("approve: %q", out)
	}
	if act := ac("stocktake", "act", id); !strings.Contains(act, "APSTIPRINU Anna Vadītāja, ") {
		t.Errorf("the approved act does not say who approved it:\n%s", act)
	}
	recs, err := csv.NewReader(strings.NewReader(ac("stocktake", "act", id, "--csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var sections []string
	for _, r := range recs[1:] {
		sections = append(sections, r[1]+":"+r[4])
		if r[1] == "kopā_trūkst" && (r[2] != "2" || r[8] != "4.22") {
			t.Errorf("missing total row %v", r)
		}
	}
	if got := strings.Join(sections[:4], " "); got != "trūkst:INV0007 trūkst:INV0015 nav_atdoti:INV0004 neuzskaitīti:BEZ-IERAKSTA-9" {
		t.Errorf("CSV rows: %s", got)
	}

	out = ac("writeoff", "--library", demo.Subate, "--stocktake", id, "--reason", "33.6", "--chair", "Inese Kalniņa",
		"--approve", "Anna Vadītāja")
	if !strings.Contains(out, "2 copies, EUR 4.22, reason §33.6") || !strings.Contains(out, fmt.Sprintf("act Nr. 1/%d, 2 copies withdrawn", year)) {
		t.Errorf("writeoff: %q", out)
	}
	woID := strings.Fields(strings.TrimPrefix(out, "write-off act "))[0]
	wo := ac("writeoff", "act", woID)
	for _, want := range []string{fmt.Sprintf("Norakstīšanas akts Nr. 1/%d", year), "APSTIPRINU Anna Vadītāja",
		"Norakstīšanas iemesls: nozaudētie iespieddarbi", "Pavisam norakstīti 2 iespieddarbi un citi dokumenti par summu EUR 4.22",
		"Norakstīto iespieddarbu un citu dokumentu saraksts", "S-015"} {
		if !strings.Contains(wo, want) {
			t.Errorf("write-off act lacks %q:\n%s", want, wo)
		}
	}
	woCSV := ac("writeoff", "act", woID, "--csv")
	if !strings.Contains(woCSV, "INV0007,Zaļā zeme / Upīts, Andrejs") && !strings.Contains(woCSV, `INV0007,"Zaļā zeme / Upīts, Andrejs"`) {
		t.Errorf("write-off CSV:\n%s", woCSV)
	}
	if show := runAcctOK(t, "items", "show", "INV0007", "--data-dir", dir); !strings.Contains(show, fmt.Sprintf("1/%d, ", year)) ||
		!strings.Contains(show, "withdrawn") {
		t.Errorf("items show after write-off:\n%s", show)
	}
	reg, err := csv.NewReader(strings.NewReader(ac("register", "--library", demo.Subate, "--year", fmt.Sprint(year), "--csv"))).ReadAll()
	if err != nil || len(reg) != 5 {
		t.Fatalf("register CSV: %v %v", reg, err)
	}
	// The written-off line: 2 copies, both books, EUR 4.22 on the balance.
	if w := reg[3]; w[1] != "2" || w[2] != "2" || w[21] != "4.22" {
		t.Errorf("register, written off: %v", w)
	}
	if txt := ac("register", "--library", demo.Subate, "--year", fmt.Sprint(year)); !strings.Contains(txt, "3.daļa") ||
		!strings.Contains(txt, "Gada laikā norakstītie") {
		t.Errorf("register:\n%s", txt)
	}
	if list := ac("writeoff", "list"); !strings.Contains(list, woID) {
		t.Errorf("writeoff list:\n%s", list)
	}

	// The caller's mistakes exit 2 or 1 with the reason.
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"accounting", "writeoff", "--library", demo.Subate, "--items", file, "--reason", "stolen"}, 1, "not one of §33"},
		{[]string{"accounting", "stocktake", "close", "--library", demo.Subate}, 2, "no stocktaking open"},
		{[]string{"accounting", "nope"}, 2, "unknown accounting command"},
		{[]string{"accounting", "writeoff", "approve", woID, "--by", "X"}, 1, "was approved on"},
	} {
		var o, e bytes.Buffer
		if code := run(context.Background(), append(c.args, dd...), &o, &e); code != c.code || !strings.Contains(e.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, e.String(), c.code, c.want)
		}
	}
	if out := runAcctOK(t, "accounting", "schedule", "--copies", "300000", "--last", "2020-04-15"); !strings.Contains(out,
		"every 15 years (§30.3)") || !strings.Contains(out, "2035-04-15") {
		t.Errorf("schedule: %q", out)
	}
	if out := runAcctOK(t, "accounting", "reasons"); strings.Count(out, "\n") != 9 || !strings.Contains(strings.Join(strings.Fields(out), " "), "exchange 33.8 iespieddarbi") {
		t.Errorf("reasons:\n%s", out)
	}
}

// shellWords splits a README command line as sh would for these examples:
// blanks separate words, double quotes group them, # starts a comment.
func shellWords(line string) []string {
	var out []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case !quoted && r == '#' && !inWord:
			return out
		case !quoted && (r == ' ' || r == '\t'):
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

// TestReadmeAccountingExample runs the README's accounting commands, as
// pasted, on a data directory with the demo data.
func TestReadmeAccountingExample(t *testing.T) {
	dir := accountingDataDir(t)
	work := t.TempDir()
	// Two of the demo copies at Subate on shelves 8x/9x are scanned.
	var scanned []string
	st, err := boltstore.Open(filepath.Join(dir, "circulation.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := core.NewService(st, demo.Consortium(), core.Options{})
	_ = svc.EachItem(context.Background(), func(it core.Item) bool {
		if it.Library == demo.Subate && (strings.HasPrefix(it.CallNumber, "8") || strings.HasPrefix(it.CallNumber, "9")) &&
			len(scanned) < 2 && it.Status == core.ItemAvailable {
			scanned = append(scanned, it.ID)
		}
		return true
	})
	st.Close()
	if err := os.WriteFile(filepath.Join(work, "barcodes.txt"), []byte(strings.Join(scanned, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	block := blockStarting(t, "bibgate accounting stocktake open")
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
		if words[2] == "stocktake" || words[2] == "writeoff" {
			words = append(words, "--data-dir", dir)
		}
		outputs = append(outputs, runAcctOK(t, words[1:]...))
	}
	all := strings.Join(outputs, "\n")
	for _, want := range []string{"stocktaking ST000000000001 opened at SUB", "2 newly seen", "inventory act 1/",
		"Bibliotēkas krājuma inventarizācijas akts Nr. 1/", "kopā_trūkst", "copies withdrawn", "every 10 years (§30.2)",
		"next due by 2029-05-01"} {
		if !strings.Contains(all, want) {
			t.Errorf("README accounting example output lacks %q:\n%s", want, all)
		}
	}
}

// FuzzParseBarcodes: whatever a scanner file holds, every barcode read is
// non-empty, has no separator or line break in it, and comes from the
// input.
func FuzzParseBarcodes(f *testing.F) {
	f.Add([]byte("INV0001\nINV0002\r\n"))
	f.Add([]byte("# wand export\nINV0001;2026-11-02 10:01\n\n  I000109\t1\n"))
	f.Add([]byte("\ufeffX0000001,SUB,2026-11-02\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		codes, err := parseBarcodes(bytes.NewReader(data))
		if err != nil {
			return // a line longer than the scanner's buffer
		}
		for _, c := range codes {
			if c == "" || strings.ContainsAny(c, ",;\t \r\n") || strings.HasPrefix(c, "#") || !bytes.Contains(data, []byte(c)) {
				t.Fatalf("barcode %q from %q", c, data)
			}
		}
	})
}
