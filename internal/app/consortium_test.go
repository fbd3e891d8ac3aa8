package app

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/internal/config"
)

// testPostgres returns the test database's DSN (BIBGATE_TEST_POSTGRES, or
// the local one) and a fresh schema in it, dropped when the test ends; it
// skips the test, saying why, when there is no database.
func testPostgres(t *testing.T) (dsn, schema string) {
	t.Helper()
	dsn = os.Getenv("BIBGATE_TEST_POSTGRES")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Skipf("PostgreSQL is not reachable (set BIBGATE_TEST_POSTGRES to a test database): %v", err)
	}
	conn.Close(ctx)
	var b [5]byte
	_, _ = rand.Read(b[:])
	schema = "bibgate_app_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return dsn, schema
}

// testClock is a clock the test moves on.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// mailSink is an SMTP server on loopback that counts the messages it is
// sent by Message-ID.
type mailSink struct {
	ln  net.Listener
	mu  sync.Mutex
	ids map[string]int
}

func newMailSink(t *testing.T) *mailSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &mailSink{ln: ln, ids: map[string]int{}}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.session(c)
		}
	}()
	return s
}

func (s *mailSink) session(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	say("220 sink ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
		case cmd == "DATA":
			say("354 go on")
			id := ""
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				if v, ok := strings.CutPrefix(l, "Message-ID: "); ok && id == "" {
					id = strings.TrimSpace(v)
				}
			}
			s.mu.Lock()
			s.ids[id]++
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *mailSink) counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.ids {
		out[k] = v
	}
	return out
}

// metric reads one unlabelled sample from a node's /metrics.
func metric(t *testing.T, admin, name string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + admin + "/metrics")
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("no %s in /metrics of %s", name, admin)
	return 0
}

type consortiumNode struct {
	app   *App
	admin string
}

// TestConsortiumJobsRunOnOneNode runs two gateways on one PostgreSQL
// database: one of them leads (its /metrics says so) and only it runs job
// rounds and sends notices; when its database connection is gone the other
// takes over within the lease, and every notice reaches the mail relay
// exactly once.
func TestConsortiumJobsRunOnOneNode(t *testing.T) {
	dsn, schema := testPostgres(t)
	sink := newMailSink(t)
	clock := &testClock{now: time.Now().UTC().Truncate(time.Second)}
	shared := t.TempDir()
	const lease = time.Second
	start := func() consortiumNode {
		t.Helper()
		cfg := config.Default()
		cfg.Store.Backend, cfg.Store.PostgresDSN, cfg.Store.PostgresSchema = "postgres", dsn, schema
		cfg.Store.EIDKeyFile = filepath.Join(shared, "eid.key")
		cfg.DataDir = t.TempDir()
		cfg.Admin.Listen = "127.0.0.1:0"
		cfg.SIP2.Listen, cfg.Z3950.Listen, cfg.SRU.Listen = "", "", ""
		cfg.Jobs.Interval.Duration, cfg.Jobs.Lease.Duration = 50*time.Millisecond, lease
		cfg.Notices.SMTP, cfg.Notices.From, cfg.Notices.Interval.Duration = sink.ln.Addr().String(), "lib@library.example.org", 50*time.Millisecond
		a, err := New(cfg, zerolog.Nop(), Options{Clock: clock, KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		stop, err := a.Start(context.Background(), 60*time.Second)
		if err != nil {
			t.Fatalf("start: %v", err)
		}
		t.Cleanup(func() {
			if err := stop(); err != nil {
				t.Errorf("run: %v", err)
			}
		})
		return consortiumNode{app: a, admin: a.Addr("admin").String()}
	}
	nodes := []consortiumNode{start(), start()} // the first loads the demo data
	leading := func() (n, who int) {
		who = -1
		for i, nd := range nodes {
			if metric(t, nd.admin, "bibgate_jobs_leader") == 1 {
				n, who = n+1, i
			}
		}
		return n, who
	}
	// waitLeader waits for one node to lead, node want if want >= 0.
	waitLeader := func(want int, within time.Duration) int {
		t.Helper()
		for end := time.Now().Add(within); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if n, who := leading(); n == 1 && (want < 0 || who == want) {
				return who
			}
		}
		n, who := leading()
		t.Fatalf("after %v: %d nodes lead (last %d), want node %d alone", within, n, who, want)
		return -1
	}
	first := waitLeader(-1, 5*time.Second)
	follower := 1 - first
	time.Sleep(300 * time.Millisecond) // several job intervals
	if n, who := leading(); n != 1 || who != first {
		t.Fatalf("%d nodes lead (last %d), want only node %d", n, who, first)
	}
	if r := metric(t, nodes[first].admin, "bibgate_jobs_rounds_total"); r < 2 {
		t.Errorf("the leader ran %v job rounds in 300ms at a 50ms interval", r)
	}
	if r := metric(t, nodes[follower].admin, "bibgate_jobs_rounds_total"); r != 0 {
		t.Errorf("the follower ran %v job rounds", r)
	}

	ctx := t.Context()
	svc := nodes[follower].app.Service()
	checkout := func(patron, item string) {
		t.Helper()
		if _, err := svc.Checkout(ctx, core.CheckoutRequest{Library: demo.Central, PatronID: patron, ItemID: item}); err != nil {
			t.Fatalf("checkout %s to %s: %v", item, patron, err)
		}
	}
	// allSent waits until patron has want notices and the relay has each of
	// them, and returns them.
	allSent := func(patron string, want int) []core.Notice {
		t.Helper()
		var ns []core.Notice
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			var err error
			if ns, err = svc.Notices(ctx, patron); err != nil {
				t.Fatal(err)
			}
			sent := 0
			for _, n := range ns {
				if !n.Sent.IsZero() {
					sent++
				}
			}
			if len(ns) >= want && sent == len(ns) {
				return ns
			}
		}
		t.Fatalf("%s: %d notices, not all sent, want %d sent", patron, len(ns), want)
		return nil
	}

	checkout(demo.PatronGood, "I000001")
	checkout("P0009", "I000002")
	clock.advance(45 * 24 * time.Hour) // I000001's reminders are due; I000002's too
	before := allSent(demo.PatronGood, 1)
	allSent("P0009", 1)

	// The leader loses its database (as when its process or its network
	// dies: nothing is released); the follower leads once the lease has
	// run out and goes on with the jobs.
	killed := time.Now()
	nodes[first].app.store.Close()
	waitLeader(follower, lease+lease/3+2*time.Second)
	t.Logf("node %d leads %v after node %d lost its database (lease %v)", follower, time.Since(killed).Round(time.Millisecond), first, lease)
	rounds := metric(t, nodes[follower].admin, "bibgate_jobs_rounds_total")
	checkout("P0010", "I000003")
	clock.advance(45 * 24 * time.Hour)
	after := allSent(demo.PatronGood, len(before)+1) // the next reminders, sent by the new leader
	allSent("P0010", 1)
	if r := metric(t, nodes[follower].admin, "bibgate_jobs_rounds_total"); r <= rounds {
		t.Errorf("the new leader ran no job round (%v before, %v after)", rounds, r)
	}

	time.Sleep(200 * time.Millisecond) // more rounds: still nothing twice
	got := sink.counts()
	var want []core.Notice
	for i := 1; i <= 100; i++ { // every demo patron: some have loans of their own
		p := fmt.Sprintf("P%04d", i)
		ns, err := svc.Notices(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, ns...)
	}
	if len(after) <= len(before) {
		t.Errorf("no new notice for %s after the takeover", demo.PatronGood)
	}
	total := 0
	for _, c := range got {
		total += c
	}
	if total != len(want) {
		t.Errorf("the relay got %d messages for %d notices: %v", total, len(want), got)
	}
	for _, n := range want {
		id := "<" + strings.NewReplacer("/", ".", " ", "").Replace(n.ID) + "@bibgate>"
		if got[id] != 1 {
			t.Errorf("notice %s reached the relay %d times", n.ID, got[id])
		}
	}
}
