package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Security is how a Poller protects its IMAP connection.
type Security int

// Securities.
const (
	// StartTLS upgrades the connection with STARTTLS and fails when the
	// server does not offer it (port 143). The default.
	StartTLS Security = iota
	// ImplicitTLS speaks TLS from the start (port 993).
	ImplicitTLS
	// Plaintext sends the password in the clear; only to a loopback
	// address.
	Plaintext
)

// IMAPConfig says which mailbox a Poller reads and what it lets through.
type IMAPConfig struct {
	Addr     string // host:port
	Username string
	Password string
	Security Security
	TLS      *tls.Config // nil verifies against the system's roots; server name defaults to Addr's host

	Mailbox   string // where APDUs arrive; default "INBOX"
	Processed string // where handled messages go; default "ILL-Processed"
	Rejected  string // where refused messages go; default "ILL-Rejected"

	// AllowFrom lists the senders whose messages are handed over: an
	// address ("ill@lib.example") or a domain ("@lib.example"), compared
	// without regard to case. Messages from anyone else, and messages with
	// no readable From, are moved to Rejected. An empty list lets nothing
	// through.
	AllowFrom []string

	Limits  Limits        // for Parse; a message over Limits.MaxMessage is rejected unread
	Batch   int           // messages looked at per Poll, oldest first; 0 for all
	Timeout time.Duration // bounds one Poll; default two minutes

	// OnReject, if set, is told of every message moved to Rejected and why
	// (for the log; the message itself is kept in Rejected).
	OnReject func(ctx context.Context, r Rejection)
}

// Rejection is a message the Poller did not hand over.
type Rejection struct {
	UID       uint32
	MessageID string // "" when unread or absent
	From      string // "" when unread or absent
	Err       error  // ErrNotAllowed, ErrNoAPDU, ErrTooLarge or ErrMalformed, wrapped
}

// ErrNotAllowed: the sender is not on the allow-list.
var ErrNotAllowed = errors.New("email: sender not on the allow-list")

// Incoming is one message handed to a Poller's callback.
type Incoming struct {
	UID uint32 // in the polled mailbox, for logs
	*Message
	Raw []byte // the message as fetched, for an audit log
}

// Handler processes one incoming message. Returning nil says its APDUs are
// safely stored (or were already: see Part.Key), and the message is moved
// to the processed folder; an error wrapping ErrReject says the message
// cannot be used as it is (and what of it could be used is stored), and it
// is moved to the rejected folder for a person to look at; any other error
// leaves the message in the mailbox for the next poll.
type Handler func(ctx context.Context, in Incoming) error

// ErrReject, wrapped in a Handler's error, has the message moved to the
// rejected folder, with the error passed to IMAPConfig.OnReject.
var ErrReject = errors.New("email: refused by the handler")

// PollResult counts what one Poll did.
type PollResult struct {
	Processed int     // handed over and moved to Processed
	Rejected  int     // moved to Rejected
	Failed    int     // handed over, the handler failed, left in the mailbox
	Errs      []error // the handlers' errors and any failed moves
}

// Poller reads an IMAP mailbox of incoming ILL mail.
type Poller struct {
	cfg IMAPConfig
}

// NewPoller returns a Poller for cfg.
func NewPoller(cfg IMAPConfig) (*Poller, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("email: IMAP address %q: %w", cfg.Addr, err)
	}
	if cfg.Security == Plaintext {
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("email: IMAP %s: plain text only to a loopback address", cfg.Addr)
		}
	}
	if cfg.Mailbox == "" {
		cfg.Mailbox = "INBOX"
	}
	if cfg.Processed == "" {
		cfg.Processed = "ILL-Processed"
	}
	if cfg.Rejected == "" {
		cfg.Rejected = "ILL-Rejected"
	}
	if cfg.Processed == cfg.Mailbox || cfg.Rejected == cfg.Mailbox {
		return nil, fmt.Errorf("email: IMAP: the processed and rejected folders must differ from %q", cfg.Mailbox)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	cfg.Limits = cfg.Limits.withDefaults()
	return &Poller{cfg: cfg}, nil
}

// Allowed reports whether mail from the address from is handed over.
func (p *Poller) Allowed(from string) bool {
	from = strings.ToLower(strings.TrimSpace(from))
	if from == "" {
		return false
	}
	for _, a := range p.cfg.AllowFrom {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == from || (strings.HasPrefix(a, "@") && strings.HasSuffix(from, a)) {
			return true
		}
	}
	return false
}

// Poll connects, hands the messages in the mailbox (up to Batch) to h in
// UID order and moves each to Processed when h returns nil, or to Rejected
// when it is not from an allowed sender, holds no APDU, or h refuses it
// (ErrReject). Every message
// still in the mailbox is looked at, read or not: one that a person opened
// in a mail client, or one whose handler failed last time, is handed over
// again.
// The returned error is about the connection; the handlers' errors are in
// PollResult.Errs.
func (p *Poller) Poll(ctx context.Context, h Handler) (PollResult, error) {
	var res PollResult
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	c, err := p.connect(ctx, nil)
	if err != nil {
		return res, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	defer func() { _ = c.Logout().Wait() }()

	if err := p.ensureFolders(c); err != nil {
		return res, err
	}
	if _, err := c.Select(p.cfg.Mailbox, nil).Wait(); err != nil {
		return res, p.wrap(ctx, "SELECT "+p.cfg.Mailbox, err)
	}
	sd, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted}}, nil).Wait()
	if err != nil {
		return res, p.wrap(ctx, "UID SEARCH", err)
	}
	uids := sd.AllUIDs()
	if len(uids) == 0 {
		return res, nil
	}
	slices.Sort(uids)
	if p.cfg.Batch > 0 && len(uids) > p.cfg.Batch {
		uids = uids[:p.cfg.Batch]
	}
	// Sizes first, so that an oversized message is refused unread, and the
	// envelope to say whose it was.
	sizes, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true, Envelope: true}).Collect()
	if err != nil {
		return res, p.wrap(ctx, "UID FETCH RFC822.SIZE ENVELOPE", err)
	}
	meta := map[imap.UID]*imapclient.FetchMessageBuffer{}
	for _, m := range sizes {
		meta[m.UID] = m
	}
	for _, uid := range uids {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := p.one(ctx, c, uid, meta[uid], h, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// one handles the message uid; an error is about the connection.
func (p *Poller) one(ctx context.Context, c *imapclient.Client, uid imap.UID, meta *imapclient.FetchMessageBuffer, h Handler, res *PollResult) error {
	reject := func(r Rejection) error {
		r.UID = uint32(uid)
		if err := p.move(c, uid, p.cfg.Rejected); err != nil {
			return p.wrap(ctx, "moving a rejected message", err)
		}
		res.Rejected++
		if p.cfg.OnReject != nil {
			p.cfg.OnReject(ctx, r)
		}
		return nil
	}
	if meta != nil && meta.RFC822Size > int64(p.cfg.Limits.MaxMessage) {
		r := Rejection{Err: fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, meta.RFC822Size, p.cfg.Limits.MaxMessage)}
		if e := meta.Envelope; e != nil {
			r.MessageID = e.MessageID
			if len(e.From) > 0 {
				r.From = strings.ToLower(e.From[0].Addr())
			}
		}
		return reject(r)
	}
	body := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{body}}).Collect()
	if err != nil {
		return p.wrap(ctx, "UID FETCH BODY.PEEK[]", err)
	}
	if len(msgs) == 0 {
		return nil // expunged meanwhile
	}
	raw := msgs[0].FindBodySection(body)
	m, err := Parse(raw, p.cfg.Limits)
	if err != nil {
		r := Rejection{Err: err}
		if hdr, _, _ := readHeader(raw); hdr != nil {
			r.MessageID, r.From = hdr.MessageID, hdr.From
		}
		return reject(r)
	}
	if !p.Allowed(m.From) {
		return reject(Rejection{MessageID: m.MessageID, From: m.From, Err: fmt.Errorf("%w: %q", ErrNotAllowed, m.From)})
	}
	if err := h(ctx, Incoming{UID: uint32(uid), Message: m, Raw: raw}); errors.Is(err, ErrReject) {
		return reject(Rejection{MessageID: m.MessageID, From: m.From, Err: err})
	} else if err != nil {
		res.Failed++
		res.Errs = append(res.Errs, fmt.Errorf("email: message %d <%s> from %s: %w", uid, m.MessageID, m.From, err))
		return ctx.Err()
	}
	if err := p.move(c, uid, p.cfg.Processed); err != nil {
		// Handled but still in the mailbox: it comes again next time and
		// the handler finds its keys already stored.
		res.Errs = append(res.Errs, fmt.Errorf("email: message %d <%s> handled, not moved: %w", uid, m.MessageID, err))
		return p.wrap(ctx, "moving a processed message", err)
	}
	res.Processed++
	return nil
}

// move moves uid to folder: MOVE where the server offers it, else COPY,
// STORE \Deleted and UID EXPUNGE (plain EXPUNGE on a server without
// UIDPLUS, which also removes other messages marked \Deleted).
func (p *Poller) move(c *imapclient.Client, uid imap.UID, folder string) error {
	_, err := c.Move(imap.UIDSetNum(uid), folder).Wait()
	return err
}

func (p *Poller) ensureFolders(c *imapclient.Client) error {
	have := map[string]bool{}
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		return fmt.Errorf("email: IMAP LIST: %w", err)
	}
	for _, l := range list {
		have[l.Mailbox] = true
	}
	for _, f := range []string{p.cfg.Processed, p.cfg.Rejected} {
		if have[f] {
			continue
		}
		if err := c.Create(f, nil).Wait(); err != nil {
			var ie *imap.Error
			if errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists {
				continue
			}
			return fmt.Errorf("email: IMAP CREATE %s: %w", f, err)
		}
	}
	return nil
}

func (p *Poller) connect(ctx context.Context, unilateral *imapclient.UnilateralDataHandler) (*imapclient.Client, error) {
	host, _, _ := net.SplitHostPort(p.cfg.Addr)
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if p.cfg.TLS != nil {
		tc = p.cfg.TLS.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = host
	}
	d := &net.Dialer{}
	var conn net.Conn
	var err error
	if p.cfg.Security == ImplicitTLS {
		conn, err = (&tls.Dialer{NetDialer: d, Config: tc}).DialContext(ctx, "tcp", p.cfg.Addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", p.cfg.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("email: IMAP %s: %w", p.cfg.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
		defer func() { _ = conn.SetDeadline(time.Time{}) }() // the caller's own context bounds the rest
	}
	opts := &imapclient.Options{TLSConfig: tc, UnilateralDataHandler: unilateral}
	var c *imapclient.Client
	if p.cfg.Security == StartTLS {
		if c, err = imapclient.NewStartTLS(conn, opts); err != nil {
			conn.Close()
			return nil, fmt.Errorf("email: IMAP %s: STARTTLS: %w", p.cfg.Addr, err)
		}
	} else {
		c = imapclient.New(conn, opts)
		if err := c.WaitGreeting(); err != nil {
			c.Close()
			return nil, fmt.Errorf("email: IMAP %s: %w", p.cfg.Addr, err)
		}
	}
	if err := c.Login(p.cfg.Username, p.cfg.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("email: IMAP %s: LOGIN as %s: %w", p.cfg.Addr, p.cfg.Username, err)
	}
	return c, nil
}

func (p *Poller) wrap(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("email: IMAP %s: %s: %w (%v)", p.cfg.Addr, what, ctx.Err(), err)
	}
	return fmt.Errorf("email: IMAP %s: %s: %w", p.cfg.Addr, what, err)
}

// Run polls at once, then whenever new mail arrives in the mailbox (seen
// over a second connection in IDLE, where the server offers it) and at
// least every interval, until ctx ends. Each poll's outcome goes to report
// (which may be nil). It returns ctx's error.
func (p *Poller) Run(ctx context.Context, interval time.Duration, h Handler, report func(PollResult, error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wake := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() { defer close(done); p.watch(ctx, interval, wake) }()
	defer func() { <-done }()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		res, err := p.Poll(ctx, h)
		if report != nil {
			report(res, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-wake:
		}
	}
}

// watch signals wake whenever the server announces new messages in the
// mailbox, reconnecting after failures, until ctx ends or the server has
// no IDLE.
func (p *Poller) watch(ctx context.Context, retry time.Duration, wake chan<- struct{}) {
	signal := func(d *imapclient.UnilateralDataMailbox) {
		if d.NumMessages != nil && *d.NumMessages > 0 {
			select {
			case wake <- struct{}{}:
			default:
			}
		}
	}
	for ctx.Err() == nil {
		idle, err := p.idleOnce(ctx, signal)
		if !idle {
			return
		}
		if err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(retry):
			}
		}
	}
}

// idleOnce holds one IDLE connection until ctx ends or the connection
// fails; idle is false when the server does not offer IDLE.
func (p *Poller) idleOnce(ctx context.Context, signal func(*imapclient.UnilateralDataMailbox)) (idle bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	c, err := p.connect(cctx, &imapclient.UnilateralDataHandler{Mailbox: signal})
	cancel()
	if err != nil {
		return true, err
	}
	defer c.Close()
	if !c.Caps().Has(imap.CapIdle) {
		_ = c.Logout().Wait()
		return false, nil
	}
	sel, err := c.Select(p.cfg.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return true, err
	}
	// Mail that came between the last poll and this SELECT.
	signal(&imapclient.UnilateralDataMailbox{NumMessages: &sel.NumMessages})
	cmd, err := c.Idle()
	if err != nil {
		return true, err
	}
	select {
	case <-ctx.Done():
		t := time.AfterFunc(5*time.Second, func() { c.Close() }) // a silent server
		defer t.Stop()
		_ = cmd.Close()
		_ = cmd.Wait()
		_ = c.Logout().Wait()
		return true, nil
	case <-c.Closed():
		return true, errors.New("email: IMAP IDLE connection closed")
	}
}
