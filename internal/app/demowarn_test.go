package app

import (
	"bytes"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/internal/config"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDemoBindsLoopback: the embedded demo, whose passwords are in the
// README, is reachable from this machine only; an address given on the
// command line or in a file is used as given.
func TestDemoBindsLoopback(t *testing.T) {
	var logs syncBuffer
	a := startAppLog(t, zerolog.New(&logs), func(cfg *config.Config) {
		// Keep the default hosts, on free ports.
		for _, addr := range []*string{&cfg.Admin.Listen, &cfg.SIP2.Listen, &cfg.Z3950.Listen} {
			host, _, err := net.SplitHostPort(*addr)
			if err != nil {
				t.Fatalf("default listen %q: %v", *addr, err)
			}
			*addr = net.JoinHostPort(host, "0")
		}
	})
	for _, name := range []string{"admin", "sip2", "z3950"} {
		addr := a.Addr(name)
		if addr == nil {
			t.Errorf("%s: not listening", name)
			continue
		}
		if publicAddr(addr) {
			t.Errorf("%s listens on %v, reachable from other machines", name, addr)
		}
	}
	if strings.Contains(logs.String(), "public address") {
		t.Errorf("a loopback demo warned of a public address:\n%s", logs.String())
	}
}

// TestPublicListenerWarnsOfDemoPassword: a listener reachable from other
// machines that lets in whoever read the README gets a warning at start,
// naming the listener and the account but never the password.
func TestPublicListenerWarnsOfDemoPassword(t *testing.T) {
	public := &net.TCPAddr{IP: net.IPv4zero, Port: 6001}
	lan := &net.TCPAddr{IP: net.IPv4(192, 168, 1, 10), Port: 2100}
	loop := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 6001}
	tests := []struct {
		name     string
		edit     func(*config.Config)
		listener string
		addr     net.Addr
		want     []string // substrings of warnings; none when empty
	}{
		{"demo SIP2 on all interfaces", nil, "sip2", public, []string{"SIP2 account demo has a published password", "demo patrons with the published PIN"}},
		{"demo SIP2 on loopback", nil, "sip2", loop, nil},
		{"own SIP2 password, no demo data, public", func(c *config.Config) {
			c.SIP2.Accounts[0].Password = "kiosk-secret-2026"
			c.Demo.Load = false
		}, "sip2", public, nil},
		{"example file's password on a LAN address", func(c *config.Config) {
			c.Z3950.Accounts = []config.Z3950Account{{User: "ill", Password: "change-me"}}
		}, "z3950", lan, []string{"Z39.50 account ill has a published password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncBuffer
			a := startAppLog(t, zerolog.New(&logs), func(cfg *config.Config) {
				cfg.Admin.Listen, cfg.SIP2.Listen, cfg.Z3950.Listen = "", "", ""
				if tt.edit != nil {
					tt.edit(cfg)
				}
			})
			a.bound(tt.listener, tt.addr)
			var warnings []string
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var m map[string]any
				if json.Unmarshal([]byte(line), &m) == nil && m["level"] == "warn" {
					warnings = append(warnings, m["message"].(string))
				}
			}
			if len(warnings) != len(tt.want) {
				t.Fatalf("warnings %q, want %d containing %q", warnings, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(warnings[i], w) {
					t.Errorf("warning %q does not say %q", warnings[i], w)
				}
			}
			for _, secret := range []string{"change-me", "1234"} {
				if strings.Contains(strings.Join(warnings, "\n"), secret) {
					t.Errorf("a warning shows a password or PIN: %q", warnings)
				}
			}
		})
	}
}
