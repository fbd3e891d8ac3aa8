package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func connect(t *testing.T, s *Server) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.DSN(""))
	if err != nil {
		t.Fatalf("connect %s: %v", s.DSN(""), err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// TestRestartKeepsData: a private server accepts connections on loopback
// with trust authentication, runs as a user other than root, keeps what
// was committed across Restart (a connection opened before it breaks, new
// ones work), and refuses connections after Stop.
func TestRestartKeepsData(t *testing.T) {
	s := Start(t)
	ctx := context.Background()
	c := connect(t, s)
	var who string
	if err := c.QueryRow(ctx, "SELECT current_user").Scan(&who); err != nil || who != "postgres" {
		t.Fatalf("current_user = %q, %v", who, err)
	}
	if _, err := c.Exec(ctx, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (1), (2), (3)"); err != nil {
		t.Fatal(err)
	}
	before := s.PID()
	began := time.Now()
	if err := s.Restart(); err != nil {
		t.Fatalf("restart: %v", err)
	}
	t.Logf("restarted in %v", time.Since(began).Round(time.Millisecond))
	if s.PID() == before || s.PID() == 0 {
		t.Errorf("postmaster pid %d before the restart, %d after", before, s.PID())
	}
	if err := c.Ping(ctx); err == nil {
		t.Error("a connection opened before the restart still answers")
	}
	var n int
	if err := connect(t, s).QueryRow(ctx, "SELECT sum(n) FROM kept").Scan(&n); err != nil || n != 6 {
		t.Errorf("after the restart: sum %d, %v", n, err)
	}
	if err := s.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if s.Running() {
		t.Error("running after Stop")
	}
	if c, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after Stop", s.Addr())
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// TestTwoServersApart: two servers in one test have ports and data of
// their own.
func TestTwoServersApart(t *testing.T) {
	a, b := Start(t), Start(t)
	if a.Port == b.Port || a.Dir == b.Dir {
		t.Fatalf("both on port %d / %s", a.Port, a.Dir)
	}
	ctx := context.Background()
	if _, err := connect(t, a).Exec(ctx, "CREATE TABLE only_a (n int)"); err != nil {
		t.Fatal(err)
	}
	if _, err := connect(t, b).Exec(ctx, "SELECT * FROM only_a"); err == nil {
		t.Error("b sees a's table")
	}
}

// TestNothingOutlives runs Start in a child test process that either fails
// (the cleanup stops the server and removes its directory) or dies without
// cleaning up, as on a test timeout (the server goes with it).
func TestNothingOutlives(t *testing.T) {
	switch os.Getenv("PGTEST_CHILD") {
	case "fail":
		s := Start(t)
		fmt.Printf("server %d %s\n", s.PID(), s.Dir)
		t.Fatal("failing on purpose")
	case "kill":
		s := Start(t)
		fmt.Printf("server %d %s\n", s.PID(), s.Dir)
		os.Stdout.Sync()
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	if _, err := Binaries(); err != nil {
		t.Skipf("pgtest: %v", err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"fail", "kill"} {
		t.Run(mode, func(t *testing.T) {
			cmd := exec.Command(exe, "-test.run=^TestNothingOutlives$", "-test.v")
			cmd.Env = append(os.Environ(), "PGTEST_CHILD="+mode)
			out, err := cmd.CombinedOutput()
			if strings.Contains(string(out), "--- SKIP") {
				t.Skipf("child skipped:\n%s", out)
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("child did not fail: %v\n%s", err, out)
			}
			var pid int
			var dir string
			for _, l := range strings.Split(string(out), "\n") {
				if _, err := fmt.Sscanf(l, "server %d %s", &pid, &dir); err == nil {
					break
				}
			}
			if pid == 0 || !strings.Contains(dir, "pgtest") {
				t.Fatalf("child did not start a server:\n%s", out)
			}
			if mode == "kill" {
				t.Cleanup(func() { os.RemoveAll(dir) }) // the child had no time to
			}
			for end := time.Now().Add(10 * time.Second); syscall.Kill(pid, 0) == nil; time.Sleep(50 * time.Millisecond) {
				if time.Now().After(end) {
					syscall.Kill(pid, syscall.SIGKILL)
					t.Fatalf("postmaster %d still running 10 s after the test process ended", pid)
				}
			}
			if _, err := os.Stat(dir); mode == "fail" && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s left behind after the failed test: %v", dir, err)
			}
		})
	}
}
