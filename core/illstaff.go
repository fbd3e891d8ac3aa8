package core

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core/illstate"
)

// illStaffActions are what staff do on an interlibrary loan, by name (the
// CLI's and the admin API's words), and the service each performs: the
// event goes out to the partner. Which ones the transaction's state
// allows is the state table's business.
type illStaffAct struct {
	svc       illstate.Service
	qualifier string
}

func illStaffActions() map[string]illStaffAct {
	a := func(s illstate.Service) illStaffAct { return illStaffAct{svc: s} }
	return map[string]illStaffAct{
		// we lend: a request that was queued (hold-placed) can be supplied
		// now, or not at all
		"supply":   {illstate.ILLAnswer, illstate.QWillSupply},
		"unfilled": {illstate.ILLAnswer, illstate.QUnfilled},
		"ship":     a(illstate.ShippedService),   // we lend: the copy is on its way (scan it: ItemID)
		"receive":  a(illstate.ReceivedService),  // we borrow: it arrived
		"return":   a(illstate.ReturnedService),  // we borrow: sent back
		"checkin":  a(illstate.CheckedInService), // we lend: it is back
		"renew":    a(illstate.Renew),            // we borrow: ask for more time (Date: the date wished)
		"cancel":   a(illstate.Cancel),           // we borrow: no longer wanted
		"recall":   a(illstate.RecallService),    // we lend: we need it back
		"lost":     a(illstate.LostService),
		"damaged":  a(illstate.Damaged),
		"message":  a(illstate.Message), // a note to the partner's staff
	}
}

// ILLStaffActionNames lists the staff actions, sorted.
func ILLStaffActionNames() []string {
	var out []string
	for n := range illStaffActions() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ILLStaffAction is staff performing action (ILLStaffActionNames) on a
// transaction: the event is applied as the state table allows, its core
// operations run (shipping checks the copy out to the partner, receiving
// makes the temporary copy...), and its APDU is queued for the partner.
func (s *Service) ILLStaffAction(ctx context.Context, ref ILLRef, action, note, itemID string, date time.Time) (ILLTransaction, error) {
	act, ok := illStaffActions()[strings.ToLower(strings.TrimSpace(action))]
	if !ok {
		return ILLTransaction{}, refuse(ReasonBadRequest, "no ILL action %q (use %s)", action, strings.Join(ILLStaffActionNames(), ", "))
	}
	return s.ILLApply(ctx, ref, ILLEventInput{Service: act.svc, Qualifier: act.qualifier, Dir: illstate.Outgoing, Origin: OriginStaff, Note: note,
		ItemID: itemID, Date: date})
}
