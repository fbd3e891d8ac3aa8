package config

import "crypto/tls"

// Console configures the staff web console's own listener. The console is
// always on the admin listener under /staff/; listen gives it a listener
// of its own (for the library's network, where the admin address is
// loopback), with TLS when cert_file and key_file are set.
type Console struct {
	Listen   string `toml:"listen"`
	CertFile string `toml:"cert_file"`
	KeyFile  string `toml:"key_file"`
}

func (c *Config) validateConsole() error {
	k := c.Console
	switch {
	case k.CertFile == "" && k.KeyFile == "":
		return nil
	case k.CertFile == "":
		return c.errorf("console.key_file", "needs its certificate (PEM) in console.cert_file")
	case k.KeyFile == "":
		return c.errorf("console.cert_file", "needs the certificate's private key (PEM) in console.key_file")
	}
	if _, err := tls.LoadX509KeyPair(k.CertFile, k.KeyFile); err != nil {
		return c.errorf("console.cert_file", "certificate %s with key %s: %v", k.CertFile, k.KeyFile, err)
	}
	return nil
}
