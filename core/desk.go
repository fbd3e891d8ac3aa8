package core

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/store"
)

// The staff desk: what a librarian does that a selfcheck cannot. Every call
// takes the Actor, checks Permit for the object's library in the
// transaction, does the same work as the selfcheck's call (the same
// transaction functions: checkoutTx, checkinTx, renewIn, payTx,
// decideRenewalTx, declareLostTx) and writes the audit entry in that
// transaction.

// NoticeHoldRefused tells a patron a reservation was refused at review,
// with the librarian's reason.
const NoticeHoldRefused NoticeKind = "hold_refused"

// ReasonNotPending is the refusal of a review of something not waiting
// for one.
const ReasonNotPending Reason = "not_pending"

// staffUpdate runs fn in a read-write transaction with the actor's account
// loaded in it.
func (s *Service) staffUpdate(ctx context.Context, op string, by Actor, fn func(t tx, a Actor, now time.Time) error) (err error) {
	start := time.Now()
	defer func() { s.done("desk_"+op, start, err) }()
	return s.update(ctx, func(t tx) error {
		a, err := s.actorIn(t, &by)
		if err != nil {
			return err
		}
		return fn(t, a, s.clock.Now())
	})
}

func (s *Service) staffView(ctx context.Context, op string, by Actor, fn func(t tx, a Actor, now time.Time) error) (err error) {
	start := time.Now()
	defer func() { s.done("desk_"+op, start, err) }()
	return s.view(ctx, func(t tx) error {
		a, err := s.actorIn(t, &by)
		if err != nil {
			return err
		}
		return fn(t, a, s.clock.Now())
	})
}

// deskPatron is the patron with card, once the actor is found allowed to
// do act at their home library.
func deskPatron(t tx, a Actor, card string, act Action) (*Patron, error) {
	p, err := t.patron(card)
	if err != nil {
		return nil, err
	}
	if err := Permit(a.Staff, act, p.HomeLibrary); err != nil {
		return nil, err
	}
	return p, nil
}

// deskLibrary is the actor's library, once they are found allowed to
// circulate there.
func (s *Service) deskLibrary(a Actor) (*Library, error) {
	if err := Permit(a.Staff, ActCirculate, a.Staff.Library); err != nil {
		return nil, err
	}
	return s.library(a.Staff.Library)
}

// staffPatron is a patron as the desk sees it: without the PIN hash and
// the eID hash.
func staffPatron(p Patron) Patron {
	p.PINHash, p.PersonalCode = "", ""
	return p
}

// PatronMatch is one patron found at the desk.
type PatronMatch struct {
	Patron Patron
	// By says what matched: "card", "eid" or "name".
	By string
}

// FindPatrons finds patrons by card number, eID personal code, or name
// (every word of q found at the start of a word of the name, case and
// diacritics ignored: "berzins" finds "Jānis Bērziņš"). At most limit
// (default 50) are returned, by card.
func (s *Service) FindPatrons(ctx context.Context, by Actor, q string, limit int) (out []PatronMatch, err error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, refuse(ReasonBadRequest, "empty search")
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	words := strings.Fields(search.Fold(search.Normalize(q)))
	err = s.staffView(ctx, "find_patrons", by, func(t tx, a Actor, _ time.Time) error {
		out = out[:0]
		if err := Permit(a.Staff, ActPatronRead, ""); err != nil {
			return err
		}
		if p, err := t.patron(q); err == nil {
			out = append(out, PatronMatch{Patron: staffPatron(*p), By: "card"})
			return nil
		} else if ReasonOf(err) == "" {
			return err
		}
		if v, ok, err := t.Get(bPatronEID, s.eidHash(normalisePersonalCode(q))); err != nil {
			return err
		} else if ok {
			p, err := t.patron(string(v))
			if err != nil {
				return err
			}
			out = append(out, PatronMatch{Patron: staffPatron(*p), By: "eid"})
			return nil
		}
		return t.Scan(bPatron, "", func(_ string, v []byte) error {
			var p Patron
			if err := decode(v, &p); err != nil {
				return err
			}
			if nameMatches(p.Name, words) {
				out = append(out, PatronMatch{Patron: staffPatron(p), By: "name"})
				if len(out) >= limit {
					return store.ErrStopScan
				}
			}
			return nil
		})
	})
	return out, err
}

// nameMatches reports whether every query word starts a word of name.
func nameMatches(name string, words []string) bool {
	nw := strings.FieldsFunc(search.Fold(search.Normalize(name)), func(r rune) bool { return r == ' ' || r == '-' || r == ',' })
	for _, w := range words {
		found := false
		for _, n := range nw {
			if strings.HasPrefix(n, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return len(words) > 0
}

// StaffPatron is the desk's view of a patron: their current loans, holds
// and fees, blocks and counts. Returned loans are never shown (the loan
// history is confidential, 002 §21).
func (s *Service) StaffPatron(ctx context.Context, by Actor, card string) (sum PatronSummary, err error) {
	err = s.staffView(ctx, "patron", by, func(t tx, a Actor, _ time.Time) error {
		_, err := deskPatron(t, a, card, ActPatronRead)
		return err
	})
	if err != nil {
		return PatronSummary{}, err
	}
	sum, err = s.Patron(ctx, card)
	sum.Patron = staffPatron(sum.Patron)
	return sum, err
}

// PatronChanges are the fields of a patron a librarian edits; nil leaves a
// field as it is.
type PatronChanges struct {
	Name       *string    `json:"name,omitempty"`
	Email      *string    `json:"email,omitempty"`
	Phone      *string    `json:"phone,omitempty"`
	Category   *string    `json:"category,omitempty"`
	Language   *string    `json:"language,omitempty"`
	Resident   *bool      `json:"resident,omitempty"`
	BirthDate  *time.Time `json:"birth_date,omitempty"`
	ValidUntil *time.Time `json:"valid_until,omitempty"`
	Guardian   *Contact   `json:"guardian,omitempty"`
}

// EditPatron changes a patron's details at their home library.
func (s *Service) EditPatron(ctx context.Context, by Actor, card string, c PatronChanges) (out Patron, err error) {
	err = s.staffUpdate(ctx, "edit_patron", by, func(t tx, a Actor, _ time.Time) error {
		p, err := deskPatron(t, a, card, ActPatronEdit)
		if err != nil {
			return err
		}
		before := staffPatron(*p)
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = strings.TrimSpace(*v)
			}
		}
		set(&p.Name, c.Name)
		set(&p.Email, c.Email)
		set(&p.Phone, c.Phone)
		set(&p.Category, c.Category)
		set(&p.Language, c.Language)
		if c.Resident != nil {
			p.Resident = *c.Resident
		}
		if c.BirthDate != nil {
			p.BirthDate = *c.BirthDate
		}
		if c.ValidUntil != nil {
			p.ValidUntil = *c.ValidUntil
		}
		if c.Guardian != nil {
			g := *c.Guardian
			p.Guardian = &g
			if g == (Contact{}) {
				p.Guardian = nil
			}
		}
		if p.Name == "" {
			return refuse(ReasonBadRequest, "a patron needs a name")
		}
		if err := t.putRecord(bPatron, p.ID, p); err != nil {
			return err
		}
		out = staffPatron(*p)
		return s.audit(t, a, "patron_edit", "patron/"+p.ID, p.HomeLibrary, before, out)
	})
	return out, err
}

// ConfirmIdentity records that a remotely registered patron showed their
// identity document in person: from now on they may borrow. document says
// what was shown ("passport", "ID card"); its number is not kept.
func (s *Service) ConfirmIdentity(ctx context.Context, by Actor, card, document string) (out Patron, err error) {
	err = s.staffUpdate(ctx, "confirm_identity", by, func(t tx, a Actor, now time.Time) error {
		p, err := deskPatron(t, a, card, ActPatronEdit)
		if err != nil {
			return err
		}
		if p.IdentityConfirmed {
			return refuse(ReasonNotPending, "patron %s is already confirmed", p.ID)
		}
		before := staffPatron(*p)
		p.IdentityConfirmed, p.LastActive = true, now
		if err := t.putRecord(bPatron, p.ID, p); err != nil {
			return err
		}
		out = staffPatron(*p)
		return s.audit(t, a, "patron_confirm_identity", "patron/"+p.ID, p.HomeLibrary, before,
			map[string]any{"patron": out, "document": clip(document, 64)})
	})
	return out, err
}

// SetPatronBlock blocks a patron with a reason, or (block false) lifts a
// manual block, whoever set it. Blocks the rules impose (overdue items,
// fees) are not lifted here: they end when settled.
func (s *Service) SetPatronBlock(ctx context.Context, by Actor, card string, block bool, reason string) (out Patron, err error) {
	reason = strings.TrimSpace(reason)
	if block && reason == "" {
		return Patron{}, refuse(ReasonBadRequest, "a block needs a reason")
	}
	err = s.staffUpdate(ctx, "block", by, func(t tx, a Actor, _ time.Time) error {
		p, err := deskPatron(t, a, card, ActPatronEdit)
		if err != nil {
			return err
		}
		before := staffPatron(*p)
		action := "patron_block"
		if block {
			p.Blocked, p.BlockReason, p.BlockedBy = true, reason, ""
		} else {
			p.Blocked, p.BlockReason, p.BlockedBy = false, "", ""
			action = "patron_unblock"
		}
		if err := t.putRecord(bPatron, p.ID, p); err != nil {
			return err
		}
		out = staffPatron(*p)
		return s.audit(t, a, action, "patron/"+p.ID, p.HomeLibrary, before, out)
	})
	return out, err
}

// DeskCheckout lends a copy at the librarian's library, by the same rules
// as a selfcheck.
func (s *Service) DeskCheckout(ctx context.Context, by Actor, card, barcode string) (res CheckoutResult, err error) {
	err = s.staffUpdate(ctx, "checkout", by, func(t tx, a Actor, _ time.Time) error {
		lib, err := s.deskLibrary(a)
		if err != nil {
			return err
		}
		if err := s.checkoutTx(lib, CheckoutRequest{Library: lib.ID, PatronID: card, ItemID: barcode}, &res)(t); err != nil {
			return err
		}
		return s.auditFor(t, a, card, "checkout", "loan/"+res.Loan.ID, lib.ID, nil, res.Loan)
	})
	return res, err
}

// DeskCheckin returns a copy at the librarian's library, by the same rules
// as a selfcheck (holds trapped, transit, fines).
func (s *Service) DeskCheckin(ctx context.Context, by Actor, barcode string) (res CheckinResult, err error) {
	err = s.staffUpdate(ctx, "checkin", by, func(t tx, a Actor, _ time.Time) error {
		lib, err := s.deskLibrary(a)
		if err != nil {
			return err
		}
		if err := s.checkinTx(lib, CheckinRequest{Library: lib.ID, ItemID: barcode}, &res)(t); err != nil {
			return err
		}
		card, obj := "", "item/"+barcode
		if res.Loan != nil {
			card, obj = res.Loan.PatronID, "loan/"+res.Loan.ID
		}
		return s.auditFor(t, a, card, "checkin", obj, lib.ID, nil,
			map[string]any{"disposition": res.Disposition, "destination": res.Destination, "fine": res.Fine, "item": barcode})
	})
	return res, err
}

// DeskRenew renews a patron's loan at the desk by the same rules as a
// selfcheck: where the library reviews renewals, it files the request.
func (s *Service) DeskRenew(ctx context.Context, by Actor, card, barcode string) (res RenewResult, err error) {
	err = s.staffUpdate(ctx, "renew", by, func(t tx, a Actor, now time.Time) error {
		if err := Permit(a.Staff, ActCirculate, a.Staff.Library); err != nil {
			return err
		}
		var before Loan
		if it, err := t.item(barcode); err == nil && it.LoanID != "" {
			if l, err := t.loan(it.LoanID); err == nil {
				before = *l
			}
		}
		r, err := s.renewIn(t, card, barcode, now)
		res = r
		if err != nil {
			return err
		}
		return s.auditFor(t, a, card, "renew", "loan/"+r.Loan.ID, r.Loan.Library, before, r.Loan)
	})
	return res, err
}

// feeLibrary is the library a fee belongs to: the loan's, else the copy's,
// else the patron's home library.
func (s *Service) feeLibrary(t tx, f *Fee, p *Patron) (string, error) {
	if f.LoanID != "" {
		if l, err := t.loan(f.LoanID); err == nil {
			return l.Library, nil
		} else if ReasonOf(err) == "" {
			return "", err
		}
	}
	if f.ItemID != "" {
		if it, err := t.item(f.ItemID); err == nil {
			return it.Library, nil
		} else if ReasonOf(err) == "" {
			return "", err
		}
	}
	return p.HomeLibrary, nil
}

// DeskPay takes a payment at the desk: the same as a selfcheck's payment,
// audited. pay.FeeID empty pays the oldest fees first; each fee paid must
// be one the librarian may take payment for.
func (s *Service) DeskPay(ctx context.Context, by Actor, pay Payment) (rec Receipt, err error) {
	if pay.Amount <= 0 {
		return Receipt{}, refuse(ReasonBadRequest, "payment amount %v", pay.Amount)
	}
	err = s.staffUpdate(ctx, "pay", by, func(t tx, a Actor, _ time.Time) error {
		p, err := deskPatron(t, a, pay.PatronID, ActFeePay)
		if err != nil {
			return err
		}
		if err := s.payTx(pay, &rec)(t); err != nil {
			return err
		}
		for _, ap := range rec.Applied {
			f, err := t.fee(ap.FeeID)
			if err != nil {
				return err
			}
			lib, err := s.feeLibrary(t, f, p)
			if err != nil {
				return err
			}
			if err := Permit(a.Staff, ActFeePay, lib); err != nil {
				return err
			}
			if err := s.auditFor(t, a, p.ID, "fee_pay", "fee/"+f.ID, lib, nil,
				map[string]any{"amount": ap.Amount, "outstanding": f.Outstanding(), "transaction": pay.TransactionID}); err != nil {
				return err
			}
		}
		return nil
	})
	return rec, err
}

// WaiveFee waives what is outstanding on a fee, for a reason the
// librarian gives (kept on the fee and in the audit log). Waiving is for
// the library the fee belongs to.
func (s *Service) WaiveFee(ctx context.Context, by Actor, feeID, reason string) (out Fee, err error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Fee{}, refuse(ReasonBadRequest, "a waiver needs a reason")
	}
	err = s.staffUpdate(ctx, "waive", by, func(t tx, a Actor, _ time.Time) error {
		f, err := t.fee(feeID)
		if err != nil {
			return err
		}
		if f.PatronID == "" {
			return refuse(ReasonFeeNotFound, "fee %s has no patron", feeID)
		}
		p, err := t.patron(f.PatronID)
		if err != nil {
			return err
		}
		lib, err := s.feeLibrary(t, f, p)
		if err != nil {
			return err
		}
		if err := Permit(a.Staff, ActFeeWaive, lib); err != nil {
			return err
		}
		owed := f.Outstanding()
		if owed <= 0 {
			return refuse(ReasonNothingOwed, "fee %s", f.ID)
		}
		before := *f
		f.Waived += owed
		f.WaiveReason = clip(reason, 500)
		p.Owed -= owed
		if err := t.putRecord(bFee, f.ID, f); err != nil {
			return err
		}
		if err := t.Delete(bPatronFees, p.ID+"/"+f.ID); err != nil {
			return err
		}
		if err := t.putRecord(bPatron, p.ID, p); err != nil {
			return err
		}
		out = *f
		return s.auditFor(t, a, p.ID, "fee_waive", "fee/"+f.ID, lib, before, out)
	})
	return out, err
}

// ItemCondition is what a librarian declares about a copy.
type ItemCondition string

// Conditions.
const (
	// ItemDeclaredLost: on loan, the patron is charged as DeclareLost
	// does; on the shelf, the copy is marked missing.
	ItemDeclaredLost ItemCondition = "lost"
	// ItemDeclaredDamaged charges the borrower (or the given patron) the
	// damage amount.
	ItemDeclaredDamaged ItemCondition = "damaged"
	// ItemDeclaredFound: a lost or missing copy is back; it is checked in
	// here (a lost copy's value refunded or cancelled as at a return).
	ItemDeclaredFound ItemCondition = "found"
)

// ItemDeclaration is the outcome of DeclareItem.
type ItemDeclaration struct {
	Item    Item
	Fees    []Fee
	Checkin *CheckinResult
}

// DeclareItem declares a copy lost, damaged or found. For damage, card is
// the patron charged (default: the borrower) and amount the compensation
// the library sets.
func (s *Service) DeclareItem(ctx context.Context, by Actor, barcode string, cond ItemCondition, card string, amount Money, note string) (out ItemDeclaration, err error) {
	err = s.staffUpdate(ctx, "declare_item", by, func(t tx, a Actor, _ time.Time) error {
		out = ItemDeclaration{}
		it, err := t.item(barcode)
		if err != nil {
			return err
		}
		if err := Permit(a.Staff, ActItemStatus, it.Library); err != nil {
			return err
		}
		before := *it
		borrower := ""
		if it.Status == ItemOnLoan {
			if l, err := t.loan(it.LoanID); err == nil {
				borrower = l.PatronID
			}
		}
		switch cond {
		case ItemDeclaredLost:
			if it.Status == ItemOnLoan {
				if err := s.declareLostTx(barcode, &out.Fees)(t); err != nil {
					return err
				}
			} else {
				if it.Status == ItemLost || it.Status == ItemMissing || it.Status == ItemWithdrawn {
					return refuse(ReasonItemUnusable, "item %s is %s", it.ID, it.Status)
				}
				if it.HoldID != "" {
					if h, err := t.hold(it.HoldID); err == nil && h.Active() && h.ItemID == it.ID {
						if h.Status == HoldReady {
							if err := t.Delete(bHoldExpiry, timeKey(h.Expires)+"/"+h.ID); err != nil {
								return err
							}
						}
						// The reservation waits for another copy.
						h.ItemID, h.Status, h.Expires = "", HoldWaiting, time.Time{}
						if err := t.putRecord(bHold, h.ID, h); err != nil {
							return err
						}
					}
				}
				it.Status, it.HoldID, it.TransitTo = ItemMissing, "", ""
				if err := t.putRecord(bItem, it.ID, it); err != nil {
					return err
				}
			}
		case ItemDeclaredDamaged:
			if card == "" {
				card = borrower
			}
			if card == "" {
				return refuse(ReasonBadRequest, "item %s is not on loan: name the patron to charge", it.ID)
			}
			var f Fee
			desc := "damaged: " + it.Title
			if note != "" {
				desc += " (" + clip(note, 200) + ")"
			}
			if err := s.chargeTx(card, FeeDamage, amount, it.ID, desc, &f)(t); err != nil {
				return err
			}
			out.Fees = append(out.Fees, f)
		case ItemDeclaredFound:
			if it.Status != ItemLost && it.Status != ItemMissing {
				return refuse(ReasonNotPending, "item %s is %s, not lost or missing", it.ID, it.Status)
			}
			lib, err := s.library(a.Staff.Library)
			if err != nil {
				return err
			}
			var res CheckinResult
			if err := s.checkinTx(lib, CheckinRequest{Library: lib.ID, ItemID: it.ID}, &res)(t); err != nil {
				return err
			}
			if res.Disposition == ItemNeedsReview {
				// Checkin leaves a missing copy for review: here it is reviewed.
				x, err := t.item(it.ID)
				if err != nil {
					return err
				}
				x.Status = ItemAvailable
				if err := s.route(t, x, lib.ID, s.clock.Now(), &res); err != nil {
					return err
				}
				res.SortBin = sortBin(res.Disposition, res.Destination, x)
				res.Item = *x
				if err := t.putRecord(bItem, x.ID, x); err != nil {
					return err
				}
			}
			out.Checkin = &res
		default:
			return refuse(ReasonBadRequest, "unknown condition %q (lost, damaged, found)", cond)
		}
		now, err := t.item(barcode)
		if err != nil {
			return err
		}
		out.Item = *now
		if card == "" {
			card = borrower
		}
		if card == "" {
			card = before.LostBy
		}
		return s.auditFor(t, a, card, "item_"+string(cond), "item/"+it.ID, it.Library, before,
			map[string]any{"item": out.Item, "fees": out.Fees, "note": clip(note, 200)})
	})
	return out, err
}

// RenewalRequest is a loan waiting for a librarian's decision.
type RenewalRequest struct {
	Loan   Loan   `json:"loan"`
	Title  string `json:"title,omitempty"`
	Patron string `json:"patron"`
	// Overdue: the due date passed while it waited.
	Overdue bool `json:"overdue,omitempty"`
}

// RenewalRequests lists the renewal requests on loans of the librarian's
// library (all libraries for a consortium administrator), oldest due
// first.
func (s *Service) RenewalRequests(ctx context.Context, by Actor) (out []RenewalRequest, err error) {
	err = s.staffView(ctx, "renewal_requests", by, func(t tx, a Actor, now time.Time) error {
		out = out[:0]
		if err := Permit(a.Staff, ActRenewalDecide, a.Staff.Library); err != nil {
			return err
		}
		return t.Scan(bDue, "", func(k string, _ []byte) error {
			_, id, _ := strings.Cut(k, "/")
			l, err := t.loan(id)
			if err != nil {
				return err
			}
			if !l.RenewalRequested || Permit(a.Staff, ActRenewalDecide, l.Library) != nil {
				return nil
			}
			r := RenewalRequest{Loan: *l, Patron: l.PatronID, Overdue: l.Overdue(now)}
			if it, err := t.item(l.ItemID); err == nil {
				r.Title = it.Title
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// DecideRenewalRequest approves or rejects a renewal request of the
// librarian's library. An approval is re-checked against the rules as
// they stand (DecideRenewal): when they now refuse, the request is
// rejected with the rule's reason and that refusal is returned. reason is
// told to the patron on a rejection.
func (s *Service) DecideRenewalRequest(ctx context.Context, by Actor, loanID string, approve bool, reason string) (loan Loan, err error) {
	reason = strings.TrimSpace(reason)
	if !approve && reason == "" {
		return Loan{}, refuse(ReasonBadRequest, "a rejection needs a reason")
	}
	var refusal error
	err = s.staffUpdate(ctx, "decide_renewal", by, func(t tx, a Actor, _ time.Time) error {
		l, err := t.loan(loanID)
		if err != nil {
			return err
		}
		if err := Permit(a.Staff, ActRenewalDecide, l.Library); err != nil {
			return err
		}
		before := *l
		if err := s.decideRenewalTx(loanID, approve, clip(reason, 500), &loan, &refusal)(t); err != nil {
			return err
		}
		action := "renewal_approve"
		if !approve || refusal != nil {
			action = "renewal_reject"
		}
		after := map[string]any{"loan": loan}
		if refusal != nil {
			after["refused_by_rule"] = ReasonOf(refusal)
		} else if !approve {
			after["reason"] = reason
		}
		return s.auditFor(t, a, before.PatronID, action, "loan/"+l.ID, l.Library, before, after)
	})
	if err == nil {
		err = refusal
	}
	return loan, err
}

// HoldForReview is a reservation in the daily review queue.
type HoldForReview struct {
	Hold   Hold   `json:"hold"`
	Patron string `json:"patron"`
	// Position is its place in the title's queue (1: first).
	Position int `json:"position"`
	// OnShelf counts copies of the title on a shelf now, anywhere.
	OnShelf int `json:"on_shelf"`
}

// HoldReviewQueue lists the reservations to pick up at the librarian's
// library that nobody has reviewed yet, oldest first (seed 000: reviewed
// each working day).
func (s *Service) HoldReviewQueue(ctx context.Context, by Actor) (out []HoldForReview, err error) {
	err = s.staffView(ctx, "hold_queue", by, func(t tx, a Actor, _ time.Time) error {
		out = out[:0]
		if err := Permit(a.Staff, ActHoldReview, a.Staff.Library); err != nil {
			return err
		}
		pos := map[string]int{}
		onShelf := map[string]int{}
		return t.Scan(bRecordHolds, "", func(k string, _ []byte) error {
			record, id, _ := strings.Cut(k, "/")
			pos[record]++
			h, err := t.hold(id)
			if err != nil {
				return err
			}
			if !h.Reviewed.IsZero() || !h.Active() || Permit(a.Staff, ActHoldReview, h.PickupLibrary) != nil {
				return nil
			}
			n, seen := onShelf[record]
			if !seen {
				if n, err = s.copiesOnShelf(t, record); err != nil {
					return err
				}
				onShelf[record] = n
			}
			out = append(out, HoldForReview{Hold: *h, Patron: h.PatronID, Position: pos[record], OnShelf: n})
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Hold.Placed.Before(out[j].Hold.Placed) })
	return out, err
}

func (s *Service) copiesOnShelf(t tx, record string) (int, error) {
	ids, err := t.keys(bRecordItems, record+"/")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		it, err := t.item(id)
		if err != nil {
			return 0, err
		}
		if it.Status == ItemAvailable {
			n++
		}
	}
	return n, nil
}

// ReviewHold approves a reservation or refuses it with a reason the
// patron is told. A refused hold ends (a copy trapped for it goes to the
// next in the queue).
func (s *Service) ReviewHold(ctx context.Context, by Actor, holdID string, approve bool, reason string) (out Hold, err error) {
	reason = strings.TrimSpace(reason)
	if !approve && reason == "" {
		return Hold{}, refuse(ReasonBadRequest, "a refusal needs a reason the patron can read")
	}
	err = s.staffUpdate(ctx, "review_hold", by, func(t tx, a Actor, now time.Time) error {
		h, err := t.hold(holdID)
		if err != nil {
			return err
		}
		if err := Permit(a.Staff, ActHoldReview, h.PickupLibrary); err != nil {
			return err
		}
		if !h.Active() || !h.Reviewed.IsZero() {
			return refuse(ReasonNotPending, "hold %s is %s and not waiting for review", h.ID, h.Status)
		}
		before := *h
		p, err := t.patron(h.PatronID)
		if err != nil {
			return err
		}
		h.Reviewed = now
		action := "hold_approve"
		if approve {
			if err := t.putRecord(bHold, h.ID, h); err != nil {
				return err
			}
		} else {
			action = "hold_refuse"
			h.Reason = clip(reason, 500)
			if err := s.releaseTrapped(t, h, now); err != nil {
				return err
			}
			if err := s.endHold(t, p, h, HoldRefused, now); err != nil {
				return err
			}
			if err := t.putRecord(bPatron, p.ID, p); err != nil {
				return err
			}
			if _, err := t.addNotice(Notice{ID: "hold_refused/" + h.ID, Kind: NoticeHoldRefused, PatronID: p.ID,
				To: s.recipient(p, now), Language: p.Language, Library: h.PickupLibrary, Title: h.Title, Reason: h.Reason,
				Created: now}); err != nil {
				return err
			}
		}
		out = *h
		return s.auditFor(t, a, p.ID, action, "hold/"+h.ID, h.PickupLibrary, before, out)
	})
	return out, err
}

// PullSlip is one copy to take off a shelf for a reservation.
type PullSlip struct {
	Library    string    `json:"library"`
	ItemID     string    `json:"item_id"`
	CallNumber string    `json:"call_number,omitempty"`
	Title      string    `json:"title,omitempty"`
	HoldID     string    `json:"hold_id"`
	Pickup     string    `json:"pickup_library"`
	Placed     time.Time `json:"placed"`
}

// PullList lists, for the librarian's library (every library for a
// consortium administrator), the copies on its shelves of titles that
// have a reservation waiting for a copy, by call number. Each waiting hold
// is listed once per library holding a copy on the shelf.
func (s *Service) PullList(ctx context.Context, by Actor) (out []PullSlip, err error) {
	err = s.staffView(ctx, "pull_list", by, func(t tx, a Actor, _ time.Time) error {
		out = out[:0]
		if err := Permit(a.Staff, ActHoldReview, a.Staff.Library); err != nil {
			return err
		}
		type waiting struct{ record, id string }
		var holds []waiting
		if err := t.Scan(bRecordHolds, "", func(k string, _ []byte) error {
			record, id, _ := strings.Cut(k, "/")
			holds = append(holds, waiting{record, id})
			return nil
		}); err != nil {
			return err
		}
		for _, w := range holds {
			h, err := t.hold(w.id)
			if err != nil {
				return err
			}
			if h.Status != HoldWaiting {
				continue
			}
			ids, err := t.keys(bRecordItems, w.record+"/")
			if err != nil {
				return err
			}
			seen := map[string]bool{}
			for _, id := range ids {
				it, err := t.item(id)
				if err != nil {
					return err
				}
				if it.Status != ItemAvailable || seen[it.Library] || Permit(a.Staff, ActHoldReview, it.Library) != nil {
					continue
				}
				seen[it.Library] = true
				out = append(out, PullSlip{Library: it.Library, ItemID: it.ID, CallNumber: it.CallNumber, Title: it.Title,
					HoldID: h.ID, Pickup: h.PickupLibrary, Placed: h.Placed})
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Library != out[j].Library {
			return out[i].Library < out[j].Library
		}
		return out[i].CallNumber < out[j].CallNumber
	})
	return out, err
}

// Dashboard is the desk's counts for one library.
type Dashboard struct {
	Library         string `json:"library"`
	RenewalRequests int    `json:"renewal_requests"`
	HoldsToReview   int    `json:"holds_to_review"`
	PullList        int    `json:"pull_list"`
	// InTransitHere counts reservations whose copy is on its way to this
	// library.
	InTransitHere int `json:"in_transit_here"`
	// HoldsReady counts reservations on this library's hold shelf.
	HoldsReady int `json:"holds_ready"`
	// Overdue counts this library's loans past their due date.
	Overdue int `json:"overdue"`
}

// StaffDashboard counts what waits for the librarian's library.
func (s *Service) StaffDashboard(ctx context.Context, by Actor) (d Dashboard, err error) {
	var who Staff
	err = s.staffView(ctx, "dashboard", by, func(t tx, a Actor, now time.Time) error {
		who = a.Staff
		lib := a.Staff.Library
		d = Dashboard{Library: lib}
		if err := Permit(a.Staff, ActDashboard, lib); err != nil {
			return err
		}
		if err := t.Scan(bDue, "", func(k string, _ []byte) error {
			_, id, _ := strings.Cut(k, "/")
			l, err := t.loan(id)
			if err != nil {
				return err
			}
			if l.Library != lib {
				return nil
			}
			if l.RenewalRequested {
				d.RenewalRequests++
			}
			if l.Overdue(now) {
				d.Overdue++
			}
			return nil
		}); err != nil {
			return err
		}
		return t.Scan(bRecordHolds, "", func(k string, _ []byte) error {
			_, id, _ := strings.Cut(k, "/")
			h, err := t.hold(id)
			if err != nil {
				return err
			}
			if h.PickupLibrary != lib {
				return nil
			}
			switch {
			case h.Status == HoldInTransit:
				d.InTransitHere++
			case h.Status == HoldReady:
				d.HoldsReady++
			}
			if h.Active() && h.Reviewed.IsZero() {
				d.HoldsToReview++
			}
			return nil
		})
	})
	if err != nil {
		return d, err
	}
	if Permit(who, ActHoldReview, d.Library) != nil {
		return d, nil
	}
	pull, err := s.PullList(ctx, by)
	for _, p := range pull {
		if p.Library == d.Library {
			d.PullList++
		}
	}
	return d, err
}

// ReasonPatronExists refuses a registration under a card or personal code
// already registered.
const ReasonPatronExists Reason = "patron_exists"

// DeskRegistration is a patron registered at the desk.
type DeskRegistration struct {
	Patron Patron
	// PIN is hashed; it is never stored or logged.
	PIN string
	// RemoteOnly keeps the patron to remote services until they show an
	// identity document in person (a registration taken over the phone
	// or by mail); false: the document was shown at the desk.
	RemoteOnly bool
}

// RegisterPatron registers a new patron at the librarian's library (or
// the given home library, where the librarian may edit patrons). A minor
// (under the rules' minor age) is registered by a guardian, who receives
// their notices (002 §9): the guardian's name and an address are needed.
func (s *Service) RegisterPatron(ctx context.Context, by Actor, reg DeskRegistration) (out Patron, err error) {
	p := reg.Patron
	p.ID, p.Name = strings.TrimSpace(p.ID), strings.TrimSpace(p.Name)
	switch {
	case p.ID == "" || strings.ContainsAny(p.ID, "/ \t\r\n|"):
		return Patron{}, refuse(ReasonBadRequest, "a reader card number without spaces, slashes or |")
	case p.Name == "":
		return Patron{}, refuse(ReasonBadRequest, "a patron needs a name")
	case p.PINHash != "":
		return Patron{}, refuse(ReasonBadRequest, "give the PIN, not a hash")
	}
	if p.Category == "" {
		p.Category = "adult"
	}
	if reg.PIN != "" {
		if p.PINHash, err = HashPIN(reg.PIN, s.kdf); err != nil {
			return Patron{}, err
		}
	}
	code := ""
	if p.PersonalCode != "" {
		code = s.eidHash(normalisePersonalCode(p.PersonalCode))
		p.PersonalCode = code
	}
	err = s.staffUpdate(ctx, "register", by, func(t tx, a Actor, now time.Time) error {
		p := p
		if p.HomeLibrary == "" {
			p.HomeLibrary = a.Staff.Library
		}
		if _, err := s.library(p.HomeLibrary); err != nil {
			return err
		}
		if err := Permit(a.Staff, ActPatronEdit, p.HomeLibrary); err != nil {
			return err
		}
		if _, ok, err := t.Get(bPatron, p.ID); err != nil || ok {
			if ok {
				return refuse(ReasonPatronExists, "card %s is registered already", p.ID)
			}
			return err
		}
		if code != "" {
			if _, ok, err := t.Get(bPatronEID, code); err != nil || ok {
				if ok {
					return refuse(ReasonPatronExists, "that personal code is registered already (find the patron by it)")
				}
				return err
			}
		}
		r := s.rules(p.HomeLibrary, p.Category, "")
		if policy.IsMinor(r, p.BirthDate, now) {
			if p.Guardian == nil || strings.TrimSpace(p.Guardian.Name) == "" || (p.Guardian.Email == "" && p.Guardian.Phone == "") {
				return refuse(ReasonBadRequest, "a patron under %d is registered by a guardian: give the guardian's name and e-mail or phone", r.MinorAge)
			}
		}
		p.IdentityConfirmed = !reg.RemoteOnly
		p.Registered, p.LastActive = now, now
		p.LoansOut, p.Holds, p.Owed = 0, 0, 0
		p.Blocked, p.BlockReason, p.BlockedBy = false, "", ""
		if err := s.putPatronIn(t, p, now); err != nil {
			return err
		}
		out = staffPatron(p)
		return s.audit(t, a, "patron_register", "patron/"+p.ID, p.HomeLibrary, nil, out)
	})
	return out, err
}

// DeskDeletePatron deletes a patron at their request (DeletePatron: only
// once nothing is on loan or owed). The audit entry says who deleted a
// patron when, and not whom: nothing of the patron may stay.
func (s *Service) DeskDeletePatron(ctx context.Context, by Actor, card string) (d Deletion, err error) {
	err = s.staffUpdate(ctx, "delete_patron", by, func(t tx, a Actor, _ time.Time) error {
		p, err := deskPatron(t, a, card, ActPatronEdit)
		if err != nil {
			return err
		}
		if err := s.deletePatronTx(card, &d)(t); err != nil {
			return err
		}
		return s.audit(t, a, "patron_delete", "patron/-", p.HomeLibrary, nil,
			map[string]int{"holds_cancelled": d.HoldsCancelled, "anonymised": d.Anonymised, "removed": d.Removed})
	})
	return d, err
}
