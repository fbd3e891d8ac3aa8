package ill

import "github.com/bibgate/bibgate/internal/ber"

// The helper types of ISO-10161-ILL-1. Tags are local to each type. ISO
// dates (YYYYMMDD) and times (HHMMSS, the sender's local time) are
// VisibleStrings, kept as Go strings.

// Header is the part every APDU starts with.
type Header struct {
	Version         int             `ber:"0"` // protocol-version-num: 1 or 2
	TransactionID   TransactionID   `ber:"1"`
	ServiceDateTime ServiceDateTime `ber:"2"`
	RequesterID     *SystemID       `ber:"3,optional"` // mandatory over e-mail
	ResponderID     *SystemID       `ber:"4,optional"` // mandatory over e-mail and in Forward-Notification
}

// Head returns the header, for code that handles any APDU.
func (h *Header) Head() *Header { return h }

// Protocol versions.
const (
	Version1 = 1
	Version2 = 2
)

// TransactionID identifies an ILL transaction; the whole tuple is the key.
type TransactionID struct {
	InitialRequesterID *SystemID `ber:"0,optional"`
	GroupQualifier     String    `ber:"1,explicit"`
	Qualifier          String    `ber:"2,explicit"`
	SubQualifier       *String   `ber:"3,explicit,optional"`
}

// ServiceDateTime is when this service (and the original one) was invoked.
type ServiceDateTime struct {
	This     DateTime  `ber:"0"`
	Original *DateTime `ber:"1,optional"`
}

// DateTime is an ISO date with an optional time.
type DateTime struct {
	Date string  `ber:"0,visible"`
	Time *string `ber:"1,visible,optional"`
}

// SystemID names a person or institution by symbol, name or both.
type SystemID struct {
	Symbol *PersonOrInstitution `ber:"0,explicit,optional"`
	Name   *PersonOrInstitution `ber:"1,explicit,optional"`
}

// PersonOrInstitution is both Person-Or-Institution-Symbol and
// Name-Of-Person-Or-Institution: a CHOICE of a person [0] or an
// institution [1].
type PersonOrInstitution struct {
	ber.Choice
	Person      *String `ber:"0,explicit"`
	Institution *String `ber:"1,explicit"`
}

// Institution returns a SystemID with the institution symbol sym.
func Institution(sym string) *SystemID {
	return &SystemID{Symbol: &PersonOrInstitution{Institution: Str(sym)}}
}

// SystemAddress is a telecommunications service and address.
type SystemAddress struct {
	TelecomServiceIdentifier *String `ber:"0,explicit,optional"`
	TelecomServiceAddress    *String `ber:"1,explicit,optional"`
}

// PostalAddress is a postal address.
type PostalAddress struct {
	Name                       *PersonOrInstitution `ber:"0,explicit,optional"`
	ExtendedPostalDeliveryAddr *String              `ber:"1,explicit,optional"`
	StreetAndNumber            *String              `ber:"2,explicit,optional"`
	PostOfficeBox              *String              `ber:"3,explicit,optional"`
	City                       *String              `ber:"4,explicit,optional"`
	Region                     *String              `ber:"5,explicit,optional"`
	Country                    *String              `ber:"6,explicit,optional"`
	PostalCode                 *String              `ber:"7,explicit,optional"`
}

// DeliveryAddress is a postal and/or electronic address.
type DeliveryAddress struct {
	Postal     *PostalAddress `ber:"0,optional"`
	Electronic *SystemAddress `ber:"1,optional"`
}

// DeliveryService is the CHOICE of a physical delivery [7] or (version 2)
// a list of electronic delivery services [50].
type DeliveryService struct {
	ber.Choice
	Physical   *String                     `ber:"7,explicit"` // Transportation-Mode
	Electronic []ElectronicDeliveryService `ber:"50"`
}

// ElectronicDeliveryService describes one electronic delivery (version 2).
type ElectronicDeliveryService struct {
	Service      *EDeliveryService `ber:"0,optional"`
	DocumentType *DocumentType     `ber:"1,optional"`
	Description  *String           `ber:"4,explicit,optional"`
	Details      EDeliveryDetails  `ber:"5,explicit"`
	NameOrCode   *String           `ber:"6,explicit,optional"`
	DeliveryTime *string           `ber:"7,visible,optional"`
}

// EDeliveryService names the delivery mode by OID with its parameters.
type EDeliveryService struct {
	Mode       ber.OID   `ber:"0"`
	Parameters *ber.Node `ber:"1,explicit"`
}

// DocumentType names the document type by OID with its parameters.
type DocumentType struct {
	ID         ber.OID   `ber:"2"`
	Parameters *ber.Node `ber:"3,explicit"`
}

// EDeliveryDetails is the CHOICE of an address [0] or a system id [1].
type EDeliveryDetails struct {
	ber.Choice
	Address *SystemAddress `ber:"0"`
	ID      *SystemID      `ber:"1"`
}

// ServiceType is ILL-Service-Type.
type ServiceType int

// Service types.
const (
	Loan              ServiceType = 1
	CopyNonReturnable ServiceType = 2
	Locations         ServiceType = 3
	Estimate          ServiceType = 4
	ResponderSpecific ServiceType = 5
)

// Messaging wishes in Requester- and Responder-Optional-Messages-Type.
const (
	Requires = 1
	Desires  = 2
	Neither  = 3
)

// RequesterOptionalMessages says which tracking APDUs the requester sends
// and wants.
type RequesterOptionalMessages struct {
	CanSendReceived    bool `ber:"0"`
	CanSendReturned    bool `ber:"1"`
	RequesterShipped   int  `ber:"2"` // Requires, Desires or Neither
	RequesterCheckedIn int  `ber:"3"`
}

// ResponderOptionalMessages mirrors RequesterOptionalMessages.
type ResponderOptionalMessages struct {
	CanSendShipped    bool `ber:"0"`
	CanSendCheckedIn  bool `ber:"1"`
	ResponderReceived int  `ber:"2"`
	ResponderReturned int  `ber:"3"`
}

// SearchType is the requester's search constraints.
type SearchType struct {
	LevelOfService *String `ber:"0,explicit,optional"`
	NeedBeforeDate *string `ber:"1,visible,optional"`
	ExpiryFlag     int     `ber:"2,default=3"` // 1 need-before-date, 2 other-date, 3 no-expiry
	ExpiryDate     *string `ber:"3,visible,optional"`
}

// SupplyMediumInfo is one acceptable supply medium.
type SupplyMediumInfo struct {
	Type            int     `ber:"0"` // Supply-Medium-Type
	Characteristics *String `ber:"1,explicit,optional"`
}

// ClientID identifies the patron.
type ClientID struct {
	Name       *String `ber:"0,explicit,optional"`
	Status     *String `ber:"1,explicit,optional"`
	Identifier *String `ber:"2,explicit,optional"`
}

// ItemID describes the requested item.
type ItemID struct {
	ItemType                    *int          `ber:"0,optional"` // 1 monograph, 2 serial, 3 other
	HeldMediumType              *int          `ber:"1,optional"`
	CallNumber                  *String       `ber:"2,explicit,optional"`
	Author                      *String       `ber:"3,explicit,optional"`
	Title                       *String       `ber:"4,explicit,optional"`
	SubTitle                    *String       `ber:"5,explicit,optional"`
	SponsoringBody              *String       `ber:"6,explicit,optional"`
	PlaceOfPublication          *String       `ber:"7,explicit,optional"`
	Publisher                   *String       `ber:"8,explicit,optional"`
	SeriesTitleNumber           *String       `ber:"9,explicit,optional"`
	VolumeIssue                 *String       `ber:"10,explicit,optional"`
	Edition                     *String       `ber:"11,explicit,optional"`
	PublicationDate             *String       `ber:"12,explicit,optional"`
	PublicationDateOfComponent  *String       `ber:"13,explicit,optional"`
	AuthorOfArticle             *String       `ber:"14,explicit,optional"`
	TitleOfArticle              *String       `ber:"15,explicit,optional"`
	Pagination                  *String       `ber:"16,explicit,optional"`
	NationalBibliographyNo      *ber.External `ber:"17,explicit,optional"`
	ISBN                        *String       `ber:"18,explicit,optional"`
	ISSN                        *String       `ber:"19,explicit,optional"`
	SystemNo                    *ber.External `ber:"20,explicit,optional"`
	AdditionalNoLetters         *String       `ber:"21,explicit,optional"`
	VerificationReferenceSource *String       `ber:"22,explicit,optional"`
}

// Amount is a sum of money.
type Amount struct {
	CurrencyCode  *string `ber:"0,printable,optional"` // ISO 4217
	MonetaryValue string  `ber:"1,printable"`
}

// CostInfo is what the requester will pay.
type CostInfo struct {
	AccountNumber       *String `ber:"0,explicit,optional"`
	MaximumCost         *Amount `ber:"1,optional"`
	ReciprocalAgreement bool    `ber:"2,default=false"`
	WillPayFee          bool    `ber:"3,default=false"`
	PaymentProvided     bool    `ber:"4,default=false"`
}

// ThirdPartyInfo carries forwarding and chaining permissions.
type ThirdPartyInfo struct {
	PermissionToForward          bool             `ber:"0,default=false"`
	PermissionToChain            bool             `ber:"1,default=false"`
	PermissionToPartition        bool             `ber:"2,default=false"`
	PermissionToChangeSendToList bool             `ber:"3,default=false"`
	InitialRequesterAddress      *SystemAddress   `ber:"4,optional"`
	Preference                   int              `ber:"5,default=2"` // 1 ordered, 2 unordered
	SendToList                   []SendToListItem `ber:"6,optional"`
	AlreadyTriedList             []SystemID       `ber:"7,optional"`
}

// SendToListItem is one entry of Send-To-List-Type.
type SendToListItem struct {
	SystemID      SystemID       `ber:"0"`
	AccountNumber *String        `ber:"1,explicit,optional"`
	SystemAddress *SystemAddress `ber:"2,optional"`
}

// Extension is one APDU extension; Item is its value as received (usually
// an EXTERNAL; see ber.ParseExternal).
type Extension struct {
	Identifier int       `ber:"0"`
	Critical   bool      `ber:"1,default=false"`
	Item       *ber.Node `ber:"2,explicit"`
}

// DateDue is a due date and whether it may be renewed.
type DateDue struct {
	Date      string `ber:"0,visible"`
	Renewable bool   `ber:"1,default=true"`
}

// SupplyDetails describes a shipment.
type SupplyDetails struct {
	DateShipped            *string          `ber:"0,visible,optional"`
	DateDue                *DateDue         `ber:"1,optional"`
	ChargeableUnits        *int             `ber:"2,optional"`
	Cost                   *Amount          `ber:"3,optional"`
	ShippedConditions      *int             `ber:"4,optional"` // 22 library-use-only, 23 no-reproduction, ...
	ShippedVia             *ShippedVia      `ber:"optional"`
	InsuredFor             *Amount          `ber:"6,optional"`
	ReturnInsuranceRequire *Amount          `ber:"7,optional"`
	UnitsPerMedium         []UnitsPerMedium `ber:"8,optional"`
}

// ShippedVia is the CHOICE of a physical [5] or (version 2) electronic
// [50] delivery.
type ShippedVia struct {
	ber.Choice
	Physical   *String                    `ber:"5,explicit"`
	Electronic *ElectronicDeliveryService `ber:"50"`
}

// UnitsPerMedium counts units of one medium; both fields are explicitly
// tagged, unlike most of the module.
type UnitsPerMedium struct {
	Medium    int `ber:"0,explicit,enum"` // Supply-Medium-Type
	NoOfUnits int `ber:"1,explicit"`
}

// LocationInfo is a place the item may be found.
type LocationInfo struct {
	LocationID      SystemID       `ber:"0"`
	LocationAddress *SystemAddress `ber:"1,optional"`
	LocationNote    *String        `ber:"2,explicit,optional"`
}

// TransactionResults is the outcome in an ILL-Answer.
type TransactionResults int

// Transaction results.
const (
	Conditional       TransactionResults = 1
	Retry             TransactionResults = 2
	Unfilled          TransactionResults = 3
	LocationsProvided TransactionResults = 4
	WillSupply        TransactionResults = 5
	HoldPlaced        TransactionResults = 6
	EstimateResult    TransactionResults = 7
)

// ResultsExplanation is the CHOICE of details for each transaction result.
type ResultsExplanation struct {
	ber.Choice
	Conditional *ConditionalResults `ber:"1,explicit"`
	Retry       *RetryResults       `ber:"2,explicit"`
	Unfilled    *UnfilledResults    `ber:"3,explicit"`
	Locations   *LocationsResults   `ber:"4,explicit"`
	WillSupply  *WillSupplyResults  `ber:"5,explicit"`
	HoldPlaced  *HoldPlacedResults  `ber:"6,explicit"`
	Estimate    *EstimateResults    `ber:"7,explicit"`
}

// ConditionalResults states the responder's conditions.
type ConditionalResults struct {
	Conditions              int              `ber:"0"`
	DateForReply            *string          `ber:"1,visible,optional"`
	Locations               []LocationInfo   `ber:"2,optional"`
	ProposedDeliveryService *DeliveryService `ber:"optional"` // version 2
}

// RetryResults says why and when to retry.
type RetryResults struct {
	ReasonNotAvailable *int           `ber:"0,optional"`
	RetryDate          *string        `ber:"1,visible,optional"`
	Locations          []LocationInfo `ber:"2,optional"`
}

// UnfilledResults says why the request cannot be filled.
type UnfilledResults struct {
	ReasonUnfilled int            `ber:"0"`
	Locations      []LocationInfo `ber:"1,optional"`
}

// LocationsResults lists where the item may be found.
type LocationsResults struct {
	ReasonLocsProvided *int           `ber:"0,optional"`
	Locations          []LocationInfo `ber:"1"`
}

// WillSupplyResults: its first three fields are explicitly tagged.
type WillSupplyResults struct {
	Reason                    int                        `ber:"0,explicit,enum"`
	SupplyDate                *string                    `ber:"1,explicit,visible,optional"`
	ReturnToAddress           *PostalAddress             `ber:"2,explicit,optional"`
	Locations                 []LocationInfo             `ber:"3,optional"`
	ElectronicDeliveryService *ElectronicDeliveryService `ber:"4,explicit,optional"` // version 2
}

// HoldPlacedResults says when the held item should be available.
type HoldPlacedResults struct {
	EstimatedDateAvailable string         `ber:"0,visible"`
	MediumType             *int           `ber:"1,optional"`
	Locations              []LocationInfo `ber:"2,optional"`
}

// EstimateResults carries a cost estimate.
type EstimateResults struct {
	CostEstimate String         `ber:"0,explicit"`
	Locations    []LocationInfo `ber:"1,optional"`
}

// DamagedDetails says what is damaged (version 2).
type DamagedDetails struct {
	DocumentTypeID *ber.OID       `ber:"0,optional"`
	DamagedPortion DamagedPortion `ber:""`
}

// DamagedPortion is the CHOICE of the complete document [1] or specific
// units [2].
type DamagedPortion struct {
	ber.Choice
	CompleteDocument *ber.Null `ber:"1"`
	SpecificUnits    []int     `ber:"2"`
}

// State is Current-State, a transaction's state at one party.
type State int

// Current-State values.
const (
	NotSupplied        State = 1
	Pending            State = 2
	InProcess          State = 3
	Forward            State = 4
	ConditionalState   State = 5
	CancelPending      State = 6
	Cancelled          State = 7
	ShippedState       State = 8
	ReceivedState      State = 9
	RenewPending       State = 10
	NotReceivedOverdue State = 11
	RenewOverdue       State = 12
	OverdueState       State = 13
	ReturnedState      State = 14
	CheckedInState     State = 15
	RecallState        State = 16
	LostState          State = 17
	Unknown            State = 18
)

// Reason-No-Report values.
const (
	Temporary = 1
	Permanent = 2
)

// StatusReport is a history report plus the provider's current state.
type StatusReport struct {
	UserStatusReport     HistoryReport `ber:"0"`
	ProviderStatusReport State         `ber:"1"`
}

// HistoryReport summarises a transaction.
type HistoryReport struct {
	DateRequested                *string             `ber:"0,visible,optional"`
	Author                       *String             `ber:"1,explicit,optional"`
	Title                        *String             `ber:"2,explicit,optional"`
	AuthorOfArticle              *String             `ber:"3,explicit,optional"`
	TitleOfArticle               *String             `ber:"4,explicit,optional"`
	DateOfLastTransition         string              `ber:"5,visible"`
	MostRecentService            int                 `ber:"6"` // APDU type numbers, and 21 for FORWARD
	DateOfMostRecentService      string              `ber:"7,visible"`
	InitiatorOfMostRecentService SystemID            `ber:"8"`
	ShippedServiceType           *ServiceType        `ber:"9,optional"`
	TransactionResults           *TransactionResults `ber:"10,optional"`
	MostRecentServiceNote        *String             `ber:"11,explicit,optional"`
}

// Report sources.
const (
	UserSource     = 1
	ProviderSource = 2
)

// ErrorReport reports a user or provider error.
type ErrorReport struct {
	CorrelationInformation String               `ber:"0,explicit"`
	ReportSource           int                  `ber:"1"` // UserSource or ProviderSource
	UserErrorReport        *UserErrorReport     `ber:"2,explicit,optional"`
	ProviderErrorReport    *ProviderErrorReport `ber:"3,explicit,optional"`
}

// UserErrorReport is the CHOICE of user errors.
type UserErrorReport struct {
	ber.Choice
	AlreadyForwarded    *AlreadyForwarded `ber:"0"`
	IntermediaryProblem *int              `ber:"1"`
	SecurityProblem     *String           `ber:"2,explicit"`
	UnableToPerform     *int              `ber:"3"` // 1 not-available, 2 resource-limitation, 3 other
}

// AlreadyForwarded names where the request went.
type AlreadyForwarded struct {
	ResponderID      SystemID       `ber:"0"`
	ResponderAddress *SystemAddress `ber:"1,optional"`
}

// GeneralProblem is the provider error for an APDU that cannot be used.
type GeneralProblem int

// General problems.
const (
	UnrecognizedAPDU            GeneralProblem = 1
	MistypedAPDU                GeneralProblem = 2
	BadlyStructuredAPDU         GeneralProblem = 3
	ProtocolVersionNotSupported GeneralProblem = 4
	OtherProblem                GeneralProblem = 5
)

// ProviderErrorReport is the CHOICE of provider errors.
type ProviderErrorReport struct {
	ber.Choice
	GeneralProblem            *GeneralProblem            `ber:"0"`
	TransactionIDProblem      *int                       `ber:"1"` // 1 duplicate, 2 invalid, 3 unknown
	StateTransitionProhibited *StateTransitionProhibited `ber:"2"`
}

// StateTransitionProhibited names the APDU the state table forbids.
type StateTransitionProhibited struct {
	APDUType     Type  `ber:"0"`
	CurrentState State `ber:"1"`
}
