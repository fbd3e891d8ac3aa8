// Package app assembles a running bibgate from a configuration: the store,
// the circulation core, the background jobs, the admin listener and the
// protocol listeners, with an orderly shutdown. cmd/bibgate's serve is a
// thin shell around Run; tests start the same thing in-process.
package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	illadapter "github.com/bibgate/bibgate/adapters/ill"
	iso18626adapter "github.com/bibgate/bibgate/adapters/iso18626"
	"github.com/bibgate/bibgate/adapters/staffapi"
	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/internal/clientaddr"
	"github.com/bibgate/bibgate/internal/config"
	"github.com/bibgate/bibgate/internal/notify"
	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/boltstore"
	"github.com/bibgate/bibgate/store/memstore"
	"github.com/bibgate/bibgate/store/pgstore"
)

// App is a running gateway.
type App struct {
	cfg     *config.Config
	log     zerolog.Logger
	reg     *prometheus.Registry
	metrics *metrics
	store   store.Store
	svc     *core.Service
	catalog *catalog.Catalogue
	tmpDir  string
	ready   chan struct{}

	mu         sync.Mutex
	listeners  map[string]net.Addr
	illBackend *illadapter.Backend
	illHTTP    *iso18626adapter.Backend
	outbox     *illadapter.Outbox
}

// Options are what tests and replays set beyond the configuration.
type Options struct {
	// Clock replaces the wall clock (deterministic replays).
	Clock core.Clock
	// KDF replaces the PIN hash cost (tests).
	KDF core.KDFParams
}

// New opens the store and builds the core; nothing listens yet.
func New(cfg *config.Config, log zerolog.Logger, opts Options) (*App, error) {
	a := &App{cfg: cfg, log: log, reg: prometheus.NewRegistry(), ready: make(chan struct{}), listeners: map[string]net.Addr{}}
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.metrics = newMetrics(a.reg)
	st, err := a.openStore()
	if err != nil {
		return nil, err
	}
	a.store = st
	cons, err := cfg.BuildConsortium()
	if err != nil {
		st.Close()
		return nil, err
	}
	eidKey, err := cfg.EIDKey()
	if err != nil {
		st.Close()
		return nil, err
	}
	a.svc, err = core.NewService(st, cons, core.Options{Observe: a.metrics.observeOp, Clock: opts.Clock, KDF: opts.KDF, EIDKey: eidKey,
		PINLockout: a.cfg.SIP2.Throttle.PatronPIN.Settings(), PINCheckWait: a.cfg.SIP2.Throttle.PINCheckWait.Duration,
		Staff: a.cfg.Staff.Settings()})
	if err != nil {
		st.Close()
		return nil, err
	}
	if err := a.migrateEID(); err != nil {
		st.Close()
		return nil, err
	}
	if a.catalog, err = a.openCatalog(); err != nil {
		st.Close()
		return nil, err
	}
	if n := a.catalog.Index().Rebuilt(); n > 0 {
		a.log.Info().Int("records", n).Int("key_version", search.KeysVersion).
			Msg("search index was built by an older bibgate: rebuilt from the stored records")
	}
	return a, nil
}

// openCatalog opens the catalogue beside the circulation data; with the
// memory backend it lives in a temporary directory removed at the end.
func (a *App) openCatalog() (*catalog.Catalogue, error) {
	dir := a.cfg.DataDir
	if a.cfg.Store.Backend == "memory" {
		tmp, err := os.MkdirTemp("", "bibgate-catalog-")
		if err != nil {
			return nil, fmt.Errorf("catalogue: %w", err)
		}
		dir, a.tmpDir = tmp, tmp
	}
	// The catalogue lives in the data directory whatever the circulation
	// backend: with PostgreSQL nothing else creates it.
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	if pg, ok := a.store.(*pgstore.Store); ok {
		return a.openSharedCatalog(dir, pg)
	}
	return catalog.Open(filepath.Join(dir, "catalogue.db"), a.svc)
}

// Catalogue is the union catalogue.
func (a *App) Catalogue() *catalog.Catalogue { return a.catalog }

// close releases the store and the catalogue.
func (a *App) close() {
	a.catalog.Close()
	a.store.Close()
	if a.tmpDir != "" {
		os.RemoveAll(a.tmpDir)
	}
}

func (a *App) openStore() (store.Store, error) {
	switch a.cfg.Store.Backend {
	case "memory":
		return memstore.New(), nil
	case "postgres":
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		st, err := pgstore.Open(ctx, a.cfg.Store.PostgresDSN, pgstore.Options{Schema: a.cfg.Store.PostgresSchema,
			MaxConns: int32(min(a.cfg.Store.MaxConns, math.MaxInt32)), StatementTimeout: a.cfg.Store.StatementTimeout.Duration,
			OnCommit: func(attempts int, d time.Duration, err error) { a.metrics.observeCommit(1, d, err) },
		})
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL store: %w", err)
		}
		return st, nil
	default:
		if err := os.MkdirAll(a.cfg.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		path := filepath.Join(a.cfg.DataDir, "circulation.db")
		st, err := boltstore.Open(path, boltstore.Options{
			NoSync: a.cfg.Store.NoSync, MaxBatch: a.cfg.Store.MaxBatch, LockTimeout: 5 * time.Second,
			OnCommit: a.metrics.observeCommit,
		})
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		return st, nil
	}
}

// Service is the circulation core.
func (a *App) Service() *core.Service { return a.svc }

// Registry is the Prometheus registry every component registers on.
func (a *App) Registry() *prometheus.Registry { return a.reg }

// Addr returns the address a named listener ("admin", "sip2", ...) is
// bound to, once Run has bound it.
func (a *App) Addr(name string) net.Addr {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.listeners[name]
}

// Ready is closed when every listener is bound and demo data is loaded.
func (a *App) Ready() <-chan struct{} { return a.ready }

// Start runs the gateway in the background, as Run does, and returns once
// every listener is open: with the error that kept it from opening, or a
// timeout after within. stop ends it as a cancelled Run does (requests in
// flight finish) and returns what Run returned. ctx bounds the whole run.
func (a *App) Start(ctx context.Context, within time.Duration) (stop func() error, err error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	timer := time.NewTimer(within)
	defer timer.Stop()
	select {
	case <-a.Ready():
		return func() error { cancel(); return <-done }, nil
	case err := <-done:
		cancel()
		if err == nil {
			err = errors.New("app: stopped before its listeners were open")
		}
		return nil, err
	case <-timer.C:
		cancel()
		<-done
		return nil, fmt.Errorf("app: listeners not open after %v", within)
	}
}

func (a *App) bound(name string, addr net.Addr) {
	a.mu.Lock()
	a.listeners[name] = addr
	a.mu.Unlock()
	a.log.Info().Str("listener", name).Str("addr", addr.String()).Msg("listening")
	a.warnPublicDemo(name, addr)
}

// Run serves until ctx is cancelled, then shuts down in order: stop
// accepting, let in-flight requests finish (up to the grace period), stop
// the jobs, close the store. It returns nil after a clean shutdown.
func (a *App) Run(ctx context.Context) error {
	defer a.close()
	followCtx, stopFollowing := context.WithCancel(context.WithoutCancel(ctx))
	following := a.runFollower(followCtx)
	defer func() { stopFollowing(); <-following }()
	if a.cfg.Demo.Load {
		loaded, err := demo.Loaded(ctx, a.svc)
		if err != nil {
			return fmt.Errorf("check demo data: %w", err)
		}
		if !loaded {
			a.log.Info().Msg("loading demo data (patrons P0001-P0100, PIN 1234; items I000001...)")
			if err := demo.Load(ctx, a.svc); err != nil {
				return fmt.Errorf("load demo data: %w", err)
			}
		}
		if err := a.loadDemoCatalogue(ctx); err != nil {
			return err
		}
	}
	if a.cfg.Demo.BenchPatrons > 0 || a.cfg.Demo.BenchItems > 0 {
		a.log.Info().Int("patrons", a.cfg.Demo.BenchPatrons).Int("items", a.cfg.Demo.BenchItems).Msg("loading the benchmark population")
		if err := demo.LoadBench(ctx, a.svc, a.cfg.Demo.BenchPatrons, a.cfg.Demo.BenchItems); err != nil {
			return err
		}
	}
	var servers []server
	if a.cfg.Admin.Listen != "" { // "off" on the command line
		admin, err := a.adminServer()
		if err != nil {
			return err
		}
		servers = append(servers, admin)
	}
	protos, err := a.protocolServers()
	if err != nil {
		for _, s := range servers {
			_ = s.shutdown(context.Background())
		}
		return err
	}
	servers = append(servers, protos...)
	if a.outbox, err = a.illOutbox(); err != nil {
		for _, s := range servers {
			_ = s.shutdown(context.Background())
		}
		return err
	}
	mailReader, err := a.illMailReader()
	if err != nil {
		for _, s := range servers {
			_ = s.shutdown(context.Background())
		}
		return err
	}

	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() {
			if err := s.serve(); err != nil {
				errc <- fmt.Errorf("%s: %w", s.name, err)
			}
		}()
	}
	jobsDone := make(chan struct{})
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	lead := a.campaign(jobsCtx)
	go func() {
		defer close(jobsDone)
		whileLeading(jobsCtx, lead, a.runJobs)
	}()
	outboxDone := make(chan struct{})
	go func() {
		defer close(outboxDone)
		if a.outbox != nil {
			whileLeading(jobsCtx, lead, func(ctx context.Context) { _ = a.outbox.Run(ctx) })
		}
	}()
	mailDone := make(chan struct{})
	go func() {
		defer close(mailDone)
		if mailReader != nil {
			whileLeading(jobsCtx, lead, mailReader)
		}
	}()
	noticesDone := make(chan struct{})
	go func() {
		defer close(noticesDone)
		if a.cfg.Notices.SMTP != "" {
			whileLeading(jobsCtx, lead, a.runNotices)
		}
	}()
	close(a.ready)

	var runErr error
	select {
	case <-ctx.Done():
		a.log.Info().Msg("shutting down")
	case runErr = <-errc:
		a.log.Error().Err(runErr).Msg("listener failed; shutting down")
	}
	a.drain(servers)
	stopJobs()
	<-jobsDone
	<-outboxDone
	<-mailDone
	<-noticesDone
	<-lead.Done() // the lease is given up before the store closes
	return runErr
}

// server is one listener with its lifecycle.
type server struct {
	name     string
	serve    func() error
	shutdown func(context.Context) error
}

func (a *App) adminServer() (server, error) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{Registry: a.reg}))
	// Profiles for operators, on the admin listener only (loopback by default).
	// Profiles and imports need the admin token (admin.go).
	mux.Handle("/debug/pprof/", a.requireToken(http.HandlerFunc(pprof.Index)))
	mux.Handle("/debug/pprof/profile", a.requireToken(http.HandlerFunc(pprof.Profile)))
	mux.Handle("/debug/pprof/symbol", a.requireToken(http.HandlerFunc(pprof.Symbol)))
	mux.Handle("/debug/pprof/trace", a.requireToken(http.HandlerFunc(pprof.Trace)))
	// Imports into the running server (bibgate import|patrons import|items
	// import --server): the data files belong to this process while it runs.
	imports := http.NewServeMux()
	a.importRoutes(imports)
	for _, route := range []string{"POST /catalogue/import", "POST /patrons/import", "POST /items/import"} {
		mux.Handle(route, a.requireToken(a.limitImport(imports)))
	}
	ill := http.NewServeMux()
	a.illRoutes(ill)
	a.illFindRoute(ill)
	mux.Handle("/ill/", a.requireToken(ill))
	// The staff API: its own sessions and CSRF tokens (adapters/staffapi).
	mux.Handle(staffapi.Prefix+"/", staffapi.New(a.svc, staffapi.Options{Log: a.log, SecureCookie: a.cfg.Staff.SecureCookie,
		Record: a.recordDescription}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-a.ready:
		default:
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		// One read, one round trip to a shared database: probes come
		// often, from every node.
		if err := a.store.View(ctx, func(tx store.Tx) error {
			_, _, err := tx.Get("readyz", "probe")
			return err
		}); err != nil {
			http.Error(w, "store: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		if a.catalogueNotReady(w) {
			return
		}
		fmt.Fprint(w, "ready\n"+a.readyNote())
	})
	if err := a.mountStaffWeb(mux); err != nil { // the staff console, /staff/
		return server{}, err
	}
	ln, err := net.Listen("tcp", a.cfg.Admin.Listen)
	if err != nil {
		return server{}, fmt.Errorf("admin listener: %w", err)
	}
	a.bound("admin", ln.Addr())
	proxies, err := clientaddr.New(a.cfg.Staff.TrustedProxies)
	if err != nil {
		return server{}, fmt.Errorf("staff.trusted_proxies: %w", err)
	}
	hs := &http.Server{Handler: proxies.Handler(mux), ReadHeaderTimeout: 10 * time.Second}
	return server{
		name: "admin",
		serve: func() error {
			if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
		shutdown: httpShutdown(hs),
	}, nil
}

// campaign competes for the lease under which the background jobs and
// notice delivery run: with PostgreSQL shared by several gateways one of
// them leads at a time; with a store of its own a gateway always leads.
func (a *App) campaign(ctx context.Context) *store.Leadership {
	var failing atomic.Bool
	return store.Campaign(ctx, a.store, "jobs", store.LeadershipOptions{
		TTL: a.cfg.Jobs.Lease.Duration,
		OnChange: func(leading bool) {
			failing.Store(false)
			if leading {
				a.metrics.leader.Set(1)
				a.log.Info().Msg("this node leads: it runs the background jobs")
			} else {
				a.metrics.leader.Set(0)
				a.log.Info().Msg("this node no longer leads the background jobs")
			}
		},
		OnError: func(err error) {
			if !failing.Swap(true) { // once per outage
				a.log.Warn().Err(err).Msg("background jobs: cannot reach the store to take or renew the lease")
			}
		},
	})
}

// whileLeading runs fn for each term this node leads, with a context that
// ends with the term, until ctx ends.
func whileLeading(ctx context.Context, lead *store.Leadership, fn func(context.Context)) {
	for {
		term, err := lead.Await(ctx)
		if err != nil {
			return
		}
		fn(term)
	}
}

// runJobs runs the background jobs now and then every interval.
func (a *App) runJobs(ctx context.Context) {
	every := a.cfg.Jobs.Interval.Duration
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		rep, err := a.svc.RunJobs(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Error().Err(err).Msg("background jobs")
		case err == nil:
			a.metrics.observeJobs(rep)
			a.log.Info().Int("holds_expired", rep.HoldsExpired).Int("reminders", rep.RemindersSent).
				Int("loans_anonymised", rep.LoansAnonymised).Int("patrons_deleted", rep.PatronsDeleted).
				Int("ill_overdue", rep.ILL.Overdue).Int("ill_expired", rep.ILL.Expired).Int("ill_rota_moved", rep.ILL.RotaMoved).Msg("background jobs ran")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// loadDemoCatalogue puts the demo catalogue (the demo titles and the real
// sample records) into an empty catalogue; one with records of its own is
// left alone.
func (a *App) loadDemoCatalogue(ctx context.Context) error {
	loaded, err := a.catalog.SeedIfEmpty(ctx, demo.CatalogueRecords())
	if err != nil {
		return fmt.Errorf("demo catalogue: %w", err)
	}
	if !loaded {
		if _, demoThere, err := a.catalog.Index().ID(ctx, "demo-0001"); err == nil && !demoThere {
			a.log.Info().Msg("the catalogue has records of its own: demo records not added")
		}
	}
	return nil
}

// runNotices sends queued notices by e-mail every interval; it runs only
// when a relay is configured (without one they stay queued: bibgate check
// counts them).
func (a *App) runNotices(ctx context.Context) {
	c := a.cfg.Notices
	nf := &notify.SMTP{Addr: c.SMTP, From: c.From, Libraries: a.svc.Consortium()}
	every := c.Interval.Duration
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := a.svc.DeliverNotices(ctx, nf)
		a.metrics.jobs.WithLabelValues("notice_sent").Add(float64(n))
		if err != nil && ctx.Err() == nil {
			a.metrics.jobs.WithLabelValues("notice_failed").Inc()
			a.log.Warn().Err(err).Int("sent", n).Msg("notices: some could not be sent; they stay queued")
		} else if n > 0 {
			a.log.Info().Int("sent", n).Msg("notices sent")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
