// Package illadapter connects ISO 10161 (package ill, served by
// ill/illserver) to the ILL engine of the circulation core: one core call
// per APDU. An ILL-Request is core.ILLIncoming, after its citation is
// matched to our catalogue (ISBN, ISSN, then title and author); every
// other APDU is core.ILLApply on the transaction its transaction-id tuple
// names, kept verbatim. What the engine answers (the ILL-Answer to a
// request, the Renew-Answer, Cancel-Reply or the Status-Or-Error-Report to
// a Status-Query) goes back on the same connection and is recorded as
// sent; refusals become Status-Or-Error-Reports (state-transition-
// prohibited, transaction-id-problem, security-problem for a library that
// is not a partner).
//
// An ILL-Request is answered on the connection as the partner's setting
// says (ill.md §2.1, §3): ReplyStatus, the default, acknowledges it at once
// with a Status-Or-Error-Report whose status report carries the engine's
// decision (yaz-illclient accepts nothing else), and leaves the ILL-Answer
// in the engine's outbox for the partner's transport; ReplyAnswer sends
// the ILL-Answer itself.
//
// APDU renders an engine event as the APDU that carries it, for every
// transport (TCP, e-mail).
package illadapter

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/ill/illserver"
	"github.com/bibgate/bibgate/search"
)

// Reply is how an ILL-Request is answered on its connection.
type Reply string

// Replies.
const (
	// ReplyStatus acknowledges the request with a Status-Or-Error-Report
	// carrying the decision; the ILL-Answer stays queued in the outbox.
	ReplyStatus Reply = "status"
	// ReplyAnswer sends the ILL-Answer itself, recorded as sent.
	ReplyAnswer Reply = "answer"
)

// ParseReply checks a configured reply mode ("" is ReplyStatus).
func ParseReply(s string) (Reply, error) {
	switch Reply(s) {
	case "", ReplyStatus:
		return ReplyStatus, nil
	case ReplyAnswer:
		return ReplyAnswer, nil
	}
	return "", fmt.Errorf("ILL request reply %q: use status or answer", s)
}

// Catalogue finds the records a citation names (*catalog.Catalogue).
type Catalogue interface {
	Search(ctx context.Context, q search.Query) (search.Result, error)
	Keys(ctx context.Context, ids []uint32) ([]string, error)
}

// maxMatches bounds the records one citation is matched to.
const maxMatches = 20

// Backend is the illserver.Backend over the core. Set the fields before
// the server starts; they must not change afterwards.
type Backend struct {
	Svc       *core.Service
	Catalogue Catalogue
	// Replies is the reply mode per partner symbol; others get ReplyStatus.
	Replies map[string]Reply
	// Addresses lists, per partner symbol, the networks its APDUs may come
	// from over TCP; a partner not in it is accepted from anywhere. An APDU
	// for a listed partner from elsewhere gets a security-problem report.
	Addresses map[string][]netip.Prefix
	// NoReceipts lists the partners that get no receipt: by default an
	// APDU the engine answers nothing to on the connection (Shipped,
	// Received, Returned...) is acknowledged with a Status-Or-Error-Report
	// carrying the transaction's status, sent after the event is
	// committed, so the partner knows it need not send it again.
	NoReceipts map[string]bool
	Logger     zerolog.Logger
}

// NewSession implements illserver.Backend. Sessions hold no state but the
// peer's address: every APDU names its transaction.
func (b *Backend) NewSession(ctx context.Context, c illserver.ConnInfo) (illserver.Session, error) {
	s := session{b: b}
	if ta, ok := c.RemoteAddr.(*net.TCPAddr); ok {
		s.addr, _ = netip.AddrFromSlice(ta.IP)
		s.addr = s.addr.Unmap()
	}
	return s, nil
}

type session struct {
	b    *Backend
	addr netip.Addr
}

// Handle implements illserver.Session: the engine's answers go back on
// the connection.
func (s session) Handle(ctx context.Context, a ill.APDU) ([]ill.APDU, error) {
	if r, ok := a.(*ill.Request); ok {
		if !s.allowed(partnerOf(&r.Header)) {
			return s.b.wrongAddress(a.Head(), partnerOf(&r.Header)), nil
		}
	} else if len(s.b.Addresses) > 0 {
		tid := TransactionID(a.Head().TransactionID)
		x, err := s.b.Svc.ILLGet(ctx, core.ILLRef{TID: &tid, Role: roleOf(a.Type())})
		if err != nil {
			return s.b.refused(a.Head(), a.Type(), err)
		}
		if !s.allowed(x.Partner) {
			return s.b.wrongAddress(a.Head(), x.Partner), nil
		}
	}
	return s.b.handle(ctx, a, true)
}

// Receive hands the engine an APDU that came where no answer can go back
// the same way (an e-mail, the answer on a connection we opened): the
// engine's answers are queued in its outbox for the partner's transport.
// A repeated APDU is not applied twice; an APDU that cannot be used is
// logged and reported, nothing is sent back.
func (b *Backend) Receive(ctx context.Context, a ill.APDU) error {
	replies, err := b.handle(ctx, a, false)
	if err != nil {
		return err
	}
	for _, r := range replies {
		if rep, ok := r.(*ill.StatusOrErrorReport); ok && rep.ErrorReport != nil {
			b.Logger.Warn().Str("apdu", a.Type().String()).Str("transaction", string(a.Head().TransactionID.Qualifier)).
				Str("problem", str(rep.Note)).Msg("ill: APDU received and refused")
		}
	}
	return nil
}

func (b *Backend) handle(ctx context.Context, a ill.APDU, inline bool) ([]ill.APDU, error) {
	if r, ok := a.(*ill.Request); ok {
		return b.request(ctx, r, inline)
	}
	return b.apply(ctx, a, inline)
}

// allowed reports whether the peer may speak for partner.
func (s session) allowed(partner string) bool {
	nets, ok := s.b.Addresses[partner]
	if !ok {
		return true
	}
	for _, p := range nets {
		if p.Contains(s.addr) {
			return true
		}
	}
	return false
}

func (b *Backend) wrongAddress(h *ill.Header, partner string) []ill.APDU {
	b.Logger.Warn().Str("partner", partner).Msg("ill: APDU for a partner from an address not in its list: refused")
	return []ill.APDU{illserver.ErrorReport(h, b.now(), ill.ErrorReport{CorrelationInformation: "address not accepted",
		ReportSource: ill.ProviderSource, UserErrorReport: &ill.UserErrorReport{SecurityProblem: ill.Str("APDUs for " + partner + " are not accepted from this address")}},
		"")}
}

// now is the service date-time of what we send: the core's clock in the
// ILL library's time zone (ISO-Time is the sender's local time).
func (b *Backend) now() time.Time {
	t := b.Svc.Now()
	cons := b.Svc.Consortium()
	id := cons.ILL.Library
	if id == "" && len(cons.Libraries) > 0 {
		id = cons.Libraries[0].ID
	}
	if lib, ok := cons.Library(id); ok && lib.Calendar.Location != nil {
		return t.In(lib.Calendar.Location)
	}
	return t
}

// at is t in the ILL library's time zone: the service date-time of an
// APDU we send for an event recorded at t (the same whenever it is sent,
// so a partner recognises it sent again).
func (b *Backend) at(t time.Time) time.Time {
	return t.In(b.now().Location())
}

// header is the header of an answer to h: ids echoed, ours filled in
// where the partner left it out (over TCP it may).
func (b *Backend) header(h *ill.Header) ill.Header {
	out := illserver.ReplyHeader(h, b.now())
	if out.ResponderID == nil && b.Svc.Consortium().ILL.Symbol != "" {
		out.ResponderID = ill.Institution(b.Svc.Consortium().ILL.Symbol)
	}
	return out
}

func (b *Backend) request(ctx context.Context, r *ill.Request, inline bool) ([]ill.APDU, error) {
	if r.TransactionID.Qualifier == "" {
		return b.idProblem(&r.Header, 2, "the transaction-id has no transaction-qualifier"), nil
	}
	svc, ok := serviceType(r.ServiceTypes)
	if !ok {
		unable := 1 // not-available
		return []ill.APDU{illserver.ErrorReport(&r.Header, b.now(), ill.ErrorReport{CorrelationInformation: "service not offered",
			ReportSource: ill.ProviderSource, UserErrorReport: &ill.UserErrorReport{UnableToPerform: &unable}},
			"only loan and copy-non-returnable are offered")}, nil
	}
	partner := partnerOf(&r.Header)
	mode := b.Replies[partner]
	item, err := b.match(ctx, &r.ItemID)
	if err != nil {
		return nil, err
	}
	req := core.ILLIncomingRequest{TID: TransactionID(r.TransactionID), Partner: partner, Service: svc, Item: item,
		Note: str(r.RequesterNote), Origin: core.OriginAPDU, AnswerInline: inline && mode == ReplyAnswer,
		ServiceTime: serviceTime(&r.Header, b.now().Location()), Repeatable: exactTime(&r.Header)}
	if r.SearchType != nil {
		for _, d := range []*string{r.SearchType.ExpiryDate, r.SearchType.NeedBeforeDate} {
			if t, ok := isoDate(d); ok {
				req.Expiry = t
				break
			}
		}
	}
	x, err := b.Svc.ILLIncoming(ctx, req)
	if core.ReasonOf(err) == core.ReasonILLDuplicateAPDU {
		// Sent again: answered as the first time, applied once.
		b.Logger.Info().Str("transaction", x.ID).Str("partner", x.Partner).Msg("ill: request received again: answered, not applied")
		if inline && mode == ReplyAnswer {
			if out := b.answers(&r.Header, x, 1); len(out) > 0 {
				return out, nil
			}
		}
		return []ill.APDU{b.ack(&r.Header, x)}, nil
	}
	if err != nil {
		return b.refused(&r.Header, ill.TypeRequest, err)
	}
	b.Logger.Info().Str("transaction", x.ID).Str("partner", x.Partner).Str("answer", lastAnswer(x)).Msg("ill: request answered")
	// A request we broker has no answer yet (the supplier's comes later):
	// it is acknowledged all the same.
	if inline && mode == ReplyAnswer {
		if out := b.answers(&r.Header, x, 1); len(out) > 0 {
			return out, nil
		}
	}
	return []ill.APDU{b.ack(&r.Header, x)}, nil
}

// ack is the Status-Or-Error-Report acknowledging a request: the
// transaction's state and history, the decision in its note.
func (b *Backend) ack(h *ill.Header, x core.ILLTransaction) *ill.StatusOrErrorReport {
	rep := &ill.StatusOrErrorReport{Header: b.header(h), StatusReport: statusReport(x, len(x.Events), b.Svc.Consortium().ILL.Symbol)}
	if d := decision(x); d != "" {
		rep.Note = ill.Str(d)
	}
	return rep
}

// answers renders the events the engine sent from index from on as the
// APDUs that carry them.
func (b *Backend) answers(h *ill.Header, x core.ILLTransaction, from int) []ill.APDU {
	var out []ill.APDU
	for i := from; i < len(x.Events); i++ {
		e := x.Events[i]
		if !e.Send {
			continue
		}
		a, err := b.render(h, x, i)
		if err != nil {
			b.Logger.Error().Err(err).Str("transaction", x.ID).Int("event", e.Seq).Msg("ill: answer not rendered")
			continue
		}
		out = append(out, a)
	}
	return out
}

// apply hands any APDU but a request to the engine.
func (b *Backend) apply(ctx context.Context, a ill.APDU, inline bool) ([]ill.APDU, error) {
	h := a.Head()
	in, err := eventOf(a)
	if err != nil {
		return []ill.APDU{illserver.GeneralProblem(h, b.now(), ill.OtherProblem, err.Error())}, nil
	}
	in.Origin, in.AnswerInline = core.OriginAPDU, inline
	in.ServiceTime, in.Repeatable = serviceTime(h, b.now().Location()), exactTime(h)
	tid := TransactionID(h.TransactionID)
	x, err := b.Svc.ILLApply(ctx, core.ILLRef{TID: &tid, Role: roleOf(a.Type())}, in)
	if core.ReasonOf(err) == core.ReasonILLDuplicateAPDU {
		b.Logger.Info().Str("transaction", x.ID).Str("apdu", a.Type().String()).Msg("ill: APDU received again: acknowledged, not applied")
		return []ill.APDU{b.ack(h, x)}, nil
	}
	if err != nil {
		return b.refused(h, a.Type(), err)
	}
	b.Logger.Info().Str("transaction", x.ID).Str("apdu", a.Type().String()).Str("state", x.State.String()).Msg("ill: APDU applied")
	// The engine's answers follow the APDU's own event, the last one
	// received.
	from := len(x.Events)
	for from > 0 && x.Events[from-1].Dir != illstate.Incoming {
		from--
	}
	if !inline {
		return nil, nil // the answers are in the outbox
	}
	out := b.answers(h, x, from)
	if len(out) == 0 && a.Type() != ill.TypeStatusOrErrorReport && !b.NoReceipts[x.Partner] {
		out = append(out, b.ack(h, x)) // the receipt
	}
	return out, nil
}

// refused turns a core refusal into the Status-Or-Error-Report for it; an
// error that is no refusal is the session's failure.
func (b *Backend) refused(h *ill.Header, t ill.Type, err error) ([]ill.APDU, error) {
	var te *illstate.TransitionError
	if errors.As(err, &te) {
		return []ill.APDU{illserver.ErrorReport(h, b.now(), ill.ErrorReport{CorrelationInformation: ill.String(t.String() + " not allowed now"),
			ReportSource: ill.ProviderSource, ProviderErrorReport: &ill.ProviderErrorReport{
				StateTransitionProhibited: &ill.StateTransitionProhibited{APDUType: t, CurrentState: wireState(te.State)}}},
			fmt.Sprintf("%s is not allowed in state %s", t, te.State))}, nil
	}
	switch core.ReasonOf(err) {
	case core.ReasonILLUnknownTransaction:
		return b.idProblem(h, 3, "no such transaction"), nil
	case core.ReasonILLDuplicateTransaction:
		return b.idProblem(h, 1, "this transaction-id is already in use"), nil
	case core.ReasonILLUnknownPartner:
		return []ill.APDU{illserver.ErrorReport(h, b.now(), ill.ErrorReport{CorrelationInformation: "not a partner",
			ReportSource: ill.ProviderSource, UserErrorReport: &ill.UserErrorReport{SecurityProblem: ill.Str("not an interlibrary loan partner of ours: " + partnerOf(h))}},
			"")}, nil
	case "":
		return nil, err
	}
	other := 3
	var ce *core.Error
	note := err.Error()
	if errors.As(err, &ce) && ce.Detail != "" {
		note = ce.Detail
	}
	return []ill.APDU{illserver.ErrorReport(h, b.now(), ill.ErrorReport{CorrelationInformation: ill.String(core.ReasonOf(err)),
		ReportSource: ill.ProviderSource, UserErrorReport: &ill.UserErrorReport{UnableToPerform: &other}}, note)}, nil
}

func (b *Backend) idProblem(h *ill.Header, code int, why string) []ill.APDU {
	return []ill.APDU{illserver.ErrorReport(h, b.now(), ill.ErrorReport{CorrelationInformation: ill.String(why),
		ReportSource: ill.ProviderSource, ProviderErrorReport: &ill.ProviderErrorReport{TransactionIDProblem: &code}}, "")}
}

// match fills the item from the citation and finds the records it names
// (MatchItem).
func (b *Backend) match(ctx context.Context, id *ill.ItemID) (core.ILLItem, error) {
	item := core.ILLItem{Title: str(id.Title), Author: str(id.Author), ISBN: str(id.ISBN), ISSN: str(id.ISSN),
		CallNumber: str(id.CallNumber)}
	return MatchItem(ctx, b.Catalogue, item)
}

// MatchItem finds the records of cat a cited item names: by ISBN or ISSN
// when given, else by the title's start (and the author). It returns item
// with RecordIDs filled; with no catalogue, item as it is.
func MatchItem(ctx context.Context, cat Catalogue, item core.ILLItem) (core.ILLItem, error) {
	if cat == nil {
		return item, nil
	}
	var queries []search.Query
	if item.ISBN != "" {
		queries = append(queries, &search.Term{Index: "isbn", Text: item.ISBN})
	}
	if item.ISSN != "" {
		queries = append(queries, &search.Term{Index: "issn", Text: item.ISSN})
	}
	if t := strings.TrimSpace(item.Title); t != "" {
		// The cited title is where the record's title starts: a phrase
		// anywhere in it would match the subtitle of another book.
		var q search.Query = &search.Term{Index: "title", Position: search.PosFirstInField, Structure: search.StructPhrase, Text: t}
		if a := strings.TrimSpace(item.Author); a != "" {
			q = &search.And{Left: q, Right: &search.Term{Index: "author", Structure: search.StructWordList, Text: a}}
		}
		queries = append(queries, q)
	}
	for _, q := range queries {
		res, err := cat.Search(ctx, q)
		if err != nil {
			var d *search.Diagnostic
			if errors.As(err, &d) {
				continue // a citation our index cannot search is not a match
			}
			return item, fmt.Errorf("illadapter: match %s: %w", q, err)
		}
		if res.Count == 0 {
			continue
		}
		ids := res.IDs
		if len(ids) > maxMatches {
			ids = ids[:maxMatches]
		}
		keys, err := cat.Keys(ctx, ids)
		if err != nil {
			return item, fmt.Errorf("illadapter: match: %w", err)
		}
		for _, k := range keys {
			if k != "" {
				item.RecordIDs = append(item.RecordIDs, k)
			}
		}
		if len(item.RecordIDs) > 0 {
			return item, nil
		}
	}
	return item, nil
}

// serviceType is the first service asked for that can be shipped.
func serviceType(ts []ill.ServiceType) (core.ILLServiceType, bool) {
	for _, t := range ts {
		switch t {
		case ill.Loan:
			return core.ILLLoan, true
		case ill.CopyNonReturnable:
			return core.ILLCopy, true
		}
	}
	return "", false
}

// partnerOf is the requesting library: the requester-id, else the
// initial requester of the transaction-id.
func partnerOf(h *ill.Header) string {
	if s := symbol(h.RequesterID); s != "" {
		return s
	}
	return symbol(h.TransactionID.InitialRequesterID)
}

// roleOf is our role in a transaction an APDU of type t arrives for:
// what requesters send reaches us as responder and the other way round;
// either side sends the rest.
func roleOf(t ill.Type) core.ILLRole {
	switch t {
	case ill.TypeRequest, ill.TypeConditionalReply, ill.TypeCancel, ill.TypeReceived, ill.TypeReturned, ill.TypeRenew:
		return illstate.Responder
	case ill.TypeForwardNotification, ill.TypeShipped, ill.TypeAnswer, ill.TypeCancelReply, ill.TypeRecall,
		ill.TypeCheckedIn, ill.TypeOverdue, ill.TypeRenewAnswer, ill.TypeExpired:
		return illstate.Requester
	}
	return ""
}

func lastAnswer(x core.ILLTransaction) string {
	for i := len(x.Events) - 1; i >= 0; i-- {
		if e := x.Events[i]; e.Service == illstate.ILLAnswer {
			return e.Qualifier
		}
	}
	return ""
}

// decision says in words what the engine answered a request.
func decision(x core.ILLTransaction) string {
	for i := len(x.Events) - 1; i >= 0; i-- {
		e := x.Events[i]
		if e.Service != illstate.ILLAnswer {
			continue
		}
		s := e.Qualifier
		if e.Reason != "" {
			s += ": " + e.Reason
		}
		if e.Note != "" {
			s += " (" + e.Note + ")"
		}
		if !e.Date.IsZero() && e.Qualifier == illstate.QRetry {
			s += ", retry after " + e.Date.Format("2006-01-02")
		}
		return s
	}
	return ""
}
