package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
	"time"

	illadapter "github.com/bibgate/bibgate/adapters/ill"
	"github.com/bibgate/bibgate/ill/email"
	"github.com/bibgate/bibgate/internal/config"
)

// defaultILLMailPoll is how often the ILL mailbox is read without IDLE.
const defaultILLMailPoll = time.Minute

// illMailTLS is the TLS configuration for the mail servers: ill.mail.ca_file's
// certificates, else the system's roots.
func (a *App) illMailTLS() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if f := a.cfg.ILL.Mail.CAFile; f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("ill.mail.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ill.mail.ca_file: no certificate in %s", f)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// illMailPassword is the ILL mailbox password, which must be set.
func (a *App) illMailPassword() (string, error) {
	pw, err := a.cfg.ILLMailPassword()
	if err != nil {
		return "", err
	}
	if pw == "" {
		return "", fmt.Errorf("ill.mail: no password for %s: set ill.mail.password_file or %s", a.cfg.ILL.Mail.Username, config.ILLMailPasswordEnv)
	}
	return pw, nil
}

// illMailSenders adds an e-mail sender for each partner with an e-mail
// address and neither an ISO 10161 address nor an ISO 18626 URL.
func (a *App) illMailSenders(senders map[string]illadapter.Sender) error {
	m := &a.cfg.ILL.Mail
	var smtp *email.Sender
	for _, p := range a.cfg.ILL.Partners {
		if p.Email == "" || p.Address != "" || p.URL != "" {
			continue
		}
		if smtp == nil {
			tc, err := a.illMailTLS()
			if err != nil {
				return err
			}
			sc := email.SMTPConfig{Addr: a.cfg.ILLMailSMTP(), TLS: tc, ImplicitTLS: m.SMTPTLS == "implicit",
				RequireTLS: m.SMTPTLS == "require"}
			if m.SMTPAuth {
				pw, err := a.illMailPassword()
				if err != nil {
					return err
				}
				sc.Username, sc.Password = m.Username, pw
			}
			if _, d, ok := strings.Cut(m.From, "@"); ok {
				sc.LocalName = d
			}
			if smtp, err = email.NewSender(sc); err != nil {
				return fmt.Errorf("ill.mail.smtp: %w", err)
			}
		}
		senders[p.Symbol] = illadapter.Mail{SMTP: smtp, From: m.From, To: p.Email, Symbol: a.cfg.ILL.Symbol}
	}
	return nil
}

// illMailReader reads the ILL mailbox and hands partners' APDUs to the
// engine until ctx ends; nil when no mailbox is configured.
func (a *App) illMailReader() (func(ctx context.Context), error) {
	m := &a.cfg.ILL.Mail
	if m.IMAP == "" {
		return nil, nil
	}
	partners := map[string]string{}
	var allow []string
	for _, p := range a.cfg.ILL.Partners {
		if p.Email != "" {
			partners[strings.ToLower(p.Email)] = p.Symbol
			allow = append(allow, p.Email)
		}
	}
	if len(allow) == 0 {
		a.log.Warn().Str("imap", m.IMAP).Msg("ill.mail.imap is set but no partner has an email: every message will go to the rejected folder")
	}
	tc, err := a.illMailTLS()
	if err != nil {
		return nil, err
	}
	pw, err := a.illMailPassword()
	if err != nil {
		return nil, err
	}
	sec := email.StartTLS
	switch m.IMAPTLS {
	case "implicit":
		sec = email.ImplicitTLS
	case "plain":
		sec = email.Plaintext
	}
	b, err := a.illAdapter()
	if err != nil {
		return nil, err
	}
	log := b.Logger
	p, err := email.NewPoller(email.IMAPConfig{Addr: m.IMAP, Username: m.Username, Password: pw, Security: sec, TLS: tc,
		Mailbox: m.Mailbox, Processed: m.Processed, Rejected: m.Rejected, AllowFrom: allow, Limits: email.Limits{MaxAPDU: a.cfg.ILL.MaxAPDU},
		OnReject: func(_ context.Context, r email.Rejection) {
			log.Warn().Err(r.Err).Str("from", r.From).Str("message_id", r.MessageID).Msg("ill: mail rejected: left in the rejected folder for staff")
		}})
	if err != nil {
		return nil, fmt.Errorf("ill.mail.imap: %w", err)
	}
	every := m.PollInterval.Duration
	if every <= 0 {
		every = defaultILLMailPoll
	}
	h := b.MailHandler(partners)
	return func(ctx context.Context) {
		_ = p.Run(ctx, every, h, func(res email.PollResult, err error) {
			if err != nil && ctx.Err() == nil {
				log.Warn().Err(err).Msg("ill: mailbox not read; will try again")
			}
			for _, e := range res.Errs {
				log.Error().Err(e).Msg("ill: mail not applied; it stays in the mailbox")
			}
			if res.Processed > 0 {
				log.Info().Int("messages", res.Processed).Msg("ill: mail applied")
				if a.outbox != nil {
					a.outbox.Kick() // the engine's answers go out now
				}
			}
		})
	}, nil
}
