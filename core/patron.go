package core

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core/policy"
)

// LoanInfo is a loan as its patron sees it.
type LoanInfo struct {
	Loan    Loan
	Title   string
	Overdue bool
	// Accrued is the overdue fine accrued so far (charged at return).
	Accrued Money
}

// PatronSummary is everything a selfcheck shows a patron (SIP2 63/64):
// blocks, counts and the lists. It is confidential: adapters show it only
// to the authenticated patron.
type PatronSummary struct {
	Patron Patron
	// Blocks lists why the patron may not borrow now (empty: may borrow).
	Blocks []Reason
	Loans  []LoanInfo
	Holds  []Hold
	Fees   []Fee
	// Owed is the unpaid balance of fees charged; Accruing is the overdue
	// fine accruing on loans still out (charged at return). A selfcheck
	// shows both (SIP2 BV), and the fee limit counts both.
	Owed     Money
	Accruing Money
	FeeLimit Money
	MaxLoans int
	MaxHolds int
	// Minor: notices go to the guardian.
	Minor bool
}

// Overdue returns the overdue loans.
func (s *PatronSummary) Overdue() []LoanInfo {
	var out []LoanInfo
	for _, l := range s.Loans {
		if l.Overdue {
			out = append(out, l)
		}
	}
	return out
}

// Patron returns the patron's summary. The PIN hash is never included.
func (s *Service) Patron(ctx context.Context, patronID string) (sum PatronSummary, err error) {
	start := time.Now()
	defer func() { s.done("patron", start, err) }()
	err = s.view(ctx, func(t tx) error {
		now := s.clock.Now()
		p, err := t.patron(patronID)
		if err != nil {
			return err
		}
		ps, loans, err := s.patronState(t, p, now)
		if err != nil {
			return err
		}
		r := s.rules(p.HomeLibrary, p.Category, "")
		sum = PatronSummary{Patron: *p, Owed: p.Owed, FeeLimit: r.FeeLimit, MaxLoans: r.MaxLoans, MaxHolds: r.MaxHolds,
			Minor: policy.IsMinor(r, p.BirthDate, now)}
		sum.Patron.PINHash = ""
		if why := policy.Blocked(r, ps); why != policy.OK {
			sum.Blocks = append(sum.Blocks, why)
		}
		if !p.IdentityConfirmed {
			sum.Blocks = append(sum.Blocks, policy.PatronRemoteOnly)
		}
		if !p.Resident {
			sum.Blocks = append(sum.Blocks, policy.PatronReadingRoomOnly)
		}
		if ps.LoansOut >= r.MaxLoans {
			sum.Blocks = append(sum.Blocks, policy.LoanLimitReached)
		}
		for _, ref := range loans {
			l, err := t.loan(ref.LoanID)
			if err != nil {
				return err
			}
			info := LoanInfo{Loan: *l, Overdue: l.Overdue(now)}
			if it, err := t.item(l.ItemID); err == nil {
				info.Title = it.Title
			}
			if info.Overdue {
				if info.Accrued, err = s.accruing(t, p, l.ID, now); err != nil {
					return err
				}
				sum.Accruing += info.Accrued
			}
			sum.Loans = append(sum.Loans, info)
		}
		sort.Slice(sum.Loans, func(i, j int) bool { return sum.Loans[i].Loan.Due.Before(sum.Loans[j].Loan.Due) })
		holdIDs, err := t.keys(bPatronHolds, p.ID+"/")
		if err != nil {
			return err
		}
		for _, id := range holdIDs {
			h, err := t.hold(id)
			if err != nil {
				return err
			}
			sum.Holds = append(sum.Holds, *h)
		}
		feeIDs, err := t.keys(bPatronFees, p.ID+"/")
		if err != nil {
			return err
		}
		for _, id := range feeIDs {
			f, err := t.fee(id)
			if err != nil {
				return err
			}
			sum.Fees = append(sum.Fees, *f)
		}
		return nil
	})
	return sum, err
}

// ResolvePatron finds a patron's card from what a terminal sent: a card
// barcode, or (when allowEID) a national eID personal code.
func (s *Service) ResolvePatron(ctx context.Context, id string, allowEID bool) (card string, err error) {
	err = s.view(ctx, func(t tx) error {
		if _, ok, err := t.Get(bPatron, id); err != nil || ok {
			card = id
			return err
		}
		if allowEID {
			if v, ok, err := t.Get(bPatronEID, s.eidHash(id)); err != nil || ok {
				card = string(v)
				return err
			}
		}
		return refuse(ReasonPatronNotFound, "no patron %q", id)
	})
	return card, err
}

// Authentication is what Authenticate found out.
type Authentication struct {
	// Card is the patron's card number.
	Card string
	// ByEID: the patron was identified by an eID personal code.
	ByEID bool
	// PINChecked and PINValid report the PIN check, when a PIN was given.
	PINChecked, PINValid bool
	// PINLocked: the card had too many wrong PINs (or this one was the
	// last allowed); its PIN is refused for a while (DefaultPINLockout).
	PINLocked bool
}

// Authenticate resolves what a terminal sent (a card number, or an eID
// personal code when allowEID) and, when pin is not nil, checks the PIN —
// one lookup for both. An empty PIN is a wrong one. A refusal is only
// returned for an unknown patron; a wrong PIN is reported in the result.
func (s *Service) Authenticate(ctx context.Context, id string, pin *string, allowEID bool) (a Authentication, err error) {
	start := time.Now()
	defer func() { s.done("authenticate", start, err) }()
	id = strings.TrimSpace(id)
	var hash string
	err = s.view(ctx, func(t tx) error {
		p, err := t.patron(id)
		if err != nil && allowEID && ReasonOf(err) == ReasonPatronNotFound {
			if v, ok, gerr := t.Get(bPatronEID, s.eidHash(id)); gerr != nil {
				return gerr
			} else if ok {
				a.ByEID = true
				p, err = t.patron(string(v))
			}
		}
		if err != nil {
			return err
		}
		a.Card, hash = p.ID, p.PINHash
		return nil
	})
	if err != nil || pin == nil {
		return a, err
	}
	a.PINChecked = true
	a.PINValid, a.PINLocked, err = s.checkPIN(ctx, a.Card, hash, *pin)
	return a, err
}

// VerifyPatron checks a patron's PIN. It never logs or stores the PIN.
// Recent successes are cached (as keyed HMACs) so a selfcheck sending the
// PIN with every message does not pay the KDF each time.
func (s *Service) VerifyPatron(ctx context.Context, patronID, pin string) (err error) {
	start := time.Now()
	defer func() { s.done("verify_patron", start, err) }()
	var hash string
	err = s.view(ctx, func(t tx) error {
		p, err := t.patron(patronID)
		if err != nil {
			return err
		}
		hash = p.PINHash
		return nil
	})
	if err != nil {
		return err
	}
	ok, locked, err := s.checkPIN(ctx, patronID, hash, pin)
	if err != nil {
		return err
	}
	if locked {
		return refuse(ReasonPINLocked, "patron %s", patronID)
	}
	if !ok {
		return refuse(ReasonBadPIN, "patron %s", patronID)
	}
	return nil
}

// BlockPatron blocks a patron by hand (staff, or a selfcheck that retained
// a card: SIP2 01).
func (s *Service) BlockPatron(ctx context.Context, patronID, reason string) (err error) {
	start := time.Now()
	defer func() { s.done("block_patron", start, err) }()
	return s.update(ctx, func(t tx) error {
		p, err := t.patron(patronID)
		if err != nil {
			return err
		}
		p.Blocked, p.BlockReason, p.BlockedBy = true, reason, ""
		return t.putRecord(bPatron, p.ID, p)
	})
}

// EnablePatron lifts a manual block (SIP2 25). Blocks that come from the
// rules (overdue items, fees) stay until settled.
func (s *Service) EnablePatron(ctx context.Context, patronID string) (err error) {
	start := time.Now()
	defer func() { s.done("enable_patron", start, err) }()
	return s.update(ctx, func(t tx) error {
		p, err := t.patron(patronID)
		if err != nil {
			return err
		}
		p.Blocked, p.BlockReason, p.BlockedBy = false, "", ""
		return t.putRecord(bPatron, p.ID, p)
	})
}

// ItemSummary is an item with its circulation state (SIP2 17, OPAC
// holdings). It never says who has the item.
type ItemSummary struct {
	Item Item
	// Due is set while on loan.
	Due time.Time
	// HoldQueue counts active holds on the title.
	HoldQueue int
	// HoldPickup is the pickup library of the hold it is trapped for.
	HoldPickup  string
	HoldExpires time.Time
}

// Item returns an item's circulation state.
func (s *Service) Item(ctx context.Context, itemID string) (sum ItemSummary, err error) {
	start := time.Now()
	defer func() { s.done("item", start, err) }()
	err = s.view(ctx, func(t tx) error {
		it, err := t.item(itemID)
		if err != nil {
			return err
		}
		sum = ItemSummary{Item: *it}
		if it.Status == ItemOnLoan {
			l, err := t.loan(it.LoanID)
			if err != nil {
				return err
			}
			sum.Due = l.Due
		}
		if it.HoldID != "" {
			if h, err := t.hold(it.HoldID); err == nil {
				sum.HoldPickup, sum.HoldExpires = h.PickupLibrary, h.Expires
			} else if !errors.Is(err, ErrHoldNotFound) {
				return err
			}
		}
		q, err := t.keys(bRecordHolds, it.RecordID+"/")
		sum.HoldQueue = len(q)
		return err
	})
	return sum, err
}

// ItemsOfRecord returns the circulation state of every copy of a title,
// for live holdings.
func (s *Service) ItemsOfRecord(ctx context.Context, recordID string) (out []ItemSummary, err error) {
	err = s.view(ctx, func(t tx) error {
		out = out[:0]
		ids, err := t.keys(bRecordItems, recordID+"/")
		if err != nil {
			return err
		}
		for _, id := range ids {
			it, err := t.item(id)
			if err != nil {
				return err
			}
			sum := ItemSummary{Item: *it}
			if it.Status == ItemOnLoan {
				if l, err := t.loan(it.LoanID); err == nil {
					sum.Due = l.Due
				}
			}
			out = append(out, sum)
		}
		return nil
	})
	return out, err
}
