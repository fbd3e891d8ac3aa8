package illadapter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/ill/illclient"
)

// Sender delivers one APDU to a partner and returns what the partner
// answered on the way (nothing, for e-mail). An error means not
// delivered: the message stays in the outbox and is tried again.
type Sender interface {
	Send(ctx context.Context, a ill.APDU) ([]ill.APDU, error)
}

// EntrySender is a Sender that labels each message with the outbox entry
// it comes from (e-mail's Message-ID), so that a message sent again after
// a crash carries the label of the first. The Outbox prefers SendEntry.
type EntrySender interface {
	Sender
	SendEntry(ctx context.Context, m core.ILLOutgoing, a ill.APDU) ([]ill.APDU, error)
}

// EventSender delivers one outbox message to a partner whose protocol is
// not ISO 10161 (ISO 18626 over HTTP): it renders the event itself. A nil
// error means the partner confirmed it; otherwise the message stays in
// the outbox and is tried again.
type EventSender interface {
	SendEvent(ctx context.Context, m core.ILLOutgoing) error
}

// Outbox defaults.
const (
	DefaultOutboxInterval = 2 * time.Second
	DefaultMaxBackoff     = 5 * time.Minute
	outboxBatch           = 100
)

// Outbox delivers the engine's outbox (core.ILLPending) to the partners,
// each by its Sender (or its EventSender, for ISO 18626), in the order the messages were written: a message
// is marked sent (core.ILLSent) only after its Sender delivered it, so a
// crash in between sends it again, and the partner recognises the repeat
// by its service-date-time, the event's own time (core: ReasonILLDuplicateAPDU).
// A partner that cannot be reached is tried again after a growing pause;
// the others go on. What a partner answers on the way is handed to the
// engine as received (Backend.Receive), except the plain receipts.
type Outbox struct {
	Backend *Backend
	// Senders is the transport per partner symbol; messages for a partner
	// without one wait (staff can see them in bibgate ill list).
	Senders map[string]Sender
	// EventSenders is the transport per partner symbol for partners that
	// take the engine's events rather than APDUs; it is used before
	// Senders.
	EventSenders map[string]EventSender
	// Interval between looks at the outbox (default DefaultOutboxInterval).
	Interval time.Duration
	// FirstBackoff is the pause after a first failure (default 1 s); it
	// doubles with each failure in a row up to MaxBackoff.
	FirstBackoff time.Duration
	MaxBackoff   time.Duration // default DefaultMaxBackoff
	Logger       zerolog.Logger

	mu      sync.Mutex
	backoff map[string]backoff
	kick    chan struct{}
}

type backoff struct {
	until time.Time
	wait  time.Duration
}

// Kick makes Run look at the outbox now.
func (o *Outbox) Kick() {
	o.init()
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

func (o *Outbox) init() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.kick == nil {
		o.kick = make(chan struct{}, 1)
		o.backoff = map[string]backoff{}
	}
}

// Run delivers until ctx ends.
func (o *Outbox) Run(ctx context.Context) error {
	o.init()
	every := o.Interval
	if every <= 0 {
		every = DefaultOutboxInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := o.Flush(ctx); err != nil && ctx.Err() == nil {
			o.Logger.Error().Err(err).Msg("ill: outbox")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-o.kick:
		}
	}
}

// Flush makes one pass over the outbox and returns how many messages it
// delivered.
func (o *Outbox) Flush(ctx context.Context) (int, error) {
	o.init()
	svc := o.Backend.Svc
	pending, err := svc.ILLPending(ctx, outboxBatch)
	if err != nil {
		return 0, fmt.Errorf("illadapter: outbox: %w", err)
	}
	ours := svc.Consortium().ILL.Symbol
	held := map[string]bool{} // partners not reached in this pass: the rest of theirs waits
	sent := 0
	for _, m := range pending {
		p := m.Transaction.Partner
		if held[p] || !o.due(p) {
			held[p] = true
			continue
		}
		if es := o.EventSenders[p]; es != nil {
			if err := es.SendEvent(ctx, m); err != nil {
				if ctx.Err() != nil {
					return sent, nil
				}
				wait := o.failed(p)
				o.Logger.Warn().Err(err).Str("partner", p).Str("event", m.Event.Service.String()).Str("transaction", m.Transaction.ID).
					Dur("retry_in", wait).Msg("ill: not delivered; will try again")
				held[p] = true
				continue
			}
			o.succeeded(p)
			if err := svc.ILLSent(ctx, m.Key); err != nil {
				return sent, fmt.Errorf("illadapter: outbox: mark %s sent: %w", m.Key, err)
			}
			sent++
			o.Logger.Info().Str("partner", p).Str("event", m.Event.Service.String()).Str("transaction", m.Transaction.ID).Msg("ill: sent")
			continue
		}
		snd := o.Senders[p]
		if snd == nil {
			held[p] = true
			continue
		}
		a, err := APDU(m.Transaction, m.Event.Seq-1, ours, o.Backend.at(m.Event.At))
		if err != nil {
			// Cannot happen for an event the engine queued; if it does, the
			// message stays for staff to see and the partner's others wait.
			o.Logger.Error().Err(err).Str("transaction", m.Transaction.ID).Int("event", m.Event.Seq).Msg("ill: outbox message not rendered")
			held[p] = true
			continue
		}
		var replies []ill.APDU
		if es, ok := snd.(EntrySender); ok {
			replies, err = es.SendEntry(ctx, m, a)
		} else {
			replies, err = snd.Send(ctx, a)
		}
		if err != nil && !errors.Is(err, illclient.ErrBadReply) {
			if ctx.Err() != nil {
				return sent, nil
			}
			wait := o.failed(p)
			o.Logger.Warn().Err(err).Str("partner", p).Str("apdu", a.Type().String()).Str("transaction", m.Transaction.ID).
				Dur("retry_in", wait).Msg("ill: not delivered; will try again")
			held[p] = true
			continue
		}
		if err != nil {
			o.Logger.Warn().Err(err).Str("partner", p).Msg("ill: delivered, answer unreadable")
		}
		o.succeeded(p)
		if err := svc.ILLSent(ctx, m.Key); err != nil {
			return sent, fmt.Errorf("illadapter: outbox: mark %s sent: %w", m.Key, err)
		}
		sent++
		o.Logger.Info().Str("partner", p).Str("apdu", a.Type().String()).Str("transaction", m.Transaction.ID).Msg("ill: sent")
		for _, r := range replies {
			if isReceipt(r) {
				continue
			}
			if err := o.Backend.Receive(ctx, r); err != nil {
				o.Logger.Error().Err(err).Str("partner", p).Str("apdu", r.Type().String()).Msg("ill: answer not applied")
			}
		}
	}
	return sent, nil
}

// isReceipt: a Status-Or-Error-Report with a status and no error only
// acknowledges what we sent.
func isReceipt(a ill.APDU) bool {
	r, ok := a.(*ill.StatusOrErrorReport)
	return ok && r.ErrorReport == nil
}

func (o *Outbox) due(partner string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, ok := o.backoff[partner]
	return !ok || !time.Now().Before(b.until)
}

func (o *Outbox) failed(partner string) time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	b := o.backoff[partner]
	max := o.MaxBackoff
	if max <= 0 {
		max = DefaultMaxBackoff
	}
	switch {
	case b.wait == 0:
		b.wait = o.FirstBackoff
		if b.wait <= 0 {
			b.wait = time.Second
		}
	case b.wait < max:
		b.wait = min(2*b.wait, max)
	}
	b.until = time.Now().Add(b.wait)
	o.backoff[partner] = b
	return b.wait
}

func (o *Outbox) succeeded(partner string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.backoff, partner)
}

// TCP is the Sender for a partner on ISO 10161 over TCP.
type TCP struct{ Client *illclient.Client }

// Send implements Sender.
func (s TCP) Send(ctx context.Context, a ill.APDU) ([]ill.APDU, error) { return s.Client.Send(ctx, a) }
