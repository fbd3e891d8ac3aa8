// Package config is bibgate's configuration file: its model, its defaults
// (the embedded demo consortium), and validation whose errors name the file,
// the line and the key.
package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/internal/holdingsmap"
)

// Config is the whole file.
type Config struct {
	DataDir    string     `toml:"data_dir"`
	Log        Log        `toml:"log"`
	Admin      Admin      `toml:"admin"`
	Staff      Staff      `toml:"staff"`
	Store      Store      `toml:"store"`
	Jobs       Jobs       `toml:"jobs"`
	Notices    Notices    `toml:"notices"`
	Demo       Demo       `toml:"demo"`
	Consortium Consortium `toml:"consortium"`
	Libraries  []Library  `toml:"library"`
	Rules      Rules      `toml:"rules"`
	SIP2       SIP2       `toml:"sip2"`
	Z3950      Z3950      `toml:"z3950"`
	SRU        SRU        `toml:"sru"`
	ILL        ILL        `toml:"ill"`
	Console    Console    `toml:"console"`
	// Holdings maps the copies in imported MARC records (see
	// adapters/holdings).
	Holdings holdingsmap.Config `toml:"holdings"`
	path     string
	src      string

	// DrainTimeout is how long a shutdown waits for requests in flight to
	// be answered before it closes what is left (0: 10s).
	DrainTimeout Duration `toml:"drain_timeout"`
}

// Log configures logging.
type Log struct {
	Format string `toml:"format"` // console | json
	Level  string `toml:"level"`  // debug | info | warn | error
}

// Admin is the observability listener: /metrics, /healthz, /readyz for
// anyone who reaches it; profiles and catalogue import only with the token.
type Admin struct {
	Listen string `toml:"listen"`
	// Token is the bearer token for everything but /metrics, /healthz and
	// /readyz (BIBGATE_ADMIN_TOKEN in the environment sets it too). Without
	// one those endpoints are refused.
	Token string `toml:"token"`
	// MaxImport is the largest catalogue import accepted, in bytes.
	MaxImport int64 `toml:"max_import"`
}

// MinAdminToken is the shortest admin token accepted.
const MinAdminToken = 16

// DefaultMaxImport is the default admin.max_import: 512 MiB.
const DefaultMaxImport = 512 << 20

// Store chooses the storage backend.
type Store struct {
	Backend     string `toml:"backend"` // bolt | postgres | memory
	NoSync      bool   `toml:"nosync"`  // bolt: skip fsync (not durable; benchmarks only)
	MaxBatch    int    `toml:"max_batch"`
	PostgresDSN string `toml:"postgres_dsn"`
	// EIDKeyFile holds the key eID personal codes are hashed with
	// (default DATA_DIR/eid.key, created on first start).
	EIDKeyFile string `toml:"eid_key_file"`
	// PostgresSchema holds bibgate's tables (created if missing); empty
	// means the connection's current schema.
	PostgresSchema string `toml:"postgres_schema"`
	// MaxConns bounds this process's PostgreSQL connections (default 10,
	// or the DSN's pool_max_conns).
	MaxConns int `toml:"max_conns"`
	// StatementTimeout is PostgreSQL's statement_timeout on every
	// connection (default 5s); a request waiting longer fails.
	StatementTimeout Duration `toml:"statement_timeout"`
}

// Jobs schedules the background work.
type Jobs struct {
	Interval Duration `toml:"interval"`
	// Lease is how long the node running the jobs holds that role without
	// renewing it (default 5s), when several gateways share PostgreSQL: the
	// longest the jobs pause when that node dies.
	Lease Duration `toml:"lease"`
}

// Notices configures e-mail delivery of notices (reminders, holds ready).
type Notices struct {
	// SMTP is the mail relay, host:port; empty keeps notices queued.
	SMTP string `toml:"smtp"`
	// From is the sender address.
	From string `toml:"from"`
	// Interval is how often the queue is sent (default 1m).
	Interval Duration `toml:"interval"`
}

// Demo controls the demo data.
type Demo struct {
	// Load loads the demo patrons and items into an empty store.
	Load bool `toml:"load"`
	// BenchPatrons and BenchItems add a load-test population (patrons
	// B00001…, items X0000001… at the central library).
	BenchPatrons int `toml:"bench_patrons"`
	BenchItems   int `toml:"bench_items"`
}

// Consortium names the consortium and its shared calendar.
type Consortium struct {
	Name     string `toml:"name"`
	Timezone string `toml:"timezone"`
	// Country (LV, EE or SI) closes every library on that country's public
	// holidays, computed for any year; Holidays adds closed dates.
	Country  string   `toml:"country"`
	Holidays []string `toml:"holidays"`
}

// Library is one member library.
type Library struct {
	ID      string   `toml:"id"`
	Name    string   `toml:"name"`
	Address string   `toml:"address"`
	Email   string   `toml:"email"`
	Phone   string   `toml:"phone"`
	Open    []string `toml:"open"`   // weekdays: mon tue wed thu fri sat sun
	Closed  []string `toml:"closed"` // extra closed dates, YYYY-MM-DD
}

// Rules are the consortium defaults and overrides (see core/policy).
type Rules struct {
	policy.Partial
	Override []policy.Override `toml:"override"`
}

// SIP2 configures the selfcheck listener and its accounts.
type SIP2 struct {
	Listen         string        `toml:"listen"`
	TLSListen      string        `toml:"tls_listen"`
	CertFile       string        `toml:"cert_file"`
	KeyFile        string        `toml:"key_file"`
	MaxConns       int           `toml:"max_conns"`
	MaxMessage     int           `toml:"max_message"`
	IdleTimeout    Duration      `toml:"idle_timeout"`
	LoginTimeout   Duration      `toml:"login_timeout"`
	TrustedSubnets []string      `toml:"trusted_subnets"`
	TrustedAccount string        `toml:"trusted_account"`
	Accounts       []SIP2Account `toml:"account"`

	// MaxUnauthenticated caps the connections that have not logged in yet;
	// at the cap the one that has waited longest is closed. 0: a quarter
	// of max_conns; negative: no cap.
	MaxUnauthenticated int `toml:"max_unauthenticated"`

	Throttle SIP2Throttle `toml:"throttle"`
}

// SIP2Account is one selfcheck login and its per-account settings.
type SIP2Account struct {
	Login           string   `toml:"login"`
	Password        string   `toml:"password"`
	Library         string   `toml:"library"`
	Institution     string   `toml:"institution"`
	Location        string   `toml:"location"`
	Charset         string   `toml:"charset"`
	ErrorDetection  string   `toml:"error_detection"` // off | accept | require
	Terminator      string   `toml:"terminator"`      // cr | crlf | lf
	Delimiter       string   `toml:"delimiter"`
	Language        string   `toml:"language"` // lv | et | sl | en
	AllowedMessages []string `toml:"allowed_messages"`
	AllowEID        bool     `toml:"allow_eid"`
	// PatronNameFormat lays out AE: "{first} {last}" (default, the name as
	// registered) or "{last}, {first}".
	PatronNameFormat string `toml:"patron_name_format"`
	// FineItemFormat lays out each AV entry; placeholders {id} {amount}
	// {type} {title} {item}.
	FineItemFormat string `toml:"fine_item_format"`
	// ItemListFormat fills AS/AT/AU/CD with "barcode" (default) or "title".
	ItemListFormat string `toml:"item_list_format"`
	// DueDateFormat writes AH as a Go time layout instead of the SIP2 date.
	DueDateFormat string `toml:"due_date_format"`
	// SuppressPatronStatus lists patron status flags (1-14, SIP2 order)
	// never sent as Y, for clients that read any Y as "cannot borrow".
	SuppressPatronStatus []int `toml:"suppress_patron_status"`
	// AlwaysPermitLoans clears the flags kiosks read as a loan block.
	AlwaysPermitLoans bool `toml:"always_permit_loans"`
	// HideFields lists field codes (e.g. "BE", "BF") always sent empty.
	HideFields  []string `toml:"hide_fields"`
	RequirePIN  *bool    `toml:"require_pin"`
	IdleTimeout Duration `toml:"idle_timeout"`
	// ReplayWindow: a request without AY repeating the last one byte for
	// byte within this time is answered from the stored response (default:
	// only a repeated AY is replayed).
	ReplayWindow Duration `toml:"replay_window"`
	// PatronEnable: which blocks 25 lifts: "selfcheck" (default, only a
	// block a selfcheck set with 01), "any" (staff blocks too) or "none".
	PatronEnable string `toml:"patron_enable"`
	// Inventory makes the account an inventory scanner: its 17 (item
	// information) and 19 (item status update) mark the copy seen in the
	// library's open stocktaking instead of only answering.
	Inventory bool `toml:"inventory"`
}

// Z3950 configures the Z39.50 (and SRU on the same port) listener.
type Z3950 struct {
	Listen    string         `toml:"listen"`
	Database  string         `toml:"database"`
	Anonymous *bool          `toml:"anonymous"`
	MaxConns  int            `toml:"max_conns"`
	Accounts  []Z3950Account `toml:"account"`
}

// Z3950Account is an idPass login.
type Z3950Account struct {
	User     string `toml:"user"`
	Password string `toml:"password"`
}

// SRU configures a separate SRU HTTP listener.
type SRU struct {
	Listen string `toml:"listen"`
}

// Duration is a time.Duration written as "15m" in the file.
type Duration struct{ time.Duration }

// UnmarshalText parses "90s", "15m", "1h".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("not a duration (use e.g. 30s, 15m, 1h): %q", b)
	}
	d.Duration = v
	return nil
}

// MarshalText renders d.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Default is the embedded default: data in ./bibgate-data, the demo
// consortium with demo data, SIP2 on 127.0.0.1:6001 with account
// demo/demo, Z39.50 and SRU on 127.0.0.1:2100, admin on 127.0.0.1:9100.
// Every listener is on loopback: the demo's passwords are published, so
// other machines reach it only when an address is given.
func Default() *Config {
	return &Config{
		DataDir: "./bibgate-data",
		Log:     Log{Format: "console", Level: "info"},
		Admin:   Admin{Listen: "127.0.0.1:9100", MaxImport: DefaultMaxImport},
		Store:   Store{Backend: "bolt"},
		Jobs:    Jobs{Interval: Duration{time.Hour}},
		Demo:    Demo{Load: true},
		SIP2: SIP2{
			Listen: "127.0.0.1:6001", MaxConns: 20000, MaxMessage: 4096,
			IdleTimeout: Duration{20 * time.Minute}, LoginTimeout: Duration{30 * time.Second},
			Accounts: []SIP2Account{{Login: "demo", Password: "demo", Library: demo.Central, Institution: demo.Central,
				Location: demo.Central, Charset: "utf-8", ErrorDetection: "accept", Terminator: "cr", Delimiter: "|",
				Language: "lv", AllowEID: true}},
		},
		Z3950: Z3950{Listen: "127.0.0.1:2100", Database: "Default", MaxConns: 2000},
	}
}

// Load reads a config file over the defaults. Errors name the file, the
// line and the key.
func Load(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, string(src))
}

// Parse reads config text (path is for messages).
func Parse(path, src string) (*Config, error) {
	c := Default()
	c.SIP2.Accounts = nil
	c.Demo.Load = false
	c.path, c.src = path, src
	md, err := toml.Decode(src, c)
	if err != nil {
		return nil, c.decodeError(err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0].String()
		return nil, c.errorf(k, "unknown key %q", k)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Error is a config problem at a place in the file.
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	if e.File == "" { // the embedded default, changed on the command line
		return fmt.Sprintf("%s: %s", e.Key, e.Msg)
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.File, e.Key, e.Msg)
}

func (c *Config) errorf(key, format string, args ...any) error {
	return &Error{File: c.path, Line: locate(c.src, key), Key: key, Msg: fmt.Sprintf(format, args...)}
}

// locate finds the line where a dotted key (table.key, or table.N.key for
// the N-th entry of an array of tables) is set in src; 0 if not found.
func locate(src, key string) int {
	var table []string
	index := -1
	parts := strings.Split(key, ".")
	for _, p := range parts[:len(parts)-1] {
		if n, err := strconv.Atoi(p); err == nil {
			index = n
			continue
		}
		table = append(table, p)
	}
	want, leaf := strings.Join(table, "."), parts[len(parts)-1]
	cur, curIndex, seen, array := "", -1, map[string]int{}, ""
	for i, line := range strings.Split(src, "\n") {
		l := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(l, "[["):
			cur = strings.TrimSpace(strings.Trim(l, "[] \t"))
			curIndex = seen[cur]
			seen[cur]++
			array = cur
			if cur == key {
				return i + 1
			}
		case strings.HasPrefix(l, "["):
			cur = strings.TrimSpace(strings.Trim(l, "[] \t"))
			if array == "" || !strings.HasPrefix(cur, array+".") { // a sub-table keeps its array entry's index
				curIndex, array = -1, ""
			}
			if cur == key {
				return i + 1
			}
		default:
			k, _, ok := strings.Cut(l, "=")
			if ok && strings.TrimSpace(k) == leaf && cur == want && (index < 0 || index == curIndex) {
				return i + 1
			}
		}
	}
	return 0
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

func (c *Config) validate() error {
	if err := c.validateAdmin(); err != nil {
		return err
	}
	if err := c.validateListeners(); err != nil {
		return err
	}
	if err := c.validateStaff(); err != nil {
		return err
	}
	switch c.Store.Backend {
	case "bolt", "memory":
	case "postgres":
		if c.Store.PostgresDSN == "" {
			return c.errorf("store.backend", "backend postgres needs store.postgres_dsn")
		}
	default:
		return c.errorf("store.backend", "unknown backend %q (bolt, postgres or memory)", c.Store.Backend)
	}
	if c.Notices.SMTP != "" && c.Notices.From == "" {
		return c.errorf("notices.from", "notices.smtp needs a sender address in notices.from")
	}
	switch c.Log.Format {
	case "console", "json":
	default:
		return c.errorf("log.format", "unknown format %q (console or json)", c.Log.Format)
	}
	if c.Consortium.Timezone != "" {
		if _, err := time.LoadLocation(c.Consortium.Timezone); err != nil {
			return c.errorf("consortium.timezone", "unknown time zone %q", c.Consortium.Timezone)
		}
	}
	for _, h := range c.Consortium.Holidays {
		if _, err := time.Parse("2006-01-02", h); err != nil {
			return c.errorf("consortium.holidays", "%q is not a date (YYYY-MM-DD)", h)
		}
	}
	if c.Consortium.Country != "" && !policy.KnownCountry(c.Consortium.Country) {
		return c.errorf("consortium.country", "%q: public holidays are known for LV, EE and SI", c.Consortium.Country)
	}
	if err := c.validateRules(); err != nil {
		return err
	}
	ids := map[string]bool{}
	for i, l := range c.Libraries {
		k := fmt.Sprintf("library.%d.", i)
		if l.ID == "" {
			return c.errorf(k+"id", "library %d has no id", i+1)
		}
		if ids[l.ID] {
			return c.errorf(k+"id", "library id %q appears twice", l.ID)
		}
		ids[l.ID] = true
		for _, d := range l.Open {
			if _, ok := weekdays[strings.ToLower(d)]; !ok {
				return c.errorf(k+"open", "%q is not a weekday (mon..sun)", d)
			}
		}
		for _, d := range l.Closed {
			if _, err := time.Parse("2006-01-02", d); err != nil {
				return c.errorf(k+"closed", "%q is not a date (YYYY-MM-DD)", d)
			}
		}
	}
	if len(c.Libraries) == 0 && !c.Demo.Load {
		return &Error{File: c.path, Key: "library", Msg: "no [[library]] defined (or set [demo] load = true)"}
	}
	libOK := func(id string) bool {
		if len(c.Libraries) == 0 {
			_, ok := demo.Consortium().Library(id)
			return ok
		}
		return ids[id]
	}
	for i, a := range c.SIP2.Accounts {
		k := fmt.Sprintf("sip2.account.%d.", i)
		if a.Login == "" {
			return c.errorf(k+"login", "SIP2 account %d has no login", i+1)
		}
		if !libOK(a.Library) {
			return c.errorf(k+"library", "no library %q in the consortium", a.Library)
		}
		switch a.ErrorDetection {
		case "", "off", "accept", "require":
		default:
			return c.errorf(k+"error_detection", "%q: use off, accept or require", a.ErrorDetection)
		}
		switch a.Terminator {
		case "", "cr", "crlf", "lf":
		default:
			return c.errorf(k+"terminator", "%q: use cr, crlf or lf", a.Terminator)
		}
		switch a.Language {
		case "", "lv", "et", "sl", "en":
		default:
			return c.errorf(k+"language", "%q: use lv, et, sl or en", a.Language)
		}
		switch a.ItemListFormat {
		case "", "barcode", "title":
		default:
			return c.errorf(k+"item_list_format", "%q: use barcode or title", a.ItemListFormat)
		}
		for _, n := range a.SuppressPatronStatus {
			if n < 1 || n > 14 {
				return c.errorf(k+"suppress_patron_status", "%d: patron status flags are numbered 1 to 14", n)
			}
		}
	}
	for i, o := range c.Rules.Override {
		if o.Library != "" && !libOK(o.Library) {
			return c.errorf(fmt.Sprintf("rules.override.%d.library", i), "no library %q in the consortium", o.Library)
		}
	}
	if err := c.validateILL(libOK); err != nil {
		return err
	}
	return c.validateHoldings(libOK)
}

// Consortium builds the core consortium: the configured libraries, or the
// demo consortium when none are configured; rules are the domain defaults
// with the file's defaults and overrides applied.
func (c *Config) BuildConsortium() (*core.Consortium, error) {
	cons := demo.Consortium()
	if len(c.Libraries) > 0 {
		loc := demo.Riga()
		if c.Consortium.Timezone != "" {
			l, err := time.LoadLocation(c.Consortium.Timezone)
			if err != nil {
				return nil, err
			}
			loc = l
		}
		var holidays []policy.Date
		for _, h := range c.Consortium.Holidays {
			t, _ := time.Parse("2006-01-02", h)
			holidays = append(holidays, policy.DateOf(t))
		}
		cons = &core.Consortium{Name: c.Consortium.Name, Rules: policy.DefaultRuleSet()}
		for _, l := range c.Libraries {
			cal := policy.Calendar{Location: loc, Closed: append([]policy.Date(nil), holidays...),
				Country: strings.ToUpper(c.Consortium.Country)}
			open := l.Open
			if len(open) == 0 {
				open = []string{"mon", "tue", "wed", "thu", "fri"}
			}
			for _, d := range open {
				cal.OpenWeekdays[weekdays[strings.ToLower(d)]] = true
			}
			for _, d := range l.Closed {
				t, _ := time.Parse("2006-01-02", d)
				cal.Closed = append(cal.Closed, policy.DateOf(t))
			}
			cons.Libraries = append(cons.Libraries, core.Library{ID: l.ID, Name: l.Name, Address: l.Address,
				Email: l.Email, Phone: l.Phone, Calendar: cal})
		}
	} else {
		c.applyDemoCalendar(cons)
	}
	cons.ILL = c.ILLSettings()
	c.Rules.Partial.ApplyTo(&cons.Rules.Default)
	cons.Rules.Overrides = append(cons.Rules.Overrides, c.Rules.Override...)
	return cons, nil
}
