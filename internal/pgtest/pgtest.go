// Package pgtest runs a private, throw-away PostgreSQL server for tests that
// must do to the database what no shared one may suffer: restart it, stop
// it, take it away under running clients.
//
// Start runs Debian's server binaries (/usr/lib/postgresql/VERSION/bin:
// initdb and postgres) on a free loopback port with trust authentication,
// its data directory and socket in a temporary directory. PostgreSQL
// refuses to run as root, so when the test runs as root the server runs as
// the postgres user. The server stops and its directory goes when the test
// ends, failed or not, and the server goes with the test process should
// that die without cleaning up (a timeout, a kill). Start skips the test
// with a message saying what is missing when it cannot run here.
//
// The server runs with fsync off: a stop, a restart or a killed server
// loses nothing (the operating system keeps what was written), only a
// crash of the machine would, and the tests are faster for it.
package pgtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// StartupTimeout bounds how long Start and Restart wait for the server to
// accept connections.
const StartupTimeout = 60 * time.Second

// stopTimeout bounds a fast shutdown before the server is killed.
const stopTimeout = 20 * time.Second

// Server is a private PostgreSQL server.
type Server struct {
	Port int    // loopback TCP port
	Dir  string // the temporary directory: data directory "data" and the socket

	bin  string              // directory of initdb and postgres
	cred *syscall.Credential // the postgres user when the test runs as root
	logs *logBuffer

	mu   sync.Mutex
	proc *exec.Cmd     // the running postmaster, nil when stopped
	done chan struct{} // closed when proc has exited
}

// DSN is a connection string for database db ("postgres" when empty) as
// the superuser postgres.
func (s *Server) DSN(db string) string {
	if db == "" {
		db = "postgres"
	}
	return fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable", s.Addr(), db)
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

// Logs returns what initdb and the server logged so far.
func (s *Server) Logs() string { return s.logs.String() }

// Binaries returns the directory of Debian's PostgreSQL server binaries,
// the newest version installed, or an error saying what is missing.
func Binaries() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		ok := true
		for _, name := range []string{"initdb", "postgres"} {
			if _, err := os.Stat(filepath.Join(d, name)); err != nil {
				ok = false
			}
		}
		if ok {
			return d, nil
		}
	}
	return "", errors.New("no initdb and postgres in /usr/lib/postgresql/*/bin (Debian package postgresql)")
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Start runs a fresh PostgreSQL server for the test, or skips the test when
// none can run here. The server is stopped and removed when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Binaries()
	if err != nil {
		t.Skipf("pgtest: %v", err)
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("pgtest: running as root and there is no postgres user to run PostgreSQL as (Debian package postgresql adds it): %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	dir, err := os.MkdirTemp("", "pgtest")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Dir: dir, bin: bin, cred: cred, logs: &logBuffer{}}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
		if t.Failed() {
			t.Logf("PostgreSQL log:\n%s", s.Logs())
		}
		os.RemoveAll(dir)
	})
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
	initdb := s.command(filepath.Join(bin, "initdb"), "-D", s.dataDir(), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	initdb.Stdout, initdb.Stderr = s.logs, s.logs
	if err := initdb.Run(); err != nil {
		t.Fatalf("pgtest: initdb: %v\n%s", err, s.Logs())
	}
	// A port free now may be taken before the server binds it: try again
	// on another.
	for attempt := 0; ; attempt++ {
		if s.Port, err = freePort(); err != nil {
			t.Fatal(err)
		}
		err = s.start()
		if err == nil {
			break
		}
		if attempt == 2 || !strings.Contains(s.Logs(), "could not bind") {
			t.Fatalf("pgtest: %v\n%s", err, s.Logs())
		}
	}
	return s
}

func (s *Server) dataDir() string { return filepath.Join(s.Dir, "data") }

// command prepares a PostgreSQL binary to run as the server's user.
func (s *Server) command(path string, args ...string) *exec.Cmd {
	cmd := exec.Command(path, args...)
	cmd.Dir = s.Dir
	cmd.Env = []string{"LC_ALL=C", "PATH=" + s.bin + ":/usr/bin:/bin", "HOME=" + s.Dir}
	// The server goes when the test process does, however it ends (SIGQUIT
	// is PostgreSQL's immediate shutdown).
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGQUIT}
	return cmd
}

// start runs the postmaster and waits until it accepts connections.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		return errors.New("pgtest: server already running")
	}
	mark := s.logs.Len()
	cmd := s.command(filepath.Join(s.bin, "postgres"), "-D", s.dataDir(), "-p", strconv.Itoa(s.Port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+s.Dir,
		"-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
		"-c", "shared_buffers=32MB", "-c", "logging_collector=off",
		"-c", "log_lock_waits=on", "-c", "deadlock_timeout=200ms")
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.After(StartupTimeout)
	for {
		if strings.Contains(s.logs.Since(mark), "database system is ready to accept connections") {
			if c, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
				c.Close()
				s.proc, s.done = cmd, done
				return nil
			}
		}
		select {
		case <-done:
			return fmt.Errorf("pgtest: postgres exited on start: %v", cmd.ProcessState)
		case <-deadline:
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("pgtest: postgres not ready after %v", StartupTimeout)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Stop shuts the server down as pg_ctl stop does by default (fast: open
// sessions are ended, transactions in flight roll back) and waits for it;
// it kills the server if that takes too long. Stopping a stopped server
// does nothing.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return nil
	}
	proc, done := s.proc, s.done
	s.proc, s.done = nil, nil
	_ = proc.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(stopTimeout):
		_ = proc.Process.Kill()
		<-done
		return fmt.Errorf("pgtest: postgres did not stop within %v; killed", stopTimeout)
	}
	if ws, ok := proc.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return fmt.Errorf("pgtest: postgres stopped by %v", ws.Signal())
	}
	return nil
}

// Restart stops the server and starts it again on the same port and data,
// as `pg_ctlcluster 15 main restart` does: clients' connections break,
// new ones are accepted once it is up again.
func (s *Server) Restart() error {
	if err := s.Stop(); err != nil {
		return err
	}
	return s.start()
}

// Running reports whether the server is up.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc != nil
}

// PID is the postmaster's process id, 0 when stopped.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return 0
	}
	return s.proc.Process.Pid
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// logBuffer collects output from several processes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(b)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Len()
}

// Since returns what was written after the first n bytes.
func (l *logBuffer) Since(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf.Bytes()[n:])
}
