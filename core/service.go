package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/internal/throttle"
	"github.com/bibgate/bibgate/store"
)

// Clock tells the time; tests and replays inject a fixed one.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// FixedClock is a clock that stands still until moved: tests and
// transcript replays. Safe for concurrent use.
type FixedClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFixedClock returns a clock standing at t.
func NewFixedClock(t time.Time) *FixedClock { return &FixedClock{t: t} }

// Now returns the clock's time.
func (c *FixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *FixedClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock forward by d.
func (c *FixedClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Options configure a Service.
type Options struct {
	Clock Clock
	// KDF sets the PIN hash cost; zero means DefaultKDF.
	KDF KDFParams
	// EIDKey is the installation's key for hashing eID personal codes
	// (kept outside the store). Nil means a random key for this process
	// only: fine for tests and memory stores, not for a store that lasts.
	EIDKey []byte
	// Observe, when set, is called after every operation with its name, the
	// refusal reason ("" on success, "error" on a failure that is not a
	// refusal) and its duration. Metrics hang here.
	Observe func(op string, reason Reason, d time.Duration)
	// PINLockout says after how many wrong PINs a card's PIN is locked and
	// for how long; zero means DefaultPINLockout, a negative Limit never
	// locks.
	PINLockout throttle.Settings
	// PINCheckWait bounds how long a PIN check waits for its turn at the
	// KDF before it is refused with ReasonPINCheckBusy; zero means
	// DefaultPINCheckWait, negative waits as long as the request may.
	PINCheckWait time.Duration
	// KDFSlots is how many PIN hashes may be computed at once; zero means
	// one per processor but one (at least one).
	KDFSlots int
	// Staff sets staff sign-in throttling and session timeouts; zero
	// fields take DefaultStaffSettings.
	Staff StaffSettings
}

// Service is the circulation core. It is safe for concurrent use; all state
// lives in the store, so several processes may share one (PostgreSQL) store.
type Service struct {
	st      store.Store
	cons    *Consortium
	eidKey  []byte // HMAC key for eID personal codes
	clock   Clock
	kdf     KDFParams
	observe func(string, Reason, time.Duration)
	pins    *pinCache
	pinLock *throttle.Throttle

	staffCfg  StaffSettings
	dummyOnce sync.Once
	dummy     string // a hash to check unknown staff ids against
}

// NewService returns a Service over st for the consortium c.
func NewService(st store.Store, c *Consortium, opts Options) (*Service, error) {
	if len(c.Libraries) == 0 {
		return nil, errors.New("core: consortium has no libraries")
	}
	s := &Service{st: st, cons: c, clock: opts.Clock, kdf: opts.KDF, observe: opts.Observe, pins: newPINCache(100_000, opts.KDFSlots, pinCheckWait(opts.PINCheckWait)),
		pinLock: newPINLockout(opts.PINLockout), staffCfg: opts.Staff.withDefaults()}
	if s.clock == nil {
		s.clock = SystemClock{}
	}
	s.eidKey = opts.EIDKey
	if len(s.eidKey) == 0 {
		s.eidKey = ephemeralEIDKey()
	}
	if s.kdf == (KDFParams{}) {
		s.kdf = DefaultKDF
	}
	return s, nil
}

// Consortium returns the consortium the service serves.
func (s *Service) Consortium() *Consortium { return s.cons }

// Now is the service clock's time.
func (s *Service) Now() time.Time { return s.clock.Now() }

func (s *Service) done(op string, start time.Time, err error) {
	if s.observe == nil {
		return
	}
	r := ReasonOf(err)
	if err != nil && r == "" {
		r = "error"
	}
	s.observe(op, r, time.Since(start))
}

func (s *Service) update(ctx context.Context, fn func(tx) error) error {
	return s.st.Update(ctx, func(t store.Tx) error { return fn(tx{t}) })
}

func (s *Service) view(ctx context.Context, fn func(tx) error) error {
	return s.st.View(ctx, func(t store.Tx) error { return fn(tx{t}) })
}

func (s *Service) library(id string) (*Library, error) {
	if l, ok := s.cons.Library(id); ok {
		return l, nil
	}
	return nil, refuse(ReasonLibraryNotFound, "no library %q in the consortium", id)
}

func (s *Service) rules(library, category, material string) policy.Rules {
	return s.cons.Rules.Resolve(library, category, material)
}

// patronState derives what the rules need from a patron and their open
// loans.
func (s *Service) patronState(t tx, p *Patron, now time.Time) (policy.PatronState, []loanRef, error) {
	loans, err := t.patronLoans(p.ID)
	if err != nil {
		return policy.PatronState{}, nil, err
	}
	st := policy.PatronState{
		Category:          p.Category,
		ManuallyBlocked:   p.Blocked,
		IdentityConfirmed: p.IdentityConfirmed,
		Resident:          p.Resident,
		Expired:           !p.ValidUntil.IsZero() && now.After(p.ValidUntil),
		LoansOut:          len(loans),
		Owed:              p.Owed,
		Holds:             p.Holds,
	}
	for _, l := range loans {
		if now.After(l.Due) {
			st.Overdue++
			fine, err := s.accruing(t, p, l.LoanID, now)
			if err != nil {
				return policy.PatronState{}, nil, err
			}
			st.Accrued += fine
		}
	}
	return st, loans, nil
}

// CheckoutRequest lends ItemID to PatronID at Library.
type CheckoutRequest struct {
	Library  string
	PatronID string
	ItemID   string
}

// Checkout lends an item. The rules are decided inside the transaction, so
// two terminals checking out the same item can never both succeed.
func (s *Service) Checkout(ctx context.Context, req CheckoutRequest) (Loan, error) {
	r, err := s.CheckoutItem(ctx, req)
	return r.Loan, err
}

// CheckoutResult is a loan with the item as it now stands (for the
// selfcheck's screen: title, material, properties).
type CheckoutResult struct {
	Loan Loan
	Item Item
}

// CheckoutItem is Checkout returning the item too, saving a lookup.
func (s *Service) CheckoutItem(ctx context.Context, req CheckoutRequest) (res CheckoutResult, err error) {
	start := time.Now()
	defer func() { s.done("checkout", start, err) }()
	lib, err := s.library(req.Library)
	if err != nil {
		return CheckoutResult{}, err
	}
	err = s.update(ctx, s.checkoutTx(lib, req, &res))
	return res, err
}

// checkoutTx is the transaction of a checkout, for CheckoutItem and the
// staff desk (desk.go) alike.
func (s *Service) checkoutTx(lib *Library, req CheckoutRequest, out *CheckoutResult) func(t tx) error {
	return func(t tx) error {
		var loan Loan
		now := s.clock.Now()
		p, err := t.patron(req.PatronID)
		if err != nil {
			return err
		}
		it, err := t.item(req.ItemID)
		if err != nil {
			return err
		}
		ps, loans, err := s.patronState(t, p, now)
		if err != nil {
			return err
		}
		is := policy.ItemState{
			Material: it.Material, HighDemand: it.HighDemand, ReadingRoomOnly: it.ReadingRoomOnly, ILL: it.ILL && !s.illLendsHome(it),
			Available: it.Status == ItemAvailable,
		}
		var hold *Hold
		switch it.Status {
		case ItemOnLoan:
			for _, l := range loans {
				if l.LoanID == it.LoanID {
					is.OnLoanToPatron = true
				}
			}
		case ItemOnHold, ItemInTransit:
			if it.HoldID != "" {
				h, err := t.hold(it.HoldID)
				if err != nil {
					return err
				}
				if h.PatronID == p.ID && it.Status == ItemOnHold {
					is.Available, hold = true, h
				} else {
					is.HeldForOther = true
				}
			}
		}
		r := s.rules(lib.ID, p.Category, it.Material)
		due, why := policy.Checkout(r, lib.Calendar, now, ps, is)
		if why != policy.OK {
			return refuse(why, "patron %s item %s", p.ID, it.ID)
		}
		if due, err = s.illCapDue(t, it, due); err != nil {
			return err
		}
		id, err := t.newLoanID()
		if err != nil {
			return err
		}
		loan = Loan{ID: id, ItemID: it.ID, PatronID: p.ID, Library: lib.ID, Material: it.Material, Start: now, Due: due}
		if hold != nil {
			if err := s.endHold(t, p, hold, HoldFulfilled, now); err != nil {
				return err
			}
		}
		it.Status, it.LoanID, it.HoldID, it.TransitTo = ItemOnLoan, id, "", ""
		p.LoansOut = len(loans) + 1
		p.LastActive = now
		if err := t.putRecord(bLoan, id, &loan); err != nil {
			return err
		}
		if err := t.indexLoan(&loan, it.RecordID); err != nil {
			return err
		}
		if err := t.putRecord(bItem, it.ID, it); err != nil {
			return err
		}
		*out = CheckoutResult{Loan: loan, Item: *it}
		return t.putRecord(bPatron, p.ID, p)
	}
}

// Disposition says what to do with an item just checked in.
type Disposition string

// Dispositions.
const (
	Reshelve        Disposition = "reshelve"         // back on the shelf here
	HoldShelf       Disposition = "hold_shelf"       // trapped for a hold picked up here
	TransitForHold  Disposition = "transit_for_hold" // trapped for a hold picked up elsewhere
	TransitHome     Disposition = "transit_home"     // belongs to another library
	ItemNeedsReview Disposition = "needs_review"     // lost/missing/withdrawn came back
)

// CheckinRequest returns ItemID at Library.
type CheckinRequest struct {
	Library string
	ItemID  string
	// ReturnedAt is when the item was really returned, for a selfcheck
	// that stored the return while offline and sends it later: the fine
	// is computed up to then. Zero, or a time after now, means now; it
	// never goes back before the loan started.
	ReturnedAt time.Time
}

// CheckinResult tells the selfcheck or sorter what happened and where the
// item goes next.
type CheckinResult struct {
	Item Item
	// Loan is the loan just closed, nil if the item was not on loan.
	Loan *Loan
	// Fine is the overdue fine charged for this return.
	Fine   Money
	Refund Money
	// Cancelled is the unpaid value of a lost item that came back before
	// it was paid for: no longer owed.
	Cancelled   Money
	Disposition Disposition
	// Destination is the library the item travels to (transit).
	Destination string
	// Hold and HoldPatron are set when a hold was trapped.
	Hold       *Hold
	HoldPatron *Patron
	SortBin    string
}

// Checkin returns an item: closes its loan, charges any overdue fine, and
// traps it for the first waiting hold on its title (here or in transit to
// the pickup library), else sends it home or back to the shelf.
func (s *Service) Checkin(ctx context.Context, req CheckinRequest) (res CheckinResult, err error) {
	start := time.Now()
	defer func() { s.done("checkin", start, err) }()
	lib, err := s.library(req.Library)
	if err != nil {
		return CheckinResult{}, err
	}
	err = s.update(ctx, s.checkinTx(lib, req, &res))
	return res, err
}

// checkinTx is the transaction of a checkin, for Checkin and the staff
// desk alike.
func (s *Service) checkinTx(lib *Library, req CheckinRequest, out *CheckinResult) func(t tx) error {
	return func(t tx) error {
		*out = CheckinResult{}
		res := out
		now := s.clock.Now()
		it, err := t.item(req.ItemID)
		if err != nil {
			return err
		}
		if it.Status == ItemOnLoan {
			l, err := t.loan(it.LoanID)
			if err != nil {
				return err
			}
			p, err := t.patron(l.PatronID)
			if err != nil {
				return err
			}
			returned := now
			if !req.ReturnedAt.IsZero() && req.ReturnedAt.Before(now) {
				returned = req.ReturnedAt
				if returned.Before(l.Start) {
					returned = l.Start
				}
			}
			if err := t.closeLoan(l, returned); err != nil {
				return err
			}
			if err := s.illOnCheckin(t, l, now); err != nil {
				return err
			}
			r := s.rules(l.Library, p.Category, l.Material)
			if fine := policy.OverdueFine(r, it.Value, l.Due, returned); fine > 0 {
				if _, err := t.addFee(p, Fee{Kind: FeeOverdue, Amount: fine, Created: now, ItemID: it.ID, LoanID: l.ID,
					Description: fmt.Sprintf("%d days overdue", policy.DaysOverdue(l.Due, returned))}); err != nil {
					return err
				}
				res.Fine = fine
			}
			p.LoansOut--
			p.LastActive = now
			if err := t.putRecord(bPatron, p.ID, p); err != nil {
				return err
			}
			res.Loan = l
			it.LoanID = ""
		}
		switch it.Status {
		case ItemLost:
			if err := s.lostReturned(t, it, now, res); err != nil {
				return err
			}
		case ItemMissing, ItemWithdrawn:
			res.Disposition = ItemNeedsReview
		}
		if res.Disposition == "" {
			if err := s.route(t, it, lib.ID, now, res); err != nil {
				return err
			}
		}
		res.SortBin = sortBin(res.Disposition, res.Destination, it)
		res.Item = *it
		return t.putRecord(bItem, it.ID, it)
	}
}

// refundLost handles a lost item coming back: the value is refunded if the
// patron paid for it within the refund window.
func (s *Service) refundLost(t tx, it *Item, now time.Time, res *CheckinResult) error {
	if it.LostBy == "" || it.LostPaidAt.IsZero() {
		return nil
	}
	p, err := t.patron(it.LostBy)
	if errors.Is(err, ErrPatronNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	r := s.rules(it.Library, p.Category, it.Material)
	if refund := policy.LostRefund(r, it.Value, it.LostPaidAt, now); refund > 0 {
		if _, err := t.addFee(p, Fee{Kind: FeeRefund, Amount: -refund, Created: now, ItemID: it.ID, Description: "lost item returned"}); err != nil {
			return err
		}
		res.Refund = refund
		if err := t.putRecord(bPatron, p.ID, p); err != nil {
			return err
		}
	}
	it.LostBy, it.LostPaidAt = "", time.Time{}
	return nil
}

// route decides where an item at library here goes next: the hold it is
// already trapped for, the first waiting hold on its title, home, or the
// shelf.
func (s *Service) route(t tx, it *Item, here string, now time.Time, res *CheckinResult) error {
	var h *Hold
	if it.HoldID != "" {
		held, err := t.hold(it.HoldID)
		if err != nil {
			return err
		}
		if held.Active() {
			h = held
		}
	}
	if h == nil {
		next, err := s.firstWaiting(t, it.RecordID)
		if err != nil {
			return err
		}
		h = next
	}
	if h != nil {
		p, err := t.patron(h.PatronID)
		if err != nil {
			return err
		}
		h.ItemID = it.ID
		it.HoldID = h.ID
		if h.PickupLibrary == here {
			if err := s.readyHold(t, p, h, it, now); err != nil {
				return err
			}
			res.Disposition = HoldShelf
		} else {
			h.Status = HoldInTransit
			it.Status, it.TransitTo = ItemInTransit, h.PickupLibrary
			res.Disposition, res.Destination = TransitForHold, h.PickupLibrary
			if err := t.putRecord(bHold, h.ID, h); err != nil {
				return err
			}
		}
		res.Hold, res.HoldPatron = h, p
		return nil
	}
	it.HoldID = ""
	if it.Library != here {
		it.Status, it.TransitTo = ItemInTransit, it.Library
		res.Disposition, res.Destination = TransitHome, it.Library
		return nil
	}
	it.Status, it.TransitTo = ItemAvailable, ""
	res.Disposition = Reshelve
	return nil
}

// readyHold puts an item on the hold shelf for h and tells the patron.
func (s *Service) readyHold(t tx, p *Patron, h *Hold, it *Item, now time.Time) error {
	if s.illIsInstitution(p.ID) {
		return s.illReadyForPartner(t, h, it)
	}
	lib, err := s.library(h.PickupLibrary)
	if err != nil {
		return err
	}
	r := s.rules(lib.ID, p.Category, it.Material)
	if h.Status == HoldReady {
		_ = t.Delete(bHoldExpiry, timeKey(h.Expires)+"/"+h.ID)
	}
	h.Status, h.ItemID = HoldReady, it.ID
	h.Expires = policy.HoldExpiry(r, lib.Calendar, now)
	it.Status, it.TransitTo, it.HoldID = ItemOnHold, "", h.ID
	if err := t.putRecord(bHold, h.ID, h); err != nil {
		return err
	}
	if err := t.Put(bHoldExpiry, timeKey(h.Expires)+"/"+h.ID, nil); err != nil {
		return err
	}
	_, err = t.addNotice(Notice{
		ID: "hold_ready/" + h.ID + "/" + it.ID, Kind: NoticeHoldReady, PatronID: p.ID, To: s.recipient(p, now), Language: p.Language,
		Library: lib.ID, ItemID: it.ID, Title: it.Title, Due: h.Expires, Created: now,
	})
	return err
}

// firstWaiting returns the first hold in the title's queue still waiting
// for a copy, or nil.
func (s *Service) firstWaiting(t tx, record string) (*Hold, error) {
	ids, err := t.keys(bRecordHolds, record+"/")
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		h, err := t.hold(id)
		if err != nil {
			return nil, err
		}
		if h.Status == HoldWaiting {
			return h, nil
		}
	}
	return nil, nil
}

// endHold closes a hold and drops it from the queue and the patron's count.
func (s *Service) endHold(t tx, p *Patron, h *Hold, status HoldStatus, now time.Time) error {
	if h.Status == HoldReady {
		if err := t.Delete(bHoldExpiry, timeKey(h.Expires)+"/"+h.ID); err != nil {
			return err
		}
	}
	h.Status, h.Ended = status, now
	if err := t.Delete(bRecordHolds, h.RecordID+"/"+h.ID); err != nil {
		return err
	}
	if err := t.Delete(bPatronHolds, p.ID+"/"+h.ID); err != nil {
		return err
	}
	p.Holds--
	return t.putRecord(bHold, h.ID, h)
}

// recipient is who a notice to p goes to: the guardian for a minor.
func (s *Service) recipient(p *Patron, now time.Time) Contact {
	r := s.rules(p.HomeLibrary, p.Category, "")
	if policy.IsMinor(r, p.BirthDate, now) && p.Guardian != nil {
		return *p.Guardian
	}
	return Contact{Name: p.Name, Email: p.Email, Phone: p.Phone}
}

// sortBin names the sorter bin for a checked-in item: holds, transit per
// destination, review, or the shelf per material type.
func sortBin(d Disposition, dest string, it *Item) string {
	switch d {
	case HoldShelf:
		return "HOLDS"
	case TransitForHold, TransitHome:
		return "TRANSIT-" + dest
	case ItemNeedsReview:
		return "REVIEW"
	}
	return "SHELF-" + it.Material
}
