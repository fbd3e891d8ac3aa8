package config

import "fmt"

// CheckAdminToken says why tok cannot be the admin token, or nil.
func CheckAdminToken(tok string) error {
	if tok != "" && len(tok) < MinAdminToken {
		return fmt.Errorf("the admin token needs at least %d characters (e.g. openssl rand -hex 16)", MinAdminToken)
	}
	return nil
}

func (c *Config) validateAdmin() error {
	if err := CheckAdminToken(c.Admin.Token); err != nil {
		return c.errorf("admin.token", "%v", err)
	}
	if c.Admin.MaxImport <= 0 {
		return c.errorf("admin.max_import", "%d: give the largest import accepted, in bytes (default %d)", c.Admin.MaxImport, int64(DefaultMaxImport))
	}
	return nil
}
