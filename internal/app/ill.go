package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"

	illadapter "github.com/bibgate/bibgate/adapters/ill"
	"github.com/bibgate/bibgate/ill/illclient"
	"github.com/bibgate/bibgate/ill/illserver"
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
				pem, err := os.ReadFile(p.CAFile)
				if err != nil {
					return nil, fmt.Errorf("ill partner %s: %w", p.Symbol, err)
				}
				pool := x509.NewCertPool()
				if !pool.AppendCertsFromPEM(pem) {
					return nil, fmt.Errorf("ill partner %s: no certificate in %s", p.Symbol, p.CAFile)
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
	if len(senders) == 0 {
		return nil, nil
	}
	b, err := a.illAdapter()
	if err != nil {
		return nil, err
	}
	return &illadapter.Outbox{Backend: b, Senders: senders, Interval: a.cfg.ILL.OutboxInterval.Duration,
		Logger: b.Logger}, nil
}
