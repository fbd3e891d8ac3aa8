package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/pgtest"
	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2client"
	"github.com/bibgate/bibgate/store/pgstore"
)

// faultNode is one bibgate serve process of the fault test; it can be
// killed and started again on its configuration and data directory.
type faultNode struct {
	t    *testing.T
	name string
	dir  string
	cfg  string

	mu    sync.Mutex
	cmd   *exec.Cmd
	admin string
	sip   string // "" while the node is down
	logs  *drain
}

func newFaultNode(t *testing.T, dir, name, dsn string) *faultNode {
	t.Helper()
	src := fmt.Sprintf(`data_dir = %q
[store]
backend = "postgres"
postgres_dsn = %q
postgres_schema = "consortium"
eid_key_file = %q
[jobs]
interval = "100ms"
lease = "2s"
[demo]
load = true
[[sip2.account]]
login = "sc"
password = "pw"
library = "ILU"
institution = "ILU"
location = "ILU"
`, filepath.Join(dir, name+"-data"), dsn, filepath.Join(dir, "eid.key"))
	n := &faultNode{t: t, name: name, dir: dir, cfg: filepath.Join(dir, name+".toml")}
	if err := os.WriteFile(n.cfg, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return n
}

// start runs bibgate serve and waits until /readyz says ready.
func (n *faultNode) start() {
	t := n.t
	t.Helper()
	cmd, logs := bibgate(t, n.dir, "serve", "--config", n.cfg, "--admin", "127.0.0.1:0", "--sip2", "127.0.0.1:0",
		"--z3950", "off", "--log-format", "json")
	admin := waitListening(t, logs, "admin")
	sip := waitListening(t, logs, "sip2")
	d := &drain{}
	go d.run(logs)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		body, code := httpGet(t, "http://"+admin+"/readyz")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after 60 s: %d %s\n%s", n.name, code, body, d)
		}
	}
	n.mu.Lock()
	n.cmd, n.admin, n.sip, n.logs = cmd, admin, sip, d
	n.mu.Unlock()
}

// kill ends the process with SIGKILL: nothing is released or flushed.
func (n *faultNode) kill() {
	n.mu.Lock()
	cmd := n.cmd
	n.sip = ""
	n.mu.Unlock()
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
}

// stop ends the process in order.
func (n *faultNode) stop() {
	n.mu.Lock()
	cmd := n.cmd
	n.sip = ""
	n.mu.Unlock()
	_ = cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		n.t.Errorf("%s: stop: %v\n%s", n.name, err, n.logs)
	}
}

func (n *faultNode) sipAddr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.sip
}

func (n *faultNode) leads() bool {
	n.mu.Lock()
	admin := n.admin
	n.mu.Unlock()
	body, code := httpGet(n.t, "http://"+admin+"/metrics")
	return code == http.StatusOK && strings.Contains(body, "\nbibgate_jobs_leader 1\n")
}

// sipAck is one acknowledged (ok=1) checkout or checkin.
type sipAck struct {
	item     string
	checkout bool
	loan     string // the checkout's transaction id: the loan
	at       time.Time
}

// loadTerminal drives checkout, checkin, checkout ... of its items for its
// patron on one node, as a selfcheck does, and records every answer.
type loadTerminal struct {
	node   *faultNode
	patron string
	items  []string

	mu       sync.Mutex
	acks     []sipAck
	refused  int
	failed   int // no answer: connection lost, node down
	reasons  map[string]int
	slowest  time.Duration
	lastSent time.Time
}

// run drives the load until stop is closed and the last request was
// acknowledged (so that every item ends in a known state), or until
// deadline, or until abort is closed. A checkout not acknowledged is followed by the checkin (which
// answers ok=1 whether the checkout happened or not); a checkin not
// acknowledged is sent again.
func (s *loadTerminal) run(stop, abort <-chan struct{}, deadline time.Time) {
	var c *sip2client.Client
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	step := 0
	lastAcked := true
	for time.Now().Before(deadline) {
		select {
		case <-abort:
			return
		case <-stop:
			if lastAcked {
				return
			}
		default:
		}
		if c == nil {
			addr := s.node.sipAddr()
			if addr == "" {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			var err error
			c, err = sip2client.Dial(ctx, addr, sip2client.Options{})
			if err == nil {
				if err = c.Login(ctx, "sc", "pw", "ILU"); err != nil {
					c.Close()
					c = nil
				}
			}
			cancel()
			if c == nil {
				time.Sleep(50 * time.Millisecond)
				continue
			}
		}
		item, checkout := s.items[(step/2)%len(s.items)], step%2 == 0
		var req sip2.Message = &sip2.CheckinRequest{InstitutionID: "ILU", ItemID: item, CurrentLocation: "ILU"}
		if checkout {
			req = &sip2.CheckoutRequest{InstitutionID: "ILU", PatronID: s.patron, ItemID: item, PatronPassword: sip2.String("1234")}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		began := time.Now()
		resp, err := c.Send(ctx, req)
		took := time.Since(began)
		cancel()
		s.mu.Lock()
		s.slowest = max(s.slowest, took)
		s.lastSent = began
		ok, loan, why := false, "", ""
		switch r := resp.(type) {
		case *sip2.CheckoutResponse:
			ok, loan, why = r.OK, r.TransactionID, strings.Join(r.ScreenMessages, "; ")
		case *sip2.CheckinResponse:
			ok, why = r.OK, strings.Join(r.ScreenMessages, "; ")
		}
		switch {
		case err != nil:
			s.failed++
		case ok:
			s.acks = append(s.acks, sipAck{item: item, checkout: checkout, loan: loan, at: time.Now()})
		default:
			s.refused++
			if s.reasons == nil {
				s.reasons = map[string]int{}
			}
			s.reasons[why]++
		}
		s.mu.Unlock()
		lastAcked = err == nil && ok
		if err != nil {
			c.Close()
			c = nil
		}
		if lastAcked || checkout {
			step++
		}
		// A selfcheck's pace (a person at it is slower still), and a
		// pause after a refusal.
		time.Sleep(5 * time.Millisecond)
		if !lastAcked {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// acksAfter counts the acknowledgements after t.
func (s *loadTerminal) acksAfter(t time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, a := range s.acks {
		if a.at.After(t) {
			n++
		}
	}
	return n
}

// TestConsortiumSurvivesKillAndRestart: a private PostgreSQL and three
// bibgate serve processes on it, SIP2 checkout+checkin load spread over
// them. Node 1, leading the background jobs, is killed with SIGKILL mid-
// load and started again; then PostgreSQL itself is restarted; the load
// goes on. Overdue loans written before the start, after the kill and
// after the PostgreSQL restart get their reminders from whichever node
// leads. Afterwards every acknowledged checkout and checkin is there (each
// loan a checkout acknowledged exists, open exactly when no checkin of its
// item was acknowledged after it), bibgate check finds the database
// consistent, and no reminder or reminder fee was written twice.
func TestConsortiumSurvivesKillAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("a PostgreSQL server and three server processes")
	}
	began := time.Now()
	pg := pgtest.Start(t)
	t.Logf("PostgreSQL up on %s in %v", pg.Addr(), time.Since(began).Round(time.Millisecond))
	dsn := pg.DSN("")
	dir := t.TempDir()
	nodes := []*faultNode{newFaultNode(t, dir, "node1", dsn), newFaultNode(t, dir, "node2", dsn), newFaultNode(t, dir, "node3", dsn)}
	t.Cleanup(func() {
		for _, n := range nodes {
			if n.sipAddr() != "" {
				n.kill()
			}
			if t.Failed() && n.logs != nil {
				t.Logf("%s log, but for requests:\n%s", n.name, notRequests(n.logs.String()))
			}
		}
	})
	n1 := nodes[0]
	n1.start() // lays out the schema and loads the demo data
	for end := time.Now().Add(10 * time.Second); !n1.leads(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("node 1 alone does not lead the jobs after 10 s\n%s", n1.logs)
		}
	}
	nodes[1].start()
	nodes[2].start()
	t.Logf("three nodes ready %v after the start", time.Since(began).Round(time.Millisecond))

	// Patrons and items apart from the load's: each batch of loans is
	// written 60 days in the past, so every reminder is due at once.
	items := lendableDemoItems()
	const workers = 6
	if len(items) < 2*workers+6 {
		t.Fatalf("only %d lendable demo items", len(items))
	}
	overdueItems, loadItems := items[:6], items[6:]
	var batches [][2]string // patron, item
	overdue := func(name string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cfg, err := loadConfig(n1.cfg)
		if err != nil {
			t.Fatal(err)
		}
		st, err := pgstore.Open(ctx, dsn, pgstore.Options{Schema: cfg.Store.PostgresSchema})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer st.Close()
		cons, err := cfg.BuildConsortium()
		if err != nil {
			t.Fatal(err)
		}
		svc, err := core.NewService(st, cons, core.Options{Clock: core.NewFixedClock(time.Now().AddDate(0, 0, -60))})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			i := len(batches)
			b := [2]string{fmt.Sprintf("P%04d", 90+i), overdueItems[i]}
			if _, err := svc.Checkout(ctx, core.CheckoutRequest{Library: "ILU", PatronID: b[0], ItemID: b[1]}); err != nil {
				t.Fatalf("%s: overdue loan of %s to %s: %v", name, b[1], b[0], err)
			}
			batches = append(batches, b)
		}
	}
	// reminded waits until every overdue loan so far has its reminders.
	reminded := func(name string, svc func() *core.Service) {
		t.Helper()
		start := time.Now()
		for end := start.Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			missing := 0
			for _, b := range batches {
				ns, err := svc().Notices(context.Background(), b[0])
				if err != nil || len(ns) == 0 {
					missing++
				}
			}
			if missing == 0 {
				t.Logf("%s: reminders written %v after the loans", name, time.Since(start).Round(time.Millisecond))
				return
			}
			if time.Now().After(end) {
				t.Fatalf("%s: %d patrons without reminders after 20 s", name, missing)
			}
		}
	}
	var checker struct {
		mu  sync.Mutex
		svc *core.Service
		st  *pgstore.Store
	}
	openChecker := func() *core.Service {
		checker.mu.Lock()
		defer checker.mu.Unlock()
		if checker.svc != nil {
			return checker.svc
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cfg, err := loadConfig(n1.cfg)
		if err != nil {
			t.Fatal(err)
		}
		svc, st, err := openCore(ctx, cfg)
		if err != nil {
			t.Fatalf("open the database: %v", err)
		}
		checker.svc, checker.st = svc, st.(*pgstore.Store)
		return svc
	}
	t.Cleanup(func() {
		if checker.st != nil {
			checker.st.Close()
		}
	})
	overdue("before the load")
	reminded("node 1 leading", openChecker)

	// The load: two selfchecks per node, each with its own patron and two
	// items.
	stop, abort := make(chan struct{}), make(chan struct{})
	loadDeadline := began.Add(100 * time.Second)
	var scs []*loadTerminal
	var wg sync.WaitGroup
	for i := range workers {
		s := &loadTerminal{node: nodes[i%3], patron: fmt.Sprintf("P%04d", 20+i), items: loadItems[2*i : 2*i+2]}
		scs = append(scs, s)
		wg.Add(1)
		go func() { defer wg.Done(); s.run(stop, abort, loadDeadline) }()
	}
	var stopped atomic.Bool
	stopLoad := func() {
		if stopped.CompareAndSwap(false, true) {
			close(stop)
			wg.Wait()
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			close(abort)
		}
		stopLoad()
	})
	acked := func() int {
		n := 0
		for _, s := range scs {
			s.mu.Lock()
			n += len(s.acks)
			s.mu.Unlock()
		}
		return n
	}
	// waitAcks waits until every node's selfchecks have had n answers
	// acknowledged after since.
	waitAcks := func(what string, since time.Time, n int, within time.Duration) {
		t.Helper()
		for end := time.Now().Add(within); ; time.Sleep(50 * time.Millisecond) {
			short := []string{}
			for i, s := range scs {
				if s.acksAfter(since) < n {
					short = append(short, fmt.Sprintf("selfcheck %d on %s", i, s.node.name))
				}
			}
			if len(short) == 0 {
				t.Logf("%s: every selfcheck acknowledged %d after %v", what, n, time.Since(since).Round(time.Millisecond))
				return
			}
			if time.Now().After(end) {
				t.Fatalf("%s: %v without %d acknowledgements after %v", what, short, n, within)
			}
		}
	}
	waitAcks("load", began, 20, 30*time.Second)

	killed := time.Now()
	n1.kill()
	t.Logf("node 1 killed with %d transactions acknowledged", acked())
	overdue("after the kill")
	n1.start()
	t.Logf("node 1 ready again %v after the kill", time.Since(killed).Round(time.Millisecond))
	reminded("after the kill", openChecker)
	waitAcks("after the kill", time.Now(), 10, 20*time.Second)

	restarted := time.Now()
	if err := pg.Restart(); err != nil {
		t.Fatalf("restart PostgreSQL: %v", err)
	}
	up := time.Now()
	t.Logf("PostgreSQL restarted in %v with %d transactions acknowledged", up.Sub(restarted).Round(time.Millisecond), acked())
	overdue("after the PostgreSQL restart")
	reminded("after the PostgreSQL restart", openChecker)
	waitAcks("after the PostgreSQL restart", up, 10, 20*time.Second)
	stopLoad()

	// Every selfcheck's items end in the state of its last acknowledged
	// request; every acknowledged checkout's loan is there.
	ctx := context.Background()
	svc := openChecker()
	total, refused, failed := 0, 0, 0
	var slowest time.Duration
	for i, s := range scs {
		total += len(s.acks)
		refused += s.refused
		failed += s.failed
		slowest = max(slowest, s.slowest)
		if len(s.reasons) > 0 {
			t.Logf("selfcheck %d on %s refused: %v", i, s.node.name, s.reasons)
		}
		open := map[string]string{} // item → loan of its last acknowledged checkout, if not checked in since
		for _, a := range s.acks {
			if a.checkout {
				if a.loan == "" {
					t.Errorf("selfcheck %d: checkout of %s acknowledged without a transaction id", i, a.item)
				}
				open[a.item] = a.loan
			} else {
				delete(open, a.item)
			}
		}
		seen := map[string]bool{}
		for _, a := range s.acks {
			if !a.checkout || a.loan == "" {
				continue
			}
			if seen[a.loan] {
				t.Errorf("selfcheck %d: loan %s acknowledged twice", i, a.loan)
			}
			seen[a.loan] = true
			l, err := svc.Loan(ctx, a.loan)
			if err != nil {
				t.Errorf("selfcheck %d: acknowledged loan %s of %s: %v", i, a.loan, a.item, err)
				continue
			}
			// A returned loan may have been anonymised already.
			if l.ItemID != a.item || (l.PatronID != s.patron && (l.Open() || !l.Anonymised || l.PatronID != "")) {
				t.Errorf("selfcheck %d: loan %s is of %s to %q, acknowledged for %s to %s", i, a.loan, l.ItemID, l.PatronID, a.item, s.patron)
			}
			if want := open[a.item] == a.loan; l.Open() != want {
				t.Errorf("selfcheck %d: loan %s of %s open = %v, want %v (last acknowledged: %+v)", i, a.loan, a.item, l.Open(), want, s.acks[len(s.acks)-1])
			}
		}
		for _, item := range s.items {
			is, err := svc.Item(ctx, item)
			if err != nil {
				t.Fatal(err)
			}
			if onLoan := is.Item.Status == core.ItemOnLoan; onLoan != (open[item] != "") || (onLoan && is.Item.LoanID != open[item]) {
				t.Errorf("selfcheck %d: item %s is %s (loan %q), the last acknowledged request says loan %q", i, item, is.Item.Status, is.Item.LoanID, open[item])
			}
		}
	}
	t.Logf("%d transactions acknowledged, %d refused, %d unanswered; slowest answer %v", total, refused, failed, slowest.Round(time.Millisecond))
	if slowest > 8*time.Second {
		t.Errorf("an answer took %v: requests should fail fast while the database is away", slowest)
	}

	// The jobs ran once: each overdue loan has each of its reminders once,
	// all the same number of them, and one reminder fee per reminder with
	// a fee.
	reminders := -1
	for _, b := range batches {
		ns, err := svc.Notices(ctx, b[0])
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		numbers := map[int]int{}
		withFee := 0
		for _, n := range ns {
			kinds[string(n.Kind)]++
			if n.Kind == core.NoticeReminder && n.ItemID == b[1] {
				numbers[n.Number]++
				if n.Fee > 0 {
					withFee++
				}
			}
		}
		if len(kinds) != 1 || kinds[string(core.NoticeReminder)] != len(numbers) {
			t.Errorf("%s: notices %v, reminders numbered %v", b[0], kinds, numbers)
		}
		var nums []int
		for k, c := range numbers {
			nums = append(nums, k)
			if c != 1 {
				t.Errorf("%s: reminder %d of %s written %d times", b[0], k, b[1], c)
			}
		}
		sort.Ints(nums)
		for i, k := range nums {
			if k != i+1 {
				t.Errorf("%s: reminders numbered %v", b[0], nums)
				break
			}
		}
		if reminders == -1 {
			reminders = len(nums)
		} else if len(nums) != reminders {
			t.Errorf("%s: %d reminders, another overdue loan as old has %d", b[0], len(nums), reminders)
		}
		sum, err := svc.Patron(ctx, b[0])
		if err != nil {
			t.Fatal(err)
		}
		fees := 0
		for _, f := range sum.Fees {
			if f.Kind == core.FeeReminder {
				fees++
			}
		}
		if fees != withFee {
			t.Errorf("%s: %d reminder fees for %d reminders with a fee", b[0], fees, withFee)
		}
	}
	t.Logf("%d overdue loans, %d reminders each", len(batches), reminders)

	for _, n := range nodes {
		n.stop()
	}
	out := runOK(t, "check", "--config", n1.cfg)
	if !strings.Contains(out, "consistent") {
		t.Errorf("bibgate check:\n%s", out)
	}
	t.Logf("bibgate check: %s", strings.TrimSpace(out))
	t.Logf("whole test %v", time.Since(began).Round(time.Millisecond))
	if time.Since(began) > 120*time.Second {
		t.Errorf("the test took %v, more than 120 s", time.Since(began).Round(time.Second))
	}
}

// notRequests leaves out a server log's lines about single requests.
func notRequests(log string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(log, "\n") {
		if !strings.Contains(l, `"msg":"request"`) && !strings.Contains(l, `"msg":"sip2"`) {
			b.WriteString(l)
		}
	}
	return b.String()
}
