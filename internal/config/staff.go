package config

import (
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/clientaddr"
)

// Staff configures staff sign-in and sessions (the staff HTTP API on the
// admin listener). Every field left out keeps core.DefaultStaffSettings.
type Staff struct {
	// LockAfter wrong passwords in a row, each within LockWindow of the
	// previous, lock the account for Lockout.
	LockAfter  int      `toml:"lock_after"`
	LockWindow Duration `toml:"lock_window"`
	Lockout    Duration `toml:"lockout"`
	// IdleTimeout ends a session unused that long; MaxSession ends any
	// session that old.
	IdleTimeout Duration `toml:"idle_timeout"`
	MaxSession  Duration `toml:"max_session"`
	// SecureCookie marks the session cookie Secure although the admin
	// listener speaks plain HTTP: set it when a TLS proxy is in front.
	SecureCookie bool `toml:"secure_cookie"`
	// TrustedProxies are the addresses or CIDR prefixes of reverse proxies
	// in front of the admin and console listeners whose X-Forwarded-For
	// names the client: sign-in throttling, logs and the audit trail then
	// see the librarian's address, not the proxy's.
	TrustedProxies []string `toml:"trusted_proxies"`
}

// Settings returns the core's settings (zero fields: the defaults).
func (s Staff) Settings() core.StaffSettings {
	return core.StaffSettings{LockAfter: s.LockAfter, LockWindow: s.LockWindow.Duration, Lockout: s.Lockout.Duration,
		IdleTimeout: s.IdleTimeout.Duration, MaxSession: s.MaxSession.Duration}
}

func (c *Config) validateStaff() error {
	s := c.Staff
	if s.LockAfter < 0 {
		return c.errorf("staff.lock_after", "%d: give the number of wrong passwords that locks an account (default %d)", s.LockAfter, core.DefaultStaffSettings.LockAfter)
	}
	for key, d := range map[string]time.Duration{"staff.lock_window": s.LockWindow.Duration, "staff.lockout": s.Lockout.Duration,
		"staff.idle_timeout": s.IdleTimeout.Duration, "staff.max_session": s.MaxSession.Duration} {
		if d < 0 {
			return c.errorf(key, "negative duration %s", d)
		}
	}
	if err := clientaddr.Check(s.TrustedProxies); err != nil {
		return c.errorf("staff.trusted_proxies", "%v", err)
	}
	if s.IdleTimeout.Duration > 0 && s.MaxSession.Duration > 0 && s.IdleTimeout.Duration > s.MaxSession.Duration {
		return c.errorf("staff.idle_timeout", "%s is longer than staff.max_session %s", s.IdleTimeout.Duration, s.MaxSession.Duration)
	}
	return nil
}
