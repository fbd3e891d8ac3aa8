// Package sip2adapter implements the SIP2 server's Session on the
// circulation core: every SIP2 request becomes calls on core.Service, and
// every core refusal becomes the message's failure answer with a screen
// message (AF) in the account's language.
//
// The directory is adapters/sip2; the package is named sip2adapter so that
// it can import the sip2 codec without renaming.
package sip2adapter

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/internal/screentext"
	"github.com/bibgate/bibgate/internal/throttle"
	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2server"
)

// Option names read from sip2server.Account.Options.
const (
	// OptionLibrary is the library id where the account's checkouts and
	// checkins happen (default: the account's Institution).
	OptionLibrary = "library"
	// OptionAllowEID lets patrons identify with an eID personal code in AA
	// (no PIN needed: the card reader authenticated them).
	OptionAllowEID = "allow_eid"
	// OptionPatronEnable says which blocks 25 (patron enable) lifts:
	// "selfcheck" (default) only a block a selfcheck set with 01, "any"
	// every manual block, staff blocks too, "none" no block.
	OptionPatronEnable = "patron_enable"
	// OptionInventory ("true") makes the account an inventory scanner:
	// 17 and 19 mark the copy seen in the library's open stocktaking.
	OptionInventory = "inventory"
)

// Backend opens sessions on a core.Service.
type Backend struct {
	Svc *core.Service
	// ConnectionPIN and AddressPIN throttle wrong patron PINs per
	// connection and per source address (whatever the patron: a PIN
	// sprayed over many cards); zero means DefaultConnectionPIN and
	// DefaultAddressPIN, a negative Limit none. Each card is throttled on
	// its own by the core (core.DefaultPINLockout).
	ConnectionPIN, AddressPIN throttle.Settings

	once     sync.Once
	addrPINs *throttle.Throttle
}

// DefaultConnectionPIN locks PIN entry on a connection for 5 minutes after
// 10 wrong PINs, each within a minute of the previous: patrons mistyping at
// a kiosk never get there, a script trying PINs does.
var DefaultConnectionPIN = throttle.Settings{Limit: 10, Window: time.Minute, Lockout: 5 * time.Minute}

// DefaultAddressPIN locks PIN entry from a source address for 15 minutes
// after 30 wrong PINs, each within a minute of the previous (an address may
// be a NAT in front of several kiosks).
var DefaultAddressPIN = throttle.Settings{Limit: 30, Window: time.Minute, Lockout: 15 * time.Minute}

func orDefault(s, def throttle.Settings) throttle.Settings {
	if s == (throttle.Settings{}) {
		return def
	}
	return s
}

// Login starts a session for a logged-in selfcheck.
func (b *Backend) Login(ctx context.Context, acct *sip2server.Account, info sip2server.LoginInfo) (sip2server.Session, error) {
	lib := acct.Options[OptionLibrary]
	if lib == "" {
		lib = acct.Institution
	}
	if _, ok := b.Svc.Consortium().Library(lib); !ok {
		return nil, errors.New("sip2adapter: account's library is not in the consortium")
	}
	lang := acct.ScreenLanguage
	if lang == "" {
		lang = screentext.English
	}
	loc := acct.TimeZone
	if loc == nil {
		if l, ok := b.Svc.Consortium().Library(lib); ok && l.Calendar.Location != nil {
			loc = l.Calendar.Location
		}
	}
	b.once.Do(func() { b.addrPINs = throttle.New(orDefault(b.AddressPIN, DefaultAddressPIN)) })
	return &Session{svc: b.Svc, acct: acct, library: lib, lang: lang, loc: loc,
		allowEID: acct.Options[OptionAllowEID] == "true", inventory: acct.Options[OptionInventory] == "true",
		verified: map[string]bool{},
		connPINs: throttle.New(orDefault(b.ConnectionPIN, DefaultConnectionPIN)), addrPINs: b.addrPINs,
		addr: hostOf(info.RemoteAddr)}, nil
}

// hostOf is the address without its port: the key of the per-address throttle.
func hostOf(a net.Addr) string {
	if a == nil {
		return ""
	}
	if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		return ap.Addr().Unmap().String()
	}
	return a.String()
}

// Session is one selfcheck connection. Methods are called one at a time.
type Session struct {
	svc      *core.Service
	acct     *sip2server.Account
	library  string
	lang     string
	loc      *time.Location
	allowEID bool
	// inventory: the account is a stocktaking scanner (inventory.go).
	inventory bool

	mu sync.Mutex
	// verified remembers patrons this session authenticated (by PIN or
	// eID) until End Patron Session.
	verified map[string]bool

	connPINs, addrPINs *throttle.Throttle
	addr               string
	outcome            string // of the request being answered; see Outcome
}

// Outcome reports, once, a finer outcome of the last request for the
// server's metrics: a wrong PIN or a PIN refused by the throttle.
func (s *Session) Outcome() string {
	o := s.outcome
	s.outcome = ""
	return o
}

// pinLocked reports whether PIN entry is locked on this connection or from
// its address.
func (s *Session) pinLocked() bool {
	now := s.svc.Now()
	if l, _ := s.connPINs.Locked("", now); l {
		return true
	}
	l, _ := s.addrPINs.Locked(s.addr, now)
	return l
}

func (s *Session) wrongPIN() {
	now := s.svc.Now()
	s.connPINs.Fail("", now)
	s.addrPINs.Fail(s.addr, now)
}

func (s *Session) text(r core.Reason) string { return screentext.For(r, s.lang) }

// reason returns the refusal reason of err, or SystemError for failures
// that are not refusals.
func reason(err error) core.Reason {
	if r := core.ReasonOf(err); r != "" {
		return r
	}
	return screentext.SystemError
}

// patron resolves AA to a card and authenticates with AD. needPIN says
// whether this message needs an authenticated patron.
type patronAuth struct {
	card  string
	byEID bool
	// validPIN is nil when no AD was sent.
	validPIN *bool
	// locked: the PIN was not checked because PIN entry is locked (the
	// card's, this connection's or this address's); validPIN is N.
	locked bool
	// busy: the PIN was not checked because too many checks were waiting
	// (core.ReasonPINCheckBusy); validPIN is nil.
	busy bool
}

// auth authenticates a patron. A wrong PIN counts against the card (core),
// the connection and the address; while any of them is locked no PIN is
// checked and the refusal says why (core.ReasonPINLocked).
func (s *Session) auth(ctx context.Context, aa string, ad *string, needPIN bool) (patronAuth, error) {
	throttled := ad != nil && *ad != "" && s.pinLocked()
	pin := ad
	if throttled {
		pin = nil // resolve the card only
	}
	a, err := s.svc.Authenticate(ctx, aa, pin, s.allowEID)
	if core.ReasonOf(err) == core.ReasonPINCheckBusy {
		// The PIN was not checked (too many checks at once): nothing is
		// said about it (no CQ), nothing counts against the card, and a
		// message that needs the PIN is refused with "try again".
		pa := patronAuth{card: a.Card, byEID: a.ByEID, busy: true}
		if needPIN && !a.ByEID && !s.acct.PatronPasswordOptional {
			return pa, err
		}
		return pa, nil
	}
	if err != nil {
		pa := patronAuth{}
		if ad != nil {
			pa.validPIN = sip2.Bool(false) // CQ N: no such patron, so no valid PIN
		}
		return pa, err
	}
	pa := patronAuth{card: a.Card, byEID: a.ByEID}
	if throttled || a.PINLocked {
		s.outcome = sip2server.OutcomePINLocked
		pa.validPIN, pa.locked = sip2.Bool(false), true
		if needPIN && !pa.byEID {
			return pa, &core.Error{Reason: core.ReasonPINLocked}
		}
		return pa, nil
	}
	if a.PINChecked && !a.PINValid && *ad != "" {
		s.outcome = sip2server.OutcomeWrongPIN
		s.wrongPIN()
	}
	if a.PINChecked { // an empty AD is a wrong PIN, not a missing one
		pa.validPIN = sip2.Bool(a.PINValid)
		if a.PINValid {
			s.mu.Lock()
			s.verified[a.Card] = true
			s.mu.Unlock()
		}
	}
	card := a.Card
	if !needPIN || pa.byEID || s.acct.PatronPasswordOptional {
		return pa, nil
	}
	if pa.validPIN != nil {
		if !*pa.validPIN {
			return pa, &core.Error{Reason: core.ReasonBadPIN}
		}
		return pa, nil
	}
	s.mu.Lock()
	ok := s.verified[card]
	s.mu.Unlock()
	if !ok {
		return pa, &core.Error{Reason: screentext.PINRequired}
	}
	return pa, nil
}

// statusFlags maps what blocks a patron onto the 14 SIP2 patron status
// flags ("Y" means denied / too many).
func statusFlags(sum *core.PatronSummary) sip2.PatronStatus {
	var st sip2.PatronStatus
	deny := func(charge, renew, hold bool) {
		st[sip2.ChargePrivilegesDenied] = st[sip2.ChargePrivilegesDenied] || charge
		st[sip2.RenewalPrivilegesDenied] = st[sip2.RenewalPrivilegesDenied] || renew
		st[sip2.HoldPrivilegesDenied] = st[sip2.HoldPrivilegesDenied] || hold
		st[sip2.RecallPrivilegesDenied] = st[sip2.RecallPrivilegesDenied] || (charge && renew && hold)
	}
	for _, b := range sum.Blocks {
		switch b {
		case policy.PatronBlockedManual, policy.PatronExpired:
			deny(true, true, true)
			if strings.Contains(strings.ToLower(sum.Patron.BlockReason), "lost") ||
				strings.Contains(strings.ToLower(sum.Patron.BlockReason), "stolen") ||
				strings.Contains(strings.ToLower(sum.Patron.BlockReason), "retained") {
				st[sip2.CardReportedLost] = true
			}
		case policy.PatronHasOverdue:
			deny(true, true, true)
			st[sip2.TooManyItemsOverdue] = true
		case policy.PatronFeesOverLimit:
			deny(true, true, true)
			// Fines are what lateness costs; damage, loss, processing and
			// service charges are fees (SIP2 positions 11 and 12).
			for _, f := range sum.Fees {
				if f.Outstanding() <= 0 {
					continue
				}
				if f.Kind == core.FeeOverdue || f.Kind == core.FeeReminder {
					st[sip2.ExcessiveOutstandingFines] = true
				} else {
					st[sip2.ExcessiveOutstandingFees] = true
				}
			}
		case policy.LoanLimitReached:
			deny(true, false, false)
			st[sip2.TooManyItemsCharged] = true
		case policy.PatronRemoteOnly, policy.PatronReadingRoomOnly:
			deny(true, false, false)
		}
	}
	if sum.Owed > 0 {
		deny(false, true, true) // debtors may not renew or reserve
	}
	if len(activeHolds(sum.Holds)) >= sum.MaxHolds {
		st[sip2.HoldPrivilegesDenied] = true
	}
	return st
}

// unknownPatronStatus is the patron status of a patron who does not exist:
// charge, renewal, recall and hold privileges denied, nothing else claimed.
func unknownPatronStatus() sip2.PatronStatus {
	var st sip2.PatronStatus
	st[sip2.ChargePrivilegesDenied] = true
	st[sip2.RenewalPrivilegesDenied] = true
	st[sip2.RecallPrivilegesDenied] = true
	st[sip2.HoldPrivilegesDenied] = true
	return st
}

func activeHolds(hs []core.Hold) []core.Hold {
	var out []core.Hold
	for _, h := range hs {
		if h.Active() {
			out = append(out, h)
		}
	}
	return out
}

func (s *Session) amount(m core.Money) string { return sip2.FormatAmount(int64(m)) }

func (s *Session) date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if s.loc != nil {
		t = t.In(s.loc)
	} else {
		t = t.UTC() // no zone: UTC, written with "Z" (the server's rule)
	}
	if s.acct.DueDateFormat != "" {
		return t.Format(s.acct.DueDateFormat)
	}
	return sip2.FormatDate(t)
}

func (s *Session) currency() string {
	if s.acct.Currency != "" {
		return s.acct.Currency
	}
	return "EUR"
}

// media maps a material type to the SIP2 media type.
func media(material string) sip2.MediaType {
	switch material {
	case policy.MaterialBook, policy.MaterialReference:
		return sip2.MediaBook
	case policy.MaterialMagazine:
		return sip2.MediaMagazine
	case policy.MaterialAudio:
		return sip2.MediaCD
	case policy.MaterialKit:
		return sip2.MediaBookAudio
	}
	return sip2.MediaOther
}

func magnetic(material string) sip2.Tri {
	if material == policy.MaterialAudio || material == policy.MaterialKit {
		return sip2.Yes
	}
	return sip2.No
}

// personalName lays out AE by the account's format: "{first} {last}" (the
// name as registered) or "{last}, {first}", the last name being the last
// word of the registered name.
func (s *Session) personalName(name string) string {
	f := s.acct.PatronNameFormat
	if f == "" || f == "{first} {last}" {
		return name
	}
	first, last := name, ""
	if i := strings.LastIndexByte(name, ' '); i > 0 {
		first, last = name[:i], name[i+1:]
	}
	return strings.TrimSpace(strings.NewReplacer("{first}", first, "{last}", last).Replace(f))
}

// language is the SIP2 code of the language the screen messages are in:
// English has one; Latvian, Estonian and Slovenian have none (000).
func (s *Session) language() sip2.Language {
	if s.lang == screentext.English {
		return sip2.LanguageEnglish
	}
	return sip2.LanguageUnknown
}
