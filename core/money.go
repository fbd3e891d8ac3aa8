package core

import (
	"errors"
	"fmt"
	"time"

	"github.com/bibgate/bibgate/core/policy"
)

// accruing is the overdue fine accrued so far on an open loan, charged
// when the item comes back (or is declared lost).
func (s *Service) accruing(t tx, p *Patron, loanID string, now time.Time) (Money, error) {
	l, err := t.loan(loanID)
	if err != nil {
		return 0, err
	}
	if !l.Overdue(now) {
		return 0, nil
	}
	it, err := t.item(l.ItemID)
	if err != nil && !errors.Is(err, ErrItemNotFound) {
		return 0, err
	}
	var value Money
	if it != nil {
		value = it.Value
	}
	return policy.OverdueFine(s.rules(l.Library, p.Category, l.Material), value, l.Due, now), nil
}

// lostReturned handles a lost item coming back. Paid for: its value is
// refunded within the refund window. Not (fully) paid yet: the unpaid
// value is cancelled, so that nobody owes for a copy back on the shelf;
// any part already paid is refunded. The processing fee and overdue fines
// stay.
func (s *Service) lostReturned(t tx, it *Item, now time.Time, res *CheckinResult) error {
	if it.LostBy == "" {
		return nil
	}
	if !it.LostPaidAt.IsZero() {
		return s.refundLost(t, it, now, res)
	}
	p, err := t.patron(it.LostBy)
	if errors.Is(err, ErrPatronNotFound) {
		it.LostBy = ""
		return nil
	}
	if err != nil {
		return err
	}
	ids, err := t.keys(bPatronFees, p.ID+"/")
	if err != nil {
		return err
	}
	var paid Money
	for _, id := range ids {
		f, err := t.fee(id)
		if err != nil {
			return err
		}
		if f.Kind != FeeLost || f.ItemID != it.ID || f.Outstanding() <= 0 {
			continue
		}
		cancelled := f.Outstanding()
		paid += f.Paid
		f.Amount = f.Paid + f.Waived
		f.Description = fmt.Sprintf("%s (%v cancelled: item returned)", f.Description, cancelled)
		p.Owed -= cancelled
		res.Cancelled += cancelled
		if err := t.putRecord(bFee, f.ID, f); err != nil {
			return err
		}
		if err := t.Delete(bPatronFees, p.ID+"/"+f.ID); err != nil {
			return err
		}
	}
	if paid > 0 {
		if _, err := t.addFee(p, Fee{Kind: FeeRefund, Amount: -paid, Created: now, ItemID: it.ID, Description: "lost item returned"}); err != nil {
			return err
		}
		res.Refund += paid
	}
	it.LostBy, it.LostPaidAt = "", time.Time{}
	return t.putRecord(bPatron, p.ID, p)
}

// decideLate re-checks a pending renewal at the librarian's decision and,
// when approved after the due date, charges the fine for the days it was
// late. A refusal is returned as refusal (with err nil).
func (s *Service) decideLate(t tx, p *Patron, it *Item, l *Loan, lib *Library, now time.Time) (d policy.RenewDecision, refusal, err error) {
	ps, _, err := s.patronState(t, p, now)
	if err != nil {
		return d, nil, err
	}
	if l.Overdue(now) {
		own, err := s.accruing(t, p, l.ID, now)
		if err != nil {
			return d, nil, err
		}
		ps.Accrued -= own // counted as the late fee below, not twice
	}
	waiting, err := s.othersWaiting(t, it.RecordID, p.ID)
	if err != nil {
		return d, nil, err
	}
	r := s.rules(lib.ID, p.Category, l.Material)
	d, late := policy.DecideRenewal(r, lib.Calendar, now, it.Value, ps,
		policy.ItemState{Material: it.Material, HighDemand: it.HighDemand},
		policy.LoanState{Due: l.Due, Renewals: l.Renewals, RenewalRequested: l.RenewalRequested}, waiting)
	if d.Reason != policy.OK {
		return d, refuse(d.Reason, "loan %s: renewal re-checked at the decision", l.ID), nil
	}
	if late > 0 {
		if _, err := t.addFee(p, Fee{Kind: FeeOverdue, Amount: late, Created: now, ItemID: it.ID, LoanID: l.ID,
			Description: fmt.Sprintf("%d days overdue until the renewal was decided", policy.DaysOverdue(l.Due, now))}); err != nil {
			return d, nil, err
		}
		if err := t.putRecord(bPatron, p.ID, p); err != nil {
			return d, nil, err
		}
	}
	return d, nil, nil
}
