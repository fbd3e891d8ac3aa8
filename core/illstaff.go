package core

import (
	"context"
	"slices"
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
	// sendBack: on the leg of a passed-over partner of the rota that
	// shipped anyway (illSendBack), not on the transaction's own.
	sendBack bool
}

func illStaffActions() map[string]illStaffAct {
	a := func(s illstate.Service) illStaffAct { return illStaffAct{svc: s} }
	return map[string]illStaffAct{
		// we lend: a request that was queued (hold-placed) can be supplied
		// now, or not at all
		"supply":   {svc: illstate.ILLAnswer, qualifier: illstate.QWillSupply},
		"unfilled": {svc: illstate.ILLAnswer, qualifier: illstate.QUnfilled},
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
		// we borrow: what a partner the rota passed over shipped all the
		// same goes back to it (ILLAttempt.ReturnItem)
		"send-back": {svc: illstate.ReturnedService, sendBack: true},
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
	if act.sendBack {
		var out ILLTransaction
		err := s.update(ctx, func(t tx) error {
			x, err := t.illFind(ref)
			if err != nil {
				return err
			}
			queued := len(x.Events)
			if err := s.illSendBack(t, x, note, s.clock.Now()); err != nil {
				return err
			}
			out = *x
			return t.illSave(x, queued)
		})
		return out, err
	}
	return s.ILLApply(ctx, ref, ILLEventInput{Service: act.svc, Qualifier: act.qualifier, Dir: illstate.Outgoing, Origin: OriginStaff, Note: note,
		ItemID: itemID, Date: date})
}

// illSendBack records that the item a passed-over partner of x's rota
// shipped anyway went back to it: on that partner's leg, Received (when
// not yet recorded) and Returned, both sent to the partner. Nothing of
// the circulation core runs: the item was never the patron's.
func (s *Service) illSendBack(t tx, x *ILLTransaction, note string, now time.Time) error {
	i := slices.IndexFunc(x.Attempts, func(a ILLAttempt) bool { return a.ReturnItem })
	if i < 0 {
		return refuse(ReasonILLTransitionProhibited, "transaction %s: no partner passed over by the rota shipped anything to send back", x.ID)
	}
	steps := []ILLEventInput{{Service: illstate.ReturnedService, Dir: illstate.Outgoing, Origin: OriginStaff, Note: note}}
	if a := x.Attempts[i]; a.State == illstate.Shipped || a.State == illstate.NotReceivedOverdue {
		steps = append([]ILLEventInput{{Service: illstate.ReceivedService, Dir: illstate.Outgoing, Origin: OriginStaff,
			Note: "arrived after the partner was passed over"}}, steps...)
	}
	for _, in := range steps {
		applied, err := s.illRotaLate(t, x, i, in, now)
		if err != nil {
			return err
		}
		if !applied {
			return refuse(ReasonILLTransitionProhibited, "transaction %s: attempt %d with %s is %s: %s not allowed",
				x.ID, i+1, x.Attempts[i].Partner, x.Attempts[i].State, in.Service)
		}
	}
	return nil
}
