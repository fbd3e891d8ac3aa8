package iso18626

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sampleRows is every sample in testdata/samples with what PROVENANCE.md
// records for it (message, version attribute, key values, timestamp) and the
// confirmation error Parse must give for the four placeholder templates and
// the one with a placeholder status.
var sampleRows = []struct {
	file      string
	kind      Kind
	version   string
	bare, ns  bool
	key       string
	timestamp string
	errType   ErrorType
	errAt     string
}{
	{"mod-rs/okapi-scripts_iso18626_req_1.xml", KindRequest, "1.0", false, true, "serviceType=Loan", "2014-03-17T09:30:47.0Z", "", ""},
	{"mod-rs/protocol_tests_case1_request.xml", KindRequest, "1.0", false, true, "serviceType=Loan", "2014-03-17T09:30:47.0Z", "", ""},
	{"mod-rs/service_src_integration-test_resources_isoMessages_cancelResponseReplyNoTemplate.xml", KindSupplyingAgencyMessage, "1.2", false, true, "reasonForMessage=CancelResponse", "_TIMESTAMP_", "UnrecognisedDataValue", "supplyingAgencyMessage/header/timestamp"},
	{"mod-rs/service_src_integration-test_resources_isoMessages_illmockrequest.xml", KindRequest, "1.2", false, true, "requestType=New, serviceType=Loan", "0001-01-01T00:00:00.000Z", "", ""},
	{"mod-rs/service_src_integration-test_resources_isoMessages_patronRequest.xml", KindRequest, "1.2", false, true, "requestType=New, serviceType=Loan", "2023-11-16T12:32:11.056Z", "", ""},
	{"mod-rs/service_src_integration-test_resources_isoMessages_patronRequestRetry.xml", KindRequest, "1.2", false, true, "requestType=Retry, serviceType=Loan", "2023-11-16T12:32:11.056Z", "", ""},
	{"mod-rs/service_src_integration-test_resources_isoMessages_statusChangeExpectToSupplyTemplate.xml", KindSupplyingAgencyMessage, "", false, false, "status=ExpectToSupply, reasonForMessage=StatusChange", "_TIMESTAMP_", "UnrecognisedDataValue", "supplyingAgencyMessage/header/timestamp"},
	{"mod-rs/service_src_integration-test_resources_isoMessages_statusChangeUnfilledTemplate.xml", KindSupplyingAgencyMessage, "", false, false, "status=Unfilled, reasonForMessage=StatusChange", "_TIMESTAMP_", "UnrecognisedDataValue", "supplyingAgencyMessage/header/timestamp"},
	{"mod-rs/service_src_integration-test_resources_isoMessages_supplyingAgencyMessage_statusChange.xml", KindSupplyingAgencyMessage, "1.0", false, true, "status=status_holder, reasonForMessage=StatusChange", "2023-10-04T15:22:00.543778Z", "UnrecognisedDataValue", "supplyingAgencyMessage/statusInfo/status"},
	{"mod-rs/service_src_integration-test_resources_isoMessages_unfilledNotification.xml", KindSupplyingAgencyMessage, "1.0", false, true, "status=Unfilled, reasonForMessage=Notification", "timestamp_holder", "UnrecognisedDataValue", "supplyingAgencyMessage/header/timestamp"},
	{"mod-rs/service_src_test_resources_ISO18626_request.xml", KindRequest, "", true, true, "requestType=New, serviceType=Copy", "1900-01-01T01:01:01+0000", "", ""},
	{"mod-rs/service_src_test_resources_ISO18626_requestConfirmation.xml", KindRequestConfirmation, "", true, true, "messageStatus=OK, errorType=UnsupportedActionType", "1900-01-01T01:01:01+0000", "", ""},
	{"mod-rs/service_src_test_resources_ISO18626_requestingAgencyMessage.xml", KindRequestingAgencyMessage, "", true, true, "action=StatusRequest", "1900-01-01T01:01:01+0000", "", ""},
	{"mod-rs/service_src_test_resources_ISO18626_requestingAgencyMessageConfirmation.xml", KindRequestingAgencyMessageConfirmation, "", true, true, "action=StatusRequest, messageStatus=OK, errorType=UnsupportedActionType", "1900-01-01T01:01:01+0000", "", ""},
	{"mod-rs/service_src_test_resources_ISO18626_supplyingAgencyMessage.xml", KindSupplyingAgencyMessage, "", true, true, "status=RequestReceived, reasonForMessage=RequestResponse", "1900-01-01T01:01:01+0000", "", ""},
	{"mod-rs/service_src_test_resources_ISO18626_supplyingAgencyMessageConfirmation.xml", KindSupplyingAgencyMessageConfirmation, "", true, true, "reasonForMessage=RequestResponse, messageStatus=OK, errorType=UnsupportedActionType", "1900-01-01T01:01:01+0000", "", ""},
	{"circill-toolkit/NewRequest.xml", KindRequest, "v1_2_2017", false, true, "requestType=New, serviceType=Loan", "2021-03-02T05:00:00Z", "", ""},
	{"circill-toolkit/RequestConfirmationSample1.xml", KindRequestConfirmation, "v1_2_2017", false, true, "messageStatus=OK", "2018-02-08T08:34:54Z", "", ""},
	{"circill-toolkit/RequestConfirmationSampleError.xml", KindRequestConfirmation, "v1_2_2017", false, true, "messageStatus=ERROR, errorType=BadlyFormedMessage", "2018-02-08T08:34:54Z", "", ""},
	{"circill-toolkit/RequestFullWSILLMappingSample1.xml", KindRequest, "v1_2_2017", false, true, "requestType=New, serviceType=CopyOrLoan", "2018-02-08T08:34:54Z", "", ""},
	{"circill-toolkit/RequestSample1.xml", KindRequest, "v1_2_2017", false, true, "requestType=New, serviceType=CopyOrLoan", "2018-02-08T08:34:54Z", "", ""},
	{"circill-toolkit/RequestSample1ForISOService.xml", KindRequest, "v1_2_2017", false, true, "requestType=New, serviceType=Loan", "2018-02-08T08:34:54Z", "", ""},
	{"circill-toolkit/RequestSample2ForISOService.xml", KindRequest, "v1_2_2017", false, true, "requestType=New, serviceType=Loan", "2020-10-14T15:29:30Z", "", ""},
	{"circill-toolkit/RequestingAgencyConfirmationReceivedSample1.xml", KindRequestingAgencyMessageConfirmation, "v1_2_2017", false, true, "messageStatus=OK", "2020-03-03T22:49:55Z", "", ""},
	{"circill-toolkit/RequestingAgencyMessageCancel.xml", KindRequestingAgencyMessage, "v1_2_2017", false, true, "action=Cancel", "2021-02-09T11:19:23Z", "", ""},
	{"circill-toolkit/RequestingAgencyMessageConfirmationSample1.xml", KindRequestingAgencyMessageConfirmation, "v1_2_2017", false, true, "action=Notification, messageStatus=OK, errorType=BadlyFormedMessage", "2018-02-08T08:34:54Z", "", ""},
	{"circill-toolkit/RequestingAgencyMessageNotification1.xml", KindRequestingAgencyMessage, "v1_2_2017", false, true, "action=Notification", "2018-02-08T08:34:54Z", "", ""},
	{"circill-toolkit/RequestingAgencyMessageReceived.xml", KindRequestingAgencyMessage, "v1_2_2017", false, true, "action=Received", "2021-02-09T11:04:25Z", "", ""},
	{"circill-toolkit/RequestingAgencyMessageRenew.xml", KindRequestingAgencyMessage, "v1_2_2017", false, true, "action=Renew", "2021-02-09T11:08:39Z", "", ""},
	{"circill-toolkit/RequestingAgencyMessageReturned.xml", KindRequestingAgencyMessage, "v1_2_2017", false, true, "action=ShippedReturn", "2021-02-09T11:12:24Z", "", ""},
	{"circill-toolkit/RequestingAgencyMessageSample1.xml", KindRequestingAgencyMessage, "v1_2_2017", false, true, "action=StatusRequest", "2018-02-08T08:34:54Z", "", ""},
	{"circill-toolkit/SupplyingAgencyMessageCancelNo.xml", KindSupplyingAgencyMessage, "v1_2_2017", false, true, "status=Cancelled, reasonForMessage=CancelResponse", "2021-02-09T11:45:27Z", "", ""},
	{"circill-toolkit/SupplyingAgencyMessageCancelYes.xml", KindSupplyingAgencyMessage, "v1_2_2017", false, true, "status=Cancelled, reasonForMessage=CancelResponse", "2021-02-09T11:45:27Z", "", ""},
	{"circill-toolkit/SupplyingAgencyMessageClosedSupplied.xml", KindSupplyingAgencyMessage, "v1_2_2017", false, true, "status=LoanCompleted, reasonForMessage=RequestResponse", "2021-02-09T11:34:25Z", "", ""},
	{"circill-toolkit/SupplyingAgencyMessageConfirmationSample1.xml", KindSupplyingAgencyMessageConfirmation, "v1_2_2017", false, true, "reasonForMessage=Notification, messageStatus=OK, errorType=BadlyFormedMessage", "2018-02-08T08:34:54Z", "", ""},
	{"circill-toolkit/SupplyingAgencyMessageLoaned.xml", KindSupplyingAgencyMessage, "v1_2_2017", false, true, "status=Loaned, reasonForMessage=RequestResponse", "2021-02-09T11:24:24Z", "", ""},
	{"circill-toolkit/SupplyingAgencyMessageNotification1.xml", KindSupplyingAgencyMessage, "v1_2_2017", false, true, "status=LoanCompleted, reasonForMessage=Notification", "2018-02-08T08:34:54Z", "", ""},
	{"circill-toolkit/SupplyingAgencyMessageNotificationSample1.xml", KindSupplyingAgencyMessage, "v1_2_2017", false, true, "status=LoanCompleted, reasonForMessage=Notification", "2018-02-08T08:34:54Z", "", ""},
	{"circill-toolkit/SupplyingAgencyMessageOverdue.xml", KindSupplyingAgencyMessage, "v1_2_2017", false, true, "status=Overdue, reasonForMessage=StatusChange", "2021-04-09T12:28:40Z", "", ""},
	{"circill-toolkit/SupplyingAgencyMessageRecall.xml", KindSupplyingAgencyMessage, "v1_2_2017", false, true, "status=Recalled, reasonForMessage=StatusChange", "2021-02-09T11:31:33Z", "", ""},
	{"circill-toolkit/SupplyingAgencyMessageRefused.xml", KindSupplyingAgencyMessage, "v1_2_2017", false, true, "status=Unfilled, reasonForMessage=RequestResponse", "2021-02-09T11:39:24Z", "", ""},
	{"circill-toolkit/SupplyingAgencyMessageRenewNo.xml", KindSupplyingAgencyMessage, "v1_2_2017", false, true, "status=Loaned, reasonForMessage=RenewResponse", "2021-02-09T11:52:25Z", "", ""},
	{"circill-toolkit/SupplyingAgencyMessageRenewYes.xml", KindSupplyingAgencyMessage, "v1_2_2017", false, true, "status=Loaned, reasonForMessage=RenewResponse", "2021-02-09T11:29:24Z", "", ""},
	{"circill-toolkit/SupplyingAgencyMessageSample1.xml", KindSupplyingAgencyMessage, "v1_2_2017", false, true, "status=LoanCompleted, reasonForMessage=RenewResponse", "2018-02-08T08:34:54Z", "", ""},
	{"circill-toolkit/SupplyingAgencyMessageShippedCopy.xml", KindSupplyingAgencyMessage, "v1_2_2017", false, true, "status=Loaned, reasonForMessage=RenewResponse", "2018-02-08T08:34:54Z", "", ""},
}

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keyValues summarises m as PROVENANCE.md's "key values" column does.
func keyValues(m *Message) string {
	var kv []string
	add := func(k, v string) {
		if v != "" {
			kv = append(kv, k+"="+v)
		}
	}
	errs := func(e []ErrorData) {
		for _, d := range e {
			add("errorType", string(d.ErrorType))
		}
	}
	switch m.Kind() {
	case KindRequest:
		if s := m.Request.ServiceInfo; s != nil {
			add("requestType", string(s.RequestType))
			add("serviceType", string(s.ServiceType))
		}
	case KindRequestConfirmation:
		add("messageStatus", string(m.RequestConfirmation.ConfirmationHeader.MessageStatus))
		errs(m.RequestConfirmation.ErrorData)
	case KindSupplyingAgencyMessage:
		add("status", string(m.SupplyingAgencyMessage.StatusInfo.Status))
		add("reasonForMessage", string(m.SupplyingAgencyMessage.MessageInfo.ReasonForMessage))
	case KindSupplyingAgencyMessageConfirmation:
		c := m.SupplyingAgencyMessageConfirmation
		add("reasonForMessage", string(c.ReasonForMessage))
		add("messageStatus", string(c.ConfirmationHeader.MessageStatus))
		errs(c.ErrorData)
	case KindRequestingAgencyMessage:
		add("action", string(m.RequestingAgencyMessage.Action))
	case KindRequestingAgencyMessageConfirmation:
		c := m.RequestingAgencyMessageConfirmation
		add("action", string(c.Action))
		add("messageStatus", string(c.ConfirmationHeader.MessageStatus))
		errs(c.ErrorData)
	}
	return strings.Join(kv, ", ")
}

func timestampOf(m *Message) DateTime {
	if h := m.Header(); h != nil {
		return h.Timestamp
	}
	return m.ConfirmationHeader().Timestamp
}

func TestParseEverySample(t *testing.T) {
	files, err := filepath.Glob("testdata/samples/*/*.xml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(sampleRows) || len(files) != 45 {
		t.Fatalf("%d sample files, %d rows; want 45 of each", len(files), len(sampleRows))
	}
	for _, row := range sampleRows {
		t.Run(filepath.Base(row.file), func(t *testing.T) {
			m, err := Parse(readSample(t, row.file))
			if row.errType == "" && err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if row.errType != "" {
				var e *Error
				if !errors.As(err, &e) || e.Type != row.errType || e.Element != row.errAt {
					t.Fatalf("Parse error %v, want %s at %s", err, row.errType, row.errAt)
				}
			}
			if m.Kind() != row.kind {
				t.Fatalf("kind %v, want %v", m.Kind(), row.kind)
			}
			if m.Version != row.version || m.Bare != row.bare || (m.Namespace == Namespace) != row.ns {
				t.Errorf("version %q bare %v namespace %q; want %q %v %v", m.Version, m.Bare, m.Namespace, row.version, row.bare, row.ns)
			}
			if got := keyValues(&m); got != row.key {
				t.Errorf("key values %q, want %q", got, row.key)
			}
			ts := timestampOf(&m)
			if ts.Raw != row.timestamp {
				t.Errorf("timestamp %q, want %q", ts.Raw, row.timestamp)
			}
			if row.errAt != "supplyingAgencyMessage/header/timestamp" && !ts.Valid() {
				t.Errorf("timestamp %q not read as a time", ts.Raw)
			}
		})
	}
}

// TestParseFullRequest checks the "everything present" OCLC request field
// by field as a supplier would use it.
func TestParseFullRequest(t *testing.T) {
	m, err := Parse(readSample(t, "circill-toolkit/RequestFullWSILLMappingSample1.xml"))
	if err != nil {
		t.Fatal(err)
	}
	r := m.Request
	h := r.Header
	if h.SupplyingAgencyID.Type.Value != "ISIL" || h.SupplyingAgencyID.Value != "OCLC-ABCDE" ||
		h.SupplyingAgencyID.Type.Scheme != "http://illtransactions.org/ISO18626/OpenCodeList/AgencyIdTypeList-V1.0" {
		t.Errorf("supplyingAgencyId %+v", h.SupplyingAgencyID)
	}
	if h.RequestingAgencyRequestID != "my123" || h.MultipleItemRequestID != "What is this?" {
		t.Errorf("header ids %q %q", h.RequestingAgencyRequestID, h.MultipleItemRequestID)
	}
	if !h.Timestamp.Time.Equal(time.Date(2018, 2, 8, 8, 34, 54, 0, time.UTC)) {
		t.Errorf("timestamp %v", h.Timestamp.Time)
	}
	b := r.BibliographicInfo
	if b.Title != "Something about elephants" || b.Author != "Warner, Mark PhD" || len(b.Volume) != 1 || b.Volume[0] != "Volume" {
		t.Errorf("bibliographicInfo %+v", b)
	}
	if len(b.BibliographicItemID) != 1 || b.BibliographicItemID[0].Code.Value != "ISBN" || b.BibliographicItemID[0].Identifier != "9760199591787" {
		t.Errorf("item ids %+v", b.BibliographicItemID)
	}
	if len(b.BibliographicRecordID) != 1 || b.BibliographicRecordID[0].Code.Value != "OCLC" || b.BibliographicRecordID[0].Identifier != "777" {
		t.Errorf("record ids %+v", b.BibliographicRecordID)
	}
	if p := r.PublicationInfo; p == nil || p.Publisher != "Publisher" || p.PublicationType.Value != "Book" || p.PlaceOfPublication != "New York" {
		t.Errorf("publicationInfo %+v", p)
	}
	s := r.ServiceInfo
	if s.ServiceType != ServiceCopyOrLoan || len(s.RequestSubType) != 1 || s.RequestSubType[0] != SubTypeTransferRequest ||
		s.PreferredFormat.Value != "LargePrint" || s.ItemFormat.Value != "LargePrint" || s.AnyEdition != Yes || s.Note != "Note" ||
		!s.NeedBeforeDate.Time.Equal(time.Date(2018, 1, 16, 14, 0, 0, 0, time.UTC)) || s.CopyrightCompliance.Value != "US-CCG" {
		t.Errorf("serviceInfo %+v", s)
	}
	if len(r.RequestedDeliveryInfo) != 1 || r.RequestedDeliveryInfo[0].Address.PhysicalAddress.Region.Value != "US-OH" ||
		r.RequestedDeliveryInfo[0].Address.PhysicalAddress.PostalCode != "12345" {
		t.Errorf("requestedDeliveryInfo %+v", r.RequestedDeliveryInfo)
	}
	bi := r.BillingInfo
	if bi == nil || bi.PaymentMethod.Value != "Paypal" || bi.MaximumCosts.CurrencyCode.Value != "USD" ||
		bi.MaximumCosts.MonetaryValue != "99.99" || bi.BillingName != "Bill Name" || bi.Address.PhysicalAddress.Line1 != "Address Line1" {
		t.Errorf("billingInfo %+v", bi)
	}
}

func TestParseSupplyingMessage(t *testing.T) {
	m, err := Parse(readSample(t, "circill-toolkit/SupplyingAgencyMessageLoaned.xml"))
	if err != nil {
		t.Fatal(err)
	}
	s := m.SupplyingAgencyMessage
	if s.Header.SupplyingAgencyRequestID != "168134644" || s.Header.MultipleItemRequestID != "" {
		t.Errorf("header %+v", s.Header)
	}
	if !s.StatusInfo.DueDate.Time.Equal(time.Date(2021, 3, 11, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("dueDate %v", s.StatusInfo.DueDate)
	}
	if !strings.Contains(s.MessageInfo.Note, "Loan condition: OTHER (none)") {
		t.Errorf("note %q", s.MessageInfo.Note)
	}
	d := s.DeliveryInfo
	if d == nil || !d.DateSent.Time.Equal(time.Date(2021, 2, 9, 5, 0, 0, 0, time.UTC)) {
		t.Fatalf("deliveryInfo %+v", d)
	}
	if v, ok := d.SentToPatron.Value(); v || !ok {
		t.Errorf("sentToPatron %q", d.SentToPatron)
	}
	ri := s.ReturnInfo
	if ri == nil || ri.ReturnAgencyID.Value != "OCLC-BCDEF" || ri.Name != "ILL Dept" || ri.PhysicalAddress.Locality != "Montréal" {
		t.Errorf("returnInfo %+v", ri)
	}
}

// TestParseReShareFixture: header elements out of order, the 2021 authorId
// in a 1.2 message, empty dates, the ill: prefixed scheme attribute.
func TestParseReShareFixture(t *testing.T) {
	m, err := Parse(readSample(t, "mod-rs/service_src_integration-test_resources_isoMessages_patronRequest.xml"))
	if err != nil {
		t.Fatal(err)
	}
	r := m.Request
	if r.Header.RequestingAgencyID.Value != "agencyIdValue_holder" || !r.Header.SupplyingAgencyID.IsZero() {
		t.Errorf("header %+v", r.Header)
	}
	if !r.ServiceInfo.NeedBeforeDate.IsZero() || r.ServiceInfo.RequestSubType[0] != SubTypePatronRequest {
		t.Errorf("serviceInfo %+v", r.ServiceInfo)
	}
	if len(r.BibliographicInfo.BibliographicRecordID) != 3 || r.BibliographicInfo.BibliographicRecordID[0].Code.Scheme != "ZFL" {
		t.Errorf("record ids %+v", r.BibliographicInfo.BibliographicRecordID)
	}
	if r.PatronInfo.PatronID != "patronId_holder" || r.RequestedDeliveryInfo[0].Address.PhysicalAddress.Line1 != "RSSlnpOne" {
		t.Errorf("patron/delivery %+v %+v", r.PatronInfo, r.RequestedDeliveryInfo)
	}
}

func TestParseDateForms(t *testing.T) {
	cet := time.FixedZone("", 3600)
	for _, c := range []struct {
		in              string
		want            time.Time
		local, dateOnly bool
	}{
		{"2021-02-09T11:24:24Z", time.Date(2021, 2, 9, 11, 24, 24, 0, time.UTC), false, false},
		{"2014-03-17T09:30:47.0Z", time.Date(2014, 3, 17, 9, 30, 47, 0, time.UTC), false, false},
		{"2023-10-04T15:22:00.543778Z", time.Date(2023, 10, 4, 15, 22, 0, 543778000, time.UTC), false, false},
		{"2023-10-04T15:22:00.123456789Z", time.Date(2023, 10, 4, 15, 22, 0, 123456789, time.UTC), false, false},
		{"1900-01-01T01:01:01+0000", time.Date(1900, 1, 1, 1, 1, 1, 0, time.UTC), false, false},
		{"2021-02-09T12:24:24+01:00", time.Date(2021, 2, 9, 12, 24, 24, 0, cet), false, false},
		{"2021-02-09T12:24:24", time.Date(2021, 2, 9, 12, 24, 24, 0, time.UTC), true, false},
		{"2021-02-09T12:24:24.5", time.Date(2021, 2, 9, 12, 24, 24, 5e8, time.UTC), true, false},
		{"2021-03-10", time.Date(2021, 3, 10, 0, 0, 0, 0, time.UTC), true, true},
		{" 2021-03-10Z ", time.Date(2021, 3, 10, 0, 0, 0, 0, time.UTC), false, true},
	} {
		var d DateTime
		if err := d.UnmarshalText([]byte(c.in)); err != nil || !d.Valid() {
			t.Errorf("%q: not read (%v)", c.in, err)
			continue
		}
		if !d.Time.Equal(c.want) || d.Local != c.local || d.DateOnly != c.dateOnly {
			t.Errorf("%q: %v local=%v dateOnly=%v, want %v %v %v", c.in, d.Time, d.Local, d.DateOnly, c.want, c.local, c.dateOnly)
		}
	}
	for _, junk := range []string{"_TIMESTAMP_", "timestamp_holder", "2021-13-40", "yesterday", "2021-02-09T25:00:00Z"} {
		var d DateTime
		_ = d.UnmarshalText([]byte(junk))
		if d.Valid() || d.Raw != junk {
			t.Errorf("%q read as %v", junk, d.Time)
		}
	}
}

const minimalRAM = `<requestingAgencyMessage xmlns="http://illtransactions.org/2013/iso18626"><header>
<supplyingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>EE-S</agencyIdValue></supplyingAgencyId>
<requestingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>EE-R</agencyIdValue></requestingAgencyId>
<timestamp>2026-12-03T10:00:00Z</timestamp><requestingAgencyRequestId>R1</requestingAgencyRequestId></header>
<action>ACTION</action>EXTRA</requestingAgencyMessage>`

func ram(action, extra string) []byte {
	return []byte(strings.Replace(strings.Replace(minimalRAM, "ACTION", action, 1), "EXTRA", extra, 1))
}

func TestParseByteOrderMarkAndLatin1(t *testing.T) {
	m, err := Parse(append([]byte("\xef\xbb\xbf"), ram("Renew", "<note>B\xc3\xbcro</note>")...))
	if err != nil || m.RequestingAgencyMessage.Note != "Büro" {
		t.Fatalf("with a BOM: %v %q", err, m.RequestingAgencyMessage.Note)
	}
	latin := append([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?>`), ram("Renew", "<note>B\xfcro</note>")...)
	m, err = Parse(latin)
	if err != nil || m.RequestingAgencyMessage.Note != "Büro" {
		t.Fatalf("ISO-8859-1: %v %q", err, m.RequestingAgencyMessage.Note)
	}
	for attr, want := range map[string]Version{"1.0": V2017, "1.2": V2017, "v1_2_2017": V2017, "": V2017, "2021-2": V2021, "1.3": V2021, "ISO-18626-2021-3": V2021} {
		if VersionOf(attr) != want {
			t.Errorf("VersionOf(%q) = %v, want %v", attr, VersionOf(attr), want)
		}
	}
}

// TestParseCodesAnyCase: closed-list codes in any case come out canonical.
func TestParseCodesAnyCase(t *testing.T) {
	for in, want := range map[string]Action{"renew": ActionRenew, "SHIPPEDRETURN": ActionShippedReturn, " Received ": ActionReceived, "lost": ActionLost} {
		m, err := Parse(ram(in, ""))
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if m.RequestingAgencyMessage.Action != want {
			t.Errorf("%q read as %q, want %q", in, m.RequestingAgencyMessage.Action, want)
		}
	}
	var y YesNo
	_ = y.UnmarshalText([]byte("yes"))
	var st Status
	_ = st.UnmarshalText([]byte("willsupply"))
	var et ErrorType
	_ = et.UnmarshalText([]byte("UnrecognizedDataValue"))
	if y != Yes || st != StatusWillSupply || et != UnrecognisedDataValue {
		t.Errorf("yes→%q willsupply→%q UnrecognizedDataValue→%q", y, st, et)
	}
}

// TestParseKeepsUnknownElements: what the model does not know is kept, in
// place, with its namespace, attributes, text and children; KeepUnknown
// writes it back, well-formed, in the element that held it.
func TestParseKeepsUnknownElements(t *testing.T) {
	m, err := Parse(ram("Notification", `<x:courierNote xmlns:x="urn:example" x:k="v" plain="p">fragile <x:b>glass</x:b></x:courierNote><note>n</note>`))
	if err != nil {
		t.Fatal(err)
	}
	r := m.RequestingAgencyMessage
	if r.Note != "n" || len(r.Extra) != 1 {
		t.Fatalf("note %q extra %+v", r.Note, r.Extra)
	}
	e := r.Extra[0]
	if e.XMLName.Local != "courierNote" || e.XMLName.Space != "urn:example" || e.Text != "fragile " ||
		len(e.Children) != 1 || e.Children[0].XMLName.Local != "b" || e.Children[0].Text != "glass" {
		t.Errorf("kept %+v", e)
	}
	attrs := map[string]string{}
	for _, a := range e.Attr {
		attrs[a.Name.Space+" "+a.Name.Local] = a.Value
	}
	if attrs["urn:example k"] != "v" || attrs[" plain"] != "p" {
		t.Errorf("attributes %+v", e.Attr)
	}

	// An OCLC message with an unknown element in its own ns1: prefix.
	b := strings.Replace(string(readSample(t, "circill-toolkit/SupplyingAgencyMessageLoaned.xml")),
		"</ns1:statusInfo>", "<ns1:shelfMark ns1:scheme=\"local\">K 12</ns1:shelfMark></ns1:statusInfo>", 1)
	sm, err := Parse([]byte(b))
	if err != nil {
		t.Fatal(err)
	}
	if x := sm.SupplyingAgencyMessage.StatusInfo.Extra; len(x) != 1 || x[0].XMLName.Local != "shelfMark" || x[0].Text != "K 12" {
		t.Fatalf("statusInfo extra %+v", x)
	}
	for _, c := range []struct {
		m    Message
		want string
	}{
		{m, `<courierNote xmlns="urn:example" xmlns:u1="urn:example" u1:k="v" plain="p">fragile <b>glass</b></courierNote></requestingAgencyMessage>`},
		{sm, `<lastChange>2021-02-09T11:24:18Z</lastChange><shelfMark ill:scheme="local">K 12</shelfMark></statusInfo>`},
	} {
		plain, err := Marshal(c.m, V2017)
		if err != nil || strings.Contains(string(plain), "courierNote") || strings.Contains(string(plain), "shelfMark") {
			t.Errorf("without KeepUnknown: %v\n%s", err, plain)
		}
		out, err := Writer{KeepUnknown: true}.Marshal(c.m, V2017)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), c.want) {
			t.Errorf("KeepUnknown output lacks %s:\n%s", c.want, out)
		}
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("KeepUnknown output does not read back: %v\n%s", err, out)
		}
		again, err := Writer{KeepUnknown: true}.Marshal(back, V2017)
		if err != nil || string(again) != string(out) {
			t.Errorf("KeepUnknown round trip differs: %v\n%s\n%s", err, out, again)
		}
	}
}

// TestParseErrors: each kind of unusable input gives the errorType a
// confirmation must carry.
func TestParseErrors(t *testing.T) {
	deep := strings.Repeat("<a>", 40) + strings.Repeat("</a>", 40)
	for _, c := range []struct {
		name string
		in   string
		want ErrorType
		at   string
	}{
		{"not XML", "this is not xml", BadlyFormedMessage, ""},
		{"empty", "", BadlyFormedMessage, ""},
		{"truncated", string(ram("Renew", ""))[:200], BadlyFormedMessage, ""},
		{"mismatched tags", "<request><header></request>", BadlyFormedMessage, ""},
		{"too deep", "<ISO18626Message>" + deep + "</ISO18626Message>", BadlyFormedMessage, ""},
		{"doctype", `<!DOCTYPE r [<!ENTITY e "x">]><requestingAgencyMessage/>`, BadlyFormedMessage, ""},
		{"other namespace", `<request xmlns="urn:other"/>`, BadlyFormedMessage, "request"},
		{"other root", `<html/>`, BadlyFormedMessage, "html"},
		{"empty wrapper", `<ISO18626Message version="1.2"/>`, BadlyFormedMessage, "ISO18626Message"},
		{"two messages", `<ISO18626Message><requestConfirmation/><requestConfirmation/></ISO18626Message>`, BadlyFormedMessage, "ISO18626Message"},
		{"two roots", string(ram("Renew", "")) + "<x/>", BadlyFormedMessage, ""},
		{"unknown action", string(ram("Borrow", "")), UnsupportedActionType, "requestingAgencyMessage/action"},
		{"no action", string(ram("", "")), UnsupportedActionType, "requestingAgencyMessage/action"},
		{"no request id", strings.Replace(string(ram("Renew", "")), "R1", "", 1), BadlyFormedMessage, "requestingAgencyMessage/header/requestingAgencyRequestId"},
		{"bad timestamp", strings.Replace(string(ram("Renew", "")), "2026-12-03T10:00:00Z", "timestamp_holder", 1), UnrecognisedDataValue, "requestingAgencyMessage/header/timestamp"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.in))
			var e *Error
			if !errors.As(err, &e) || e.Type != c.want || e.Element != c.at {
				t.Fatalf("got %v, want %s at %q", err, c.want, c.at)
			}
			if d := e.ErrorData(); d.ErrorType != c.want || d.ErrorValue == "" {
				t.Errorf("ErrorData %+v", d)
			}
		})
	}
	big := Reader{MaxSize: 100}
	if _, err := big.Parse(ram("Renew", "")); err == nil || !strings.Contains(err.Error(), "more than 100") {
		t.Errorf("size limit: %v", err)
	}
}

func TestParseReasonForMessage(t *testing.T) {
	b := readSample(t, "circill-toolkit/SupplyingAgencyMessageOverdue.xml")
	_, err := Parse([]byte(strings.Replace(string(b), ">StatusChange<", ">Gossip<", 1)))
	var e *Error
	if !errors.As(err, &e) || e.Type != UnsupportedReasonForMessageType || e.Value != "Gossip" {
		t.Fatalf("got %v", err)
	}
}

// TestParseHeaderKeptOnError: a message refused for a bad value still
// yields its ids, so the confirmation can echo them.
func TestParseHeaderKeptOnError(t *testing.T) {
	m, err := Parse(readSample(t, "mod-rs/service_src_integration-test_resources_isoMessages_unfilledNotification.xml"))
	if err == nil {
		t.Fatal("no error for timestamp_holder")
	}
	h := m.Header()
	if h == nil || h.SupplyingAgencyID.Value != "supplierSymbol_holder" || h.RequestingAgencyRequestID != "requestId_holder" {
		t.Fatalf("header %+v", h)
	}
	if m.SupplyingAgencyMessage.MessageInfo.Note != "can't find it after all" {
		t.Errorf("note %q", m.SupplyingAgencyMessage.MessageInfo.Note)
	}
}

// TestParseDepthLimit: nesting is counted exactly, and markup-like text in
// attribute values, comments and CDATA does not count.
func TestParseDepthLimit(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("<x>", n) + strings.Repeat("</x>", n) }
	// ISO18626Message, requestingAgencyMessage and the unknown element
	// nest at depths 1..3, so n more levels of <x> reach 3+n.
	r := Reader{MaxDepth: 10}
	if _, err := r.Parse([]byte(`<ISO18626Message>` + string(ram("Renew", "<u>"+nest(7)+"</u>")) + `</ISO18626Message>`)); err != nil {
		t.Errorf("depth 10 refused: %v", err)
	}
	if _, err := r.Parse([]byte(`<ISO18626Message>` + string(ram("Renew", "<u>"+nest(8)+"</u>")) + `</ISO18626Message>`)); err == nil ||
		!strings.Contains(err.Error(), "deeper than 10") {
		t.Errorf("depth 11: %v", err)
	}
	tricky := `<u a=">>>" b='">'><!-- <x><x><x><x><x><x><x><x> --><![CDATA[<x><x><x><x><x><x><x><x>]]></u>`
	m, err := r.Parse([]byte(`<ISO18626Message>` + string(ram("Renew", tricky)) + `</ISO18626Message>`))
	if err != nil {
		t.Fatalf("markup in attributes, comments, CDATA: %v", err)
	}
	if x := m.RequestingAgencyMessage.Extra; len(x) != 1 || x[0].Text != "<x><x><x><x><x><x><x><x>" {
		t.Errorf("kept %+v", x)
	}
}
