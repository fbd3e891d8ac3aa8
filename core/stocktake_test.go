package core_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/accounting"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
)

// stocktakeCopies are 60 copies on shelf range STK at Subate; copy i is
// worth 1.00 + i cents; the last two entered this year.
func stocktakeCopies() []core.Item {
	var out []core.Item
	for i := 1; i <= 60; i++ {
		entered := time.Date(2019, 5, 6, 0, 0, 0, 0, demo.Riga())
		if i > 58 {
			entered = time.Date(2026, 3, 1, 0, 0, 0, 0, demo.Riga())
		}
		mat := policy.MaterialBook
		if i%10 == 0 {
			mat = policy.MaterialMagazine
		}
		out = append(out, core.Item{ID: fmt.Sprintf("STK%04d", i), InventoryNumber: fmt.Sprintf("SUB-%05d", i),
			RecordID: demo.Titles()[i%len(demo.Titles())].RecordID, Title: fmt.Sprintf("Krājuma grāmata %d", i),
			Library: demo.Subate, CallNumber: fmt.Sprintf("STK/%04d", i), Material: mat, Value: core.Money(100 + i),
			Accounting: core.Accounting{Entered: entered}})
	}
	return out
}

// TestStocktakeAndWriteOff runs a stocktaking of a shelf range on every
// store: the act lists exactly the copies not scanned (with their value),
// the ones on loan, a barcode with no record and a copy of another
// library; the missing ones go into a write-off act, and approving it
// withdraws them with the act's number and date.
func TestStocktakeAndWriteOff(t *testing.T) {
	for name, open := range privacyBackends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			ctx := f.ctx
			copies := stocktakeCopies()
			if err := f.svc.PutItems(ctx, copies); err != nil {
				t.Fatal(err)
			}
			onLoan := []string{"STK0003", "STK0030", "STK0041"}
			for _, id := range onLoan {
				f.checkout(demo.Subate, demo.PatronGood, id)
			}
			missing := []string{"STK0005", "STK0010", "STK0011", "STK0020", "STK0033", "STK0047", "STK0060"}
			if _, err := f.svc.MarkSeen(ctx, demo.Subate, "STK0001"); core.ReasonOf(err) != core.ReasonNoStocktake {
				t.Fatalf("scan with no stocktaking open: %v", err)
			}
			if _, err := f.svc.OpenStocktake(ctx, core.StocktakeRequest{Library: demo.Subate}); core.ReasonOf(err) != core.ReasonBadRequest {
				t.Fatalf("stocktaking without a commission chair: %v", err)
			}
			comm := core.Commission{Chair: "Inese Kalniņa", Members: []string{"Pēteris Ozols", "Līga Liepa"}}
			st, err := f.svc.OpenStocktake(ctx, core.StocktakeRequest{Library: demo.Subate, FromCallNumber: "STK",
				ToCallNumber: "STK", Commission: comm})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.OpenStocktake(ctx, core.StocktakeRequest{Library: demo.Subate, Commission: comm}); core.ReasonOf(err) != core.ReasonStocktakeOpen {
				t.Fatalf("second stocktaking at once: %v", err)
			}
			var scan []string
			for _, c := range copies {
				if !slices.Contains(missing, c.ID) && !slices.Contains(onLoan, c.ID) {
					scan = append(scan, c.ID)
				}
			}
			for i, b := range scan {
				sc, err := f.svc.MarkSeen(ctx, demo.Subate, b)
				if err != nil || sc.Stocktake != st.ID || sc.Item == nil || sc.Item.ID != b || !sc.First || sc.Elsewhere {
					t.Fatalf("scan %d %s: %+v %v", i, b, sc, err)
				}
			}
			if sc, err := f.svc.MarkSeen(ctx, demo.Subate, scan[0]); err != nil || sc.First {
				t.Fatalf("second scan of %s: %+v %v (want idempotent)", scan[0], sc, err)
			}
			if sc, err := f.svc.MarkSeen(ctx, demo.Subate, "NOREC-42"); err != nil || sc.Item != nil || !sc.First {
				t.Fatalf("barcode with no record: %+v %v", sc, err)
			}
			if sc, err := f.svc.MarkSeen(ctx, demo.Subate, "I000001"); err != nil || !sc.Elsewhere {
				t.Fatalf("copy of another library: %+v %v", sc, err)
			}

			act, err := f.svc.CloseStocktake(ctx, st.ID)
			if err != nil {
				t.Fatal(err)
			}
			if act.Number.String() != "1/2026" || act.Library != demo.Subate || act.Commission.Chair != comm.Chair {
				t.Errorf("act %s of %s by %+v", act.Number, act.Library, act.Commission)
			}
			if act.Expected.Copies() != 60 || act.Expected.Books != 54 || act.Found.Copies() != 50 {
				t.Errorf("expected %+v found %+v, want 60 (54 books) and 50", act.Expected, act.Found)
			}
			var gotMissing []string
			for _, c := range act.Missing {
				gotMissing = append(gotMissing, c.ID)
			}
			var missingValue core.Money
			for _, id := range missing {
				var n int
				fmt.Sscanf(id, "STK%d", &n)
				missingValue += core.Money(100 + n)
			}
			if !slices.Equal(gotMissing, missing) || act.MissingTally.Value != missingValue || act.MissingTally.Others != 3 {
				t.Errorf("missing %v worth %d (%+v), want %v worth %d", gotMissing, act.MissingTally.Value, act.MissingTally, missing, missingValue)
			}
			var gotLoan []string
			for _, c := range act.OnLoan {
				gotLoan = append(gotLoan, c.ID)
			}
			if !slices.Equal(gotLoan, onLoan) {
				t.Errorf("on loan %v, want %v", gotLoan, onLoan)
			}
			if !slices.Equal(act.NoRecord, []string{"NOREC-42"}) || !slices.Equal(act.Elsewhere, []string{"I000001"}) {
				t.Errorf("no record %v, elsewhere %v", act.NoRecord, act.Elsewhere)
			}
			var startValue core.Money
			yearStart := time.Date(2026, 1, 1, 0, 0, 0, 0, demo.Riga())
			_ = f.svc.EachItem(ctx, func(it core.Item) bool {
				if it.Library == demo.Subate && (it.Entered.IsZero() || it.Entered.Before(yearStart)) {
					startValue += it.Value
				}
				return true
			})
			if act.StartValue != startValue || act.LossNorm != accounting.LossNorm(startValue) || act.LossNorm == 0 {
				t.Errorf("start value %d norm %d, want %d and its 0.3 %%", act.StartValue, act.LossNorm, startValue)
			}
			if s, err := f.svc.Item(ctx, "STK0005"); err != nil || s.Item.Status != core.ItemMissing {
				t.Errorf("missing copy after closing: %+v %v", s.Item.Status, err)
			}
			if s, err := f.svc.Item(ctx, "STK0001"); err != nil || s.Item.Stocktaking == "" {
				t.Errorf("found copy has no stocktaking mark: %+v %v", s.Item, err)
			}
			if _, err := f.svc.MarkSeen(ctx, demo.Subate, "STK0005"); core.ReasonOf(err) != core.ReasonNoStocktake {
				t.Errorf("scan after closing: %v", err)
			}
			if _, err := f.svc.CloseStocktake(ctx, st.ID); err == nil {
				t.Error("closed twice")
			}
			if got, err := f.svc.StocktakeByID(ctx, st.ID); err != nil || got.Act == nil || len(got.Act.Missing) != 7 {
				t.Errorf("stored session: %+v %v", got, err)
			}

			// Write-off act from the missing copies.
			if _, err := f.svc.DraftWriteOff(ctx, core.WriteOffRequest{Library: demo.Subate, Items: missing, Reason: "stolen"}); err == nil {
				t.Error("a reason not in §33 was accepted")
			}
			if _, err := f.svc.DraftWriteOff(ctx, core.WriteOffRequest{Library: demo.Subate, Items: onLoan[:1], Reason: "lost"}); err == nil {
				t.Error("a copy on loan was drafted for write-off")
			}
			wo, err := f.svc.DraftWriteOff(ctx, core.WriteOffRequest{Library: demo.Subate, FromStocktake: st.ID, Reason: "33.6",
				Commission: comm, Disposal: "svītroti no uzskaites"})
			if err != nil {
				t.Fatal(err)
			}
			if len(wo.Copies) != 7 || wo.Tally.Value != missingValue || wo.Reason != accounting.ReasonLost {
				t.Errorf("draft %+v", wo)
			}
			if _, err := f.svc.ApproveWriteOff(ctx, wo.ID, " "); err == nil {
				t.Error("approved by nobody")
			}
			f.clock.Advance(24 * time.Hour)
			wo, err = f.svc.ApproveWriteOff(ctx, wo.ID, "Anna Vadītāja")
			if err != nil {
				t.Fatal(err)
			}
			if wo.Number.String() != "1/2026" || wo.ApprovedBy != "Anna Vadītāja" || !wo.Approved.Equal(f.clock.Now()) {
				t.Errorf("approved act %s by %q on %s", wo.Number, wo.ApprovedBy, wo.Approved)
			}
			for _, id := range missing {
				s, err := f.svc.Item(ctx, id)
				if err != nil || s.Item.Status != core.ItemWithdrawn || s.Item.WriteOffAct != "1/2026" || !s.Item.WriteOffDate.Equal(f.clock.Now()) {
					t.Errorf("%s after write-off: %s act %q on %s (%v)", id, s.Item.Status, s.Item.WriteOffAct, s.Item.WriteOffDate, err)
				}
			}
			if _, err := f.svc.ApproveWriteOff(ctx, wo.ID, "Anna Vadītāja"); err == nil {
				t.Error("approved twice")
			}
			if _, err := f.svc.DraftWriteOff(ctx, core.WriteOffRequest{Library: demo.Subate, Items: missing[:1], Reason: "lost"}); core.ReasonOf(err) != core.ReasonItemUnusable {
				t.Errorf("writing off a withdrawn copy again: %v", err)
			}
			if _, err := f.svc.Checkout(ctx, core.CheckoutRequest{Library: demo.Subate, PatronID: demo.PatronGood, ItemID: missing[0]}); err == nil {
				t.Error("a written-off copy was lent")
			}
			if problems, err := f.svc.Verify(ctx); err != nil || len(problems) > 0 {
				t.Errorf("invariants: %v %v", err, problems)
			}

			// The next stocktaking this year is act 2; next year's is 1 again.
			st2, err := f.svc.OpenStocktake(ctx, core.StocktakeRequest{Library: demo.Subate, Commission: comm})
			if err != nil {
				t.Fatal(err)
			}
			act2, err := f.svc.CloseStocktake(ctx, st2.ID)
			if err != nil || act2.Number.String() != "2/2026" {
				t.Fatalf("second act %s %v", act2.Number, err)
			}
			for _, c := range act2.Missing {
				if slices.Contains(missing, c.ID) {
					t.Errorf("written-off copy %s expected again", c.ID)
				}
			}
			f.clock.Set(time.Date(2027, 1, 1, 0, 5, 0, 0, demo.Riga()))
			st3, err := f.svc.OpenStocktake(ctx, core.StocktakeRequest{Library: demo.Subate, Commission: comm})
			if err != nil {
				t.Fatal(err)
			}
			if act3, err := f.svc.CloseStocktake(ctx, st3.ID); err != nil || act3.Number.String() != "1/2027" {
				t.Fatalf("first act of 2027: %s %v", act3.Number, err)
			}
			if list, err := f.svc.Stocktakes(ctx, demo.Subate); err != nil || len(list) != 3 {
				t.Errorf("sessions %d %v", len(list), err)
			}
			if list, err := f.svc.WriteOffs(ctx, demo.Subate); err != nil || len(list) != 1 {
				t.Errorf("write-offs %d %v", len(list), err)
			}
		})
	}
}

// TestMarkSeenAll: a file of barcodes marks each once and counts the ones
// without a record.
func TestMarkSeenAll(t *testing.T) {
	f := newMemFixture(t)
	if err := f.svc.PutItems(f.ctx, stocktakeCopies()); err != nil {
		t.Fatal(err)
	}
	st, err := f.svc.OpenStocktake(f.ctx, core.StocktakeRequest{Library: demo.Subate, FromCallNumber: "STK", ToCallNumber: "STK",
		Commission: core.Commission{Chair: "K"}})
	if err != nil {
		t.Fatal(err)
	}
	first, noRec, err := f.svc.MarkSeenAll(f.ctx, demo.Subate, []string{"STK0001", "STK0002", "STK0001", "", "X1"})
	if err != nil || first != 3 || noRec != 1 {
		t.Fatalf("first %d no record %d %v", first, noRec, err)
	}
	act, err := f.svc.CloseStocktake(context.Background(), st.ID)
	if err != nil || act.Found.Copies() != 2 || len(act.Missing) != 58 || !slices.Equal(act.NoRecord, []string{"X1"}) {
		t.Fatalf("act: found %d missing %d no record %v %v", act.Found.Copies(), len(act.Missing), act.NoRecord, err)
	}
}

// TestSummaryRegister: part 3 of the summary register is computed from
// the copies' records: received this year, written off this year by an
// approved act, languages from the catalogue.
func TestSummaryRegister(t *testing.T) {
	f := newMemFixture(t)
	ctx := f.ctx
	copies := stocktakeCopies()
	if err := f.svc.PutItems(ctx, copies); err != nil {
		t.Fatal(err)
	}
	var demoCopies, demoBooks int
	var demoValue core.Money
	for _, it := range demo.Items() {
		if it.Library == demo.Subate && !it.ILL {
			demoCopies++
			demoValue += it.Value
			if accounting.TypeOfMaterial(it.Material) == accounting.Books {
				demoBooks++
			}
		}
	}
	wo, err := f.svc.DraftWriteOff(ctx, core.WriteOffRequest{Library: demo.Subate, Items: []string{"STK0001", "STK0002", "STK0010"},
		Reason: accounting.ReasonWornOut})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ApproveWriteOff(ctx, wo.ID, "Anna Vadītāja"); err != nil {
		t.Fatal(err)
	}
	lv := copies[0].RecordID // every copy of this title is Latvian
	var lvCopies int
	for _, c := range copies {
		if c.RecordID == lv {
			lvCopies++
		}
	}
	for _, it := range demo.Items() {
		if it.Library == demo.Subate && !it.ILL && it.RecordID == lv {
			lvCopies++
		}
	}
	langs := func(_ context.Context, ids []string) (map[string]core.RecordFacts, error) {
		if !slices.Contains(ids, lv) {
			t.Errorf("languages asked for %v, not %s", ids, lv)
		}
		return map[string]core.RecordFacts{lv: {Language: "lav", UDC: "821.174-31"}}, nil
	}
	s, err := f.svc.SummaryRegister(ctx, demo.Subate, 2026, langs)
	if err != nil {
		t.Fatal(err)
	}
	var stkStart core.Money
	for _, c := range copies[:58] {
		stkStart += c.Value
	}
	if s.Start.Total.Copies != demoCopies+58 || s.Start.Total.Sum != demoValue+stkStart {
		t.Errorf("start of 2026: %+v, want %d copies EUR %s", s.Start.Total, demoCopies+58, demoValue+stkStart)
	}
	if s.Received.Total.Copies != 2 || s.Received.Total.Sum != copies[58].Value+copies[59].Value {
		t.Errorf("received: %+v", s.Received.Total)
	}
	if s.WrittenOff.Total != (accounting.Cell{Copies: 3, Sum: 101 + 102 + 110}) || s.WrittenOff.ByType[accounting.Serials].Copies != 1 {
		t.Errorf("written off: %+v", s.WrittenOff)
	}
	if s.End.Total.Copies != demoCopies+60-3 {
		t.Errorf("end: %+v", s.End.Total)
	}
	// copies[0] is STK0001, written off: one Latvian copy fewer at the end.
	if got := s.End.ByLanguage[accounting.Latvian].Copies; got != lvCopies-1 {
		t.Errorf("Latvian copies at the end %d, want %d", got, lvCopies-1)
	}
	// Its record's 080 is 821.174-31, literature; the rest have no UDC.
	if got := s.End.ByClass[accounting.ClassLanguage].Copies; got != lvCopies-1 {
		t.Errorf("class 8 copies at the end %d, want %d", got, lvCopies-1)
	}
	if got := s.End.ByClass[accounting.Unclassified].Copies; got != s.End.Total.Copies-(lvCopies-1) {
		t.Errorf("unclassified copies at the end %d, want %d", got, s.End.Total.Copies-(lvCopies-1))
	}
	if s.Start.ByType[accounting.Books].Copies != demoBooks+58-5 { // STK0010…STK0050 are magazines
		t.Errorf("books at the start %d, want %d", s.Start.ByType[accounting.Books].Copies, demoBooks+53)
	}
}
