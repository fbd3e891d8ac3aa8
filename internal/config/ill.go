package config

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/ill/iso18626"
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
	// HTTPListen is the ISO 18626 (XML over HTTP) endpoint partners POST
	// their messages to; HTTPTLSListen the same over HTTPS, with CertFile
	// and KeyFile. Empty: none.
	HTTPListen    string `toml:"http_listen"`
	HTTPTLSListen string `toml:"http_tls_listen"`
	// MaxMessage is the largest ISO 18626 message accepted, in bytes
	// (default 1 MiB).
	MaxMessage int `toml:"max_message"`
	// OutboxInterval is how often the outbox is looked at for messages
	// to deliver (default 2s; a staff action delivers at once).
	OutboxInterval Duration `toml:"outbox_interval"`
	// FindTimeout bounds each partner catalogue's answer to a lookup
	// (bibgate ill find); default 5s.
	FindTimeout Duration `toml:"find_timeout"`
	// Mail carries APDUs by e-mail (RFC 2503) to partners with an Email.
	Mail ILLMail `toml:"mail"`
}

// ILLMail configures ILL by e-mail: our ILL mailbox, the SMTP server that
// takes what we send and the IMAP server where partners' mail arrives.
type ILLMail struct {
	// From is our ILL address, the sender of our mail; partners allow it.
	From string `toml:"from"`
	// SMTP is the relay or submission server, host:port; default
	// notices.smtp.
	SMTP string `toml:"smtp"`
	// SMTPTLS: "starttls" (default: used whenever offered), "require"
	// (refuse to send without STARTTLS) or "implicit" (TLS from the start,
	// port 465).
	SMTPTLS string `toml:"smtp_tls"`
	// SMTPAuth authenticates to SMTP with Username and the password.
	SMTPAuth bool `toml:"smtp_auth"`
	// IMAP is the server holding our ILL mailbox, host:port; empty: mail
	// is sent, none is read.
	IMAP string `toml:"imap"`
	// IMAPTLS: "starttls" (default, required), "implicit" (port 993) or
	// "plain" (only to a loopback address).
	IMAPTLS string `toml:"imap_tls"`
	// Username logs in to IMAP (and SMTP with SMTPAuth).
	Username string `toml:"username"`
	// The password: PasswordFile (its first line), else the environment
	// variable ILLMailPasswordEnv, else Password.
	Password     string `toml:"password"`
	PasswordFile string `toml:"password_file"`
	// CAFile verifies the mail servers' certificates (default: the
	// system's roots).
	CAFile    string `toml:"ca_file"`
	Mailbox   string `toml:"mailbox"`   // where APDUs arrive (default INBOX)
	Processed string `toml:"processed"` // where applied mail goes (default ILL-Processed)
	Rejected  string `toml:"rejected"`  // where refused mail goes (default ILL-Rejected)
	// PollInterval is how often the mailbox is read (default 1m; at once
	// when the server tells of new mail over IDLE).
	PollInterval Duration `toml:"poll_interval"`
}

// ILLMailPasswordEnv names the environment variable with the ILL mailbox
// password.
const ILLMailPasswordEnv = "BIBGATE_ILL_MAIL_PASSWORD"

// ILLMailPassword is the ILL mailbox password: ill.mail.password_file's
// first line, else $BIBGATE_ILL_MAIL_PASSWORD, else ill.mail.password.
func (c *Config) ILLMailPassword() (string, error) {
	m := &c.ILL.Mail
	if m.PasswordFile != "" {
		b, err := os.ReadFile(m.PasswordFile)
		if err != nil {
			return "", fmt.Errorf("ill.mail.password_file: %w", err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimRight(line, "\r"), nil
	}
	if pw := os.Getenv(ILLMailPasswordEnv); pw != "" {
		return pw, nil
	}
	return m.Password, nil
}

// ILLMailSMTP is the SMTP server for ILL mail: ill.mail.smtp, else
// notices.smtp.
func (c *Config) ILLMailSMTP() string {
	if c.ILL.Mail.SMTP != "" {
		return c.ILL.Mail.SMTP
	}
	return c.Notices.SMTP
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
	// AllowFrom: the networks (CIDR, or single addresses) the partner's
	// APDUs may come from over TCP; empty: any. Anyone who
	// reaches the listener can otherwise claim to be any partner.
	AllowFrom []string `toml:"allow_from"`
	// Catalogue is the partner's catalogue, asked who holds a title:
	// "z3950://host:port/Database" or an SRU base URL ("https://.../sru").
	Catalogue string `toml:"catalogue"`
	// Lends are the material types the partner lends (book, magazine,
	// audio, kit, other); empty: every type.
	Lends []string `toml:"lends"`
	// DistanceKm is how far the partner is: the nearer supplies first
	// among equals; 0: unknown.
	DistanceKm int `toml:"distance_km"`
	// Address is the partner's ISO 10161 listener (host:port): what we
	// send it goes there over TCP. Empty: messages for it wait in the
	// outbox (or go by e-mail when it has an e-mail address).
	Address string `toml:"address"`
	// Email is the partner's ILL mailbox: what we send it goes there by
	// e-mail when it has neither Address nor URL, and mail from it is read
	// (ill.mail.imap).
	Email string `toml:"email"`
	// TLS connects to Address with TLS (the system's roots, or CAFile).
	TLS    bool   `toml:"tls"`
	CAFile string `toml:"ca_file"`
	// Receipts: the partner acknowledges every APDU (bibgate does, with a
	// Status-Or-Error-Report), and wants ours. Default true; set false for
	// a partner that answers only what the standard makes it answer: then
	// an APDU counts as delivered once written and the connection closed.
	Receipts *bool `toml:"receipts"`

	// URL is the partner's ISO 18626 endpoint: what we send it is POSTed
	// there (instead of Address).
	URL string `toml:"url"`
	// Version is the ISO 18626 edition written to it: 2017 or 2021
	// (default 2017, or its dialect's).
	Version string `toml:"version"`
	// Dialect is the partner's ISO 18626 shim: reshare, oclc or alma.
	Dialect string `toml:"dialect"`
	// AgencyType is the agencyIdType of its and our agency ids (default
	// ISIL).
	AgencyType string `toml:"agency_type"`
	// Secret is a shared secret the partner sends in SecretHeader (default
	// X-ILL-Secret) with every ISO 18626 message, and we with ours; User
	// and Password the same as HTTP basic authentication. A message
	// naming this partner without them is refused (401). Never logged.
	Secret       string `toml:"secret"`
	SecretHeader string `toml:"secret_header"`
	User         string `toml:"user"`
	Password     string `toml:"password"`
}

// Authenticated reports whether the partner's ISO 18626 messages must
// carry a credential.
func (p ILLPartner) Authenticated() bool { return p.Secret != "" || p.User != "" || p.Password != "" }

// ILLAddresses returns each partner's allowed networks (partners without
// any are absent).
func (c *Config) ILLAddresses() map[string][]netip.Prefix {
	out := map[string][]netip.Prefix{}
	for _, p := range c.ILL.Partners {
		for _, a := range p.AllowFrom {
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
	for _, a := range []struct{ key, addr string }{{"ill.http_listen", l.HTTPListen}, {"ill.http_tls_listen", l.HTTPTLSListen}} {
		if a.addr == "" {
			continue
		}
		if _, port, err := net.SplitHostPort(a.addr); err != nil || port == "" {
			return c.errorf(a.key, "%q is not host:port (e.g. 127.0.0.1:4991, or :8626 for every interface)", a.addr)
		}
	}
	if l.MaxMessage < 0 || (l.MaxMessage > 0 && l.MaxMessage < 4096) {
		return c.errorf("ill.max_message", "%d: an ISO 18626 request takes more; use at least 4096", l.MaxMessage)
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
	for _, key := range []string{"ill.tls_listen", "ill.http_tls_listen"} {
		if (key == "ill.tls_listen" && l.TLSListen == "") || (key == "ill.http_tls_listen" && l.HTTPTLSListen == "") {
			continue
		}
		switch {
		case l.CertFile == "":
			return c.errorf(key, "needs a certificate file (PEM) in ill.cert_file")
		case l.KeyFile == "":
			return c.errorf(key, "needs the certificate's private key (PEM) in ill.key_file")
		}
	}
	if l.TLSListen != "" || l.HTTPTLSListen != "" {
		if _, err := tls.LoadX509KeyPair(l.CertFile, l.KeyFile); err != nil {
			return c.errorf("ill.cert_file", "certificate %s with key %s: %v", l.CertFile, l.KeyFile, err)
		}
	}
	if (l.Listen != "" || l.TLSListen != "" || l.HTTPListen != "" || l.HTTPTLSListen != "" || len(l.Partners) > 0) && l.Symbol == "" {
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
		for _, a := range p.AllowFrom {
			if _, err := parsePrefix(a); err != nil {
				return c.errorf(k+"allow_from", "%q is not an address or a network (e.g. 192.0.2.7 or 192.0.2.0/24)", a)
			}
		}
		if p.RetryDays < 0 {
			return c.errorf(k+"retry_days", "%d: must not be negative", p.RetryDays)
		}
		if err := c.validateILLBroker(i, p); err != nil {
			return err
		}
		if p.Address != "" {
			if _, port, err := net.SplitHostPort(p.Address); err != nil || port == "" {
				return c.errorf(k+"address", "%q is not host:port (the partner's ISO 10161 listener)", p.Address)
			}
		}
		if p.Email != "" {
			if _, err := mail.ParseAddress(p.Email); err != nil || strings.ContainsAny(p.Email, "<>") {
				return c.errorf(k+"email", "%q is not a mail address (e.g. ill@library.example)", p.Email)
			}
			if l.Mail.From == "" {
				return c.errorf(k+"email", "mail to partners needs our ILL address in ill.mail.from")
			}
			if p.Address == "" && p.URL == "" && c.ILLMailSMTP() == "" {
				return c.errorf(k+"email", "mail to partners needs an SMTP server in ill.mail.smtp (or notices.smtp)")
			}
		}
		if p.URL != "" {
			if p.Address != "" {
				return c.errorf(k+"url", "set address (ISO 10161 over TCP) or url (ISO 18626 over HTTP), not both")
			}
			u, err := url.Parse(p.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return c.errorf(k+"url", "%q is not an http:// or https:// URL (the partner's ISO 18626 endpoint)", p.URL)
			}
		}
		if _, err := iso18626.ParseVersion(p.Version); err != nil {
			return c.errorf(k+"version", "%v", err)
		}
		if _, err := iso18626.DialectNamed(p.Dialect); err != nil {
			return c.errorf(k+"dialect", "%v", err)
		}
		if (p.User == "") != (p.Password == "") {
			return c.errorf(k+"user", "HTTP basic authentication needs both user and password")
		}
		if p.SecretHeader != "" && p.Secret == "" {
			return c.errorf(k+"secret_header", "names the header of a secret, but secret is empty")
		}
		if p.Catalogue != "" {
			if _, _, _, err := partners.ParseCatalogue(p.Catalogue); err != nil {
				return c.errorf(k+"catalogue", "%q: use z3950://host:port/Database or an SRU base URL (http:// or https://)", p.Catalogue)
			}
		}
		for _, m := range p.Lends {
			if !slices.Contains(partnerMaterials(), m) {
				return c.errorf(k+"lends", "%q: the material types are %s", m, strings.Join(partnerMaterials(), ", "))
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
	return c.validateILLMail()
}

func (c *Config) validateILLMail() error {
	m := &c.ILL.Mail
	if m.From != "" {
		if _, err := mail.ParseAddress(m.From); err != nil || strings.ContainsAny(m.From, "<>") {
			return c.errorf("ill.mail.from", "%q is not a mail address (e.g. ill@library.example)", m.From)
		}
	}
	for _, a := range []struct{ key, addr string }{{"ill.mail.smtp", m.SMTP}, {"ill.mail.imap", m.IMAP}} {
		if a.addr == "" {
			continue
		}
		if _, port, err := net.SplitHostPort(a.addr); err != nil || port == "" {
			return c.errorf(a.key, "%q is not host:port (e.g. mail.library.example:587)", a.addr)
		}
	}
	switch m.SMTPTLS {
	case "", "starttls", "require", "implicit":
	default:
		return c.errorf("ill.mail.smtp_tls", "%q: use starttls (when offered), require or implicit", m.SMTPTLS)
	}
	switch m.IMAPTLS {
	case "", "starttls", "implicit":
	case "plain":
		if host, _, err := net.SplitHostPort(m.IMAP); err == nil {
			if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
				return c.errorf("ill.mail.imap_tls", "plain sends the password in the clear: only to a loopback address, not %s", host)
			}
		}
	default:
		return c.errorf("ill.mail.imap_tls", "%q: use starttls, implicit or plain (loopback only)", m.IMAPTLS)
	}
	if (m.IMAP != "" || m.SMTPAuth) && m.Username == "" {
		key := "ill.mail.imap"
		if m.IMAP == "" {
			key = "ill.mail.smtp_auth"
		}
		return c.errorf(key, "needs the mailbox's login in ill.mail.username")
	}
	if m.IMAP != "" && m.From == "" {
		return c.errorf("ill.mail.imap", "reading ILL mail needs our ILL address in ill.mail.from")
	}
	if m.PasswordFile != "" {
		if _, err := os.ReadFile(m.PasswordFile); err != nil {
			return c.errorf("ill.mail.password_file", "%v", err)
		}
	}
	if m.CAFile != "" {
		pem, err := os.ReadFile(m.CAFile)
		if err != nil {
			return c.errorf("ill.mail.ca_file", "%v", err)
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return c.errorf("ill.mail.ca_file", "no PEM certificate in %s", m.CAFile)
		}
	}
	if m.PollInterval.Duration < 0 {
		return c.errorf("ill.mail.poll_interval", "%v: must not be negative", m.PollInterval.Duration)
	}
	box := m.Mailbox
	if box == "" {
		box = "INBOX"
	}
	for _, f := range []struct{ key, v string }{{"ill.mail.processed", m.Processed}, {"ill.mail.rejected", m.Rejected}} {
		if strings.EqualFold(f.v, box) {
			return c.errorf(f.key, "%q is the mailbox APDUs arrive in; use another folder", f.v)
		}
	}
	return nil
}

// partnerMaterials are the material types a partner's lends may name:
// those partners.Material reads from a record's leader.
func partnerMaterials() []string { return []string{"book", "magazine", "audio", "kit", "other"} }

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
