package iso18626

import "encoding/xml"

// Namespace is the ISO 18626 XML namespace, unchanged from the 2014 edition
// through 2021.
const Namespace = "http://illtransactions.org/2013/iso18626"

// Kind names the message an ISO18626Message carries.
type Kind int

// The six ISO 18626 messages.
const (
	KindNone Kind = iota
	KindRequest
	KindRequestConfirmation
	KindSupplyingAgencyMessage
	KindSupplyingAgencyMessageConfirmation
	KindRequestingAgencyMessage
	KindRequestingAgencyMessageConfirmation
)

var kindNames = [...]string{
	KindNone:                                "",
	KindRequest:                             "request",
	KindRequestConfirmation:                 "requestConfirmation",
	KindSupplyingAgencyMessage:              "supplyingAgencyMessage",
	KindSupplyingAgencyMessageConfirmation:  "supplyingAgencyMessageConfirmation",
	KindRequestingAgencyMessage:             "requestingAgencyMessage",
	KindRequestingAgencyMessageConfirmation: "requestingAgencyMessageConfirmation",
}

// String returns the message's element name.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "unknown"
	}
	return kindNames[k]
}

// Message is one ISO 18626 message: exactly one of the six pointers is set.
// The model is the union of the 2017 (v1.2) and 2021 element sets; where
// 2021 renamed or moved an element both places are kept and Parse fills
// both, so either can be read, and Marshal writes the one the target version
// knows.
type Message struct {
	// Version is the version attribute as read ("1.2", "v1_2_2017",
	// "2021-2", ...); Marshal takes the version from its argument instead.
	Version string
	// Namespace is the namespace the message was read in, "" for none.
	Namespace string
	// Bare reports a message read without the ISO18626Message wrapper.
	Bare bool

	Request                             *Request
	RequestConfirmation                 *RequestConfirmation
	SupplyingAgencyMessage              *SupplyingAgencyMessage
	SupplyingAgencyMessageConfirmation  *SupplyingAgencyMessageConfirmation
	RequestingAgencyMessage             *RequestingAgencyMessage
	RequestingAgencyMessageConfirmation *RequestingAgencyMessageConfirmation

	// Markers are the in-band signals a dialect found in (and removed from)
	// the message's note, or wants written into it. Nil when none.
	Markers *Markers

	// Extra holds unknown elements of the wrapper, in document order.
	Extra []Element
}

// Kind reports which message m carries.
func (m *Message) Kind() Kind {
	switch {
	case m.Request != nil:
		return KindRequest
	case m.RequestConfirmation != nil:
		return KindRequestConfirmation
	case m.SupplyingAgencyMessage != nil:
		return KindSupplyingAgencyMessage
	case m.SupplyingAgencyMessageConfirmation != nil:
		return KindSupplyingAgencyMessageConfirmation
	case m.RequestingAgencyMessage != nil:
		return KindRequestingAgencyMessage
	case m.RequestingAgencyMessageConfirmation != nil:
		return KindRequestingAgencyMessageConfirmation
	}
	return KindNone
}

// Header returns the header of a request, supplyingAgencyMessage or
// requestingAgencyMessage, nil for confirmations.
func (m *Message) Header() *Header {
	switch {
	case m.Request != nil:
		return &m.Request.Header
	case m.SupplyingAgencyMessage != nil:
		return &m.SupplyingAgencyMessage.Header
	case m.RequestingAgencyMessage != nil:
		return &m.RequestingAgencyMessage.Header
	}
	return nil
}

// ConfirmationHeader returns the header of a confirmation, nil otherwise.
func (m *Message) ConfirmationHeader() *ConfirmationHeader {
	switch {
	case m.RequestConfirmation != nil:
		return &m.RequestConfirmation.ConfirmationHeader
	case m.SupplyingAgencyMessageConfirmation != nil:
		return &m.SupplyingAgencyMessageConfirmation.ConfirmationHeader
	case m.RequestingAgencyMessageConfirmation != nil:
		return &m.RequestingAgencyMessageConfirmation.ConfirmationHeader
	}
	return nil
}

// Note returns a pointer to the free-text note of the message (in
// serviceInfo, messageInfo or the requestingAgencyMessage), nil when the
// message has none and no place for one.
func (m *Message) Note() *string {
	switch {
	case m.Request != nil:
		if m.Request.ServiceInfo == nil {
			return nil
		}
		return &m.Request.ServiceInfo.Note
	case m.SupplyingAgencyMessage != nil:
		return &m.SupplyingAgencyMessage.MessageInfo.Note
	case m.RequestingAgencyMessage != nil:
		return &m.RequestingAgencyMessage.Note
	}
	return nil
}

// Element is an element the model does not know, kept as a tree (its
// namespace, attributes, text and child elements) so that nothing is lost
// when a message is passed on (see Writer.KeepUnknown). Text is all the
// element's own character data, joined.
type Element struct {
	XMLName  xml.Name
	Attr     []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []Element  `xml:",any"`
}

// SchemeValue is an open-list code (type_schemeValuePair): a value and the
// optional URI of the list it comes from.
type SchemeValue struct {
	Scheme string `xml:"scheme,attr"`
	Value  string `xml:",chardata"`
}

// IsZero reports an absent code.
func (s SchemeValue) IsZero() bool { return s.Value == "" && s.Scheme == "" }

// AgencyID identifies an agency (type_agencyId), e.g. type ISIL, value
// EE-TlRL. Values are opaque: they may hold colons.
type AgencyID struct {
	Type  SchemeValue `xml:"agencyIdType"`
	Value string      `xml:"agencyIdValue"`
	Extra []Element   `xml:",any"`
}

// IsZero reports an absent or empty agency id.
func (a AgencyID) IsZero() bool { return a.Type.IsZero() && a.Value == "" }

// Costs is an amount in a currency (type_costs). MonetaryValue is the
// decimal as written.
type Costs struct {
	CurrencyCode  SchemeValue `xml:"currencyCode"`
	MonetaryValue string      `xml:"monetaryValue"`
	Extra         []Element   `xml:",any"`
}

// IsZero reports absent costs.
func (c Costs) IsZero() bool { return c.CurrencyCode.IsZero() && c.MonetaryValue == "" }

// Header is the message header of request, supplyingAgencyMessage and
// requestingAgencyMessage: the 2017 header and the three 2021 ones in one.
type Header struct {
	SupplyingAgencyID              AgencyID        `xml:"supplyingAgencyId"`
	RequestingAgencyID             AgencyID        `xml:"requestingAgencyId"`
	ConsortialID                   AgencyID        `xml:"consortialId"` // 2021
	MultipleItemRequestID          string          `xml:"multipleItemRequestId"`
	Timestamp                      DateTime        `xml:"timestamp"`
	RequestingAgencyRequestID      string          `xml:"requestingAgencyRequestId"`
	SupplyingAgencyRequestID       string          `xml:"supplyingAgencyRequestId"`
	RequestingAgencyAuthentication *Authentication `xml:"requestingAgencyAuthentication"`
	Extra                          []Element       `xml:",any"`
}

// Authentication is requestingAgencyAuthentication. SecurityCode is a
// secret: never log it.
type Authentication struct {
	AccountID    string    `xml:"accountId"`
	SecurityCode string    `xml:"securityCode"`
	Extra        []Element `xml:",any"`
}

// ConfirmationHeader heads every confirmation.
type ConfirmationHeader struct {
	SupplyingAgencyID         AgencyID      `xml:"supplyingAgencyId"`
	RequestingAgencyID        AgencyID      `xml:"requestingAgencyId"`
	Timestamp                 DateTime      `xml:"timestamp"`
	RequestingAgencyRequestID string        `xml:"requestingAgencyRequestId"`
	MultipleItemRequestID     string        `xml:"multipleItemRequestId"` // 2017 only
	TimestampReceived         DateTime      `xml:"timestampReceived"`
	MessageStatus             MessageStatus `xml:"messageStatus"`
	Extra                     []Element     `xml:",any"`
}

// ErrorData says why a message was not processed.
type ErrorData struct {
	ErrorType  ErrorType `xml:"errorType"`
	ErrorValue string    `xml:"errorValue"`
	Extra      []Element `xml:",any"`
}

// Request is the request message.
type Request struct {
	Header                Header                  `xml:"header"`
	BibliographicInfo     BibliographicInfo       `xml:"bibliographicInfo"`
	PublicationInfo       *PublicationInfo        `xml:"publicationInfo"`
	ServiceInfo           *ServiceInfo            `xml:"serviceInfo"`
	SupplierInfo          []SupplierInfo          `xml:"supplierInfo"`
	RequestedDeliveryInfo []RequestedDeliveryInfo `xml:"requestedDeliveryInfo"`
	RequestingAgencyInfo  *RequestingAgencyInfo   `xml:"requestingAgencyInfo"`
	PatronInfo            *PatronInfo             `xml:"patronInfo"`
	BillingInfo           *BillingInfo            `xml:"billingInfo"`
	Extra                 []Element               `xml:",any"`
}

// BibliographicInfo describes the item asked for.
type BibliographicInfo struct {
	SupplierUniqueRecordID string                  `xml:"supplierUniqueRecordId"`
	Title                  string                  `xml:"title"`
	Author                 string                  `xml:"author"`
	AuthorID               string                  `xml:"authorId"` // 2021
	Subtitle               string                  `xml:"subtitle"`
	SeriesTitle            string                  `xml:"seriesTitle"`
	Edition                string                  `xml:"edition"`
	TitleOfComponent       string                  `xml:"titleOfComponent"`
	AuthorOfComponent      string                  `xml:"authorOfComponent"`
	Volume                 []string                `xml:"volume"` // repeatable in 2021
	Issue                  string                  `xml:"issue"`
	PagesRequested         string                  `xml:"pagesRequested"`
	EstimatedNoPages       string                  `xml:"estimatedNoPages"`
	BibliographicItemID    []BibliographicItemID   `xml:"bibliographicItemId"`
	Sponsor                string                  `xml:"sponsor"`
	InformationSource      string                  `xml:"informationSource"`
	BibliographicRecordID  []BibliographicRecordID `xml:"bibliographicRecordId"`
	Extra                  []Element               `xml:",any"`
}

// BibliographicItemID is an item identifier such as an ISBN or ISSN.
type BibliographicItemID struct {
	Identifier string      `xml:"bibliographicItemIdentifier"`
	Code       SchemeValue `xml:"bibliographicItemIdentifierCode"`
	Extra      []Element   `xml:",any"`
}

// BibliographicRecordID is a record number in a catalogue (OCLC, LCCN ...).
type BibliographicRecordID struct {
	Code       SchemeValue `xml:"bibliographicRecordIdentifierCode"`
	Identifier string      `xml:"bibliographicRecordIdentifier"`
	Extra      []Element   `xml:",any"`
}

// PublicationInfo is publicationInfo.
type PublicationInfo struct {
	Publisher          string      `xml:"publisher"`
	PublisherID        string      `xml:"publisherId"` // 2021
	PublicationType    SchemeValue `xml:"publicationType"`
	PublicationDate    string      `xml:"publicationDate"`
	PlaceOfPublication string      `xml:"placeOfPublication"`
	Extra              []Element   `xml:",any"`
}

// ServiceInfo says what service is asked for. PreferredFormat (2017) and
// ItemFormat (2021) are the same element under its two names.
type ServiceInfo struct {
	RequestType                       RequestType      `xml:"requestType"`
	RequestSubType                    []RequestSubType `xml:"requestSubType"`
	RequestingAgencyPreviousRequestID string           `xml:"requestingAgencyPreviousRequestId"`
	ServiceType                       ServiceType      `xml:"serviceType"`
	ServiceLevel                      SchemeValue      `xml:"serviceLevel"`
	PreferredFormat                   SchemeValue      `xml:"preferredFormat"`
	ItemFormat                        SchemeValue      `xml:"itemFormat"` // 2021
	NeedBeforeDate                    DateTime         `xml:"needBeforeDate"`
	CopyrightCompliance               SchemeValue      `xml:"copyrightCompliance"`
	AnyEdition                        YesNo            `xml:"anyEdition"`
	PreferredEdition                  PreferredEdition `xml:"preferredEdition"` // 2021
	LoanCondition                     []SchemeValue    `xml:"loanCondition"`    // 2021
	StartDate                         DateTime         `xml:"startDate"`
	EndDate                           DateTime         `xml:"endDate"`
	Note                              string           `xml:"note"`
	Extra                             []Element        `xml:",any"`
}

// SupplierInfo is one candidate supplier the requester suggests.
type SupplierInfo struct {
	SortOrder             string                 `xml:"sortOrder"`
	SupplierCode          AgencyID               `xml:"supplierCode"`
	SupplierDescription   string                 `xml:"supplierDescription"`
	BibliographicRecordID *BibliographicRecordID `xml:"bibliographicRecordId"`
	CallNumber            string                 `xml:"callNumber"`
	SummaryHoldings       string                 `xml:"summaryHoldings"`
	AvailabilityNote      string                 `xml:"availabilityNote"`
	Extra                 []Element              `xml:",any"`
}

// RequestedDeliveryInfo is one delivery address the requester accepts.
type RequestedDeliveryInfo struct {
	SortOrder      string      `xml:"sortOrder"`
	Address        *Address    `xml:"address"`
	DeliveryMethod SchemeValue `xml:"deliveryMethod"` // 2021
	CourierName    SchemeValue `xml:"courierName"`    // 2021
	Extra          []Element   `xml:",any"`
}

// Address is either an electronic or a physical address.
type Address struct {
	ElectronicAddress *ElectronicAddress `xml:"electronicAddress"`
	PhysicalAddress   *PhysicalAddress   `xml:"physicalAddress"`
	Extra             []Element          `xml:",any"`
}

// ElectronicAddress is an e-mail address, URL and the like.
type ElectronicAddress struct {
	Type  SchemeValue `xml:"electronicAddressType"`
	Data  string      `xml:"electronicAddressData"`
	Extra []Element   `xml:",any"`
}

// PhysicalAddress is a postal address. Region is a code in 2017 and plain
// text in 2021; its Value is written as the text.
type PhysicalAddress struct {
	Line1      string      `xml:"line1"`
	Line2      string      `xml:"line2"`
	Locality   string      `xml:"locality"`
	PostalCode string      `xml:"postalCode"`
	Region     SchemeValue `xml:"region"`
	Country    SchemeValue `xml:"country"`
	Extra      []Element   `xml:",any"`
}

// RequestingAgencyInfo names the requesting library and how to reach it.
type RequestingAgencyInfo struct {
	Name        string    `xml:"name"`
	ContactName string    `xml:"contactName"`
	Address     []Address `xml:"address"`
	Extra       []Element `xml:",any"`
}

// PatronInfo is the patron the item is for; send as little as possible.
type PatronInfo struct {
	PatronID     string      `xml:"patronId"`
	Surname      string      `xml:"surname"`
	GivenName    string      `xml:"givenName"`
	PatronType   SchemeValue `xml:"patronType"`
	SendToPatron YesNo       `xml:"sendToPatron"`
	Address      []Address   `xml:"address"`
	Extra        []Element   `xml:",any"`
}

// BillingInfo says how the requester pays.
type BillingInfo struct {
	PaymentMethod SchemeValue `xml:"paymentMethod"`
	MaximumCosts  *Costs      `xml:"maximumCosts"`
	BillingMethod SchemeValue `xml:"billingMethod"`
	BillingName   string      `xml:"billingName"`
	Address       *Address    `xml:"address"`
	Extra         []Element   `xml:",any"`
}

// RequestConfirmation answers a request.
type RequestConfirmation struct {
	ConfirmationHeader ConfirmationHeader `xml:"confirmationHeader"`
	ErrorData          []ErrorData        `xml:"errorData"`
	Extra              []Element          `xml:",any"`
}

// SupplyingAgencyMessage is a message from the supplier.
type SupplyingAgencyMessage struct {
	Header       Header        `xml:"header"`
	MessageInfo  MessageInfo   `xml:"messageInfo"`
	StatusInfo   StatusInfo    `xml:"statusInfo"`
	RetryInfo    *RetryInfo    `xml:"retryInfo"` // 2021
	DeliveryInfo *DeliveryInfo `xml:"deliveryInfo"`
	ShippingInfo *ShippingInfo `xml:"shippingInfo"` // 2021
	ReturnInfo   *ReturnInfo   `xml:"returnInfo"`
	Extra        []Element     `xml:",any"`
}

// MessageInfo says why the supplier writes. OfferedCosts, RetryAfter and
// RetryBefore are the 2017 places of what 2021 moved into RetryInfo; Parse
// fills both.
type MessageInfo struct {
	ReasonForMessage ReasonForMessage `xml:"reasonForMessage"`
	AnswerYesNo      YesNo            `xml:"answerYesNo"`
	Note             string           `xml:"note"`
	ReasonUnfilled   SchemeValue      `xml:"reasonUnfilled"`
	ReasonRetry      SchemeValue      `xml:"reasonRetry"`
	OfferedCosts     *Costs           `xml:"offeredCosts"` // 2017
	RetryAfter       DateTime         `xml:"retryAfter"`   // 2017
	RetryBefore      DateTime         `xml:"retryBefore"`  // 2017
	Extra            []Element        `xml:",any"`
}

// StatusInfo is the supplier's state of the transaction.
type StatusInfo struct {
	Status               Status    `xml:"status"`
	ExpectedDeliveryDate DateTime  `xml:"expectedDeliveryDate"`
	DueDate              DateTime  `xml:"dueDate"`
	LastChange           DateTime  `xml:"lastChange"`
	Extra                []Element `xml:",any"`
}

// RetryInfo (2021) is what the supplier would accept on a retry.
type RetryInfo struct {
	LoanCondition  []SchemeValue `xml:"loanCondition"`
	Edition        []string      `xml:"edition"`
	ItemFormat     []SchemeValue `xml:"itemFormat"`
	Volume         []string      `xml:"volume"`
	ServiceType    ServiceType   `xml:"serviceType"`
	ServiceLevel   []SchemeValue `xml:"serviceLevel"`
	DeliveryMethod []SchemeValue `xml:"deliveryMethod"`
	CourierName    []SchemeValue `xml:"courierName"`
	OfferedCosts   []Costs       `xml:"offeredCosts"`
	PaymentMethod  []SchemeValue `xml:"paymentMethod"`
	RetryBefore    DateTime      `xml:"retryBefore"`
	RetryAfter     DateTime      `xml:"retryAfter"`
	Extra          []Element     `xml:",any"`
}

// DeliveryInfo describes a shipment. SentVia/DeliveryMethod and
// DeliveredFormat/ItemFormat are the 2017/2021 names of one element each;
// Parse fills both.
type DeliveryInfo struct {
	DateSent        DateTime      `xml:"dateSent"`
	ItemID          []string      `xml:"itemId"` // repeatable in 2021
	URL             string        `xml:"URL"`    // 2021
	SentVia         SchemeValue   `xml:"sentVia"`
	DeliveryMethod  SchemeValue   `xml:"deliveryMethod"` // 2021
	Address         *Address      `xml:"address"`        // 2021
	SentToPatron    Bool          `xml:"sentToPatron"`
	LoanCondition   []SchemeValue `xml:"loanCondition"` // repeatable in 2021
	DeliveredFormat SchemeValue   `xml:"deliveredFormat"`
	ItemFormat      SchemeValue   `xml:"itemFormat"`  // 2021
	ServiceType     ServiceType   `xml:"serviceType"` // 2021
	DeliveryCosts   []Costs       `xml:"deliveryCosts"`
	PaymentMethod   SchemeValue   `xml:"paymentMethod"` // 2021
	Extra           []Element     `xml:",any"`
}

// ShippingInfo (2021) is the courier and insurance of a shipment.
type ShippingInfo struct {
	CourierName         SchemeValue `xml:"courierName"`
	TrackingID          []string    `xml:"trackingId"`
	Insurance           YesNo       `xml:"insurance"`
	InsuranceThirdParty YesNo       `xml:"insuranceThirdParty"`
	ThirdPartyName      string      `xml:"thirdPartyName"`
	InsuranceCosts      []Costs     `xml:"insuranceCosts"`
	Extra               []Element   `xml:",any"`
}

// ReturnInfo says where a loan goes back to.
type ReturnInfo struct {
	ReturnAgencyID  AgencyID         `xml:"returnAgencyId"`
	Name            string           `xml:"name"`
	PhysicalAddress *PhysicalAddress `xml:"physicalAddress"`
	Extra           []Element        `xml:",any"`
}

// SupplyingAgencyMessageConfirmation answers a supplyingAgencyMessage.
type SupplyingAgencyMessageConfirmation struct {
	ConfirmationHeader ConfirmationHeader `xml:"confirmationHeader"`
	ReasonForMessage   ReasonForMessage   `xml:"reasonForMessage"`
	ErrorData          []ErrorData        `xml:"errorData"`
	Extra              []Element          `xml:",any"`
}

// RequestingAgencyMessage is a message from the requester.
type RequestingAgencyMessage struct {
	Header Header    `xml:"header"`
	Action Action    `xml:"action"`
	Note   string    `xml:"note"`
	Extra  []Element `xml:",any"`
}

// RequestingAgencyMessageConfirmation answers a requestingAgencyMessage.
type RequestingAgencyMessageConfirmation struct {
	ConfirmationHeader ConfirmationHeader `xml:"confirmationHeader"`
	Action             Action             `xml:"action"`
	ErrorData          []ErrorData        `xml:"errorData"`
	Extra              []Element          `xml:",any"`
}
