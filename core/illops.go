package core

import (
	"context"
	"fmt"
	"time"

	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/core/policy"
)

// ILLIncomingRequest is an ILL-Request that reached us as responder (an
// APDU, or a request by e-mail or phone that staff enter).
type ILLIncomingRequest struct {
	TID TransactionID
	// Partner is the requesting library's symbol; default the initial
	// requester's.
	Partner string
	Service ILLServiceType
	Item    ILLItem
	Expiry  time.Time
	Note    string
	Origin  ILLOrigin
	// AnswerInline: the engine's answer goes back on the connection the
	// request came on; it is recorded as sent, not queued in the outbox.
	AnswerInline bool
	// ServiceTime is the request's service-date-time from the partner: the
	// same request sent again (same tuple, same time) is recognised as
	// ReasonILLDuplicateAPDU, not refused as a reused transaction-id.
	ServiceTime time.Time
	// Repeatable: ServiceTime includes the time of day (see
	// ILLEventInput.Repeatable).
	Repeatable bool
}

// ILLIncoming records an incoming request and answers it by the rules
// (ill.md §6, seed 001): a title we do not own is unfilled (not-owned);
// one whose copies are all for the reading room or reference is unfilled
// (non-circulating); one whose copies are all out gets hold-placed with
// the expected date and the queue position, or retry with the retry date,
// as the partner's setting says; otherwise will-supply, with a copy held
// for the partner's institutional patron at its library.
func (s *Service) ILLIncoming(ctx context.Context, req ILLIncomingRequest) (out ILLTransaction, err error) {
	start := time.Now()
	defer func() { s.done("ill_incoming", start, err) }()
	if req.TID.Transaction == "" {
		return ILLTransaction{}, refuse(ReasonBadRequest, "ILL request without a transaction qualifier")
	}
	symbol := req.Partner
	if symbol == "" {
		symbol = req.TID.InitialRequester.Symbol
	}
	partner, err := s.illPartner(symbol)
	if err != nil {
		return ILLTransaction{}, err
	}
	if req.Service == "" {
		req.Service = ILLLoan
	}
	if req.Origin == "" {
		req.Origin = OriginAPDU
	}
	err = s.update(ctx, func(t tx) error {
		now := s.clock.Now()
		if !req.ServiceTime.IsZero() {
			if old, err := t.illFind(ILLRef{TID: &req.TID, Role: illstate.Responder}); err == nil {
				in := ILLEventInput{Service: illstate.ILLRequest, Dir: illstate.Incoming, Origin: req.Origin, ServiceTime: req.ServiceTime,
					Repeatable: req.Repeatable}
				if e, ok := old.received(in); ok {
					out = *old
					return refuse(ReasonILLDuplicateAPDU, "transaction %s: the request of %s already answered (event %d)",
						old.ID, req.ServiceTime.Format(time.RFC3339), e.Seq)
				}
			}
		}
		p, err := s.illInstitution(t, partner, now)
		if err != nil {
			return err
		}
		x := &ILLTransaction{Role: illstate.Responder, TID: req.TID, Partner: partner.Symbol, Service: req.Service,
			Item: req.Item, PatronID: p.ID, Expiry: req.Expiry, Note: req.Note, Created: now}
		if err := t.illCreate(x); err != nil {
			return err
		}
		if _, err := s.illStep(t, x, ILLEventInput{Service: illstate.ILLRequest, Dir: illstate.Incoming, Origin: req.Origin, Note: req.Note,
			ServiceTime: req.ServiceTime}, now); err != nil {
			return err
		}
		answer, err := s.illDecide(t, x, partner, p, now)
		if err != nil {
			return err
		}
		brokered, err := s.illBrokerRequest(t, x, partner, answer, now)
		if err != nil {
			return err
		}
		if !brokered {
			answer.sentInline = req.AnswerInline
			if err := s.illApply(t, x, answer, now); err != nil {
				return err
			}
		}
		out = *x
		return t.illSave(x, 0)
	})
	return out, err
}

// illInstitution looks up the partner's institutional patron, registering
// it on first use.
func (s *Service) illInstitution(t tx, partner ILLPartner, now time.Time) (*Patron, error) {
	p, err := t.patron(partner.Patron)
	if err == nil || ReasonOf(err) != ReasonPatronNotFound {
		return p, err
	}
	name := partner.Name
	if name == "" {
		name = partner.Symbol
	}
	p = &Patron{ID: partner.Patron, Name: name, Category: "institution", HomeLibrary: s.illLibrary(),
		IdentityConfirmed: true, Resident: true, Registered: now, LastActive: now}
	return p, t.putRecord(bPatron, p.ID, p)
}

// illCopy is a copy the responder might lend.
type illCopy struct {
	item *Item
	due  time.Time // of its loan, when on loan
}

// illDecide answers a new request by the rules, placing the hold it needs.
func (s *Service) illDecide(t tx, x *ILLTransaction, partner ILLPartner, inst *Patron, now time.Time) (ILLEventInput, error) {
	answer := func(q, reason, note string) ILLEventInput {
		return ILLEventInput{Service: illstate.ILLAnswer, Dir: illstate.Outgoing, Qualifier: q, Reason: reason, Note: note, Origin: OriginRule}
	}
	var owned, lendable []illCopy
	for _, rec := range x.Item.RecordIDs {
		ids, err := t.keys(bRecordItems, rec+"/")
		if err != nil {
			return ILLEventInput{}, err
		}
		for _, id := range ids {
			it, err := t.item(id)
			if err != nil {
				return ILLEventInput{}, err
			}
			switch {
			case it.ILL, it.Status == ItemLost, it.Status == ItemMissing, it.Status == ItemWithdrawn:
				continue // not ours to lend, or not there
			}
			c := illCopy{item: it}
			if it.Status == ItemOnLoan {
				l, err := t.loan(it.LoanID)
				if err != nil {
					return ILLEventInput{}, err
				}
				c.due = l.Due
			}
			owned = append(owned, c)
			r := s.rules(it.Library, inst.Category, it.Material)
			if x.Service == ILLCopy || !(it.ReadingRoomOnly || r.ReadingRoomOnly) {
				lendable = append(lendable, c)
			}
		}
	}
	if len(owned) == 0 {
		return answer(illstate.QUnfilled, "not-owned", ""), nil
	}
	if len(lendable) == 0 {
		return answer(illstate.QUnfilled, "non-circulating", "reference or reading-room only: not lent by interlibrary loan"), nil
	}
	// A copy on the shelf goes to the partner only if the readers already
	// queued for the title (who have the pull list's copies) leave one.
	free := map[string]int{}
	for _, c := range lendable {
		if c.item.Status == ItemAvailable && c.item.HoldID == "" {
			free[c.item.RecordID]++
		}
	}
	for rec := range free {
		n, err := s.waitingHolds(t, rec)
		if err != nil {
			return ILLEventInput{}, err
		}
		free[rec] -= n
	}
	for _, c := range lendable {
		if c.item.Status == ItemAvailable && c.item.HoldID == "" && free[c.item.RecordID] > 0 {
			if x.Service == ILLCopy {
				x.CopyID = c.item.ID
				return answer(illstate.QWillSupply, "being-processed-for-supply", ""), nil
			}
			if err := s.illHold(t, x, inst, c.item.RecordID, c.item.Library, c.item, now); err != nil {
				return ILLEventInput{}, err
			}
			return answer(illstate.QWillSupply, "being-processed-for-supply", ""), nil
		}
	}
	// All out: the earliest due date is when one is expected back.
	first := lendable[0]
	for _, c := range lendable[1:] {
		if !c.due.IsZero() && (first.due.IsZero() || c.due.Before(first.due)) {
			first = c
		}
	}
	expected := first.due
	if partner.QueueRetry {
		in := answer(illstate.QRetry, "in-use-on-loan", "")
		if expected.IsZero() {
			in.Reason, expected = "on-hold", now.AddDate(0, 0, partner.RetryDays)
		}
		in.Date = expected
		return in, nil
	}
	queue, err := t.keys(bRecordHolds, first.item.RecordID+"/")
	if err != nil {
		return ILLEventInput{}, err
	}
	if err := s.illHold(t, x, inst, first.item.RecordID, first.item.Library, nil, now); err != nil {
		return ILLEventInput{}, err
	}
	in := answer(illstate.QHoldPlaced, "", fmt.Sprintf("queue position %d", len(queue)+1))
	if !expected.IsZero() {
		in.Note += ", expected back " + expected.Format("2006-01-02")
	}
	in.Date, in.QueuePosition = expected, len(queue)+1
	return in, nil
}

// waitingHolds counts the holds queued for a title and not yet trapped.
func (s *Service) waitingHolds(t tx, record string) (int, error) {
	ids, err := t.keys(bRecordHolds, record+"/")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		h, err := t.hold(id)
		if err != nil {
			return 0, err
		}
		if h.Status == HoldWaiting {
			n++
		}
	}
	return n, nil
}

// illHold places a hold for p (a partner's institutional patron, or our
// patron for a temporary copy) outside the patron hold rules: the hold is
// the ILL request's, not the patron's choice. With it the copy is trapped
// at once (without a pickup deadline: the ILL timers watch the request);
// without, the hold queues for the title.
func (s *Service) illHold(t tx, x *ILLTransaction, p *Patron, record, pickup string, it *Item, now time.Time) error {
	id, err := t.newID(bHold, "H")
	if err != nil {
		return err
	}
	h := Hold{ID: id, PatronID: p.ID, RecordID: record, Title: x.Item.Title, PickupLibrary: pickup, Placed: now, Status: HoldWaiting}
	if it != nil {
		h.Title, h.Status, h.ItemID = it.Title, HoldReady, it.ID
		it.Status, it.HoldID, it.TransitTo = ItemOnHold, id, ""
		if err := t.putRecord(bItem, it.ID, it); err != nil {
			return err
		}
		x.CopyID = it.ID
	}
	p.Holds++
	p.LastActive = now
	x.HoldID = id
	if err := t.putRecord(bHold, id, &h); err != nil {
		return err
	}
	if err := t.Put(bRecordHolds, record+"/"+id, nil); err != nil {
		return err
	}
	if err := t.Put(bPatronHolds, p.ID+"/"+id, []byte(record)); err != nil {
		return err
	}
	return t.putRecord(bPatron, p.ID, p)
}

// illReleaseHold ends the request's hold (cancelled, expired, not
// supplied); a copy trapped for it goes to the next in the queue or back
// to the shelf.
func (s *Service) illReleaseHold(t tx, x *ILLTransaction, status HoldStatus, now time.Time) error {
	if x.HoldID == "" {
		return nil
	}
	h, err := t.hold(x.HoldID)
	if err != nil {
		return err
	}
	if !h.Active() {
		return nil
	}
	p, err := t.patron(h.PatronID)
	if err != nil {
		return err
	}
	if h.ItemID != "" && h.Status == HoldReady {
		it, err := t.item(h.ItemID)
		if err != nil {
			return err
		}
		if it.HoldID == h.ID {
			it.HoldID = ""
			var res CheckinResult
			if err := s.route(t, it, h.PickupLibrary, now, &res); err != nil {
				return err
			}
			if err := t.putRecord(bItem, it.ID, it); err != nil {
				return err
			}
		}
	} else if err := s.releaseTrapped(t, h, now); err != nil {
		return err
	}
	if err := s.endHold(t, p, h, status, now); err != nil {
		return err
	}
	return t.putRecord(bPatron, p.ID, p)
}

// illEffects runs the core operations of an event already in x's history
// (ill.md §5) and returns the answer the engine gives to it, if any.
func (s *Service) illEffects(t tx, x *ILLTransaction, e *ILLEvent, now time.Time) (*ILLEventInput, error) {
	if e.Service == illstate.StatusQuery && e.Dir == illstate.Incoming {
		// Answered with our state and history (the transport renders the
		// Status-Or-Error-Report from the transaction).
		return &ILLEventInput{Service: illstate.StatusOrErrorReport, Dir: illstate.Outgoing, Origin: OriginRule}, nil
	}
	if x.Leg != "" {
		return s.illRelay(t, x, e, now) // a brokered leg: no copy here, the event goes on
	}
	if x.Role == illstate.Responder {
		switch e.Service {
		case illstate.ILLAnswer:
			switch e.Qualifier {
			case illstate.QUnfilled, illstate.QRetry, illstate.QLocationsProvided, illstate.QEstimate:
				return nil, s.illReleaseHold(t, x, HoldCancelled, now)
			}
		case illstate.ShippedService:
			return nil, s.illShip(t, x, e, now)
		case illstate.Renew:
			return s.illRenewDecision(t, x, now)
		case illstate.RenewAnswer:
			if e.Qualifier == illstate.QYes {
				return nil, s.illExtend(t, x, e)
			}
		case illstate.Cancel:
			if x.State == illstate.CancelPending {
				if err := s.illReleaseHold(t, x, HoldCancelled, now); err != nil {
					return nil, err
				}
				return &ILLEventInput{Service: illstate.CancelReply, Dir: illstate.Outgoing, Qualifier: illstate.QYes, Origin: OriginRule}, nil
			}
			return &ILLEventInput{Service: illstate.CancelReply, Dir: illstate.Outgoing, Qualifier: illstate.QNo, Origin: OriginRule,
				Note: "already shipped"}, nil
		case illstate.ConditionalReply:
			if e.Qualifier == illstate.QNo {
				return nil, s.illReleaseHold(t, x, HoldCancelled, now)
			}
		case illstate.Expired, illstate.ForwardService, illstate.ForwardNotification:
			return nil, s.illReleaseHold(t, x, HoldCancelled, now)
		case illstate.CheckedInService:
			return nil, s.illCheckInCopy(t, x, now)
		case illstate.LostService:
			return nil, s.illCopyLost(t, x, e, now)
		case illstate.OverdueService:
			e.Date = x.Due
		}
		return nil, nil
	}
	if moved, err := s.illRotaNext(t, x, e, now); err != nil || moved {
		return nil, err // asked the next partner of the rota
	}
	if x.State == illstate.NotSupplied || x.State == illstate.Cancelled {
		return nil, s.illTellNotSupplied(t, x, e, now)
	}
	switch e.Service {
	case illstate.ShippedService:
		if !e.Date.IsZero() {
			x.Due = e.Date
		}
		if e.Amount > 0 {
			x.Cost = e.Amount
		}
	case illstate.ReceivedService:
		return nil, s.illAccept(t, x, e, now)
	case illstate.RenewAnswer:
		if e.Qualifier == illstate.QYes && !e.Date.IsZero() {
			x.Due = e.Date
		}
	case illstate.ReturnedService:
		return nil, s.illDeleteTemp(t, x, now)
	case illstate.LostService:
		if e.Amount > 0 {
			p, err := t.patron(x.PatronID)
			if err != nil {
				return nil, err
			}
			if _, err := t.addFee(p, Fee{Kind: FeeLost, Amount: e.Amount, Created: now, ItemID: x.TempItemID,
				Description: "lost interlibrary loan: " + x.Item.Title}); err != nil {
				return nil, err
			}
			if err := t.putRecord(bPatron, p.ID, p); err != nil {
				return nil, err
			}
		}
		return nil, s.illDeleteTemp(t, x, now)
	}
	return nil, nil
}

// illShip checks the copy out to the partner's institutional patron with
// the supplier loan period (seed 001: 21 days books, 5 days audio) and
// puts the due date and our return address on the Shipped. The copy is
// the one trapped for the request, or the one staff scanned.
func (s *Service) illShip(t tx, x *ILLTransaction, e *ILLEvent, now time.Time) error {
	home, err := s.library(s.illLibrary())
	if err != nil {
		return err
	}
	e.ReturnAddress = home.Name + ", " + home.Address
	if x.Service == ILLCopy {
		return nil
	}
	var hold *Hold
	if x.HoldID != "" {
		h, err := t.hold(x.HoldID)
		if err != nil {
			return err
		}
		if h.Active() {
			hold = h
		}
	}
	id := e.ItemID
	if id == "" && hold != nil && hold.Status == HoldReady {
		id = hold.ItemID
	}
	if id == "" {
		return refuse(ReasonBadRequest, "transaction %s: %v", x.ID, errILLNoCopy)
	}
	it, err := t.item(id)
	if err != nil {
		return err
	}
	free := it.Status == ItemAvailable && it.HoldID == ""
	trapped := hold != nil && it.HoldID == hold.ID && (it.Status == ItemOnHold || it.Status == ItemInTransit)
	if !free && !trapped {
		return refuse(policy.ItemNotAvailable, "copy %s is %s", it.ID, it.Status)
	}
	p, err := t.patron(x.PatronID)
	if err != nil {
		return err
	}
	if hold != nil {
		if hold.Status == HoldWaiting || hold.ItemID != it.ID {
			hold.ItemID = it.ID
		}
		if err := s.endHold(t, p, hold, HoldFulfilled, now); err != nil {
			return err
		}
	}
	lib, err := s.library(it.Library)
	if err != nil {
		return err
	}
	due := s.illShipDue(lib, it.Material, e.Date, now)
	lid, err := t.newLoanID()
	if err != nil {
		return err
	}
	loan := Loan{ID: lid, ItemID: it.ID, PatronID: p.ID, Library: it.Library, Material: it.Material, Start: now, Due: due}
	it.Status, it.LoanID, it.HoldID, it.TransitTo = ItemOnLoan, lid, "", ""
	p.LoansOut++
	p.LastActive = now
	if err := t.putRecord(bLoan, lid, &loan); err != nil {
		return err
	}
	if err := t.indexLoan(&loan, it.RecordID); err != nil {
		return err
	}
	if err := t.putRecord(bItem, it.ID, it); err != nil {
		return err
	}
	x.CopyID, x.LoanID, x.Due = it.ID, lid, due
	if err := t.Put(bILLLoan, lid, []byte(x.ID)); err != nil {
		return err
	}
	e.Date, e.ItemID = due, it.ID
	return t.putRecord(bPatron, p.ID, p)
}

func calLoc(c policy.Calendar) *time.Location {
	if c.Location != nil {
		return c.Location
	}
	return time.UTC
}

// illRenewDecision answers a partner's Renew: yes, for another loan
// period, if nobody else waits for the title (seed 001); otherwise no.
func (s *Service) illRenewDecision(t tx, x *ILLTransaction, now time.Time) (*ILLEventInput, error) {
	no := &ILLEventInput{Service: illstate.RenewAnswer, Dir: illstate.Outgoing, Qualifier: illstate.QNo, Origin: OriginRule, Date: x.Due}
	if x.LoanID == "" {
		return no, nil
	}
	l, err := t.loan(x.LoanID)
	if err != nil {
		return nil, err
	}
	it, err := t.item(l.ItemID)
	if err != nil {
		return nil, err
	}
	waiting, err := s.firstWaiting(t, it.RecordID)
	if err != nil {
		return nil, err
	}
	if waiting != nil || !l.Open() {
		no.Note = "another reader is waiting for it"
		return no, nil
	}
	lib, err := s.library(l.Library)
	if err != nil {
		return nil, err
	}
	from := l.Due
	if now.After(from) {
		from = now
	}
	due := lib.Calendar.EndOfDay(lib.Calendar.NextOpenDay(s.illLoanPeriod(l.Material).After(from.In(calLoc(lib.Calendar)))))
	return &ILLEventInput{Service: illstate.RenewAnswer, Dir: illstate.Outgoing, Qualifier: illstate.QYes, Origin: OriginRule, Date: due}, nil
}

// illExtend moves the loan of a renewed ILL copy to the new due date.
func (s *Service) illExtend(t tx, x *ILLTransaction, e *ILLEvent) error {
	if x.LoanID == "" || e.Date.IsZero() {
		return nil
	}
	l, err := t.loan(x.LoanID)
	if err != nil || !l.Open() {
		return err
	}
	it, err := t.item(l.ItemID)
	if err != nil {
		return err
	}
	if err := t.unindexLoan(l); err != nil {
		return err
	}
	l.Due = e.Date
	l.Renewals++
	if err := t.putRecord(bLoan, l.ID, l); err != nil {
		return err
	}
	x.Due = e.Date
	return t.indexLoan(l, it.RecordID)
}

// illCheckInCopy closes the partner's loan of our copy when it is back
// and routes the copy (a hold waiting, home, the shelf). A copy already
// checked in at the desk is fine: Checked-In is sent all the same.
func (s *Service) illCheckInCopy(t tx, x *ILLTransaction, now time.Time) error {
	if x.LoanID == "" {
		return nil
	}
	l, err := t.loan(x.LoanID)
	if err != nil {
		return err
	}
	it, err := t.item(l.ItemID)
	if err != nil {
		return err
	}
	if err := t.Delete(bILLLoan, l.ID); err != nil {
		return err
	}
	if !l.Open() || it.Status != ItemOnLoan || it.LoanID != l.ID {
		return nil
	}
	p, err := t.patron(l.PatronID)
	if err != nil {
		return err
	}
	if err := t.closeLoan(l, now); err != nil {
		return err
	}
	p.LoansOut--
	p.LastActive = now
	if err := t.putRecord(bPatron, p.ID, p); err != nil {
		return err
	}
	it.LoanID = ""
	var res CheckinResult
	if err := s.route(t, it, it.Library, now, &res); err != nil {
		return err
	}
	return t.putRecord(bItem, it.ID, it)
}

// illCopyLost ends the partner's loan of our copy as lost and charges the
// partner's institutional patron the copy's value.
func (s *Service) illCopyLost(t tx, x *ILLTransaction, e *ILLEvent, now time.Time) error {
	if x.LoanID == "" {
		return nil
	}
	l, err := t.loan(x.LoanID)
	if err != nil || !l.Open() {
		return err
	}
	it, err := t.item(l.ItemID)
	if err != nil {
		return err
	}
	p, err := t.patron(l.PatronID)
	if err != nil {
		return err
	}
	if err := t.closeLoan(l, now); err != nil {
		return err
	}
	if err := t.Delete(bILLLoan, l.ID); err != nil {
		return err
	}
	value := it.Value
	if e.Amount > 0 {
		value = e.Amount
	}
	if value > 0 {
		if _, err := t.addFee(p, Fee{Kind: FeeLost, Amount: value, Created: now, ItemID: it.ID, LoanID: l.ID,
			Description: "lost by interlibrary loan: " + it.Title}); err != nil {
			return err
		}
	}
	p.LoansOut--
	it.Status, it.LoanID, it.LostBy = ItemLost, "", p.ID
	if err := t.putRecord(bItem, it.ID, it); err != nil {
		return err
	}
	return t.putRecord(bPatron, p.ID, p)
}

// illOnCheckin is the desk's check-in of a copy a partner borrowed: the
// transaction records the return (if the partner sent no Returned) and
// Checked-In goes to the partner. Called with the loan already closed.
func (s *Service) illOnCheckin(t tx, l *Loan, now time.Time) error {
	id, ok, err := t.Get(bILLLoan, l.ID)
	if err != nil || !ok {
		return err
	}
	x, err := t.illByID(string(id))
	if err != nil {
		return err
	}
	queued := len(x.Events)
	steps := []ILLEventInput{{Service: illstate.CheckedInService, Dir: illstate.Outgoing, Origin: OriginStaff}}
	if x.State != illstate.Returned {
		steps = append([]ILLEventInput{{Service: illstate.ReturnedService, Dir: illstate.Incoming, Origin: OriginStaff,
			Note: "checked in at the desk"}}, steps...)
	}
	for _, in := range steps {
		// The copy is back whatever the transaction's state: a state that
		// does not allow it (a renewal still to answer) leaves the
		// transaction for staff and never stops the check-in.
		if _, err := illstate.Default().Next(x.Role, x.State, x.Previous, true, illstate.Event{Service: in.Service, Dir: in.Dir}); err != nil {
			return nil
		}
		if err := s.illApply(t, x, in, now); err != nil {
			return err
		}
	}
	if err := t.Delete(bILLLoan, l.ID); err != nil {
		return err
	}
	return t.illSave(x, queued)
}

// illIsInstitution reports whether card is a partner's institutional
// patron.
func (s *Service) illIsInstitution(card string) bool {
	for _, p := range s.cons.ILL.Partners {
		if card == p.Patron || (p.Patron == "" && card == InstitutionCard(p.Symbol)) {
			return true
		}
	}
	return false
}

// illReadyForPartner traps a returned copy for a partner's queued ILL
// request: it waits for staff to ship it, with no pickup deadline and no
// notice (the ILL timers watch the request).
func (s *Service) illReadyForPartner(t tx, h *Hold, it *Item) error {
	if h.Status == HoldReady && !h.Expires.IsZero() {
		if err := t.Delete(bHoldExpiry, timeKey(h.Expires)+"/"+h.ID); err != nil {
			return err
		}
	}
	h.Status, h.ItemID, h.Expires = HoldReady, it.ID, time.Time{}
	it.Status, it.TransitTo, it.HoldID = ItemOnHold, "", h.ID
	return t.putRecord(bHold, h.ID, h)
}

// illTellNotSupplied tells our patron that the request ended without the
// item (ill.md §5: not supplied → the next supplier, or notify).
func (s *Service) illTellNotSupplied(t tx, x *ILLTransaction, e *ILLEvent, now time.Time) error {
	p, err := t.patron(x.PatronID)
	if err != nil {
		return err
	}
	_, err = t.addNotice(Notice{ID: "ill_not_supplied/" + x.ID, Kind: NoticeILLNotSupplied, PatronID: p.ID, To: s.recipient(p, now),
		Language: p.Language, Library: x.PickupLibrary, Title: x.Item.Title, Due: e.Date, Created: now})
	return err
}
