package config

import (
	"strings"
	"testing"
	"time"
)

// TestSIP2ThrottleConfig: the throttle rules are read from [sip2.throttle]
// and a rule with attempts but no lockout is refused.
func TestSIP2ThrottleConfig(t *testing.T) {
	c, err := Parse("t.toml", `
[demo]
load = true

[sip2.throttle]
connection_logins = 4
pin_check_wait = "500ms"
[sip2.throttle.address_pin]
attempts = 60
window = "1m"
lockout = "15m"
`)
	if err != nil {
		t.Fatal(err)
	}
	th := c.SIP2.Throttle
	if s := th.AddressPIN.Settings(); s.Limit != 60 || s.Window != time.Minute || s.Lockout != 15*time.Minute || th.ConnectionLogins != 4 ||
		th.PINCheckWait.Duration != 500*time.Millisecond {
		t.Errorf("read %+v", th)
	}
	if s := th.PatronPIN.Settings(); s.Limit != 0 || s.Lockout != 0 {
		t.Errorf("patron_pin not left to its default: %+v", s)
	}
	bad := SIP2Throttle{PatronPIN: Throttle{Attempts: 3}}
	if err := bad.Check(); err == nil || !strings.Contains(err.Error(), "patron_pin") {
		t.Errorf("attempts without lockout: %v", err)
	}
}
