package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"

	illadapter "github.com/bibgate/bibgate/adapters/ill"
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
	replies := map[string]illadapter.Reply{}
	for _, p := range c.Partners {
		r, err := illadapter.ParseReply(p.RequestReply)
		if err != nil {
			return nil, fmt.Errorf("ill partner %s: %w", p.Symbol, err)
		}
		replies[p.Symbol] = r
	}
	log := a.log.With().Str("protocol", "ill").Logger()
	backend := &illadapter.Backend{Svc: a.svc, Catalogue: a.catalog, Replies: replies, Logger: log}
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
