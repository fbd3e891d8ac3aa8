package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestMain lets the test binary act as the bibgate command, so the tests
// run the real thing as a separate process: signals and exit codes included.
func TestMain(m *testing.M) {
	if os.Getenv("BIBGATE_AS_MAIN") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// bibgate starts the command with args in dir and returns it with a reader
// of its JSON log lines.
func bibgate(t *testing.T, dir string, args ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := bibgateCommand(t, dir, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, bufio.NewScanner(stderr)
}

// bibgateCommand is this test binary run as bibgate with args in dir.
func bibgateCommand(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BIBGATE_AS_MAIN=1")
	return cmd
}

// waitListening reads log lines until the named listener reports its
// address.
func waitListening(t *testing.T, logs *bufio.Scanner, name string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) && logs.Scan() {
		var line map[string]any
		if json.Unmarshal(logs.Bytes(), &line) != nil {
			continue
		}
		if line["listener"] == name && line["addr"] != nil {
			return fmt.Sprint(line["addr"])
		}
	}
	t.Fatalf("listener %s never reported", name)
	return ""
}

func TestServeDefaultMetricsAndCleanStop(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			cmd, logs := bibgate(t, dir, "serve", "--admin", "127.0.0.1:0", "--sip2", "off", "--z3950", "off", "--log-format", "json")
			addr := waitListening(t, logs, "admin")
			var body string
			for i := 0; i < 100; i++ {
				resp, err := http.Get("http://" + addr + "/readyz")
				if err == nil && resp.StatusCode == 200 {
					resp.Body.Close()
					break
				}
				if resp != nil {
					resp.Body.Close()
				}
				time.Sleep(100 * time.Millisecond)
			}
			resp, err := http.Get("http://" + addr + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			for _, want := range []string{"bibgate_store_commit_seconds", "bibgate_circulation_operations_total{op=\"checkout\",outcome=\"ok\"}"} {
				if !strings.Contains(body, want) {
					t.Errorf("/metrics lacks %s", want)
				}
			}
			if _, err := os.Stat(dir + "/bibgate-data/circulation.db"); err != nil {
				t.Errorf("embedded default did not use ./bibgate-data: %v", err)
			}
			go func() {
				for logs.Scan() {
				}
			}()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			defer func() {
				// After a clean stop the data is consistent.
				var out strings.Builder
				if code := run(context.Background(), []string{"check", "--data-dir", dir + "/bibgate-data"}, &out, io.Discard); code != 0 ||
					!strings.Contains(out.String(), "consistent") || !strings.Contains(out.String(), "5 open loans") {
					t.Errorf("check after stop: exit %d: %s", code, out.String())
				}
			}()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit after %v: %v, want status 0", sig, err)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("did not stop after %v", sig)
			}
		})
	}
}

func TestBadConfigNamesFileLineKey(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/bad.toml"
	if err := os.WriteFile(path, []byte("[store]\nbackend = \"bolt\"\n\n[sip2]\nlisten = \":6001\"\nmax_connz = 10\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "serve", "--config", path)
	cmd.Env = append(os.Environ(), "BIBGATE_AS_MAIN=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("bad config accepted")
	}
	if want := path + ":6: sip2.max_connz: unknown key"; !strings.Contains(string(out), want) {
		t.Errorf("output %q lacks %q", out, want)
	}
}

func TestVersion(t *testing.T) {
	var out strings.Builder
	if code := run(context.Background(), []string{"version"}, &out, io.Discard); code != 0 || !strings.HasPrefix(out.String(), "bibgate ") {
		t.Errorf("version: %d %q", code, out.String())
	}
	if code := run(context.Background(), []string{"nonsense"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("unknown command exit %d, want 2", code)
	}
}

// While bibgate serve runs, bibgate import --server loads records through
// the admin listener, and SRU on the Z39.50 port finds them at once.
func TestImportIntoRunningServer(t *testing.T) {
	// The server and bibgate import --server both read the token here.
	t.Setenv(adminTokenEnv, "a-token-for-this-test-only")
	dir := t.TempDir()
	cmd, logs := bibgate(t, dir, "serve", "--admin", "127.0.0.1:0", "--sip2", "off", "--z3950", "127.0.0.1:0", "--log-format", "json")
	admin := waitListening(t, logs, "admin")
	z := waitListening(t, logs, "z3950")
	go func() {
		for logs.Scan() {
		}
	}()
	file := dir + "/cat.mrc"
	if code := run(context.Background(), []string{"gen-catalogue", "-n", "50", "-o", file}, io.Discard, io.Discard); code != 0 {
		t.Fatalf("gen-catalogue exit %d", code)
	}
	count := func() string {
		resp, err := http.Get("http://" + z + "/Default?version=1.2&operation=searchRetrieve&query=cql.allRecords=1&maximumRecords=0")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	var before string
	for i := 0; i < 100 && !strings.Contains(before, "numberOfRecords"); i++ {
		before = count()
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(before, "<zs:numberOfRecords>47</zs:numberOfRecords>") {
		t.Fatalf("demo catalogue: %s", before)
	}
	var out, errOut strings.Builder
	if code := run(context.Background(), []string{"import", "--server", "http://" + admin, "--token", "not-the-token-at-all", file}, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "401 Unauthorized") {
		t.Fatalf("import --server with a wrong token: exit %d: %s", code, errOut.String())
	}
	if code := run(context.Background(), []string{"import", "--server", "http://" + admin, file}, &out, io.Discard); code != 0 ||
		!strings.Contains(out.String(), "50 records stored") {
		t.Fatalf("import --server: exit %d: %s", code, out.String())
	}
	if after := count(); !strings.Contains(after, "<zs:numberOfRecords>97</zs:numberOfRecords>") {
		t.Errorf("after import: %s", after)
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// TestServePostgresCreatesDataDir: with backend = "postgres" the data
// directory (which holds the catalogue) is created on first start, as it is
// with the bolt backend.
func TestServePostgresCreatesDataDir(t *testing.T) {
	dsn := os.Getenv("BIBGATE_TEST_POSTGRES")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Skipf("no PostgreSQL server at %s: %v", dsn, err)
	}
	schema := fmt.Sprintf("bibgate_datadir_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		conn.Close(ctx)
	})
	dir := t.TempDir()
	cfg := dir + "/pg.toml"
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("data_dir = %q\n[store]\nbackend = \"postgres\"\npostgres_dsn = %q\npostgres_schema = %q\n[demo]\nload = true\n",
		dir+"/not/yet/there", dsn, schema)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, logs := bibgate(t, dir, "serve", "--config", cfg, "--admin", "127.0.0.1:0", "--sip2", "off", "--z3950", "off", "--log-format", "json")
	addr := waitListening(t, logs, "admin")
	go func() {
		for logs.Scan() {
		}
	}()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := os.Stat(dir + "/not/yet/there/catalogue.db"); err != nil {
		t.Errorf("catalogue not created in the new data dir: %v", err)
	}
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
}

// TestServeConsortiumLeaderKilled runs two bibgate serve processes on one
// PostgreSQL schema: one leads the background jobs (/metrics says which);
// when it is killed with SIGKILL, nothing released, the other leads once
// the lease has run out; when that one stops in order, a third leads at
// once.
func TestServeConsortiumLeaderKilled(t *testing.T) {
	dsn := os.Getenv("BIBGATE_TEST_POSTGRES")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Skipf("no PostgreSQL server at %s: %v", dsn, err)
	}
	schema := fmt.Sprintf("bibgate_lead_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		conn.Close(ctx)
	})
	const lease = 2 * time.Second
	type node struct {
		cmd   *exec.Cmd
		admin string
	}
	start := func() node {
		t.Helper()
		dir := t.TempDir()
		cfg := dir + "/pg.toml"
		if err := os.WriteFile(cfg, []byte(fmt.Sprintf("data_dir = %q\n[store]\nbackend = \"postgres\"\npostgres_dsn = %q\npostgres_schema = %q\n"+
			"eid_key_file = %q\n[jobs]\ninterval = \"100ms\"\nlease = %q\n[[library]]\nid = \"ILU\"\nname = \"Central\"\n",
			dir+"/data", dsn, schema, os.TempDir()+"/"+schema+".key", lease.String())), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd, logs := bibgate(t, dir, "serve", "--config", cfg, "--admin", "127.0.0.1:0", "--sip2", "off", "--z3950", "off", "--log-format", "json")
		addr := waitListening(t, logs, "admin")
		go func() {
			for logs.Scan() {
			}
		}()
		return node{cmd, addr}
	}
	t.Cleanup(func() { os.Remove(os.TempDir() + "/" + schema + ".key") })
	leads := func(n node) bool {
		resp, err := http.Get("http://" + n.admin + "/metrics")
		if err != nil {
			return false // a killed node
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(body), "\nbibgate_jobs_leader 1\n")
	}
	// waitLeads waits until exactly one of nodes leads and returns it.
	waitLeads := func(within time.Duration, nodes ...node) int {
		t.Helper()
		for end := time.Now().Add(within); time.Now().Before(end); time.Sleep(25 * time.Millisecond) {
			who, n := -1, 0
			for i, nd := range nodes {
				if leads(nd) {
					who, n = i, n+1
				}
			}
			if n > 1 {
				t.Fatalf("%d nodes lead at once", n)
			}
			if n == 1 {
				return who
			}
		}
		t.Fatalf("no node leads after %v", within)
		return -1
	}
	nodes := []node{start(), start()}
	first := waitLeads(10*time.Second, nodes...)
	time.Sleep(lease) // a lease period: still the same leader, and only it
	if again := waitLeads(time.Second, nodes...); again != first {
		t.Fatalf("the lead moved from node %d to %d with both alive", first, again)
	}

	killed := time.Now()
	nodes[first].cmd.Process.Kill()
	nodes[first].cmd.Wait()
	other := nodes[1-first]
	waitLeads(lease+lease/3+3*time.Second, other)
	t.Logf("the other node leads %v after the leader was killed (lease %v)", time.Since(killed).Round(time.Millisecond), lease)

	third := start()
	time.Sleep(200 * time.Millisecond)
	if leads(third) {
		t.Fatal("a new node leads beside the leader")
	}
	stopped := time.Now()
	other.cmd.Process.Signal(os.Interrupt)
	if err := other.cmd.Wait(); err != nil {
		t.Errorf("orderly stop: %v", err)
	}
	t.Logf("the leader stopped in %v", time.Since(stopped).Round(time.Millisecond))
	waitLeads(lease, third)
	t.Logf("a new node leads %v after the leader stopped in order", time.Since(stopped).Round(time.Millisecond))
	third.cmd.Process.Signal(os.Interrupt)
	third.cmd.Wait()
}
