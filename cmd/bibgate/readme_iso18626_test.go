package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadmeISO18626Example pastes the README's ISO 18626 example: its
// configuration, bibgate serve with it, the curl command posting a
// request, which must be confirmed OK; the same without the secret must
// get 401; bibgate ill list then shows the loan decided.
func TestReadmeISO18626Example(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skipf("curl not installed (Debian package curl); skipping the README's ISO 18626 example: %v", err)
	}
	setup := blockStarting(t, "cat > ill-18626.toml <<'EOF'\n")
	_, rest, _ := strings.Cut(setup, "<<'EOF'\n")
	toml, after, ok := strings.Cut(rest, "\nEOF\n")
	if !ok {
		t.Fatalf("README's configuration block has no EOF line:\n%s", setup)
	}
	serveLine := strings.Fields(strings.TrimSpace(after))
	if len(serveLine) < 2 || serveLine[0] != "bibgate" || serveLine[1] != "serve" {
		t.Fatalf("README starts the server with %q", after)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ill-18626.toml"), []byte(toml+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append(serveLine[1:], "--ill-http", "127.0.0.1:0", "--admin", "off", "--log-format", "json")
	cmd, logs := bibgate(t, dir, args...)
	addr := waitListening(t, logs, "ill-http")
	go func() {
		for logs.Scan() {
		}
	}()

	client := blockStarting(t, "curl -s -H 'Content-Type: application/xml'")
	if !strings.Contains(client, "http://127.0.0.1:4991/") {
		t.Fatalf("README's curl example does not use the configured port:\n%s", client)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client = strings.ReplaceAll(client, "127.0.0.1:4991", addr)
	out, err := exec.CommandContext(ctx, "sh", "-c", client).CombinedOutput()
	if err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if !strings.Contains(string(out), "<requestConfirmation>") || !strings.Contains(string(out), "<messageStatus>OK</messageStatus>") {
		t.Errorf("README's curl printed no confirmation OK:\n%s", out)
	}
	_, body, _ := strings.Cut(client, "--data '")
	body, _, _ = strings.Cut(body, "'")
	resp, err := http.Post("http://"+addr+"/", "application/xml", strings.NewReader(strings.Replace(body, "RS-1", "RS-2", 1)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the request without the secret: HTTP %d, want 401", resp.StatusCode)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	list := exec.Command(exe, "ill", "list", "--config", "ill-18626.toml")
	list.Dir = dir
	list.Env = append(os.Environ(), "BIBGATE_AS_MAIN=1")
	got, err := list.CombinedOutput()
	if err != nil {
		t.Fatalf("bibgate ill list: %v\n%s", err, got)
	}
	for _, w := range []string{"RS-1", "US:RESHARE", "Kalevipoeg"} {
		if !strings.Contains(string(got), w) {
			t.Errorf("bibgate ill list lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(string(got), "RS-2") {
		t.Errorf("the request without the secret was applied:\n%s", got)
	}
}
