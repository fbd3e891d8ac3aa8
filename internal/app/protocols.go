package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"

	sip2adapter "github.com/bibgate/bibgate/adapters/sip2"
	"github.com/bibgate/bibgate/internal/config"
	"github.com/bibgate/bibgate/internal/netsrv"
	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2server"
)

// protocolServers builds the protocol listeners the configuration asks for.
func (a *App) protocolServers() ([]server, error) {
	var out []server
	sip, err := a.sip2Servers()
	if err != nil {
		return nil, err
	}
	out = append(out, sip...)
	z, err := a.z3950Servers()
	if err != nil {
		return nil, err
	}
	out = append(out, z...)
	il, err := a.illServers()
	if err != nil {
		return nil, err
	}
	out = append(out, il...)
	ih, err := a.illHTTPServers()
	if err != nil {
		return nil, err
	}
	out = append(out, ih...)
	staff, err := a.staffServers()
	if err != nil {
		return nil, err
	}
	out = append(out, staff...)
	return out, nil
}

// SIP2Accounts turns configured accounts into the server's accounts.
func SIP2Accounts(c *config.SIP2) (sip2server.Accounts, error) {
	accts := sip2server.Accounts{}
	for i, ca := range c.Accounts {
		acct, err := sip2Account(ca)
		if err != nil {
			return nil, fmt.Errorf("sip2 account %d (%s): %w", i+1, ca.Login, err)
		}
		accts[ca.Login] = acct
	}
	return accts, nil
}

func sip2Account(ca config.SIP2Account) (*sip2server.Account, error) {
	cs, err := sip2.ParseCharset(ca.Charset)
	if err != nil {
		return nil, err
	}
	ed, ok := sip2.ParseErrorDetection(ca.ErrorDetection)
	if !ok && ca.ErrorDetection != "" {
		return nil, fmt.Errorf("error detection %q", ca.ErrorDetection)
	}
	term := "\r"
	switch ca.Terminator {
	case "crlf":
		term = "\r\n"
	case "lf":
		term = "\n"
	}
	var delim byte = '|'
	if ca.Delimiter != "" {
		delim = ca.Delimiter[0]
	}
	inst := ca.Institution
	if inst == "" {
		inst = ca.Library
	}
	acct := &sip2server.Account{
		UserID: ca.Login, Password: ca.Password, Institution: inst, Location: ca.Location,
		Terminator: term, FieldDelimiter: delim, ErrorDetection: ed, Charset: cs,
		AllowedMessages: ca.AllowedMessages, IdleTimeout: ca.IdleTimeout.Duration,
		ScreenLanguage: ca.Language, Currency: "EUR",
		Options: map[string]string{sip2adapter.OptionLibrary: ca.Library, sip2adapter.OptionAllowEID: strconv.FormatBool(ca.AllowEID),
			sip2adapter.OptionInventory: strconv.FormatBool(ca.Inventory)},
	}
	acct.PatronNameFormat, acct.FineItemFormat = ca.PatronNameFormat, ca.FineItemFormat
	acct.ItemListFormat, acct.DueDateFormat = ca.ItemListFormat, ca.DueDateFormat
	for _, n := range ca.SuppressPatronStatus {
		acct.PatronStatus.Suppress[n-1] = true
	}
	acct.PatronStatus.AlwaysPermitLoans = ca.AlwaysPermitLoans
	acct.HideFields = ca.HideFields
	acct.ReplayWindow = ca.ReplayWindow.Duration
	switch ca.PatronEnable {
	case "", "selfcheck", "any", "none":
		acct.Options[sip2adapter.OptionPatronEnable] = ca.PatronEnable
	default:
		return nil, fmt.Errorf("sip2 account %q: patron_enable %q (selfcheck, any or none)", ca.Login, ca.PatronEnable)
	}
	// bibgate answers 19 (item status update): say so in 98 as BX does.
	pol := sip2server.DefaultACSPolicy()
	pol.StatusUpdateOK = true
	acct.Policy = &pol
	if ca.RequirePIN != nil {
		acct.PatronPasswordOptional = !*ca.RequirePIN
	}
	return acct, nil
}

func (a *App) sip2Servers() ([]server, error) {
	c := &a.cfg.SIP2
	if c.Listen == "" && c.TLSListen == "" {
		return nil, nil
	}
	accts, err := SIP2Accounts(c)
	if err != nil {
		return nil, err
	}
	for _, acct := range accts {
		if lib, ok := a.svc.Consortium().Library(acct.Options[sip2adapter.OptionLibrary]); ok && acct.TimeZone == nil {
			acct.TimeZone = lib.Calendar.Location
		}
		if acct.IdleTimeout == 0 {
			acct.IdleTimeout = c.IdleTimeout.Duration
		}
		acct.LoginTimeout = c.LoginTimeout.Duration
	}
	var trusted []netip.Prefix
	for _, s := range c.TrustedSubnets {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("sip2 trusted subnet %q: %w", s, err)
		}
		trusted = append(trusted, p)
	}
	var def *sip2server.Account
	if c.TrustedAccount != "" {
		def = accts[c.TrustedAccount]
		if def == nil {
			return nil, fmt.Errorf("sip2 trusted_account %q is not an account", c.TrustedAccount)
		}
	}
	metrics, err := sip2server.NewMetrics(a.reg)
	if err != nil {
		return nil, err
	}
	connMetrics, err := netsrv.NewMetrics(a.reg, "sip2")
	if err != nil {
		return nil, err
	}
	if err := c.Throttle.Check(); err != nil {
		return nil, err
	}
	backend := &sip2adapter.Backend{Svc: a.svc, ConnectionPIN: c.Throttle.ConnectionPIN.Settings(),
		AddressPIN: c.Throttle.AddressPIN.Settings()}
	preLogin := preLoginAccount(accts)
	newServer := func(tlsCfg *tls.Config) *sip2server.Server {
		return &sip2server.Server{
			TLSConfig: tlsCfg, Backend: backend, Accounts: accts, Default: def, TrustedNetworks: trusted, PreLogin: preLogin,
			MaxConns: c.MaxConns, MaxMessageSize: c.MaxMessage, Logger: a.log.With().Str("protocol", "sip2").Logger(),
			Metrics: metrics, ConnMetrics: connMetrics, Now: a.svc.Now,
			LoginTimeout: c.LoginTimeout.Duration, MaxUnauthenticated: c.MaxUnauthenticated,
			LoginThrottle: c.Throttle.AddressLogin.Settings(), MaxLoginFailures: c.Throttle.ConnectionLogins,
		}
	}
	var out []server
	listen := func(name, addr string, s *sip2server.Server) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("%s listener: %w", name, err)
		}
		a.bound(name, ln.Addr())
		out = append(out, server{name: name,
			serve: func() error {
				if err := s.Serve(ln); err != nil && !errors.Is(err, netsrv.ErrServerClosed) {
					return err
				}
				return nil
			},
			shutdown: func(ctx context.Context) error { return s.Shutdown(ctx) }})
		return nil
	}
	if c.Listen != "" {
		if err := listen("sip2", c.Listen, newServer(nil)); err != nil {
			return nil, err
		}
	}
	if c.TLSListen != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("sip2 TLS certificate: %w", err)
		}
		if err := listen("sip2-tls", c.TLSListen, newServer(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})); err != nil {
			return nil, err
		}
	}
	return out, nil
}
