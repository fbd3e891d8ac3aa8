package illadapter_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	illadapter "github.com/bibgate/bibgate/adapters/ill"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/ill/email"
	"github.com/bibgate/bibgate/internal/mailtest"
	"github.com/bibgate/bibgate/store/memstore"
)

// mailbox connects g to the mail system: its outbox mails the partner,
// its poller reads g's own mailbox, from the partner only.
type mailbox struct {
	g      *gateway
	poller *email.Poller
	handle email.Handler
}

func connectMail(t *testing.T, ms *mailtest.Server, g *gateway, user, symbol, partner, partnerUser string) *mailbox {
	t.Helper()
	smtp, err := email.NewSender(email.SMTPConfig{Addr: ms.SMTPAddr, TLS: ms.TLSConfig(), RequireTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	g.outbox.Senders = map[string]illadapter.Sender{partner: illadapter.Mail{SMTP: smtp, From: ms.Address(user),
		To: ms.Address(partnerUser), Symbol: symbol}}
	p, err := email.NewPoller(email.IMAPConfig{Addr: ms.IMAPAddr, Username: user, Password: ms.Password(user),
		TLS: ms.TLSConfig(), AllowFrom: []string{ms.Address(partnerUser)}})
	if err != nil {
		t.Fatal(err)
	}
	return &mailbox{g: g, poller: p, handle: g.outbox.Backend.MailHandler(map[string]string{ms.Address(partnerUser): partner})}
}

// poll reads the mailbox until want messages were applied.
func (m *mailbox) poll(t *testing.T, want int) {
	t.Helper()
	got := 0
	for range 50 {
		res, err := m.poller.Poll(context.Background(), m.handle)
		if err != nil || len(res.Errs) > 0 || res.Rejected > 0 {
			t.Fatalf("poll: %+v, %v", res, err)
		}
		if got += res.Processed; got >= want {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got != want {
		t.Fatalf("%d messages applied, want %d", got, want)
	}
}

// TestTwoGatewaysOverEmail: the loan of TestTwoGatewaysOverTCP by e-mail
// through Postfix and Dovecot only: each outbox mails the partner's ILL
// mailbox, each gateway reads its own. A message mailed twice (a crash
// after sending, before it was recorded sent) is applied once.
func TestTwoGatewaysOverEmail(t *testing.T) {
	ms := mailtest.Start(t, mailtest.Options{}, "ill-lv", "ill-ee")
	ctx := context.Background()
	lv := newGateway(t, "LV:ILU", "EE:TARTU")
	ee := newGateway(t, "EE:TARTU", "LV:ILU")
	lvm := connectMail(t, ms, lv, "ill-lv", "LV:ILU", "EE:TARTU", "ill-ee")
	eem := connectMail(t, ms, ee, "ill-ee", "EE:TARTU", "LV:ILU", "ill-lv")

	if _, err := lv.svc.ILLRequest(ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: "EE:TARTU",
		Item: core.ILLItem{Title: "Kalevipoeg", ISBN: kalevipoegISBN}, PickupLibrary: demo.Subate}); err != nil {
		t.Fatal(err)
	}
	// Mailed, then "crashed" before it was recorded sent: mailed again.
	crash := &lostMail{EntrySender: lv.outbox.Senders["EE:TARTU"].(illadapter.EntrySender), times: 1}
	lv.outbox.Senders["EE:TARTU"] = crash
	lv.outbox.FirstBackoff = 1
	lv.flush(t, 0)
	lv.flush(t, 1)
	eem.poll(t, 2)
	lend := ee.only(t, illstate.Responder)
	requests := 0
	for _, e := range lend.Events {
		if e.Service == illstate.ILLRequest {
			requests++
		}
	}
	if requests != 1 || len(lend.Events) < 2 || lend.Events[1].Qualifier != illstate.QWillSupply {
		t.Fatalf("responder after the request mailed twice: %d requests, %+v", requests, lend.Events)
	}

	ee.flush(t, 1) // ILL-Answer will-supply
	lvm.poll(t, 1)
	if x := lv.only(t, illstate.Requester); x.Events[len(x.Events)-1].Qualifier != illstate.QWillSupply {
		t.Fatalf("requester after the answer: %s %+v", x.State, x.Events[len(x.Events)-1])
	}
	ee.staff(t, lend, illstate.ShippedService)
	ee.flush(t, 1)
	lvm.poll(t, 1)
	borrow := lv.only(t, illstate.Requester)
	if borrow.State != illstate.Shipped {
		t.Fatalf("requester after shipped: %s", borrow.State)
	}
	borrow = lv.staff(t, borrow, illstate.ReceivedService)
	lv.flush(t, 1)
	eem.poll(t, 1)
	lv.staff(t, borrow, illstate.ReturnedService)
	lv.flush(t, 1)
	eem.poll(t, 1)
	if x := ee.only(t, illstate.Responder); x.State != illstate.Returned {
		t.Fatalf("responder after returned: %s", x.State)
	}
	ee.staff(t, ee.only(t, illstate.Responder), illstate.CheckedInService)
	ee.flush(t, 1)
	lvm.poll(t, 1)
	if x := lv.only(t, illstate.Requester); x.State != illstate.CheckedIn {
		t.Fatalf("requester at the end: %s", x.State)
	}
	for _, g := range []*gateway{lv, ee} {
		if p, _ := g.svc.ILLPending(ctx, 0); len(p) != 0 {
			t.Errorf("%s outbox not empty: %d", g.svc.Consortium().ILL.Symbol, len(p))
		}
	}
	// Every message the partner applied is in its processed folder, the
	// request twice under one Message-ID.
	ids := map[string]int{}
	for _, sub := range []string{"cur", "new"} {
		dir := filepath.Join(ms.Dir, "mail", "ill-ee", "Maildir", ".ILL-Processed", sub)
		es, _ := os.ReadDir(dir)
		for _, e := range es {
			raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			m, err := email.Parse(raw, email.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			ids[m.MessageID]++
		}
	}
	if len(ids) != 3 || ids["ill.T000000000001.1.LV_ILU@bibgate.test"] != 2 {
		t.Errorf("ill-ee's processed folder: %v, want the request twice and the received and returned once", ids)
	}
}

// lostMail mails and then fails, as a gateway that crashed after sending
// and before recording it sent.
type lostMail struct {
	illadapter.EntrySender
	times int
}

func (l *lostMail) SendEntry(ctx context.Context, m core.ILLOutgoing, a ill.APDU) ([]ill.APDU, error) {
	r, err := l.EntrySender.SendEntry(ctx, m, a)
	if err == nil && l.times > 0 {
		l.times--
		return nil, errors.New("crashed before recording it sent")
	}
	return r, err
}

// TestMailSpeaksForItsSender: mail from a partner's address is applied
// only for that partner: a request naming another library as requester,
// or a Shipped for another partner's transaction, is refused, and the
// message still counts as handled (it is logged, not retried).
func TestMailSpeaksForItsSender(t *testing.T) {
	f := newFixture(t, memstore.New())
	b := &illadapter.Backend{Svc: f.svc, Logger: zerolog.Nop()}
	h := b.MailHandler(map[string]string{"ill@tartu.example": ackPeer, "ill@nuk.example": answerPeer})
	in := func(from string, a ill.APDU) email.Incoming {
		return email.Incoming{Message: &email.Message{From: from, MessageID: "m@x", Parts: []email.Part{{APDU: a}}}}
	}
	// A request of Tartu over TCP; then NUK mails one in Tartu's name.
	f.report(loan(ackPeer, "T1", kalevipoegISBN, "")) // over TCP, to have a transaction
	if err := h(f.ctx, in("ill@nuk.example", loan(ackPeer, "T2", kalevipoegISBN, ""))); !errors.Is(err, email.ErrReject) {
		t.Fatalf("NUK's mail in Tartu's name: %v, want it refused to the rejected folder", err)
	}
	xs, _ := f.svc.ILLList(f.ctx)
	if len(xs) != 1 {
		t.Fatalf("NUK's mail filed a request for Tartu: %d transactions", len(xs))
	}
	cancel := &ill.Cancel{Header: header(ackPeer, "T1")}
	if err := h(f.ctx, in("ill@nuk.example", cancel)); !errors.Is(err, email.ErrReject) {
		t.Fatalf("NUK's cancel of Tartu's transaction: %v, want it refused", err)
	}
	if x, _ := f.svc.ILLGet(f.ctx, core.ILLRef{ID: xs[0].ID}); len(x.Events) != len(xs[0].Events) {
		t.Fatalf("NUK's mail changed Tartu's transaction: %+v", x.Events[len(x.Events)-1])
	}
	if err := h(f.ctx, in("ill@tartu.example", cancel)); err != nil {
		t.Fatal(err)
	}
	if x, _ := f.svc.ILLGet(f.ctx, core.ILLRef{ID: xs[0].ID}); len(x.Events) == len(xs[0].Events) {
		t.Fatalf("Tartu's own cancel by mail not applied: %+v", x.Events)
	}
	if err := h(f.ctx, in("stranger@else.example", cancel)); !errors.Is(err, email.ErrReject) {
		t.Fatalf("mail from an address of no partner: %v, want it refused", err)
	}
	// A message with an unreadable part beside a good one: the good one is
	// applied, the message refused for a librarian to read.
	mixed := email.Incoming{Message: &email.Message{From: "ill@tartu.example", MessageID: "mixed@x", Parts: []email.Part{
		{Err: errors.New("ber: truncated")}, {APDU: &ill.StatusQuery{Header: header(ackPeer, "T1")}}}}}
	before, _ := f.svc.ILLGet(f.ctx, core.ILLRef{ID: xs[0].ID})
	err := h(f.ctx, mixed)
	if !errors.Is(err, email.ErrReject) || !strings.Contains(err.Error(), "part 1: ber: truncated") {
		t.Fatalf("mail with an unreadable part: %v", err)
	}
	if x, _ := f.svc.ILLGet(f.ctx, core.ILLRef{ID: xs[0].ID}); len(x.Events) == len(before.Events) {
		t.Error("the readable APDU beside an unreadable one was not applied")
	}
}
