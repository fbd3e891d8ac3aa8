package notify

import (
	"bufio"
	"context"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
)

// smtpSink is a minimal SMTP server on loopback that keeps what it is sent.
type smtpSink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []received
}

type received struct {
	from, to string
	data     string
}

func newSink(t *testing.T) *smtpSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln}
	go s.serve()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *smtpSink) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(c)
	}
}

func (s *smtpSink) session(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	say("220 sink ESMTP")
	var m received
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 sink")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			m.from = strings.Trim(strings.TrimSpace(line)[10:], "<>")
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			m.to = strings.Trim(strings.TrimSpace(line)[8:], "<>")
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			m.data = data.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *smtpSink) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

// An overdue reminder for a child reaches the guardian, in Latvian, with
// the library named and the subject readable after decoding.
func TestReminderMailToGuardian(t *testing.T) {
	sink := newSink(t)
	s := &SMTP{Addr: sink.ln.Addr().String(), From: "biblioteka@library.example.org", Libraries: demo.Consortium()}
	n := core.Notice{ID: "reminder/L000000000001/1", Kind: core.NoticeReminder, PatronID: demo.PatronChild,
		To: core.Contact{Name: "Inga Ozoliņa", Email: "guardian.p0004@patron.example.org"}, Library: demo.Children,
		Title: "Zaļā zeme", Number: 1, Due: time.Date(2026, 11, 2, 23, 59, 59, 0, demo.Riga()), Fee: 100, Language: "lv"}
	if err := s.Deliver(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	got := sink.received()
	if len(got) != 1 || got[0].to != "guardian.p0004@patron.example.org" || got[0].from != s.From {
		t.Fatalf("received %+v", got)
	}
	msg, err := mail.ReadMessage(strings.NewReader(got[0].data))
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subj != "Atgādinājums Nr. 1: kavēts izdevums" {
		t.Errorf("subject %q", subj)
	}
	var body strings.Builder
	b := bufio.NewScanner(msg.Body)
	for b.Scan() {
		body.WriteString(b.Text() + "\n")
	}
	for _, want := range []string{"Zaļā zeme", "2026-11-02", "1.00 EUR", "Ilūkstes bērnu bibliotēka"} {
		if !strings.Contains(body.String(), want) {
			t.Errorf("body lacks %q:\n%s", want, body.String())
		}
	}
}

func TestLanguagesAndMissingAddress(t *testing.T) {
	sink := newSink(t)
	s := &SMTP{Addr: sink.ln.Addr().String(), From: "lib@example.org"}
	for lang, want := range map[string]string{"et": "Broneeritud teavik ootab teid", "sl": "Rezervirano gradivo vas čaka",
		"en": "Your hold is ready", "xx": "Rezervētais izdevums gaida jūs"} {
		n := core.Notice{ID: "hold_ready/H1/I1/" + lang, Kind: core.NoticeHoldReady, To: core.Contact{Email: "p@example.org"},
			Title: "Kalevipoeg", Language: lang}
		if subj, _ := text(n, lang, "X"); subj != want {
			t.Errorf("%s: subject %q, want %q", lang, subj, want)
		}
	}
	err := s.Deliver(context.Background(), core.Notice{ID: "x", Kind: core.NoticeHoldReady})
	if err == nil || !strings.Contains(err.Error(), "no e-mail address") {
		t.Errorf("notice without address: %v", err)
	}
	if len(sink.received()) != 0 {
		t.Error("a notice without address was sent")
	}
}

// TestRefusalsCarryTheLibrariansReason: a refused hold and a rejected
// renewal tell the patron why, in their language.
func TestRefusalsCarryTheLibrariansReason(t *testing.T) {
	tests := []struct {
		kind       core.NoticeKind
		lang, want string
	}{
		{core.NoticeHoldRefused, "lv", "Iemesls: tikai lasītavā"},
		{core.NoticeHoldRefused, "en", "Reason: tikai lasītavā"},
		{core.NoticeRenewal, "et", "Pikendamisest keelduti. Põhjus: tikai lasītavā"},
		{core.NoticeRenewal, "sl", "Podaljšanje je zavrnjeno. Razlog: tikai lasītavā"},
	}
	for _, tc := range tests {
		_, body := text(core.Notice{Kind: tc.kind, Title: "Zaļā zeme", Reason: "tikai lasītavā"}, tc.lang, "Subate")
		if !strings.Contains(body, tc.want) || !strings.Contains(body, "Zaļā zeme") {
			t.Errorf("%s/%s: %q", tc.kind, tc.lang, body)
		}
	}
	if _, body := text(core.Notice{Kind: core.NoticeRenewal, Title: "Zaļā zeme"}, "en", "Subate"); strings.Contains(body, "refused") {
		t.Errorf("an approval reads %q", body)
	}
}
