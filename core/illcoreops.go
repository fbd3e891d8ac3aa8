package core

import (
	"context"
	"time"

	"github.com/bibgate/bibgate/core/policy"
)

// The circulation operations an ILL engine drives (ill.md §5, the NCIP
// verbs): LookupUser, AcceptItem, DeleteItem and Notify here; CheckOut,
// CheckIn, RequestItem (PlaceHold), CancelRequest (CancelHold) and
// CreateFee (Charge) are the desk's own. The ILL engine uses the same code
// inside its transactions; these are for front ends that run an ILL
// engine elsewhere (an NCIP responder).

// LookupUser returns the patron and why they may not use interlibrary
// loan (policy.OK: they may): blocked from all services (debtor, overdue
// items, a staff block), or registered remotely and not yet confirmed in
// person (remote services only).
func (s *Service) LookupUser(ctx context.Context, patronID string) (p Patron, why Reason, err error) {
	err = s.view(ctx, func(t tx) error {
		x, err := t.patron(patronID)
		if err != nil {
			return err
		}
		why, err = s.illMayRequest(t, x, true, s.clock.Now())
		p = *x
		p.PINHash = ""
		return err
	})
	return p, why, err
}

func (s *Service) illMayRequest(t tx, p *Patron, returnable bool, now time.Time) (Reason, error) {
	ps, _, err := s.patronState(t, p, now)
	if err != nil {
		return "", err
	}
	if why := policy.Blocked(s.rules(p.HomeLibrary, p.Category, ""), ps); why != policy.OK {
		return why, nil
	}
	if !p.IdentityConfirmed && returnable {
		return policy.PatronRemoteOnly, nil
	}
	return policy.OK, nil
}

// AcceptItemRequest describes an item another library sent for our
// patron.
type AcceptItemRequest struct {
	// ItemID is the label put on it; RecordID what it is catalogued as
	// (default "ill:" and the barcode).
	ItemID, RecordID          string
	Title, Author, CallNumber string
	Material                  string
	Library                   string // the pickup library, where the copy lives
	Owner                     string // the supplier's symbol
	PatronID                  string
	ReadingRoomOnly           bool
}

// AcceptItem makes a temporary copy of an item received from another
// library and traps it for the patron at the pickup library, who is told
// (hold_ready).
func (s *Service) AcceptItem(ctx context.Context, req AcceptItemRequest) (it Item, h Hold, err error) {
	start := time.Now()
	defer func() { s.done("accept_item", start, err) }()
	if req.ItemID == "" {
		return Item{}, Hold{}, refuse(ReasonBadRequest, "accept item: no barcode")
	}
	if req.RecordID == "" {
		req.RecordID = illTempRecord + req.ItemID
	}
	err = s.update(ctx, func(t tx) error {
		p, err := t.patron(req.PatronID)
		if err != nil {
			return err
		}
		x, y, err := s.acceptItem(t, p, req, s.clock.Now())
		if err == nil {
			it, h = *x, *y
		}
		return err
	})
	return it, h, err
}

func (s *Service) acceptItem(t tx, p *Patron, req AcceptItemRequest, now time.Time) (*Item, *Hold, error) {
	if _, err := s.library(req.Library); err != nil {
		return nil, nil, err
	}
	if _, ok, err := t.Get(bItem, req.ItemID); err != nil || ok {
		if err == nil {
			err = refuse(ReasonBadRequest, "barcode %s is already a copy", req.ItemID)
		}
		return nil, nil, err
	}
	material := req.Material
	if material == "" {
		material = policy.MaterialBook
	}
	it := &Item{ID: req.ItemID, RecordID: req.RecordID, Title: req.Title, Author: req.Author, Library: req.Library,
		CallNumber: req.CallNumber, Material: material, ILL: true, ReadingRoomOnly: req.ReadingRoomOnly,
		Status: ItemAvailable, Properties: "interlibrary loan from " + req.Owner}
	if err := t.putRecord(bItem, it.ID, it); err != nil {
		return nil, nil, err
	}
	if err := t.Put(bRecordItems, it.RecordID+"/"+it.ID, nil); err != nil {
		return nil, nil, err
	}
	var x ILLTransaction
	x.Item.Title = req.Title
	if err := s.illHold(t, &x, p, it.RecordID, req.Library, nil, now); err != nil {
		return nil, nil, err
	}
	h, err := t.hold(x.HoldID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.readyHold(t, p, h, it, now); err != nil {
		return nil, nil, err
	}
	if err := t.putRecord(bItem, it.ID, it); err != nil {
		return nil, nil, err
	}
	return it, h, t.putRecord(bPatron, p.ID, p)
}

// DeleteItem removes a temporary copy when it goes back to its owner; a
// hold still on it ends. A copy on loan is refused: check it in first.
func (s *Service) DeleteItem(ctx context.Context, itemID string) (err error) {
	start := time.Now()
	defer func() { s.done("delete_item", start, err) }()
	return s.update(ctx, func(t tx) error { return s.deleteItem(t, itemID, s.clock.Now()) })
}

func (s *Service) deleteItem(t tx, itemID string, now time.Time) error {
	it, err := t.item(itemID)
	if ReasonOf(err) == ReasonItemNotFound {
		return nil // already gone: deleting twice is fine
	}
	if err != nil {
		return err
	}
	if it.Status == ItemOnLoan {
		return refuse(ReasonBadRequest, "copy %s is still on loan: check it in first", it.ID)
	}
	if it.HoldID != "" {
		h, err := t.hold(it.HoldID)
		if err != nil {
			return err
		}
		if h.Active() {
			p, err := t.patron(h.PatronID)
			if err != nil {
				return err
			}
			if err := s.endHold(t, p, h, HoldCancelled, now); err != nil {
				return err
			}
			if err := t.putRecord(bPatron, p.ID, p); err != nil {
				return err
			}
		}
	}
	if err := t.Delete(bRecordItems, it.RecordID+"/"+it.ID); err != nil {
		return err
	}
	return t.Delete(bItem, it.ID)
}

// Notify writes a notice for delivery (DeliverNotices). A notice whose ID
// was written before is left alone: it reports false.
func (s *Service) Notify(ctx context.Context, n Notice) (added bool, err error) {
	if n.ID == "" || n.PatronID == "" {
		return false, refuse(ReasonBadRequest, "notice needs an id and a patron")
	}
	err = s.update(ctx, func(t tx) error {
		p, err := t.patron(n.PatronID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if n.To == (Contact{}) {
			n.To = s.recipient(p, now)
		}
		if n.Language == "" {
			n.Language = p.Language
		}
		if n.Created.IsZero() {
			n.Created = now
		}
		added, err = t.addNotice(n)
		return err
	})
	return added, err
}
