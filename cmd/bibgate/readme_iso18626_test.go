package main

import (
	"context"
	"net/http"
	"os/exec"
	"strings"
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
	dir, addr, stop := readmeServe(t, "ill-18626.toml", "ill-http", "--ill-http", "127.0.0.1:0", "--admin", "off", "--log-format", "json")

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

	stop()
	got := bibgateOutput(t, dir, "ill", "list", "--config", "ill-18626.toml")
	for _, w := range []string{"RS-1", "US:RESHARE", "Kalevipoeg"} {
		if !strings.Contains(got, w) {
			t.Errorf("bibgate ill list lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "RS-2") {
		t.Errorf("the request without the secret was applied:\n%s", got)
	}
}
