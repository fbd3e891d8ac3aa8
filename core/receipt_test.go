package core_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/accounting"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
)

// newCopies are n new copies of a demo title for a receipt, barcodes
// prefix0001..., inventory numbers prefix-1..., each worth value.
func newCopies(prefix string, n int, material string, value core.Money) []core.ReceiptCopy {
	var out []core.ReceiptCopy
	for i := 1; i <= n; i++ {
		out = append(out, core.ReceiptCopy{Item: core.Item{ID: fmt.Sprintf("%s%04d", prefix, i),
			InventoryNumber: fmt.Sprintf("%s-%d", prefix, i), RecordID: demo.Titles()[i%3].RecordID,
			Title: fmt.Sprintf("Jaunā grāmata %d", i), CallNumber: "821", Material: material, Value: value}})
	}
	return out
}

var compiledBy = core.Commission{Chair: "Inese Kalniņa", Members: []string{"Pēteris Ozols"}}

// TestReceipts drafts and approves one receipt of each kind on every
// store: the acts are numbered each in their own series, the receipts'
// entries in part 1 of the summary register run 1, 2, 3, 4; every copy is
// entered with the entry number and date, and the summary register counts
// it as received. A draft that breaks a rule of §13 is refused.
func TestReceipts(t *testing.T) {
	for name, open := range privacyBackends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			ctx, svc := f.ctx, f.svc
			year := f.clock.Now().Year()
			doc := func(n string, copies int, value core.Money) *core.AccompanyingDocument {
				return &core.AccompanyingDocument{Name: "pavadzīme", Number: n, Date: f.clock.Now().AddDate(0, 0, -2),
					Copies: copies, Value: value}
			}
			// Refusals first: nothing of them is kept.
			for _, c := range []struct {
				name string
				req  core.ReceiptRequest
				want string
			}{
				{"unknown kind", core.ReceiptRequest{Kind: "gift", Library: demo.Subate, Copies: newCopies("X", 1, "book", 100)}, "not one of"},
				{"document without number", core.ReceiptRequest{Kind: core.ReceiptDocument, Library: demo.Subate, Supplier: "Zvaigzne ABC",
					Copies: newCopies("X", 1, "book", 100)}, "accompanying document's number"},
				{"document that does not match", core.ReceiptRequest{Kind: core.ReceiptDocument, Library: demo.Subate, Supplier: "Zvaigzne ABC",
					Document: doc("PV-1", 3, 300), Copies: newCopies("X", 2, "book", 100)}, "receive it as \"discrepancy\""},
				{"discrepancy that is none", core.ReceiptRequest{Kind: core.ReceiptDiscrepancy, Library: demo.Subate, Supplier: "Zvaigzne ABC",
					Commission: compiledBy, Document: doc("PV-1", 2, 200), Copies: newCopies("X", 2, "book", 100)}, "no discrepancy"},
				{"act without its authors", core.ReceiptRequest{Kind: core.ReceiptNoDocument, Library: demo.Subate, Supplier: "J. Bērziņš",
					Copies: newCopies("X", 1, "book", 100)}, "named persons"},
				{"no document, but one given", core.ReceiptRequest{Kind: core.ReceiptNoDocument, Library: demo.Subate, Supplier: "J. Bērziņš",
					Commission: compiledBy, Document: doc("PV-1", 1, 100), Copies: newCopies("X", 1, "book", 100)}, "received as"},
				{"barcode taken", core.ReceiptRequest{Kind: core.ReceiptNoDocument, Library: demo.Subate, Supplier: "J. Bērziņš",
					Commission: compiledBy, Copies: []core.ReceiptCopy{{Item: core.Item{ID: demo.Items()[0].ID, RecordID: "demo-0001"}}}}, "already"},
				{"replacement of a copy on the shelf", core.ReceiptRequest{Kind: core.ReceiptReplacement, Library: demo.Subate,
					Commission: compiledBy, Copies: []core.ReceiptCopy{{Item: core.Item{ID: "NEW1", RecordID: "demo-0001"},
						Replaces: f.item(demo.Subate, ordinaryBook).ID}}}, "not lost by a patron"},
			} {
				if _, err := svc.DraftReceipt(ctx, c.req); core.ReasonOf(err) != core.ReasonBadRequest || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s: %v, want a refusal saying %q", c.name, err, c.want)
				}
			}
			if list, err := svc.Receipts(ctx, ""); err != nil || len(list) != 0 {
				t.Fatalf("refused drafts were kept: %v %v", list, err)
			}

			reqs := []core.ReceiptRequest{
				{Kind: core.ReceiptDocument, Library: demo.Subate, Supplier: "SIA Zvaigzne ABC", Document: doc("PV-100", 3, 3600),
					Copies: newCopies("DOC", 3, policy.MaterialBook, 1200)},
				{Kind: core.ReceiptDiscrepancy, Library: demo.Subate, Supplier: "SIA Zvaigzne ABC", Document: doc("PV-101", 5, 5000),
					Findings: "trūkst 2 eksemplāri", Commission: compiledBy, Copies: newCopies("DIS", 3, policy.MaterialBook, 1000)},
				{Kind: core.ReceiptNoDocument, Library: demo.Subate, Supplier: "Jānis Bērziņš", Delivery: "dāvinājums",
					Commission: compiledBy, Copies: append(newCopies("GIF", 2, policy.MaterialBook, 500),
						newCopies("MAG", 1, policy.MaterialMagazine, 0)...)},
				{Kind: core.ReceiptNoDocument, Library: demo.Subate, Supplier: "Latvijas Nacionālā bibliotēka", Delivery: "apmaiņa",
					Commission: compiledBy, Copies: newCopies("EXC", 1, policy.MaterialBook, 300)},
			}
			var acts []core.ReceiptAct
			for _, r := range reqs {
				d, err := svc.DraftReceipt(ctx, r)
				if err != nil {
					t.Fatalf("draft %s: %v", r.Kind, err)
				}
				if d.Number.N != 0 || !d.Approved.IsZero() {
					t.Fatalf("a draft has a number: %+v", d)
				}
				if _, err := svc.Item(ctx, r.Copies[0].ID); core.ReasonOf(err) != core.ReasonItemNotFound {
					t.Fatalf("a drafted copy is in the collection already: %v", err)
				}
				a, err := svc.ApproveReceipt(ctx, d.ID, "Anna Vadītāja")
				if err != nil {
					t.Fatalf("approve %s: %v", r.Kind, err)
				}
				acts = append(acts, a)
			}
			num := func(n int) accounting.Number { return accounting.Number{Year: year, N: n} }
			for i, want := range []struct{ act, entry accounting.Number }{
				{accounting.Number{}, num(1)}, {num(1), num(2)}, {num(1), num(3)}, {num(2), num(4)},
			} {
				if acts[i].Number != want.act || acts[i].Entry != want.entry || acts[i].ApprovedBy != "Anna Vadītāja" {
					t.Errorf("receipt %d (%s): act %s entry %s, want act %q entry %s", i, acts[i].Kind, acts[i].Number,
						acts[i].Entry, want.act, want.entry)
				}
			}
			if c, v := acts[1].Shortfall(); c != 2 || v != 2000 {
				t.Errorf("annex 1 shortfall: %d copies EUR %v, want 2 and 20.00", c, v)
			}
			if first, last := acts[2].RecordRange(); first != "GIF-1" || last != "MAG-1" {
				t.Errorf("annex 2 record range %s..%s", first, last)
			}
			if tl := acts[2].Tally; tl.ByType[accounting.Books].Copies != 2 || tl.ByType[accounting.Serials].Copies != 1 ||
				tl.Total.Copies != 3 || tl.Total.Sum != 1000 {
				t.Errorf("annex 2 tally %+v", tl)
			}
			if _, err := svc.ApproveReceipt(ctx, acts[0].ID, "X"); core.ReasonOf(err) != core.ReasonBadRequest {
				t.Errorf("second approval: %v", err)
			}
			sum, err := svc.Item(ctx, "DIS0002")
			if err != nil {
				t.Fatal(err)
			}
			if it := sum.Item; it.Status != core.ItemAvailable || it.Library != demo.Subate || it.SummaryRegisterNo != num(2).String() ||
				!it.Entered.Equal(f.clock.Now()) || it.Value != 1000 {
				t.Errorf("received copy record: %+v", it)
			}
			h, err := svc.History(ctx, "GIF0001")
			if err != nil || len(h) != 1 || h[0].Event != core.HistoryReceived || h[0].Act != num(1).String() ||
				h[0].By != "Anna Vadītāja" || !strings.Contains(h[0].Detail, "Jānis Bērziņš") {
				t.Errorf("history of a received copy: %+v %v", h, err)
			}

			reg, err := svc.SummaryRegister(ctx, demo.Subate, year, nil)
			if err != nil {
				t.Fatal(err)
			}
			// 3 + 3 + 3 + 1 copies; the magazine has no value: off the balance.
			if r := reg.Received; r.Total.Copies != 10 || r.Total.Sum != 3600+3000+1000+300 || r.OffBalance.Copies != 1 ||
				r.ByType[accounting.Serials].Copies != 1 {
				t.Errorf("summary register, received: %+v", r)
			}
			part1, err := svc.ReceivedRegister(ctx, demo.Subate, year, nil)
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, e := range part1 {
				lines = append(lines, fmt.Sprintf("%s %s %s %d/%d %s", e.Number, e.Source, e.Document, e.Total.Copies, e.Titles, eur(e.Total.Sum)))
			}
			want := []string{
				fmt.Sprintf("1/%d SIA Zvaigzne ABC PV-100 3/3 36.00", year),
				fmt.Sprintf("2/%d SIA Zvaigzne ABC PV-101 3/3 30.00", year),
				fmt.Sprintf("3/%d Jānis Bērziņš akts Nr. 1/%d 3/2 10.00", year, year),
				fmt.Sprintf("4/%d Latvijas Nacionālā bibliotēka akts Nr. 2/%d 1/1 3.00", year, year),
			}
			if !slices.Equal(lines, want) {
				t.Errorf("summary register part 1:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
			}
			if other, err := svc.ReceivedRegister(ctx, demo.Subate, year-1, nil); err != nil || len(other) != 0 {
				t.Errorf("part 1 of last year: %v %v", other, err)
			}
		})
	}
}

func eur(m core.Money) string { return fmt.Sprintf("%d.%02d", m/100, m%100) }

// TestReceiptNumberingRestartsOnFirstJanuary: act and entry numbers start
// again at 1 on 1 January in the library's time zone (§25): an approval at
// 23:30 UTC on 31 December is already the next year in Riga.
func TestReceiptNumberingRestartsOnFirstJanuary(t *testing.T) {
	f := newMemFixture(t)
	gift := func(prefix string) core.ReceiptAct {
		t.Helper()
		d, err := f.svc.DraftReceipt(f.ctx, core.ReceiptRequest{Kind: core.ReceiptNoDocument, Library: demo.Subate,
			Supplier: "Jānis Bērziņš", Commission: compiledBy, Copies: newCopies(prefix, 1, policy.MaterialBook, 100)})
		if err != nil {
			t.Fatal(err)
		}
		a, err := f.svc.ApproveReceipt(f.ctx, d.ID, "Anna Vadītāja")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	f.clock.Set(time.Date(2026, 12, 31, 12, 0, 0, 0, demo.Riga()))
	for i, p := range []string{"A", "B"} {
		if a := gift(p); a.Number.String() != fmt.Sprintf("%d/2026", i+1) || a.Entry.String() != fmt.Sprintf("%d/2026", i+1) {
			t.Fatalf("December receipt %d: act %s entry %s", i+1, a.Number, a.Entry)
		}
	}
	f.clock.Set(time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC)) // 00:30 on 1 January in Riga
	if a := gift("C"); a.Number.String() != "1/2027" || a.Entry.String() != "1/2027" {
		t.Errorf("first receipt of 2027: act %s entry %s", a.Number, a.Entry)
	}
	if a := gift("D"); a.Number.String() != "2/2027" || a.Entry.String() != "2/2027" {
		t.Errorf("second receipt of 2027: act %s entry %s", a.Number, a.Entry)
	}
	// Another library's numbers are its own.
	d, err := f.svc.DraftReceipt(f.ctx, core.ReceiptRequest{Kind: core.ReceiptNoDocument, Library: demo.Bebrene,
		Supplier: "Jānis Bērziņš", Commission: compiledBy, Copies: newCopies("E", 1, policy.MaterialBook, 100)})
	if err != nil {
		t.Fatal(err)
	}
	if a, err := f.svc.ApproveReceipt(f.ctx, d.ID, "Anna Vadītāja"); err != nil || a.Number.String() != "1/2027" {
		t.Errorf("Bebrene's first act: %s %v", a.Number, err)
	}
	for year, want := range map[int]int{2026: 2, 2027: 2} {
		if part1, err := f.svc.ReceivedRegister(f.ctx, demo.Subate, year, nil); err != nil || len(part1) != want {
			t.Errorf("part 1 of %d: %d lines, %v", year, len(part1), err)
		}
	}
}

// TestReplacementSettlesLostFee: a patron lost two copies, paid part of
// one's value and has a reminder fee. Copies given in their place (annex
// 3) settle the value and processing fees instead of payment, credit back
// what was paid, leave the reminder fee owed; the lost copies are written
// off with reason 33.7 by an approved act and the new copies received, on
// every store.
func TestReplacementSettlesLostFee(t *testing.T) {
	for name, open := range privacyBackends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			ctx, svc := f.ctx, f.svc
			patron := demo.Patrons(f.clock.Now())[20].ID
			before, err := svc.Patron(ctx, patron)
			if err != nil {
				t.Fatal(err)
			}
			var lost []core.Item
			for range 2 {
				it := f.item(demo.Subate, ordinaryBook)
				f.checkout(demo.Subate, patron, it.ID)
				lost = append(lost, it)
			}
			for _, it := range lost {
				if _, err := svc.DeclareLost(ctx, it.ID); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := svc.Charge(ctx, patron, core.FeeReminder, 150, lost[0].ID, "1st reminder"); err != nil {
				t.Fatal(err)
			}
			sum, err := svc.Patron(ctx, patron)
			if err != nil {
				t.Fatal(err)
			}
			var valueFee string
			for _, fe := range sum.Fees {
				if fe.Kind == core.FeeLost && fe.ItemID == lost[1].ID {
					valueFee = fe.ID
				}
			}
			if _, err := svc.PayFee(ctx, core.Payment{PatronID: patron, FeeID: valueFee, Amount: 100}); err != nil {
				t.Fatal(err)
			}
			owedBefore := sum.Owed - 100

			repl := []core.ReceiptCopy{
				{Item: core.Item{ID: "REPL0001", InventoryNumber: "SUB-R1", RecordID: lost[0].RecordID, Title: lost[0].Title,
					Material: policy.MaterialBook}, Replaces: lost[0].ID}, // value: the lost copy's
				{Item: core.Item{ID: "REPL0002", InventoryNumber: "SUB-R2", RecordID: lost[1].RecordID, Title: lost[1].Title,
					Material: policy.MaterialBook, Value: 999}, Replaces: lost[1].ID},
			}
			d, err := svc.DraftReceipt(ctx, core.ReceiptRequest{Kind: core.ReceiptReplacement, Library: demo.Subate,
				Commission: compiledBy, Copies: repl})
			if err != nil {
				t.Fatal(err)
			}
			if d.Copies[0].Value != lost[0].Value || d.Supplier == "" {
				t.Errorf("replacement without a value takes the lost copy's %v: %+v", lost[0].Value, d.Copies[0])
			}
			if _, err := svc.DraftReceipt(ctx, core.ReceiptRequest{Kind: core.ReceiptReplacement, Library: demo.Subate,
				Commission: compiledBy, Copies: []core.ReceiptCopy{{Item: core.Item{ID: "REPL0009", RecordID: "demo-0001"}}}}); core.ReasonOf(err) != core.ReasonBadRequest {
				t.Errorf("replacement naming no lost copy: %v", err)
			}
			a, err := svc.ApproveReceipt(ctx, d.ID, "Anna Vadītāja")
			if err != nil {
				t.Fatal(err)
			}
			year := f.clock.Now().Year()
			if a.Number.String() != fmt.Sprintf("1/%d", year) || a.WriteOff == "" || a.WriteOffNumber.String() != fmt.Sprintf("1/%d", year) {
				t.Fatalf("annex 3 act %s, write-off %s %s", a.Number, a.WriteOff, a.WriteOffNumber)
			}
			r := demo.Consortium().Rules.Resolve(demo.Subate, before.Patron.Category, policy.MaterialBook)
			v0, p0 := policy.LostCharge(r, lost[0].Value)
			v1, p1 := policy.LostCharge(r, lost[1].Value)
			if a.Copies[0].Settled != v0+p0 || a.Copies[1].Settled != v1-100+p1 || a.Copies[1].Refund != 100 || a.Copies[0].Refund != 0 {
				t.Errorf("settled %v/%v refund %v/%v; want %v and %v, refund 1.00 on the second",
					a.Copies[0].Settled, a.Copies[1].Settled, a.Copies[0].Refund, a.Copies[1].Refund, v0+p0, v1-100+p1)
			}
			after, err := svc.Patron(ctx, patron)
			if err != nil {
				t.Fatal(err)
			}
			// Owed now: the reminder fee and any earlier balance, less the 1.00
			// credited back.
			if want := before.Owed + 150 - 100; after.Owed != want {
				t.Errorf("owed after replacement %v, want %v (before it %v)", after.Owed, want, owedBefore)
			}
			var kinds []string
			for _, fe := range after.Fees {
				if fe.ItemID == lost[0].ID || fe.ItemID == lost[1].ID {
					kinds = append(kinds, fmt.Sprintf("%s:%s", fe.Kind, eur(fe.Outstanding())))
				}
			}
			slices.Sort(kinds)
			if want := []string{"refund:-1.00", "reminder:1.50"}; !slices.Equal(kinds, want) {
				t.Errorf("fees on the lost copies %v, want %v", kinds, want)
			}
			wo, err := svc.WriteOffByID(ctx, a.WriteOff)
			if err != nil {
				t.Fatal(err)
			}
			if wo.Reason != accounting.ReasonPatronFault || wo.ApprovedBy != "Anna Vadītāja" || len(wo.Copies) != 2 ||
				wo.Tally.Value != lost[0].Value+lost[1].Value {
				t.Errorf("write-off act of the lost copies: %+v", wo)
			}
			for i, l := range lost {
				s, err := svc.Item(ctx, l.ID)
				if err != nil {
					t.Fatal(err)
				}
				if s.Item.Status != core.ItemWithdrawn || s.Item.WriteOffAct != wo.Number.String() || s.Item.LostBy != "" {
					t.Errorf("lost copy %s after replacement: %+v", l.ID, s.Item)
				}
				h, err := svc.History(ctx, l.ID)
				if err != nil || len(h) != 1 || h[0].Event != core.HistoryWrittenOff || h[0].Detail != accounting.ReasonPatronFault {
					t.Errorf("history of lost copy %s: %+v %v", l.ID, h, err)
				}
				n, err := svc.Item(ctx, repl[i].ID)
				if err != nil || n.Item.Status != core.ItemAvailable || n.Item.Entered.IsZero() {
					t.Errorf("replacement copy %s: %+v %v", repl[i].ID, n.Item, err)
				}
				h, err = svc.History(ctx, repl[i].ID)
				if err != nil || len(h) != 1 || h[0].Detail != "in place of lost copy "+l.ID {
					t.Errorf("history of replacement %s: %+v %v", repl[i].ID, h, err)
				}
			}
			reg, err := svc.SummaryRegister(ctx, demo.Subate, year, nil)
			if err != nil {
				t.Fatal(err)
			}
			if reg.Received.Total.Copies != 2 || reg.Received.Total.Sum != lost[0].Value+999 || reg.WrittenOff.Total.Copies != 2 {
				t.Errorf("summary register: received %+v written off %+v", reg.Received.Total, reg.WrittenOff.Total)
			}
			if problems, err := svc.Verify(ctx); err != nil || len(problems) > 0 {
				t.Errorf("invariants after the replacement: %v %v", err, problems)
			}
			// The lost copy cannot be replaced twice.
			if _, err := svc.DraftReceipt(ctx, core.ReceiptRequest{Kind: core.ReceiptReplacement, Library: demo.Subate,
				Commission: compiledBy, Copies: []core.ReceiptCopy{{Item: core.Item{ID: "REPL0003", RecordID: "demo-0001"},
					Replaces: lost[0].ID}}}); core.ReasonOf(err) != core.ReasonBadRequest {
				t.Errorf("second replacement of %s: %v", lost[0].ID, err)
			}
		})
	}
}

// TestExchangeAndHistory follows copies through their life on every
// store: received, moved to another branch, marked at a stocktaking,
// written off into the exchange collection and given to another
// institution; each copy's history lists the events in order, and editing
// its record later leaves the history as it was.
func TestExchangeAndHistory(t *testing.T) {
	for name, open := range privacyBackends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			ctx, svc := f.ctx, f.svc
			year := f.clock.Now().Year()
			d, err := svc.DraftReceipt(ctx, core.ReceiptRequest{Kind: core.ReceiptNoDocument, Library: demo.Central,
				Supplier: "Jānis Bērziņš", Commission: compiledBy, Copies: newCopies("LIFE", 4, policy.MaterialBook, 700)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.ApproveReceipt(ctx, d.ID, "Anna Vadītāja"); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(time.Hour)
			ids := []string{"LIFE0001", "LIFE0002", "LIFE0003", "LIFE0004"}
			f.checkout(demo.Central, demo.PatronGood, "LIFE0004")
			if _, err := svc.MoveCopies(ctx, core.MoveRequest{From: demo.Central, To: demo.Subate, Items: ids, By: "Inese Kalniņa"}); core.ReasonOf(err) != core.ReasonBadRequest {
				t.Fatalf("moving a copy on loan: %v", err)
			}
			if s, _ := svc.Item(ctx, "LIFE0001"); s.Item.Library != demo.Central {
				t.Fatalf("a refused movement moved %s", s.Item.ID)
			}
			m, err := svc.MoveCopies(ctx, core.MoveRequest{From: demo.Central, To: demo.Subate, Items: ids[:3], By: "Inese Kalniņa",
				CallNumber: "821.1"})
			if err != nil {
				t.Fatal(err)
			}
			if m.Number.String() != fmt.Sprintf("1/%d", year) || len(m.Copies) != 3 {
				t.Errorf("movement %+v", m)
			}
			if s, _ := svc.Item(ctx, "LIFE0002"); s.Item.Library != demo.Subate || s.Item.MovementNo != m.Number.String() || s.Item.CallNumber != "821.1" {
				t.Errorf("moved copy: %+v", s.Item)
			}
			f.clock.Advance(time.Hour)
			st, err := svc.OpenStocktake(ctx, core.StocktakeRequest{Library: demo.Subate, FromCallNumber: "821.1", ToCallNumber: "821.1",
				Commission: compiledBy})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := svc.MarkSeenAll(ctx, demo.Subate, ids[:2]); err != nil {
				t.Fatal(err)
			}
			inv, err := svc.CloseStocktake(ctx, st.ID)
			if err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(time.Hour)
			wo, err := svc.DraftWriteOff(ctx, core.WriteOffRequest{Library: demo.Subate, Items: ids[:2], Reason: "33.8", Commission: compiledBy})
			if err != nil {
				t.Fatal(err)
			}
			if wo, err = svc.ApproveWriteOff(ctx, wo.ID, "Anna Vadītāja"); err != nil {
				t.Fatal(err)
			}
			// A write-off for another reason does not fill the exchange collection.
			other, err := svc.DraftWriteOff(ctx, core.WriteOffRequest{Library: demo.Subate, Items: ids[2:3], Reason: "worn_out", Commission: compiledBy})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.ApproveWriteOff(ctx, other.ID, "Anna Vadītāja"); err != nil {
				t.Fatal(err)
			}
			ex, err := svc.ExchangeCollection(ctx, demo.Subate)
			if err != nil {
				t.Fatal(err)
			}
			if len(ex) != 2 || ex[0].ID != "LIFE0001" || ex[1].ID != "LIFE0002" || ex[0].WriteOffAct != wo.Number.String() {
				t.Fatalf("exchange collection %+v", ex)
			}
			if ex, _ := svc.ExchangeCollection(ctx, demo.Central); len(ex) != 0 {
				t.Errorf("Central's exchange collection %+v", ex)
			}
			reg, err := svc.SummaryRegister(ctx, demo.Subate, year, nil)
			if err != nil || reg.WrittenOff.Total.Copies != 3 {
				t.Errorf("written off in the register: %+v %v", reg.WrittenOff.Total, err)
			}
			f.clock.Advance(time.Hour)
			for _, c := range []struct {
				req  core.ExchangeTransferRequest
				want string
			}{
				{core.ExchangeTransferRequest{Library: demo.Subate, Items: ids[:1], ApprovedBy: "A"}, "names the institution"},
				{core.ExchangeTransferRequest{Library: demo.Subate, Recipient: "Bauskas bibliotēka", Items: ids[:1]}, "named person"},
				{core.ExchangeTransferRequest{Library: demo.Subate, Recipient: "Bauskas bibliotēka", Items: ids[1:3], ApprovedBy: "A"},
					"LIFE0003 is not in the exchange collection"},
			} {
				if _, err := svc.TransferExchange(ctx, c.req); core.ReasonOf(err) != core.ReasonBadRequest || !strings.Contains(err.Error(), c.want) {
					t.Errorf("transfer %+v: %v, want %q", c.req, err, c.want)
				}
			}
			tr, err := svc.TransferExchange(ctx, core.ExchangeTransferRequest{Library: demo.Subate, Recipient: "Bauskas Centrālā bibliotēka",
				RecipientID: "90000012345", Items: ids[:1], Commission: compiledBy, ApprovedBy: "Anna Vadītāja"})
			if err != nil {
				t.Fatal(err)
			}
			if tr.Number.String() != fmt.Sprintf("1/%d", year) || len(tr.Copies) != 1 || tr.Tally.Value != 700 {
				t.Errorf("transfer act %+v", tr)
			}
			if ex, _ := svc.ExchangeCollection(ctx, demo.Subate); len(ex) != 1 || ex[0].ID != "LIFE0002" {
				t.Errorf("exchange collection after the transfer %+v", ex)
			}
			if _, err := svc.TransferExchange(ctx, core.ExchangeTransferRequest{Library: demo.Subate, Recipient: "X",
				Items: ids[:1], ApprovedBy: "A"}); core.ReasonOf(err) != core.ReasonBadRequest {
				t.Errorf("second transfer of the same copy: %v", err)
			}
			if list, err := svc.ExchangeTransfers(ctx, demo.Subate); err != nil || len(list) != 1 || list[0].ID != tr.ID {
				t.Errorf("transfer acts %v %v", list, err)
			}

			events := func(id string) []string {
				t.Helper()
				h, err := svc.History(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for i, e := range h {
					if e.Seq != i+1 || (i > 0 && e.At.Before(h[i-1].At)) {
						t.Errorf("%s: entry %d out of order: %+v", id, i, e)
					}
					out = append(out, fmt.Sprintf("%s %s %s %s", e.Event, e.Library, e.Act, e.Detail))
				}
				return out
			}
			n := func(k int) string { return fmt.Sprintf("%d/%d", k, year) }
			wantLife := map[string][]string{
				"LIFE0001": {"received ILU 1/" + fmt.Sprint(year) + " Jānis Bērziņš", "moved SUB " + n(1) + " ",
					"stocktaking SUB " + inv.Number.String() + " found: " + fmt.Sprintf("%d inventarizācija %s", year, st.ID),
					"written_off SUB " + wo.Number.String() + " exchange", "exchange_transfer SUB " + tr.Number.String() + " Bauskas Centrālā bibliotēka"},
				"LIFE0003": {"received ILU 1/" + fmt.Sprint(year) + " Jānis Bērziņš", "moved SUB " + n(1) + " ",
					"stocktaking SUB " + inv.Number.String() + " missing", "written_off SUB 2/" + fmt.Sprint(year) + " worn_out"},
				"LIFE0004": {"received ILU 1/" + fmt.Sprint(year) + " Jānis Bērziņš"},
			}
			got := map[string][]string{}
			for id, want := range wantLife {
				got[id] = events(id)
				if !slices.Equal(got[id], want) {
					t.Errorf("history of %s:\n%s\nwant\n%s", id, strings.Join(got[id], "\n"), strings.Join(want, "\n"))
				}
			}
			// Editing a record later (a new title, value, call number) leaves
			// its history as it was; moving it by an edit adds an entry.
			h1, _ := svc.History(ctx, "LIFE0001")
			s, _ := svc.Item(ctx, "LIFE0001")
			edited := s.Item
			edited.Title, edited.Value, edited.CallNumber = "Cits nosaukums", 1, "000"
			moved := f.item(demo.Subate, ordinaryBook)
			moved.Library = demo.Bebrene
			if err := svc.PutItems(ctx, []core.Item{edited, moved}); err != nil {
				t.Fatal(err)
			}
			if h2, _ := svc.History(ctx, "LIFE0001"); !reflect.DeepEqual(h1, h2) {
				t.Errorf("an edit changed the history:\n%+v\n%+v", h1, h2)
			}
			if h, err := svc.History(ctx, moved.ID); err != nil || len(h) != 1 || h[0].Event != core.HistoryMoved ||
				h[0].From != demo.Subate || h[0].Library != demo.Bebrene {
				t.Errorf("history of a copy moved by an edit: %+v %v", h, err)
			}
			if problems, err := svc.Verify(ctx); err != nil || len(problems) > 0 {
				t.Errorf("invariants: %v %v", err, problems)
			}
			if _, err := svc.History(ctx, "NO-SUCH-COPY"); core.ReasonOf(err) != core.ReasonItemNotFound {
				t.Errorf("history of an unknown barcode: %v", err)
			}
			if h, err := svc.History(ctx, demo.Items()[5].ID); err != nil || len(h) != 0 {
				t.Errorf("history of an imported copy: %+v %v", h, err)
			}
		})
	}
}

// TestReplacementLeavesNoPatronTrace: a patron whose lost copy was
// replaced (annex 3) asks to be deleted; afterwards no receipt, write-off
// act, history entry or anything else in the store names them.
func TestReplacementLeavesNoPatronTrace(t *testing.T) {
	const card, name = "ZREPL01", "Rūta Aizstājēja"
	for bname, open := range privacyBackends(t) {
		t.Run(bname, func(t *testing.T) {
			st := open(t)
			f := newFixture(t, st)
			err := f.svc.RegisterPatrons(f.ctx, []core.NewPatron{{Patron: core.Patron{ID: card, Name: name, Category: "adult",
				HomeLibrary: demo.Subate, IdentityConfirmed: true, Resident: true}, PIN: "9876"}})
			if err != nil {
				t.Fatal(err)
			}
			it := f.item(demo.Subate, ordinaryBook)
			f.checkout(demo.Subate, card, it.ID)
			if _, err := f.svc.DeclareLost(f.ctx, it.ID); err != nil {
				t.Fatal(err)
			}
			d, err := f.svc.DraftReceipt(f.ctx, core.ReceiptRequest{Kind: core.ReceiptReplacement, Library: demo.Subate,
				Commission: compiledBy, Copies: []core.ReceiptCopy{{Item: core.Item{ID: "ZR000001", RecordID: it.RecordID,
					Title: it.Title}, Replaces: it.ID}}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.ApproveReceipt(f.ctx, d.ID, "Anna Vadītāja"); err != nil {
				t.Fatal(err)
			}
			if sum, err := f.svc.Patron(f.ctx, card); err != nil || sum.Owed != 0 {
				t.Fatalf("owed after the replacement: %v %v", sum.Owed, err)
			}
			if _, err := f.svc.DeletePatron(f.ctx, card); err != nil {
				t.Fatalf("delete: %v", err)
			}
			for _, kv := range dumpStore(t, st) {
				if strings.Contains(kv, card) || strings.Contains(kv, name) {
					t.Errorf("after deletion the store still holds the patron: %.200s", kv)
				}
			}
			if h, err := f.svc.History(f.ctx, it.ID); err != nil || len(h) != 1 || h[0].Event != core.HistoryWrittenOff {
				t.Errorf("the lost copy's history after the deletion: %+v %v", h, err)
			}
		})
	}
}

// TestDiscrepancyNothingArrived: a delivery note for copies none of which
// arrived gets its annex 1 act (for the claim) but no entry in the summary
// register, and the next receipt takes entry 1.
func TestDiscrepancyNothingArrived(t *testing.T) {
	f := newMemFixture(t)
	d, err := f.svc.DraftReceipt(f.ctx, core.ReceiptRequest{Kind: core.ReceiptDiscrepancy, Library: demo.Subate,
		Supplier: "SIA Zvaigzne ABC", Commission: compiledBy,
		Document: &core.AccompanyingDocument{Number: "PV-9", Copies: 3, Value: 4500}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.ApproveReceipt(f.ctx, d.ID, "Anna Vadītāja")
	if err != nil {
		t.Fatal(err)
	}
	if c, v := a.Shortfall(); a.Number.N != 1 || a.Entry.N != 0 || c != 3 || v != 4500 {
		t.Errorf("act %s entry %s shortfall %d %v", a.Number, a.Entry, c, v)
	}
	d, err = f.svc.DraftReceipt(f.ctx, core.ReceiptRequest{Kind: core.ReceiptDocument, Library: demo.Subate,
		Supplier: "SIA Zvaigzne ABC", Document: &core.AccompanyingDocument{Number: "PV-10"},
		Copies: newCopies("PV", 2, policy.MaterialBook, 800)})
	if err != nil {
		t.Fatal(err)
	}
	if a, err = f.svc.ApproveReceipt(f.ctx, d.ID, "Anna Vadītāja"); err != nil || a.Entry.N != 1 || a.Number.N != 0 {
		t.Errorf("next receipt: act %s entry %s %v", a.Number, a.Entry, err)
	}
	part1, err := f.svc.ReceivedRegister(f.ctx, demo.Subate, f.clock.Now().Year(), nil)
	if err != nil || len(part1) != 1 || part1[0].Document != "PV-10" {
		t.Errorf("part 1: %+v %v", part1, err)
	}
	// Inventory numbers are ranged as numbers, not as text: S-9 before S-10.
	d, err = f.svc.DraftReceipt(f.ctx, core.ReceiptRequest{Kind: core.ReceiptNoDocument, Library: demo.Subate,
		Supplier: "Jānis Bērziņš", Commission: compiledBy, Copies: newCopies("S", 12, policy.MaterialBook, 100)})
	if err != nil {
		t.Fatal(err)
	}
	if first, last := d.RecordRange(); first != "S-1" || last != "S-12" {
		t.Errorf("record range %s..%s, want S-1..S-12", first, last)
	}
}

// TestConcurrentReceiptApprovals: eight receipts approved at once get act
// numbers 1–8 and register entries 1–8, each once, on every store.
func TestConcurrentReceiptApprovals(t *testing.T) {
	for name, open := range privacyBackends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			const n = 8
			var ids []string
			for i := range n {
				d, err := f.svc.DraftReceipt(f.ctx, core.ReceiptRequest{Kind: core.ReceiptNoDocument, Library: demo.Subate,
					Supplier: "Jānis Bērziņš", Commission: compiledBy, Copies: newCopies(fmt.Sprintf("C%d-", i), 2, policy.MaterialBook, 100)})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, d.ID)
			}
			type res struct {
				a   core.ReceiptAct
				err error
			}
			out := make(chan res, n)
			for _, id := range ids {
				go func() {
					a, err := f.svc.ApproveReceipt(f.ctx, id, "Anna Vadītāja")
					out <- res{a, err}
				}()
			}
			acts, entries := map[int]bool{}, map[int]bool{}
			for range n {
				r := <-out
				if r.err != nil {
					t.Fatal(r.err)
				}
				acts[r.a.Number.N], entries[r.a.Entry.N] = true, true
			}
			for k := 1; k <= n; k++ {
				if !acts[k] || !entries[k] {
					t.Errorf("numbers after concurrent approvals: acts %v entries %v", acts, entries)
					break
				}
			}
		})
	}
}

// TestDeskRegisterNamesReceiptSources: the console's summary register,
// which builds part 1 from the copies' records, names the source and
// document of the receipts behind its entries.
func TestDeskRegisterNamesReceiptSources(t *testing.T) {
	f := newMemFixture(t)
	d := f.deskStaff()
	for _, r := range []core.ReceiptRequest{
		{Kind: core.ReceiptDocument, Library: demo.Subate, Supplier: "SIA Zvaigzne ABC",
			Document: &core.AccompanyingDocument{Number: "PV-100"}, Copies: newCopies("DOC", 2, policy.MaterialBook, 500)},
		{Kind: core.ReceiptNoDocument, Library: demo.Subate, Supplier: "Jānis Bērziņš", Commission: compiledBy,
			Copies: newCopies("GIF", 1, policy.MaterialBook, 300)},
	} {
		a, err := f.svc.DraftReceipt(f.ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ApproveReceipt(f.ctx, a.ID, "Anna Vadītāja"); err != nil {
			t.Fatal(err)
		}
	}
	book, err := f.svc.DeskSummaryRegister(f.ctx, d.adminSUB, "", 2026, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range book.Received {
		got = append(got, fmt.Sprintf("%s %s %s %d", e.Number, e.Source, e.Document, e.Total.Copies))
	}
	if want := []string{"1/2026 SIA Zvaigzne ABC PV-100 2", "2/2026 Jānis Bērziņš akts Nr. 1/2026 1"}; !slices.Equal(got, want) {
		t.Errorf("desk register part 1: %q, want %q", got, want)
	}
}
