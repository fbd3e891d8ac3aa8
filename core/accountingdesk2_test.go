package core_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/accounting"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
)

// TestDeskReceiptsExchangeAndRecord, on every backend: a cataloguer of
// Subate drafts a receipt, which only Subate's administrator may approve;
// a copy written off for the exchange collection is given away only by
// that administrator; the copy's record and history are the cataloguer's
// to read, not a circulation librarian's; an inventory act is approved
// once, by the administrator. The refused calls change nothing, and each
// write is in the audit log under who did it, in the order done.
func TestDeskReceiptsExchangeAndRecord(t *testing.T) {
	for name, open := range privacyBackends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			ctx, svc := f.ctx, f.svc
			d := f.deskStaff()
			f.addStaff("kat", demo.Subate, core.RoleCataloguing)
			kat, _, _ := f.signIn("kat")

			req := core.ReceiptRequest{Kind: core.ReceiptNoDocument, Library: demo.Subate, Supplier: "Jānis Bērziņš",
				Delivery: "dāvinājums", Commission: compiledBy, Copies: newCopies("GIFT", 2, policy.MaterialBook, 500)}
			for _, who := range []core.Actor{d.annaSUB, d.adminILU} {
				_, err := svc.DeskDraftReceipt(ctx, who, req)
				wantReason(t, err, core.ReasonForbidden)
			}
			rc, err := svc.DeskDraftReceipt(ctx, kat, req)
			if err != nil {
				t.Fatal(err)
			}
			for _, who := range []core.Actor{kat, d.annaSUB, d.adminILU} {
				_, err := svc.DeskApproveReceipt(ctx, who, rc.ID, "Zane Direktore")
				wantReason(t, err, core.ReasonForbidden)
			}
			if _, err := svc.Item(ctx, "GIFT0001"); err == nil {
				t.Fatal("a refused approval entered the copies")
			}
			if rc, err = svc.DeskApproveReceipt(ctx, d.adminSUB, rc.ID, "Zane Direktore"); err != nil || rc.Number.String() != "1/2026" {
				t.Fatalf("approve: %+v %v", rc, err)
			}
			if list, err := svc.DeskReceipts(ctx, kat, ""); err != nil || len(list) != 1 || list[0].Approved.IsZero() {
				t.Errorf("kat's receipts: %+v %v", list, err)
			}
			_, err = svc.DeskReceipt(ctx, d.annaSUB, rc.ID)
			wantReason(t, err, core.ReasonForbidden)

			wo, err := svc.DeskDraftWriteOff(ctx, kat, core.WriteOffRequest{Library: demo.Subate, Reason: accounting.ReasonExchange,
				Items: []string{"GIFT0002"}, Commission: compiledBy})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.DeskApproveWriteOff(ctx, d.adminSUB, wo.ID, "Zane Direktore"); err != nil {
				t.Fatal(err)
			}
			if list, err := svc.DeskExchangeCollection(ctx, kat, ""); err != nil || len(list) != 1 || list[0].ID != "GIFT0002" {
				t.Fatalf("exchange collection: %+v %v", list, err)
			}
			_, err = svc.DeskExchangeCollection(ctx, d.adminILU, demo.Subate)
			wantReason(t, err, core.ReasonForbidden)
			treq := core.ExchangeTransferRequest{Library: demo.Subate, Recipient: "Daugavpils pilsētas bibliotēka", Items: []string{"GIFT0002"},
				ApprovedBy: "Zane Direktore"}
			for _, who := range []core.Actor{kat, d.annaSUB, d.adminILU} {
				_, err := svc.DeskTransferExchange(ctx, who, treq)
				wantReason(t, err, core.ReasonForbidden)
			}
			f.clock.Advance(time.Hour)
			ex, err := svc.DeskTransferExchange(ctx, d.adminSUB, treq)
			if err != nil || ex.Number.String() != "1/2026" {
				t.Fatalf("transfer: %+v %v", ex, err)
			}
			if got, err := svc.DeskExchangeTransfer(ctx, kat, ex.ID); err != nil || got.Recipient != treq.Recipient {
				t.Errorf("kat reads the transfer act: %+v %v", got, err)
			}
			if list, err := svc.DeskExchangeTransfers(ctx, kat, ""); err != nil || len(list) != 1 {
				t.Errorf("transfer acts: %+v %v", list, err)
			}

			rec, err := svc.DeskCopyRecord(ctx, kat, "GIFT0002")
			var events []core.HistoryEvent
			for _, e := range rec.History {
				events = append(events, e.Event)
			}
			if err != nil || rec.Item.SummaryRegisterNo != "1/2026" ||
				!slices.Equal(events, []core.HistoryEvent{core.HistoryReceived, core.HistoryWrittenOff, core.HistoryExchangeTransfer}) {
				t.Errorf("copy record %+v %v: events %v", rec.Item.Accounting, err, events)
			}
			_, err = svc.DeskCopyRecord(ctx, d.annaSUB, "GIFT0002")
			wantReason(t, err, core.ReasonForbidden)

			st, err := svc.DeskOpenStocktake(ctx, kat, core.StocktakeRequest{Library: demo.Subate, FromCallNumber: "821", ToCallNumber: "821",
				Commission: compiledBy})
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.DeskApproveInventoryAct(ctx, d.adminSUB, st.ID, "Zane Direktore")
			wantReason(t, err, core.ReasonBadRequest) // still open
			if _, err := svc.DeskCloseStocktake(ctx, kat, st.ID); err != nil {
				t.Fatal(err)
			}
			for _, who := range []core.Actor{kat, d.adminILU} {
				_, err := svc.DeskApproveInventoryAct(ctx, who, st.ID, "Zane Direktore")
				wantReason(t, err, core.ReasonForbidden)
			}
			_, err = svc.DeskApproveInventoryAct(ctx, d.adminSUB, st.ID, " ")
			wantReason(t, err, core.ReasonBadRequest)
			act, err := svc.DeskApproveInventoryAct(ctx, d.adminSUB, st.ID, "Zane Direktore")
			if err != nil || act.ApprovedBy != "Zane Direktore" || !act.Approved.Equal(f.clock.Now()) {
				t.Fatalf("inventory approval: %+v %v", act, err)
			}
			_, err = svc.DeskApproveInventoryAct(ctx, d.adminSUB, st.ID, "Cits")
			wantReason(t, err, core.ReasonBadRequest)
			if p, err := svc.DeskStocktake(ctx, kat, st.ID); err != nil || p.Act.ApprovedBy != "Zane Direktore" {
				t.Errorf("the stored act after approval: %+v %v", p.Act, err)
			}

			var got []string
			for _, e := range f.audit(d.adminSUB, core.AuditQuery{}) {
				if strings.HasPrefix(e.Object, "receipt/") || strings.HasPrefix(e.Object, "exchange_transfer/") ||
					e.Action == "inventory_approve" {
					got = append(got, e.Actor+":"+e.Action)
				}
			}
			want := []string{"kat:receipt_draft", "adminsub:receipt_approve", "adminsub:exchange_transfer", "adminsub:inventory_approve"}
			if !slices.Equal(got, want) {
				t.Errorf("audit log %v\nwant %v", got, want)
			}
		})
	}
}
