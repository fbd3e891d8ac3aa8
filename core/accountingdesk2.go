package core

import (
	"context"
	"strings"
	"time"
)

// Collection accounting at the staff desk, continued (accountingdesk.go):
// receipts (annexes 1–3), the exchange collection and its transfer acts,
// a copy's individual record and history (annex 4), and the approval of
// an inventory act. Reading and drafting need ActCatalogue at the
// library; approving a receipt, transferring copies out of the exchange
// collection and approving an inventory act are the director's (no role
// is given them by itself: an administrator has them at their own
// library, a consortium administrator everywhere). Every write is audited
// in its own transaction.

// Approvals at the desk, admin-only as ActWriteOffApprove is.
const (
	// ActReceiptApprove is approving a receipt, which enters its copies in
	// the collection (and, for annex 3, settles patrons' charges and
	// writes the lost copies off).
	ActReceiptApprove Action = "receipt_approve"
	// ActExchangeTransfer is giving copies of the exchange collection to
	// another institution (§40).
	ActExchangeTransfer Action = "exchange_transfer"
	// ActInventoryApprove is approving an inventory act (§32).
	ActInventoryApprove Action = "inventory_approve"
)

func receiptLibrary(id string) func(tx) (string, error) {
	return func(t tx) (string, error) {
		var a ReceiptAct
		ok, err := t.getRecord(bReceipt, id, &a)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", refuse(ReasonBadRequest, "no receipt %q", id)
		}
		return a.Library, nil
	}
}

// DeskReceipts lists the receipts of a library ("" the staff member's
// own; every library for a consortium administrator), oldest first.
func (s *Service) DeskReceipts(ctx context.Context, by Actor, library string) ([]ReceiptAct, error) {
	err := s.staffView(ctx, "receipts", by, func(_ tx, a Actor, _ time.Time) error {
		library = deskLibrary(a, library)
		return Permit(a.Staff, ActCatalogue, library)
	})
	if err != nil {
		return nil, err
	}
	return s.Receipts(ctx, library)
}

// DeskReceipt returns one receipt.
func (s *Service) DeskReceipt(ctx context.Context, by Actor, id string) (act ReceiptAct, err error) {
	err = s.staffView(ctx, "receipt", by, func(t tx, a Actor, _ time.Time) error {
		ok, err := t.getRecord(bReceipt, id, &act)
		if err != nil {
			return err
		}
		if !ok {
			return refuse(ReasonBadRequest, "no receipt %q", id)
		}
		return Permit(a.Staff, ActCatalogue, act.Library)
	})
	return act, err
}

// DeskDraftReceipt drafts a receipt (DraftReceipt).
func (s *Service) DeskDraftReceipt(ctx context.Context, by Actor, req ReceiptRequest) (ReceiptAct, error) {
	if err := s.precheck(ctx, "receipt_draft", by, ActCatalogue, fixed(req.Library)); err != nil {
		return ReceiptAct{}, err
	}
	return s.draftReceipt(ctx, req, func(t tx, act *ReceiptAct) error {
		a, err := s.permitIn(t, by, ActCatalogue, act.Library)
		if err != nil {
			return err
		}
		return s.audit(t, a, "receipt_draft", "receipt/"+act.ID, act.Library, nil, map[string]any{
			"kind": act.Kind, "supplier": act.Supplier, "document": act.Document.String(), "copies": len(act.Copies),
			"value": act.Tally.Total.Sum, "commission": act.Commission})
	})
}

// DeskApproveReceipt approves a drafted receipt in the name of approvedBy
// (ApproveReceipt): the staff member needs ActReceiptApprove at the
// receipt's library.
func (s *Service) DeskApproveReceipt(ctx context.Context, by Actor, id, approvedBy string) (ReceiptAct, error) {
	if err := s.precheck(ctx, "receipt_approve", by, ActReceiptApprove, receiptLibrary(id)); err != nil {
		return ReceiptAct{}, err
	}
	return s.approveReceipt(ctx, id, approvedBy, func(t tx, act *ReceiptAct) error {
		a, err := s.permitIn(t, by, ActReceiptApprove, act.Library)
		if err != nil {
			return err
		}
		return s.audit(t, a, "receipt_approve", "receipt/"+act.ID, act.Library, nil, map[string]any{
			"kind": act.Kind, "number": act.Number.String(), "entry": act.Entry.String(), "approved_by": act.ApprovedBy,
			"copies": len(act.Copies), "value": act.Tally.Total.Sum, "write_off": act.WriteOffNumber.String()})
	})
}

// DeskExchangeCollection lists a library's exchange collection ("" the
// staff member's own; every library for a consortium administrator).
func (s *Service) DeskExchangeCollection(ctx context.Context, by Actor, library string) ([]ExchangeCopy, error) {
	err := s.staffView(ctx, "exchange", by, func(_ tx, a Actor, _ time.Time) error {
		library = deskLibrary(a, library)
		return Permit(a.Staff, ActCatalogue, library)
	})
	if err != nil {
		return nil, err
	}
	return s.ExchangeCollection(ctx, library)
}

// DeskExchangeTransfers lists a library's transfer acts, oldest first.
func (s *Service) DeskExchangeTransfers(ctx context.Context, by Actor, library string) ([]ExchangeTransfer, error) {
	err := s.staffView(ctx, "exchange_transfers", by, func(_ tx, a Actor, _ time.Time) error {
		library = deskLibrary(a, library)
		return Permit(a.Staff, ActCatalogue, library)
	})
	if err != nil {
		return nil, err
	}
	return s.ExchangeTransfers(ctx, library)
}

// DeskExchangeTransfer returns one transfer act.
func (s *Service) DeskExchangeTransfer(ctx context.Context, by Actor, id string) (act ExchangeTransfer, err error) {
	err = s.staffView(ctx, "exchange_transfer", by, func(t tx, a Actor, _ time.Time) error {
		ok, err := t.getRecord(bExchangeTransfer, id, &act)
		if err != nil {
			return err
		}
		if !ok {
			return refuse(ReasonBadRequest, "no transfer act %q", id)
		}
		return Permit(a.Staff, ActCatalogue, act.Library)
	})
	return act, err
}

// DeskTransferExchange writes a transfer act (TransferExchange): the
// staff member needs ActExchangeTransfer at the library.
func (s *Service) DeskTransferExchange(ctx context.Context, by Actor, req ExchangeTransferRequest) (ExchangeTransfer, error) {
	if err := s.precheck(ctx, "exchange_transfer", by, ActExchangeTransfer, fixed(req.Library)); err != nil {
		return ExchangeTransfer{}, err
	}
	return s.transferExchange(ctx, req, func(t tx, act *ExchangeTransfer) error {
		a, err := s.permitIn(t, by, ActExchangeTransfer, act.Library)
		if err != nil {
			return err
		}
		return s.audit(t, a, "exchange_transfer", "exchange_transfer/"+act.ID, act.Library, nil, map[string]any{
			"number": act.Number.String(), "recipient": act.Recipient, "approved_by": act.ApprovedBy,
			"copies": len(act.Copies), "value": act.Tally.Value})
	})
}

// CopyRecord is a copy's individual record (annex 4) with its history.
type CopyRecord struct {
	Item    Item           `json:"item"`
	History []HistoryEntry `json:"history"`
}

// DeskCopyRecord returns a copy's individual record and its history, for
// a staff member keeping the accounting records of the copy's library.
func (s *Service) DeskCopyRecord(ctx context.Context, by Actor, barcode string) (rec CopyRecord, err error) {
	barcode = strings.TrimSpace(barcode)
	err = s.staffView(ctx, "copy_record", by, func(t tx, a Actor, _ time.Time) error {
		it, err := t.item(barcode)
		if err != nil {
			return err
		}
		if err := Permit(a.Staff, ActCatalogue, it.Library); err != nil {
			return err
		}
		rec.Item = *it
		return nil
	})
	if err != nil {
		return CopyRecord{}, err
	}
	if rec.History, err = s.History(ctx, barcode); err != nil {
		return CopyRecord{}, err
	}
	return rec, nil
}

// DeskApproveInventoryAct approves a closed stocktaking's inventory act in
// the name of approvedBy (§32, "APSTIPRINU"): the staff member needs
// ActInventoryApprove at its library. An act is approved once.
func (s *Service) DeskApproveInventoryAct(ctx context.Context, by Actor, stocktake, approvedBy string) (act InventoryAct, err error) {
	start := time.Now()
	defer func() { s.done("inventory_approve", start, err) }()
	if err := s.precheck(ctx, "inventory_approve", by, ActInventoryApprove, stocktakeLibrary(stocktake)); err != nil {
		return InventoryAct{}, err
	}
	return s.approveInventoryAct(ctx, &by, stocktake, approvedBy)
}

// ApproveInventoryAct is DeskApproveInventoryAct for the operator's
// command line (bibgate accounting stocktake approve): no staff account,
// audited as from the console.
func (s *Service) ApproveInventoryAct(ctx context.Context, stocktake, approvedBy string) (act InventoryAct, err error) {
	start := time.Now()
	defer func() { s.done("inventory_approve", start, err) }()
	return s.approveInventoryAct(ctx, nil, stocktake, approvedBy)
}

// approveInventoryAct approves for by, nil being the operator.
func (s *Service) approveInventoryAct(ctx context.Context, by *Actor, stocktake, approvedBy string) (act InventoryAct, err error) {
	approvedBy = strings.TrimSpace(approvedBy)
	if approvedBy == "" {
		return InventoryAct{}, refuse(ReasonBadRequest, "an inventory act is approved by a named person (§32)")
	}
	now := s.clock.Now()
	err = s.update(ctx, func(t tx) error {
		st, err := t.stocktake(stocktake)
		if err != nil {
			return err
		}
		a, err := s.actorIn(t, by)
		if err != nil {
			return err
		}
		if by != nil {
			if err := Permit(a.Staff, ActInventoryApprove, st.Library); err != nil {
				return err
			}
		}
		if st.Act == nil {
			return refuse(ReasonBadRequest, "stocktaking %s is still open: its act comes when it is closed", stocktake)
		}
		if !st.Act.Approved.IsZero() {
			return refuse(ReasonBadRequest, "inventory act %s was approved on %s", st.Act.Number, st.Act.Approved.Format(time.DateOnly))
		}
		st.Act.ApprovedBy, st.Act.Approved = approvedBy, now
		if err := t.putRecord(bStocktake, st.ID, st); err != nil {
			return err
		}
		act = *st.Act
		return s.audit(t, a, "inventory_approve", "stocktake/"+st.ID, st.Library, nil, map[string]any{
			"act": st.Act.Number.String(), "approved_by": approvedBy})
	})
	return act, err
}
