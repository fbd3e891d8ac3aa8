package config

import (
	"fmt"
	"slices"
)

// validateILLBroker checks partner i's broker_to: the onward suppliers of
// the requests we broker for it (core/illbroker.go) are other partners,
// each named once, that we can reach (ISO 10161 over TCP at their address,
// ISO 18626 at their url, or ISO 10161 by e-mail).
func (c *Config) validateILLBroker(i int, p ILLPartner) error {
	key := fmt.Sprintf("ill.partner.%d.broker_to", i)
	for j, sym := range p.BrokerTo {
		if sym == "" {
			return c.errorf(key, "onward supplier %d is empty: name a partner's symbol", j+1)
		}
		if sym == p.Symbol {
			return c.errorf(key, "%q is the partner itself: its requests go on to other partners", sym)
		}
		if slices.Contains(p.BrokerTo[:j], sym) {
			return c.errorf(key, "%q appears twice", sym)
		}
		k := slices.IndexFunc(c.ILL.Partners, func(q ILLPartner) bool { return q.Symbol == sym })
		if k < 0 {
			return c.errorf(key, "%q is not an ILL partner: add an [[ill.partner]] with that symbol and its address, url or email", sym)
		}
		if q := c.ILL.Partners[k]; q.Address == "" && q.URL == "" && q.Email == "" {
			return c.errorf(key, "partner %q has no address, url or email: requests brokered to it would never leave the outbox", sym)
		}
	}
	return nil
}
