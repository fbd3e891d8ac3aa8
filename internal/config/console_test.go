package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConsoleErrorsNameLine: the console's listener and TLS files are
// checked at load time, with the line of the key.
func TestConsoleErrorsNameLine(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, body, want string }{
		{"listen without port", "[console]\nlisten = \"9443\"", "b.toml:5: console.listen: \"9443\" is not host:port"},
		{"certificate without key", "[console]\nlisten = \":9443\"\ncert_file = \"" + junk + "\"", "b.toml:6: console.cert_file: needs the certificate's private key"},
		{"key without certificate", "[console]\nlisten = \":9443\"\nkey_file = \"" + junk + "\"", "b.toml:6: console.key_file: needs its certificate"},
		{"certificate not PEM", "[console]\nlisten = \":9443\"\ncert_file = \"" + junk + "\"\nkey_file = \"" + junk + "\"", "b.toml:6: console.cert_file: certificate " + junk},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("b.toml", "[demo]\nload = true\n\n"+tt.body+"\n")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n  %v\nwant it to start\n  %s", err, tt.want)
			}
		})
	}
	c, err := Parse("b.toml", "[demo]\nload = true\n[console]\nlisten = \"127.0.0.1:9443\"\n")
	if err != nil || c.Console.Listen != "127.0.0.1:9443" {
		t.Errorf("console.listen: %+v %v", c, err)
	}
}
