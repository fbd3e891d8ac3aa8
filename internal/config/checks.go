package config

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/bibgate/bibgate/sip2"
)

// Validate checks the configuration again, after command-line flags have
// changed it: everything the server would trip over once listening is
// found here first.
func (c *Config) Validate() error { return c.validate() }

// decodeError turns the TOML decoder's errors into an *Error with the
// file, the line and the key.
func (c *Config) decodeError(err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		if pe.LastKey != "" {
			// A value the decoder rejected (a duration's UnmarshalText).
			return &Error{File: c.path, Line: pe.Position.Line, Key: pe.LastKey, Msg: typeMessage(pe.Message)}
		}
		return &Error{File: c.path, Line: pe.Position.Line, Key: "syntax", Msg: pe.Message}
	}
	// Type mismatches come as text: toml: line N (last key "k"): message.
	if m := typeErr.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: c.path, Line: line, Key: m[2], Msg: typeMessage(m[3])}
	}
	return fmt.Errorf("%s: %v", c.path, err)
}

var typeErr = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "([^"]+)"\): (.*)$`)

var typeMismatch = regexp.MustCompile(`incompatible types: TOML value has type (\w+); destination has type (\w+)`)

// tomlTypes names the decoder's types as the file writes them.
var tomlTypes = map[string]string{
	"string": "text in quotes", "int64": "a whole number", "integer": "a whole number", "float64": "a number",
	"float": "a number", "bool": "true or false", "boolean": "true or false", "slice": "a list [...]",
	"map": "a table", "struct": "a table",
}

func typeName(t string) string {
	if n, ok := tomlTypes[t]; ok {
		return n
	}
	return t
}

// typeMessage says a type mismatch in the file's own terms.
func typeMessage(msg string) string {
	if m := typeMismatch.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("wrong type: the value is %s, this key takes %s", typeName(m[1]), typeName(m[2]))
	}
	return msg
}

// validateListeners checks addresses, limits, character sets, TLS files
// and trusted networks: what would otherwise fail only when a listener
// opens, or later when a client arrives.
func (c *Config) validateListeners() error {
	if err := c.validateConsole(); err != nil {
		return err
	}
	for _, l := range []struct{ key, addr string }{
		{"admin.listen", c.Admin.Listen}, {"sip2.listen", c.SIP2.Listen}, {"sip2.tls_listen", c.SIP2.TLSListen},
		{"z3950.listen", c.Z3950.Listen}, {"sru.listen", c.SRU.Listen}, {"console.listen", c.Console.Listen},
	} {
		if l.addr == "" {
			continue
		}
		if _, port, err := net.SplitHostPort(l.addr); err != nil || port == "" {
			return c.errorf(l.key, "%q is not host:port (e.g. 127.0.0.1:6001, or :6001 for every interface)", l.addr)
		}
	}
	for _, n := range []struct {
		key string
		v   int
	}{
		{"sip2.max_conns", c.SIP2.MaxConns}, {"sip2.max_message", c.SIP2.MaxMessage}, {"z3950.max_conns", c.Z3950.MaxConns},
		{"store.max_batch", c.Store.MaxBatch}, {"store.max_conns", c.Store.MaxConns}, {"demo.bench_patrons", c.Demo.BenchPatrons}, {"demo.bench_items", c.Demo.BenchItems},
	} {
		if n.v < 0 {
			return c.errorf(n.key, "%d: must not be negative", n.v)
		}
	}
	for _, d := range []struct {
		key string
		v   Duration
	}{
		{"sip2.idle_timeout", c.SIP2.IdleTimeout}, {"sip2.login_timeout", c.SIP2.LoginTimeout},
		{"jobs.interval", c.Jobs.Interval}, {"jobs.lease", c.Jobs.Lease}, {"store.statement_timeout", c.Store.StatementTimeout}, {"notices.interval", c.Notices.Interval},
	} {
		if d.v.Duration < 0 {
			return c.errorf(d.key, "%v: must not be negative", d.v.Duration)
		}
	}
	if l := c.Jobs.Lease.Duration; l > 0 && l < time.Second {
		return c.errorf("jobs.lease", "%v: must be at least 1s", l)
	}
	switch strings.ToLower(c.Log.Level) {
	case "", "debug", "info", "warn", "error":
	default:
		return c.errorf("log.level", "unknown level %q (debug, info, warn or error)", c.Log.Level)
	}
	if c.SIP2.TLSListen != "" {
		switch {
		case c.SIP2.CertFile == "":
			return c.errorf("sip2.tls_listen", "needs a certificate file (PEM) in sip2.cert_file")
		case c.SIP2.KeyFile == "":
			return c.errorf("sip2.tls_listen", "needs the certificate's private key (PEM) in sip2.key_file")
		}
		if _, err := tls.LoadX509KeyPair(c.SIP2.CertFile, c.SIP2.KeyFile); err != nil {
			return c.errorf("sip2.cert_file", "certificate %s with key %s: %v", c.SIP2.CertFile, c.SIP2.KeyFile, err)
		}
	}
	for _, s := range c.SIP2.TrustedSubnets {
		if _, err := netip.ParsePrefix(s); err != nil {
			return c.errorf("sip2.trusted_subnets", "%q is not a network (e.g. 10.20.0.0/24)", s)
		}
	}
	logins := map[string]bool{}
	for i, a := range c.SIP2.Accounts {
		k := fmt.Sprintf("sip2.account.%d.", i)
		if logins[a.Login] {
			return c.errorf(k+"login", "SIP2 login %q appears twice", a.Login)
		}
		logins[a.Login] = true
		if _, err := sip2.ParseCharset(a.Charset); err != nil {
			return c.errorf(k+"charset", "%q: use utf-8, iso-8859-1, cp850, windows-1252, iso-8859-13, windows-1257, iso-8859-2, windows-1250 or ascii", a.Charset)
		}
		if len(a.Delimiter) > 1 {
			return c.errorf(k+"delimiter", "%q: the field delimiter is one character", a.Delimiter)
		}
		if a.IdleTimeout.Duration < 0 {
			return c.errorf(k+"idle_timeout", "%v: must not be negative", a.IdleTimeout.Duration)
		}
	}
	if c.SIP2.TrustedAccount != "" && !logins[c.SIP2.TrustedAccount] {
		return c.errorf("sip2.trusted_account", "%q is not the login of a [[sip2.account]]", c.SIP2.TrustedAccount)
	}
	users := map[string]bool{}
	for i, a := range c.Z3950.Accounts {
		k := fmt.Sprintf("z3950.account.%d.", i)
		if a.User == "" {
			return c.errorf(k+"user", "Z39.50 account %d has no user", i+1)
		}
		if users[a.User] {
			return c.errorf(k+"user", "Z39.50 user %q appears twice", a.User)
		}
		users[a.User] = true
	}
	if c.Z3950.Anonymous != nil && !*c.Z3950.Anonymous && len(c.Z3950.Accounts) == 0 {
		return c.errorf("z3950.anonymous", "anonymous = false needs at least one [[z3950.account]]")
	}
	return nil
}
