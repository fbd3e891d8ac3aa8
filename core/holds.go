package core

import (
	"context"
	"time"

	"github.com/bibgate/bibgate/core/policy"
)

// HoldRequest reserves a title (RecordID, or the title of ItemID) for
// PatronID, to be picked up at PickupLibrary (default: the patron's home
// library).
type HoldRequest struct {
	PatronID      string
	RecordID      string
	ItemID        string
	PickupLibrary string
}

// HoldResult is a placed hold with its place in the queue.
type HoldResult struct {
	Hold Hold
	// Position is 1 for the first in the title's queue.
	Position int
	// Expected is the earliest due date among the title's copies on loan,
	// zero when a copy is on the shelf.
	Expected time.Time
}

// PlaceHold reserves a title or queues for it.
func (s *Service) PlaceHold(ctx context.Context, req HoldRequest) (res HoldResult, err error) {
	start := time.Now()
	defer func() { s.done("hold", start, err) }()
	err = s.update(ctx, func(t tx) error {
		now := s.clock.Now()
		p, err := t.patron(req.PatronID)
		if err != nil {
			return err
		}
		record, title := req.RecordID, ""
		if req.ItemID != "" {
			it, err := t.item(req.ItemID)
			if err != nil {
				return err
			}
			record, title = it.RecordID, it.Title
		}
		copies, err := t.keys(bRecordItems, record+"/")
		if err != nil {
			return err
		}
		if record == "" || len(copies) == 0 {
			return refuse(policy.HoldNotHoldable, "no copies of record %q", record)
		}
		pickup := req.PickupLibrary
		if pickup == "" {
			pickup = p.HomeLibrary
		}
		if _, err := s.library(pickup); err != nil {
			return err
		}
		ps, loans, err := s.patronState(t, p, now)
		if err != nil {
			return err
		}
		held, err := t.hasValue(bPatronHolds, p.ID+"/", record)
		if err != nil {
			return err
		}
		onLoan := false
		for _, l := range loans {
			onLoan = onLoan || l.Record == record
		}
		if why := policy.Hold(s.rules(pickup, p.Category, ""), ps, held, onLoan); why != policy.OK {
			return refuse(why, "patron %s record %s", p.ID, record)
		}
		id, err := t.newID(bHold, "H")
		if err != nil {
			return err
		}
		var expected time.Time
		onShelf := false
		for _, c := range copies {
			it, err := t.item(c)
			if err != nil {
				return err
			}
			if title == "" {
				title = it.Title
			}
			switch it.Status {
			case ItemAvailable:
				onShelf = true
			case ItemOnLoan:
				l, err := t.loan(it.LoanID)
				if err != nil {
					return err
				}
				if expected.IsZero() || l.Due.Before(expected) {
					expected = l.Due
				}
			}
		}
		if onShelf {
			expected = time.Time{}
		}
		queue, err := t.keys(bRecordHolds, record+"/")
		if err != nil {
			return err
		}
		h := Hold{ID: id, PatronID: p.ID, RecordID: record, Title: title, PickupLibrary: pickup, Placed: now, Status: HoldWaiting}
		p.Holds++
		p.LastActive = now
		if err := t.putRecord(bHold, id, &h); err != nil {
			return err
		}
		if err := t.trail(p.ID, trailHold, id); err != nil {
			return err
		}
		if err := t.Put(bRecordHolds, record+"/"+id, nil); err != nil {
			return err
		}
		if err := t.Put(bPatronHolds, p.ID+"/"+id, []byte(record)); err != nil {
			return err
		}
		res = HoldResult{Hold: h, Position: len(queue) + 1, Expected: expected}
		return t.putRecord(bPatron, p.ID, p)
	})
	return res, err
}

// hasValue reports whether any key under prefix has value v.
func (t tx) hasValue(bucket, prefix, v string) (bool, error) {
	found := false
	err := t.Scan(bucket, prefix, func(_ string, val []byte) error {
		if string(val) == v {
			found = true
		}
		return nil
	})
	return found, err
}

// CancelHoldRequest names a hold by id, or by patron and title (RecordID or
// the title of ItemID).
type CancelHoldRequest struct {
	PatronID string
	HoldID   string
	RecordID string
	ItemID   string
}

// CancelHold cancels a patron's hold. A copy already trapped for it goes to
// the next in the queue or back home.
func (s *Service) CancelHold(ctx context.Context, req CancelHoldRequest) (err error) {
	start := time.Now()
	defer func() { s.done("cancel_hold", start, err) }()
	return s.update(ctx, func(t tx) error {
		now := s.clock.Now()
		h, err := s.findHold(t, req)
		if err != nil {
			return err
		}
		p, err := t.patron(h.PatronID)
		if err != nil {
			return err
		}
		if err := s.releaseTrapped(t, h, now); err != nil {
			return err
		}
		if err := s.endHold(t, p, h, HoldCancelled, now); err != nil {
			return err
		}
		return t.putRecord(bPatron, p.ID, p)
	})
}

// releaseTrapped frees the copy trapped for h: it is routed again from
// where it is (the pickup library, or in transit towards it).
func (s *Service) releaseTrapped(t tx, h *Hold, now time.Time) error {
	if h.ItemID == "" || (h.Status != HoldReady && h.Status != HoldInTransit) {
		return nil
	}
	it, err := t.item(h.ItemID)
	if err != nil {
		return err
	}
	if it.HoldID != h.ID {
		return nil
	}
	it.HoldID = ""
	if h.Status == HoldInTransit {
		// Still travelling: it will be routed again when checked in.
		return t.putRecord(bItem, it.ID, it)
	}
	var res CheckinResult
	if err := s.route(t, it, h.PickupLibrary, now, &res); err != nil {
		return err
	}
	return t.putRecord(bItem, it.ID, it)
}

// ChangeHoldPickup moves a waiting hold to another pickup library, keeping
// its place in the queue. A hold already trapped cannot move.
func (s *Service) ChangeHoldPickup(ctx context.Context, req CancelHoldRequest, pickup string) (hold Hold, err error) {
	start := time.Now()
	defer func() { s.done("change_hold", start, err) }()
	if _, err := s.library(pickup); err != nil {
		return Hold{}, err
	}
	err = s.update(ctx, func(t tx) error {
		h, err := s.findHold(t, req)
		if err != nil {
			return err
		}
		if h.Status != HoldWaiting {
			return refuse(ReasonBadRequest, "hold %s is already trapped", h.ID)
		}
		h.PickupLibrary = pickup
		hold = *h
		return t.putRecord(bHold, h.ID, h)
	})
	return hold, err
}

// findHold finds a patron's active hold by id or by title.
func (s *Service) findHold(t tx, req CancelHoldRequest) (*Hold, error) {
	p, err := t.patron(req.PatronID)
	if err != nil {
		return nil, err
	}
	id := req.HoldID
	if id == "" {
		record := req.RecordID
		if req.ItemID != "" {
			it, err := t.item(req.ItemID)
			if err != nil {
				return nil, err
			}
			record = it.RecordID
		}
		err := t.Scan(bPatronHolds, p.ID+"/", func(k string, v []byte) error {
			if string(v) == record {
				id = k[len(p.ID)+1:]
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if id == "" {
		return nil, refuse(ReasonHoldNotFound, "patron %s has no such hold", p.ID)
	}
	h, err := t.hold(id)
	if err != nil {
		return nil, err
	}
	if h.PatronID != p.ID || !h.Active() {
		return nil, refuse(ReasonHoldNotFound, "patron %s has no active hold %s", p.ID, id)
	}
	return h, nil
}
