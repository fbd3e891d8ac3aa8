package config

import (
	"fmt"

	"github.com/bibgate/bibgate/internal/throttle"
)

// SIP2Throttle says how wrong patron PINs and failed SIP2 logins are
// throttled. Every part left out keeps its default (see README, "PIN and
// login throttling"); attempts = -1 turns a part off.
type SIP2Throttle struct {
	// PatronPIN locks one card's PIN (any connection, any address).
	PatronPIN Throttle `toml:"patron_pin"`
	// ConnectionPIN and AddressPIN lock PIN entry on one connection and
	// from one source address, whatever the card.
	ConnectionPIN Throttle `toml:"connection_pin"`
	AddressPIN    Throttle `toml:"address_pin"`
	// AddressLogin refuses 93 logins from an address that failed too often.
	AddressLogin Throttle `toml:"address_login"`
	// ConnectionLogins: failed 93 after which a connection is closed.
	ConnectionLogins int `toml:"connection_logins"`
	// PINCheckWait: how long a PIN check waits for its turn at the hash
	// before the patron is asked to try again (not counted as a wrong
	// PIN); 0 means the default (2s), a negative value waits as long as
	// the request may.
	PINCheckWait Duration `toml:"pin_check_wait"`
}

// Throttle is one lockout rule: after Attempts failures, each within
// Window of the previous, the key is locked for Lockout.
type Throttle struct {
	Attempts int      `toml:"attempts"`
	Window   Duration `toml:"window"`
	Lockout  Duration `toml:"lockout"`
}

// Settings returns the rule as throttle settings; the zero value (nothing
// configured) stays zero, which means the default.
func (t Throttle) Settings() throttle.Settings {
	return throttle.Settings{Limit: t.Attempts, Window: t.Window.Duration, Lockout: t.Lockout.Duration}
}

func (t Throttle) check(name string) error {
	if t.Attempts > 0 && t.Lockout.Duration <= 0 {
		return fmt.Errorf("sip2.throttle.%s: attempts set without a lockout duration", name)
	}
	if t.Window.Duration < 0 || t.Lockout.Duration < 0 {
		return fmt.Errorf("sip2.throttle.%s: negative duration", name)
	}
	return nil
}

// Check reports a throttle rule that cannot work.
func (t SIP2Throttle) Check() error {
	for name, r := range map[string]Throttle{"patron_pin": t.PatronPIN, "connection_pin": t.ConnectionPIN,
		"address_pin": t.AddressPIN, "address_login": t.AddressLogin} {
		if err := r.check(name); err != nil {
			return err
		}
	}
	return nil
}
