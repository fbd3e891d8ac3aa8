package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// readmeServe pastes a README example that writes a configuration file
// (a block starting "cat > file <<'EOF'", the file, EOF) and starts
// bibgate serve with it on the line after: the file goes into a new
// directory and the serve line runs there with flags added (the README's
// ports may be taken here: give the listener 127.0.0.1:0). It returns the
// directory, the address the named listener reports, and stop, which ends
// the server with SIGTERM and fails the test unless it exits cleanly.
func readmeServe(t *testing.T, file, listener string, flags ...string) (dir, addr string, stop func()) {
	t.Helper()
	setup := blockStarting(t, "cat > "+file+" <<'EOF'\n")
	_, rest, _ := strings.Cut(setup, "<<'EOF'\n")
	toml, after, ok := strings.Cut(rest, "\nEOF\n")
	if !ok {
		t.Fatalf("README's configuration block has no EOF line:\n%s", setup)
	}
	serveLine := strings.Fields(strings.TrimSpace(after))
	if len(serveLine) < 2 || serveLine[0] != "bibgate" || serveLine[1] != "serve" {
		t.Fatalf("README starts the server with %q", after)
	}
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, file), []byte(toml+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, logs := bibgate(t, dir, append(serveLine[1:], flags...)...)
	addr = waitListening(t, logs, listener)
	go func() {
		for logs.Scan() {
		}
	}()
	return dir, addr, func() {
		t.Helper()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("serve: %v", err)
		}
	}
}

// bibgateOutput runs this test binary as bibgate with args in dir, as a
// user runs a command the README shows, and returns what it printed; a
// failing command fails the test.
func bibgateOutput(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := bibgateCommand(t, dir, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("bibgate %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
