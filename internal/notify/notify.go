// Package notify delivers circulation notices (overdue reminders, holds
// ready for pickup, expired holds, renewal decisions) by e-mail over SMTP,
// written in the patron's language (Latvian, Estonian, Slovenian or
// English). It implements core.Notifier.
package notify

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core"
)

// SMTP sends notices through an SMTP relay (no authentication: a relay on
// the library's own network).
type SMTP struct {
	// Addr is the relay, host:port.
	Addr string
	// From is the sender address.
	From string
	// Libraries names the sending library in the text.
	Libraries *core.Consortium
	// Timeout bounds one delivery (default 30s).
	Timeout time.Duration
}

// Deliver sends one notice. A notice without an e-mail address is
// reported as an error and stays queued (the library contacts the patron
// another way and can see it in the queue).
func (s *SMTP) Deliver(ctx context.Context, n core.Notice) error {
	if n.To.Email == "" {
		return fmt.Errorf("notify: notice %s: no e-mail address", n.ID)
	}
	msg := s.compose(n, time.Now())
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("notify: connect %s: %w", s.Addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("notify: %s: %w", s.Addr, err)
	}
	defer c.Close()
	if err := c.Mail(s.From); err != nil {
		return fmt.Errorf("notify: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(n.To.Email); err != nil {
		return fmt.Errorf("notify: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("notify: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("notify: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("notify: DATA: %w", err)
	}
	return c.Quit()
}

// Letter is the subject and text of a notice in the patron's language,
// as the e-mail carries them, signed with the sending library's name and
// address from libs (nil: its id): for a notice staff print or read out
// to a patron without an e-mail address.
func Letter(n core.Notice, libs *core.Consortium) (subject, body string) {
	lib := n.Library
	if libs != nil {
		if l, ok := libs.Library(n.Library); ok {
			lib = l.Name
			if l.Address != "" {
				lib += ", " + l.Address
			}
		}
	}
	return text(n, n.Language, lib)
}

// compose writes the message: headers (subject encoded per RFC 2047) and a
// plain UTF-8 text body with CRLF line ends.
func (s *SMTP) compose(n core.Notice, now time.Time) []byte {
	subject, body := Letter(n, s.Libraries)
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\n", s.From)
	fmt.Fprintf(&b, "To: %s <%s>\r\n", mime.QEncoding.Encode("utf-8", n.To.Name), n.To.Email)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject))
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@bibgate>\r\n", strings.NewReplacer("/", ".", " ", "").Replace(n.ID))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	for _, line := range strings.Split(body, "\n") {
		b.WriteString(line + "\r\n")
	}
	return []byte(b.String())
}

// text is the subject and body of a notice in a language.
func text(n core.Notice, lang, library string) (subject, body string) {
	due := n.Due.Format("2006-01-02")
	fee := n.Fee.String() + " EUR"
	type t struct{ subj, body string }
	var m map[string]t
	switch n.Kind {
	case core.NoticeReminder:
		m = map[string]t{
			"lv": {fmt.Sprintf("Atgādinājums Nr. %d: kavēts izdevums", n.Number),
				fmt.Sprintf("Labdien!\n\nIzdevuma \"%s\" nodošanas termiņš bija %s. Lūdzu, nododiet to bibliotēkā.\nAtgādinājuma maksa: %s.\n\n%s", n.Title, due, fee, library)},
			"et": {fmt.Sprintf("Meeldetuletus nr %d: tähtaja ületanud teavik", n.Number),
				fmt.Sprintf("Tere!\n\nTeaviku \"%s\" tagastamise tähtaeg oli %s. Palun tagastage see raamatukokku.\nMeeldetuletuse tasu: %s.\n\n%s", n.Title, due, fee, library)},
			"sl": {fmt.Sprintf("Opomin št. %d: zamujeno gradivo", n.Number),
				fmt.Sprintf("Pozdravljeni!\n\nRok vrnitve gradiva \"%s\" je potekel %s. Prosimo, vrnite ga v knjižnico.\nStrošek opomina: %s.\n\n%s", n.Title, due, fee, library)},
			"en": {fmt.Sprintf("Reminder %d: overdue item", n.Number),
				fmt.Sprintf("Hello,\n\n\"%s\" was due on %s. Please return it to the library.\nReminder fee: %s.\n\n%s", n.Title, due, fee, library)},
		}
	case core.NoticeHoldReady:
		m = map[string]t{
			"lv": {"Rezervētais izdevums gaida jūs", fmt.Sprintf("Labdien!\n\nRezervētais izdevums \"%s\" ir saņemams līdz %s:\n%s", n.Title, due, library)},
			"et": {"Broneeritud teavik ootab teid", fmt.Sprintf("Tere!\n\nBroneeritud teavik \"%s\" on kättesaadav kuni %s:\n%s", n.Title, due, library)},
			"sl": {"Rezervirano gradivo vas čaka", fmt.Sprintf("Pozdravljeni!\n\nRezervirano gradivo \"%s\" lahko prevzamete do %s:\n%s", n.Title, due, library)},
			"en": {"Your hold is ready", fmt.Sprintf("Hello,\n\n\"%s\" is waiting for you until %s at:\n%s", n.Title, due, library)},
		}
	case core.NoticeHoldExpired:
		m = map[string]t{
			"lv": {"Rezervācija beigusies", fmt.Sprintf("Labdien!\n\nRezervētais izdevums \"%s\" netika saņemts laikā, rezervācija ir atcelta.\n\n%s", n.Title, library)},
			"et": {"Broneering on aegunud", fmt.Sprintf("Tere!\n\nBroneeritud teavikut \"%s\" ei võetud õigel ajal, broneering on tühistatud.\n\n%s", n.Title, library)},
			"sl": {"Rezervacija je potekla", fmt.Sprintf("Pozdravljeni!\n\nRezerviranega gradiva \"%s\" niste prevzeli pravočasno, rezervacija je preklicana.\n\n%s", n.Title, library)},
			"en": {"Your hold has expired", fmt.Sprintf("Hello,\n\n\"%s\" was not collected in time; the hold has been cancelled.\n\n%s", n.Title, library)},
		}
	case core.NoticeHoldRefused:
		m = map[string]t{
			"lv": {"Rezervācija noraidīta", fmt.Sprintf("Labdien!\n\nJūsu rezervācija \"%s\" ir noraidīta. Iemesls: %s\n\n%s", n.Title, n.Reason, library)},
			"et": {"Broneering lükati tagasi", fmt.Sprintf("Tere!\n\nTeie broneering \"%s\" lükati tagasi. Põhjus: %s\n\n%s", n.Title, n.Reason, library)},
			"sl": {"Rezervacija je zavrnjena", fmt.Sprintf("Pozdravljeni!\n\nVaša rezervacija \"%s\" je zavrnjena. Razlog: %s\n\n%s", n.Title, n.Reason, library)},
			"en": {"Your hold was refused", fmt.Sprintf("Hello,\n\nYour hold on \"%s\" was refused. Reason: %s\n\n%s", n.Title, n.Reason, library)},
		}
	case core.NoticeILLArrived:
		m = map[string]t{
			"lv": {"Starpbibliotēku abonementa pasūtījums ir saņemts", fmt.Sprintf("Labdien!\n\nPēc Jūsu pasūtījuma saņemts \"%s\". To var saņemt:\n%s", n.Title, library)},
			"et": {"RVL tellimus on saabunud", fmt.Sprintf("Tere!\n\nTeie tellitud \"%s\" on saabunud. Selle saab kätte:\n%s", n.Title, library)},
			"sl": {"Medknjižnično naročeno gradivo je prispelo", fmt.Sprintf("Pozdravljeni!\n\nGradivo \"%s\", ki ste ga naročili, je prispelo. Prevzamete ga lahko:\n%s", n.Title, library)},
			"en": {"Your interlibrary loan has arrived", fmt.Sprintf("Hello,\n\n\"%s\", which you ordered by interlibrary loan, has arrived. Collect it at:\n%s", n.Title, library)},
		}
	case core.NoticeILLNotSupplied:
		m = map[string]t{
			"lv": {"Starpbibliotēku abonementa pasūtījumu nevar izpildīt", fmt.Sprintf("Labdien!\n\nDiemžēl \"%s\" no partnerbibliotēkas saņemt nav iespējams. Lūdzu, sazinieties ar bibliotēku.\n\n%s", n.Title, library)},
			"et": {"RVL tellimust ei saa täita", fmt.Sprintf("Tere!\n\nKahjuks ei saa \"%s\" partnerraamatukogust tellida. Palun võtke ühendust raamatukoguga.\n\n%s", n.Title, library)},
			"sl": {"Medknjižničnega naročila ni mogoče izpolniti", fmt.Sprintf("Pozdravljeni!\n\nGradiva \"%s\" žal ni mogoče dobiti iz druge knjižnice. Prosimo, obrnite se na knjižnico.\n\n%s", n.Title, library)},
			"en": {"Your interlibrary loan request cannot be filled", fmt.Sprintf("Hello,\n\nUnfortunately \"%s\" cannot be supplied by the partner library. Please contact the library.\n\n%s", n.Title, library)},
		}
	default:
		m = map[string]t{
			"lv": {"Termiņa pagarinājums izskatīts", fmt.Sprintf("Labdien!\n\nJūsu pieprasījums pagarināt \"%s\" ir izskatīts. Nodošanas termiņš: %s.\n\n%s", n.Title, due, library)},
			"et": {"Pikendamise taotlus on läbi vaadatud", fmt.Sprintf("Tere!\n\nTeie taotlus pikendada teaviku \"%s\" tähtaega on läbi vaadatud. Tagastamise tähtaeg: %s.\n\n%s", n.Title, due, library)},
			"sl": {"Zahteva za podaljšanje je obravnavana", fmt.Sprintf("Pozdravljeni!\n\nVaša zahteva za podaljšanje \"%s\" je obravnavana. Rok vrnitve: %s.\n\n%s", n.Title, due, library)},
			"en": {"Your renewal request was reviewed", fmt.Sprintf("Hello,\n\nYour request to renew \"%s\" was reviewed. Due date: %s.\n\n%s", n.Title, due, library)},
		}
	}
	x, ok := m[lang]
	if !ok {
		x, lang = m["lv"], "lv"
	}
	if n.Kind == core.NoticeRenewal && n.Reason != "" {
		why := map[string]string{"lv": "Pagarinājums atteikts. Iemesls: ", "et": "Pikendamisest keelduti. Põhjus: ",
			"sl": "Podaljšanje je zavrnjeno. Razlog: ", "en": "The renewal was refused. Reason: "}[lang]
		if head, tail, ok := strings.Cut(x.body, "\n\n"); ok {
			x.body = head + "\n\n" + why + n.Reason + "\n" + tail
		}
	}
	return x.subj, x.body
}
