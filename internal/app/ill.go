package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	illadapter "github.com/bibgate/bibgate/adapters/ill"
	iso18626adapter "github.com/bibgate/bibgate/adapters/iso18626"
	"github.com/bibgate/bibgate/ill/illclient"
	"github.com/bibgate/bibgate/ill/illserver"
	"github.com/bibgate/bibgate/ill/iso18626"
	"github.com/bibgate/bibgate/internal/netsrv"
)

// illServers builds the ISO 10161 listeners (plain and TLS) the [ill]
// table asks for, both on one adapter over the core and the catalogue.
func (a *App) illServers() ([]server, error) {
	c := &a.cfg.ILL
	if c.Listen == "" && c.TLSListen == "" {
		return nil, nil
	}
	backend, err := a.illAdapter()
	if err != nil {
		return nil, err
	}
	log := backend.Logger
	connMetrics, err := netsrv.NewMetrics(a.reg, "ill")
	if err != nil {
		return nil, err
	}
	newServer := func(tlsCfg *tls.Config) *illserver.Server {
		return &illserver.Server{Backend: backend, TLSConfig: tlsCfg, Logger: log, Registerer: a.reg, ConnMetrics: connMetrics,
			MaxConns: c.MaxConns, MaxAPDUSize: c.MaxAPDU, IdleTimeout: c.IdleTimeout.Duration, ReadTimeout: c.ReadTimeout.Duration,
			Now: a.svc.Now}
	}
	var out []server
	var lns []net.Listener
	listen := func(name, addr string, s *illserver.Server) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("%s listener: %w", name, err)
		}
		lns = append(lns, ln)
		a.bound(name, ln.Addr())
		if publicAddr(ln.Addr()) {
			for _, p := range c.Partners {
				if len(p.AllowFrom) == 0 {
					a.log.Warn().Str("listener", name).Str("partner", p.Symbol).
						Msg("ILL listener on a public address: anyone who reaches it can speak for this partner (set its allow_from)")
				}
			}
		}
		out = append(out, server{name: name,
			serve: func() error {
				if err := s.Serve(ln); err != nil && !errors.Is(err, illserver.ErrServerClosed) {
					return err
				}
				return nil
			},
			shutdown: func(ctx context.Context) error { return s.Shutdown(ctx) }})
		return nil
	}
	fail := func(err error) ([]server, error) {
		for _, ln := range lns {
			ln.Close()
		}
		return nil, err
	}
	if c.Listen != "" {
		if err := listen("ill", c.Listen, newServer(nil)); err != nil {
			return fail(err)
		}
	}
	if c.TLSListen != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return fail(fmt.Errorf("ill TLS certificate: %w", err))
		}
		if err := listen("ill-tls", c.TLSListen, newServer(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})); err != nil {
			return fail(err)
		}
	}
	return out, nil
}

// illAdapter is the one ILL adapter of the process, shared by the
// listeners and the outbox.
func (a *App) illAdapter() (*illadapter.Backend, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.illBackend != nil {
		return a.illBackend, nil
	}
	replies := map[string]illadapter.Reply{}
	quiet := map[string]bool{}
	for _, p := range a.cfg.ILL.Partners {
		r, err := illadapter.ParseReply(p.RequestReply)
		if err != nil {
			return nil, fmt.Errorf("ill partner %s: %w", p.Symbol, err)
		}
		replies[p.Symbol] = r
		if !p.WantsReceipts() {
			quiet[p.Symbol] = true
		}
	}
	a.illBackend = &illadapter.Backend{Svc: a.svc, Catalogue: a.catalog, Replies: replies, NoReceipts: quiet,
		Addresses: a.cfg.ILLAddresses(), Logger: a.log.With().Str("protocol", "ill").Logger()}
	return a.illBackend, nil
}

// illOutbox delivers the engine's outbox to the partners that have a
// transport in the configuration; nil when none has.
func (a *App) illOutbox() (*illadapter.Outbox, error) {
	senders := map[string]illadapter.Sender{}
	for _, p := range a.cfg.ILL.Partners {
		if p.Address == "" {
			continue
		}
		cl := &illclient.Client{Addr: p.Address, ExpectReply: p.WantsReceipts()}
		if p.TLS {
			cfg := &tls.Config{MinVersion: tls.VersionTLS12}
			if p.CAFile != "" {
				pool, err := caPool(p.CAFile)
				if err != nil {
					return nil, fmt.Errorf("ill partner %s: %w", p.Symbol, err)
				}
				cfg.RootCAs = pool
			}
			cl.TLS = cfg
		}
		senders[p.Symbol] = illadapter.TCP{Client: cl}
	}
	if err := a.illMailSenders(senders); err != nil {
		return nil, err
	}
	events := map[string]illadapter.EventSender{}
	for _, p := range a.cfg.ILL.Partners {
		if p.URL == "" {
			continue
		}
		hb, err := a.illHTTPBackend()
		if err != nil {
			return nil, err
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if p.CAFile != "" {
			pool, err := caPool(p.CAFile)
			if err != nil {
				return nil, fmt.Errorf("ill partner %s: %w", p.Symbol, err)
			}
			tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}
		}
		events[p.Symbol] = &iso18626adapter.Sender{Backend: hb, Partner: hb.Partners[p.Symbol],
			Client: &http.Client{Timeout: 30 * time.Second, Transport: tr}}
	}
	if len(senders) == 0 && len(events) == 0 {
		return nil, nil
	}
	b, err := a.illAdapter()
	if err != nil {
		return nil, err
	}
	return &illadapter.Outbox{Backend: b, Senders: senders, EventSenders: events, Interval: a.cfg.ILL.OutboxInterval.Duration,
		Logger: b.Logger}, nil
}

// illHTTPBackend is the one ISO 18626 adapter of the process, shared by
// the HTTP listeners and the outbox.
func (a *App) illHTTPBackend() (*iso18626adapter.Backend, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.illHTTP != nil {
		return a.illHTTP, nil
	}
	partners := map[string]iso18626adapter.Partner{}
	for _, p := range a.cfg.ILL.Partners {
		v, err := iso18626.ParseVersion(p.Version)
		if err != nil {
			return nil, fmt.Errorf("ill partner %s: %w", p.Symbol, err)
		}
		d, err := iso18626.DialectNamed(p.Dialect)
		if err != nil {
			return nil, fmt.Errorf("ill partner %s: %w", p.Symbol, err)
		}
		partners[p.Symbol] = iso18626adapter.Partner{Symbol: p.Symbol, AgencyType: p.AgencyType, Version: v, Dialect: d, URL: p.URL,
			Auth: iso18626adapter.Auth{Header: p.SecretHeader, Secret: p.Secret, User: p.User, Password: p.Password}}
	}
	a.illHTTP = &iso18626adapter.Backend{Svc: a.svc, Catalogue: a.catalog, Partners: partners,
		Logger: a.log.With().Str("protocol", "iso18626").Logger()}
	return a.illHTTP, nil
}

// illHTTPServers builds the ISO 18626 HTTP listeners (plain and TLS) the
// [ill] table asks for.
func (a *App) illHTTPServers() ([]server, error) {
	c := &a.cfg.ILL
	if c.HTTPListen == "" && c.HTTPTLSListen == "" {
		return nil, nil
	}
	backend, err := a.illHTTPBackend()
	if err != nil {
		return nil, err
	}
	h := &iso18626adapter.Handler{Backend: backend, MaxBody: int64(c.MaxMessage)}
	var out []server
	var lns []net.Listener
	fail := func(err error) ([]server, error) {
		for _, ln := range lns {
			ln.Close()
		}
		return nil, err
	}
	for _, l := range []struct {
		name, addr string
		tls        bool
	}{{"ill-http", c.HTTPListen, false}, {"ill-https", c.HTTPTLSListen, true}} {
		if l.addr == "" {
			continue
		}
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			return fail(fmt.Errorf("%s listener: %w", l.name, err))
		}
		lns = append(lns, ln)
		if l.tls {
			cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
			if err != nil {
				return fail(fmt.Errorf("ill TLS certificate: %w", err))
			}
			ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		}
		a.bound(l.name, ln.Addr())
		if publicAddr(ln.Addr()) {
			for _, p := range c.Partners {
				if !p.Authenticated() {
					a.log.Warn().Str("listener", l.name).Str("partner", p.Symbol).
						Msg("ISO 18626 listener on a public address: anyone who reaches it can speak for this partner (set its secret or user and password)")
				}
			}
		}
		hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
		out = append(out, server{name: l.name,
			serve: func() error {
				if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					return err
				}
				return nil
			},
			shutdown: httpShutdown(hs)})
	}
	return out, nil
}

// caPool is the certificates of a PEM file.
func caPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", file)
	}
	return pool, nil
}
