package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal and returns its terminal side, the file a
// shell's standard output is when nothing is redirected.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal on this machine (/dev/ptmx: %v)", err)
	}
	t.Cleanup(func() { master.Close() })
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlock pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Skipf("pseudo-terminal number: %v", err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return tty
}

// TestBinaryOutputRefusedOnTerminal: gen-catalogue and export write ISO
// 2709, which garbles a terminal; on one they refuse and say what to do,
// and to a file, a pipe or /dev/null they write as before.
func TestBinaryOutputRefusedOnTerminal(t *testing.T) {
	tty := openPTY(t)
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		out      *os.File
		wantCode int
	}{
		{"gen-catalogue to a terminal", []string{"gen-catalogue", "-n", "3"}, tty, 2},
		{"gen-catalogue to /dev/null", []string{"gen-catalogue", "-n", "3"}, devNull, 0},
		{"gen-catalogue -o file from a terminal", []string{"gen-catalogue", "-n", "3", "-o", filepath.Join(dir, "x.mrc")}, tty, 0},
		{"export to a terminal", []string{"export", "--data-dir", dir}, tty, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(context.Background(), tt.args, tt.out, &stderr)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", code, tt.wantCode, stderr.String())
			}
			if tt.wantCode == 2 && !strings.Contains(stderr.String(), "-o FILE") {
				t.Errorf("refusal does not say what to do: %s", stderr.String())
			}
		})
	}
}
