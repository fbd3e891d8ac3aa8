package config

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
	if (k.CertFile == "") != (k.KeyFile == "") {
		return c.errorf("console.cert_file", "set both console.cert_file and console.key_file for TLS, or neither")
	}
	return nil
}
