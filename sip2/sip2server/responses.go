package sip2server

import (
	"time"
	"unicode/utf8"

	"github.com/bibgate/bibgate/sip2"
)

// unknownPatron is the status Koha and Evergreen send for an unknown patron
// or a failed request: the first four privileges denied.
func unknownPatron() sip2.PatronStatus {
	var s sip2.PatronStatus
	s[sip2.ChargePrivilegesDenied], s[sip2.RenewalPrivilegesDenied] = true, true
	s[sip2.RecallPrivilegesDenied], s[sip2.HoldPrivilegesDenied] = true, true
	return s
}

// failure is the well-formed negative response to req with one AF. SIP2
// has no error message; every request gets its own response type. It never
// says whether the patron is valid (no BL): the request was not run, so
// nothing is known about the card, and a kiosk reads BLN as "invalid card".
// The language is the one of the AF.
func failure(req sip2.Message, acct *Account, af string) sip2.Message {
	screen := []string{af}
	var no *bool
	lang := acct.language()
	switch r := req.(type) {
	case *sip2.LoginRequest:
		return &sip2.LoginResponse{}
	case *sip2.SCStatusRequest:
		resp := acct.StatusResponse(time.Time{})
		resp.OnLine, resp.CheckinOK, resp.CheckoutOK, resp.StatusUpdateOK = false, false, false, false
		resp.ScreenMessages = screen
		return resp
	case *sip2.PatronStatusRequest:
		return &sip2.PatronStatusResponse{PatronStatus: unknownPatron(), Language: lang, InstitutionID: r.InstitutionID,
			PatronID: r.PatronID, ValidPatron: no, ScreenMessages: screen}
	case *sip2.BlockPatronRequest:
		return &sip2.PatronStatusResponse{PatronStatus: unknownPatron(), Language: lang, InstitutionID: r.InstitutionID,
			PatronID: r.PatronID, ValidPatron: no, ScreenMessages: screen}
	case *sip2.PatronInformationRequest:
		return &sip2.PatronInformationResponse{PatronStatus: unknownPatron(), Language: lang, InstitutionID: r.InstitutionID,
			PatronID: r.PatronID, ValidPatron: no, ScreenMessages: screen}
	case *sip2.PatronEnableRequest:
		return &sip2.PatronEnableResponse{PatronStatus: unknownPatron(), Language: lang, InstitutionID: r.InstitutionID,
			PatronID: r.PatronID, ValidPatron: no, ScreenMessages: screen}
	case *sip2.CheckoutRequest:
		return &sip2.CheckoutResponse{MagneticMedia: sip2.Unknown, Desensitize: sip2.No, InstitutionID: r.InstitutionID,
			PatronID: r.PatronID, ItemID: r.ItemID, ScreenMessages: screen}
	case *sip2.RenewRequest:
		return &sip2.RenewResponse{MagneticMedia: sip2.Unknown, Desensitize: sip2.No, InstitutionID: r.InstitutionID,
			PatronID: r.PatronID, ItemID: r.ItemID, TitleID: r.TitleID, ScreenMessages: screen}
	case *sip2.CheckinRequest:
		return &sip2.CheckinResponse{MagneticMedia: sip2.Unknown, Alert: true, InstitutionID: r.InstitutionID, ItemID: r.ItemID,
			ScreenMessages: screen}
	case *sip2.RenewAllRequest:
		return &sip2.RenewAllResponse{InstitutionID: r.InstitutionID, ScreenMessages: screen}
	case *sip2.ItemInformationRequest:
		return &sip2.ItemInformationResponse{CirculationStatus: sip2.CirculationOther, SecurityMarker: sip2.SecurityOther,
			FeeType: sip2.FeeOther, ItemID: r.ItemID, ScreenMessages: screen}
	case *sip2.ItemStatusUpdateRequest:
		return &sip2.ItemStatusUpdateResponse{ItemID: r.ItemID, ScreenMessages: screen}
	case *sip2.HoldRequest:
		return &sip2.HoldResponse{InstitutionID: r.InstitutionID, PatronID: r.PatronID, ItemID: r.ItemID, TitleID: r.TitleID,
			ScreenMessages: screen}
	case *sip2.FeePaidRequest:
		return &sip2.FeePaidResponse{InstitutionID: r.InstitutionID, PatronID: r.PatronID, TransactionID: r.TransactionID,
			ScreenMessages: screen}
	case *sip2.EndPatronSessionRequest:
		return &sip2.EndPatronSessionResponse{InstitutionID: r.InstitutionID, PatronID: r.PatronID, ScreenMessages: screen}
	}
	return &sip2.SCResendRequest{}
}

// denied reports a response that refuses the request.
func denied(m sip2.Message) bool {
	switch r := m.(type) {
	case *sip2.LoginResponse:
		return !r.OK
	case *sip2.CheckoutResponse:
		return !r.OK
	case *sip2.RenewResponse:
		return !r.OK
	case *sip2.CheckinResponse:
		return !r.OK
	case *sip2.RenewAllResponse:
		return !r.OK
	case *sip2.ItemStatusUpdateResponse:
		return !r.ItemPropertiesOK
	case *sip2.HoldResponse:
		return !r.OK
	case *sip2.FeePaidResponse:
		return !r.PaymentAccepted
	case *sip2.EndPatronSessionResponse:
		return !r.EndSession
	case *sip2.PatronStatusResponse:
		return r.ValidPatron != nil && !*r.ValidPatron
	case *sip2.PatronInformationResponse:
		return r.ValidPatron != nil && !*r.ValidPatron
	case *sip2.PatronEnableResponse:
		return r.ValidPatron != nil && !*r.ValidPatron
	}
	return false
}

// hadPatronPassword reports whether req carried an AD field.
func hadPatronPassword(req sip2.Message) bool {
	switch r := req.(type) {
	case *sip2.PatronStatusRequest:
		return r.PatronPassword != nil
	case *sip2.PatronInformationRequest:
		return r.PatronPassword != nil
	case *sip2.PatronEnableRequest:
		return r.PatronPassword != nil
	}
	return true
}

// finish fills what the server knows into a response: the transaction date
// (server clock, account time zone), AO/AA/AB echoes, BX and version of 98,
// the patron status mapping, CQ only after an AD, AG fitted to the print width.
func (c *conn) finish(req, resp sip2.Message, now time.Time) {
	now = c.acct.inZone(now)
	rf, qf := sip2.FieldsOf(resp), sip2.FieldsOf(req)
	if d := rf.TransactionDate(); d != nil && d.IsZero() {
		*d = now
	}
	for _, code := range []string{"AO", "AA", "AB"} {
		p := rf.StringField(code)
		if p == nil || *p != "" {
			continue
		}
		if q := qf.StringField(code); q != nil && *q != "" {
			*p = *q
		} else if code == "AO" {
			*p = c.acct.Institution
		}
	}
	cq := hadPatronPassword(req)
	switch r := resp.(type) {
	case *sip2.ACSStatusResponse:
		r.Supported = c.acct.Supported()
		r.ProtocolVersion = "2.00"
		if r.TerminalLocation == "" {
			r.TerminalLocation = c.location
		}
	case *sip2.PatronStatusResponse:
		r.PatronStatus = c.acct.PatronStatus.Apply(r.PatronStatus)
		if !cq {
			r.ValidPatronPassword = nil
		}
	case *sip2.PatronInformationResponse:
		r.PatronStatus = c.acct.PatronStatus.Apply(r.PatronStatus)
		if !cq {
			r.ValidPatronPassword = nil
		}
	case *sip2.PatronEnableResponse:
		r.PatronStatus = c.acct.PatronStatus.Apply(r.PatronStatus)
		if !cq {
			r.ValidPatronPassword = nil
		}
	}
	for _, code := range c.acct.HideFields { // fields this account must never be sent
		if p := rf.StringField(code); p != nil {
			*p = ""
		}
	}
	if ag := rf.PrintLines(); ag != nil && c.printWidth > 0 {
		for i, l := range *ag {
			(*ag)[i] = clipRunes(l, c.printWidth)
		}
	}
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
