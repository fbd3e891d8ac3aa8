package core

import (
	"context"
	"fmt"
	"strings"
)

// Verify checks the circulation invariants over the whole store and
// returns every violation found (empty: consistent): an item on loan has
// exactly one open loan and it is that item's; no other item has an open
// loan; every patron's loan count matches their open loans and both loan
// indexes agree; every patron's hold count matches their active holds.
func (s *Service) Verify(ctx context.Context) (problems []string, err error) {
	err = s.view(ctx, func(t tx) error {
		problems = problems[:0]
		bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
		openByItem := map[string][]string{}
		openByPatron := map[string]int{}
		err := t.Scan(bLoan, "", func(_ string, v []byte) error {
			var l Loan
			if err := decode(v, &l); err != nil {
				return err
			}
			if l.Open() {
				openByItem[l.ItemID] = append(openByItem[l.ItemID], l.ID)
				openByPatron[l.PatronID]++
			}
			return nil
		})
		if err != nil {
			return err
		}
		err = t.Scan(bItem, "", func(_ string, v []byte) error {
			var it Item
			if err := decode(v, &it); err != nil {
				return err
			}
			open := openByItem[it.ID]
			switch {
			case it.Status == ItemOnLoan && (len(open) != 1 || open[0] != it.LoanID):
				bad("item %s is on loan %s but has open loans %v", it.ID, it.LoanID, open)
			case it.Status != ItemOnLoan && len(open) > 0:
				bad("item %s is %s but has open loans %v", it.ID, it.Status, open)
			}
			delete(openByItem, it.ID)
			return nil
		})
		if err != nil {
			return err
		}
		for id, loans := range openByItem {
			bad("open loans %v for missing item %s", loans, id)
		}
		indexed := map[string]int{}
		err = t.Scan(bPatronLoans, "", func(k string, _ []byte) error {
			card, _, _ := strings.Cut(k, "/")
			indexed[card]++
			return nil
		})
		if err != nil {
			return err
		}
		activeHolds := map[string]int{}
		err = t.Scan(bHold, "", func(_ string, v []byte) error {
			var h Hold
			if err := decode(v, &h); err != nil {
				return err
			}
			if h.Active() {
				activeHolds[h.PatronID]++
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := s.verifyILL(t, bad); err != nil {
			return err
		}
		return t.Scan(bPatron, "", func(_ string, v []byte) error {
			var p Patron
			if err := decode(v, &p); err != nil {
				return err
			}
			if p.LoansOut != openByPatron[p.ID] || indexed[p.ID] != openByPatron[p.ID] {
				bad("patron %s counts %d loans, has %d open, %d indexed", p.ID, p.LoansOut, openByPatron[p.ID], indexed[p.ID])
			}
			if p.Holds != activeHolds[p.ID] {
				bad("patron %s counts %d holds, has %d active", p.ID, p.Holds, activeHolds[p.ID])
			}
			return nil
		})
	})
	return problems, err
}
