package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"time"
)

// SMTPConfig says how to reach the SMTP relay or submission server.
type SMTPConfig struct {
	Addr string // host:port
	// Username and Password, when Username is set, authenticate with
	// AUTH PLAIN, which is only sent over TLS or to a loopback address.
	Username string
	Password string
	// ImplicitTLS connects with TLS from the start (port 465); otherwise
	// STARTTLS is used whenever the server offers it.
	ImplicitTLS bool
	// RequireTLS refuses to send when the server does not offer STARTTLS.
	RequireTLS bool
	// TLS verifies the server; nil verifies against the system's roots.
	// The server name defaults to Addr's host.
	TLS *tls.Config
	// LocalName is the name given in EHLO; default "localhost".
	LocalName string
	// Timeout bounds one Send; default one minute.
	Timeout time.Duration
}

// Sender submits composed messages over SMTP, one connection per message.
type Sender struct {
	cfg SMTPConfig
}

// NewSender returns a Sender for cfg.
func NewSender(cfg SMTPConfig) (*Sender, error) {
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return nil, fmt.Errorf("email: SMTP address %q: %w", cfg.Addr, err)
	}
	if cfg.LocalName == "" {
		cfg.LocalName = "localhost"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	return &Sender{cfg: cfg}, nil
}

// ErrNoTLS: RequireTLS is set and the server offers no STARTTLS.
var ErrNoTLS = errors.New("email: SMTP server offers no STARTTLS")

// Send submits msg (a whole message, CRLF line ends, as Compose writes it)
// from the envelope sender from to the recipients to. A nil error means the
// server accepted responsibility for the message.
func (s *Sender) Send(ctx context.Context, from string, to []string, msg []byte) error {
	if len(to) == 0 {
		return errors.New("email: send: no recipients")
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	host, _, _ := net.SplitHostPort(s.cfg.Addr)
	tc := s.tlsConfig(host)

	var conn net.Conn
	var err error
	d := &net.Dialer{}
	if s.cfg.ImplicitTLS {
		conn, err = (&tls.Dialer{NetDialer: d, Config: tc}).DialContext(ctx, "tcp", s.cfg.Addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.cfg.Addr)
	}
	if err != nil {
		return fmt.Errorf("email: send: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("email: send via %s: %w", s.cfg.Addr, err)
	}
	defer c.Close()
	if err := c.Hello(s.cfg.LocalName); err != nil {
		return fmt.Errorf("email: send via %s: EHLO: %w", s.cfg.Addr, err)
	}
	if !s.cfg.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tc); err != nil {
				return fmt.Errorf("email: send via %s: STARTTLS: %w", s.cfg.Addr, err)
			}
		} else if s.cfg.RequireTLS {
			return fmt.Errorf("%w (%s)", ErrNoTLS, s.cfg.Addr)
		}
	}
	if s.cfg.Username != "" {
		// net/smtp's PLAIN refuses to send the password in the clear
		// except to localhost, 127.0.0.1 or ::1.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, host)); err != nil {
			return fmt.Errorf("email: send via %s: AUTH as %s: %w", s.cfg.Addr, s.cfg.Username, err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("email: send via %s: MAIL FROM:<%s>: %w", s.cfg.Addr, from, err)
	}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			return fmt.Errorf("email: send via %s: RCPT TO:<%s>: %w", s.cfg.Addr, r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("email: send via %s: DATA: %w", s.cfg.Addr, err)
	}
	if _, err := bytes.NewReader(msg).WriteTo(w); err != nil {
		return fmt.Errorf("email: send via %s: %w", s.cfg.Addr, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("email: send via %s: message refused: %w", s.cfg.Addr, err)
	}
	_ = c.Quit() // the message is accepted; a failed QUIT changes nothing
	return nil
}

func (s *Sender) tlsConfig(host string) *tls.Config {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.cfg.TLS != nil {
		tc = s.cfg.TLS.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = host
	}
	return tc
}
