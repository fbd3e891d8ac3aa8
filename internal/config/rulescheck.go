package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/policy"
)

// validateRules refuses rule values that make no sense (zero or negative
// periods, negative amounts), in [rules] and in every override.
func (c *Config) validateRules() error {
	if ps := c.Rules.Partial.Check(); len(ps) > 0 {
		return c.errorf("rules."+ps[0].Key, "%s", ps[0].Msg)
	}
	for i, o := range c.Rules.Override {
		if ps := o.Set.Check(); len(ps) > 0 {
			return c.errorf(fmt.Sprintf("rules.override.%d.set.%s", i, ps[0].Key), "%s", ps[0].Msg)
		}
	}
	return nil
}

// applyDemoCalendar applies the configured consortium name, country and
// holidays to the demo consortium, used when no [[library]] is configured.
func (c *Config) applyDemoCalendar(cons *core.Consortium) {
	if c.Consortium.Name != "" {
		cons.Name = c.Consortium.Name
	}
	for i := range cons.Libraries {
		cal := &cons.Libraries[i].Calendar
		if c.Consortium.Country != "" {
			cal.Country = strings.ToUpper(c.Consortium.Country)
		}
		for _, h := range c.Consortium.Holidays {
			t, _ := time.Parse("2006-01-02", h)
			cal.Closed = append(cal.Closed, policy.DateOf(t))
		}
	}
}
