package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/bibgate/bibgate/adapters/staffweb"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/clientaddr"
)

// The staff web console: on the admin listener under /staff/, and on its
// own listener (console.listen, --staff) when one is configured, with TLS
// when console.cert_file and console.key_file are set.

// staffPrefix is where the console lives on the admin listener.
const staffPrefix = "/staff"

// staffWeb is the console; its cookies are Secure under TLS, and on plain
// HTTP too with staff.secure_cookie (a TLS proxy in front).
func (a *App) staffWeb() (*staffweb.Server, error) {
	return staffweb.New(a.svc, staffweb.Options{Prefix: staffPrefix, Log: a.log, SecureCookie: a.cfg.Staff.SecureCookie,
		ILLQueued: a.kickOutbox, Records: a.recordFacts})
}

// mountStaffWeb adds the console to the admin listener's mux.
func (a *App) mountStaffWeb(mux *http.ServeMux) error {
	h, err := a.staffWeb()
	if err != nil {
		return err
	}
	mux.Handle(staffPrefix+"/", h)
	mux.Handle(staffPrefix, h)
	return nil
}

// staffServers is the console's own listener, when configured.
func (a *App) staffServers() ([]server, error) {
	c := a.cfg.Console
	if c.Listen == "" {
		return nil, nil
	}
	h, err := a.staffWeb()
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(staffPrefix+"/", h)
	mux.Handle(staffPrefix, h)
	mux.Handle("/{$}", http.RedirectHandler(staffPrefix+"/", http.StatusSeeOther))
	var tlsCfg *tls.Config
	if c.CertFile != "" || c.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("staff console TLS certificate: %w", err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return nil, fmt.Errorf("staff console listener: %w", err)
	}
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
	}
	a.bound("staff", ln.Addr())
	proxies, err := clientaddr.New(a.cfg.Staff.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("staff.trusted_proxies: %w", err)
	}
	hs := &http.Server{Handler: proxies.Handler(mux), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, TLSConfig: tlsCfg}
	return []server{{
		name: "staff",
		serve: func() error {
			if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
		shutdown: httpShutdown(hs),
	}}, nil
}

// recordFacts is the language and UDC number of catalogue records, for
// the summary register's columns: none before the catalogue is open.
func (a *App) recordFacts(ctx context.Context, recordIDs []string) (map[string]core.RecordFacts, error) {
	if a.catalog == nil {
		return nil, nil
	}
	return a.catalog.RegisterFacts(ctx, recordIDs)
}
