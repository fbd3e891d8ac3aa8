package sip2server

import (
	"time"

	"github.com/bibgate/bibgate/sip2"
)

// Account is one SIP2 login (or the default of a listener) with every
// setting a library configures per account. Fields marked "adapter" are not
// used by the server; they are carried to the Session through Login.
type Account struct {
	// UserID and Password are the CN and CO of the 93 login. The password is
	// compared in constant time.
	UserID   string
	Password string
	// Name labels the account in logs; UserID if empty.
	Name string

	Institution string // AO: filled into responses that leave it empty
	Location    string // CP default; a 93's CP overrides it for the connection
	LibraryName string // AM of 98

	// Wire settings.
	Terminator     string              // "\r" (default) or "\r\n"
	FieldDelimiter byte                // default '|'
	ErrorDetection sip2.ErrorDetection // auto (default), off, require
	Charset        sip2.Charset        // default UTF-8; sip2.ASCII transliterates
	TimeZone       *time.Location      // of dates written and of SIP2 dates read; nil = time.Local

	// AllowedMessages lists the request codes this account may send ("11",
	// "09", ...); nil allows all. 93 and 99 are always allowed. A disallowed
	// request gets its own response with failure values and an AF, and BX
	// in 98 reports the allowed set.
	AllowedMessages []string
	// DisableStatusBeforeLogin refuses 99 before 93 (default: answered from Policy).
	DisableStatusBeforeLogin bool
	// DisableResend answers 97 with 96 instead of the last response.
	DisableResend bool
	// DisableReplay turns off duplicate replay (a retransmitted request is
	// answered from the stored response instead of being run again).
	DisableReplay bool
	// ReplayWindow: a request without AY that repeats the last one byte for
	// byte within this time, and has side effects (11, 09, 37, ...), is
	// taken for a retransmission and replayed. Zero or negative: requests
	// without AY are never replayed (with AY, the same AY is replayed).
	ReplayWindow time.Duration

	// Policy gives the fixed fields of 98; nil means DefaultACSPolicy.
	Policy *ACSPolicy

	// PatronStatus maps the patron status flags the server sends in 24, 26 and 64.
	PatronStatus PatronStatusMap

	// Timeouts. Zero means the default; negative means none.
	IdleTimeout  time.Duration // default 600s: selfchecks poll every 5-7 minutes
	LoginTimeout time.Duration // connect to a good 93; read from Server.Default only (else Server.LoginTimeout)

	// ScreenLanguage is the language of AF texts: "en", "lv", "et", "sl"
	// (SIP2 has no language codes for Latvian, Estonian or Slovenian).
	ScreenLanguage string

	// Presentation settings read by the adapter.
	Currency               string            // BH, e.g. "EUR" (adapter)
	PatronNameFormat       string            // AE template, e.g. "{first} {last}" (adapter)
	FineItemFormat         string            // AV template, e.g. "{id} {amount} {type} {title}" (adapter)
	ItemListFormat         string            // content of AS/AT/AU/CD: "barcode" (default) or "title" (adapter)
	DueDateFormat          string            // AH as a Go time layout; "" = 18-character SIP2 date (adapter)
	PatronPasswordOptional bool              // a patron PIN (AD) is required unless set (adapter)
	SendExtensions         bool              // send vendor extension fields (adapter)
	CustomPatronFields     map[string]string // field code → template for 64 (adapter)
	HideFields             []string          // plain string fields (e.g. "BE", "BF") sent empty
	AllowOverpayment       bool              // fee paid beyond the amount owed (adapter)
	WriteOffPaymentType    string            // 37 payment type meaning write-off, e.g. "06" (adapter)
	// Options holds any further adapter setting by name.
	Options map[string]string
}

// ACSPolicy is what 98 reports about the ACS.
type ACSPolicy struct {
	OnLine, CheckinOK, CheckoutOK, RenewalPolicy, StatusUpdateOK, OfflineOK bool
	TimeoutPeriod                                                           int // 3 digits; 999 = unknown
	RetriesAllowed                                                          int // 3 digits; 999 = unknown; also the number of consecutive 96 after which the server hangs up
}

// DefaultACSPolicy is Y Y Y N N N, timeout 030, 3 retries.
func DefaultACSPolicy() ACSPolicy {
	return ACSPolicy{OnLine: true, CheckinOK: true, CheckoutOK: true, TimeoutPeriod: 30, RetriesAllowed: 3}
}

// PatronStatusMap adjusts the 14 patron status flags before they are sent.
type PatronStatusMap struct {
	// Suppress: flags set here are never sent (e.g. for clients that treat
	// any Y as "cannot borrow").
	Suppress sip2.PatronStatus
	// AlwaysPermitLoans clears "charge privileges denied" and the "too
	// many" flags that kiosks read as a loan block (positions 1, 6, 7).
	AlwaysPermitLoans bool
}

// Apply returns the status as it is to be sent.
func (m PatronStatusMap) Apply(s sip2.PatronStatus) sip2.PatronStatus {
	for i := range s {
		if m.Suppress[i] {
			s[i] = false
		}
	}
	if m.AlwaysPermitLoans {
		s[sip2.ChargePrivilegesDenied] = false
		s[sip2.TooManyItemsCharged] = false
		s[sip2.TooManyItemsOverdue] = false
	}
	return s
}

// AccountSource finds the account of a 93 login by its user id (CN).
type AccountSource interface {
	Account(userID string) (*Account, bool)
}

// Accounts is an AccountSource keyed by user id.
type Accounts map[string]*Account

// Account implements AccountSource.
func (a Accounts) Account(userID string) (*Account, bool) {
	acct, ok := a[userID]
	return acct, ok
}

func (a *Account) name() string {
	if a.Name != "" {
		return a.Name
	}
	if a.UserID != "" {
		return a.UserID
	}
	return "default"
}

func (a *Account) codec() sip2.Codec {
	return sip2.Codec{Charset: a.Charset, Delimiter: a.FieldDelimiter, Terminator: a.Terminator,
		ErrorDetection: a.ErrorDetection, Location: a.TimeZone}
}

func (a *Account) policy() ACSPolicy {
	if a.Policy != nil {
		return *a.Policy
	}
	return DefaultACSPolicy()
}

func (a *Account) idleTimeout() time.Duration {
	switch {
	case a.IdleTimeout < 0:
		return 0
	case a.IdleTimeout == 0:
		return 600 * time.Second
	}
	return a.IdleTimeout
}

// implemented lists the request codes the server hands to a Session.
var implemented = []string{"23", "11", "09", "01", "99", "97", "93", "63", "35", "37", "17", "19", "25", "15", "29", "65"}

// Allows reports whether the account may send the request code.
func (a *Account) Allows(code string) bool {
	switch code {
	case sip2.CodeLoginRequest, sip2.CodeSCStatusRequest:
		return true
	case sip2.CodeACSResendRequest:
		return !a.DisableResend
	}
	if a.AllowedMessages == nil {
		return true
	}
	for _, c := range a.AllowedMessages {
		if c == code {
			return true
		}
	}
	return false
}

// Supported is the BX of 98 for this account.
func (a *Account) Supported() sip2.SupportedMessages {
	var s sip2.SupportedMessages
	for _, c := range implemented {
		s.Set(c, a.Allows(c))
	}
	return s
}

// StatusResponse is the 98 the account's policy gives; the server sends it
// for 99 before login, and a Session may return it as its own answer.
func (a *Account) StatusResponse(now time.Time) *sip2.ACSStatusResponse {
	if a.TimeZone != nil {
		now = now.In(a.TimeZone) // the date/time sync is in the library's zone, like every other date
	}
	p := a.policy()
	return &sip2.ACSStatusResponse{OnLine: p.OnLine, CheckinOK: p.CheckinOK, CheckoutOK: p.CheckoutOK,
		RenewalPolicy: p.RenewalPolicy, StatusUpdateOK: p.StatusUpdateOK, OfflineOK: p.OfflineOK,
		TimeoutPeriod: p.TimeoutPeriod, RetriesAllowed: p.RetriesAllowed, DateTimeSync: now, ProtocolVersion: "2.00",
		InstitutionID: a.Institution, LibraryName: a.LibraryName, Supported: a.Supported(), TerminalLocation: a.Location}
}
