package pgstore_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bibgate/bibgate/internal/tcpproxy"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/pgstore"
)

// viaProxy opens a store in the schema that belongs to key, connected to
// the test database through a proxy the test controls.
func (s *schemas) viaProxy(t *testing.T, key string, opts pgstore.Options) (*pgstore.Store, *tcpproxy.Proxy) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tcpproxy.Start(net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	cfg.ConnConfig.Host, cfg.ConnConfig.Port = "127.0.0.1", uint16(p.Addr().Port)
	opts.Schema = s.For(t, key)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	st, err := pgstore.OpenConfig(ctx, cfg, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st, p
}

func put(ctx context.Context, s store.Store, k, v string) error {
	return s.Update(ctx, func(tx store.Tx) error { return tx.Put("b", k, []byte(v)) })
}

// timed runs f and returns its error and how long it took.
func timed(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}

// recovers waits up to d for an Update to succeed again.
func recovers(t *testing.T, s store.Store, d time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		err := put(t.Context(), s, "k", "again")
		if err == nil {
			return time.Since(start)
		}
		if time.Since(start) > d {
			t.Fatalf("no recovery %v after the database came back: %v", d, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDatabaseGoneFailsFast: while the database refuses connections (it
// is restarting) or answers nothing (the network is down), transactions
// fail within a bounded time instead of queueing; when it is back they
// succeed again on their own, with nothing acknowledged lost.
func TestDatabaseGoneFailsFast(t *testing.T) {
	sc := newSchemas(t)
	const connect, statement = 500 * time.Millisecond, time.Second
	s, p := sc.viaProxy(t, "gone", pgstore.Options{ConnectTimeout: connect, StatementTimeout: statement})
	ctx := t.Context()
	if err := put(ctx, s, "k", "before"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mode   tcpproxy.Mode
		within time.Duration
	}{
		{"restarting", tcpproxy.Refuse, 500 * time.Millisecond},
		{"silent", tcpproxy.Silent, connect + statement + time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.Set(tc.mode)
			for i := range 3 {
				took, err := timed(func() error { return put(ctx, s, "k", "lost") })
				if err == nil {
					t.Fatalf("write %d succeeded with the database out of reach", i)
				}
				if took > tc.within {
					t.Errorf("write %d failed after %v, want within %v: %v", i, took, tc.within, err)
				}
				took, err = timed(func() error {
					return s.View(ctx, func(tx store.Tx) error { _, _, err := tx.Get("b", "k"); return err })
				})
				if err == nil || took > tc.within {
					t.Errorf("read %d: %v after %v, want an error within %v", i, err, took, tc.within)
				}
			}
			p.Set(tcpproxy.Forward)
			t.Logf("recovered %v after the link came back", recovers(t, s, 5*time.Second))
			var got string
			if err := s.View(ctx, func(tx store.Tx) error {
				v, _, err := tx.Get("b", "k")
				got = string(v)
				return err
			}); err != nil || got != "again" {
				t.Errorf("after recovery: %q, %v", got, err)
			}
		})
	}
}

// TestStatementTimeout: a transaction stuck behind a lock is cancelled by
// the database after the statement timeout, not left waiting.
func TestStatementTimeout(t *testing.T) {
	sc := newSchemas(t)
	s := sc.open(t, "stmt", pgstore.Options{StatementTimeout: 500 * time.Millisecond})
	defer s.Close()
	ctx := t.Context()
	if err := put(ctx, s, "k", "v"); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, sc.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	entries := pgx.Identifier{sc.For(t, "stmt"), "bibgate_entries"}.Sanitize()
	if _, err := conn.Exec(ctx, "LOCK TABLE "+entries+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	took, err := timed(func() error { return put(ctx, s, "k", "w") })
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "57014" {
		t.Errorf("write behind a lock: %v, want query_canceled (57014)", err)
	}
	if took > 2*time.Second {
		t.Errorf("write behind a lock failed after %v, want about 500ms", took)
	}
	conn.Exec(ctx, "ROLLBACK")
	if err := put(ctx, s, "k", "w"); err != nil {
		t.Errorf("after the lock is gone: %v", err)
	}
}

// TestMaxConns: however many transactions run at once, the store opens no
// more connections than MaxConns.
func TestMaxConns(t *testing.T) {
	sc := newSchemas(t)
	cfg, err := pgxpool.ParseConfig(sc.dsn)
	if err != nil {
		t.Fatal(err)
	}
	app := "bibgate-test-maxconns-" + sc.run
	cfg.ConnConfig.RuntimeParams["application_name"] = app
	ctx := t.Context()
	s, err := pgstore.OpenConfig(ctx, cfg, pgstore.Options{Schema: sc.For(t, "maxconns"), MaxConns: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	count := func() int {
		var n int
		if err := s.View(ctx, func(store.Tx) error { return nil }); err != nil {
			t.Error(err)
		}
		c, err := pgx.Connect(ctx, sc.dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if err := c.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", app).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := range 12 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(ctx, func(tx store.Tx) error {
					_, _, err := tx.Get("b", strconv.Itoa(i))
					time.Sleep(20 * time.Millisecond) // hold the connection
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	most := 0
	for range 10 {
		time.Sleep(30 * time.Millisecond)
		most = max(most, count())
	}
	close(stop)
	wg.Wait()
	if most > 3 || most == 0 {
		t.Errorf("%d connections open at most, want 1 to 3", most)
	}
	t.Logf("%d connections at most", most)
}
