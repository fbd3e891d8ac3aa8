package iso18626

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// Writer writes ISO 18626 messages strictly (see Marshal). The zero value
// writes plain ISO 18626 with no dialect.
type Writer struct {
	Dialect *Dialect // applied before writing; nil for none
	// KeepUnknown writes the unknown elements Parse kept, at the end of
	// the element that held them, so that a message passed on loses
	// nothing. Off by default: the result is then no longer valid against
	// the edition's XSD.
	KeepUnknown bool
}

// Marshal writes m for edition v with the default Writer.
func Marshal(m Message, v Version) ([]byte, error) { return Writer{}.Marshal(m, v) }

// MarshalError lists why a message cannot be written for an edition.
type MarshalError struct {
	Version  Version
	Problems []*Error
}

func (e *MarshalError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "iso18626: cannot write for %s:", e.Version)
	for i, p := range e.Problems {
		if i == 3 {
			fmt.Fprintf(&b, " (and %d more)", len(e.Problems)-3)
			break
		}
		b.WriteString(" ")
		b.WriteString(strings.TrimPrefix(p.Error(), "iso18626: "))
		if i < len(e.Problems)-1 && i < 2 {
			b.WriteString(";")
		}
	}
	return b.String()
}

// Marshal writes m for edition v (0: the dialect's, else V2017) as the
// edition's XSD wants it: ISO18626Message in the ISO 18626 namespace, with
// the ill: prefix declared as well and the version attribute qualified
// (ill:version, as is ill:scheme), elements in schema order, an empty
// multipleItemRequestId in 2017 headers. The dialect's Write shim runs
// first, on a copy. Elements the edition does not have (2021 ones for a 2017
// peer) and repetitions beyond what the edition allows are not written, nor
// are unknown elements kept by Parse unless KeepUnknown is set. Marshal refuses,
// with a *MarshalError, a message missing what the XSD requires or holding
// a code outside the edition's closed lists.
func (w Writer) Marshal(m Message, v Version) ([]byte, error) {
	if v == 0 {
		v = V2017
		if w.Dialect != nil && w.Dialect.Version != 0 {
			v = w.Dialect.Version
		}
	}
	if v != V2017 && v != V2021 {
		return nil, fmt.Errorf("iso18626: unknown version %d", int(v))
	}
	attr := v.String()
	if w.Dialect != nil {
		if w.Dialect.Write != nil {
			w.Dialect.Write(&m)
		}
		if w.Dialect.VersionAttr != "" {
			attr = w.Dialect.VersionAttr
		}
	}
	if errs := Validate(&m, v, true); len(errs) > 0 {
		return nil, &MarshalError{Version: v, Problems: errs}
	}
	e := &emitter{v: v, keep: w.KeepUnknown}
	e.buf.Grow(2048)
	e.buf.WriteString(xml.Header)
	e.buf.WriteString(`<ISO18626Message xmlns="` + Namespace + `" xmlns:ill="` + Namespace + `" ill:version="`)
	e.escape(attr)
	e.buf.WriteString(`">`)
	switch m.Kind() {
	case KindRequest:
		e.request(m.Request)
	case KindRequestConfirmation:
		c := m.RequestConfirmation
		e.confirmation("requestConfirmation", &c.ConfirmationHeader, "", "", c.ErrorData, c.Extra)
	case KindSupplyingAgencyMessage:
		e.supplying(m.SupplyingAgencyMessage)
	case KindSupplyingAgencyMessageConfirmation:
		c := m.SupplyingAgencyMessageConfirmation
		e.confirmation("supplyingAgencyMessageConfirmation", &c.ConfirmationHeader, "reasonForMessage", string(c.ReasonForMessage),
			c.ErrorData, c.Extra)
	case KindRequestingAgencyMessage:
		r := m.RequestingAgencyMessage
		e.open("requestingAgencyMessage")
		e.header(&r.Header, KindRequestingAgencyMessage)
		e.text("action", string(r.Action))
		e.text("note", r.Note)
		e.end("requestingAgencyMessage", r.Extra)
	case KindRequestingAgencyMessageConfirmation:
		c := m.RequestingAgencyMessageConfirmation
		action := string(c.Action)
		if !c.Action.Valid(e.v) {
			action = "" // an optional echo: a 2021 action is left out for 2017
		}
		e.confirmation("requestingAgencyMessageConfirmation", &c.ConfirmationHeader, "action", action, c.ErrorData, c.Extra)
	}
	e.extra(m.Extra)
	e.buf.WriteString("</ISO18626Message>\n")
	return e.buf.Bytes(), nil
}

type emitter struct {
	v    Version
	keep bool // write unknown elements
	buf  bytes.Buffer
}

const xmlNamespace = "http://www.w3.org/XML/1998/namespace"

// extra writes unknown elements when asked to. Each is written in its own
// namespace (no namespace counts as the message's), declared where it
// differs from the parent's, and attributes in other namespaces get a
// prefix declared on the spot, so the output is well-formed whatever
// prefixes the original used.
func (e *emitter) extra(xs []Element) {
	if !e.keep {
		return
	}
	for i := range xs {
		e.element(&xs[i], Namespace)
	}
}

func (e *emitter) element(x *Element, parent string) {
	space := x.XMLName.Space
	if space == "" {
		space = Namespace
	}
	e.buf.WriteByte('<')
	e.buf.WriteString(x.XMLName.Local)
	if space != parent {
		e.buf.WriteString(` xmlns="`)
		e.escape(space)
		e.buf.WriteByte('"')
	}
	n := 0
	for _, a := range x.Attr {
		switch {
		case a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns"):
			continue // declarations: ours are written as needed
		case a.Name.Space == "":
			e.buf.WriteString(" " + a.Name.Local + `="`)
		case a.Name.Space == Namespace:
			e.buf.WriteString(" ill:" + a.Name.Local + `="`)
		case a.Name.Space == xmlNamespace:
			e.buf.WriteString(" xml:" + a.Name.Local + `="`)
		default:
			n++
			p := "u" + strconv.Itoa(n)
			e.buf.WriteString(" xmlns:" + p + `="`)
			e.escape(a.Name.Space)
			e.buf.WriteString(`" ` + p + ":" + a.Name.Local + `="`)
		}
		e.escape(a.Value)
		e.buf.WriteByte('"')
	}
	e.buf.WriteByte('>')
	e.escape(x.Text)
	for i := range x.Children {
		e.element(&x.Children[i], space)
	}
	e.close(x.XMLName.Local)
}

func (e *emitter) escape(s string) { _ = xml.EscapeText(&e.buf, []byte(s)) }

func (e *emitter) open(name string) {
	e.buf.WriteByte('<')
	e.buf.WriteString(name)
	e.buf.WriteByte('>')
}

func (e *emitter) close(name string) {
	e.buf.WriteString("</")
	e.buf.WriteString(name)
	e.buf.WriteByte('>')
}

// end closes an element, after the unknown elements it held (see extra).
func (e *emitter) end(name string, extra []Element) {
	e.extra(extra)
	e.close(name)
}

// always writes an element, even empty.
func (e *emitter) always(name, s string) {
	e.open(name)
	e.escape(s)
	e.close(name)
}

// text writes an optional element, nothing when s is empty.
func (e *emitter) text(name, s string) {
	if s != "" {
		e.always(name, s)
	}
}

func (e *emitter) texts(name string, s []string) {
	for _, t := range s {
		e.text(name, t)
	}
}

func (e *emitter) code(name string, c SchemeValue) {
	if c.Value == "" && c.Scheme == "" {
		return
	}
	e.codeAlways(name, c)
}

func (e *emitter) codeAlways(name string, c SchemeValue) {
	e.buf.WriteByte('<')
	e.buf.WriteString(name)
	if c.Scheme != "" {
		e.buf.WriteString(` ill:scheme="`)
		e.escape(c.Scheme)
		e.buf.WriteByte('"')
	}
	e.buf.WriteByte('>')
	e.escape(c.Value)
	e.close(name)
}

func (e *emitter) codes(name string, cs []SchemeValue) {
	for _, c := range cs {
		e.code(name, c)
	}
}

func (e *emitter) date(name string, d DateTime) {
	if !d.IsZero() {
		e.always(name, d.String())
	}
}

func (e *emitter) agency(name string, a AgencyID) {
	if a.IsZero() {
		return
	}
	e.open(name)
	e.codeAlways("agencyIdType", a.Type)
	e.always("agencyIdValue", a.Value)
	e.end(name, a.Extra)
}

func (e *emitter) costs(name string, c *Costs) {
	if c == nil || c.IsZero() {
		return
	}
	e.open(name)
	e.codeAlways("currencyCode", c.CurrencyCode)
	e.always("monetaryValue", strings.TrimSpace(c.MonetaryValue))
	e.end(name, c.Extra)
}

func (e *emitter) costsList(name string, cs []Costs) {
	for i := range cs {
		e.costs(name, &cs[i])
	}
}

func (e *emitter) yesNo(name string, y YesNo) { e.text(name, string(y)) }

func (e *emitter) header(h *Header, kind Kind) {
	e.open("header")
	v21 := e.v == V2021
	e.agency("supplyingAgencyId", h.SupplyingAgencyID)
	e.agency("requestingAgencyId", h.RequestingAgencyID)
	if v21 && kind != KindSupplyingAgencyMessage {
		e.agency("consortialId", h.ConsortialID)
	}
	switch {
	case !v21:
		e.always("multipleItemRequestId", h.MultipleItemRequestID)
	case kind == KindRequest:
		e.text("multipleItemRequestId", h.MultipleItemRequestID)
	}
	e.date("timestamp", h.Timestamp)
	e.always("requestingAgencyRequestId", h.RequestingAgencyRequestID)
	if !v21 || kind != KindRequest {
		e.text("supplyingAgencyRequestId", h.SupplyingAgencyRequestID)
	}
	if a := h.RequestingAgencyAuthentication; a != nil && (!v21 || kind != KindSupplyingAgencyMessage) {
		e.open("requestingAgencyAuthentication")
		e.text("accountId", a.AccountID)
		e.text("securityCode", a.SecurityCode)
		e.end("requestingAgencyAuthentication", a.Extra)
	}
	e.end("header", h.Extra)
}

func (e *emitter) confirmationHeader(h *ConfirmationHeader) {
	e.open("confirmationHeader")
	e.agency("supplyingAgencyId", h.SupplyingAgencyID)
	e.agency("requestingAgencyId", h.RequestingAgencyID)
	e.date("timestamp", h.Timestamp)
	e.text("requestingAgencyRequestId", h.RequestingAgencyRequestID)
	if e.v == V2017 {
		e.text("multipleItemRequestId", h.MultipleItemRequestID)
	}
	e.date("timestampReceived", h.TimestampReceived)
	e.always("messageStatus", string(h.MessageStatus))
	e.end("confirmationHeader", h.Extra)
}

// confirmation writes one of the three confirmations: its header, the
// optional echo of what it confirms (reasonForMessage or action; nothing
// when empty), its errors.
func (e *emitter) confirmation(name string, h *ConfirmationHeader, echoName, echo string, errs []ErrorData, extra []Element) {
	e.open(name)
	e.confirmationHeader(h)
	e.text(echoName, echo)
	e.errorData(errs)
	e.end(name, extra)
}

func (e *emitter) errorData(ds []ErrorData) {
	for i, d := range ds {
		if i > 0 && e.v == V2017 {
			break
		}
		e.open("errorData")
		e.always("errorType", string(d.ErrorType))
		e.text("errorValue", d.ErrorValue)
		e.end("errorData", d.Extra)
	}
}

func (e *emitter) address(a *Address) {
	if a == nil {
		return
	}
	e.open("address")
	if ea := a.ElectronicAddress; ea != nil {
		e.open("electronicAddress")
		e.codeAlways("electronicAddressType", ea.Type)
		e.always("electronicAddressData", ea.Data)
		e.end("electronicAddress", ea.Extra)
	} else {
		e.physicalAddress(a.PhysicalAddress)
	}
	e.end("address", a.Extra)
}

func (e *emitter) addresses(as []Address) {
	for i := range as {
		e.address(&as[i])
	}
}

func (e *emitter) physicalAddress(p *PhysicalAddress) {
	if p == nil {
		return
	}
	e.open("physicalAddress")
	e.text("line1", p.Line1)
	e.text("line2", p.Line2)
	e.text("locality", p.Locality)
	e.text("postalCode", p.PostalCode)
	if e.v == V2021 {
		e.text("region", p.Region.Value)
	} else {
		e.code("region", p.Region)
	}
	e.code("country", p.Country)
	e.end("physicalAddress", p.Extra)
}

func (e *emitter) recordID(r *BibliographicRecordID) {
	e.open("bibliographicRecordId")
	e.codeAlways("bibliographicRecordIdentifierCode", r.Code)
	e.always("bibliographicRecordIdentifier", r.Identifier)
	e.end("bibliographicRecordId", r.Extra)
}

func (e *emitter) request(r *Request) {
	v21 := e.v == V2021
	e.open("request")
	e.header(&r.Header, KindRequest)

	b := &r.BibliographicInfo
	e.open("bibliographicInfo")
	e.text("supplierUniqueRecordId", b.SupplierUniqueRecordID)
	e.text("title", b.Title)
	e.text("author", b.Author)
	if v21 {
		e.text("authorId", b.AuthorID)
	}
	e.text("subtitle", b.Subtitle)
	e.text("seriesTitle", b.SeriesTitle)
	e.text("edition", b.Edition)
	e.text("titleOfComponent", b.TitleOfComponent)
	e.text("authorOfComponent", b.AuthorOfComponent)
	if v21 {
		e.texts("volume", b.Volume)
	} else if len(b.Volume) > 0 {
		e.text("volume", b.Volume[0]) // one in 2017
	}
	e.text("issue", b.Issue)
	e.text("pagesRequested", b.PagesRequested)
	e.text("estimatedNoPages", b.EstimatedNoPages)
	for _, id := range b.BibliographicItemID {
		e.open("bibliographicItemId")
		if v21 {
			e.codeAlways("bibliographicItemIdentifierCode", id.Code)
			e.always("bibliographicItemIdentifier", id.Identifier)
		} else {
			e.always("bibliographicItemIdentifier", id.Identifier)
			e.codeAlways("bibliographicItemIdentifierCode", id.Code)
		}
		e.end("bibliographicItemId", id.Extra)
	}
	e.text("sponsor", b.Sponsor)
	e.text("informationSource", b.InformationSource)
	for i := range b.BibliographicRecordID {
		e.recordID(&b.BibliographicRecordID[i])
	}
	e.end("bibliographicInfo", b.Extra)

	if p := r.PublicationInfo; p != nil {
		e.open("publicationInfo")
		e.text("publisher", p.Publisher)
		if v21 {
			e.text("publisherId", p.PublisherID)
		}
		e.code("publicationType", p.PublicationType)
		e.text("publicationDate", p.PublicationDate)
		e.text("placeOfPublication", p.PlaceOfPublication)
		e.end("publicationInfo", p.Extra)
	}

	if s := r.ServiceInfo; s != nil {
		e.open("serviceInfo")
		e.text("requestType", string(s.RequestType))
		for i, t := range s.RequestSubType {
			if i == 3 && !v21 {
				break // at most three in 2017
			}
			e.text("requestSubType", string(t))
		}
		e.text("requestingAgencyPreviousRequestId", s.RequestingAgencyPreviousRequestID)
		e.always("serviceType", string(s.ServiceType))
		e.code("serviceLevel", s.ServiceLevel)
		if v21 {
			e.code("itemFormat", pick(s.ItemFormat, s.PreferredFormat))
		} else {
			e.code("preferredFormat", pick(s.PreferredFormat, s.ItemFormat))
		}
		e.date("needBeforeDate", s.NeedBeforeDate)
		e.code("copyrightCompliance", s.CopyrightCompliance)
		e.yesNo("anyEdition", s.AnyEdition)
		if v21 {
			e.text("preferredEdition", string(s.PreferredEdition))
			e.codes("loanCondition", s.LoanCondition)
		}
		e.date("startDate", s.StartDate)
		e.date("endDate", s.EndDate)
		e.text("note", s.Note)
		e.end("serviceInfo", s.Extra)
	}

	for i := range r.SupplierInfo {
		s := &r.SupplierInfo[i]
		e.open("supplierInfo")
		e.text("sortOrder", strings.TrimSpace(s.SortOrder))
		e.agency("supplierCode", s.SupplierCode)
		e.text("supplierDescription", s.SupplierDescription)
		if s.BibliographicRecordID != nil {
			e.recordID(s.BibliographicRecordID)
		}
		e.text("callNumber", s.CallNumber)
		e.text("summaryHoldings", s.SummaryHoldings)
		e.text("availabilityNote", s.AvailabilityNote)
		e.end("supplierInfo", s.Extra)
	}

	for i := range r.RequestedDeliveryInfo {
		d := &r.RequestedDeliveryInfo[i]
		e.open("requestedDeliveryInfo")
		e.text("sortOrder", strings.TrimSpace(d.SortOrder))
		e.address(d.Address)
		if v21 {
			e.code("deliveryMethod", d.DeliveryMethod)
			e.code("courierName", d.CourierName)
		}
		e.end("requestedDeliveryInfo", d.Extra)
	}

	if a := r.RequestingAgencyInfo; a != nil {
		e.open("requestingAgencyInfo")
		e.text("name", a.Name)
		e.text("contactName", a.ContactName)
		e.addresses(a.Address)
		e.end("requestingAgencyInfo", a.Extra)
	}

	if p := r.PatronInfo; p != nil {
		e.open("patronInfo")
		e.text("patronId", p.PatronID)
		e.text("surname", p.Surname)
		e.text("givenName", p.GivenName)
		e.code("patronType", p.PatronType)
		e.yesNo("sendToPatron", p.SendToPatron)
		e.addresses(p.Address)
		e.end("patronInfo", p.Extra)
	}

	if bi := r.BillingInfo; bi != nil {
		e.open("billingInfo")
		e.code("paymentMethod", bi.PaymentMethod)
		e.costs("maximumCosts", bi.MaximumCosts)
		e.code("billingMethod", bi.BillingMethod)
		e.text("billingName", bi.BillingName)
		e.address(bi.Address)
		e.end("billingInfo", bi.Extra)
	}
	e.end("request", r.Extra)
}

// pick returns a, or b when a is empty: of an element's 2017 and 2021
// places, the one the target edition has, else the other.
func pick[T interface{ IsZero() bool }](a, b T) T {
	if a.IsZero() {
		return b
	}
	return a
}

func (e *emitter) supplying(s *SupplyingAgencyMessage) {
	v21 := e.v == V2021
	e.open("supplyingAgencyMessage")
	e.header(&s.Header, KindSupplyingAgencyMessage)

	mi := &s.MessageInfo
	ri := s.RetryInfo
	e.open("messageInfo")
	e.always("reasonForMessage", string(mi.ReasonForMessage))
	e.yesNo("answerYesNo", mi.AnswerYesNo)
	e.text("note", mi.Note)
	e.code("reasonUnfilled", mi.ReasonUnfilled)
	e.code("reasonRetry", mi.ReasonRetry)
	if !v21 {
		offered := mi.OfferedCosts
		after, before := mi.RetryAfter, mi.RetryBefore
		if ri != nil {
			if offered == nil && len(ri.OfferedCosts) > 0 {
				offered = &ri.OfferedCosts[0]
			}
			after, before = pick(after, ri.RetryAfter), pick(before, ri.RetryBefore)
		}
		e.costs("offeredCosts", offered)
		e.date("retryAfter", after)
		e.date("retryBefore", before)
	}
	e.end("messageInfo", mi.Extra)

	st := &s.StatusInfo
	e.open("statusInfo")
	e.always("status", string(st.Status))
	e.date("expectedDeliveryDate", st.ExpectedDeliveryDate)
	e.date("dueDate", st.DueDate)
	e.date("lastChange", st.LastChange)
	e.end("statusInfo", st.Extra)

	if v21 {
		r := RetryInfo{}
		if ri != nil {
			r = *ri
		}
		if len(r.OfferedCosts) == 0 && mi.OfferedCosts != nil && !mi.OfferedCosts.IsZero() {
			r.OfferedCosts = []Costs{*mi.OfferedCosts}
		}
		r.RetryBefore, r.RetryAfter = pick(r.RetryBefore, mi.RetryBefore), pick(r.RetryAfter, mi.RetryAfter)
		if ri != nil || len(r.OfferedCosts) > 0 || !r.RetryBefore.IsZero() || !r.RetryAfter.IsZero() {
			e.open("retryInfo")
			e.codes("loanCondition", r.LoanCondition)
			e.texts("edition", r.Edition)
			e.codes("itemFormat", r.ItemFormat)
			e.texts("volume", r.Volume)
			e.text("serviceType", string(r.ServiceType))
			e.codes("serviceLevel", r.ServiceLevel)
			e.codes("deliveryMethod", r.DeliveryMethod)
			e.codes("courierName", r.CourierName)
			e.costsList("offeredCosts", r.OfferedCosts)
			e.codes("paymentMethod", r.PaymentMethod)
			e.date("retryBefore", r.RetryBefore)
			e.date("retryAfter", r.RetryAfter)
			e.end("retryInfo", r.Extra)
		}
	}

	if d := s.DeliveryInfo; d != nil {
		e.open("deliveryInfo")
		e.date("dateSent", d.DateSent)
		if v21 {
			e.texts("itemId", d.ItemID)
			e.text("URL", d.URL)
			e.code("deliveryMethod", pick(d.DeliveryMethod, d.SentVia))
			e.address(d.Address)
		} else {
			if len(d.ItemID) > 0 {
				e.text("itemId", d.ItemID[0])
			}
			e.code("sentVia", pick(d.SentVia, d.DeliveryMethod))
		}
		if d.SentToPatron != "" {
			t, _ := d.SentToPatron.Value()
			e.always("sentToPatron", fmt.Sprint(t))
		}
		if v21 {
			e.codes("loanCondition", d.LoanCondition)
			e.code("itemFormat", pick(d.ItemFormat, d.DeliveredFormat))
			e.text("serviceType", string(d.ServiceType))
			e.costsList("deliveryCosts", d.DeliveryCosts)
			e.code("paymentMethod", d.PaymentMethod)
		} else {
			if len(d.LoanCondition) > 0 {
				e.code("loanCondition", d.LoanCondition[0])
			}
			e.code("deliveredFormat", pick(d.DeliveredFormat, d.ItemFormat))
			if len(d.DeliveryCosts) > 0 {
				e.costs("deliveryCosts", &d.DeliveryCosts[0])
			}
		}
		e.end("deliveryInfo", d.Extra)
	}

	if sh := s.ShippingInfo; sh != nil && v21 {
		e.open("shippingInfo")
		e.code("courierName", sh.CourierName)
		e.texts("trackingId", sh.TrackingID)
		e.yesNo("insurance", sh.Insurance)
		e.yesNo("insuranceThirdParty", sh.InsuranceThirdParty)
		e.text("thirdPartyName", sh.ThirdPartyName)
		e.costsList("insuranceCosts", sh.InsuranceCosts)
		e.end("shippingInfo", sh.Extra)
	}

	if r := s.ReturnInfo; r != nil {
		e.open("returnInfo")
		e.agency("returnAgencyId", r.ReturnAgencyID)
		e.text("name", r.Name)
		e.physicalAddress(r.PhysicalAddress)
		e.end("returnInfo", r.Extra)
	}
	e.end("supplyingAgencyMessage", s.Extra)
}
