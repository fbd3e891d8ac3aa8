package core

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/bibgate/bibgate/core/illstate"
)

// Rota: a request may name an ordered list of partners (staff verified the
// holdings in the partners' catalogues and agreed the order with the
// patron, ill.md §6). The first is asked; when it does not supply
// (ILL-Answer unfilled, retry or locations-provided; ISO 18626 Unfilled or
// RetryPossible; Expired: the partner's own timer ran out), the engine
// asks the next one at once, in the same transaction, until one supplies
// or the rota is exhausted; only then does the transaction end not
// supplied and the patron is told.
//
// Each partner asked is an attempt (ILLAttempt, a leg of the rota; one
// transaction throughout, unlike the two linked transactions of a brokered
// request, illbroker.go) with a transaction-id of its own: the first leg's tuple, with the transaction qualifier followed by
// "-" and the leg's number from the second leg on (ISO 10161: the tuple is
// the key, so a new request needs a new one; ISO 18626 runs one
// transaction per supplier, ill.md §4.5, and the qualifier is its
// requestingAgencyRequestId). Every leg's tuple is indexed, so a late or
// repeated message of an earlier leg still finds the transaction and is
// recognised as that leg's, never applied to the current one: a repeated
// Unfilled cannot skip a partner. The ILL-Request of a later leg carries
// the partners already tried (ISO 10161 third-party-info already-tried-list).

// ILLAttempt is one leg of a request sent down a rota: the partner asked,
// the transaction-id used with it, when the ILL-Request was made and went,
// and the partner's last answer.
type ILLAttempt struct {
	Partner string        `json:"partner"`
	TID     TransactionID `json:"tid"`
	// Event is the number (ILLEvent.Seq) of the leg's ILL-Request: the
	// leg's events run from it to the next leg's.
	Event     int       `json:"event"`
	Requested time.Time `json:"requested"`
	// Sent is when the ILL-Request was delivered to the partner.
	Sent time.Time `json:"sent,omitzero"`
	// Outcome is the partner's last answer: empty while none came, an
	// ILL-Answer result (unfilled, retry, will-supply, hold-placed …),
	// expired, shipped, cancelled; skipped for a partner no longer in the
	// configuration when its turn came.
	Outcome string `json:"outcome,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Note    string `json:"note,omitempty"`
	// Ended is when the leg ended without the item.
	Ended time.Time `json:"ended,omitzero"`
	// State and Previous are the leg's own state once the rota has gone
	// on without it, for a leg whose partner is still to answer: one the
	// silence timer passed over, after sending it a Cancel
	// (CANCEL-PENDING). What that partner sends later is applied to its
	// leg (ILLEvent.Attempt), not refused. Zero for every other leg.
	State    illstate.State `json:"state,omitempty"`
	Previous illstate.State `json:"previous,omitempty"`
	// ReturnItem: the partner shipped anyway (Cancel-Reply no, or a
	// Shipped that crossed our Cancel). The item arrived and is not the
	// patron's: it goes back to the partner (the desk's to_return queue)
	// until its leg records it Returned.
	ReturnItem bool `json:"return_item,omitempty"`
}

// illRotaStart checks a request's rota and fills in its partner: the
// rota's first, which must be the partner when both are given. Every
// symbol must be a configured partner, and none may appear twice.
func (s *Service) illRotaStart(req *ILLNewRequest) error {
	if len(req.Rota) == 0 {
		return nil
	}
	if req.Partner == "" {
		req.Partner = req.Rota[0]
	}
	if req.Partner != req.Rota[0] {
		return refuse(ReasonBadRequest, "the partner (%s) must be the first of the rota (%s)", req.Partner, req.Rota[0])
	}
	seen := map[string]bool{}
	for _, p := range req.Rota {
		if seen[p] {
			return refuse(ReasonBadRequest, "partner %q appears twice in the rota", p)
		}
		seen[p] = true
		if _, err := s.illPartner(p); err != nil {
			return err
		}
	}
	return nil
}

// illRotaBegin records the first leg of a new request with a rota; x's
// ILL-Request is its last event.
func illRotaBegin(x *ILLTransaction, rota []string, now time.Time) {
	if len(rota) == 0 {
		return
	}
	x.Rota = append([]string(nil), rota...)
	x.Attempts = []ILLAttempt{{Partner: x.Partner, TID: x.TID, Event: len(x.Events), Requested: now}}
}

// illRotaNext is the rota's part in the effects of event e of requester
// transaction x: the current leg's outcome is recorded, and when the
// partner did not supply and partners remain, the next one is asked (a
// new leg: its tuple, its ILL-Request queued). moved reports that;
// otherwise the event's effects go on as without a rota.
func (s *Service) illRotaNext(t tx, x *ILLTransaction, e *ILLEvent, now time.Time) (moved bool, err error) {
	if x.Role != illstate.Requester || len(x.Attempts) == 0 {
		return false, nil
	}
	outcome := rotaOutcome(e)
	if outcome == "" {
		return false, nil
	}
	a := &x.Attempts[len(x.Attempts)-1]
	a.Outcome, a.Reason, a.Note = outcome, e.Reason, e.Note
	if x.State != illstate.NotSupplied && x.State != illstate.Cancelled {
		return false, nil
	}
	a.Ended = now
	if x.State != illstate.NotSupplied || !rotaMovesOn(e) {
		return false, nil
	}
	if !x.Expiry.IsZero() && now.After(x.Expiry) {
		return false, nil // the patron no longer wants it
	}
	after := fmt.Sprintf("%s answered %s", a.Partner, outcome)
	if a.Reason != "" {
		after += " (" + a.Reason + ")"
	}
	return s.illRotaAdvance(t, x, after, now)
}

// illRotaAdvance asks the rota's next configured partner (a new leg: its
// tuple, its ILL-Request queued), after, the note, saying why; partners no
// longer configured are skipped. moved reports that one was asked.
func (s *Service) illRotaAdvance(t tx, x *ILLTransaction, after string, now time.Time) (moved bool, err error) {
	for len(x.Attempts) < len(x.Rota) {
		next := x.Rota[len(x.Attempts)]
		leg := len(x.Attempts) + 1
		id := x.Attempts[0].TID
		id.Transaction += "-" + strconv.Itoa(leg)
		if _, err := s.illPartner(next); err != nil {
			x.Attempts = append(x.Attempts, ILLAttempt{Partner: next, TID: id, Requested: now, Ended: now,
				Outcome: "skipped", Note: "not an ILL partner in the configuration any more"})
			continue
		}
		k := string(x.Role) + "/" + id.key()
		if _, ok, err := t.Get(bILLTID, k); err != nil || ok {
			if err == nil {
				err = fmt.Errorf("core: ILL rota of %s: transaction-id %q is in use", x.ID, id.Transaction)
			}
			return false, err
		}
		if err := t.Put(bILLTID, k, []byte(x.ID)); err != nil {
			return false, err
		}
		x.Partner, x.TID, x.State, x.Previous = next, id, illstate.Idle, 0
		note := fmt.Sprintf("rota %d of %d: %s", leg, len(x.Rota), after)
		if _, err := s.illStep(t, x, ILLEventInput{Service: illstate.ILLRequest, Dir: illstate.Outgoing, Origin: OriginRule, Note: note}, now); err != nil {
			return false, err
		}
		x.Attempts = append(x.Attempts, ILLAttempt{Partner: next, TID: id, Event: len(x.Events), Requested: now})
		return true, nil
	}
	return false, nil
}

// rotaOutcome is what event e says of the current leg ("" nothing).
func rotaOutcome(e *ILLEvent) string {
	switch {
	case e.Service == illstate.ILLAnswer && e.Dir == illstate.Incoming:
		return e.Qualifier
	case e.Service == illstate.Expired && e.Dir == illstate.Incoming:
		return "expired"
	case e.Service == illstate.ShippedService && e.Dir == illstate.Incoming:
		return "shipped"
	case e.Service == illstate.CancelReply && e.Dir == illstate.Incoming && e.Qualifier == illstate.QYes:
		return "cancelled"
	case e.Service == illstate.ConditionalReply && e.Qualifier == illstate.QNo:
		return "conditions-refused"
	}
	return ""
}

// rotaMovesOn reports whether a leg ended by e goes on to the next
// partner: the partner did not supply (ill.md §5: unfilled, retry,
// locations → the next supplier). A cost estimate, conditions we refused
// and a cancellation end the request.
func rotaMovesOn(e *ILLEvent) bool {
	switch e.Service {
	case illstate.ILLAnswer:
		switch e.Qualifier {
		case illstate.QUnfilled, illstate.QRetry, illstate.QLocationsProvided:
			return true
		}
	case illstate.Expired:
		return true
	}
	return false
}

// attemptOf returns the index of the attempt whose tuple is id, or -1.
func (x *ILLTransaction) attemptOf(id TransactionID) int {
	for i, a := range x.Attempts {
		if a.TID == id {
			return i
		}
	}
	return -1
}

// attemptStart is the index in x.Events of the current leg's first event (0
// without a rota): what a partner sent before it was another partner's.
func (x *ILLTransaction) attemptStart() int {
	if n := len(x.Attempts); n > 0 && x.Attempts[n-1].Event > 0 {
		return x.Attempts[n-1].Event - 1
	}
	return 0
}

// attemptOfEvent returns the index of the attempt event seq belongs to, or -1.
func (x *ILLTransaction) attemptOfEvent(seq int) int {
	if seq >= 1 && seq <= len(x.Events) && x.Events[seq-1].Attempt > 0 {
		return x.Events[seq-1].Attempt - 1
	}
	i := -1
	for j, a := range x.Attempts {
		if a.Event > 0 && a.Event <= seq {
			i = j
		}
	}
	return i
}

// AsAttempt returns x as it was for the partner of attempt i: that leg's
// partner and tuple, its history up to the next leg, and the state the
// leg ended in. A transaction without a rota, or i out of range, is x.
func (x ILLTransaction) AsAttempt(i int) ILLTransaction {
	if i < 0 || i >= len(x.Attempts) || i == len(x.Attempts)-1 {
		return x
	}
	a := x.Attempts[i]
	x.Partner, x.TID = a.Partner, a.TID
	all := x.Events
	for _, b := range x.Attempts[i+1:] {
		if b.Event > 0 {
			x.Events = all[: b.Event-1 : b.Event-1]
			for _, e := range all[b.Event-1:] {
				if e.Attempt == i+1 { // its partner's, after the rota went on
					x.Events = append(x.Events, e)
				}
			}
			break
		}
	}
	if n := len(x.Events); n > 0 {
		x.State = x.Events[n-1].To
	}
	if a.State != 0 {
		x.State, x.Previous = a.State, a.Previous
	}
	x.Attempts = x.Attempts[:i+1]
	return x
}

// illRotaLate applies in, for the leg of attempt i that the rota went on
// without while its partner was still to answer (Attempts[i].State set):
// the partner's Cancel-Reply, or the Shipped it sent anyway, is recorded
// on that leg as its state table allows, and none of the core's effects
// run (the item is not the patron's). It reports false, with nothing
// done, when the leg's state does not allow in.
func (s *Service) illRotaLate(t tx, x *ILLTransaction, i int, in ILLEventInput, now time.Time) (bool, error) {
	a := &x.Attempts[i]
	if a.State == 0 {
		return false, nil
	}
	view := x.AsAttempt(i)
	if e, ok := view.received(in); ok {
		return true, refuse(ReasonILLDuplicateAPDU, "transaction %s: %s of attempt %d (%s) already applied as event %d",
			x.ID, in.Service, i+1, a.Partner, e.Seq)
	}
	if _, err := illstate.Default().Next(x.Role, a.State, a.Previous, x.Service.returnable(),
		illstate.Event{Service: in.Service, Dir: in.Dir, Qualifier: in.Qualifier}); err != nil {
		return false, nil
	}
	cur, prev, updated := x.State, x.Previous, x.Updated
	x.State, x.Previous = a.State, a.Previous
	e, err := s.illStep(t, x, in, now)
	if err != nil {
		x.State, x.Previous = cur, prev
		return true, err
	}
	e.Attempt = i + 1
	a.State, a.Previous = x.State, x.Previous
	x.State, x.Previous, x.Updated = cur, prev, updated
	switch {
	case e.Service == illstate.CancelReply && e.Qualifier == illstate.QYes:
		a.Outcome = "cancelled"
	case e.Service == illstate.ShippedService && e.Dir == illstate.Incoming:
		a.Outcome, a.Note = "shipped", "shipped after it was passed over"
		if x.Service.returnable() {
			a.Note += ": to be sent back"
		}
	}
	switch a.State {
	case illstate.Shipped, illstate.Received, illstate.NotReceivedOverdue, illstate.Overdue, illstate.RenewPending, illstate.RenewOverdue:
		a.ReturnItem = x.Service.returnable()
	default:
		a.ReturnItem = false
	}
	return true, nil
}

// AlreadyTried lists the partners asked before x's current one (for the
// already-tried-list of its ILL-Request), in the order they were asked;
// partners skipped were not asked.
func (x ILLTransaction) AlreadyTried() []string {
	var out []string
	for _, a := range x.Attempts {
		if a.TID == x.TID {
			break
		}
		if a.Outcome != "skipped" {
			out = append(out, a.Partner)
		}
	}
	return out
}

// illRotaStale refuses event in for an earlier leg of x (its tuple is
// id): the partner of a leg that ended sent it late, or again. What ended
// the leg, received again, is ReasonILLDuplicateAPDU (applied once, never
// to the leg after); anything else is not allowed in the state the leg
// ended in.
func (x *ILLTransaction) illRotaStale(id TransactionID, in ILLEventInput) (ILLTransaction, error) {
	i := x.attemptOf(id)
	if i < 0 {
		return *x, fmt.Errorf("core: ILL transaction-id hash collision on %s", x.ID)
	}
	view := x.AsAttempt(i)
	for j := len(view.Events) - 1; j >= 0; j-- {
		e := view.Events[j]
		if e.Seq < x.Attempts[i].Event {
			break
		}
		if e.Dir == in.Dir && e.Service == in.Service && e.Qualifier == in.Qualifier {
			return view, refuse(ReasonILLDuplicateAPDU, "transaction %s: %s of attempt %d (%s) already applied as event %d",
				x.ID, in.Service, i+1, view.Partner, e.Seq)
		}
	}
	ev := illstate.Event{Service: in.Service, Dir: in.Dir, Qualifier: in.Qualifier}
	return view, fmt.Errorf("%w: %w", &Error{Reason: ReasonILLTransitionProhibited,
		Detail: fmt.Sprintf("transaction %s: attempt %d with %s ended in state %s: %s", x.ID, i+1, view.Partner, view.State, ev)},
		&illstate.TransitionError{Role: x.Role, State: view.State, Event: ev})
}

// illRotaTimer is the requester's side of expiry for a rota (RunILLJobs):
// a leg whose partner has not answered at all ExpiryDays after the request
// was delivered to it is recorded as expired (a timer's event, as staff
// record a service without an APDU), and the next partner is asked.
// Only while partners remain and the request's own expiry date has not
// passed; a request still in the outbox waits for its delivery (it would
// reach the partner after the rota moved on). The partner passed over is
// sent a Cancel (ISO 10161: a requester withdraws by cancelling) and its
// leg waits in CANCEL-PENDING for the answer: Cancel-Reply yes closes it;
// a Cancel-Reply no, or a Shipped that crossed the Cancel, is recorded on
// the leg and the item, which arrives all the same, goes back
// (ILLAttempt.ReturnItem). The last partner is not passed over: nobody is
// left to ask, and the request's own expiry date decides.
func (s *Service) illRotaTimer(ctx context.Context) (int, error) {
	days := s.ill().ExpiryDays
	if days <= 0 {
		return 0, nil
	}
	return s.sweep(ctx, bILL, func(t tx, _ string, v []byte, now time.Time) (bool, int, error) {
		var x ILLTransaction
		if err := decode(v, &x); err != nil {
			return false, 0, err
		}
		n := len(x.Attempts)
		if x.Role != illstate.Requester || x.State != illstate.Pending || n == 0 || n >= len(x.Rota) ||
			(!x.Expiry.IsZero() && now.After(x.Expiry)) {
			return true, 0, nil
		}
		a := x.Attempts[n-1]
		if a.Event < 1 || a.Sent.IsZero() || !now.After(a.Sent.AddDate(0, 0, days)) {
			return true, 0, nil
		}
		for _, e := range x.Events[a.Event:] {
			if e.Dir == illstate.Incoming && e.Attempt == 0 {
				return true, 0, nil // answered: hold-placed, will-supply… waits
			}
		}
		if !s.illRotaHasNext(&x) {
			return true, 0, nil // nobody left to ask: the request waits for this partner
		}
		queued := len(x.Events)
		note := fmt.Sprintf("no answer from %s in %d days", a.Partner, days)
		if _, err := s.illStep(t, &x, ILLEventInput{Service: illstate.Cancel, Dir: illstate.Outgoing, Origin: OriginTimer, Note: note}, now); err != nil {
			return false, 0, err
		}
		at := &x.Attempts[n-1]
		at.Outcome, at.Note, at.Ended = "passed-over", note, now
		at.State, at.Previous = x.State, x.Previous
		if _, err := s.illRotaAdvance(t, &x, fmt.Sprintf("%s did not answer in %d days", a.Partner, days), now); err != nil {
			return false, 0, err
		}
		return true, 1, t.illSave(&x, queued)
	})
}

// illRotaHasNext reports whether a partner of x's rota still to be asked
// is in the configuration.
func (s *Service) illRotaHasNext(x *ILLTransaction) bool {
	for _, p := range x.Rota[min(len(x.Attempts), len(x.Rota)):] {
		if _, err := s.illPartner(p); err == nil {
			return true
		}
	}
	return false
}

// illRotaSent records that event seq, a leg's ILL-Request, was delivered.
func (x *ILLTransaction) illRotaSent(seq int, at time.Time) {
	for i := range x.Attempts {
		if x.Attempts[i].Event == seq && x.Attempts[i].Sent.IsZero() {
			x.Attempts[i].Sent = at
		}
	}
}
