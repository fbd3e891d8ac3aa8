package iso18626adapter

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/ill/iso18626"
)

// DefaultMaxBody bounds a message POSTed to Handler and a confirmation
// read by Sender.
const DefaultMaxBody = 1 << 20

// DefaultSecretHeader carries a shared secret when a partner's Auth names
// no header.
const DefaultSecretHeader = "X-ILL-Secret"

// Handler is the HTTP endpoint partners POST their ISO 18626 messages to
// (ill.md §4.3): the confirmation is the response body, HTTP 200 even
// for messageStatus ERROR; 400 for a body that is no ISO 18626 message at
// all, 401 for a partner whose credential is missing or wrong (nothing is
// applied), 413 for a body over MaxBody, 415 for a type other than XML,
// 503 when the engine cannot answer now.
type Handler struct {
	Backend *Backend
	MaxBody int64 // DefaultMaxBody when 0
}

func (h *Handler) maxBody() int64 {
	if h.MaxBody > 0 {
		return h.MaxBody
	}
	return DefaultMaxBody
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b := h.Backend
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "ISO 18626 messages are POSTed", http.StatusMethodNotAllowed)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml")) {
			http.Error(w, "send application/xml or text/xml", http.StatusUnsupportedMediaType)
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody()))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, fmt.Sprintf("message over %d bytes", tooBig.Limit), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "reading the message: "+err.Error(), http.StatusBadRequest)
		return
	}
	rd := iso18626.Reader{MaxSize: int(h.maxBody())}
	m, perr := rd.Parse(body)
	if m.Kind() == iso18626.KindNone {
		msg := "not an ISO 18626 message"
		if perr != nil {
			msg += ": " + perr.Error()
		}
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	from := From(&m)
	p, known := b.Partners[from]
	if !b.authentic(r, p, known) {
		b.Logger.Warn().Str("partner", from).Str("remote", r.RemoteAddr).Str("kind", m.Kind().String()).
			Msg("iso18626: message without the partner's credential: refused")
		w.Header().Set("WWW-Authenticate", `Basic realm="bibgate ILL"`)
		http.Error(w, "this partner's credential is missing or wrong", http.StatusUnauthorized)
		return
	}
	if p.Dialect != nil {
		rd.Dialect = p.Dialect
		m, perr = rd.Parse(body)
	}
	v := p.Version
	if v == 0 {
		v = iso18626.VersionOf(m.Version)
	}
	var conf iso18626.Message
	var pe *iso18626.Error
	switch {
	case errors.As(perr, &pe):
		conf = iso18626.Confirm(&m, b.Svc.Now(), pe.ErrorData())
	case perr != nil:
		conf = iso18626.Confirm(&m, b.Svc.Now(), iso18626.ErrorData{ErrorType: iso18626.BadlyFormedMessage, ErrorValue: perr.Error()})
	default:
		conf, err = b.Handle(r.Context(), &m)
		if err != nil {
			b.Logger.Error().Err(err).Str("partner", from).Str("kind", m.Kind().String()).Msg("iso18626: message not applied")
			http.Error(w, "the gateway cannot take messages now; send it again later", http.StatusServiceUnavailable)
			return
		}
	}
	out, err := iso18626.Writer{Dialect: p.Dialect}.Marshal(conf, v)
	if err != nil {
		b.Logger.Error().Err(err).Str("partner", from).Msg("iso18626: confirmation not written")
		http.Error(w, "confirmation not written", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write(out)
}

// authentic reports whether r carries partner p's credential; a partner
// configured without one is taken on its word.
func (b *Backend) authentic(r *http.Request, p Partner, known bool) bool {
	if !known || p.Auth.IsZero() {
		return true
	}
	a := p.Auth
	if a.Secret != "" {
		got := r.Header.Get(a.secretHeader())
		if subtle.ConstantTimeCompare([]byte(got), []byte(a.Secret)) != 1 {
			return false
		}
	}
	if a.User != "" || a.Password != "" {
		u, pw, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(a.User)) != 1 ||
			subtle.ConstantTimeCompare([]byte(pw), []byte(a.Password)) != 1 {
			return false
		}
	}
	return true
}

func (a Auth) secretHeader() string {
	if a.Header != "" {
		return a.Header
	}
	return DefaultSecretHeader
}

// set adds the credential to an outgoing request.
func (a Auth) set(r *http.Request) {
	if a.Secret != "" {
		r.Header.Set(a.secretHeader(), a.Secret)
	}
	if a.User != "" || a.Password != "" {
		r.SetBasicAuth(a.User, a.Password)
	}
}

// Sender delivers the engine's outgoing events to one partner over HTTP
// (an illadapter.EventSender): each is rendered for the partner's edition
// and dialect, POSTed to its URL with its credential, and counts as
// delivered only when the partner answers with a confirmation. A
// confirmation with messageStatus ERROR is delivered too (sending it again
// would be refused again): it is logged for staff.
type Sender struct {
	Backend *Backend
	Partner Partner
	// Client makes the requests; it should have a timeout.
	Client *http.Client
}

// ErrRefused wraps the errorData of a confirmation with messageStatus ERROR.
var ErrRefused = errors.New("iso18626: the partner refused the message")

// SendEvent implements illadapter.EventSender.
func (s *Sender) SendEvent(ctx context.Context, m core.ILLOutgoing) error {
	msg, err := Render(m.Transaction, m.Event.Seq-1, s.Backend.Svc.Consortium().ILL.Symbol, s.Partner, m.Event.At)
	if err != nil {
		return err
	}
	_, err = s.Post(ctx, msg)
	if errors.Is(err, ErrRefused) {
		s.Backend.Logger.Warn().Err(err).Str("partner", s.Partner.Symbol).Str("transaction", m.Transaction.ID).
			Str("event", m.Event.Service.String()).Msg("iso18626: delivered, and refused by the partner")
		return nil
	}
	return err
}

// Post sends one message to the partner and returns its confirmation. An
// error wrapping ErrRefused comes with a confirmation whose messageStatus
// is ERROR; any other error means the message may not have arrived.
func (s *Sender) Post(ctx context.Context, msg iso18626.Message) (iso18626.Message, error) {
	p := s.Partner
	if p.URL == "" {
		return iso18626.Message{}, fmt.Errorf("iso18626: partner %s has no URL", p.Symbol)
	}
	body, err := iso18626.Writer{Dialect: p.Dialect}.Marshal(msg, p.version())
	if err != nil {
		return iso18626.Message{}, fmt.Errorf("iso18626: %s for %s: %w", msg.Kind(), p.Symbol, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(body))
	if err != nil {
		return iso18626.Message{}, fmt.Errorf("iso18626: partner %s: %w", p.Symbol, err)
	}
	req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	p.Auth.set(req)
	cl := s.Client
	if cl == nil {
		cl = http.DefaultClient
	}
	resp, err := cl.Do(req)
	if err != nil {
		return iso18626.Message{}, fmt.Errorf("iso18626: POST to %s: %w", p.Symbol, err)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, DefaultMaxBody+1))
	if err != nil {
		return iso18626.Message{}, fmt.Errorf("iso18626: answer of %s: %w", p.Symbol, err)
	}
	if resp.StatusCode != http.StatusOK {
		return iso18626.Message{}, fmt.Errorf("iso18626: %s answered %s: %s", p.Symbol, resp.Status, clip(string(rb), 200))
	}
	conf, err := iso18626.Reader{Dialect: p.Dialect}.Parse(rb)
	ch := conf.ConfirmationHeader()
	if ch == nil {
		if err == nil {
			err = fmt.Errorf("a %s", conf.Kind())
		}
		return iso18626.Message{}, fmt.Errorf("iso18626: %s answered no confirmation: %w", p.Symbol, err)
	}
	if ch.MessageStatus != iso18626.StatusOK {
		return conf, fmt.Errorf("%w: %s", ErrRefused, refusal(&conf))
	}
	return conf, nil
}

func refusal(m *iso18626.Message) string {
	var ds []iso18626.ErrorData
	switch {
	case m.RequestConfirmation != nil:
		ds = m.RequestConfirmation.ErrorData
	case m.SupplyingAgencyMessageConfirmation != nil:
		ds = m.SupplyingAgencyMessageConfirmation.ErrorData
	case m.RequestingAgencyMessageConfirmation != nil:
		ds = m.RequestingAgencyMessageConfirmation.ErrorData
	}
	var parts []string
	for _, d := range ds {
		parts = append(parts, string(d.ErrorType)+" "+d.ErrorValue)
	}
	if len(parts) == 0 {
		return "messageStatus " + string(m.ConfirmationHeader().MessageStatus)
	}
	return strings.Join(parts, "; ")
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
