package core

import (
	"context"
	"strings"
	"time"
)

// bPatronTrail indexes, per patron, every record outside the patron's own
// that names them: fees (F), holds (H), notices (N), returned loans not yet
// anonymised (L), items they lost (I) and audit entries (A, audit.go).
// Purging a patron walks it.
const bPatronTrail = "patron_trail" // card/kind/id -> ""

// Trail kinds.
const (
	trailFee    = "F"
	trailHold   = "H"
	trailNotice = "N"
	trailLoan   = "L"
	trailItem   = "I"
)

// Reasons a deletion on request is refused.
const (
	ReasonPatronHasLoans Reason = "patron_has_items_on_loan"
	ReasonPatronOwes     Reason = "patron_owes_fees"
	ReasonPatronCredit   Reason = "patron_is_owed_a_refund"
)

func (t tx) trail(card, kind, id string) error {
	if card == "" {
		return nil
	}
	return t.Put(bPatronTrail, card+"/"+kind+"/"+id, nil)
}

func (t tx) untrail(card, kind, id string) error {
	if card == "" {
		return nil
	}
	return t.Delete(bPatronTrail, card+"/"+kind+"/"+id)
}

// Deletion says what deleting a patron on request did.
type Deletion struct {
	Card string
	// HoldsCancelled counts the patron's active holds that were cancelled.
	HoldsCancelled int
	// Anonymised counts the fees, holds and loans kept for statistics
	// without the patron; Removed the notices and receipts deleted.
	Anonymised, Removed int
}

// DeletePatron deletes a patron on their request (002 §21, §47-48) once
// every obligation in the consortium is settled: nothing on loan, nothing
// owed either way. Otherwise it is refused with the reason. Active holds
// are cancelled (their copies go to the next in the queue). Their
// personal data goes, with every notice written to them, their receipts
// and the link from fees, holds and loans, which stay for statistics.
func (s *Service) DeletePatron(ctx context.Context, card string) (d Deletion, err error) {
	start := time.Now()
	defer func() { s.done("delete_patron", start, err) }()
	err = s.update(ctx, s.deletePatronTx(card, &d))
	return d, err
}

// deletePatronTx is the transaction of DeletePatron.
func (s *Service) deletePatronTx(card string, out *Deletion) func(t tx) error {
	return func(t tx) error {
		d := out
		*d = Deletion{Card: card}
		now := s.clock.Now()
		p, err := t.patron(card)
		if err != nil {
			return err
		}
		loans, err := t.patronLoans(p.ID)
		if err != nil {
			return err
		}
		switch {
		case len(loans) > 0 || p.LoansOut > 0:
			return refuse(ReasonPatronHasLoans, "patron %s has %d items on loan: return them first", p.ID, max(len(loans), p.LoansOut))
		case p.Owed > 0:
			return refuse(ReasonPatronOwes, "patron %s owes %v EUR: settle it first", p.ID, p.Owed)
		case p.Owed < 0:
			return refuse(ReasonPatronCredit, "the library owes patron %s a refund of %v EUR: pay it out first", p.ID, -p.Owed)
		}
		if open, err := t.keys(bPatronFees, p.ID+"/"); err != nil {
			return err
		} else if len(open) > 0 {
			return refuse(ReasonPatronOwes, "patron %s has %d open charges and credits that cancel out: settle them first", p.ID, len(open))
		}
		holds, err := t.keys(bPatronHolds, p.ID+"/")
		if err != nil {
			return err
		}
		for _, id := range holds {
			h, err := t.hold(id)
			if err != nil {
				return err
			}
			if err := s.releaseTrapped(t, h, now); err != nil {
				return err
			}
			if err := s.endHold(t, p, h, HoldCancelled, now); err != nil {
				return err
			}
			d.HoldsCancelled++
		}
		d.Anonymised, d.Removed, err = s.erasePatron(t, p)
		return err
	}
}

// deletePatron removes a patron with no obligations (inactivity purge).
func (s *Service) deletePatron(t tx, p *Patron) error {
	_, _, err := s.erasePatron(t, p)
	return err
}

// erasePatron removes the patron record and its indexes, deletes the
// notices and payment receipts, and anonymises the fees, holds, loans and
// items that name the patron: no card, name, e-mail or borrowed title of
// theirs is left in the store.
func (s *Service) erasePatron(t tx, p *Patron) (anonymised, removed int, err error) {
	for _, b := range []string{bPatronLoans, bPatronHolds, bPatronFees, bPayment} {
		keys, err := t.keys(b, p.ID+"/")
		if err != nil {
			return 0, 0, err
		}
		for _, k := range keys {
			if err := t.Delete(b, p.ID+"/"+k); err != nil {
				return 0, 0, err
			}
			if b == bPayment {
				removed++
			}
		}
	}
	trail, err := t.keys(bPatronTrail, p.ID+"/")
	if err != nil {
		return 0, 0, err
	}
	notices := map[string]bool{}
	for _, k := range trail {
		kind, id, _ := strings.Cut(k, "/")
		switch kind {
		case trailFee:
			if f, err := t.fee(id); err == nil {
				f.PatronID, f.Description = "", string(f.Kind)
				if err := t.putRecord(bFee, f.ID, f); err != nil {
					return 0, 0, err
				}
				anonymised++
			} else if ReasonOf(err) == "" {
				return 0, 0, err
			}
		case trailHold:
			if h, err := t.hold(id); err == nil {
				h.PatronID, h.Title = "", ""
				if err := t.putRecord(bHold, h.ID, h); err != nil {
					return 0, 0, err
				}
				anonymised++
			} else if ReasonOf(err) == "" {
				return 0, 0, err
			}
		case trailLoan:
			if l, err := t.loan(id); err == nil {
				if !l.Returned.IsZero() {
					if err := t.Delete(bReturned, timeKey(l.Returned)+"/"+l.ID); err != nil {
						return 0, 0, err
					}
				}
				l.PatronID, l.Anonymised = "", true
				if err := t.putRecord(bLoan, l.ID, l); err != nil {
					return 0, 0, err
				}
				anonymised++
			} else if ReasonOf(err) == "" {
				return 0, 0, err
			}
		case trailItem:
			if it, err := t.item(id); err == nil && it.LostBy == p.ID {
				it.LostBy, it.LostPaidAt = "", time.Time{}
				if err := t.putRecord(bItem, it.ID, it); err != nil {
					return 0, 0, err
				}
			} else if err != nil && ReasonOf(err) == "" {
				return 0, 0, err
			}
		case trailAudit:
			if err := t.eraseAudit(id); err != nil {
				return 0, 0, err
			}
			anonymised++
		case trailNotice:
			if err := t.Delete(bNotice, id); err != nil {
				return 0, 0, err
			}
			notices[id] = true
			removed++
		}
		if err := t.Delete(bPatronTrail, p.ID+"/"+k); err != nil {
			return 0, 0, err
		}
	}
	if len(notices) > 0 {
		var queued []string
		err := t.Scan(bOutbox, "", func(k string, v []byte) error {
			if notices[string(v)] {
				queued = append(queued, k)
			}
			return nil
		})
		if err != nil {
			return 0, 0, err
		}
		for _, k := range queued {
			if err := t.Delete(bOutbox, k); err != nil {
				return 0, 0, err
			}
		}
	}
	if p.PersonalCode != "" {
		if err := t.Delete(bPatronEID, p.PersonalCode); err != nil {
			return 0, 0, err
		}
	}
	return anonymised, removed, t.Delete(bPatron, p.ID)
}
