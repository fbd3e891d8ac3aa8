package iso18626adapter

import (
	"fmt"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/ill/iso18626"
)

// Render is event i of x, one this side sends, as the ISO 18626 message
// that carries it to partner p: a request, a supplyingAgencyMessage (we
// lend) or a requestingAgencyMessage (we borrow), stamped at (the event's
// own time, so that a partner recognises it sent again). ours is our
// symbol.
func Render(x core.ILLTransaction, i int, ours string, p Partner, at time.Time) (iso18626.Message, error) {
	if i < 0 || i >= len(x.Events) {
		return iso18626.Message{}, fmt.Errorf("iso18626adapter: transaction %s has no event %d", x.ID, i+1)
	}
	e := x.Events[i]
	agency := func(v string) iso18626.AgencyID {
		return iso18626.AgencyID{Type: iso18626.SchemeValue{Scheme: AgencyTypeScheme, Value: p.agencyType()}, Value: v}
	}
	h := iso18626.Header{RequestingAgencyID: agency(x.TID.InitialRequester.Symbol), Timestamp: iso18626.At(at),
		RequestingAgencyRequestID: x.TID.Transaction}
	if x.Role == illstate.Responder {
		h.SupplyingAgencyID, h.SupplyingAgencyRequestID = agency(ours), x.ID
		return supplyingMessage(h, x, i, at)
	}
	h.SupplyingAgencyID = agency(x.Partner)
	if e.Service == illstate.ILLRequest {
		return requestMessage(h, x), nil
	}
	var a iso18626.Action
	switch e.Service {
	case illstate.ReceivedService:
		a = iso18626.ActionReceived
	case illstate.ReturnedService:
		a = iso18626.ActionShippedReturn
	case illstate.Renew:
		a = iso18626.ActionRenew
	case illstate.Cancel:
		a = iso18626.ActionCancel
	case illstate.StatusQuery:
		a = iso18626.ActionStatusRequest
	case illstate.Message, illstate.Damaged, illstate.ConditionalReply:
		a = iso18626.ActionNotification
	case illstate.LostService:
		a = iso18626.ActionLost
		if p.version() == iso18626.V2017 {
			a = iso18626.ActionNotification // 2017 has no Lost
		}
	default:
		return iso18626.Message{}, fmt.Errorf("iso18626adapter: %s%s has no ISO 18626 message", e.Dir, e.Service)
	}
	note := e.Note
	if e.Service == illstate.LostService && a == iso18626.ActionNotification {
		note = join("Lost", note)
	}
	if e.Service == illstate.Damaged {
		note = join("Damaged", note)
	}
	if e.Service == illstate.ConditionalReply {
		note = join("Conditions: "+map[string]string{illstate.QYes: "ACCEPT", illstate.QNo: "REJECT"}[e.Qualifier], note)
	}
	if e.Service == illstate.Renew && !e.Date.IsZero() {
		note = join("Desired due date "+e.Date.Format(time.DateOnly), note)
	}
	return iso18626.Message{RequestingAgencyMessage: &iso18626.RequestingAgencyMessage{Header: h, Action: a, Note: note}}, nil
}

func join(a, b string) string {
	if b == "" {
		return a
	}
	return a + ". " + b
}

func requestMessage(h iso18626.Header, x core.ILLTransaction) iso18626.Message {
	it := x.Item
	bi := iso18626.BibliographicInfo{Title: it.Title, Author: it.Author}
	const codes = "http://illtransactions.org/ISO18626/OpenCodeList/BibliographicItemIdCodeList-V1.0"
	if it.ISBN != "" {
		bi.BibliographicItemID = append(bi.BibliographicItemID, iso18626.BibliographicItemID{Identifier: it.ISBN,
			Code: iso18626.SchemeValue{Scheme: codes, Value: "ISBN"}})
	}
	if it.ISSN != "" {
		bi.BibliographicItemID = append(bi.BibliographicItemID, iso18626.BibliographicItemID{Identifier: it.ISSN,
			Code: iso18626.SchemeValue{Scheme: codes, Value: "ISSN"}})
	}
	svc := iso18626.ServiceLoan
	if x.Service == core.ILLCopy {
		svc = iso18626.ServiceCopy
	}
	si := &iso18626.ServiceInfo{RequestType: iso18626.RequestNew, ServiceType: svc, Note: x.Note,
		NeedBeforeDate: dateTime(x.Expiry)}
	return iso18626.Message{Request: &iso18626.Request{Header: h, BibliographicInfo: bi, ServiceInfo: si}}
}

// supplyingMessage is event i of x, ours as supplier.
func supplyingMessage(h iso18626.Header, x core.ILLTransaction, i int, at time.Time) (iso18626.Message, error) {
	e := x.Events[i]
	s := &iso18626.SupplyingAgencyMessage{Header: h,
		MessageInfo: iso18626.MessageInfo{ReasonForMessage: iso18626.ReasonStatusChange, Note: e.Note},
		StatusInfo:  iso18626.StatusInfo{Status: statusOf(x, e.To), LastChange: iso18626.At(at)}}
	mi, st := &s.MessageInfo, &s.StatusInfo
	switch e.Service {
	case illstate.ILLAnswer:
		if firstAnswer(x, i) {
			mi.ReasonForMessage = iso18626.ReasonRequestResponse
		}
		switch e.Qualifier {
		case illstate.QHoldPlaced:
			st.Status, st.ExpectedDeliveryDate = iso18626.StatusExpectToSupply, dateTime(e.Date)
			if e.QueuePosition > 0 && e.Note == "" {
				mi.Note = fmt.Sprintf("Place in the queue: %d", e.QueuePosition)
			}
		case illstate.QWillSupply:
			st.Status, st.ExpectedDeliveryDate = iso18626.StatusWillSupply, dateTime(e.Date)
		case illstate.QUnfilled:
			st.Status = iso18626.StatusUnfilled
			if e.Reason != "" {
				mi.ReasonUnfilled = iso18626.SchemeValue{Scheme: reasonUnfilledScheme, Value: reasonOut(e.Reason)}
			}
		case illstate.QRetry:
			st.Status = iso18626.StatusRetryPossible
			if e.Reason != "" {
				mi.ReasonRetry = iso18626.SchemeValue{Scheme: reasonRetryScheme, Value: reasonOut(e.Reason)}
			}
			mi.RetryAfter = dateTime(e.Date)
			if !e.Date.IsZero() {
				s.RetryInfo = &iso18626.RetryInfo{RetryAfter: iso18626.At(e.Date)}
			}
		default:
			// conditional, locations-provided, estimate: told in words.
			st.Status = iso18626.StatusRequestReceived
			mi.ReasonForMessage = iso18626.ReasonNotification
			mi.Note = join("Answer: "+e.Qualifier, e.Note)
		}
	case illstate.ShippedService:
		st.Status, st.DueDate = iso18626.StatusLoaned, dateTime(e.Date)
		if x.Service == core.ILLCopy {
			st.Status, st.DueDate = iso18626.StatusCopyCompleted, iso18626.DateTime{}
		}
		d := &iso18626.DeliveryInfo{DateSent: iso18626.At(e.At)}
		if e.ItemID != "" {
			d.ItemID = []string{e.ItemID}
		}
		if e.Amount > 0 {
			d.DeliveryCosts = []iso18626.Costs{{CurrencyCode: iso18626.SchemeValue{Scheme: "ISO4217", Value: "EUR"},
				MonetaryValue: fmt.Sprintf("%d.%02d", e.Amount/100, e.Amount%100)}}
		}
		s.DeliveryInfo = d
		if e.ReturnAddress != "" {
			s.ReturnInfo = &iso18626.ReturnInfo{Name: e.ReturnAddress}
		}
	case illstate.CheckedInService:
		st.Status = iso18626.StatusLoanCompleted
	case illstate.OverdueService:
		d := e.Date
		if d.IsZero() {
			d = x.Due
		}
		st.Status, st.DueDate = iso18626.StatusOverdue, dateTime(d)
	case illstate.RecallService:
		st.Status = iso18626.StatusRecalled
	case illstate.RenewAnswer:
		mi.ReasonForMessage, mi.AnswerYesNo = iso18626.ReasonRenewResponse, answer(e.Qualifier)
		d := e.Date
		if d.IsZero() {
			d = x.Due
		}
		st.DueDate = dateTime(d)
	case illstate.CancelReply:
		mi.ReasonForMessage, mi.AnswerYesNo = iso18626.ReasonCancelResponse, answer(e.Qualifier)
	case illstate.Expired:
		st.Status = iso18626.StatusUnfilled
		mi.Note = join("Expired", e.Note)
	case illstate.StatusOrErrorReport:
		mi.ReasonForMessage = iso18626.ReasonStatusRequestResponse
	case illstate.Message, illstate.Damaged, illstate.LostService:
		mi.ReasonForMessage = iso18626.ReasonNotification
		if e.Service != illstate.Message {
			mi.Note = join(e.Service.String(), e.Note)
		}
	default:
		return iso18626.Message{}, fmt.Errorf("iso18626adapter: %s%s has no ISO 18626 message", e.Dir, e.Service)
	}
	return iso18626.Message{SupplyingAgencyMessage: s}, nil
}

func answer(q string) iso18626.YesNo {
	if q == illstate.QYes {
		return iso18626.Yes
	}
	return iso18626.No
}

// firstAnswer reports whether event i is the first answer we gave.
func firstAnswer(x core.ILLTransaction, i int) bool {
	for j := 0; j < i; j++ {
		if e := x.Events[j]; e.Service == illstate.ILLAnswer && e.Dir == illstate.Outgoing {
			return false
		}
	}
	return true
}

// statusOf is the supplier's status for our state s as supplier of x.
func statusOf(x core.ILLTransaction, s illstate.State) iso18626.Status {
	switch s {
	case illstate.NotSupplied:
		return iso18626.StatusUnfilled
	case illstate.Cancelled:
		return iso18626.StatusCancelled
	case illstate.Shipped, illstate.Received, illstate.RenewPending, illstate.Recall, illstate.Returned:
		if x.Service == core.ILLCopy {
			return iso18626.StatusCopyCompleted
		}
		return iso18626.StatusLoaned
	case illstate.Overdue, illstate.RenewOverdue:
		return iso18626.StatusOverdue
	case illstate.CheckedIn:
		return iso18626.StatusLoanCompleted
	}
	for j := len(x.Events) - 1; j >= 0; j-- {
		if e := x.Events[j]; e.Service == illstate.ILLAnswer && e.Dir == illstate.Outgoing {
			switch e.Qualifier {
			case illstate.QHoldPlaced:
				return iso18626.StatusExpectToSupply
			case illstate.QWillSupply:
				return iso18626.StatusWillSupply
			}
		}
	}
	return iso18626.StatusRequestReceived
}
