package app

import (
	"github.com/bibgate/bibgate/sip2/sip2server"
)

// preLoginAccount is what a SIP2 connection gets before its 93: the time
// zone and screen language the accounts share (so a 98 or a refusal
// before login reads like every answer after it), or UTC and English where
// they differ.
func preLoginAccount(accts sip2server.Accounts) *sip2server.Account {
	pre := &sip2server.Account{Name: "before login"}
	first := true
	for _, a := range accts {
		if first {
			pre.TimeZone, pre.ScreenLanguage, first = a.TimeZone, a.ScreenLanguage, false
			continue
		}
		if pre.TimeZone == nil || a.TimeZone == nil || pre.TimeZone.String() != a.TimeZone.String() {
			pre.TimeZone = nil
		}
		if pre.ScreenLanguage != a.ScreenLanguage {
			pre.ScreenLanguage = ""
		}
	}
	return pre
}
