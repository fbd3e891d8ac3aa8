package iso18626

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// fullMessages is one message of each kind with every element of the 2017
// ∪ 2021 model set, 2021-only ones included.
func fullMessages() map[string]Message {
	at := func(s string) DateTime {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return At(t)
	}
	isil := func(v string) AgencyID {
		return AgencyID{Type: SchemeValue{Scheme: "http://illtransactions.org/ISO18626/OpenCodeList/AgencyIdTypeList-V1.0", Value: "ISIL"}, Value: v}
	}
	eur := func(v string) Costs { return Costs{CurrencyCode: SchemeValue{Value: "EUR"}, MonetaryValue: v} }
	post := &PhysicalAddress{Line1: "Tõnismägi 2", Line2: "ILL", Locality: "Tallinn", PostalCode: "10122",
		Region: SchemeValue{Scheme: "ISO3166-2", Value: "EE-37"}, Country: SchemeValue{Scheme: "ISO3166-1", Value: "EE"}}
	mail := &ElectronicAddress{Type: SchemeValue{Value: "Email"}, Data: "ill@example.org"}
	hdr := Header{
		SupplyingAgencyID: isil("EE-TlRK"), RequestingAgencyID: isil("EE-TlRL"), ConsortialID: isil("EE-ELNET"),
		MultipleItemRequestID: "M-1", Timestamp: at("2026-12-03T10:00:00Z"), RequestingAgencyRequestID: "R-42",
		SupplyingAgencyRequestID: "S-9", RequestingAgencyAuthentication: &Authentication{AccountID: "acct", SecurityCode: "secret"},
	}
	ch := ConfirmationHeader{SupplyingAgencyID: isil("EE-TlRK"), RequestingAgencyID: isil("EE-TlRL"),
		Timestamp: at("2026-12-03T10:00:01Z"), RequestingAgencyRequestID: "R-42", MultipleItemRequestID: "M-1",
		TimestampReceived: at("2026-12-03T10:00:00Z"), MessageStatus: StatusError}
	errs := []ErrorData{{ErrorType: UnrecognisedDataValue, ErrorValue: "timestamp"}, {ErrorType: UnsupportedActionType, ErrorValue: "Borrow"}}
	return map[string]Message{
		"request": {Request: &Request{
			Header: hdr,
			BibliographicInfo: BibliographicInfo{SupplierUniqueRecordID: "b123", Title: "Kevade", Author: "Luts, Oskar",
				AuthorID: "0000000121478925", Subtitle: "pildikesi", SeriesTitle: "Eesti klassika", Edition: "3.",
				TitleOfComponent: "I", AuthorOfComponent: "Luts", Volume: []string{"1", "2"}, Issue: "4", PagesRequested: "1-10",
				EstimatedNoPages: "10", BibliographicItemID: []BibliographicItemID{{Identifier: "9789985", Code: SchemeValue{Value: "ISBN"}}},
				Sponsor: "EKM", InformationSource: "ESTER",
				BibliographicRecordID: []BibliographicRecordID{{Code: SchemeValue{Value: "OCLC"}, Identifier: "777"}}},
			PublicationInfo: &PublicationInfo{Publisher: "Noor-Eesti", PublisherID: "0000000403", PublicationType: SchemeValue{Value: "Book"},
				PublicationDate: "1912", PlaceOfPublication: "Tartu"},
			ServiceInfo: &ServiceInfo{RequestType: RequestNew, RequestSubType: []RequestSubType{SubTypePatronRequest, SubTypeBookingRequest},
				RequestingAgencyPreviousRequestID: "R-41", ServiceType: ServiceLoan, ServiceLevel: SchemeValue{Value: "Standard"},
				PreferredFormat: SchemeValue{Value: "Printed"}, NeedBeforeDate: at("2027-01-31T00:00:00Z"),
				CopyrightCompliance: SchemeValue{Value: "EE"}, AnyEdition: Yes, PreferredEdition: EditionAny,
				LoanCondition: []SchemeValue{{Value: "LibraryUseOnly"}}, StartDate: at("2027-01-01T00:00:00Z"),
				EndDate: at("2027-02-01T00:00:00Z"), Note: "please"},
			SupplierInfo: []SupplierInfo{{SortOrder: "1", SupplierCode: isil("EE-TlRK"), SupplierDescription: "RaRa",
				BibliographicRecordID: &BibliographicRecordID{Code: SchemeValue{Value: "Local"}, Identifier: "b1"},
				CallNumber:            "84(474)", SummaryHoldings: "1912-", AvailabilityNote: "on shelf"}},
			RequestedDeliveryInfo: []RequestedDeliveryInfo{{SortOrder: "1", Address: &Address{PhysicalAddress: post},
				DeliveryMethod: SchemeValue{Value: "Mail"}, CourierName: SchemeValue{Value: "Omniva"}},
				{SortOrder: "2", Address: &Address{ElectronicAddress: mail}}},
			RequestingAgencyInfo: &RequestingAgencyInfo{Name: "Tallinna Keskraamatukogu", ContactName: "ILL desk",
				Address: []Address{{ElectronicAddress: mail}, {PhysicalAddress: post}}},
			PatronInfo: &PatronInfo{PatronID: "p1", Surname: "Tamm", GivenName: "Mari", PatronType: SchemeValue{Value: "Adult"},
				SendToPatron: No, Address: []Address{{ElectronicAddress: mail}}},
			BillingInfo: &BillingInfo{PaymentMethod: SchemeValue{Value: "Invoice"}, MaximumCosts: &Costs{CurrencyCode: SchemeValue{Value: "EUR"}, MonetaryValue: "12.50"},
				BillingMethod: SchemeValue{Value: "Account"}, BillingName: "TKR", Address: &Address{PhysicalAddress: post}},
		}},
		"requestConfirmation": {RequestConfirmation: &RequestConfirmation{ConfirmationHeader: ch, ErrorData: errs}},
		"supplyingAgencyMessage": {SupplyingAgencyMessage: &SupplyingAgencyMessage{
			Header: hdr,
			MessageInfo: MessageInfo{ReasonForMessage: ReasonRenewResponse, AnswerYesNo: No, Note: "reserved by another reader",
				ReasonUnfilled: SchemeValue{Value: "NotHeld"}, ReasonRetry: SchemeValue{Value: "OnLoan"}},
			StatusInfo: StatusInfo{Status: StatusLoaned, ExpectedDeliveryDate: at("2026-12-05T00:00:00Z"),
				DueDate: at("2027-01-05T00:00:00Z"), LastChange: at("2026-12-03T09:00:00Z")},
			RetryInfo: &RetryInfo{LoanCondition: []SchemeValue{{Value: "NoReproduction"}}, Edition: []string{"2."},
				ItemFormat: []SchemeValue{{Value: "Printed"}}, Volume: []string{"1"}, ServiceType: ServiceCopy,
				ServiceLevel: []SchemeValue{{Value: "Rush"}}, DeliveryMethod: []SchemeValue{{Value: "Mail"}},
				CourierName: []SchemeValue{{Value: "Omniva"}}, OfferedCosts: []Costs{eur("5.00"), eur("7")},
				PaymentMethod: []SchemeValue{{Value: "Invoice"}}, RetryBefore: at("2026-12-31T00:00:00Z"), RetryAfter: at("2026-12-10T00:00:00Z")},
			DeliveryInfo: &DeliveryInfo{DateSent: at("2026-12-03T08:00:00Z"), ItemID: []string{"3000123", "3000124"},
				URL: "https://example.org/d/1", SentVia: SchemeValue{Value: "Mail"}, Address: &Address{PhysicalAddress: post},
				SentToPatron: "false", LoanCondition: []SchemeValue{{Value: "LibraryUseOnly"}, {Value: "NoReproduction"}},
				DeliveredFormat: SchemeValue{Value: "Printed"}, ServiceType: ServiceLoan,
				DeliveryCosts: []Costs{eur("3.20"), eur("1")}, PaymentMethod: SchemeValue{Value: "Invoice"}},
			ShippingInfo: &ShippingInfo{CourierName: SchemeValue{Value: "Omniva"}, TrackingID: []string{"EE123"},
				Insurance: Yes, InsuranceThirdParty: No, ThirdPartyName: "If", InsuranceCosts: []Costs{eur("2")}},
			ReturnInfo: &ReturnInfo{ReturnAgencyID: isil("EE-TlRK"), Name: "RaRa ILL", PhysicalAddress: post},
		}},
		"supplyingAgencyMessageConfirmation": {SupplyingAgencyMessageConfirmation: &SupplyingAgencyMessageConfirmation{
			ConfirmationHeader: ch, ReasonForMessage: ReasonRenewResponse, ErrorData: errs}},
		"requestingAgencyMessage": {RequestingAgencyMessage: &RequestingAgencyMessage{Header: hdr, Action: ActionRenew, Note: "two more weeks?"}},
		"requestingAgencyMessageConfirmation": {RequestingAgencyMessageConfirmation: &RequestingAgencyMessageConfirmation{
			ConfirmationHeader: ch, Action: ActionRenew, ErrorData: errs}},
	}
}

// TestMarshalFullMessagesValidate writes a message of each kind with every
// element set for both editions; xmllint must accept all of it, and what
// each edition has must survive a round trip.
func TestMarshalFullMessagesValidate(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []Version{V2017, V2021} {
		var files []string
		for name, m := range fullMessages() {
			out, err := Marshal(m, v)
			if err != nil {
				t.Fatalf("%s for %s: %v", name, v, err)
			}
			back, err := Parse(out)
			if err != nil {
				t.Fatalf("%s for %s does not parse: %v\n%s", name, v, err, out)
			}
			again, _ := Marshal(back, v)
			if string(again) != string(out) {
				t.Errorf("%s for %s: second write differs\n%s\n%s", name, v, out, again)
			}
			files = append(files, writeFile(t, dir, v.String()+"-"+name+".xml", out))
		}
		xmllint(t, xsdFor[v], files)
	}
}

// TestMarshalEditionDifferences: the elements 2021 renamed, moved or added
// come out where each edition has them.
func TestMarshalEditionDifferences(t *testing.T) {
	full := fullMessages()
	sam := full["supplyingAgencyMessage"]
	o17, _ := Marshal(sam, V2017)
	o21, _ := Marshal(sam, V2021)
	s17, s21 := string(o17), string(o21)
	for _, c := range []struct {
		in17, in21 bool
		frag       string
	}{
		{true, false, "<sentVia>Mail</sentVia>"},
		{false, true, "<deliveryMethod>Mail</deliveryMethod><address>"},
		{true, false, "<deliveredFormat>Printed</deliveredFormat>"},
		{true, false, "<offeredCosts><currencyCode>EUR</currencyCode><monetaryValue>5.00</monetaryValue></offeredCosts><retryAfter>2026-12-10T00:00:00Z</retryAfter><retryBefore>2026-12-31T00:00:00Z</retryBefore></messageInfo>"},
		{false, true, "<retryInfo><loanCondition>NoReproduction</loanCondition>"},
		{false, true, "<shippingInfo>"},
		{false, true, "<URL>https://example.org/d/1</URL>"},
		{true, false, "<itemId>3000123</itemId><sentVia>"},
		{false, true, "<itemId>3000123</itemId><itemId>3000124</itemId>"},
		{true, false, "<multipleItemRequestId>M-1</multipleItemRequestId>"},
		{false, true, "<region>EE-37</region>"},
		{true, false, "<region ill:scheme=\"ISO3166-2\">EE-37</region><country ill:scheme=\"ISO3166-1\">EE</country></physicalAddress></returnInfo>"},
	} {
		if strings.Contains(s17, c.frag) != c.in17 || strings.Contains(s21, c.frag) != c.in21 {
			t.Errorf("%q: in 2017 %v (want %v), in 2021 %v (want %v)", c.frag, strings.Contains(s17, c.frag), c.in17, strings.Contains(s21, c.frag), c.in21)
		}
	}
	if strings.Contains(s21, "securityCode") {
		t.Error("2021 supplyingAgencyMessage header has no authentication")
	}
	req := full["request"]
	r17, _ := Marshal(req, V2017)
	r21, _ := Marshal(req, V2021)
	if !strings.Contains(string(r17), "<bibliographicItemIdentifier>9789985</bibliographicItemIdentifier><bibliographicItemIdentifierCode>ISBN<") ||
		!strings.Contains(string(r21), "<bibliographicItemIdentifierCode>ISBN</bibliographicItemIdentifierCode><bibliographicItemIdentifier>9789985<") {
		t.Error("bibliographicItemId order per edition")
	}
	if strings.Count(string(r17), "<volume>") != 1 || strings.Count(string(r21), "<volume>") != 2 ||
		strings.Contains(string(r17), "authorId") || !strings.Contains(string(r21), "<authorId>") ||
		!strings.Contains(string(r17), "<preferredFormat>Printed</preferredFormat>") || !strings.Contains(string(r21), "<itemFormat>Printed</itemFormat>") {
		t.Error("request elements per edition")
	}
	c17, _ := Marshal(full["requestConfirmation"], V2017)
	c21, _ := Marshal(full["requestConfirmation"], V2021)
	if strings.Count(string(c17), "<errorData>") != 1 || strings.Count(string(c21), "<errorData>") != 2 {
		t.Error("errorData: one in 2017, repeatable in 2021")
	}
}

// TestMarshalRefuses: what the edition's XSD would reject is refused
// before anything is sent.
func TestMarshalRefuses(t *testing.T) {
	for _, c := range []struct {
		name   string
		v      Version
		change func(m *Message)
		kind   string
		want   string
	}{
		{"unknown status", V2017, func(m *Message) { m.SupplyingAgencyMessage.StatusInfo.Status = "status_holder" }, "supplyingAgencyMessage", "supplyingAgencyMessage/statusInfo/status"},
		{"2021 status to 2017", V2017, func(m *Message) { m.SupplyingAgencyMessage.StatusInfo.Status = StatusHoldReturn }, "supplyingAgencyMessage", "supplyingAgencyMessage/statusInfo/status"},
		{"2021 action to 2017", V2017, func(m *Message) { m.RequestingAgencyMessage.Action = ActionLost }, "requestingAgencyMessage", "requestingAgencyMessage/action"},
		{"no lastChange", V2021, func(m *Message) { m.SupplyingAgencyMessage.StatusInfo.LastChange = DateTime{} }, "supplyingAgencyMessage", "supplyingAgencyMessage/statusInfo/lastChange"},
		{"bad date", V2021, func(m *Message) { _ = m.SupplyingAgencyMessage.StatusInfo.DueDate.UnmarshalText([]byte("soon")) }, "supplyingAgencyMessage", "supplyingAgencyMessage/statusInfo/dueDate"},
		{"renew answer without yes/no", V2017, func(m *Message) { m.SupplyingAgencyMessage.MessageInfo.AnswerYesNo = "" }, "supplyingAgencyMessage", "supplyingAgencyMessage/messageInfo/answerYesNo"},
		{"no serviceType", V2017, func(m *Message) { m.Request.ServiceInfo.ServiceType = "" }, "request", "request/serviceInfo/serviceType"},
		{"no serviceInfo in 2021", V2021, func(m *Message) { m.Request.ServiceInfo = nil }, "request", "request/serviceInfo"},
		{"no supplier in 2017 request", V2017, func(m *Message) { m.Request.Header.SupplyingAgencyID = AgencyID{} }, "request", "request/header/supplyingAgencyId"},
		{"no request id", V2021, func(m *Message) { m.RequestingAgencyMessage.Header.RequestingAgencyRequestID = "" }, "requestingAgencyMessage", "requestingAgencyMessage/header/requestingAgencyRequestId"},
		{"bad amount", V2021, func(m *Message) { m.Request.BillingInfo.MaximumCosts.MonetaryValue = "12,50" }, "request", "request/billingInfo/maximumCosts/monetaryValue"},
		{"negative sortOrder in 2021", V2021, func(m *Message) { m.Request.SupplierInfo[0].SortOrder = "-1" }, "request", "request/supplierInfo/sortOrder"},
		{"no messageStatus", V2017, func(m *Message) { m.RequestConfirmation.ConfirmationHeader.MessageStatus = "" }, "requestConfirmation", "requestConfirmation/confirmationHeader/messageStatus"},
		{"unknown errorType", V2017, func(m *Message) { m.RequestConfirmation.ErrorData[0].ErrorType = "Oops" }, "requestConfirmation", "requestConfirmation/errorData/errorType"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := fullMessages()[c.kind]
			c.change(&m)
			_, err := Marshal(m, c.v)
			var me *MarshalError
			if !errors.As(err, &me) {
				t.Fatalf("Marshal: %v, want a MarshalError", err)
			}
			found := false
			for _, p := range me.Problems {
				found = found || p.Element == c.want
			}
			if !found {
				t.Errorf("%v does not name %s", err, c.want)
			}
		})
	}
	if _, err := Marshal(Message{}, V2017); err == nil {
		t.Error("an empty Message was written")
	}
}
