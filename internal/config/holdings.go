package config

import (
	"strings"

	"github.com/bibgate/bibgate/adapters/holdings"
)

// validateHoldings checks the [holdings] mapping; the error names the key.
func (c *Config) validateHoldings(libOK func(string) bool) error {
	if _, err := holdings.New(c.Holdings, libOK); err != nil {
		key, msg, ok := strings.Cut(err.Error(), ": ")
		if !ok {
			key, msg = "holdings", err.Error()
		}
		return c.errorf(key, "%s", msg)
	}
	return nil
}

// HoldingsMapper returns the mapper of the [holdings] section for the
// consortium the configuration builds.
func (c *Config) HoldingsMapper() (*holdings.Mapper, error) {
	cons, err := c.BuildConsortium()
	if err != nil {
		return nil, err
	}
	return holdings.New(c.Holdings, func(id string) bool { _, ok := cons.Library(id); return ok })
}
