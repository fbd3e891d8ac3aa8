package core

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/core/policy"
)

// The interlibrary loan desk: what the staff console shows and does for
// ILL, as the desk's other calls do (desk.go): each call takes the Actor,
// checks Permit (ActILL at the library that handles ILL) in the
// transaction, and an action writes its audit entry in the transaction of
// the action. What our patrons borrow is confidential (domain: privacy):
// a transaction's patron is shown only to staff who may read that patron.

// ILLQueue is a list of the ILL desk: the transactions that wait for
// something.
type ILLQueue string

// The desk's queues.
const (
	// ILLInbox: requests partners sent us that we have not said yes to
	// (none of our copies was free: hold-placed, or no answer yet).
	ILLInbox ILLQueue = "inbox"
	// ILLOutbox: our patrons' requests, waiting for the partner (not
	// answered, answered will-supply or hold-placed, cancel asked, or on
	// the way to us).
	ILLOutbox ILLQueue = "outbox"
	// ILLToShip: requests we said yes to, whose copy is still here.
	ILLToShip ILLQueue = "to_ship"
	// ILLToReturn: copies we borrowed that our patron is done with (the
	// temporary copy is neither on loan nor waiting on the hold shelf),
	// that the supplier recalled, or whose due date is as near as the
	// return post takes (ReturnTransitDays): to be sent back. Also a
	// request whose rota passed over a partner that shipped all the same
	// (ILLAttempt.ReturnItem).
	ILLToReturn ILLQueue = "to_return"
	// ILLOverdue: loans past their due date, both ways: our copies a
	// partner has, and partners' copies we have.
	ILLOverdue ILLQueue = "overdue"
	// ILLAll is every transaction, newest first.
	ILLAll ILLQueue = "all"
)

// ILLQueues are the desk's queues, in the order the console shows them.
var ILLQueues = []ILLQueue{ILLInbox, ILLOutbox, ILLToShip, ILLToReturn, ILLOverdue, ILLAll}

// ILLUnfilledReasons are the reasons staff may give for not supplying
// (ISO 10161 Reason-Unfilled, by the names the engine uses).
var ILLUnfilledReasons = []string{"not-owned", "in-use-on-loan", "non-circulating", "not-on-shelf", "lost",
	"poor-condition", "at-bindery", "on-order", "policy-problem", "other"}

// ILLDeskEntry is one transaction as the desk shows it.
type ILLDeskEntry struct {
	Transaction ILLTransaction
	// ShowPatron: the staff member may read the transaction's patron;
	// otherwise Transaction.PatronID is blank and so is PatronName.
	ShowPatron bool
	PatronName string
	// Queues are the queues it is in (never ILLAll).
	Queues []ILLQueue
	// Overdue: past its due date and not yet back.
	Overdue bool
	// Actions are the staff actions its state allows
	// (ILLStaffActionNames), sorted.
	Actions []string
	// Copy is the barcode of the copy a ship sends: the one named when it
	// was supplied, else the one trapped for it (responder).
	Copy string
	// ShipDue is the due date the loan rules give the copy if it is
	// shipped now (responder, a loan, with Copy).
	ShipDue time.Time
}

// In reports whether the entry is in queue q.
func (e ILLDeskEntry) In(q ILLQueue) bool { return q == ILLAll || slices.Contains(e.Queues, q) }

// illQueues sorts x into the desk's queues; temp is its temporary copy
// (requester; nil when it has none), transit the days the return post
// takes.
func illQueues(x *ILLTransaction, temp *Item, transit int, now time.Time) (qs []ILLQueue, overdue bool) {
	lastAnswer := ""
	recalled := false
	for _, e := range x.Events {
		if e.Attempt != 0 {
			continue // a passed-over partner's (rota): its leg, not the request
		}
		if e.Service == illstate.ILLAnswer {
			lastAnswer = e.Qualifier
		}
		if e.Service == illstate.RecallService && e.Dir == illstate.Incoming {
			recalled = true
		}
	}
	late := !x.Due.IsZero() && now.After(x.Due)
	if x.Leg != "" {
		// A brokered request (illbroker.go): the engine relays between
		// the legs and the item never passes through our hands; the
		// desk follows it by its second leg, our request to the supplier.
		if x.Leg != ILLLegSecond {
			return nil, false
		}
		switch x.State {
		case illstate.Pending, illstate.Conditional, illstate.CancelPending, illstate.Shipped:
			qs = append(qs, ILLOutbox)
		case illstate.NotReceivedOverdue, illstate.Overdue, illstate.RenewOverdue:
			overdue = true
		case illstate.Received, illstate.RenewPending:
			overdue = late
		}
		if overdue {
			qs = append(qs, ILLOverdue)
		}
		return qs, overdue
	}
	if x.Role == illstate.Responder {
		switch x.State {
		case illstate.InProcess:
			if lastAnswer == illstate.QWillSupply {
				qs = append(qs, ILLToShip)
			} else {
				qs = append(qs, ILLInbox)
			}
		case illstate.Overdue, illstate.RenewOverdue:
			overdue = true
		case illstate.Shipped, illstate.Received, illstate.Recall, illstate.RenewPending:
			overdue = late && x.Service.returnable()
		}
		if overdue {
			qs = append(qs, ILLOverdue)
		}
		return qs, overdue
	}
	switch x.State {
	case illstate.Pending, illstate.Conditional, illstate.CancelPending, illstate.Shipped:
		qs = append(qs, ILLOutbox)
	case illstate.NotReceivedOverdue:
		qs = append(qs, ILLOutbox)
		overdue = true
	case illstate.Received, illstate.Overdue, illstate.RenewPending, illstate.RenewOverdue:
		overdue = x.State == illstate.Overdue || x.State == illstate.RenewOverdue || late
		if x.Service.returnable() && x.State != illstate.RenewPending && x.State != illstate.RenewOverdue {
			done := temp != nil && temp.Status != ItemOnLoan && temp.Status != ItemOnHold
			dueSoon := !x.Due.IsZero() && !now.Before(x.Due.AddDate(0, 0, -transit))
			if done || recalled || dueSoon {
				qs = append(qs, ILLToReturn)
			}
		}
	}
	if overdue {
		qs = append(qs, ILLOverdue)
	}
	if x.Role == illstate.Requester && !slices.Contains(qs, ILLToReturn) &&
		slices.ContainsFunc(x.Attempts, func(a ILLAttempt) bool { return a.ReturnItem }) {
		// a partner of the rota shipped after it was passed over: the
		// item is here, and not the patron's
		qs = append(qs, ILLToReturn)
	}
	return qs, overdue
}

// illActionsAllowed are the staff actions the state table allows in x's
// state, sorted. On a brokered leg only a message: the rest is relayed
// from the other leg.
func illActionsAllowed(x *ILLTransaction) []string {
	var out []string
	for name, act := range illStaffActions() {
		if x.Leg != "" && name != "message" {
			continue
		}
		if act.sendBack {
			if slices.ContainsFunc(x.Attempts, func(a ILLAttempt) bool { return a.ReturnItem }) {
				out = append(out, name)
			}
			continue
		}
		ev := illstate.Event{Service: act.svc, Dir: illstate.Outgoing, Qualifier: act.qualifier}
		if _, err := illstate.Default().Next(x.Role, x.State, x.Previous, x.Service.returnable(), ev); err == nil {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// illDeskEntry is x as st sees it at the desk.
func (s *Service) illDeskEntry(t tx, st Staff, x ILLTransaction, now time.Time) (ILLDeskEntry, error) {
	e := ILLDeskEntry{Transaction: x, Actions: illActionsAllowed(&x)}
	var temp *Item
	var hold *Hold
	if x.TempItemID != "" {
		it, err := t.item(x.TempItemID)
		if err != nil && ReasonOf(err) != ReasonItemNotFound {
			return e, err
		}
		temp = it
	}
	if x.HoldID != "" {
		h, err := t.hold(x.HoldID)
		if err != nil && ReasonOf(err) == "" {
			return e, err
		}
		hold = h
	}
	transit := s.cons.ILL.ReturnTransitDays
	if transit == 0 {
		transit = DefaultReturnTransitDays
	}
	e.Queues, e.Overdue = illQueues(&x, temp, transit, now)
	if x.Role == illstate.Responder && x.State == illstate.InProcess && x.Leg == "" {
		for _, ev := range x.Events {
			if ev.Service == illstate.ILLAnswer && ev.Qualifier == illstate.QWillSupply && ev.ItemID != "" {
				e.Copy = ev.ItemID
			}
		}
		if e.Copy == "" && hold != nil && hold.Active() && hold.Status == HoldReady {
			e.Copy = hold.ItemID
		}
		if e.Copy == "" {
			e.Copy = x.CopyID
		}
		if e.Copy != "" && x.Service.returnable() {
			it, err := t.item(e.Copy)
			if err != nil && ReasonOf(err) != ReasonItemNotFound {
				return e, err
			}
			if it != nil {
				if lib, err := s.library(it.Library); err == nil {
					e.ShipDue = s.illShipDue(lib, it.Material, time.Time{}, now)
				}
			}
		}
	}
	if x.PatronID != "" {
		p, err := t.patron(x.PatronID)
		switch {
		case err == nil:
			if Permit(st, ActPatronRead, p.HomeLibrary) == nil {
				e.ShowPatron, e.PatronName = true, p.Name
			}
		case ReasonOf(err) != ReasonPatronNotFound:
			return e, err
		}
	}
	if !e.ShowPatron {
		e.Transaction.PatronID = ""
	}
	return e, nil
}

// StaffILLQueue lists the transactions in queue q, oldest first (ILLAll:
// newest first), as the staff member sees them.
func (s *Service) StaffILLQueue(ctx context.Context, by Actor, q ILLQueue) (out []ILLDeskEntry, err error) {
	if !slices.Contains(ILLQueues, q) {
		return nil, refuse(ReasonBadRequest, "no ILL queue %q", q)
	}
	err = s.staffView(ctx, "ill_queue", by, func(t tx, a Actor, now time.Time) error {
		out = out[:0]
		if err := Permit(a.Staff, ActILL, s.illLibrary()); err != nil {
			return err
		}
		return t.Scan(bILL, "", func(_ string, v []byte) error {
			var x ILLTransaction
			if err := decode(v, &x); err != nil {
				return err
			}
			e, err := s.illDeskEntry(t, a.Staff, x, now)
			if err != nil {
				return err
			}
			if e.In(q) {
				out = append(out, e)
			}
			return nil
		})
	})
	if q == ILLAll {
		slices.Reverse(out)
	}
	return out, err
}

// StaffILLCounts counts the transactions in each queue but ILLAll.
func (s *Service) StaffILLCounts(ctx context.Context, by Actor) (out map[ILLQueue]int, err error) {
	all, err := s.StaffILLQueue(ctx, by, ILLAll)
	if err != nil {
		return nil, err
	}
	out = map[ILLQueue]int{}
	for _, e := range all {
		for _, q := range e.Queues {
			out[q]++
		}
	}
	return out, nil
}

// StaffILLTransaction is one transaction with its history and the
// actions its state allows.
func (s *Service) StaffILLTransaction(ctx context.Context, by Actor, id string) (out ILLDeskEntry, err error) {
	err = s.staffView(ctx, "ill_show", by, func(t tx, a Actor, now time.Time) error {
		if err := Permit(a.Staff, ActILL, s.illLibrary()); err != nil {
			return err
		}
		x, err := t.illByID(id)
		if err != nil {
			return err
		}
		out, err = s.illDeskEntry(t, a.Staff, *x, now)
		return err
	})
	return out, err
}

// ILLDeskAction is what staff give with an action: a note for the
// partner's staff, the barcode scanned (supply, ship), the reason
// (unfilled: ILLUnfilledReasons), a date (renew: the due date wished).
type ILLDeskAction struct {
	Note, ItemID, Reason string
	Date                 time.Time
}

// illAuditState is what the audit log keeps of a transaction.
type illAuditState struct {
	State   string    `json:"state"`
	Partner string    `json:"partner"`
	Event   string    `json:"event,omitempty"`
	Item    string    `json:"item,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	Note    string    `json:"note,omitempty"`
	Due     time.Time `json:"due,omitzero"`
	Rota    []string  `json:"rota,omitempty"`
}

// StaffILLAction is a staff member performing action (ILLStaffActionNames)
// on transaction id: as ILLStaffAction, permission-checked and audited
// ("ill_" and the action, on "ill/<id>"). Shipping with a date gives the
// partner that due date instead of the loan rules' (not before today).
// Supplying with a barcode names
// the copy to ship, which must be on the shelf or the one trapped for the
// request; not supplying takes a reason of ILLUnfilledReasons ("other"
// when none is given).
func (s *Service) StaffILLAction(ctx context.Context, by Actor, id, action string, in ILLDeskAction) (ILLTransaction, error) {
	return s.illDeskAction(ctx, &by, "", id, action, in)
}

// Who acts on the ILL desk without a staff account: the operator's command
// line on the server, and the admin API with the admin token. Their
// actions are audited with no actor, from these.
const (
	OperatorConsole    = "console"
	OperatorAdminToken = "admin-token"
)

// OperatorILLAction is StaffILLAction by the operator (from: OperatorConsole,
// or OperatorAdminToken and the client's address): every permission, and
// the same checks and audit entry as the console's.
func (s *Service) OperatorILLAction(ctx context.Context, from, id, action string, in ILLDeskAction) (ILLTransaction, error) {
	return s.illDeskAction(ctx, nil, operatorFrom(from), id, action, in)
}

func operatorFrom(from string) string {
	if from = strings.TrimSpace(from); from == "" {
		return OperatorConsole
	}
	return from
}

// illActor is the actor of a desk call: the staff member by, or the
// operator (by nil) from from.
func (s *Service) illActor(t tx, by *Actor, from string) (Actor, error) {
	if by == nil {
		return Actor{From: from}, nil
	}
	return s.actorIn(t, by)
}

// illPermit is Permit for a desk call: the operator (no account) may.
func illPermit(a Actor, act Action, library string) error {
	if a.StaffID == "" && a.Staff.ID == "" {
		return nil
	}
	return Permit(a.Staff, act, library)
}

func (s *Service) illDeskAction(ctx context.Context, by *Actor, from, id, action string, in ILLDeskAction) (out ILLTransaction, err error) {
	name := strings.ToLower(strings.TrimSpace(action))
	act, ok := illStaffActions()[name]
	if !ok {
		return ILLTransaction{}, refuse(ReasonBadRequest, "no ILL action %q (use %s)", action, strings.Join(ILLStaffActionNames(), ", "))
	}
	in.ItemID, in.Reason = strings.TrimSpace(in.ItemID), strings.TrimSpace(in.Reason)
	switch name {
	case "unfilled":
		if in.Reason == "" {
			in.Reason = "other"
		}
		if !slices.Contains(ILLUnfilledReasons, in.Reason) {
			return ILLTransaction{}, refuse(ReasonBadRequest, "unfilled reason %q (use %s)", in.Reason, strings.Join(ILLUnfilledReasons, ", "))
		}
	case "message":
		if strings.TrimSpace(in.Note) == "" {
			return ILLTransaction{}, refuse(ReasonBadRequest, "a message needs its text")
		}
	default:
		in.Reason = ""
	}
	start := time.Now()
	defer func() { s.done("desk_ill_"+name, start, err) }()
	err = s.update(ctx, func(t tx) error {
		now := s.clock.Now()
		a, err := s.illActor(t, by, from)
		if err != nil {
			return err
		}
		if err := illPermit(a, ActILL, s.illLibrary()); err != nil {
			return err
		}
		x, err := t.illByID(id)
		if err != nil {
			return err
		}
		if x.Leg != "" && name != "message" {
			return refuse(ReasonILLTransitionProhibited, "transaction %s is a leg of a brokered request: %s is relayed from its other leg", x.ID, name)
		}
		before := illAuditState{State: x.State.String(), Partner: x.Partner}
		if name == "ship" && !in.Date.IsZero() {
			if err := s.illCheckAgreedDue(in.Date, now); err != nil {
				return err
			}
		}
		if name == "supply" && in.ItemID != "" {
			if err := s.illCheckSupplyCopy(t, x, in.ItemID); err != nil {
				return err
			}
		}
		queued := len(x.Events)
		ev := ILLEventInput{Service: act.svc, Qualifier: act.qualifier, Dir: illstate.Outgoing, Origin: OriginStaff, Note: in.Note,
			Reason: in.Reason, ItemID: in.ItemID, Date: in.Date}
		if act.sendBack {
			if err := s.illSendBack(t, x, in.Note, now); err != nil {
				return err
			}
		} else if err := s.illApply(t, x, ev, now); err != nil {
			return err
		}
		e := x.Events[queued]
		after := illAuditState{State: x.State.String(), Partner: x.Partner, Event: e.Service.String(), Item: e.ItemID, Reason: e.Reason,
			Note: e.Note, Due: e.Date}
		card := ""
		if x.Role == illstate.Requester {
			card = x.PatronID // erasing the patron blanks the entry
		}
		if err := s.auditFor(t, a, card, "ill_"+name, "ill/"+x.ID, s.illLibrary(), before, after); err != nil {
			return err
		}
		out = *x
		return t.illSave(x, queued)
	})
	return out, err
}

// illShipDue is the due date of a copy shipped now: the supplier loan
// period for its material (seed 001) from now, on a day its library is
// open; or, when staff agreed another with the partner, the end of that
// date (agreed: its year, month and day, in the library's zone).
func (s *Service) illShipDue(lib *Library, material string, agreed, now time.Time) time.Time {
	loc := calLoc(lib.Calendar)
	if !agreed.IsZero() {
		y, m, d := agreed.Date()
		return lib.Calendar.EndOfDay(time.Date(y, m, d, 12, 0, 0, 0, loc))
	}
	return lib.Calendar.EndOfDay(lib.Calendar.NextOpenDay(s.illLoanPeriod(material).After(now.In(loc))))
}

// illCheckAgreedDue refuses a due date staff give that is already past
// at the ILL library.
func (s *Service) illCheckAgreedDue(agreed, now time.Time) error {
	lib, err := s.library(s.illLibrary())
	if err != nil {
		return err
	}
	y, m, d := agreed.Date()
	ty, tm, td := now.In(calLoc(lib.Calendar)).Date()
	if time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Before(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
		return refuse(ReasonBadRequest, "due date %s is in the past", agreed.Format(time.DateOnly))
	}
	return nil
}

// illCheckSupplyCopy refuses a copy staff name to supply x with that a
// ship could not send: not one of ours, out, or trapped for someone else.
func (s *Service) illCheckSupplyCopy(t tx, x *ILLTransaction, barcode string) error {
	it, err := t.item(barcode)
	if err != nil {
		return err
	}
	if it.ILL {
		return refuse(policy.ItemNotAvailable, "copy %s is another library's", it.ID)
	}
	free := it.Status == ItemAvailable && it.HoldID == ""
	trapped := x.HoldID != "" && it.HoldID == x.HoldID && (it.Status == ItemOnHold || it.Status == ItemInTransit)
	if !free && !trapped {
		return refuse(policy.ItemNotAvailable, "copy %s is %s", it.ID, it.Status)
	}
	return nil
}

// StaffILLRequest files a request for a patron, as ILLRequest, by a staff
// member allowed ILL who may read the patron; audited ("ill_request", with
// the rota when the request has one).
func (s *Service) StaffILLRequest(ctx context.Context, by Actor, req ILLNewRequest) (ILLTransaction, error) {
	if err := s.staffView(ctx, "ill_request_check", by, func(_ tx, a Actor, _ time.Time) error {
		return Permit(a.Staff, ActILL, s.illLibrary())
	}); err != nil {
		return ILLTransaction{}, err
	}
	req.by, req.operator = &by, ""
	return s.ILLRequest(ctx, req)
}

// OperatorILLRequest is StaffILLRequest by the operator (from as
// OperatorILLAction's): audited alike.
func (s *Service) OperatorILLRequest(ctx context.Context, from string, req ILLNewRequest) (ILLTransaction, error) {
	req.by, req.operator = nil, operatorFrom(from)
	return s.ILLRequest(ctx, req)
}

// illRequestByStaff checks and audits, in its transaction, a request
// StaffILLRequest or OperatorILLRequest files (none for ILLRequest's
// other callers).
func (s *Service) illRequestByStaff(t tx, req ILLNewRequest, x *ILLTransaction, p *Patron) error {
	if req.by == nil && req.operator == "" {
		return nil
	}
	a, err := s.illActor(t, req.by, req.operator)
	if err != nil {
		return err
	}
	if err := illPermit(a, ActILL, s.illLibrary()); err != nil {
		return err
	}
	if err := illPermit(a, ActPatronRead, p.HomeLibrary); err != nil {
		return err
	}
	after := illAuditState{State: x.State.String(), Partner: x.Partner, Event: illstate.ILLRequest.String(), Note: x.Note,
		Rota: x.Rota}
	return s.auditFor(t, a, p.ID, "ill_request", "ill/"+x.ID, s.illLibrary(), nil, after)
}

// ILLLibrary is the library that handles interlibrary loan: the desk's
// pages need ActILL there.
func (s *Service) ILLLibrary() string { return s.illLibrary() }
