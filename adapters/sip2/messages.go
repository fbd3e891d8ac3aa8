package sip2adapter

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/screentext"
	"github.com/bibgate/bibgate/sip2"
)

// SCStatus answers 99 with the account's ACS status.
func (s *Session) SCStatus(ctx context.Context, req *sip2.SCStatusRequest) (*sip2.ACSStatusResponse, error) {
	return s.acct.StatusResponse(s.svc.Now()), nil
}

// patronStatus builds the 24-style answer shared by 23, 01 and 25.
func (s *Session) patronStatus(ctx context.Context, aa string, ad *string) (sip2.PatronStatus, string, *bool, *bool, string, []string) {
	pa, err := s.auth(ctx, aa, ad, false)
	if err != nil {
		return unknownPatronStatus(), "", sip2.Bool(false), pa.validPIN, "", []string{s.text(reason(err))}
	}
	sum, err := s.svc.Patron(ctx, pa.card)
	if err != nil {
		return sip2.PatronStatus{}, "", sip2.Bool(false), pa.validPIN, "", []string{s.text(reason(err))}
	}
	var af []string
	if pa.locked {
		af = append(af, s.text(core.ReasonPINLocked))
	}
	if pa.busy {
		af = append(af, s.text(core.ReasonPINCheckBusy))
	}
	for _, b := range sum.Blocks {
		af = append(af, s.text(b))
	}
	return statusFlags(&sum), s.personalName(sum.Patron.Name), sip2.Bool(true), pa.validPIN, s.amount(sum.Owed + sum.Accruing), af
}

// PatronStatus answers 23.
func (s *Session) PatronStatus(ctx context.Context, req *sip2.PatronStatusRequest) (*sip2.PatronStatusResponse, error) {
	st, name, valid, pin, fee, af := s.patronStatus(ctx, req.PatronID, req.PatronPassword)
	return &sip2.PatronStatusResponse{PatronStatus: st, Language: s.language(), PatronID: req.PatronID,
		PersonalName: name, ValidPatron: valid, ValidPatronPassword: pin, Currency: s.currency(), FeeAmount: fee,
		ScreenMessages: af}, nil
}

// BlockPatron answers 01: the patron is blocked (a retained card says so),
// then the status is reported as for 23.
func (s *Session) BlockPatron(ctx context.Context, req *sip2.BlockPatronRequest) (*sip2.PatronStatusResponse, error) {
	card, err := s.svc.ResolvePatron(ctx, req.PatronID, s.allowEID)
	if err == nil {
		why := strings.TrimSpace(req.BlockedCardMsg)
		if req.CardRetained {
			why = strings.TrimSpace("card retained by selfcheck " + why)
		}
		if why == "" {
			why = "blocked by selfcheck"
		}
		err = s.svc.BlockPatronBy(ctx, card, why, core.BlockedBySelfcheck)
	}
	st, name, valid, _, fee, af := s.patronStatus(ctx, req.PatronID, nil)
	if err != nil {
		af = appendOnce(af, s.text(reason(err)))
	}
	return &sip2.PatronStatusResponse{PatronStatus: st, Language: s.language(), PatronID: req.PatronID,
		PersonalName: name, ValidPatron: valid, Currency: s.currency(), FeeAmount: fee, ScreenMessages: af}, nil
}

// PatronEnable answers 25: a manual block is lifted, as far as the
// account allows (OptionPatronEnable): by default only a block a selfcheck
// set; a block staff set ("card reported stolen") stays.
func (s *Session) PatronEnable(ctx context.Context, req *sip2.PatronEnableRequest) (*sip2.PatronEnableResponse, error) {
	pa, err := s.auth(ctx, req.PatronID, req.PatronPassword, false)
	switch {
	case err != nil:
	case pa.locked:
		err = &core.Error{Reason: core.ReasonPINLocked}
	case pa.busy:
		err = &core.Error{Reason: core.ReasonPINCheckBusy} // a PIN sent and not checked lifts nothing
	case pa.validPIN != nil && !*pa.validPIN:
		err = &core.Error{Reason: core.ReasonBadPIN} // a wrong PIN lifts nothing
	default:
		switch s.acct.Options[OptionPatronEnable] {
		case "any":
			err = s.svc.EnablePatron(ctx, pa.card)
		case "none":
			err = &core.Error{Reason: screentext.NotSupported}
		default:
			err = s.svc.EnablePatronBy(ctx, pa.card, core.BlockedBySelfcheck)
		}
	}
	// The PIN was checked once, above: checking it again would count a
	// wrong one twice.
	st, name, valid, _, _, af := s.patronStatus(ctx, req.PatronID, nil)
	if err != nil {
		af = appendOnce(af, s.text(reason(err)))
	}
	return &sip2.PatronEnableResponse{PatronStatus: st, Language: s.language(), PatronID: req.PatronID,
		PersonalName: name, ValidPatron: valid, ValidPatronPassword: pa.validPIN, ScreenMessages: af}, nil
}

// PatronInformation answers 63 with counts, limits and the one summary
// list asked for (AS ready holds, CD unavailable holds, AT overdue, AU
// charged, AV fines), each within BP..BQ. What a patron borrowed is
// confidential: lists are sent only to a patron authenticated by PIN or
// eID.
func (s *Session) PatronInformation(ctx context.Context, req *sip2.PatronInformationRequest) (*sip2.PatronInformationResponse, error) {
	resp := &sip2.PatronInformationResponse{Language: s.language(), PatronID: req.PatronID, Currency: s.currency()}
	pa, err := s.auth(ctx, req.PatronID, req.PatronPassword, false)
	resp.ValidPatronPassword = pa.validPIN
	if err != nil {
		resp.PatronStatus = unknownPatronStatus()
		resp.ValidPatron = sip2.Bool(false)
		resp.ScreenMessages = []string{s.text(reason(err))}
		return resp, nil
	}
	sum, err := s.svc.Patron(ctx, pa.card)
	if err != nil {
		return nil, err
	}
	authenticated := pa.byEID || (pa.validPIN != nil && *pa.validPIN)
	resp.PatronStatus = statusFlags(&sum)
	resp.PersonalName = s.personalName(sum.Patron.Name)
	resp.ValidPatron = sip2.Bool(true)
	resp.FeeAmount = s.amount(sum.Owed + sum.Accruing) // the fine accruing on items still out shows too
	resp.FeeLimit = s.amount(sum.FeeLimit)
	resp.HoldItemsLimit = fmt.Sprintf("%04d", sum.MaxHolds)
	resp.ChargedItemsLimit = fmt.Sprintf("%04d", sum.MaxLoans)
	var ready, waiting []string
	for _, h := range activeHolds(sum.Holds) {
		if h.Status == core.HoldReady {
			ready = append(ready, s.listItem(h.ItemID, h.Title))
		} else {
			// A waiting hold is on a title: its copy, once one is
			// trapped, or else the title (never the hold's record id).
			id := h.ItemID
			if id == "" {
				id = h.Title
			}
			waiting = append(waiting, s.listItem(id, h.Title))
		}
	}
	var charged, overdue, fines []string
	for _, l := range sum.Loans {
		charged = append(charged, s.listItem(l.Loan.ItemID, l.Title))
		if l.Overdue {
			overdue = append(overdue, s.listItem(l.Loan.ItemID, l.Title))
		}
	}
	for _, f := range sum.Fees {
		fines = append(fines, s.fineItem(f))
	}
	resp.HoldItemsCount, resp.UnavailableHoldsCount = len(ready), len(waiting)
	resp.ChargedItemsCount, resp.OverdueItemsCount, resp.FineItemsCount = len(charged), len(overdue), len(fines)
	if authenticated {
		from, to := listRange(req.StartItem, req.EndItem)
		switch req.Summary.List() {
		case sip2.SummaryHoldItems:
			resp.HoldItems = slice(ready, from, to)
		case sip2.SummaryOverdueItems:
			resp.OverdueItems = slice(overdue, from, to)
		case sip2.SummaryChargedItems:
			resp.ChargedItems = slice(charged, from, to)
		case sip2.SummaryFineItems:
			resp.FineItems = slice(fines, from, to)
		case sip2.SummaryUnavailableHolds:
			resp.UnavailableHoldItems = slice(waiting, from, to)
		}
		resp.HomeAddress, resp.EmailAddress, resp.HomePhone = "", sum.Patron.Email, sum.Patron.Phone
	}
	switch {
	case pa.locked:
		resp.ScreenMessages = append(resp.ScreenMessages, s.text(core.ReasonPINLocked))
	case pa.busy:
		resp.ScreenMessages = append(resp.ScreenMessages, s.text(core.ReasonPINCheckBusy))
	case !authenticated && req.Summary.List() != sip2.SummaryNone:
		// A list was asked for and is not sent: say why, not nothing.
		why := screentext.PINRequired
		if pa.validPIN != nil {
			why = core.ReasonBadPIN
		}
		resp.ScreenMessages = append(resp.ScreenMessages, s.text(why))
	}
	for _, b := range sum.Blocks {
		resp.ScreenMessages = append(resp.ScreenMessages, s.text(b))
	}
	return resp, nil
}

// listItem renders an entry of AS/AT/AU/CD: the barcode (default) or the
// title, as the account says.
func (s *Session) listItem(id, title string) string {
	if s.acct.ItemListFormat == "title" && title != "" {
		return title
	}
	return id
}

// fineItem renders an AV entry: the account's template, or
// "FEEID AMOUNT KIND DESCRIPTION".
func (s *Session) fineItem(f core.Fee) string {
	tpl := s.acct.FineItemFormat
	if tpl == "" {
		tpl = "{id} {amount} {type} {title}"
	}
	r := strings.NewReplacer("{id}", f.ID, "{amount}", s.amount(f.Outstanding()), "{type}", string(f.Kind),
		"{title}", f.Description, "{item}", f.ItemID)
	return strings.TrimSpace(r.Replace(tpl))
}

// listRange reads BP/BQ (1-based, inclusive); empty means the whole list.
func listRange(bp, bq string) (from, to int) {
	from, to = 1, 1<<30
	if n, err := strconv.Atoi(strings.TrimSpace(bp)); err == nil && n > 0 {
		from = n
	}
	if n, err := strconv.Atoi(strings.TrimSpace(bq)); err == nil && n >= from {
		to = n
	}
	return from, to
}

func slice(list []string, from, to int) []string {
	if from > len(list) {
		return nil
	}
	return list[from-1 : min(to, len(list))]
}

// EndPatronSession answers 35 and forgets the patron's authentication.
func (s *Session) EndPatronSession(ctx context.Context, req *sip2.EndPatronSessionRequest) (*sip2.EndPatronSessionResponse, error) {
	if card, err := s.svc.ResolvePatron(ctx, req.PatronID, s.allowEID); err == nil {
		s.mu.Lock()
		delete(s.verified, card)
		s.mu.Unlock()
	}
	return &sip2.EndPatronSessionResponse{EndSession: true, PatronID: req.PatronID}, nil
}

// Checkout answers 11. An item already on loan to the same patron is
// renewed when the selfcheck allows it (SC renewal policy Y).
func (s *Session) Checkout(ctx context.Context, req *sip2.CheckoutRequest) (*sip2.CheckoutResponse, error) {
	resp := &sip2.CheckoutResponse{PatronID: req.PatronID, ItemID: req.ItemID, MagneticMedia: sip2.Unknown, Desensitize: sip2.No}
	fail := func(err error) (*sip2.CheckoutResponse, error) {
		resp.OK = false
		resp.ScreenMessages = append(resp.ScreenMessages, s.text(reason(err)))
		if is, e := s.svc.Item(ctx, req.ItemID); e == nil {
			resp.TitleID, resp.MediaType = is.Item.Title, media(is.Item.Material)
		}
		return resp, nil
	}
	pa, err := s.auth(ctx, req.PatronID, req.PatronPassword, true)
	if err != nil {
		return fail(err)
	}
	if req.Cancel != nil && *req.Cancel {
		return s.cancelCheckout(ctx, pa.card, resp)
	}
	res, err := s.svc.CheckoutItem(ctx, core.CheckoutRequest{Library: s.library, PatronID: pa.card, ItemID: req.ItemID})
	if core.ReasonOf(err) == "item_already_on_loan_to_you" && req.SCRenewalPolicy {
		r, rerr := s.svc.Renew(ctx, core.RenewRequest{Library: s.library, PatronID: pa.card, ItemID: req.ItemID})
		if rerr != nil {
			return fail(rerr)
		}
		if r.Requested {
			return fail(&core.Error{Reason: screentext.RenewalRequested})
		}
		is, ierr := s.svc.Item(ctx, req.ItemID)
		if ierr != nil {
			return nil, ierr
		}
		res, err = core.CheckoutResult{Loan: r.Loan, Item: is.Item}, nil
		resp.RenewalOK = true
	}
	if err != nil {
		return fail(err)
	}
	it := res.Item
	resp.OK = true
	resp.TitleID = it.Title
	resp.DueDate = s.date(res.Loan.Due)
	resp.MediaType = media(it.Material)
	resp.MagneticMedia = magnetic(it.Material)
	resp.Desensitize = sip2.Yes
	resp.ItemProperties = it.Properties
	resp.TransactionID = res.Loan.ID
	return resp, nil
}

// cancelCheckout undoes a checkout the selfcheck could not finish (BI=Y):
// the item is checked in again.
func (s *Session) cancelCheckout(ctx context.Context, card string, resp *sip2.CheckoutResponse) (*sip2.CheckoutResponse, error) {
	is, err := s.svc.Item(ctx, resp.ItemID)
	if err != nil {
		resp.ScreenMessages = []string{s.text(reason(err))}
		return resp, nil
	}
	if is.Item.Status == core.ItemOnLoan {
		if _, err := s.svc.Checkin(ctx, core.CheckinRequest{Library: s.library, ItemID: resp.ItemID}); err != nil {
			resp.ScreenMessages = []string{s.text(reason(err))}
			return resp, nil
		}
	}
	resp.OK, resp.TitleID, resp.Desensitize = true, is.Item.Title, sip2.No
	return resp, nil
}

// Checkin answers 09: says whether a hold was trapped here (CV 01), for
// another library (CV 02, CT destination) or the item travels home (CV 04),
// with the sort bin (CL) and the hold patron (CY, DA).
func (s *Session) Checkin(ctx context.Context, req *sip2.CheckinRequest) (*sip2.CheckinResponse, error) {
	resp := &sip2.CheckinResponse{ItemID: req.ItemID, MagneticMedia: sip2.Unknown}
	lib := s.library
	if loc := strings.TrimSpace(req.CurrentLocation); loc != "" {
		if _, ok := s.svc.Consortium().Library(loc); ok {
			lib = loc
		}
	}
	if req.Cancel != nil && *req.Cancel {
		resp.ScreenMessages = []string{s.text(screentext.NotSupported)}
		return resp, nil
	}
	// A selfcheck that was offline sends the real return date: fines run
	// to then, not to when it came back on line.
	res, err := s.svc.Checkin(ctx, core.CheckinRequest{Library: lib, ItemID: req.ItemID, ReturnedAt: req.ReturnDate})
	if err != nil {
		resp.ScreenMessages = []string{s.text(reason(err))}
		resp.Alert = core.ReasonOf(err) == core.ReasonItemNotFound
		return resp, nil
	}
	it := res.Item
	resp.OK = true
	resp.Resensitize = true
	resp.MagneticMedia = magnetic(it.Material)
	resp.TitleID = it.Title
	resp.PermanentLocation = it.Library
	resp.MediaType = media(it.Material)
	resp.CallNumber = it.CallNumber
	resp.CollectionCode = it.Material
	resp.SortBin = res.SortBin
	resp.ItemProperties = it.Properties
	if res.Loan == nil {
		resp.ScreenMessages = append(resp.ScreenMessages, s.text(screentext.NotOnLoanCheckedIn))
	} else {
		resp.PatronID = ""
	}
	switch res.Disposition {
	case core.HoldShelf:
		resp.Alert, resp.AlertType = true, sip2.AlertHoldHere
	case core.TransitForHold:
		resp.Alert, resp.AlertType, resp.DestinationLocation = true, sip2.AlertHoldOther, res.Destination
	case core.TransitHome:
		resp.Alert, resp.AlertType, resp.DestinationLocation = true, sip2.AlertTransit, res.Destination
	case core.ItemNeedsReview:
		resp.Alert, resp.AlertType = true, sip2.AlertOther
		resp.ScreenMessages = append(resp.ScreenMessages, s.text(core.ReasonItemUnusable))
	}
	if res.HoldPatron != nil {
		resp.HoldPatronID, resp.HoldPatronName = res.HoldPatron.ID, res.HoldPatron.Name
		if res.Disposition == core.TransitForHold {
			resp.DestinationLocation = res.Hold.PickupLibrary
		}
	}
	if res.Fine > 0 {
		resp.ScreenMessages = append(resp.ScreenMessages, fmt.Sprintf("%s %s", s.amount(res.Fine), s.currency()))
	}
	return resp, nil
}

// Renew answers 29.
func (s *Session) Renew(ctx context.Context, req *sip2.RenewRequest) (*sip2.RenewResponse, error) {
	resp := &sip2.RenewResponse{PatronID: req.PatronID, ItemID: req.ItemID, MagneticMedia: sip2.Unknown, Desensitize: sip2.Unknown}
	pa, err := s.auth(ctx, req.PatronID, req.PatronPassword, true)
	if err == nil {
		var r core.RenewResult
		r, err = s.svc.Renew(ctx, core.RenewRequest{Library: s.library, PatronID: pa.card, ItemID: req.ItemID})
		if err == nil && r.Requested {
			err = &core.Error{Reason: screentext.RenewalRequested}
		}
		if err == nil {
			resp.OK, resp.RenewalOK = true, true
			resp.DueDate = s.date(r.Loan.Due)
			resp.TransactionID = r.Loan.ID
		}
	}
	if is, e := s.svc.Item(ctx, req.ItemID); e == nil {
		resp.TitleID, resp.MediaType = is.Item.Title, media(is.Item.Material)
		resp.MagneticMedia = magnetic(is.Item.Material)
	}
	if err != nil {
		resp.ScreenMessages = []string{s.text(reason(err))}
	}
	return resp, nil
}

// RenewAll answers 65: BM lists renewed items, BN the others.
func (s *Session) RenewAll(ctx context.Context, req *sip2.RenewAllRequest) (*sip2.RenewAllResponse, error) {
	resp := &sip2.RenewAllResponse{}
	pa, err := s.auth(ctx, req.PatronID, req.PatronPassword, true)
	if err != nil {
		resp.ScreenMessages = []string{s.text(reason(err))}
		return resp, nil
	}
	results, err := s.svc.RenewAll(ctx, s.library, pa.card)
	if err != nil {
		resp.ScreenMessages = []string{s.text(reason(err))}
		return resp, nil
	}
	resp.OK = true
	for _, r := range results {
		if r.Err == nil && !r.Requested {
			resp.RenewedItems = append(resp.RenewedItems, r.Loan.ItemID)
		} else {
			resp.UnrenewedItems = append(resp.UnrenewedItems, r.Loan.ItemID)
		}
	}
	resp.RenewedCount, resp.UnrenewedCount = len(resp.RenewedItems), len(resp.UnrenewedItems)
	return resp, nil
}

// ItemInformation answers 17. It never says who has the item.
func (s *Session) ItemInformation(ctx context.Context, req *sip2.ItemInformationRequest) (*sip2.ItemInformationResponse, error) {
	if s.inventory {
		return s.inventoryInformation(ctx, req)
	}
	resp := &sip2.ItemInformationResponse{ItemID: req.ItemID, SecurityMarker: sip2.SecurityNone, FeeType: sip2.FeeOther}
	is, err := s.svc.Item(ctx, req.ItemID)
	if err != nil {
		resp.CirculationStatus = sip2.CirculationOther
		resp.ScreenMessages = []string{s.text(reason(err))}
		return resp, nil
	}
	it := is.Item
	resp.SecurityMarker = sip2.SecurityTattleTape
	resp.CirculationStatus = circulationStatus(it.Status)
	resp.TitleID = it.Title
	resp.Owner = it.Library
	resp.PermanentLocation = it.Library
	resp.CurrentLocation = it.Library
	resp.MediaType = media(it.Material)
	resp.CallNumber = it.CallNumber
	resp.CollectionCode = it.Material
	resp.ItemProperties = it.Properties
	resp.HoldQueueLength = strconv.Itoa(is.HoldQueue)
	resp.DueDate = s.date(is.Due)
	if is.HoldPickup != "" {
		resp.HoldPickupDate = s.date(is.HoldExpires)
		resp.CurrentLocation = is.HoldPickup
	}
	if it.Status == core.ItemInTransit {
		resp.DestinationLocation = it.TransitTo
		resp.CurrentLocation = ""
	}
	return resp, nil
}

func circulationStatus(st core.ItemStatus) sip2.CirculationStatus {
	switch st {
	case core.ItemAvailable:
		return sip2.CirculationAvailable
	case core.ItemOnLoan:
		return sip2.CirculationCharged
	case core.ItemOnHold:
		return sip2.CirculationWaitingOnHoldShelf
	case core.ItemInTransit:
		return sip2.CirculationInTransit
	case core.ItemLost:
		return sip2.CirculationLost
	case core.ItemMissing:
		return sip2.CirculationMissing
	}
	return sip2.CirculationOther
}

// ItemStatusUpdate answers 19: the item's properties (CH) are stored.
func (s *Session) ItemStatusUpdate(ctx context.Context, req *sip2.ItemStatusUpdateRequest) (*sip2.ItemStatusUpdateResponse, error) {
	if s.inventory {
		return s.inventoryStatusUpdate(ctx, req)
	}
	resp := &sip2.ItemStatusUpdateResponse{ItemID: req.ItemID}
	it, err := s.svc.SetItemProperties(ctx, req.ItemID, req.ItemProperties)
	if err != nil {
		resp.ScreenMessages = []string{s.text(reason(err))}
		return resp, nil
	}
	resp.ItemPropertiesOK, resp.TitleID, resp.ItemProperties = true, it.Title, it.Properties
	return resp, nil
}

// Hold answers 15: + places a hold on the item's title, - cancels it, *
// moves it to another pickup library (BS).
func (s *Session) Hold(ctx context.Context, req *sip2.HoldRequest) (*sip2.HoldResponse, error) {
	resp := &sip2.HoldResponse{PatronID: req.PatronID, ItemID: req.ItemID, TitleID: req.TitleID}
	fail := func(err error) (*sip2.HoldResponse, error) {
		resp.OK = false
		resp.ScreenMessages = []string{s.text(reason(err))}
		return resp, nil
	}
	pa, err := s.auth(ctx, req.PatronID, req.PatronPassword, true)
	if err != nil {
		return fail(err)
	}
	pickup := strings.TrimSpace(req.PickupLocation)
	ref := core.CancelHoldRequest{PatronID: pa.card, ItemID: req.ItemID}
	switch req.HoldMode {
	case sip2.HoldDelete:
		if err := s.svc.CancelHold(ctx, ref); err != nil {
			return fail(err)
		}
		resp.OK = true
	case sip2.HoldChange:
		h, err := s.svc.ChangeHoldPickup(ctx, ref, pickup)
		if err != nil {
			return fail(err)
		}
		resp.OK, resp.PickupLocation, resp.TitleID = true, h.PickupLibrary, h.Title
		// The same rule as for +: available when the hold's copy waits on
		// the hold shelf or the copy asked about is on the shelf.
		resp.Available = h.Status == core.HoldReady
		if is, err := s.svc.Item(ctx, req.ItemID); err == nil && is.Item.Status == core.ItemAvailable {
			resp.Available = true
		}
	default:
		h, err := s.svc.PlaceHold(ctx, core.HoldRequest{PatronID: pa.card, ItemID: req.ItemID, PickupLibrary: pickup})
		if err != nil {
			return fail(err)
		}
		resp.OK = true
		resp.Available = h.Expected.IsZero()
		resp.QueuePosition = strconv.Itoa(h.Position)
		resp.PickupLocation = h.Hold.PickupLibrary
		resp.TitleID = h.Hold.Title
		if !h.Expected.IsZero() {
			resp.ExpirationDate = s.date(h.Expected)
		}
	}
	return resp, nil
}

// FeePaid answers 37: the given fee (CG) or the oldest first; BK makes a
// resent payment count once.
func (s *Session) FeePaid(ctx context.Context, req *sip2.FeePaidRequest) (*sip2.FeePaidResponse, error) {
	resp := &sip2.FeePaidResponse{PatronID: req.PatronID, TransactionID: req.TransactionID}
	// The amount is in the request's currency: a debt in EUR is not paid
	// one for one in USD or JPY. Blank means the library's own.
	if cur := strings.TrimSpace(req.Currency); cur != "" && !strings.EqualFold(cur, s.currency()) {
		resp.ScreenMessages = []string{s.text(screentext.WrongCurrency) + " " + s.currency()}
		return resp, nil
	}
	pa, err := s.auth(ctx, req.PatronID, req.PatronPassword, false)
	if err == nil {
		var cents int64
		cents, err = sip2.ParseAmount(req.FeeAmount)
		if err != nil {
			err = &core.Error{Reason: core.ReasonBadRequest}
		} else {
			var rec core.Receipt
			rec, err = s.svc.PayFee(ctx, core.Payment{PatronID: pa.card, FeeID: strings.TrimSpace(req.FeeID),
				Amount: core.Money(cents), TransactionID: req.TransactionID})
			if err == nil {
				resp.PaymentAccepted = true
				resp.ScreenMessages = []string{s.amount(rec.Owed) + " " + s.currency()}
			}
		}
	}
	if err != nil {
		resp.ScreenMessages = []string{s.text(reason(err))}
	}
	return resp, nil
}

// appendOnce appends a screen message unless it is already there (a
// refusal that says what the status already said).
func appendOnce(af []string, msg string) []string {
	for _, m := range af {
		if m == msg {
			return af
		}
	}
	return append(af, msg)
}
