package ill

import (
	"strconv"

	"github.com/bibgate/bibgate/internal/ber"
)

// Type is an APDU type, ILL-APDU-Type: the APDU's APPLICATION tag number.
type Type int

// APDU types.
const (
	TypeRequest             Type = 1
	TypeForwardNotification Type = 2
	TypeShipped             Type = 3
	TypeAnswer              Type = 4
	TypeConditionalReply    Type = 5
	TypeCancel              Type = 6
	TypeCancelReply         Type = 7
	TypeReceived            Type = 8
	TypeRecall              Type = 9
	TypeReturned            Type = 10
	TypeCheckedIn           Type = 11
	TypeOverdue             Type = 12
	TypeRenew               Type = 13
	TypeRenewAnswer         Type = 14
	TypeLost                Type = 15
	TypeDamaged             Type = 16
	TypeMessage             Type = 17
	TypeStatusQuery         Type = 18
	TypeStatusOrErrorReport Type = 19
	TypeExpired             Type = 20
)

var typeNames = [...]string{"", "ILL-Request", "Forward-Notification", "Shipped", "ILL-Answer",
	"Conditional-Reply", "Cancel", "Cancel-Reply", "Received", "Recall", "Returned", "Checked-In",
	"Overdue", "Renew", "Renew-Answer", "Lost", "Damaged", "Message", "Status-Query",
	"Status-Or-Error-Report", "Expired"}

// String returns the APDU's name as the standard spells it.
func (t Type) String() string {
	if t >= 1 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "APDU-" + strconv.Itoa(int(t))
}

// APDU is one of the 20 ISO 10161-1 APDUs: *Request, *ForwardNotification,
// ... *Expired.
type APDU interface {
	Type() Type
	Head() *Header
}

// Extensions is a SEQUENCE OF Extension.
type Extensions = []Extension

// Request is ILL-Request [APPLICATION 1].
type Request struct {
	Header
	TransactionType             int                       `ber:"5,default=1"` // 1 simple, 2 chained, 3 partitioned
	DeliveryAddress             *DeliveryAddress          `ber:"6,optional"`
	DeliveryService             *DeliveryService          `ber:"optional"`
	BillingAddress              *DeliveryAddress          `ber:"8,optional"`
	ServiceTypes                []ServiceType             `ber:"9,enum"` // in order of preference, 1 to 5
	ResponderSpecificService    *ber.External             `ber:"10,explicit,optional"`
	RequesterOptionalMessages   RequesterOptionalMessages `ber:"11"`
	SearchType                  *SearchType               `ber:"12,optional"`
	SupplyMediumInfo            []SupplyMediumInfo        `ber:"13,optional"`
	PlaceOnHold                 int                       `ber:"14,default=3"` // 1 yes, 2 no, 3 according-to-responder-policy
	ClientID                    *ClientID                 `ber:"15,optional"`
	ItemID                      ItemID                    `ber:"16"`
	SupplementalItemDescription []*ber.External           `ber:"17,optional"`
	CostInfo                    *CostInfo                 `ber:"18,optional"`
	CopyrightCompliance         *String                   `ber:"19,explicit,optional"`
	ThirdPartyInfo              *ThirdPartyInfo           `ber:"20,optional"`
	RetryFlag                   bool                      `ber:"21,default=false"`
	ForwardFlag                 bool                      `ber:"22,default=false"`
	RequesterNote               *String                   `ber:"46,explicit,optional"`
	ForwardNote                 *String                   `ber:"47,explicit,optional"`
	Extensions                  Extensions                `ber:"49,lax,optional"`
}

// ForwardNotification is Forward-Notification [APPLICATION 2]; its
// ResponderID is mandatory.
type ForwardNotification struct {
	Header
	ResponderAddress *SystemAddress `ber:"24,optional"`
	IntermediaryID   SystemID       `ber:"25"`
	NotificationNote *String        `ber:"48,explicit,optional"`
	Extensions       Extensions     `ber:"49,lax,optional"`
}

// Shipped is Shipped [APPLICATION 3].
type Shipped struct {
	Header
	ResponderAddress            *SystemAddress             `ber:"24,optional"`
	IntermediaryID              *SystemID                  `ber:"25,optional"`
	SupplierID                  *SystemID                  `ber:"26,optional"`
	ClientID                    *ClientID                  `ber:"15,optional"`
	TransactionType             int                        `ber:"5,default=1"`
	SupplementalItemDescription []*ber.External            `ber:"17,optional"`
	ShippedServiceType          ServiceType                `ber:"27"` // Loan or CopyNonReturnable
	ResponderOptionalMessages   *ResponderOptionalMessages `ber:"28,optional"`
	SupplyDetails               SupplyDetails              `ber:"29"`
	ReturnToAddress             *PostalAddress             `ber:"30,optional"`
	ResponderNote               *String                    `ber:"46,explicit,optional"`
	Extensions                  Extensions                 `ber:"49,lax,optional"`
}

// Answer is ILL-Answer [APPLICATION 4].
type Answer struct {
	Header
	TransactionResults          TransactionResults         `ber:"31"`
	ResultsExplanation          *ResultsExplanation        `ber:"32,explicit,optional"`
	ResponderSpecificResults    *ber.External              `ber:"33,explicit,optional"`
	SupplementalItemDescription []*ber.External            `ber:"17,optional"`
	SendToList                  []SendToListItem           `ber:"23,optional"`
	AlreadyTriedList            []SystemID                 `ber:"34,optional"`
	ResponderOptionalMessages   *ResponderOptionalMessages `ber:"28,optional"`
	ResponderNote               *String                    `ber:"46,explicit,optional"`
	Extensions                  Extensions                 `ber:"49,lax,optional"`
}

// ConditionalReply is Conditional-Reply [APPLICATION 5].
type ConditionalReply struct {
	Header
	Answer        bool       `ber:"35"`
	RequesterNote *String    `ber:"46,explicit,optional"`
	Extensions    Extensions `ber:"49,lax,optional"`
}

// Cancel is Cancel [APPLICATION 6].
type Cancel struct {
	Header
	RequesterNote *String    `ber:"46,explicit,optional"`
	Extensions    Extensions `ber:"49,lax,optional"`
}

// CancelReply is Cancel-Reply [APPLICATION 7].
type CancelReply struct {
	Header
	Answer        bool       `ber:"35"`
	ResponderNote *String    `ber:"46,explicit,optional"`
	Extensions    Extensions `ber:"49,lax,optional"`
}

// Received is Received [APPLICATION 8].
type Received struct {
	Header
	SupplierID                  *SystemID       `ber:"26,optional"`
	SupplementalItemDescription []*ber.External `ber:"17,optional"`
	DateReceived                string          `ber:"36,visible"`
	ShippedServiceType          ServiceType     `ber:"27"`
	RequesterNote               *String         `ber:"46,explicit,optional"`
	Extensions                  Extensions      `ber:"49,lax,optional"`
}

// Recall is Recall [APPLICATION 9].
type Recall struct {
	Header
	ResponderNote *String    `ber:"46,explicit,optional"`
	Extensions    Extensions `ber:"49,lax,optional"`
}

// Returned is Returned [APPLICATION 10].
type Returned struct {
	Header
	SupplementalItemDescription []*ber.External `ber:"17,optional"`
	DateReturned                string          `ber:"37,visible"`
	ReturnedVia                 *String         `ber:"38,explicit,optional"` // Transportation-Mode
	InsuredFor                  *Amount         `ber:"39,optional"`
	RequesterNote               *String         `ber:"46,explicit,optional"`
	Extensions                  Extensions      `ber:"49,lax,optional"`
}

// CheckedIn is Checked-In [APPLICATION 11].
type CheckedIn struct {
	Header
	DateCheckedIn string     `ber:"40,visible"`
	ResponderNote *String    `ber:"46,explicit,optional"`
	Extensions    Extensions `ber:"49,lax,optional"`
}

// Overdue is Overdue [APPLICATION 12]. Its extensions [49] alone are not
// IMPLICIT in the module: written explicitly, as YAZ does, read either way.
type Overdue struct {
	Header
	DateDue       DateDue    `ber:"41"`
	ResponderNote *String    `ber:"46,explicit,optional"`
	Extensions    Extensions `ber:"49,explicit,lax,optional"`
}

// Renew is Renew [APPLICATION 13].
type Renew struct {
	Header
	DesiredDueDate *string    `ber:"42,visible,optional"`
	RequesterNote  *String    `ber:"46,explicit,optional"`
	Extensions     Extensions `ber:"49,lax,optional"`
}

// RenewAnswer is Renew-Answer [APPLICATION 14].
type RenewAnswer struct {
	Header
	Answer        bool       `ber:"35"`
	DateDue       *DateDue   `ber:"41,optional"`
	ResponderNote *String    `ber:"46,explicit,optional"`
	Extensions    Extensions `ber:"49,lax,optional"`
}

// Lost is Lost [APPLICATION 15].
type Lost struct {
	Header
	Note       *String    `ber:"46,explicit,optional"`
	Extensions Extensions `ber:"49,lax,optional"`
}

// Damaged is Damaged [APPLICATION 16]. DamagedDetails [5] (version 2) is
// the one field whose tag number means something else in another APDU.
type Damaged struct {
	Header
	DamagedDetails *DamagedDetails `ber:"5,optional"`
	Note           *String         `ber:"46,explicit,optional"`
	Extensions     Extensions      `ber:"49,lax,optional"`
}

// Message is Message [APPLICATION 17]; its note is mandatory.
type Message struct {
	Header
	Note       String     `ber:"46,explicit"`
	Extensions Extensions `ber:"49,lax,optional"`
}

// StatusQuery is Status-Query [APPLICATION 18].
type StatusQuery struct {
	Header
	Note       *String    `ber:"46,explicit,optional"`
	Extensions Extensions `ber:"49,lax,optional"`
}

// StatusOrErrorReport is Status-Or-Error-Report [APPLICATION 19].
// ReasonNoReport (Temporary or Permanent) is present exactly when neither
// report is.
type StatusOrErrorReport struct {
	Header
	ReasonNoReport *int          `ber:"43,optional"`
	StatusReport   *StatusReport `ber:"44,optional"`
	ErrorReport    *ErrorReport  `ber:"45,optional"`
	Note           *String       `ber:"46,explicit,optional"`
	Extensions     Extensions    `ber:"49,lax,optional"`
}

// Expired is Expired [APPLICATION 20].
type Expired struct {
	Header
	Extensions Extensions `ber:"49,lax,optional"`
}

// Type implements APDU.
func (*Request) Type() Type             { return TypeRequest }
func (*ForwardNotification) Type() Type { return TypeForwardNotification }
func (*Shipped) Type() Type             { return TypeShipped }
func (*Answer) Type() Type              { return TypeAnswer }
func (*ConditionalReply) Type() Type    { return TypeConditionalReply }
func (*Cancel) Type() Type              { return TypeCancel }
func (*CancelReply) Type() Type         { return TypeCancelReply }
func (*Received) Type() Type            { return TypeReceived }
func (*Recall) Type() Type              { return TypeRecall }
func (*Returned) Type() Type            { return TypeReturned }
func (*CheckedIn) Type() Type           { return TypeCheckedIn }
func (*Overdue) Type() Type             { return TypeOverdue }
func (*Renew) Type() Type               { return TypeRenew }
func (*RenewAnswer) Type() Type         { return TypeRenewAnswer }
func (*Lost) Type() Type                { return TypeLost }
func (*Damaged) Type() Type             { return TypeDamaged }
func (*Message) Type() Type             { return TypeMessage }
func (*StatusQuery) Type() Type         { return TypeStatusQuery }
func (*StatusOrErrorReport) Type() Type { return TypeStatusOrErrorReport }
func (*Expired) Type() Type             { return TypeExpired }
