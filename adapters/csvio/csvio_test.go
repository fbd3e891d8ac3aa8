package csvio

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/store/memstore"
)

func newService(t *testing.T) *core.Service {
	t.Helper()
	svc, err := core.NewService(memstore.New(), demo.Consortium(), core.Options{
		KDF:   core.KDFParams{Time: 1, Memory: 64, Threads: 1},
		Clock: core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

const patronHeader = "card,first_name,last_name,birth_date,guardian_card,email,phone,home_library,category,resident,identity_confirmed,personal_code,pin,pin_hash,language\n"

func goodPatron(i int) string {
	return fmt.Sprintf("C%05d,Anna,Bērziņa %d,1990-05-0%d,,anna%d@example.org,+371 2000%04d,ILU,adult,yes,yes,,Pz9-%d,,lv\n", i, i, 1+i%9, i, i, i)
}

// The bad lines, each of a different kind, with the column the report
// must name.
var badPatrons = []struct {
	line, column string
}{
	{",Anna,Bez Kartes,,,,,ILU,,,,,,,\n", "card"},
	{"C 0001,Anna,Atstarpe,,,,,ILU,,,,,,,\n", "card"},
	{"C00003,Anna,Dubulta,,,,,ILU,,,,,,,\n", "card"}, // C00003 is a good line earlier
	{"X00004,,,,,,,ILU,,,,,,,\n", "last_name"},
	{"X00005,Anna,Datums,1990/05/01,,,,ILU,,,,,,,\n", "birth_date"},
	{"X00006,Anna,Nākotne,2030-01-01,,,,ILU,,,,,,,\n", "birth_date"},
	{"X00007,Anna,Pasts,,,anna.example.org,,ILU,,,,,,,\n", "email"},
	{"X00008,Anna,Telefons,,,,call me,ILU,,,,,,,\n", "phone"},
	{"X00009,Anna,Bibliotēka,,,,,NOPE,,,,,,,\n", "home_library"},
	{"X00010,Anna,Rezidente,,,,,ILU,,maybe,,,,,\n", "resident"},
	{"X00011,Anna,Identitāte,,,,,ILU,,,varbūt,,,,\n", "identity_confirmed"},
	{"X00012,Anna,Kods,,,,,ILU,,,,12ab,,,\n", "personal_code"},
	{"X00013,Anna,Īss,,,,,ILU,,,,,Zq,,\n", "pin"},
	{"X00014,Anna,Abi,,,,,ILU,,,,,Pz9-both,$2a$08$abcdefghijklmnopqrstuu5ZsyFZC6r1VxpF/xsY3lG4G1Cu/Hg9y,\n", "pin"},
	{"X00015,Anna,MD5,,,,,ILU,,,,,,5f4dcc3b5aa765d61d8327deb882cf99,\n", "pin_hash"},
	{"X00016,Anna,Valoda,,,,,ILU,,,,,,,ru\n", "language"},
	{"X00017,Anna,Aizbildnis,,NOBODY,,,ILU,,,,,,,\n", "guardian_card"},
	{"X00018,Anna,Pati,,X00018,,,ILU,,,,,,,\n", "guardian_card"},
	{"X00019,Anna,Lauki,,,,,ILU\n", ""},
	{"X00020,Anna,\"Pēdiņa,,,,,ILU,,,,,,,\n", ""},
}

func TestImportPatronsThousandLines(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	var b strings.Builder
	b.WriteString(patronHeader)
	badAt := map[int]string{} // file line -> column
	lineNo, good, k := 1, 0, 0
	for n := 0; n < 998; n++ {
		lineNo++
		if n%50 == 49 && k < len(badPatrons)-1 {
			b.WriteString(badPatrons[k].line)
			badAt[lineNo] = badPatrons[k].column
			k++
			continue
		}
		b.WriteString(goodPatron(n))
		good++
	}
	// A minor with a guardian from the file.
	b.WriteString("M00001,Jānis,Mazais,2016-01-01,C00001,,,ILU,child,yes,yes,,Pz9-minor,,lv\n")
	lineNo++
	good++
	b.WriteString(badPatrons[len(badPatrons)-1].line)
	lineNo++
	badAt[lineNo] = ""
	if len(badAt) != 20 || good != 980 {
		t.Fatalf("fixture: %d bad, %d good", len(badAt), good)
	}
	rep, err := ImportPatrons(ctx, svc, strings.NewReader(b.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 980 || rep.Created != 980 {
		t.Errorf("imported %d (created %d), want 980", rep.Imported, rep.Created)
	}
	if len(rep.Errors) != 20 {
		t.Errorf("%d errors, want 20: %v", len(rep.Errors), rep.Errors)
	}
	for _, e := range rep.Errors {
		col, ok := badAt[e.Line]
		if !ok {
			t.Errorf("error on line %d, which is good: %v", e.Line, e)
			continue
		}
		if e.Column != col {
			t.Errorf("line %d: column %q, want %q (%s)", e.Line, e.Column, col, e.Reason)
		}
		delete(badAt, e.Line)
	}
	for l, c := range badAt {
		t.Errorf("bad line %d (column %s) not reported", l, c)
	}
	// Nothing half-written: no bad line's patron exists at all.
	var bad []string
	for i := 4; i <= 20; i++ {
		bad = append(bad, fmt.Sprintf("X%05d", i))
	}
	got, err := svc.PatronRecords(ctx, bad)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("rejected lines were stored: %v", got)
	}
	c, _ := svc.Counts(ctx)
	if c.Patrons != 980 {
		t.Errorf("%d patrons in the store, want 980", c.Patrons)
	}
	// The imported patrons log in with their PINs; the minor has a guardian.
	if err := svc.VerifyPatron(ctx, "C00002", "Pz9-2"); err != nil {
		t.Errorf("imported PIN: %v", err)
	}
	minor, err := svc.PatronRecords(ctx, []string{"M00001"})
	if err != nil || minor["M00001"].Guardian == nil || minor["M00001"].Guardian.Email != "anna1@example.org" {
		t.Errorf("guardian not set from the file: %+v %v", minor["M00001"], err)
	}
	// No PIN in the report.
	js, _ := json.Marshal(rep)
	if bytes.Contains(js, []byte("Pz9-")) || bytes.Contains(js, []byte("Zq")) {
		t.Errorf("the report quotes a PIN: %s", js)
	}
}

func TestImportPatronsDryRunWritesNothing(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	src := patronHeader + goodPatron(1) + goodPatron(2) + badPatrons[8].line
	rep, err := ImportPatrons(ctx, svc, strings.NewReader(src), Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 2 || len(rep.Errors) != 1 || rep.Errors[0].Line != 4 {
		t.Errorf("dry run report %+v", rep)
	}
	if c, _ := svc.Counts(ctx); c.Patrons != 0 {
		t.Errorf("dry run stored %d patrons", c.Patrons)
	}
}

func TestImportPatronsHeaderErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"empty file", "", "empty file"},
		{"unknown column", "card,name,home_library,shoe_size\n", `unknown column "shoe_size"`},
		{"no card column", "name,home_library\n", "column card is required"},
		{"no name column", "card,home_library\n", "column name or last_name is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ImportPatrons(context.Background(), newService(t), strings.NewReader(tt.src), Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want %q", err, tt.want)
			}
		})
	}
}

// Semicolons and a byte-order mark, as a spreadsheet saves them.
func TestImportPatronsSpreadsheetCSV(t *testing.T) {
	svc := newService(t)
	src := "\ufeffcard;name;home_library;pin\nS1;Ēriks Zariņš;SUB;4321\n"
	rep, err := ImportPatrons(context.Background(), svc, strings.NewReader(src), Options{})
	if err != nil || rep.Imported != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	got, _ := svc.PatronRecords(context.Background(), []string{"S1"})
	if got["S1"].Name != "Ēriks Zariņš" || got["S1"].HomeLibrary != "SUB" {
		t.Errorf("got %+v", got["S1"])
	}
}

func TestPatronsExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	a := newService(t)
	src := patronHeader + goodPatron(1) + "M1,Jānis,Mazais,2016-01-01,C00001,,,ILUB,child,no,no,010116-12345,,,et\n"
	if rep, err := ImportPatrons(ctx, a, strings.NewReader(src), Options{}); err != nil || rep.Imported != 2 {
		t.Fatalf("%+v %v", rep, err)
	}
	var out bytes.Buffer
	if n, err := ExportPatrons(ctx, a, &out); err != nil || n != 2 {
		t.Fatalf("export %d %v", n, err)
	}
	b := newService(t)
	rep, err := ImportPatrons(ctx, b, bytes.NewReader(out.Bytes()), Options{})
	if err != nil || rep.Imported != 2 || len(rep.Errors) != 0 {
		t.Fatalf("re-import %+v %v\n%s", rep, err, out.String())
	}
	pa, _ := a.PatronRecords(ctx, []string{"C00001", "M1"})
	pb, _ := b.PatronRecords(ctx, []string{"C00001", "M1"})
	for card := range pa {
		x, y := pa[card], pb[card]
		x.Registered, y.Registered, x.LastActive, y.LastActive = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if (x.Guardian == nil) != (y.Guardian == nil) || x.Guardian != nil && *x.Guardian != *y.Guardian {
			t.Errorf("%s: guardian %v, want %v", card, y.Guardian, x.Guardian)
		}
		x.Guardian, y.Guardian = nil, nil
		if fmt.Sprint(x) != fmt.Sprint(y) {
			t.Errorf("%s after round trip:\n got %+v\nwant %+v", card, y, x)
		}
	}
	if err := b.VerifyPatron(ctx, "C00001", "Pz9-1"); err != nil {
		t.Errorf("PIN hash did not survive the round trip: %v", err)
	}
	if bytes.Contains(out.Bytes(), []byte("Pz9-")) {
		t.Error("export contains a PIN")
	}
}

func TestItemsImportExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	a := newService(t)
	src := "barcode,inventory_number,record_id,title,library,call_number,material,value,entered,summary_register_no,movement_no,stocktaking,write_off_act,write_off_date\n" +
		"B1,INV-1,r1,Dzeja,ILU,821 Ra,book,12.50,2019-03-04,KSU-12,M-3,2023 ok,,\n" +
		",INV-2,r1,Dzeja,SUB,821 Ra,book,\"9,9\",04.03.2019,,,,N-5,2025-06-30\n" +
		"B3,,r2,X,NOPE,,,1,,,,,,\n" +
		"B4,,r2,X,ILU,,,12.345,,,,,,\n" +
		"B5,,,X,ILU,,,,,,,,,\n"
	rep, err := ImportItems(ctx, a, strings.NewReader(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []LineError{{Line: 4, Column: "library"}, {Line: 5, Column: "value"}, {Line: 6, Column: "record_id"}}
	if rep.Imported != 2 || len(rep.Errors) != len(want) {
		t.Fatalf("report %+v", rep)
	}
	for i, w := range want {
		if rep.Errors[i].Line != w.Line || rep.Errors[i].Column != w.Column {
			t.Errorf("error %d: %v, want line %d column %s", i, rep.Errors[i], w.Line, w.Column)
		}
	}
	it, err := a.Item(ctx, "INV-2")
	if err != nil || it.Item.Value != 990 || it.Item.WriteOffAct != "N-5" || it.Item.Library != "SUB" {
		t.Errorf("INV-2: %+v %v", it.Item, err)
	}
	var out bytes.Buffer
	if _, err := ExportItems(ctx, a, &out); err != nil {
		t.Fatal(err)
	}
	b := newService(t)
	if rep, err := ImportItems(ctx, b, bytes.NewReader(out.Bytes()), Options{}); err != nil || rep.Imported != 2 || len(rep.Errors) != 0 {
		t.Fatalf("re-import %+v %v\n%s", rep, err, out.String())
	}
	var again bytes.Buffer
	if _, err := ExportItems(ctx, b, &again); err != nil {
		t.Fatal(err)
	}
	if again.String() != out.String() {
		t.Errorf("export after round trip differs:\n%s\nwant\n%s", again.String(), out.String())
	}
}
