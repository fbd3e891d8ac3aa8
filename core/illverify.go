package core

import "github.com/bibgate/bibgate/core/illstate"

// verifyILL checks the ILL invariants: every tuple index names its
// transaction; a copy we lent (shipped, not yet checked in) is on loan to
// the partner's institutional patron on the transaction's loan; an item we
// borrowed and hold (received, not yet returned) has its temporary copy.
func (s *Service) verifyILL(t tx, bad func(string, ...any)) error {
	err := t.Scan(bILLTID, "", func(k string, v []byte) error {
		if _, ok, err := t.Get(bILL, string(v)); err != nil || !ok {
			if err == nil {
				bad("ILL tuple index %s names missing transaction %s", k, v)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	return t.Scan(bILL, "", func(_ string, v []byte) error {
		var x ILLTransaction
		if err := decode(v, &x); err != nil {
			return err
		}
		if x.Leg != "" {
			return s.verifyILLLeg(t, &x, bad)
		}
		if !x.Service.returnable() {
			return nil
		}
		switch {
		case x.Role == illstate.Responder && x.LoanID != "" && lentOut(x.State):
			l, err := t.loan(x.LoanID)
			if err != nil {
				bad("ILL %s: loan %s: %v", x.ID, x.LoanID, err)
				return nil
			}
			if !l.Open() || l.PatronID != x.PatronID || l.ItemID != x.CopyID {
				bad("ILL %s in %s: loan %s is not the partner's open loan of %s", x.ID, x.State, l.ID, x.CopyID)
			}
		case x.Role == illstate.Requester && borrowedHere(x.State):
			if _, ok, err := t.Get(bItem, x.TempItemID); err != nil || !ok {
				if err == nil {
					bad("ILL %s in %s: temporary copy %q missing", x.ID, x.State, x.TempItemID)
				}
				return err
			}
		}
		return nil
	})
}

func lentOut(s illstate.State) bool {
	switch s {
	case illstate.Shipped, illstate.Received, illstate.RenewPending, illstate.RenewOverdue, illstate.Overdue,
		illstate.Recall, illstate.Returned:
		return true
	}
	return false
}

func borrowedHere(s illstate.State) bool {
	switch s {
	case illstate.Received, illstate.RenewPending, illstate.RenewOverdue, illstate.Overdue:
		return true
	}
	return false
}
