package config

import "strings"

// validateHoldings checks the [holdings] mapping; the error names the key.
func (c *Config) validateHoldings(libOK func(string) bool) error {
	if _, _, err := c.Holdings.Layout(libOK); err != nil {
		key, msg, ok := strings.Cut(err.Error(), ": ")
		if !ok {
			key, msg = "holdings", err.Error()
		}
		return c.errorf(key, "%s", msg)
	}
	return nil
}
