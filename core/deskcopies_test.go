package core_test

import (
	"strings"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
)

// TestDeskCopies, on every backend: a cataloguer adds a copy to a record
// at her library and edits its record; the copy is among the record's
// holdings, lends, and each write is audited in its transaction (a
// refused one writes nothing). Another library's cataloguer, a
// circulation librarian and bad input are refused with the reason; a
// written-off copy's record is not edited; the label fee is the copy's
// library's.
func TestDeskCopies(t *testing.T) {
	for name, open := range privacyBackends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			d := f.deskStaff()
			f.addStaff("kat", demo.Central, core.RoleCataloguing)
			f.addStaff("katsub", demo.Subate, core.RoleCataloguing)
			kat, _, _ := f.signIn("kat")
			katSUB, _, _ := f.signIn("katsub")
			val := func(m core.Money) *core.Money { return &m }
			str := func(s string) *string { return &s }
			for _, tc := range []struct {
				name string
				by   core.Actor
				add  *core.NewCopy
				edit *core.CopyChanges
				code string
				want core.Reason
			}{
				{name: "circulation adds", by: d.ilzeILU, add: &core.NewCopy{ID: "C1", RecordID: "demo-0001"}, want: core.ReasonForbidden},
				{name: "at another library", by: katSUB, add: &core.NewCopy{ID: "C1", RecordID: "demo-0001", Library: demo.Central}, want: core.ReasonForbidden},
				{name: "no record", by: kat, add: &core.NewCopy{ID: "C1"}, want: core.ReasonBadRequest},
				{name: "slash in barcode", by: kat, add: &core.NewCopy{ID: "C/1", RecordID: "demo-0001"}, want: core.ReasonBadRequest},
				{name: "barcode in use", by: kat, add: &core.NewCopy{ID: "I000001", RecordID: "demo-0001"}, want: core.ReasonItemExists},
				{name: "added", by: kat, add: &core.NewCopy{ID: "C1", RecordID: "demo-0001", Value: 900, CallNumber: "821 U"}},
				{name: "added twice", by: kat, add: &core.NewCopy{ID: "C1", RecordID: "demo-0001"}, want: core.ReasonItemExists},
				{name: "edit elsewhere", by: katSUB, code: "C1", edit: &core.CopyChanges{Value: val(1)}, want: core.ReasonForbidden},
				{name: "edit no material", by: kat, code: "C1", edit: &core.CopyChanges{Material: str(" ")}, want: core.ReasonBadRequest},
				{name: "edited", by: kat, code: "C1", edit: &core.CopyChanges{Value: val(1100), CallNumber: str("821 U 1")}},
			} {
				var err error
				if tc.add != nil {
					_, err = f.svc.DeskAddCopy(f.ctx, tc.by, *tc.add)
				} else {
					_, err = f.svc.DeskEditCopy(f.ctx, tc.by, tc.code, *tc.edit)
				}
				if core.ReasonOf(err) != tc.want || tc.want == "" && err != nil {
					t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
				}
			}
			sum, hist, err := f.svc.DeskItem(f.ctx, d.annaSUB, "C1")
			if err != nil || sum.Item.Value != 1100 || sum.Item.CallNumber != "821 U 1" || sum.Item.Library != demo.Central ||
				sum.Item.Material != "book" || sum.Item.Status != core.ItemAvailable || len(hist) != 0 {
				t.Fatalf("the copy: %+v %v %v", sum.Item, hist, err)
			}
			if es := f.audit(d.adminILU, core.AuditQuery{Object: "item/C1"}); actions(es) != "kat:item_add,kat:item_edit" ||
				!strings.Contains(string(es[1].Before), `"value":900`) {
				t.Errorf("audit: %s", actions(es))
			}
			f.checkout(demo.Central, demo.PatronGood, "C1")
			fee, err := f.svc.DeskLabelFee(f.ctx, d.ilzeILU, "C1", "", "label cut out")
			want := f.svc.Consortium().Rules.Resolve(demo.Central, "adult", "book").LabelFee
			if err != nil || fee.Amount != want || fee.PatronID != demo.PatronGood || fee.Kind != core.FeeLabel {
				t.Errorf("label fee: %+v %v", fee, err)
			}
			_, err = f.svc.DeskLabelFee(f.ctx, d.annaSUB, "C1", "", "")
			wantReason(t, err, core.ReasonForbidden)

			if err := f.svc.PutItems(f.ctx, []core.Item{{ID: "W1", RecordID: "demo-0001", Library: demo.Central, Material: "book",
				Status: core.ItemWithdrawn, Accounting: core.Accounting{WriteOffAct: "1/2026"}}}); err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.DeskEditCopy(f.ctx, kat, "W1", core.CopyChanges{Value: val(5)})
			wantReason(t, err, core.ReasonItemUnusable)
		})
	}
}
