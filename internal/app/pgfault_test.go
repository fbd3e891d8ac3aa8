package app

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/config"
	"github.com/bibgate/bibgate/internal/tcpproxy"
	"github.com/bibgate/bibgate/z3950"
	"github.com/bibgate/bibgate/z3950/z3950client"
)

// sip2Client is one logged-in SIP2 connection.
type sip2Client struct {
	c net.Conn
	r *bufio.Reader
}

func (s *sip2Client) send(t *testing.T, msg string, within time.Duration) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	s.c.SetDeadline(start.Add(within))
	if _, err := s.c.Write([]byte(msg + "\r")); err != nil {
		t.Fatalf("send %q: %v", msg, err)
	}
	line, err := s.r.ReadString('\r')
	if err != nil {
		t.Fatalf("no answer to %.20q within %v: %v", msg, within, err)
	}
	return strings.TrimSpace(line), time.Since(start)
}

func checkoutMsg(patron, item string) string {
	now := time.Now().Format("20060102    150405")
	return "11YN" + now + "                  AOILU|AA" + patron + "|AB" + item + "|AC|AD1234|"
}

// field returns the value of a SIP2 variable field.
func field(msg, id string) string {
	for _, f := range strings.Split(msg, "|") {
		if v, ok := strings.CutPrefix(f, id); ok {
			return v
		}
	}
	return ""
}

func readyz(t *testing.T, admin string) int {
	t.Helper()
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + admin + "/readyz")
	if err != nil {
		t.Fatalf("readyz: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// opacPresent searches the node's catalogue by Z39.50 and asks for the
// first hit as an OPAC record (with live holdings from circulation).
func opacPresent(t *testing.T, addr string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, err := z3950client.Dial(ctx, addr, z3950client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Abort()
	if _, err := c.Init(ctx, z3950client.InitOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := c.Search(ctx, z3950client.SearchOptions{PQF: "@attr 1=12 demo-0010"})
	if err != nil {
		t.Fatalf("search from the node's own index: %v", err)
	}
	if res.ResultCount != 1 {
		t.Fatalf("search: %d hits, want 1", res.ResultCount)
	}
	_, err = c.Present(ctx, "", 1, 1, z3950.OIDOPAC, "F")
	return err
}

// TestPostgresOutage puts the node's database behind a proxy and cuts it,
// first as a restarting server does (connections refused), then as a
// dead network does (nothing answers): SIP2 checkouts are answered at once
// with ok=0 and a screen message, Z39.50 live holdings with diagnostic 2,
// /readyz with 503; when the link is back the node serves again by
// itself, and what it acknowledged is there.
func TestPostgresOutage(t *testing.T) {
	dsn, schema := testPostgres(t)
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := tcpproxy.Start(net.JoinHostPort(pc.ConnConfig.Host, strconv.Itoa(int(pc.ConnConfig.Port))))
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		t.Skipf("BIBGATE_TEST_POSTGRES is not a URL; this test rewrites its host")
	}
	u.Host = proxy.Addr().String()
	q := u.Query()
	q.Set("connect_timeout", "1")
	u.RawQuery = q.Encode()

	cfg := config.Default()
	cfg.Store.Backend, cfg.Store.PostgresDSN, cfg.Store.PostgresSchema = "postgres", u.String(), schema
	cfg.Store.StatementTimeout.Duration = time.Second
	cfg.DataDir = t.TempDir()
	cfg.Admin.Listen, cfg.SIP2.Listen, cfg.Z3950.Listen, cfg.SRU.Listen = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0", ""
	yes := true
	cfg.Z3950.Anonymous = &yes
	a, err := New(cfg, zerolog.Nop(), Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	stop, err := a.Start(context.Background(), 60*time.Second)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	admin, z := a.Addr("admin").String(), a.Addr("z3950").String()
	c := dialSIP2(t, a.Addr("sip2").String())
	if line, err := loginDemo(c); err != nil || line != "941" {
		t.Fatalf("login: %q %v", line, err)
	}
	sc := &sip2Client{c: c, r: bufio.NewReader(c)}

	if ans, _ := sc.send(t, checkoutMsg("P0001", "I000001"), 5*time.Second); !strings.HasPrefix(ans, "121") {
		t.Fatalf("checkout with the database up: %q", ans)
	}
	if code := readyz(t, admin); code != 200 {
		t.Fatalf("readyz with the database up: %d", code)
	}
	if err := opacPresent(t, z); err != nil {
		t.Fatalf("OPAC present with the database up: %v", err)
	}

	for _, tc := range []struct {
		name   string
		mode   tcpproxy.Mode
		within time.Duration // for an answer
	}{
		{"restarting", tcpproxy.Refuse, time.Second},
		// connect_timeout 1s, statement_timeout 1s.
		{"silent", tcpproxy.Silent, 3500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proxy.Set(tc.mode)
			for i, item := range []string{"I000002", "I000003"} {
				ans, took := sc.send(t, checkoutMsg("P0001", item), 30*time.Second)
				if !strings.HasPrefix(ans, "120") {
					t.Errorf("checkout %d with the database %s: %q, want ok=0", i, tc.name, ans)
				}
				if af := field(ans, "AF"); af == "" {
					t.Errorf("checkout %d: no screen message in %q", i, ans)
				} else {
					t.Logf("checkout %d answered in %v: AF %q", i, took.Round(time.Millisecond), af)
				}
				if took > tc.within {
					t.Errorf("checkout %d answered after %v, want within %v", i, took, tc.within)
				}
			}
			if code := readyz(t, admin); code != http.StatusServiceUnavailable {
				t.Errorf("readyz with the database %s: %d, want 503", tc.name, code)
			}
			err := opacPresent(t, z)
			var d *z3950.Diagnostic
			if !errors.As(err, &d) || d.Condition != z3950.DiagTemporarySystemError {
				t.Errorf("OPAC present with the database %s: %v, want diagnostic 2", tc.name, err)
			}

			proxy.Set(tcpproxy.Forward)
			start := time.Now()
			for readyz(t, admin) != 200 {
				if time.Since(start) > 10*time.Second {
					t.Fatalf("readyz not 200 %v after the database came back", time.Since(start))
				}
				time.Sleep(50 * time.Millisecond)
			}
			t.Logf("ready %v after the database came back", time.Since(start).Round(time.Millisecond))
			if err := opacPresent(t, z); err != nil {
				t.Errorf("OPAC present after the database came back: %v", err)
			}
		})
	}
	// The checkouts refused during the outage did nothing; the one
	// acknowledged before it is there; a checkout now succeeds.
	svc := a.Service()
	for item, want := range map[string]core.ItemStatus{"I000001": core.ItemOnLoan, "I000002": core.ItemAvailable, "I000003": core.ItemAvailable} {
		is, err := svc.Item(t.Context(), item)
		if err != nil {
			t.Fatal(err)
		}
		if is.Item.Status != want {
			t.Errorf("%s: %v, want %v", item, is.Item.Status, want)
		}
	}
	if ans, _ := sc.send(t, checkoutMsg("P0001", "I000002"), 5*time.Second); !strings.HasPrefix(ans, "121") {
		t.Errorf("checkout after the database came back: %q", ans)
	}
}
