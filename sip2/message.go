package sip2

// Message is one typed SIP2 message. Every request and response type of this
// package implements it.
type Message interface {
	// Code is the two-digit message identifier, e.g. "23".
	Code() string
	layout() layout
}

// Field is a variable field the message type does not name: a 2-character
// code and its value. Unknown fields are kept in order and written back.
// A segment without a readable 2-character code is kept with Code "" and the
// whole segment as Value.
type Field struct {
	Code  string
	Value string
}

// Message codes.
const (
	CodePatronStatusRequest       = "23"
	CodePatronStatusResponse      = "24"
	CodeCheckoutRequest           = "11"
	CodeCheckoutResponse          = "12"
	CodeCheckinRequest            = "09"
	CodeCheckinResponse           = "10"
	CodeBlockPatronRequest        = "01"
	CodeSCStatusRequest           = "99"
	CodeACSStatusResponse         = "98"
	CodeACSResendRequest          = "97"
	CodeSCResendRequest           = "96"
	CodeLoginRequest              = "93"
	CodeLoginResponse             = "94"
	CodePatronInformationRequest  = "63"
	CodePatronInformationResponse = "64"
	CodeEndPatronSessionRequest   = "35"
	CodeEndPatronSessionResponse  = "36"
	CodeFeePaidRequest            = "37"
	CodeFeePaidResponse           = "38"
	CodeItemInformationRequest    = "17"
	CodeItemInformationResponse   = "18"
	CodeItemStatusUpdateRequest   = "19"
	CodeItemStatusUpdateResponse  = "20"
	CodePatronEnableRequest       = "25"
	CodePatronEnableResponse      = "26"
	CodeHoldRequest               = "15"
	CodeHoldResponse              = "16"
	CodeRenewRequest              = "29"
	CodeRenewResponse             = "30"
	CodeRenewAllRequest           = "65"
	CodeRenewAllResponse          = "66"
)

// New returns an empty message of the given code, or nil for an unknown code.
func New(code string) Message {
	switch code {
	case "23":
		return new(PatronStatusRequest)
	case "24":
		return new(PatronStatusResponse)
	case "11":
		return new(CheckoutRequest)
	case "12":
		return new(CheckoutResponse)
	case "09":
		return new(CheckinRequest)
	case "10":
		return new(CheckinResponse)
	case "01":
		return new(BlockPatronRequest)
	case "99":
		return new(SCStatusRequest)
	case "98":
		return new(ACSStatusResponse)
	case "97":
		return new(ACSResendRequest)
	case "96":
		return new(SCResendRequest)
	case "93":
		return new(LoginRequest)
	case "94":
		return new(LoginResponse)
	case "63":
		return new(PatronInformationRequest)
	case "64":
		return new(PatronInformationResponse)
	case "35":
		return new(EndPatronSessionRequest)
	case "36":
		return new(EndPatronSessionResponse)
	case "37":
		return new(FeePaidRequest)
	case "38":
		return new(FeePaidResponse)
	case "17":
		return new(ItemInformationRequest)
	case "18":
		return new(ItemInformationResponse)
	case "19":
		return new(ItemStatusUpdateRequest)
	case "20":
		return new(ItemStatusUpdateResponse)
	case "25":
		return new(PatronEnableRequest)
	case "26":
		return new(PatronEnableResponse)
	case "15":
		return new(HoldRequest)
	case "16":
		return new(HoldResponse)
	case "29":
		return new(RenewRequest)
	case "30":
		return new(RenewResponse)
	case "65":
		return new(RenewAllRequest)
	case "66":
		return new(RenewAllResponse)
	}
	return nil
}

// Name is a short stable name for a message code ("checkout", "sc_status"),
// suitable as a metric label; "unknown" for codes this package does not know.
func Name(code string) string {
	switch code {
	case "23", "24":
		return "patron_status"
	case "11", "12":
		return "checkout"
	case "09", "10":
		return "checkin"
	case "01":
		return "block_patron"
	case "99", "98":
		return "sc_status"
	case "97":
		return "acs_resend"
	case "96":
		return "sc_resend"
	case "93", "94":
		return "login"
	case "63", "64":
		return "patron_information"
	case "35", "36":
		return "end_patron_session"
	case "37", "38":
		return "fee_paid"
	case "17", "18":
		return "item_information"
	case "19", "20":
		return "item_status_update"
	case "25", "26":
		return "patron_enable"
	case "15", "16":
		return "hold"
	case "29", "30":
		return "renew"
	case "65", "66":
		return "renew_all"
	}
	return "unknown"
}

// IsRequest reports whether code is a message an SC sends to the ACS.
func IsRequest(code string) bool {
	switch code {
	case "23", "11", "09", "01", "99", "97", "93", "63", "35", "37", "17", "19", "25", "15", "29", "65":
		return true
	}
	return false
}

// String returns a pointer to s, for optional fields whose presence matters.
func String(s string) *string { return &s }

// Bool returns a pointer to b, for optional Y/N fields.
func Bool(b bool) *bool { return &b }
