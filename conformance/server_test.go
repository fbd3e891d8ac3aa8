package conformance

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/internal/app"
	"github.com/bibgate/bibgate/internal/config"
)

// demoServer is an in-process bibgate with fresh demo data, SIP2 on a
// loopback port.
type demoServer struct {
	addr    string // SIP2
	illAddr string // ISO 10161, when configured
	clock   *core.FixedClock
	cfg     *config.Config
	app     *app.App
}

// startDemo starts bibgate on the given store backend ("memory" or
// "bolt", the latter in a temporary directory) with its clock at now. It
// stops when the test ends.
func startDemo(t testing.TB, backend string, now time.Time) *demoServer {
	t.Helper()
	return startDemoWith(t, backend, now, nil)
}

// startDemoWith is startDemo with the configuration changed by edit first.
func startDemoWith(t testing.TB, backend string, now time.Time, edit func(*config.Config)) *demoServer {
	t.Helper()
	cfg := config.Default()
	cfg.Store.Backend = backend
	if backend == "postgres" {
		cfg.Store.PostgresDSN, cfg.Store.PostgresSchema = postgresSchema(t)
	}
	cfg.Store.NoSync = true // durability is not what these tests are about
	cfg.DataDir = t.TempDir()
	cfg.Admin.Listen = "127.0.0.1:0"
	cfg.SIP2.Listen = "127.0.0.1:0"
	cfg.SIP2.TLSListen = ""
	cfg.Z3950.Listen = ""
	cfg.SRU.Listen = ""
	if edit != nil {
		edit(cfg)
	}
	clock := core.NewFixedClock(now)
	a, err := app.New(cfg, zerolog.Nop(), app.Options{Clock: clock, KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	stop, err := a.Start(context.Background(), 30*time.Second)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("run: %v", err)
		}
	})
	waitFirstJobsRun(t, a)
	srv := &demoServer{addr: a.Addr("sip2").String(), clock: clock, cfg: cfg, app: a}
	if addr := a.Addr("ill"); addr != nil {
		srv.illAddr = addr.String()
	}
	return srv
}

// secrets returns what replaces "****" for a configured account.
func (s *demoServer) secrets(t testing.TB, account string) Secrets {
	t.Helper()
	for _, a := range s.cfg.SIP2.Accounts {
		if a.Login == account {
			return Secrets{LoginPassword: a.Password, TerminalPassword: a.Password, PatronPassword: demo.PIN}
		}
	}
	t.Fatalf("account %q is not configured", account)
	return Secrets{}
}

// env is the replay environment on this server.
func (s *demoServer) env(t testing.TB, account string) Env {
	return Env{
		Dial: func(ctx context.Context) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", s.addr)
		},
		Advance: func(d time.Duration) error { s.clock.Advance(d); return nil },
		Secrets: s.secrets(t, account),
		Timeout: 10 * time.Second,
	}
}

// listen opens a loopback listener closed when the test ends.
func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func dialTCP(addr string) (net.Conn, error) {
	return net.DialTimeout("tcp", addr, 5*time.Second)
}

// waitFirstJobsRun waits until the background jobs the server runs at
// start have finished (they report in bibgate_jobs_events_total), so that
// they cannot run late, after an "# advance:", and make a replay depend on
// timing. "# advance:" itself does not run the jobs.
func waitFirstJobsRun(t testing.TB, a *app.App) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mfs, err := a.Registry().Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == "bibgate_jobs_events_total" && len(mf.GetMetric()) > 0 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the background jobs did not report within 30s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// postgresDSN is the PostgreSQL server the tests use: BIBGATE_TEST_POSTGRES,
// or the local one.
func postgresDSN() string {
	if dsn := os.Getenv("BIBGATE_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// postgresSchema gives the test a schema of its own, dropped at the end,
// or skips the test (saying so) when no PostgreSQL server answers.
func postgresSchema(t testing.TB) (dsn, schema string) {
	t.Helper()
	dsn = postgresDSN()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Skipf("PostgreSQL backend: no server reachable (set BIBGATE_TEST_POSTGRES): %v", err)
	}
	conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema = fmt.Sprintf("bibgate_conformance_%x", b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, dsn); err == nil {
			_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
			conn.Close(ctx)
		}
	})
	return dsn, schema
}
