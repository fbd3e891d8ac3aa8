package core

import (
	"context"
	"fmt"
	"time"

	"github.com/bibgate/bibgate/core/policy"
)

// Payment pays Amount towards a patron's fees: the fee FeeID, or the
// oldest first. TransactionID makes it idempotent: a payment resent with the
// same id is recorded once and answered with the first receipt.
type Payment struct {
	PatronID      string
	FeeID         string
	Amount        Money
	TransactionID string
}

// Receipt says what a payment settled.
type Receipt struct {
	TransactionID string          `json:"transaction_id,omitempty"`
	Applied       []AppliedAmount `json:"applied"`
	// Owed is the patron's balance after the payment.
	Owed Money `json:"owed"`
}

// AppliedAmount is the part of a payment that went to one fee.
type AppliedAmount struct {
	FeeID  string `json:"fee_id"`
	Amount Money  `json:"amount"`
}

// PayFee records a payment. Paying more than is owed is refused: the
// terminal must not take the money.
func (s *Service) PayFee(ctx context.Context, pay Payment) (rec Receipt, err error) {
	start := time.Now()
	defer func() { s.done("pay_fee", start, err) }()
	if pay.Amount <= 0 {
		return Receipt{}, refuse(ReasonBadRequest, "payment amount %v", pay.Amount)
	}
	err = s.update(ctx, s.payTx(pay, &rec))
	return rec, err
}

// payTx is the transaction of PayFee, for selfchecks and the desk alike.
func (s *Service) payTx(pay Payment, out *Receipt) func(t tx) error {
	return func(t tx) error {
		rec := out
		*rec = Receipt{TransactionID: pay.TransactionID}
		if pay.TransactionID != "" {
			if ok, err := t.getRecord(bPayment, pay.PatronID+"/"+pay.TransactionID, rec); err != nil || ok {
				return err
			}
		}
		p, err := t.patron(pay.PatronID)
		if err != nil {
			return err
		}
		var fees []*Fee
		if pay.FeeID != "" {
			f, err := t.fee(pay.FeeID)
			if err != nil {
				return err
			}
			if f.PatronID != p.ID || f.Outstanding() <= 0 {
				return refuse(ReasonFeeNotFound, "patron %s owes nothing on fee %s", p.ID, pay.FeeID)
			}
			fees = append(fees, f)
		} else {
			ids, err := t.keys(bPatronFees, p.ID+"/")
			if err != nil {
				return err
			}
			for _, id := range ids { // ids sort in creation order: oldest first
				f, err := t.fee(id)
				if err != nil {
					return err
				}
				if f.Outstanding() > 0 {
					fees = append(fees, f)
				}
			}
		}
		var owed Money
		for _, f := range fees {
			owed += f.Outstanding()
		}
		if owed == 0 {
			return refuse(ReasonNothingOwed, "patron %s", p.ID)
		}
		if pay.Amount > owed {
			return refuse(ReasonBadRequest, "payment %v exceeds %v owed", pay.Amount, owed)
		}
		left := pay.Amount
		for _, f := range fees {
			if left == 0 {
				break
			}
			part := min(left, f.Outstanding())
			f.Paid += part
			left -= part
			p.Owed -= part
			rec.Applied = append(rec.Applied, AppliedAmount{FeeID: f.ID, Amount: part})
			if err := t.putRecord(bFee, f.ID, f); err != nil {
				return err
			}
			if f.Outstanding() == 0 {
				if err := t.Delete(bPatronFees, p.ID+"/"+f.ID); err != nil {
					return err
				}
				if err := s.settleLost(t, p, f); err != nil {
					return err
				}
			}
		}
		p.LastActive = s.clock.Now()
		rec.Owed = p.Owed
		if pay.TransactionID != "" {
			if err := t.putRecord(bPayment, p.ID+"/"+pay.TransactionID, rec); err != nil {
				return err
			}
		}
		return t.putRecord(bPatron, p.ID, p)
	}
}

// settleLost starts the refund window when a lost item's value is paid.
func (s *Service) settleLost(t tx, p *Patron, f *Fee) error {
	if f.Kind != FeeLost || f.ItemID == "" {
		return nil
	}
	it, err := t.item(f.ItemID)
	if err != nil {
		return err
	}
	if it.Status == ItemLost && it.LostBy == p.ID {
		it.LostPaidAt = s.clock.Now()
		return t.putRecord(bItem, it.ID, it)
	}
	return nil
}

// DeclareLost marks a patron's loaned item lost: the loan ends and the
// patron is charged the overdue fine accrued so far, the item's value and
// the processing fee.
func (s *Service) DeclareLost(ctx context.Context, itemID string) (fees []Fee, err error) {
	start := time.Now()
	defer func() { s.done("declare_lost", start, err) }()
	err = s.update(ctx, s.declareLostTx(itemID, &fees))
	return fees, err
}

// declareLostTx is the transaction of DeclareLost.
func (s *Service) declareLostTx(itemID string, out *[]Fee) func(t tx) error {
	return func(t tx) error {
		*out = (*out)[:0]
		fees := out
		now := s.clock.Now()
		it, err := t.item(itemID)
		if err != nil {
			return err
		}
		if it.Status != ItemOnLoan {
			return refuse(ReasonNotOnLoan, "item %s", itemID)
		}
		l, err := t.loan(it.LoanID)
		if err != nil {
			return err
		}
		p, err := t.patron(l.PatronID)
		if err != nil {
			return err
		}
		r := s.rules(l.Library, p.Category, l.Material)
		// The overdue fine accrued until the loss is declared stays owed.
		overdue := policy.OverdueFine(r, it.Value, l.Due, now)
		if err := t.closeLoan(l, now); err != nil {
			return err
		}
		value, processing := policy.LostCharge(r, it.Value)
		for _, f := range []Fee{
			{Kind: FeeOverdue, Amount: overdue, Created: now, ItemID: it.ID, LoanID: l.ID,
				Description: fmt.Sprintf("%d days overdue", policy.DaysOverdue(l.Due, now))},
			{Kind: FeeLost, Amount: value, Created: now, ItemID: it.ID, LoanID: l.ID, Description: "lost item: " + it.Title},
			{Kind: FeeProcessing, Amount: processing, Created: now, ItemID: it.ID, LoanID: l.ID, Description: "lost item processing"},
		} {
			if f.Amount == 0 {
				continue
			}
			added, err := t.addFee(p, f)
			if err != nil {
				return err
			}
			*fees = append(*fees, *added)
		}
		p.LoansOut--
		it.Status, it.LoanID, it.LostBy = ItemLost, "", p.ID
		if err := t.trail(p.ID, trailItem, it.ID); err != nil {
			return err
		}
		if err := t.putRecord(bItem, it.ID, it); err != nil {
			return err
		}
		return t.putRecord(bPatron, p.ID, p)
	}
}

// Charge adds a fee by hand: damage, a destroyed label (the fixed label fee
// when Amount is zero), or a paid service such as printing.
func (s *Service) Charge(ctx context.Context, patronID string, kind FeeKind, amount Money, itemID, description string) (fee Fee, err error) {
	start := time.Now()
	defer func() { s.done("charge", start, err) }()
	err = s.update(ctx, s.chargeTx(patronID, kind, amount, itemID, description, &fee))
	return fee, err
}

// chargeTx is the transaction of Charge.
func (s *Service) chargeTx(patronID string, kind FeeKind, amount Money, itemID, description string, fee *Fee) func(t tx) error {
	return func(t tx) error {
		p, err := t.patron(patronID)
		if err != nil {
			return err
		}
		a := amount
		if kind == FeeLabel && a == 0 {
			a = s.rules(p.HomeLibrary, p.Category, "").LabelFee
		}
		if a <= 0 {
			return refuse(ReasonBadRequest, "charge amount %v", a)
		}
		f, err := t.addFee(p, Fee{Kind: kind, Amount: a, Created: s.clock.Now(), ItemID: itemID, Description: description})
		if err != nil {
			return err
		}
		*fee = *f
		return t.putRecord(bPatron, p.ID, p)
	}
}
