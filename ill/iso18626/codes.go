package iso18626

import (
	"bytes"
	"strings"
)

// Closed code lists. On read a value is matched case-insensitively and
// replaced by its canonical spelling; a value in no list is kept as read and
// reported by Validate. Marshal writes only values of the target version's
// list.

// Status is statusInfo/status.
type Status string

// The status list; HoldReturn and ReleaseHoldReturn are 2021 only.
const (
	StatusRequestReceived        Status = "RequestReceived"
	StatusExpectToSupply         Status = "ExpectToSupply"
	StatusWillSupply             Status = "WillSupply"
	StatusLoaned                 Status = "Loaned"
	StatusOverdue                Status = "Overdue"
	StatusRecalled               Status = "Recalled"
	StatusRetryPossible          Status = "RetryPossible"
	StatusUnfilled               Status = "Unfilled"
	StatusHoldReturn             Status = "HoldReturn"
	StatusReleaseHoldReturn      Status = "ReleaseHoldReturn"
	StatusCopyCompleted          Status = "CopyCompleted"
	StatusLoanCompleted          Status = "LoanCompleted"
	StatusCompletedWithoutReturn Status = "CompletedWithoutReturn"
	StatusCancelled              Status = "Cancelled"
)

// ReasonForMessage is messageInfo/reasonForMessage.
type ReasonForMessage string

// The reasonForMessage list.
const (
	ReasonRequestResponse       ReasonForMessage = "RequestResponse"
	ReasonStatusRequestResponse ReasonForMessage = "StatusRequestResponse"
	ReasonRenewResponse         ReasonForMessage = "RenewResponse"
	ReasonCancelResponse        ReasonForMessage = "CancelResponse"
	ReasonStatusChange          ReasonForMessage = "StatusChange"
	ReasonNotification          ReasonForMessage = "Notification"
)

// Action is requestingAgencyMessage/action.
type Action string

// The action list; HoldReturn and Lost are 2021 only.
const (
	ActionStatusRequest  Action = "StatusRequest"
	ActionReceived       Action = "Received"
	ActionCancel         Action = "Cancel"
	ActionRenew          Action = "Renew"
	ActionHoldReturn     Action = "HoldReturn"
	ActionShippedReturn  Action = "ShippedReturn"
	ActionShippedForward Action = "ShippedForward"
	ActionNotification   Action = "Notification"
	ActionLost           Action = "Lost"
)

// ErrorType is errorData/errorType, the reason a confirmation gives for
// ERROR (spelled as in the XSD).
type ErrorType string

// The errorType list.
const (
	UnsupportedActionType           ErrorType = "UnsupportedActionType"
	UnsupportedReasonForMessageType ErrorType = "UnsupportedReasonForMessageType"
	UnrecognisedDataElement         ErrorType = "UnrecognisedDataElement"
	UnrecognisedDataValue           ErrorType = "UnrecognisedDataValue"
	BadlyFormedMessage              ErrorType = "BadlyFormedMessage"
)

// MessageStatus is confirmationHeader/messageStatus.
type MessageStatus string

// The messageStatus list.
const (
	StatusOK    MessageStatus = "OK"
	StatusError MessageStatus = "ERROR"
)

// RequestType is serviceInfo/requestType.
type RequestType string

// The requestType list.
const (
	RequestNew      RequestType = "New"
	RequestRetry    RequestType = "Retry"
	RequestReminder RequestType = "Reminder"
)

// RequestSubType is serviceInfo/requestSubType.
type RequestSubType string

// The requestSubType list.
const (
	SubTypeBookingRequest          RequestSubType = "BookingRequest"
	SubTypeMultipleItemRequest     RequestSubType = "MultipleItemRequest"
	SubTypePatronRequest           RequestSubType = "PatronRequest"
	SubTypeTransferRequest         RequestSubType = "TransferRequest"
	SubTypeSupplyingLibrarysChoice RequestSubType = "SupplyingLibrarysChoice"
)

// ServiceType is serviceInfo/serviceType.
type ServiceType string

// The serviceType list.
const (
	ServiceCopy       ServiceType = "Copy"
	ServiceLoan       ServiceType = "Loan"
	ServiceCopyOrLoan ServiceType = "CopyOrLoan"
)

// PreferredEdition is the 2021 serviceInfo/preferredEdition.
type PreferredEdition string

// The preferredEdition list.
const (
	EditionMostRecent PreferredEdition = "MostRecentEdition"
	EditionThis       PreferredEdition = "ThisEdition"
	EditionAny        PreferredEdition = "AnyEdition"
)

// YesNo is type_yesNo. "yes"/"no"/"true"/"false" are read as Y/N.
type YesNo string

// The yesNo list.
const (
	Yes YesNo = "Y"
	No  YesNo = "N"
)

// Bool is an xs:boolean kept as read ("true", "false", "1", "0", or empty
// for absent).
type Bool string

// Value returns b's truth and whether it is a valid xs:boolean.
func (b Bool) Value() (v, ok bool) {
	switch strings.ToLower(string(b)) {
	case "true", "1", "y", "yes":
		return true, true
	case "false", "0", "n", "no":
		return false, true
	}
	return false, false
}

// UnmarshalText trims b.
func (b *Bool) UnmarshalText(t []byte) error {
	*b = Bool(bytes.TrimSpace(t))
	return nil
}

// codeList is a closed list: the values of 2017 and the ones 2021 added.
type codeList struct {
	v2017, only2021 []string
	canon           map[string]string // lower-case → canonical
}

func newList(v2017, only2021 []string, aliases ...string) *codeList {
	l := &codeList{v2017: v2017, only2021: only2021, canon: map[string]string{}}
	for _, s := range v2017 {
		l.canon[strings.ToLower(s)] = s
	}
	for _, s := range only2021 {
		l.canon[strings.ToLower(s)] = s
	}
	for i := 0; i+1 < len(aliases); i += 2 {
		l.canon[aliases[i]] = aliases[i+1]
	}
	return l
}

// canonical returns the list's spelling of s, or s trimmed if it is not in
// the list.
func (l *codeList) canonical(b []byte) string {
	s := string(bytes.TrimSpace(b))
	if c, ok := l.canon[strings.ToLower(s)]; ok {
		return c
	}
	return s
}

// in reports whether s (canonical) is in the list of version v.
func (l *codeList) in(s string, v Version) bool {
	for _, c := range l.v2017 {
		if c == s {
			return true
		}
	}
	if v == V2021 {
		for _, c := range l.only2021 {
			if c == s {
				return true
			}
		}
	}
	return false
}

var (
	statusList = newList([]string{"RequestReceived", "ExpectToSupply", "WillSupply", "Loaned", "Overdue", "Recalled",
		"RetryPossible", "Unfilled", "CopyCompleted", "LoanCompleted", "CompletedWithoutReturn", "Cancelled"},
		[]string{"HoldReturn", "ReleaseHoldReturn"})
	reasonList = newList([]string{"RequestResponse", "StatusRequestResponse", "RenewResponse", "CancelResponse",
		"StatusChange", "Notification"}, nil)
	actionList = newList([]string{"StatusRequest", "Received", "Cancel", "Renew", "ShippedReturn", "ShippedForward",
		"Notification"}, []string{"HoldReturn", "Lost"})
	errorTypeList = newList([]string{"UnsupportedActionType", "UnsupportedReasonForMessageType",
		"UnrecognisedDataElement", "UnrecognisedDataValue", "BadlyFormedMessage"}, nil,
		"unrecognizeddataelement", "UnrecognisedDataElement", "unrecognizeddatavalue", "UnrecognisedDataValue")
	messageStatusList  = newList([]string{"OK", "ERROR"}, nil)
	requestTypeList    = newList([]string{"New", "Retry", "Reminder"}, nil)
	requestSubTypeList = newList([]string{"BookingRequest", "MultipleItemRequest", "PatronRequest", "TransferRequest",
		"SupplyingLibrarysChoice"}, nil)
	serviceTypeList      = newList([]string{"Copy", "Loan", "CopyOrLoan"}, nil)
	preferredEditionList = newList(nil, []string{"MostRecentEdition", "ThisEdition", "AnyEdition"})
	yesNoList            = newList([]string{"Y", "N"}, nil, "yes", "Y", "no", "N", "true", "Y", "false", "N")
)

// UnmarshalText reads s case-insensitively.
func (s *Status) UnmarshalText(b []byte) error { *s = Status(statusList.canonical(b)); return nil }

// UnmarshalText reads r case-insensitively.
func (r *ReasonForMessage) UnmarshalText(b []byte) error {
	*r = ReasonForMessage(reasonList.canonical(b))
	return nil
}

// UnmarshalText reads a case-insensitively.
func (a *Action) UnmarshalText(b []byte) error { *a = Action(actionList.canonical(b)); return nil }

// UnmarshalText reads e case-insensitively; the US spellings
// UnrecognizedDataElement/-Value are read as the XSD's.
func (e *ErrorType) UnmarshalText(b []byte) error {
	*e = ErrorType(errorTypeList.canonical(b))
	return nil
}

// UnmarshalText reads s case-insensitively.
func (s *MessageStatus) UnmarshalText(b []byte) error {
	*s = MessageStatus(messageStatusList.canonical(b))
	return nil
}

// UnmarshalText reads t case-insensitively.
func (t *RequestType) UnmarshalText(b []byte) error {
	*t = RequestType(requestTypeList.canonical(b))
	return nil
}

// UnmarshalText reads t case-insensitively.
func (t *RequestSubType) UnmarshalText(b []byte) error {
	*t = RequestSubType(requestSubTypeList.canonical(b))
	return nil
}

// UnmarshalText reads t case-insensitively.
func (t *ServiceType) UnmarshalText(b []byte) error {
	*t = ServiceType(serviceTypeList.canonical(b))
	return nil
}

// UnmarshalText reads e case-insensitively.
func (e *PreferredEdition) UnmarshalText(b []byte) error {
	*e = PreferredEdition(preferredEditionList.canonical(b))
	return nil
}

// UnmarshalText reads y case-insensitively, also as yes/no/true/false.
func (y *YesNo) UnmarshalText(b []byte) error { *y = YesNo(yesNoList.canonical(b)); return nil }

// Valid reports whether s is in the status list of version v.
func (s Status) Valid(v Version) bool { return statusList.in(string(s), v) }

// Valid reports whether r is in the reasonForMessage list.
func (r ReasonForMessage) Valid(v Version) bool { return reasonList.in(string(r), v) }

// Valid reports whether a is in the action list of version v.
func (a Action) Valid(v Version) bool { return actionList.in(string(a), v) }

// Valid reports whether e is in the errorType list.
func (e ErrorType) Valid(v Version) bool { return errorTypeList.in(string(e), v) }

// Valid reports whether s is OK or ERROR.
func (s MessageStatus) Valid(v Version) bool { return messageStatusList.in(string(s), v) }

// Valid reports whether t is in the requestType list.
func (t RequestType) Valid(v Version) bool { return requestTypeList.in(string(t), v) }

// Valid reports whether t is in the requestSubType list.
func (t RequestSubType) Valid(v Version) bool { return requestSubTypeList.in(string(t), v) }

// Valid reports whether t is Copy, Loan or CopyOrLoan.
func (t ServiceType) Valid(v Version) bool { return serviceTypeList.in(string(t), v) }

// Valid reports whether e is in the 2021 preferredEdition list.
func (e PreferredEdition) Valid(v Version) bool { return preferredEditionList.in(string(e), v) }

// Valid reports whether y is Y or N.
func (y YesNo) Valid(v Version) bool { return yesNoList.in(string(y), v) }
