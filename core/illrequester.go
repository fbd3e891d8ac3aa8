package core

import (
	"context"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/core/policy"
)

// ILLNewRequest is a request our patron makes, to one partner.
type ILLNewRequest struct {
	PatronID string
	Partner  string
	Service  ILLServiceType
	Item     ILLItem
	// PickupLibrary is where the patron collects it; default their home
	// library.
	PickupLibrary string
	Expiry        time.Time
	Note          string
	// Rota is an ordered list of partners to ask one after the other
	// until one supplies (illrota.go); its first is the partner.
	Rota []string
	// by is the staff member filing it (StaffILLRequest), nil otherwise;
	// operator is whence the operator files it (OperatorILLRequest).
	by       *Actor
	operator string
}

// ILLRequest files a request for a patron and queues the ILL-Request to
// the partner. Patrons blocked from services (debtors, overdue items, a
// staff block) and patrons registered remotely whose identity is not yet
// confirmed (remote services only, no loans) are refused.
func (s *Service) ILLRequest(ctx context.Context, req ILLNewRequest) (out ILLTransaction, err error) {
	start := time.Now()
	defer func() { s.done("ill_request", start, err) }()
	if err := s.illRotaStart(&req); err != nil {
		return ILLTransaction{}, err
	}
	partner, err := s.illPartner(req.Partner)
	if err != nil {
		return ILLTransaction{}, err
	}
	if req.Service == "" {
		req.Service = ILLLoan
	}
	err = s.update(ctx, func(t tx) error {
		now := s.clock.Now()
		p, err := t.patron(req.PatronID)
		if err != nil {
			return err
		}
		why, err := s.illMayRequest(t, p, req.Service.returnable(), now)
		if err != nil {
			return err
		}
		if why != policy.OK {
			return refuse(why, "patron %s may not request interlibrary loans", p.ID)
		}
		pickup := req.PickupLibrary
		if pickup == "" {
			pickup = p.HomeLibrary
		}
		if _, err := s.library(pickup); err != nil {
			return err
		}
		id, err := t.newID(bILL, "T")
		if err != nil {
			return err
		}
		x := &ILLTransaction{ID: id, Role: illstate.Requester, Partner: partner.Symbol, Service: req.Service, Item: req.Item,
			PatronID: p.ID, PickupLibrary: pickup, Expiry: req.Expiry, Note: req.Note, Created: now,
			TID: TransactionID{InitialRequester: SystemID{Symbol: s.ill().Symbol}, Transaction: id}}
		if err := t.illCreate(x); err != nil {
			return err
		}
		if _, err := s.illStep(t, x, ILLEventInput{Service: illstate.ILLRequest, Dir: illstate.Outgoing, Origin: OriginStaff, Note: req.Note}, now); err != nil {
			return err
		}
		illRotaBegin(x, req.Rota, now)
		p.LastActive = now
		if err := t.putRecord(bPatron, p.ID, p); err != nil {
			return err
		}
		if err := s.illRequestByStaff(t, req, x, p); err != nil {
			return err
		}
		out = *x
		return t.illSave(x, 0)
	})
	return out, err
}

// illAccept is the requester's side of the item's arrival (AcceptItem,
// ill.md §5): a returnable item becomes a temporary copy owned by the
// supplier at the pickup library, reading-room only unless the consortium
// lets ILL items go home (seed 002 §41), with the supplier's due date on
// the transaction; it is trapped for the patron at once (hold_ready
// notice). A copy (non-returnable) is handed over: ill_arrived notice. In
// both cases the patron is charged the supplier's price, now, so that it
// stays owed when the item is never collected (seed 003).
func (s *Service) illAccept(t tx, x *ILLTransaction, e *ILLEvent, now time.Time) error {
	p, err := t.patron(x.PatronID)
	if err != nil {
		return err
	}
	if x.Service.returnable() && x.TempItemID == "" {
		id := e.ItemID
		if id == "" {
			id = "ILL-" + x.ID
		}
		it, h, err := s.acceptItem(t, p, AcceptItemRequest{ItemID: id, RecordID: illTempRecord + x.ID, Title: x.Item.Title,
			Author: x.Item.Author, CallNumber: x.Item.CallNumber, Material: x.Item.Material, Library: x.PickupLibrary,
			Owner: x.Partner, PatronID: p.ID, ReadingRoomOnly: !s.ill().ReceivedForHomeLoan}, now)
		if err != nil {
			return err
		}
		x.TempItemID, x.HoldID = it.ID, h.ID
		e.ItemID = it.ID
	} else if !x.Service.returnable() {
		if _, err := t.addNotice(Notice{ID: "ill_arrived/" + x.ID, Kind: NoticeILLArrived, PatronID: p.ID, To: s.recipient(p, now),
			Language: p.Language, Library: x.PickupLibrary, Title: x.Item.Title, Created: now}); err != nil {
			return err
		}
	}
	if x.FeeID == "" {
		price := x.Cost
		if price == 0 {
			if partner, err := s.illPartner(x.Partner); err == nil {
				price = partner.Prices[x.Service]
			}
		}
		if price > 0 {
			f, err := t.addFee(p, Fee{Kind: FeeILL, Amount: price, Created: now, ItemID: x.TempItemID,
				Description: "interlibrary loan from " + x.Partner + ": " + x.Item.Title})
			if err != nil {
				return err
			}
			x.FeeID, x.Cost = f.ID, price
		}
	}
	p.LastActive = now
	return t.putRecord(bPatron, p.ID, p)
}

// illDeleteTemp removes the temporary copy once it goes back to the
// supplier (DeleteItem).
func (s *Service) illDeleteTemp(t tx, x *ILLTransaction, now time.Time) error {
	if x.TempItemID == "" {
		return nil
	}
	return s.deleteItem(t, x.TempItemID, now)
}

// illTempRecord prefixes the record id of a temporary ILL copy.
const illTempRecord = "ill:"

// illLendsHome reports whether it is a temporary copy received by ILL that
// the consortium lets patrons take home (ReceivedForHomeLoan).
func (s *Service) illLendsHome(it *Item) bool {
	return it.ILL && s.cons.ILL.ReceivedForHomeLoan && strings.HasPrefix(it.RecordID, illTempRecord)
}

// illCapDue keeps the home loan of a temporary ILL copy within the
// supplier's due date less the days the return post takes (ill.md §5:
// the supplier's loan rules apply, seed 001 and 003).
func (s *Service) illCapDue(t tx, it *Item, due time.Time) (time.Time, error) {
	if !s.illLendsHome(it) {
		return due, nil
	}
	x, err := t.illByID(strings.TrimPrefix(it.RecordID, illTempRecord))
	if err != nil || x.Due.IsZero() {
		return due, err
	}
	days := s.cons.ILL.ReturnTransitDays
	if days == 0 {
		days = DefaultReturnTransitDays
	}
	if limit := x.Due.AddDate(0, 0, -days); limit.Before(due) {
		if !limit.After(s.clock.Now()) {
			return due, refuse(policy.ItemNotAvailable, "interlibrary loan %s is due back at the supplier on %s", x.ID, x.Due.Format("2006-01-02"))
		}
		return limit, nil
	}
	return due, nil
}
