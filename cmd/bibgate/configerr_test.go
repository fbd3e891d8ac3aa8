package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigErrorStopsBeforeListening: a mistake in the file or on the
// command line ends serve with the file, line and key before any listener
// is opened (nothing is ever half started).
func TestConfigErrorStopsBeforeListening(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bad.toml")
	src := "data_dir = \"" + dir + "\"\n[demo]\nload = true\n[admin]\nlisten = \"127.0.0.1:0\"\n[sip2]\nlisten = \"127.0.0.1:0\"\n" +
		"tls_listen = \"127.0.0.1:0\"\ncert_file = \"missing.crt\"\nkey_file = \"missing.key\"\n"
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"missing certificate", []string{"serve", "--config", file}, 1, "bad.toml:9: sip2.cert_file: certificate missing.crt with key missing.key: open missing.crt: no such file"},
		{"bad flag value", []string{"serve", "--data-dir", dir, "--admin", "127.0.0.1:0", "--sip2", "6001", "--z3950", "off"}, 2, "sip2.listen: \"6001\" is not host:port"},
		{"bad log level flag", []string{"serve", "--data-dir", dir, "--admin", "127.0.0.1:0", "--log-level", "loud"}, 2, "log.level: unknown level \"loud\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(context.Background(), tt.args, &bytes.Buffer{}, &stderr)
			if code != tt.wantCode || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, want %d; stderr:\n%s\nwant it to contain %q", code, tt.wantCode, stderr.String(), tt.want)
			}
			if strings.Contains(stderr.String(), "listening") || strings.Contains(stderr.String(), "demo data") {
				t.Errorf("started before the error:\n%s", stderr.String())
			}
		})
	}
}
