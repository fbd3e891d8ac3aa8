package illadapter

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/ill"
)

// TransactionID is the core's form of a wire transaction-id: the same
// tuple, each part verbatim.
func TransactionID(t ill.TransactionID) core.TransactionID {
	out := core.TransactionID{Group: string(t.GroupQualifier), Transaction: string(t.Qualifier), SubTransaction: str(t.SubQualifier)}
	if t.InitialRequesterID != nil {
		out.InitialRequester = systemID(t.InitialRequesterID)
	}
	return out
}

// WireTransactionID is the wire form of a stored transaction-id. Symbols
// and names are written as an institution's.
func WireTransactionID(t core.TransactionID) ill.TransactionID {
	out := ill.TransactionID{GroupQualifier: ill.String(t.Group), Qualifier: ill.String(t.Transaction)}
	if t.SubTransaction != "" {
		out.SubQualifier = ill.Str(t.SubTransaction)
	}
	out.InitialRequesterID = wireSystemID(t.InitialRequester)
	return out
}

func systemID(s *ill.SystemID) core.SystemID {
	return core.SystemID{Symbol: personOrInstitution(s.Symbol), Name: personOrInstitution(s.Name)}
}

func wireSystemID(s core.SystemID) *ill.SystemID {
	if s.Symbol == "" && s.Name == "" {
		return nil
	}
	out := &ill.SystemID{}
	if s.Symbol != "" {
		out.Symbol = &ill.PersonOrInstitution{Institution: ill.Str(s.Symbol)}
	}
	if s.Name != "" {
		out.Name = &ill.PersonOrInstitution{Institution: ill.Str(s.Name)}
	}
	return out
}

func personOrInstitution(p *ill.PersonOrInstitution) string {
	switch {
	case p == nil:
		return ""
	case p.Institution != nil:
		return string(*p.Institution)
	case p.Person != nil:
		return string(*p.Person)
	}
	return ""
}

// symbol is a system id's symbol, else its name.
func symbol(s *ill.SystemID) string {
	if s == nil {
		return ""
	}
	if v := personOrInstitution(s.Symbol); v != "" {
		return v
	}
	return personOrInstitution(s.Name)
}

func str(s *ill.String) string {
	if s == nil {
		return ""
	}
	return string(*s)
}

func optStr(s string) *ill.String {
	if s == "" {
		return nil
	}
	return ill.Str(s)
}

const isoDateLayout = "20060102"

func isoDate(s *string) (time.Time, bool) {
	if s == nil {
		return time.Time{}, false
	}
	t, err := time.Parse(isoDateLayout, *s)
	return t, err == nil
}

func wireDate(t time.Time) string { return t.Format(isoDateLayout) }

func optDate(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	d := wireDate(t)
	return &d
}

// serviceTime is the sender's service date-time, read in loc (the
// partner's local time; ill.md §1.1).
// exactTime reports whether h's service-date-time has the time of day:
// then an APDU sent again can be recognised by it.
func exactTime(h *ill.Header) bool {
	t := h.ServiceDateTime.This.Time
	return t != nil && len(*t) == 6
}

func serviceTime(h *ill.Header, loc *time.Location) time.Time {
	dt := h.ServiceDateTime.This
	layout, v := isoDateLayout, dt.Date
	if dt.Time != nil && len(*dt.Time) == 6 {
		layout, v = isoDateLayout+"150405", v+*dt.Time
	}
	t, err := time.ParseInLocation(layout, v, loc)
	if err != nil {
		return time.Time{}
	}
	return t
}

// wireState is Current-State for an engine state (IDLE has none).
func wireState(s illstate.State) ill.State {
	if s < illstate.NotSupplied || s > illstate.Unknown {
		return ill.Unknown
	}
	return ill.State(s)
}

// reasons are the names the engine uses for the reason codes of
// ISO 10161's Reason-Unfilled, Reason-Not-Available (retry) and
// Reason-Will-Supply, which share their numbers.
var reasons = map[int]string{
	1: "in-use-on-loan", 2: "in-process", 3: "lost", 4: "non-circulating", 5: "not-owned", 6: "on-order",
	7: "volume-issue-not-yet-available", 8: "at-bindery", 9: "lacking", 10: "not-on-shelf", 11: "on-reserve",
	12: "poor-condition", 13: "cost-exceeds-limit", 14: "charges", 15: "prepayment-required",
	16: "lacks-copyright-compliance", 17: "not-found-as-cited", 18: "locations-not-found", 19: "on-hold",
	20: "policy-problem", 21: "mandatory-messaging-not-supported", 22: "expiry-not-supported",
	23: "requested-delivery-services-not-supported", 24: "preferred-delivery-time-not-possible",
	26: "being-processed-for-supply", 27: "other", 28: "responder-specific", 30: "electronic-delivery",
}

var reasonCodes = func() map[string]int {
	m := map[string]int{}
	for k, v := range reasons {
		m[v] = k
	}
	return m
}()

func reasonName(code *int) string {
	if code == nil {
		return ""
	}
	if n, ok := reasons[*code]; ok {
		return n
	}
	return strconv.Itoa(*code)
}

// reasonCode is the code for a reason name; other (27) for one the table
// lacks.
func reasonCode(name string) int {
	if c, ok := reasonCodes[name]; ok {
		return c
	}
	return 27
}

var qualifiers = map[ill.TransactionResults]string{
	ill.Conditional: illstate.QConditional, ill.Retry: illstate.QRetry, ill.Unfilled: illstate.QUnfilled,
	ill.LocationsProvided: illstate.QLocationsProvided, ill.WillSupply: illstate.QWillSupply,
	ill.HoldPlaced: illstate.QHoldPlaced, ill.EstimateResult: illstate.QEstimate,
}

func results(q string) (ill.TransactionResults, bool) {
	for r, name := range qualifiers {
		if name == q {
			return r, true
		}
	}
	return 0, false
}

func yesNo(b bool) string {
	if b {
		return illstate.QYes
	}
	return illstate.QNo
}

// money reads a monetary-value ("3.50", "350") as cents.
func money(a *ill.Amount) core.Money {
	if a == nil {
		return 0
	}
	whole, frac, _ := strings.Cut(strings.TrimSpace(a.MonetaryValue), ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 {
		return 0
	}
	frac = (frac + "00")[:2]
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0
	}
	return core.Money(w*100 + f)
}

func wireMoney(m core.Money) *ill.Amount {
	eur := "EUR"
	return &ill.Amount{CurrencyCode: &eur, MonetaryValue: fmt.Sprintf("%d.%02d", m/100, m%100)}
}

// eventOf is the engine event an APDU (other than a request) carries.
func eventOf(a ill.APDU) (core.ILLEventInput, error) {
	in := core.ILLEventInput{Service: illstate.Service(a.Type()), Dir: illstate.Incoming}
	switch a := a.(type) {
	case *ill.Answer:
		q, ok := qualifiers[a.TransactionResults]
		if !ok {
			return in, fmt.Errorf("ILL-Answer with transaction-results %d", a.TransactionResults)
		}
		in.Qualifier, in.Note = q, str(a.ResponderNote)
		if x := a.ResultsExplanation; x != nil {
			switch {
			case x.Retry != nil:
				in.Reason = reasonName(x.Retry.ReasonNotAvailable)
				in.Date, _ = isoDate(x.Retry.RetryDate)
			case x.Unfilled != nil:
				in.Reason = reasonName(&x.Unfilled.ReasonUnfilled)
			case x.WillSupply != nil:
				in.Reason = reasonName(&x.WillSupply.Reason)
				in.Date, _ = isoDate(x.WillSupply.SupplyDate)
			case x.HoldPlaced != nil:
				in.Date, _ = isoDate(&x.HoldPlaced.EstimatedDateAvailable)
			}
		}
	case *ill.ConditionalReply:
		in.Qualifier, in.Note = yesNo(a.Answer), str(a.RequesterNote)
	case *ill.CancelReply:
		in.Qualifier, in.Note = yesNo(a.Answer), str(a.ResponderNote)
	case *ill.RenewAnswer:
		in.Qualifier, in.Note = yesNo(a.Answer), str(a.ResponderNote)
		if a.DateDue != nil {
			in.Date, _ = isoDate(&a.DateDue.Date)
		}
	case *ill.Shipped:
		in.Note, in.Amount = str(a.ResponderNote), money(a.SupplyDetails.Cost)
		if a.SupplyDetails.DateDue != nil {
			in.Date, _ = isoDate(&a.SupplyDetails.DateDue.Date)
		}
		if r := a.ReturnToAddress; r != nil {
			var parts []string
			for _, s := range []*ill.String{r.ExtendedPostalDeliveryAddr, r.StreetAndNumber, r.PostalCode, r.City, r.Country} {
				if v := strings.TrimSpace(str(s)); v != "" {
					parts = append(parts, v)
				}
			}
			in.ReturnAddress = strings.Join(parts, ", ")
		}
	case *ill.Overdue:
		in.Note = str(a.ResponderNote)
		in.Date, _ = isoDate(&a.DateDue.Date)
	case *ill.Renew:
		in.Note = str(a.RequesterNote)
		in.Date, _ = isoDate(a.DesiredDueDate)
	case *ill.Cancel:
		in.Note = str(a.RequesterNote)
	case *ill.Received:
		in.Note = str(a.RequesterNote)
	case *ill.Returned:
		in.Note = str(a.RequesterNote)
	case *ill.CheckedIn:
		in.Note = str(a.ResponderNote)
	case *ill.Recall:
		in.Note = str(a.ResponderNote)
	case *ill.Lost:
		in.Note = str(a.Note)
	case *ill.Damaged:
		in.Note = str(a.Note)
	case *ill.Message:
		in.Note = string(a.Note)
	case *ill.StatusQuery:
		in.Note = str(a.Note)
	case *ill.StatusOrErrorReport:
		in.Note = str(a.Note)
	case *ill.ForwardNotification:
		in.Note = str(a.NotificationNote)
	case *ill.Expired:
	default:
		return in, fmt.Errorf("%s is not handled here", a.Type())
	}
	return in, nil
}

// APDU renders event i of x, one this side sends, as its APDU: our
// symbol ours, at the service date-time. Transports call it for what the
// outbox holds (core.ILLPending).
func APDU(x core.ILLTransaction, i int, ours string, at time.Time) (ill.APDU, error) {
	h := ill.Header{Version: ill.Version2, TransactionID: WireTransactionID(x.TID),
		ServiceDateTime: ill.ServiceDateTime{This: ill.DateTime{Date: wireDate(at), Time: ptr(at.Format("150405"))}}}
	us, them := ill.Institution(ours), ill.Institution(x.Partner)
	if ours == "" {
		us = nil
	}
	if x.Role == illstate.Responder {
		h.RequesterID, h.ResponderID = them, us
	} else {
		h.RequesterID, h.ResponderID = us, them
	}
	return render(h, x, i, ours, at)
}

func ptr[T any](v T) *T { return &v }

// render is APDU with the header given (one echoing the partner's).
func (b *Backend) render(h *ill.Header, x core.ILLTransaction, i int) (ill.APDU, error) {
	return render(b.header(h), x, i, b.Svc.Consortium().ILL.Symbol, b.now())
}

func render(h ill.Header, x core.ILLTransaction, i int, ours string, at time.Time) (ill.APDU, error) {
	if i < 0 || i >= len(x.Events) {
		return nil, fmt.Errorf("illadapter: transaction %s has no event %d", x.ID, i+1)
	}
	e := x.Events[i]
	note := optStr(e.Note)
	shipped := ill.Loan
	if x.Service == core.ILLCopy {
		shipped = ill.CopyNonReturnable
	}
	switch e.Service {
	case illstate.ILLAnswer:
		r, ok := results(e.Qualifier)
		if !ok {
			return nil, fmt.Errorf("illadapter: ILL-Answer %q", e.Qualifier)
		}
		a := &ill.Answer{Header: h, TransactionResults: r, ResponderNote: note}
		switch r {
		case ill.Unfilled:
			a.ResultsExplanation = &ill.ResultsExplanation{Unfilled: &ill.UnfilledResults{ReasonUnfilled: reasonCode(e.Reason)}}
		case ill.Retry:
			rs := &ill.RetryResults{RetryDate: optDate(e.Date)}
			if e.Reason != "" {
				rs.ReasonNotAvailable = ptr(reasonCode(e.Reason))
			}
			a.ResultsExplanation = &ill.ResultsExplanation{Retry: rs}
		case ill.WillSupply:
			reason := 26 // being-processed-for-supply
			if e.Reason != "" {
				reason = reasonCode(e.Reason)
			}
			a.ResultsExplanation = &ill.ResultsExplanation{WillSupply: &ill.WillSupplyResults{Reason: reason, SupplyDate: optDate(e.Date)}}
		case ill.HoldPlaced:
			d := e.Date
			if d.IsZero() {
				d = at // the date is mandatory; unknown means as soon as can be
			}
			a.ResultsExplanation = &ill.ResultsExplanation{HoldPlaced: &ill.HoldPlacedResults{EstimatedDateAvailable: wireDate(d)}}
		}
		return a, nil
	case illstate.StatusOrErrorReport:
		return &ill.StatusOrErrorReport{Header: h, StatusReport: statusReport(x, i, ours), Note: note}, nil
	case illstate.RenewAnswer:
		a := &ill.RenewAnswer{Header: h, Answer: e.Qualifier == illstate.QYes, ResponderNote: note}
		if !e.Date.IsZero() {
			a.DateDue = &ill.DateDue{Date: wireDate(e.Date), Renewable: true}
		}
		return a, nil
	case illstate.CancelReply:
		return &ill.CancelReply{Header: h, Answer: e.Qualifier == illstate.QYes, ResponderNote: note}, nil
	case illstate.ConditionalReply:
		return &ill.ConditionalReply{Header: h, Answer: e.Qualifier == illstate.QYes, RequesterNote: note}, nil
	case illstate.ShippedService:
		s := &ill.Shipped{Header: h, ShippedServiceType: shipped, ResponderNote: note,
			SupplyDetails: ill.SupplyDetails{DateShipped: optDate(e.At)}}
		if !e.Date.IsZero() {
			s.SupplyDetails.DateDue = &ill.DateDue{Date: wireDate(e.Date), Renewable: true}
		}
		if e.Amount > 0 {
			s.SupplyDetails.Cost = wireMoney(e.Amount)
		}
		if e.ReturnAddress != "" {
			s.ReturnToAddress = &ill.PostalAddress{ExtendedPostalDeliveryAddr: ill.Str(e.ReturnAddress)}
		}
		return s, nil
	case illstate.CheckedInService:
		return &ill.CheckedIn{Header: h, DateCheckedIn: wireDate(e.At), ResponderNote: note}, nil
	case illstate.OverdueService:
		d := e.Date
		if d.IsZero() {
			d = x.Due
		}
		return &ill.Overdue{Header: h, DateDue: ill.DateDue{Date: wireDate(d), Renewable: true}, ResponderNote: note}, nil
	case illstate.RecallService:
		return &ill.Recall{Header: h, ResponderNote: note}, nil
	case illstate.Expired:
		return &ill.Expired{Header: h}, nil
	case illstate.ReceivedService:
		return &ill.Received{Header: h, DateReceived: wireDate(e.At), ShippedServiceType: shipped, RequesterNote: note}, nil
	case illstate.ReturnedService:
		return &ill.Returned{Header: h, DateReturned: wireDate(e.At), RequesterNote: note}, nil
	case illstate.Renew:
		return &ill.Renew{Header: h, DesiredDueDate: optDate(e.Date), RequesterNote: note}, nil
	case illstate.Cancel:
		return &ill.Cancel{Header: h, RequesterNote: note}, nil
	case illstate.LostService:
		return &ill.Lost{Header: h, Note: note}, nil
	case illstate.Damaged:
		return &ill.Damaged{Header: h, Note: note}, nil
	case illstate.Message:
		return &ill.Message{Header: h, Note: ill.String(e.Note)}, nil
	case illstate.StatusQuery:
		return &ill.StatusQuery{Header: h, Note: note}, nil
	case illstate.ILLRequest:
		it := x.Item
		r := &ill.Request{Header: h, ServiceTypes: []ill.ServiceType{shipped},
			RequesterOptionalMessages: ill.RequesterOptionalMessages{CanSendReceived: true, CanSendReturned: true,
				RequesterShipped: ill.Desires, RequesterCheckedIn: ill.Desires},
			PlaceOnHold: 3, RequesterNote: optStr(x.Note),
			ItemID: ill.ItemID{Title: optStr(it.Title), Author: optStr(it.Author), ISBN: optStr(it.ISBN), ISSN: optStr(it.ISSN),
				CallNumber: optStr(it.CallNumber)}}
		if !x.Expiry.IsZero() {
			r.SearchType = &ill.SearchType{ExpiryFlag: 2, ExpiryDate: optDate(x.Expiry)}
		}
		return r, nil
	}
	return nil, fmt.Errorf("illadapter: %s%s has no APDU rendering", e.Dir, e.Service)
}

// statusReport is the Status-Report of x as of its first upto events: the
// history (dates, title, the most recent service and who performed it)
// and our current state.
func statusReport(x core.ILLTransaction, upto int, ours string) *ill.StatusReport {
	hr := ill.HistoryReport{DateRequested: optDate(x.Created), Title: optStr(x.Item.Title), Author: optStr(x.Item.Author),
		DateOfLastTransition: wireDate(x.Updated)}
	state := x.State
	for i := min(upto, len(x.Events)) - 1; i >= 0; i-- {
		e := x.Events[i]
		if e.Service == illstate.StatusOrErrorReport || e.Service == illstate.StatusQuery || e.Service == illstate.Message {
			continue // they report on the transaction, they are not its history
		}
		hr.MostRecentService = int(e.Service)
		if e.Service == illstate.ForwardService {
			hr.MostRecentService = 21
		}
		hr.DateOfMostRecentService = wireDate(e.At)
		by := x.Partner
		if e.Dir == illstate.Outgoing {
			by = ours
		}
		hr.InitiatorOfMostRecentService = *ill.Institution(by)
		hr.MostRecentServiceNote = optStr(e.Note)
		if e.Service == illstate.ILLAnswer {
			if r, ok := results(e.Qualifier); ok {
				hr.TransactionResults = &r
			}
		}
		if e.Service == illstate.ShippedService {
			st := ill.Loan
			if x.Service == core.ILLCopy {
				st = ill.CopyNonReturnable
			}
			hr.ShippedServiceType = &st
		}
		state = e.To
		break
	}
	if hr.MostRecentService == 0 {
		hr.MostRecentService, hr.DateOfMostRecentService = int(illstate.ILLRequest), wireDate(x.Created)
		hr.InitiatorOfMostRecentService = *ill.Institution(x.Partner)
	}
	return &ill.StatusReport{UserStatusReport: hr, ProviderStatusReport: wireState(state)}
}
