package core

import (
	"context"
	"fmt"
	"time"
)

// NewPatron is a registration. PIN is hashed before it is stored.
type NewPatron struct {
	Patron
	PIN string
}

// RegisterPatrons creates or updates patrons (registration desk, demo data,
// imports). Circulation counters of an existing patron are kept.
func (s *Service) RegisterPatrons(ctx context.Context, ps []NewPatron) error {
	hashed, err := s.hashNewPatrons(ctx, ps)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	return s.update(ctx, func(t tx) error {
		for i := range hashed {
			if err := s.putPatronIn(t, hashed[i], now); err != nil {
				return err
			}
		}
		return nil
	})
}

// putPatronIn creates or updates one patron whose PIN is hashed already.
func (s *Service) putPatronIn(t tx, p Patron, now time.Time) error {
	if p.PersonalCode != "" && !isEIDHash(p.PersonalCode) {
		p.PersonalCode = s.eidHash(p.PersonalCode) // never stored in plain text
	}
	var old Patron
	ok, err := t.getRecord(bPatron, p.ID, &old)
	if err != nil {
		return err
	}
	if ok {
		p.LoansOut, p.Holds, p.Owed, p.Registered = old.LoansOut, old.Holds, old.Owed, old.Registered
		if p.PINHash == "" {
			p.PINHash = old.PINHash
		}
		if old.PersonalCode != "" && old.PersonalCode != p.PersonalCode {
			if err := t.Delete(bPatronEID, old.PersonalCode); err != nil {
				return err
			}
		}
	} else if p.Registered.IsZero() {
		p.Registered = now
	}
	if p.LastActive.IsZero() {
		p.LastActive = now
	}
	if p.PersonalCode != "" {
		if err := s.checkEIDKey(t); err != nil {
			return err
		}
		if err := t.Put(bPatronEID, p.PersonalCode, []byte(p.ID)); err != nil {
			return err
		}
	}
	return t.putRecord(bPatron, p.ID, &p)
}

// PutItems creates or updates copies. The circulation state of an existing
// copy (status, loan, hold) is kept; a new copy starts on the shelf.
func (s *Service) PutItems(ctx context.Context, items []Item) error {
	for i, it := range items {
		if it.ID == "" || it.RecordID == "" {
			return refuse(ReasonBadRequest, "item %d needs a barcode and a record id", i)
		}
		if _, err := s.library(it.Library); err != nil {
			return fmt.Errorf("item %s: %w", it.ID, err)
		}
	}
	return s.update(ctx, func(t tx) error {
		for i := range items {
			it := items[i]
			var old Item
			ok, err := t.getRecord(bItem, it.ID, &old)
			if err != nil {
				return err
			}
			if ok {
				it.Status, it.LoanID, it.HoldID, it.TransitTo, it.LostBy, it.LostPaidAt =
					old.Status, old.LoanID, old.HoldID, old.TransitTo, old.LostBy, old.LostPaidAt
				if it.Properties == "" {
					it.Properties = old.Properties
				}
				if err := t.recordMoved(&old, &it, s.clock.Now()); err != nil {
					return err
				}
				if old.RecordID != it.RecordID {
					if err := t.Delete(bRecordItems, old.RecordID+"/"+it.ID); err != nil {
						return err
					}
				}
			} else if it.Status == "" {
				it.Status = ItemAvailable
			}
			if err := t.putRecord(bItem, it.ID, &it); err != nil {
				return err
			}
			if err := t.Put(bRecordItems, it.RecordID+"/"+it.ID, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// Counts are the sizes of the circulation data, for metrics and health.
type Counts struct {
	Patrons, Items, OpenLoans, ActiveHolds, QueuedNotices int
}

// Counts counts patrons, items, open loans, active holds and notices not
// yet delivered.
func (s *Service) Counts(ctx context.Context) (c Counts, err error) {
	err = s.view(ctx, func(t tx) error {
		for _, x := range []struct {
			bucket string
			n      *int
		}{{bPatron, &c.Patrons}, {bItem, &c.Items}, {bDue, &c.OpenLoans}, {bRecordHolds, &c.ActiveHolds}, {bOutbox, &c.QueuedNotices}} {
			if err := t.Scan(x.bucket, "", func(string, []byte) error { *x.n++; return nil }); err != nil {
				return err
			}
		}
		return nil
	})
	return c, err
}

// Loan returns a loan by id (staff view).
func (s *Service) Loan(ctx context.Context, id string) (l Loan, err error) {
	err = s.view(ctx, func(t tx) error {
		x, err := t.loan(id)
		if err == nil {
			l = *x
		}
		return err
	})
	return l, err
}

// Notices returns the notices written for a patron, oldest first (staff
// view and tests).
func (s *Service) Notices(ctx context.Context, patronID string) (out []Notice, err error) {
	err = s.view(ctx, func(t tx) error {
		out = out[:0]
		return t.Scan(bNotice, "", func(_ string, v []byte) error {
			var n Notice
			if err := decode(v, &n); err != nil {
				return err
			}
			if n.PatronID == patronID {
				out = append(out, n)
			}
			return nil
		})
	})
	return out, err
}

// SetItemProperties stores the free-text properties of an item (SIP2 19).
func (s *Service) SetItemProperties(ctx context.Context, itemID, props string) (item Item, err error) {
	start := time.Now()
	defer func() { s.done("item_properties", start, err) }()
	err = s.update(ctx, func(t tx) error {
		it, err := t.item(itemID)
		if err != nil {
			return err
		}
		it.Properties = props
		item = *it
		return t.putRecord(bItem, it.ID, it)
	})
	return item, err
}
