package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/internal/mailtest"
)

// folders counts the messages in user's folders, over a connection of its
// own, as a person's mail client would see them.
func folders(t *testing.T, s *mailtest.Server, user string) map[string]uint32 {
	t.Helper()
	c, err := imapclient.DialStartTLS(s.IMAPAddr, &imapclient.Options{TLSConfig: s.TLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, s.Password(user)).Wait(); err != nil {
		t.Fatal(err)
	}
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]uint32{}
	for _, l := range list {
		st, err := c.Status(l.Mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
		if err != nil {
			t.Fatal(err)
		}
		n[l.Mailbox] = *st.NumMessages
	}
	_ = c.Logout().Wait()
	return n
}

func hasMove(t *testing.T, s *mailtest.Server, user string) bool {
	t.Helper()
	c, err := imapclient.DialStartTLS(s.IMAPAddr, &imapclient.Options{TLSConfig: s.TLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, s.Password(user)).Wait(); err != nil {
		t.Fatal(err)
	}
	return c.Caps().Has(imap.CapMove)
}

// TestMailRoundTrip mails a yaz-illclient ILL-Request from library A to
// library B through Debian's Postfix and reads it from B's Dovecot mailbox:
// a failing handler leaves the message in INBOX and the next poll hands
// it over again with the same bytes; a successful handler runs while the
// message is still in INBOX and only then is it moved to ILL-Processed;
// mail from a sender not on the allow-list, a staff note without an APDU
// and a message over the size limit never reach the handler and are kept
// in ILL-Rejected. Once with the server's MOVE, once with the COPY, STORE
// and EXPUNGE fallback.
func TestMailRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name string
		opt  mailtest.Options
	}{
		{"MOVE", mailtest.Options{}},
		{"COPY fallback", mailtest.Options{NoMove: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := mailtest.Start(t, tt.opt, "ill-a", "ill-b")
			if hasMove(t, s, "ill-b") == tt.opt.NoMove {
				t.Fatalf("server MOVE capability is %v", !tt.opt.NoMove)
			}
			ctx := context.Background()
			req := readTestdata(t, "ill-request-loan.ber")

			// A submits over the authenticated submission port.
			sub, err := NewSender(SMTPConfig{Addr: s.SubmissionAddr, Username: "ill-a", Password: s.Password("ill-a"),
				RequireTLS: true, TLS: s.TLSConfig()})
			if err != nil {
				t.Fatal(err)
			}
			c, err := Compose(Outgoing{From: "REQLIB ILL <" + s.Address("ill-a") + ">", To: s.Address("ill-b"), BER: req})
			if err != nil {
				t.Fatal(err)
			}
			if err := sub.Send(ctx, s.Address("ill-a"), []string{s.Address("ill-b")}, c.Raw); err != nil {
				t.Fatal(err)
			}
			// A stranger writes to B through the relay.
			relay, err := NewSender(SMTPConfig{Addr: s.SMTPAddr, TLS: s.TLSConfig()})
			if err != nil {
				t.Fatal(err)
			}
			forged, err := Compose(Outgoing{From: "intruder@elsewhere.example", To: s.Address("ill-b"), BER: req})
			if err != nil {
				t.Fatal(err)
			}
			if err := relay.Send(ctx, "intruder@elsewhere.example", []string{s.Address("ill-b")}, forged.Raw); err != nil {
				t.Fatal(err)
			}

			// A's staff write a note to the ILL address, and A sends a
			// message over the poller's size limit.
			note := []byte("From: " + s.Address("ill-a") + "\r\nTo: " + s.Address("ill-b") +
				"\r\nSubject: thanks\r\nMessage-ID: <note@bibgate.test>\r\n\r\nThanks for the book!\r\n")
			big := append(bytes.Clone(c.Raw[:bytes.Index(c.Raw, []byte("\r\n\r\n"))]), "\r\n\r\n"...)
			big = bytes.Replace(big, []byte(c.MessageID), []byte("big@bibgate.test"), 1)
			big = append(big, bytes.Repeat([]byte("padding to exceed the limit\r\n"), 3000)...)
			for _, m := range [][]byte{note, big} {
				if err := sub.Send(ctx, s.Address("ill-a"), []string{s.Address("ill-b")}, m); err != nil {
					t.Fatal(err)
				}
			}

			var mu sync.Mutex
			var rejections []Rejection
			p, err := NewPoller(IMAPConfig{Addr: s.IMAPAddr, Username: "ill-b", Password: s.Password("ill-b"),
				TLS: s.TLSConfig(), AllowFrom: []string{"ILL-A@bibgate.test"}, Limits: Limits{MaxMessage: 64 << 10},
				OnReject: func(_ context.Context, r Rejection) {
					mu.Lock()
					rejections = append(rejections, r)
					mu.Unlock()
				}})
			if err != nil {
				t.Fatal(err)
			}

			// Poll with a failing handler until both messages arrived.
			var got []Incoming
			failing := func(_ context.Context, in Incoming) error {
				got = append(got, in)
				return errors.New("store unavailable")
			}
			rejected := 0
			for end := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
				res, err := p.Poll(ctx, failing)
				if err != nil {
					t.Fatal(err)
				}
				rejected += res.Rejected
				if res.Processed != 0 {
					t.Fatalf("a failing handler's message was processed: %+v", res)
				}
				if res.Failed == 1 && len(res.Errs) != 1 {
					t.Errorf("errors %v", res.Errs)
				}
				if res.Failed == 1 && rejected == 3 {
					break
				}
				if time.Now().After(end) || rejected > 3 || res.Failed > 1 {
					t.Fatalf("after polling: failed %d, rejected %d", res.Failed, rejected)
				}
			}
			for _, in := range got {
				if in.From != s.Address("ill-a") {
					t.Errorf("handler got mail from %q", in.From)
				}
			}
			why := map[string]error{}
			for _, r := range rejections {
				why[r.MessageID] = r.Err
				if r.From != "intruder@elsewhere.example" && r.From != s.Address("ill-a") {
					t.Errorf("rejection from %q", r.From)
				}
			}
			for id, want := range map[string]error{forged.MessageID: ErrNotAllowed, "note@bibgate.test": ErrNoAPDU, "big@bibgate.test": ErrTooLarge} {
				if !errors.Is(why[id], want) {
					t.Errorf("message <%s> rejected with %v, want %v", id, why[id], want)
				}
			}
			if n := folders(t, s, "ill-b"); n["INBOX"] != 1 || n["ILL-Rejected"] != 3 || n["ILL-Processed"] != 0 {
				t.Errorf("after a failing handler: folders %v", n)
			}

			// The next poll hands the same message over again.
			var handled []Incoming
			ok := func(_ context.Context, in Incoming) error {
				if n := folders(t, s, "ill-b"); n["INBOX"] != 1 || n["ILL-Processed"] != uint32(len(handled)) {
					t.Errorf("during the handler: folders %v", n)
				}
				handled = append(handled, in)
				return nil
			}
			res, err := p.Poll(ctx, ok)
			if err != nil {
				t.Fatal(err)
			}
			if res.Processed != 1 || res.Failed != 0 || res.Rejected != 0 || len(handled) != 1 {
				t.Fatalf("second poll %+v, handled %d", res, len(handled))
			}
			in := handled[0]
			if in.MessageID != c.MessageID || len(in.Parts) != 1 {
				t.Fatalf("handled %+v", in.Message)
			}
			part := in.Parts[0]
			if part.Err != nil || !bytes.Equal(part.BER, req) || part.Key != c.Key || part.Key != got[len(got)-1].Parts[0].Key {
				t.Errorf("part: err %v, key %q (sent %q), same bytes %v", part.Err, part.Key, c.Key, bytes.Equal(part.BER, req))
			}
			if r, ok := part.APDU.(*ill.Request); !ok || r.TransactionID.Qualifier != "TQ0001" {
				t.Errorf("APDU %+v", part.APDU)
			}
			if !bytes.Contains(in.Raw, []byte("Received: ")) {
				t.Error("Raw is not the message as delivered")
			}
			if n := folders(t, s, "ill-b"); n["INBOX"] != 0 || n["ILL-Processed"] != 1 || n["ILL-Rejected"] != 3 {
				t.Errorf("after the handler: folders %v", n)
			}

			// Nothing left to hand over.
			res, err = p.Poll(ctx, ok)
			if err != nil || res.Processed+res.Failed+res.Rejected != 0 || len(res.Errs) != 0 {
				t.Errorf("third poll %+v, %v", res, err)
			}

			// The same mail delivered twice has the same dedupe key.
			if err := sub.Send(ctx, s.Address("ill-a"), []string{s.Address("ill-b")}, c.Raw); err != nil {
				t.Fatal(err)
			}
			for end := time.Now().Add(15 * time.Second); len(handled) < 2 && time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
				if _, err := p.Poll(ctx, ok); err != nil {
					t.Fatal(err)
				}
			}
			if len(handled) != 2 || handled[1].Parts[0].Key != c.Key {
				t.Errorf("redelivery: handled %d", len(handled))
			}

			// A message the handler refuses (an APDU it cannot read, or
			// in another library's name) goes to Rejected for a person to
			// look at, and does not come again.
			if err := sub.Send(ctx, s.Address("ill-a"), []string{s.Address("ill-b")}, c.Raw); err != nil {
				t.Fatal(err)
			}
			refusing := func(context.Context, Incoming) error {
				return fmt.Errorf("%w: part 1: not readable", ErrReject)
			}
			refused := 0
			for end := time.Now().Add(15 * time.Second); refused == 0 && time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
				res, err := p.Poll(ctx, refusing)
				if err != nil {
					t.Fatal(err)
				}
				if res.Failed != 0 || res.Processed != 0 {
					t.Fatalf("refused message: %+v", res)
				}
				refused += res.Rejected
			}
			mu.Lock()
			last := rejections[len(rejections)-1]
			mu.Unlock()
			if refused != 1 || !errors.Is(last.Err, ErrReject) || last.MessageID != c.MessageID {
				t.Errorf("refused %d, last rejection %+v", refused, last)
			}
			if n := folders(t, s, "ill-b"); n["INBOX"] != 0 || n["ILL-Rejected"] != 4 {
				t.Errorf("after a refusing handler: folders %v", n)
			}
		})
	}
}

// TestSender submits through Postfix: to the submission port only with
// STARTTLS and the right password; with implicit TLS; to the relay with
// STARTTLS because it is offered.
func TestSender(t *testing.T) {
	s := mailtest.Start(t, mailtest.Options{}, "ill-a", "ill-b")
	ctx := context.Background()
	c, err := Compose(Outgoing{From: s.Address("ill-a"), To: s.Address("ill-b"), APDU: answer()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		cfg  SMTPConfig
		rcpt string
		err  string
	}{
		{"submission with AUTH", SMTPConfig{Addr: s.SubmissionAddr, Username: "ill-a", Password: s.Password("ill-a"), TLS: s.TLSConfig()}, s.Address("ill-b"), ""},
		{"submission, wrong password", SMTPConfig{Addr: s.SubmissionAddr, Username: "ill-a", Password: "nope", TLS: s.TLSConfig()}, s.Address("ill-b"), "AUTH as ill-a"},
		{"submission without AUTH", SMTPConfig{Addr: s.SubmissionAddr, TLS: s.TLSConfig()}, s.Address("ill-b"), "RCPT TO"},
		{"untrusted certificate", SMTPConfig{Addr: s.SMTPAddr}, s.Address("ill-b"), "STARTTLS"},
		{"implicit TLS", SMTPConfig{Addr: s.SMTPSAddr, ImplicitTLS: true, Username: "ill-a", Password: s.Password("ill-a"), TLS: s.TLSConfig()}, s.Address("ill-b"), ""},
		{"relay", SMTPConfig{Addr: s.SMTPAddr, TLS: s.TLSConfig(), RequireTLS: true}, s.Address("ill-b"), ""},
		{"unknown user", SMTPConfig{Addr: s.SMTPAddr, TLS: s.TLSConfig()}, "ill-z@" + mailtest.Domain, "RCPT TO"},
		{"no server", SMTPConfig{Addr: "127.0.0.1:1", Timeout: 2 * time.Second}, s.Address("ill-b"), "connect"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			snd, err := NewSender(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = snd.Send(ctx, s.Address("ill-a"), []string{tt.rcpt}, c.Raw)
			if tt.err == "" && err != nil {
				t.Fatal(err)
			}
			if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.err)
			}
		})
	}
	for end := time.Now().Add(15 * time.Second); folders(t, s, "ill-b")["INBOX"] < 3; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("ill-b's folders %v, want 3 messages in INBOX", folders(t, s, "ill-b"))
		}
	}
	if n := folders(t, s, "ill-b")["INBOX"]; n != 3 {
		t.Errorf("%d messages delivered, want 3", n)
	}
}

// TestRunWakesOnNewMail: Run with an hour between polls still hands a new
// message over within seconds, woken by IDLE, and ends with its context.
func TestRunWakesOnNewMail(t *testing.T) {
	s := mailtest.Start(t, mailtest.Options{}, "ill-a", "ill-b")
	p, err := NewPoller(IMAPConfig{Addr: s.IMAPAddr, Username: "ill-b", Password: s.Password("ill-b"),
		TLS: s.TLSConfig(), AllowFrom: []string{"@" + mailtest.Domain}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	polls := make(chan PollResult, 10)
	handled := make(chan Incoming, 1)
	ran := make(chan error, 1)
	go func() {
		ran <- p.Run(ctx, time.Hour, func(_ context.Context, in Incoming) error { handled <- in; return nil },
			func(r PollResult, err error) {
				if err != nil {
					t.Errorf("poll: %v", err)
				}
				polls <- r
			})
	}()
	select {
	case <-polls: // the first poll, of an empty mailbox
	case <-time.After(10 * time.Second):
		t.Fatal("no first poll")
	}
	time.Sleep(500 * time.Millisecond) // let the IDLE connection settle
	snd, err := NewSender(SMTPConfig{Addr: s.SMTPAddr, TLS: s.TLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compose(Outgoing{From: s.Address("ill-a"), To: s.Address("ill-b"), APDU: answer()})
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	if err := snd.Send(ctx, s.Address("ill-a"), []string{s.Address("ill-b")}, c.Raw); err != nil {
		t.Fatal(err)
	}
	select {
	case in := <-handled:
		t.Logf("handed over %v after Send began", time.Since(sent).Round(time.Millisecond))
		if in.MessageID != c.MessageID || in.Parts[0].APDU.Type() != ill.TypeAnswer {
			t.Errorf("handled %+v", in.Message)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("new mail not handed over within 15 s of an hourly poll")
	}
	for r := range polls {
		if r.Processed == 1 {
			break
		}
	}
	cancel()
	select {
	case err := <-ran:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not end with its context")
	}
}

// TestPollerConnects logs in to Dovecot with STARTTLS, implicit TLS and
// (to loopback only) plain text, and fails on a wrong password, an
// untrusted certificate and a closed port.
func TestPollerConnects(t *testing.T) {
	if _, err := NewPoller(IMAPConfig{Addr: "imap.example.org:143", Security: Plaintext}); err == nil {
		t.Error("plain text to a remote server accepted")
	}
	if _, err := NewPoller(IMAPConfig{Addr: "127.0.0.1:143", Processed: "INBOX"}); err == nil {
		t.Error("INBOX as the processed folder accepted")
	}
	s := mailtest.Start(t, mailtest.Options{}, "ill-b")
	pw := s.Password("ill-b")
	for _, tt := range []struct {
		name string
		cfg  IMAPConfig
		err  string
	}{
		{"STARTTLS", IMAPConfig{Addr: s.IMAPAddr, Password: pw, TLS: s.TLSConfig()}, ""},
		{"implicit TLS", IMAPConfig{Addr: s.IMAPSAddr, Security: ImplicitTLS, Password: pw, TLS: s.TLSConfig()}, ""},
		{"plain text on loopback", IMAPConfig{Addr: s.IMAPAddr, Security: Plaintext, Password: pw}, ""},
		{"wrong password", IMAPConfig{Addr: s.IMAPAddr, Password: "nope", TLS: s.TLSConfig()}, "LOGIN as ill-b"},
		{"untrusted certificate", IMAPConfig{Addr: s.IMAPAddr, Password: pw}, "STARTTLS"},
		{"closed port", IMAPConfig{Addr: "127.0.0.1:1", Password: pw}, "connect"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Username = "ill-b"
			p, err := NewPoller(cfg)
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Poll(context.Background(), func(context.Context, Incoming) error { return nil })
			if tt.err == "" && err != nil {
				t.Fatal(err)
			}
			if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.err)
			}
			if res.Processed+res.Failed+res.Rejected != 0 {
				t.Errorf("empty mailbox gave %+v", res)
			}
		})
	}
	// The successful polls made the folders.
	if n, ok := folders(t, s, "ill-b")["ILL-Processed"]; !ok || n != 0 {
		t.Errorf("folders %v", folders(t, s, "ill-b"))
	}
}
