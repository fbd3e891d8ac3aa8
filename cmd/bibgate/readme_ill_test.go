package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReadmeILLExample pastes the README's interlibrary loan example: its
// configuration, bibgate serve with it, the yaz-illclient command, then
// bibgate ill list and show on the data it left.
func TestReadmeILLExample(t *testing.T) {
	yaz, err := exec.LookPath("yaz-illclient")
	if err != nil {
		t.Skipf("yaz-illclient not installed (Debian package yaz-illclient); skipping the README's ILL example: %v", err)
	}
	// The README's port may be taken here: listen on a free one, and keep
	// the admin listener off.
	dir, addr, stop := readmeServe(t, "ill-demo.toml", "ill", "--ill", "127.0.0.1:0", "--admin", "off", "--log-format", "json")

	client := blockStarting(t, "yaz-illclient -D")
	if !strings.Contains(client, "127.0.0.1:4990") {
		t.Fatalf("README's yaz-illclient example does not use the configured port:\n%s", client)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sh := exec.CommandContext(ctx, "sh", "-c", strings.ReplaceAll(client, "127.0.0.1:4990", addr))
	sh.Dir = t.TempDir()
	sh.Env = append(os.Environ(), "PATH="+filepath.Dir(yaz)+":"+os.Getenv("PATH"))
	out, err := sh.CombinedOutput()
	if err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	for _, w := range []string{"transaction_results 5", "provider_status_report 3", "Ok", "exit 0"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("README's yaz-illclient output lacks %q:\n%s", w, out)
		}
	}

	stop()
	wants := map[string][]string{"list": {"TQ1", "responder", "REQLIB", "Kalevipoeg"}, "show": {">ILL-Answer:will-supply", "IN-PROCESS"}}
	for _, line := range strings.Split(strings.TrimSpace(blockStarting(t, "bibgate ill list")), "\n") {
		f := strings.Fields(line)
		out := bibgateOutput(t, dir, f[1:]...)
		for _, w := range wants[f[2]] {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", line, w, out)
			}
		}
	}
}
