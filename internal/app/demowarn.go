package app

import (
	"net"
	"slices"

	"github.com/bibgate/bibgate/core/demo"
)

// publishedPasswords are passwords anyone can read in the README and the
// example configuration.
var publishedPasswords = []string{"demo", "change-me", demo.PIN, ""}

// publicAddr reports whether a bound address is reachable from other
// machines: an unspecified address (all interfaces) or any but loopback.
func publicAddr(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	if !ok {
		return false
	}
	return ta.IP == nil || ta.IP.IsUnspecified() || !ta.IP.IsLoopback()
}

// demoPasswordProblems lists, for a listener, what about it is open to
// anyone who has read the README: accounts with a published password and,
// on SIP2, demo patrons with the demo PIN. It names logins, never
// passwords.
func (a *App) demoPasswordProblems(name string) []string {
	var out []string
	switch name {
	case "sip2", "sip2-tls":
		for _, acct := range a.cfg.SIP2.Accounts {
			if slices.Contains(publishedPasswords, acct.Password) {
				out = append(out, "SIP2 account "+acct.Login+" has a published password")
			}
		}
		if a.cfg.Demo.Load || a.cfg.Demo.BenchPatrons > 0 {
			out = append(out, "demo patrons with the published PIN are loaded")
		}
	case "z3950":
		for _, acct := range a.cfg.Z3950.Accounts {
			if slices.Contains(publishedPasswords, acct.Password) {
				out = append(out, "Z39.50 account "+acct.User+" has a published password")
			}
		}
	}
	return out
}

// warnPublicDemo warns when a listener on a public address lets in anyone
// who has read the README.
func (a *App) warnPublicDemo(name string, addr net.Addr) {
	if !publicAddr(addr) {
		return
	}
	for _, p := range a.demoPasswordProblems(name) {
		a.log.Warn().Str("listener", name).Str("addr", addr.String()).
			Msg("listener on a public address: " + p + "; anyone who reaches it can log in (bind 127.0.0.1 or change the password)")
	}
}
