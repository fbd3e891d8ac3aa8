package iso18626

import (
	"regexp"
	"strconv"
	"strings"
)

// Validate checks m semantically and returns every problem found, each with
// the errorType a confirmation would carry.
//
// Lenient (strict false, what Parse uses): values present must be readable
// (dates, closed-list codes, numbers, booleans), a supplyingAgencyMessage
// needs a known reasonForMessage (else UnsupportedReasonForMessageType) and
// a requestingAgencyMessage a known action (else UnsupportedActionType), and
// every message needs the ids that route it. Codes of either edition are
// accepted whatever the version attribute says.
//
// Strict (Marshal uses it): also every element the XSD of v requires, and
// codes only from v's lists.
func Validate(m *Message, v Version, strict bool) []*Error {
	c := checker{v: v, strict: strict}
	lists := v
	if !strict {
		lists = V2021 // the union
	}
	c.lists = lists
	switch m.Kind() {
	case KindRequest:
		c.request(m.Request)
	case KindRequestConfirmation:
		c.path = "requestConfirmation"
		c.confirmation(&m.RequestConfirmation.ConfirmationHeader, m.RequestConfirmation.ErrorData)
	case KindSupplyingAgencyMessage:
		c.supplying(m.SupplyingAgencyMessage)
	case KindSupplyingAgencyMessageConfirmation:
		s := m.SupplyingAgencyMessageConfirmation
		c.path = "supplyingAgencyMessageConfirmation"
		c.confirmation(&s.ConfirmationHeader, s.ErrorData)
		if s.ReasonForMessage != "" && !s.ReasonForMessage.Valid(lists) {
			c.bad(UnrecognisedDataValue, "reasonForMessage", string(s.ReasonForMessage))
		}
	case KindRequestingAgencyMessage:
		c.requesting(m.RequestingAgencyMessage)
	case KindRequestingAgencyMessageConfirmation:
		s := m.RequestingAgencyMessageConfirmation
		c.path = "requestingAgencyMessageConfirmation"
		c.confirmation(&s.ConfirmationHeader, s.ErrorData)
		// The action echoed is optional: a 2021 action confirmed toward a
		// 2017 peer is left out by Marshal rather than refused.
		if s.Action != "" && !s.Action.Valid(V2021) {
			c.bad(UnrecognisedDataValue, "action", string(s.Action))
		}
	default:
		c.errs = append(c.errs, &Error{Type: BadlyFormedMessage, Reason: "no message"})
	}
	return c.errs
}

type checker struct {
	v, lists Version
	strict   bool
	path     string
	errs     []*Error
}

func (c *checker) at(el string) string {
	if el == "" {
		return c.path
	}
	return c.path + "/" + el
}

func (c *checker) bad(t ErrorType, el, value string) {
	c.errs = append(c.errs, &Error{Type: t, Element: c.at(el), Value: value})
}

func (c *checker) missing(el string) {
	c.errs = append(c.errs, &Error{Type: BadlyFormedMessage, Element: c.at(el), Reason: "missing"})
}

// need reports a missing element when strict (always when always is set).
func (c *checker) need(el string, present, always bool) {
	if !present && (c.strict || always) {
		c.missing(el)
	}
}

func (c *checker) date(el string, d DateTime, required bool) {
	if d.IsZero() {
		if required && c.strict {
			c.missing(el)
		}
		return
	}
	if !d.Valid() {
		c.bad(UnrecognisedDataValue, el, d.Raw)
	}
}

func (c *checker) agency(el string, a AgencyID, required bool) {
	if a.IsZero() {
		if required {
			c.need(el, false, false)
		}
		return
	}
	c.need(el+"/agencyIdType", a.Type.Value != "", false)
	c.need(el+"/agencyIdValue", a.Value != "", false)
}

var decimalRE = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)$`)

func (c *checker) costs(el string, k *Costs) {
	if k == nil || k.IsZero() {
		return
	}
	c.need(el+"/currencyCode", k.CurrencyCode.Value != "", false)
	if !decimalRE.MatchString(strings.TrimSpace(k.MonetaryValue)) {
		if k.MonetaryValue == "" {
			c.need(el+"/monetaryValue", false, false)
		} else {
			c.bad(UnrecognisedDataValue, el+"/monetaryValue", k.MonetaryValue)
		}
	}
}

func (c *checker) sortOrder(el, s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	n, err := strconv.Atoi(s)
	if err != nil || (c.v == V2021 && n < 0 && c.strict) {
		c.bad(UnrecognisedDataValue, el, s)
	}
}

func (c *checker) yesNo(el string, y YesNo) {
	if y != "" && !y.Valid(c.lists) {
		c.bad(UnrecognisedDataValue, el, string(y))
	}
}

func (c *checker) header(h *Header, kind Kind) {
	c.path += "/header"
	defer func() { c.path = strings.TrimSuffix(c.path, "/header") }()
	supplierRequired := !(kind == KindRequest && c.v == V2021)
	c.agency("supplyingAgencyId", h.SupplyingAgencyID, supplierRequired)
	c.agency("requestingAgencyId", h.RequestingAgencyID, true)
	c.agency("consortialId", h.ConsortialID, false)
	c.date("timestamp", h.Timestamp, true)
	c.need("requestingAgencyRequestId", strings.TrimSpace(h.RequestingAgencyRequestID) != "", true)
}

func (c *checker) confirmation(h *ConfirmationHeader, errs []ErrorData) {
	c.path += "/confirmationHeader"
	c.agency("supplyingAgencyId", h.SupplyingAgencyID, false)
	c.agency("requestingAgencyId", h.RequestingAgencyID, false)
	c.date("timestamp", h.Timestamp, true)
	c.date("timestampReceived", h.TimestampReceived, true)
	if h.MessageStatus == "" {
		c.need("messageStatus", false, false)
	} else if !h.MessageStatus.Valid(c.lists) {
		c.bad(UnrecognisedDataValue, "messageStatus", string(h.MessageStatus))
	}
	c.path = strings.TrimSuffix(c.path, "/confirmationHeader")
	for _, e := range errs {
		if e.ErrorType == "" {
			c.need("errorData/errorType", false, false)
		} else if !e.ErrorType.Valid(c.lists) {
			c.bad(UnrecognisedDataValue, "errorData/errorType", string(e.ErrorType))
		}
	}
}

func (c *checker) address(el string, a *Address) {
	if a == nil {
		return
	}
	if a.ElectronicAddress == nil && a.PhysicalAddress == nil {
		c.need(el, false, false)
	}
}

func (c *checker) request(r *Request) {
	c.path = "request"
	c.header(&r.Header, KindRequest)
	b := &r.BibliographicInfo
	for _, id := range b.BibliographicItemID {
		c.need("bibliographicInfo/bibliographicItemId/bibliographicItemIdentifierCode", id.Code.Value != "", false)
	}
	for _, id := range b.BibliographicRecordID {
		c.need("bibliographicInfo/bibliographicRecordId/bibliographicRecordIdentifierCode", id.Code.Value != "", false)
	}
	s := r.ServiceInfo
	if s == nil {
		if c.strict && c.v == V2021 {
			c.missing("serviceInfo")
		}
	} else {
		c.path = "request/serviceInfo"
		if s.RequestType != "" && !s.RequestType.Valid(c.lists) {
			c.bad(UnrecognisedDataValue, "requestType", string(s.RequestType))
		}
		for _, t := range s.RequestSubType {
			if !t.Valid(c.lists) {
				c.bad(UnrecognisedDataValue, "requestSubType", string(t))
			}
		}
		if s.ServiceType == "" {
			c.need("serviceType", false, false)
		} else if !s.ServiceType.Valid(c.lists) {
			c.bad(UnrecognisedDataValue, "serviceType", string(s.ServiceType))
		}
		c.date("needBeforeDate", s.NeedBeforeDate, false)
		c.yesNo("anyEdition", s.AnyEdition)
		if s.PreferredEdition != "" && !s.PreferredEdition.Valid(V2021) {
			c.bad(UnrecognisedDataValue, "preferredEdition", string(s.PreferredEdition))
		}
		c.date("startDate", s.StartDate, false)
		c.date("endDate", s.EndDate, false)
		c.path = "request"
	}
	for _, si := range r.SupplierInfo {
		c.sortOrder("supplierInfo/sortOrder", si.SortOrder)
		c.agency("supplierInfo/supplierCode", si.SupplierCode, false)
	}
	for _, d := range r.RequestedDeliveryInfo {
		c.sortOrder("requestedDeliveryInfo/sortOrder", d.SortOrder)
		c.address("requestedDeliveryInfo/address", d.Address)
	}
	if a := r.RequestingAgencyInfo; a != nil {
		for i := range a.Address {
			c.address("requestingAgencyInfo/address", &a.Address[i])
		}
	}
	if p := r.PatronInfo; p != nil {
		c.yesNo("patronInfo/sendToPatron", p.SendToPatron)
		for i := range p.Address {
			c.address("patronInfo/address", &p.Address[i])
		}
	}
	if bi := r.BillingInfo; bi != nil {
		c.costs("billingInfo/maximumCosts", bi.MaximumCosts)
		c.address("billingInfo/address", bi.Address)
	}
}

func (c *checker) supplying(s *SupplyingAgencyMessage) {
	c.path = "supplyingAgencyMessage"
	c.header(&s.Header, KindSupplyingAgencyMessage)
	mi := &s.MessageInfo
	switch {
	case mi.ReasonForMessage == "":
		c.errs = append(c.errs, &Error{Type: UnsupportedReasonForMessageType, Element: c.at("messageInfo/reasonForMessage"), Reason: "missing"})
	case !mi.ReasonForMessage.Valid(c.lists):
		c.bad(UnsupportedReasonForMessageType, "messageInfo/reasonForMessage", string(mi.ReasonForMessage))
	}
	c.yesNo("messageInfo/answerYesNo", mi.AnswerYesNo)
	if c.strict && (mi.ReasonForMessage == ReasonRenewResponse || mi.ReasonForMessage == ReasonCancelResponse) {
		c.need("messageInfo/answerYesNo", mi.AnswerYesNo != "", false)
	}
	c.costs("messageInfo/offeredCosts", mi.OfferedCosts)
	c.date("messageInfo/retryAfter", mi.RetryAfter, false)
	c.date("messageInfo/retryBefore", mi.RetryBefore, false)
	st := &s.StatusInfo
	if st.Status == "" {
		c.need("statusInfo/status", false, false)
	} else if !st.Status.Valid(c.lists) {
		c.bad(UnrecognisedDataValue, "statusInfo/status", string(st.Status))
	}
	c.date("statusInfo/expectedDeliveryDate", st.ExpectedDeliveryDate, false)
	c.date("statusInfo/dueDate", st.DueDate, false)
	c.date("statusInfo/lastChange", st.LastChange, true)
	if ri := s.RetryInfo; ri != nil {
		if ri.ServiceType != "" && !ri.ServiceType.Valid(c.lists) {
			c.bad(UnrecognisedDataValue, "retryInfo/serviceType", string(ri.ServiceType))
		}
		for i := range ri.OfferedCosts {
			c.costs("retryInfo/offeredCosts", &ri.OfferedCosts[i])
		}
		c.date("retryInfo/retryBefore", ri.RetryBefore, false)
		c.date("retryInfo/retryAfter", ri.RetryAfter, false)
	}
	if di := s.DeliveryInfo; di != nil {
		c.date("deliveryInfo/dateSent", di.DateSent, true)
		if di.SentToPatron != "" {
			if _, ok := di.SentToPatron.Value(); !ok {
				c.bad(UnrecognisedDataValue, "deliveryInfo/sentToPatron", string(di.SentToPatron))
			}
		}
		if di.ServiceType != "" && !di.ServiceType.Valid(c.lists) {
			c.bad(UnrecognisedDataValue, "deliveryInfo/serviceType", string(di.ServiceType))
		}
		for i := range di.DeliveryCosts {
			c.costs("deliveryInfo/deliveryCosts", &di.DeliveryCosts[i])
		}
		c.address("deliveryInfo/address", di.Address)
	}
	if sh := s.ShippingInfo; sh != nil {
		c.yesNo("shippingInfo/insurance", sh.Insurance)
		c.yesNo("shippingInfo/insuranceThirdParty", sh.InsuranceThirdParty)
		for i := range sh.InsuranceCosts {
			c.costs("shippingInfo/insuranceCosts", &sh.InsuranceCosts[i])
		}
	}
	if ri := s.ReturnInfo; ri != nil {
		c.agency("returnInfo/returnAgencyId", ri.ReturnAgencyID, false)
	}
}

func (c *checker) requesting(r *RequestingAgencyMessage) {
	c.path = "requestingAgencyMessage"
	c.header(&r.Header, KindRequestingAgencyMessage)
	switch {
	case r.Action == "":
		c.errs = append(c.errs, &Error{Type: UnsupportedActionType, Element: c.at("action"), Reason: "missing"})
	case !r.Action.Valid(c.lists):
		c.bad(UnsupportedActionType, "action", string(r.Action))
	}
}
