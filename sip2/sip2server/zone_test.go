package sip2server

import (
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/sip2"
)

// TestOneDateRuleBeforeAndAfterLogin: every date is written by one rule,
// before and after login: in the account's time zone with a blank zone
// field, or in UTC with "Z" when there is no zone; never UTC with a blank
// zone. A 23 before login is answered in the pre-login account's language
// and does not call the card invalid (no BL).
func TestOneDateRuleBeforeAndAfterLogin(t *testing.T) {
	riga, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	// clock is 2025-03-14 10:15:00 UTC: 12:15 in Riga.
	tests := []struct {
		name     string
		preLogin *Account
		account  *Account
		before   string // date of the 98 before login
		after    string // date of the 98 and 24 after login
		notLogin string // AF of a 23 before login
	}{
		{"zone everywhere", &Account{TimeZone: riga, ScreenLanguage: "lv"},
			&Account{UserID: "k", Password: "p", TimeZone: riga},
			"20250314    121500", "20250314    121500", "Nav pieteikšanās"},
		{"no zone: UTC with Z", nil, &Account{UserID: "k", Password: "p"},
			"20250314   Z101500", "20250314   Z101500", "Not logged in"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture(t, func(s *Server) {
				s.PreLogin = tc.preLogin
				s.Accounts = Accounts{"k": tc.account}
				s.Now = func() time.Time { return clock.Local() } // a wall clock's time, as time.Now gives

			})
			c := fx.dial(t)
			if got := c.send("9900302.00"); !strings.Contains(got, tc.before) {
				t.Errorf("98 before login %q, want date %s", got, tc.before)
			}
			r := parse(t, c.send(status23)).(*sip2.PatronStatusResponse)
			if r.ValidPatron != nil || len(r.ScreenMessages) != 1 || r.ScreenMessages[0] != tc.notLogin {
				t.Errorf("23 before login: BL %v AF %q", r.ValidPatron, r.ScreenMessages)
			}
			login(t, c, "k", "p")
			if got := c.send("9900302.00"); !strings.Contains(got, tc.after) {
				t.Errorf("98 after login %q, want date %s", got, tc.after)
			}
			if got := c.send(status23); !strings.Contains(got, tc.after) {
				t.Errorf("24 after login %q, want date %s", got, tc.after)
			}
		})
	}
}
