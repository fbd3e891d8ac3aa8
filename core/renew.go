package core

import (
	"context"
	"strconv"
	"time"

	"github.com/bibgate/bibgate/core/policy"
)

// RenewRequest renews the loan of ItemID to PatronID, asked at Library.
type RenewRequest struct {
	Library  string
	PatronID string
	ItemID   string
}

// RenewResult is the outcome for one loan.
type RenewResult struct {
	Loan Loan
	// Requested: the library reviews renewals; the loan now shows
	// "renewal requested" and keeps its due date until a librarian decides.
	Requested bool
	// Err is the refusal, when RenewAll reports per item.
	Err error
}

// Renew extends a loan, or files a renewal request where the library wants
// a librarian to approve.
func (s *Service) Renew(ctx context.Context, req RenewRequest) (res RenewResult, err error) {
	start := time.Now()
	defer func() { s.done("renew", start, err) }()
	err = s.update(ctx, func(t tx) error {
		r, err := s.renewIn(t, req.PatronID, req.ItemID, s.clock.Now())
		res = r
		return err
	})
	return res, err
}

func (s *Service) renewIn(t tx, patronID, itemID string, now time.Time) (RenewResult, error) {
	p, err := t.patron(patronID)
	if err != nil {
		return RenewResult{}, err
	}
	it, err := t.item(itemID)
	if err != nil {
		return RenewResult{}, err
	}
	if it.Status != ItemOnLoan {
		return RenewResult{}, refuse(ReasonNotOnLoan, "item %s", it.ID)
	}
	l, err := t.loan(it.LoanID)
	if err != nil {
		return RenewResult{}, err
	}
	if l.PatronID != p.ID {
		return RenewResult{}, refuse(ReasonNotOnLoan, "item %s is not on loan to this patron", it.ID)
	}
	ps, _, err := s.patronState(t, p, now)
	if err != nil {
		return RenewResult{}, err
	}
	waiting, err := s.othersWaiting(t, it.RecordID, p.ID)
	if err != nil {
		return RenewResult{}, err
	}
	lib, err := s.library(l.Library)
	if err != nil {
		return RenewResult{}, err
	}
	r := s.rules(lib.ID, p.Category, l.Material)
	d := policy.Renew(r, lib.Calendar, now,
		ps, policy.ItemState{Material: it.Material, HighDemand: it.HighDemand},
		policy.LoanState{Due: l.Due, Renewals: l.Renewals, RenewalRequested: l.RenewalRequested}, waiting)
	if d.Reason != policy.OK {
		return RenewResult{Loan: *l}, refuse(d.Reason, "item %s", it.ID)
	}
	if d.NeedsApproval {
		l.RenewalRequested = true
		p.LastActive = now
		if err := t.putRecord(bPatron, p.ID, p); err != nil {
			return RenewResult{}, err
		}
		return RenewResult{Loan: *l, Requested: true}, t.putRecord(bLoan, l.ID, l)
	}
	if err := s.extend(t, l, it.RecordID, d.NewDue); err != nil {
		return RenewResult{}, err
	}
	p.LastActive = now
	return RenewResult{Loan: *l}, t.putRecord(bPatron, p.ID, p)
}

func (s *Service) extend(t tx, l *Loan, record string, due time.Time) error {
	if err := t.unindexLoan(l); err != nil {
		return err
	}
	l.Due, l.RenewalRequested = due, false
	l.Renewals++
	if err := t.indexLoan(l, record); err != nil {
		return err
	}
	return t.putRecord(bLoan, l.ID, l)
}

// othersWaiting reports whether a patron other than patronID holds the
// title.
func (s *Service) othersWaiting(t tx, record, patronID string) (bool, error) {
	ids, err := t.keys(bRecordHolds, record+"/")
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		h, err := t.hold(id)
		if err != nil {
			return false, err
		}
		if h.Active() && h.PatronID != patronID {
			return true, nil
		}
	}
	return false, nil
}

// RenewAll renews every loan of the patron, each on its own merits; the
// result lists every loan with its outcome.
func (s *Service) RenewAll(ctx context.Context, library, patronID string) (out []RenewResult, err error) {
	start := time.Now()
	defer func() { s.done("renew_all", start, err) }()
	err = s.update(ctx, func(t tx) error {
		out = out[:0]
		now := s.clock.Now()
		if _, err := t.patron(patronID); err != nil {
			return err
		}
		loans, err := t.patronLoans(patronID)
		if err != nil {
			return err
		}
		for _, ref := range loans {
			l, err := t.loan(ref.LoanID)
			if err != nil {
				return err
			}
			r, err := s.renewIn(t, patronID, l.ItemID, now)
			if ReasonOf(err) == "" && err != nil {
				return err
			}
			if r.Loan.ID == "" {
				r.Loan = *l
			}
			r.Err = err
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// DecideRenewal approves or rejects a pending renewal request; the patron
// is told either way. An approval is re-checked against every renewal rule
// as things stand at the decision: when one now refuses it, the
// request is rejected, the patron told, and the refusal returned with the
// loan. A decision after the due date keeps the lateness: the fine for the
// days between the due date and the decision is charged.
func (s *Service) DecideRenewal(ctx context.Context, loanID string, approve bool) (loan Loan, err error) {
	start := time.Now()
	defer func() { s.done("decide_renewal", start, err) }()
	var refusal error
	err = s.update(ctx, s.decideRenewalTx(loanID, approve, "", &loan, &refusal))
	if err == nil {
		err = refusal
	}
	return loan, err
}

// decideRenewalTx is the transaction of DecideRenewal: reason, when not
// empty, is the librarian's reason for a rejection, told to the patron.
// A refusal at the re-check is set in *refusal with the transaction
// committing the rejection.
func (s *Service) decideRenewalTx(loanID string, approve bool, reason string, out *Loan, refusal *error) func(t tx) error {
	return func(t tx) error {
		*refusal = nil
		approve, reason := approve, reason
		now := s.clock.Now()
		l, err := t.loan(loanID)
		if err != nil {
			return err
		}
		if !l.Open() || !l.RenewalRequested {
			return refuse(ReasonBadRequest, "loan %s has no pending renewal", loanID)
		}
		p, err := t.patron(l.PatronID)
		if err != nil {
			return err
		}
		it, err := t.item(l.ItemID)
		if err != nil {
			return err
		}
		lib, err := s.library(l.Library)
		if err != nil {
			return err
		}
		if approve {
			var d policy.RenewDecision
			if d, *refusal, err = s.decideLate(t, p, it, l, lib, now); err != nil {
				return err
			}
			approve = *refusal == nil
			if !approve {
				reason = string(ReasonOf(*refusal))
			}
			if approve {
				if err := s.extend(t, l, it.RecordID, d.NewDue); err != nil {
					return err
				}
			}
		}
		if !approve {
			l.RenewalRequested = false
			if err := t.putRecord(bLoan, l.ID, l); err != nil {
				return err
			}
		}
		// An approval moves the renewal count on; a rejection does not, so
		// its notice is told apart from an earlier rejection by the time.
		id := "renewal/" + l.ID + "/" + strconv.Itoa(l.Renewals) + "/" + strconv.FormatBool(approve)
		if !approve {
			id += "/" + strconv.FormatInt(now.UnixNano(), 10)
		}
		_, err = t.addNotice(Notice{
			ID: id, Kind: NoticeRenewal,
			PatronID: p.ID, To: s.recipient(p, now), Language: p.Language, Library: lib.ID, ItemID: it.ID, Title: it.Title, Due: l.Due, Created: now,
			Reason: reasonIf(!approve, reason),
		})
		*out = *l
		return err
	}
}

func reasonIf(cond bool, reason string) string {
	if cond {
		return reason
	}
	return ""
}
