package core

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/bibgate/bibgate/core/illstate"
)

// Brokering. A gateway can be the intermediary of its consortium's
// members (seed 003: requests from abroad go through the national
// library): a partner whose ILLPartner.BrokerTo names onward suppliers has
// each request we cannot fill from our own shelves passed on to the first
// of them, and to the next while each answers unfilled.
//
// The request is two ordinary transactions, each with its own partner and
// protocol, pointing at each other: the first leg, where we are responder
// to the member (Leg ILLLegFirst), and the second leg, where we are
// requester to the supplier (ILLLegSecond). What one leg receives goes on
// as the same service sent on the other: the supplier's answers
// (will-supply, hold-placed, Shipped with its due date and cost, unfilled
// with its reason, Renew-Answer, Recall, Overdue, Checked-In ...) to the
// member, the member's (Received, Renew, Returned, Cancel, a message ...)
// to the supplier, each in the store transaction that records the
// received one, so a crash leaves both legs or neither, and the outbox
// sends what was relayed. A repeated APDU is refused by the receiving leg
// (ReasonILLDuplicateAPDU) before it reaches the relay, so it goes on
// once.
//
// Nothing of the circulation core runs on a brokered leg: the item
// travels from the supplier to the member and back, never through our
// hands, so there is no temporary copy here, no loan, no fee and no
// notice; the member pays what the supplier charges (at cost, seed 003),
// and the due date is the supplier's. Our own timers leave brokered legs
// alone: the supplier sends Overdue and Expired, and they are relayed.

// ILLLeg is the part a transaction plays in a brokered request.
type ILLLeg string

// Legs.
const (
	// ILLLegFirst: the member's request to us; we are responder.
	ILLLegFirst ILLLeg = "first"
	// ILLLegSecond: our request on to a supplier; we are requester.
	ILLLegSecond ILLLeg = "second"
)

// OriginRelay is an event the broker sends on one leg because the other
// leg received it.
const OriginRelay ILLOrigin = "relay"

// illRelayed is, per leg, the services received on it that go on to the
// other leg (as the same service, sent). The rest stay on their leg: a
// Status-Query is answered by us, a Status-Or-Error-Report or a
// Forward-Notification concerns the leg it came on.
var illRelayed = map[ILLLeg][]illstate.Service{
	ILLLegSecond: {illstate.ILLAnswer, illstate.ShippedService, illstate.OverdueService, illstate.RecallService,
		illstate.RenewAnswer, illstate.CancelReply, illstate.CheckedInService, illstate.Expired,
		illstate.Message, illstate.LostService, illstate.Damaged},
	ILLLegFirst: {illstate.ReceivedService, illstate.Renew, illstate.ReturnedService, illstate.Cancel,
		illstate.ConditionalReply, illstate.Message, illstate.LostService, illstate.Damaged},
}

// ILLRelays reports whether a service received on leg goes on to the
// other leg.
func ILLRelays(leg ILLLeg, svc illstate.Service) bool {
	return slices.Contains(illRelayed[leg], svc)
}

// illBrokerRequest takes a new request from a partner we broker for when
// answer, our shelves' decision, is that we cannot supply it: the request
// goes on to the first onward supplier as a second leg, and x, the first
// leg, waits for its answer. It reports whether it did.
func (s *Service) illBrokerRequest(t tx, x *ILLTransaction, partner ILLPartner, answer ILLEventInput, now time.Time) (bool, error) {
	if len(partner.BrokerTo) == 0 || answer.Service != illstate.ILLAnswer || answer.Qualifier != illstate.QUnfilled {
		return false, nil
	}
	x.Leg = ILLLegFirst
	return true, s.illOnward(t, x, partner.BrokerTo[0], now)
}

// illOnward files the second leg of first with supplier: our own
// ILL-Request (our symbol, our transaction-id) for the same item and
// service, queued for the supplier's transport.
func (s *Service) illOnward(t tx, first *ILLTransaction, supplier string, now time.Time) error {
	p, err := s.illPartner(supplier)
	if err != nil {
		return fmt.Errorf("core: ILL %s: onward supplier: %w", first.ID, err)
	}
	id, err := t.newID(bILL, "T")
	if err != nil {
		return err
	}
	item := first.Item
	item.RecordIDs = nil // our catalogue's, not the supplier's
	y := &ILLTransaction{ID: id, Role: illstate.Requester, Leg: ILLLegSecond, LinkedID: first.ID, Partner: p.Symbol,
		Service: first.Service, Item: item, PatronID: first.PatronID, PickupLibrary: s.illLibrary(), Expiry: first.Expiry,
		Note: first.Note, Created: now, TID: TransactionID{InitialRequester: SystemID{Symbol: s.ill().Symbol}, Transaction: id}}
	if err := t.illCreate(y); err != nil {
		return err
	}
	e, err := s.illStep(t, y, ILLEventInput{Service: illstate.ILLRequest, Dir: illstate.Outgoing, Origin: OriginRelay, Note: first.Note}, now)
	if err != nil {
		return err
	}
	e.Relay = first.ID + "#1"
	first.LinkedID = id
	first.Legs = append(first.Legs, id)
	return t.illSave(y, 0)
}

// illRelay is the effect of event e received on the brokered leg x: the
// same service sent on the other leg. An unfilled answer from a supplier
// goes to the next onward supplier instead, while there is one. A service
// the other leg's state does not allow (say, a message on a finished
// leg) stays here, with the reason in e.Relay for staff. It returns the
// answer x itself gives to e, if any: a member's Cancel that crossed the
// Shipped we relayed is refused here, as the supplier has nothing left
// to cancel.
func (s *Service) illRelay(t tx, x *ILLTransaction, e *ILLEvent, now time.Time) (*ILLEventInput, error) {
	if e.Dir != illstate.Incoming {
		return nil, nil // our own (staff's) event on this leg only
	}
	illBrokerBook(x, e)
	if !ILLRelays(x.Leg, e.Service) {
		return nil, nil
	}
	other, err := t.illByID(x.LinkedID)
	if err != nil {
		return nil, fmt.Errorf("core: ILL %s: the other leg: %w", x.ID, err)
	}
	if x.Leg == ILLLegSecond && other.LinkedID != x.ID {
		e.Relay = "not relayed: " + other.ID + " has gone on to " + other.LinkedID
		return nil, nil
	}
	if x.Leg == ILLLegSecond && e.Service == illstate.ILLAnswer && other.State == illstate.CancelPending &&
		(e.Qualifier == illstate.QUnfilled || e.Qualifier == illstate.QRetry) {
		// Not supplied while the member's Cancel was on its way: the
		// request ends here, which is what the member asked for.
		queued := len(other.Events)
		oe, err := s.illStep(t, other, ILLEventInput{Service: illstate.CancelReply, Dir: illstate.Outgoing, Qualifier: illstate.QYes,
			Origin: OriginRelay, Note: "the supplier could not supply it", Reason: e.Reason}, now)
		if err != nil {
			return nil, err
		}
		oe.Relay = x.ID + "#" + strconv.Itoa(e.Seq)
		e.Relay = other.ID + "#" + strconv.Itoa(oe.Seq)
		return nil, t.illSave(other, queued)
	}
	if x.Leg == ILLLegSecond && e.Service == illstate.ILLAnswer && e.Qualifier == illstate.QUnfilled {
		if next := s.illNextSupplier(other); next != "" {
			queued := len(other.Events)
			if err := s.illOnward(t, other, next, now); err != nil {
				return nil, err
			}
			e.Relay = "onward to " + next + " as " + other.LinkedID
			return nil, t.illSave(other, queued)
		}
	}
	if x.Leg == ILLLegSecond && e.Service == illstate.CancelReply {
		if seq := cancelAnswered(other); seq > 0 {
			// The member has its answer already: the supplier's Shipped
			// crossed our Cancel and went on with a Cancel-Reply no.
			e.Relay = fmt.Sprintf("not relayed: %s answered the cancel as event %d", other.ID, seq)
			return nil, nil
		}
	}
	queued := len(other.Events)
	in := ILLEventInput{Service: e.Service, Dir: illstate.Outgoing, Qualifier: e.Qualifier, Origin: OriginRelay, Note: e.Note,
		Reason: e.Reason, Date: e.Date, Amount: e.Amount, QueuePosition: e.QueuePosition, ItemID: e.ItemID, ReturnAddress: e.ReturnAddress}
	if x.Leg == ILLLegSecond && e.Service == illstate.ShippedService && other.State == illstate.CancelPending {
		// The supplier shipped before our Cancel reached it (crossing).
		// A responder ships only from IN-PROCESS (ISO 10161: no Shipped
		// while a cancel is pending): it refuses the cancel first, then
		// ships. So does the first leg, and the supplier's own
		// Cancel-Reply no, when it comes, is not relayed again.
		no := ILLEventInput{Service: illstate.CancelReply, Dir: illstate.Outgoing, Qualifier: illstate.QNo, Origin: OriginRelay,
			Note: "already shipped by the supplier"}
		if _, err := illstate.Default().Next(other.Role, other.State, other.Previous, other.Service.returnable(),
			illstate.Event{Service: no.Service, Dir: no.Dir, Qualifier: no.Qualifier}); err == nil {
			ne, err := s.illStep(t, other, no, now)
			if err != nil {
				return nil, err
			}
			ne.Relay = x.ID + "#" + strconv.Itoa(e.Seq)
		}
	}
	if _, err := illstate.Default().Next(other.Role, other.State, other.Previous, other.Service.returnable(),
		illstate.Event{Service: in.Service, Dir: in.Dir, Qualifier: in.Qualifier}); err != nil {
		e.Relay = fmt.Sprintf("not relayed: %s is %s", other.ID, other.State)
		if x.Leg == ILLLegFirst && e.Service == illstate.Cancel && x.State != illstate.CancelPending {
			// The member's Cancel crossed the Shipped we relayed to it: the
			// supplier has nothing left to cancel, so we refuse it here.
			return &ILLEventInput{Service: illstate.CancelReply, Dir: illstate.Outgoing, Qualifier: illstate.QNo, Origin: OriginRule,
				Note: "already shipped by the supplier"}, t.illSave(other, queued)
		}
		return nil, t.illSave(other, queued)
	}
	oe, err := s.illStep(t, other, in, now)
	if err != nil {
		return nil, err
	}
	oe.Relay = x.ID + "#" + strconv.Itoa(e.Seq)
	e.Relay = other.ID + "#" + strconv.Itoa(oe.Seq)
	illBrokerBook(other, oe)
	return nil, t.illSave(other, queued)
}

// cancelAnswered is the number of the Cancel-Reply x, a first leg, sent
// to the member's last Cancel; 0 while that Cancel is unanswered (or
// there was none).
func cancelAnswered(x *ILLTransaction) int {
	for i := len(x.Events) - 1; i >= 0; i-- {
		e := x.Events[i]
		switch {
		case e.Service == illstate.Cancel && e.Dir == illstate.Incoming:
			return 0
		case e.Service == illstate.CancelReply && e.Dir == illstate.Outgoing:
			return e.Seq
		}
	}
	return 0
}

// illBrokerBook keeps a leg's due date and cost as the supplier's events
// set them (what the core's own effects would do on an ordinary leg).
func illBrokerBook(x *ILLTransaction, e *ILLEvent) {
	switch e.Service {
	case illstate.ShippedService:
		if !e.Date.IsZero() {
			x.Due = e.Date
		}
		if e.Amount > 0 {
			x.Cost = e.Amount
		}
	case illstate.RenewAnswer, illstate.OverdueService:
		if !e.Date.IsZero() && (e.Service == illstate.OverdueService || e.Qualifier == illstate.QYes) {
			x.Due = e.Date
		}
	}
}

// illNextSupplier is the onward supplier after those first's second legs
// went to, from its partner's BrokerTo; "" when none is left.
func (s *Service) illNextSupplier(first *ILLTransaction) string {
	p, err := s.illPartner(first.Partner)
	if err != nil {
		return ""
	}
	if len(first.Legs) < len(p.BrokerTo) {
		return p.BrokerTo[len(first.Legs)]
	}
	return ""
}

// verifyILLLeg checks that the legs of a brokered request point at each
// other.
func (s *Service) verifyILLLeg(t tx, x *ILLTransaction, bad func(string, ...any)) error {
	var other ILLTransaction
	ok, err := t.getRecord(bILL, x.LinkedID, &other)
	if err != nil {
		return err
	}
	switch {
	case !ok:
		bad("ILL %s (%s leg): linked leg %q missing", x.ID, x.Leg, x.LinkedID)
	case x.Leg == ILLLegFirst && (x.Role != illstate.Responder || other.Leg != ILLLegSecond || other.LinkedID != x.ID ||
		!slices.Contains(x.Legs, other.ID)):
		bad("ILL %s: first leg, but %s is not its second leg", x.ID, other.ID)
	case x.Leg == ILLLegSecond && (x.Role != illstate.Requester || other.Leg != ILLLegFirst || !slices.Contains(other.Legs, x.ID)):
		bad("ILL %s: second leg, but %s does not list it", x.ID, other.ID)
	}
	return nil
}
