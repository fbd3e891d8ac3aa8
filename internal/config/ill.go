package config

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/ill/partners"
)

// ILL configures interlibrary loan: our symbol and partners (the engine's
// settings, see core.ILLSettings) and the ISO 10161 listener.
type ILL struct {
	// Listen is the ISO 10161 (BER over TCP) listener; empty: none.
	Listen string `toml:"listen"`
	// TLSListen is the same over TLS, with CertFile and KeyFile.
	TLSListen   string   `toml:"tls_listen"`
	CertFile    string   `toml:"cert_file"`
	KeyFile     string   `toml:"key_file"`
	MaxConns    int      `toml:"max_conns"`
	MaxAPDU     int      `toml:"max_apdu"`     // largest APDU accepted, in bytes (default 1 MiB)
	IdleTimeout Duration `toml:"idle_timeout"` // without an APDU (default 10m)
	ReadTimeout Duration `toml:"read_timeout"` // for the rest of an APDU once begun (default 30s)

	// Symbol is our ILL symbol (responder-id of our answers, initial
	// requester of our requests).
	Symbol string `toml:"symbol"`
	// Library handles ILL; default the first library.
	Library             string                   `toml:"library"`
	LoanPeriods         map[string]policy.Period `toml:"loan_periods"`
	DefaultLoanPeriod   policy.Period            `toml:"default_loan_period"`
	ReceivedForHomeLoan bool                     `toml:"received_for_home_loan"`
	ReturnTransitDays   int                      `toml:"return_transit_days"`
	ExpiryDays          int                      `toml:"expiry_days"`
	Partners            []ILLPartner             `toml:"partner"`
	// OutboxInterval is how often the outbox is looked at for messages
	// to deliver (default 2s; a staff action delivers at once).
	OutboxInterval Duration `toml:"outbox_interval"`
	// FindTimeout bounds each partner catalogue's answer to a lookup
	// (bibgate ill find); default 5s.
	FindTimeout Duration `toml:"find_timeout"`
}

// ILLPartner is one partner library: the engine's settings and how its
// requests are answered on the connection they come on.
type ILLPartner struct {
	core.ILLPartner
	// RequestReply: "status" (default) acknowledges an ILL-Request at once
	// with a Status-Or-Error-Report carrying the decision, as
	// yaz-illclient needs, the ILL-Answer following by the partner's
	// transport; "answer" sends the ILL-Answer itself.
	RequestReply string `toml:"request_reply"`
	// Address is the partner's ISO 10161 listener (host:port): what we
	// send it goes there over TCP. Empty: messages for it wait in the
	// outbox (or go by e-mail when it has an e-mail address).
	Address string `toml:"address"`
	// TLS connects to Address with TLS (the system's roots, or CAFile).
	TLS    bool   `toml:"tls"`
	CAFile string `toml:"ca_file"`
	// Receipts: the partner acknowledges every APDU (bibgate does, with a
	// Status-Or-Error-Report), and wants ours. Default true; set false for
	// a partner that answers only what the standard makes it answer: then
	// an APDU counts as delivered once written and the connection closed.
	Receipts *bool `toml:"receipts"`
	// Addresses are the networks (CIDR, or single addresses) the
	// partner's APDUs may come from over TCP; empty: any. Anyone who
	// reaches the listener can otherwise claim to be any partner.
	Addresses []string `toml:"addresses"`
	// Catalogue is the partner's catalogue, asked who holds a title:
	// "z3950://host:port/Database" or an SRU base URL ("https://.../sru").
	Catalogue string `toml:"catalogue"`
	// Lends are the material types the partner lends (book, magazine,
	// audio, kit, other); empty: every type.
	Lends []string `toml:"lends"`
	// DistanceKm is how far the partner is: the nearer supplies first
	// among equals; 0: unknown.
	DistanceKm int `toml:"distance_km"`
}

// ILLAddresses returns each partner's allowed networks (partners without
// any are absent).
func (c *Config) ILLAddresses() map[string][]netip.Prefix {
	out := map[string][]netip.Prefix{}
	for _, p := range c.ILL.Partners {
		for _, a := range p.Addresses {
			if pf, err := parsePrefix(a); err == nil {
				out[p.Symbol] = append(out[p.Symbol], pf)
			}
		}
	}
	return out
}

// parsePrefix reads a network, or one address as a network of one.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// WantsReceipts reports whether the partner acknowledges every APDU.
func (p ILLPartner) WantsReceipts() bool { return p.Receipts == nil || *p.Receipts }

// ILLSettings are the engine's settings from the [ill] table.
func (c *Config) ILLSettings() core.ILLSettings {
	s := core.ILLSettings{Symbol: c.ILL.Symbol, Library: c.ILL.Library, LoanPeriods: c.ILL.LoanPeriods,
		DefaultLoanPeriod: c.ILL.DefaultLoanPeriod, ReceivedForHomeLoan: c.ILL.ReceivedForHomeLoan,
		ReturnTransitDays: c.ILL.ReturnTransitDays, ExpiryDays: c.ILL.ExpiryDays}
	for _, p := range c.ILL.Partners {
		s.Partners = append(s.Partners, p.ILLPartner)
	}
	return s
}

func (c *Config) validateILL(libOK func(string) bool) error {
	l := &c.ILL
	for _, a := range []struct{ key, addr string }{{"ill.listen", l.Listen}, {"ill.tls_listen", l.TLSListen}} {
		if a.addr == "" {
			continue
		}
		if _, port, err := net.SplitHostPort(a.addr); err != nil || port == "" {
			return c.errorf(a.key, "%q is not host:port (e.g. 127.0.0.1:4990, or :499 for every interface)", a.addr)
		}
	}
	for _, n := range []struct {
		key string
		v   int
	}{{"ill.max_conns", l.MaxConns}, {"ill.max_apdu", l.MaxAPDU}, {"ill.return_transit_days", l.ReturnTransitDays},
		{"ill.expiry_days", l.ExpiryDays}} {
		if n.v < 0 {
			return c.errorf(n.key, "%d: must not be negative", n.v)
		}
	}
	if l.MaxAPDU > 0 && l.MaxAPDU < 1024 {
		return c.errorf("ill.max_apdu", "%d: an ILL-Request takes more; use at least 1024", l.MaxAPDU)
	}
	for _, d := range []struct {
		key string
		v   Duration
	}{{"ill.idle_timeout", l.IdleTimeout}, {"ill.read_timeout", l.ReadTimeout}, {"ill.find_timeout", l.FindTimeout}} {
		if d.v.Duration < 0 {
			return c.errorf(d.key, "%v: must not be negative", d.v.Duration)
		}
	}
	if l.TLSListen != "" {
		switch {
		case l.CertFile == "":
			return c.errorf("ill.tls_listen", "needs a certificate file (PEM) in ill.cert_file")
		case l.KeyFile == "":
			return c.errorf("ill.tls_listen", "needs the certificate's private key (PEM) in ill.key_file")
		}
		if _, err := tls.LoadX509KeyPair(l.CertFile, l.KeyFile); err != nil {
			return c.errorf("ill.cert_file", "certificate %s with key %s: %v", l.CertFile, l.KeyFile, err)
		}
	}
	if (l.Listen != "" || l.TLSListen != "" || len(l.Partners) > 0) && l.Symbol == "" {
		key := "ill.symbol"
		if locate(c.src, key) == 0 {
			key = "ill"
		}
		return c.errorf(key, "interlibrary loan needs our ILL symbol in ill.symbol")
	}
	if l.Library != "" && !libOK(l.Library) {
		return c.errorf("ill.library", "no library %q in the consortium", l.Library)
	}
	for m, p := range l.LoanPeriods {
		if p.Days < 0 || p.Months < 0 {
			return c.errorf("ill.loan_periods", "%s: a loan period must not be negative", m)
		}
	}
	seen := map[string]bool{}
	for i, p := range l.Partners {
		k := fmt.Sprintf("ill.partner.%d.", i)
		if p.Symbol == "" {
			return &Error{File: c.path, Line: entryLine(c.src, "ill.partner", i), Key: k + "symbol",
				Msg: fmt.Sprintf("ILL partner %d has no symbol", i+1)}
		}
		if seen[p.Symbol] {
			return c.errorf(k+"symbol", "ILL partner %q appears twice", p.Symbol)
		}
		seen[p.Symbol] = true
		switch p.RequestReply {
		case "", "status", "answer":
		default:
			return c.errorf(k+"request_reply", "%q: use status (a Status-Or-Error-Report at once) or answer (the ILL-Answer)", p.RequestReply)
		}
		for _, a := range p.Addresses {
			if _, err := parsePrefix(a); err != nil {
				return c.errorf(k+"addresses", "%q is not an address or a network (e.g. 192.0.2.7 or 192.0.2.0/24)", a)
			}
		}
		if p.RetryDays < 0 {
			return c.errorf(k+"retry_days", "%d: must not be negative", p.RetryDays)
		}
		if p.Address != "" {
			if _, port, err := net.SplitHostPort(p.Address); err != nil || port == "" {
				return c.errorf(k+"address", "%q is not host:port (the partner's ISO 10161 listener)", p.Address)
			}
		}
		if p.Catalogue != "" {
			if _, _, _, err := partners.ParseCatalogue(p.Catalogue); err != nil {
				return c.errorf(k+"catalogue", "%q: use z3950://host:port/Database or an SRU base URL (http:// or https://)", p.Catalogue)
			}
		}
		for _, m := range p.Lends {
			if !slices.Contains(partnerMaterials, m) {
				return c.errorf(k+"lends", "%q: the material types are %s", m, strings.Join(partnerMaterials, ", "))
			}
		}
		if p.DistanceKm < 0 {
			return c.errorf(k+"distance_km", "%d: must not be negative", p.DistanceKm)
		}
		if p.CAFile != "" {
			if _, err := os.ReadFile(p.CAFile); err != nil {
				return c.errorf(k+"ca_file", "%v", err)
			}
		}
		for svc, price := range p.Prices {
			if svc != core.ILLLoan && svc != core.ILLCopy {
				return c.errorf(k+"prices", "%q: prices are for loan and copy-non-returnable", svc)
			}
			if price < 0 {
				return c.errorf(k+"prices", "%s: a price must not be negative", svc)
			}
		}
	}
	return nil
}

// partnerMaterials are the material types a partner's lends may name:
// those partners.Material reads from a record's leader.
var partnerMaterials = []string{"book", "magazine", "audio", "kit", "other"}

// PartnerFinder is the lookup in the partners' catalogues: every partner
// with a catalogue, its distance and its price of a loan.
func (c *Config) PartnerFinder() *partners.Finder {
	f := &partners.Finder{Timeout: c.ILL.FindTimeout.Duration}
	for _, p := range c.ILL.Partners {
		if p.Catalogue == "" {
			continue
		}
		t := partners.Target{Symbol: p.Symbol, Name: p.Name, Catalogue: p.Catalogue, Lends: p.Lends, Distance: p.DistanceKm}
		if price, ok := p.Prices[core.ILLLoan]; ok {
			t.Price, t.HasPrice = int64(price), true
		}
		f.Targets = append(f.Targets, t)
	}
	return f
}

// entryLine is the line of the n-th [[table]] header in src; 0 if none.
func entryLine(src, table string, n int) int {
	for i, line := range strings.Split(src, "\n") {
		if strings.TrimSpace(line) == "[["+table+"]]" {
			if n == 0 {
				return i + 1
			}
			n--
		}
	}
	return 0
}
