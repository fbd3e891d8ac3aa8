package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/core/policy"
)

// Interlibrary loan. The engine is protocol-independent: ISO 10161 (over
// TCP or e-mail) and ISO 18626 adapters turn their messages into
// ILLEventInput values and the outbox entries back into messages. Each
// request is one ILLTransaction per side, keyed by the partner's full
// transaction-id tuple kept verbatim; its state moves only as the table of
// core/illstate allows, and every event is kept with its time and origin.
// The ILL events drive the same core operations as the circulation desk
// (ill.md §5): look up the patron, accept the item as a temporary copy,
// check out, check in, delete the item, create the fee, notify.

// Buckets of the ILL engine.
const (
	bILL       = "ill"        // transaction id -> ILLTransaction (JSON)
	bILLTID    = "ill_tid"    // role/hash of the transaction-id tuple -> transaction id
	bILLOutbox = "ill_outbox" // seq -> transaction id/event seq: messages to send to partners
	bILLLoan   = "ill_loan"   // loan id -> transaction id: our copies lent to partners
)

// Reasons of the ILL engine. The protocol adapters map them: a prohibited
// transition to Status-Or-Error-Report state-transition-prohibited, an
// unknown or duplicate transaction to transaction-id-problem, bad input
// (ReasonBadRequest) to general-problem.
const (
	ReasonILLTransitionProhibited Reason = "ill_state_transition_prohibited"
	ReasonILLUnknownTransaction   Reason = "ill_transaction_unknown"
	ReasonILLDuplicateTransaction Reason = "ill_transaction_duplicate"
	ReasonILLUnknownPartner       Reason = "ill_partner_unknown"
	// ReasonILLDuplicateAPDU: the same APDU arrived again (a partner that
	// sent it again after losing our answer, or after a crash): it was
	// applied once and is not applied twice.
	ReasonILLDuplicateAPDU Reason = "ill_apdu_duplicate"
)

// FeeILL is the charge for an interlibrary loan (the supplier's price).
const FeeILL FeeKind = "ill"

// NoticeILLArrived tells a patron that a copy ordered by interlibrary loan
// has arrived. (A returnable item arriving is a hold_ready notice.)
const NoticeILLArrived NoticeKind = "ill_arrived"

// NoticeILLNotSupplied tells a patron that the partner will not supply
// what they asked for (unfilled, retry later, expired, cancelled).
const NoticeILLNotSupplied NoticeKind = "ill_not_supplied"

// ILLRole is the side of a transaction: requester (our patron borrows) or
// responder (we lend).
type ILLRole = illstate.Role

// SystemID names a library or person in ILL: a symbol (NUC, OCLC, ISIL;
// opaque) and/or a name.
type SystemID struct {
	Symbol string `json:"symbol,omitempty"`
	Name   string `json:"name,omitempty"`
}

// TransactionID is ISO 10161's Transaction-Id. The whole tuple is the key:
// it is stored verbatim and echoed back unchanged.
type TransactionID struct {
	InitialRequester SystemID `json:"initial_requester"`
	Group            string   `json:"group,omitempty"`
	Transaction      string   `json:"transaction"`
	SubTransaction   string   `json:"sub_transaction,omitempty"`
}

// key is an opaque store key for the tuple: a hash of its length-prefixed
// parts, so that symbols with any bytes (colons, slashes, NULs) never
// collide or break a backend's key type.
func (id TransactionID) key() string {
	h := sha256.New()
	for _, s := range []string{id.InitialRequester.Symbol, id.InitialRequester.Name, id.Group, id.Transaction, id.SubTransaction} {
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ILLServiceType is what the requester asks for.
type ILLServiceType string

// Service types.
const (
	ILLLoan ILLServiceType = "loan"
	ILLCopy ILLServiceType = "copy-non-returnable"
)

func (s ILLServiceType) returnable() bool { return s != ILLCopy }

// ILLItem is the requested item. RecordIDs are the catalogue records the
// adapter matched the citation to (ISBN, title…); the responder looks for
// copies of those.
type ILLItem struct {
	RecordIDs  []string `json:"record_ids,omitempty"`
	Title      string   `json:"title,omitempty"`
	Author     string   `json:"author,omitempty"`
	ISBN       string   `json:"isbn,omitempty"`
	ISSN       string   `json:"issn,omitempty"`
	CallNumber string   `json:"call_number,omitempty"`
	Material   string   `json:"material,omitempty"`
}

// ILLOrigin says what caused an event.
type ILLOrigin string

// Origins. OriginRule is a decision the engine took by the rules (the
// automatic answer to a request); it is not in the list of three
// but is neither an APDU, nor staff, nor a timer.
const (
	OriginAPDU  ILLOrigin = "apdu"
	OriginStaff ILLOrigin = "staff"
	OriginTimer ILLOrigin = "timer"
	OriginRule  ILLOrigin = "rule"
)

// ILLEventInput is an event to apply: a service received from the partner
// (an APDU, or staff recording it), or one this side performs.
type ILLEventInput struct {
	Service   illstate.Service
	Dir       illstate.Direction
	Qualifier string
	Origin    ILLOrigin
	Note      string
	// Reason is an answer's reason code (e.g. not-owned, non-circulating,
	// in-use-on-loan).
	Reason string
	// Date is the event's date: the due date (Shipped, Renew-Answer,
	// Overdue), the expected or retry date (ILL-Answer), the desired due
	// date (Renew).
	Date time.Time
	// Amount is a cost: the supplier's price (Shipped), its value (Lost).
	Amount Money
	// QueuePosition is the place in the supplier's queue (hold-placed).
	QueuePosition int
	// ItemID is a barcode staff scanned: the copy to ship, or the label of
	// a temporary copy.
	ItemID string
	// ReturnAddress is where the item goes back to, as the supplier's
	// Shipped says (a broker relays it: the item never comes to it).
	ReturnAddress string
	// ServiceTime is the sender's service-date-time of an APDU, in its
	// zone as the partner's configuration says (kept beside our clock's
	// time of arrival).
	ServiceTime time.Time
	// Repeatable: ServiceTime includes the time of day, so the same APDU
	// sent again can be told from another one (a date alone cannot).
	Repeatable bool
	// AnswerInline: the answer the engine gives to this event (an
	// ILL-Answer, Renew-Answer, Cancel-Reply, Status-Or-Error-Report) goes
	// back on the connection the event arrived on. It is recorded as sent
	// when the transaction commits instead of being queued in the outbox.
	AnswerInline bool
	// sentInline marks the answer itself.
	sentInline bool
}

// ILLEvent is one event of a transaction's history.
type ILLEvent struct {
	Seq           int                `json:"seq"`
	At            time.Time          `json:"at"`
	Origin        ILLOrigin          `json:"origin"`
	Service       illstate.Service   `json:"service"`
	Dir           illstate.Direction `json:"dir"`
	Qualifier     string             `json:"qualifier,omitempty"`
	From          illstate.State     `json:"from"`
	To            illstate.State     `json:"to"`
	Crossing      bool               `json:"crossing,omitempty"`
	Note          string             `json:"note,omitempty"`
	Reason        string             `json:"reason,omitempty"`
	Date          time.Time          `json:"date,omitzero"`
	Amount        Money              `json:"amount,omitempty"`
	QueuePosition int                `json:"queue_position,omitempty"`
	ReturnAddress string             `json:"return_address,omitempty"`
	ItemID        string             `json:"item_id,omitempty"`
	ServiceTime   time.Time          `json:"service_time,omitzero"`
	// Attempt is, on a request sent down a rota, the leg (1-based) of an
	// event recorded after the next leg began: what a passed-over
	// partner sent in answer to our Cancel (illrota.go). Zero otherwise:
	// an event belongs to the leg whose range it is in.
	Attempt int `json:"attempt,omitempty"`
	// Relay is, on a brokered leg, where the event went or came from on
	// the other leg ("T000012#4"), or why it was not relayed
	// (illbroker.go).
	Relay string `json:"relay,omitempty"`
	// Send: an APDU goes to the partner; Sent is when it went.
	Send bool      `json:"send,omitempty"`
	Sent time.Time `json:"sent,omitzero"`
}

func (e ILLEvent) String() string {
	return fmt.Sprintf("%s %s%s", e.At.Format(time.RFC3339), e.Dir, illstate.Event{Service: e.Service, Dir: "", Qualifier: e.Qualifier})
}

// ILLTransaction is one interlibrary loan request as one side sees it.
type ILLTransaction struct {
	ID      string         `json:"id"`
	Role    ILLRole        `json:"role"`
	TID     TransactionID  `json:"tid"`
	Partner string         `json:"partner"`
	Service ILLServiceType `json:"service"`
	State   illstate.State `json:"state"`
	// Previous is the state before a pending one (CANCEL-PENDING,
	// RENEW-PENDING), where a refusal returns to.
	Previous illstate.State `json:"previous,omitempty"`
	Item     ILLItem        `json:"item"`
	// PatronID is our patron (requester) or the partner's institutional
	// patron (responder).
	PatronID      string `json:"patron_id"`
	PickupLibrary string `json:"pickup_library,omitempty"`
	// Responder: the copy lent, its hold and loan.
	CopyID string `json:"copy_id,omitempty"`
	HoldID string `json:"hold_id,omitempty"`
	LoanID string `json:"loan_id,omitempty"`
	// Requester: the temporary copy and the fee.
	TempItemID string `json:"temp_item_id,omitempty"`
	FeeID      string `json:"fee_id,omitempty"`
	// Due is the loan's due date: the one we gave (responder) or the
	// supplier's (requester).
	Due  time.Time `json:"due,omitzero"`
	Cost Money     `json:"cost,omitempty"`
	// Expiry is the date after which the requester no longer wants it.
	Expiry  time.Time  `json:"expiry,omitzero"`
	Note    string     `json:"note,omitempty"`
	Created time.Time  `json:"created"`
	Updated time.Time  `json:"updated"`
	Events  []ILLEvent `json:"events"`
	// Rota is the ordered list of partners of a request sent down a rota
	// (the first asked first), Attempts the partners asked so far (illrota.go).
	Rota     []string     `json:"rota,omitempty"`
	Attempts []ILLAttempt `json:"attempts,omitempty"`
	// Leg is the part the transaction plays when we broker a request for
	// a consortium member (illbroker.go): LinkedID is the other leg; the
	// first leg's Legs are all its second legs, oldest first.
	Leg      ILLLeg   `json:"leg,omitempty"`
	LinkedID string   `json:"linked_id,omitempty"`
	Legs     []string `json:"legs,omitempty"`
}

// ILLPartner is a library we exchange ILL with.
type ILLPartner struct {
	Symbol string `toml:"symbol"`
	Name   string `toml:"name"`
	// Patron is the card of the partner's institutional patron in our
	// patron base, who borrows what we lend them. Empty:
	// InstitutionCard(Symbol), registered on first use.
	Patron string `toml:"patron"`
	// QueueRetry answers a request for a title whose copies are all out
	// with retry (and the retry date) instead of a place in the queue
	// (hold-placed with the expected date and the position in the note).
	QueueRetry bool `toml:"queue_retry"`
	// RetryDays is the retry date when no copy has a due date; default 14.
	RetryDays int `toml:"retry_days"`
	// Prices is the partner's price list per service type: what our patron
	// pays when the partner supplies (seed 001, 003), unless Shipped says.
	Prices map[ILLServiceType]Money `toml:"prices"`
	// BrokerTo makes us the partner's intermediary (illbroker.go): a
	// request of theirs we cannot fill from our shelves goes on to these
	// partners, one after the other while each answers unfilled.
	BrokerTo []string `toml:"broker_to"`
}

// ILLSettings are the consortium's interlibrary loan settings.
type ILLSettings struct {
	// Symbol is our ILL symbol (initial requester of our requests).
	Symbol string `toml:"symbol"`
	// Library is the library of the consortium that handles ILL; default
	// the first.
	Library string `toml:"library"`
	// LoanPeriods is the supplier loan period we give per material type;
	// DefaultLoanPeriod for the rest. Defaults: 21 days, audio 5 days
	// (seed 001).
	LoanPeriods       map[string]policy.Period `toml:"loan_periods"`
	DefaultLoanPeriod policy.Period            `toml:"default_loan_period"`
	// ReceivedForHomeLoan lets patrons take items received by ILL home.
	// False (the default) keeps them in the reading room (seed 002 §41).
	ReceivedForHomeLoan bool `toml:"received_for_home_loan"`
	// ReturnTransitDays: a home loan of an item received by ILL ends this
	// many days before the supplier's due date, for the return post;
	// zero means DefaultReturnTransitDays.
	ReturnTransitDays int `toml:"return_transit_days"`
	// ExpiryDays: a request we could not yet supply is answered Expired
	// this many days after it arrived when it names no expiry date; 0
	// never.
	ExpiryDays int          `toml:"expiry_days"`
	Partners   []ILLPartner `toml:"partners"`
}

// DefaultReturnTransitDays is bibgate's own default for the return post
// of an ILL item (no seed gives a number).
const DefaultReturnTransitDays = 3

// DefaultILLLoanPeriods are seed 001's supplier loan periods: 21 days for
// books and older magazines, 5 days for audio.
func DefaultILLLoanPeriods() map[string]policy.Period {
	return map[string]policy.Period{
		policy.MaterialBook:     {Days: 21},
		policy.MaterialMagazine: {Days: 21},
		policy.MaterialAudio:    {Days: 5},
	}
}

func (s *Service) ill() *ILLSettings { return &s.cons.ILL }

func (s *Service) illLibrary() string {
	if s.cons.ILL.Library != "" {
		return s.cons.ILL.Library
	}
	return s.cons.Libraries[0].ID
}

// illLoanPeriod is the supplier loan period for a material type.
func (s *Service) illLoanPeriod(material string) policy.Period {
	if p, ok := s.cons.ILL.LoanPeriods[material]; ok && !p.IsZero() {
		return p
	}
	if s.cons.ILL.LoanPeriods == nil {
		if p, ok := DefaultILLLoanPeriods()[material]; ok {
			return p
		}
	}
	if !s.cons.ILL.DefaultLoanPeriod.IsZero() {
		return s.cons.ILL.DefaultLoanPeriod
	}
	return policy.Period{Days: 21}
}

func (s *Service) illPartner(symbol string) (ILLPartner, error) {
	for _, p := range s.cons.ILL.Partners {
		if p.Symbol == symbol {
			if p.Patron == "" {
				p.Patron = InstitutionCard(p.Symbol)
			}
			if p.RetryDays <= 0 {
				p.RetryDays = 14
			}
			return p, nil
		}
	}
	return ILLPartner{}, refuse(ReasonILLUnknownPartner, "no ILL partner %q in the configuration", symbol)
}

// InstitutionCard is the default card of a partner's institutional
// patron: "ILL:" and the symbol, with "/" (which separates keys in the
// patron indexes) and "%" escaped.
func InstitutionCard(symbol string) string {
	return "ILL:" + strings.NewReplacer("%", "%25", "/", "%2F").Replace(symbol)
}

// ILLRef names a transaction: by our id (staff), or by the partner's
// transaction-id tuple (APDUs), optionally with our role when both sides
// of one tuple live in this store.
type ILLRef struct {
	ID   string
	TID  *TransactionID
	Role ILLRole
}

func (t tx) illByID(id string) (*ILLTransaction, error) {
	var x ILLTransaction
	ok, err := t.getRecord(bILL, id, &x)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, refuse(ReasonILLUnknownTransaction, "no ILL transaction %q", id)
	}
	return &x, nil
}

func (t tx) illFind(ref ILLRef) (*ILLTransaction, error) {
	if ref.ID != "" {
		return t.illByID(ref.ID)
	}
	if ref.TID == nil {
		return nil, refuse(ReasonBadRequest, "no ILL transaction named")
	}
	roles := []ILLRole{illstate.Requester, illstate.Responder}
	if ref.Role != "" {
		roles = []ILLRole{ref.Role}
	}
	var found *ILLTransaction
	for _, r := range roles {
		id, ok, err := t.Get(bILLTID, string(r)+"/"+ref.TID.key())
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		x, err := t.illByID(string(id))
		if err != nil {
			return nil, err
		}
		if x.TID != *ref.TID && x.attemptOf(*ref.TID) < 0 {
			return nil, fmt.Errorf("core: ILL transaction-id hash collision on %s", x.ID)
		}
		if found != nil {
			return nil, refuse(ReasonBadRequest, "transaction %q is both ours as requester and as responder: say which", ref.TID.Transaction)
		}
		found = x
	}
	if found == nil {
		return nil, refuse(ReasonILLUnknownTransaction, "no ILL transaction %q from %q", ref.TID.Transaction, ref.TID.InitialRequester.Symbol)
	}
	return found, nil
}

// illCreate stores a new transaction, refusing a tuple already known for
// this role.
func (t tx) illCreate(x *ILLTransaction) error {
	k := string(x.Role) + "/" + x.TID.key()
	if _, ok, err := t.Get(bILLTID, k); err != nil || ok {
		if err == nil {
			err = refuse(ReasonILLDuplicateTransaction, "transaction %q from %q exists", x.TID.Transaction, x.TID.InitialRequester.Symbol)
		}
		return err
	}
	if x.ID == "" {
		id, err := t.newID(bILL, "T")
		if err != nil {
			return err
		}
		x.ID = id
	}
	if err := t.Put(bILLTID, k, []byte(x.ID)); err != nil {
		return err
	}
	return t.putRecord(bILL, x.ID, x)
}

// illStep moves x by one event, as the state table allows, records it and
// queues the APDU an outgoing event sends. It does not run the event's
// core operations (see illEffects).
func (s *Service) illStep(t tx, x *ILLTransaction, in ILLEventInput, now time.Time) (*ILLEvent, error) {
	if in.Dir != illstate.Outgoing && in.Dir != illstate.Incoming {
		return nil, refuse(ReasonBadRequest, "event direction %q", in.Dir)
	}
	ev := illstate.Event{Service: in.Service, Dir: in.Dir, Qualifier: in.Qualifier}
	res, err := illstate.Default().Next(x.Role, x.State, x.Previous, x.Service.returnable(), ev)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", &Error{Reason: ReasonILLTransitionProhibited,
			Detail: fmt.Sprintf("transaction %s (%s) in state %s: %s", x.ID, x.Role, x.State, ev)}, err)
	}
	if res.To != x.State && (res.To == illstate.CancelPending || res.To == illstate.RenewPending || res.To == illstate.RenewOverdue) {
		x.Previous = x.State
	}
	e := ILLEvent{
		Seq: len(x.Events) + 1, At: now, Origin: in.Origin, Service: in.Service, Dir: in.Dir, Qualifier: in.Qualifier,
		From: x.State, To: res.To, Crossing: res.Row.Crossing, Note: in.Note, Reason: in.Reason, Date: in.Date, Amount: in.Amount,
		QueuePosition: in.QueuePosition, ItemID: in.ItemID, ServiceTime: in.ServiceTime, ReturnAddress: in.ReturnAddress,
		Send: in.Dir == illstate.Outgoing && in.Service.HasAPDU(),
	}
	if e.Send && in.sentInline {
		e.Sent = now
	}
	if e.Origin == "" {
		e.Origin = OriginStaff
	}
	x.State, x.Updated = res.To, now
	x.Events = append(x.Events, e)
	return &x.Events[len(x.Events)-1], nil
}

// illSave writes x and queues its events still to send.
func (t tx) illSave(x *ILLTransaction, queued int) error {
	for i := queued; i < len(x.Events); i++ {
		if !x.Events[i].Send || !x.Events[i].Sent.IsZero() {
			continue
		}
		seq, err := t.NextSequence(bILLOutbox)
		if err != nil {
			return err
		}
		if err := t.Put(bILLOutbox, pad(seq), []byte(x.ID+"/"+strconv.Itoa(x.Events[i].Seq))); err != nil {
			return err
		}
	}
	return t.putRecord(bILL, x.ID, x)
}

// ILLApply applies an event to a transaction: a service the partner
// performed (an APDU arrived, or staff record it without one) or one we
// perform. The state table decides whether it is allowed; the event's
// core operations run in the same store transaction, and an APDU it sends
// is queued in the ILL outbox (ILLPending).
func (s *Service) ILLApply(ctx context.Context, ref ILLRef, in ILLEventInput) (out ILLTransaction, err error) {
	start := time.Now()
	defer func() { s.done("ill_apply", start, err) }()
	err = s.update(ctx, func(t tx) error {
		now := s.clock.Now()
		x, err := t.illFind(ref)
		if err != nil {
			return err
		}
		if ref.TID != nil && *ref.TID != x.TID { // an earlier attempt of a rota
			if i := x.attemptOf(*ref.TID); i >= 0 {
				queued := len(x.Events)
				applied, err := s.illRotaLate(t, x, i, in, now)
				if applied {
					out = x.AsAttempt(i)
					if err != nil {
						return err
					}
					return t.illSave(x, queued)
				}
			}
			out, err = x.illRotaStale(*ref.TID, in)
			return err
		}
		if e, ok := x.received(in); ok {
			out = *x
			return refuse(ReasonILLDuplicateAPDU, "transaction %s: %s of %s already applied as event %d",
				x.ID, in.Service, in.ServiceTime.Format(time.RFC3339), e.Seq)
		}
		queued := len(x.Events)
		if err := s.illApply(t, x, in, now); err != nil {
			return err
		}
		out = *x
		return t.illSave(x, queued)
	})
	return out, err
}

// received finds the event an APDU already made: the same service and
// qualifier with the same service-date-time from the partner. A partner
// sends an APDU again when our answer was lost (or it crashed before it
// recorded it as sent); applying it twice would ship or charge twice.
func (x *ILLTransaction) received(in ILLEventInput) (ILLEvent, bool) {
	if in.Origin != OriginAPDU || in.Dir != illstate.Incoming || in.ServiceTime.IsZero() || !in.Repeatable {
		return ILLEvent{}, false
	}
	for _, e := range x.Events[x.attemptStart():] {
		if e.Attempt != 0 && e.Attempt != len(x.Attempts) {
			continue // a passed-over partner's, not this leg's
		}
		if e.Origin == OriginAPDU && e.Dir == illstate.Incoming && e.Service == in.Service &&
			e.Qualifier == in.Qualifier && e.ServiceTime.Equal(in.ServiceTime) {
			return e, true
		}
	}
	return ILLEvent{}, false
}

// illApply is one event and the events the engine answers it with.
func (s *Service) illApply(t tx, x *ILLTransaction, in ILLEventInput, now time.Time) error {
	e, err := s.illStep(t, x, in, now)
	if err != nil {
		return err
	}
	follow, err := s.illEffects(t, x, e, now)
	if err != nil {
		return err
	}
	if follow != nil {
		follow.sentInline = in.AnswerInline
		return s.illApply(t, x, *follow, now)
	}
	return nil
}

// ILLGet returns a transaction with its history.
func (s *Service) ILLGet(ctx context.Context, ref ILLRef) (out ILLTransaction, err error) {
	err = s.view(ctx, func(t tx) error {
		x, err := t.illFind(ref)
		if err == nil {
			out = *x
			if ref.TID != nil && *ref.TID != x.TID {
				out = x.AsAttempt(x.attemptOf(*ref.TID)) // as that attempt's partner sees it
			}
		}
		return err
	})
	return out, err
}

// ILLList returns every transaction, oldest first.
func (s *Service) ILLList(ctx context.Context) (out []ILLTransaction, err error) {
	err = s.view(ctx, func(t tx) error {
		out = out[:0]
		return t.Scan(bILL, "", func(_ string, v []byte) error {
			var x ILLTransaction
			if err := decode(v, &x); err != nil {
				return err
			}
			out = append(out, x)
			return nil
		})
	})
	return out, err
}

// ILLOutgoing is a message waiting to go to a partner: the event, with the
// transaction as it is now.
type ILLOutgoing struct {
	Key         string
	Transaction ILLTransaction
	Event       ILLEvent
}

// ILLPending returns up to limit messages waiting to be sent, in the order
// they were written. A transport sends each and then calls ILLSent.
func (s *Service) ILLPending(ctx context.Context, limit int) (out []ILLOutgoing, err error) {
	err = s.view(ctx, func(t tx) error {
		out = out[:0]
		type ref struct{ key, id, seq string }
		var refs []ref
		err := t.Scan(bILLOutbox, "", func(k string, v []byte) error {
			if limit > 0 && len(refs) == limit {
				return errStop
			}
			id, seq, _ := cutLast(string(v), '/')
			refs = append(refs, ref{k, id, seq})
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range refs {
			x, err := t.illByID(r.id)
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(r.seq)
			if err != nil || n < 1 || n > len(x.Events) {
				return fmt.Errorf("core: ILL outbox %s names event %q of %s", r.key, r.seq, r.id)
			}
			// an event of an earlier attempt of a rota goes to that attempt's partner
			view := x.AsAttempt(x.attemptOfEvent(n))
			if x.Events[n-1].Attempt > 0 {
				view.Events = x.Events[:n:n] // rendered as event n, after the leg's range
			}
			out = append(out, ILLOutgoing{Key: r.key, Transaction: view, Event: x.Events[n-1]})
		}
		return nil
	})
	return out, err
}

// ILLSent marks an outbox message sent. Marking one twice is harmless.
func (s *Service) ILLSent(ctx context.Context, key string) error {
	return s.update(ctx, func(t tx) error {
		v, ok, err := t.Get(bILLOutbox, key)
		if err != nil || !ok {
			return err
		}
		id, seq, _ := cutLast(string(v), '/')
		x, err := t.illByID(id)
		if err != nil {
			return err
		}
		if n, err := strconv.Atoi(seq); err == nil && n >= 1 && n <= len(x.Events) {
			x.Events[n-1].Sent = s.clock.Now()
			x.illRotaSent(n, x.Events[n-1].Sent)
		}
		if err := t.putRecord(bILL, x.ID, x); err != nil {
			return err
		}
		return t.Delete(bILLOutbox, key)
	})
}

func cutLast(s string, sep byte) (before, after string, found bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// errILLNoCopy is returned when staff ship without a copy to ship.
var errILLNoCopy = errors.New("no copy trapped for this request: scan the copy to ship")
