package illadapter

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/ill/email"
)

// SMTP submits a composed message (*email.Sender).
type SMTP interface {
	Send(ctx context.Context, from string, to []string, msg []byte) error
}

// Mail is the Sender for a partner reached by e-mail (RFC 2503): each APDU
// is one message from our ILL address to the partner's, with a summary
// for its staff. Nothing comes back on the way; the partner's answers
// arrive in our mailbox (MailHandler). A message for an outbox entry has
// a Message-ID made of the transaction, the event and our symbol, so the
// same entry sent again after a crash is the same message.
type Mail struct {
	SMTP   SMTP
	From   string // our ILL address
	To     string // the partner's ILL mailbox
	Symbol string // our ILL symbol, in the Message-ID
}

// Send implements Sender, with a fresh Message-ID.
func (m Mail) Send(ctx context.Context, a ill.APDU) ([]ill.APDU, error) {
	return nil, m.send(ctx, "", a)
}

// SendEntry implements EntrySender.
func (m Mail) SendEntry(ctx context.Context, e core.ILLOutgoing, a ill.APDU) ([]ill.APDU, error) {
	return nil, m.send(ctx, MessageID(e, m.Symbol, m.From), a)
}

func (m Mail) send(ctx context.Context, id string, a ill.APDU) error {
	c, err := email.Compose(email.Outgoing{From: m.From, To: m.To, MessageID: id, APDU: a})
	if err != nil {
		return fmt.Errorf("illadapter: mail to %s: %w", m.To, err)
	}
	if err := m.SMTP.Send(ctx, m.From, []string{m.To}, c.Raw); err != nil {
		return fmt.Errorf("illadapter: mail to %s: %w", m.To, err)
	}
	return nil
}

// MessageID is the Message-ID of the mail carrying outbox entry e:
// "ill.<transaction>.<event>.<our symbol>@<our mail domain>", the symbol
// with what a Message-ID cannot hold replaced by "_".
func MessageID(e core.ILLOutgoing, symbol, from string) string {
	domain := "localhost"
	if _, d, ok := strings.Cut(from, "@"); ok && d != "" {
		domain = d
	}
	return "ill." + idAtom(e.Transaction.ID) + "." + strconv.Itoa(e.Event.Seq) + "." + idAtom(symbol) + "@" + idAtom(domain)
}

// idAtom keeps letters, digits, '-', '_' and '.' (not at either end).
func idAtom(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		case c == '.' && i > 0 && i < len(b)-1 && b[i-1] != '.':
		default:
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}

// MailHandler is the email.Poller handler for our ILL mailbox: partners
// maps each partner's ILL address (lower case) to its symbol, the same
// list the Poller allows. Every APDU of a message is handed to the engine
// as received (Receive). The message counts as handled, and is moved out
// of the mailbox, when every APDU was applied; a message whose APDUs could
// not be stored stays and comes again. A message with a part that cannot
// be used — not a readable APDU, or an APDU in another library's name — is
// refused (email.ErrReject) once its usable APDUs are applied: it goes to
// the rejected folder, where a librarian can read it, and the refusal is
// logged with the reason.
//
// Repeats need no store of their own: the same mail fetched twice, or
// the same outbox entry mailed again after the partner's crash, carries
// the APDU with the same service-date-time, which the engine recognises
// and does not apply twice (core: ReasonILLDuplicateAPDU). An APDU must
// speak for the partner it comes from: a request with the partner as
// requester, anything else for a transaction with that partner.
func (b *Backend) MailHandler(partners map[string]string) email.Handler {
	return func(ctx context.Context, in email.Incoming) error {
		from := partners[strings.ToLower(in.From)]
		if from == "" {
			return fmt.Errorf("illadapter: mail from %s: %w: not a partner's address", in.From, email.ErrReject)
		}
		var refused []string
		for i, p := range in.Parts {
			if p.Err != nil {
				refused = append(refused, fmt.Sprintf("part %d: %v", i+1, p.Err))
				continue
			}
			ok, err := b.speaksFor(ctx, p.APDU, from)
			if err != nil {
				return err
			}
			if !ok {
				refused = append(refused, fmt.Sprintf("part %d: %s of transaction %s is not %s's", i+1,
					p.APDU.Type(), p.APDU.Head().TransactionID.Qualifier, from))
				continue
			}
			if err := b.Receive(ctx, p.APDU); err != nil {
				return fmt.Errorf("illadapter: mail <%s> from %s: %w", in.MessageID, in.From, err)
			}
		}
		if len(refused) > 0 {
			return fmt.Errorf("illadapter: mail <%s> from %s: %w: %s", in.MessageID, in.From, email.ErrReject, strings.Join(refused, "; "))
		}
		return nil
	}
}

// speaksFor reports whether partner may send a: a request it makes, or an
// APDU of a transaction with it. An APDU of no transaction we know is let
// through, for the engine to refuse.
func (b *Backend) speaksFor(ctx context.Context, a ill.APDU, partner string) (bool, error) {
	if r, ok := a.(*ill.Request); ok {
		return partnerOf(&r.Header) == partner, nil
	}
	tid := TransactionID(a.Head().TransactionID)
	x, err := b.Svc.ILLGet(ctx, core.ILLRef{TID: &tid, Role: roleOf(a.Type())})
	switch {
	case core.ReasonOf(err) != "":
		return true, nil
	case err != nil:
		return false, fmt.Errorf("illadapter: %w", err)
	}
	return x.Partner == partner, nil
}

var _ EntrySender = Mail{}
