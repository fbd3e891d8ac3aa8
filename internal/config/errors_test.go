package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigErrorsNameLine: every kind of mistake in the file is reported
// as file:line: key: what is wrong, at load time, before any listener
// opens.
func TestConfigErrorsNameLine(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, body, want string
	}{
		{"text for a number", "[sip2]\nmax_conns = \"many\"", "b.toml:5: sip2.max_conns: wrong type: the value is text in quotes, this key takes a whole number"},
		{"number for a bool", "[z3950]\nanonymous = 1", "b.toml:5: z3950.anonymous: wrong type: the value is a whole number, this key takes true or false"},
		{"text for a list", "[consortium]\nholidays = \"2026-11-18\"", "b.toml:5: consortium.holidays: wrong type"},
		{"bad duration", "[sip2]\nlogin_timeout = \"soon\"", "b.toml:5: sip2.login_timeout: not a duration"},
		{"duration without unit", "[jobs]\ninterval = \"60\"", "b.toml:5: jobs.interval: not a duration"},
		{"negative duration", "[sip2]\nidle_timeout = \"-5m\"", "b.toml:5: sip2.idle_timeout: -5m0s: must not be negative"},
		{"lease too short", "[jobs]\nlease = \"200ms\"", "b.toml:5: jobs.lease: 200ms: must be at least 1s"},
		{"negative max_conns", "[sip2]\nmax_conns = -1", "b.toml:5: sip2.max_conns: -1: must not be negative"},
		{"negative z3950 max_conns", "[z3950]\nmax_conns = -20", "b.toml:5: z3950.max_conns: -20: must not be negative"},
		{"unknown charset", "[[sip2.account]]\nlogin = \"sc\"\nlibrary = \"ILU\"\ncharset = \"klingon\"", "b.toml:7: sip2.account.0.charset: \"klingon\""},
		{"TLS without certificate", "[sip2]\ntls_listen = \":6002\"", "b.toml:5: sip2.tls_listen: needs a certificate file"},
		{"TLS certificate missing", "[sip2]\ntls_listen = \"127.0.0.1:6002\"\ncert_file = \"" + filepath.Join(dir, "none.crt") + "\"\nkey_file = \"" + junk + "\"",
			"b.toml:6: sip2.cert_file: certificate " + filepath.Join(dir, "none.crt")},
		{"TLS certificate not PEM", "[sip2]\ntls_listen = \"127.0.0.1:6002\"\ncert_file = \"" + junk + "\"\nkey_file = \"" + junk + "\"",
			"b.toml:6: sip2.cert_file: certificate " + junk},
		{"listen without port", "[z3950]\nlisten = \"2100\"", "b.toml:5: z3950.listen: \"2100\" is not host:port"},
		{"bad trusted subnet", "[sip2]\ntrusted_subnets = [\"10.0.0.0/33\"]", "b.toml:5: sip2.trusted_subnets: \"10.0.0.0/33\""},
		{"trusted account unknown", "[sip2]\ntrusted_account = \"sorter\"", "b.toml:5: sip2.trusted_account: \"sorter\""},
		{"log level", "[log]\nlevel = \"loud\"", "b.toml:5: log.level: unknown level"},
		{"short admin token", "[admin]\ntoken = \"abc\"", "b.toml:5: admin.token: the admin token needs at least 16"},
		{"staff lockout negative", "[staff]\nlock_after = -3", "b.toml:5: staff.lock_after: -3: give the number"},
		{"staff idle longer than a session", "[staff]\nmax_session = \"1h\"\nidle_timeout = \"2h\"", "b.toml:6: staff.idle_timeout: 2h0m0s is longer than staff.max_session 1h0m0s"},
		{"staff trusted proxy not an address", "[staff]\ntrusted_proxies = [\"nginx.local\"]", "b.toml:5: staff.trusted_proxies: trusted proxy \"nginx.local\": not an address or CIDR prefix"},
		{"syntax", "[store]\nbackend = = \"bolt\"", "b.toml:5: store.backend: expected value"},
		{"z3950 user twice", "[[z3950.account]]\nuser = \"a\"\n[[z3950.account]]\nuser = \"a\"", "b.toml:7: z3950.account.1.user: Z39.50 user \"a\" appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "[demo]\nload = true\n\n" + tt.body + "\n"
			_, err := Parse("b.toml", src)
			if err == nil {
				t.Fatalf("accepted:\n%s", src)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n  %v\nwant it to start\n  %s", err, tt.want)
			}
			if strings.Contains(err.Error(), "open :") {
				t.Errorf("error names no file: %v", err)
			}
		})
	}
}
